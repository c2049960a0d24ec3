"""Install a fetched model version on disk and switch to it atomically; remove old ones; collect garbage.

Layout: ``models/<org>/<name>/<version>/<path>`` holds hardlinks into the blob store (no extra bytes),
and ``models/<org>/<name>/current`` is a symlink to the active version. A version directory is built
under a dot-prefixed staging name and renamed into place, so it either exists complete or not at all; the
``current`` symlink is replaced by ``rename`` too. A crash leaves at most a staging or trash directory,
which :func:`clean` removes at the next start.

Who calls it: :mod:`edgeplane.agent.delivery`. It trusts that the blobs were verified by the blob store.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from pathlib import Path

from edgeplane._kit import files
from edgeplane._kit.ids import Digest
from edgeplane.agent import errors
from edgeplane.agent import layout as paths
from edgeplane.artifacts import fs
from edgeplane.schemas.desired import DesiredModel

CURRENT = "current"


def is_installed(lay: paths.Layout, model: DesiredModel) -> bool:
    return lay.version_dir(model.org, model.name, model.version).is_dir()


def install(lay: paths.Layout, store: fs.FsBlobStore, model: DesiredModel) -> Path:
    """Build the version directory from committed blobs; idempotent. Raises DiskFullError, InstallError."""
    final = lay.version_dir(model.org, model.name, model.version)
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.parent / f".staging-{model.version}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
        for entry in model.files:
            _place(store, Digest(entry.sha256), entry.size, staging / entry.path)
        _fsync_tree(staging)
        staging.rename(final)
        files.fsync_dir(final.parent)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise _install_error(e, model) from e
    return final


def _place(store: fs.FsBlobStore, digest: Digest, size: int, target: Path) -> None:
    blob = store.local_path(digest)
    if blob is None or blob.stat().st_size != size:
        raise errors.InstallError(f"blob {digest} is missing or has the wrong size", field=str(target.name))
    blob.chmod(0o444)  # shared by every version that links it: nobody may edit it in place
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(blob, target)
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        shutil.copyfile(blob, target)  # a filesystem without hardlinks: pay the bytes once more


def activate(lay: paths.Layout, model: DesiredModel) -> None:
    """Point ``current`` at this (installed) version with one rename."""
    _point_current(lay.model_dir(model.org, model.name), model.version)


def _point_current(model_dir: Path, version: str) -> None:
    link = model_dir / CURRENT
    with contextlib.suppress(OSError):
        if str(link.readlink()) == version:
            return
    tmp = model_dir / f".current-{secrets.token_hex(4)}"
    tmp.symlink_to(version)
    tmp.replace(link)
    files.fsync_dir(model_dir)


def current_version(lay: paths.Layout, org: str, name: str) -> str | None:
    try:
        return str((lay.model_dir(org, name) / CURRENT).readlink())
    except OSError:
        return None


def remove(lay: paths.Layout, org: str, name: str, version: str, *, fallback: str | None = None) -> None:
    """Delete one version directory. If ``current`` pointed at it, repoint it to ``fallback`` (or drop it)."""
    model_dir = lay.model_dir(org, name)
    if current_version(lay, org, name) == version:
        if fallback is not None and (model_dir / fallback).is_dir():
            _point_current(model_dir, fallback)
        else:
            with contextlib.suppress(FileNotFoundError):
                (model_dir / CURRENT).unlink()
    target = lay.version_dir(org, name, version)
    if target.is_dir():
        trash = model_dir / f".trash-{version}-{secrets.token_hex(4)}"
        target.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    with contextlib.suppress(OSError):
        model_dir.rmdir()  # only when nothing is left in it
        model_dir.parent.rmdir()


def clean(lay: paths.Layout) -> None:
    """Remove staging and trash directories a crash left behind."""
    for leftover in lay.models.glob("*/*/.*"):
        if leftover.name.startswith((".staging-", ".trash-")):
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.name.startswith(".current-"):
            leftover.unlink(missing_ok=True)


def collect_garbage(store: fs.FsBlobStore, keep: set[str]) -> list[Digest]:
    """Delete committed blobs whose digest is not in ``keep``; returns what was deleted."""
    gone = [d for d in store.iter_digests() if d not in keep]
    for digest in gone:
        store.delete(digest)
    for partial in (store.root / "partial").iterdir():
        if partial.name not in keep:
            partial.unlink(missing_ok=True)
    return gone


def _install_error(e: OSError, model: DesiredModel) -> errors.AgentError:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return errors.DiskFullError(f"no space left on device while materialising {model.key}",
                                    hint="free disk space; the previous version stays active")
    return errors.InstallError(f"materialising {model.key}: {e.strerror or e}")


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, _files in os.walk(root):
        files.fsync_dir(Path(dirpath))

