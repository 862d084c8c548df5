"""Time validating and scoring N generated responses against the floor of parsing them.

The floor is PyYAML's C loader (``yaml.load(text, Loader=yaml.CSafeLoader)``) reading the same
files.  dhti must also check every answer and score it; the aim is at most 3x the floor.

    python benchmarks/score_bench.py [-n 500] [--questionnaire dhti-facility] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from dhti.assess import assess
from dhti.questionnaire import Question, Questionnaire, QuestionType, applies_to
from dhti.registry import Registry


def answer_for(question: Question, rng: random.Random) -> object:
    kind = question.type
    if question.allow_na and rng.random() < 0.05:
        return "na"
    if kind is QuestionType.CHOICE:
        return rng.choice(question.option_values)
    if kind is QuestionType.MULTI:
        values = list(question.option_values)
        return rng.sample(values, rng.randint(0, len(values)))
    if kind is QuestionType.YES_NO:
        return rng.choice(["yes", "no"])
    if kind is QuestionType.PERCENT:
        return round(rng.uniform(0, 100), 1)
    if kind is QuestionType.NUMBER:
        return rng.randint(0, 40)
    if kind is QuestionType.DATE:
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return "Phần mềm quản lý bệnh viện, phiên bản 5"


def response_text(questionnaire: Questionnaire, number: int, rng: random.Random) -> str:
    entity_type = rng.choice(questionnaire.entity_types)
    answers = {}
    for question in questionnaire.questions.values():
        if applies_to(question, entity_type):
            value = answer_for(question, rng)
            if rng.random() < 0.3:
                value = {"value": value, "evidence": f"Quyết định số {rng.randint(1, 999)}/QĐ-BV"}
            answers[question.id] = value
    document = {
        "questionnaire": questionnaire.ref,
        "entity": {
            "id": f"{number:05d}",
            "name": f"Cơ sở y tế số {number}",
            "type": entity_type,
            "province": "Hà Nội",
        },
        "assessment": {"date": "2026-10-15", "assessor": "Đoàn đánh giá Sở Y tế"},
        "answers": answers,
    }
    return yaml.dump(document, allow_unicode=True, sort_keys=False, Dumper=yaml.CSafeDumper)


def timed(function: object, paths: list[Path], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(paths)  # type: ignore[operator]
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="number of response files")
    parser.add_argument("--questionnaire", default="dhti-facility")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    registry = Registry.discover()
    questionnaire = registry.get(args.questionnaire)
    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number in range(args.n):
            path = Path(folder) / f"r{number:05d}.yaml"
            path.write_text(response_text(questionnaire, number, rng), encoding="utf-8")
            paths.append(path)

        def floor(files: list[Path]) -> None:
            for path in files:
                yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

        def dhti(files: list[Path]) -> None:
            for path in files:
                outcome = assess(path, registry=registry, lenient=True)
                if outcome.scores is None:
                    sys.exit(f"generated file is invalid: {outcome.validation.problems[:3]}")

        size = sum(path.stat().st_size for path in paths) / len(paths)
        base = timed(floor, paths, args.repeat)
        ours = timed(dhti, paths, args.repeat)
    print(f"questionnaire      {questionnaire.ref} ({len(questionnaire.questions)} questions)")
    print(f"files              {args.n} (mean {size / 1024:.1f} KiB)")
    print(f"PyYAML C floor     {base:.3f} s  ({1000 * base / args.n:.2f} ms/file)")
    print(f"dhti validate+score {ours:.3f} s  ({1000 * ours / args.n:.2f} ms/file)")
    print(f"ratio              {ours / base:.2f}x the floor (aim <= 3x)")


if __name__ == "__main__":
    main()
