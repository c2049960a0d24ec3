"""_kit.files: the writeback hint never changes what ends up on disk, with or without sync_file_range."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgeplane._kit import files


@pytest.mark.parametrize("native", [True, False], ids=["sync_file_range", "fallback"])
def test_writeback_leaves_bytes_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, native: bool) -> None:
    if not native:
        monkeypatch.setattr(files, "_sync_file_range", lambda: None)
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "blob"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, data[: 2 * 1024 * 1024])
        files.start_writeback(fd, 0, 2 * 1024 * 1024)
        os.write(fd, data[2 * 1024 * 1024 :])
        files.start_writeback(fd, 2 * 1024 * 1024, len(data) - 2 * 1024 * 1024)
        files.start_writeback(fd, len(data), 0)  # nothing new: a no-op
        os.fsync(fd)
    finally:
        os.close(fd)
    assert path.read_bytes() == data


def test_write_private_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret"
    files.write_private(path, "s3cret")
    assert path.read_text() == "s3cret"
    assert path.stat().st_mode & 0o777 == 0o600
    assert not path.with_name("secret.tmp").exists()
