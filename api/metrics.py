"""Prometheus metrics of one app instance (its own registry, so apps never share state)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


@dataclass
class Metrics:
    """Request, workflow, ingest and model metrics."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "cbclassify_http_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "cbclassify_http_request_duration_seconds",
            "Request latency by route",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.workflow = Counter(
            "cbclassify_workflow_actions", "Acknowledged workflow actions", ["command"], registry=r
        )
        self.ingested = Counter(
            "cbclassify_ingested_batches", "Ingested ledger batches", ["kind"], registry=r
        )
        self.classified = Counter(
            "cbclassify_classified_claims", "Claims classified on demand", registry=r
        )
        self.model_loaded = Gauge(
            "cbclassify_model_loaded", "1 when a champion is loaded", registry=r
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
