"""Orgs, users, tokens and roles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from edgeplane.schemas.common import Name, Wire

Role = Literal["admin", "publisher", "viewer"]
ROLE_RANK: dict[str, int] = {"viewer": 0, "publisher": 1, "admin": 2}


class OrgCreate(Wire):
    name: Name
    description: str = Field(default="", max_length=1024)


class Org(Wire):
    name: str
    description: str
    created_at: datetime


class UserCreate(Wire):
    name: Name
    role: Role


class User(Wire):
    name: str
    org: str
    role: Role
    created_at: datetime


class TokenCreate(Wire):
    role: Role
    user: Name | None = Field(default=None, description="user the token acts for; default: the caller")
    description: str = Field(default="", max_length=256)


class TokenCreated(Wire):
    id: str
    org: str
    role: Role
    user: str | None
    token: str = Field(description="the secret; shown only once")


class TokenInfo(Wire):
    id: str
    org: str
    role: Role
    user: str | None
    description: str
    created_at: datetime


class WhoAmI(Wire):
    org: str
    role: Role | None
    user: str | None
    node: str | None
