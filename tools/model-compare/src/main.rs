//! Compares text-classifier crates, and triage's own model, on AG News (issue 13).
//!
//! One feature pipeline is shared by every crate that takes a feature matrix: title
//! and description, lowercase words, unigrams and bigrams, TF-IDF (smoothed idf, rows
//! L2-normalized), the vocabulary pruned to the `--vocab N` most frequent n-grams by
//! document frequency so that the crates that only take dense matrices can cope. The
//! vocabulary and the idf are fitted on each training part only, so no test item
//! leaks into its own features. fastText reads the same lowercase words as text (it
//! hashes its own bigrams) and triage's model reads `Article`s, as the program does.
//!
//! Each run evaluates the candidates named by `--only` (all by default) with 5-fold
//! cross-validation and a half/half split over one deterministic shuffle, and prints a
//! Markdown row per candidate. Peak memory is the process's high-water mark
//! (`VmHWM`), so run one candidate per process to get a figure per candidate.

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn Error>>;
/// What a candidate returns: its training time and its test predictions.
type Trained = Res<(Duration, Vec<usize>)>;

const CLASSES: usize = 4;
const CLASS_IDS: [&str; CLASSES] = triage::corpus::ag_news::CLASSES;
const SEED: u64 = 13;

/// One news item: class 0..4 and its lowercase words (title first).
struct Item {
    class: usize,
    title: String,
    description: String,
    words: Vec<String>,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("model-compare: {e}");
        std::process::exit(1);
    }
}

struct Options {
    csv: String,
    vocab: usize,
    only: Option<Vec<String>>,
    folds: bool,
    half: bool,
}

fn usage() -> String {
    format!(
        "usage: model-compare AG_NEWS_CSV [--vocab N] [--only NAME,NAME] [--eval cv|half|both]\n\
         candidates: {}",
        CANDIDATES
            .iter()
            .map(|c| c.key)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn options() -> Res<Options> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        csv: String::new(),
        vocab: 2000,
        only: None,
        folds: true,
        half: true,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--vocab" => o.vocab = args.next().ok_or_else(usage)?.parse()?,
            "--only" => {
                let names: Vec<String> = args
                    .next()
                    .ok_or_else(usage)?
                    .split(',')
                    .map(str::to_string)
                    .collect();
                for n in &names {
                    if n != "none" && !CANDIDATES.iter().any(|c| c.key == n) {
                        return Err(format!("unknown candidate {n}\n{}", usage()).into());
                    }
                }
                o.only = Some(names);
            }
            "--eval" => match args.next().as_deref() {
                Some("cv") => o.half = false,
                Some("half") => o.folds = false,
                Some("both") => {}
                _ => return Err(usage().into()),
            },
            "-h" | "--help" => {
                println!("{}", usage());
                std::process::exit(0);
            }
            _ if o.csv.is_empty() && !a.starts_with('-') => o.csv = a,
            _ => return Err(usage().into()),
        }
    }
    if o.csv.is_empty() {
        return Err(usage().into());
    }
    Ok(o)
}

fn run() -> Res<()> {
    let o = options()?;
    let mut items = read(&o.csv)?;
    shuffle(&mut items, SEED);
    eprintln!(
        "{} items from {}, vocabulary pruned to {} n-grams",
        items.len(),
        o.csv,
        o.vocab
    );
    for c in CANDIDATES {
        if let Some(only) = &o.only
            && !only.iter().any(|n| n == c.key)
        {
            continue;
        }
        let mut cv = Vec::new();
        if o.folds {
            for k in 0..5 {
                let (train, test) = fold(&items, k, 5);
                let r = evaluate(c, &train, &test, o.vocab)?;
                eprintln!(
                    "{} fold {}: {:.4} in {:.2?}",
                    c.name,
                    k + 1,
                    r.accuracy,
                    r.train
                );
                cv.push(r);
            }
        }
        let half = if o.half {
            let mid = items.len() / 2;
            let train: Vec<&Item> = items[..mid].iter().collect();
            let test: Vec<&Item> = items[mid..].iter().collect();
            let r = evaluate(c, &train, &test, o.vocab)?;
            eprintln!("{} half/half: {:.4} in {:.2?}", c.name, r.accuracy, r.train);
            Some(r)
        } else {
            None
        };
        row(c, &cv, half.as_ref(), o.vocab);
    }
    println!("peak memory (VmHWM) of this process: {}", peak_memory());
    Ok(())
}

fn row(c: &Candidate, cv: &[Outcome], half: Option<&Outcome>, vocab: usize) {
    let cv_text = if cv.is_empty() {
        "–".to_string()
    } else {
        let accs: Vec<f64> = cv.iter().map(|r| r.accuracy).collect();
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        let sd = (accs.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / accs.len() as f64).sqrt();
        let train = cv.iter().map(|r| r.train).sum::<Duration>() / cv.len() as u32;
        format!("{:.3} ± {:.3} (train {})", mean, sd, secs(train))
    };
    let half_text = match half {
        Some(r) => format!("{:.3} (train {})", r.accuracy, secs(r.train)),
        None => "–".to_string(),
    };
    println!(
        "| {} | {} | {} | {} | {} | {} | {} |",
        c.name,
        version(c.crate_name),
        c.sparse,
        if c.uses_vocab {
            format!("{vocab}")
        } else {
            "own".to_string()
        },
        cv_text,
        half_text,
        peak_memory()
    );
}

fn secs(d: Duration) -> String {
    if d.as_secs_f64() < 1.0 {
        format!("{:.0} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The crate's version from this tool's Cargo.lock, so the table names what ran.
fn version(krate: &str) -> String {
    if krate == "triage" {
        return "path (src/learn)".to_string();
    }
    let lock = include_str!("../Cargo.lock");
    let needle = format!("name = \"{krate}\"\nversion = \"");
    lock.find(&needle)
        .and_then(|at| {
            let rest = &lock[at + needle.len()..];
            rest.find('"')
                .map(|end| format!("{krate} {}", &rest[..end]))
        })
        .unwrap_or_else(|| krate.to_string())
}

/// The process's peak resident set, from `/proc/self/status` (Linux).
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| format!("{:.0} MiB", kb / 1024.0))
        .unwrap_or_else(|| "?".to_string())
}

// ---------------------------------------------------------------- data

/// The items through the program's own AG News reader (`triage::corpus::ag_news`),
/// so this tool and the project's examples read the very same text.
fn read(path: &str) -> Res<Vec<Item>> {
    use triage::corpus::ag_news;
    let items: Vec<Item> = ag_news::read(std::path::Path::new(path))?
        .into_iter()
        .map(|it| {
            let class = ag_news::CLASSES
                .iter()
                .position(|c| *c == it.class)
                .unwrap_or(0);
            let words = words(&format!("{} {}", it.title, it.description));
            Item {
                class,
                title: it.title,
                description: it.description,
                words,
            }
        })
        .collect();
    if items.len() < 10 {
        return Err(format!("{path}: too few items ({})", items.len()).into());
    }
    Ok(items)
}

/// Lowercase runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Fisher–Yates with splitmix64: the same order on every machine and every run.
fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..v.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

fn fold(items: &[Item], k: usize, folds: usize) -> (Vec<&Item>, Vec<&Item>) {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, it) in items.iter().enumerate() {
        if i % folds == k {
            test.push(it)
        } else {
            train.push(it)
        }
    }
    (train, test)
}

// ---------------------------------------------------------------- features

/// Unigrams and bigrams of a word list.
fn grams(words: &[String]) -> Vec<String> {
    let mut g: Vec<String> = words.to_vec();
    g.extend(words.windows(2).map(|w| format!("{} {}", w[0], w[1])));
    g
}

/// The shared pipeline, fitted on a training part.
struct Features {
    index: HashMap<String, usize>,
    idf: Vec<f64>,
}

/// One item's features: (column, tf-idf) and (column, count), sorted by column.
struct Row {
    tfidf: Vec<(usize, f64)>,
    counts: Vec<(usize, u32)>,
}

impl Features {
    fn fit(train: &[&Item], vocab: usize) -> Features {
        let mut df: HashMap<String, usize> = HashMap::new();
        for it in train {
            let mut g = grams(&it.words);
            g.sort_unstable();
            g.dedup();
            for t in g {
                *df.entry(t).or_default() += 1;
            }
        }
        let mut by_df: Vec<(String, usize)> = df.into_iter().collect();
        // Most frequent first; ties by the n-gram, so the cut is deterministic.
        by_df.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        by_df.truncate(vocab);
        let n = train.len() as f64;
        let idf = by_df
            .iter()
            .map(|(_, d)| ((1.0 + n) / (1.0 + *d as f64)).ln() + 1.0)
            .collect();
        let index = by_df
            .into_iter()
            .enumerate()
            .map(|(i, (t, _))| (t, i))
            .collect();
        Features { index, idf }
    }

    fn width(&self) -> usize {
        self.idf.len()
    }

    fn row(&self, it: &Item) -> Row {
        let mut counts: HashMap<usize, u32> = HashMap::new();
        for g in grams(&it.words) {
            if let Some(&c) = self.index.get(&g) {
                *counts.entry(c).or_default() += 1;
            }
        }
        let mut counts: Vec<(usize, u32)> = counts.into_iter().collect();
        counts.sort_unstable();
        let mut tfidf: Vec<(usize, f64)> = counts
            .iter()
            .map(|&(c, n)| (c, (1.0 + (n as f64).ln()) * self.idf[c]))
            .collect();
        let norm = tfidf.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            tfidf.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        Row { tfidf, counts }
    }
}

/// A training part and a test part, featurized.
struct Split<'a> {
    width: usize,
    train: Vec<Row>,
    train_y: Vec<usize>,
    test: Vec<Row>,
    test_y: Vec<usize>,
    train_items: &'a [&'a Item],
    test_items: &'a [&'a Item],
}

impl Split<'_> {
    fn dense(rows: &[Row], width: usize) -> ndarray::Array2<f64> {
        let mut m = ndarray::Array2::<f64>::zeros((rows.len(), width));
        for (i, r) in rows.iter().enumerate() {
            for &(c, v) in &r.tfidf {
                m[[i, c]] = v;
            }
        }
        m
    }

    fn dense_vec(rows: &[Row], width: usize) -> Vec<f64> {
        let mut m = vec![0.0; rows.len() * width];
        for (i, r) in rows.iter().enumerate() {
            for &(c, v) in &r.tfidf {
                m[i * width + c] = v;
            }
        }
        m
    }

    fn dense_counts(rows: &[Row], width: usize) -> Vec<u32> {
        let mut m = vec![0; rows.len() * width];
        for (i, r) in rows.iter().enumerate() {
            for &(c, v) in &r.counts {
                m[i * width + c] = v;
            }
        }
        m
    }
}

// ---------------------------------------------------------------- candidates

struct Candidate {
    /// What `--only` takes.
    key: &'static str,
    /// What the table shows.
    name: &'static str,
    crate_name: &'static str,
    sparse: &'static str,
    /// Whether it reads the shared, pruned TF-IDF matrix (else its own tokens).
    uses_vocab: bool,
    /// Trains on the split, returns the training time and the test predictions.
    run: fn(&Split) -> Trained,
}

const CANDIDATES: &[Candidate] = &[
    Candidate {
        key: "linfa-mnb",
        name: "linfa-bayes MultinomialNb",
        crate_name: "linfa-bayes",
        sparse: "no (ndarray)",
        uses_vocab: true,
        run: linfa_multinomial_nb,
    },
    Candidate {
        key: "linfa-gnb",
        name: "linfa-bayes GaussianNb",
        crate_name: "linfa-bayes",
        sparse: "no (ndarray)",
        uses_vocab: true,
        run: linfa_gaussian_nb,
    },
    Candidate {
        key: "linfa-logistic",
        name: "linfa-logistic MultiLogisticRegression",
        crate_name: "linfa-logistic",
        sparse: "no (ndarray)",
        uses_vocab: true,
        run: linfa_logistic,
    },
    Candidate {
        key: "linfa-svm",
        name: "linfa-svm linear, one-vs-all",
        crate_name: "linfa-svm",
        sparse: "no (ndarray; n×n kernel matrix)",
        uses_vocab: true,
        run: linfa_svm,
    },
    Candidate {
        key: "smartcore-mnb",
        name: "smartcore MultinomialNB (counts)",
        crate_name: "smartcore",
        sparse: "no (DenseMatrix)",
        uses_vocab: true,
        run: smartcore_multinomial_nb,
    },
    Candidate {
        key: "smartcore-logistic",
        name: "smartcore LogisticRegression",
        crate_name: "smartcore",
        sparse: "no (DenseMatrix)",
        uses_vocab: true,
        run: smartcore_logistic,
    },
    Candidate {
        key: "smartcore-svc",
        name: "smartcore MultiClassSVC linear",
        crate_name: "smartcore",
        sparse: "no (DenseMatrix)",
        uses_vocab: true,
        run: smartcore_svc,
    },
    Candidate {
        key: "fasttext",
        name: "fasttext (pure Rust) supervised, bigrams",
        crate_name: "fasttext",
        sparse: "yes (text in, hashed n-grams)",
        uses_vocab: false,
        run: fasttext_supervised,
    },
    Candidate {
        key: "triage",
        name: "triage learn::Model",
        crate_name: "triage",
        sparse: "yes (Article in)",
        uses_vocab: false,
        run: triage_model,
    },
];

struct Outcome {
    accuracy: f64,
    train: Duration,
}

fn evaluate(c: &Candidate, train: &[&Item], test: &[&Item], vocab: usize) -> Res<Outcome> {
    let features = Features::fit(train, vocab);
    let split = Split {
        width: features.width(),
        train: train.iter().map(|it| features.row(it)).collect(),
        train_y: train.iter().map(|it| it.class).collect(),
        test: test.iter().map(|it| features.row(it)).collect(),
        test_y: test.iter().map(|it| it.class).collect(),
        train_items: train,
        test_items: test,
    };
    drop(features);
    let (train_time, predicted) = (c.run)(&split)?;
    if predicted.len() != split.test_y.len() {
        return Err(format!(
            "{}: {} predictions for {} items",
            c.name,
            predicted.len(),
            split.test_y.len()
        )
        .into());
    }
    let right = predicted
        .iter()
        .zip(&split.test_y)
        .filter(|(p, y)| p == y)
        .count();
    Ok(Outcome {
        accuracy: right as f64 / split.test_y.len() as f64,
        train: train_time,
    })
}

fn linfa_dataset(s: &Split) -> linfa::Dataset<f64, usize, ndarray::Ix1> {
    linfa::Dataset::new(
        Split::dense(&s.train, s.width),
        ndarray::Array1::from(s.train_y.clone()),
    )
}

fn linfa_multinomial_nb(s: &Split) -> Trained {
    use linfa::prelude::*;
    let data = linfa_dataset(s);
    let start = Instant::now();
    let model = linfa_bayes::MultinomialNb::params().alpha(0.1).fit(&data)?;
    let t = start.elapsed();
    let test = Split::dense(&s.test, s.width);
    Ok((t, model.predict(&test).to_vec()))
}

fn linfa_gaussian_nb(s: &Split) -> Trained {
    use linfa::prelude::*;
    let data = linfa_dataset(s);
    let start = Instant::now();
    let model = linfa_bayes::GaussianNb::params().fit(&data)?;
    let t = start.elapsed();
    let test = Split::dense(&s.test, s.width);
    Ok((t, model.predict(&test).to_vec()))
}

fn linfa_logistic(s: &Split) -> Trained {
    use linfa::prelude::*;
    let data = linfa_dataset(s);
    let start = Instant::now();
    let model = linfa_logistic::MultiLogisticRegression::default()
        .alpha(1.0)
        .max_iterations(100)
        .fit(&data)?;
    let t = start.elapsed();
    let test = Split::dense(&s.test, s.width);
    Ok((t, model.predict(&test).to_vec()))
}

fn linfa_svm(s: &Split) -> Trained {
    use linfa::composing::MultiClassModel;
    use linfa::prelude::*;
    let data = linfa_dataset(s);
    let start = Instant::now();
    let params = linfa_svm::Svm::<f64, Pr>::params()
        .linear_kernel()
        .pos_neg_weights(1.0, 1.0);
    let mut models = Vec::new();
    for (label, part) in data.one_vs_all()? {
        models.push((label, params.fit(&part)?));
    }
    let model: MultiClassModel<ndarray::Array2<f64>, usize> = models.into_iter().collect();
    let t = start.elapsed();
    let test = Split::dense(&s.test, s.width);
    Ok((t, model.predict(&test).to_vec()))
}

fn smartcore_matrix(
    rows: &[Row],
    width: usize,
) -> Res<smartcore::linalg::basic::matrix::DenseMatrix<f64>> {
    Ok(smartcore::linalg::basic::matrix::DenseMatrix::new(
        rows.len(),
        width,
        Split::dense_vec(rows, width),
        false,
    )?)
}

fn smartcore_multinomial_nb(s: &Split) -> Trained {
    use smartcore::linalg::basic::matrix::DenseMatrix;
    use smartcore::naive_bayes::multinomial::{MultinomialNB, MultinomialNBParameters};
    let x = DenseMatrix::new(
        s.train.len(),
        s.width,
        Split::dense_counts(&s.train, s.width),
        false,
    )?;
    let y: Vec<u32> = s.train_y.iter().map(|&c| c as u32).collect();
    let start = Instant::now();
    let model = MultinomialNB::fit(&x, &y, MultinomialNBParameters::default().with_alpha(0.1))?;
    let t = start.elapsed();
    let test = DenseMatrix::new(
        s.test.len(),
        s.width,
        Split::dense_counts(&s.test, s.width),
        false,
    )?;
    let p: Vec<u32> = model.predict(&test)?;
    Ok((t, p.into_iter().map(|c| c as usize).collect()))
}

fn smartcore_logistic(s: &Split) -> Trained {
    use smartcore::linear::logistic_regression::{
        LogisticRegression, LogisticRegressionParameters,
    };
    let x = smartcore_matrix(&s.train, s.width)?;
    let y: Vec<u32> = s.train_y.iter().map(|&c| c as u32).collect();
    let start = Instant::now();
    let model = LogisticRegression::fit(
        &x,
        &y,
        LogisticRegressionParameters::default().with_alpha(1.0),
    )?;
    let t = start.elapsed();
    let test = smartcore_matrix(&s.test, s.width)?;
    let p: Vec<u32> = model.predict(&test)?;
    Ok((t, p.into_iter().map(|c| c as usize).collect()))
}

fn smartcore_svc(s: &Split) -> Trained {
    use smartcore::svm::Kernels;
    use smartcore::svm::svc::{MultiClassSVC, SVCParameters};
    let x = smartcore_matrix(&s.train, s.width)?;
    let y: Vec<i32> = s.train_y.iter().map(|&c| c as i32).collect();
    let start = Instant::now();
    let params = SVCParameters::default()
        .with_c(1.0)
        .with_kernel(Kernels::linear())
        .with_seed(Some(SEED));
    let model = MultiClassSVC::fit(&x, &y, &params)?;
    let t = start.elapsed();
    let test = smartcore_matrix(&s.test, s.width)?;
    let p: Vec<f64> = model.predict(&test)?;
    Ok((t, p.into_iter().map(|c| c as usize).collect()))
}

fn fasttext_supervised(s: &Split) -> Trained {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!("model-compare-{}.txt", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for it in s.train_items {
            writeln!(f, "__label__{} {}", it.class, it.words.join(" "))?;
        }
        f.flush()?;
    }
    let mut args = fasttext::args::Args {
        input: path.clone(),
        word_ngrams: 2,
        ..Default::default()
    };
    args.apply_supervised_defaults();
    // Joulin et al. (2016) on AG News: 10 hidden units, 5 epochs, lr in {0.05..0.5},
    // bigrams hashed; a smaller bucket than the 2 M default keeps memory modest.
    let knob = |k: &str, d: f64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    args.dim = knob("FT_DIM", 10.0) as i32;
    args.epoch = knob("FT_EPOCH", 10.0) as i32;
    args.lr = knob("FT_LR", 0.5);
    args.bucket = 200_000;
    args.thread = 1; // deterministic: several threads race (Hogwild!)
    args.seed = SEED as i32;
    args.verbose = 0;
    let start = Instant::now();
    let model = fasttext::FastText::train(args);
    let t = start.elapsed();
    let _ = std::fs::remove_file(&path);
    let model = model?;
    let p = s
        .test_items
        .iter()
        .map(|it| {
            model
                .predict(&it.words.join(" "), 1, 0.0)
                .first()
                .and_then(|p| p.label.strip_prefix("__label__"))
                .and_then(|l| l.parse().ok())
                .unwrap_or(usize::MAX)
        })
        .collect();
    Ok((t, p))
}


fn article(it: &Item) -> Arc<triage::article::Article> {
    let mut body = triage::article::Paragraphs::default();
    body.push(&it.description);
    Arc::new(triage::article::Article {
        title: it.title.clone(),
        body,
        ..Default::default()
    })
}

fn triage_model(s: &Split) -> Trained {
    use triage::learn::{Example, Labels, Model};
    let taxonomy = triage::labels::Taxonomy::parse(triage::corpus::ag_news::LABELS, "model-compare taxonomy")?;
    let examples: Vec<Example> = s
        .train_items
        .iter()
        .map(|it| Example {
            article: article(it),
            labels: Labels {
                region: Vec::new(),
                theme: vec![triage::labels::LabelId::from(CLASS_IDS[it.class])],
            },
        })
        .collect();
    let start = Instant::now();
    let model = Model::train(&examples, &taxonomy);
    let t = start.elapsed();
    let mut nothing = 0;
    let p = s
        .test_items
        .iter()
        .map(|it| {
            let prediction = model.predict(&article(it));
            let best = prediction
                .theme
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .and_then(|(id, _)| CLASS_IDS.iter().position(|c| *c == id.as_str()));
            if best.is_none() {
                nothing += 1;
            }
            best.unwrap_or(usize::MAX)
        })
        .collect();
    if nothing > 0 {
        eprintln!(
            "triage learn::Model predicted no theme for {nothing} of {} items",
            s.test_items.len()
        );
    }
    Ok((t, p))
}
