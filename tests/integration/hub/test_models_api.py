"""Model registry over the real app and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from tests.integration.hub.helpers import ORG, declare, rows, upload

from edgeplane.hub.settings import HubSettings


def test_push_commit_list_show_download(api: TestClient) -> None:
    a, b = b"weights" * 1000, b"config"
    plan = declare(
        api,
        "resnet",
        "1.0.0",
        {"model.onnx": a, "cfg/labels.txt": b},
        framework="onnx",
        metrics={"accuracy": 0.93},
        labels={"task": "vision"},
    )
    assert {m["sha256"] for m in plan["missing"]} == {hashlib.sha256(x).hexdigest() for x in (a, b)}
    # pending versions are invisible
    assert api.get(f"{ORG}/models/resnet").json()["versions"] == []
    assert api.get(f"{ORG}/models/resnet/versions/1.0.0").status_code == 404
    assert upload(api, a)["status"] == 201
    r = api.post(f"{ORG}/models/resnet/versions/1.0.0/commit")
    assert r.status_code == 409 and r.json()["error"] == "version-incomplete"
    assert upload(api, b)["status"] == 201
    assert api.post(f"{ORG}/models/resnet/versions/1.0.0/commit").json()["state"] == "ready"
    v = api.get(f"{ORG}/models/resnet/versions/1.0.0").json()
    assert v["metrics"] == {"accuracy": 0.93} and v["framework"] == "onnx" and v["size"] == len(a) + len(b)
    assert [m["name"] for m in api.get(f"{ORG}/models").json()] == ["resnet"]
    r = api.get(f"{ORG}/models/resnet/versions/1.0.0/files/cfg/labels.txt")
    assert r.content == b and r.headers["etag"] == f'"{hashlib.sha256(b).hexdigest()}"'
    r = api.get(f"{ORG}/blobs/{hashlib.sha256(a).hexdigest()}", headers={"Range": "bytes=7-13"})
    assert r.status_code == 206 and r.content == a[7:14]
    assert r.headers["content-range"] == f"bytes 7-13/{len(a)}"


def test_upload_resumes_and_is_idempotent(api: TestClient) -> None:
    data = bytes(range(256)) * 4096
    declare(api, "m", "1", {"w.bin": data})
    digest = hashlib.sha256(data).hexdigest()
    assert upload(api, data, 0, 300_000)["received"] == 300_000
    assert api.get(f"{ORG}/blobs/{digest}/upload").json() == {
        "sha256": digest,
        "size": len(data),
        "received": 300_000,
        "complete": False,
    }
    # re-declaring the same manifest resumes and reports what the hub holds
    again = declare(api, "m", "1", {"w.bin": data})
    assert again["missing"][0]["received"] == 300_000
    assert upload(api, data, 300_000)["status"] == 201
    assert upload(api, data)["status"] == 200  # complete already: nothing rewritten


def test_same_bytes_are_stored_once_across_models(api: TestClient, hub_settings: HubSettings) -> None:
    data = b"shared-weights" * 100
    for model in ("a", "b"):
        declare(api, model, "1", {"w": data})
        upload(api, data)
        api.post(f"{ORG}/models/{model}/versions/1/commit")
    blobs = list((hub_settings.data_dir / "artifacts" / "sha256").rglob("*"))
    assert len([p for p in blobs if p.is_file()]) == 1
    # deleting one version keeps the blob the other still uses; deleting both removes it
    assert api.delete(f"{ORG}/models/a/versions/1").status_code == 204
    assert api.get(f"{ORG}/blobs/{hashlib.sha256(data).hexdigest()}").content == data
    assert api.delete(f"{ORG}/models/b").status_code == 204
    assert not [p for p in (hub_settings.data_dir / "artifacts" / "sha256").rglob("*") if p.is_file()]


def test_tokens_are_stored_hashed(api: TestClient, hub_settings: HubSettings, admin_token: str) -> None:
    stored = rows(hub_settings, "SELECT secret_hash FROM tokens")
    secret = admin_token.split("_")[2]
    assert stored and all(secret not in h for (h,) in stored)
    assert hashlib.sha256(secret.encode()).hexdigest() in {h for (h,) in stored}


def test_openapi_healthz_metrics(api: TestClient) -> None:
    assert "/api/v1/orgs/{org}/models" in api.get("/openapi.json").json()["paths"]
    assert api.get("/healthz").json()["status"] == "ok"
    api.get(f"{ORG}/models")
    assert (
        'edgeplane_hub_requests_total{method="GET",route="/api/v1/orgs/{org}/models",status="200"}'
        in api.get("/metrics").text
    )
