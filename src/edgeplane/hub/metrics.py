"""Prometheus metrics for one hub app (own registry: no process globals, tests stay isolated)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


def _counter(reg: CollectorRegistry, name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
    return Counter(name, doc, labels, registry=reg)


@dataclass
class HubMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        reg = self.registry
        self.requests = _counter(reg, "edgeplane_hub_requests", "HTTP requests", ("method", "route", "status"))
        self.latency = Histogram(
            "edgeplane_hub_request_seconds",
            "HTTP request latency",
            ("route",),
            registry=reg,
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
        )
        self.bytes_in = _counter(reg, "edgeplane_hub_upload_bytes", "artifact bytes received")
        self.bytes_out = _counter(reg, "edgeplane_hub_download_bytes", "artifact bytes served (full files)")
        self.versions_committed = _counter(reg, "edgeplane_hub_versions_committed", "model versions committed")
