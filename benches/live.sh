#!/usr/bin/env bash
# What watching a live inbox costs, measured as a user runs it: the release binary in
# tmux on the generated 100,000-article inbox (see benches/memory.sh), with the native
# watcher or polling. Reports the CPU the idle program spends over 10 s, how long a new
# article takes to show (the list title's count going from 100000 to 100001), three
# times, and the peak resident memory. Idle wake-ups are counted too: the voluntary
# context switches of all the program's threads over the same 10 s.
#
# Usage: benches/live.sh native|poll     (run benches/memory.sh once first for the corpus)
# TRIAGE_BIN=path runs that binary instead of building this tree's (to compare builds).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1
target=${CARGO_TARGET_DIR:-target}
bin=${TRIAGE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=$target/release/triage
fi
dir=$target/bench-corpus/100000
sock=live-bench-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -f "$dir/0000/zz_live_bench.txt"' EXIT
tmux -L "$sock" -f /dev/null new-session -d -s m -x 120 -y 40 "exec '$bin' --inbox '$dir' --reviewer bench --watch $mode"
until tmux -L "$sock" capture-pane -p -t m | grep -qE '(│|┃)· '; do sleep 0.01; done
while tmux -L "$sock" capture-pane -p -t m | grep -q 'loading'; do sleep 0.05; done
pid=$(tmux -L "$sock" list-panes -t m -F '#{pane_pid}')
sleep 3
switches() { cat /proc/$pid/task/*/status | awk '/^voluntary_ctxt_switches/ {s+=$2} END {print s}'; }
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
w0=$(switches)
sleep 10
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
w1=$(switches)
echo "$mode: idle CPU over 10 s: $(( (t1-t0) ))0 ms"
echo "$mode: idle wake-ups over 10 s: $(( w1-w0 )) (voluntary context switches, all threads)"
for i in 1 2 3; do
  start=$(date +%s%N)
  printf 'Live bench article %s\n\nBody.\n' "$i" > "$dir/0000/zz_live_bench.txt"
  until tmux -L "$sock" capture-pane -p -t m | grep -q '/100001 done'; do sleep 0.005; done
  echo "$mode: new article on screen after $(( ($(date +%s%N) - start) / 1000000 )) ms"
  rm -f "$dir/0000/zz_live_bench.txt"
  until tmux -L "$sock" capture-pane -p -t m | grep -q '/100000 done'; do sleep 0.005; done
done
awk '/VmHWM/ {print "peak RSS", $2/1024, "MiB"}' /proc/$pid/status
