"""The pandas and numpy types a programmer's frames and policies really hold (audit of dtypes):
each read as written, or one problem naming table, row and column."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from resilient_sc import Network, Policy, ValidationError, examples


def frames() -> dict[str, pd.DataFrame]:
    return examples.tiny().frames()


def problems(**changed: pd.DataFrame) -> list[str]:
    with pytest.raises(ValidationError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Network.from_frames(**{**frames(), **changed})
    return list(info.value.problems)


def test_a_list_or_a_dict_in_a_cell_is_one_problem_not_a_traceback():
    """groupby().agg(list) or json_normalize leave containers in cells: pandas' 'unhashable type:
    list' came out of the validation."""
    demand = frames()["demand"].astype({"market": object, "demand": object})
    demand.at[0, "market"] = ["Paris"]
    said = problems(demand=demand)
    assert said[0] == ("(demand, row 2 \"['Paris'], default\") | market \"['Paris']\" is a list: a cell "
                       "holds one value")
    demand = frames()["demand"].astype({"demand": object})
    demand.at[0, "demand"] = {"value": 80}
    assert problems(demand=demand)[0] == ("(demand, row 2 'Paris, default') | demand \"{'value': 80}\" is a "
                                          "dict: a cell holds one value")


def test_dates_as_period_ids_read_as_their_iso_dates():
    net = examples.electronics_roadmap()
    given = net.frames()
    dates = {p: pd.Timestamp(f"{p}-01-01") for p in given["periods"]["period"]}
    for name in ("periods", "demand", "supplier_products", "tariffs"):
        given[name] = given[name].assign(period=given[name]["period"].map(dates))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dated = Network.from_frames(**given)
    assert dated.periods["period"].tolist() == [f"{p}-01-01" for p in dates]


def test_numpy_keys_and_members_read_as_plain_ids():
    """np.int64 periods were refused ('quote it, np.int64(2027)'); np.str_ ids were kept as
    np.str_, which yaml.safe_dump cannot write."""
    policy = Policy(min_local_share=dict(zip(np.array([2027, 2028]), [0.2, 0.3], strict=True)))
    assert policy.min_local_share == {"2027": 0.2, "2028": 0.3}
    policy = Policy(min_local_share=dict(zip(np.array(["Europe"]), [0.5], strict=True)),
                    excluded_countries=np.array(["CN"]))
    assert yaml.safe_load(yaml.safe_dump(policy.to_dict())) == {"min_local_share": {"Europe": 0.5},
                                                                "excluded_countries": ["CN"]}


def test_an_id_column_made_the_index_is_said_so():
    said = problems(suppliers=frames()["suppliers"].set_index("supplier"))
    assert said[0].startswith("(suppliers) | required column 'supplier' is missing (it is the DataFrame's "
                              "index: pass df.reset_index())")


def test_complex_numbers_are_not_numbers():
    """numpy's ComplexWarning alone said the imaginary part was dropped."""
    demand = frames()["demand"]
    said = problems(demand=demand.assign(demand=demand["demand"] + 1j))
    assert said == ["(demand, row 2 'Paris, default') | demand '(80+1j)' is not a number"]
