"""Building blocks shared by the wire types: constrained names, versions, digests, error bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from edgeplane._kit.ids import DIGEST_PATTERN, NAME_PATTERN, VERSION_PATTERN

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
Version = Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]
Sha256 = Annotated[str, StringConstraints(pattern=DIGEST_PATTERN)]


class Wire(BaseModel):
    """Base of every wire type: unknown fields are rejected so typos surface as errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Open(BaseModel):
    """Base for documents from other systems (Open Horizon JSON) whose extra fields we keep."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ErrorBody(BaseModel):
    """``{"error": code, "detail": ..., "field": ..., "hint": ...}`` -- every API error looks like this."""

    error: str
    detail: str
    field: str | None = None
    hint: str | None = None


class Page(Wire):
    items: list[Any]
    total: int = Field(ge=0)
