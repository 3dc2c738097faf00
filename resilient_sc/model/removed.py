"""The suppliers and hubs left out of a model (status closed, country excluded, lead time not yet
reached: ``Sets.removed_*``) in a planner's words: which, why, and what bringing them back does
for what is missing, for the sentences of :mod:`.precheck`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..format import and_first, and_list
from ..format import quantity as number  # units as written (the explanations say number)
from .sets import counts_towards, unit_of
from .table import by_id

if TYPE_CHECKING:
    from ..data import Network
    from ..policy import Policy
    from .sets import Sets


#: what undoes each removal (the ``reason`` of ``Sets.removed_*``)
_UNDO = {"closed": "reopen one", "excluded country": "lift the exclusion", "lead time": "shorten a lead_time",
         "closed, excluded": "reopen one and lift the exclusion"}
#: why a supplier or hub was left out of the model (of a period), beside the ids it removed
_LEFT = {"closed": "status closed", "excluded country": "country excluded",
         "lead time": "lead_time not yet reached", "closed, excluded": "status closed, country excluded"}


def _why(gone: pd.DataFrame, excluded: Sequence[str]) -> pd.Series:
    """The ``reason`` of each removal in ``gone``; ``closed, excluded`` for one closed in a
    country of ``excluded`` (both need undoing)."""
    closed_out = (gone["reason"] == "closed") & gone["country"].isin(list(excluded))
    return gone["reason"].where(~closed_out, "closed, excluded")


def removals(gone: pd.DataFrame, column: str, excluded: Sequence[str] = ()) -> tuple[str, list[str]]:
    """The suppliers or hubs ``gone`` (ids in ``column``, with the ``reason`` of
    ``Sets.removed_*``) by why, and what undoes each: (``S_DE_Dresden and S_FR_Grenoble
    (lead_time not yet reached)``, ``["shorten a lead_time"]``); one closed in a country of
    ``excluded`` needs both undone."""
    gone = gone.assign(reason=_why(gone, excluded))
    reasons = sorted(set(gone["reason"]))
    shown = [f"{and_first(list(gone.loc[gone['reason'] == why, column]), 5)} ({_LEFT[why]})"
             for why in reasons]
    undo = [_UNDO[why] for why in reasons]
    if {"excluded country", "closed, excluded"} <= set(reasons):  # the exclusion's undo said once
        undo.remove(_UNDO["closed, excluded"])  # (the label says which one is closed too)
    return "; ".join(shown), undo


def making(gone: pd.DataFrame, product: str) -> pd.DataFrame:
    """The rows of ``Sets.removed_suppliers`` ``gone`` that make ``product``."""
    return gone.loc[gone["products"].map(lambda made: product in made).to_numpy(bool)]


#: how each removal is undone, said of several suppliers (:data:`_UNDO` says it of one)
_UNDOING = {"closed": "reopening", "excluded country": "lifting the exclusion",
            "lead time": "shortening a lead_time", "closed, excluded": "reopening and lifting the exclusion"}


def _undoing(gone: pd.DataFrame, excluded: Sequence[str]) -> str:
    """What brings ``gone`` back, said of several: ``reopening or lifting the exclusion``."""
    return and_list([_UNDOING[r] for r in sorted(set(_why(gone, excluded)))], "or")


def bring_back_count(gone: pd.DataFrame, column: str, excluded: Sequence[str],
                     needed: int) -> tuple[str, list[str]]:
    """:func:`removals` of ``gone`` when ``needed`` of them must come back: 'reopen one' where one
    is enough, 'bring back at least k of them (reopening)' where k are, nothing where all of them
    are not enough (min_hubs 4 with 2 usable and 2 closed hubs said 'reopen one': audit)."""
    listed, undo = removals(gone, column, excluded)
    if needed > len(gone):
        return listed, []
    return listed, (undo if needed <= 1 else
                    [f"bring back at least {needed} of them ({_undoing(gone, excluded)})"])


def left_out(s: Sets, network: Network, policy: Policy, field: str, product: str, missing: float,
              market: pd.Series, reaching: pd.Series | None = None) -> str:
    """``; left out of the plan: S_FR_Grenoble (country excluded): lift the exclusion, or
    lower min_local_share``: the suppliers removed from the model (closed, excluded, not yet
    ready) that make ``product`` and would count towards ``field`` at ``market`` (its country,
    region and bloc: :func:`~.sets.counts_towards`), of a market those among the ids ``reaching`` it
    (:func:`removed_towards`), so that a share short for want of them is not blamed on the share
    alone; with which of them, or how many, make the ``missing`` units (by their capacity), or
    that all of them would not; '' when none."""
    gone = s.removed_suppliers
    if reaching is not None:
        gone = gone.loc[gone["supplier"].isin(reaching)]
    if gone.empty:
        return ""
    where = s.countries.set_index("country").reindex(gone["country"])
    gone = gone.assign(region=where["region"].to_numpy(), bloc=where["bloc"].to_numpy())
    mine = making(gone.loc[counts_towards(field, gone, market)], product)
    if mine.empty:
        return ""
    listed, fix, _ = bringing_back(s, network, policy, mine, product, missing)
    return f"; left out of the plan: {listed}: {fix}, or lower {field}"


def bringing_back(s: Sets, network: Network, policy: Policy, mine: pd.DataFrame, product: str,
                   missing: float) -> tuple[str, str, bool]:
    """The suppliers ``mine`` (rows of ``Sets.removed_suppliers`` that make ``product``) listed by
    why they were left out, what bringing them back does for the ``missing`` units (by their
    capacity): any one is enough (``reopen one``), at least k of them, or all of them are not
    (``, which makes only 12,200 pieces of the 20,000 missing``: bring it back and add capacity;
    'reopen one' was offered alone: audit), and whether bringing them back is enough."""
    shown, undo = removals(mine, "supplier", policy.excluded_countries)
    sp = network.supplier_products
    made = sp.loc[(sp["product"] == product) & sp["supplier"].isin(mine["supplier"])].groupby(
        "supplier")["capacity"].max().sort_values(ascending=False, kind="stable")
    enough = made >= missing * (1 - 1e-9)
    if enough.all():  # any one of them makes what is missing
        return shown, and_list(undo, "or"), True
    fewest = int(np.searchsorted(np.cumsum(made.to_numpy(float)), missing * (1 - 1e-9))) + 1  # largest first
    how, u = _undoing(mine, policy.excluded_countries), unit_of(s, product)
    if fewest > len(made):
        one = len(made) == 1
        return (f"{shown}, which make{'s' * one} only {number(float(made.sum()))} {u} of the "
                f"{number(missing)} missing{'' if one else ' together'}",
                f"bring {'it' if one else 'them'} back ({how}) and add capacity", False)
    which, others = ((and_list(list(made.index[enough]), "or"), ", which the others do not make alone")
                     if fewest == 1 else (f"at least {fewest} of them", ""))
    return shown, f"bring back {which} ({how}; {number(missing)} {u} missing{others})", True


def removed_towards(s: Sets, network: Network, cut: pd.DataFrame, lost: str = "") -> pd.DataFrame:
    """The suppliers and hubs removed from the model (``Sets.removed_*`` rows, the id in ``id``)
    that could serve a (market, product) row of ``cut``: hubs with a lane carrying the product to
    the market from a supplier of it, and suppliers making it with a lane carrying it to such a
    hub (kept or removed); none lost in the failure ``lost`` (``hub:H1``, ``country:KR``, ...)."""
    kind, _, element = lost.partition(":")
    lanes = network.lanes
    if kind in ("hub", "supplier"):
        lanes = lanes.loc[lanes["origin"] != element]
    elif kind:  # a country
        country = pd.concat([network.hubs.set_index("hub")["country"],
                             network.suppliers.set_index("supplier")["country"]])
        lanes = lanes.loc[lanes["origin"].map(country) != element]
    lanes = lanes[["origin", "destination", "product"]].rename(columns={"product": "carries"})

    def carrying(rows: pd.DataFrame, to: str) -> pd.DataFrame:
        """``rows`` joined with the lanes into their column ``to`` that carry their product."""
        joined = rows.merge(lanes, left_on=to, right_on="destination")
        return joined.loc[(joined["carries"] == "all") | (joined["carries"] == joined["product"])]

    into = carrying(cut[["market", "product"]], "market")[["market", "origin", "product"]].drop_duplicates()
    feeds = carrying(into.rename(columns={"origin": "hub"}), "hub")
    made = pd.MultiIndex.from_frame(network.supplier_products[["supplier", "product"]])
    feeds = feeds.loc[pd.MultiIndex.from_frame(feeds[["origin", "product"]]).isin(made)]
    hubs, suppliers = set(feeds["hub"]), set(feeds["origin"])  # a hub no supplier of it reaches cannot help
    gone = pd.concat([s.removed_hubs.loc[s.removed_hubs["hub"].isin(hubs)].rename(columns={"hub": "id"}),
                      s.removed_suppliers.loc[s.removed_suppliers["supplier"].isin(suppliers)].rename(
                          columns={"supplier": "id"})], ignore_index=True)
    # a row each of whose routes runs through a removed supplier and a removed hub: one brought back
    # alone gives it no route ('reopen one' was said: audit)
    removed = (feeds["hub"].isin(s.removed_hubs["hub"]).astype(int)
               + feeds["origin"].isin(s.removed_suppliers["supplier"]).astype(int))
    gone.attrs[PAIRED] = bool(len(feeds)) and bool(
        (removed.groupby([feeds["market"], feeds["product"]]).min() >= 2).any())
    return gone


#: the attribute of :func:`removed_towards`'s rows saying that some row cut off is reached only
#: through a removed supplier and a removed hub together
PAIRED = "paired"


def undo_routes(gone: pd.DataFrame, excluded: Sequence[str]) -> tuple[str, list[str]]:
    """:func:`removals` of the suppliers and hubs ``gone`` (:func:`removed_towards`, ids in
    ``id``), whose undo, where a route needs a supplier and a hub both brought back, says so
    (but where one country's exclusion removed them all, lifting it brings both back)."""
    listed, undo = removals(by_id(gone, "id"), "id", excluded)
    one_exclusion = set(_why(gone, excluded)) == {"excluded country"} and gone["country"].nunique() == 1
    if gone.attrs.get(PAIRED) and not one_exclusion:
        undo = [f"bring back a supplier and a hub of one route together ({_undoing(gone, excluded)}: either "
                "alone gives no route)"]
    return listed, undo
