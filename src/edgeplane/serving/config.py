"""What the agent (or a model repository) asks the server to serve, and what applying it reports.

``ServingConfig`` is declarative: ``InferenceServer.apply`` converges to it, loading new versions,
re-using loaded ones whose path and framework did not change, and unloading the rest.

    config = ServingConfig(endpoints=[EndpointConfig(
        name="fraud", versions={"1": VersionSource(path=Path("/models/fraud/1"))}, traffic={"1": 100})])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from edgeplane.schemas import common, desired


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VersionSource(_Model):
    path: Path = Field(description="directory holding model.onnx or model.joblib (+ optional processing.py)")
    framework: Literal["onnx", "sklearn", "auto"] = "auto"


class EndpointConfig(_Model):
    """One model name on the V2 API: its versions, the traffic split, an optional shadow."""

    name: common.Name
    versions: dict[common.Version, VersionSource] = Field(min_length=1)
    traffic: dict[str, int] = Field(
        default_factory=dict, description="version -> weight; empty means an equal split over all versions"
    )
    shadow: desired.Shadow | None = None
    sticky_header: str | None = Field(default=None, description="same header value, same version")
    api_keys: list[SecretStr] = Field(default_factory=list, description="empty means no key required")

    @model_validator(mode="after")
    def _check(self) -> EndpointConfig:
        unknown = sorted(set(self.traffic) - set(self.versions))
        if unknown:
            raise ValueError(f"traffic names versions not in 'versions': {unknown}")
        if any(w < 0 for w in self.traffic.values()) or (self.traffic and not sum(self.traffic.values())):
            raise ValueError("traffic weights must be >= 0 with a positive total")
        if self.shadow is not None and self.shadow.version not in self.versions:
            raise ValueError(f"shadow version {self.shadow.version!r} is not in 'versions'")
        return self

    def weights(self) -> dict[str, int]:
        return dict(self.traffic) if self.traffic else dict.fromkeys(self.versions, 1)


class ServingConfig(_Model):
    endpoints: list[EndpointConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ServingConfig:
        names = [e.name for e in self.endpoints]
        if len(names) != len(set(names)):
            raise ValueError("endpoint names must be unique")
        return self


def endpoint_from_desired(
    endpoint: desired.DesiredEndpoint,
    paths: Mapping[str, Path],
    *,
    sticky_header: str | None = None,
    api_keys: Sequence[str] = (),
) -> EndpointConfig:
    """An ``EndpointConfig`` for a hub ``DesiredEndpoint``; ``paths`` maps version -> verified local dir."""
    return EndpointConfig(
        name=endpoint.name,
        versions={
            v.version: VersionSource(path=paths[v.version], framework=_framework(v.framework))
            for v in endpoint.versions
        },
        traffic=dict(endpoint.traffic),
        shadow=endpoint.shadow,
        sticky_header=sticky_header,
        api_keys=[SecretStr(k) for k in api_keys],
    )


def _framework(name: str) -> Literal["onnx", "sklearn", "auto"]:
    low = name.lower()
    if low in ("onnx", "onnxruntime"):
        return "onnx"
    if low in ("sklearn", "scikit-learn"):
        return "sklearn"
    return "auto"


class VersionLoad(_Model):
    """The outcome of applying one version: in service or not, and why."""

    endpoint: str
    version: str
    ok: bool
    reused: bool = False
    error: str | None = None


class ApplyResult(_Model):
    versions: list[VersionLoad] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.versions)

    def failures(self) -> list[VersionLoad]:
        return [v for v in self.versions if not v.ok]


class VersionStats(_Model):
    """Per endpoint version, for the node's status report; latencies over the stats window."""

    loaded: bool
    weight: int = 0
    shadow: bool = False
    requests: int = Field(default=0, description="since the version was loaded")
    errors: int = 0
    requests_window: int = 0
    errors_window: int = 0
    p50_ms: float | None = None
    p99_ms: float | None = None

    def as_metrics(self) -> dict[str, float]:
        """Flat numbers for ``schemas.desired.StatusEntry.metrics``."""
        out = {"loaded": float(self.loaded), "requests": float(self.requests), "errors": float(self.errors)}
        if self.p50_ms is not None and self.p99_ms is not None:
            out |= {"p50_ms": self.p50_ms, "p99_ms": self.p99_ms}
        return out
