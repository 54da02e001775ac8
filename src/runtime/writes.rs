//! The write rules, in one place: how a change reaches its sidecar, and what happens
//! when the disk refuses it.
//!
//! - **Attempt**: one atomic write of the change's edits, stamped with the time and
//!   the article's hash ([`Writes::attempt`]; `triage label` writes through it too,
//!   so both write the same bytes).
//! - **Pending time**: the seconds counted on the article since its last change ride
//!   along with the next one.
//! - **Defer**: a change to an article with an unsaved change waits behind it, so
//!   edits reach a sidecar in the order they were made.
//! - **Retry**: every new change, the `save` key and every way out first retry the
//!   unsaved changes, oldest first; after one change to an article fails, its later
//!   ones are not tried, so they cannot overtake it.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use crate::app::{AppState, Write};
use crate::domain::{Edit, ReviewerName};
use crate::store::{Faults, Sidecar, StoreError, WriteContext, write_edits};

use super::dwell::Dwell;

/// How this program writes decisions: the time it stamps them with and the failures
/// tests make the disk give. The default is the real time and a disk that works.
#[derive(Clone, Default)]
pub struct Writes {
    /// A fixed time for every write (tests compare bytes); `None` is the real time.
    now: Option<toml::value::Datetime>,
    /// Failures to inject into writes (tests).
    faults: Faults,
}

impl Writes {
    /// Writes stamped with `now` when given, else with the real time.
    pub fn at(now: Option<toml::value::Datetime>) -> Writes {
        Writes {
            now,
            faults: Faults::default(),
        }
    }

    /// Stamps every write with `now` (tests compare bytes).
    #[cfg(any(test, feature = "testing"))]
    pub(super) fn fix_now(&mut self, now: toml::value::Datetime) {
        self.now = Some(now);
    }

    /// Makes every write meet these failures (tests of a full or read-only disk).
    #[cfg(any(test, feature = "testing"))]
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// One write of `edits` to `reviewer`'s sidecar of the article at `article`, whose
    /// bytes hash to `sha256_hex`.
    pub fn attempt(
        &self,
        article: &Path,
        sha256_hex: String,
        reviewer: &ReviewerName,
        edits: &[Edit],
    ) -> Result<Sidecar, StoreError> {
        let mut ctx = WriteContext::now(sha256_hex);
        if let Some(now) = self.now {
            ctx.now = now;
        }
        ctx.faults = self.faults.clone();
        write_edits(article, reviewer, edits, &ctx)
    }

    /// Carries out a change made in the program, by the rules above; the state hears
    /// how it went.
    pub(super) fn write(&self, state: &mut AppState, dwell: &mut Dwell, mut write: Write) {
        if state.entries.get(write.entry).is_none() {
            return;
        }
        if state.is_gone(write.entry) {
            state.error("Not saved: the article was removed from the inbox.");
            return;
        }
        // Every change is also the moment to retry the ones the disk refused before.
        self.retry_unsaved(state);
        let seconds = dwell.take(write.entry);
        if seconds > 0.0 {
            write.edits.push(Edit::AddSeconds(seconds));
        }
        // A change waits behind the article's unsaved ones, so that edits reach its
        // sidecar in the order they were made.
        if state.unsaved_error(write.entry).is_some() {
            state.defer(write);
            return;
        }
        let result = self.attempt_write(state, &write);
        state.write_finished(write, result);
    }

    /// One write of a change made in the program, as the state's reviewer.
    fn attempt_write(&self, state: &AppState, write: &Write) -> Result<Sidecar, StoreError> {
        let entry = state
            .entries
            .get(write.entry)
            .ok_or_else(|| StoreError::Io {
                op: "write",
                path: Default::default(),
                source: io::Error::new(io::ErrorKind::NotFound, "the article is gone"),
            })?;
        self.attempt(
            &entry.path(),
            entry.sha256_hex(),
            &state.reviewer,
            &write.edits,
        )
    }

    /// Tries the unsaved changes again, oldest first. After one change to an article
    /// fails, its later ones are not tried, so they cannot overtake it.
    pub(super) fn retry_unsaved(&self, state: &mut AppState) {
        if state.unsaved.is_empty() {
            return;
        }
        let mut failed = HashSet::new();
        for unsaved in state.take_unsaved() {
            if failed.contains(&unsaved.write.entry) {
                state.unsaved.push(unsaved);
                continue;
            }
            if state.is_gone(unsaved.write.entry) {
                // Writing now would leave a sidecar beside nothing.
                state.error(
                    "An unsaved change was dropped: its article was removed from the inbox.",
                );
                continue;
            }
            let result = self.attempt_write(state, &unsaved.write);
            if result.is_err() {
                failed.insert(unsaved.write.entry);
            }
            state.retry_finished(unsaved, result);
        }
    }

    /// The `save` key: retry now and say how it went.
    pub(super) fn save_now(&self, state: &mut AppState) {
        let before = state.unsaved.len();
        self.retry_unsaved(state);
        match state.unsaved.last() {
            None if before == 0 => state.info("Every change is saved."),
            None => state.info(format!(
                "Saved: {before} change{} now on disk.",
                if before == 1 { " is" } else { "s are" }
            )),
            Some(u) => {
                let text = format!(
                    "Still not saved ({} unsaved): {}",
                    state.unsaved.len(),
                    u.error
                );
                state.error(text);
            }
        }
    }
}
