"""Named inputs shared by several test modules (the networks themselves come from
``resilient_sc.examples`` through tests/conftest.py, or from tests/random_networks.py)."""

from __future__ import annotations

from resilient_sc import Policy

#: the policies the analysis tests compare with the base on ``examples.tiny()``: near costs
#: 1720 (S_FR alone), survive 1760 (both suppliers), impossible is infeasible
TINY_POLICIES = {"near": Policy(min_local_share=0.5), "survive": Policy(survive=("supplier",)),
                 "impossible": Policy(excluded_countries=("FR", "CN"))}
