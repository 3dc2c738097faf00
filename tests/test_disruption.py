"""Disruption-aware design (docs/formulation.md §5b) on the tiny network where China may fail.

Costs of the tiny network (``examples.tiny``; see tests/test_policies.py): base S_CN alone
1260, S_FR alone 1720, both 1760 (fixed 800 + 80·12).
"""

from __future__ import annotations

import pandas as pd
import pytest

from resilient_sc import Network, Policy, examples, solve
from resilient_sc.analysis import disruption_design, stress_test


def disrupted_tiny() -> Network:
    """The tiny network where China fails with probability 0.1."""
    f = examples.tiny().frames()
    f["disruptions"] = pd.DataFrame({"scenario": ["cn_down"], "kind": ["country"], "element": ["CN"],
                                     "probability": [0.1]})
    return Network.from_frames(**f)


def test_disruption_design_survives_its_scenario():
    """Shortfall costs 1000 per unit. S_CN alone: 1260 + 0.1·80·1000 = 9260 at the model's
    objective. S_FR alone: 1720 + 0.1·80·14 (its flows in the scenario) = 1832. Both: 1760 +
    0.1·1120 = 1872. So S_FR alone, and the value of the stochastic solution is 9260 − 1832 =
    7428."""
    net = disrupted_tiny()
    design = disruption_design(net, Policy(shortfall_penalty=1000.0))
    assert design.plan.supplier_ids == ["S_FR"]
    assert design.cost == pytest.approx(1832.0)
    assert design.base_cost == pytest.approx(9260.0)
    assert design.vss == pytest.approx(7428.0)
    replay = stress_test(net, design.plan, failures=(), scenarios=True).failures.set_index("failure")
    assert replay.loc["scenario:cn_down", "worst_served"] == pytest.approx(1.0)


def test_disruption_weight_zero_is_the_cost_optimal_design():
    net = disrupted_tiny()
    design = disruption_design(net, Policy(shortfall_penalty=1000.0, disruption_weight=0.0))
    assert design.plan.objective == pytest.approx(1260.0)
    assert design.plan.supplier_ids == design.base_plan.supplier_ids == ["S_CN"]
    assert design.vss == pytest.approx(0.0, abs=1e-6)


def test_the_summary_says_what_the_disruption_cost_is():
    """The disruption line of the tiny S_FR design (1832 = 1720 + 112) is all its own flows again
    (0.1 · 80 · 14), China's failure costing it nothing: the summary says the line is each
    scenario's whole re-routed cost, not what the disruptions add."""
    plan = disruption_design(disrupted_tiny(), Policy(shortfall_penalty=1000.0)).plan
    assert plan.breakdown["disruption"] == pytest.approx(112.0)
    assert ("(disruption = w × Σ probability × each scenario's whole re-routed cost and shortfall: its "
            "ordinary deliveries are counted again, so it is not what the disruptions add (a stress test of "
            "the plan gives that: its expected shortfall cost and change in flow cost))") in plan.summary()
    assert "disruption =" not in solve(examples.tiny()).summary()



def test_a_saved_plan_says_what_its_disruption_cost_is(tmp_path):
    """cost_breakdown.csv gave the disruption line 112 / 1832 = 6.1% of the total with no word
    beside it (the summary had them), which read as what disruptions cost; plan.json had no
    network cost."""
    import json

    plan = disruption_design(disrupted_tiny(), Policy(shortfall_penalty=1000.0)).plan
    readme = plan.save(tmp_path / "plan").joinpath("README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("- `cost_breakdown.csv`"))
    assert "so it is not what the disruptions add" in line
    assert line.endswith("the network cost (design and flows) is 1,720.00")
    assert json.loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))["network_cost"] == \
        pytest.approx(1720.0)
    base = solve(examples.tiny())
    assert "disruption" not in base.save(tmp_path / "base").joinpath("README.md").read_text(encoding="utf-8")
    assert base.to_dict()["network_cost"] == pytest.approx(base.objective)


def test_probabilities_over_one_and_repeated_scenarios_are_warned():
    """0.7 + 0.6 was accepted silently (the stress test then said '130.0% in all, normalised to
    100%'), and two scenario names failing China both weighed it."""
    from resilient_sc import DataWarning

    f = examples.tiny().frames()
    f["disruptions"] = pd.DataFrame({
        "scenario": ["a", "b", "c", "c"], "kind": ["country", "country", "country", "supplier"],
        "element": ["CN", "CN", "CN", "S_FR"], "probability": [0.7, 0.6, 0.1, 0.1]})
    with pytest.warns(DataWarning) as seen:
        Network.from_frames(**f)
    said = [str(w.message) for w in seen]
    assert ("(disruptions) | the scenarios' probabilities add up to 1.4, over 1: a scenario is weighed as if "
            "at most one happens at a time, which cannot be; check them") in said
    assert ("(disruptions) | scenarios a, b fail the same elements (country CN): that failure is weighed "
            "1.3, their probabilities added") in said
    assert not any("a, b, c" in s for s in said)  # c fails CN and S_FR: another failure
