"""Write the index of the bundled questionnaires (questionnaires/index.json), from which dhti lists them.

python scripts/questionnaire_index.py               # rewrite the indexes (questionnaires/ and its superseded/)
python scripts/questionnaire_index.py --check       # exit 1 if an index does not match the files
python scripts/questionnaire_index.py [--check] DIR # another folder of questionnaires
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dhti.errors import DhtiError
from dhti.registry import INDEX_NAME, index_text
from dhti.resources import bundled_dir, superseded_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--check", action="store_true", help="only compare; write nothing")
    args = parser.parse_args()
    folders = [args.folder] if args.folder else [bundled_dir(), superseded_dir()]
    return max(index_folder(folder, check=args.check) for folder in folders)


def index_folder(folder: Path, *, check: bool) -> int:
    index = folder / INDEX_NAME
    try:
        text = index_text(folder)
    except DhtiError as err:
        print(err, file=sys.stderr)
        return 1
    current = index.read_text(encoding="utf-8") if index.is_file() else ""
    if check:
        if current != text:
            print(f"{index} does not match the files beside it: run scripts/questionnaire_index.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        index.write_text(text, encoding="utf-8")
        print(f"wrote {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
