"""Hub-side objects (Argo CD, OCM, Flux) against the projects' published CRD OpenAPI schemas.

The CRD files are vendored, unmodified, under ``tests/data/crds/`` (one file per CRD, named as upstream
names it). A CRD that is not vendored yet makes its test skip with the file it wants, so adding coverage is
dropping the upstream file in.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from tests.unit.gitops.gitops_fleet import OPTIONS, fleet

from edgeplane.gitops import argo, flux, ocm

CRDS = Path(__file__).parents[2] / "data" / "crds"
UPSTREAM = {
    ("argoproj.io", "Application"): "argoproj/argo-cd manifests/crds/application-crd.yaml",
    ("argoproj.io", "ApplicationSet"): "argoproj/argo-cd manifests/crds/applicationset-crd.yaml",
    ("cluster.open-cluster-management.io", "Placement"):
        "open-cluster-management-io/api cluster/v1beta1/"
        "0000_02_clusters.open-cluster-management.io_placements.crd.yaml",
    ("cluster.open-cluster-management.io", "ManagedClusterSetBinding"):
        "open-cluster-management-io/api cluster/v1beta2/"
        "0000_01_clusters.open-cluster-management.io_managedclustersetbindings.crd.yaml",
    ("apps.open-cluster-management.io", "GitOpsCluster"):
        "stolostron/multicloud-integrations deploy/crds/apps.open-cluster-management.io_gitopsclusters.yaml",
    ("source.toolkit.fluxcd.io", "GitRepository"):
        "fluxcd/source-controller config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml",
    ("kustomize.toolkit.fluxcd.io", "Kustomization"):
        "fluxcd/kustomize-controller config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
}


# The Argo CD CRDs are ~0.4 MB each: parse every file once per session, with libyaml when it is there.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _crds() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted(CRDS.glob("*.yaml")) if CRDS.is_dir() else []:
        for doc in yaml.load_all(path.read_text(), Loader=_LOADER):  # both loaders are the safe ones
            if doc and doc.get("kind") == "CustomResourceDefinition":
                found[doc["spec"]["group"], doc["spec"]["names"]["kind"]] = doc
    return found


def schema_for(obj: dict[str, Any]) -> dict[str, Any]:
    group, _, version = obj["apiVersion"].rpartition("/")
    crd = _crds().get((group, obj["kind"]))
    if crd is None:
        pytest.skip(f"CRD not vendored: put {UPSTREAM[group, obj['kind']]} into tests/data/crds/")
    for v in crd["spec"]["versions"]:
        if v["name"] == version:
            return dict(v["schema"]["openAPIV3Schema"])
    raise AssertionError(f"{obj['apiVersion']} {obj['kind']} is not served by the vendored CRD")


def hub_objects() -> list[dict[str, Any]]:
    clusters = fleet()
    objs = [argo.application_set(OPTIONS), ocm.placement(clusters, OPTIONS), ocm.cluster_set_binding(OPTIONS),
            ocm.gitops_cluster(OPTIONS)]
    objs += [argo.application(c, OPTIONS) for c in clusters]
    objs += flux.objects(clusters[0], OPTIONS)
    return objs


@pytest.mark.parametrize("obj", hub_objects(), ids=lambda o: f"{o['kind']}-{o['metadata']['name']}")
def test_hub_object_matches_its_crd(obj: dict[str, Any]) -> None:
    jsonschema.validate(obj, schema_for(obj), cls=jsonschema.Draft7Validator)


def test_schema_check_catches_a_wrong_field() -> None:
    obj = ocm.cluster_set_binding(OPTIONS)
    schema = schema_for(obj)
    obj["spec"] = {"clusterSet": 42}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(obj, schema, cls=jsonschema.Draft7Validator)
