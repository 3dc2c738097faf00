"""Machine facts and result files shared by every benchmark script."""

from __future__ import annotations

import datetime
import math
import os
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

from resilient_sc.io import write_json, write_text


def cpu_model() -> str:
    """The processor's model name (Linux: /proc/cpuinfo), or its architecture elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit() -> str | None:
    """The git commit of the library's and the benchmarks' code the benchmark runs (``+changes``
    when a file of either differs from it or is not committed yet; the results written are not
    code), None outside a git checkout: the version alone (0.1.0 through every tuning round)
    could not tell which code made a result, and an edit of the generator or the textbook side
    made another result under a clean-looking commit (audit)."""
    import subprocess

    import resilient_sc

    root = Path(resilient_sc.__file__).resolve().parents[1]  # the code imported, wherever it lies
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        code = ["resilient_sc", "benchmarks", ":(exclude)benchmarks/results"]
        changed = bool(subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", *code],
                                      capture_output=True, text=True, timeout=10, check=True).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+changes" if changed else "")


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages (None where the system has none: Windows)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def machine_info() -> dict[str, Any]:
    """Platform, processor, cores, load, Python and package versions, the library's commit and the
    date (UTC)."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "load_average": load_average(),
        "python": platform.python_version(),
        **{pkg: version(pkg) for pkg in ("resilient_sc", "highspy", "numpy", "pandas", "scipy", "pyomo",
                                         "openpyxl")},
        "commit": commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(info: dict[str, Any]) -> str:
    """One Markdown line naming where and when a benchmark ran."""
    model = f" ({info['cpu_model']})" if info.get("cpu_model") else ""  # (not in results before 2026-12-06)
    scipy = f" · scipy {info['scipy']}" if info.get("scipy") else ""
    return (f"{info['date']} · {info['platform']} · {info['cpus']} CPUs{model} · "
            f"load {info['load_average']} · Python {info['python']} · resilient_sc {info['resilient_sc']}"
            f"{' (commit ' + info['commit'] + ')' if info.get('commit') else ''} · "
            f"highspy {info['highspy']} · numpy {info['numpy']} · pandas {info['pandas']}{scipy} · "
            f"pyomo {info['pyomo']}{' · openpyxl ' + info['openpyxl'] if info.get('openpyxl') else ''}")


def finite(v: Any) -> Any:
    """``v`` with every non-finite float replaced by None (strict JSON)."""
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [finite(x) for x in v]
    return None if isinstance(v, float) and not math.isfinite(v) else v


def save(out: Path, stem: str, payload: dict[str, Any], text: str) -> None:
    """Write ``<out>/<stem>.json`` (``payload``) and ``<out>/<stem>.md`` (``text``) atomically."""
    write_json(out / f"{stem}.json", finite(payload))
    write_text(out / f"{stem}.md", text)
