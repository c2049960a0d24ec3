"""Open Horizon policy JSON shapes: properties, constraints, node/deployment/model policy sections.

Only the shape is checked here; the constraint language itself (parsing, typing, evaluation) lives in
``edgeplane.policy``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from edgeplane.schemas.common import Open

PropertyType = Literal["string", "int", "float", "boolean", "version", "list of strings"]
PropertyValue = str | int | float | bool


class Property(Open):
    """One OH property: ``{"name": "gpu", "value": true, "type": "boolean"}`` (type optional)."""

    name: str = Field(min_length=1, max_length=256)
    value: PropertyValue
    type: PropertyType | None = None


class PolicySection(Open):
    """``properties`` + ``constraints``, as in OH's node policy ``deployment`` section."""

    properties: list[Property] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)


class NodePolicy(PolicySection):
    """An OH node policy document. ``deployment`` (and ``management``) sections, when present, apply to
    deployment matching instead of the top-level properties/constraints."""

    deployment: PolicySection | None = None
    management: PolicySection | None = None
