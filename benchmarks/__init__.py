"""Measured, not hoped for: ``python -m benchmarks [fanout|switch|alerts|ingest|video|map|hostile|soak]
[--short]`` (``benchmarks/__main__.py`` lists what each takes).

Each benchmark runs the real server process, real Chromium pages as screens and a real
Redis, prints its figures as percentiles and ratios, and stops by itself.
"""
