"""Entity reports: the report context rendered through Jinja to HTML, and through WeasyPrint to PDF.

The only module that imports jinja2 and weasyprint, both lazily.  Every value from a response
is untrusted: templates autoescape and fail on undefined names, free text goes through the
``free`` filter (:class:`FreeText`), and the PDF renderer may fetch nothing but the bundled
template folder and ``data:`` URLs.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from dhti import i18n
from dhti.assess import Outcome
from dhti.errors import DhtiError, InputError
from dhti.outfiles import check_target, write_atomic
from dhti.resources import templates_dir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from jinja2 import Environment
    from markupsafe import Markup

    from dhti.peers import Assessed
    from dhti.report.entity import ReportContext
    from dhti.report.portfolio import PortfolioContext
    from dhti.uncertainty import Settings, UnitUncertainty

log = logging.getLogger(__name__)

#: A run of more characters than this without a space gets a break opportunity after each stretch
#: of this many, so that it wraps, and so that WeasyPrint, whose line breaking takes time growing
#: with the square of an unbroken run, lays it out in a moment.
UNBROKEN_RUN = 60
#: The most characters of one text from a response that a PDF shows; the rest is cut, with a note.
PDF_TEXT_LIMIT = 2000
#: The same for a name, an id or a place, which the cover sets large and the running header repeats.
PDF_NAME_LIMIT = 200
CUT_NOTE = i18n.N_("[cut short: the full text (%(count)s characters) is in the response file]")
_RUN = re.compile(rf"\S{{{UNBROKEN_RUN + 1},}}")


class ReportFormat(enum.StrEnum):
    HTML = "html"
    PDF = "pdf"


class ReportError(DhtiError):
    """A report could not be rendered or written."""


_SUFFIXES = {"htm": ReportFormat.HTML, "html": ReportFormat.HTML, "pdf": ReportFormat.PDF}


def format_for(path: Path, requested: str | None) -> ReportFormat:
    """The format asked for, else the one the output file's suffix names (contract 4: the option wins)."""
    if requested:
        return ReportFormat(requested)
    named = _SUFFIXES.get(path.suffix.lower().lstrip("."))
    if named is None:
        msg = f"cannot tell the report format from {path.name!r}: name it .html or .pdf, or give --format"
        raise ReportError(msg)
    return named


@dataclass(frozen=True)
class FreeText:
    """The ``free`` filter, for text a response gives: escaped, breakable anywhere, bounded in a PDF.

    Long unbroken runs get a break opportunity every ``UNBROKEN_RUN`` characters: ``<wbr>`` in
    HTML (copied text stays whole), U+200B in a PDF. A PDF shows at most ``PDF_TEXT_LIMIT``
    characters of a text (``PDF_NAME_LIMIT`` of a name), then an ellipsis and a note; the HTML
    report always shows all of it.
    """

    pdf: bool
    lang: str
    translate: Callable[[str], str]

    def __call__(self, text: str, *, limit: int = PDF_TEXT_LIMIT) -> Markup:
        from markupsafe import Markup, escape  # noqa: PLC0415

        cut = self.pdf and len(text) > limit
        shown = text[: _letter_boundary(text, limit)] if cut else text
        mark = Markup("\u200b" if self.pdf else "<wbr>")  # noqa: S704 - a constant, never response text
        pieces, last = [], 0
        for run in _RUN.finditer(shown):
            pieces += [escape(shown[last : run.start()]), mark.join(escape(part) for part in _stretches(run.group()))]
            last = run.end()
        pieces.append(escape(shown[last:]))
        if cut:
            count = i18n.count(len(text), self.lang)
            pieces.append(escape("… " + self.translate(CUT_NOTE) % {"count": count}))
        return Markup("").join(pieces)

    def name(self, text: str) -> Markup:
        """The ``free_name`` filter: the same, cut at ``PDF_NAME_LIMIT`` in a PDF."""
        return self(text, limit=PDF_NAME_LIMIT)


def _letter_boundary(text: str, index: int) -> int:
    """``index``, moved back so that it does not part a letter from its combining marks."""
    while 0 < index < len(text) and unicodedata.category(text[index]).startswith("M"):
        index -= 1
    return index


def _stretches(run: str) -> Iterator[str]:
    """``run`` in pieces of about ``UNBROKEN_RUN`` characters, each ending between whole letters."""
    start = 0
    while len(run) - start > UNBROKEN_RUN:
        end = _letter_boundary(run, start + UNBROKEN_RUN)
        end = end if end > start else start + UNBROKEN_RUN  # only marks: part them rather than loop
        yield run[start:end]
        start = end
    yield run[start:]


_ENVIRONMENTS: dict[tuple[str, bool], Environment] = {}


def environment(lang: str, *, pdf: bool = False) -> Environment:
    """A strict, autoescaping Jinja environment with the catalogue for ``lang`` installed.

    One per language and medium for the whole process: an environment compiles its templates on
    first use and keeps them, and compiling them took most of an HTML report's time, so a batch
    that made a new environment per report spent most of its report pass compiling.
    """
    if (lang, pdf) not in _ENVIRONMENTS:
        _ENVIRONMENTS[lang, pdf] = _new_environment(lang, pdf=pdf)
    return _ENVIRONMENTS[lang, pdf]


def _new_environment(lang: str, *, pdf: bool) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # noqa: PLC0415

    from dhti.i18n import translations  # noqa: PLC0415

    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    free = FreeText(pdf=pdf, lang=lang, translate=catalogue.gettext)
    env.filters["free"], env.filters["free_name"] = free, free.name
    return env


def context_for(  # noqa: PLR0913 - each is a separate choice of the caller
    outcome: Outcome,
    *,
    lang: str,
    report_date: dt.date | None = None,
    issuer: str | None = None,
    history: Sequence[Assessed] = (),
    peers: Sequence[Assessed] = (),
    uncertainty: tuple[Settings, UnitUncertainty | None] | None = None,
) -> ReportContext:
    """The entity report's context as of ``report_date``, by default today (see ``build_context``)."""
    from dhti.i18n import translations  # noqa: PLC0415
    from dhti.report.entity import build_context  # noqa: PLC0415

    if outcome.scores is None:
        raise InputError(outcome.validation.errors)
    return build_context(
        outcome,
        lang=lang,
        translate=translations(lang).gettext,
        report_date=report_date or dt.date.today(),  # noqa: DTZ011 - the reader's calendar day
        issuer=issuer,
        history=history,
        peers=peers,
        uncertainty=uncertainty,
    )


def render_html(context: ReportContext, *, pdf: bool = False) -> str:
    """The report as one self-contained HTML document (``pdf`` adds print-only rules)."""
    template = environment(context.lang, pdf=pdf).get_template("report.html.j2")
    return template.render(r=context, pdf=pdf)


def render_portfolio_html(context: PortfolioContext, *, pdf: bool = False) -> str:
    """The portfolio report as one self-contained HTML document."""
    template = environment(context.lang, pdf=pdf).get_template("portfolio.html.j2")
    return template.render(p=context, pdf=pdf)


def write_document(
    html_for: Callable[[bool], str], output: Path, *, fmt: ReportFormat, pdfa: bool = True, force: bool = False
) -> Path:
    """Write HTML, or lay it out as PDF, atomically to exactly ``output`` (replacing a file only with ``force``)."""
    check_target(output, force=force)  # before the rendering, which can take a while
    if fmt is ReportFormat.HTML:
        write_atomic(output, html_for(False), force=force)  # noqa: FBT003 - the pdf flag
    else:
        write_atomic(output, render_pdf(html_for(True), pdfa=pdfa), force=force)  # noqa: FBT003
    log.info("wrote %s", output)
    return output


def render_pdf(html: str, *, pdfa: bool = True, fetched: list[str] | None = None) -> bytes:
    """Lay out ``html`` with WeasyPrint; PDF/A-3b unless ``pdfa`` is false.

    ``fetched``, when given, receives every URL the renderer asked for (for tests and audits).
    """
    import weasyprint  # noqa: PLC0415

    fetcher = bundled_only_fetcher(templates_dir(), fetched)
    document = weasyprint.HTML(string=html, base_url=str(templates_dir()) + "/", url_fetcher=fetcher)
    options: dict[str, Any] = {"pdf_variant": "pdf/a-3b"} if pdfa else {}
    try:
        pdf = document.write_pdf(**options)
    except weasyprint.urls.FatalURLFetchingError as err:
        msg = f"the report tried to load a resource from outside the bundled templates: {err}"
        raise ReportError(msg) from err
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf without a target returns bytes
        msg = "WeasyPrint returned no PDF"
        raise ReportError(msg)
    return pdf


def bundled_only_fetcher(root: Path, fetched: list[str] | None = None) -> Any:  # noqa: ANN401 - a weasyprint class
    """A URL fetcher that serves ``data:`` URLs and files under ``root``, and refuses the rest."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: PLC0415

    class BundledOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:  # noqa: ANN401
            if fetched is not None:
                fetched.append(url)
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if not path.is_relative_to(root) or not path.is_file():
                    msg = f"blocked {url}"
                    raise FatalURLFetchingError(msg)
            elif scheme != "data":
                msg = f"blocked {url}"
                raise FatalURLFetchingError(msg)
            return super().fetch(url, headers)

    return BundledOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=5)


def write_report(  # noqa: PLR0913 - each is a separate choice of the caller
    outcome: Outcome,
    output: Path,
    *,
    fmt: ReportFormat,
    lang: str,
    report_date: dt.date | None = None,
    issuer: str | None = None,
    pdfa: bool = True,
    history: Sequence[Assessed] = (),
    peers: Sequence[Assessed] = (),
    force: bool = False,
    uncertainty: tuple[Settings, UnitUncertainty | None] | None = None,
) -> Path:
    """Render one entity's report, as of ``report_date`` (default today), and write it atomically to ``output``.

    ``history`` and ``peers`` (from the store) give the change, the trend and the ranks among
    peers; ``issuer`` names the issuing body on the cover; an existing ``output`` is replaced only
    with ``force``. ``uncertainty`` adds how sure the index is (``report --uncertainty``).
    """
    context = context_for(
        outcome,
        lang=lang,
        report_date=report_date,
        issuer=issuer,
        history=history,
        peers=peers,
        uncertainty=uncertainty,
    )
    return write_document(lambda pdf: render_html(context, pdf=pdf), output, fmt=fmt, pdfa=pdfa, force=force)
