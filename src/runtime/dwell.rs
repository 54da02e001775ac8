//! Where the time goes: the reviewer's time on each article, counted between
//! keystrokes.

use std::collections::HashMap;
#[cfg(any(test, feature = "testing"))]
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// No key for this long means the reviewer is away: the gap is not counted as time
/// spent on the article (a long read with a key now and then still counts).
pub const IDLE_AFTER: Duration = Duration::from_secs(120);

/// The reviewer's time on each article while it is selected, added up across visits
/// and written into the sidecar's `seconds` with the next change to that article's
/// decision. Time is counted between keystrokes, each gap to the article selected
/// during it; a gap of [`IDLE_AFTER`] or more counts nothing. Time is never written
/// on its own: looking at an article changes no decision, so what was counted on an
/// article that is not changed again is dropped at the end.
pub(super) struct Dwell {
    /// The article selected since the last key.
    entry: Option<usize>,
    last_key: Instant,
    /// Seconds counted per article and not yet written.
    pending: HashMap<usize, f64>,
    /// The same for the other reviewers this session wrote as, by name.
    others: HashMap<String, HashMap<usize, f64>>,
    /// The monotonic clock; tests set their own.
    clock: Clock,
}

/// A monotonic clock that tests can move by hand (the hand-moved one exists only in
/// builds for tests).
#[derive(Clone)]
pub enum Clock {
    Real,
    #[cfg(any(test, feature = "testing"))]
    Manual(Arc<Mutex<Instant>>),
}

impl Clock {
    pub fn now(&self) -> Instant {
        match self {
            Clock::Real => Instant::now(),
            #[cfg(any(test, feature = "testing"))]
            Clock::Manual(at) => at.lock().map(|t| *t).unwrap_or_else(|e| *e.into_inner()),
        }
    }
}

impl Dwell {
    pub(super) fn new(entry: Option<usize>, clock: Clock) -> Dwell {
        Dwell {
            entry,
            last_key: clock.now(),
            pending: HashMap::new(),
            others: HashMap::new(),
            clock,
        }
    }

    /// A key arrived: the gap since the last one was spent on the selected article,
    /// unless it was long enough to mean the reviewer was away.
    pub(super) fn key(&mut self) {
        let now = self.clock.now();
        let gap = now.saturating_duration_since(self.last_key);
        self.last_key = now;
        if let Some(entry) = self.entry
            && gap < IDLE_AFTER
        {
            *self.pending.entry(entry).or_default() += gap.as_secs_f64();
        }
    }

    /// The seconds counted on `entry` so far, to be written now.
    pub(super) fn take(&mut self, entry: usize) -> f64 {
        self.pending.remove(&entry).unwrap_or(0.0)
    }

    pub(super) fn follow(&mut self, selected: Option<usize>) {
        self.entry = selected;
    }

    /// The session now writes as another reviewer (the review switches to the
    /// adjudicator and back): what was counted belongs to the one before, and waits
    /// for that reviewer's next change instead of riding along with this one's.
    pub(super) fn switch(&mut self, from: &str, to: &str) {
        let mine = std::mem::take(&mut self.pending);
        if !mine.is_empty() {
            self.others.insert(from.to_string(), mine);
        }
        self.pending = self.others.remove(to).unwrap_or_default();
    }
}
