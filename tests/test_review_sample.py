"""Verification plans: a reproducible stratified sample and the always-check rules, pure and from a store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dhti.sampling import Candidate, Rule, SampleError, SampleRules, draw, quota
from dhti.store import open_store

pytest_plugins = ("conftest_store",)


def _unit(n: int, province: str, kind: str, **rest: object) -> Candidate:
    values: dict[str, object] = {
        "assessment": n,
        "entity_id": f"{province[:2].upper()}-{kind[:2].upper()}-{n:04d}",
        "entity_name": f"Unit {n}",
        "entity_type": kind,
        "province": province,
        "questionnaire": "dhti-facility@2.0",
        "assessment_date": dt.date(2026, 5, 1),
        "index": 50.0,
        "stage": 3,
        "top_stage": 5,
        "previous_index": None,
        "in_breach": False,
    } | rest
    return Candidate(**values)  # type: ignore[arg-type]


def _campaign() -> list[Candidate]:
    units = []
    sizes = {
        ("Cao Bằng", "hospital"): 12,
        ("Cao Bằng", "clinic"): 3,
        ("Cần Thơ", "hospital"): 30,
        ("Cần Thơ", "clinic"): 1,
    }
    for (province, kind), size in sizes.items():
        units += [_unit(len(units) + 1 + k, province, kind) for k in range(size)]
    return units


@pytest.mark.parametrize(
    ("size", "rate", "minimum", "expected"),
    [(30, 0.1, 1, 3), (12, 0.1, 1, 2), (3, 0.1, 1, 1), (1, 0.5, 2, 1), (10, 0, 0, 0), (10, 1, 1, 10), (7, 0.3, 1, 3)],
)
def test_each_stratum_draws_ceil_rate_times_n_at_least_min_at_most_all(
    size: int, rate: float, minimum: int, expected: int
) -> None:
    assert quota(size, rate=rate, minimum=minimum) == expected
    assert expected == min(size, max(minimum, math.ceil(round(rate * size, 9))))


def test_the_same_seed_gives_the_same_plan_and_strata_are_respected() -> None:
    units = _campaign()
    rules = SampleRules(rate=0.1, seed=2026)
    first, again = draw(units, rules), draw(list(reversed(units)), rules)
    assert first == again  # the order the store gives them in does not matter
    other = draw(units, SampleRules(rate=0.1, seed=2027))
    assert {c.candidate.assessment for c in other.chosen} != {c.candidate.assessment for c in first.chosen}
    per_stratum = Counter((c.candidate.province, c.candidate.entity_type) for c in first.chosen)
    assert per_stratum == {
        ("Cao Bằng", "hospital"): 2,
        ("Cao Bằng", "clinic"): 1,
        ("Cần Thơ", "hospital"): 3,
        ("Cần Thơ", "clinic"): 1,
    }
    assert [(s.key, s.size, s.drawn) for s in first.strata] == [
        (("Cao Bằng", "clinic"), 3, 1),
        (("Cao Bằng", "hospital"), 12, 2),
        (("Cần Thơ", "clinic"), 1, 1),
        (("Cần Thơ", "hospital"), 30, 3),
    ]
    reasons = {c.candidate.assessment: c.reasons[0].render("en") for c in first.chosen}
    assert sorted(set(reasons.values())) == [
        "random in stratum Cao Bằng · clinic (1 of 3)",
        "random in stratum Cao Bằng · hospital (2 of 12)",
        "random in stratum Cần Thơ · clinic (1 of 1)",
        "random in stratum Cần Thơ · hospital (3 of 30)",
    ]
    assert all(c.rules == (Rule.RANDOM,) for c in first.chosen)


def test_adding_a_province_does_not_reshuffle_the_others() -> None:
    units = _campaign()
    rules = SampleRules(rate=0.2, seed=7)
    before = draw(units, rules)
    more = units + [_unit(500 + k, "Gia Lai", "hospital") for k in range(9)]
    after = draw(more, rules)
    kept = {c.candidate.assessment for c in after.chosen if c.candidate.province != "Gia Lai"}
    assert kept == {c.candidate.assessment for c in before.chosen}
    assert sum(1 for c in after.chosen if c.candidate.province == "Gia Lai") == 2


def test_strata_by_other_fields_or_none() -> None:
    units = _campaign()
    by_type = draw(units, SampleRules(rate=0.1, seed=1, stratify=("entity_type",)))
    assert [(s.key, s.drawn) for s in by_type.strata] == [(("clinic",), 1), (("hospital",), 5)]
    whole = draw(units, SampleRules(rate=0.1, seed=1, stratify=()))
    assert [(s.key, s.size, s.drawn) for s in whole.strata] == [((), 46, 5)]
    with pytest.raises(SampleError, match=r"cannot stratify by district"):
        draw(units, SampleRules(rate=0.1, seed=1, stratify=("district",)))
    with pytest.raises(SampleError, match=r"between 0 and 1 \(0.1 for 10%\), not 1.5"):
        draw(units, SampleRules(rate=1.5, seed=1))


def test_the_always_rules_add_exactly_the_units_that_meet_them() -> None:
    units = [
        _unit(1, "Cao Bằng", "hospital", stage=5),
        _unit(2, "Cao Bằng", "hospital", stage=4, top_stage=4),  # the top of its questionnaire
        _unit(3, "Cao Bằng", "hospital", index=70.0, previous_index=55.0),  # rose 15 points
        _unit(4, "Cao Bằng", "hospital", index=69.9, previous_index=55.0),  # 14.9: not
        _unit(5, "Cao Bằng", "hospital", in_breach=True),
        _unit(6, "Cao Bằng", "hospital", stage=None, index=None),
        *(_unit(n, "Cao Bằng", "hospital") for n in range(7, 30)),
    ]
    rules = SampleRules(rate=0, seed=1, minimum=0, always=(Rule.BREACH, Rule.TOP_STAGE, Rule.JUMP))
    plan = draw(units, rules)
    found = {c.candidate.assessment: (c.rules, [r.render("en") for r in c.reasons]) for c in plan.chosen}
    assert found == {
        1: ((Rule.TOP_STAGE,), ["claims stage 5, the top stage"]),
        2: ((Rule.TOP_STAGE,), ["claims stage 4, the top stage"]),
        3: ((Rule.JUMP,), ["index rose 15.0 points since the assessment before"]),
        5: ((Rule.BREACH,), ["a legal obligation in breach"]),
    }
    assert plan.random_count == 0
    lower = draw(units, SampleRules(rate=0, seed=1, minimum=0, always=(Rule.JUMP,), jump=10))
    assert sorted(c.candidate.assessment for c in lower.chosen) == [3, 4]
    # A unit drawn at random and meeting a rule is listed once, with both reasons.
    both = draw(units[:1], SampleRules(rate=1, seed=1, always=(Rule.TOP_STAGE,)))
    assert [c.rules for c in both.chosen] == [(Rule.RANDOM, Rule.TOP_STAGE)]


@pytest.fixture
def campaign(dhti, store_url: str, tmp_path: Path) -> str:
    """A simulated campaign of two provinces, three units of each facility type, two rounds, in the store."""
    folder = tmp_path / "sim"
    assert dhti("simulate", "-o", folder, "--entities", "3", "--rounds", "2", "--seed", "3").exit_code == 0
    result = dhti("db", "ingest", folder, db=store_url)
    assert result.exit_code == 0, result.output
    return store_url


def test_a_plan_from_the_store_as_csv_and_yaml(dhti, campaign: str, tmp_path: Path) -> None:
    args = ("review", "sample", "--rate", "0.34", "--seed", "11", "--always-if", "top-stage", "--always-if", "jump")
    result = dhti(*args, "-o", tmp_path / "plan.csv", db=campaign)
    assert result.exit_code == 0, result.output
    assert dhti(*args, "-o", tmp_path / "again.csv", db=campaign).exit_code == 0
    text = (tmp_path / "plan.csv").read_text(encoding="utf-8")
    assert text == (tmp_path / "again.csv").read_text(encoding="utf-8")  # the same seed, the same plan
    rows = list(csv.DictReader(io.StringIO(text)))
    with open_store(campaign, create=False) as store:
        latest = {a.id: a for a, _before in store.latest_and_previous()}
        previous = {a.id: before for a, before in store.latest_and_previous()}
    assert {int(row["assessment"]) for row in rows} <= set(latest)
    # Per stratum, ceil(0.34 x n) at random: 3 units of each type and one Department per province.
    random_rows = Counter((row["province"], row["entity_type"]) for row in rows if "random" in row["rules"].split(";"))
    strata = Counter((a.record.province, a.record.entity_type) for a in latest.values())
    assert random_rows == {key: quota(size, rate=0.34, minimum=1) for key, size in strata.items()}
    tops = {a.id for a in latest.values() if a.record.stage == 5}
    jumps = {
        a.id
        for a in latest.values()
        if previous[a.id] is not None
        and a.record.index is not None
        and previous[a.id].index is not None
        and a.record.index - previous[a.id].index >= 15
    }
    assert {int(r["assessment"]) for r in rows if "top-stage" in r["rules"]} == tops
    assert {int(r["assessment"]) for r in rows if "jump" in r["rules"]} == jumps
    assert all(row["reason"] for row in rows)
    assert "wrote" in result.stderr
    assert f"of {len(latest)} units to verify" in result.stderr
    yaml_result = dhti(*args, "-o", tmp_path / "plan.yaml", "--lang", "vi", db=campaign)
    assert yaml_result.exit_code == 0
    plan = YAML(typ="safe").load((tmp_path / "plan.yaml").read_text(encoding="utf-8"))
    assert (plan["seed"], plan["rate"]) == (11, 0.34)
    assert [unit["assessment"] for unit in plan["units"]] == [int(row["assessment"]) for row in rows]
    assert plan["units"][0]["reason"].startswith("chọn ngẫu nhiên trong nhóm")
    assert sum(s["drawn"] for s in plan["strata"]) == sum(random_rows.values())


def test_a_plan_filtered_like_aggregate(dhti, campaign: str, tmp_path: Path) -> None:
    result = dhti(
        "review",
        "sample",
        "--rate",
        "0.5",
        "--seed",
        "1",
        "--province",
        "cao bang",
        "--type",
        "hospital",
        "-o",
        tmp_path / "plan.csv",
        db=campaign,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "plan.csv").read_text(encoding="utf-8"))))
    assert {(row["province"], row["entity_type"]) for row in rows} == {("Cao Bằng", "hospital")}
    assert len(rows) == 2  # ceil(0.5 x 3)
    refused = dhti("review", "sample", "--rate", "0.5", "--seed", "1", "-o", tmp_path / "plan.txt", db=campaign)
    assert refused.exit_code == 2
    assert "the plan is written as .csv or .yaml" in refused.output
    exists = dhti("review", "sample", "--rate", "0.5", "--seed", "1", "-o", tmp_path / "plan.csv", db=campaign)
    assert exists.exit_code == 1
    assert "--force" in exists.stderr
    nothing = dhti(
        "review", "sample", "--rate", "0.5", "--seed", "1", "--province", "Huế", "-o", tmp_path / "p.csv", db=campaign
    )
    assert nothing.exit_code == 1
    assert "holds no self-assessment to sample from" in nothing.stderr
