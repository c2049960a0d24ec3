"""Every kind of bad input gets a 4xx JSON error naming the field, and leaves nothing half-created."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from tests.integration.hub.helpers import ORG, blob, declare, rows, upload

from edgeplane.hub.settings import HubSettings

GOOD = b"0123456789" * 100


def assert_error(r, status: int, code: str, field: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code and body["detail"]
    if field is not None:
        assert body["field"] == field
    return body


def version_rows(settings: HubSettings) -> list[tuple]:
    return rows(settings, "SELECT version, state FROM model_versions")


@pytest.mark.parametrize("name", ["UPPER", "-lead", "a" * 64, "sp ace", "x/y", ""])
def test_bad_model_name(api: TestClient, name: str) -> None:
    r = api.post(f"{ORG}/models", json={"name": name})
    assert_error(r, 422, "invalid-input", "name")


@pytest.mark.parametrize("path", ["../etc/passwd", "/abs/file", "a/../../b", "a//b", "./x", "c:\\win", ""])
def test_path_traversal_and_absolute_paths(api: TestClient, hub_settings: HubSettings, path: str) -> None:
    r = api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": [{"path": path, **blob(GOOD)}]})
    body = assert_error(r, 422, "invalid-input")
    assert body["field"].startswith("files.0.path")
    assert version_rows(hub_settings) == []


def test_bad_version_and_digest(api: TestClient) -> None:
    assert_error(
        api.post(f"{ORG}/models/m/versions", json={"version": "../1", "files": [{"path": "a", **blob(GOOD)}]}),
        422,
        "invalid-input",
        "version",
    )
    assert_error(
        api.post(
            f"{ORG}/models/m/versions", json={"version": "1", "files": [{"path": "a", "size": 1, "sha256": "XYZ"}]}
        ),
        422,
        "invalid-input",
        "files.0.sha256",
    )
    assert_error(api.put(f"{ORG}/blobs/not-a-digest", content=b"x"), 422, "invalid-input", "digest")


def test_digest_that_does_not_match_bytes(api: TestClient, hub_settings: HubSettings) -> None:
    declare(api, "m", "1", {"w": GOOD})
    digest = hashlib.sha256(GOOD).hexdigest()
    wrong = b"X" * len(GOOD)
    r = api.put(
        f"{ORG}/blobs/{digest}", content=wrong, headers={"Content-Range": f"bytes 0-{len(GOOD) - 1}/{len(GOOD)}"}
    )
    assert_error(r, 422, "digest-mismatch", "sha256")
    assert api.get(f"{ORG}/blobs/{digest}/upload").json()["received"] == 0
    assert_error(api.post(f"{ORG}/models/m/versions/1/commit"), 409, "version-incomplete", "files")
    assert version_rows(hub_settings) == [("1", "pending")]


@pytest.mark.parametrize("first,second", [((0, 500), (400, 1000)), ((0, 500), (600, 1000)), ((0, 0), (500, 1000))])
def test_overlapping_or_out_of_order_ranges(api: TestClient, first: tuple[int, int], second: tuple[int, int]) -> None:
    declare(api, "m", "1", {"w": GOOD})
    if first[1]:
        assert upload(api, GOOD, *first)["status"] == 202
    r = api.put(
        f"{ORG}/blobs/{hashlib.sha256(GOOD).hexdigest()}",
        content=GOOD[second[0] : second[1]],
        headers={"Content-Range": f"bytes {second[0]}-{second[1] - 1}/{len(GOOD)}"},
    )
    body = assert_error(r, 409, "upload-offset-mismatch", "Content-Range")
    assert f"from byte {first[1]}" in body["hint"]


@pytest.mark.parametrize("header", ["bytes 0-9", "bytes 9-0/1000", "bytes 0-9/999", "bytes 0-1000/1000", "items 0-1/2"])
def test_malformed_content_range(api: TestClient, header: str) -> None:
    declare(api, "m", "1", {"w": GOOD})
    r = api.put(f"{ORG}/blobs/{hashlib.sha256(GOOD).hexdigest()}", content=b"x", headers={"Content-Range": header})
    assert_error(r, 422, "invalid-input", "Content-Range")


def test_body_longer_than_range(api: TestClient) -> None:
    declare(api, "m", "1", {"w": GOOD})
    r = api.put(
        f"{ORG}/blobs/{hashlib.sha256(GOOD).hexdigest()}",
        content=GOOD[:20],
        headers={"Content-Range": f"bytes 0-9/{len(GOOD)}"},
    )
    assert_error(r, 422, "invalid-input", "Content-Range")


def test_upload_of_undeclared_blob(api: TestClient) -> None:
    r = api.put(f"{ORG}/blobs/{hashlib.sha256(b'nobody').hexdigest()}", content=b"nobody")
    assert_error(r, 404, "not-found", "digest")


def test_version_that_already_exists(api: TestClient, hub_settings: HubSettings) -> None:
    declare(api, "m", "1", {"w": GOOD})
    upload(api, GOOD)
    api.post(f"{ORG}/models/m/versions/1/commit")
    r = api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": [{"path": "w", **blob(GOOD)}]})
    assert_error(r, 409, "version-exists", "version")
    r = api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": [{"path": "other", **blob(b"x")}]})
    assert_error(r, 409, "version-exists", "version")
    assert version_rows(hub_settings) == [("1", "ready")]


def test_pending_version_with_different_manifest_conflicts(api: TestClient, hub_settings: HubSettings) -> None:
    declare(api, "m", "1", {"w": GOOD})
    r = api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": [{"path": "w2", **blob(GOOD)}]})
    assert_error(r, 409, "version-exists", "version")
    assert rows(hub_settings, "SELECT path FROM version_files") == [("w",)]


def test_token_of_another_org(api: TestClient) -> None:
    assert api.post("/api/v1/orgs", json={"name": "acme"}).status_code == 201
    other = api.post("/api/v1/orgs/acme/tokens", json={"role": "admin"})
    # the default org's admin is not an admin of acme
    assert_error(other, 403, "forbidden", "org")
    r = api.get("/api/v1/orgs/acme/models")
    assert_error(r, 403, "forbidden", "org")


def test_viewer_cannot_push(api: TestClient, hub_settings: HubSettings) -> None:
    viewer = api.post(f"{ORG}/tokens", json={"role": "viewer"}).json()["token"]
    h = {"Authorization": f"Bearer {viewer}"}
    r = api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": [{"path": "w", **blob(GOOD)}]}, headers=h)
    assert_error(r, 403, "forbidden", "Authorization")
    assert api.get(f"{ORG}/models", headers=h).status_code == 200
    assert version_rows(hub_settings) == []
    assert rows(hub_settings, "SELECT name FROM models") == []


def test_publisher_cannot_mint_admin_tokens(api: TestClient) -> None:
    pub = api.post(f"{ORG}/tokens", json={"role": "publisher"}).json()["token"]
    r = api.post(f"{ORG}/tokens", json={"role": "admin"}, headers={"Authorization": f"Bearer {pub}"})
    assert r.status_code in (403, 422)


@pytest.mark.parametrize("auth", [None, "Bearer nope", "Bearer epa_0000_1111", "Basic abc"])
def test_missing_or_wrong_token(api: TestClient, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    api.headers.pop("Authorization")
    assert_error(api.get(f"{ORG}/models", headers=headers), 401, "unauthorized", "Authorization")


def test_missing_or_malformed_body(api: TestClient, hub_settings: HubSettings) -> None:
    assert_error(
        api.post(f"{ORG}/models/m/versions", content=b"{nope", headers={"Content-Type": "application/json"}),
        400,
        "malformed-body",
        "body",
    )
    assert_error(api.post(f"{ORG}/models/m/versions"), 400, "malformed-body", "body")
    assert_error(api.post(f"{ORG}/models/m/versions", json={"version": "1"}), 422, "invalid-input", "files")
    assert_error(
        api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": [], "bogus": 1}), 422, "invalid-input"
    )
    assert version_rows(hub_settings) == []


def test_duplicate_paths_in_manifest(api: TestClient) -> None:
    files = [{"path": "w", **blob(GOOD)}, {"path": "w", **blob(b"x")}]
    assert_error(api.post(f"{ORG}/models/m/versions", json={"version": "1", "files": files}), 422, "invalid-input")
