//! Per-keystroke search latency, as a reviewer types a query one key at a time.
//!
//! Each keystroke is measured three ways: a full search of the inbox for the query so
//! far (`full/…`, titles and bodies); the title-side stage alone, which the TUI shows
//! first because it is the head of the ranking (`titles_first/…`); and, as the TUI
//! runs it when the query only grew, re-ranking the previous keystroke's results
//! (`narrowed/…`, `within` = the previous hits). Two
//! queries: `sanctn`, a fuzzy title query, and `pipeline`, a word found mostly in
//! bodies, each at 10,000 and 100,000 articles of 4–6 KB. The `matcher/…` group
//! scores the same title queries with bare skim and with nucleo-matcher, one thread,
//! no pre-check, to show what the matcher itself costs.
//!
//! Run: `cargo bench --bench search`. The corpus is `triage::corpus` with seed 1,
//! generated in memory, so every run and every machine sees the same articles.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fuzzy_matcher::skim::SkimMatcherV2;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::path::{Path, PathBuf};

use triage::app::doc_of;
use triage::article::{self, Format};
use triage::corpus;
use triage::labels::Taxonomy;
use triage::labels::sources::Sources;
use triage::search::{Doc, Facet, parse, search, search_scoped};
use triage::store::Entry;

const TITLE_QUERY: &str = "sanctn";
const BODY_QUERY: &str = "pipeline";
const SIZES: [usize; 2] = [10_000, 100_000];

/// The first `n` articles of the corpus `cargo run --release --example gen_corpus`
/// writes (seed 1), parsed by the program's own parser and indexed as the TUI
/// indexes them, built in memory: the same titles `fzf --filter` is compared on in
/// BENCHMARKS.md, and the same articles the start-up benchmark reads from disk.
fn corpus(n: usize) -> Vec<Arc<Doc>> {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let per = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let taxonomy = Taxonomy::default();
                    let sources = Sources::default();
                    (t * per..((t + 1) * per).min(n))
                        .map(|i| {
                            let generated = corpus::article(1, i);
                            let format = Format::from_path(Path::new(&generated.name))
                                .unwrap_or(Format::Text);
                            let article =
                                article::parse(format, &generated.name, generated.text.as_bytes())
                                    .map(Arc::new)
                                    .map_err(|e| e.to_string());
                            let mut entry = Entry::unread(
                                &Arc::from(Path::new("")),
                                &PathBuf::from(&generated.name),
                            );
                            entry.article = article;
                            Arc::new(doc_of(&entry, &taxonomy, &sources))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

fn prefixes(query: &str) -> Vec<&str> {
    query
        .char_indices()
        .map(|(i, c)| &query[..i + c.len_utf8()])
        .collect()
}

/// Full and narrowed per-keystroke searches for one query on one corpus size.
fn typing(c: &mut Criterion, docs: &[Arc<Doc>], facets: &[Facet], name: &str, query: &str) {
    let never = || false;
    let mut group = c.benchmark_group(format!("{name}/{}", docs.len()));
    let mut previous: Option<Vec<usize>> = None;
    for prefix in prefixes(query) {
        let parsed = match parse(prefix) {
            Ok(parsed) => parsed,
            Err(e) => panic!("bench query {prefix:?} does not parse: {e}"),
        };
        group.bench_function(BenchmarkId::new("full", prefix), |b| {
            b.iter(|| search(docs, facets, black_box(&parsed), None, &never))
        });
        // What the TUI shows first: the title-side matches, the head of the ranking.
        group.bench_function(BenchmarkId::new("titles_first", prefix), |b| {
            b.iter(|| search_scoped(docs, facets, black_box(&parsed), None, false, &never))
        });
        if let Some(within) = &previous {
            group.bench_function(BenchmarkId::new("narrowed", prefix), |b| {
                b.iter(|| search(docs, facets, black_box(&parsed), Some(within), &never))
            });
        }
        let hits = search(docs, facets, &parsed, None, &never).unwrap_or_default();
        previous = Some(hits.iter().map(|h| h.entry).collect());
    }
    group.finish();
}

/// The bare matchers on every title, one thread, no pre-check: what scoring costs.
fn matchers(c: &mut Criterion, docs: &[Arc<Doc>]) {
    let mut group = c.benchmark_group(format!("matcher/{}", docs.len()));
    let skim = SkimMatcherV2::default().ignore_case();
    let mut nucleo = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut indices = Vec::new();
    for prefix in prefixes(TITLE_QUERY) {
        group.bench_function(BenchmarkId::new("skim", prefix), |b| {
            b.iter(|| {
                docs.iter()
                    .filter(|d| skim.fuzzy(&d.title, black_box(prefix), true).is_some())
                    .count()
            })
        });
        let pattern = Pattern::parse(prefix, CaseMatching::Ignore, Normalization::Smart);
        group.bench_function(BenchmarkId::new("nucleo", prefix), |b| {
            b.iter(|| {
                docs.iter()
                    .filter(|d| {
                        indices.clear();
                        let hay = Utf32Str::new(&d.title, &mut buf);
                        pattern.indices(hay, &mut nucleo, &mut indices).is_some()
                    })
                    .count()
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let all = corpus(SIZES[SIZES.len() - 1]);
    let facets = vec![Facet::default(); all.len()];
    for size in SIZES {
        let docs = &all[..size];
        let facets = &facets[..size];
        typing(c, docs, facets, "title", TITLE_QUERY);
        typing(c, docs, facets, "body", BODY_QUERY);
    }
    matchers(c, &all);
}

criterion_group! {
    name = search_benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(search_benches);
