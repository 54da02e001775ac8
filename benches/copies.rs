//! Finding copies (issue 15) on a 100,000-article inbox: grouping it from scratch
//! (`copies/group`, the bulk grouping on every core, as the program runs it in the
//! background after the first index), and adding one new article to a grouper that
//! holds the other 99,999 (`copies/add_new`: a story of its own; `copies/add_copy`:
//! a re-headed HTML copy of an article already there, so that its candidates are
//! fetched and checked). The budget of one addition is 5 ms.
//!
//! Run: `cargo bench --bench copies`. The inbox is `triage::corpus` with seed 1,
//! parsed by the program's parsers in memory, as `benches/search.rs` builds it;
//! `TRIAGE_BENCH_ARTICLES` sets its size (default 100,000).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use triage::article::{self, Article, Format};
use triage::copies::{Grouper, group};
use triage::corpus;

fn size() -> usize {
    std::env::var("TRIAGE_BENCH_ARTICLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// Articles `0..n` of the corpus (seed 1), parsed, on every core.
fn inbox(n: usize) -> Vec<(usize, Arc<Article>)> {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let per = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t * per..((t + 1) * per).min(n))
                        .map(|i| {
                            let g = corpus::article(1, i);
                            let format =
                                Format::from_path(Path::new(&g.name)).unwrap_or(Format::Text);
                            let a = article::parse(format, &g.name, g.text.as_bytes())
                                .expect("corpus articles parse");
                            (i, Arc::new(a))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("parsing thread"))
            .collect()
    })
}

/// A re-headed HTML copy of `a` under a tagged title.
fn html_copy(a: &Article) -> Article {
    let mut html = format!(
        "<html><head><title>EXCLUSIVE: {} | Planet</title></head><body><article><h1>EXCLUSIVE: {}</h1>",
        a.title, a.title
    );
    for p in a.body.iter() {
        html.push_str("<p>");
        html.push_str(&p.replace('<', "&lt;"));
        html.push_str("</p>\n");
    }
    html.push_str("</article><footer>© Planet</footer></body></html>");
    article::parse(Format::Html, "copy.html", html.as_bytes()).expect("the copy parses")
}

fn copies(c: &mut Criterion) {
    let n = size();
    let started = Instant::now();
    let articles = inbox(n);
    eprintln!("{n} articles parsed in {:.1?}", started.elapsed());

    let mut bench = c.benchmark_group("copies");
    bench.sample_size(10);
    bench.warm_up_time(Duration::from_secs(1));
    bench.measurement_time(Duration::from_secs(60));
    bench.bench_function(format!("group/{n}"), |b| {
        b.iter(|| group(black_box(&articles)))
    });

    let (last, new) = &articles[n - 1];
    let grouper = Grouper::build(&articles[..n - 1]);
    eprintln!(
        "grouper of {} articles: {} groups, {:.0} bytes an article",
        n - 1,
        grouper.groups().count(),
        grouper.heap_bytes() as f64 / (n - 1) as f64
    );
    let copy = html_copy(&articles[n / 2].1);
    bench.sample_size(50);
    bench.measurement_time(Duration::from_secs(10));
    let fetch = |i: usize| articles.get(i).map(|(_, a)| a.clone());
    bench.bench_function(format!("add_new/{n}"), |b| {
        b.iter_batched(
            || grouper.clone(),
            |mut g| {
                g.add(*last, black_box(new), &mut |i| fetch(i));
                g
            },
            BatchSize::LargeInput,
        )
    });
    bench.bench_function(format!("add_copy/{n}"), |b| {
        b.iter_batched(
            || grouper.clone(),
            |mut g| {
                g.add(n, black_box(&copy), &mut |i| fetch(i));
                g
            },
            BatchSize::LargeInput,
        )
    });
    bench.finish();
    let mut g = grouper.clone();
    g.add(n, &copy, &mut |i| fetch(i));
    assert!(
        g.groups().copies_of(n).contains(&(n / 2)),
        "the copy joins its original"
    );
}

criterion_group!(benches, copies);
criterion_main!(benches);
