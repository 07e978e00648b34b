"""Where Trellis keeps a user's data.

The platform's app-data location by default; ``TRELLIS_HOME`` overrides it
for tests and for IT, who may put data on an encrypted volume. A managed
policy's ``DataDir`` wins over both (``app.policy``).
"""

import os
from pathlib import Path

import platformdirs

from .files import fsync_dir, replacing, sha256_file, write_all, write_atomically  # noqa: F401

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


