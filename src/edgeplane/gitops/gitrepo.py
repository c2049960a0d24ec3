"""The git side of the renderer: make sure a repository exists, stage paths, commit (dulwich, no git CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dulwich import porcelain
from dulwich.repo import Repo

from edgeplane._kit.errors import Error

AUTHOR = b"edgeplane <edgeplane@localhost>"


class GitError(Error):
    code = "git-error"
    status = 500


def open_or_init(path: Path) -> Repo:
    try:
        if (path / ".git").exists():
            return Repo(str(path))
        path.mkdir(parents=True, exist_ok=True)
        return porcelain.init(str(path))
    except OSError as e:
        raise GitError(f"cannot open or create a git repository at {path}: {e}") from e


def commit(path: Path, changed: Iterable[str], message: str) -> str | None:
    """Stage ``changed`` (relative paths; deleted files are unstaged) and commit; ``None`` if that stages
    no change against HEAD."""
    paths = sorted(set(changed))
    if not paths:
        return None
    with open_or_init(path) as repo:
        try:
            repo.get_worktree().stage(paths)
            staged = porcelain.status(repo, untracked_files="no").staged
            if not any(staged.values()):
                return None
            sha: bytes = porcelain.commit(repo, message=message.encode(), author=AUTHOR, committer=AUTHOR)
        except (OSError, KeyError) as e:
            raise GitError(f"cannot commit in {path}: {e}") from e
    return sha.decode()
