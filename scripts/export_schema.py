"""Write the JSON Schemas of plan, result and scenarios files to ``docs/schema/``.

Usage::

    uv run python scripts/export_schema.py          # (re)write the files
    uv run python scripts/export_schema.py --check  # exit 1 if they are out of date (CI)

The files are generated, never edited by hand; ``tests/test_io.py`` fails when they differ
from what the models produce.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from solver.io import schema_files  # noqa: E402
from solver.scenarios.spec import scenarios_schema_text  # noqa: E402

SCHEMA_DIR = REPO_ROOT / "docs" / "schema"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the schema files; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report files that are out of date"
    )
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="where the schema files live")
    args = parser.parse_args(argv)
    stale = []
    files = {**schema_files(), "scenarios.schema.json": scenarios_schema_text()}
    for name, text in files.items():
        path: Path = args.dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        for path in stale:
            print(f"out of date: {path} (run scripts/export_schema.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
