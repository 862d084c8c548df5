"""Time a full facility PDF report against a trivial one-page WeasyPrint document.

Measured twice: warm, in this process after one warm-up each; and cold, as a user runs it — a
new process for each (`dhti report` against a script that imports WeasyPrint and writes the
trivial page). The aim is a full report in at most 4x the cold trivial document.

    python benchmarks/report_bench.py [--sample central-hospital-hanoi] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import weasyprint
from pypdf import PdfReader

from dhti.assess import assess
from dhti.registry import Registry
from dhti.report.render import context_for, render_html, render_pdf
from dhti.resources import examples_dir

DAY = dt.date(2026, 12, 2)  # the report date: fixed, so that overdue flags do not move with the clock
TRIVIAL = "<html lang='vi'><body><h1>Báo cáo</h1><p>Chuyển đổi số y tế.</p></body></html>"


def timed(function: Callable[[], object], repeat: int) -> float:
    function()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="central-hospital-hanoi")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    outcome = assess(examples_dir() / f"{args.sample}.yaml", registry=Registry.discover())
    context = context_for(outcome, lang="vi", report_date=DAY)
    html = render_html(context, pdf=True)

    def full() -> bytes:
        return render_pdf(render_html(context_for(outcome, lang="vi", report_date=DAY), pdf=True))

    def trivial() -> bytes:
        return weasyprint.HTML(string=TRIVIAL).write_pdf()

    pages = len(PdfReader(__import__("io").BytesIO(full())).pages)
    floor = timed(trivial, args.repeat)
    ours = timed(full, args.repeat)
    html_time = timed(lambda: render_html(context_for(outcome, lang="vi", report_date=DAY)), args.repeat)
    print(f"sample             {args.sample} ({pages} pages, {len(html) // 1024} KiB of HTML)")
    print(f"trivial PDF        {floor:.3f} s")
    print(f"full report PDF    {ours:.3f} s  ({ours / pages * 1000:.0f} ms/page)")
    print(f"full report HTML   {html_time:.3f} s")
    print(f"ratio (warm)       {ours / floor:.1f}x the trivial document")
    with tempfile.TemporaryDirectory() as folder:
        sample = examples_dir() / f"{args.sample}.yaml"
        dhti = Path(sys.executable).with_name("dhti")
        cold_floor = timed(
            lambda: _run([sys.executable, "-c", _TRIVIAL_SCRIPT.format(out=f"{folder}/t.pdf")]), args.repeat
        )
        cold = timed(lambda: _run([str(dhti), "report", str(sample), "-o", f"{folder}/r.pdf", "--force"]), args.repeat)
    print(f"cold trivial PDF   {cold_floor:.3f} s  (python -c: import weasyprint, write one page)")
    print(f"cold dhti report   {cold:.3f} s  (the whole command)")
    print(f"ratio (cold)       {cold / cold_floor:.1f}x the trivial document (aim <= 4x)")


_TRIVIAL_SCRIPT = "import weasyprint; weasyprint.HTML(string='<p>Chuyển đổi số y tế</p>').write_pdf('{out}')"


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own interpreter and command


if __name__ == "__main__":
    main()
