"""Helpers shared by the hub API tests."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from edgeplane.hub.settings import HubSettings

ORG = "/api/v1/orgs/default"


def blob(data: bytes) -> dict[str, object]:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def declare(api: TestClient, model: str, version: str, files: dict[str, bytes], **extra: object) -> dict:
    body = {"version": version, "files": [{"path": p, **blob(d)} for p, d in files.items()], **extra}
    r = api.post(f"{ORG}/models/{model}/versions", json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def upload(api: TestClient, data: bytes, start: int = 0, end: int | None = None) -> dict:
    end = len(data) if end is None else end
    digest = hashlib.sha256(data).hexdigest()
    r = api.put(
        f"{ORG}/blobs/{digest}",
        content=data[start:end],
        headers={"Content-Range": f"bytes {start}-{end - 1}/{len(data)}"},
    )
    return {"status": r.status_code, **r.json()}


def rows(settings: HubSettings, sql: str) -> list[tuple]:
    engine = create_engine(settings.database_url().replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()
