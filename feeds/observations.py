"""One reported value: the unit of the national reporting system's data.

An observation is keyed by (indicator, area, period); a later ``revision`` of the same key
replaces the value shown and keeps the history. ``area`` is national or a province keyed
by (GSO code, code list) — never by name: codes 15, 24, 44, 52, 80, 82, 91 mean different
land in the 63-unit and the 34-unit lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Generic, Literal, Self, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field

CodeList = Literal["gso-63", "gso-34"]
_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")


class _cached(Generic[_T]):  # lower case: a decorator, like the one it replaces
    """``functools.cached_property`` without the lock Python 3.11 takes on every first
    access (a tenth of ingestion's time here). The value goes in the instance's
    ``__dict__``, so later reads never reach this descriptor; frozen models, computed
    from their fields, race only to store the same value."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Self: ...

    @overload
    def __get__(self, obj: object, owner: type[Any] | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type[Any] | None = None) -> Self | _T:
        if obj is None:
            return self
        value = self._compute(obj)
        obj.__dict__[self._name] = value
        return value


class Area(BaseModel):
    """National (no code) or one province in one code list."""

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(_cached,))

    code: str | None = Field(default=None, pattern=r"^\d{2}$")
    code_list: CodeList | None = None

    # Keys are looked up for every observation of every tile at every refresh: computed
    # once per object (a frozen model's fields never change; a copy with changed fields
    # computes its own, see ``_fresh_key``).
    @_cached
    def key(self) -> str:
        """``VN`` for the nation, ``gso-34:01`` for a province: a stable storage key."""
        return "VN" if self.code is None else f"{self.code_list}:{self.code}"

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        return _fresh_key(super().model_copy(update=update, deep=deep), update)


NATIONAL = Area()


class Observation(BaseModel):
    """A value reported by an agency for one indicator, area and period."""

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(_cached,))

    indicator: str
    area: Area
    period: str  # a period key of the indicator's frequency (feeds.periods): 2026-10, 2026-Q3
    value: float
    revision: int = Field(default=0, ge=0)
    note: str | None = Field(default=None, max_length=2000)
    agency: str
    # When the centre accepted it (ms since the epoch, server clock).
    received_at: float

    @_cached
    def key(self) -> tuple[str, str, str]:
        """(indicator, area key, period): computed once, as ``Area.key``."""
        return (self.indicator, self.area.key, self.period)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        return _fresh_key(super().model_copy(update=update, deep=deep), update)


def _fresh_key(copied: _M, update: Mapping[str, Any] | None) -> _M:
    """A cached key lives in the instance's ``__dict__`` (pydantic dumps, compares and
    hashes the fields only); a copy with updated fields must not inherit it."""
    if update:
        copied.__dict__.pop("key", None)
    return copied


@lru_cache(maxsize=1024)  # the nation and ~100 provinces in two lists: a batch shares them
def area_of(code: str | None, code_list: str | None) -> Area:
    """The (validated, frozen, shared) area for a code and its list."""
    return NATIONAL if code is None else Area(code=code, code_list=code_list)  # type: ignore[arg-type]


_FIELDS = frozenset(Observation.model_fields)
_new = Observation.__new__
_set = object.__setattr__


def checked_observation(
    indicator: str,
    area: Area,
    period: str,
    value: float,
    revision: int,
    note: str | None,
    agency: str,
    received_at: float,
) -> Observation:
    """An ``Observation`` from values already checked field by field (``feeds.ingest``'s
    checks, or rows the stores wrote themselves), without pydantic validating them again.

    Validation costs ~5 µs a row, as much as storing it; ``model_construct`` costs more
    still. This sets the four slots ``model_construct`` sets; a unit test pins that the
    result equals, hashes and dumps as the validated model does. The types must be exact
    (``value`` a float, ``revision`` an int ≥ 0): callers guarantee them.
    """
    obs = _new(Observation)
    fields: dict[str, Any] = {
        "indicator": indicator,
        "area": area,
        "period": period,
        "value": value,
        "revision": revision,
        "note": note,
        "agency": agency,
        "received_at": received_at,
    }
    _set(obs, "__dict__", fields)
    _set(obs, "__pydantic_fields_set__", set(_FIELDS))
    _set(obs, "__pydantic_extra__", None)
    _set(obs, "__pydantic_private__", None)
    return obs
