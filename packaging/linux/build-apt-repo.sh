#!/usr/bin/env bash
# Build a signed APT repository (suite stable, component main) around one .deb.
#
#   packaging/linux/build-apt-repo.sh DEB REPO_DIR KEYRING
#   (make package runs it as: ... dist/trellis_0.1.0_amd64.deb dist/apt dist/trellis-archive-keyring.gpg)
#
# REPO_DIR is rebuilt from scratch:
#   pool/main/t/trellis/<deb>
#   dists/stable/main/binary-amd64/{Packages,Packages.gz,Release}
#   dists/stable/{Release,InRelease,Release.gpg}
# and KEYRING receives the public key as a binary keyring, the form apt's
# `signed-by=` wants.
#
# The signing key is the armoured secret key in the file TRELLIS_SIGNING_KEY
# (with its passphrase, if it has one, in the file
# TRELLIS_SIGNING_KEY_PASSPHRASE_FILE). Without TRELLIS_SIGNING_KEY a
# throw-away key is made for a development build, and the script says so
# loudly. Either way gpg runs in a temporary GNUPGHOME that is removed at the
# end: the user's ~/.gnupg is never read or written.
set -euo pipefail

die() { echo "build-apt-repo: error: $*" >&2; exit 1; }

[[ $# -eq 3 ]] || die "usage: build-apt-repo.sh DEB REPO_DIR KEYRING"
deb="$1" repo="$2" keyring="$3"
[[ -f "$deb" ]] || die "$deb does not exist; build the package first (make package)"
for tool in apt-ftparchive gpg dpkg-deb gzip; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed (.ci/run installs apt-utils and gnupg)"
done
if [[ -n "${TRELLIS_SIGNING_KEY:-}" && ! -r "$TRELLIS_SIGNING_KEY" ]]; then
    die "TRELLIS_SIGNING_KEY is set to '$TRELLIS_SIGNING_KEY', which is not a readable file"
fi
if [[ -n "${TRELLIS_SIGNING_KEY_PASSPHRASE_FILE:-}" && ! -r "$TRELLIS_SIGNING_KEY_PASSPHRASE_FILE" ]]; then
    die "TRELLIS_SIGNING_KEY_PASSPHRASE_FILE is set to '$TRELLIS_SIGNING_KEY_PASSPHRASE_FILE', which is not a readable file"
fi

GNUPGHOME="$(mktemp -d "${TMPDIR:-/tmp}/trellis-gpg.XXXXXX")"
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
gpg_batch=(gpg --batch --quiet --no-tty --pinentry-mode loopback)
if [[ -n "${TRELLIS_SIGNING_KEY_PASSPHRASE_FILE:-}" ]]; then
    gpg_batch+=(--passphrase-file "$TRELLIS_SIGNING_KEY_PASSPHRASE_FILE")
else
    gpg_batch+=(--passphrase "")
fi

warn_throwaway() {
    cat >&2 <<EOF

  ##########################################################################
  #  WARNING: DEVELOPMENT BUILD, SIGNED BY A THROW-AWAY KEY                 #
  #                                                                        #
  #  TRELLIS_SIGNING_KEY is not set, so the APT repository was signed with  #
  #  a key made just now and deleted right after. Nobody can sign an update #
  #  with it again. Do NOT publish this repository or hand out its keyring: #
  #  for a release build with TRELLIS_SIGNING_KEY=/path/to/secret-key.asc   #
  #  (see packaging/linux/README.md).                                       #
  ##########################################################################
  repository: $repo

EOF
}

signing_fingerprint() {
    if [[ -n "${TRELLIS_SIGNING_KEY:-}" ]]; then
        "${gpg_batch[@]}" --import "$TRELLIS_SIGNING_KEY" 2>/dev/null \
            || die "could not import the secret key in $TRELLIS_SIGNING_KEY: is it an armoured secret key? If it has a passphrase, put it in a file and set TRELLIS_SIGNING_KEY_PASSPHRASE_FILE"
    else
        warn_throwaway
        "${gpg_batch[@]}" --quick-gen-key \
            "Trellis development build (throw-away key) <dev-build@trellis.invalid>" ed25519 sign 90d
    fi
    local fingerprints
    fingerprints="$(gpg --batch --quiet --trust-model always --with-colons --list-secret-keys | awk -F: '$1 == "fpr" {print $10; exit}')"
    [[ -n "$fingerprints" ]] || die "${TRELLIS_SIGNING_KEY:-the generated key} holds no secret key"
    echo "$fingerprints"
}

write_indexes() {
    local pool="pool/main/t/trellis" binary="dists/stable/main/binary-amd64"
    rm -rf "$repo"
    mkdir -p "$repo/$pool" "$repo/$binary"
    cp "$deb" "$repo/$pool/"
    (
        cd "$repo"
        apt-ftparchive packages "$pool" > "$binary/Packages"
        gzip -9n < "$binary/Packages" > "$binary/Packages.gz"
        printf 'Archive: stable\nComponent: main\nOrigin: Trellis\nLabel: Trellis\nArchitecture: amd64\n' \
            > "$binary/Release"
        apt-ftparchive \
            -o APT::FTPArchive::Release::Origin=Trellis \
            -o APT::FTPArchive::Release::Label=Trellis \
            -o APT::FTPArchive::Release::Suite=stable \
            -o APT::FTPArchive::Release::Codename=stable \
            -o APT::FTPArchive::Release::Architectures=amd64 \
            -o APT::FTPArchive::Release::Components=main \
            -o "APT::FTPArchive::Release::Description=Trellis, private notes and 1:1s for people managers" \
            release dists/stable > dists/stable/Release.new
        mv dists/stable/Release.new dists/stable/Release
    )
}

sign_release() {
    local fingerprint="$1" dist="$repo/dists/stable"
    local cannot_sign="could not sign with key $fingerprint. If it has a passphrase, put it in a file and set TRELLIS_SIGNING_KEY_PASSPHRASE_FILE"
    "${gpg_batch[@]}" --local-user "$fingerprint" --digest-algo SHA512 \
        --clearsign --output "$dist/InRelease" "$dist/Release" || die "$cannot_sign"
    "${gpg_batch[@]}" --local-user "$fingerprint" --digest-algo SHA512 \
        --armor --detach-sign --output "$dist/Release.gpg" "$dist/Release" || die "$cannot_sign"
    mkdir -p "$(dirname "$keyring")"
    gpg --batch --export "$fingerprint" > "$keyring.new"
    mv "$keyring.new" "$keyring"
}

fingerprint="$(signing_fingerprint)"
write_indexes
sign_release "$fingerprint"
echo "build-apt-repo: wrote $repo (signed by $fingerprint) and $keyring"
[[ -n "${TRELLIS_SIGNING_KEY:-}" ]] || warn_throwaway
