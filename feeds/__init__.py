"""The indicator catalogue and the agencies that report it (ingestion and tiles come later).

``loader.load_feeds`` reads the shipped files below into one checked ``FeedsSpec``;
``periods`` turns a frequency and a deadline rule into periods, deadlines and lateness.
"""

from __future__ import annotations

from pathlib import Path

FEEDS_DIR = Path(__file__).resolve().parent
DATA_DIR = FEEDS_DIR / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.yaml"
AGENCIES_FILE = DATA_DIR / "agencies.yaml"
