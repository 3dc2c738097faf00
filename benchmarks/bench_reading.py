"""Reading a planner's workbook: time and memory against the rows its sheets hold.

    python benchmarks/bench_reading.py [--quick] [--out benchmarks/results]

The bundled electronics network is written as a workbook (``write_excel``), then its demand
sheet is given the empty rows Excel saves for a range formatted by hand down to the last row
of a sheet (``<row r=".." spans="1:4" s="3" customFormat="1" ht="15" customHeight="1"/>``, rows
68 to 1,048,576; ``--quick``: 100,000 rows), and, as a second case, the same rows hidden (a
filter). Each workbook is read by ``read_network`` in a fresh process: wall seconds and the peak
RSS of that process (imports included; the clean workbook's row is the reference). Writes
``reading.json`` and ``reading.md``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import resource
import tempfile
import time
import zipfile
from pathlib import Path

from machine import machine_info, machine_line, save

from resilient_sc import examples, read_network
from resilient_sc.io import write_excel

#: the last row of a worksheet (Excel's limit)
LAST_ROW = 1_048_576
#: the attributes Excel writes for an empty row formatted by hand, and for one hidden as well
FORMATTED = 'spans="1:4" s="3" customFormat="1" ht="15" customHeight="1"'
HIDDEN = FORMATTED + ' hidden="1"'


def with_blank_rows(clean: Path, out: Path, rows: int, attributes: str) -> Path:
    """``clean`` with ``rows`` empty rows of ``attributes`` after the demand sheet's data."""
    with zipfile.ZipFile(clean) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    listing = parts["xl/workbook.xml"].decode()
    position = [m.group(1) for m in re.finditer(r'<sheet [^>]*name="([^"]+)"', listing)].index("demand")
    sheet = f"xl/worksheets/sheet{position + 1}.xml"
    xml = parts[sheet].decode()
    first = max(int(r) for r in re.findall(r'<row r="(\d+)"', xml)) + 1
    blank = "".join(f'<row r="{r}" {attributes}/>' for r in range(first, first + rows))
    parts[sheet] = xml.replace("</sheetData>", blank + "</sheetData>").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


def _read(path: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    start = time.perf_counter()
    network = read_network(path)
    seconds = time.perf_counter() - start
    queue.put({"seconds": seconds, "markets": len(network.markets), "peak_mb": _peak_mb()})


def _peak_mb() -> float:
    """This process's peak RSS (MB): VmHWM, where Linux has it (ru_maxrss keeps the parent's
    peak across the spawn's exec)."""
    status = Path("/proc/self/status")
    if status.is_file():
        return int(re.search(r"VmHWM:\s+(\d+) kB", status.read_text()).group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path) -> dict[str, float]:
    """Read ``path`` in a fresh process: wall seconds and its peak RSS (MB)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_read, args=(str(path), queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 blank rows, not a whole sheet")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    rows = 100_000 if args.quick else LAST_ROW - 67
    info = machine_info()
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean.xlsx"
        write_excel(clean, examples.electronics().frames())
        cases = {"clean workbook": clean}
        for kind, attributes in (("formatted", FORMATTED), ("hidden", HIDDEN)):
            cases[f"+ {rows:,} {kind} empty rows"] = with_blank_rows(clean, Path(tmp) / f"{kind}.xlsx", rows,
                                                                     attributes)
        results = [{"case": name, "file_kb": path.stat().st_size / 1024, **measure(path)}
                   for name, path in cases.items()]
    assert len({r["markets"] for r in results}) == 1, "every case is the same network"
    lines = ["# Reading a workbook: time and memory", "", machine_line(info), "",
             "`read_network` of the electronics workbook in a fresh process (peak RSS with the imports).",
             "",
             "| workbook | file (KB) | read (s) | peak RSS (MB) |", "|---|---:|---:|---:|"]
    lines += [f"| {r['case']} | {r['file_kb']:,.0f} | {r['seconds']:.2f} | {r['peak_mb']:.0f} |"
              for r in results]
    stem = "reading_quick" if args.quick else "reading"
    save(args.out, stem, {"machine": info, "rows": rows, "results": results}, "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
