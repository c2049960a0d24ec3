"""A rich progress bar that implements :class:`edgeplane.client.transfer.Progress`."""

from __future__ import annotations

from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn


class Bar:
    def __init__(self, enabled: bool = True) -> None:
        self._p = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            disable=not enabled,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> Bar:
        self._p.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.stop()

    def start(self, description: str, total: int, done: int = 0) -> None:
        if self._task is not None:
            self._p.remove_task(self._task)
        self._task = self._p.add_task(description, total=total, completed=done)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._p.advance(self._task, n)
