#!/usr/bin/env bash
# Builds `nkserver` and `nkclient` as they were at COMMIT and prints the folder that holds them.
#
#   scripts/build-at.sh COMMIT        # any name git knows (5cd0e17, a tag, HEAD~3)
#
# The upgrade fixtures (Tests/Fixtures/make-fixtures.sh) are made with the binaries of the commit
# whose schema they freeze, and a mixed-version test runs the previous release's binaries beside
# the current ones: both take them from here. Each commit is built once, in a clean clone of this
# repository outside the tree, and cached:
#
#   ${NK_BUILD_CACHE:-$HOME/.cache/nksync/builds}/FULL_COMMIT/src   the clone, checked out at COMMIT
#   ${NK_BUILD_CACHE:-$HOME/.cache/nksync/builds}/FULL_COMMIT/bin   nkserver, nkclient, COMMIT
#
# bin/COMMIT is written last, so a build that was interrupted is done again. NK_BUILD_SEED=DIR
# fills the cache from binaries built elsewhere instead (DIR holds nkserver, nkclient and a file
# COMMIT with the full commit id, which must be COMMIT's). Progress goes to stderr; stdout is the
# bin folder alone.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/build-at.sh COMMIT" >&2; exit 64; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}")" \
    || { echo "build-at: $1 is not a commit of $repo" >&2; exit 65; }
cache="${NK_BUILD_CACHE:-$HOME/.cache/nksync/builds}/$commit"
bin="$cache/bin"

if [ -f "$bin/COMMIT" ] && [ "$(cat "$bin/COMMIT")" = "$commit" ] \
    && [ -x "$bin/nkserver" ] && [ -x "$bin/nkclient" ]; then
    echo "$bin"
    exit 0
fi

mkdir -p "$cache"
rm -rf "$bin"
mkdir -p "$bin"

if [ -n "${NK_BUILD_SEED:-}" ]; then
    seed="$NK_BUILD_SEED"
    [ -f "$seed/COMMIT" ] && [ "$(tr -d '[:space:]' <"$seed/COMMIT")" = "$commit" ] \
        || { echo "build-at: $seed/COMMIT does not name $commit" >&2; exit 65; }
    echo "build-at: seeding the cache for $commit from $seed" >&2
    cp "$seed/nkserver" "$seed/nkclient" "$bin/"
else
    src="$cache/src"
    if [ ! -d "$src/.git" ]; then
        rm -rf "$src"
        echo "build-at: cloning $repo into $src" >&2
        git clone --quiet --no-checkout "$repo" "$src"
    fi
    git -C "$src" checkout --quiet --force "$commit"
    git -C "$src" clean -qfdx -e .build
    command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
    for product in nkserver nkclient; do
        echo "build-at: building $product at $commit (several minutes the first time)" >&2
        swift build --package-path "$src" --product "$product" >&2
    done
    built="$(swift build --package-path "$src" --show-bin-path)"
    cp "$built/nkserver" "$built/nkclient" "$bin/"
fi
echo "$commit" >"$bin/COMMIT.tmp"
mv "$bin/COMMIT.tmp" "$bin/COMMIT"
echo "$bin"
