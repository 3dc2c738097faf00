"""Behaviour-equivalence harness: the same networks and policies built and solved before and after a change.

    python benchmarks/equivalence.py --out benchmarks/results/equivalence_after.json [--quick]
    python benchmarks/equivalence.py --compare benchmarks/results/equivalence_before.json \\
                                               benchmarks/results/equivalence_after.json
    python benchmarks/equivalence.py --list [--quick]          # the case ids, nothing run
    python benchmarks/equivalence.py --out x.json --only orlib  # the cases whose id contains a string

A seeded, deterministic enumeration of (network, policy) cases: ``tests/random_networks.py``
networks (seeds 0..30) under every policy family; the even seeds made redundant, with a
disruptions table, under the survive and disruption families; the bundled ``electronics``
example under the policies of ``examples/electronics/policies.yaml`` and more; the ``tiny``
example, with infeasible and invalid policies; OR-Library cap41..cap44, cap71 and Holmberg p1,
multi- and single-source (skipped cleanly when ``../shared/data/orlib`` is absent). Only stable
public entry points are used: ``build_model``, ``solve``, ``Policy``, ``Network.from_frames``
and ``frames``, ``examples`` and ``resilient_sc.orlib.read_instance``; ``--compare`` does not
import ``resilient_sc`` at all.

For each case it records fingerprints (sha256) of the model as built — the CSC matrix (shape,
indptr, indices, data at 12 significant digits), the bounds and integrality, the objective
vector, the column and row names (with counts) — and of the solve: status (or the exception
class and the first line of its message), objective, sorted supplier and hub ids and the flows
(inbound and outbound, sorted, quantities to 1e-6). Per-family fingerprints (the name prefix
before ``(``) say where two models differ. Timings and machine facts are recorded but never
compared.

``--compare`` prints a table (identical matrices, names, objectives/status, plans) and lists
every difference; the exit code is 1 on any model, name, objective or status difference, or a
case present on one side only. Plans that differ at the same objective are reported as
"same objective, different optimal plan" and do not fail the comparison.

Run against another checkout by putting it first on the path (the venv has /work/main installed
editable): ``cd /tmp/rsc_before && PYTHONPATH=/tmp/rsc_before python /work/main/benchmarks/...``;
the JSON records ``resilient_sc.__file__`` and its git commit.

With ``--out FOLDER`` (how ``benchmarks/run.py`` calls it) it writes ``FOLDER/equivalence.json``
(``equivalence_quick.json`` with ``--quick``) and a ``.md`` beside it.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
#: the public OR-Library data, beside the repository (as in tests/conftest.py)
ORLIB = HERE.parents[1] / "shared" / "data" / "orlib"
FORMAT = 1
#: random networks: seeds 0..RANDOM_SEEDS-1 (full run) and 0..QUICK_SEEDS-1 (--quick)
RANDOM_SEEDS = 31
QUICK_SEEDS = 2
#: objectives agree when |a - b| <= OBJ_RTOL * max(1, |a|, |b|)
OBJ_RTOL = 1e-6


# ---- fingerprints ------------------------------------------------------------------------------
def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _floats(a: Any, digits: int = 12) -> str:
    """Floats as text at ``digits`` significant digits (-0 as 0; inf and nan spelled out)."""
    a = np.asarray(a, dtype=float).ravel() + 0.0
    return "\n".join(map(f"{{:.{digits}g}}".format, a.tolist()))


def _ints(a: Any) -> bytes:
    return np.ascontiguousarray(np.asarray(a, dtype=np.int64)).tobytes()


def _csc_sha(a: Any) -> str:
    return _sha(_ints(a.shape), _ints(a.indptr), _ints(a.indices), _floats(a.data))


def _family(name: str) -> str:
    return name.split("(", 1)[0]


def _spans(names: list[str]) -> dict[str, np.ndarray]:
    """Positions of each name family (the part before ``(``), in first-seen order."""
    fam = np.array([_family(n) for n in names], dtype=object)
    order = list(dict.fromkeys(fam.tolist()))
    return {f: np.flatnonzero(fam == f) for f in order}


def model_record(model: Any) -> dict[str, Any]:
    """Fingerprints of a built model (``NetworkModel``): matrix, bounds, costs, names."""
    lm = model.lm
    a = lm.matrix(by_column=True).copy()
    a.sort_indices()
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    cost = lm.objective()
    cols, rows = list(lm.column_names()), list(lm.row_names())
    nz = a.copy()
    nz.eliminate_zeros()
    csr = a.tocsr()
    csr.sort_indices()
    col_fam, row_fam = _spans(cols), _spans(rows)
    return {
        "shape": list(a.shape), "nnz": int(a.nnz), "n_integer": int(np.asarray(integer).sum()),
        "matrix": _csc_sha(a),
        "matrix_without_explicit_zeros": _csc_sha(nz),
        "bounds": {"col_lower": _sha(_floats(col_lo)), "col_upper": _sha(_floats(col_up)),
                   "row_lower": _sha(_floats(row_lo)), "row_upper": _sha(_floats(row_up)),
                   "integrality": _sha(np.asarray(integer, dtype=bool).astype(np.uint8).tobytes())},
        "objective": _sha(_floats(cost)),
        "column_names": _sha("\n".join(cols)), "n_columns": len(cols),
        "row_names": _sha("\n".join(rows)), "n_rows": len(rows),
        # where two models differ: per variable family (names, bounds, integrality, costs) and
        # per constraint family (names, row bounds, its rows of the matrix by column position)
        "column_families": {
            f: {"n": len(ix), "sha": _sha("\n".join(cols[i] for i in ix), _floats(col_lo[ix]),
                                          _floats(col_up[ix]), _ints(np.asarray(integer)[ix]),
                                          _floats(cost[ix]))}
            for f, ix in col_fam.items()},
        "row_families": {
            f: {"n": len(ix), "nnz": int(csr[ix].nnz),
                "sha": _sha("\n".join(rows[i] for i in ix), _floats(row_lo[ix]), _floats(row_up[ix]),
                            _csc_sha(csr[ix].tocsc()))}
            for f, ix in row_fam.items()},
    }


def _flows_sha(df: pd.DataFrame) -> tuple[str, int]:
    keys = sorted(c for c in df.columns if c != "quantity")
    table = df[keys].astype(str)
    table["quantity"] = [f"{q + 0.0:.6f}" for q in df["quantity"].to_numpy(float)]
    table = table.sort_values([*keys, "quantity"], kind="mergesort")
    return _sha(",".join(table.columns), table.to_csv(index=False, header=False)), len(table)


def _round(v: float, digits: int = 7) -> float | None:
    """``v`` at ``digits`` significant digits (about 1e-6 relative); None when not finite."""
    return float(f"{v:.{digits - 1}e}") if math.isfinite(v) else None


def plan_record(plan: Any) -> dict[str, Any]:
    inbound_sha, n_in = _flows_sha(plan.inbound)
    outbound_sha, n_out = _flows_sha(plan.outbound)
    objective = float(plan.objective)
    return {
        "status": getattr(plan.status, "value", str(plan.status)),
        "objective": objective if math.isfinite(objective) else None,
        "objective_rounded": _round(objective),
        "supplier_ids": sorted(map(str, plan.supplier_ids)),
        "hub_ids": sorted(map(str, plan.hub_ids)),
        "inbound": inbound_sha, "n_inbound": n_in,
        "outbound": outbound_sha, "n_outbound": n_out,
        "emissions": _round(float(plan.emissions)),
        "breakdown": {str(k): _round(float(v)) for k, v in plan.breakdown.items()},
    }


def error_record(exc: BaseException) -> dict[str, Any]:
    """The exception class, the first line of its message and the first listed reason (the
    second line: ``InfeasiblePolicyError`` and ``ValidationError`` open with a fixed header)."""
    lines = str(exc).splitlines()
    return {"status": "error", "error": type(exc).__name__,
            "message": lines[0] if lines else "",
            "reason": lines[1].strip().removeprefix("- ") if len(lines) > 1 else "",
            "message_sha": _sha(str(exc)), "message_lines": len(lines)}


def network_sha(net: Any) -> str:
    """The network's input tables (``Network.frames()``) as CSV, in table order."""
    return _sha(*(f"{name}\n{df.to_csv(index=False)}" for name, df in net.frames().items()))


# ---- the cases ---------------------------------------------------------------------------------
PolicySpec = dict[str, Any] | Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    id: str
    family: str  # network family: random, random+redundant, electronics, tiny, orlib
    policy_family: str
    network: str  # key of the network loader (:meth:`Networks.load`)


def _total_demand(net: Any) -> float:
    return float(net.demand["demand"].sum())


#: policies on every random network: (name, policy family, fields or fields from the network);
#: random networks always have countries C1, C2, regions R1, R2 and products P1, P2
RANDOM_POLICIES: list[tuple[str, str, PolicySpec]] = [
    ("base", "base", {}),
    ("min_suppliers=2", "min_suppliers", {"min_suppliers": 2}),
    ("min_suppliers={P1:2}", "min_suppliers", {"min_suppliers": {"P1": 2}}),
    ("max_supplier_share=0.6", "max_supplier_share", {"max_supplier_share": 0.6}),
    ("max_supplier_share={P2:0.5}", "max_supplier_share", {"max_supplier_share": {"P2": 0.5}}),
    ("max_country_share=0.5", "max_country_share", {"max_country_share": 0.5}),
    ("max_country_share=0.7", "max_country_share", {"max_country_share": 0.7}),
    ("max_country_share={R1:0.6}", "max_country_share", {"max_country_share": {"R1": 0.6}}),
    ("min_local_share=0.2", "min_local_share", {"min_local_share": 0.2}),
    ("min_local_share=0.5", "min_local_share", {"min_local_share": 0.5}),
    ("min_local_share={R2:0.6,P1:0.4}", "min_local_share", {"min_local_share": {"R2": 0.6, "P1": 0.4}}),
    ("min_allied_share=0.25", "min_allied_share", {"min_allied_share": 0.25}),
    ("min_allied_share=0.5", "min_allied_share", {"min_allied_share": 0.5}),
    ("min_allied_share={P2:0.7}", "min_allied_share", {"min_allied_share": {"P2": 0.7}}),
    ("excluded_countries=[C1]", "excluded_countries", {"excluded_countries": ["C1"]}),
    ("survive=[supplier],service=0.3", "survive", {"survive": ["supplier"], "service_level": 0.3}),
    ("survive=[hub],service=0.4", "survive", {"survive": ["hub"], "service_level": 0.4}),
    ("survive=[country],service=0.5", "survive", {"survive": ["country"], "service_level": 0.5}),
    ("co2_cap=3.5*demand", "co2", lambda net: {"co2_cap": round(3.5 * _total_demand(net), 6)}),
    ("co2_price=0.5", "co2", {"co2_price": 0.5}),
    ("co2_cap=3*demand,co2_price=1", "co2",
     lambda net: {"co2_cap": round(3.0 * _total_demand(net), 6), "co2_price": 1.0}),
    ("single_sourcing", "single_sourcing", {"single_sourcing": True}),
    ("single_sourcing,max_hubs=2", "single_sourcing", {"single_sourcing": True, "max_hubs": 2}),
    ("single_sourcing,min_suppliers=2", "single_sourcing", {"single_sourcing": True, "min_suppliers": 2}),
    ("min_hubs=2", "hub_count", {"min_hubs": 2}),
    ("max_hubs=1", "hub_count", {"max_hubs": 1}),
    ("min_hubs=2,max_hubs=3", "hub_count", {"min_hubs": 2, "max_hubs": 3}),
    ("shortfall_penalty=15", "shortfall", {"shortfall_penalty": 15.0}),
    ("shortfall_penalty=40,min_local_share=0.3", "shortfall",
     {"shortfall_penalty": 40.0, "min_local_share": 0.3}),
]

#: the random network made redundant (every supplier -> hub and hub -> market lane, more makers,
#: twice the supply, hubs that each hold the total demand) with a disruptions table: the
#: survive and disruption families, which the sparse random networks mostly cannot meet
REDUNDANT_POLICIES: list[tuple[str, str, PolicySpec]] = [
    ("base", "base", {}),
    ("survive=[supplier]", "survive", {"survive": ["supplier"]}),
    ("survive=[supplier],service=0.6", "survive", {"survive": ["supplier"], "service_level": 0.6}),
    ("survive=[hub]", "survive", {"survive": ["hub"]}),
    ("survive=[hub],service=0.7", "survive", {"survive": ["hub"], "service_level": 0.7}),
    ("survive=[country],service=0.5", "survive", {"survive": ["country"], "service_level": 0.5}),
    ("survive=[country],service=0.25", "survive", {"survive": ["country"], "service_level": 0.25}),
    ("survive=[supplier,hub],service={P1:0.8,R2:0.5}", "survive",
     {"survive": ["supplier", "hub"], "service_level": {"P1": 0.8, "R2": 0.5}}),
    ("survive=[supplier,hub,country],service=0.3", "survive",
     {"survive": ["supplier", "hub", "country"], "service_level": 0.3}),
    ("shortfall_penalty=30", "disruptions", {"shortfall_penalty": 30.0}),
    ("shortfall_penalty=30,disruption_weight=4", "disruptions",
     {"shortfall_penalty": 30.0, "disruption_weight": 4.0}),
    ("shortfall_penalty=60,survive=[hub],service=0.6", "disruptions",
     {"shortfall_penalty": 60.0, "survive": ["hub"], "service_level": 0.6}),
    ("mixed", "combined", {"min_suppliers": 2, "max_country_share": 0.7, "survive": ["hub"],
                           "service_level": 0.7, "co2_price": 0.2, "excluded_countries": ["C2"]}),
]
DISRUPTIONS = pd.DataFrame(
    [("s1_fire", "supplier", "S1", 0.05), ("h1_strike", "hub", "H1", 0.03),
     ("c2_conflict", "country", "C2", 0.02), ("double", "supplier", "S2", 0.01),
     ("double", "hub", "H2", 0.01)],
    columns=["scenario", "kind", "element", "probability"])


def redundant(net: Any, seed: int) -> Any:
    """``net`` (a random network) made redundant, with :data:`DISRUPTIONS` (seeded)."""
    f = net.frames()
    rng = np.random.default_rng(10_000 + seed)
    suppliers, hubs = f["suppliers"]["supplier"].tolist(), f["hubs"]["hub"].tolist()
    markets, products = f["markets"]["market"].tolist(), f["products"]["product"].tolist()
    lanes = set(zip(f["lanes"]["origin"], f["lanes"]["destination"], strict=True))
    pairs = [(s, h) for s in suppliers for h in hubs] + [(h, m) for h in hubs for m in markets]
    more = [(o, d, "all", float(rng.uniform(1, 6)), float(rng.uniform(0, 2)))
            for o, d in pairs if (o, d) not in lanes]
    f["lanes"] = pd.concat([f["lanes"], pd.DataFrame(more, columns=["origin", "destination", "product",
                                                                    "unit_cost", "co2"])], ignore_index=True)
    sp = f["supplier_products"]
    made = set(zip(sp["supplier"], sp["product"], strict=True))
    extra = [(s, p, float(sp.loc[sp["product"] == p, "capacity"].mean()), float(rng.uniform(2, 12)),
              float(rng.uniform(0, 3))) for s in suppliers for p in products
             if (s, p) not in made and rng.random() < 0.5]
    sp = pd.concat([sp, pd.DataFrame(extra, columns=["supplier", "product", "capacity", "unit_cost", "co2"])],
                   ignore_index=True)
    f["supplier_products"] = sp.assign(capacity=2 * sp["capacity"])
    cap = f["hubs"]["capacity"].to_numpy(float)
    f["hubs"] = f["hubs"].assign(capacity=np.where(np.isfinite(cap), _total_demand(net), np.inf))
    f["disruptions"] = DISRUPTIONS.copy()
    from resilient_sc import Network

    return Network.from_frames(source=f"redundant(random_network({seed}))", **f)


#: examples/electronics/policies.yaml and policy.yaml (copied here so the case list is fixed by
#: this file), then more fields; the electronics network has a disruptions table
ELECTRONICS_POLICIES: list[tuple[str, str, dict[str, Any]]] = [
    ("policies.yaml:base", "base", {}),
    ("policies.yaml:near_shoring", "min_local_share", {"min_local_share": 0.5}),
    ("policies.yaml:friend_shoring", "combined", {"min_allied_share": 0.7, "max_country_share": 0.4}),
    ("policies.yaml:redundant", "combined",
     {"min_suppliers": 2, "survive": ["country"], "service_level": 0.8}),
    ("policy.yaml", "combined", {"min_local_share": 0.5, "min_suppliers": 2}),
    ("max_supplier_share=0.3", "max_supplier_share", {"max_supplier_share": 0.3}),
    ("min_suppliers=3", "min_suppliers", {"min_suppliers": 3}),
    ("excluded_countries=[CN]", "excluded_countries", {"excluded_countries": ["CN"]}),
    ("min_allied_share={Europe:0.7}", "min_allied_share", {"min_allied_share": {"Europe": 0.7}}),
    ("survive=[hub]", "survive", {"survive": ["hub"]}),
    ("co2_price=0.5", "co2", {"co2_price": 0.5}),
    ("single_sourcing", "single_sourcing", {"single_sourcing": True}),
    ("max_hubs=3", "hub_count", {"max_hubs": 3}),
    ("min_hubs=5", "hub_count", {"min_hubs": 5}),
    ("shortfall_penalty=500", "disruptions", {"shortfall_penalty": 500.0}),
]

TINY_POLICIES: list[tuple[str, str, dict[str, Any]]] = [
    ("base", "base", {}),
    ("min_suppliers=2", "min_suppliers", {"min_suppliers": 2}),
    ("min_suppliers=3", "min_suppliers", {"min_suppliers": 3}),
    ("survive=[supplier]", "survive", {"survive": ["supplier"]}),
    ("survive=[country],service=0.5", "survive", {"survive": ["country"], "service_level": 0.5}),
    ("excluded_countries=[CN]", "excluded_countries", {"excluded_countries": ["CN"]}),
    ("excluded_countries=[CN,FR]", "excluded_countries", {"excluded_countries": ["CN", "FR"]}),
    ("min_local_share={Europe:1}", "min_local_share", {"min_local_share": {"Europe": 1.0}}),
    ("min_allied_share=0.5", "min_allied_share", {"min_allied_share": 0.5}),
    ("co2_cap=0", "co2", {"co2_cap": 0.0}),
    ("shortfall_penalty=5", "shortfall", {"shortfall_penalty": 5.0}),
    ("max_country_share=1.4", "invalid", {"max_country_share": 1.4}),
    ("min_local_share={Mars:0.5}", "invalid", {"min_local_share": {"Mars": 0.5}}),
    ("min_hubs=2,max_hubs=1", "invalid", {"min_hubs": 2, "max_hubs": 1}),
]

#: small OR-Library instances (16 warehouses); cap41-44 are infeasible single-sourced, cap71
#: (capacity = total demand) and Holmberg p1 are not
ORLIB_INSTANCES = ("cap41", "cap42", "cap43", "cap44", "cap71", "holmberg/p1")
ORLIB_POLICIES: list[tuple[str, str, dict[str, Any]]] = [
    ("base", "base", {}),
    ("single_sourcing", "single_sourcing", {"single_sourcing": True}),
]


def _orlib_file(orlib: Path, inst: str) -> Path:
    return orlib / (inst if "/" in inst else f"{inst}.txt")


def _random_module(root: Path) -> Any:
    """``tests/random_networks.py`` of ``root``, imported by path."""
    path = root / "tests" / "random_networks.py"
    spec = importlib.util.spec_from_file_location("_equivalence_random_networks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def source_root() -> Path:
    """The checkout under test: the one holding the imported ``resilient_sc`` (its tests and
    examples go with it), else this script's."""
    import resilient_sc

    pkg_root = Path(resilient_sc.__file__).resolve().parents[1]
    return pkg_root if (pkg_root / "tests" / "random_networks.py").exists() else HERE.parent


class Networks:
    """Loads each network once (keys as in :attr:`Case.network`), with its fingerprint."""

    def __init__(self, orlib: Path):
        self.orlib = orlib
        self.cache: dict[str, tuple[Any, str]] = {}
        self._random: Any = None

    def random(self, seed: int) -> Any:
        if self._random is None:
            self._random = _random_module(source_root()).random_network
        return self._random(seed)

    def load(self, key: str) -> tuple[Any, str]:
        """The network and :func:`network_sha` of it."""
        if key not in self.cache:
            self.cache = {k: v for k, v in self.cache.items() if not k.startswith("random")}
            net = self._load(key)
            self.cache[key] = (net, network_sha(net))
        return self.cache[key]

    def _load(self, key: str) -> Any:
        from resilient_sc import examples

        kind, _, arg = key.partition(":")
        if kind == "random":
            return self.random(int(arg))
        if kind == "random+redundant":
            return redundant(self.random(int(arg)), int(arg))
        if kind == "electronics":
            return examples.electronics()
        if kind == "tiny":
            return examples.tiny()
        if kind == "orlib":
            from resilient_sc.orlib import read_instance

            return read_instance(_orlib_file(self.orlib, arg)).to_network()
        raise KeyError(key)


def enumerate_cases(quick: bool, orlib: Path) -> tuple[list[tuple[Case, PolicySpec]], list[str]]:
    """Every case in a fixed order, with its policy spec; and the notes on skipped parts."""
    out: list[tuple[Case, PolicySpec]] = []
    notes: list[str] = []
    seeds = range(QUICK_SEEDS if quick else RANDOM_SEEDS)
    for seed in seeds:
        for name, fam, spec in RANDOM_POLICIES:
            out.append((Case(f"random/s{seed:02d}/{name}", "random", fam, f"random:{seed}"), spec))
    for seed in range(1) if quick else range(0, RANDOM_SEEDS, 2):
        for name, fam, spec in REDUNDANT_POLICIES:
            out.append((Case(f"random+redundant/s{seed:02d}/{name}", "random+redundant", fam,
                             f"random+redundant:{seed}"), spec))
    electronics = ELECTRONICS_POLICIES[:2] if quick else ELECTRONICS_POLICIES
    for name, fam, spec in electronics:
        out.append((Case(f"electronics/{name}", "electronics", fam, "electronics"), spec))
    for name, fam, spec in TINY_POLICIES:
        out.append((Case(f"tiny/{name}", "tiny", fam, "tiny"), spec))
    if orlib.is_dir():
        for inst in ORLIB_INSTANCES[:1] if quick else ORLIB_INSTANCES:
            if not _orlib_file(orlib, inst).exists():
                notes.append(f"{_orlib_file(orlib, inst)} is absent: its cases are skipped")
                continue
            for name, fam, spec in ORLIB_POLICIES:
                out.append((Case(f"orlib/{inst.replace('/', '-')}/{name}", "orlib", fam, f"orlib:{inst}"),
                            spec))
    else:
        notes.append(f"{orlib} is absent: the OR-Library cases are skipped")
    return out, notes


# ---- running -----------------------------------------------------------------------------------
def run_case(case: Case, spec: PolicySpec, networks: Networks, entry: tuple[Any, Any, Any]) -> dict[str, Any]:
    """Build and solve one case with ``entry`` = (Policy, build_model, solve), bound once at the
    start of the run as a user script would."""
    Policy, build_model, solve = entry

    rec: dict[str, Any] = {"id": case.id, "family": case.family, "policy_family": case.policy_family}
    t0 = time.perf_counter()
    try:
        net, rec["network"] = networks.load(case.network)
        fields = spec(net) if callable(spec) else dict(spec)
        rec["policy"] = fields
        policy = Policy(**fields)
    except Exception as exc:  # a harness or data problem: recorded, and it fails the comparison
        rec["setup"] = error_record(exc)
        rec["seconds"] = time.perf_counter() - t0
        return rec
    try:
        rec["build"] = {"status": "built", **model_record(build_model(net, policy))}
    except Exception as exc:
        rec["build"] = error_record(exc)
    t1 = time.perf_counter()
    try:
        rec["solve"] = plan_record(solve(net, policy))
    except Exception as exc:
        rec["solve"] = error_record(exc)
    t2 = time.perf_counter()
    rec["seconds"] = t2 - t0
    rec["solve_seconds"] = t2 - t1
    return rec


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                             timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _version(pkg: str) -> str | None:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    import resilient_sc

    pkg = Path(resilient_sc.__file__).resolve().parent
    status = _git(pkg.parent, "status", "--porcelain", "--", "resilient_sc")
    return {
        "platform": platform.platform(), "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        **{p: _version(p) for p in ("highspy", "numpy", "pandas", "scipy")},
        "resilient_sc_file": str(Path(resilient_sc.__file__).resolve()),
        "resilient_sc_commit": _git(pkg.parent, "rev-parse", "HEAD"),
        "resilient_sc_dirty": None if status is None else bool(status),
        "source_root": str(source_root()),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_all(quick: bool, only: str | None, orlib: Path, progress: bool = True) -> dict[str, Any]:
    warnings.simplefilter("ignore")  # DataWarning on some random networks: inputs, not behaviour
    cases, notes = enumerate_cases(quick, orlib)
    if only:
        cases = [(c, s) for c, s in cases if only in c.id]
    networks = Networks(orlib)
    import resilient_sc

    api_start = api_kinds(resilient_sc)
    entry = (resilient_sc.Policy, resilient_sc.build_model, resilient_sc.solve)
    start = time.perf_counter()
    records = []
    for i, (case, spec) in enumerate(cases, 1):
        rec = run_case(case, spec, networks, entry)
        records.append(rec)
        if progress:
            sol = rec.get("solve", rec.get("setup", {}))
            what = sol.get("error") or f"{sol.get('status')} {sol.get('objective')}"
            print(f"[{i:4d}/{len(cases)}] {rec['seconds']:6.2f}s  {case.id}: {what}", file=sys.stderr,
                  flush=True)
    total = time.perf_counter() - start
    api = {"start": api_start, "end": api_kinds(resilient_sc)}
    return {"format": FORMAT, "quick": quick, "only": only, "notes": notes, "machine": machine(),
            "seconds": total, "api": api, "cases": records}


def api_kinds(module: Any) -> dict[str, str]:
    """What each name of ``module.__all__`` is (module, class, function, ...): recorded before and
    after the cases, so a public name that changes kind (say ``resilient_sc.solve`` rebound to a
    submodule by a lazy import) shows."""
    def kind(obj: Any) -> str:
        if isinstance(obj, type(sys)):
            return "module"
        if isinstance(obj, type):
            return "class"
        return "function" if callable(obj) else type(obj).__name__

    return {name: kind(getattr(module, name, None)) for name in sorted(getattr(module, "__all__", ()))}


def summary_lines(data: dict[str, Any]) -> list[str]:
    recs = data["cases"]
    by_family = Counter(r["family"] for r in recs)
    by_policy = Counter(r["policy_family"] for r in recs)
    status = Counter((r.get("solve") or r.get("setup", {})).get("error") or
                     (r.get("solve") or {}).get("status") for r in recs)
    slow = sorted(recs, key=lambda r: -r.get("seconds", 0))[:5]
    m = data["machine"]
    return [
        "# Behaviour-equivalence cases", "",
        f"{m['date']} · {m['platform']} · {m['cpus']} CPUs · Python {m['python']} · highspy {m['highspy']} "
        f"· numpy {m['numpy']} · pandas {m['pandas']} · scipy {m['scipy']}", "",
        f"resilient_sc from `{m['resilient_sc_file']}` at commit `{m['resilient_sc_commit']}`"
        f"{' (uncommitted changes)' if m['resilient_sc_dirty'] else ''}", "",
        f"{len(recs)} cases{' (quick)' if data['quick'] else ''} in {data['seconds']:.1f} s.", "",
        "| network family | cases |", "|---|---:|", *(f"| {k} | {v} |" for k, v in by_family.items()), "",
        "| policy family | cases |", "|---|---:|", *(f"| {k} | {v} |" for k, v in sorted(by_policy.items())),
        "", "| outcome | cases |", "|---|---:|", *(f"| {k} | {v} |" for k, v in status.most_common()), "",
        "Slowest: " + ", ".join(f"{r['id']} {r.get('seconds', 0):.1f} s" for r in slow),
        *(["", *(f"Note: {n}" for n in data["notes"])] if data["notes"] else []),
    ]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def to_json(data: dict[str, Any]) -> str:
    """Strict JSON, one case per line (compact, and line diffs show the cases that changed)."""
    dump = lambda v: json.dumps(v, allow_nan=False, ensure_ascii=False)  # noqa: E731
    head = ",\n".join(f" {dump(k)}: {dump(v)}" for k, v in data.items() if k != "cases")
    cases = ",\n".join(f"  {dump(c)}" for c in data["cases"])
    return f"{{\n{head},\n \"cases\": [\n{cases}\n ]\n}}\n"


# ---- comparing ---------------------------------------------------------------------------------
MODEL_KEYS = ("matrix", "bounds", "objective")
NAME_KEYS = ("column_names", "n_columns", "row_names", "n_rows")
#: an outcome: the status, or the exception class, the first line and the first listed reason
ERROR_KEYS = ("status", "error", "message", "reason")


def _objectives_agree(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= OBJ_RTOL * max(1.0, abs(a), abs(b))


def _family_diff(a: dict[str, Any], b: dict[str, Any], kind: str) -> list[str]:
    fa, fb = a.get(kind, {}), b.get(kind, {})
    out = [f"{kind[:-9]} family {f}: only before" for f in fa if f not in fb]
    out += [f"{kind[:-9]} family {f}: only after" for f in fb if f not in fa]
    for f in fa:
        if f in fb and fa[f] != fb[f]:
            detail = ", ".join(f"{k} {fa[f].get(k)} -> {fb[f].get(k)}" for k in ("n", "nnz")
                               if fa[f].get(k) != fb[f].get(k))
            out.append(f"{kind[:-9]} family {f} differs{': ' + detail if detail else ''}")
    if list(fa) != list(fb) and set(fa) == set(fb):
        out.append(f"{kind[:-9]} families in another order")
    return out


def compare_case(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Per aspect: True (identical), False (different), or None (not applicable); and details."""
    res: dict[str, Any] = {"details": []}
    d = res["details"]
    if a.get("policy") != b.get("policy") or "setup" in a or "setup" in b:
        d.append(f"case setup: {a.get('policy', a.get('setup'))} -> {b.get('policy', b.get('setup'))}")
        res["setup"] = False
    if a.get("network") != b.get("network"):
        d.append("input network differs (tests/random_networks.py, examples or the OR-Library reader)")
        res["setup"] = False
    ba, bb = a.get("build", {}), b.get("build", {})
    if ba.get("status") == bb.get("status") == "built":
        res["A"] = ba["matrix"] == bb["matrix"]
        res["bounds"] = ba["bounds"] == bb["bounds"]
        res["costs"] = ba["objective"] == bb["objective"]
        model_ok = res["matrix"] = res["A"] and res["bounds"] and res["costs"]
        if ba["shape"] != bb["shape"] or ba["nnz"] != bb["nnz"]:
            d.append(f"matrix shape/nnz {ba['shape']}/{ba['nnz']} -> {bb['shape']}/{bb['nnz']}")
        if not res["A"]:
            same_nz = ba["matrix_without_explicit_zeros"] == bb["matrix_without_explicit_zeros"]
            d.append("constraint matrix differs" + (" (only in explicit zeros)" if same_nz else ""))
        d += [f"bounds {k} differ" for k in ba["bounds"] if ba["bounds"][k] != bb["bounds"].get(k)]
        if not res["costs"]:
            d.append("objective vector differs")
        res["names"] = all(ba[k] == bb[k] for k in NAME_KEYS)
        for what in ("column", "row"):
            if ba[f"{what}_names"] != bb[f"{what}_names"]:
                d.append(f"{what} names differ ({ba[f'n_{what}s']} -> {bb[f'n_{what}s']} {what}s)")
        if not (model_ok and res["names"]):
            d += _family_diff(ba, bb, "column_families") + _family_diff(ba, bb, "row_families")
    else:
        same = all(ba.get(k) == bb.get(k) for k in ERROR_KEYS)
        res["matrix"] = res["A"] = res["bounds"] = res["costs"] = res["names"] = same
        if not same:
            d.append(f"build: {_outcome(ba)} -> {_outcome(bb)}")
        elif ba.get("message_sha") != bb.get("message_sha"):
            d.append(f"build error message differs after its first line ({ba.get('error')})")
    sa, sb = a.get("solve", {}), b.get("solve", {})
    same_status = all(sa.get(k) == sb.get(k) for k in ERROR_KEYS)
    if sa.get("status") == "error" or sb.get("status") == "error":
        res["objective"] = same_status
        res["plan"] = None
        if not same_status:
            d.append(f"solve: {_outcome(sa)} -> {_outcome(sb)}")
        elif sa.get("message_sha") != sb.get("message_sha"):
            d.append(f"solve error message differs after its first line ({sa.get('error')})")
        return res
    res["objective"] = same_status and _objectives_agree(sa.get("objective"), sb.get("objective"))
    if not res["objective"]:
        d.append(f"solve: {_outcome(sa)} -> {_outcome(sb)}")
    plan_keys = ("supplier_ids", "hub_ids", "inbound", "outbound")
    res["plan"] = all(sa.get(k) == sb.get(k) for k in plan_keys)
    if not res["plan"]:
        parts = [k for k in plan_keys if sa.get(k) != sb.get(k)]
        ids = "; ".join(f"{k} {sa.get(k)} -> {sb.get(k)}" for k in ("supplier_ids", "hub_ids")
                        if sa.get(k) != sb.get(k))
        d.append(f"plan differs in {', '.join(parts)}" + (f" ({ids})" if ids else "")
                 + (" at the same objective" if res["objective"] else ""))
    return res


def _api_diff(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Failing (a name gone or of another kind) and other (a new name) API differences."""
    fail, info = [], []
    for when in ("start", "end"):
        ka, kb = a.get(when, {}), b.get(when, {})
        fail += [f"{n} is {ka[n]} -> {kb.get(n, 'absent')} ({when} of the run)" for n in ka
                 if kb.get(n) != ka[n]]
        info += [f"new name {n} ({kb[n]})" for n in kb if n not in ka and when == "start"]
    return fail, info


def _outcome(r: dict[str, Any]) -> str:
    if r.get("status") == "error":
        return f"{r.get('error')}: {r.get('message')} {r.get('reason')}"
    if "objective" in r:
        return f"{r.get('status')} {r.get('objective')!r}"
    return str(r.get("status"))


def compare(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, bool]:
    """The comparison report and whether it found any failing difference."""
    ca = {r["id"]: r for r in before["cases"]}
    cb = {r["id"]: r for r in after["cases"]}
    common = [k for k in ca if k in cb]
    only_a = [k for k in ca if k not in cb]
    only_b = [k for k in cb if k not in ca]
    results = {k: compare_case(ca[k], cb[k]) for k in common}
    n = len(common)

    def count(aspect: str, value: bool | None = True) -> int:
        return sum(1 for r in results.values() if r.get(aspect, True) is value)

    plan_na = sum(1 for r in results.values() if r["plan"] is None)
    tie = sum(1 for r in results.values() if r["plan"] is False and r["objective"])
    plan_diff_obj = sum(1 for r in results.values() if r["plan"] is False and not r["objective"])
    ma, mb = before["machine"], after["machine"]
    lines = [
        f"before: {len(ca)} cases, resilient_sc {ma['resilient_sc_file']} @ {ma['resilient_sc_commit']}"
        f"{' (dirty)' if ma.get('resilient_sc_dirty') else ''}, {before['seconds']:.1f} s",
        f"after:  {len(cb)} cases, resilient_sc {mb['resilient_sc_file']} @ {mb['resilient_sc_commit']}"
        f"{' (dirty)' if mb.get('resilient_sc_dirty') else ''}, {after['seconds']:.1f} s",
    ]
    versions = [f"{p} {ma.get(p)} -> {mb.get(p)}" for p in ("highspy", "numpy", "pandas", "scipy", "python")
                if ma.get(p) != mb.get(p)]
    if versions:
        lines.append("WARNING: other library versions: " + ", ".join(versions))
    lines += [
        "",
        "| check | identical | different |",
        "|---|---:|---:|",
        f"| cases (in both) | {n} | {len(only_a) + len(only_b)} only on one side |",
        f"| case setup (policy fields, input network) | {n - count('setup', False)} "
        f"| {count('setup', False)} |",
        f"| models (all of the next three) | {count('matrix')} | {count('matrix', False)} |",
        f"| - constraint matrices (CSC) | {count('A')} | {count('A', False)} |",
        f"| - bounds and integrality | {count('bounds')} | {count('bounds', False)} |",
        f"| - objective vectors | {count('costs')} | {count('costs', False)} |",
        f"| names (columns, rows) | {count('names')} | {count('names', False)} |",
        f"| objectives / status | {count('objective')} | {count('objective', False)} |",
        f"| plans (of {n - plan_na} solved) | {count('plan')} | {tie} same objective, different optimal "
        f"plan; {plan_diff_obj} different objective |",
    ]
    api_fail, api_info = _api_diff(before.get("api", {}), after.get("api", {}))
    lines.append(f"| public API (names of resilient_sc.__all__, kinds before and after the cases) | "
                 f"{'same' if not api_fail else 'DIFFERENT'} | {len(api_fail)} |")
    failing = []
    for k in common:
        r = results[k]
        fail = any(r.get(a) is False for a in ("setup", "matrix", "names", "objective"))
        if fail:
            failing.append(k)
    infos = [k for k in common if k not in failing and results[k]["details"]]
    if only_a or only_b or failing or api_fail:
        lines += ["", "## Differences (failing)"]
        lines += [f"- public API: {x}" for x in api_fail]
        lines += [f"- {k}: only in before" for k in only_a]
        lines += [f"- {k}: only in after" for k in only_b]
        for k in failing:
            lines.append(f"- {k}:")
            lines += [f"    - {x}" for x in results[k]["details"]]
    if infos or api_info:
        lines += ["", "## Differences (not failing: same model and objective)"]
        lines += [f"- public API: {x}" for x in api_info]
        for k in infos:
            lines.append(f"- {k}:")
            lines += [f"    - {x}" for x in results[k]["details"]]
    bad = bool(only_a or only_b or failing or api_fail)
    lines += ["", "RESULT: " + ("DIFFERENT" if bad else "EQUIVALENT") +
              f" ({len(failing)} failing cases, {len(only_a) + len(only_b)} unmatched, {tie} tied plans)"]
    return "\n".join(lines), bad


# ---- command line ------------------------------------------------------------------------------
def _out_path(out: Path, quick: bool) -> Path:
    if out.suffix.lower() == ".json":
        return out
    return out / f"equivalence{'_quick' if quick else ''}.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="results: a .json file, or a folder (equivalence[_quick].json)")
    ap.add_argument("--quick", action="store_true", help="smoke run: a few cases of each family")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                    help="compare two result files; exit code 1 on any failing difference")
    ap.add_argument("--only", help="run only the cases whose id contains this string")
    ap.add_argument("--list", action="store_true", help="print the case ids and exit")
    ap.add_argument("--orlib", type=Path, default=ORLIB, help=f"OR-Library folder (default {ORLIB})")
    ap.add_argument("--quiet", action="store_true", help="no per-case progress on stderr")
    args = ap.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        text, bad = compare(before, after)
        print(text)
        return 1 if bad else 0
    if args.list:
        cases, notes = enumerate_cases(args.quick, args.orlib)
        for case, _ in cases:
            if not args.only or args.only in case.id:
                print(case.id)
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        return 0
    if args.out is None:
        ap.error("--out FILE.json (or --compare BEFORE AFTER, or --list) is required")
    import resilient_sc

    print(f"resilient_sc from {resilient_sc.__file__}", file=sys.stderr)
    data = run_all(args.quick, args.only, args.orlib, progress=not args.quiet)
    path = _out_path(args.out, args.quick)
    _write(path, to_json(data))
    text = "\n".join(summary_lines(data)) + "\n"
    _write(path.with_suffix(".md"), text)
    print(text)
    print(f"wrote {path} and {path.with_suffix('.md')}")
    setup_errors = [r["id"] for r in data["cases"] if "setup" in r]
    if setup_errors:
        print(f"cases that could not be set up: {', '.join(setup_errors)}", file=sys.stderr)
    return 1 if setup_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
