#!/usr/bin/env bash
# Checks the install script and the systemd unit from this checkout (run by .ci/run after the tests):
# scripts/install.sh --debug into a temporary prefix, then every file it promises is there and works:
# both programs answer --version, the bash completions load and complete a subcommand, every manual
# page is a manual page (and renders, when `man` is installed), and packaging/nkserver.service passes
# `systemd-analyze verify` with ExecStart pointing at the installed nkserver.
#
#   scripts/check-packaging.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

prefix="$(mktemp -d "${TMPDIR:-/tmp}/nk-install.XXXXXX")"
trap 'rm -rf "$prefix"' EXIT
fail() { echo "check-packaging: $*" >&2; exit 1; }

scripts/install.sh --prefix "$prefix" --debug >/dev/null 2>"$prefix.log" || { cat "$prefix.log" >&2; fail "install.sh failed"; }
rm -f "$prefix.log"

for tool in nkserver nkclient; do
    version="$("$prefix/bin/$tool" --version)"
    [[ "$version" == "$tool "* ]] || fail "$tool --version printed '$version'"
    [ -s "$prefix/share/zsh/site-functions/_$tool" ] || fail "no zsh completion for $tool"
    [ -s "$prefix/share/fish/vendor_completions.d/$tool.fish" ] || fail "no fish completion for $tool"
    head -3 "$prefix/share/man/man1/$tool.1" | grep -q '^\.Dd\|^\.TH' || fail "$tool.1 is not a manual page"
done
# The bash completion loads and offers subcommands (`nkclient re<TAB>` gives read, reply, ...).
completions="$(bash -c "
    source '$prefix/share/bash-completion/completions/nkclient'
    COMP_WORDS=(nkclient re); COMP_CWORD=1; COMP_LINE='nkclient re'; COMP_POINT=\${#COMP_LINE}
    _nkclient nkclient re nkclient 2>/dev/null || true
    printf '%s\n' \"\${COMPREPLY[@]}\"")"
for expected in read reply resolve restore; do
    grep -qx "$expected" <<<"$completions" || fail "bash completion of 'nkclient re' lacks $expected: $completions"
done
pages=$(find "$prefix/share/man/man1" -name '*.1' | wc -l)
[ "$pages" -ge 30 ] || fail "only $pages manual pages"
for page in "$prefix/share/man/man1/nkclient.reply.1" "$prefix/share/man/man1/nkserver.serve.1"; do
    [ -s "$page" ] || fail "$page is missing"
    if command -v man >/dev/null; then
        MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q . || fail "$page does not render"
    fi
done
[ -s "$prefix/share/doc/nksync/README.md" ] || fail "README.md was not installed"

if command -v systemd-analyze >/dev/null; then
    unit="$prefix/nkserver.service"
    sed "s#/usr/local/bin/nkserver#$prefix/bin/nkserver#" "$prefix/share/nksync/nkserver.service" >"$unit"
    systemd-analyze verify "$unit" || fail "systemd-analyze verify found problems in packaging/nkserver.service"
    exposure="$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')"
    echo "suite=packaging manual_pages=$pages unit=verified exposure=${exposure:-?}"
else
    fail "systemd-analyze is missing (apt-get install systemd)"
fi
