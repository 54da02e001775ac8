//! Learned suggestions at 10,000 decisions: training time (both cores), one
//! article's prediction, and the model's memory (printed once, from the byte count
//! of its tables: `Model::bytes`).
//!
//! The decisions are the first 10,000 articles of the generated corpus
//! (`triage::corpus`, 4–6 KB each, the same as `cargo run --release --example
//! gen_corpus` writes), parsed by the program's own reader, with the region and theme
//! their own `Region:`/`Theme:` lines name as the decided labels. Figures in
//! BENCHMARKS.md, "Learned suggestions".
//!
//! Run: `cargo bench --bench learn`

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use triage::article::{Article, Format, parse};
use triage::labels::{Axis, Taxonomy};
use triage::learn::{Example, Labels, Model};

const DECISIONS: usize = 10_000;

fn decisions(taxonomy: &Taxonomy, n: usize) -> Vec<Example> {
    (0..n)
        .map(|i| {
            let g = triage::corpus::article(1, i);
            let format = Format::from_path(std::path::Path::new(&g.name)).unwrap_or(Format::Text);
            let article =
                parse(format, &g.name, g.text.as_bytes()).expect("a generated article parses");
            let ids = |axis: Axis, names: &[String]| {
                let mut ids: Vec<_> = names
                    .iter()
                    .filter_map(|n| taxonomy.find(axis, n).map(|l| l.id.clone()))
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            };
            let labels = Labels {
                region: ids(Axis::Region, &article.regions),
                theme: ids(Axis::Theme, &article.themes),
            };
            Example {
                article: Arc::new(article),
                labels,
            }
        })
        .collect()
}

fn learn(c: &mut Criterion) {
    let taxonomy = Taxonomy::default();
    let examples = decisions(&taxonomy, DECISIONS);
    let labelled = examples
        .iter()
        .filter(|e| !e.labels.region.is_empty() || !e.labels.theme.is_empty())
        .count();
    let model = Model::train(&examples, &taxonomy);
    eprintln!(
        "{DECISIONS} decisions ({labelled} with a region or theme): {} features, {} labels, model {:.1} MB",
        model.features(),
        taxonomy
            .region
            .labels
            .iter()
            .filter(|l| model.knows(Axis::Region, &l.id))
            .count()
            + taxonomy
                .theme
                .labels
                .iter()
                .filter(|l| model.knows(Axis::Theme, &l.id))
                .count(),
        model.bytes() as f64 / 1e6
    );
    let probe: Vec<Arc<Article>> = decisions(&taxonomy, 10_100)[DECISIONS..]
        .iter()
        .map(|e| e.article.clone())
        .collect();

    let mut group = c.benchmark_group("learn_10k");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("train", |b| {
        b.iter(|| Model::train(&examples, &taxonomy));
    });
    group.finish();

    let mut group = c.benchmark_group("learn_predict");
    let mut i = 0;
    group.bench_function("one_article", |b| {
        b.iter(|| {
            i = (i + 1) % probe.len();
            model.predict(&probe[i])
        });
    });
    group.finish();
}

criterion_group!(benches, learn);
criterion_main!(benches);
