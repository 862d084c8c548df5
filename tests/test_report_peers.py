"""Ranks among peers, the change since the last assessment, the next stage and the first actions, by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from test_portfolio import Record, Row, row

from dhti.i18n import texts
from dhti.peers import Rank, rank_of, standing, trend
from dhti.report import charts, summary


def test_ranks_are_competition_ranks() -> None:
    assert rank_of(60, [20, 40, 60, 80]) == Rank(2, 5)  # only 80 is above: ties share a rank
    assert rank_of(90, [20, 40]) == Rank(1, 3)
    assert rank_of(10, [20, 40]) == Rank(3, 3)
    assert rank_of(50, []) == Rank(1, 1)


def test_standing_ranks_in_the_province_and_nationally_leaving_the_entity_out() -> None:
    peers = [
        row(2, 70, policy=70, province="Cao Bằng"),
        row(3, 30, policy=30, province="Cao Bằng"),
        row(4, 80, policy=80, province="Hà Nội"),
        row(5, 55, policy=55, province="Hà Nội"),
    ]
    mine = row(1, 99, province="Cao Bằng")  # the entity's own stored assessment: itself, not a peer
    found = standing(entity_id="E1", province="Cao Bằng", index=60, domains={"policy": 40}, peers=[mine, *peers])
    assert found.peers == 4
    assert found.national == Rank(3, 5)  # 70 and 80 are above
    assert (found.provincial, found.provincial_peers) == (Rank(2, 3), 2)  # only 70 in Cao Bằng
    assert found.peer_median == 62.5
    assert found.domains[0].rank == Rank(4, 5)
    assert found.domains[0].peer_median == 62.5
    few = standing(entity_id="E1", province=None, index=60, domains={}, peers=peers[:2])
    assert (few.peer_median, few.provincial) == (None, None)  # a median of two is no reference


def _ranking(found, entity_type: str = "commune_health_station", province: str | None = "Cao Bằng") -> tuple[str, ...]:
    return summary.ranking(found, entity_type=entity_type, province=province, lang="vi", translate=texts("vi")).lines


def test_rank_sentences_name_the_group_in_words() -> None:
    peers = [row(n, 40 + n, province="Cao Bằng" if n < 4 else "Hà Nội") for n in range(2, 8)]
    found = standing(entity_id="E1", province="Cao Bằng", index=60, domains={}, peers=peers)
    assert _ranking(found) == (
        "Hạng 1/3 trạm y tế xã, phường đã đánh giá ở Cao Bằng",
        "Hạng 1/7 trạm y tế xã, phường đã đánh giá trên toàn quốc",
    )
    # A Department of Health is the only one of its province: no provincial rank.
    assert _ranking(found, "provincial_health_department") == ("Hạng 1/7 Sở Y tế đã đánh giá trên toàn quốc",)
    alone = standing(entity_id="E1", province="Lai Châu", index=60, domains={}, peers=peers)
    assert _ranking(alone, province="Lai Châu")[0] == "Chưa có trạm y tế xã, phường nào khác ở Lai Châu được đánh giá."
    nobody = standing(entity_id="E1", province="Cao Bằng", index=60, domains={}, peers=[])
    assert _ranking(nobody) == ("Chưa có dữ liệu so sánh: chưa có trạm y tế xã, phường nào khác được đánh giá.",)
    assert _ranking(nobody, "ministry") == (
        "Không có đơn vị cùng loại để so sánh: Bộ là đơn vị duy nhất thuộc loại này.",
    )


@pytest.mark.parametrize(
    ("before", "sentence"),
    [
        (45.0, "Tăng 4,2 điểm so với lần đánh giá ngày 12/05/2025 (từ 45,0 lên 49,2)."),
        (50.5, "Giảm 1,3 điểm so với lần đánh giá ngày 12/05/2025 (từ 50,5 xuống 49,2)."),
        (49.16, "Không thay đổi so với lần đánh giá ngày 12/05/2025 (vẫn là 49,2 điểm)."),
    ],
)
def test_the_change_says_which_way_the_index_went(before: float, sentence: str) -> None:
    history = [Row(1, Record("E1", before, (), assessment_date=dt.date(2025, 5, 12)))]
    found = trend(history, date=dt.date(2026, 5, 12), index=49.2, stage=3, domains={})
    change = summary.change(found, lang="vi", translate=texts("vi"))
    assert change.sentence == sentence
    assert change.shown == {"Tăng": "+4,2", "Giảm": "−1,3", "Khôn": "±0,0"}[sentence[:4]]


def test_a_first_assessment_says_so() -> None:
    change = summary.change(None, lang="vi", translate=texts("vi"))
    assert (change.shown, change.direction) == ("", "first")
    assert change.sentence.startswith("Đây là lần đánh giá đầu tiên")


def actions(*owners: str) -> list[summary.Action]:
    return [summary.Action(n, owner, "high", "short", 100) for n, owner in enumerate(owners)]


@pytest.mark.parametrize(
    ("owners", "chosen"),
    [
        (("IT", "IT", "IT", "Director", "IT"), (0, 1, 3)),  # one per owner, then the next ones up to three
        (("IT", "Director", "Nurse", "UBND", "Sở", "Head", "IT"), (0, 1, 2, 3, 4)),  # at most five
        (("IT", "IT", "Director", "Nurse", "IT"), (0, 2, 3)),
        (("IT",), (0,)),
        ((), ()),
    ],
)
def test_first_actions_walk_the_roadmap_one_owner_at_a_time(owners: tuple[str, ...], chosen: tuple[int, ...]) -> None:
    assert summary.first_actions(actions(*owners)) == chosen


def test_a_fourth_or_fifth_action_is_taken_only_while_page_one_has_room() -> None:
    many = actions("A", "B", "C", "D", "E")
    assert summary.first_actions(many, room=5 * (100 + summary.ACTION_LINE)) == (0, 1, 2, 3, 4)
    assert summary.first_actions(many, room=4 * (100 + summary.ACTION_LINE)) == (0, 1, 2, 3)
    assert summary.first_actions(many, room=0) == (0, 1, 2)  # three, whatever the room


def test_an_owner_with_more_than_four_high_priority_actions_in_six_months_is_flagged() -> None:
    loads = summary.owner_loads(actions("IT", "IT", "IT", "IT", "IT", "Director"), ["short", "medium", "long"])
    assert [(load.owner, load.by_horizon, load.high_soon) for load in loads] == [
        ("IT", (5, 0, 0), 5),
        ("Director", (1, 0, 0), 1),
    ]
    notes = summary.overload_notes(loads, lang="vi", translate=texts("vi"))
    assert len(notes) == 1
    assert notes[0].startswith("IT phụ trách 5 việc ưu tiên cao trong 6 tháng")


@pytest.mark.parametrize(
    ("values", "axis"),
    [
        ((48.0, 49.5), (40.0, 60.0)),  # two close points: a narrow axis, not 0-100
        ((12.0, 70.0), (0.0, 80.0)),
        ((95.0, 97.0), (80.0, 100.0)),
        ((1.0, 2.0), (0.0, 20.0)),
    ],
)
def test_the_trend_axis_fits_the_values(values: tuple[float, float], axis: tuple[float, float]) -> None:
    assert charts.trend_axis(values) == axis


def test_the_trend_chart_keeps_its_date_labels_inside_and_its_text_large() -> None:
    points = [charts.Point("18/03/2025", 48.0, "48,0", 3), charts.Point("18/03/2026", 49.5, "49,5", 3)]
    svg = charts.trend(points, title="Chỉ số")
    width = float(svg.split('viewBox="0 0 ')[1].split()[0])
    for x, size, label in [(float(a), float(b), c) for a, b, c in _texts(svg)]:
        half = 0.62 * size * len(label) / 2  # DejaVu Sans digits are 0.64 em wide; slashes narrower
        assert half <= x <= width - half, label
        assert size >= 12  # the chart is drawn about a phone's width: 12 px there
    assert ">40</text>" in svg
    assert ">0</text>" not in svg


def _texts(svg: str) -> list[tuple[str, str, str]]:
    import re  # noqa: PLC0415

    return re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" font-size="([\d.]+)"[^>]*>([^<]+)</text>', svg
    )
