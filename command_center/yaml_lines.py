"""Safe YAML loading that remembers the line of every key, so problems can name their line.

``yaml.safe_load`` throws positions away; here the document is composed once with
``yaml.SafeLoader`` (the same safe constructors) and the node tree is walked to map each
key path (``tiles[2].params.vi``) to its 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """``("tiles", 2, "params")`` → ``tiles[2].params``; the empty path is ``(root)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


@dataclass(frozen=True)
class LoadedYaml:
    data: Any
    lines: dict[str, int]
    # Keys written twice in one mapping: PyYAML silently keeps the last one, we report it.
    duplicates: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, key: str) -> int | None:
        """The line of ``key``, else of its nearest written ancestor (a missing key's parent)."""
        while True:
            if key in self.lines:
                return self.lines[key]
            cut = max(key.rfind("."), key.rfind("["))
            if cut <= 0:
                return self.lines.get("(root)")
            key = key[:cut]


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document safely; raises ``yaml.YAMLError`` (with a mark) on bad syntax."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[str, int] = {"(root)": 1}
    duplicates: list[tuple[str, int]] = []
    if node is not None:
        lines["(root)"] = node.start_mark.line + 1
        _walk(node, (), lines, duplicates)
    return LoadedYaml(data, lines, duplicates)


def _walk(
    node: yaml.Node, path: KeyPath, lines: dict[str, int], dups: list[tuple[str, int]]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # complex keys never name a field; pydantic reports them
            sub = format_path((*path, key_node.value))
            line = key_node.start_mark.line + 1
            if sub in seen:
                dups.append((sub, line))
            seen.add(sub)
            lines[sub] = line
            _walk(value_node, (*path, key_node.value), lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[format_path((*path, index))] = item.start_mark.line + 1
            _walk(item, (*path, index), lines, dups)
