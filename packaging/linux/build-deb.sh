#!/usr/bin/env bash
# Build dist/trellis_<version>_amd64.deb from the PyInstaller one-folder bundle.
#
#   packaging/linux/build-deb.sh BUNDLE_DIR VERSION OUT_DIR
#   (make package runs it as: packaging/linux/build-deb.sh dist/trellis 0.1.0 dist)
#
# The bundle is copied byte for byte to /opt/trellis: its files are listed
# with their sha256 in the manifest `trellis doctor` checks, so nothing here
# strips or rewrites them (only permissions are normalised). Around it go
# the launchers in /usr/bin, the desktop entry, the hicolor icons (PNG files
# rendered once by render_icons.py, so no Qt runs here), AppStream metainfo,
# manual pages and /usr/share/doc/trellis/{copyright,changelog.gz}. Depends
# is worked out from the bundle's ELF files by deb_depends.py.
#
# Timestamps are clamped to SOURCE_DATE_EPOCH (the last commit's time, unless
# set), so two builds of the same bundle give the same .deb.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
die() { echo "build-deb: error: $*" >&2; exit 1; }

[[ $# -eq 3 ]] || die "usage: build-deb.sh BUNDLE_DIR VERSION OUT_DIR"
bundle="$1" version="$2" out="$3"
for program in trellis trellis-desktop; do
    [[ -x "$bundle/$program" ]] || die "$bundle/$program is missing or not executable; run 'make bundle' first"
done
[[ -d "$bundle/_internal" ]] || die "$bundle/_internal is missing; is $bundle a PyInstaller one-folder bundle?"
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die "'$version' is not a Debian version number"
changelog_version="$(sed -n '1s/^trellis (\([^)]*\)).*/\1/p' "$here/changelog")"
[[ "$changelog_version" == "$version" ]] || \
    die "packaging/linux/changelog starts with version '$changelog_version' but the package is $version; add an entry for $version at the top"
grep -qF "<release version=\"$version\"" "$here/app.trellis.Trellis.metainfo.xml" || \
    die "packaging/linux/app.trellis.Trellis.metainfo.xml has no <release version=\"$version\"> entry; add one for software centres"
# gzip -6 packs the 360 MB bundle in about a minute on 2 cores; xz -6
# makes the .deb about a fifth smaller but takes six. Releases can choose:
# TRELLIS_DEB_COMPRESSION=xz. (zstd is faster still, but lintian rejects it.)
case "${TRELLIS_DEB_COMPRESSION:-gzip}" in
    gzip) compression=(-Zgzip -z6) ;;
    xz) compression=(-Zxz -z6) ;;
    *) die "TRELLIS_DEB_COMPRESSION must be gzip or xz, not '$TRELLIS_DEB_COMPRESSION'" ;;
esac
for tool in dpkg-deb readelf gzip python3; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed (.ci/run installs the build tools)"
done

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}"
stage="$(mktemp -d "${TMPDIR:-/tmp}/trellis-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
root="$stage/trellis"

install_bundle() {
    mkdir -p "$root/opt"
    cp -a "$bundle" "$root/opt/trellis"
    # Executables and directories 0755, everything else 0644; shared
    # objects are not programs, so they lose the execute bit.
    find "$root/opt/trellis" -type d -exec chmod 0755 {} +
    find "$root/opt/trellis" -type f -exec chmod 0644 {} +
    chmod 0755 "$root/opt/trellis/trellis" "$root/opt/trellis/trellis-desktop"
    find "$root/opt/trellis" -type f -perm -u+x -name '*.so*' -exec chmod 0644 {} +
}

install_desktop_files() {
    local share="$root/usr/share"
    mkdir -p "$root/usr/bin"
    # PyInstaller finds _internal/ from the real path of the program, so a
    # symlink on the PATH is enough (absolute: it crosses top-level dirs).
    ln -s /opt/trellis/trellis "$root/usr/bin/trellis"
    ln -s /opt/trellis/trellis-desktop "$root/usr/bin/trellis-desktop"
    install -D -m 0644 "$here/trellis.desktop" "$share/applications/trellis.desktop"
    install -D -m 0644 "$here/app.trellis.Trellis.metainfo.xml" "$share/metainfo/app.trellis.Trellis.metainfo.xml"
    install -D -m 0644 "$here/icons/trellis.svg" "$share/icons/hicolor/scalable/apps/trellis.svg"
    (cd "$here/icons/hicolor" && find . -name trellis.png) | while read -r png; do
        install -D -m 0644 "$here/icons/hicolor/$png" "$share/icons/hicolor/$png"
    done
    mkdir -p "$share/man/man1"
    for page in trellis trellis-desktop; do
        gzip -9n < "$here/$page.1" > "$share/man/man1/$page.1.gz"
    done
    install -D -m 0644 "$here/copyright" "$share/doc/trellis/copyright"
    gzip -9n < "$here/changelog" > "$share/doc/trellis/changelog.gz"
    install -D -m 0644 "$here/lintian-overrides" "$share/lintian/overrides/trellis"
    find "$root/usr" -type d -exec chmod 0755 {} +
    chmod 0644 "$share/man/man1/"*.gz "$share/doc/trellis/changelog.gz"
}

write_control() {
    local depends
    # sensible-utils: the bundled libblkid and libmount call sensible-pager.
    depends="$(python3 "$here/deb_depends.py" "$bundle"), sensible-utils"
    mkdir -p "$root/DEBIAN"
    cat > "$root/DEBIAN/control" <<EOF
Package: trellis
Version: $version
Architecture: amd64
Maintainer: The Trellis developers <packaging@trellis.app>
Installed-Size: $(du -sk --apparent-size "$root" | cut -f1)
Depends: $depends
Recommends: fonts-dejavu-core | fonts-liberation2, gnome-keyring | kwalletmanager | keepassxc
Section: misc
Priority: optional
Homepage: https://trellis.app/
Description: private notes, 1:1s and review drafts for people managers
 Trellis keeps private notes on each person on your team, runs 1:1s from
 agendas that carry over what is still open, and drafts review summaries
 and development plans with a language model that runs on this computer.
 .
 Notes live in one encrypted SQLCipher database whose key is kept in the
 Secret Service keychain or behind a passphrase. Nothing about your team
 leaves the machine: no server, no account, no telemetry.
 .
 This package installs a self-contained bundle under /opt/trellis (its own
 Python, Qt and llama.cpp, and the default model) with the commands trellis
 and trellis-desktop.
EOF
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
        > "$root/DEBIAN/md5sums"
    chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
}

install_bundle
install_desktop_files
write_control
mkdir -p "$out"
deb="$out/trellis_${version}_amd64.deb"
dpkg-deb --root-owner-group "${compression[@]}" --build "$root" "$deb.partial" >/dev/null
mv "$deb.partial" "$deb"
echo "build-deb: wrote $deb ($(du -h "$deb" | cut -f1))"
