//! The gazetteer's cost per article: finding the places, scoring the regions
//! (`places::regions`) and making the learner's tokens (`places::features`), which
//! run for every article of an inbox when it is ordered by uncertainty.
//!
//! Three inputs: the sample inbox (`inbox/`, 15 real-looking articles of 1–5 KB, one
//! iteration reads all of them), 100 generated corpus articles of 4–6 KB
//! (`triage::corpus`, seed 1), and one 5,000-word article made of the sample inbox's
//! paragraphs repeated (the worst case of a long report full of places). The first
//! call builds the automaton and the taxonomy's resolver; it runs before timing.
//!
//! Run: `cargo bench --bench places`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use triage::article::{self, Article, Format, places};
use triage::corpus;
use triage::labels::Taxonomy;

fn sample_inbox() -> Vec<Article> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox");
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Some(format) = Format::from_path(&path) {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let name = path.display().to_string();
                if let Ok(a) = article::parse(format, &name, &bytes) {
                    out.push(a);
                }
            }
        }
    }
    out
}

fn generated(n: usize) -> Vec<Article> {
    (0..n)
        .filter_map(|i| {
            let g = corpus::article(1, i);
            let format = Format::from_path(Path::new(&g.name)).unwrap_or(Format::Text);
            article::parse(format, &g.name, g.text.as_bytes()).ok()
        })
        .collect()
}

/// About 5,000 words of the sample inbox's paragraphs, in one article.
fn long_article(inbox: &[Article]) -> Article {
    let paragraphs: Vec<&str> = inbox.iter().flat_map(|a| a.body.iter()).collect();
    let mut body = Vec::new();
    let mut words = 0;
    for p in paragraphs.iter().cycle().take(10_000) {
        if words >= 5_000 {
            break;
        }
        words += p.split_whitespace().count();
        body.push(*p);
    }
    Article {
        title: "Syria, Russia and the Gulf: a long report".to_string(),
        body: body.into_iter().collect(),
        ..Article::default()
    }
}

fn run(c: &mut Criterion, name: &str, articles: &[Article], taxonomy: &Taxonomy) {
    let mut group = c.benchmark_group(format!("places/{name}"));
    group.throughput(Throughput::Elements(articles.len() as u64));
    group.bench_function("regions+features", |b| {
        b.iter(|| {
            for a in articles {
                black_box(places::regions(black_box(a), taxonomy));
                black_box(places::features(black_box(a)));
            }
        })
    });
    group.bench_function("regions", |b| {
        b.iter(|| {
            for a in articles {
                black_box(places::regions(black_box(a), taxonomy));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let taxonomy = Taxonomy::default();
    let inbox = sample_inbox();
    let long = long_article(&inbox);
    // The automaton and the resolver are built once, outside the timings.
    let start = std::time::Instant::now();
    black_box(places::regions(&long, &taxonomy));
    eprintln!("first call (builds the automaton): {:?}", start.elapsed());
    eprintln!(
        "long article: {} words",
        long.body
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum::<usize>()
    );
    run(c, "sample_inbox", &inbox, &taxonomy);
    run(c, "corpus_100", &generated(100), &taxonomy);
    run(c, "5000_words", std::slice::from_ref(&long), &taxonomy);
}

criterion_group! {
    name = places_benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(places_benches);
