"""The one registry of change kinds: each kind module registers what it is and does.

A :class:`ChangeKind` ties a scenarios-file ``type`` to its domain change, its file model and
the three things done with it: read it from the file (``from_spec``), apply it to a week
(``apply``) and say in one sentence what it did (``describe``). Callers dispatch through
:func:`kind_of` and :func:`kind_of_spec` instead of matching on the change classes.

Every kind must also decide ``base_routes_feasible`` (no default, so a new kind cannot
register without deciding): whether the base week's routes, less the visits the change
removes, are routes the changed week allows, so that a scenario made only of such changes is
routed from them (the batch's warm start, :func:`starts_from_base`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from solver.domain import WeekPlan
from solver.scenarios.changes.base import ApplyContext

ChangeT = TypeVar("ChangeT")
SpecT = TypeVar("SpecT", bound=BaseModel)


@dataclass(frozen=True)
class ChangeKind(Generic[ChangeT, SpecT]):
    """One kind of change: its ``type`` in SCENARIOS.json, its classes and its functions."""

    name: str
    change: type[ChangeT]
    spec: type[SpecT]
    from_spec: Callable[[SpecT], ChangeT]
    apply: Callable[[WeekPlan, ChangeT, ApplyContext], WeekPlan]
    describe: Callable[[ChangeT, WeekPlan, WeekPlan], str]
    base_routes_feasible: bool
    """Whether the base week's routes less the visits this change removes (passengers,
    attendance days, trips) are feasible routes of the changed week, and it adds no trip:
    true for changes that only remove passengers or days, add vehicles or change prices;
    false where passengers, centres, windows, vehicles or rules move or tighten, or trips
    are added. A scenario made only of such changes starts from the base routes."""


KINDS: dict[str, ChangeKind[Any, Any]] = {}
"""Every registered kind by its ``type`` name, in registration order."""

_BY_CHANGE: dict[type, ChangeKind[Any, Any]] = {}
_BY_SPEC: dict[type, ChangeKind[Any, Any]] = {}


def register(kind: ChangeKind[ChangeT, SpecT]) -> ChangeKind[ChangeT, SpecT]:
    """Add ``kind`` to the registry (once per name, change class and file model)."""
    if kind.name in KINDS or kind.change in _BY_CHANGE or kind.spec in _BY_SPEC:
        raise ValueError(f"change kind {kind.name} is registered twice")
    KINDS[kind.name] = kind
    _BY_CHANGE[kind.change] = kind
    _BY_SPEC[kind.spec] = kind
    return kind


def kind_of(change: object) -> ChangeKind[Any, Any]:
    """The registered kind of the domain change ``change`` (``TypeError`` if none)."""
    try:
        return _BY_CHANGE[type(change)]
    except KeyError:
        raise TypeError(f"not a change: {type(change).__name__}") from None


def kind_of_spec(spec: BaseModel) -> ChangeKind[Any, Any]:
    """The registered kind of the scenarios-file entry ``spec`` (``TypeError`` if none)."""
    try:
        return _BY_SPEC[type(spec)]
    except KeyError:
        raise TypeError(f"not a change spec: {type(spec).__name__}") from None


def starts_from_base(changes: Sequence[object]) -> bool:
    """Whether every change of ``changes`` keeps the base routes feasible (see ``ChangeKind``).

    An empty list (the base week again) does too.
    """
    return all(kind_of(change).base_routes_feasible for change in changes)
