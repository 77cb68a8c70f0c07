#!/usr/bin/env bash
# Makes the upgrade fixtures of one schema generation: a server database and client replicas as the
# binaries of COMMIT write them, with a manifest of what they hold, for UpgradeFixtureTests to open
# with the current code.
#
#   Tests/Fixtures/make-fixtures.sh COMMIT OUT_DIR     # e.g. 5cd0e17 Tests/Fixtures/schema1-5cd0e17
#
# It takes nkserver and nkclient of COMMIT from scripts/build-at.sh (built once, cached outside the
# tree), runs a server on a free port of 127.0.0.1 with an SQLite store and five researchers'
# replicas in a temporary folder, and plays a team's month: users (one read-only, one revoked),
# groups, the sample corpus imported and corrected (on the server and by `post edit`), notes of
# every visibility, a deleted note, a conflict, a change the server rejects, a replica that stopped
# pulling halfway, and unpushed notes and edits. Then it stops everything cleanly, folds any WAL into
# the main files, copies the store into a fresh PostgreSQL database with COMMIT's own
# `nkserver migrate` and dumps it with pg_dump (PostgreSQL from scripts/with-postgres.sh, or
# NK_POSTGRES_URL), and writes OUT_DIR:
#
#   server.sqlite            the server's store
#   server-postgres.sql      the same store on PostgreSQL (pg_dump, plain SQL)
#   REPLICA/config.json      each replica's config (server URL, token, user, replica id)
#   REPLICA/replica.sqlite   each replica's database
#   manifest.json            what they hold, read from the databases with sqlite3 and psql
#
# OUT_DIR must not exist: a committed fixture is never made again (Tests/Fixtures/README.md).
# Needs sqlite3, jq, and PostgreSQL's psql, pg_dump, initdb and pg_ctl (scripts/setup.sh).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: Tests/Fixtures/make-fixtures.sh COMMIT OUT_DIR" >&2; exit 64; }
repo="$(cd "$(dirname "$0")/../.." && pwd)"
commit_arg="$1"
out="$2"
[ ! -e "$out" ] || { echo "make-fixtures: $out exists; a fixture is never made again" >&2; exit 65; }
for tool in sqlite3 jq python3; do
    command -v "$tool" >/dev/null || { echo "make-fixtures: $tool is missing (scripts/setup.sh)" >&2; exit 69; }
done

# PostgreSQL: the one named by NK_POSTGRES_URL, else a private one for the length of this script.
if [ -z "${NK_POSTGRES_URL:-}" ]; then
    exec "$repo/scripts/with-postgres.sh" "$0" "$@"
fi
pgbin="${NK_POSTGRES_BIN:-/usr/bin}"

commit="$(git -C "$repo" rev-parse --verify "$commit_arg^{commit}")"
bin="$("$repo/scripts/build-at.sh" "$commit")"
work="$(mktemp -d /tmp/nk-fixtures.XXXXXX)"
db="$work/server.sqlite"
server_pid=""
pgdb=""
cleanup() {
    [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
    [ -z "$pgdb" ] || "$pgbin/psql" "$NK_POSTGRES_URL" -X -q -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

say() { echo "make-fixtures: $*" >&2; }
nks() { "$bin/nkserver" "$@" --db "$db"; }
# nkc WHO ARGS...: nkclient on WHO's replica.
nkc() {
    local who="$1"
    shift
    NKCLIENT_HOME="$work/replicas/$who" "$bin/nkclient" "$@"
}
# post_id TITLE: the id of the post with that title, as WHO=alice's replica holds it.
post_id() { nkc alice posts --json | jq -r --arg t "$1" '.[] | select(.title == $t) | .id'; }

start_server() {
    nks serve --host 127.0.0.1 --port 0 >"$work/serve.out" 2>"$work/serve.err" &
    server_pid=$!
    for _ in $(seq 1 300); do
        if grep -q '^listening on ' "$work/serve.out" 2>/dev/null; then
            url="$(sed -n 's/^listening on //p' "$work/serve.out" | head -1)"
            say "nkserver of $commit listening on $url"
            return
        fi
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
        sleep 0.1
    done
    say "nkserver did not start"
    exit 1
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
}

# --- The team's month ---------------------------------------------------------------------------
mkdir -p "$work/replicas"
nks import "$repo/samples/corpus/border-trade.txt" "$repo/samples/corpus/diplomacy.txt" >&2
start_server

declare -A token
for user in alice bob carol erin; do token[$user]="$(nks user add "$user")"; done
token[guest]="$(nks user add guest --read-only)"
nks group add north >&2
nks group add south >&2
nks group add-member north alice >&2
nks group add-member north bob >&2
nks group add-member south carol >&2
nks group add-member south erin >&2

for user in alice bob carol guest erin; do
    nkc "$user" init --server "$url" --token "${token[$user]}" >&2
    nkc "$user" sync >&2
done

dandong="$(post_id 'Dandong traders report slower winter crossings')"
seafood="$(post_id 'Seafood ban leaves processing plants idle')"
envoys="$(post_id 'Envoys meet quietly ahead of the summit')"
restraint="$(post_id 'Beijing urges restraint after missile test')"
[ -n "$dandong" ] && [ -n "$seafood" ] && [ -n "$envoys" ] && [ -n "$restraint" ] \
    || { say "a sample post is missing"; exit 1; }

# Notes of every visibility, and one deleted.
shared="$(nkc alice annotate "$dandong" --quote "Friendship Bridge" \
    --note "Inspections at the bridge grew longer this winter" --tag inspections --tag trade)"
nkc alice annotate "$seafood" --quote "hard currency" --note "Private reminder: compare with the coal figures" \
    --private --tag todo >/dev/null
nkc alice annotate "$envoys" --quote "Nothing is agreed until everything is agreed" \
    --note "North desk: the usual formula" --group north --tag formula >/dev/null
doomed="$(nkc alice annotate "$restraint" --quote "show restraint" --note "Duplicate of an older note")"
nkc alice sync >&2
nkc alice delete "$doomed" >&2
# A post corrected on a laptop.
cat >"$work/envoys.txt" <<'EOF'
Category: Diplomacy

Envoys meet quietly ahead of the summit

Posted on 2 May 2024 by Lee Min-ji

Senior envoys met in a hotel outside the capital on Tuesday to prepare for next month's summit, three officials familiar with the talks said.

The meeting, which was not announced, focused on the agenda and on the order in which the leaders would speak. "Nothing is agreed until everything is agreed," one official said.

Observers said the quiet meeting was a sign both sides wanted the summit to go ahead.

[Sample Wire]
EOF
nkc alice post edit "$envoys" --file "$work/envoys.txt" >&2
nkc alice sync >&2

nkc bob sync >&2
nkc bob annotate "$seafood" --quote "squid and crab" --note "North desk: check the export figures" \
    --group north --tag exports >/dev/null
nkc bob sync >&2

nkc erin sync >&2
nkc erin annotate "$restraint" --quote "missile test" --note "Erin: the ministry repeats its formula" \
    --tag formula >/dev/null
nkc erin sync >&2
nks user revoke erin >&2

# Carol pulls now and then stops: her cursor stays in the middle of the change sequence. Her note
# for a group she is not in is rejected by the server and kept in her replica's rejected table.
nkc carol annotate "$dandong" --quote "wholesale market" --note "Not mine to post: north only" \
    --group north >/dev/null
nkc carol sync >&2 || true
nkc carol annotate "$seafood" --quote "plant manager" --note "South desk: who is this manager" \
    --group south --tag sources >/dev/null
nkc carol sync >&2

# A conflict: alice and bob edit the shared note concurrently, then both sync.
nkc alice edit "$shared" --note "Inspections take up to three days (alice)" >&2
nkc bob edit "$shared" --note "Loads held three days at the bridge (bob)" >&2
nkc alice sync >&2
nkc bob sync >&2
nkc alice sync >&2

# A correction imported on the server, after carol's last pull.
sed 's/Workers who once sorted squid and crab/Workers who until last year sorted squid and crab/' \
    "$repo/samples/corpus/border-trade.txt" >"$work/border-trade-corrected.txt"
nks import "$work/border-trade-corrected.txt" >&2

# The read-only guest pulls everything; its own note is refused by the server and stays pending.
nkc guest annotate "$envoys" --quote "quiet meeting" --note "Guest: a note that never leaves" >/dev/null
nkc guest sync >&2 && { say "guest's push was not refused"; exit 1; }
nkc bob sync >&2

# Unpushed work: carol's new notes and an edit of a note she holds, alice's new note and edit.
nkc carol annotate "$restraint" --quote "foreign ministry" --note "Trip notes: ask about the briefing" \
    --tag trip >/dev/null
nkc carol annotate "$dandong" --quote "rice cookers" --note "Trip notes: prices in the market" \
    --private --tag trip >/dev/null
nkc carol edit "$shared" --note "Inspections at the bridge grew longer (carol, offline)" >&2
nkc alice annotate "$seafood" --quote "textiles and coal" --note "Unpushed: which year were they restricted" \
    --tag todo >/dev/null
nkc alice edit "$shared" --tag inspections --tag trade --tag bridge >&2

stop_server
say "server stopped"

# --- Fold the WAL into the main files and copy ---------------------------------------------------
settle() {
    sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    [ ! -s "$1-wal" ] || { say "$1 still has a WAL"; exit 1; }
    rm -f "$1-wal" "$1-shm"
}
settle "$db"
replicas=(alice bob carol guest erin)
for who in "${replicas[@]}"; do settle "$work/replicas/$who/replica.sqlite"; done

# The same store on PostgreSQL, copied by this commit's own migrate.
pgdb="nk_fixture_$(date +%s)_$$"
"$pgbin/psql" "$NK_POSTGRES_URL" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pgdb"
# NK_POSTGRES_URL names the server's `postgres` database: the same URL with this database's name.
pgurl="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$NK_POSTGRES_URL" "$pgdb")"
"$bin/nkserver" migrate --from "sqlite:$db" --to "$pgurl" >&2
settle "$db"

mkdir -p "$out"
cp "$db" "$out/server.sqlite"
# Without pg_dump's \restrict / \unrestrict lines (a guard against a hostile server's dump, new in
# 15.14), which a psql older than that cannot read: this dump is restored by the tests' psql.
"$pgbin/pg_dump" --no-owner --no-privileges --format=plain "$pgurl" | grep -v '^\\\(un\)\?restrict ' \
    >"$out/server-postgres.sql"
for who in "${replicas[@]}"; do
    mkdir -p "$out/$who"
    cp "$work/replicas/$who/replica.sqlite" "$work/replicas/$who/config.json" "$out/$who/"
done

# --- The manifest, read from the databases ---------------------------------------------------
# q FILE SQL: the rows as a JSON array (sqlite3 prints nothing for no rows).
q() { sqlite3 -readonly -json "$1" "$2" | jq -cs 'add // []'; }
q1() { sqlite3 -readonly "$1" "$2"; }
pq() { "$pgbin/psql" "$pgurl" -X -At -v ON_ERROR_STOP=1 -c "$1"; }
server_sqlite="$out/server.sqlite"
server_json="$(jq -n \
    --argjson users "$(q "$server_sqlite" "SELECT name, readOnly = 1 AS readOnly, revokedAt IS NOT NULL AS revoked
        FROM users ORDER BY name")" \
    --argjson groups "$(q "$server_sqlite" "SELECT g.name, json_group_array(u.name) AS members FROM groups g
        LEFT JOIN (SELECT m.groupId, u.name FROM groupMembers m JOIN users u ON u.id = m.userId ORDER BY u.name) u
        ON u.groupId = g.id GROUP BY g.id ORDER BY g.name")" \
    --argjson versions "$(q "$server_sqlite" "SELECT recordType AS type, recordId AS id, vector, deleted = 1 AS deleted,
        editor, visibility FROM versions ORDER BY recordType, recordId, vector")" \
    --argjson replicas "$(q "$server_sqlite" "SELECT r.id, u.name AS user FROM replicas r JOIN users u
        ON u.id = r.userId ORDER BY r.id")" \
    --argjson migrations "$(q "$server_sqlite" "SELECT identifier FROM grdb_migrations ORDER BY identifier")" \
    --arg latest "$(q1 "$server_sqlite" "SELECT seq FROM sqlite_sequence WHERE name = 'versions'")" \
    --arg serverReplica "$(q1 "$server_sqlite" "SELECT value FROM meta WHERE key = 'serverReplicaID'")" \
    --argjson pgMigrations "$(pq "SELECT json_agg(id ORDER BY id) FROM nk_schema_migrations")" \
    --arg pgLatest "$(pq "SELECT last FROM nk_sequence WHERE id = 1")" \
    '{users: ($users | map(.readOnly |= (. == 1) | .revoked |= (. == 1))),
      groups: ($groups | map(.members |= (fromjson | map(select(. != null))))),
      versions: ($versions | map(.deleted |= (. == 1))),
      replicas: $replicas,
      latestSequence: ($latest | tonumber),
      serverReplicaID: $serverReplica,
      sqliteMigrations: ($migrations | map(.identifier)),
      postgresMigrations: $pgMigrations,
      postgresLatestSequence: ($pgLatest | tonumber)}')"
[ "$(jq .latestSequence <<<"$server_json")" = "$(jq .postgresLatestSequence <<<"$server_json")" ] \
    || { say "the PostgreSQL copy has another latest sequence number"; exit 1; }

replicas_json="[]"
for who in "${replicas[@]}"; do
    file="$out/$who/replica.sqlite"
    replica="$(jq -n \
        --arg folder "$who" \
        --argjson config "$(jq '{user, replicaID: .replica}' "$out/$who/config.json")" \
        --argjson versions "$(q "$file" "SELECT recordType AS type, recordId AS id, vector, deleted = 1 AS deleted,
            pending = 1 AS pending FROM versions ORDER BY recordType, recordId, vector")" \
        --arg cursor "$(q1 "$file" "SELECT value FROM state WHERE key = 'cursor'")" \
        --argjson rejected "$(q "$file" "SELECT recordType AS type, recordId AS id, vector, code FROM rejected
            ORDER BY id")" \
        --arg conflicts "$(q1 "$file" "SELECT COUNT(*) FROM conflicted")" \
        --arg searchRows "$(q1 "$file" "SELECT COUNT(*) FROM search_rows")" \
        --argjson migrations "$(q "$file" "SELECT identifier FROM grdb_migrations ORDER BY identifier")" \
        '{folder: $folder, user: $config.user, replicaID: $config.replicaID,
          cursor: ($cursor | tonumber), conflicts: ($conflicts | tonumber), searchRows: ($searchRows | tonumber),
          pending: ($versions | map(select(.pending == 1)) | length),
          versions: ($versions | map(.deleted |= (. == 1) | .pending |= (. == 1))),
          rejected: $rejected, migrations: ($migrations | map(.identifier))}')"
    replicas_json="$(jq --argjson r "$replica" '. + [$r]' <<<"$replicas_json")"
done

# Reading a WAL-mode file leaves an empty -wal and an -shm beside it: not part of the fixture.
for file in "$out/server.sqlite" "$out"/*/replica.sqlite; do
    [ ! -s "$file-wal" ] || { say "$file has a WAL after reading"; exit 1; }
    rm -f "$file-wal" "$file-shm"
done
jq -n --arg commit "$commit" --argjson server "$server_json" --argjson replicas "$replicas_json" \
    '{commit: $commit, server: $server, replicas: $replicas}' >"$out/manifest.json"
say "wrote $out ($(du -sh "$out" | cut -f1))"
