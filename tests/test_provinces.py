"""Vietnam's 34 provincial-level units: the bundled list, how names are read, the warnings, and the store's groups."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa

from dhti import provinces
from dhti.assess import assess
from dhti.portfolio import build_portfolio
from dhti.provinces import Kind, Status, key, lookup, parse, problem, recorded
from dhti.registry import Registry
from dhti.response import validate_file
from dhti.store import open_store
from dhti.store.record import fold

pytest_plugins = ("conftest_store",)

DATA = Path(__file__).parent / "data"
HOSPITAL = (DATA / "store" / "hospital-2026.yaml").read_text(encoding="utf-8")
PROVINCE_LINE = '  province: "Hà Nội"'  # line 7 of the file; its value starts at column 13

# Resolution 202/2025/QH15 (12 June 2025): the 11 units left as they were, and the 23 formed by
# merging 52 others, each named after one of them. Written out here by hand, not read from the list.
UNCHANGED = (
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
)
MERGED = {
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Thành phố Hồ Chí Minh": ("Thành phố Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "An Giang": ("An Giang", "Kiên Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
}
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ"}


def test_the_34_units_are_exactly_those_of_the_resolution() -> None:
    units = provinces.units()
    assert sorted(unit.name for unit in units) == sorted((*UNCHANGED, *MERGED))
    assert len(units) == 34  # 11 unchanged + 23 formed
    assert {unit.name for unit in units if unit.kind is Kind.CITY} == CITIES  # 6 cities, so 28 provinces
    for unit in units:
        assert unit.name == unicodedata.normalize("NFC", unit.name)
        if unit.name in MERGED:
            assert tuple(name.split("|")[0] for name in unit.formed_from) == MERGED[unit.name]


def test_every_one_of_the_63_former_units_is_recorded_as_its_new_unit() -> None:
    former = {name: unit for unit, names in MERGED.items() for name in names}
    former |= {name: name for name in UNCHANGED if name != "Huế"} | {"Thừa Thiên Huế": "Huế"}
    assert len(former) == 63
    for name, unit in former.items():
        found = lookup(name)
        assert found is not None, name
        assert (found.unit.name, recorded(name)) == (unit, unit)
        # The 52 merged (and Thừa Thiên Huế) carry a warning; a unit that kept its name does not.
        expected = Status.CURRENT if name == unit else Status.RENAMED if name == "Thừa Thiên Huế" else Status.MERGED
        assert found.status is expected, name
        assert (problem(name) is None) is (expected is Status.CURRENT)


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("TP Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("TP.HCM", "Thành phố Hồ Chí Minh"),
        ("tp.hồ chí minh", "Thành phố Hồ Chí Minh"),
        ("Ho Chi Minh City", "Thành phố Hồ Chí Minh"),
        ("Thành phố Hà Nội", "Hà Nội"),
        ("Hà Nội city", "Hà Nội"),
        ("Hanoi", "Hà Nội"),
        ("  HA   NOI ", "Hà Nội"),
        (unicodedata.normalize("NFD", "Hà Nội"), "Hà Nội"),  # as a macOS keyboard types it
        ("Tỉnh Thanh Hoá", "Thanh Hóa"),  # the older placing of the tone mark
        ("Khánh Hoà", "Khánh Hòa"),
        ("Đăk Lăk", "Đắk Lắk"),
        ("TP Huế", "Huế"),
        ("Quang Ninh province", "Quảng Ninh"),
    ],
)
def test_common_spellings_are_the_unit_without_a_warning(written: str, unit: str) -> None:
    found = lookup(written)
    assert found is not None
    assert (found.unit.name, found.status, recorded(written), problem(written)) == (unit, Status.CURRENT, unit, None)


def test_spellings_of_former_units_are_read_too() -> None:
    assert key("Bà Rịa-Vũng Tàu") == key("Bà Rịa – Vũng Tàu") == key("ba ria vung tau") == "ba ria vung tau"
    for written, unit in (("Bắc Cạn", "Thái Nguyên"), ("Tỉnh Kontum", "Quảng Ngãi"), ("Thừa Thiên - Huế", "Huế")):
        found = lookup(written)
        assert found is not None
        assert (found.unit.name, found.status is not Status.CURRENT) == (unit, True)


def test_what_is_not_a_unit_stays_as_written() -> None:
    for written in ("Tỉnh", "Atlantis", "Hà\x08Nội", "Hà Nội Hà Nội", "Sài Gòn"):
        assert lookup(written) is None, written
        assert recorded(written) == written
    assert recorded(None) is None
    assert problem("") is problem("   ") is None  # an empty province says nothing


@pytest.mark.parametrize(
    ("written", "english", "vietnamese"),
    [
        (
            "Bình Định",
            "province 'Bình Định' was merged into 'Gia Lai' on 1 July 2025; it is recorded as 'Gia Lai'",
            "tỉnh 'Bình Định' đã được sáp nhập vào 'Gia Lai' từ ngày 01/7/2025; được ghi nhận là 'Gia Lai'",
        ),
        (
            "Thừa Thiên Huế",
            "province 'Thừa Thiên Huế' became the city of 'Huế' on 1 January 2025; it is recorded as 'Huế'",
            (
                "tỉnh 'Thừa Thiên Huế' đã trở thành thành phố 'Huế' trực thuộc trung ương từ ngày 01/01/2025;"
                " được ghi nhận là 'Huế'"
            ),
        ),
        (
            "Gia Lia",
            (
                "province 'Gia Lia' is not one of the 34 provinces and cities in place since 1 July 2025"
                " (did you mean 'Gia Lai'?); it is recorded as written"
            ),
            (
                "tỉnh/thành phố 'Gia Lia' không nằm trong danh sách 34 tỉnh, thành phố từ ngày 01/7/2025"
                " (có phải ý bạn là 'Gia Lai'?); được ghi nhận đúng như đã viết"
            ),
        ),
    ],
)
def test_a_former_or_unknown_province_is_a_warning_at_its_value(
    write, registry: Registry, written: str, english: str, vietnamese: str
) -> None:
    path = write("r.yaml", HOSPITAL.replace(PROVINCE_LINE, f'  province: "{written}"'))
    result = validate_file(path, registry=registry, display="r.yaml")
    assert result.valid  # a warning: old files and other questionnaires keep validating
    [warning] = result.problems
    assert str(warning) == f"r.yaml:7:13: warning: {english}"
    assert warning.render("vi") == f"r.yaml:7:13: warning: {vietnamese}"


def test_a_long_unknown_province_is_quoted_short(write, registry: Registry) -> None:
    path = write("r.yaml", HOSPITAL.replace(PROVINCE_LINE, f'  province: "{"Tỉnh mới " * 20}"'))
    [warning] = validate_file(path, registry=registry, display="r.yaml").problems
    assert f"province '{'Tỉnh mới ' * 7}Tỉnh m…' is not one of the 34" in str(warning)  # 69 characters and …


def test_a_current_or_absent_province_and_a_refused_one_add_no_warning(write, registry: Registry) -> None:
    for line in ('  province: "TP.HCM"', "  province: ~", ""):
        path = write("r.yaml", HOSPITAL.replace(PROVINCE_LINE, line))
        assert validate_file(path, registry=registry).problems == (), line
    too_long = write("r.yaml", HOSPITAL.replace(PROVINCE_LINE, f'  province: "{"x" * 201}"'))
    [error] = validate_file(too_long, registry=registry, display="r.yaml").problems
    assert str(error) == "r.yaml:7:13: error: entity.province: 201 characters; the limit is 200"


def test_validate_passes_with_the_warning_and_strict_fails(dhti, write) -> None:
    path = write("r.yaml", HOSPITAL.replace(PROVINCE_LINE, '  province: "Bình Dương"'))
    result = dhti("validate", path)
    assert result.exit_code == 0
    assert "r.yaml:7:13: warning: province 'Bình Dương' was merged into 'Thành phố Hồ Chí Minh'" in result.stdout
    assert dhti("validate", path, "--strict").exit_code == 1


def test_the_list_refuses_a_name_that_means_two_units_and_a_short_row() -> None:
    header = "unit\tkind\tformed_from\talso_written\n"
    with pytest.raises(ValueError, match=r"'Gia Lai' is written like another name already listed"):
        parse(header + "Gia Lai\tprovince\tGia Lai\t\nĐắk Lắk\tprovince\tĐắk Lắk; Gia Lai\t\n")
    with pytest.raises(ValueError, match=r"'Hồ Chí Minh' is written like another name"):  # "Thành phố" is ignored
        parse(header + "Thành phố Hồ Chí Minh\tcity\tThành phố Hồ Chí Minh\tHồ Chí Minh\n")
    with pytest.raises(ValueError, match=r"row 2 has 3 columns, not 4"):
        parse(header + "Gia Lai\tprovince\tGia Lai\n")
    with pytest.raises(ValueError, match=r"the first row must be the columns unit, kind, formed_from, also_written"):
        parse("name\tkind\n")


# The store: six hospitals answering the same way (index 90, worked out in test_store), written
# under five provinces. Recorded by unit, they make three groups: Gia Lai (Bình Định merged into
# it), Thành phố Hồ Chí Minh (two spellings and Bình Dương) and Atlantis, kept as written.
HOSPITALS = {
    "52-BV-0001": "Bình Định",
    "64-BV-0001": "Gia Lai",
    "74-BV-0001": "Bình Dương",
    "79-BV-0001": "TP. Hồ Chí Minh",
    "79-BV-0002": "Thành phố Hồ Chí Minh",
    "99-BV-0001": "Atlantis",
}
GIA_LAI = ["52-BV-0001", "64-BV-0001"]
HCM = ["74-BV-0001", "79-BV-0001", "79-BV-0002"]


def _fill(store_url: str, registry: Registry, tmp_path: Path) -> None:
    with open_store(store_url) as store:
        for entity_id, province in HOSPITALS.items():
            text = HOSPITAL.replace('"01-BV-0001"', f'"{entity_id}"').replace(
                PROVINCE_LINE, f'  province: "{province}"'
            )
            path = tmp_path / f"{entity_id}.yaml"
            path.write_text(text, encoding="utf-8")
            assert store.ingest(assess(path, registry=registry), path.read_bytes()).stored


def _ids(found: list) -> list[str]:
    return [assessment.record.entity_id for assessment in found]


def _check_groups(store_url: str) -> None:
    with open_store(store_url, create=False) as store:
        latest = store.latest_per_entity()
        assert {a.record.entity_id: a.record.province for a in latest} == {
            "52-BV-0001": "Gia Lai",
            "64-BV-0001": "Gia Lai",
            "74-BV-0001": "Thành phố Hồ Chí Minh",
            "79-BV-0001": "Thành phố Hồ Chí Minh",
            "79-BV-0002": "Thành phố Hồ Chí Minh",
            "99-BV-0001": "Atlantis",
        }
        for asked in ("Gia Lai", "gia lai", "Bình Định", "Tỉnh Bình Định"):
            assert _ids(store.assessments(province=asked)) == GIA_LAI, asked
        for asked in ("TP.HCM", "Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "ho chi minh"):
            assert _ids(store.assessments(province=asked)) == HCM, asked
        assert _ids(store.latest_per_entity(province="Bình Dương")) == HCM
        assert _ids(store.assessments(province="ATLANTIS")) == ["99-BV-0001"]
        assert store.assessments(province="Quảng Nam") == []  # Đà Nẵng: no assessment there
    (hospitals,) = build_portfolio(latest).sections
    # Each unit counts once, under its province as recorded; the heat map's rows come in name order.
    assert [(row.name, row.entities, row.index) for row in hospitals.provinces] == [
        ("Atlantis", 1, 90.0),
        ("Gia Lai", 2, 90.0),
        ("Thành phố Hồ Chí Minh", 3, 90.0),
    ]


def test_the_store_records_and_groups_by_unit(store_url: str, registry: Registry, tmp_path: Path) -> None:
    _fill(store_url, registry, tmp_path)
    with open_store(store_url) as store, store._engine.connect() as conn:
        columns = conn.execute(
            sa.text("SELECT entity_id, province, province_key FROM assessments ORDER BY entity_id")
        ).all()
    assert [tuple(row) for row in columns] == [
        ("52-BV-0001", "Gia Lai", "gia lai"),
        ("64-BV-0001", "Gia Lai", "gia lai"),
        ("74-BV-0001", "Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
        ("79-BV-0001", "Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
        ("79-BV-0002", "Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
        ("99-BV-0001", "Atlantis", "atlantis"),
    ]
    with open_store(store_url) as store:  # what the response wrote is kept in its bytes
        [first] = store.history("52-BV-0001")
        assert 'province: "Bình Định"'.encode() in store.response_bytes(first.id)
    _check_groups(store_url)


def test_assessments_stored_as_written_before_are_read_and_grouped_by_unit(
    store_url: str, registry: Registry, tmp_path: Path
) -> None:
    _fill(store_url, registry, tmp_path)
    with open_store(store_url) as store, store._engine.begin() as conn:  # as an earlier dhti stored them
        for entity_id, province in HOSPITALS.items():
            conn.execute(
                sa.text("UPDATE assessments SET province = :p, province_key = :k WHERE entity_id = :e"),
                {"p": province, "k": fold(province), "e": entity_id},
            )
    _check_groups(store_url)


def test_province_filters_on_the_command_line_take_any_name_of_the_unit(
    dhti, store_url: str, registry: Registry, tmp_path: Path
) -> None:
    _fill(store_url, registry, tmp_path)
    listed = dhti("db", "list", "--province", "Bình Định", "--format", "json", db=store_url)
    assert listed.exit_code == 0
    assert [(a["entity"]["id"], a["entity"]["province"]) for a in json.loads(listed.stdout)] == [
        ("52-BV-0001", "Gia Lai"),
        ("64-BV-0001", "Gia Lai"),
    ]
    latest = dhti("db", "list", "--latest", "--province", "TP.HCM", "--format", "json", db=store_url)
    assert [a["entity"]["id"] for a in json.loads(latest.stdout)] == HCM
