"""The Linux package and its APT repository, checked the way IT would use them.

``make package`` builds ``dist/trellis_<version>_amd64.deb`` and the signed
repository ``dist/apt``; ``make package-test`` then runs this module. Nothing
is installed system-wide: apt runs with a private configuration (its own
sources list, state, cache and ``signed-by`` keyring), the .deb is unpacked
with ``dpkg-deb -x``, and gpg works in temporary homes. Without a built .deb
every test here skips, so ``make test`` stays fast.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from app import __version__
from conftest import PASSPHRASE, REPO

DIST = REPO / "dist"
DEB = DIST / f"trellis_{__version__}_amd64.deb"
APT_REPO = DIST / "apt"
KEYRING = DIST / "trellis-archive-keyring.gpg"
BUILD_APT_REPO = REPO / "packaging" / "linux" / "build-apt-repo.sh"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DEB.exists(), reason=f"dist/{DEB.name} is not built; "
                       "`make package-test` builds it and runs these tests"),
]


def run(*command, env=None, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("deb") / "root"
    result = run("dpkg-deb", "-x", DEB, root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def control() -> dict[str, str]:
    text = run("dpkg-deb", "-f", DEB).stdout
    return {key: value.strip() for key, value in re.findall(r"^(\S+): (.*)$", text, re.MULTILINE)}


# --- the .deb itself ---------------------------------------------------------------------------

def test_control_names_the_package_version_and_the_system_libraries(control):
    assert control["Package"] == "trellis"
    assert control["Version"] == __version__
    assert control["Architecture"] == "amd64"
    assert control["Maintainer"]
    depends = [part.strip() for part in control["Depends"].split(",")]
    assert any(re.fullmatch(r"libc6 \(>= 2\.\d+\)", part) for part in depends), depends
    assert {"libgl1", "libegl1", "libxcb1"} <= {part.split(" ")[0] for part in depends}
    assert int(control["Installed-Size"]) > 100_000  # KiB: Python, Qt, llama.cpp and the model


def test_bundle_is_under_opt_with_launchers_on_the_path(unpacked):
    bundle = unpacked / "opt" / "trellis"
    for program in ("trellis", "trellis-desktop"):
        assert os.access(bundle / program, os.X_OK)
        launcher = unpacked / "usr" / "bin" / program
        assert launcher.is_symlink() and os.readlink(launcher) == f"/opt/trellis/{program}"
    assert (bundle / "_internal").is_dir()
    assert list((bundle / "_internal" / "models").glob("*.gguf"))


def test_every_file_is_owned_by_root():
    listing = run("dpkg-deb", "-c", DEB).stdout.splitlines()
    assert listing
    owners = {line.split()[1] for line in listing}
    assert owners == {"root/root"}


def test_dpkg_installs_and_removes_it_cleanly_in_a_private_root(tmp_path):
    root = tmp_path / "root"
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log"):
        (root / folder).mkdir(parents=True)
    (root / "var" / "lib" / "dpkg" / "status").write_text("")
    dpkg = ["dpkg", f"--root={root}", f"--log={root / 'var' / 'log' / 'dpkg.log'}",
            "--force-depends", "--force-script-chrootless"]
    installed = run(*dpkg, "--install", DEB)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = run(*dpkg, "--listfiles", "trellis").stdout.splitlines()
    assert {"/opt/trellis/trellis", "/usr/bin/trellis-desktop",
            "/usr/share/applications/trellis.desktop"} <= set(listed)
    removed = run(*dpkg, "--remove", "trellis")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    left = [p for p in root.rglob("*") if not p.is_dir() and p.relative_to(root).parts[0] != "var"]
    assert not left, f"files left after removal: {left[:5]}"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_icons_come_in_every_hicolor_size_and_as_svg(unpacked):
    hicolor = unpacked / "usr" / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        assert png_size(hicolor / f"{size}x{size}" / "apps" / "trellis.png") == (size, size)
    assert b"<svg" in (hicolor / "scalable" / "apps" / "trellis.svg").read_bytes()


def test_copyright_is_machine_readable_and_changelog_is_compressed(unpacked):
    doc = unpacked / "usr" / "share" / "doc" / "trellis"
    copyright_text = (doc / "copyright").read_text("utf-8")
    assert copyright_text.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
    assert "Files: *" in copyright_text
    first_line = gzip.decompress((doc / "changelog.gz").read_bytes()).decode().splitlines()[0]
    assert first_line.startswith(f"trellis ({__version__})")
    for page in ("trellis", "trellis-desktop"):
        assert (unpacked / "usr" / "share" / "man" / "man1" / f"{page}.1.gz").exists()


def test_desktop_entry_validates(unpacked):
    entry = unpacked / "usr" / "share" / "applications" / "trellis.desktop"
    result = run("desktop-file-validate", entry)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    assert "Exec=trellis-desktop" in entry.read_text()


def test_appstream_metainfo_validates_offline(unpacked):
    metainfo = unpacked / "usr" / "share" / "metainfo" / "app.trellis.Trellis.metainfo.xml"
    result = run("appstreamcli", "validate", "--no-net", metainfo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<launchable type=\"desktop-id\">trellis.desktop</launchable>" in metainfo.read_text()


@pytest.mark.timeout(1800)
def test_lintian_reports_no_errors():
    result = run("lintian", "--fail-on", "error", DEB, timeout=1800)
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert result.returncode == 0 and not errors, "\n".join(errors) or result.stderr


# --- the extracted bundle ----------------------------------------------------------------------

def doctor(unpacked: Path, tmp_path: Path, trace: Path) -> subprocess.CompletedProcess:
    """``opt/trellis/trellis doctor --json`` from the unpacked .deb: no venv, no PYTHONPATH,
    a data dir nothing was saved in, every socket call recorded by strace."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "TRELLIS_HOME": str(tmp_path / "fresh-home"), "TRELLIS_KEYCHAIN": "off",
           "TRELLIS_PASSPHRASE": PASSPHRASE}
    return run("strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", trace,
               unpacked / "opt" / "trellis" / "trellis", "doctor", "--json", env=env, cwd=tmp_path)


def checks_by_name(result: subprocess.CompletedProcess) -> dict[str, dict]:
    return {check["name"]: check for check in json.loads(result.stdout)["checks"]}


def test_extracted_bundle_runs_doctor_offline_with_a_fresh_data_dir(unpacked, tmp_path):
    trace = tmp_path / "network.trace"
    result = doctor(unpacked, tmp_path, trace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True
    checks = checks_by_name(result)
    assert f"Trellis {__version__}" in checks["versions"]["detail"]
    assert "match the bundle manifest" in checks["bundle files"]["detail"]
    assert trace.exists()
    internet = [line for line in trace.read_text().splitlines() if re.search(r"AF_INET6?\b", line)]
    assert not internet, "the bundle opened an internet socket:\n" + "\n".join(internet)


def test_doctor_names_a_file_changed_after_install(unpacked, tmp_path):
    agenda = next((unpacked / "opt" / "trellis" / "_internal" / "app" / "agendas").glob("*.toml"))
    original = agenda.read_bytes()
    try:
        agenda.write_bytes(original + b"\n# changed after install\n")
        result = doctor(unpacked, tmp_path, tmp_path / "network.trace")
    finally:
        agenda.write_bytes(original)
    assert result.returncode == 1, result.stdout + result.stderr
    bundle_files = checks_by_name(result)["bundle files"]
    assert bundle_files["status"] == "failed" and f"app/agendas/{agenda.name}" in bundle_files["detail"]


# --- the APT repository ------------------------------------------------------------------------

class PrivateApt:
    """apt-get with its own sources, state and cache: reads nothing the system trusts."""

    def __init__(self, root: Path, repository: Path, keyring: Path):
        self.root = root
        for folder in ("etc/apt.conf.d", "etc/preferences.d", "state/lists/partial",
                       "cache/archives/partial", "downloads"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        (root / "state" / "status").write_text("")
        (root / "etc" / "sources.list").write_text(
            f"deb [signed-by={keyring}] file:{repository} stable main\n")
        (root / "apt.conf").write_text("\n".join([
            f'Dir::Etc "{root}/etc";', f'Dir::Etc::sourcelist "{root}/etc/sources.list";',
            'Dir::Etc::sourceparts "/dev/null";', 'Dir::Etc::trusted "/dev/null";',
            'Dir::Etc::trustedparts "/dev/null";', f'Dir::Etc::preferencesparts "{root}/etc/preferences.d";',
            f'Dir::State "{root}/state";', f'Dir::State::status "{root}/state/status";',
            f'Dir::Cache "{root}/cache";', 'APT::Architecture "amd64";',
            'APT::Architectures { "amd64"; };', 'APT::Sandbox::User "root";',
            'Debug::NoLocking "true";', ""]))

    def apt_get(self, *args: str) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               "APT_CONFIG": str(self.root / "apt.conf")}
        result = run("apt-get", "-q", *args, env=env, cwd=self.root / "downloads")
        result.output = result.stdout + result.stderr
        return result


def copy_indexes(tmp_path: Path) -> Path:
    """The repository's dists/ in a scratch copy (the pool is not needed to read indexes)."""
    copy = tmp_path / "apt"
    shutil.copytree(APT_REPO / "dists", copy / "dists")
    return copy


def test_release_lists_the_indexes_with_their_sha256_and_both_signatures_verify():
    dist = APT_REPO / "dists" / "stable"
    release = (dist / "Release").read_text()
    for field, value in (("Suite", "stable"), ("Codename", "stable"), ("Components", "main"),
                         ("Architectures", "amd64")):
        assert re.search(rf"^{field}: {value}$", release, re.MULTILINE), field
    assert re.search(r"^Date: .+$", release, re.MULTILINE)
    for index in ("main/binary-amd64/Packages", "main/binary-amd64/Packages.gz"):
        assert re.search(rf"^ {sha256(dist / index)} +\d+ {re.escape(index)}$", release, re.MULTILINE)
        assert re.search(rf"^ [0-9a-f]{{32}} +\d+ {re.escape(index)}$", release, re.MULTILINE)
    detached = run("gpgv", "--keyring", KEYRING, dist / "Release.gpg", dist / "Release")
    assert detached.returncode == 0, detached.stderr
    assert (dist / "Release.gpg").read_text().startswith("-----BEGIN PGP SIGNATURE-----")
    clearsigned = run("gpgv", "--keyring", KEYRING, dist / "InRelease")
    assert clearsigned.returncode == 0, clearsigned.stderr
    assert (APT_REPO / "pool" / "main" / "t" / "trellis" / DEB.name).exists()


def test_apt_accepts_the_repository_and_downloads_the_built_package(tmp_path):
    apt = PrivateApt(tmp_path / "apt-state", APT_REPO, KEYRING)
    update = apt.apt_get("update")
    assert update.returncode == 0 and "W:" not in update.output and "E:" not in update.output, update.output
    download = apt.apt_get("download", "trellis")
    assert download.returncode == 0, download.output
    fetched = apt.root / "downloads" / DEB.name
    assert sha256(fetched) == sha256(DEB)


def test_apt_refuses_an_index_changed_by_one_byte(tmp_path):
    tampered = copy_indexes(tmp_path)
    packages = tampered / "dists" / "stable" / "main" / "binary-amd64" / "Packages"
    text = packages.read_bytes()
    at = text.index(b"Package: trellis") + len(b"Package: t")
    packages.write_bytes(text[:at] + b"x" + text[at + 1:])
    (packages.parent / "Packages.gz").write_bytes(gzip.compress(packages.read_bytes(), mtime=0))
    apt = PrivateApt(tmp_path / "apt-state", tampered, KEYRING)
    update = apt.apt_get("update")
    assert update.returncode != 0 and "Hash Sum mismatch" in update.output, update.output
    assert apt.apt_get("download", "trellis").returncode != 0


def test_apt_refuses_a_release_changed_after_signing(tmp_path):
    tampered = copy_indexes(tmp_path)
    inrelease = tampered / "dists" / "stable" / "InRelease"
    inrelease.write_text(inrelease.read_text().replace("Label: Trellis", "Label: Trellix", 1))
    update = PrivateApt(tmp_path / "apt-state", tampered, KEYRING).apt_get("update")
    assert update.returncode != 0, update.output
    assert "BADSIG" in update.output or "not signed" in update.output, update.output


# --- signing keys ------------------------------------------------------------------------------

def make_secret_key(home: Path, passphrase: str = "") -> Path:
    """An armoured secret key made in a private GNUPGHOME (never the user's ~/.gnupg)."""
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    made = run("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase,
               "--quick-gen-key", "Someone else <someone@example.invalid>", "ed25519", "sign", "1d",
               env=env)
    assert made.returncode == 0, made.stderr
    key = home / "secret.asc"
    exported = run("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase,
                   "--armor", "--output", key, "--export-secret-keys", env=env)
    assert exported.returncode == 0, exported.stderr
    run("gpgconf", "--kill", "all", env=env)
    return key


@pytest.fixture(scope="module")
def other_secret_key(tmp_path_factory) -> Path:
    """An armoured secret key that is not the repository's."""
    return make_secret_key(tmp_path_factory.mktemp("other-gnupg"))


def build_repo(tmp_path: Path, signing_key: str | None,
               passphrase_file: Path | None = None) -> tuple[subprocess.CompletedProcess, Path, Path]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRELLIS_SIGNING")}
    tmp_path.mkdir(parents=True, exist_ok=True)
    env["TMPDIR"] = str(tmp_path)
    if signing_key is not None:
        env["TRELLIS_SIGNING_KEY"] = signing_key
    if passphrase_file is not None:
        env["TRELLIS_SIGNING_KEY_PASSPHRASE_FILE"] = str(passphrase_file)
    repository, keyring = tmp_path / "repo", tmp_path / "keyring.gpg"
    return run("bash", BUILD_APT_REPO, DEB, repository, keyring, env=env), repository, keyring


def test_apt_refuses_a_repository_signed_by_another_key(tmp_path, other_secret_key):
    built, repository, keyring = build_repo(tmp_path, str(other_secret_key))
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr
    assert run("gpgv", "--keyring", keyring, repository / "dists" / "stable" / "InRelease").returncode == 0
    update = PrivateApt(tmp_path / "apt-state", repository, KEYRING).apt_get("update")
    assert update.returncode != 0, update.output
    assert "NO_PUBKEY" in update.output and "is not signed" in update.output, update.output


def test_without_a_signing_key_the_build_warns_loudly_and_signs_with_a_throwaway_key(tmp_path):
    built, repository, keyring = build_repo(tmp_path, None)
    assert built.returncode == 0, built.stderr
    assert "WARNING: DEVELOPMENT BUILD, SIGNED BY A THROW-AWAY KEY" in built.stderr
    assert len(built.stderr.splitlines()) > 5
    assert run("gpgv", "--keyring", keyring, repository / "dists" / "stable" / "InRelease").returncode == 0
    assert not list(tmp_path.glob("trellis-gpg.*")), "the temporary GNUPGHOME was left behind"


def test_a_signing_key_file_that_is_missing_is_named(tmp_path):
    built, repository, _ = build_repo(tmp_path, str(tmp_path / "no-such-key.asc"))
    assert built.returncode != 0
    assert f"TRELLIS_SIGNING_KEY is set to '{tmp_path / 'no-such-key.asc'}'" in built.stderr
    assert not repository.exists()


def test_a_key_with_a_passphrase_signs_with_the_passphrase_file_and_is_named_without(tmp_path):
    key = make_secret_key(tmp_path / "protected-gnupg", passphrase="correct horse")
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text("correct horse\n")
    built, repository, keyring = build_repo(tmp_path / "with", str(key), passphrase_file)
    assert built.returncode == 0, built.stderr
    assert run("gpgv", "--keyring", keyring, repository / "dists" / "stable" / "InRelease").returncode == 0
    refused, _, _ = build_repo(tmp_path / "without", str(key))
    assert refused.returncode != 0
    assert str(key) in refused.stderr
    assert "If it has a passphrase, put it in a file and set TRELLIS_SIGNING_KEY_PASSPHRASE_FILE" in refused.stderr
