"""dhti simulate: a seeded synthetic campaign whose files validate, name themselves simulated and improve."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

from dhti.assess import assess
from dhti.jobs.demo import DEMO_ENTITIES, demo_campaign
from dhti.resources import examples_dir
from dhti.simulate import Known, Plan, earlier, entities, newest_bundled, simulate
from dhti.yamlio import load, load_text

# One province, two of each facility type, two rounds: 2 x 4 facility-level entities, the
# province's Department of Health and the Ministry = 10 entities, 20 files.
SMALL = ("--province", "Cao Bằng", "--entities", 2, "--rounds", 2, "--seed", 3)


@pytest.fixture
def campaign(dhti, tmp_path: Path) -> Path:
    folder = tmp_path / "sim"
    result = dhti("simulate", "-o", folder, *SMALL)
    assert result.exit_code == 0, result.output
    return folder


def files_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.yaml"))


def test_a_small_campaign_validates_without_an_error_or_a_warning(dhti, campaign: Path) -> None:
    result = dhti("validate", campaign, "--strict")
    assert result.exit_code == 0, result.output
    assert "20 file(s) checked: 20 valid, 0 invalid" in result.output
    assert "warning" not in result.output


def test_the_campaign_has_each_type_in_the_counts_asked_for(campaign: Path) -> None:
    types = Counter(load(path).data["entity"]["type"] for path in files_of(campaign))
    # Per round: 2 of each facility type, 1 department, 1 ministry; two rounds double each.
    assert types == {
        "hospital": 4,
        "health_centre": 4,
        "commune_health_station": 4,
        "clinic": 4,
        "provincial_health_department": 2,
        "ministry": 2,
    }
    assert sorted(path.parent.name for path in files_of(campaign)) == ["cao-bang"] * 18 + ["ha-noi"] * 2


def test_what_was_written_is_counted_per_questionnaire_on_stderr(dhti, tmp_path: Path) -> None:
    result = dhti("simulate", "-o", tmp_path / "sim", *SMALL)
    assert result.stdout == ""
    # agency: department + ministry = 2 x 2 rounds; facility: hospitals + centres = 4 x 2.
    for line in ("dhti-agency@2.0: 4 file(s)", "dhti-clinic@1.0: 4", "dhti-facility@2.0: 8", "dhti-station@2.0: 4"):
        assert line in result.stderr
    assert "wrote 20 simulated files" in result.stderr


def test_every_file_and_entity_says_it_is_simulated(campaign: Path) -> None:
    for path in files_of(campaign):
        assert path.name.startswith("SIM-"), path
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# Mô phỏng bằng dhti simulate (seed 3): không phải dữ liệu thật"), path
        entity = load(path).data["entity"]
        assert entity["id"].startswith("SIM-")
        assert entity["name"].endswith("(mô phỏng)")


def test_rounds_are_a_year_apart_from_the_date_given(dhti, tmp_path: Path) -> None:
    result = dhti("simulate", "-o", tmp_path, "--entities", 1, "--rounds", 3, "--date", "2024-02-29")
    assert result.exit_code == 0, result.output
    dates = {load(path).data["assessment"]["date"] for path in (tmp_path / "can-tho").glob("*-PK-001-r*.yaml")}
    # 29 February has no anniversary in 2025 and 2026: the 28th stands in for it.
    assert dates == {"2024-02-29", "2025-02-28", "2026-02-28"}


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_ones(dhti, tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        assert dhti("simulate", "-o", tmp_path / name, "--entities", 1, "--seed", seed).exit_code == 0

    def contents(name: str) -> dict[str, bytes]:
        return {str(path.relative_to(tmp_path / name)): path.read_bytes() for path in files_of(tmp_path / name)}

    assert contents("a") == contents("b")
    other = contents("c")
    assert other.keys() == contents("a").keys()
    assert all(other[key] != contents("a")[key] for key in other)


def test_an_entity_s_files_do_not_depend_on_the_other_provinces(registry) -> None:
    questionnaires = newest_bundled(registry)
    alone = {f.path: f.text for f in simulate(Plan(questionnaires, provinces=("Cao Bằng",), entities=1))}
    both = {f.path: f.text for f in simulate(Plan(questionnaires, provinces=("Cao Bằng", "Huế"), entities=1))}
    assert alone.items() <= both.items()


def test_the_second_round_scores_higher_on_average(registry, campaign: Path) -> None:
    index: dict[str, list[float]] = {"r1": [], "r2": []}
    for path in files_of(campaign):
        outcome = assess(path, registry=registry)
        assert outcome.scores is not None
        index[path.stem.rsplit("-", 1)[1]].append(outcome.scores.index)
    assert len(index["r1"]) == len(index["r2"]) == 10
    assert statistics.mean(index["r2"]) > statistics.mean(index["r1"])


def test_a_former_province_means_the_unit_it_was_merged_into(dhti, tmp_path: Path) -> None:
    result = dhti("simulate", "-o", tmp_path, "--province", "Bình Định", "--entities", 1, "--rounds", 1)
    assert result.exit_code == 0, result.output
    assert "'Bình Định' was merged into 'Gia Lai'" in result.stderr
    department = load(tmp_path / "gia-lai" / "SIM-GIA-LAI-SYT-r1.yaml").data["entity"]
    assert department["province"] == "Gia Lai"
    assert department["name"] == "Sở Y tế tỉnh Gia Lai (mô phỏng)"


def test_an_unknown_province_is_refused_as_a_usage_error(dhti, tmp_path: Path) -> None:
    result = dhti("simulate", "-o", tmp_path / "sim", "--province", "Cao Bang", "--province", "Ca Bang")
    assert result.exit_code == 2
    assert "'Ca Bang' is not one of the 34 provinces" in result.stderr
    assert "did you mean 'Cao Bằng'" in result.stderr
    assert not (tmp_path / "sim").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--entities", 0), 2, "Invalid value for '--entities': 0 is not in the range 1<=x<=10000"),
        (("--rounds", 0), 2, "Invalid value for '--rounds': 0 is not in the range 1<=x<=20"),
        (("--date", "15/10/2025"), 2, "Invalid value for '--date'"),
        (("--date", "2098-10-15", "--rounds", 3), 1, "assessment dates must be between 2000-01-01 and 2099-12-31"),
        (("--questionnaire", "dhti-statoin"), 1, "unknown questionnaire 'dhti-statoin'"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(dhti, tmp_path: Path, args, code: int, message: str) -> None:
    result = dhti("simulate", "-o", tmp_path / "sim", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert not (tmp_path / "sim").exists()


def test_questionnaire_limits_the_campaign_to_its_entity_types(dhti, tmp_path: Path) -> None:
    result = dhti("simulate", "-o", tmp_path, "--questionnaire", "dhti-station", "--entities", 3, "--rounds", 1)
    assert result.exit_code == 0, result.output
    # Three stations in each of the two default provinces; no department, no ministry.
    names = sorted(path.name for path in files_of(tmp_path))
    assert names == [f"SIM-{p}-TYT-00{n}-r1.yaml" for p in ("CAN-THO", "CAO-BANG") for n in (1, 2, 3)]


def test_existing_files_are_kept_unless_force(dhti, tmp_path: Path) -> None:
    args = ("simulate", "-o", tmp_path, "--questionnaire", "dhti-clinic", "--entities", 1, "--rounds", 1)
    assert dhti(*args).exit_code == 0
    target = tmp_path / "cao-bang" / "SIM-CAO-BANG-PK-001-r1.yaml"
    target.write_text("mine\n", encoding="utf-8")
    refused = dhti(*args)
    assert refused.exit_code == 1
    assert "exists already; use --force to overwrite it" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert dhti(*args, "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Mô phỏng")


def test_a_symbolic_link_in_place_of_a_file_is_never_replaced(dhti, tmp_path: Path) -> None:
    (tmp_path / "cao-bang").mkdir()
    aim = tmp_path / "aim.yaml"
    aim.write_text("keep\n", encoding="utf-8")
    (tmp_path / "cao-bang" / "SIM-CAO-BANG-PK-001-r1.yaml").symlink_to(aim)
    args = ("simulate", "-o", tmp_path, "--questionnaire", "dhti-clinic", "--entities", 1, "--rounds", 1, "--force")
    result = dhti(*args)
    assert result.exit_code == 1
    assert "is a symbolic link; dhti writes only regular files" in result.stderr
    assert aim.read_text(encoding="utf-8") == "keep\n"
    assert not (tmp_path / "can-tho").exists()  # refused before the first file is written


def test_a_questionnaire_for_no_simulated_type_is_refused(dhti, tmp_path: Path) -> None:
    mini = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    other = mini.replace("id: mini", "id: pharmacy-mini").replace("[hospital, health_centre]", "[pharmacy]")
    other = other.replace("entity_types: [hospital]", "entity_types: [pharmacy]")
    (folder / "pharmacy-mini.yaml").write_text(other, encoding="utf-8")
    result = dhti(
        "simulate", "-o", tmp_path / "sim", "--questionnaire", "pharmacy-mini", env={"DHTI_QUESTIONNAIRES": str(folder)}
    )
    assert result.exit_code == 1, result.output
    assert (
        "dhti: error: pharmacy-mini@1.0: none of its entity types is simulated (hospital, health_centre,"
        in result.stderr
    )
    assert not (tmp_path / "sim").exists()


def test_a_questionnaire_of_every_question_type_simulates_into_valid_files(dhti, tmp_path: Path) -> None:
    # tests/data/mini.yaml (on DHTI_QUESTIONNAIRES in tests) has a choice, yes/no, multi, percent
    # with na, linear number, text and date, and skip logic; it is for hospitals and health centres.
    result = dhti("simulate", "-o", tmp_path, "--questionnaire", "mini", "--entities", 5, "--rounds", 2)
    assert result.exit_code == 0, result.output
    assert "mini@1.0: 40 file(s)" in result.stderr  # 2 provinces x 2 types x 5 x 2 rounds
    checked = dhti("validate", tmp_path, "--strict")
    assert checked.exit_code == 0, checked.output
    assert "warning" not in checked.output


def test_provinces_are_read_as_the_store_s_filters_read_them(dhti, tmp_path: Path) -> None:
    args = ("--questionnaire", "dhti-clinic", "--entities", 1, "--rounds", 1)
    result = dhti("simulate", "-o", tmp_path, "--province", "tp.hcm", "--province", "Hồ Chí Minh", *args)
    assert result.exit_code == 0, result.output
    [path] = files_of(tmp_path)  # the two spellings name one unit, simulated once
    assert path.relative_to(tmp_path).as_posix() == "ho-chi-minh/SIM-HO-CHI-MINH-PK-001-r1.yaml"
    entity = load(path).data["entity"]
    assert entity["province"] == "Thành phố Hồ Chí Minh"
    assert entity["name"] == "Phòng khám số 1 Thành phố Hồ Chí Minh (mô phỏng)"


def _known_from(sample: Path, registry) -> Known:
    outcome = assess(sample, registry=registry)
    response, scores = outcome.validation.response, outcome.scores
    assert response is not None
    assert scores is not None
    return Known(
        id=response.entity.id,
        name=response.entity.name or response.entity.id,
        type=response.entity.type,
        province=response.entity.province or "",
        questionnaire=response.questionnaire,
        date=response.assessment.date,
        levels={d.id: d.score / 100 for d in scores.domains if d.score is not None},
        ownership=response.entity.ownership,
    )


def test_an_earlier_round_of_a_real_entity_is_a_valid_simulated_file_a_year_before(registry, tmp_path: Path) -> None:
    samples = sorted(examples_dir().glob("*.yaml"))
    changes = []
    for sample in samples:
        known = _known_from(sample, registry)
        file = earlier(known, seed=5)
        path = tmp_path / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.text, encoding="utf-8")
        outcome = assess(path, registry=registry)
        assert outcome.valid, outcome.validation.errors
        response = outcome.validation.response
        assert response is not None
        assert response.entity.id == known.id  # the same entity, so the store gives it a trend
        assert response.entity.name == f"{known.name} (mô phỏng)"
        assert response.entity.ownership == known.ownership
        assert response.assessment.date.year == known.date.year - 1
        assert file.text.startswith("# Mô phỏng bằng dhti")
        assert "không phải dữ liệu thật" in (response.assessment.notes or "")
        current = assess(sample, registry=registry).scores
        assert current is not None
        assert current.index is not None
        assert outcome.scores is not None
        changes.append(current.index - (outcome.scores.index or 0))
        assert earlier(known, seed=5) == file  # seeded: the same file again
    # A year's growth in the model: most samples were behind a year earlier, and on average by a few points.
    assert sum(change > 0 for change in changes) >= len(changes) * 2 // 3
    assert 2 < statistics.fmean(changes) < 15


def test_a_plan_skips_the_one_of_a_kind_units_real_data_already_has(registry) -> None:
    questionnaires = newest_bundled(registry)
    plan = Plan(questionnaires, provinces=("Cao Bằng", "Cần Thơ"), entities=1)
    skipped = Plan(
        questionnaires,
        provinces=("Cao Bằng", "Cần Thơ"),
        entities=1,
        skip=frozenset({("provincial_health_department", "Cao Bằng"), ("ministry", "Hà Nội")}),
    )
    types = Counter((e.type, e.province) for e in entities(plan))
    left = Counter((e.type, e.province) for e in entities(skipped))
    assert types - left == Counter({("provincial_health_department", "Cao Bằng"): 1, ("ministry", "Hà Nội"): 1})


def test_demo_campaign_gives_every_sample_peers_and_an_earlier_round(registry) -> None:
    samples = [assess(path, registry=registry) for path in sorted(examples_dir().glob("*.yaml"))]
    files = demo_campaign(registry, samples)
    entries = [load_text(file.text, str(file.path)).data for file in files]
    ids = Counter(entry["entity"]["id"] for entry in entries)
    for outcome in samples:
        response = outcome.validation.response
        assert response is not None
        assert ids[response.entity.id] == 1  # its earlier round
    kinds = Counter(
        (e["entity"]["type"], e["entity"]["province"]) for e in entries if e["entity"]["id"].startswith("SIM")
    )
    assert kinds[("commune_health_station", "Cần Thơ")] == 2 * DEMO_ENTITIES  # two rounds
    assert ("provincial_health_department", "Cao Bằng") not in kinds  # the sample is Cao Bằng's department
    assert ("provincial_health_department", "Cần Thơ") in kinds
    assert not any(kind == "ministry" for kind, _province in kinds)  # the sample is the Ministry
