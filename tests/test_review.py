"""Review sheets in YAML, as a reviewer uses them: init, fill in, apply; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dhti.assess import assess, assess_bytes
from dhti.registry import Registry
from dhti.store import content_hash, open_store
from dhti.store import models as m

pytest_plugins = ("conftest_store",)

STORE_DATA = Path(__file__).parent / "data" / "store"
HOSPITAL = STORE_DATA / "hospital-2026.yaml"
ROOT = Path(__file__).resolve().parent.parent
SCORED = ("policy.strategy.plan", "policy.strategy.budget", "capacity.systems.in_use", "capacity.systems.pacs_share")
SCORED += ("capacity.systems.staff",)


@pytest.fixture
def stored(dhti, store_url: str) -> str:
    """A store with the hospital's 2025 and 2026 self-assessments (#1, #2) and the health centre's (#3)."""
    names = ("hospital-2025.yaml", "hospital-2026.yaml", "centre-2026.yaml")
    result = dhti("db", "ingest", *(STORE_DATA / name for name in names), db=store_url)
    assert result.exit_code == 0, result.output
    return store_url


def fill(sheet: Path, out: Path, *, corrections: dict[str, object] | None = None, **header: object) -> Path:
    """A reviewer's work on a YAML sheet: every answer confirmed, ``corrections`` corrected, header filled in."""
    yaml = YAML()
    data = yaml.load(sheet.read_text(encoding="utf-8"))
    data["review"]["reviewer"] = "Lê Văn Tâm, Sở Y tế Hà Nội"
    data["review"]["date"] = "2026-11-20"
    for key, value in header.items():
        data["review"][key] = value
    for answer in data["answers"].values():
        if answer["self"] is not None:
            answer["verified"] = answer["self"]
            answer["evidence_checked"] = "yes"
    for question, value in (corrections or {}).items():
        data["answers"][question]["verified"] = value
        data["answers"][question]["note"] = f"corrected {question}"
        data["answers"][question]["evidence_checked"] = "no"
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return out


def test_the_sheet_shows_every_answer_with_its_options_and_never_their_points(
    dhti, stored: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "review.yaml"
    result = dhti("review", "init", "01-BV-0001", "-o", sheet, db=stored)
    assert result.exit_code == 0, result.output
    assert f"wrote {sheet}" in result.stderr
    assert f"wrote {tmp_path / 'review.schema.json'}" in result.stderr
    text = sheet.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=review.schema.json\n")
    data = YAML(typ="safe").load(text)
    assert data["review"] == {
        "assessment": 2,  # the entity's latest self-assessment
        "entity": "01-BV-0001",
        "questionnaire": "mini@1.0",
        "assessment_date": "2026-10-15",
        "self_hash": content_hash(HOSPITAL.read_bytes()),
        "reviewer": None,
        "date": None,
    }
    # Every answer, and the optional questions asked and left unanswered (vendor, audit).
    assert list(data["answers"]) == [
        *SCORED[:4],
        "capacity.systems.staff",
        "capacity.systems.vendor",
        "capacity.systems.audit",
    ]
    plan = data["answers"]["policy.strategy.plan"]
    assert plan == {
        "self": "approved",
        "evidence": "Quyết định số 12/QĐ-BV",
        "verified": None,
        "evidence_checked": None,
        "note": None,
    }
    assert data["answers"]["capacity.systems.in_use"]["self"] == ["his", "lis", "pacs"]
    assert data["answers"]["capacity.systems.vendor"]["self"] is None
    assert "#       approved = Approved\n" in text
    assert "point" not in text
    schema = json.loads((tmp_path / "review.schema.json").read_text(encoding="utf-8"))
    verified = schema["properties"]["answers"]["properties"]["policy.strategy.plan"]["properties"]["verified"]
    assert {"enum": ["none", "draft", "approved"]} in verified["anyOf"]


def test_the_sheet_speaks_vietnamese(dhti, stored: str, tmp_path: Path) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, "--lang", "vi", db=stored).exit_code == 0
    text = sheet.read_text(encoding="utf-8")
    assert "Phiếu kiểm tra" in text
    assert "#       approved = Đã phê duyệt\n" in text
    assert "người kiểm tra" in text


def _answers(raw: bytes, registry: Registry) -> dict[str, object]:
    outcome = assess_bytes(raw, file="x.yaml", registry=registry)
    assert outcome.validation.response is not None, outcome.validation.problems
    return dict(outcome.validation.response.answers)


def test_applying_a_sheet_stores_a_verified_assessment_beside_the_self_one(
    dhti, stored: str, tmp_path: Path, registry: Registry
) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "01-BV-0001", "-o", sheet, db=stored).exit_code == 0
    corrections = {"capacity.systems.staff": 2, "capacity.systems.in_use": ["his", "lis"]}
    filled = fill(sheet, tmp_path / "filled.yaml", corrections=corrections)
    with open_store(stored, create=False) as store:
        self_before = store.get(2)
    result = dhti("review", "apply", filled, db=stored)
    assert result.exit_code == 0, result.output
    with open_store(stored, create=False) as store:
        review = store.review_of(2)
        assert review is not None
        verified = store.get(review.verified_id)
        verified_raw = store.response_bytes(review.verified_id)
        assert store.get(2) == self_before  # the self-assessment and its bytes as they were
        assert store.response_bytes(2) == HOSPITAL.read_bytes()
        assert store.review_sheet(review.id) == filled.read_bytes()
        assert store.assessments(entity_id="01-BV-0001") == [store.get(1), self_before]  # reads as before
    assert (verified.status, verified.verifies) == ("verified", 2)
    assert (review.reviewer, review.review_date.isoformat()) == ("Lê Văn Tâm, Sở Y tế Hà Nội", "2026-11-20")
    # The verified response differs from the self one in exactly the corrected answers.
    before, after = _answers(HOSPITAL.read_bytes(), registry), _answers(verified_raw, registry)
    assert {q for q in before.keys() | after.keys() if before.get(q) != after.get(q)} == set(corrections)
    assert after["capacity.systems.staff"].value == 2
    assert after["policy.strategy.plan"].evidence == "Quyết định số 12/QĐ-BV"  # evidence kept
    # Its score is what `dhti score` gives the verified response.
    (tmp_path / "verified.yaml").write_bytes(verified_raw)
    scored = json.loads(dhti("score", tmp_path / "verified.yaml", "--format", "json").stdout)[0]
    assert verified.record.index == scored["index"]
    expected = assess(tmp_path / "verified.yaml", registry=registry).scores
    assert expected is not None
    assert verified.record.index == expected.index
    assert result.stdout == (
        f"Verified 01-BV-0001: {self_before.record.index:.1f} → {verified.record.index:.1f}"
        " (2 of 5 answers corrected)\n"
    )
    # Every answer of the sheet is kept, the confirmed ones too; the unanswered optional ones unchecked.
    assert [(a.question, a.changed) for a in review.answers] == [
        *((q, q in corrections) for q in SCORED),
        ("capacity.systems.vendor", False),
        ("capacity.systems.audit", False),
    ]
    staff = next(a for a in review.answers if a.question == "capacity.systems.staff")
    assert (staff.self_value, staff.verified_value, staff.evidence_checked, staff.note) == (
        "6",
        "2",
        "no",
        "corrected capacity.systems.staff",
    )
    in_use = next(a for a in review.answers if a.question == "capacity.systems.in_use")
    assert (json.loads(in_use.self_value), json.loads(in_use.verified_value)) == (
        ["his", "lis", "pacs"],
        ["his", "lis"],
    )
    vendor = next(a for a in review.answers if a.question == "capacity.systems.vendor")
    assert (vendor.self_value, vendor.verified_value) == (None, None)


def test_a_confirmed_multi_in_another_order_is_not_a_correction(dhti, stored: str, tmp_path: Path) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    filled = fill(sheet, tmp_path / "filled.yaml", corrections={"capacity.systems.in_use": ["pacs", "his", "lis"]})
    result = dhti("review", "apply", filled, db=stored)
    assert result.exit_code == 0, result.output
    assert "(0 of 5 answers corrected)" in result.stdout
    with open_store(stored, create=False) as store:
        review = store.review_of(2)
        assert review is not None
        assert review.changed == ()
        assert store.get(review.verified_id).record.index == store.get(2).record.index


def _line_of(path: Path, marker: str) -> tuple[int, int]:
    """1-based line and column of the value ``marker`` in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in line:
            return number, line.index(marker) + 1
    raise AssertionError(marker)


def _totals(store_url: str) -> tuple[int, int]:
    with open_store(store_url, create=False) as store:
        return store.count(status=None), len(store.reviews())


def test_every_problem_of_a_sheet_is_reported_at_its_line_and_column_and_nothing_is_stored(
    dhti, stored: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    yaml = YAML()
    data = yaml.load(sheet.read_text(encoding="utf-8"))
    fill(sheet, sheet, corrections={"policy.strategy.plan": "finished", "capacity.systems.staff": "many"})
    data = yaml.load(sheet.read_text(encoding="utf-8"))
    data["review"]["reviewer"] = None
    data["review"]["date"] = "20/11/2026"
    data["answers"]["policy.strategy.budget"]["self"] = "no"
    data["answers"]["capacity.systems.in_use"]["verified"] = None
    data["answers"]["capacity.systems.pacs_share"]["evidence_checked"] = "maybe"
    data["answers"]["policy.strategy.plann"] = {"verified": "approved"}
    data["answers"]["capacity.systems.vendor"]["note"] = ["a", "list"]
    with sheet.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    before = _totals(stored)
    result = dhti("review", "apply", sheet, db=stored)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    expected = [
        ("reviewer:", "reviewer: required; write who checked (name, unit)"),
        ("date: 20/11/2026", "date: expected a date such as 2026-11-20, not '20/11/2026'"),
        ("finished", "policy.strategy.plan: verified: 'finished' is not one of the options (none, draft, approved)"),
        ("self: no", 'policy.strategy.budget: the self-assessed value was changed (it is "yes")'),
        ("maybe", "capacity.systems.pacs_share: evidence_checked is yes, no or missing, not 'maybe'"),
        ("many", "capacity.systems.staff: verified: expected a number, not 'many'"),
        ("policy.strategy.plann:", "unknown question id 'policy.strategy.plann': not in mini@1.0; did you mean"),
    ]
    for marker, message in expected:
        line, column = _line_of(sheet, marker)
        if marker.endswith(":") or marker.startswith(("date", "self")):
            column = _value_column(sheet, line, marker)
        found = [text for text in lines if text.startswith(f"{sheet}:{line}:")]
        assert any(message in text for text in found), (marker, found, lines)
        assert any(text.startswith(f"{sheet}:{line}:{column}: error: ") for text in found), (marker, column, found)
    unchecked = _line_of(sheet, "capacity.systems.in_use:")[0]
    assert any(
        text.startswith(f"{sheet}:{unchecked + 1}:") and "capacity.systems.in_use is not checked" in text
        for text in lines
    ) or any("capacity.systems.in_use is not checked" in text for text in lines)
    assert any(text.endswith("error: capacity.systems.vendor: note: expected text") for text in lines)
    assert _totals(stored) == before


def _value_column(path: Path, line: int, marker: str) -> int:
    """The column a problem about ``marker``'s line points at: its value, or its key for an unknown key."""
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    if marker == "policy.strategy.plann:":
        return text.index("policy") + 1
    if marker == "reviewer:":
        after = text.index("reviewer:") + len("reviewer:")
        rest = text[after:]
        return after + len(rest) - len(rest.lstrip()) + 1 if rest.strip() else text.index("reviewer") + 1
    key = marker.split(":", maxsplit=1)[0] + ":"
    after = text.index(key) + len(key)
    return after + len(text[after:]) - len(text[after:].lstrip()) + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"assessment": 99}, r"review\.yaml:\d+:\d+: error: the store .* has no assessment #99"),
        ({"self_hash": "0" * 64}, r"self-assessment #2 is no longer the one this sheet was made from"),
        ({"entity": "01-BV-9999"}, r"entity was changed to '01-BV-9999'; the self-assessment has '01-BV-0001'"),
        ({"date": "2026-01-01"}, r"the review \(2026-01-01\) cannot be before the self-assessment it checks"),
        ({"assessment": 3}, r"self-assessment #3 is no longer the one this sheet was made from"),
    ],
)
def test_a_sheet_for_another_or_a_changed_assessment_is_refused(
    dhti, stored: str, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    fill(sheet, sheet, **change)
    before = _totals(stored)
    result = dhti("review", "apply", sheet, db=stored)
    assert result.exit_code == 1
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.output
    assert _totals(stored) == before


def test_unchecked_answers_are_refused_unless_partial(dhti, stored: str, tmp_path: Path) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    yaml = YAML()
    fill(sheet, sheet, corrections={"capacity.systems.staff": 3})
    data = yaml.load(sheet.read_text(encoding="utf-8"))
    data["answers"]["policy.strategy.budget"]["verified"] = None
    del data["answers"]["capacity.systems.pacs_share"]  # a row removed is not checked either
    with sheet.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    refused = dhti("review", "apply", sheet, db=stored)
    assert refused.exit_code == 1
    assert "policy.strategy.budget is not checked" in refused.stderr
    assert "capacity.systems.pacs_share is not checked" in refused.stderr
    assert _totals(stored)[1] == 0
    accepted = dhti("review", "apply", sheet, "--partial", db=stored)
    assert accepted.exit_code == 0, accepted.output
    assert "(1 of 3 answers corrected)" in accepted.stdout
    with open_store(stored, create=False) as store:
        review = store.review_of(2)
        assert review is not None
        unchecked = [a.question for a in review.answers if a.verified_value is None and a.self_value is not None]
        assert unchecked == ["policy.strategy.budget", "capacity.systems.pacs_share"]
        assert [a.question for a in review.changed] == ["capacity.systems.staff"]


def test_a_verified_assessment_cannot_be_reviewed_and_a_review_is_stored_once(
    dhti, stored: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    filled = fill(sheet, tmp_path / "filled.yaml")
    assert dhti("review", "apply", filled, db=stored).exit_code == 0
    again = dhti("review", "apply", filled, db=stored)
    assert again.exit_code == 1
    assert "this review is stored already" in again.stderr
    verified = dhti("review", "init", "#4", "-o", tmp_path / "v.yaml", db=stored)
    assert verified.exit_code == 1
    assert "assessment #4 is a verified assessment; review the self-assessment it verifies (#2)" in verified.stderr
    # The entity's latest self-assessment is still #2: the verified one does not stand in for it.
    assert dhti("review", "init", "01-BV-0001", "-o", tmp_path / "again.yaml", db=stored).exit_code == 0
    assert "assessment: 2 " in (tmp_path / "again.yaml").read_text(encoding="utf-8")


def test_refusals_name_the_file_and_never_crash(dhti, stored: str, tmp_path: Path) -> None:
    cases = {
        "list.yaml": ("- a\n- b\n", "list.yaml:1:1: error: a review sheet must be a mapping"),
        "broken.yaml": ("review: [\n", "broken.yaml:2:1: error:"),
        "empty.yaml": ("review: {}\nanswers: {}\n", "empty.yaml:1:9: error: assessment: expected the number"),
        "sheet.txt": ("x", "a review sheet is a .yaml or an .xlsx file, not sheet.txt"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = dhti("review", "apply", path, db=stored)
        assert result.exit_code == 1, name
        assert message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.output
    missing = dhti("review", "apply", tmp_path / "list.yaml", db=str(tmp_path / "none.sqlite"))
    assert missing.exit_code == 1
    assert "does not exist yet" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()
    unknown = dhti("review", "init", "01-BV-9999", "-o", tmp_path / "u.yaml", db=stored)
    assert unknown.exit_code == 1
    assert "no assessment of entity '01-BV-9999'" in unknown.stderr
    exists = dhti("review", "init", "#2", "-o", tmp_path / "list.yaml", db=stored)
    assert exists.exit_code == 1
    assert "exists already; use --force" in exists.stderr


def test_a_store_at_0002_says_how_to_upgrade_to_a_reading_command(dhti, tmp_path: Path) -> None:
    import sqlalchemy as sa  # noqa: PLC0415
    from alembic import command  # noqa: PLC0415

    from dhti.store.connect import migrations_config  # noqa: PLC0415

    path = tmp_path / "old.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = migrations_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    engine.dispose()
    for args in (
        ("review", "init", "#1", "-o", tmp_path / "r.yaml"),
        ("review", "sample", "--rate", "0.1", "--seed", "1", "-o", tmp_path / "p.csv"),
    ):
        result = dhti(*args, db=str(path))
        assert result.exit_code == 1
        assert f"schema revision '0002', this dhti reads '{m.SCHEMA_REVISION}'" in result.stderr
        assert "dhti db ingest FILE --db" in result.stderr


def test_two_reviewers_applying_at_once_both_land(dhti, stored: str, tmp_path: Path) -> None:
    """Two `dhti review apply` processes at once, of two sheets for two self-assessments: both stored."""
    sheets = []
    for number, entity in ((2, "hospital"), (3, "centre")):
        sheet = tmp_path / f"{entity}.yaml"
        assert dhti("review", "init", f"#{number}", "-o", sheet, db=stored).exit_code == 0
        sheets.append(fill(sheet, tmp_path / f"{entity}-filled.yaml"))
    env = {**os.environ, "DHTI_DB": stored, "DHTI_LANG": "en", "PYTHONPATH": str(ROOT)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "dhti", "review", "apply", str(sheet)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sheet in sheets
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], outputs
    with open_store(stored, create=False) as store:
        assert sorted(review.self_id for review in store.reviews()) == [2, 3]
        assert store.count(status="verified") == 2


def test_a_correction_that_opens_a_question_needs_its_answer_and_a_closed_one_takes_none(
    dhti, stored: str, tmp_path: Path
) -> None:
    """The centre said it has no plan, so it was not asked about a budget; the sheet lists the question all the same."""
    sheet = tmp_path / "centre.yaml"
    assert dhti("review", "init", "#3", "-o", sheet, db=stored).exit_code == 0
    text = sheet.read_text(encoding="utf-8")
    assert "policy.strategy.budget:\n    self: ~" in text
    assert "not asked given the unit's answers" in text
    opened = fill(sheet, tmp_path / "opened.yaml", corrections={"policy.strategy.plan": "draft"})
    result = dhti("review", "apply", opened, db=stored)
    assert result.exit_code == 1
    verified = _verified_line(opened, "policy.strategy.budget")
    assert (
        f"{opened}:{verified}:15: error: the verified response: required question policy.strategy.budget is unanswered"
        in result.stderr
    )
    answered = fill(
        sheet, tmp_path / "answered.yaml", corrections={"policy.strategy.plan": "draft", "policy.strategy.budget": "no"}
    )
    done = dhti("review", "apply", answered, db=stored)
    assert done.exit_code == 0, done.output
    assert "(2 of 4 answers corrected)" in done.stdout
    closed = fill(sheet, tmp_path / "closed.yaml", corrections={"policy.strategy.budget": "yes"}, date="2026-11-21")
    refused = dhti("review", "apply", closed, db=stored)
    assert refused.exit_code == 1
    budget = _verified_line(closed, "policy.strategy.budget")
    assert (
        f"{closed}:{budget}:15: error: policy.strategy.budget is not asked given the verified answers" in refused.stderr
    )


def _verified_line(path: Path, question: str) -> int:
    """The line of ``verified:`` in a question's entry of a YAML sheet."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip() == f"{question}:")
    return next(n for n in range(start, len(lines)) if lines[n].strip().startswith("verified:")) + 1


def test_the_schema_beside_a_yaml_sheet_checks_what_the_reviewer_types(dhti, stored: str, tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator  # noqa: PLC0415

    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    schema = json.loads((tmp_path / "review.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    safe = YAML(typ="safe")
    blank = safe.load(sheet.read_text(encoding="utf-8"))
    assert {error.json_path for error in validator.iter_errors(blank)} == {"$.review.reviewer", "$.review.date"}
    good = fill(sheet, tmp_path / "good.yaml", corrections={"capacity.systems.staff": 3})
    assert list(validator.iter_errors(safe.load(good.read_text(encoding="utf-8")))) == []
    bad = fill(
        sheet,
        tmp_path / "bad.yaml",
        corrections={"policy.strategy.plan": "finished", "capacity.systems.pacs_share": 120},
    )
    paths = {error.json_path for error in validator.iter_errors(safe.load(bad.read_text(encoding="utf-8")))}
    assert paths == {"$.answers['policy.strategy.plan'].verified", "$.answers['capacity.systems.pacs_share'].verified"}


def test_the_same_sheet_applied_twice_at_once_is_stored_once(dhti, stored: str, tmp_path: Path) -> None:
    sheet = tmp_path / "review.yaml"
    assert dhti("review", "init", "#2", "-o", sheet, db=stored).exit_code == 0
    filled = fill(sheet, tmp_path / "filled.yaml", corrections={"capacity.systems.staff": 1})
    env = {**os.environ, "DHTI_DB": stored, "DHTI_LANG": "en", "PYTHONPATH": str(ROOT)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "dhti", "review", "apply", str(filled)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert sorted(racer.returncode for racer in racers) == [0, 1], outputs
    [refused] = [err for racer, (_out, err) in zip(racers, outputs, strict=True) if racer.returncode == 1]
    assert "this review is stored already" in refused
    assert "Traceback" not in refused
    with open_store(stored, create=False) as store:
        assert len(store.reviews()) == 1
        assert store.count(status="verified") == 1
