"""Named inputs shared by several test modules (the networks themselves come from
``resilient_sc.examples`` through tests/conftest.py, or from tests/random_networks.py)."""

from __future__ import annotations

import pandas as pd

from resilient_sc import Network, Policy

#: the policies the analysis tests compare with the base on ``examples.tiny()``: near costs
#: 1720 (S_FR alone), survive 1760 (both suppliers), impossible is infeasible
TINY_POLICIES = {"near": Policy(min_local_share=0.5), "survive": Policy(survive=("supplier",)),
                 "impossible": Policy(excluded_countries=("FR", "CN"))}


def backed_up() -> Network:
    """S1 (country A, unit cost 1) serves M's 50 units through H; S2 (country B, status open,
    unit cost 60) could serve them all when S1 fails, at 62 a unit delivered: a design priced at
    50 a unit short would rather leave M short than re-route, though it can serve all of it."""
    frames = dict(
        countries=[dict(country="A", region="R"), dict(country="B", region="R")],
        suppliers=[dict(supplier="S1", country="A"), dict(supplier="S2", country="B", status="open")],
        supplier_products=[dict(supplier="S1", capacity=100.0, unit_cost=1.0),
                           dict(supplier="S2", capacity=100.0, unit_cost=60.0)],
        hubs=[dict(hub="H", country="A")], markets=[dict(market="M", country="A")],
        demand=[dict(market="M", demand=50.0)],
        lanes=[dict(origin=o, destination=d, unit_cost=1.0)
               for o, d in [("S1", "H"), ("S2", "H"), ("H", "M")]])
    return Network.from_frames(**{k: pd.DataFrame(v) for k, v in frames.items()})


def default_signals() -> None:
    """A command's stop signals at their defaults, as from a terminal (``preexec_fn`` of the
    commands the signal tests start): one the test run was started with ignored (nohup: SIGHUP;
    a script's background job: SIGINT) would stay ignored by the command (stopping.keep_ignored)."""
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
