"""Measured, not hoped for: ``python -m benchmarks [fanout|switch] [--short]``.

Each benchmark runs the real server process, real Chromium pages as screens and a real
Redis, prints its figures as percentiles and ratios, and stops by itself.
"""
