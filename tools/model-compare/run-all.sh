#!/bin/sh
# Runs every candidate in a process of its own (so each row's peak memory is its own)
# and prints the Markdown rows. Usage: tools/model-compare/run-all.sh [AG_NEWS_CSV] [VOCAB]
# Build first: (cd tools/model-compare && cargo build --release)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
csv=${1:-$here/../../../shared/dev-data/ag_news_test.csv}
vocab=${2:-2000}
bin=${CARGO_TARGET_DIR:-$here/target}/release/model-compare
for c in linfa-mnb linfa-gnb linfa-logistic smartcore-mnb smartcore-logistic fasttext triage; do
    "$bin" "$csv" --vocab "$vocab" --only "$c" 2>/dev/null | grep '^|'
done
# The SVMs: half/half only (5-fold takes too long on a 2-core machine; see BENCHMARKS.md).
for c in linfa-svm smartcore-svc; do
    timeout 1200 "$bin" "$csv" --vocab "$vocab" --only "$c" --eval half 2>/dev/null | grep '^|' \
        || echo "| $c | | | | did not finish in 20 min | | |"
done
