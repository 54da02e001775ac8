#!/usr/bin/env bash
# One hostile file in an inbox of ten articles, measured as a user meets it: the
# release binary's `triage list` (wall time, best of RUNS, default 3) on ten ordinary articles
# plus one generated page or text, for each shape below; then, in tmux, how long the
# TUI takes to show all eleven rows with the worst of the pages. Budget (issue 10):
# under 1 s for each.
#
# Usage: [RUNS=n] benches/hostile.sh [BINARY]   (default: a fresh release build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/triage
fi
bin=$(realpath "$bin")
work=$(mktemp -d)
socket=triage-hostile-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work" <<'EOF'
import os, sys
work = sys.argv[1]
os.makedirs(f"{work}/shapes")
def put(name, text):
    with open(f"{work}/shapes/{name}", "w") as f:
        f.write(text)
attrs = []
size = 0
while size < 4 * 1024 * 1024:
    a = f' a{len(attrs)}="x"'
    attrs.append(a)
    size += len(a)
put("unclosed-divs.html", "<div>" * 80_000)
put("nested-pairs.html", "<div>" * 100_000 + "x" + "</div>" * 100_000)
put("attributes-4mib.html", "<div" + "".join(attrs) + ">x</div>")
put("rebuilt-formatting.html",
    "".join(f"<div><b a={i}></div>" for i in range(250)) + "<p>x</p>" * 18_000)
put("links-around-blocks.html", "<a><div>x" * 50_000)
put("flat-tags.html", "<p>x" * 190_000)
put("one-line-4mib.txt", "word " * 800_000)
put("brackets-1mb.md", "[" * 1_000_000)
put("nested-link-targets.md", "x\n\n" + "[a](" * 200_000 + ")" * 200_000)
put("nested-links.md", "x\n\n" + "[" * 200_000 + "a" + "](u)" * 200_000)
for i in range(10):
    with open(f"{work}/article{i:02}.txt", "w") as f:
        f.write(f"Ordinary article {i}\n\nBy Ana Ruiz\n\nA paragraph of the story.\n")
EOF

best_of() {
  local best=999999 t start
  for _ in $(seq "${RUNS:-3}"); do
    start=$(date +%s%N)
    "$bin" --inbox "$1" --reviewer bench list >/dev/null
    t=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$t" -lt "$best" ] && best=$t
  done
  echo "$best"
}

printf '%-28s %10s\n' "hostile file" "list (ms)"
for shape in "$work"/shapes/*; do
  name=$(basename "$shape")
  inbox="$work/inbox-$name"
  mkdir "$inbox"
  cp "$work"/article*.txt "$inbox/"
  cp "$shape" "$inbox/$name"
  printf '%-28s %10s\n' "$name" "$(best_of "$inbox")"
done

# The TUI: from start until all eleven rows are listed (the list title counts them).
inbox="$work/inbox-attributes-4mib.html"
start=$(date +%s%N)
tmux -L "$socket" -f /dev/null new-session -d -s m -x 120 -y 40 \
  "exec '$bin' --inbox '$inbox' --reviewer bench --watch off"
until tmux -L "$socket" capture-pane -p -t m | grep -q '/11 done'; do sleep 0.005; done
echo "TUI, attributes-4mib.html: all 11 rows listed after $(( ($(date +%s%N) - start) / 1000000 )) ms"
