"""The README's dependency-floor table and pyproject.toml say the same thing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _table() -> dict[str, str]:
    section = README.split("## Dependency floors", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([a-z0-9_.-]+) \| ([0-9][0-9.]*) \|", section, re.MULTILINE)
    return dict(rows)


def _floors() -> dict[str, str]:
    specs = [
        *PYPROJECT["build-system"]["requires"],
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["test"],
    ]
    floors = {}
    for spec in specs:
        found = re.match(r"([A-Za-z0-9_.-]+)\s*(?:==|>=)\s*([0-9][0-9.]*)", spec)
        if found:
            floors[found.group(1).lower()] = found.group(2)
    return floors


def test_the_table_is_not_empty() -> None:
    assert len(_table()) >= 5


@pytest.mark.parametrize("package, floor", sorted(_table().items()))
def test_readme_floor_is_the_one_in_pyproject(package: str, floor: str) -> None:
    assert _floors().get(package) == floor, (
        f"README says {package} >= {floor}, pyproject says {_floors().get(package)}"
    )
