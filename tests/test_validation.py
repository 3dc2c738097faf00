"""Validation of input data: one test per kind of problem, each pointing at table, row and column.

Frames start from ``examples.tiny()`` (valid) and break one thing. Row numbers are
spreadsheet rows: header = row 1, first data row = row 2. Tiny's rows: suppliers S_FR (2),
S_CN (3); lanes S_FR->H1 (2), S_CN->H1 (3), H1->Paris (4); demand Paris (2).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from resilient_sc import DataWarning, Network, Policy, ValidationError, examples, read_network
from resilient_sc.io import write_network


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Valid frames of the tiny example, as object columns (so any cell can take any value)."""
    frames = examples.tiny().frames()
    return {name: df.astype(object) for name, df in frames.items() if len(df)}


def problems_of(frames: dict[str, pd.DataFrame]) -> tuple[str, ...]:
    """The problems of the ValidationError that ``frames`` raise (DataWarnings ignored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with pytest.raises(ValidationError) as info:
            Network.from_frames(**frames)
    assert info.value.problems, "a ValidationError must list its problems"
    return info.value.problems


def one_problem(frames: dict[str, pd.DataFrame], pattern: str) -> str:
    """The single problem matching regular expression ``pattern``."""
    found = [p for p in problems_of(frames) if re.search(pattern, p)]
    assert len(found) == 1, (pattern, problems_of(frames))
    return found[0]


def append(df: pd.DataFrame, **row: object) -> pd.DataFrame:
    return pd.concat([df, pd.DataFrame([row], dtype=object)], ignore_index=True)


def test_tiny_frames_are_valid():
    net = Network.from_frames(**tiny_frames())
    assert len(net.suppliers) == 2


# ---- references -------------------------------------------------------------------------
def test_unknown_country_in_suppliers():
    f = tiny_frames()
    f["suppliers"].loc[1, "country"] = "XX"
    p = one_problem(f, "XX")
    assert p.startswith("(suppliers, row 3 'S_CN') |")
    assert "country 'XX' is not in countries" in p


def test_unknown_supplier_in_supplier_products():
    f = tiny_frames()
    f["supplier_products"].loc[1, "supplier"] = "S_XX"
    p = one_problem(f, "S_XX")
    assert p.startswith("(supplier_products, row 3 'S_XX, default') |")
    assert "supplier 'S_XX' is not in suppliers" in p


def test_unknown_market_in_demand():
    f = tiny_frames()
    f["demand"].loc[0, "market"] = "Lyon"
    p = one_problem(f, "not in markets")
    assert p.startswith("(demand, row 2 'Lyon, default') |")
    assert "market 'Lyon' is not in markets" in p


def test_lane_with_unknown_node():
    f = tiny_frames()
    f["lanes"].loc[1, "origin"] = "S_XX"
    p = one_problem(f, "S_XX")
    assert p.startswith("(lanes, row 3 'S_XX, H1, all') |")
    assert "origin 'S_XX' is not a supplier, hub or market" in p


def test_lane_supplier_to_market_is_not_allowed():
    f = tiny_frames()
    f["lanes"] = append(f["lanes"], origin="S_CN", destination="Paris", unit_cost=1.0)
    p = one_problem(f, "not allowed")
    assert p.startswith("(lanes, row 5 'S_CN, Paris, all') |")
    assert "supplier -> market" in p


def test_ids_shared_between_suppliers_and_markets():
    f = tiny_frames()
    f["markets"].loc[0, "market"] = "S_FR"
    f["demand"].loc[0, "market"] = "S_FR"
    f["lanes"].loc[2, "destination"] = "S_FR"
    p = one_problem(f, "distinct")
    assert p.startswith("(markets, row 2 'S_FR') |")
    assert "market 'S_FR' is also a supplier id" in p


def test_product_all_is_reserved_in_products_table():
    f = tiny_frames()
    f["products"] = append(f["products"], product="all", unit_value=1.0)
    p = one_problem(f, "reserved")
    assert p.startswith("(products, row 3 'all') |")
    assert "'all' is reserved" in p


def test_product_all_in_any_case_is_reserved():
    """A product 'ALL' was accepted, and a tariff row 'ALL' then charged that product alone where
    docs/data.md reads 'all' in any case as every product (docs audit)."""
    f = tiny_frames()
    f["products"] = append(f["products"], product="ALL", unit_value=1.0)
    p = one_problem(f, "reserved")
    assert p == ("(products, row 3 'ALL') | 'ALL' ('all' in any case) is reserved for lanes and tariffs that "
                 "apply to every product")


def test_product_all_is_reserved_in_demand():
    f = tiny_frames()
    del f["products"]
    f["demand"].loc[0, "product"] = "all"
    p = one_problem(f, "reserved")  # once, for demand: not again for the derived products
    assert p.startswith("(demand, row 2 'Paris, all') |")
    assert "product 'all' is reserved" in p


def test_bad_disruption_element():
    f = tiny_frames()
    f["disruptions"] = pd.DataFrame({"scenario": ["typhoon"], "kind": ["hub"], "element": ["S_CN"],
                                     "probability": [0.1]})
    p = one_problem(f, "element")
    assert p.startswith("(disruptions, row 2 'typhoon, hub, S_CN') |")
    assert "element 'S_CN' is not a hub id" in p


def test_disruption_scenario_with_two_probabilities():
    f = tiny_frames()
    f["disruptions"] = pd.DataFrame({"scenario": ["strike", "strike"], "kind": ["supplier", "hub"],
                                     "element": ["S_CN", "H1"], "probability": [0.1, 0.2]})
    p = one_problem(f, "probability")
    assert p.startswith("(disruptions, row 3 'strike, hub, H1') |")
    assert "probability 0.2 differs from 0.1" in p


# ---- duplicates ---------------------------------------------------------------------------
def test_duplicate_supplier_id():
    f = tiny_frames()
    f["suppliers"].loc[1, "supplier"] = "S_FR"
    p = one_problem(f, "duplicate")
    assert p.startswith("(suppliers, row 3 'S_FR') |")
    assert "duplicate of row 2 (supplier must be unique)" in p


def test_duplicate_lane_row():
    f = tiny_frames()
    f["lanes"] = pd.concat([f["lanes"], f["lanes"].iloc[[0]]], ignore_index=True)
    p = one_problem(f, "duplicate")
    assert p.startswith("(lanes, row 5 'S_FR, H1, all') |")
    assert "duplicate of row 2 (origin, destination, product must be unique)" in p


# ---- values -------------------------------------------------------------------------------
def test_negative_capacity():
    f = tiny_frames()
    f["supplier_products"].loc[0, "capacity"] = -5
    p = one_problem(f, "capacity")
    assert p.startswith("(supplier_products, row 2 'S_FR, default') |")
    assert "capacity -5 must be >= 0" in p


def test_non_numeric_demand():
    f = tiny_frames()
    f["demand"].loc[0, "demand"] = "lots"
    p = one_problem(f, "lots")
    assert p.startswith("(demand, row 2 'Paris, default') |")
    assert "demand 'lots' is not a number" in p


def test_non_numeric_cost():
    f = tiny_frames()
    f["lanes"].loc[1, "unit_cost"] = "abc"
    p = one_problem(f, "abc")
    assert p.startswith("(lanes, row 3 'S_CN, H1, all') |")
    assert "unit_cost 'abc' is not a number" in p


def test_blank_required_value():
    f = tiny_frames()
    f["suppliers"].loc[0, "country"] = "  "
    p = one_problem(f, "blank")
    assert p.startswith("(suppliers, row 2 'S_FR') |")
    assert "country is required but blank" in p


def test_bad_status_value():
    f = tiny_frames()
    f["suppliers"].loc[1, "status"] = "maybe"
    p = one_problem(f, "maybe")
    assert p.startswith("(suppliers, row 3 'S_CN') |")
    assert "status 'maybe' must be one of candidate, open, closed" in p


# ---- coverage -----------------------------------------------------------------------------
def test_demand_for_a_product_no_supplier_makes():
    f = tiny_frames()
    f["products"] = append(f["products"], product="widget", unit_value=0.0)
    f["demand"] = append(f["demand"], market="Paris", product="widget", demand=5.0)
    p = one_problem(f, "no supplier makes")
    assert p.startswith("(demand, row 3 'Paris, widget') |")
    assert "product 'widget'" in p


def test_market_no_lane_reaches():
    f = tiny_frames()
    f["markets"] = append(f["markets"], market="Lyon", country="FR")
    f["demand"] = append(f["demand"], market="Lyon", product="default", demand=5.0)
    p = one_problem(f, "no lane")
    assert p.startswith("(demand, row 3 'Lyon, default') |")
    assert "market 'Lyon'" in p


def test_capacity_below_demand_warns_with_product_and_shortfall():
    f = tiny_frames()
    f["supplier_products"]["capacity"] = [30.0, 30.0]
    with pytest.warns(DataWarning, match=r"product 'default'.*short by 20 units"):
        net = Network.from_frames(**f)
    assert any("short by 20" in w for w in net.warnings)


# ---- structure ----------------------------------------------------------------------------
def test_missing_required_table():
    f = tiny_frames()
    del f["hubs"]
    assert problems_of(f) == ("(hubs) | required table is missing",)


def test_missing_required_column():
    f = tiny_frames()
    f["suppliers"] = f["suppliers"].drop(columns="country")
    p = one_problem(f, "missing")
    assert p.startswith("(suppliers) |")
    assert "required column 'country' is missing" in p


def test_several_problems_reported_at_once():
    f = tiny_frames()
    f["suppliers"].loc[1, "country"] = "XX"
    f["lanes"].loc[1, "origin"] = "S_XX"
    f["demand"].loc[0, "market"] = "Lyon"
    problems = problems_of(f)
    assert len(problems) >= 3
    assert any(p.startswith("(suppliers, row 3") and "country 'XX'" in p for p in problems)
    assert any(p.startswith("(lanes, row 3") and "origin 'S_XX'" in p for p in problems)
    assert any(p.startswith("(demand, row 2") and "market 'Lyon'" in p for p in problems)


def test_several_value_problems_across_tables_at_once():
    f = tiny_frames()
    f["supplier_products"].loc[0, "capacity"] = -5
    f["demand"].loc[0, "demand"] = "lots"
    f["suppliers"].loc[1, "status"] = "maybe"
    problems = problems_of(f)
    assert len(problems) == 3
    assert str(ValidationError(problems)).startswith("3 problems in the input data:")


def test_inputs_are_not_modified():
    f = tiny_frames()
    f["lanes"].loc[2, "product"] = ""  # blank product: defaulted in the copy only
    before = {name: df.copy(deep=True) for name, df in f.items()}
    Network.from_frames(**f)
    for name, df in f.items():
        pd.testing.assert_frame_equal(df, before[name])


def test_a_solve_leaves_the_network_editable_and_its_plan_untouched_by_edits():
    """A solve froze the network's own columns in place (the model's tables shared them): an edit
    of net.countries after it raised 'assignment destination is read-only'. The model now has
    copies, so an edit afterwards changes neither the model nor the plan."""
    from resilient_sc import solve

    net = examples.electronics()
    plan = solve(net)
    markets, summary = plan.model.sets.markets.copy(), plan.summary()
    net.countries.loc[0, "region"] = "Elsewhere"
    net.markets.loc[0, "market"] = "Renamed"
    net.suppliers.loc[0, "fixed_cost"] = 1e9
    pd.testing.assert_frame_equal(plan.model.sets.markets, markets)
    assert plan.summary() == summary


# ---- files --------------------------------------------------------------------------------
@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    write_network(tiny_frames(), folder)
    return folder


def test_tiny_folder_reads_back(tiny_folder: Path):
    assert repr(read_network(tiny_folder)) == repr(examples.tiny())


def test_empty_csv_file(tiny_folder: Path):
    (tiny_folder / "suppliers.csv").write_bytes(b"")
    with pytest.raises(ValidationError) as info:
        read_network(tiny_folder)
    assert info.value.problems == ("(suppliers) | suppliers.csv is empty (not even a header row)",)


def test_csv_that_is_not_utf8(tiny_folder: Path):
    path = tiny_folder / "markets.csv"
    path.write_bytes(b"market,country\nParis,FR\nOrl\xe9ans,FR\n")
    with pytest.raises(ValidationError) as info:
        read_network(tiny_folder)
    (p,) = info.value.problems
    assert p.startswith("(markets, row 3) |")
    assert "markets.csv is not UTF-8" in p and "0xe9" in p
    # a quoted cell with a line break before it is one spreadsheet row, not two (audit)
    path.write_bytes(b'market,country\n"Berlin\nMitte",DE\nM\xfcnchen,DE\n')
    with pytest.raises(ValidationError) as info:
        read_network(tiny_folder)
    assert info.value.problems[0].startswith("(markets, row 3) | markets.csv is not UTF-8 text (byte 0xfc")


def test_utf8_with_bom_is_read(tiny_folder: Path):
    path = tiny_folder / "countries.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(read_network(tiny_folder).countries) == 2


def test_missing_required_csv(tiny_folder: Path):
    (tiny_folder / "lanes.csv").unlink()
    with pytest.raises(ValidationError, match=r"\(lanes\) \| required table is missing"):
        read_network(tiny_folder)


def test_demand_needs_a_supplier_lane_into_a_hub_that_reaches_the_market():
    """docs/data.md: a market with demand needs a hub -> market lane and some supplier of the
    product a lane to that hub; without the second, validate used to say valid and solve 'no
    plan meets the policy' with no policy given."""
    f = tiny_frames()
    f["lanes"] = f["lanes"].loc[f["lanes"]["destination"] != "H1"].reset_index(drop=True)
    assert problems_of(f) == ("(demand, row 2 'Paris, default') | no supplier of product 'default' has a "
                              "lane to a hub that reaches market 'Paris' (add a supplier -> hub lane in "
                              "lanes)",)
    f = tiny_frames()  # a lane for another product feeds nothing of this one
    inbound = f["lanes"]["destination"] == "H1"
    f["lanes"] = f["lanes"].assign(product=f["lanes"]["product"].where(~inbound, "x"))
    f["products"] = pd.DataFrame({"product": ["default", "x"], "unit_value": [0.0, 0.0]})
    assert len(problems_of(f)) == 1 and "no supplier of product 'default'" in problems_of(f)[0]
    f = tiny_frames()  # a product nobody makes is that problem alone: a lane would not help
    f["demand"] = append(f["demand"], market="Paris", product="widget", demand=5.0, period="")
    f["products"] = pd.DataFrame({"product": ["default", "widget"], "unit_value": [0.0, 0.0]})
    assert [p.split(" | ")[1] for p in problems_of(f)] == [
        "no supplier makes product 'widget' (no supplier_products row with capacity > 0)"]


def test_a_blank_id_from_frames_is_labelled_blank_not_nan():
    """No label for a row whose every key is blank: '(demand, row 68 ', ')' read as a garbled id
    (a formula filled down below the data)."""
    f = tiny_frames()
    f["suppliers"].loc[0, "supplier"] = None
    assert problems_of(f)[0] == "(suppliers, row 2) | supplier is required but blank"
    f = tiny_frames()
    f["demand"] = append(f["demand"], market="", product=None, demand=7.0)  # (of 0: a copied formula, warned)
    assert problems_of(f)[0] == "(demand, row 3) | market is required but blank"


def test_ids_that_differ_only_in_case_are_warned_and_a_lane_says_which_id_it_meant():
    """A supplier 's_cn_ningde' beside 'S_CN_Ningde' passed as a 23rd supplier, and a lane naming
    it in the other case got no hint."""
    import pandas as pd

    from resilient_sc import DataWarning, Network, ValidationError, examples

    f = examples.tiny().frames()
    f["suppliers"] = pd.concat([f["suppliers"], f["suppliers"].iloc[[1]].assign(supplier="s_cn")])
    with pytest.warns(DataWarning, match=r"\(suppliers\) \| ids 'S_CN', 's_cn' differ only in case: they "
                                         r"are 2 different suppliers \(ids are case-sensitive\)"):
        Network.from_frames(**f)
    f = examples.tiny().frames()
    f["lanes"].loc[0, "origin"] = "s_fr"
    with pytest.raises(ValidationError, match=r"origin 's_fr' is not a supplier, hub or market \(did you "
                                              r"mean 'S_FR'\?\)"):
        Network.from_frames(**f)


def test_an_opening_or_closing_cost_no_plan_pays_is_warned_of() -> None:
    """An open element never starts or stops, a closed one never operates (MODEL.md §9): a cost on
    them is dropped from every plan, so the planner hears of it; an existing supplier's
    opening_cost is paid if it is stopped and started again, and stays unwarned."""
    f = examples.tiny().frames()
    f["suppliers"] = f["suppliers"].assign(status=["open", "closed"], opening_cost=[5.0, 0.0],
                                           closing_cost=[0.0, 7.0])
    f["hubs"] = f["hubs"].assign(status="existing", opening_cost=9.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Network.from_frames(**f)
    assert [str(w.message) for w in caught if w.category is DataWarning] == [
        "(suppliers, row 2 'S_FR') | opening_cost 5 is never paid: a supplier of status open operates "
        "in every period (only existing and candidate ones start and stop)",
        "(suppliers, row 3 'S_CN') | closing_cost 7 is never paid: a supplier of status closed never "
        "operates (only existing and candidate ones start and stop)"]


def test_a_tariff_on_a_product_of_no_unit_value_is_warned_of() -> None:
    """A duty is rate × unit_value: on a product without a unit value (or with no products table)
    a tariff costs nothing, and the planner who typed it hears of it (it was dropped silently)."""
    f = examples.electronics().frames()
    f["products"].loc[f["products"]["product"] == "cells", "unit_value"] = 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Network.from_frames(**f)
    said = [str(w.message) for w in caught if w.category is DataWarning]
    cells = f["tariffs"].index[f["tariffs"]["product"] == "cells"]
    to = f["tariffs"]["destination_country"]
    every = int(((f["tariffs"]["product"] == "all") & (f["tariffs"]["rate"] > 0)).sum())
    assert said == [*(f"(tariffs, row {i + 2} 'CN, {to[i]}, cells') | rate "
                      "0.12 costs nothing: product 'cells' has no unit_value (a duty is rate × unit_value)"
                      for i in cells),
                    # the rows for all products too (they were left out: a blank unit_value, duties gone)
                    f"(tariffs) | {every} rows for all products (rate > 0) cost nothing for product 'cells': "
                    "no unit_value (a duty is rate × unit_value); give it in the products table"]
    assert every == 15
    del f["products"]
    with pytest.warns(DataWarning, match=r"^\(tariffs\) \| 20 tariff rows cost nothing: no product has "
                                         r"a unit_value \(a duty is rate × unit_value\); give unit_value in "
                                         "the products table$"):
        Network.from_frames(**f)


def test_a_demand_within_the_solver_tolerance_is_warned_of() -> None:
    """HiGHS meets a row within 1e-6 units: a demand of 1e-7 read as met with nothing shipped (the
    plan said delivered 1e-07, no supplier), and one of 1e-5 may be 10% short, or its local share;
    the planner hears of it, 2e-4 is served and quiet."""
    f = examples.tiny().frames()
    f["demand"]["demand"] = 1e-7
    with pytest.warns(DataWarning, match=r"^\(demand, row 2 'Paris, default'\) \| demand 1e-07 is within 100 "
                                         r"times the solver's tolerance \(1e-06 units\): a plan may leave "
                                         "100% of it, or of the share a policy asks of it, unshipped; give "
                                         "demand in a smaller unit"):
        Network.from_frames(**f)
    f["demand"]["demand"] = 1e-5
    with pytest.warns(DataWarning, match="may leave 10% of it"):
        Network.from_frames(**f)
    f["demand"]["demand"] = 2e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        Network.from_frames(**f)


def test_a_product_typed_otherwise_without_a_products_table_is_suggested() -> None:
    """Without a products table, demand for 'defualt' said only that no supplier makes it (audit)."""
    frames = tiny_frames()
    del frames["products"]
    frames["demand"] = frames["demand"].assign(product="defualt")
    assert problems_of(frames) == ("(demand, row 2 'Paris, defualt') | no supplier makes product 'defualt' "
                                   "(no supplier_products row with capacity > 0) (did you mean 'default'?)",)


def test_a_number_refused_is_shown_as_given() -> None:
    """A share of 1.0000001 is refused as over 1: the message shows 1.0000001, not '1' (':g')."""
    frames = tiny_frames()
    frames["disruptions"] = pd.DataFrame({"scenario": ["s"], "kind": ["supplier"], "element": ["S_CN"],
                                          "probability": [1.0000001]})
    assert one_problem(frames, "probability").endswith("probability 1.0000001 must be in [0, 1]")
    frames["disruptions"]["probability"] = 3.0  # 3 for 3%: the fraction to write (audit)
    said = one_problem(frames, "probability")
    assert said.endswith("probability 3 must be in [0, 1]: a fraction, 0.03 for 3%")
    with pytest.raises(ValidationError, match=r"min_local_share == 1\.0000001, must be in \[0, 1\]"):
        Policy(min_local_share=1.0000001).check()


def test_a_hub_of_capacity_zero_is_warned_of() -> None:
    """A hub of capacity 0 carries nothing, yet it may be opened and a supplier whose lane goes
    to it counted toward min_suppliers (differential audit: S2's only hub at capacity 0, S2
    contracted as a 'qualified backup'); most likely a 0 typed for no limit. A closed one is
    not warned of."""
    f = examples.tiny().frames()
    f["hubs"] = f["hubs"].assign(capacity=0.0)
    with pytest.warns(DataWarning, match=r"^\(hubs, row 2 'H1'\) \| capacity 0: the hub can carry nothing "
                                         r"\(a blank capacity is unlimited\); leave it blank for no limit, "
                                         "or set status closed$"):
        Network.from_frames(**f)
    f["hubs"] = f["hubs"].assign(status="closed")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Network.from_frames(**f)
    assert not [w for w in caught if "capacity 0" in str(w.message)]


def test_a_supplier_or_hub_no_flow_can_use_is_warned_of() -> None:
    """A candidate added to suppliers (or hubs) whose lanes or supplier_products rows were
    forgotten was left out of every plan without a word: it read as not competitive. One line
    per row, its first reason; a closed one is not warned of."""
    f = examples.electronics().frames()
    lanes = f["lanes"]
    f["lanes"] = lanes.loc[~lanes["origin"].isin(["S_CN_Ningde", "H_Busan"])]
    f["supplier_products"] = f["supplier_products"].loc[f["supplier_products"]["supplier"] != "S_KR_Ochang"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Network.from_frames(**f)
    assert [str(w.message) for w in caught if "status closed" in str(w.message)] == [
        "(suppliers, row 9 'S_KR_Ochang') | no supplier_products row names it, so no plan can buy from this "
        "supplier; add what it makes, or set its status closed",
        "(suppliers, row 2 'S_CN_Ningde') | no lane leaves it for a hub, so no plan can buy from this "
        "supplier; add its supplier -> hub lanes, or set its status closed",
        "(hubs, row 9 'H_Busan') | no lane leaves it for a market, so no flow can pass through this hub; add "
        "hub -> market lanes, or set its status closed"]
    for table, ids in (("suppliers", ["S_CN_Ningde", "S_KR_Ochang"]), ("hubs", ["H_Busan"])):
        df = f[table]
        f[table] = df.assign(status=df["status"].where(~df[df.columns[0]].isin(ids), "closed"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Network.from_frames(**f)
    assert not [w for w in caught if "status closed" in str(w.message)]


def test_a_product_no_row_names_is_warned_of() -> None:
    """A 'Total' row under the products sheet (unit blank, unit_value a SUM) read as a fourth
    product without a word (products has one key, so the totals rule keeps it: a product may be
    called so); nothing names it, and that is said."""
    f = examples.electronics().frames()
    f["products"] = pd.concat([f["products"], pd.DataFrame({"product": ["Total"], "unit_value": [245.0]})],
                              ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Network.from_frames(**f)
    assert [str(w.message) for w in caught] == [
        "(products, row 5 'Total') | no demand or supplier_products row names it, so it plays no part in any "
        "plan; delete the row (a totals row?) or add its demand and suppliers"]


@pytest.mark.parametrize("name", ["Total", "Grand total", "SUM", "Total:"])
def test_a_totals_row_under_a_table_is_one_error(name):
    """A 'Total' row under the demand (product blank, a SUM of the demands) gave four errors:
    market 'Total' not in markets, product 'default' not in products, no supplier makes
    'default', no lane reaches 'Total' (the planner typed neither); now one, as for periods."""
    frames = tiny_frames()
    frames["demand"] = append(frames["demand"], market=name, product=None, demand=80)
    frames["disruptions"] = pd.DataFrame({"scenario": ["strike", "Total"], "kind": ["hub", None],
                                          "element": ["H1", None], "probability": [0.1, 0.1]})
    assert problems_of(frames) == (
        f"(demand, row 3) | market '{name}' reads as a totals row, not data: every row is read as data; "
        "delete it",
        "(disruptions, row 3) | scenario 'Total' reads as a totals row, not data: every row is read as "
        "data; delete it")
    frames = tiny_frames()  # a supplier 'TOTAL' (TotalEnergies), alone in its key: an id
    frames["suppliers"] = frames["suppliers"].replace({"S_FR": "TOTAL"})
    frames["supplier_products"] = frames["supplier_products"].replace({"S_FR": "TOTAL"})
    frames["lanes"] = frames["lanes"].replace({"S_FR": "TOTAL"})
    assert "TOTAL" in set(Network.from_frames(**frames).suppliers["supplier"])


def test_numbers_as_a_spreadsheet_shows_them_say_what_to_type():
    """'9,000', '€38.19', '25%' and '1 200' were each only 'is not a number'; a heading with its
    unit, 'capacity (units)', gave an unknown column and a missing 'capacity': one line, naming it."""
    frames = tiny_frames()
    sp = frames["supplier_products"]
    sp["capacity"] = sp["capacity"].astype(object)
    sp.loc[0, "capacity"], sp.loc[1, "capacity"], sp.loc[0, "unit_cost"] = "9,000", "1 200", "€38.19"
    frames["tariffs"] = pd.DataFrame({"origin_country": ["CN"], "destination_country": ["FR"],
                                      "rate": ["25%"]})
    said = problems_of(frames)
    for given, hint in (("capacity '9,000'", "type 9000 (without thousands separators), or 9 if the comma is "
                                             "a decimal comma"),
                        ("capacity '1 200'", "type 1200 (without thousands separators)"),
                        ("unit_cost '€38.19'", "type 38.19 (without the currency sign)"),
                        ("rate '25%'", "type 0.25 for 25% (shares and rates are fractions)")):
        assert any(p.endswith(f"{given} is not a number; {hint}") for p in said), (given, said)
    frames = tiny_frames()
    frames["demand"] = frames["demand"].astype({"demand": object})
    frames["demand"].loc[0, "demand"] = "25%"  # a percentage of a quantity has no reading: no 0.25
    assert next(p for p in problems_of(frames) if "'25%'" in p).endswith("demand '25%' is not a number")
    frames = tiny_frames()
    frames["hubs"] = frames["hubs"].rename(columns={"capacity": "Capacity (units)"})
    assert problems_of(frames) == ("(hubs) | column 'capacity (units)': name it 'capacity'; a unit in the "
                                   "header is not read (quantities are in their product's unit, money in the "
                                   "data's currency)",)


def test_all_products_in_any_case():
    """'All' or 'ALL' for every product gave an unknown product on every lane (214 errors on the
    bundled example, each market then reached by no lane), where 'Closed' is a status: read as
    'all', unless a product is so named."""
    from resilient_sc import solve

    frames = tiny_frames()
    frames["lanes"]["product"] = ["All", "ALL", "all"]
    frames["tariffs"] = pd.DataFrame({"origin_country": ["CN"], "destination_country": ["FR"],
                                      "product": ["All"], "rate": [0.5]})
    net = Network.from_frames(**frames)
    assert net.lanes["product"].tolist() == ["all"] * 3 and net.tariffs["product"].tolist() == ["all"]
    frames["lanes"]["product"] = "all"
    frames["tariffs"]["product"] = "all"
    assert solve(net).objective == solve(Network.from_frames(**frames)).objective


def test_all_beside_all_in_another_case_is_a_duplicate():
    """A lane given as 'all' and again as 'All' (at another cost) validated, and the cheaper row
    was used: the duplicate check ran before 'All' read as 'all'."""
    frames = tiny_frames()
    lanes = frames["lanes"]
    frames["lanes"] = pd.concat([lanes, lanes.iloc[[0]].assign(product="All", unit_cost=0.0)],
                                ignore_index=True)
    frames["tariffs"] = pd.DataFrame({"origin_country": ["CN", "CN"], "destination_country": ["FR", "FR"],
                                      "product": ["all", "ALL"], "rate": [0.5, 0.0]})
    with pytest.raises(ValidationError) as err:
        Network.from_frames(**frames)
    assert list(err.value.problems) == [
        "(lanes, row 5 'S_FR, H1, all') | duplicate of row 2 (origin, destination, product must be unique; "
        "'All', 'ALL' mean 'all', every product)",
        "(tariffs, row 3 'CN, FR, all') | duplicate of row 2 (origin_country, destination_country, product, "
        "period must be unique; 'All', 'ALL' mean 'all', every product)"]


def test_numbers_typed_as_text_read_back_exactly(tmp_path: Path):
    """A CSV number read through pandas' to_numeric was one unit in the last place off before
    pandas 3.1 ('2800.3333333333335' read 2800.333333333333); the tables read it as Python does."""
    f = tiny_frames()
    f["demand"]["demand"] = f["demand"]["demand"].astype(object)
    f["demand"].loc[0, "demand"] = "2800.3333333333335"  # text: parsed by the reader, not by pandas
    assert Network.from_frames(**f).demand["demand"].iloc[0] == 2800.3333333333335


def test_capacity_short_of_demand_counts_no_closed_supplier():
    """A closed supplier's capacity made the total look enough (97,300 where 85,100 was usable,
    the error then said 85,100): not counted. The words no longer say 'unless the policy sets
    shortfall_penalty' to a policy that sets one."""
    frames = tiny_frames()
    frames["suppliers"]["status"] = ["candidate", "closed"]  # S_CN's 100 closed
    frames["supplier_products"]["capacity"] = [60.0, 100.0]
    with pytest.warns(DataWarning, match=r"product 'default': total capacity 60 is below total demand 80 "
                                         r"\(short by 20 units of 'default'\); every plan leaves it short: a "
                                         "policy without shortfall_penalty has no plan"):
        Network.from_frames(**frames)


def test_a_market_named_somme_is_a_market():
    """A single-product network's market 'Somme' (a French département; its product blank) was
    refused as a totals row by the words of other languages the periods take (review)."""
    frames = tiny_frames()
    for name in ("markets", "demand", "lanes"):
        frames[name] = frames[name].replace({"Paris": "Somme"})
    frames["demand"] = frames["demand"].assign(product="")
    assert Network.from_frames(**frames).demand["market"].tolist() == ["Somme"]


@pytest.mark.parametrize("word", ["none", "N/A", " - ", "null", "no bloc", "0", "FALSE"])
def test_a_bloc_written_as_a_word_for_none_is_refused(word):
    """Any text is a bloc: FR and CN both 'none' were allies, and min_allied_share 1 bought from
    China (960 where a blank bloc gave 4,160 in the audit's network, without a word). 0 and FALSE
    are what a spreadsheet's VLOOKUP of a blank cell and a boolean cell read as (audit)."""
    frames = tiny_frames()
    frames["countries"] = frames["countries"].assign(bloc=[word, word])
    said = (f"bloc {word.strip()!r} reads as no bloc, but any text is a bloc, whose countries are allies of "
            "each other")
    fix = "leave the cell blank for no bloc, or give a bloc so named a name with letters"
    assert problems_of(frames) == (f"(countries, row 2 'FR') | {said}: {fix}",
                                   f"(countries, row 3 'CN') | {said}: {fix}")


@pytest.mark.parametrize("word", ["0", "none", "n/a", "-"])
def test_a_region_written_as_a_word_for_none_is_refused(word):
    """Any text is a region: CN, US and CA given '0' (a lookup of a blank) made China local to the
    US and Canada, and min_local_share was met by goods made in China, said valid (output audit)."""
    frames = tiny_frames()
    frames["countries"] = frames["countries"].assign(region=["Europe", word])
    said = (f"region {word!r} reads as no region, but any text is a region, whose countries are local to "
            "each other: give the country's region")
    assert problems_of(frames) == (f"(countries, row 3 'CN') | {said}",)



def test_regions_numbered_from_0_are_regions():
    """Regions numbered 0, 1, 2 are a numbering, not a lookup of a blank (review audit)."""
    frames = tiny_frames()
    frames["countries"] = frames["countries"].assign(region=["0", "1"])
    assert Network.from_frames(**frames).countries["region"].tolist() == ["0", "1"]


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#NAME?", "#value!", "Err:502"])
def test_a_spreadsheet_error_value_saved_as_text_is_refused(error):
    """A failed formula saved to CSV is its error text: as a region it was a real region (China
    'local' to the US), as a bloc an alliance, as an id a node; refused wherever text is read
    (output audit; a workbook's error cell was refused already)."""
    frames = tiny_frames()
    frames["countries"] = frames["countries"].assign(region=["Europe", error], bloc=[error, ""])
    said = ("is a spreadsheet's error value (a formula that failed, such as a lookup that found nothing, "
            "saved as text); type the {} itself")
    assert problems_of(frames) == (f"(countries, row 3 'CN') | region {error!r} {said.format('region')}",
                                   f"(countries, row 2 'FR') | bloc {error!r} {said.format('bloc')}")


def test_a_row_of_units_under_the_header_is_one_error():
    """',,EUR,units,EUR/unit,,deg,deg' under the hubs' header gave seven lines ('hub is required but
    blank', "fixed_cost 'EUR' is not a number", ...), none saying what the row is (spreadsheets
    audit)."""
    frames = tiny_frames()
    hubs = frames["hubs"]
    units = pd.DataFrame([{c: "" for c in hubs.columns} | {"fixed_cost": "EUR", "capacity": "units",
                                                             "handling_cost": "EUR/unit"}])
    frames["hubs"] = pd.concat([units, hubs], ignore_index=True)
    assert problems_of(frames) == ("(hubs, row 2) | reads as a row of units under the header ('EUR', "
                                   "'units', 'EUR/unit'), not data: every row is read as data; delete it "
                                   "(each column's unit is fixed: docs/data.md)",)


def test_formulas_copied_below_the_data_are_one_warning_not_a_hundred_errors():
    """Rows whose market is "" and demand 0 (formulas dragged below the data, as Excel saves them)
    gave 52 'market is required but blank' and 51 'duplicate of row 68' (spreadsheets audit): not
    read, said once; a blank market with a demand is still an error."""
    frames = tiny_frames()
    dragged = pd.DataFrame({"market": [""] * 3, "product": [""] * 3, "demand": [0, "0", 0.0]})
    frames["demand"] = pd.concat([frames["demand"], dragged], ignore_index=True)
    with pytest.warns(DataWarning, match=r"\(demand, rows 3-5 \(3\)\) \| every key blank and every other "
                                         r"cell blank or 0 \(formulas copied below the data\?\): not read"):
        net = Network.from_frames(**frames)
    assert len(net.demand) == 1
    frames["demand"].loc[1, "demand"] = 5
    assert problems_of(frames)[0].startswith("(demand, row 3) | market is required but blank")


def test_a_blank_product_cell_is_said_blank_not_only_default():
    """A blank product cell was reported as "product 'default' is not in products", naming a
    product nobody typed (docs audit)."""
    f = {name: df.astype(object) for name, df in examples.electronics().frames().items() if len(df)}
    f["demand"].loc[0, "product"] = ""
    p = one_problem(f, "is not in products")
    assert p.endswith("product 'default' is not in products (a blank product cell reads as 'default')")
