#!/usr/bin/env bash
# The main job, end to end on the embedded SQLite default: a server with the sample corpus, two
# researchers who annotate offline, sync, edit the same note concurrently, see the conflict on both
# laptops and resolve it. Everything lives in a temporary folder (kept, and printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== building nkserver and nkclient (the first build takes a few minutes)"
build_log="$(mktemp -t nksync-build-XXXXXX.log)"
if ! { swift build --product nkserver && swift build --product nkclient; } >"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2
    echo "error: the build failed; the full log is in $build_log" >&2
    exit 1
fi
bin="$(swift build --show-bin-path)"

demo="${NK_DEMO_DIR:-$(mktemp -d -t nksync-demo-XXXXXX)}"
mkdir -p "$demo"
db="$demo/server.sqlite"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; true; }
trap cleanup EXIT

# Show each command as a researcher would type it, then run it.
# shown COMMENT WORD...: print the command with its words quoted where needed, and a comment.
shown() {
    local comment="$1" words=() word
    shift
    for word in "$@"; do
        case "$word" in
            *\'*) words+=("\"$word\"") ;;
            *[[:space:]\"\;\(\)\*\?]*) words+=("'$word'") ;;
            *) words+=("$word") ;;
        esac
    done
    printf '\n$ %s%s\n' "${words[*]}" "$comment"
}
server() { shown "" nkserver "$@"; "$bin/nkserver" "$@" --db "$db"; }
alice() { shown "   # alice" nkclient "$@"; NKCLIENT_HOME="$demo/alice" "$bin/nkclient" "$@"; }
bob() { shown "   # bob" nkclient "$@"; NKCLIENT_HOME="$demo/bob" "$bin/nkclient" "$@"; }

echo "== the server: sample corpus and two researchers"
server import samples/corpus/border-trade.txt samples/corpus/diplomacy.txt
shown "" nkserver user add alice; alice_token="$("$bin/nkserver" user add alice --db "$db")"; echo "$alice_token"
shown "" nkserver user add bob; bob_token="$("$bin/nkserver" user add bob --db "$db")"; echo "$bob_token"

shown "   # in the background" nkserver serve --port 0
"$bin/nkserver" serve --db "$db" --port 0 > "$demo/server.out" 2> "$demo/server.log" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$demo/server.out" ] && break; sleep 0.1; done
url="$(head -n 1 "$demo/server.out" | sed 's/^listening on //')"
head -n 1 "$demo/server.out"

echo; echo "== two laptops"
alice init --server "$url" --token "$alice_token"
bob init --server "$url" --token "$bob_token"
alice sync
bob sync
alice posts

post="$(NKCLIENT_HOME="$demo/alice" "$bin/nkclient" posts --json | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p["title"].startswith("Seafood")))')"

echo; echo "== alice annotates offline, then syncs; bob pulls her note"
shown "   # alice" nkclient annotate "$post" --quote "hard currency" --note "Which currency? The plant manager does not say." --tag sanctions
note="$(NKCLIENT_HOME="$demo/alice" "$bin/nkclient" annotate "$post" --quote "hard currency" \
    --note "Which currency? The plant manager does not say." --tag sanctions)"
echo "$note"
alice status
alice sync
bob sync
bob notes

echo; echo "== both edit the same note while offline: a conflict, nothing lost"
alice edit "$note" --note "Euros and yuan, per the 2023 customs data." --tag finance
bob edit "${note:0:8}" --note "Ask the Coastal Review reporter for the source." --tag sources
alice sync
bob sync
alice sync
alice conflicts
bob conflicts

echo; echo "== bob resolves with a text that keeps both points; both converge"
bob resolve "${note:0:8}" --note "Euros and yuan (2023 customs data); ask the reporter for the source."
bob sync
alice sync
alice notes
bob notes
alice read "${post:0:6}"

echo; echo "== finding things again and taking notes out, offline"
alice search '"hard currency"'
alice search "sanction*" --source "Coastal Review"
alice export --format markdown

echo; echo "== done. The demo's files are in $demo"
