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
//! Run: `cargo bench --bench search`. The corpus is generated in memory from a fixed
//! seed, so every run and every machine sees the same articles.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fuzzy_matcher::skim::SkimMatcherV2;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use triage::article::Article;
use triage::search::{Doc, Facet, parse, search, search_scoped};

const TITLE_QUERY: &str = "sanctn";
const BODY_QUERY: &str = "pipeline";
const SIZES: [usize; 2] = [10_000, 100_000];

/// xorshift64*: small, deterministic, good enough to vary a corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

const TITLE_WORDS: &str = "\
    Russia Syria sanctions oil gas Iran NATO election protest talks ceasefire strike \
    government minister president war border refugees economy inflation bank deal \
    summit attack police court ruling vote parliament crisis troops drone missile \
    energy prices climate floods drought vaccine outbreak media report leak spy \
    intelligence trade tariffs China Ukraine Gaza Israel Turkey Kurds Yemen Saudi Libya \
    Egypt Venezuela Brazil Mexico Germany France Britain Japan India Pakistan \
    Afghanistan Iraq Lebanon Moscow Washington Brussels Beijing says warns denies backs \
    rejects accuses calls for over after amid against new first secret US EU UN the of \
    in on and to as with plan fight ISIS rebels coalition airstrikes aid convoy \
    investigation scandal";

const COMMON_WORDS: &str = "\
    the of and to in a said that for on is was with by as at from it has have will not \
    be are an this which officials government minister president country people year \
    new also but they their would could after more been were its who about than other \
    two into over last week told according state since some there when while against \
    between";

const TOPIC_WORDS: &str = "\
    pipeline sanctions embargo refinery tanker export import currency ruble dollar \
    reserves budget deficit loan bond market investors shares strike union wages \
    factory harvest wheat grain famine aid convoy hospital clinic doctors virus vaccine \
    trial judge verdict appeal prison detainees torture rights activists journalists \
    censorship broadcast newspaper editor leak documents emails hackers cyber satellite \
    drone missile warship submarine artillery tank soldiers militia rebels insurgents \
    jihadists bombing airstrike ceasefire negotiations envoy embassy diplomats treaty \
    alliance summit referendum ballot polls campaign opposition coalition cabinet \
    decree constitution protesters riot curfew checkpoint border migrants smugglers \
    cartel cocaine corruption bribes oligarch tycoon mining copper lithium uranium \
    reactor nuclear enrichment inspectors climate emissions wildfire flooding drought \
    glacier earthquake mosque church clergy pilgrims monument archive historian \
    memorial software algorithm platform telecom semiconductor railway port airport \
    bridge";

const SOURCES: &[(&str, &str)] = &[
    ("rt.com", "RT"),
    ("globalresearch.ca", "Global Research"),
    ("bbc.co.uk", "BBC"),
    ("reuters.com", "Reuters"),
    ("aljazeera.com", "Al Jazeera"),
    ("theguardian.com", "The Guardian"),
    ("tass.com", "TASS"),
    ("presstv.ir", "Press TV"),
    ("nytimes.com", "The New York Times"),
    ("lemonde.fr", "Le Monde"),
    ("dw.com", "Deutsche Welle"),
    ("scmp.com", "South China Morning Post"),
];

const NAMES: &str = "\
    Anna Petrova, John Smith, Maria Garcia, Ahmed Hassan, Li Wei, Olga Ivanova, \
    Pierre Martin, Sara Cohen, Kenji Sato, Fatima Zahra, David Brown, Elena Rossi";

/// The word lists, split once.
struct Words {
    title: Vec<&'static str>,
    common: Vec<&'static str>,
    topic: Vec<&'static str>,
    names: Vec<&'static str>,
}

impl Words {
    fn new() -> Words {
        Words {
            title: TITLE_WORDS.split_whitespace().collect(),
            common: COMMON_WORDS.split_whitespace().collect(),
            topic: TOPIC_WORDS.split_whitespace().collect(),
            names: NAMES.split(", ").collect(),
        }
    }
}

/// Appends `word` with its first letter capitalised.
fn push_capitalised(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    out.push_str(chars.as_str());
}

/// 6 to 14 title words, the first capitalised.
fn title(rng: &mut Rng, words: &Words) -> String {
    let mut out = String::new();
    push_capitalised(&mut out, rng.pick(&words.title));
    for _ in 1..6 + rng.below(9) {
        out.push(' ');
        out.push_str(rng.pick(&words.title));
    }
    out
}

/// 4 to 6 KB of sentences: mostly common words, some of the article's 15 topic
/// words, and now and then any topic word, so a topic word such as "pipeline" is in
/// a minority of bodies, as in real news.
fn body(rng: &mut Rng, words: &Words) -> Vec<String> {
    let target = 4_000 + rng.below(2_000);
    let topics: Vec<&str> = (0..15).map(|_| rng.pick(&words.topic)).collect();
    let mut paragraphs = Vec::new();
    let mut size = 0;
    while size < target {
        let mut paragraph = String::new();
        for _ in 0..3 + rng.below(4) {
            for i in 0..8 + rng.below(13) {
                let word = match rng.below(10) {
                    0..=6 => rng.pick(&words.common),
                    7 | 8 => rng.pick(&topics),
                    _ => rng.pick(&words.topic),
                };
                if i == 0 {
                    push_capitalised(&mut paragraph, word);
                } else {
                    paragraph.push(' ');
                    paragraph.push_str(word);
                }
            }
            paragraph.push_str(". ");
        }
        size += paragraph.len();
        paragraphs.push(paragraph);
    }
    paragraphs
}

fn corpus(n: usize) -> Vec<Arc<Doc>> {
    let words = Words::new();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    (0..n)
        .map(|i| {
            let title = title(&mut rng, &words);
            let (domain, publisher) = SOURCES[rng.below(SOURCES.len())];
            let author = rng.pick(&words.names);
            let file = format!("{:06}_{:016x}.txt", i, rng.next());
            Arc::new(Doc {
                side: format!("{publisher} {author} {file}"),
                src: domain.to_string(),
                article: Some(Arc::new(Article {
                    title: title.clone(),
                    authors: vec![author.to_string()],
                    source: Some(publisher.to_string()),
                    body: body(&mut rng, &words).into(),
                    ..Article::default()
                })),
                title,
            })
        })
        .collect()
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
