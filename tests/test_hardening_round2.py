"""Hardening, second round (issue 17): each case failed before its fix."""

import os
import stat

from app.exchange import write_export


def test_an_export_never_follows_a_planted_temporary_file_link(team, tmp_path):
    """The writer makes its temporary file with mkstemp beside the target (O_EXCL, a random
    name), so a link planted at FILE.tmp, or at the target itself, is never written through."""
    store, *_ = team
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    target = tmp_path / "team.json"
    (tmp_path / "team.json.tmp").symlink_to(victim)
    write_export(store, target)
    assert victim.read_text() == "untouched"
    assert not target.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o600
    linked = tmp_path / "linked.json"
    linked.symlink_to(victim)
    write_export(store, linked)  # the link is replaced by the file, its target left alone
    assert victim.read_text() == "untouched" and not linked.is_symlink()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp") and p != "team.json.tmp"]
