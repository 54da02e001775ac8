//! Suggestions learned from the team's decisions: a text classifier for region and
//! theme, trained on the inbox's done decisions, and its cross-validated evaluation.
//!
//! (Skeleton: the API the rest of the program uses; the model is being written.)

use std::sync::Arc;

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
    /// scores, of the gap between its best and second-best label.
    pub fn margin(&self) -> f32 {
        1.0
    }
}

/// A trained model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    examples: usize,
}

impl Model {
    /// Trains on `examples`; only labels of `taxonomy` with at least [`MIN_EXAMPLES`]
    /// examples can be suggested.
    pub fn train(examples: &[Example], _taxonomy: &Taxonomy) -> Model {
        Model {
            examples: examples.len(),
        }
    }

    /// Scores for `article`.
    pub fn predict(&self, _article: &Article) -> Prediction {
        Prediction::default()
    }

    /// How many decisions it learned from.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// True when the model can suggest `id` on `axis` (it had enough examples).
    pub fn knows(&self, _axis: Axis, _id: &str) -> bool {
        false
    }
}
