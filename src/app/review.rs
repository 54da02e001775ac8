//! Adjudication: a review of the articles where reviewers disagree, with each
//! reviewer's labels side by side, where an adjudicator settles the final labels.
//!
//! The adjudicator is a reviewer like any other — named `final` unless `--final-name`
//! says otherwise — so the settled labels are one more sidecar
//! (`<article>.final.toml`), written through the same store, exported and counted
//! like the rest, and left out of agreement (they are the answer, not a rater).
//!
//! One rule for every way in: the review writes only as the adjudicator, never into
//! the sidecars of the reviewer who opened it or of anyone being compared. Entering
//! review from a normal session (`R`) switches the writing identity to the
//! adjudicator and leaving switches it back; a session started with `--review` starts
//! as the adjudicator, and `R` returns to the reviewer's own name. A name that already
//! holds done decisions — a rater's — is refused ([`adjudicator_refusal`]).
//!
//! Only `done` decisions take part: a skipped or flagged article has no labels to
//! compare. `a` accepts what a majority (more than half) of the reviewers chose on
//! each axis, shown as the suggestions; the rest is picked with the usual keys. Only
//! ids that `labels.toml` has are ever suggested: an id a reviewer's sidecar holds
//! but the taxonomy does not is shown in the table, marked unknown, and never copied.

use std::collections::BTreeMap;

use super::{AppState, Effect, facet_of};
use crate::article::{Suggestion, Suggestions};
use crate::domain::{Decision, LabelId, ReviewerName, Status};
use crate::labels::Axis;
use crate::store::Entry;
use crate::team::agree::{counting, differing_axes};

pub use crate::domain::FINAL;

/// Why `name` may not settle disagreements, as one sentence, or `None` when it may.
/// `me` is the reviewer the entries were loaded for.
///
/// The review writes the settled labels under `name`; if that is a reviewer whose
/// done decisions are among those compared, it would overwrite the very decisions
/// being settled. `final` is reserved for adjudication and always allowed.
pub fn adjudicator_refusal(entries: &[Entry], me: &str, name: &str) -> Option<String> {
    if name == FINAL {
        return None;
    }
    let rater = entries.iter().any(|e| {
        crate::team::sidecars_of(e, me)
            .iter()
            .any(|(n, s)| *n == name && s.decision.status == Status::Done)
    });
    rater.then(|| {
        format!(
            "{name} already has done decisions in this inbox, so it cannot be the name the \
             review saves settled labels under (give --final-name a name of its own; the \
             default is {FINAL})"
        )
    })
}

/// The review of disagreements as the session holds it: whether it is open, and
/// who settles disagreements in it.
#[derive(Debug)]
pub struct Reviewing {
    /// The open review of disagreements, if any.
    pub open: Option<Review>,
    /// Who settles disagreements in the review (`final` unless told otherwise).
    pub adjudicator: ReviewerName,
    /// `adjudicator` was checked (see [`adjudicator_refusal`]) and the review
    /// opened; its own settled decisions do not make it a rater afterwards.
    adjudicator_cleared: bool,
}

impl Default for Reviewing {
    fn default() -> Reviewing {
        Reviewing {
            open: None,
            adjudicator: ReviewerName::final_default(),
            adjudicator_cleared: false,
        }
    }
}

/// An open review: whom to switch back to when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub previous: ReviewerName,
}

impl AppState {
    /// The name the settled labels are written under.
    pub fn adjudicator(&self) -> &str {
        &self.review.adjudicator
    }

    /// True while the review of disagreements is open.
    pub fn reviewing(&self) -> bool {
        self.review.open.is_some()
    }

    /// The other reviewers' done decisions on an article, for the review's table.
    pub fn review_decisions(&self, entry: usize) -> Vec<(&str, &Decision)> {
        match self.entries.get(entry) {
            Some(e) => counting(e, &self.reviewer, &[self.review.adjudicator.as_str()]),
            None => Vec::new(),
        }
    }

    /// Opens the review (switching to the adjudicator) or closes it (switching back).
    pub fn toggle_review(&mut self) -> Vec<Effect> {
        if !self.unsaved.is_empty() {
            self.error("Unsaved changes belong to the current reviewer: save them first (ctrl-s).");
            return Vec::new();
        }
        if self.review.open.is_none() && !self.review.adjudicator_cleared {
            let refusal =
                adjudicator_refusal(&self.entries, &self.reviewer, &self.review.adjudicator);
            if let Some(refusal) = refusal {
                self.error(format!("No review: {refusal}."));
                return Vec::new();
            }
        }
        match self.review.open.take() {
            Some(review) => {
                let previous = review.previous;
                if previous != self.reviewer {
                    self.switch_reviewer(&previous);
                }
                self.info(format!("Review closed; labeling as {previous}."));
            }
            None => {
                let previous = self.reviewer.clone();
                let adjudicator = self.review.adjudicator.clone();
                if adjudicator != self.reviewer {
                    self.switch_reviewer(&adjudicator);
                }
                self.review.open = Some(Review { previous });
                // Checked once: from here on the adjudicator's own settled decisions
                // are what makes it hold done decisions.
                self.review.adjudicator_cleared = true;
                let n = self.review_list().len();
                if n == 0 {
                    self.info(format!(
                        "Review: no disagreements to settle; labels would be saved as {adjudicator}."
                    ));
                } else {
                    self.info(format!(
                        "Review: {n} article{} where reviewers disagree; labels are saved as {adjudicator}.",
                        if n == 1 { "" } else { "s" }
                    ));
                }
            }
        }
        self.mode = super::Mode::Normal;
        self.clear_search();
        Vec::new()
    }

    /// The articles the review lists: two or more reviewers decided and disagree.
    pub fn review_list(&self) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| self.in_review(i))
            .collect()
    }

    /// Whether the review lists this article.
    pub fn in_review(&self, entry: usize) -> bool {
        !self.is_gone(entry) && !self.review_differences(entry).is_empty()
    }

    /// The axes the counting decisions on the article differ on: what the review
    /// marks `≠`. Here, so that `ui` asks the state rather than `team`.
    pub fn review_differences(&self, entry: usize) -> Vec<Axis> {
        differing_axes(&self.review_decisions(entry))
    }

    /// Starts the session in review (`--review`). The state must already be the
    /// adjudicator's (`reviewer == review_as`, loaded under that name, checked with
    /// [`adjudicator_refusal`]); `previous` is the reviewer's own name, which `R`
    /// returns to.
    pub fn start_review(&mut self, previous: ReviewerName) {
        if self.reviewer != self.review.adjudicator {
            let adjudicator = self.review.adjudicator.clone();
            self.switch_reviewer(&adjudicator);
        }
        self.review.open = Some(Review { previous });
        self.review.adjudicator_cleared = true;
        self.view = self.review_list();
        self.cursor = 0;
    }

    /// What a majority of the reviewers chose, offered as the article's suggestions
    /// in the review so that `a` accepts it.
    pub fn majority(&self, entry: usize) -> Suggestions {
        let decisions = self.review_decisions(entry);
        let n = decisions.len();
        let mut out = Suggestions::default();
        if n == 0 {
            return out;
        }
        for axis in Axis::ALL {
            let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, d) in &decisions {
                for id in d.labels(axis) {
                    // Only ids labels.toml has: `a` must never copy an unknown one.
                    if self.taxonomy.label(axis, id).is_some() {
                        *votes.entry(id).or_default() += 1;
                    }
                }
            }
            // Taxonomy order, so the suggestions read like the pickers.
            let mut chosen: Vec<(usize, Suggestion)> = votes
                .into_iter()
                .filter(|&(_, v)| v * 2 > n)
                .map(|(id, v)| {
                    let rank = self
                        .taxonomy
                        .axis(axis)
                        .labels
                        .iter()
                        .position(|l| l.id == id);
                    (
                        rank.unwrap_or(usize::MAX),
                        Suggestion::certain(LabelId::from(id), format!("{v} of {n} reviewers")),
                    )
                })
                .collect();
            chosen.sort_by_key(|(rank, _)| *rank);
            let chosen = chosen.into_iter().map(|(_, s)| s);
            match axis {
                Axis::Region => out.region = chosen.collect(),
                Axis::Theme => out.theme = chosen.collect(),
                Axis::Reliability => out.reliability = chosen.into_iter().next(),
            }
        }
        out
    }

    /// Becomes another reviewer: every entry holds each reviewer's sidecar by name,
    /// so only the name changes. The undo history belonged to the old name.
    fn switch_reviewer(&mut self, name: &ReviewerName) {
        self.reviewer = name.clone();
        let facets: Vec<_> = self
            .entries
            .iter()
            .map(|e| {
                let mut facet = facet_of(e, &self.reviewer, &self.taxonomy);
                facet.not_mine = super::not_mine(self.assignments.as_deref(), e, &self.reviewer);
                facet
            })
            .collect();
        let gone: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.is_gone(i))
            .collect();
        self.catalog.facets = std::sync::Arc::new(facets);
        for i in gone {
            std::sync::Arc::make_mut(&mut self.catalog.facets)[i].gone = true;
        }
        self.changes.forget();
    }
}
