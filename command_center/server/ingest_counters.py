"""What the agency API took and refused, counted as it happens for ``/metrics``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class IngestCounters:
    """Observation rows by agency and outcome. Agencies come from the registry (a fixed list)
    and refusals are labelled by HTTP status, so no client can grow the label sets."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.rows = Counter(
            "cc_observation_rows",
            "Observation rows received through the agency API, by outcome",
            ["agency", "outcome"],
            registry=registry,
        )
        self.refused = Counter(
            "cc_observation_batches_refused",
            "Observation batches refused (nothing of them stored), by HTTP status",
            ["status"],
            registry=registry,
        )

    def stored(self, agency: str, accepted: int, duplicates: int) -> None:
        self.rows.labels(agency, "accepted").inc(accepted)
        self.rows.labels(agency, "duplicate").inc(duplicates)

    def refused_batch(self, status: int) -> None:
        self.refused.labels(str(status)).inc()
