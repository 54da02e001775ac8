//! Runs `triage sync` for the TUI on a thread of its own (git may wait seconds on
//! the network) and tells the session with one more event when it ends; a clock
//! thread, started with the first sync, moves the title's "synced 3 min ago" on and
//! starts the syncs `--sync-every` asks for.

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Event;
use crate::team::sync::{Terminal, sync};

/// How often the clock ticks: the title counts whole minutes.
const TICK: Duration = Duration::from_secs(30);

/// The session's syncs: the one running, when the last started, how often to.
#[derive(Default)]
pub struct Syncer {
    /// `--sync-every`.
    pub every: Option<Duration>,
    /// When the last sync started, for `every`.
    pub started: Option<Instant>,
    running: Option<JoinHandle<()>>,
    clock: bool,
}

impl Syncer {
    /// Starts a sync of `reviewers`' sidecars in `inbox`; its outcome arrives as
    /// [`Event::Synced`].
    pub fn start(&mut self, inbox: PathBuf, reviewers: Vec<String>, to: &Sender<Event>) {
        self.wait();
        self.started = Some(Instant::now());
        self.start_clock(to);
        let to = to.clone();
        self.running = Some(std::thread::spawn(move || {
            let names: Vec<&str> = reviewers.iter().map(String::as_str).collect();
            let outcome = sync(&inbox, &names, Terminal::Detached)
                .map(|report| report.line())
                .map_err(|e| e.0);
            let _ = to.send(Event::Synced(outcome));
        }));
    }

    /// Ticks every half minute, until the session is gone.
    pub fn start_clock(&mut self, to: &Sender<Event>) {
        if std::mem::replace(&mut self.clock, true) {
            return;
        }
        let to = to.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(TICK);
                if to.send(Event::SyncClock).is_err() {
                    return;
                }
            }
        });
    }

    /// Waits for the running sync to end: a program that quits never leaves a
    /// rebase half done (git runs detached from the terminal, so the signal that
    /// ends triage does not reach it).
    pub fn wait(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.join();
        }
    }
}
