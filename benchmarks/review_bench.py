"""Time verification: drawing a plan from a campaign's store, making review sheets, recording filled ones.

A Department of Health verifies a tenth of its units or so; what it waits for is the plan drawn
from the whole store, and each sheet made and recorded. In one run, this script

1. simulates a campaign (``dhti simulate``'s generator: ENTITIES units of each facility type in
   each of PROVINCES provinces, two rounds) and stores it in a new SQLite file;
2. draws a plan from it (``review sample``'s job: 10% of each province and type, plus the top
   stage and jumps of 15 points), best of REPEAT;
3. makes the review sheet of a commune station's and of a hospital's latest self-assessment,
   as YAML and as a workbook, and records each filled in (every answer confirmed): wall time of
   each step, best of REPEAT (each recording on a fresh copy of the store, so the same sheet is
   never refused as stored already).

    python benchmarks/review_bench.py [--entities 25] [--provinces 4] [--repeat 3] [--tiny]

``--tiny`` runs every step on two provinces of two units of each type, in seconds, for the tests.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from ruamel.yaml import YAML

from dhti import provinces
from dhti.jobs.ingest import ingest_files
from dhti.jobs.review import apply_sheet, sample_plan, self_assessment, write_sheet
from dhti.jobs.simulate import write_campaign
from dhti.registry import Registry, response_files
from dhti.review_xlsx import letter
from dhti.sampling import Rule, SamplePlan, SampleRules
from dhti.simulate import Plan, newest_bundled
from dhti.store import AssessmentFilter, StoredAssessment, open_store


def best(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def fill_yaml(sheet: Path, out: Path) -> Path:
    yaml = YAML()
    data = yaml.load(sheet.read_text(encoding="utf-8"))
    data["review"]["reviewer"] = "Người kiểm tra (mô phỏng)"
    data["review"]["date"] = "2027-11-20"
    for answer in data["answers"].values():
        if answer["self"] is not None:
            answer["verified"] = answer["self"]
            answer["evidence_checked"] = "yes"
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return out


def fill_xlsx(sheet: Path, out: Path) -> Path:
    workbook = load_workbook(sheet)
    header, answers = workbook.worksheets[0], workbook.worksheets[1]
    for row in header.iter_rows():
        if row[2].value == "reviewer":
            row[1].value = "Người kiểm tra (mô phỏng)"
        elif row[2].value == "date":
            row[1].value = "2027-11-21"
    for number in range(2, answers.max_row + 1):
        answers[f"{letter('verified')}{number}"] = answers[f"{letter('self')}{number}"].value
        answers[f"{letter('evidence_checked')}{number}"] = "yes"
    workbook.save(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=25, help="units of each facility type per province")
    parser.add_argument("--provinces", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    if args.tiny:
        args.entities, args.provinces, args.repeat = 2, 2, 1
    registry = Registry.discover()
    names = tuple(unit.name for unit in provinces.units()[: args.provinces])
    with tempfile.TemporaryDirectory(prefix="dhti-review-bench-") as folder:
        work = Path(folder)
        plan = Plan(newest_bundled(registry), provinces=names, entities=args.entities, rounds=2, seed=1)
        write_campaign(plan, work / "sim")
        files = response_files([work / "sim"])
        db = work / "campaign.sqlite"
        start = time.perf_counter()
        with open_store(db) as store:
            ingest_files(store, files, registry=registry)
        stored = time.perf_counter() - start
        rows = [("store the campaign (once)", f"{len(files)} files", stored)]
        rules = SampleRules(rate=0.1, seed=2027, always=(Rule.TOP_STAGE, Rule.JUMP))
        with open_store(db, create=False) as store:
            drawn: list[SamplePlan] = []
            seconds = best(
                lambda: drawn.append(sample_plan(store, AssessmentFilter(), rules=rules, registry=registry)),
                args.repeat,
            )
            units = sum(stratum.size for stratum in drawn[-1].strata)
            rows.append(("review sample (10% + rules)", f"{len(drawn[-1].chosen)} of {units} units", seconds))
            latest = {a.record.entity_type: a for a in store.latest_per_entity()}
        for kind in ("commune_health_station", "hospital"):
            rows += _sheets(db, latest[kind], registry, work, args.repeat)
    width = max(len(name) for name, _, _ in rows)
    print(f"{'step':<{width}}  {'size':>22}  {'seconds':>8}")
    for name, size, seconds in rows:
        print(f"{name:<{width}}  {size:>22}  {seconds:8.3f}")
    return 0


def _sheets(
    db: Path, stored: StoredAssessment, registry: Registry, work: Path, repeat: int
) -> list[tuple[str, str, float]]:
    rows = []
    record = stored.record
    with open_store(db, create=False) as store:
        assessed = self_assessment(store, stored, registry=registry)
    response = assessed.outcome.validation.response
    count = len(response.answers) if response is not None else 0
    for suffix, fill in ((".yaml", fill_yaml), (".xlsx", fill_xlsx)):
        sheet = work / f"{record.entity_type}{suffix}"
        seconds = best(lambda: write_sheet(assessed, sheet, lang="vi", force=True), repeat)  # noqa: B023 - run at once
        rows.append((f"review init {record.entity_type} {suffix}", f"{count} answers", seconds))
        filled = fill(sheet, work / f"filled-{record.entity_type}{suffix}")
        times = []
        for _ in range(repeat):
            copy = work / "copy.sqlite"
            shutil.copyfile(db, copy)
            with open_store(copy) as store:
                start = time.perf_counter()
                apply_sheet(store, filled, registry=registry, partial=False, lang="vi")
                times.append(time.perf_counter() - start)
            copy.unlink()
        rows.append((f"review apply {record.entity_type} {suffix}", f"{count} answers", min(times)))
    return rows


if __name__ == "__main__":
    sys.exit(main())
