//! Suggestions learned from the team's decisions: a text classifier for region and
//! theme, trained on the inbox's done decisions, and its cross-validated evaluation.
//!
//! - [`features`]: what the model reads (words and word pairs of the title and the
//!   first [`features::MAX_BODY_WORDS`] words of the body, the title's words again,
//!   the gazetteer's place tokens), hashed.
//! - [`linear`]: sublinear TF-IDF rows over a pruned vocabulary and the learners.
//! - this file: one-vs-rest training over the labels with enough examples, and the
//!   calibration that turns margins into scores the program's one rule ("accept at or
//!   above the team's threshold, 0.5 by default") gets the most out of.
//! - [`evaluate`](mod@evaluate): K-fold cross-validation, as `triage suggest --evaluate`
//!   reports it.
//!
//! The choice of learner and its settings come from measurements on AG News
//! (BENCHMARKS.md, "Learned suggestions").

pub mod evaluate;
pub mod features;
pub mod linear;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use evaluate::{AxisScore, EvaluateError, Evaluation, evaluate, evaluate_with};
use linear::{Learner, Row, Trained, Vocabulary};

use crate::article::Article;
use crate::labels::{Axis, LabelId, Taxonomy};

/// Fewer examples of a label than this and the model does not suggest it.
pub const MIN_EXAMPLES: usize = 5;

/// What a decision says about an article on the learned axes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    pub region: Vec<LabelId>,
    pub theme: Vec<LabelId>,
}

impl Labels {
    pub fn of(&self, axis: Axis) -> &[LabelId] {
        match axis {
            Axis::Region => &self.region,
            Axis::Theme => &self.theme,
            Axis::Reliability => &[],
        }
    }
}

/// One done article: its text and what the team decided.
#[derive(Debug, Clone)]
pub struct Example {
    pub article: Arc<Article>,
    pub labels: Labels,
}

/// Scores for one article: every label the model knows, best first, per axis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prediction {
    pub region: Vec<(LabelId, f32)>,
    pub theme: Vec<(LabelId, f32)>,
}

impl Prediction {
    pub fn of(&self, axis: Axis) -> &[(LabelId, f32)] {
        match axis {
            Axis::Region => &self.region,
            Axis::Theme => &self.theme,
            Axis::Reliability => &[],
        }
    }

    /// How sure the model is, 0 (a toss-up) to 1: the smallest, over the axes it
    /// scores, of the gap between its best and second-best label (a label alone
    /// against nothing: its own score). 0 when the model scores nothing, so that an
    /// "uncertain first" order puts what the model cannot yet judge first.
    pub fn margin(&self) -> f32 {
        [&self.region, &self.theme]
            .into_iter()
            .filter(|scores| !scores.is_empty())
            .map(|scores| {
                let best = scores.first().map_or(0.0, |s| s.1);
                let second = scores.get(1).map_or(0.0, |s| s.1);
                (best - second).clamp(0.0, 1.0)
            })
            .reduce(f32::min)
            .unwrap_or(0.0)
    }

    /// The labels of `axis` scoring at least `threshold`.
    pub fn above(&self, axis: Axis, threshold: f32) -> Vec<LabelId> {
        self.of(axis)
            .iter()
            .filter(|(_, s)| *s >= threshold)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// How a model is trained; [`Config::default`] is the measured best (BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub learner: Learner,
    /// Words of the body read (see [`features::MAX_BODY_WORDS`]).
    pub max_body_words: usize,
    /// A feature seen in fewer training articles than this is dropped.
    pub min_df: u32,
    /// Rare labels weigh more: positives count `(negatives / positives)^power` times
    /// (0: no weighting), at most 10 times.
    pub class_weight_power: f32,
    /// Tune thresholds on held-out margins (off: plain Platt probabilities).
    pub tune_thresholds: bool,
    /// The title's words also as `t:` features of their own.
    pub title_words: bool,
    /// Which words also give their character 3- to 5-grams as features.
    pub char_grams: features::CharGrams,
    /// Multinomial naive Bayes (α = 1) trained on the same rows, added to each label's
    /// linear scorer with this weight before calibration (0: the learner alone).
    pub nb_mix: f32,
    /// Character n-grams weigh this much against words (their IDF times it).
    pub char_weight: f32,
    /// Word pairs weigh this much against words.
    pub pair_weight: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            learner: Learner::Svm {
                c: 1.0,
                squared: false,
            },
            max_body_words: features::MAX_BODY_WORDS,
            min_df: 1,
            class_weight_power: 0.5,
            tune_thresholds: true,
            title_words: true,
            char_grams: features::CHAR_GRAM_WORDS,
            nb_mix: 0.0,
            char_weight: 0.3,
            pair_weight: 1.0,
        }
    }
}

/// One label the model scores: its column in the weight matrix and its calibration
/// `score = σ(a · margin + b)`, where `b` already holds the label's own threshold,
/// so that 0.5 is where accepting it starts to pay.
#[derive(Debug, Clone)]
struct Scorer {
    id: LabelId,
    column: usize,
    /// Platt's sigmoid: the probability the label is right.
    a: f32,
    b: f32,
    /// ln(t / (1 − t)) of the label's tuned threshold t.
    shift: f32,
}

/// The labels of one axis and the axis' own rules.
#[derive(Debug, Clone, Default)]
struct AxisModel {
    scorers: Vec<Scorer>,
    /// Every decided article had at most one label here: suggest at most one.
    single: bool,
    /// When nothing reaches its threshold, the best label is still suggested if its
    /// probability reaches this (as a logit); `None`: never.
    rescue: Option<f32>,
}

/// A trained model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    examples: usize,
    config: Option<Config>,
    vocabulary: Vocabulary,
    /// Column-major by feature: `weights[feature * labels + label]`, so a prediction
    /// reads one short run per feature of the article.
    weights: Vec<f32>,
    bias: Vec<f32>,
    region: AxisModel,
    theme: AxisModel,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Runs `job(i)` for i in 0..n on up to all cores, returning the results in order.
fn parallel<T: Send>(n: usize, job: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n)
        .max(1);
    if threads == 1 {
        return (0..n).map(&job).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break done;
                        }
                        done.push((i, job(i)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    parts.sort_unstable_by_key(|(i, _)| *i);
    parts.into_iter().map(|(_, t)| t).collect()
}

/// One training job's result: the full model of every label, or every label's
/// margin on each held-out article of one inner fold.
type JobResult = (Vec<Trained>, Vec<(usize, Vec<f32>)>);

/// A deterministic seed from a label id, so each label's training order is fixed.
fn seed_of(axis: Axis, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ axis as u64;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Model {
    /// Trains on `examples`; only labels of `taxonomy` with at least [`MIN_EXAMPLES`]
    /// examples can be suggested.
    pub fn train(examples: &[Example], taxonomy: &Taxonomy) -> Model {
        Model::train_with(examples, taxonomy, &Config::default())
    }

    /// [`Model::train`] with other settings (for measuring them).
    pub fn train_with(examples: &[Example], taxonomy: &Taxonomy, config: &Config) -> Model {
        let docs = parallel_docs(
            examples,
            config.max_body_words,
            config.title_words,
            config.char_grams,
        );
        let vocabulary = Vocabulary::build_weighted(
            &docs,
            config.min_df,
            [1.0, config.char_weight, config.pair_weight],
        );
        // Each article's features go as its row is made: the two never all coexist.
        let rows: Vec<Row> = docs.into_iter().map(|d| vocabulary.row(&d)).collect();
        // The labels to learn: every taxonomy label with enough examples.
        let mut wanted: Vec<(Axis, LabelId, Vec<bool>)> = Vec::new();
        for axis in [Axis::Region, Axis::Theme] {
            for label in &taxonomy.axis(axis).labels {
                let positive: Vec<bool> = examples
                    .iter()
                    .map(|e| e.labels.of(axis).contains(&label.id))
                    .collect();
                if positive.iter().filter(|&&p| p).count() >= MIN_EXAMPLES {
                    wanted.push((axis, label.id.clone(), positive));
                }
            }
        }
        let columns = vocabulary.len();
        // Calibration needs margins of articles the model has not seen (a model's
        // margins on its own training articles are far too sure): each label is also
        // trained without a held-out part and scores it. Small inboxes hold out each
        // of 5 folds in turn; from 2,000 decisions on, one third is plenty and costs
        // far less.
        let n = rows.len();
        let inner = if n >= 2000 { 3 } else { 5 }.min(n).max(1);
        let fold = evaluate::folds_of(n, inner);
        let held: Vec<usize> = match inner {
            1 => Vec::new(),
            _ if n >= 2000 => vec![0],
            _ => (0..inner).collect(),
        };
        let jobs: Vec<Option<usize>> = std::iter::once(None)
            .chain(held.iter().map(|&f| Some(f)))
            .collect();
        let positives: Vec<&[bool]> = wanted.iter().map(|w| w.2.as_slice()).collect();
        let results: Vec<JobResult> = parallel(jobs.len(), |j| {
            let keep: Vec<usize> = (0..n).filter(|&i| Some(fold[i]) != jobs[j]).collect();
            let subset: Vec<&Row> = keep.iter().map(|&i| &rows[i]).collect();
            let labels: Vec<Vec<bool>> = positives
                .iter()
                .map(|p| keep.iter().map(|&i| p[i]).collect())
                .collect();
            let weights: Vec<f32> = labels
                .iter()
                .map(|l| {
                    let pos = l.iter().filter(|&&p| p).count().max(1) as f32;
                    let neg = (l.len() as f32 - pos).max(1.0);
                    (neg / pos).powf(config.class_weight_power).clamp(1.0, 10.0)
                })
                .collect();
            let seeds: Vec<u64> = wanted
                .iter()
                .map(|(axis, id, _)| seed_of(*axis, id))
                .collect();
            let mut trained =
                linear::train_all(config.learner, &subset, &labels, columns, &weights, &seeds);
            if config.nb_mix > 0.0 {
                let nb = linear::Learner::Nb { alpha: 1.0 };
                for ((t, l), &seed) in trained.iter_mut().zip(&labels).zip(&seeds) {
                    let extra = linear::train(nb, &subset, l, columns, 1.0, seed);
                    for (w, e) in t.weights.iter_mut().zip(&extra.weights) {
                        *w += config.nb_mix * e;
                    }
                    t.bias += config.nb_mix * extra.bias;
                }
            }
            match jobs[j] {
                None => (trained, Vec::new()),
                Some(f) => {
                    let margins = (0..n)
                        .filter(|&i| fold[i] == f)
                        .map(|i| {
                            let m = trained
                                .iter()
                                .map(|t| {
                                    rows[i]
                                        .iter()
                                        .map(|&(c, v)| t.weights[c as usize] * v)
                                        .sum::<f32>()
                                        + t.bias
                                })
                                .collect();
                            (i, m)
                        })
                        .collect();
                    (Vec::new(), margins)
                }
            }
        });
        let mut trained: Vec<Trained> = Vec::new();
        // held_out[label][k]: the margin of the k-th calibration article.
        let mut calibration: Vec<usize> = Vec::new();
        let mut held_out: Vec<Vec<f32>> = vec![Vec::new(); wanted.len()];
        let mut margins_of: Vec<(usize, Vec<f32>)> = Vec::new();
        for (t, margins) in results {
            if !t.is_empty() {
                trained = t;
            }
            margins_of.extend(margins);
        }
        margins_of.sort_by_key(|(i, _)| *i);
        if margins_of.is_empty() {
            // One article: its own margins are all there is.
            for (i, row) in rows.iter().enumerate() {
                let m = trained
                    .iter()
                    .map(|t| {
                        row.iter()
                            .map(|&(c, v)| t.weights[c as usize] * v)
                            .sum::<f32>()
                            + t.bias
                    })
                    .collect();
                margins_of.push((i, m));
            }
        }
        for (i, m) in margins_of {
            calibration.push(i);
            for (l, v) in m.into_iter().enumerate() {
                held_out[l].push(v);
            }
        }
        let calibration_positives: Vec<Vec<bool>> = wanted
            .iter()
            .map(|w| calibration.iter().map(|&i| w.2[i]).collect())
            .collect();
        let labels = wanted.len();
        let mut weights = vec![0.0f32; columns * labels];
        let mut bias = Vec::with_capacity(labels);
        for (l, t) in trained.iter().enumerate() {
            for (c, w) in t.weights.iter().enumerate() {
                weights[c * labels + l] = *w;
            }
            bias.push(t.bias);
        }
        let mut model = Model {
            examples: examples.len(),
            config: Some(*config),
            vocabulary,
            weights,
            bias,
            region: AxisModel::default(),
            theme: AxisModel::default(),
        };
        for axis in [Axis::Region, Axis::Theme] {
            let on_axis: Vec<usize> = (0..labels).filter(|&l| wanted[l].0 == axis).collect();
            let all: Vec<&[LabelId]> = examples.iter().map(|e| e.labels.of(axis)).collect();
            let single = all.iter().all(|d| d.len() <= 1) && all.iter().any(|d| !d.is_empty());
            let decided: Vec<&[LabelId]> = calibration.iter().map(|&i| all[i]).collect();
            let margins: Vec<(LabelId, usize, &[f32], &[bool])> = on_axis
                .iter()
                .map(|&l| {
                    (
                        wanted[l].1.clone(),
                        l,
                        held_out[l].as_slice(),
                        calibration_positives[l].as_slice(),
                    )
                })
                .collect();
            let axis_model = calibrate(&margins, &decided, single, config.tune_thresholds);
            match axis {
                Axis::Region => model.region = axis_model,
                _ => model.theme = axis_model,
            }
        }
        model
    }

    /// Scores for `article`.
    pub fn predict(&self, article: &Article) -> Prediction {
        let labels = self.bias.len();
        if labels == 0 {
            return Prediction::default();
        }
        let words = self
            .config
            .map_or(features::MAX_BODY_WORDS, |c| c.max_body_words);
        let title = self.config.is_none_or(|c| c.title_words);
        let chars = self.config.map_or(0, |c| c.char_grams);
        let row = self.vocabulary.row(&linear::pack(&features::hashes_full(
            article, words, title, chars,
        )));
        let mut margins = self.bias.clone();
        for &(c, v) in &row {
            let at = c as usize * labels;
            for (m, w) in margins.iter_mut().zip(&self.weights[at..at + labels]) {
                *m += w * v;
            }
        }
        Prediction {
            region: self.region.score(&margins),
            theme: self.theme.score(&margins),
        }
    }

    /// How many decisions it learned from.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// True when the model can suggest `id` on `axis` (it had enough examples).
    pub fn knows(&self, axis: Axis, id: &str) -> bool {
        let model = match axis {
            Axis::Region => &self.region,
            Axis::Theme => &self.theme,
            Axis::Reliability => return false,
        };
        model.scorers.iter().any(|s| s.id == id)
    }

    /// The bytes the model holds (its vocabulary, weights and calibration), for the
    /// memory budget in BENCHMARKS.md.
    pub fn bytes(&self) -> usize {
        let scorers = (self.region.scorers.len() + self.theme.scorers.len())
            * (std::mem::size_of::<Scorer>() + 16);
        std::mem::size_of::<Model>()
            + self.vocabulary.bytes()
            + self.weights.capacity() * 4
            + self.bias.capacity() * 4
            + scorers
    }

    /// Columns of the vocabulary (features kept).
    pub fn features(&self) -> usize {
        self.vocabulary.len()
    }
}

fn parallel_docs(
    examples: &[Example],
    words: usize,
    title: bool,
    chars: features::CharGrams,
) -> Vec<Vec<u64>> {
    let chunk = examples.len().div_ceil(8).max(1);
    let chunks: Vec<&[Example]> = examples.chunks(chunk).collect();
    parallel(chunks.len(), |i| {
        chunks[i]
            .iter()
            .map(|e| linear::pack(&features::hashes_full(&e.article, words, title, chars)))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

impl AxisModel {
    fn score(&self, margins: &[f32]) -> Vec<(LabelId, f32)> {
        if self.scorers.is_empty() {
            return Vec::new();
        }
        // Platt logits: how likely each label is right.
        let logits: Vec<f32> = self
            .scorers
            .iter()
            .map(|s| s.a * margins[s.column] + s.b)
            .collect();
        let top = (0..logits.len())
            .max_by(|&i, &j| logits[i].total_cmp(&logits[j]).then(j.cmp(&i)))
            .unwrap_or(0);
        let mut out: Vec<(LabelId, f32)> = self
            .scorers
            .iter()
            .zip(&logits)
            .enumerate()
            .map(|(i, (s, &z))| {
                let mut score = sigmoid(z - s.shift);
                if i == top {
                    if let Some(r) = self.rescue {
                        score = score.max(sigmoid(z - r));
                    }
                } else if self.single {
                    score = score.min(0.499);
                }
                (s.id.clone(), score)
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// Platt scaling (Lin, Lin & Weng 2007's Newton method): `a`, `b` with
/// `σ(a·m + b)` the probability of the label given margin `m`, fitted on held-out
/// margins with Platt's smoothed targets.
fn platt(margins: &[f32], positive: &[bool]) -> (f32, f32) {
    let prior1 = positive.iter().filter(|&&p| p).count() as f64;
    let prior0 = positive.len() as f64 - prior1;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
    let m: Vec<f64> = margins.iter().map(|&x| f64::from(x)).collect();
    let (mut a, mut b) = (0.0f64, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    // Here the model is P = 1 / (1 + exp(a m + b)); the sign flips on return.
    let f = |a: f64, b: f64| -> f64 {
        m.iter()
            .zip(&t)
            .map(|(&m, &t)| {
                let z = a * m + b;
                if z >= 0.0 {
                    t * z + (1.0 + (-z).exp()).ln()
                } else {
                    (t - 1.0) * z + (1.0 + z.exp()).ln()
                }
            })
            .sum()
    };
    let mut fval = f(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for (&m, &t) in m.iter().zip(&t) {
            let z = a * m + b;
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += m * m * d2;
            h22 += d2;
            h21 += m * d2;
            let d1 = t - p;
            g1 += m * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = f(na, nb);
            if nf < fval + 1e-4 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if step < 1e-10 {
            break;
        }
    }
    if a >= 0.0 {
        // A score must not fall as the margin rises: where held-out margins run
        // against the labels (nothing generalizes yet), the label's rate is all the
        // model knows.
        return (0.0, (((prior1 + 1.0) / (prior0 + 1.0)).ln()) as f32);
    }
    (-a as f32, -b as f32)
}

/// Candidate thresholds, as probabilities.
const GRID: [f32; 19] = [
    0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
    0.9, 0.95,
];

fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    let d = 2 * tp + fp + fn_;
    if d == 0 {
        0.0
    } else {
        2.0 * tp as f64 / d as f64
    }
}

/// Fits one axis' scorers on held-out margins: Platt's sigmoid per label, then the
/// thresholds that maximize the axis' micro-F1 on those same held-out margins, folded
/// into the scores so that 0.5 is where each label is worth accepting.
///
/// - A single-label axis (every decision has at most one label there) suggests its
///   best label alone, when its probability reaches one threshold tuned for the axis.
/// - Otherwise each label gets its own threshold (coordinate ascent on the axis'
///   micro-F1: rare labels are not held to the common labels' bar), and the best
///   label is suggested anyway when nothing passes and its probability reaches a
///   tuned rescue threshold (decisions usually carry a label on each axis).
fn calibrate(
    labels: &[(LabelId, usize, &[f32], &[bool])],
    decided: &[&[LabelId]],
    single: bool,
    tune: bool,
) -> AxisModel {
    let n = decided.len();
    let mut scorers: Vec<Scorer> = labels
        .iter()
        .map(|(id, column, margins, positive)| {
            let (a, b) = platt(margins, positive);
            Scorer {
                id: id.clone(),
                column: *column,
                a,
                b,
                shift: 0.0,
            }
        })
        .collect();
    if scorers.is_empty() || !tune {
        return AxisModel {
            scorers,
            single,
            rescue: None,
        };
    }
    // Held-out probabilities, [article][label].
    let probs: Vec<Vec<f32>> = (0..n)
        .map(|i| {
            labels
                .iter()
                .zip(&scorers)
                .map(|((_, _, m, _), s)| sigmoid(s.a * m[i] + s.b))
                .collect()
        })
        .collect();
    let truth: Vec<Vec<bool>> = (0..n)
        .map(|i| labels.iter().map(|(_, _, _, p)| p[i]).collect())
        .collect();
    // Labels the model cannot suggest still count as missed when decided.
    let unknown_fn: usize = decided
        .iter()
        .map(|d| {
            d.iter()
                .filter(|id| !labels.iter().any(|l| &l.0 == *id))
                .count()
        })
        .sum();
    let top: Vec<usize> = probs
        .iter()
        .map(|p| {
            (0..p.len())
                .max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a)))
                .unwrap_or(0)
        })
        .collect();
    if single {
        let mut best = (f64::MIN, 0.5f32);
        for &t in &GRID {
            let (mut tp, mut fp, mut fn_) = (0, 0, unknown_fn);
            for i in 0..n {
                let k = top[i];
                let chosen = probs[i][k] >= t;
                for (l, &truth) in truth[i].iter().enumerate() {
                    let s = chosen && l == k;
                    match (s, truth) {
                        (true, true) => tp += 1,
                        (true, false) => fp += 1,
                        (false, true) => fn_ += 1,
                        _ => {}
                    }
                }
            }
            let score = f1(tp, fp, fn_);
            if score > best.0 + 1e-9 {
                best = (score, t);
            }
        }
        let shift = logit(best.1);
        for s in &mut scorers {
            s.shift = shift;
        }
        return AxisModel {
            scorers,
            single,
            rescue: None,
        };
    }
    // Per-label thresholds, starting from the best common one.
    let counts = |th: &[f32], rescue: Option<f32>| -> (usize, usize, usize) {
        let (mut tp, mut fp, mut fn_) = (0, 0, unknown_fn);
        for i in 0..n {
            let any = (0..th.len()).any(|l| probs[i][l] >= th[l]);
            for l in 0..th.len() {
                let s = probs[i][l] >= th[l]
                    || (!any && l == top[i] && rescue.is_some_and(|r| probs[i][l] >= r));
                match (s, truth[i][l]) {
                    (true, true) => tp += 1,
                    (true, false) => fp += 1,
                    (false, true) => fn_ += 1,
                    _ => {}
                }
            }
        }
        (tp, fp, fn_)
    };
    let k = scorers.len();
    let mut th = vec![0.5f32; k];
    let mut best = f64::MIN;
    for &t in &GRID {
        let cand = vec![t; k];
        let (tp, fp, fn_) = counts(&cand, None);
        if f1(tp, fp, fn_) > best + 1e-9 {
            best = f1(tp, fp, fn_);
            th = cand;
        }
    }
    for _ in 0..2 {
        for l in 0..k {
            for &t in &GRID[1..GRID.len() - 1] {
                let old = th[l];
                th[l] = t;
                let (tp, fp, fn_) = counts(&th, None);
                if f1(tp, fp, fn_) > best + 1e-9 {
                    best = f1(tp, fp, fn_);
                } else {
                    th[l] = old;
                }
            }
        }
    }
    let mut rescue = None;
    for &r in &GRID {
        let (tp, fp, fn_) = counts(&th, Some(r));
        if f1(tp, fp, fn_) > best + 1e-9 {
            best = f1(tp, fp, fn_);
            rescue = Some(r);
        }
    }
    for (s, t) in scorers.iter_mut().zip(&th) {
        s.shift = logit(*t);
    }
    AxisModel {
        scorers,
        single,
        rescue: rescue.map(logit),
    }
}

#[cfg(test)]
mod tests;
