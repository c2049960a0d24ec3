"""AgentSettings reads EDGEPLANE_AGENT_* with groups separated by '__'."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeplane.agent.settings import AgentSettings


def test_env_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEPLANE_AGENT_DATA_DIR", "/tmp/x")
    monkeypatch.setenv("EDGEPLANE_AGENT_FETCH__CHUNK_BYTES", "65536")
    monkeypatch.setenv("EDGEPLANE_AGENT_ESS__CERT_SANS", '["agent-service", "agent-service.ns.svc"]')
    s = AgentSettings()
    assert s.data_dir == Path("/tmp/x") and s.fetch.chunk_bytes == 65536
    assert s.ess.cert_sans == ["agent-service", "agent-service.ns.svc"]
    assert s.runner.stop_grace_s == 10.0 and s.sync.wait_s == 55.0


def test_every_field_is_documented() -> None:
    groups = ("sync", "fetch", "ess", "runner", "cluster")
    for group in (AgentSettings, *(type(getattr(AgentSettings(), g)) for g in groups)):
        for name, field in group.model_fields.items():
            if name not in groups:
                assert field.description, f"{group.__name__}.{name} has no description"
