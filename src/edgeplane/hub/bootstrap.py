"""First start: org ``default``, user ``admin`` and an admin token written to ``<data_dir>/admin-token``."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from edgeplane._kit import files
from edgeplane.hub.settings import HubSettings
from edgeplane.hub.store import orgs, tokens
from edgeplane.hub.store.db import Database
from edgeplane.schemas import auth

log = logging.getLogger(__name__)


def bootstrap(settings: HubSettings, db: Database) -> str | None:
    """Create the first org and admin token if there are no orgs yet; return the token (shown once)."""
    try:
        with db.begin() as s:
            if orgs.list_all(s):
                return None
            org = orgs.create(s, auth.OrgCreate(name="default", description="created on first start"))
            user = orgs.create_user(s, org, auth.UserCreate(name="admin", role="admin"))
            issued = tokens.issue(
                s, org_id=org.id, kind="api", role="admin", user_id=user.id, description="bootstrap admin token"
            )
    except IntegrityError:  # another replica bootstrapped at the same moment
        return None
    files.write_private(settings.data_dir / "admin-token", issued.secret + "\n")
    return issued.secret
