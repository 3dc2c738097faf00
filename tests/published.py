"""Published optima of the benchmark instances, written once (docs/formulation.md §7).

tests/test_orlib.py, test_routes.py, test_facility.py and test_cli.py solve against them;
tests/test_docs.py checks that the README and docs/benchmarks.md quote the same values.
"""

from __future__ import annotations

#: Beasley's OR-Library 'capopt' values for the multi-source capacitated problem
MULTI_SOURCE = {"cap41": 1040444.375, "cap71": 932615.750}
#: capb at hub capacity 8000, multi-source (OR-Library)
CAPB_8000 = 13082516.496
#: Holmberg p1, single-source (Holmberg, Rönnqvist & Yuan 1999)
HOLMBERG_P1 = 8848.0
#: every instance above by name (cap41 and cap71 multi-source, p1 single-source)
PUBLISHED = {**MULTI_SOURCE, "p1": HOLMBERG_P1}
