"""Ids for records the manager creates in the app (imports keep their own)."""

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"
