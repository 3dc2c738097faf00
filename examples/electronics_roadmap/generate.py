"""Write the electronics roadmap example (2026-2030) as CSV files next to this script.

Run ``python examples/electronics_roadmap/generate.py [seed]``; the data come from
:func:`resilient_sc.example_data.electronics_roadmap_frames`, so the same seed gives the same
files (today's network is listed for seed 7, see README.md). No solver is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from resilient_sc.example_data import electronics_roadmap_frames, write_csv_folder

HERE = Path(__file__).resolve().parent


def write(folder: Path = HERE, seed: int = 7) -> list[Path]:
    """Write one ``<table>.csv`` per table into ``folder``; return the paths written."""
    return write_csv_folder(electronics_roadmap_frames(seed), folder)


if __name__ == "__main__":
    for p in write(seed=int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        print(p.relative_to(HERE.parent.parent))
