//! The words of the domain that several modules share without depending on each
//! other: `search` filters by a [`Status`] and `store` writes it; `app` edits a
//! [`Decision`] and `store` applies the same [`Edit`]s to what it re-reads; `ui` and
//! `team` read decisions. They live here, below all of them, rather than in `store`.

use serde::{Deserialize, Serialize};

use crate::labels::Axis;

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
    pub region: Vec<String>,
    /// Theme label ids, in the order they were added.
    pub theme: Vec<String>,
    pub reliability: Option<String>,
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
    Add(Axis, String),
    /// Remove a label id from a multi-label axis (no-op if absent).
    Remove(Axis, String),
    SetReliability(Option<String>),
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
                } else if self.reliability.as_deref() == Some(id) {
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
            Axis::Region => self.region.iter().map(String::as_str).collect(),
            Axis::Theme => self.theme.iter().map(String::as_str).collect(),
            Axis::Reliability => self.reliability.iter().map(String::as_str).collect(),
        }
    }

    pub fn has(&self, axis: Axis, id: &str) -> bool {
        self.labels(axis).contains(&id)
    }

    fn list_mut(&mut self, axis: Axis) -> Option<&mut Vec<String>> {
        match axis {
            Axis::Region => Some(&mut self.region),
            Axis::Theme => Some(&mut self.theme),
            Axis::Reliability => None,
        }
    }
}
