"""Write the electronics example network as CSV files next to this script.

Run ``python examples/electronics/generate.py [seed]``; the data come from
:func:`resilient_sc.example_data.electronics_frames`, so the same seed gives the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from resilient_sc.example_data import electronics_frames, write_csv_folder

HERE = Path(__file__).resolve().parent


def write(folder: Path = HERE, seed: int = 7) -> list[Path]:
    """Write one ``<table>.csv`` per table into ``folder``; return the paths written."""
    return write_csv_folder(electronics_frames(seed), folder)


if __name__ == "__main__":
    for p in write(seed=int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        print(p.relative_to(HERE.parent.parent))
