"""The bundled questionnaires and samples: counts, both languages, sources, rules, stories."""

from __future__ import annotations

import re

import pytest

from dhti.assess import assess
from dhti.questionnaire import Questionnaire, lint_file, load_questionnaire
from dhti.resources import bundled_dir, examples_dir

BUNDLED = {
    "dhti-facility": ({"hospital", "health_centre"}, 60, None),
    "dhti-agency": ({"provincial_health_department", "ministry"}, 50, None),
    "dhti-station": ({"commune_health_station"}, 20, 30),
    "dhti-clinic": ({"clinic"}, 15, 22),
}
DOMAINS = ["policy", "capacity", "standards", "workforce"]
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]", re.IGNORECASE)


def bundled(questionnaire_id: str) -> Questionnaire:
    return load_questionnaire(bundled_dir() / f"{questionnaire_id}.yaml")


def all_texts(q: Questionnaire) -> list[dict[str, str]]:
    texts = [q.title, *([q.description] if q.description else [])]
    for domain in q.domains:
        texts += [domain.title, *([domain.description] if domain.description else [])]
        for indicator in domain.indicators:
            texts += [indicator.title, *((indicator.stage_text or {}).values())]
            for question in indicator.questions:
                texts += [question.text, *([question.help] if question.help else [])]
                texts += [option.label for option in question.options or ()]
    for rule in q.recommendations:
        texts += [rule.text, *([rule.owner] if rule.owner else [])]
    return texts


@pytest.mark.parametrize("path", sorted(bundled_dir().glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_questionnaires_lint_clean(path) -> None:
    questionnaire, problems = lint_file(path)
    assert questionnaire is not None
    assert problems == []


@pytest.mark.parametrize("questionnaire_id", sorted(BUNDLED))
def test_counts_types_and_domains(questionnaire_id: str) -> None:
    types, minimum, maximum = BUNDLED[questionnaire_id]
    q = bundled(questionnaire_id)
    assert set(q.entity_types) == types
    assert [domain.id for domain in q.domains] == DOMAINS
    for entity_type in types:
        count = q.scored_question_count(entity_type)
        assert count >= minimum
        assert maximum is None or count <= maximum


@pytest.mark.parametrize("questionnaire_id", sorted(BUNDLED))
def test_every_text_in_both_languages(questionnaire_id: str) -> None:
    q = bundled(questionnaire_id)
    for text in all_texts(q):
        assert set(text) == {"en", "vi"}, text
        assert text["en"].strip()
        assert text["vi"].strip()
    vietnamese = [text["vi"] for text in all_texts(q)]
    with_diacritics = sum(1 for text in vietnamese if VIETNAMESE.search(text))
    assert with_diacritics / len(vietnamese) > 0.9  # acronyms alone (HIS, PACS) may lack them


@pytest.mark.parametrize("questionnaire_id", sorted(BUNDLED))
def test_every_indicator_has_sources_stage_text_and_a_rule(questionnaire_id: str) -> None:
    q = bundled(questionnaire_id)
    targets = {rule.when.indicator for rule in q.recommendations}
    for indicator in q.indicators():
        assert indicator.refs, indicator.id
        assert set(indicator.stage_text or {}) == {1, 2, 3, 4, 5}, indicator.id
        assert indicator.id in targets, indicator.id
        for question in indicator.questions:
            assert question.help, question.id
    for rule in q.recommendations:
        assert rule.owner is not None, rule.id


def test_agency_indicators_map_to_gdhm() -> None:
    q = bundled("dhti-agency")
    codes = {indicator.gdhm for indicator in q.indicators() if indicator.gdhm}
    assert len(codes) >= 12


SAMPLES = sorted(examples_dir().glob("*.yaml"))


def test_at_least_ten_samples() -> None:
    assert len(SAMPLES) >= 10


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_validates_cleanly_and_says_what_it_shows(path, registry) -> None:
    outcome = assess(path, registry=registry)
    assert outcome.validation.problems == ()
    assert outcome.scores is not None
    assert outcome.scores.completeness == 1.0
    assert path.read_text(encoding="utf-8").startswith("# ")


def test_samples_tell_different_stories(registry) -> None:
    outcomes = [assess(path, registry=registry) for path in SAMPLES]
    indices = [o.scores.index for o in outcomes if o.scores and o.scores.index is not None]
    assert max(indices) - min(indices) >= 50
    by_type: dict[str, int] = {}
    for outcome in outcomes:
        assert outcome.validation.response is not None
        entity_type = outcome.validation.response.entity.type
        by_type[entity_type] = by_type.get(entity_type, 0) + 1
    assert by_type["hospital"] >= 3
    assert by_type["commune_health_station"] >= 2
    assert by_type["provincial_health_department"] >= 2
    stages = {o.scores.stage.level for o in outcomes if o.scores and o.scores.stage}
    assert len(stages) >= 4


def test_agency_samples_give_a_gdhm_reading(registry) -> None:
    for path in examples_dir().glob("provincial-department-*.yaml"):
        outcome = assess(path, registry=registry)
        assert outcome.scores is not None
        assert len(outcome.scores.gdhm) >= 12
        assert all(1 <= phase <= 5 for phase in outcome.scores.gdhm.values())
