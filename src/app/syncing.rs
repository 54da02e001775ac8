//! Syncing with the team from the TUI: whether a sync is running, and when the last
//! one succeeded, for the list's title. The sync itself (git) runs off the drawing
//! thread; the loop starts it on [`Effect::Sync`] and reports its end with
//! [`AppState::sync_finished`].

use std::time::{Duration, Instant};

use super::{AppState, Effect};

/// The TUI's side of `triage sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Syncing {
    /// A sync is running: another is not started meanwhile.
    pub running: bool,
    /// When the last sync that succeeded ended.
    pub last: Option<Instant>,
    /// Whole minutes since then, as the title shows them; moved on by
    /// [`AppState::sync_clock`], so drawing never reads the clock.
    pub minutes_ago: Option<u64>,
}

impl Syncing {
    /// What the list's title says: `syncing…`, `synced just now`, `synced 3 min ago`.
    pub fn title(&self) -> Option<String> {
        if self.running {
            return Some("syncing…".to_string());
        }
        Some(match self.minutes_ago? {
            0 => "synced just now".to_string(),
            m if m < 120 => format!("synced {m} min ago"),
            m => format!("synced {} h ago", m / 60),
        })
    }
}

impl AppState {
    /// The reviewer asked to sync: once at a time.
    pub fn sync(&mut self) -> Vec<Effect> {
        if self.syncing.running {
            self.info("Already syncing…");
            return Vec::new();
        }
        self.syncing.running = true;
        vec![Effect::Sync]
    }

    /// A sync ended at `now`: its one line, or its one sentence of why it stopped.
    pub fn sync_finished(&mut self, outcome: Result<String, String>, now: Instant) {
        self.syncing.running = false;
        match outcome {
            Ok(line) => {
                self.syncing.last = Some(now);
                self.syncing.minutes_ago = Some(0);
                self.info(format!("Synced: {line}."));
            }
            Err(why) => self.error(format!("Sync stopped: {why}.")),
        }
    }

    /// The clock moved on to `now`; true when the title changes.
    pub fn sync_clock(&mut self, now: Instant) -> bool {
        let minutes = self
            .syncing
            .last
            .map(|last| now.saturating_duration_since(last).as_secs() / 60);
        let changed = minutes != self.syncing.minutes_ago;
        self.syncing.minutes_ago = minutes;
        changed
    }

    /// An automatic sync (`--sync-every`) is due at `now`.
    pub fn sync_due(&self, every: Duration, started: Option<Instant>, now: Instant) -> bool {
        !self.syncing.running && started.is_none_or(|at| now.saturating_duration_since(at) >= every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Action, update};
    use crate::domain::ReviewerName;
    use crate::labels::Taxonomy;

    fn state() -> AppState {
        let name = ReviewerName::parse("alice").unwrap();
        AppState::empty(name, Taxonomy::default())
    }

    #[test]
    fn the_sync_key_starts_one_sync_at_a_time() {
        let mut s = state();
        assert_eq!(update(&mut s, Action::Sync), vec![Effect::Sync]);
        assert_eq!(s.syncing.title().as_deref(), Some("syncing…"));
        assert_eq!(update(&mut s, Action::Sync), Vec::new());
        assert!(
            s.message
                .as_ref()
                .is_some_and(|m| m.text.contains("Already"))
        );
    }

    #[test]
    fn a_finished_sync_says_what_happened_and_when() {
        let mut s = state();
        update(&mut s, Action::Sync);
        let start = Instant::now();
        s.sync_finished(Ok("sent 2 decisions; nothing received".into()), start);
        let message = s.message.clone().unwrap();
        assert!(!message.error);
        assert_eq!(message.text, "Synced: sent 2 decisions; nothing received.");
        assert_eq!(s.syncing.title().as_deref(), Some("synced just now"));
        assert!(!s.sync_clock(start + Duration::from_secs(59)));
        assert!(s.sync_clock(start + Duration::from_secs(180)));
        assert_eq!(s.syncing.title().as_deref(), Some("synced 3 min ago"));
        assert!(s.sync_clock(start + Duration::from_secs(3 * 3600)));
        assert_eq!(s.syncing.title().as_deref(), Some("synced 3 h ago"));
    }

    #[test]
    fn a_failed_sync_is_an_error_and_keeps_the_last_success() {
        let mut s = state();
        let start = Instant::now();
        s.sync_finished(Ok("nothing to send; nothing received".into()), start);
        update(&mut s, Action::Sync);
        s.sync_finished(Err("cannot fetch from origin (offline)".into()), start);
        let message = s.message.clone().unwrap();
        assert!(message.error);
        assert_eq!(
            message.text,
            "Sync stopped: cannot fetch from origin (offline)."
        );
        assert!(!s.syncing.running);
        assert_eq!(s.syncing.last, Some(start));
    }

    #[test]
    fn never_synced_says_nothing_in_the_title() {
        let mut s = state();
        assert_eq!(s.syncing.title(), None);
        assert!(!s.sync_clock(Instant::now()));
        let every = Duration::from_secs(600);
        let now = Instant::now();
        assert!(s.sync_due(every, None, now));
        assert!(!s.sync_due(every, Some(now), now + Duration::from_secs(599)));
        assert!(s.sync_due(every, Some(now), now + every));
        s.syncing.running = true;
        assert!(!s.sync_due(every, None, now));
    }
}
