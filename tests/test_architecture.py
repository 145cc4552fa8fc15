"""Imports point down only: web -> projections -> tracker; the domain touches no storage or web."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "tracker": {"projections", "web", "starlette", "jinja2", "uvicorn"},
    "projections": {"web", "starlette", "jinja2", "uvicorn"},
    "tracker/domain": {"projections", "web", "starlette", "sqlite3", "psycopg", "eventsourcing.sqlite",
                       "eventsourcing.postgres", "tracker.application", "tracker.storage", "tracker.cli"},
    "tracker/text": {"eventsourcing", "tracker.domain", "tracker.application", "sqlite3", "psycopg"},
}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, offenders
