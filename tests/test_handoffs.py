"""What one module hands the next is frozen: every attempt to change it is refused."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from dhti.assess import Outcome, assess
from dhti.frozen import FrozenMap
from dhti.questionnaire import DEFAULT_STAGES
from dhti.registry import Registry
from dhti.response import EntitySummary

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questionnaires" / "examples" / "central-hospital-hanoi.yaml"
INVALID = ROOT / "tests" / "data" / "responses" / "mini-problems.yaml"


@pytest.fixture
def outcome(registry: Registry) -> Outcome:
    return assess(SAMPLE, registry=registry)


def test_a_validation_cannot_be_changed(outcome: Outcome) -> None:
    validation = outcome.validation
    with pytest.raises(dataclasses.FrozenInstanceError):
        validation.problems = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        validation.response = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        validation.problems.append(validation.problems[0])  # type: ignore[attr-defined]


def test_an_invalid_files_entity_is_a_frozen_summary_of_what_it_said(registry: Registry) -> None:
    validation = assess(INVALID, registry=registry).validation
    assert validation.response is None
    assert validation.entity == EntitySummary(id="01-TTYT-0002", type="health_centre")
    with pytest.raises(dataclasses.FrozenInstanceError):
        validation.entity.id = "x"  # type: ignore[misc]


def test_scores_cannot_be_changed(outcome: Outcome) -> None:
    scores = outcome.scores
    assert scores is not None
    question_id = next(iter(scores.questions))
    with pytest.raises(TypeError):
        scores.questions[question_id] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        del scores.questions[question_id]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        scores.gdhm["5"] = 5  # type: ignore[index]


def test_answers_cannot_be_changed(outcome: Outcome) -> None:
    response = outcome.validation.response
    assert response is not None
    question_id = next(iter(response.answers))
    with pytest.raises(TypeError):
        response.answers[question_id] = response.answers[question_id]  # type: ignore[index]


def test_a_bundled_questionnaires_texts_cannot_be_edited(outcome: Outcome) -> None:
    questionnaire = outcome.validation.questionnaire
    assert questionnaire is not None
    domain = questionnaire.domains[0]
    indicator = domain.indicators[0]
    question = indicator.questions[0]
    for text in (questionnaire.title, domain.title, indicator.title, question.text, DEFAULT_STAGES[0].label):
        with pytest.raises(TypeError):
            text["en"] = "edited"  # type: ignore[index]
    with pytest.raises(TypeError):
        questionnaire.questions[question.id] = question  # type: ignore[index]
    with pytest.raises(TypeError):
        questionnaire.conditions[question.id] = None  # type: ignore[index]
    assert questionnaire.title == {"en": questionnaire.title["en"], "vi": questionnaire.title["vi"]}


def test_frozen_values_cross_to_worker_processes(outcome: Outcome) -> None:
    # batch --jobs passes values between processes by pickling them.
    assert pickle.loads(pickle.dumps(outcome)) == outcome  # noqa: S301 - our own bytes


def test_a_frozen_map_is_a_read_only_mapping_equal_to_its_dict() -> None:
    ordered, reordered = (
        FrozenMap({"en": "Policy", "vi": "Chính sách"}),
        FrozenMap({"vi": "Chính sách", "en": "Policy"}),
    )
    assert ordered == reordered == {"vi": "Chính sách", "en": "Policy"}
    assert hash(ordered) == hash(reordered)
    assert list(ordered) == ["en", "vi"]  # in the order written
    assert (ordered.get("fr"), ordered.get("fr", "–"), "en" in ordered) == (None, "–", True)
    assert pickle.loads(pickle.dumps(ordered)) == ordered  # noqa: S301 - our own bytes
    with pytest.raises(TypeError):
        ordered.items().mapping["en"] = "edited"  # type: ignore[index]
