"""Each product's ``unit`` (the products table): said wherever a quantity of it is, and a hub
capacity over products of different units warned of."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from openpyxl import load_workbook

from resilient_sc import DataWarning, Network, Policy, examples, solve
from resilient_sc.analysis.report_kit import quantities
from resilient_sc.workbook import summary_table, write_workbook

UNITS = {"cells": "kWh", "chips": "pieces", "displays": "pieces"}


def electronics(units: dict[str, str], **changes: pd.DataFrame) -> Network:
    net = examples.electronics()
    products = net.products.assign(unit=net.products["product"].map(units).fillna(""))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return net.replace(products=products, **changes)


@pytest.fixture(scope="module")
def plan():
    return solve(electronics(UNITS))


def test_the_unit_of_a_product_is_read_and_blank_reads_units():
    net = electronics({"cells": "kWh"})
    assert [net.unit_of(p) for p in ("cells", "chips", "nothing")] == ["kWh", "units", "units"]


def test_every_table_and_summary_says_each_product_in_its_own_unit(plan, tmp_path):
    assert dict(zip(plan.delivery()["product"], plan.delivery()["unit"], strict=True)) == UNITS
    # the products table's order (market Atlanta, first by id, wants no cells: it came last)
    assert list(plan.delivered_dict()) == ["cells", "chips", "displays"]
    assert plan.delivered_dict()["cells"]["unit"] == "kWh"
    tables = plan.tables()
    assert "volume (kWh of cells)" in tables["suppliers_contracted"]
    assert "throughput (pieces of chips)" in tables["hubs_opened"]
    for name in ("inbound_flows", "outbound_flows", "market_shares", "country_shares", "supplier_shares"):
        table = tables[name]
        assert list(table.columns).index("unit") == list(table.columns).index("product") + 1
        assert (table["unit"] == table["product"].map(UNITS)).all(), name
    items = list(summary_table(plan)["item"])
    assert "demand (kWh of cells)" in items and "shortfall (pieces of displays)" in items
    path = write_workbook(tmp_path / "plan.xlsx", plan)
    book = load_workbook(path)
    head = [c.value for c in book["suppliers_contracted"][1]]
    column = head.index("volume (kWh of cells)") + 1
    assert "#,##0" in book["suppliers_contracted"].cell(2, column).number_format  # a quantity's format
    saved = plan.save(tmp_path / "plan")
    assert "cells: kWh, chips: pieces, displays: pieces" in (saved / "README.md").read_text(encoding="utf-8")
    assert "quantities in each product's unit (cells: kWh" in quantities(plan.model.network)


def test_a_plan_short_of_demand_says_what_is_short_in_its_unit():
    net = electronics(UNITS)
    short = solve(net.replace(demand=net.demand.assign(demand=net.demand["demand"] * 3)),
                  Policy(shortfall_penalty=1e4))
    line = next(x for x in short.summary().splitlines() if x.startswith("delivered"))
    assert " kWh (" in line and " pieces (" in line and " units " not in line
    assert short.short_words().count(" delivered") == (short.delivery()["shortfall"] > 0).sum()


def test_without_units_outputs_say_units_as_before():
    plan = solve(examples.tiny())
    assert list(plan.tables()["suppliers_contracted"])[-1] == "volume (units of default)"
    assert "units of each product" in quantities(plan.model.network)
    assert "Each product's unit" not in plan.tables() and plan.unit_of("default") == "units"


def test_a_hub_capacity_over_products_of_different_units_is_warned_of():
    net = examples.electronics()
    with pytest.warns(DataWarning) as caught:
        net.replace(products=net.products.assign(unit=net.products["product"].map(UNITS)))
    said = [str(w.message) for w in caught if "sums the inbound units" in str(w.message)]
    assert said == ["(hubs) | the capacity of 8 hubs (H_Busan, H_Hamburg, H_Lodz, H_Los_Angeles, "
                    "H_Memphis, H_Monterrey, H_Sao_Paulo, H_Shenzhen) sums the inbound units of every "
                    "product, and each can receive products counted in different units (cells: kWh; "
                    "chips, displays: pieces): give the products one unit (pallets, t) or leave the "
                    "capacity blank"]
    one = net.hubs.assign(capacity=net.hubs["capacity"].where(net.hubs["hub"] == "H_Lodz", float("inf")))
    with pytest.warns(DataWarning, match=r"^\(hubs, row 3 'H_Lodz'\) \| the capacity of this hub sums"):
        net.replace(products=net.products.assign(unit=net.products["product"].map(UNITS)), hubs=one)


@pytest.mark.parametrize("case", ["one unit", "unlimited hubs"])
def test_no_warning_where_a_hub_sums_one_unit_or_has_no_capacity(case):
    net = examples.electronics()
    units = {"cells": "pieces", "chips": "pieces", "displays": "pieces"} if case == "one unit" else UNITS
    hubs = net.hubs if case == "one unit" else net.hubs.assign(capacity=float("inf"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.replace(products=net.products.assign(unit=net.products["product"].map(units)), hubs=hubs)
    assert not [w for w in caught if "sums the inbound units" in str(w.message)]


def test_an_infeasibility_names_the_quantity_in_its_unit():
    net = electronics(UNITS)
    sp = net.supplier_products
    with pytest.warns(DataWarning, match=r"short by [\d,]+ kWh of 'cells'"):
        net.replace(supplier_products=sp.assign(capacity=sp["capacity"].where(sp["product"] != "cells", 1.0)))


def test_prechecks_and_stress_tests_say_each_product_in_its_unit():
    """The pre-solve checks said 'units' of cells counted in kWh; a stress report priced
    'per unit of cells' beside a header naming kWh (review)."""
    from resilient_sc import InfeasiblePolicyError, stress_test
    from resilient_sc.analysis.report import penalty_prices

    net = electronics(UNITS)
    with pytest.raises(InfeasiblePolicyError) as info:
        solve(net, Policy(max_country_share=0.05))
    said = " ".join(info.value.reasons)
    assert "capped at 125.5 pieces, the 8 origin countries" in said and " units" not in said
    need = r"markets need 40,620 pieces of 'chips', 60,010 pieces of 'displays', 73,430 kWh of 'cells'"
    with pytest.raises(InfeasiblePolicyError, match=need):
        solve(net, Policy(max_hubs=0))
    stress = stress_test(net, solve(net), failures=["country"])
    assert set(stress.by_product["unit"]) == {"kWh", "pieces"} and "unit" in stress.shortfalls
    assert {"per unit of cells (kWh)", "per unit of chips (pieces)"} <= {
        part.split(" ", 1)[1] for part in penalty_prices(stress).split(", ")}


def test_a_hub_without_capacity_never_sums_products_of_different_units():
    """H_Lodz with no capacity receives kWh of cells and pieces of displays: its 'all products'
    throughput summed them (nothing counts them together there); a hub with a capacity keeps its
    sum, which is what the capacity counts (and the data were warned of; workbook audit)."""
    import numpy as np

    net = electronics(UNITS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        net = net.replace(hubs=net.hubs.assign(capacity=np.where(net.hubs["hub"] == "H_Lodz", np.inf,
                                                                 net.hubs["capacity"])))
        plan = solve(net)
    hubs = plan.tables()["hubs_opened"].set_index("hub")
    total = next(c for c in hubs.columns if c.startswith("throughput, all products"))
    assert np.isnan(hubs.loc["H_Lodz", total])
    assert hubs[total].drop("H_Lodz").notna().all()
    # Plan.hubs too, which summed them (units audit)
    assert plan.hubs.set_index("hub")["throughput"].isna().to_dict() == {h: h == "H_Lodz" for h in hubs.index}


def test_a_survive_shortage_is_said_per_product_in_its_unit():
    """Asia's hubs fed by Asian suppliers only, their cells (kWh) and displays (pieces) tight, no
    hub capacity: losing one supplier leaves both short. The words added kWh to pieces ('at least
    5,300 of the 88,471 units'); each product is now said apart, 3,010 pieces of displays and
    5,290 kWh of cells, each the worst of its own failures (explanation audit)."""
    from resilient_sc import InfeasiblePolicyError

    net = electronics(UNITS)
    asian = set(net.suppliers.loc[net.suppliers["country"].isin(["CN", "TW", "KR", "JP", "VN"]), "supplier"])
    lanes = net.lanes
    drop = (lanes["destination"].isin(["H_Busan", "H_Shenzhen"]) & lanes["origin"].str.startswith("S_")
            & ~lanes["origin"].isin(asian))
    sp = net.supplier_products.copy()
    for (s, p), c in {("S_CN_Ningde", "cells"): 5000, ("S_CN_Shenzhen", "cells"): 5000,
                      ("S_JP_Osaka", "cells"): 8000, ("S_KR_Ochang", "cells"): 8000,
                      ("S_CN_Wuxi", "displays"): 2000, ("S_KR_Pyeongtaek", "displays"): 2000,
                      ("S_TW_Tainan", "displays"): 5000, ("S_CN_Shenzhen", "displays"): 5000,
                      ("S_VN_BacNinh", "displays"): 5000}.items():
        sp.loc[(sp["supplier"] == s) & (sp["product"] == p), "capacity"] = float(c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        net = net.replace(lanes=lanes.loc[~drop], supplier_products=sp,
                          hubs=net.hubs.assign(capacity=float("inf")))
    policy = Policy(survive=("supplier",), service_level={"Asia": 1.0, "Europe": 0.3, "North America": 0.3,
                                                          "Latin America": 0.3})
    with pytest.raises(InfeasiblePolicyError) as info:
        solve(net, policy)
    first = info.value.reasons[0]
    assert "pieces of 'displays'" in first and "kWh of 'cells'" in first and "units" not in first
    assert "at least 3,010 of the" in first and "5,290 of the" in first


def test_one_product_short_is_said_in_its_unit():
    """A network of one product counted in pieces: 'at least 20 of the 80 units markets want'
    said units where the products table says pieces (workbook audit)."""
    from resilient_sc import InfeasiblePolicyError

    f = examples.tiny().frames()
    f["products"] = f["products"].assign(unit="pieces")
    f["hubs"]["capacity"] = [60.0]
    with pytest.raises(InfeasiblePolicyError) as info:
        solve(Network.from_frames(**f))
    assert "(at least 20 of the 80 pieces markets want cannot be delivered)" in info.value.reasons[0]
