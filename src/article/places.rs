//! Places named in an article, and the regions they suggest: a built-in gazetteer.
//!
//! (Skeleton: the gazetteer itself is being written; until then nothing is found.)

use super::{Article, Suggestion};
use crate::labels::Taxonomy;

/// The regions the places named in `article` suggest in `taxonomy`, best first, each
/// saying where it was found (`dateline BEIRUT`, `title: Syrian`, `text: Moscow ×3`)
/// with a score from 0 to 1.
pub fn regions(_article: &Article, _taxonomy: &Taxonomy) -> Vec<Suggestion> {
    Vec::new()
}

/// The places of `article` as extra tokens for the learner (`§country:sy`,
/// `§region:mena`, `§dateline:mena`, …), so a model learns how the team's own
/// regions follow from places, whatever its taxonomy.
pub fn features(_article: &Article) -> Vec<String> {
    Vec::new()
}
