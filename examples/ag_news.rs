//! The learned-suggestions comparison on AG News: every candidate learner, its
//! 5-fold cross-validated micro-F1 and its micro-F1 trained on one half and tested
//! on the other, through the program's own rule (accept a score of at least 0.5).
//!
//! Run: `cargo run --release --example ag_news [-- path/to/ag_news_test.csv [quick]]`
//! (default `../shared/dev-data/ag_news_test.csv`, relative to the crate). `quick`
//! runs the default model only. `TRY=a,b,…` replaces the candidates by settings
//! spelled as `+`-joined changes to the default: `cgN` (character n-grams of the
//! first N words), `cwX` (their weight), `pwX` (word pairs' weight), `nbX` (naive
//! Bayes mixed in with weight X), `CX` (the SVM's C); e.g. `TRY=cg0,cg60+cw0.25`.
//! The figures are in BENCHMARKS.md, "Learned
//! suggestions".

use std::sync::Arc;
use std::time::Instant;

use triage::article::Article;
use triage::corpus::ag_news;
use triage::labels::{Axis, LabelId, Taxonomy};
use triage::learn::linear::Learner;
use triage::learn::{Config, Example, Labels, Model, evaluate_with};

fn read(path: &str) -> Result<Vec<Example>, Box<dyn std::error::Error>> {
    let items = ag_news::read(std::path::Path::new(path))?;
    Ok(items
        .into_iter()
        .map(|item| {
            let mut article = Article {
                title: item.title,
                ..Article::default()
            };
            article.body.push(item.description);
            Example {
                article: Arc::new(article),
                labels: Labels {
                    region: Vec::new(),
                    theme: vec![LabelId::from(item.class)],
                },
            }
        })
        .collect())
}

fn suggest(model: &Model, article: &Article) -> Labels {
    let p = model.predict(article);
    Labels {
        region: p.above(Axis::Region, 0.5),
        theme: p.above(Axis::Theme, 0.5),
    }
}

/// Trains on the even-numbered half of a fixed shuffle, tests on the rest: (micro-F1,
/// best micro-F1 over any common threshold, training seconds).
fn half_half(examples: &[Example], taxonomy: &Taxonomy, config: &Config) -> (f64, f64, f64) {
    let fold = triage::learn::evaluate::folds_of(examples.len(), 2);
    let train: Vec<Example> = examples
        .iter()
        .zip(&fold)
        .filter(|(_, f)| **f == 0)
        .map(|(e, _)| e.clone())
        .collect();
    let start = Instant::now();
    let model = Model::train_with(&train, taxonomy, config);
    let secs = start.elapsed().as_secs_f64();
    let test: Vec<&Example> = examples
        .iter()
        .zip(&fold)
        .filter(|(_, f)| **f == 1)
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let predictions: Vec<_> = test.iter().map(|e| model.predict(&e.article)).collect();
    let f1_at = |t: f32| {
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for (e, p) in test.iter().zip(&predictions) {
            let s = p.above(Axis::Theme, t);
            let hit = s.iter().filter(|x| e.labels.theme.contains(x)).count();
            tp += hit;
            fp += s.len() - hit;
            fn_ += e.labels.theme.len() - hit;
        }
        2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64
    };
    let best = (1..20)
        .map(|i| f1_at(i as f32 * 0.05))
        .fold(0.0f64, f64::max);
    (f1_at(0.5), best, secs)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).cloned().unwrap_or_else(|| {
        format!(
            "{}/../shared/dev-data/ag_news_test.csv",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let quick = args.get(2).is_some_and(|a| a == "quick");
    let examples = read(&path)?;
    let taxonomy = Taxonomy::parse(ag_news::LABELS, "ag_news")?;
    let base = Config::default();
    let mut candidates: Vec<(String, Config)> = vec![("default".into(), base)];
    if let Ok(list) = std::env::var("TRY") {
        candidates.clear();
        for t in list.split(',') {
            let mut c = base;
            for part in t.split('+') {
                if let Some(x) = part.strip_prefix("nb") {
                    c.nb_mix = x.parse()?;
                } else if let Some(x) = part.strip_prefix("cg") {
                    c.char_grams = x.parse()?;
                } else if let Some(x) = part.strip_prefix("cw") {
                    c.char_weight = x.parse()?;
                } else if let Some(x) = part.strip_prefix("pw") {
                    c.pair_weight = x.parse()?;
                } else if let Some(x) = part.strip_prefix("C") {
                    c.learner = Learner::Svm {
                        c: x.parse()?,
                        squared: false,
                    };
                }
            }
            candidates.push((t.to_string(), c));
        }
    }
    if !quick {
        let learners = [
            Learner::Nb { alpha: 0.1 },
            Learner::Nb { alpha: 1.0 },
            Learner::Svm {
                c: 0.5,
                squared: false,
            },
            Learner::Svm {
                c: 1.0,
                squared: false,
            },
            Learner::Svm {
                c: 2.0,
                squared: false,
            },
            Learner::Svm {
                c: 0.5,
                squared: true,
            },
            Learner::Svm {
                c: 1.0,
                squared: true,
            },
            Learner::Svm {
                c: 2.0,
                squared: true,
            },
            Learner::LogReg { c: 1.0 },
            Learner::LogReg { c: 4.0 },
            Learner::LogReg { c: 16.0 },
            Learner::NbSvm { c: 0.5, alpha: 1.0 },
            Learner::NbSvm { c: 1.0, alpha: 1.0 },
        ];
        for learner in learners {
            candidates.push((learner.name(), Config { learner, ..base }));
        }
        candidates.push((
            "default, no threshold tuning (Platt only)".into(),
            Config {
                tune_thresholds: false,
                ..base
            },
        ));
        candidates.push((
            "default, no class weights".into(),
            Config {
                class_weight_power: 0.0,
                ..base
            },
        ));
        candidates.push(("default, min_df 2".into(), Config { min_df: 2, ..base }));
        candidates.push((
            "default, no character n-grams".into(),
            Config {
                char_grams: 0,
                ..base
            },
        ));
        candidates.push((
            "default, character n-grams of every word".into(),
            Config {
                char_grams: usize::MAX,
                ..base
            },
        ));
        candidates.push((
            "default, character n-grams weighing 1".into(),
            Config {
                char_weight: 1.0,
                ..base
            },
        ));
        for nb_mix in [0.05, 0.1, 0.5] {
            candidates.push((
                format!("default + naive Bayes (alpha=1) × {nb_mix}"),
                Config { nb_mix, ..base },
            ));
        }
        candidates.push((
            "default, word pairs weighing 0.5".into(),
            Config {
                pair_weight: 0.5,
                ..base
            },
        ));
        candidates.push((
            "default, no t: title features".into(),
            Config {
                title_words: false,
                ..base
            },
        ));
    }
    let start = Instant::now();
    let all = Model::train(&examples, &taxonomy);
    println!(
        "all {} examples: trained in {:.2} s, {} features, model {:.1} MB",
        examples.len(),
        start.elapsed().as_secs_f64(),
        all.features(),
        all.bytes() as f64 / 1e6
    );
    println!(
        "| model | 5-fold micro-F1 | half/half micro-F1 | half/half best any threshold | train 3,800 (s) |"
    );
    println!("|---|---|---|---|---|");
    for (name, config) in &candidates {
        let cv = evaluate_with(&examples, &taxonomy, 5, config, suggest)?;
        let (half, best, secs) = half_half(&examples, &taxonomy, config);
        println!(
            "| {name} | {:.4} | {half:.4} | {best:.4} | {secs:.2} |",
            cv.theme.f1
        );
    }
    Ok(())
}
