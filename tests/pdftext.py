"""What a PDF shows, read back with poppler-utils: the text of a page, and every word with its box."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', flags=re.DOTALL)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]

    def outside(self, margin: float = 0.0) -> list[str]:
        """The words past the paper's top or bottom edge, or within ``margin`` points of its sides."""
        return [
            w.text for w in self.words if w.x0 < margin or w.x1 > self.width - margin or w.y0 < 0 or w.y1 > self.height
        ]


def pages(pdf: Path) -> list[Page]:
    """Every page with its size and its words (``pdftotext -bbox``), in points."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for number, (width, height, body) in enumerate(_PAGE.findall(xhtml), 1):
        words = tuple(
            Word(_unescape(text), float(x0), float(y0), float(x1), float(y1))
            for x0, y0, x1, y1, text in _WORD.findall(body)
        )
        found.append(Page(number, float(width), float(height), words))
    return found


def text(pdf: Path, *, first: int = 1, last: int | None = None) -> str:
    """The text of pages ``first`` to ``last`` (default: to the end), in reading layout."""
    args = ["pdftotext", "-layout", "-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def inked_margins(pdf: Path, folder: Path, *, millimetres: float = 8.0) -> list[str]:
    """The pages with ink within ``millimetres`` of the paper's left or right edge.

    pdftotext leaves out what lies beyond the paper, so a box cut at the edge is found only in
    the picture of the page.
    """
    stem = folder / pdf.stem
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(stem)], check=True)
    inked = []
    for image_path in sorted(folder.glob(f"{pdf.stem}-*.png")):
        with Image.open(image_path) as image:
            grey = image.convert("L")
            strip = round(grey.width * millimetres / 210)
            for box in ((0, 0, strip, grey.height), (grey.width - strip, 0, grey.width, grey.height)):
                if grey.crop(box).getextrema()[0] <= 200:
                    inked.append(image_path.name)
                    break
    return inked


def _unescape(raw: str) -> str:
    return raw.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
