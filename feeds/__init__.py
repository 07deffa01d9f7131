"""Indicators: the catalogue and the agencies that report it, ingestion (the agency API's
validation, CSV and Excel batches, polling, drop folders, the simulator), the stores of
observations and incidents, and the indicator tiles' data.

``loader.load_feeds`` reads the shipped files below into one checked ``FeedsSpec``;
``periods`` turns a frequency and a deadline rule into periods, deadlines and lateness;
``expected`` says who owes which report; ``tile_<kind>`` builds each tile's data.
"""

from __future__ import annotations

from pathlib import Path

FEEDS_DIR = Path(__file__).resolve().parent
DATA_DIR = FEEDS_DIR / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.yaml"
AGENCIES_FILE = DATA_DIR / "agencies.yaml"
