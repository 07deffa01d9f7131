"""What a folder watcher has handled, kept outside the drop folder.

One JSON file per agency in the server's data folder (``<data>/folder-watch/<agency>.json``):
the agency writes into its drop folder, so nothing we trust may live there. Each handled
file is remembered by name with its mtime, size and sha256, so "once" survives a restart, a
file that could not be moved, and an identical copy dropped again.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEEP = 1000  # files remembered; the oldest are forgotten first


class FolderState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.files = _load(path)

    def get(self, name: str) -> dict[str, Any] | None:
        return self.files.get(name)

    def remember(self, name: str, entry: dict[str, Any]) -> None:
        """Remember ``name`` (newest last) and write the file; OSError if it cannot."""
        self.files.pop(name, None)
        self.files[name] = entry
        while len(self.files) > KEEP:
            self.files.pop(next(iter(self.files)))
        _save(self.path, self.files)


def _load(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("%s is unreadable (%s); starting with no files remembered", path, exc)
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        log.warning("%s has no 'files' map; starting with no files remembered", path)
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, dict)}


def _save(path: Path, files: dict[str, dict[str, Any]]) -> None:
    """Written whole to a temporary file, flushed, then renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump({"version": 1, "files": files}, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
