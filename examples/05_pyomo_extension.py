"""Extend the model in pyomo: cap China-made goods at 20% of the deliveries of each product, a
rule the library does not have, and solve with pyomo's HiGHS interface. (Per product: units of
different products are never added, cells and chips may be counted in different units.)"""

from __future__ import annotations

import pyomo.environ as pyo

from resilient_sc import Plan, examples, solve
from resilient_sc.optimize import plan_from_pyomo
from resilient_sc.solvers.pyomo import highs_options, to_pyomo


def china_share(plan: Plan) -> float:
    """The largest share of one product's delivered units made in China."""
    flows = plan.outbound
    by_product = flows.groupby("product")["quantity"].sum()
    china = flows.loc[flows["origin"] == "CN"].groupby("product")["quantity"].sum()
    return float((china / by_product).max())


def main() -> None:
    net = examples.electronics()
    base = solve(net)
    m = to_pyomo(net)  # m.outbound_flow.doc: 'outbound_flow[hub, market, product, origin]: ...'
    demand = net.demand.groupby("product")["demand"].sum()
    m.china_cap = pyo.Constraint(list(demand.index), rule=lambda m, p: sum(
        m.outbound_flow[k] for k in m.outbound_flow if k[2] == p and k[3] == "CN") <= 0.2 * demand[p])
    # pyomo's HiGHS interface (highspy), with the library's options: its gap, 1e-6 (HiGHS's own
    # default is 1e-4), and its scaling of costs (money in millions: costs under HiGHS's tolerances)
    result = pyo.SolverFactory("highs").solve(m, options=highs_options(m))
    print(f"solved by pyomo: {result.solver.termination_condition}")
    plan = plan_from_pyomo(m, results=result)  # the usual Plan (tables, summary), the solver's gap
    print(f"without the cap: cost {base.objective:,.0f}, China-made {china_share(base):.1%} of a product "
          "at most")
    print(f"with the cap:    cost {plan.objective:,.0f}, China-made {china_share(plan):.1%} of a product "
          f"at most (+{(plan.objective - base.objective) / base.objective:.1%})")
    print(f"suppliers: {', '.join(plan.supplier_ids)}")


if __name__ == "__main__":
    main()
