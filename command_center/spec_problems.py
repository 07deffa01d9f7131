"""Collecting every problem of a spec file, each with its file, line, key and a hint.

Validation never stops at the first mistake: duty staff fixing a preset before a meeting
should see all of them at once. Pydantic errors are translated here, one problem each.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from command_center.errors import SpecProblem
from command_center.yaml_lines import KeyPath, LoadedYaml, format_path, load_yaml

M = TypeVar("M", bound=BaseModel)


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The one choice close enough to ``word`` to be what was meant, if any."""
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return close[0] if close else None


def did_you_mean(word: object, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for a near miss, else the list of what is allowed."""
    known = sorted(choices)
    close = closest(word, known)
    if close:
        return f"did you mean '{close}'?"
    return f"allowed: {', '.join(known)}" if known else None


class ProblemLog:
    """The problems of one file; looks up lines in the file's key-to-line map."""

    def __init__(self, file: str, source: LoadedYaml | None = None) -> None:
        self.file = file
        self.source = source
        self.problems: list[SpecProblem] = []

    def add(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        key = format_path(path)
        line = self.source.line_of(key) if self.source else None
        self.problems.append(SpecProblem(self.file, line, key, message, hint))

    def add_at_line(self, key: str, line: int | None, message: str) -> None:
        self.problems.append(SpecProblem(self.file, line, key, message))

    def validate(self, model: type[M], data: object, prefix: KeyPath = ()) -> M | None:
        """Validate ``data`` (found at ``prefix``) as ``model``; log each error, return None."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                self._add_error(error, model, prefix)
            return None

    def _add_error(self, error: ErrorDetails, model: type[BaseModel], prefix: KeyPath) -> None:
        loc = tuple(error["loc"])
        path = (*prefix, *loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            self.add(path, "unknown key", did_you_mean(loc[-1], _fields_at(model, loc[:-1])))
        elif kind == "missing":
            self.add(path, "required key is missing")
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            # Pydantic would name our internal class; the author wrote YAML.
            value = error.get("input")
            got = "nothing" if value is None else type(value).__name__
            self.add(path, f"expected a mapping of keys (got {got})")
        else:
            message = error["msg"].removeprefix("Value error, ")
            value = error.get("input")
            if isinstance(value, str | int | float) and kind != "value_error":
                message += f" (got {value!r})"
            self.add(path, message)


class IdsOnce:
    """The ids of one list of a spec file (tiles, slots, rules): a second use of an id is a
    problem at its ``id``, naming where the first one stands."""

    def __init__(self, log: ProblemLog, noun: str) -> None:
        self._log = log
        self._noun = noun
        self._first: dict[str, KeyPath] = {}

    def see(self, ident: str, at: KeyPath) -> None:
        first = self._first.setdefault(ident, at)
        if first != at:
            message = f"{self._noun} id '{ident}' is used twice"
            self._log.add((*at, "id"), message, f"first used by {format_path(first)}")


def _fields_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The keys allowed at ``loc`` inside ``model``, following nested models and tuples."""
    current: type[BaseModel] | None = model
    keyed = False  # the part before was a ``dict[str, Model]``: this part is its key
    for part in loc:
        if current is None:
            return []
        if isinstance(part, str) and not keyed:
            info = _written_fields(current).get(part)
            current = _model_in(info.annotation) if info else None
            keyed = info is not None and typing.get_origin(info.annotation) is dict
        else:
            keyed = False
    return list(_written_fields(current)) if current else []


def _written_fields(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields by the key written in the file (its alias, e.g. ``from``, if any)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The first pydantic model inside an annotation such as ``tuple[X, ...] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def read_spec(path: Path, log: ProblemLog) -> LoadedYaml | None:
    """Parse the file, attach its line map to ``log``; syntax errors become problems."""
    try:
        source = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        log.add_at_line("(file)", None, f"cannot read the file: {exc}")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None:
            detail += f" ({exc.context} on line {exc.context_mark.line + 1})"
        log.add_at_line("(yaml)", line, f"YAML syntax error: {detail}")
        return None
    except yaml.YAMLError as exc:
        log.add_at_line("(yaml)", None, f"YAML error: {exc}")
        return None
    log.source = source
    for key, line in source.duplicates:
        log.add_at_line(key, line, "key is written twice; the earlier value would be lost")
    return source
