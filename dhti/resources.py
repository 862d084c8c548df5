"""Where the bundled data lives: questionnaires, sample responses, report templates and reference lists."""

from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path:
    """A bundled data folder: inside the installed wheel, else at the top of a source checkout."""
    packaged = Path(__file__).parent / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def bundled_dir() -> Path:
    """The bundled questionnaire definitions."""
    return data_dir("questionnaires")


def superseded_dir(bundled: Path | None = None) -> Path:
    """Bundled questionnaire versions that a newer one replaces: frozen, kept so that stored assessments still read.

    They are not held to ``lint --strict``: changing one would change the scores of what was assessed with it.
    """
    return (bundled or bundled_dir()) / "superseded"


def examples_dir() -> Path:
    """The bundled sample responses."""
    return bundled_dir() / "examples"


def templates_dir() -> Path:
    """The report templates, their stylesheet and the message catalogues (resolved: the PDF fetcher compares paths)."""
    return data_dir("report_templates").resolve()


def reference_dir() -> Path:
    """Reference lists dhti checks input against (Vietnam's provinces)."""
    return data_dir("reference")
