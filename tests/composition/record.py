"""Re-record the golden outputs of the composition differential tests.

Runs @apollo/composition (pinned in tests/oracle) over every case folder, or
the folders named on the command line. Needs `npm ci` in tests/oracle first.

    /work/venv/bin/python tests/composition/record.py [CASE ...]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
NODE_MODULES = HERE.parent / "oracle" / "node_modules"


def record(case: Path) -> None:
    if not NODE_MODULES.is_dir():
        raise SystemExit("run `npm ci` in tests/oracle first")
    subprocess.run(["node", str(HERE / "record.mjs"), str(case)], check=True)
    outcome = "ok" if (case / "expected.graphql").exists() else "errors"
    print(f"{case.name}: {outcome}")


def main(argv: list[str]) -> int:
    names = argv or sorted(p.name for p in CASES.iterdir() if p.is_dir())
    for name in names:
        record(CASES / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
