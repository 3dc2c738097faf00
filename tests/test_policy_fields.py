"""POLICY_FIELDS: one row per Policy field, and the code and docs driven from it (checking, the
strictest of several mapping keys, field names, units of figures, the docs' field table)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import DataWarning, Policy, ValidationError, examples
from resilient_sc.analysis import frontier
from resilient_sc.analysis.figures import field_unit
from resilient_sc.policies import check_policies, load_policies, with_base
from resilient_sc.policy import POLICY_FIELDS, PolicyField

ROOT = Path(__file__).resolve().parents[1]
REGIONS, PRODUCTS = {"Europe", "Asia", "both"}, {"chips", "cells", "both"}
NUMBERS = [row for row in POLICY_FIELDS.values() if row.range is not None]
KEYED = [row for row in POLICY_FIELDS.values() if row.keys]
ids = lambda row: row.name  # noqa: E731


#: a valid value of each field another one needs (``service_level`` needs ``survive``)
NEEDED = {"survive": ("supplier",), "shortfall_penalty": 100.0}


def problems(**fields: object) -> list[str]:
    """The problems ``Policy(**fields).check`` reports on REGIONS and PRODUCTS (empty: valid),
    with the field a given one needs set too."""
    needs = {POLICY_FIELDS[name].needs for name in fields} - {""} - set(fields)
    try:
        Policy(**fields, **{name: NEEDED[name] for name in needs}).check(REGIONS, PRODUCTS)
    except ValidationError as exc:
        return list(exc.problems)
    return []


# ---- the table itself ----------------------------------------------------------------------
def test_one_row_per_policy_field_in_field_order() -> None:
    assert list(POLICY_FIELDS) == [f.name for f in dataclasses.fields(Policy)]
    assert all(isinstance(row, PolicyField) and row.name == name for name, row in POLICY_FIELDS.items())


@pytest.mark.parametrize("row", POLICY_FIELDS.values(), ids=ids)
def test_row_agrees_with_the_annotation(row: PolicyField) -> None:
    first = row.type.split(" | ")[0]
    assert (row.range is not None) == (first in ("int", "float"))
    assert row.integer == (first == "int")
    assert bool(row.keys) == ("Mapping" in row.type)
    assert set(row.keys) <= {"region", "product"}
    # a lower bound binds at its largest, a cap at its smallest, a price of a unit short at its
    # highest (it protects demand the most)
    assert row.strictest == ("" if not row.keys else "max" if row.name.startswith("min_")
                             or row.name in ("service_level", "shortfall_penalty") else "min")
    assert row.range is None or row.range[0] <= row.range[1]
    assert row.description and (row.unit or row.range is None)


# ---- check(): a field that does nothing without another --------------------------------------
def test_a_field_set_without_the_field_it_needs_is_an_error() -> None:
    """service_level without survive, disruption_weight without shortfall_penalty were ignored."""
    def alone(**fields: object) -> list[str]:
        with pytest.raises(ValidationError) as info:
            Policy(**fields).check(REGIONS, PRODUCTS)
        return list(info.value.problems)

    assert [row.name for row in POLICY_FIELDS.values() if row.needs] == ["service_level", "disruption_weight"]
    assert alone(service_level=0.8) == [
        "(policy) | service_level == 0.8 does nothing without survive; set survive too, or leave "
        "service_level out"]
    assert alone(service_level={"Europe": 0.9}, min_hubs=1) == [
        "(policy) | service_level == {'Europe': 0.9} does nothing without survive; set survive too, or "
        "leave service_level out"]
    assert alone(disruption_weight=2.0) == [
        "(policy) | disruption_weight == 2.0 does nothing without shortfall_penalty; set "
        "shortfall_penalty too, or leave disruption_weight out"]
    assert problems(service_level=0.8, survive=("country",)) == []
    assert problems(disruption_weight=0.0, shortfall_penalty=10.0) == []
    assert problems(disruption_weight=1.0) == []  # the default: nothing set


# ---- check(): range, whole numbers, mapping keys --------------------------------------------
@pytest.mark.parametrize("row", NUMBERS, ids=ids)
def test_check_enforces_the_range(row: PolicyField) -> None:
    assert row.range is not None
    lo, hi = row.range
    assert problems(**{row.name: int(lo) if row.integer else lo}) == []
    assert problems(**{row.name: lo - 1}) == [
        f"(policy) | {row.name} == {lo - 1:g}, must be in [{lo:g}, {'inf' if np.isinf(hi) else f'{hi:g}'}]"]
    if np.isfinite(hi):
        assert problems(**{row.name: hi}) == []
        assert problems(**{row.name: hi + 1}) == [
            f"(policy) | {row.name} == {hi + 1:g}, must be in [{lo:g}, {hi:g}]"]
    kind = "a whole number" if row.integer else "a number"
    assert problems(**{row.name: "x"}) == [f"(policy) | {row.name} == 'x', must be {kind}"]
    if row.integer:
        assert problems(**{row.name: lo + 0.5}) == [f"(policy) | {row.name} == {lo + 0.5!r}, must be {kind}"]


@pytest.mark.parametrize("row", KEYED, ids=ids)
def test_check_enforces_the_key_kinds(row: PolicyField) -> None:
    assert row.range is not None
    ok = int(row.range[0]) if row.integer else row.range[0]
    examples_of = {"region": "Europe", "product": "chips"}
    # a shortfall_penalty mapping prices every product (test_costs.py: a product left out)
    every = dict.fromkeys(PRODUCTS, ok) if row.name == "shortfall_penalty" else {}
    for kind in row.keys:
        assert problems(**{row.name: every | {examples_of[kind]: ok}}) == []
    if row.keys == ("product",):
        assert problems(**{row.name: every | {"Europe": ok}}) == [
            f"(policy) | {row.name} key 'Europe' is not a product; products are: both, cells, chips"]
    else:
        assert problems(**{row.name: {"Mars": ok}}) == [
            f"(policy) | {row.name} key 'Mars' is neither a region nor a product; regions are: Asia, "
            "Europe, both; products are: both, cells, chips"]
        assert problems(**{row.name: {"both": ok}}) == [
            f"(policy) | {row.name} key 'both' is both a region and a product; rename one"]
    bad = (row.range[0] - 1)
    assert problems(**{row.name: every | {"chips": bad}})[0].startswith(
        f"(policy) | {row.name}['chips'] == {bad:g}")
    # without regions and products the keys are not checked
    Policy(**{row.name: {"Mars": ok}}, **{name: NEEDED[name] for name in {row.needs} - {""}}).check()


@pytest.mark.parametrize("row", [r for r in NUMBERS if not r.keys], ids=ids)
def test_check_rejects_a_mapping_where_no_keys_are_declared(row: PolicyField) -> None:
    kind = "a whole number" if row.integer else "a number"
    assert problems(**{row.name: {"chips": 1}}) == [
        f"(policy) | {row.name} == {{'chips': 1}}, must be {kind}: {row.name} takes no keys (in a roadmap it "
        "holds in every period)"]


def test_check_of_sets_flags_and_hub_bounds() -> None:
    assert problems(survive=("hub", "planet")) == [
        "(policy) | survive contains 'planet', must be a subset of supplier, hub, country"]
    assert problems(single_sourcing="maybe") == ["(policy) | single_sourcing == 'maybe', must be true or "
                                                 "false"]
    assert Policy(single_sourcing="Yes").single_sourcing is True  # a file's yes/no/on/off: YAML 1.2 text
    assert problems(min_hubs=3, max_hubs=1) == ["(policy) | min_hubs == 3 exceeds max_hubs == 1"]
    assert problems(excluded_countries=("FR",)) == []


# ---- resolution: the strictest of several matching keys --------------------------------------
@pytest.mark.parametrize("row", [r for r in KEYED if "region" in r.keys], ids=ids)
def test_per_market_product_takes_the_strictest_from_the_table(row: PolicyField) -> None:
    region = pd.Series(["Europe", "Europe", "Asia", "Asia"])
    product = pd.Series(["chips", "cells", "chips", "cells"])
    got = Policy(**{row.name: {"Europe": 0.2, "chips": 0.6}}).per_market_product(row.name, region, product)
    both = 0.6 if row.strictest == "max" else 0.2
    np.testing.assert_array_equal(got, [both, 0.2, 0.6, row.unset])  # unset: no key applies


def test_a_sweep_of_a_list_field_says_what_a_value_must_be() -> None:
    """``--field survive --values 5`` said "'int' object is not iterable"."""
    for name, value, wanted in [("survive", 5, "one of supplier, hub, country"),
                                ("excluded_countries", 1.5, "a country id")]:
        with pytest.raises(ValidationError) as err:
            Policy().sweep(name, ["country" if name == "survive" else "FR", value], "--values")
        assert err.value.problems == (f"(--values) | {name} == {value}, must be {wanted}, or a list of them",)


def test_a_list_field_given_a_mapping_is_refused_not_read_as_its_keys() -> None:
    """``excluded_countries: {CN: false}`` excluded CN (a mapping was read as its keys) and
    ``!!binary`` bytes were read as numbers: both silently changed the plan."""
    for name, value, said in [("excluded_countries", {"CN": False}, "{'CN': False}"),
                              ("survive", {"supplier": False}, "{'supplier': False}"),
                              ("excluded_countries", b"hello", "binary data (5 bytes)")]:
        with pytest.raises(ValidationError) as err:
            Policy.from_dict({name: value})
        assert err.value.problems[0].startswith(f"(policy) | {name} == {said}, must be ")


# ---- field names: frontier() and the CLI share one check -------------------------------------
def test_check_field_names_every_field() -> None:
    assert Policy.check_field("min_local_share") is POLICY_FIELDS["min_local_share"]
    with pytest.raises(ValidationError) as err:
        Policy.check_field("min_locl_share", "--field")
    assert err.value.problems == (  # the closest field suggested, as in a policy file
        "(--field) | unknown policy field 'min_locl_share' (did you mean 'min_local_share'?); fields are: "
        f"{', '.join(POLICY_FIELDS)}",)


def test_frontier_checks_field_and_points_before_solving() -> None:
    net = examples.tiny()
    with pytest.raises(ValidationError, match="unknown policy field 'local'"):
        frontier(net, "local", [0.5], failures=())
    with pytest.raises(ValidationError) as err:
        frontier(net, "min_local_share", [0.5, 2, {"Mars": 0.1}], failures=())
    assert err.value.problems == (
        "(policy 'min_local_share=2') | min_local_share == 2, must be in [0, 1]",
        "(policy \"min_local_share={'Mars': 0.1}\") | min_local_share key 'Mars' is neither a region "
        "nor a product; regions are: Asia, Europe; products are: default")
    with pytest.raises(ValidationError, match=r"\(values\) \| survive == 5, must be one of "):
        frontier(net, "survive", [5], failures=())


def test_check_policies_and_policy_files(tmp_path: Path) -> None:
    net = examples.tiny()
    with pytest.raises(ValidationError) as err:
        check_policies({"ok": Policy(), "near": Policy(min_local_share=1.5)}, net)
    assert err.value.problems == ("(policy 'near') | min_local_share == 1.5, must be in [0, 1]",)
    (tmp_path / "p.txt").write_text("min_local_share: 0.5\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("survive: 5\n", encoding="utf-8")
    (tmp_path / "ps.yaml").write_text("a: {min_local_share: 0.5}\nb: {local: 1}\nc: 3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"\(policy\) \| p.txt: expected a .yaml, .yml, .json file"):
        Policy.from_file(tmp_path / "p.txt")
    with pytest.raises(ValidationError, match=r"p.yaml: 1 problem:\n  - \(policy\) \| survive == 5, must be "
                       r"one of supplier, hub, country, or a list of them"):
        Policy.from_file(tmp_path / "p.yaml")
    with pytest.raises(ValidationError) as err:
        load_policies(tmp_path / "ps.yaml")
    assert [p.split(" | ")[0] for p in err.value.problems] == ["(policy 'b')", "(policy 'c')"]
    # one name as text
    (tmp_path / "ps.yaml").write_text("'1': {min_hubs: 1}\n1: {min_hubs: 2}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_policies(tmp_path / "ps.yaml")
    assert err.value.problems == ("(policies) | policy name '1' is given twice; keep one",)


# ---- units: figures and the docs --------------------------------------------------------------
def test_figures_take_units_from_the_table() -> None:
    assert field_unit("min_local_share") == "fraction of demand"
    assert field_unit("co2_price") == "money per CO2 unit"
    assert field_unit("survive") == "policy value"  # a field without a unit


def test_docs_field_table_lists_every_field_with_its_unit() -> None:
    page = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- gen:policy-fields -->\n(.*?)<!-- /gen:policy-fields -->", page, re.DOTALL)
    assert block is not None
    lines = {line.split(" | ")[0]: line.split(" | ") for line in block[1].splitlines()}
    header = lines.pop("| field")
    assert [c.strip(" |") for c in header][:6] == ["field", "what", "symbol", "unit", "values",
                                                   "mapping keys"]
    lines.pop("|---|---|---|---|---|---|---|---|", None)
    assert len(lines) == len(POLICY_FIELDS)
    for row in POLICY_FIELDS.values():
        cells = lines[f"| [`{row.name}`](#{row.name})"]
        assert cells[1:4] == [row.description, row.symbol or "—", row.unit or "—"]
        assert cells[5] == (" or ".join(row.keys) or "—")


# ---- resolution once per (market, product), in the sets ---------------------------------------
def test_sets_resolve_each_region_keyed_field_once_per_demand_row() -> None:
    from resilient_sc.model.sets import build_sets

    net = examples.electronics()
    region = sorted(set(net.countries["region"]))[0]
    product = sorted(set(net.demand["product"]))[0]
    policy = Policy(max_country_share={region: 0.7, product: 0.4}, min_local_share={product: 0.3},
                    min_allied_share=0.2, survive=("hub",), service_level={region: 0.9})
    s = build_sets(net, policy)
    req = s.requirements
    assert list(req.columns) == [r.name for r in KEYED if "region" in r.keys]
    assert len(req) == len(s.demand)
    for name in req.columns:
        np.testing.assert_array_equal(req[name], policy.per_market_product(
            name, s.demand["region"], s.demand["product"]))
    both = ((s.demand["region"] == region) & (s.demand["product"] == product)).to_numpy()
    assert both.any() and (req["max_country_share"].to_numpy()[both] == 0.4).all()
    assert set(req["service_level"]) <= {0.9, 1.0}  # 1 where no key applies
    assert np.isnan(build_sets(net, Policy()).requirements["min_local_share"]).all()


def test_a_policy_built_wrong_raises_the_library_error() -> None:
    """``Policy(survive=5)`` raised a private TypeError and ``Policy.from_dict('min_hubs')`` a raw
    ValueError; both are ValidationErrors naming the policy."""
    with pytest.raises(ValidationError) as err:
        Policy(survive=5)
    assert err.value.problems == ("(policy) | survive == 5, must be one of supplier, hub, country, or a list "
                                  "of them",)
    with pytest.raises(ValidationError) as err:
        Policy().replace(excluded_countries=None)
    assert err.value.problems[0].startswith("(policy) | excluded_countries == None, must be a country id")
    with pytest.raises(ValidationError) as err:
        Policy.from_dict("min_hubs")
    assert err.value.problems == ("(policy) | 'min_hubs' is a str, not a mapping of field: value",)


def test_a_policy_with_mappings_is_hashable() -> None:
    """``hash(Policy(min_local_share={...}))`` raised 'unhashable type: dict' though Policy is frozen."""
    a, b = Policy(min_local_share={"Europe": 0.5}), Policy(min_local_share={"Europe": 0.5})
    assert a == b and hash(a) == hash(b) and len({a, b, Policy()}) == 2


def test_a_policy_left_empty_in_a_policies_file_is_said_to_be_the_base(tmp_path):
    """``near:`` with nothing under it was the base policy, silently: a 0.00% premium row."""
    from resilient_sc import DataWarning

    text = '{"base": {}, "near": null, "near_shoring": {"min_local_share": 0.5}, "far": {"max_hubs": null}}'
    (tmp_path / "ps.json").write_text(text, encoding="utf-8")  # JSON's null: unset (YAML's 'far:': refused)
    with pytest.warns(DataWarning) as seen:
        policies = load_policies(tmp_path / "ps.json")
    assert [str(w.message) for w in seen] == [
        "(policy 'near') | sets no field: it is the base policy; give its fields, e.g. 'near': "
        "{min_local_share: 0.5}",
        "(policy 'far') | sets no field: it is the base policy; give its fields, e.g. 'far': "
        "{min_local_share: 0.5}"]
    assert policies["near"].is_base and not policies["near_shoring"].is_base


def test_a_date_key_of_a_policy_file_is_quoted_as_typed(tmp_path: Path) -> None:
    """YAML reads an unquoted 2027-01-01 as a date: the advice to quote it showed
    '2027-01-01 (a date)', which quoted would be no period either."""
    path = tmp_path / "p.yaml"
    path.write_text("min_local_share:\n  2027-01-01: 0.3\n  2027-01-01 08:00:00: 0.4\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path).check_network(examples.electronics_roadmap())
    said = " ".join(info.value.problems)
    assert "key 2027-01-01 (a date) must be" in said and "(text: quote it, '2027-01-01')" in said
    assert "(text: quote it, '2027-01-01 08:00:00')" in said


def test_a_field_without_a_value_in_a_policy_file_is_refused(tmp_path: Path) -> None:
    """'min_local_share:' alone read as unset: the plan was the base's, said only in the policy's
    line; 'service_level:' under survive used 1.0 (spreadsheets audit). In a policies file too; a
    JSON file's null is unset."""
    from resilient_sc.exceptions import PolicyError
    from resilient_sc.policies import load_policies

    one = tmp_path / "p.yaml"
    one.write_text("min_local_share:\nsurvive: [country]\nservice_level: ~\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        Policy.from_file(one)
    assert info.value.problems == tuple(
        f"(policy) | {k} has no value: give one, or delete the line to leave {k} unset"
        for k in ("min_local_share", "service_level"))
    many = tmp_path / "ps.yaml"
    many.write_text("near:\n  min_local_share:\nfar: {min_suppliers: 2}\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policies(many)
    assert info.value.problems == ("(policy 'near') | min_local_share has no value: give one, or delete the "
                                   "line to leave min_local_share unset",)
    (tmp_path / "p.json").write_text('{"min_local_share": null, "min_suppliers": 2}', encoding="utf-8")
    assert Policy.from_file(tmp_path / "p.json") == Policy(min_suppliers=2)


@pytest.mark.parametrize(("text", "said"), [
    ('min_suppliers: "2"\n', "min_suppliers == '2', must be a whole number; '2' is text (in quotes): write 2 "
                             "without quotes"),
    ("min_local_share: 50\n", "min_local_share == 50, must be in [0, 1]; a share is a fraction: 0.5 for 50%"),
    ("min_local_share:0.5\nmin_suppliers: 2\n",
     "(line 1: put a space after the colon, 'min_local_share: 0.5')"),
    ("min_local_share:0.5\nmin_suppliers:2\n",  # every line glued: one text, no parse error to hint at
     "(line 1: put a space after the colon, 'min_local_share: 0.5')"),
    ("min_local_share:\t0.5\n", "(line 1 holds a tab: YAML takes spaces only, replace it with spaces)"),
    # a colon left out: PyYAML blamed line 2, and line 3 of a file of two (audit)
    ("min_local_share 0.5\nmin_suppliers: 2\n", "(line 1 has no colon: 'min_local_share: 0.5')"),
    ("min_local_share: 0.5\nmin_suppliers 2\n", "(line 2 has no colon: 'min_suppliers: 2')"),
])
def test_a_hand_written_policys_slips_are_said_so(tmp_path: Path, text: str, said: str) -> None:
    """A quoted number was 'must be a whole number' of '2'; 50 for 50% 'must be in [0, 1]'; a
    missing space blamed line 2; a tab 'cannot start any token' (spreadsheets audit)."""
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:  # values are checked when the policy is used
        Policy.from_file(tmp_path / "p.yaml").check_network(examples.electronics())
    assert said in info.value.problems[0]


#: ids that the policy loader reads as numbers, booleans or null when bare, though PyYAML's
#: dumper (YAML 1.1 rules) wrote several of them bare: '08' came back as 8 and was refused
AWKWARD_IDS = ["08", "09", "0800", "-.5", "+.5", "1.5E3", "10", "1.0", "true", "False", "yes", "NO", "null",
               "~", "", "São Paulo", "2E5", ".inf"]


def test_a_policy_written_as_yaml_reads_back_the_same(tmp_path: Path) -> None:
    """The app's 'Save policy (YAML)' writes :func:`dump_yaml`; every awkward id comes back as the
    text it was, as key and as list item."""
    from resilient_sc.mapping_files import dump_yaml

    policy = Policy(min_local_share={k: 0.5 for k in AWKWARD_IDS if k}, excluded_countries=AWKWARD_IDS[:-1],
                    single_sourcing=True)
    path = tmp_path / "policy.yaml"
    path.write_text(dump_yaml(policy.to_dict()), encoding="utf-8")
    assert Policy.from_file(path) == policy


def test_a_policy_name_that_is_no_text_or_empty_is_refused(tmp_path: Path) -> None:
    """'~:' and 'true:' named policies None and True, printed so; '' gave a blank table row and a
    report heading '## : ...' (policies audit)."""
    path = tmp_path / "policies.yaml"
    path.write_text("true: {min_suppliers: 2}\n~: {min_suppliers: 3}\n'': {min_suppliers: 1}\n"
                    "'false': {min_suppliers: 1}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_policies(path)
    assert [p.split(" (YAML")[0] for p in info.value.problems] == [
        "(policies) | the name of policy 1 (of 4) is read as true",
        "(policies) | the name of policy 2 (of 4) is read as null",
        "(policy '') | an empty name: a table row and a report heading without one; name each policy"]
    with pytest.raises(ValidationError, match=r"\(policy ' '\) \| an empty name"):
        with_base({" ": Policy(min_suppliers=1)})


def test_every_problem_of_a_policy_file_is_reported_at_once(tmp_path: Path) -> None:
    """A field with no value hid the typo, which hid the values out of range: three runs to see
    five problems (policies audit)."""
    path = tmp_path / "p.yaml"
    path.write_text("singel_sourcing: true\nmin_local_share: 30\nmin_allied_share:\nsurvive: countries\n"
                    "excluded_countries: {CN: true}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path)
    said = [p.split(" ")[2] for p in info.value.problems]
    assert said == ["min_allied_share", "unknown", "excluded_countries", "min_local_share", "survive"], said


def test_a_list_of_key_value_lines_or_a_comma_list_is_told_how_to_write_it(tmp_path: Path) -> None:
    """'- Europe: 0.5' lines (a list of mappings) were told 'must be a number' alone, and
    'survive: country, hub' (one text) named no list (policies audit)."""
    path = tmp_path / "p.yaml"
    path.write_text("min_local_share:\n  - Europe: 0.5\n  - Asia: 0.2\nsurvive: country, hub\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path).check()
    assert [p.split(", must be ")[1] for p in info.value.problems] == [
        "a number, or a mapping without the dashes: min_local_share: {'Europe': 0.5, 'Asia': 0.2}",
        "a subset of supplier, hub, country: write a list, [country, hub]"]


def test_a_field_at_the_top_of_a_policies_file_is_told_where_it_goes(tmp_path: Path) -> None:
    """'min_local_share: {Europe: 0.5}' beside named policies read as a policy named
    min_local_share with a field 'Europe': 'unknown field Europe' alone (policies audit)."""
    path = tmp_path / "policies.yaml"
    path.write_text("near: {min_local_share: 0.5}\nmin_local_share: {Europe: 0.5}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_policies(path)
    hint = ("(policy 'min_local_share') | min_local_share is a policy field too: at the top of a policies "
            "file it names a policy; a field goes under a policy's name, on the next line indented by two "
            "spaces ('near:', then '  min_local_share: ...')")
    assert info.value.problems[-1] == hint
    # not indented under its name: 'expected a mapping of field: value, got 0.2' alone (audit)
    path.write_text("base: {}\nnear:\nmin_local_share: 0.2\n", encoding="utf-8")
    with pytest.warns(DataWarning), pytest.raises(ValidationError) as info:
        load_policies(path)
    assert info.value.problems == ("(policy 'min_local_share') | policies.yaml: expected a mapping of "
                                   "field: value, got 0.2", hint)


def test_a_policies_file_given_as_one_policy_says_so(tmp_path: Path) -> None:
    """A premium's policies file given to solve --policy: 'unknown field base', 'unknown field
    friend_shoring' alone (audit)."""
    path = tmp_path / "policies.yaml"
    path.write_text("base: {}\nfriend_shoring:\n  min_allied_share: 0.2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path)
    assert info.value.problems[-1] == (
        "(policy) | 'base' and 'friend_shoring' read as named policies, each with its fields: one policy is "
        "its fields alone (min_local_share: 0.5); named policies are compared with load_policies (CLI: "
        "resilient-sc premium DATA --policies FILE)")
    # said however a name reads: 'single sourcing' (like single_sourcing) lost the words, and of 20 names
    # the header counted 10 problems, each 'unknown field' with the whole list of fields (scale audit)
    names = ["base", "single sourcing", *[f"p{i:02d}" for i in range(18)]]
    path.write_text("".join(f"{n}:\n  min_suppliers: 2\n" for n in names), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path)
    (said,) = info.value.problems
    assert said.startswith("(policy) | 'base', 'single sourcing', 'p00', 'p01', 'p02', 'p03', 'p04', 'p05', "
                           "'p06', 'p07' and 10 more read as named policies")  # as in the file
    # unknown fields: each named, the fields listed once, the rest counted
    path.write_text("".join(f"x{i:02d}: 1\n" for i in range(12)), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path)
    found = info.value.problems
    assert len(found) == 11 and found[-1] == "(policy) | … and 2 more unknown fields"
    assert sum("known fields are: min_suppliers, " in p for p in found) == 1
    # a field misspelt and left blank beside a known one is no named policy (review)
    path.write_text("max_country_shar:\nmin_suppliers: 2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Policy.from_file(path)
    assert "did you mean 'max_country_share'" in info.value.problems[0]
    assert not [p for p in info.value.problems if "named policies" in p]
