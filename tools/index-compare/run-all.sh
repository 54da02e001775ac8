#!/usr/bin/env bash
# Runs every candidate store on N generated articles (default 10,000), each in its own
# processes, and prints one Markdown row per store, then the shell baselines.
set -euo pipefail
N=${1:-10000}
WORK=${2:-${TMPDIR:-/tmp}/index-compare}
BIN=${CARGO_TARGET_DIR:-$(dirname "$0")/target}/release/index-compare
mkdir -p "$WORK"
echo "| store | N | build (peak) | size | open + all titles/meta (peak) | 'sanctions' cold / warm (hits) | 'desalination' | 'sanctions pipeline' | query peak | 2 readers while 1 writes |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
"$BIN" files "$N" "$WORK/files"
"$BIN" sqlite "$N" "$WORK/sqlite"
SQLITE_DETAIL=none "$BIN" sqlite "$N" "$WORK/sqlite-none"
SQLITE_CONTENTLESS="$WORK/files" "$BIN" sqlite "$N" "$WORK/sqlite-contentless"
SQLITE_DETAIL=full SQLITE_CONTENTLESS="$WORK/files" "$BIN" sqlite "$N" "$WORK/sqlite-cl-full"
"$BIN" tantivy "$N" "$WORK/tantivy"
TANTIVY_TERMS=1 "$BIN" tantivy "$N" "$WORK/tantivy-terms"
"$BIN" redb "$N" "$WORK/redb"
FILES="$WORK/files"
if command -v rg >/dev/null; then
    for q in sanctions desalination; do
        /usr/bin/time -f "rg -l -i -F $q: %e s, %M KiB" sh -c "rg -l -i -F $q '$FILES' | wc -l" 2>&1
    done
else
    for q in sanctions desalination; do
        /usr/bin/time -f "grep -rl -i -F $q: %e s, %M KiB" sh -c "grep -rl -i -F $q '$FILES' | wc -l" 2>&1
    done
fi
/usr/bin/time -f "find -type f: %e s, %M KiB" sh -c "find '$FILES' -type f | wc -l" 2>&1
