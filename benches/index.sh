#!/usr/bin/env bash
# The index's budgets (issue 14), side by side in one run on one inbox: what a shell
# user has (`find`, `rg`, `head | fzf`) against `triage search`, `triage export`, the
# first indexing and the TUI, without the index (--no-index) and with it, each as a
# whole process: wall time from the shell's clock (ms, process start included) and
# peak resident memory from GNU time (`%M`; of a pipeline, its biggest process). Then
# the ratio each budget asks for, with PASS or FAIL. Prints markdown for BENCHMARKS.md.
#
# Usage: benches/index.sh N [DIR]
#   N    articles: the inbox is $CARGO_TARGET_DIR/bench-corpus/N, generated once by
#        `examples/gen_corpus` and marked complete by its `.complete` file (as in
#        benches/memory.sh).
#   DIR  measure this inbox instead: used as it is when it holds `.complete`,
#        generated there (N articles) when it is missing or empty, refused otherwise
#        (a generation interrupted or still running; `touch DIR/.complete` to measure
#        it anyway).
# Environment:
#   TRIAGE_BIN=path  run that binary instead of building this tree's (to compare builds)
#   RUNS=3           runs per row, the median shown; the first indexing and the first
#                    start run once (they cannot be repeated warm)
#   PAIRS=7          side-by-side pairs (a yardstick, then triage) for the timed budgets
#   NO_INDEX=0       leave out the --no-index rows (minutes and gigabytes at 1,000,000)
#   TUI=0            leave out the TUI rows
#
# The index lives in a cache folder of the benchmark's own
# ($CARGO_TARGET_DIR/bench-cache, given as XDG_CACHE_HOME), never the user's; every
# run starts by removing the inbox's index there. At 1,000,000 articles it takes about
# 3.3× the inbox (some 17 GB): check `df` first. Files are read once before measuring, so every row sees
# them in the page cache. The machine should be quiet: the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: benches/index.sh N [DIR]"
n=${1:?$usage}
case $n in '' | *[!0-9_]*) echo "$usage" >&2; exit 2 ;; esac
runs=${RUNS:-3}
target=${CARGO_TARGET_DIR:-target}
mkdir -p "$target"
target=$(cd "$target" && pwd) # absolute: the program ignores a relative XDG_CACHE_HOME

given=${2:-}
dir=${given:-$target/bench-corpus/$n}
if [ ! -e "$dir/.complete" ]; then
  if [ -z "$given" ]; then
    rm -rf "$dir"
  elif [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "index.sh: $dir has no .complete marker (a generation interrupted or still running?); touch $dir/.complete to measure it as it is" >&2
    exit 2
  fi
  cargo run --release --quiet --example gen_corpus -- "$dir" "$n"
  touch "$dir/.complete"
  # A row written within 2 s of its file's last change is not trusted (the index's
  # RACY_NS): let the new files age so the index's rows are, as on a real inbox.
  sleep 3
fi
dir=$(realpath "$dir")

bin=${TRIAGE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=$target/release/triage
fi
bin=$(realpath "$bin")

# The program's own settings must not leak in from the caller's environment.
unset TRIAGE_NO_INDEX TRIAGE_INBOX TRIAGE_REVIEWER
# One cache folder for every inbox benchmarked (and `cargo bench --bench search`'s
# indexed group): the program keeps each inbox's index in a folder of its own, named
# after the inbox and the SHA-256 of its canonical path (`index::location`).
XDG_CACHE_HOME=$target/bench-cache
export XDG_CACHE_HOME
index_name=$(basename "$dir" | sed 's/[^[:alnum:]_-]/_/g' | cut -c1-40)
index_dir=$XDG_CACHE_HOME/triage/$index_name-$(printf %s "$dir" | sha256sum | cut -c1-16)
rm -rf "$index_dir"
mkdir -p "$XDG_CACHE_HOME"
triage=("$bin" --inbox "$dir" --reviewer bench)

tmp=$(mktemp -d "$target/bench-index.XXXXXX")
socks=()
cleanup() {
  for s in "${socks[@]}"; do
    tmux -L "$s" kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$s" # the socket file the server leaves
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

have_fzf=1
if ! command -v fzf >/dev/null; then
  have_fzf=0
  echo "fzf missing: apt-get install fzf (its rows are skipped)" >&2
fi

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b <= 0) b = 1; printf "%.2f", a / b}'; }

# measure KEY TIMES CMD...: runs CMD TIMES times, stdout kept in $tmp/KEY.out; sets
# wall[KEY] (ms) and rss[KEY] (KiB) to the medians and lines[KEY] to stdout's lines.
# Exit status 1 is "no match" for rg and fzf; anything above it stops the benchmark.
declare -A wall rss lines runs_of
measure() {
  local key=$1 times=$2 i start end status
  shift 2
  local walls=() rsss=()
  for ((i = 0; i < times; i++)); do
    status=0
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$tmp/$key.out" 2>"$tmp/$key.err" || status=$?
    end=$(date +%s%N)
    if [ "$status" -gt 1 ]; then
      echo "index.sh: $* failed (exit status $status):" >&2
      cat "$tmp/$key.err" >&2
      exit 1
    fi
    walls+=($(((end - start) / 1000000)))
    rsss+=("$(tail -n1 "$tmp/rss")")
  done
  wall[$key]=$(median "${walls[@]}")
  rss[$key]=$(median "${rsss[@]}")
  lines[$key]=$(wc -l <"$tmp/$key.out")
  runs_of[$key]=$times
}

# tui KEY MODE (warm | cold | noindex): the TUI in tmux, 120×40, as a user starts it;
# sets first[KEY] (first rows on screen), loaded[KEY] (the list title no longer says
# "loading"), indexed[KEY] (nor "indexing N left"), all ms from the start, and
# peak[KEY] (VmHWM, KiB) and now[KEY] (VmRSS) once all that is done.
declare -A first loaded indexed peak now
tui() {
  local key=$1 mode=$2 extra='' sock start pid
  sock=triage-index-$$-${#socks[@]}
  socks+=("$sock")
  [ "$mode" = noindex ] && extra=--no-index
  [ "$mode" = cold ] && rm -rf "$index_dir"
  # shows PATTERN: whether the pane shows it now; the TUI's end stops the benchmark.
  shows() {
    local screen
    if ! screen=$(tmux -L "$sock" capture-pane -p -t m 2>/dev/null); then
      echo "index.sh: the TUI ($mode) ended before it was loaded" >&2
      exit 1
    fi
    grep -qE "$1" <<<"$screen"
  }
  elapsed() { echo $((($(date +%s%N) - start) / 1000000)); }
  start=$(date +%s%N)
  tmux -L "$sock" -f /dev/null new-session -d -s m -x 120 -y 40 \
    "exec env XDG_CACHE_HOME='$XDG_CACHE_HOME' '$bin' --inbox '$dir' --reviewer bench $extra"
  pid=$(tmux -L "$sock" list-panes -t m -F '#{pane_pid}')
  until shows '(│|┃)· '; do sleep 0.005; done
  first[$key]=$(elapsed)
  while shows ' · loading '; do sleep 0.02; done
  loaded[$key]=$(elapsed)
  while shows ' · indexing [0-9]+ left'; do sleep 0.02; done
  indexed[$key]=$(elapsed)
  peak[$key]=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  now[$key]=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  tmux -L "$sock" kill-server 2>/dev/null || true
  # The next run must not share the machine (or the index) with this one.
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
}

articles() {
  find "$dir" -type f \( -name '*.txt' -o -name '*.md' -o -name '*.html' \) "$@"
}
count=$(articles | wc -l)
size_b=$(du -sb --exclude=.complete "$dir" | cut -f1)
size_disk=$(du -sB1 --exclude=.complete "$dir" | cut -f1)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Into the page cache, as the issue's figures were taken.
rg -l -F -e zzzz-never-zzzz "$dir" >/dev/null 2>&1 || true

# What a shell user has.
measure find "$runs" find "$dir" -type f
measure rg "$runs" rg -l -i -F iraq "$dir"
# The issue's pipeline, grouped so that every name gets `-exec` (it reads the first
# line of each article: the title of Markdown; of the generated .txt a blank line,
# of HTML its doctype; a cost to compare, not the same results).
pipeline='find "$1" -type f \( -name "*.txt" -o -name "*.md" -o -name "*.html" \) -exec head -qn1 {} +'
if [ "$have_fzf" = 1 ]; then
  measure fzf "$runs" bash -c "$pipeline | fzf --filter 'iraq oil'" _ "$dir"
fi
measure titles "$runs" bash -c "$pipeline" _ "$dir"

# Without the index.
if [ "${NO_INDEX:-1}" != 0 ]; then
  measure search1_no "$runs" "${triage[@]}" --no-index search "'iraq"
  measure search2_no "$runs" "${triage[@]}" --no-index search "iraq oil"
  measure export_no "$runs" "${triage[@]}" --no-index export
fi

# The first indexing, then warm.
measure rebuild 1 "${triage[@]}" index --rebuild
if [ ! -e "$index_dir/index.sqlite" ]; then
  echo "index.sh: the index is not where expected ($index_dir): $(cat "$tmp/rebuild.out")" >&2
  exit 1
fi
index_b=$(du -sb "$index_dir" | cut -f1)
index_disk=$(du -sB1 "$index_dir" | cut -f1)
measure uptodate "$runs" "${triage[@]}" index
measure search1 "$runs" "${triage[@]}" search "'iraq"
measure search2 "$runs" "${triage[@]}" search "iraq oil"
measure export "$runs" "${triage[@]}" export

# The TUI: the first start (no index yet; it fills while the list is usable), warm,
# and without the index.
if [ "${TUI:-1}" != 0 ]; then
  # Runs the TUI $runs times in mode $2 and keeps the median of each figure under $1.
  tui_runs() {
    local into=$1 mode=$2 keys=() i k w
    for ((i = 0; i < runs; i++)); do tui "$into$i" "$mode"; keys+=("$into$i"); done
    for k in first loaded indexed peak now; do
      declare -n field=$k
      local vals=()
      for w in "${keys[@]}"; do vals+=("${field[$w]}"); done
      field[$into]=$(median "${vals[@]}")
      unset -n field
    done
  }
  tui cold cold
  tui_runs warm warm
  if [ "${NO_INDEX:-1}" != 0 ]; then
    tui_runs noindex noindex
  fi
fi
# Side by side: each timed budget against its yardstick run just before it, PAIRS
# times, and the median of the pairs' ratios. On a shared machine whose speed drifts
# by a third within minutes, rows measured minutes apart (above) can compare a slow
# minute with a quick one; a pair shares its minute.
pairs=${PAIRS:-7}
once() { # CMD...: the wall time of one run, in ms
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
pair_rg=() pair_fzf=() pair_find=()
for ((i = 0; i < pairs; i++)); do
  a=$(once rg -l -i -F iraq "$dir")
  b=$(once "${triage[@]}" search "'iraq")
  pair_rg+=("$(ratio "$b" "$a")")
  if [ "$have_fzf" = 1 ]; then
    a=$(once bash -c "$pipeline | fzf --filter 'iraq oil'" _ "$dir")
    b=$(once "${triage[@]}" search "iraq oil")
    pair_fzf+=("$(ratio "$b" "$a")")
  fi
  if [ "${TUI:-1}" != 0 ]; then
    a=$(once find "$dir" -type f)
    tui "pair$i" warm
    pair_find+=("$(ratio "${loaded[pair$i]}" "$a")")
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The report.
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
echo "## Index benchmark: $count articles ($(date -u +%Y-%m-%d), \`benches/index.sh $*\`)"
echo
echo "Inbox \`$dir\`: $(mb "$size_b") apparent (\`du -sb\`), $(mb "$size_disk") in disk blocks (\`du -sB1\`)."
echo "Binary \`$bin\`; $(nproc) cores; load average $load_before before, $load_after after."
echo "Wall: shell clock around each whole process, process start included; peak RSS: GNU time \`%M\` (of a pipeline, its biggest process). Median of $runs runs unless said."
echo
echo "| work | runs | wall | peak RSS | output lines | vs \`find\` |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
row() { # KEY LABEL
  echo "| $2 | ${runs_of[$1]} | ${wall[$1]} ms | $(mib "${rss[$1]}") | ${lines[$1]} | $(ratio "${wall[$1]}" "${wall[find]}")× |"
}
row find "\`find DIR -type f\`"
row rg "\`rg -l -i -F iraq DIR\`"
if [ "$have_fzf" = 1 ]; then
  row fzf "\`find DIR -type f \\( -name '*.txt' -o -name '*.md' -o -name '*.html' \\) -exec head -qn1 {} + \\| fzf --filter 'iraq oil'\`"
else
  echo "| fzf pipeline | – | skipped: fzf missing (apt-get install fzf) | | | |"
fi
row titles "the same pipeline without fzf (export's comparison)"
if [ "${NO_INDEX:-1}" != 0 ]; then
  row search1_no "\`triage --no-index search \"'iraq\"\`"
  row search2_no "\`triage --no-index search \"iraq oil\"\`"
  row export_no "\`triage --no-index export\`"
fi
row rebuild "\`triage index --rebuild\` (first indexing)"
row uptodate "\`triage index\` (up to date: every file checked)"
row search1 "\`triage search \"'iraq\"\` (index warm)"
row search2 "\`triage search \"iraq oil\"\` (index warm)"
row export "\`triage export\` (index warm)"
echo
echo "Index on disk after \`triage index --rebuild\`: $(mb "$index_b") apparent, $(mb "$index_disk") in disk blocks ($(ratio "$index_b" "$size_b")× the inbox)."

if [ "${TUI:-1}" != 0 ]; then
  echo
  echo "TUI in tmux (120×40), polled every 5 ms for the first rows and 20 ms after; peak RSS is VmHWM once loaded (and indexed)."
  echo
  echo "| TUI start | runs | first rows | fully loaded | index written | loaded vs \`find\` | peak RSS | RSS then | peak / inbox (apparent, blocks) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  tuirow() { # KEY LABEL RUNS
    local k=$1 written="${indexed[$1]} ms"
    [ "$k" = noindex ] && written=–
    echo "| $2 | $3 | ${first[$k]} ms | ${loaded[$k]} ms | $written | $(ratio "${loaded[$k]}" "${wall[find]}")× | $(mib "${peak[$k]}") | $(mib "${now[$k]}") | $(ratio $((peak[$k] * 1024)) "$size_b")×, $(ratio $((peak[$k] * 1024)) "$size_disk")× |"
  }
  tuirow cold "first start (no index yet)" 1
  tuirow warm "index warm" "$runs"
  [ "${NO_INDEX:-1}" != 0 ] && tuirow noindex "\`--no-index\`" "$runs"
fi

echo
echo "| budget (issue 14) | measured | limit | measured / limit | |"
echo "| --- | ---: | ---: | ---: | --- |"
verdict() { awk -v a="$1" -v b="$2" 'BEGIN {print (a <= b) ? "PASS" : "FAIL"}'; }
budget() { # LABEL MEASURED LIMIT UNIT (LIMIT may be fractional)
  echo "| $1 | $2 $4 | $3 $4 | $(ratio "$2" "$3") | $(verdict "$2" "$3") |"
}
for q in 1 2; do
  name=$([ $q = 1 ] && echo "'iraq" || echo "iraq oil")
  if [ "$have_fzf" = 1 ]; then
    budget "\`triage search \"$name\"\` ≤ fzf pipeline" "${wall[search$q]}" "${wall[fzf]}" ms
  fi
  budget "\`triage search \"$name\"\` ≤ 1.5× \`rg -l -i -F\`" "${wall[search$q]}" "$(awk -v r="${wall[rg]}" 'BEGIN {print 1.5 * r}')" ms
done
budget "\`triage export\` ≤ 2× pipeline" "${wall[export]}" $((2 * wall[titles])) ms
if [ "${TUI:-1}" != 0 ]; then
  budget "warm start fully loaded ≤ 10× \`find\`" "${loaded[warm]}" $((10 * wall[find])) ms
  budget "first start, first rows ≤ 3× \`find\`" "${first[cold]}" $((3 * wall[find])) ms
  budget "memory (warm, peak) ≤ 0.35× inbox, apparent" "$((peak[warm] / 1024))" "$(awk -v b="$size_b" 'BEGIN {printf "%.0f", 0.35 * b / 1048576}')" MiB
  budget "memory (warm, peak) ≤ 0.35× inbox, disk blocks" "$((peak[warm] / 1024))" "$(awk -v b="$size_disk" 'BEGIN {printf "%.0f", 0.35 * b / 1048576}')" MiB
fi
if [ "${NO_INDEX:-1}" != 0 ]; then
  for q in 1 2; do
    same=$(cmp -s "$tmp/search$q.out" "$tmp/search${q}_no.out" && echo PASS || echo FAIL)
    echo "| \`triage search\` query $q: the same output with and without the index | ${lines[search$q]} lines | ${lines[search${q}_no]} lines | | $same |"
  done
  same=$(cmp -s "$tmp/export.out" "$tmp/export_no.out" && echo PASS || echo FAIL)
  echo "| \`triage export\`: the same output with and without the index | ${lines[export]} lines | ${lines[export_no]} lines | | $same |"
fi

echo
echo "Side by side ($pairs pairs, each the yardstick then triage, the median of the pairs' ratios):"
echo
echo "| budget (issue 14) | ratios, sorted | median | limit | median / limit | |"
echo "| --- | --- | ---: | ---: | ---: | --- |"
pairrow() { # LABEL LIMIT RATIOS...
  local label=$1 limit=$2 m
  shift 2
  m=$(median "$@")
  echo "| $label | $(printf '%s\n' "$@" | sort -n | paste -sd' ') | $m | $limit | $(ratio "$m" "$limit") | $(verdict "$m" "$limit") |"
}
pairrow "\`triage search \"'iraq\"\` ≤ 1.5× \`rg -l -i -F iraq\`" 1.5 "${pair_rg[@]}"
[ "$have_fzf" = 1 ] && pairrow "\`triage search \"iraq oil\"\` ≤ fzf pipeline" 1 "${pair_fzf[@]}"
[ "${TUI:-1}" != 0 ] && pairrow "warm start fully loaded ≤ 10× \`find\`" 10 "${pair_find[@]}"
exit 0

