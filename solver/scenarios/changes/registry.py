"""The one registry of change kinds: each kind module registers what it is and does.

A :class:`ChangeKind` ties a scenarios-file ``type`` to its domain change, its file model and
the three things done with it: read it from the file (``from_spec``), apply it to a week
(``apply``) and say in one sentence what it did (``describe``). Callers dispatch through
:func:`kind_of` and :func:`kind_of_spec` instead of matching on the change classes.
"""

from __future__ import annotations

from collections.abc import Callable
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
