"""The registry lists and resolves questionnaires from an index, and parses one only when it is asked for."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dhti import questionnaire as questionnaire_module
from dhti import registry as registry_module
from dhti import yamlio
from dhti.errors import InputError, QuestionnaireNotFoundError
from dhti.registry import INDEX_NAME, Listing, Registry, index_text
from dhti.resources import bundled_dir, examples_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the questionnaire files the registry reads to parse them, in order."""
    names: list[str] = []

    def counting(real):  # wraps yamlio's load and read_bounded alike
        def read(path: str | Path, **kwargs: object):
            names.append(Path(path).name)
            return real(path, **kwargs)

        return read

    monkeypatch.setattr(registry_module, "load", counting(registry_module.load))
    monkeypatch.setattr(registry_module, "read_bounded", counting(registry_module.read_bounded))
    monkeypatch.setattr(questionnaire_module, "load", counting(questionnaire_module.load))
    return names


def test_the_committed_index_describes_the_bundled_files_exactly() -> None:
    committed = (bundled_dir() / INDEX_NAME).read_text(encoding="utf-8")
    assert index_text(bundled_dir()) == committed, "run: python scripts/questionnaire_index.py"


def test_the_index_script_checks_and_writes(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "questionnaire_index.py"
    check = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    folder = tmp_path / "questionnaires"
    shutil.copytree(bundled_dir(), folder, ignore=shutil.ignore_patterns("examples"))
    (folder / INDEX_NAME).write_text("{}\n", encoding="utf-8")
    stale = subprocess.run(
        [sys.executable, str(script), "--check", str(folder)], capture_output=True, text=True, check=False
    )
    assert stale.returncode == 1
    assert INDEX_NAME in stale.stderr
    written = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True, check=False)
    assert written.returncode == 0, written.stderr
    assert (folder / INDEX_NAME).read_text(encoding="utf-8") == (bundled_dir() / INDEX_NAME).read_text(encoding="utf-8")


def test_listing_and_resolving_parse_no_bundled_file(parsed: list[str]) -> None:
    registry = Registry.discover(environ={})
    assert [listing.ref for listing in registry.listings] == [
        "dhti-agency@1.0",
        "dhti-agency@2.0",
        "dhti-clinic@1.0",
        "dhti-facility@1.0",
        "dhti-facility@2.0",
        "dhti-station@1.0",
        "dhti-station@2.0",
    ]
    assert registry.resolve("dhti-station").ref == "dhti-station@2.0"
    assert registry.resolve("dhti-facility@2.0").source == str(bundled_dir() / "dhti-facility.yaml")
    assert registry.resolve("dhti-facility@1.0").source == str(bundled_dir() / "superseded" / "dhti-facility-1.0.yaml")
    assert registry.ids() == ["dhti-agency", "dhti-clinic", "dhti-facility", "dhti-station"]
    assert parsed == []


def test_a_questionnaire_is_parsed_once_when_first_asked_for(parsed: list[str]) -> None:
    registry = Registry.discover(environ={})
    station = registry.get("dhti-station")
    assert parsed == ["dhti-station.yaml"]
    assert registry.get("dhti-station@2.0") is station
    assert station.source == str(bundled_dir() / "dhti-station.yaml")
    assert parsed == ["dhti-station.yaml"]


def test_each_listing_agrees_with_its_parsed_questionnaire() -> None:
    registry = Registry.discover(environ={})
    for listing in registry.listings:
        assert Listing.of(registry.get(listing.ref)) == listing


def test_user_folders_are_still_parsed_at_start_up(parsed: list[str]) -> None:
    registry = Registry.discover(environ={"DHTI_QUESTIONNAIRES": str(DATA)})
    assert parsed == ["mini.yaml"]
    assert registry.resolve("mini").questions == 5
    assert registry.get("mini").source == str(DATA / "mini.yaml")
    assert parsed == ["mini.yaml"]


def test_validating_a_station_response_parses_only_the_station_questionnaire(runner, monkeypatch, parsed) -> None:
    from dhti.cli import main  # noqa: PLC0415

    monkeypatch.delenv("DHTI_QUESTIONNAIRES")
    sample = examples_dir() / "commune-station-urban-can-tho.yaml"
    result = runner.invoke(main, ["validate", str(sample)])
    assert result.exit_code == 0, result.output
    assert parsed == ["dhti-station.yaml"]


def test_the_registry_and_its_listings_cannot_be_changed() -> None:
    registry = Registry.discover(environ={"DHTI_QUESTIONNAIRES": str(DATA)})
    assert isinstance(registry.listings, tuple)
    assert isinstance(registry.skipped, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.override = registry.get("mini")  # type: ignore[misc]
    listing = registry.resolve("mini")
    with pytest.raises(dataclasses.FrozenInstanceError):
        listing.version = "2.0"  # type: ignore[misc]
    with pytest.raises(TypeError):
        listing.title["en"] = "Changed"  # type: ignore[index]
    assert isinstance(listing.entity_types, tuple)


def _bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bundled"
    shutil.copytree(bundled_dir(), folder, ignore=shutil.ignore_patterns("examples"))
    monkeypatch.setattr(registry_module, "bundled_dir", lambda: folder)
    return folder


def test_a_bundled_file_the_index_does_not_describe_is_parsed_at_start_up(tmp_path, monkeypatch, parsed) -> None:
    folder = _bundled_copy(tmp_path, monkeypatch)
    station = folder / "dhti-station.yaml"
    station.write_text(station.read_text(encoding="utf-8").replace('version: "2.0"', 'version: "2.1"', 1))
    registry = Registry.discover(environ={})
    assert parsed == ["dhti-station.yaml"]
    assert registry.resolve("dhti-station").ref == "dhti-station@2.1"
    with pytest.raises(QuestionnaireNotFoundError, match=r"has no version '2\.0' \(known: 1\.0, 2\.1\)"):
        registry.resolve("dhti-station@2.0")


def test_a_broken_bundled_file_the_index_does_not_describe_is_skipped(tmp_path, monkeypatch) -> None:
    folder = _bundled_copy(tmp_path, monkeypatch)
    station = folder / "dhti-station.yaml"
    station.write_text(station.read_text(encoding="utf-8").replace("\ntitle:", "\nbad: 1\ntitle:", 1))
    registry = Registry.discover(environ={})
    assert [listing.ref for listing in registry.listings if listing.id == "dhti-station"] == ["dhti-station@1.0"]
    (skipped,) = registry.skipped
    assert skipped.file == str(station)
    assert "unknown key 'bad'" in str(skipped)


def test_without_an_index_every_bundled_file_is_parsed_at_start_up(tmp_path, monkeypatch, parsed) -> None:
    folder = _bundled_copy(tmp_path, monkeypatch)
    (folder / INDEX_NAME).write_text("not json", encoding="utf-8")
    (folder / "superseded" / INDEX_NAME).write_text("not json", encoding="utf-8")
    registry = Registry.discover(environ={})
    assert parsed == [
        "dhti-agency.yaml",
        "dhti-clinic.yaml",
        "dhti-facility.yaml",
        "dhti-station.yaml",
        "dhti-agency-1.0.yaml",
        "dhti-facility-1.0.yaml",
        "dhti-station-1.0.yaml",
    ]
    assert registry.ids() == ["dhti-agency", "dhti-clinic", "dhti-facility", "dhti-station"]


def test_an_override_replaces_a_listing_of_the_same_ref(tmp_path: Path) -> None:
    mini = (DATA / "mini.yaml").read_text(encoding="utf-8")
    other = tmp_path / "mini-other.yaml"
    other.write_text(mini.replace("Mini questionnaire", "Another mini questionnaire", 1), encoding="utf-8")
    registry = Registry.discover(override=other, environ={"DHTI_QUESTIONNAIRES": str(DATA)})
    assert registry.override is not None
    assert registry.get("mini@1.0") is registry.override
    assert registry.resolve("mini@1.0").source == str(other)
    assert [listing.ref for listing in registry.listings].count("mini@1.0") == 1


def test_a_broken_override_raises(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    with pytest.raises(InputError):
        Registry.discover(override=broken, environ={})


def test_a_bundled_file_the_index_vouches_for_skips_the_nesting_guard(monkeypatch) -> None:
    # Its bytes are those that passed the guard when the index was written; the guard is slow on a large file.
    checked: list[str] = []
    monkeypatch.setattr(yamlio, "_check_depth", lambda _text, file: checked.append(Path(file).name))
    registry = Registry.discover(environ={})
    assert yamlio._might_nest_deeply((bundled_dir() / "dhti-facility.yaml").read_text(encoding="utf-8"))
    assert registry.get("dhti-facility").ref == "dhti-facility@2.0"
    assert checked == []


def test_a_bundled_file_changed_after_start_up_is_guarded_again(tmp_path, monkeypatch) -> None:
    folder = _bundled_copy(tmp_path, monkeypatch)
    registry = Registry.discover(environ={})
    checked: list[str] = []
    monkeypatch.setattr(yamlio, "_check_depth", lambda _text, file: checked.append(Path(file).name))
    facility = folder / "dhti-facility.yaml"
    facility.write_text(facility.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert registry.get("dhti-facility").ref == "dhti-facility@2.0"
    assert checked == ["dhti-facility.yaml"]
