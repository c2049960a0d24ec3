"""Deliver one model version: fetch -> verify -> install -> activate, recording each step in state.

Who calls it: :mod:`edgeplane.agent.converging`, for each desired model version not yet active. It is
restart-safe: every step checks what is already on disk (committed blobs, installed directory) and
continues from there. A failure leaves the version ``failed`` (permanent: bad bytes, rejected blob;
temporary: full disk) or ``downloading`` with the reason (temporary: cut network), and never touches the
previously active version.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread

from edgeplane.agent import errors, fetching, materialising
from edgeplane.agent import layout as paths
from edgeplane.agent.settings import FetchSettings
from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import versions
from edgeplane.artifacts import fs
from edgeplane.schemas.desired import DesiredModel


@dataclass(frozen=True)
class DeliveryDeps:
    layout: paths.Layout
    store: fs.FsBlobStore
    db: statedb.StateDb
    source: fetching.BlobSource
    fetch: FetchSettings


async def deliver(model: DesiredModel, deps: DeliveryDeps) -> versions.VersionRow:
    """Bring ``model`` to ``active``; returns its final row. Errors are recorded, not raised."""
    versions.ensure(deps.db, model)
    try:
        if not _installed(deps, model):
            await _fetch(model, deps)
            versions.set_state(deps.db, model.key, "verified", bytes_done=_total(model))
            await anyio.to_thread.run_sync(materialising.install, deps.layout, deps.store, model)
        materialising.activate(deps.layout, model)
        versions.set_state(deps.db, model.key, "active", bytes_done=_total(model))
    except errors.AgentError as e:
        _record_failure(deps, model, e)
    except OSError as e:
        _record_failure(deps, model, errors.TemporaryError(f"{model.key}: {e.strerror or e}"))
    row = versions.get(deps.db, model.key)
    assert row is not None
    return row


def _installed(deps: DeliveryDeps, model: DesiredModel) -> bool:
    return materialising.is_installed(deps.layout, model)


async def _fetch(model: DesiredModel, deps: DeliveryDeps) -> None:
    done = fetching.stored_bytes(model, deps.store)
    total = _total(model)
    step = max(deps.fetch.chunk_bytes, total // 100)
    last = done
    versions.set_state(deps.db, model.key, "downloading", bytes_done=done)

    def progress(n: int) -> None:
        nonlocal done, last
        done += n
        if done - last >= step:
            last = done
            versions.set_state(deps.db, model.key, "downloading", bytes_done=done)

    await fetching.fetch_model(model, store=deps.store, source=deps.source, chunk_bytes=deps.fetch.chunk_bytes,
                               parallel_files=deps.fetch.parallel_files, progress=progress)


def _record_failure(deps: DeliveryDeps, model: DesiredModel, e: errors.AgentError) -> None:
    done = fetching.stored_bytes(model, deps.store)
    reason = f"{e.code}: {e.detail}"
    if isinstance(e, errors.SourceError | errors.BusyError):  # still on its way: keep saying so
        versions.set_state(deps.db, model.key, "downloading", reason=reason, temporary=True, bytes_done=done)
    else:
        versions.set_state(deps.db, model.key, "failed", reason=reason, temporary=e.temporary,
                           bytes_done=done)


def _total(model: DesiredModel) -> int:
    return fetching.total_bytes(model)
