"""Model registry wire types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from edgeplane.schemas.common import Name, Sha256, Version, Wire

Framework = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,31}$")]
LabelKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$")]
MAX_FILES = 10_000


def check_relative_path(path: str) -> str:
    """A manifest path is relative, uses '/', and never climbs out of the version's directory."""
    if not path or len(path) > 1024:
        raise ValueError("path must be 1-1024 characters")
    if path.startswith("/") or "\\" in path or "\x00" in path:
        raise ValueError("path must be relative, use '/', and contain no NUL or backslash")
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError("path must not contain empty, '.' or '..' segments")
    return path


class FileEntry(Wire):
    path: str
    size: int = Field(ge=0)
    sha256: Sha256

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        return check_relative_path(v)


class ModelCreate(Wire):
    name: Name
    description: str = Field(default="", max_length=4096)


class Model(Wire):
    org: str
    name: str
    description: str
    created_at: datetime
    versions: list[str] = Field(default_factory=list)


class VersionCreate(Wire):
    version: Version
    framework: Framework = "other"
    task: str = Field(default="", max_length=128)
    labels: dict[LabelKey, Annotated[str, StringConstraints(max_length=256)]] = Field(default_factory=dict)
    metrics: dict[LabelKey, float] = Field(default_factory=dict)
    files: list[FileEntry] = Field(min_length=1, max_length=MAX_FILES)

    @field_validator("files")
    @classmethod
    def _unique_paths(cls, v: list[FileEntry]) -> list[FileEntry]:
        seen: set[str] = set()
        for f in v:
            if f.path in seen:
                raise ValueError(f"duplicate path {f.path!r}")
            seen.add(f.path)
        return v


VersionState = Literal["pending", "ready"]


class ModelVersion(Wire):
    org: str
    model: str
    version: str
    framework: str
    task: str
    labels: dict[str, str]
    metrics: dict[str, float]
    files: list[FileEntry]
    state: VersionState
    size: int
    created_at: datetime
    committed_at: datetime | None = None


class MissingBlob(Wire):
    sha256: str
    size: int
    received: int = Field(description="bytes the hub already holds for this blob (resume from here)")


class VersionUploadPlan(Wire):
    """Answer to creating a version: what still has to be uploaded before it can be committed."""

    version: ModelVersion
    missing: list[MissingBlob]


class UploadStatus(Wire):
    sha256: str
    size: int
    received: int
    complete: bool
