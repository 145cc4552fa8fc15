"""Where the real texts lie (``../shared/data`` beside the repository, or TRACKER_DATA),
and how a test that needs them behaves when they are absent: skip locally, fail in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TRACKER_DATA") or ROOT.parent / "shared" / "data")
MIGRANTS = DATA / "un-ga-protection-of-migrants"
PARIS = DATA / "paris-agreement-2015"
SEED = DATA / "seed" / "A_RES_71_280_es.txt"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_data(path: Path) -> Path:
    if not path.exists():
        if IN_CI:
            pytest.fail(f"real data missing under CI: {path}")
        pytest.skip(f"real data not found: {path}")
    return path


def needs(path: Path) -> pytest.MarkDecorator:
    """As a decorator: skip when ``path`` is absent, but never under CI."""
    return pytest.mark.skipif(not path.exists() and not IN_CI, reason=f"real data not found at {path}")
