"""The data of a roadmap (docs/data.md, periods; docs/formulation.md §9): the ``periods`` table, the
``period`` column of demand, supplier_products and tariffs (a period row overrides the blank row),
the transition columns of suppliers and hubs and the ``existing`` status, and their checks."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, examples, read_network
from resilient_sc.exceptions import DataWarning, ValidationError
from resilient_sc.io import write_network
from resilient_sc.period_rows import effective_rows

SHORT = "every plan leaves it short: a policy without shortfall_penalty has no plan"
NO_TABLE = "list the periods in a periods table, or leave period blank (the row holds in every period)"


def frames(**edit: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tiny network's tables (S_FR, S_CN of capacity 100 each; Paris needs 80) over the
    periods 2026, 2027, 2028, with the tables in ``edit`` replaced."""
    f = examples.tiny().frames()
    del f["products"]  # derived from the data: a new product needs no row
    f["periods"] = pd.DataFrame({"period": ["2026", "2027", "2028"], "weight": [1.0, 0.95, 0.9]})
    f.update(edit)
    return f


def problems(f: dict[str, pd.DataFrame]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        Network.from_frames(**f)
    return list(info.value.problems)


def loaded(f: dict[str, pd.DataFrame]) -> Network:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return Network.from_frames(**f)


def demand(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"market": "Paris", "period": [p for p, _ in rows], "demand": [d for _, d in rows]})


def supply(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"supplier": [s for s, _, _ in rows], "period": [p for _, p, _ in rows],
                         "capacity": [c for _, _, c in rows]})


# ---- a valid roadmap ---------------------------------------------------------------------------
def test_a_multi_period_network_loads() -> None:
    f = frames(
        demand=demand([("", 80), ("2027", 120), ("2028", 0)]),
        supplier_products=supply([("S_FR", "", 100), ("S_CN", "", 100), ("S_CN", "2028", 0)]),
        tariffs=pd.DataFrame({"origin_country": "CN", "destination_country": "FR",
                              "rate": [0.05, 0.25], "period": ["", "2028"]}),
        products=pd.DataFrame({"product": ["default"], "unit_value": [10.0]}),  # priced tariffs
    )
    f["suppliers"] = f["suppliers"].assign(status=["existing", "candidate"], opening_cost=[0, 300],
                                           closing_cost=[400, 0], lead_time=[0, 1])
    f["hubs"] = f["hubs"].assign(status="existing", opening_cost=50)
    net = Network.from_frames(**f)
    assert not net.warnings
    assert net.periods["period"].tolist() == ["2026", "2027", "2028"]
    assert net.periods["weight"].tolist() == [1.0, 0.95, 0.9]
    # the zero row of 2028 stays: it overrides the blank row (no demand in 2028)
    assert net.demand[["period", "demand"]].values.tolist() == [["", 80.0], ["2027", 120.0], ["2028", 0.0]]
    assert net.supplier_products["period"].tolist() == ["", "", "2028"]
    assert net.tariffs["period"].tolist() == ["", "2028"]
    assert net.suppliers["status"].tolist() == ["existing", "candidate"]
    assert net.suppliers[["opening_cost", "closing_cost", "lead_time"]].values.tolist() == [
        [0.0, 400.0, 0.0], [300.0, 0.0, 1.0]]
    assert net.hubs[["status", "opening_cost", "closing_cost", "lead_time"]].values.tolist() == [
        ["existing", 50.0, 0.0, 0.0]]


def test_without_periods_the_new_columns_take_their_defaults() -> None:
    net = examples.tiny()
    assert net.periods.empty and list(net.periods.columns) == ["period", "weight", "_row"]
    assert set(net.demand["period"]) == {""} and set(net.supplier_products["period"]) == {""}
    for table in (net.suppliers, net.hubs):
        assert (table[["opening_cost", "closing_cost", "lead_time"]] == 0).all().all()


def test_a_roadmap_reads_back_from_csv(tmp_path: Path) -> None:
    """Period ids are text: ``2027`` stays '2027', in the periods table and in the period column."""
    net = loaded(frames(demand=demand([("", 80), ("2027", 90)])))
    folder = tmp_path / "net"
    write_network(net.frames(), folder)
    assert (folder / "periods.csv").read_text(encoding="utf-8").splitlines()[:2] == ["period,weight",
                                                                                     "2026,1"]  # whole: no .0
    again = read_network(folder)
    assert again.periods["period"].tolist() == ["2026", "2027", "2028"]
    assert again.demand["period"].tolist() == ["", "2027"]


def test_a_period_written_back_by_pandas_reads_as_its_year(tmp_path: Path) -> None:
    """pandas reads a period column with blanks as floats and writes ``2027.0`` back: it is 2027,
    in the period column and in the periods table alike (a workbook's number 2027.0 reads so too)."""
    folder = tmp_path / "net"
    write_network(loaded(frames(demand=demand([("", 80), ("2027", 90)]))).frames(), folder)
    for name in ("demand", "periods"):
        path = folder / f"{name}.csv"
        table = pd.read_csv(path)
        table["period"] = pd.to_numeric(table["period"])  # the float column pandas' own read gives
        table.to_csv(path, index=False)
    assert "2027.0" in (folder / "demand.csv").read_text(encoding="utf-8")
    again = read_network(folder)
    assert again.periods["period"].tolist() == ["2026", "2027", "2028"]
    assert again.demand["period"].tolist() == ["", "2027"]


def test_a_periods_table_with_its_header_only_is_no_periods(tmp_path: Path) -> None:
    folder = tmp_path / "net"
    write_network(examples.tiny().frames(), folder)
    assert (folder / "periods.csv").read_text(encoding="utf-8").strip() == "period,weight"
    net = read_network(folder)
    assert net.periods.empty and not net.warnings


def test_effective_rows_replace_the_blank_row_in_the_period_named() -> None:
    df = pd.DataFrame({"market": ["M", "M", "N", "M"], "product": ["p", "p", "p", "q"],
                       "period": ["", "2027", "", "2028"]})
    rows = effective_rows(df, ("market", "product"), ["2026", "2027", "2028"])
    assert {t: pos.tolist() for t, pos in rows.items()} == {"2026": [0, 2], "2027": [1, 2],
                                                           "2028": [0, 2, 3]}
    assert effective_rows(df.iloc[:0], ("market", "product"), ["2026"])["2026"].tolist() == []


# ---- the period column -------------------------------------------------------------------------
def test_a_period_not_in_periods_is_an_error() -> None:
    f = frames(demand=demand([("", 80), ("2029", 90)]),
               supplier_products=supply([("S_FR", "", 100), ("S_CN", "2O27", 100)]),
               tariffs=pd.DataFrame({"origin_country": ["CN"], "destination_country": ["FR"],
                                     "rate": [0.1], "period": ["2030"]}))
    assert problems(f) == [
        "(supplier_products, row 3 'S_CN, default, 2O27') | period '2O27' is not in periods "
        "(did you mean '2027'?); periods are: 2026, 2027, 2028",
        "(demand, row 3 'Paris, default, 2029') | period '2029' is not in periods; periods are: 2026, 2027, "
        "2028",  # no year next to it guessed (it was 2028)
        "(tariffs, row 2 'CN, FR, all, 2030') | period '2030' is not in periods; periods are: 2026, 2027, "
        "2028",
    ]


def test_a_period_named_as_a_timeline_column_is_an_error() -> None:
    """A roadmap's timeline has a column per period beside kind, id and country: a period named
    'country' validated, solved, and then failed every save with a pandas error."""
    f = frames()
    f["periods"] = pd.DataFrame({"period": ["2026", "country", "id"], "weight": [1.0, 1.0, 1.0]})
    assert problems(f) == [
        "(periods, row 3 'country') | period 'country' is the name of a column of the roadmap's timeline "
        "(kind, id, country); name it otherwise",
        "(periods, row 4 'id') | period 'id' is the name of a column of the roadmap's timeline (kind, id, "
        "country); name it otherwise"]


def test_a_totals_row_under_the_periods_is_no_period() -> None:
    """A planner's 'Total' row (the sum of the weights) under the periods became a sixth period,
    with every blank-period demand row in it: the roadmap's cost doubled (54.7M -> 108.9M), no word;
    so did 'Total:', 'Total 2026-2030' and 'Summe' (spreadsheets audit)."""
    f = frames()
    totals = ["Total", "Sum of weights", "Total:", "Total 2026-2030", "Summe", "grand total", "∑",
              "2031 total"]
    f["periods"] = pd.DataFrame({"period": ["2026", "2027", "Summer", "Totalenergies", *totals],
                                 "weight": [1.0, 0.9, 0.8, 0.7, *[3.4] * len(totals)]})
    assert problems(f) == [
        f"(periods, row {row} '{name}') | period '{name}' reads as a totals row, not a period: every row is "
        "a period planned (the demand rows of no period in it too); delete it"
        for row, name in enumerate(totals, start=6)]


def test_a_period_without_a_periods_table_is_an_error() -> None:
    f = frames(demand=demand([("", 80), ("2027", 90)]))
    del f["periods"]
    assert problems(f) == [
        f"(demand, row 3 'Paris, default, 2027') | period '2027' is named but there is no periods "
        f"table; {NO_TABLE}"]
    f["periods"] = pd.DataFrame({"period": [], "weight": []})  # the header only: no periods either
    assert problems(f) == [
        f"(demand, row 3 'Paris, default, 2027') | period '2027' is named but the periods table has "
        f"no rows; {NO_TABLE}"]


def test_many_unknown_periods_are_counted() -> None:
    f = frames(demand=pd.DataFrame({"market": "Paris", "period": [f"y{i}" for i in range(25)],
                                    "demand": 1.0}))
    found = problems(f)
    assert len(found) == 11
    assert found[0] == ("(demand, row 2 'Paris, default, y0') | period 'y0' is not in periods; periods are: "
                        "2026, 2027, 2028")
    assert found[-1] == "(demand) | … and 15 more rows where period is not in periods (25 in all)"


def test_an_override_is_no_duplicate_but_the_same_period_twice_is() -> None:
    loaded(frames(demand=demand([("", 80), ("2027", 90), ("2028", 70)])))  # fine
    assert problems(frames(demand=demand([("", 80), ("2027", 90), ("2027", 95)]))) == [
        "(demand, row 4 'Paris, default, 2027') | duplicate of row 3 (market, product, period must "
        "be unique)"]
    assert problems(frames(demand=demand([("", 80), ("", 90)]))) == [
        "(demand, row 3 'Paris, default') | duplicate of row 2 (market, product, period must be unique)"]
    f = frames(supplier_products=supply([("S_FR", "", 100), ("S_FR", "2026", 50), ("S_FR", "2026", 60),
                                         ("S_CN", "", 100)]))
    assert problems(f) == [
        "(supplier_products, row 4 'S_FR, default, 2026') | duplicate of row 3 (supplier, product, "
        "period must be unique)"]


# ---- the periods table and the transition columns ----------------------------------------------
@pytest.mark.parametrize(("weight", "message"), [
    (-1, "weight -1 must be >= 0"), (np.inf, "weight 'inf' must be finite"),
    ("soon", "weight 'soon' is not a number")])
def test_a_weight_is_a_finite_number_at_least_zero(weight: object, message: str) -> None:
    f = frames()
    f["periods"] = pd.DataFrame({"period": ["2026", "2027"], "weight": [1.0, weight]}, dtype=object)
    assert problems(f) == [f"(periods, row 3 '2027') | {message}"]


def test_a_period_listed_twice_is_an_error() -> None:
    f = frames(periods=pd.DataFrame({"period": ["2026", "2027", "2026"]}))
    assert problems(f) == ["(periods, row 4 '2026') | duplicate of row 2 (period must be unique)"]


@pytest.mark.parametrize("table", ["suppliers", "hubs"])
def test_a_lead_time_is_a_whole_number(table: str) -> None:
    f = frames()
    ids = f[table].iloc[:, 0].tolist()
    f[table] = f[table].assign(lead_time=[1.5] + [0] * (len(ids) - 1))
    assert problems(f) == [f"({table}, row 2 '{ids[0]}') | lead_time 1.5 must be a whole number of periods"]
    f[table] = f[table].assign(lead_time=["2"] + ["1.0"] * (len(ids) - 1))  # text, whole: fine
    loaded(f)
    f[table] = f[table].assign(lead_time=[-1] + [0] * (len(ids) - 1))
    assert problems(f) == [f"({table}, row 2 '{ids[0]}') | lead_time -1 must be >= 0"]


def test_opening_and_closing_costs_are_money_at_least_zero() -> None:
    f = frames()
    f["suppliers"] = f["suppliers"].assign(opening_cost=[-5, 0], closing_cost=[0, "x"])
    assert problems(f) == ["(suppliers, row 2 'S_FR') | opening_cost -5 must be >= 0",
                           "(suppliers, row 3 'S_CN') | closing_cost 'x' is not a number"]


def test_existing_is_a_status_and_a_near_miss_is_an_error() -> None:
    f = frames()
    f["hubs"] = f["hubs"].assign(status="Existing")
    assert loaded(f).hubs["status"].tolist() == ["existing"]
    f["hubs"] = f["hubs"].assign(status="exisitng")
    assert problems(f) == ["(hubs, row 2 'H1') | status 'exisitng' must be one of candidate, open, "
                           "closed, existing (did you mean 'existing'?)"]


def warned(f: dict[str, pd.DataFrame]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = Network.from_frames(**f)
    assert [str(w.message) for w in caught if issubclass(w.category, DataWarning)] == list(net.warnings)
    return list(net.warnings)


def test_a_period_of_weight_0_is_warned_about() -> None:
    """Its costs count for nothing, its opening and closing costs too: the path moves starts and
    stops there for free (the example's 2027 at weight 0 took five transitions of 2028 and 2029),
    and its own design is arbitrary."""
    f = frames(periods=pd.DataFrame({"period": ["2026", "2027", "2028"], "weight": [1.0, 0.0, 0.9]}))
    assert warned(f) == ["(periods, row 3 '2027') | weight 0: the period's costs count for nothing, its "
                         "opening and closing costs too, so the path may start and stop suppliers and hubs "
                         "there for free (moving the transitions around it) and its own design is "
                         "arbitrary; give it a small weight > 0"]
    assert warned(frames()) == []


def test_periods_out_of_time_order_are_warned_about() -> None:
    """Row order is time (lead times, opening and closing count along it): 2028, 2026, 2027 was
    taken silently as that order. Ids that are not numbers (Q1, Q2) are not judged."""
    f = frames(periods=pd.DataFrame({"period": ["2028", "2026", "2027"], "weight": 1.0}))
    assert warned(f) == ["(periods, row 3 '2026') | period '2026' comes after '2028': periods follow the "
                         "table's row order (lead times, opening and closing count along it); sort the rows "
                         "by time if that is not the order meant"]
    assert warned(frames(periods=pd.DataFrame({"period": ["Q2", "Q1"], "weight": 1.0}))) == []


def test_a_lead_time_on_an_element_in_operation_is_ignored_with_a_warning() -> None:
    f = frames()
    f["suppliers"] = f["suppliers"].assign(status=["existing", "open"], lead_time=[1, 2])
    f["hubs"] = f["hubs"].assign(status="closed", lead_time=1)
    assert warned(f) == [
        "(suppliers, row 2 'S_FR') | lead_time 1 is ignored: only a candidate waits for its lead time "
        "(status is 'existing')",
        "(suppliers, row 3 'S_CN') | lead_time 2 is ignored: only a candidate waits for its lead time "
        "(status is 'open')",
        "(hubs, row 2 'H1') | lead_time 1 is ignored: only a candidate waits for its lead time "
        "(status is 'closed')",
    ]
    f["suppliers"] = f["suppliers"].assign(status="candidate")
    f["hubs"] = f["hubs"].assign(status="candidate", lead_time=0)
    assert warned(f) == []  # lead times 1 and 2: the second and third of three periods


def test_a_lead_time_past_the_last_period_is_a_warning() -> None:
    f = frames()
    f["suppliers"] = f["suppliers"].assign(lead_time=[3, 2])
    assert warned(f) == [
        "(suppliers, row 2 'S_FR') | lead_time 3 is past the last period: there are 3 periods "
        "(positions 0 to 2), so the supplier can never operate"]
    f["periods"] = pd.DataFrame({"period": ["2026"], "weight": [1.0]})
    assert warned(f)[0] == ("(suppliers, row 2 'S_FR') | lead_time 3 is past the last period: there is "
                            "1 period (position 0), so the supplier can never operate")
    del f["periods"]
    f["hubs"] = f["hubs"].assign(lead_time=1)
    assert warned(f) == [
        "(suppliers, row 2 'S_FR') | lead_time 3 is past the last period: without a periods table there "
        "is one period (position 0), so the supplier can never operate",
        "(suppliers, row 3 'S_CN') | lead_time 2 is past the last period: without a periods table there "
        "is one period (position 0), so the supplier can never operate",
        "(hubs, row 2 'H1') | lead_time 1 is past the last period: without a periods table there "
        "is one period (position 0), so the hub can never operate",
    ]


# ---- coverage in each period -------------------------------------------------------------------
def test_capacity_short_of_demand_is_a_warning_naming_the_period() -> None:
    f = frames(demand=demand([("", 80), ("2027", 250)]))
    assert warned(f) == [
        f"(supplier_products) | product 'default' in period '2027': total capacity 200 is below total "
        f"demand 250 (short by 50 units of 'default'); {SHORT}"]
    # the same shortage in two periods: one warning naming both
    f = frames(demand=demand([("", 250), ("2027", 80)]))
    assert warned(f) == [
        f"(supplier_products) | product 'default' in periods '2026', '2028': total capacity 200 is "
        f"below total demand 250 (short by 50 units of 'default'); {SHORT}"]
    # capacity overridden in one period
    f = frames(demand=demand([("", 180)]),
               supplier_products=supply([("S_FR", "", 100), ("S_CN", "", 100), ("S_CN", "2028", 50)]))
    assert warned(f) == [
        f"(supplier_products) | product 'default' in period '2028': total capacity 150 is below total "
        f"demand 180 (short by 30 units of 'default'); {SHORT}"]


def test_without_periods_the_shortage_warning_is_as_before() -> None:
    f = frames(demand=demand([("", 250)]))
    del f["periods"]
    assert warned(f) == [
        f"(supplier_products) | product 'default': total capacity 200 is below total demand 250 "
        f"(short by 50 units of 'default'); {SHORT}"]
    f = frames(demand=demand([("", 999_999.6)]))  # as written, never 1e+06
    del f["periods"]
    assert warned(f) == [
        f"(supplier_products) | product 'default': total capacity 200 is below total demand 999,999.6 "
        f"(short by 999,799.6 units of 'default'); {SHORT}"]


def test_a_product_no_supplier_makes_in_a_period_is_an_error_naming_it() -> None:
    f = frames(supplier_products=supply([("S_FR", "", 100), ("S_CN", "", 100), ("S_FR", "2028", 0),
                                         ("S_CN", "2028", 0)]))
    assert problems(f) == [
        "(demand, row 2 'Paris, default') | no supplier makes product 'default' in period '2028' (no "
        "supplier_products row with capacity > 0 in that period)"]
    f = frames(supplier_products=supply([("S_FR", "", 0), ("S_CN", "", 0), ("S_CN", "2027", 100)]))
    assert problems(f) == [
        "(demand, row 2 'Paris, default') | no supplier makes product 'default' in periods '2026', "
        "'2028' (no supplier_products row with capacity > 0 in those periods)"]
    # no demand in the periods that nothing is made in: fine
    f["demand"] = demand([("", 0), ("2027", 80)])
    assert warned(f) == []
    f["demand"] = demand([("", 80), ("2026", 0), ("2028", 0)])
    assert warned(f) == []


def test_a_period_row_is_checked_in_its_own_period() -> None:
    """A demand row for a product that is made only in other periods is an error on that row."""
    sp = pd.DataFrame({"supplier": ["S_FR", "S_CN", "S_CN"], "product": ["default", "default", "gadget"],
                       "period": ["", "", "2026"], "capacity": [100, 100, 10]})
    dm = pd.DataFrame({"market": "Paris", "product": ["default", "gadget"], "period": ["", "2027"],
                       "demand": [80, 5]})
    assert problems(frames(supplier_products=sp, demand=dm)) == [
        "(demand, row 3 'Paris, gadget, 2027') | no supplier makes product 'gadget' in period '2027' "
        "(no supplier_products row with capacity > 0 in that period)"]


def test_demand_never_in_force_needs_no_supplier_nor_lane() -> None:
    """A blank demand row that a zero row of every period overrides is never in force."""
    lanes = examples.tiny().frames()["lanes"].assign(product="default")  # gadget reaches no market
    dm = pd.DataFrame({"market": "Paris", "product": ["default", "gadget"], "period": "", "demand": [80, 50]})
    assert problems(frames(demand=dm, lanes=lanes)) == [
        "(demand, row 3 'Paris, gadget') | no supplier makes product 'gadget' in periods '2026', '2027', "
        "'2028' (no supplier_products row with capacity > 0 in those periods)",
        "(demand, row 3 'Paris, gadget') | no lane reaches market 'Paris' with product 'gadget' (add a "
        "hub -> market lane in lanes)"]
    zero = pd.DataFrame({"market": "Paris", "product": "gadget", "period": ["2026", "2027", "2028"],
                         "demand": 0})
    assert warned(frames(demand=pd.concat([dm, zero], ignore_index=True), lanes=lanes)) == []
    # in force in one period: checked
    zero = zero.iloc[:2]
    assert problems(frames(demand=pd.concat([dm, zero], ignore_index=True), lanes=lanes)) == [
        "(demand, row 3 'Paris, gadget') | no supplier makes product 'gadget' in period '2028' (no "
        "supplier_products row with capacity > 0 in that period)",
        "(demand, row 3 'Paris, gadget') | no lane reaches market 'Paris' with product 'gadget' (add a "
        "hub -> market lane in lanes)"]


def test_the_xlsx_template_takes_periods_typed_as_numbers(tmp_path: Path) -> None:
    """Excel stores 2027 typed in a cell as a number: it reads back as the period id '2027'."""
    import openpyxl

    from resilient_sc.template import write_template

    path = write_template(tmp_path / "net.xlsx")
    book = openpyxl.load_workbook(path)
    book["periods"].append([2026, 1])
    book["periods"].append([2027.0, 0.9])
    ws = book["demand"]
    ws.append(["M_Paris", "widget", 5000, 2027])
    book.save(path)
    net = read_network(path)
    assert net.periods["period"].tolist() == ["2026", "2027"]
    assert net.demand[["period", "demand"]].values.tolist() == [["", 4000.0], ["2027", 5000.0]]
    assert not net.warnings


def test_a_tariff_for_all_products_in_a_period_warns_of_the_products_it_leaves() -> None:
    """'CN, FR, all, 2028' at 1.0 beside 'CN, FR, default' (every period): the product's own row
    holds in 2028 (a period row replaces the row of its own keys only), so the planner hears
    which product keeps its rate; with a 2028 row of that product too, nothing is said."""
    tariffs = pd.DataFrame({"origin_country": "CN", "destination_country": "FR",
                            "product": ["all", "default", "all"], "rate": [0.05, 0.0, 1.0],
                            "period": ["", "", "2028"]})
    f = frames(demand=demand([("", 80)]), tariffs=tariffs,
               products=pd.DataFrame({"product": ["default"], "unit_value": [10.0]}))
    with pytest.warns(DataWarning, match=r"^\(tariffs, row 4 'CN, FR, all, 2028'\) \| sets every "
                                         r"product's rate CN → FR in '2028' but 'default', whose own row "
                                         r"holds in every period, keeps it: add a row of that product for"):
        Network.from_frames(**f)
    f["tariffs"] = pd.concat([tariffs, pd.DataFrame({"origin_country": ["CN"], "destination_country": ["FR"],
                                                     "product": ["default"], "rate": [1.0],
                                                     "period": ["2028"]})], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        Network.from_frames(**f)


def test_periods_that_skip_years_warn_that_lead_times_count_periods() -> None:
    """2026, 2028, 2030 with a candidate of lead_time 1: it waits one period, two years, and the
    planner hears it; the same periods without a lead time are quiet."""
    periods = pd.DataFrame({"period": ["2026", "2028", "2030"]})
    f = frames(periods=periods)
    f["suppliers"] = f["suppliers"].assign(status=["existing", "candidate"], lead_time=[0, 1])
    with pytest.warns(DataWarning, match=r"^\(periods, row 3 '2028'\) \| period '2028' follows '2026': a "
                                         "lead_time counts periods, not years"):
        Network.from_frames(**f)
    f["suppliers"] = f["suppliers"].assign(lead_time=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        Network.from_frames(**f)


def test_a_period_of_a_network_edited_in_place_is_refused():
    """in_period of a network whose demand was edited in place gave a copy with fresh digests,
    solved from the edit unchecked (the network itself refused it: review)."""
    from resilient_sc import examples, solve
    from resilient_sc.periods import in_period

    net = examples.electronics_roadmap()
    net.demand.loc[net.demand.index[0], "demand"] = 5000.0
    with pytest.raises(ValidationError, match=r"\(demand\) \| the table was changed after the network"):
        solve(in_period(net, "2027"))
