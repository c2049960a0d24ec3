"""Render an ESS object's metadata with Open Horizon's field names (edge-sync-service ``MetaData``).

Fields an OH service may read are all present, with OH's zero values where we have nothing to say, so
strict clients decode it unchanged. ``instanceID``/``dataID`` change with every new version or deletion
of the object for that workload.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgeplane.agent.state import routes
from edgeplane.schemas.desired import DesiredModel


def render(route: routes.Route, model: DesiredModel, *, org: str, node_id: str, arch: str,
           workload_version: str, size: int, version_dir: Path) -> dict[str, Any]:
    workload_org, _, workload_name = route.workload.partition("/")
    return {
        "objectID": route.object_id,
        "objectType": route.object_type,
        "destinationOrgID": org,
        "destinationID": node_id,
        "destinationType": "",
        "destinationsList": None,
        "destinationPolicy": {
            "properties": [], "constraints": [], "timestamp": 0,
            "services": [{"orgID": workload_org, "arch": arch, "serviceName": workload_name,
                          "version": workload_version}],
        },
        "expiration": "",
        "version": model.version,
        "description": f"{model.framework} model {model.org}/{model.name}"
                       + (f" (model policy {model.policy})" if model.policy else ""),
        "link": "",
        "inactive": False,
        "activationTime": "",
        "noData": False,
        "metaOnly": False,
        "destinationDataUri": "" if route.deleted else version_dir.as_uri(),
        "sourceDataUri": "",
        "consumers": 1,
        "autodelete": False,
        "originID": "",
        "originType": "",
        "deleted": route.deleted,
        "instanceID": route.instance,
        "dataID": route.instance,
        "objectSize": size,
        "chunkSize": 0,
        "hashAlgorithm": "SHA256" if len(model.files) == 1 else "",
        "publicKey": "",
        "signature": "",
        "lastUpdate": route.changed_at,
    }
