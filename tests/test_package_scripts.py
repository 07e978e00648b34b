"""The Linux packaging scripts on a small stand-in bundle, fast enough for ``make test``.

``tests/test_package.py`` checks the real .deb after ``make package``; this
module checks the pieces that decide what goes into it without building the
340 MB bundle: which system libraries become Depends, the package layout and
permissions, the errors for bad input, and that the committed icon PNGs are
what the SVG renders to.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

LINUX = REPO / "packaging" / "linux"
sys.path.insert(0, str(LINUX))
import deb_depends  # noqa: E402
import render_icons  # noqa: E402

# A real program that links zlib, bzip2 and libgcrypt: the stand-in bundle
# carries its own zlib, so only the other two may become Depends.
STAND_IN_PROGRAM = Path("/usr/bin/gpgv")
BUNDLED_LIBRARY = Path("/lib/x86_64-linux-gnu/libz.so.1")

pytestmark = pytest.mark.skipif(
    not (shutil.which("dpkg-deb") and shutil.which("readelf") and STAND_IN_PROGRAM.exists()
         and BUNDLED_LIBRARY.exists()),
    reason="needs a Debian machine with dpkg-deb, readelf (binutils) and gpgv (.ci/run installs them)")


@pytest.fixture
def stand_in_bundle(tmp_path) -> Path:
    """A one-folder bundle shaped like PyInstaller's: two programs and _internal/."""
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    for program in ("trellis", "trellis-desktop"):
        shutil.copy(STAND_IN_PROGRAM, bundle / program)
    shutil.copy(BUNDLED_LIBRARY, bundle / "_internal" / "libz.so.1")
    (bundle / "_internal" / "libz.so.1").chmod(0o755)
    (bundle / "_internal" / "notes.txt").write_text("data files travel too\n")
    return bundle


def build_deb(bundle: Path, out: Path, version: str = "0.1.0", **env) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(LINUX / "build-deb.sh"), str(bundle), version, str(out)],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=300)


def test_depends_leave_out_what_the_bundle_carries(stand_in_bundle):
    depends = deb_depends.depends(stand_in_bundle)
    names = [part.split(" ")[0] for part in depends]
    assert "zlib1g" not in names
    assert {"libbz2-1.0", "libgcrypt20", "libgpg-error0"} <= set(names)
    assert any(re.fullmatch(r"libc6 \(>= 2\.\d+\)", part) for part in depends), depends


def test_depends_refuse_a_folder_with_no_programs(tmp_path):
    with pytest.raises(SystemExit, match="holds no ELF programs or libraries"):
        deb_depends.depends(tmp_path)


def test_stand_in_bundle_becomes_a_deb_with_launchers_and_normalised_modes(stand_in_bundle, tmp_path):
    built = build_deb(stand_in_bundle, tmp_path / "out")
    assert built.returncode == 0, built.stderr
    deb = tmp_path / "out" / "trellis_0.1.0_amd64.deb"
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends", "Version"],
                            capture_output=True, text=True).stdout
    assert "libgcrypt20" in fields and "sensible-utils" in fields and "zlib1g" not in fields
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    assert os.readlink(root / "usr" / "bin" / "trellis") == "/opt/trellis/trellis"
    assert stat.S_IMODE((root / "opt" / "trellis" / "trellis").stat().st_mode) == 0o755
    assert stat.S_IMODE((root / "opt" / "trellis" / "_internal" / "libz.so.1").stat().st_mode) == 0o644
    assert (root / "opt" / "trellis" / "_internal" / "notes.txt").read_bytes() == \
        (stand_in_bundle / "_internal" / "notes.txt").read_bytes()
    assert (root / "usr" / "share" / "lintian" / "overrides" / "trellis").exists()


def test_two_builds_of_one_bundle_give_the_same_deb(stand_in_bundle, tmp_path):
    first = build_deb(stand_in_bundle, tmp_path / "first", SOURCE_DATE_EPOCH="1700000000")
    second = build_deb(stand_in_bundle, tmp_path / "second", SOURCE_DATE_EPOCH="1700000000")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    name = "trellis_0.1.0_amd64.deb"
    assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_a_missing_bundle_says_to_build_it(tmp_path):
    built = build_deb(tmp_path / "nowhere", tmp_path / "out")
    assert built.returncode != 0
    assert "trellis is missing or not executable; run 'make bundle' first" in built.stderr
    assert not (tmp_path / "out").exists()


def test_a_version_without_a_changelog_entry_is_refused(stand_in_bundle, tmp_path):
    built = build_deb(stand_in_bundle, tmp_path / "out", version="9.9.9")
    assert built.returncode != 0
    assert "packaging/linux/changelog starts with version" in built.stderr and "9.9.9" in built.stderr


def test_an_unknown_compression_is_named(stand_in_bundle, tmp_path):
    built = build_deb(stand_in_bundle, tmp_path / "out", TRELLIS_DEB_COMPRESSION="zstd")
    assert built.returncode != 0
    assert "TRELLIS_DEB_COMPRESSION must be gzip or xz, not 'zstd'" in built.stderr


def test_committed_icon_pngs_are_what_the_svg_renders_to(qapp):
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(render_icons.SOURCE))
    assert renderer.isValid()
    for size in render_icons.SIZES:
        committed = QImage(str(render_icons.png_path(size)))
        assert committed.size().width() == size, f"{size}x{size} PNG is missing or the wrong size"
        rendered = render_icons.render(renderer, size).convertToFormat(committed.format())
        # Qt's rasteriser rounds a few edge pixels one level apart on different CPUs (seen:
        # 4 pixels of the 128 px icon on one machine); a stale PNG differs far more.
        assert _largest_difference(rendered, committed) <= 2, (
            f"icons/hicolor/{size}x{size}/apps/trellis.png is stale; run packaging/linux/render_icons.py")


def _largest_difference(one, other) -> int:
    """The largest difference of any channel of any pixel, 0 to 255."""
    first, second = bytes(one.constBits()), bytes(other.constBits())
    assert len(first) == len(second)
    return max((abs(a - b) for a, b in zip(first, second)), default=0)


def test_changelog_and_metainfo_have_an_entry_for_this_version():
    from app import __version__

    assert (LINUX / "changelog").read_text("utf-8").startswith(f"trellis ({__version__}) ")
    assert f'<release version="{__version__}"' in \
        (LINUX / "app.trellis.Trellis.metainfo.xml").read_text("utf-8")
