//! The words of the domain that several modules share without depending on each
//! other: `search` filters by a [`Status`] and `store` writes it; `app` edits a
//! [`Decision`] and `store` applies the same [`Edit`]s to what it re-reads; `ui` and
//! `team` read decisions. They live here, below all of them, rather than in `store`.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::labels::Axis;
pub use crate::labels::LabelId;

/// Where an article stands for one reviewer. With no sidecar, it is `Todo`; a sidecar
/// that holds labels but was not yet marked done, skipped or flagged also says `todo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Todo,
    Done,
    Skipped,
    Flagged,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::Flagged => "flagged",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "todo" => Some(Status::Todo),
            "done" => Some(Status::Done),
            "skipped" => Some(Status::Skipped),
            "flagged" => Some(Status::Flagged),
            _ => None,
        }
    }
}

/// The most time one decision can have taken, in seconds: a year. Time is counted
/// only while the article is selected, with idle gaps left out, so anything larger
/// was not counted by triage.
pub const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// What one reviewer decided about one article.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    pub status: Status,
    /// Region label ids, in the order they were added.
    pub region: Vec<LabelId>,
    /// Theme label ids, in the order they were added.
    pub theme: Vec<LabelId>,
    pub reliability: Option<LabelId>,
    pub note: Option<String>,
    /// Seconds spent on the article so far, across visits.
    pub seconds: f64,
}

/// One change to a decision. Writes carry edits rather than whole decisions so that,
/// after re-reading the sidecar under the lock, only what this keystroke changed is
/// applied, and a second session's changes to other fields survive.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Add a label id to a multi-label axis (no-op if present).
    Add(Axis, LabelId),
    /// Remove a label id from a multi-label axis (no-op if absent).
    Remove(Axis, LabelId),
    SetReliability(Option<LabelId>),
    SetStatus(Status),
    SetNote(Option<String>),
    /// Add time spent on the article.
    AddSeconds(f64),
}

impl Decision {
    /// Applies one edit in memory; the store applies the same edits to what it re-reads.
    pub fn apply(&mut self, edit: &Edit) {
        match edit {
            Edit::Add(axis, id) => {
                if let Some(list) = self.list_mut(*axis) {
                    if !list.contains(id) {
                        list.push(id.clone());
                    }
                } else {
                    self.reliability = Some(id.clone());
                }
            }
            Edit::Remove(axis, id) => {
                if let Some(list) = self.list_mut(*axis) {
                    list.retain(|x| x != id);
                } else if self.reliability.as_ref() == Some(id) {
                    self.reliability = None;
                }
            }
            Edit::SetReliability(id) => self.reliability = id.clone(),
            Edit::SetStatus(status) => self.status = *status,
            Edit::SetNote(note) => self.note = note.clone().filter(|n| !n.is_empty()),
            Edit::AddSeconds(s) => {
                if s.is_finite() && *s > 0.0 {
                    // A hand-edited NaN or negative total is not kept growing: the
                    // time counted from here on replaces it.
                    self.seconds = self.recorded_seconds().unwrap_or(0.0) + s;
                }
            }
        }
    }

    /// True when both say the same about the article: everything but the time spent,
    /// which is not a choice and never alone worth a write.
    pub fn same_choices(&self, other: &Decision) -> bool {
        self.status == other.status
            && self.region == other.region
            && self.theme == other.theme
            && self.reliability == other.reliability
            && self.note == other.note
    }

    /// The time spent, when it is one: `seconds` read from a file may say anything
    /// (`nan`, `inf`, `-5`, `1e300`), and such a value is ignored by every total
    /// rather than summed into nonsense. The decision's labels still count.
    pub fn recorded_seconds(&self) -> Option<f64> {
        let s = self.seconds;
        (s.is_finite() && (0.0..=MAX_SECONDS).contains(&s)).then_some(s)
    }

    /// Why `seconds` is not a time spent, for `triage check`; `None` when it is one.
    pub fn seconds_problem(&self) -> Option<String> {
        match self.recorded_seconds() {
            Some(_) => None,
            None => Some(format!(
                "seconds = {} is not a time spent (it must be a number from 0 to {MAX_SECONDS}); \
                 stats ignore it",
                self.seconds
            )),
        }
    }

    /// The label ids chosen on an axis (reliability as a list of zero or one).
    pub fn labels(&self, axis: Axis) -> Vec<&str> {
        match axis {
            Axis::Region => self.region.iter().map(LabelId::as_str).collect(),
            Axis::Theme => self.theme.iter().map(LabelId::as_str).collect(),
            Axis::Reliability => self.reliability.iter().map(LabelId::as_str).collect(),
        }
    }

    pub fn has(&self, axis: Axis, id: &str) -> bool {
        self.labels(axis).contains(&id)
    }

    fn list_mut(&mut self, axis: Axis) -> Option<&mut Vec<LabelId>> {
        match axis {
            Axis::Region => Some(&mut self.region),
            Axis::Theme => Some(&mut self.theme),
            Axis::Reliability => None,
        }
    }
}

/// A reviewer's name, checked. It becomes part of sidecar file names
/// (`<article>.<name>.toml`) and is matched back out of them by the scan, so a name
/// nobody checked must not get that far: [`ReviewerName::parse`] is the only way to
/// make one, and the command line makes every name it is given through it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReviewerName(String);

/// The adjudicator's name when none is given. It is never a rater: `triage agree`
/// always leaves it out.
pub const FINAL: &str = "final";

impl ReviewerName {
    /// [`FINAL`] as a name, without a check that could fail: it follows the rules
    /// (a test says so).
    pub fn final_default() -> ReviewerName {
        ReviewerName(FINAL.to_string())
    }

    /// The name when it follows the rules, else why not, as the end of a sentence
    /// that starts with the name (see [`reviewer_problem`]).
    pub fn parse(name: &str) -> Result<ReviewerName, String> {
        match reviewer_problem(name) {
            Some(problem) => Err(problem),
            None => Ok(ReviewerName(name.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Reads as the `&str` it holds, so code that only reads a name needs no change.
impl Deref for ReviewerName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ReviewerName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReviewerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ReviewerName> for String {
    fn from(name: ReviewerName) -> String {
        name.0
    }
}

impl PartialEq<str> for ReviewerName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ReviewerName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Reviewer names are part of sidecar file names and are matched back out of them by
/// the scan, so they use a plain alphabet and cannot make a dotfile.
/// The scan calls this for every sidecar it meets, so it allocates nothing;
/// [`reviewer_problem`] says why a name is refused.
pub fn valid_reviewer(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_REVIEWER
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The longest reviewer name, in characters (all ASCII, so bytes too).
pub const MAX_REVIEWER: usize = 64;

/// What is wrong with a reviewer name, as the end of a sentence that starts with the
/// name ("may only use …"), or `None` when it is a valid name. Every rule it breaks
/// is named, so that a name of the right letters but too long is told just that.
pub fn reviewer_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty; give letters, digits, '.', '_' or '-'".to_string());
    }
    let mut problems = Vec::new();
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        problems.push("may only use letters, digits, '.', '_' and '-'".to_string());
    }
    let chars = name.chars().count();
    if chars > MAX_REVIEWER {
        problems.push(format!(
            "is {chars} characters long, and the limit is {MAX_REVIEWER}"
        ));
    }
    if name.starts_with('.') {
        problems.push("may not start with '.'".to_string());
    }
    (!problems.is_empty()).then(|| problems.join("; it "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviewer_name_is_made_only_from_a_name_that_follows_the_rules() {
        assert_eq!(
            ReviewerName::parse(FINAL),
            Ok(ReviewerName::final_default())
        );
        let alice = ReviewerName::parse("alice");
        assert_eq!(alice.as_ref().map(|n| n.as_str()), Ok("alice"));
        let long = "a".repeat(MAX_REVIEWER + 1);
        for bad in ["", ".hidden", "x y", "a/b", "../up", long.as_str()] {
            let problem = reviewer_problem(bad).unwrap_or_default();
            assert!(!problem.is_empty(), "{bad:?} should be refused");
            assert_eq!(ReviewerName::parse(bad), Err(problem), "{bad:?}");
        }
    }
}
