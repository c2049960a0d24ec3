"""The data of an ESS object: the model's file, or a tar of its files when it has several.

An OH object has one blob of data. A single-file model serves that file as is (a hardlink into the blob
store). A multi-file model serves an uncompressed, deterministic tar of its version directory, built once
on first use into ``<data>/ess/bundles`` (temp file + rename, so never half-written) and removed with the
version. Workloads that prefer the files can read them from ``destinationDataUri``.
"""

from __future__ import annotations

import secrets
import tarfile
from pathlib import Path

from edgeplane.agent import layout as paths
from edgeplane.schemas.desired import DesiredModel


def data_path(lay: paths.Layout, model: DesiredModel) -> Path:
    """Path of the object's data; builds the bundle of a multi-file model on first use (blocking)."""
    version_dir = lay.version_dir(model.org, model.name, model.version)
    if len(model.files) == 1:
        return version_dir / model.files[0].path
    bundle = bundle_path(lay, model)
    if not bundle.exists():
        _build(version_dir, model, bundle)
    return bundle


def bundle_path(lay: paths.Layout, model: DesiredModel) -> Path:
    return lay.ess / "bundles" / model.org / model.name / f"{model.version}.tar"


def _build(version_dir: Path, model: DesiredModel, bundle: Path) -> None:
    bundle.parent.mkdir(parents=True, exist_ok=True)
    tmp = bundle.with_name(f".{bundle.name}.{secrets.token_hex(4)}")
    try:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            for entry in sorted(model.files, key=lambda f: f.path):
                info = tarfile.TarInfo(entry.path)
                info.size, info.mode, info.mtime = entry.size, 0o444, 0
                with (version_dir / entry.path).open("rb") as f:
                    tar.addfile(info, f)
        tmp.replace(bundle)
    finally:
        tmp.unlink(missing_ok=True)


def remove(lay: paths.Layout, model: DesiredModel) -> None:
    bundle_path(lay, model).unlink(missing_ok=True)
