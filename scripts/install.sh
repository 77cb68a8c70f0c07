#!/usr/bin/env bash
# Builds NK Sync and installs both programs, their shell completions and manual pages, the README and
# the systemd unit (README: "Running a team server").
#
#   scripts/install.sh [--prefix DIR] [--debug]
#
#   --prefix DIR   where to install (default /usr/local):
#                    DIR/bin/nkserver, DIR/bin/nkclient
#                    DIR/share/man/man1/nkclient.1, nkclient.SUBCOMMAND.1, ... (swift-argument-parser's
#                      generate-manual plugin)
#                    DIR/share/bash-completion/completions/NAME, DIR/share/zsh/site-functions/_NAME,
#                    DIR/share/fish/vendor_completions.d/NAME.fish
#                    DIR/share/doc/nksync/README.md, CHANGELOG.md
#                    DIR/share/nksync/nkserver.service (copy it to /etc/systemd/system yourself:
#                      the unit names /usr/local/bin/nkserver; edit ExecStart for another prefix)
#   --debug        a debug build instead of a release build (quicker to build; for trying it out)
#
# Run it as a user who may write to the prefix (sudo for /usr/local). Nothing outside the prefix is
# touched. Installing again replaces the files.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

prefix=/usr/local
configuration=release
while [ $# -gt 0 ]; do
    case "$1" in
    --prefix)
        [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 64; }
        prefix="$2"
        shift 2
        ;;
    --prefix=*) prefix="${1#--prefix=}" && shift ;;
    --debug) configuration=debug && shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2 && exit 64 ;;
    esac
done
case "$prefix" in
/*) ;;
*) prefix="$PWD/$prefix" ;;
esac

echo "building nkserver and nkclient ($configuration)" >&2
swift build -c "$configuration" --product nkserver >&2
swift build -c "$configuration" --product nkclient >&2
bin="$(swift build -c "$configuration" --show-bin-path)"

echo "generating manual pages" >&2
manuals=.build/plugins/GenerateManual/outputs
rm -rf "$manuals"
swift package plugin generate-manual --multi-page --configuration "$configuration" >&2

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d" "$prefix/share/doc/nksync" \
    "$prefix/share/nksync"
for tool in nkserver nkclient; do
    install -m 755 "$bin/$tool" "$prefix/bin/$tool"
    "$bin/$tool" --generate-completion-script bash >"$prefix/share/bash-completion/completions/$tool"
    "$bin/$tool" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_$tool"
    "$bin/$tool" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/$tool.fish"
    pages=("$manuals/$tool"/*.1)
    [ -e "${pages[0]}" ] || { echo "install.sh: no manual pages were generated for $tool" >&2; exit 1; }
    install -m 644 "${pages[@]}" "$prefix/share/man/man1/"
done
install -m 644 README.md CHANGELOG.md "$prefix/share/doc/nksync/"
install -m 644 packaging/nkserver.service "$prefix/share/nksync/nkserver.service"
echo "installed $("$prefix/bin/nkserver" --version) and $("$prefix/bin/nkclient" --version) in $prefix"
