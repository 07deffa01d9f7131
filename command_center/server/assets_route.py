"""``/assets/…``: the wall's static files, compressed where it pays.

Tornado gzips only the content types it knows; GeoJSON (``application/geo+json``) is not one
of them, and the boundary layers are the biggest files a kiosk loads (~150 KB, ~40 KB
gzipped). They are JSON, so they are served as JSON.
"""

from __future__ import annotations

from tornado.web import StaticFileHandler


class AssetsHandler(StaticFileHandler):
    def get_content_type(self) -> str:
        if (self.absolute_path or "").endswith(".geojson"):
            return "application/json"
        return super().get_content_type()
