"""Prometheus metrics (one registry per app instance) and the sliding window behind ``stats()``.

Everything here is updated from the event loop thread only, so the window needs no lock.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Histogram

_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_WINDOW_CAP = 200_000  # samples kept per version; bounds memory at very high request rates


@dataclass
class Window:
    """Latency samples of the last ``seconds``, plus totals since the version was loaded."""

    seconds: float
    requests: int = 0
    errors: int = 0
    samples: collections.deque[tuple[float, float, bool]] = field(
        default_factory=lambda: collections.deque(maxlen=_WINDOW_CAP)
    )

    def add(self, now: float, latency_s: float, ok: bool) -> None:
        self.requests += 1
        self.errors += not ok
        self.samples.append((now, latency_s, ok))

    def summary(self, now: float) -> tuple[int, int, float | None, float | None]:
        """(requests, errors, p50 ms, p99 ms) over the window."""
        cutoff = now - self.seconds
        while self.samples and self.samples[0][0] < cutoff:
            self.samples.popleft()
        if not self.samples:
            return 0, 0, None, None
        lat = np.fromiter((s[1] for s in self.samples), dtype=np.float64, count=len(self.samples))
        errs = sum(1 for s in self.samples if not s[2])
        p50, p99 = np.percentile(lat, [50, 99]) * 1000.0
        return len(self.samples), errs, float(p50), float(p99)


class ServingMetrics:
    """The server's Prometheus series, labelled by model (endpoint) and version."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        labels = ("model", "version")
        self.requests = Counter(
            "edgeplane_inference_requests", "Inference requests answered", labels, registry=self.registry
        )
        self.errors = Counter(
            "edgeplane_inference_errors", "Inference requests that failed", labels, registry=self.registry
        )
        self.latency = Histogram(
            "edgeplane_inference_latency_seconds",
            "Inference latency",
            labels,
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.shadow_requests = Counter(
            "edgeplane_shadow_requests", "Requests copied to a shadow version", labels, registry=self.registry
        )
        self.shadow_errors = Counter(
            "edgeplane_shadow_errors", "Shadow inferences that failed", labels, registry=self.registry
        )
        self.shadow_disagreements = Counter(
            "edgeplane_shadow_disagreements",
            "Shadow answers that differ from the primary's",
            labels,
            registry=self.registry,
        )
        self.load_failures = Counter(
            "edgeplane_model_load_failures",
            "Versions that failed to load or warm up",
            labels,
            registry=self.registry,
        )

        self._children: dict[tuple[str, str], tuple[Any, Any, Any]] = {}

    def observe(self, model: str, version: str, latency_s: float, ok: bool) -> None:
        key = (model, version)
        children = self._children.get(key)
        if children is None:  # label lookups take a lock; resolve them once per version
            children = (self.requests.labels(*key), self.errors.labels(*key), self.latency.labels(*key))
            self._children[key] = children
        children[0].inc()
        if not ok:
            children[1].inc()
        children[2].observe(latency_s)
