//! What a team does with its decisions once they are made: export them, count them,
//! measure how far reviewers agree, and settle their disagreements; and who labels
//! what (`assign`, the inbox's `assignments.toml`).
//!
//! Everything here reads the same sidecars the TUI writes, for every reviewer at
//! once; none of it writes a sidecar (adjudication writes through the store like any
//! other labeling, as reviewer `final`).

pub mod agree;
pub mod assign;
pub mod export;
pub mod stats;
pub mod suggest;
pub mod sync;

use crate::store::{Entry, Sidecar, SidecarState};

/// Every reviewer's readable sidecar of an article, sorted by reviewer name. `me` is
/// the session's reviewer (see [`Entry::mine`]); unreadable sidecars are left
/// out (the commands warn about them with [`broken_sidecars`], `triage check` reports
/// them).
pub fn sidecars_of<'a>(entry: &'a Entry, me: &'a str) -> Vec<(&'a str, &'a Sidecar)> {
    let mut all: Vec<(&str, &Sidecar)> = entry
        .mine_first(me)
        .filter_map(|(name, state)| state.sidecar().map(|s| (name, s)))
        .collect();
    all.sort_by(|a, b| a.0.cmp(b.0));
    all
}

/// Every sidecar of `entries` that exists but cannot be read (it does not parse, it
/// is a folder, the disk refused), as one sentence each naming the file. The team
/// commands leave such sidecars out of their figures, and say so with these: a
/// colleague's decision must never vanish from the team's data without a word.
pub fn broken_sidecars(entries: &[Entry], me: &str) -> Vec<String> {
    entries
        .iter()
        .flat_map(|e| e.mine_first(me).map(|(_, s)| s))
        .filter_map(|state| match state {
            SidecarState::Broken(problem) => Some(problem.clone()),
            _ => None,
        })
        .collect()
}
