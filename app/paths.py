"""Where Trellis keeps a user's data.

The platform's app-data location by default; ``TRELLIS_HOME`` overrides it
for tests and for IT, who may put data on an encrypted volume. A managed
policy's ``DataDir`` wins over both (``app.policy``).
"""

import os
from pathlib import Path

import platformdirs

DATABASE_FILE = "trellis.db"
KEY_FILE = "key.json"
BACKUP_DIR = "backups"


def data_home() -> Path:
    from . import policy
    managed = policy.current_policy().data_dir
    if managed is not None:
        return managed
    override = os.environ.get("TRELLIS_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("Trellis", appauthor=False))


def data_home_source() -> str:
    """Which rule chose ``data_home()``: the policy, TRELLIS_HOME or the platform default."""
    from . import policy
    managed = policy.current_policy()
    if managed.data_dir is not None:
        return f"policy {managed.source('DataDir')}"
    if os.environ.get("TRELLIS_HOME"):
        return "TRELLIS_HOME"
    return "the platform default"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by the owner only (0700 where the OS has modes).

    A folder that already exists is left as it is: it may be one the user
    chose, and ``trellis doctor`` reports a data dir that others can read.
    """
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            path.chmod(0o700)
        except OSError:
            pass
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:  # name the file the user asked for, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException as exc:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    fsync_dir(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte: a nearly full disk takes part of a write and refuses the rest."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
