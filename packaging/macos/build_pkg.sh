#!/usr/bin/env bash
# Builds dist/Trellis-<version>-macos-<arch>.pkg: Trellis.app from packaging/trellis.spec,
# signed inside-out with the hardened runtime, in a signed installer package
# that installs to /Applications, notarised by Apple and stapled.
#
# Why: Macs deployed by MDM install a .pkg silently; Gatekeeper accepts it,
# and the app in it, only when both carry a Developer ID signature and Apple's
# notarisation ticket. The ticket is stapled to the pkg, so a Mac that is
# offline at install time accepts it too.
#
# Run on a Mac with Xcode command line tools, from any folder:
#   packaging/macos/build_pkg.sh            signed and notarised (for deployment)
#   packaging/macos/build_pkg.sh --unsigned developer build: ad-hoc signed, not notarised
#   packaging/macos/build_pkg.sh --skip-bundle   reuse dist/Trellis.app
#
# Python 3.11 with requirements.lock, requirements-package.lock and the
# portable llama-cpp-python must be installed, and the default model fetched
# (python -m app.llm.fetch --models-dir models); .github/workflows/installers.yml
# shows the whole sequence.
#
# Environment:
#   TRELLIS_MAC_APP_IDENTITY        "Developer ID Application: Org (TEAMID)"
#   TRELLIS_MAC_INSTALLER_IDENTITY  "Developer ID Installer: Org (TEAMID)"
#   TRELLIS_MAC_KEYCHAIN            keychain holding both identities (optional)
#   notarisation, one of:
#     TRELLIS_NOTARY_PROFILE        a profile saved by `xcrun notarytool store-credentials`
#     TRELLIS_NOTARY_KEY, TRELLIS_NOTARY_KEY_ID, TRELLIS_NOTARY_ISSUER
#                                   an App Store Connect API key (.p8 path, key id, issuer id)
#   TRELLIS_PYTHON                  the Python to run PyInstaller with (default: python3)
#
# rcodesign (apple-codesign) can sign, notarise and staple the pkg from any
# system, e.g. a Linux signing server holding the keys:
#   rcodesign sign --p12-file installer.p12 --p12-password-file pw dist/Trellis-0.1.0-macos-arm64.pkg
#   rcodesign notary-submit --api-key-file key.json --staple dist/Trellis-0.1.0-macos-arm64.pkg
# (key.json from `rcodesign encode-app-store-connect-api-key`). Signing the app
# with it must keep sign_app's order: nested code, manifest, the app's seal.
# See docs/it-deployment.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DIST=$REPO/dist
WORK=$REPO/build/macos
APP=$DIST/Trellis.app
ENTITLEMENTS=$HERE/entitlements.plist
PYTHON=${TRELLIS_PYTHON:-python3}
BUNDLE_ID=app.trellis.Trellis

UNSIGNED=0
SKIP_BUNDLE=0

die() { echo "build_pkg.sh: $*" >&2; exit 1; }

parse_args() {
    local arg
    for arg in "$@"; do
        case $arg in
            --unsigned) UNSIGNED=1 ;;
            --skip-bundle) SKIP_BUNDLE=1 ;;
            -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
            *) die "unknown option '$arg' (try --help)" ;;
        esac
    done
}

plist_value() {  # plist_value FILE KEY
    "$PYTHON" -c 'import plistlib, sys; print(plistlib.load(open(sys.argv[1], "rb"))[sys.argv[2]])' "$1" "$2"
}

project_version() {
    (cd "$REPO" && "$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
}

check_inputs() {
    VERSION=$(project_version)
    local plist_version
    plist_version=$(plist_value "$HERE/Info.plist" CFBundleShortVersionString)
    [[ $plist_version == "$VERSION" ]] ||
        die "packaging/macos/Info.plist says version $plist_version, pyproject.toml says $VERSION: update Info.plist"
    ARCH=$(uname -m)
    PKG=$DIST/Trellis-$VERSION-macos-$ARCH.pkg
    if ((UNSIGNED)); then
        echo "*** UNSIGNED DEVELOPER BUILD: ad-hoc signature, not notarised. Do not deploy this pkg. ***" >&2
        APP_IDENTITY=-
        return
    fi
    APP_IDENTITY=${TRELLIS_MAC_APP_IDENTITY:?set TRELLIS_MAC_APP_IDENTITY to your Developer ID Application identity, or pass --unsigned}
    INSTALLER_IDENTITY=${TRELLIS_MAC_INSTALLER_IDENTITY:?set TRELLIS_MAC_INSTALLER_IDENTITY to your Developer ID Installer identity, or pass --unsigned}
    notary_auth >/dev/null
}

notary_auth() {  # prints the notarytool credential options, one per line
    if [[ -n ${TRELLIS_NOTARY_PROFILE:-} ]]; then
        printf '%s\n' --keychain-profile "$TRELLIS_NOTARY_PROFILE"
    elif [[ -n ${TRELLIS_NOTARY_KEY:-} ]]; then
        printf '%s\n' --key "$TRELLIS_NOTARY_KEY" \
            --key-id "${TRELLIS_NOTARY_KEY_ID:?TRELLIS_NOTARY_KEY_ID is needed with TRELLIS_NOTARY_KEY}" \
            --issuer "${TRELLIS_NOTARY_ISSUER:?TRELLIS_NOTARY_ISSUER is needed with TRELLIS_NOTARY_KEY}"
    else
        die "no notarisation credentials: set TRELLIS_NOTARY_PROFILE, or TRELLIS_NOTARY_KEY with _KEY_ID and _ISSUER"
    fi
}

make_icon() {
    # Trellis.icns from the hicolor PNGs the Linux package ships (packaging/linux/icons).
    local hicolor=$REPO/packaging/linux/icons/hicolor iconset=$REPO/build/macos-icon/Trellis.iconset size
    rm -rf "$iconset" && mkdir -p "$iconset"
    for size in 16 32 128 256 512; do
        cp "$hicolor/${size}x${size}/apps/trellis.png" "$iconset/icon_${size}x${size}.png"
    done
    for size in 16 32 128 256; do
        cp "$hicolor/$((size * 2))x$((size * 2))/apps/trellis.png" "$iconset/icon_${size}x${size}@2x.png"
    done
    iconutil --convert icns --output "$REPO/build/macos-icon/Trellis.icns" "$iconset"
}

build_app() {
    rm -rf "$APP"
    make_icon
    (cd "$REPO" && TRELLIS_MAC_ICON="$REPO/build/macos-icon/Trellis.icns" "$PYTHON" -m PyInstaller --noconfirm --clean --distpath "$DIST" \
        --workpath "$REPO/build/pyinstaller" packaging/macos/trellis-app.spec)
    [[ -x $APP/Contents/MacOS/trellis-desktop && -x $APP/Contents/MacOS/trellis ]] ||
        die "$APP lacks Contents/MacOS/trellis-desktop or Contents/MacOS/trellis"
}

codesign_with() {  # codesign_with [extra codesign options] PATH...
    # An ad-hoc (unsigned) build leaves out the hardened runtime: its library
    # validation refuses ad-hoc signed libraries, and only notarisation needs it.
    local keychain=() hardening=(--options runtime --timestamp)
    if [[ -n ${TRELLIS_MAC_KEYCHAIN:-} ]]; then keychain=(--keychain "$TRELLIS_MAC_KEYCHAIN"); fi
    if ((UNSIGNED)); then hardening=(--timestamp=none); fi
    codesign --force "${hardening[@]}" "${keychain[@]}" --sign "$APP_IDENTITY" "$@"
}

mach_o_files() {  # every Mach-O file in the app that is not a symlink, deepest first
    find "$APP/Contents" -type f -print0 |
        while IFS= read -r -d '' file; do
            if file -b "$file" | grep -q 'Mach-O'; then
                printf '%s\t%s\n' "$(tr -cd / <<<"$file" | wc -c)" "$file"
            fi
        done | sort -rn | cut -f2-
}

sign_app() {
    # Inside-out: libraries and extension modules, then nested frameworks,
    # then the executables with the entitlements, then the app's own seal.
    local file framework
    while IFS= read -r file; do
        if [[ $file == */Contents/MacOS/* ]]; then continue; fi
        codesign_with "$file"
    done < <(mach_o_files)
    while IFS= read -r framework; do
        codesign_with "$framework"
    done < <(find "$APP/Contents/Frameworks" -type d -name '*.framework' | awk '{ print gsub("/", "/"), $0 }' |
             sort -rn | cut -d' ' -f2-)
    codesign_with --entitlements "$ENTITLEMENTS" "$APP/Contents/MacOS/trellis"
    write_manifest
    codesign_with --entitlements "$ENTITLEMENTS" "$APP"
    codesign --verify --strict --deep --verbose=2 "$APP"
}

write_manifest() {
    # The manifest `trellis doctor` checks, of the signed files; written before
    # the app's own seal, which then covers it (app/manifest.py leaves out the
    # two files that seal rewrites).
    (cd "$REPO" && "$PYTHON" -c 'import sys; from pathlib import Path; from app.manifest import write_manifest
print(write_manifest(Path(sys.argv[1])))' "$APP/Contents")
}

write_sbom() {
    # The CycloneDX SBOM of the same build (the one-folder dist/trellis/ that
    # the spec also collects, with the same files as the app).
    (cd "$REPO" && "$PYTHON" -c 'import sys; from pathlib import Path
sys.path.insert(0, "packaging/bundle"); import sbom
print(sbom.write_sbom(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))' \
        "$DIST/trellis" "$REPO/build/pyinstaller/trellis-app/bundled-modules.json" \
        "$DIST/trellis-$VERSION-macos-$ARCH.cdx.json")
}

build_pkg() {
    # A root with only the app, marked not relocatable: installer must put it
    # in /Applications even when another copy of Trellis exists elsewhere.
    rm -rf "$WORK" && mkdir -p "$WORK/root"
    ditto "$APP" "$WORK/root/Trellis.app"
    pkgbuild --analyze --root "$WORK/root" "$WORK/components.plist"
    plutil -replace 0.BundleIsRelocatable -bool false "$WORK/components.plist"
    pkgbuild --root "$WORK/root" --component-plist "$WORK/components.plist" \
        --identifier "$BUNDLE_ID" --version "$VERSION" --install-location /Applications \
        --scripts "$HERE/scripts" "$WORK/Trellis-component.pkg"
    write_distribution > "$WORK/distribution.xml"
    local signing=()
    if ((!UNSIGNED)); then
        signing=(--sign "$INSTALLER_IDENTITY" --timestamp)
        if [[ -n ${TRELLIS_MAC_KEYCHAIN:-} ]]; then signing+=(--keychain "$TRELLIS_MAC_KEYCHAIN"); fi
    fi
    productbuild --distribution "$WORK/distribution.xml" --package-path "$WORK" "${signing[@]}" "$PKG"
}

write_distribution() {
    # System-wide install only (no per-user home install), this Mac's architecture,
    # the same minimum macOS as the app.
    local min_os
    min_os=$(plist_value "$HERE/Info.plist" LSMinimumSystemVersion)
    cat <<EOF
<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
    <title>Trellis $VERSION</title>
    <options customize="never" require-scripts="false" hostArchitectures="$ARCH"/>
    <domains enable_anywhere="false" enable_currentUserHome="false" enable_localSystem="true"/>
    <volume-check>
        <allowed-os-versions><os-version min="$min_os"/></allowed-os-versions>
    </volume-check>
    <choices-outline><line choice="default"><line choice="$BUNDLE_ID"/></line></choices-outline>
    <choice id="default"/>
    <choice id="$BUNDLE_ID" visible="false"><pkg-ref id="$BUNDLE_ID"/></choice>
    <pkg-ref id="$BUNDLE_ID" version="$VERSION" onConclusion="none">Trellis-component.pkg</pkg-ref>
</installer-gui-script>
EOF
}

notarise() {
    local auth=() result submission status
    mapfile -t auth < <(notary_auth)
    result=$(xcrun notarytool submit "$PKG" "${auth[@]}" --wait --timeout 1h --output-format json)
    echo "$result"
    submission=$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$result")
    status=$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["status"])' "$result")
    if [[ $status != Accepted ]]; then
        xcrun notarytool log "$submission" "${auth[@]}" >&2 || true
        die "notarisation of $PKG ended with status '$status' (the log above says why)"
    fi
    xcrun stapler staple "$PKG"
    xcrun stapler validate "$PKG"
}

verify_pkg() {
    pkgutil --check-signature "$PKG"
    spctl --assess --type install --verbose=2 "$PKG"
}

main() {
    parse_args "$@"
    check_inputs
    ((SKIP_BUNDLE)) || build_app
    write_sbom
    sign_app
    build_pkg
    if ((!UNSIGNED)); then
        notarise
        verify_pkg
    fi
    shasum -a 256 "$PKG" | tee "$PKG.sha256"
    echo "built $PKG"
}

main "$@"
