"""Size-rotated log files for a workload's stdout and stderr (``name.log``, ``name.log.1``, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO


class RotatingFile:
    """Append-only file that rotates when it would pass ``max_bytes``, keeping ``backups`` old files."""

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self._f: BinaryIO = path.open("ab")
        self._size = self._f.tell()

    def write(self, data: bytes) -> None:
        if self._size and self._size + len(data) > self.max_bytes:
            self._rotate()
        self._f.write(data)
        self._f.flush()
        self._size += len(data)

    def _rotate(self) -> None:
        self._f.close()
        for i in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{i + 1}"))
        if self.backups:
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink(missing_ok=True)
        self._f = self.path.open("ab")
        self._size = 0

    def close(self) -> None:
        self._f.close()
