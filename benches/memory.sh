#!/usr/bin/env bash
# Peak memory of the TUI on a generated inbox, measured as a user runs it: the release
# binary in a real terminal (tmux), until the list title no longer says "loading",
# then the process's peak resident set (VmHWM) from /proc, against the budget of
# product.md: the inbox's size on disk plus 30%.
#
# Usage: benches/memory.sh [N]    (default 100000; the corpus is generated once)
# TRIAGE_BIN=path runs that binary instead of building this tree's (to compare builds).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
target=${CARGO_TARGET_DIR:-target}
dir=$target/bench-corpus/$n
if [ ! -e "$dir/.complete" ]; then
  rm -rf "$dir"
  cargo run --release --example gen_corpus -- "$dir" "$n"
  touch "$dir/.complete"
fi
bin=${TRIAGE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=$target/release/triage
fi
socket=triage-memory-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
start=$(date +%s%N)
tmux -L "$socket" -f /dev/null new-session -d -s m -x 120 -y 40 \
  "exec '$bin' --inbox '$dir' --reviewer bench"
until tmux -L "$socket" capture-pane -p -t m | grep -qE '(│|┃)· '; do sleep 0.005; done
first=$(( ($(date +%s%N) - start) / 1000000 ))
while tmux -L "$socket" capture-pane -p -t m | grep -q 'loading'; do sleep 0.05; done
loaded=$(( ($(date +%s%N) - start) / 1000000 ))
pid=$(tmux -L "$socket" list-panes -t m -F '#{pane_pid}')
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
size=$(du -sb --exclude=.complete "$dir" | cut -f1)
echo "articles: $n"
echo "inbox size: $((size / 1000000)) MB (text bytes)"
echo "first rows on screen: ${first} ms (through tmux, polled every 5 ms)"
echo "fully loaded: ${loaded} ms"
echo "peak resident memory: $((peak_kb / 1024)) MiB; budget (size + 30%): $((size * 13 / 10 / 1048576)) MiB"
