#!/usr/bin/env python3
"""Set-up and everyday commands, on a fresh machine with only Python.

    python3 dev.py demo    # build the demo negotiations on SQLite and serve them
    python3 dev.py test    # run the whole test suite

Each makes ./.venv if it is missing and installs the project into it (again whenever
pyproject.toml changes), then runs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_environment() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev: installing the project and its test dependencies", file=sys.stderr)
    subprocess.run([BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    command, *rest = argv or ["help"]
    if command not in {"demo", "test", "tracker"}:
        print(__doc__)
        return 0 if command in {"help", "-h", "--help"} else 2
    ensure_environment()
    if command == "test":
        args = [BIN / "python", "-m", "pytest", *rest]
    elif command == "demo":
        db = os.environ.get("TRACKER_DB", str(ROOT / "demo.sqlite"))
        args = [BIN / "tracker", "--db", db, "demo", *(rest or ["--serve"])]
    else:
        args = [BIN / "tracker", *rest]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
