"""Keyword arguments of the frozen dataclasses a user makes (:class:`~resilient_sc.policy.Policy`,
:class:`~resilient_sc.solvers.base.SolveOptions`, its ``AccelerateOptions``): a misspelt name
names the one meant, where Python said only 'unexpected keyword argument', and ``help()`` shows
the fields, not the ``__new__`` that checks them."""

from __future__ import annotations

import inspect
from collections.abc import Collection, Iterable

from .wording import suggest


def unknown_keywords(given: Iterable[str], known: Collection[str], what: str) -> str:
    """Each name of ``given`` not ``known``, with the nearest known one; '' when all are known.

    >>> unknown_keywords(["time_limit", "timelimit"], ["time_limit", "mip_gap"], "option of SolveOptions")
    "'timelimit' is no option of SolveOptions (did you mean 'time_limit'?)"
    """
    return "; ".join(f"{n!r} is no {what}{suggest(n, known)}" for n in given if n not in known)


def fields_signature(cls: type) -> inspect.Signature:
    """The signature of ``cls``'s ``__init__`` (its fields) without ``self``: set as the class's
    ``__signature__`` so that ``help(cls)`` and ``inspect.signature(cls)`` show the fields."""
    sig = inspect.signature(cls.__init__)  # type: ignore[misc]
    fields = list(sig.parameters.values())[1:]
    return sig.replace(parameters=fields, return_annotation=inspect.Signature.empty)
