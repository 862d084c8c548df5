"""Write the index of the bundled questionnaires (questionnaires/index.json), from which dhti lists them.

python scripts/questionnaire_index.py               # rewrite the index after editing a questionnaire
python scripts/questionnaire_index.py --check       # exit 1 if the index does not match the files
python scripts/questionnaire_index.py [--check] DIR # another folder of questionnaires
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dhti.errors import DhtiError
from dhti.registry import INDEX_NAME, index_text
from dhti.resources import bundled_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=bundled_dir())
    parser.add_argument("--check", action="store_true", help="only compare; write nothing")
    args = parser.parse_args()
    index = args.folder / INDEX_NAME
    try:
        text = index_text(args.folder)
    except DhtiError as err:
        print(err, file=sys.stderr)
        return 1
    current = index.read_text(encoding="utf-8") if index.is_file() else ""
    if args.check:
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
