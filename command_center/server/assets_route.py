"""``/assets/…``: the wall's static files, compressed where it pays.

Tornado gzips only the content types it knows; GeoJSON (``application/geo+json``) is not one
of them, and the boundary layers are the biggest files a kiosk loads (~150 KB, ~40 KB
gzipped). They are JSON, so they are served as JSON.
"""

from __future__ import annotations

from tornado.web import StaticFileHandler

from command_center.server.sibling_origins import allow_sibling


class AssetsHandler(StaticFileHandler):
    """Readable by the pages of the other servers of this wall too: a kiosk page that failed
    over fetches what it loads late (the boundary layers) from the server it uses now."""

    def initialize(
        self,
        path: str,
        default_filename: str | None = None,
        allowed_symlink_directory: str | list[str] | None = None,
        *,
        siblings: frozenset[str] = frozenset(),
    ) -> None:
        super().initialize(path, default_filename, allowed_symlink_directory)
        self.siblings = siblings

    def set_extra_headers(self, path: str) -> None:
        allow_sibling(self, self.siblings)

    def get_content_type(self) -> str:
        if (self.absolute_path or "").endswith(".geojson"):
            return "application/json"
        return super().get_content_type()
