"""The lowest versions pyproject.toml allows, as pins for pip: each ``name>=x`` of the project's
dependencies and of its ``test`` extra as ``name==x`` (CI runs the tests on them: the floors
declared are the floors tested)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
pins = []
for requirement in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
    found = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)\s*", requirement)
    if found is None:
        sys.exit(f"{requirement!r}: not 'name>=version'; give every dependency a floor")
    pins.append(f"{found[1]}=={found[2]}")
print(" ".join(pins))
