"""Machine and version facts recorded with every benchmark result."""

from __future__ import annotations

import datetime
import os
import platform
from importlib.metadata import version


def machine_info() -> dict[str, object]:
    """Platform, cores, Python and package versions, and the date (UTC)."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        **{pkg: version(pkg) for pkg in ("highspy", "numpy", "pandas", "scipy", "pyomo")},
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
