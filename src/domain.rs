//! The words of the domain that several modules share without depending on each
//! other: `search` filters by a [`Status`] and `store` writes it, so it lives here,
//! below both, rather than in `store`.

use serde::{Deserialize, Serialize};

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
