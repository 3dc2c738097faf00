"""Shared fixtures: paths to the public benchmark data (tests skip cleanly without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ORLIB = SHARED / "orlib"


@pytest.fixture
def orlib_dir() -> Path:
    if not ORLIB.is_dir():
        pytest.skip("../shared/data/orlib is not present")
    return ORLIB
