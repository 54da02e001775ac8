//! How good the suggestions would have been: K-fold cross-validation over the done
//! decisions, as `triage suggest --evaluate` reports it.
//!
//! The examples are shuffled once with a fixed seed (the same inbox always gives the
//! same folds) and dealt into K folds; each fold is suggested by a model trained on
//! the other K − 1 only, so no article's own labels reach its own suggestion.
//!
//! Keys, as product.md counts them: by hand, each axis the decision gives labels
//! costs 1 (open its picker) + 1 per label, and every decision ends with a
//! reliability digit and `Enter` (one region and one theme: `r m t w 4 Enter`, six
//! keys). With suggestions: `a` (1, when anything is suggested), then for each axis
//! whose suggested set is not the decided one, 1 (open its picker) + 1 per label to
//! add or remove, then the digit and `Enter`.

use serde::Serialize;

use super::linear::Rng;
use super::{Config, Example, Labels, Model};
use crate::article::Article;
use crate::labels::{Axis, LabelId, Taxonomy};

/// Micro-averaged counts and rates of one axis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AxisScore {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl AxisScore {
    fn add(&mut self, suggested: &[LabelId], decided: &[LabelId]) {
        let hits = suggested.iter().filter(|s| decided.contains(s)).count();
        self.true_positives += hits;
        self.false_positives += suggested.len() - hits;
        self.false_negatives += decided.iter().filter(|d| !suggested.contains(d)).count();
    }

    fn finish(&mut self) {
        let (tp, fp, fn_) = (
            self.true_positives as f64,
            self.false_positives as f64,
            self.false_negatives as f64,
        );
        self.precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        self.recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
        self.f1 = if tp > 0.0 {
            2.0 * tp / (2.0 * tp + fp + fn_)
        } else {
            0.0
        };
    }
}

/// What cross-validation found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    pub folds: usize,
    pub examples: usize,
    pub region: AxisScore,
    pub theme: AxisScore,
    /// Articles whose suggested region and theme sets both equal the decided ones:
    /// `a` alone would have been exactly right.
    pub exactly_right: usize,
    /// `exactly_right` as a share of `examples`, 0 to 1.
    pub exactly_right_share: f64,
    /// Mean keys per article labeling by hand (see the module doc).
    pub keys_by_hand: f64,
    /// Mean keys per article starting from the suggestions.
    pub keys_with_suggestions: f64,
}

/// Why an evaluation cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluateError {
    #[error("--folds must be from 2 to 20, not {0}.")]
    Folds(usize),
    #[error(
        "{folds}-fold cross-validation needs at least {folds} done decisions; the inbox has {examples}."
    )]
    TooFew { folds: usize, examples: usize },
}

/// The keys to record `decided` by hand.
pub fn keys_by_hand(decided: &Labels) -> usize {
    let axes: usize = [&decided.region, &decided.theme]
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| 1 + l.len())
        .sum();
    axes + 2
}

/// The keys to record `decided` starting from `suggested`.
pub fn keys_with(suggested: &Labels, decided: &Labels) -> usize {
    let accept = usize::from(!suggested.region.is_empty() || !suggested.theme.is_empty());
    let fix: usize = [
        (&suggested.region, &decided.region),
        (&suggested.theme, &decided.theme),
    ]
    .iter()
    .map(|(s, d)| {
        let changes = s.iter().filter(|x| !d.contains(x)).count()
            + d.iter().filter(|x| !s.contains(x)).count();
        if changes == 0 { 0 } else { 1 + changes }
    })
    .sum();
    accept + fix + 2
}

fn same(a: &[LabelId], b: &[LabelId]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// K-fold cross-validation of the default model with the program's `suggest` rule.
pub fn evaluate(
    examples: &[Example],
    taxonomy: &Taxonomy,
    folds: usize,
    suggest: impl Fn(&Model, &Article) -> Labels + Sync,
) -> Result<Evaluation, EvaluateError> {
    evaluate_with(examples, taxonomy, folds, &Config::default(), suggest)
}

/// The folds: `fold[i]` is the fold of example `i`.
pub fn folds_of(examples: usize, folds: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..examples).collect();
    Rng::new(0x5eed_f01d).shuffle(&mut order);
    let mut fold = vec![0; examples];
    for (position, &i) in order.iter().enumerate() {
        fold[i] = position % folds;
    }
    fold
}

/// [`evaluate`] with other model settings.
pub fn evaluate_with(
    examples: &[Example],
    taxonomy: &Taxonomy,
    folds: usize,
    config: &Config,
    suggest: impl Fn(&Model, &Article) -> Labels + Sync,
) -> Result<Evaluation, EvaluateError> {
    if !(2..=20).contains(&folds) {
        return Err(EvaluateError::Folds(folds));
    }
    if examples.len() < folds {
        return Err(EvaluateError::TooFew {
            folds,
            examples: examples.len(),
        });
    }
    let fold = folds_of(examples.len(), folds);
    let mut out = Evaluation {
        folds,
        examples: examples.len(),
        ..Evaluation::default()
    };
    let (mut by_hand, mut with) = (0usize, 0usize);
    for k in 0..folds {
        let train: Vec<Example> = examples
            .iter()
            .zip(&fold)
            .filter(|(_, f)| **f != k)
            .map(|(e, _)| e.clone())
            .collect();
        let model = Model::train_with(&train, taxonomy, config);
        let held: Vec<&Example> = examples
            .iter()
            .zip(&fold)
            .filter(|(_, f)| **f == k)
            .map(|(e, _)| e)
            .collect();
        let suggested = super::parallel(held.len(), |i| suggest(&model, &held[i].article));
        for (e, s) in held.iter().zip(&suggested) {
            out.region
                .add(s.of(Axis::Region), e.labels.of(Axis::Region));
            out.theme.add(s.of(Axis::Theme), e.labels.of(Axis::Theme));
            if same(&s.region, &e.labels.region) && same(&s.theme, &e.labels.theme) {
                out.exactly_right += 1;
            }
            by_hand += keys_by_hand(&e.labels);
            with += keys_with(s, &e.labels);
        }
    }
    out.region.finish();
    out.theme.finish();
    let n = examples.len() as f64;
    out.exactly_right_share = out.exactly_right as f64 / n;
    out.keys_by_hand = by_hand as f64 / n;
    out.keys_with_suggestions = with as f64 / n;
    Ok(out)
}
