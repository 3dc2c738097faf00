"""Every script in examples/ runs end to end and prints its result; the electronics roadmap
(examples/electronics_roadmap) is what its generator writes, and its glide path solves as the
README says."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: script -> text its output must contain
EXPECTED = {
    "01_first_solve.py": ["status      optimal", "near-shoring costs 2.6% more", "plan workbook:"],
    "02_policy_comparison.py": ["near_shoring", "friend_shoring", "4.2%"],
    "03_premium_frontier.py": ["premium table", "frontier of min_local_share", "0.75"],
    "04_stress_test.py": ["failures replayed", "hub:H_Monterrey"],
    "05_pyomo_extension.py": ["solved by pyomo: optimal", "China-made 20.0%"],
    "06_scale_out.py": ["co2_price", "optimal"],
}


#: scripts that take more than ~10 s (several solves with stress tests, or process start-up)
SLOW = {"03_premium_frontier.py", "06_scale_out.py"}


def test_every_script_is_tested() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("[0-9]*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", [pytest.param(s, marks=pytest.mark.slow) if s in SLOW else s
                                    for s in sorted(EXPECTED)])
def test_example_runs(script: str, tmp_path: Path) -> None:
    args = [sys.executable, str(EXAMPLES / script)]
    if script == "01_first_solve.py":
        args.append(str(tmp_path / "plan.xlsx"))
    # the scripts print the library's texts ('×'): UTF-8 both ways, whatever the locale's encoding
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr[-3000:]
    for text in EXPECTED[script]:
        assert text in done.stdout, f"{text!r} not in the output of {script}:\n{done.stdout}"
    if script == "01_first_solve.py":
        assert (tmp_path / "plan.xlsx").is_file()


# ---- the electronics roadmap (examples/electronics_roadmap, docs/formulation.md §9) -------------

ROADMAP = EXAMPLES / "electronics_roadmap"


def _generator():
    """examples/electronics_roadmap/generate.py as a module (its name clashes with the other's)."""
    spec = importlib.util.spec_from_file_location("electronics_roadmap_generate", ROADMAP / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_roadmap_files_are_what_generate_writes(tmp_path: Path) -> None:
    written = _generator().write(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in ROADMAP.glob("*.csv"))
    for path in written:
        assert path.read_bytes() == (ROADMAP / path.name).read_bytes(), f"regenerate {path.name}"


def test_roadmap_example_without_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Installed without the source checkout, the network is generated from the same frames."""
    from resilient_sc import examples

    read = examples.electronics_roadmap()
    monkeypatch.setattr(examples, "EXAMPLES_DIR", tmp_path)
    made = examples.electronics_roadmap()
    assert repr(made) == repr(read)
    for name in ("periods", "suppliers", "demand", "tariffs"):
        assert len(getattr(made, name)) == len(getattr(read, name))


@pytest.fixture(scope="module")
def roadmaps():
    """The cost-optimal path and the glide path of policy.yaml (a few seconds together)."""
    from resilient_sc import Policy, examples
    from resilient_sc.roadmap import solve_roadmap

    net = examples.electronics_roadmap()
    return solve_roadmap(net), solve_roadmap(net, Policy.from_file(ROADMAP / "policy.yaml"))


def test_roadmap_glide_path(roadmaps) -> None:
    base, path = roadmaps
    assert base.status.value == path.status.value == "optimal"
    assert base.verify() == [] and path.verify() == []
    # today's network is the one-period example's cost-optimal plan: the base path keeps it
    assert base.costs["total"].iloc[0] == pytest.approx(11_914_791.20, rel=1e-9)
    assert not base.design["started"].any() and not base.design["stopped"].any()
    assert path.objective > base.objective * 1.005  # the policy binds
    d = path.design
    starts = d.loc[d["started"]]
    assert set(starts["period"]) - {"2026"} and starts["period"].nunique() >= 2
    assert d.loc[d["stopped"], "status"].eq("existing").any()
    # the numbers quoted in the README
    readme = (ROADMAP / "README.md").read_text(encoding="utf-8")
    for cost in (base.objective, path.objective):
        assert f"{cost:,.2f}" in readme


def test_roadmap_readme_counts_todays_single_foreign_sources() -> None:
    """'About a third of the 66 pairs ... Europe's chips from Taiwan' described an older plan:
    today's is 16 pairs, Europe's chips 64% from Taiwan and 36% from China (tutorial audit)."""
    import re

    from resilient_sc import examples, solve

    net = examples.electronics()
    shares = solve(net).tables()["country_shares"].merge(
        net.markets[["market", "country"]].rename(columns={"country": "home"}), on="market")
    single = shares[(shares["share"] > 1 - 1e-6) & (shares["country"] != shares["home"])]
    pairs = shares.groupby(["market", "product"]).ngroups
    readme = " ".join((ROADMAP / "README.md").read_text(encoding="utf-8").split())
    said = re.search(r"(\d+) of the (\d+) \(market, product\) pairs", readme)
    assert said is not None and (int(said[1]), int(said[2])) == (len(single), pairs)
    toronto = single.loc[single["market"] == "Toronto"]
    assert sorted(toronto["product"]) == ["cells", "displays"]
    assert set(toronto["country"]) == {"CN"}
    berlin = shares[shares["market"].eq("Berlin") & shares["product"].eq("chips")]
    chips = berlin.set_index("country")["share"]
    assert f"{chips['TW']:.0%} from Taiwan and {chips['CN']:.0%} from China" in readme


def test_roadmap_lead_time_keeps_a_2027_target_out() -> None:
    """Local chips for Europe in 2027: the European chip makers (Dresden, Grenoble) qualify only
    in 2028; one of them would do, and the hint names one and no other candidate."""
    from resilient_sc import InfeasiblePolicyError, Policy, examples
    from resilient_sc.roadmap import solve_roadmap

    policy = Policy(min_local_share={"2027": 0.3, "2028": 0.3})
    with pytest.raises(InfeasiblePolicyError) as err:
        solve_roadmap(examples.electronics_roadmap(), policy)
    text = str(err.value)
    hint = next(r for r in err.value.reasons if "lead_time keeps" in r)
    named = [s for s in ("S_DE_Dresden", "S_FR_Grenoble", "S_JP_Kumamoto", "S_US_Phoenix") if s in hint]
    assert "in period 2027" in text and named in (["S_DE_Dresden"], ["S_FR_Grenoble"])
    assert "period 2028" not in text


def test_a_lead_time_past_the_horizon_is_said_to_keep_it_out_of_every_period() -> None:
    """Grenoble and Dresden at lead_time 9 of 5 periods: the hint said 'until a later period'."""
    from resilient_sc import DataWarning, InfeasiblePolicyError, Network, Policy, examples
    from resilient_sc.roadmap import solve_roadmap

    frames = {k: v.drop(columns=[c for c in v if c.startswith("_")])
              for k, v in examples.electronics_roadmap().frames().items() if v is not None}
    late = frames["suppliers"]["supplier"].isin(["S_DE_Dresden", "S_FR_Grenoble"])
    frames["suppliers"].loc[late, "lead_time"] = 9
    with pytest.warns(DataWarning, match="lead_time 9 is past the last period"):
        net = Network.from_frames(**frames)
    with pytest.raises(InfeasiblePolicyError) as err:
        solve_roadmap(net, Policy(min_local_share={"2030": 0.3}))
    hint = next(r for r in err.value.reasons if "lead_time keeps" in r)
    assert "in period 2030 (position 4)" in hint
    assert "lead_time keeps it out of all 5 periods (shorten the lead time or add periods" in hint
