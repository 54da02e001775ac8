//! What a team does with its decisions once they are made: export them, count them,
//! measure how far reviewers agree, and settle their disagreements.
//!
//! Everything here reads the same sidecars the TUI writes, for every reviewer at
//! once; none of it writes a sidecar (adjudication writes through the store like any
//! other labeling, as reviewer `final`).

pub mod agree;
pub mod export;
pub mod stats;

use crate::store::{Entry, Sidecar, SidecarState};

/// Every reviewer's readable sidecar of an article, sorted by reviewer name. `me` is
/// the reviewer whose sidecar the entry holds in `mine`; unreadable sidecars are left
/// out (`triage check` reports them).
pub fn sidecars_of<'a>(entry: &'a Entry, me: &'a str) -> Vec<(&'a str, &'a Sidecar)> {
    let mut all: Vec<(&str, &Sidecar)> = Vec::new();
    if let SidecarState::Saved(s) = &entry.mine {
        all.push((me, s));
    }
    for (name, state) in &entry.others {
        if let SidecarState::Saved(s) = state {
            all.push((name.as_str(), s));
        }
    }
    all.sort_by(|a, b| a.0.cmp(b.0));
    all
}
