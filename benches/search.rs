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
//! The `indexed/…` group measures the same stages as the TUI runs them on an inbox
//! loaded through the index (issue 14): titles and metadata in memory, bodies in the
//! index's FTS5 table. Per keystroke of `ministry` (in nearly every article) and
//! `desalination` (in about 0.1%): `titles` (the title stage, which the TUI shows
//! first), `bodies` (the body stage over the articles the title stage did not find,
//! terms looked up in the index), `body_lines` (the body lines of the first 1,000 of
//! those, read from the index) and `keystroke` (all three, as the search thread runs
//! them).
//!
//! Run: `cargo bench --bench search`. The corpus is `triage::corpus` with seed 1,
//! generated in memory, so every run and every machine sees the same articles.
//! `cargo bench --bench search -- indexed` runs the indexed group alone. It reads an
//! inbox on disk: `$CARGO_TARGET_DIR/bench-corpus/N` (else `target/…`), generated once
//! and marked by `.complete` as `benches/index.sh` and `benches/memory.sh` do, with N
//! from `TRIAGE_BENCH_ARTICLES` (default 100,000), or the inbox `TRIAGE_BENCH_INBOX`
//! names (for the 1,000,000 corpus). Its index lives under
//! `$CARGO_TARGET_DIR/bench-cache` (given as `XDG_CACHE_HOME`), where
//! `benches/index.sh` keeps it, never in the user's cache.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fuzzy_matcher::skim::SkimMatcherV2;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::path::{Path, PathBuf};

use criterion::BatchSize;
use triage::app::{AppState, Catalog, doc_of};
use triage::article::{self, Format};
use triage::corpus;
use triage::domain::ReviewerName;
use triage::labels::Taxonomy;
use triage::labels::sources::Sources;
use triage::search::{
    BodyIndex, Doc, Facet, Hit, fill_body_lines, parse, search, search_scoped, search_with,
};
use triage::store::{Cache, Entry, Inbox};

/// The program's allocator, so that the figures are the program's.
#[global_allocator]
static ALLOCATOR: triage::allocator::Split = triage::allocator::Split;

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

/// The indexed group's queries: a word in nearly every article, typed from its first
/// letter (one and two letters have no trigram: the index scans every body), and a
/// rare one.
const COMMON_WORD: &str = "ministry";
const RARE_PREFIXES: [&str; 3] = ["desa", "desal", "desalination"];
/// Body lines the search thread fills per ranking (`BODY_LINES` in the worker).
const BODY_LINES: usize = 1000;

/// The build folder, where the generated inbox and the benchmark's index live.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The inbox of the indexed group: `TRIAGE_BENCH_INBOX`, else N generated articles.
fn inbox_on_disk() -> PathBuf {
    if let Some(dir) = std::env::var_os("TRIAGE_BENCH_INBOX") {
        return PathBuf::from(dir);
    }
    let n: usize = match std::env::var("TRIAGE_BENCH_ARTICLES") {
        Ok(v) => v
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("TRIAGE_BENCH_ARTICLES={v:?} is not a number")),
        Err(_) => 100_000,
    };
    let dir = target_dir().join(format!("bench-corpus/{n}"));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let (files, bytes) = corpus::write(&dir, n, 1).expect("write the corpus");
        eprintln!(
            "generated {files} articles, {} MB, in {}",
            bytes / 1_000_000,
            dir.display()
        );
        std::fs::write(&done, b"").expect("mark the corpus complete");
        // The index does not trust a row written within 2 s of its file's last
        // change: let the new files age, so the second load comes from the index.
        std::thread::sleep(Duration::from_secs(3));
    }
    dir
}

/// The inbox loaded as the TUI loads it on a start after the first: through the
/// index, after one pass that filled it. Returns the catalog and the open index.
fn load_indexed(dir: &Path) -> (Catalog, Cache) {
    let open = || match Cache::open(dir) {
        Ok((cache, _)) => cache,
        Err(e) => panic!("cannot open the index of {}: {e}", dir.display()),
    };
    let filling = open();
    Inbox::load_through(dir, "bench", Some(&filling)).expect("read the inbox");
    filling.finish();
    drop(filling);
    let cache = open();
    let inbox = Inbox::load_through(dir, "bench", Some(&cache)).expect("read the inbox");
    let read = cache.asked.load(std::sync::atomic::Ordering::Relaxed);
    if read > 0 {
        eprintln!("indexed: {read} articles were read from their files, not the index");
    }
    let reviewer = ReviewerName::parse("bench").expect("a valid name");
    let mut state = AppState::empty(reviewer, Taxonomy::default());
    state.add_entries(inbox.entries);
    (state.catalog, cache)
}

/// Per keystroke through the index: the search thread's stages, one by one and whole.
fn indexed(c: &mut Criterion) {
    // benches/index.sh's cache folder: an inbox it measured is not indexed again.
    let cache_home = target_dir().join("bench-cache");
    std::fs::create_dir_all(&cache_home).expect("create the benchmark's cache folder");
    let cache_home = std::fs::canonicalize(&cache_home).expect("resolve the cache folder");
    // SAFETY: set before the index is opened, while no other thread of this process
    // reads the environment (the other groups' threads have ended).
    unsafe { std::env::set_var("XDG_CACHE_HOME", &cache_home) };
    let dir = inbox_on_disk();
    let (catalog, cache) = load_indexed(&dir);
    let index: &dyn BodyIndex = &*cache.texts;
    let (docs, facets) = (catalog.docs.as_slice(), catalog.facets.as_slice());
    let never = || false;
    let mut group = c.benchmark_group(format!("indexed/{}", docs.len()));
    let typed = prefixes(COMMON_WORD).into_iter().chain(RARE_PREFIXES);
    for prefix in typed {
        let query = match parse(prefix) {
            Ok(query) => query,
            Err(e) => panic!("bench query {prefix:?} does not parse: {e}"),
        };
        let titles = || {
            search_with(docs, facets, &query, None, false, Some(index), &never).unwrap_or_default()
        };
        let rest = |hits: &[Hit]| {
            let mut matched = vec![false; docs.len()];
            for h in hits {
                matched[h.entry] = true;
            }
            (0..docs.len()).filter(|&i| !matched[i]).collect::<Vec<_>>()
        };
        let bodies = |rest: &[usize]| {
            search_with(docs, facets, &query, Some(rest), true, Some(index), &never)
                .unwrap_or_default()
        };
        let hits = titles();
        let others = rest(&hits);
        let more = bodies(&others);
        eprintln!(
            "indexed/{}/{prefix}: {} title-side hits, {} body-only",
            docs.len(),
            hits.len(),
            more.len()
        );
        group.bench_function(BenchmarkId::new("titles", prefix), |b| b.iter(titles));
        group.bench_function(BenchmarkId::new("bodies", prefix), |b| {
            b.iter(|| bodies(black_box(&others)))
        });
        group.bench_function(BenchmarkId::new("body_lines", prefix), |b| {
            b.iter_batched_ref(
                || more.clone(),
                |more| fill_body_lines(docs, facets, &query, more, index, BODY_LINES),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("keystroke", prefix), |b| {
            b.iter(|| {
                let hits = titles();
                let mut more = bodies(&rest(&hits));
                fill_body_lines(docs, facets, &query, &mut more, index, BODY_LINES);
                (hits, more)
            })
        });
    }
    group.finish();
}

/// Whether the filter given (`cargo bench --bench search -- indexed…`) names the
/// indexed group only: the other groups then skip building their in-memory corpus
/// of 100,000 articles, which their filtered-out benchmarks would never use.
fn only_indexed() -> bool {
    std::env::args().skip(1).any(|a| a.starts_with("indexed"))
}

fn benches(c: &mut Criterion) {
    if only_indexed() {
        return;
    }
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
    targets = benches, indexed
}
criterion_main!(search_benches);
