"""The build sequence: a flat table of contents of the constraint families."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import PurePath
from typing import Any

from ..data import Network
from ..exceptions import ResilientSCError, ValidationError, check_switch
from ..periods import has_periods
from ..policy import Policy
from ..wording import brief
from . import base, emissions, origin, redundancy, sourcing, transitions
from .context import Context
from .linear import LinearModel, VarBlock
from .precheck import precheck
from .sets import Sets, build_sets

Family = Callable[[Context], None]

#: every family in build order; each returns early when the policy does not ask for it
FAMILIES: tuple[Family, ...] = (
    base.add_variables,
    base.add_demand,
    base.add_origin_balance,
    base.add_supplier_capacity,
    base.add_hub_capacity,
    base.add_hub_links,
    base.add_costs,
    emissions.add_co2,
    sourcing.add_min_suppliers,
    sourcing.add_max_supplier_share,
    sourcing.add_max_country_share,
    origin.add_min_local_share,
    origin.add_min_allied_share,
    origin.add_max_region_share,
    sourcing.add_single_sourcing,
    sourcing.add_hub_count,
    redundancy.add_survive,
    redundancy.add_disruptions,
    transitions.add_transitions,
)


class BuiltOnUse:
    """A field that a model loaded from its recipe (:func:`sent_as_recipe`) builds on first use
    (its class's ``_build_again``), once whatever the threads asking; any other model holds it
    as given (an instance's own value comes before this descriptor)."""

    _lock = threading.RLock()  # (re-entered: a roadmap's stack builds its period models)

    def __init__(self, *default: None) -> None:
        self.default = default  # () for a field without a default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, model: Any, owner: type | None = None) -> Any:
        if model is None:  # the class's (a dataclass reads its default so)
            if not self.default:
                raise AttributeError(self.name)
            return self.default[0]
        state = vars(model)
        with self._lock:
            if self.name not in state:
                if "shape" not in state:  # not loaded so (a bare __new__)
                    raise AttributeError(f"{type(model).__name__} has no {self.name}: build one")
                model._build_again()
                del state["shape"]
        return state[self.name]


def sent_as_recipe(model: Any) -> tuple[Callable[..., Any], tuple[Any, ...]] | None:
    """``model`` (a :class:`NetworkModel`, or a roadmap's model) for :mod:`pickle` as what builds
    it again, its :class:`BuiltOnUse` fields built where it is loaded, on first use (a plan a
    worker process sends back: 131-154 MB of arrays on ladder L, 0.1-1.8 s to build again, and
    most plans' models are never used again); None for a model loaded so and not built yet, or
    that cannot be built again (pickled as it is)."""
    state = vars(model)
    if "lm" not in state or not model._can_build_again():
        return None
    built = {name for name, value in vars(type(model)).items() if isinstance(value, BuiltOnUse)}
    return _loaded, (type(model), {k: v for k, v in state.items() if k not in built},
                     (model.lm.n_cols, model.lm.n_rows))


def _loaded(cls: type, state: dict[str, Any], shape: tuple[int, int]) -> Any:
    """A model from :func:`sent_as_recipe`, its :class:`BuiltOnUse` fields still to build."""
    model = object.__new__(cls)
    vars(model).update(state, shape=shape)
    return model


def check_shape(model: Any, lm: LinearModel) -> None:
    """Refuse a model built again whose ``lm`` has not the columns and rows it was solved with."""
    if (lm.n_cols, lm.n_rows) != vars(model)["shape"]:
        cols, rows = vars(model)["shape"]
        raise ResilientSCError(f"the model of this plan, built again from its data, policy and options, has "
                               f"{lm.n_cols} columns and {lm.n_rows} rows, not the {cols} and {rows} it "
                               "was solved with: was its network changed since, or a limit such as "
                               "RESILIENT_SC_MAX_RECOURSE_COLUMNS set otherwise in this process?")


@dataclass(eq=False)
class NetworkModel:
    """A built, inspectable model of one network under one policy: data, it does not solve
    itself.

    ``lm`` holds the variable and constraint blocks; add your own blocks to it before
    solving it with :func:`resilient_sc.optimize.solve_model` to extend the formulation.
    """

    network: Network
    policy: Policy
    sets: Sets = BuiltOnUse()  # type: ignore[assignment]
    lm: LinearModel = BuiltOnUse()  # type: ignore[assignment]
    build_time: float
    #: survive failures whose copies were left out (``build_model(..., defer_failures=n)``): only
    #: failure generation, which builds them on demand, solves the model
    deferred: redundancy.DeferredFailures | None = BuiltOnUse(None)  # type: ignore[assignment]
    #: the options :func:`build_period` built it with (strong_links, position, transitions,
    #: defer_failures): with the network and policy, enough to build it again (:func:`sent_as_recipe`)
    recipe: tuple[bool, int, bool, int | None] | None = field(default=None, repr=False)

    @property
    def variables(self) -> dict[str, VarBlock]:
        """The variable blocks by name (``supplier_contracted``, ``outbound_flow``, …)."""
        return self.lm.variables

    def _can_build_again(self) -> bool:
        return self.recipe is not None  # (None: pickled by an earlier version, or built by hand)

    def _build_again(self) -> None:
        """``sets``, ``lm`` and ``deferred`` of a model loaded from its recipe, its network
        checked unchanged: the same data and options build the same model."""
        again = build_period(self.network, given_policy(self.network, self.policy), *self.recipe)
        check_shape(self, again.lm)
        vars(self).update(sets=again.sets, lm=again.lm, deferred=again.deferred)

    def __repr__(self) -> str:
        return (f"NetworkModel({self.lm.n_cols} columns, {self.lm.n_rows} rows, "
                f"families: {', '.join(self.lm.constraints)})")


def _given(value: Any) -> str:
    """``'data/' is a str`` for a path, a number or a dict; ``a DataFrame was given`` for anything
    else (a table's many-line repr is never shown)."""
    kind = type(value).__name__
    shown = value is None or isinstance(value, str | PurePath | int | float | dict)
    return f"{brief(value)} is a {kind}" if shown else f"a {kind} was given"


def given_policy(network: Any, policy: Any) -> Policy:
    """``policy`` (no policy for None) after checking that ``network`` is a :class:`Network` and
    ``policy`` a :class:`Policy`: a path or a dict is one :class:`ValidationError` saying what to
    build, not an AttributeError deep in the model."""
    problems = []
    if not isinstance(network, Network):
        problems.append(f"(network) | {_given(network)}, not a Network; read "
                        "one with read_network(path) (a CSV folder or .xlsx workbook), Network.from_frames() "
                        "or resilient_sc.examples")
    elif not network.validated:
        problems.append("(network) | built without validation (Network(...) or dataclasses.replace): build "
                        "it with Network.from_frames() or read_network(), and a changed copy with "
                        "network.replace(table=...)")
    elif changed := network.changed_tables():
        problems += [f"({name}) | the table was changed after the network was validated, and is not "
                     "checked again: validate it again, Network.from_frames(network.frames())"
                     for name in changed]
    if policy is not None and not isinstance(policy, Policy):
        problems.append(f"(policy) | {_given(policy)}, not a Policy; build one: "
                        "Policy(**fields) or Policy.from_dict(fields)")
    if problems:
        raise ValidationError(problems)
    return policy or Policy()


def build_model(network: Network, policy: Policy | None = None,
                strong_links: bool = True, defer_failures: int | None = None) -> NetworkModel:
    """Build the MILP of ``network`` under ``policy`` (docs/formulation.md §2–5) without solving it.

    ``defer_failures``: survive copies of more recourse columns than this, or than the
    ``recourse_columns`` limit, are left out for failure generation to build on demand
    (:attr:`NetworkModel.deferred`); None (the default): built, or refused over the limit.

    A network with a ``periods`` table is a roadmap: build it with
    :func:`resilient_sc.model.roadmap.build_roadmap`.
    """
    policy = given_policy(network, policy)
    check_switch("strong_links", strong_links)
    whole = isinstance(defer_failures, Integral) and not isinstance(defer_failures, bool)
    if defer_failures is not None and not (whole and defer_failures >= 0):
        raise ValidationError([f"(defer_failures) | {defer_failures!r:.40}: give a whole number of recourse "
                               "columns >= 0, or None"])
    if has_periods(network):
        raise ValidationError(["(periods) | the data has a periods table: it is a roadmap. Solve it "
                               "with solve_roadmap (build_roadmap for its model); analyse it with "
                               "roadmap_premium, end_year_frontier and roadmap_stress "
                               "(resilient_sc.analysis), or take one period's network with "
                               "resilient_sc.periods.in_period(network, period)"])
    return build_period(network, policy or Policy(), strong_links, defer_failures=defer_failures)


def build_period(network: Network, policy: Policy, strong_links: bool = True, position: int = 0,
                 transitions: bool = True, defer_failures: int | None = None) -> NetworkModel:
    """The model of one period: ``network`` and ``policy`` as they stand in the period at
    ``position`` (lead times counted from 0), with its own opening and closing costs when
    ``transitions`` (else a period of a roadmap: design variables for every usable element)."""
    start = time.perf_counter()
    policy.check_network(network)
    sets = build_sets(network, policy, position, keep_all=not transitions)
    precheck(sets, policy, network)
    ctx = Context(LinearModel(), sets, policy, network, strong_links=strong_links,
                  transitions=transitions, defer_failures=defer_failures)
    for family in FAMILIES:
        family(ctx)
    if broken := ctx.lm.not_finite():  # validated data gives none: a table changed after reading
        raise ValidationError([f"(network) | the model's {', '.join(broken[:5])} holds a number that is not "
                               "finite (NaN or inf): was a table of the network changed after it was "
                               "validated? Validate it again: Network.from_frames(network.frames())"])
    deferred = None if ctx.deferred is None else redundancy.DeferredFailures(ctx.deferred, ctx)
    return NetworkModel(network, policy, sets, ctx.lm, time.perf_counter() - start, deferred,
                        (strong_links, position, transitions, defer_failures))
