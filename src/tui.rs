//! The one place that touches the terminal: set it up, run the event loop, carry out
//! effects, and put the terminal back on every way out.
//!
//! Each keystroke is applied, its sidecar write is carried out (renamed and synced),
//! and only then is the next frame drawn; a frame is drawn only when something
//! changed, and ratatui sends only the cells that differ, in one buffered write.

use std::io;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::app::{Action, AppState, Effect, Mode, Write, update};
use crate::input::{Key, Keymap, Resolved, Resolver};
use crate::search::Worker;
use crate::store::{Edit, Loaded, WriteContext, write_edits};
use crate::ui::Ui;

/// Restores the terminal when dropped, so an early return or an error cannot leave
/// the user's shell in raw mode on the alternate screen. (ratatui's own panic hook
/// covers panics.)
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Time spent on the selected article, to add to its sidecar's `seconds`.
struct Dwell {
    entry: Option<usize>,
    since: Instant,
}

impl Dwell {
    /// Seconds since the article was selected or last written, and restarts the count.
    fn take(&mut self, entry: usize) -> f64 {
        if self.entry != Some(entry) {
            return 0.0;
        }
        let now = Instant::now();
        let secs = now.duration_since(self.since).as_secs_f64();
        self.since = now;
        secs
    }

    fn follow(&mut self, selected: Option<usize>) {
        if self.entry != selected {
            self.entry = selected;
            self.since = Instant::now();
        }
    }
}

/// The running program without the terminal: state, keymap, drawing cache and the
/// clock. `run` feeds it real terminal events; tests feed it the same events and draw
/// into a `TestBackend`, so they exercise exactly the path a keystroke takes.
pub struct Session {
    pub state: AppState,
    pub keymap: Keymap,
    resolver: Resolver,
    ui: Ui,
    dwell: Dwell,
    /// A fixed clock for writes (tests); `None` is the real time.
    fixed_now: Option<toml::value::Datetime>,
    /// Ranks searches on its own thread.
    worker: Worker,
    /// Batches of the inbox still arriving from the background loader.
    loader: Option<Receiver<Loaded>>,
}

impl Session {
    pub fn new(state: AppState, keymap: Keymap, color: bool) -> Session {
        let dwell = Dwell {
            entry: state.selected(),
            since: Instant::now(),
        };
        Session {
            state,
            keymap,
            resolver: Resolver::default(),
            ui: Ui::new(color),
            dwell,
            fixed_now: None,
            worker: Worker::spawn(),
            loader: None,
        }
    }

    /// A session whose articles are still loading; they join as batches arrive.
    pub fn loading(
        mut state: AppState,
        keymap: Keymap,
        color: bool,
        loader: Receiver<Loaded>,
    ) -> Session {
        state.loading = true;
        let mut session = Session::new(state, keymap, color);
        session.loader = Some(loader);
        session
    }

    /// True while articles are loading or a ranking is on its way.
    pub fn busy(&self) -> bool {
        self.loader.is_some() || self.state.searching
    }

    /// Takes in whatever the loader and the search worker have ready, without
    /// waiting. Returns true when the screen should be redrawn.
    pub fn pump(&mut self) -> bool {
        let mut changed = false;
        // A bounded number of batches per turn keeps keystrokes flowing while a
        // huge inbox streams in.
        for _ in 0..8 {
            let Some(rx) = &self.loader else { break };
            match rx.try_recv() {
                Ok(Loaded::Batch(entries)) => {
                    let effects = self.state.add_entries(entries);
                    self.carry_out(effects);
                    self.dwell.follow(self.state.selected());
                }
                Ok(Loaded::Done(problems)) => {
                    self.loader = None;
                    let effects = self.state.loading_finished(problems);
                    self.carry_out(effects);
                }
                Ok(Loaded::Failed(reason)) => {
                    self.loader = None;
                    self.state.loading_finished(vec![reason.clone()]);
                    self.state.message = Some(crate::app::Message {
                        text: reason,
                        error: true,
                    });
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.loader = None;
                    self.state.loading = false;
                }
            }
            changed = true;
        }
        while let Ok(outcome) = self.worker.results.try_recv() {
            self.state
                .search_results(outcome.generation, outcome.hits, outcome.complete);
            changed = true;
        }
        changed
    }

    /// Waits until loading and searching are finished (tests, and `triage search`).
    pub fn settle(&mut self, limit: Duration) {
        let start = Instant::now();
        while self.busy() && start.elapsed() < limit {
            if !self.pump() {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }

    /// Makes every write use this time and record no time spent, so tests can compare bytes.
    pub fn fix_clock(&mut self, now: toml::value::Datetime) {
        self.fixed_now = Some(now);
    }

    /// Draws a frame and tells the state what the drawing learned.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> io::Result<()> {
        let mut info = None;
        let (ui, state, keymap) = (&mut self.ui, &self.state, &self.keymap);
        terminal
            .draw(|frame| info = Some(ui.render(state, keymap, frame)))
            .map_err(|e| io::Error::other(e.to_string()))?;
        if let Some(info) = info {
            self.state.max_scroll = info.max_scroll;
            self.state.page = info.page;
            self.state.scroll = self.state.scroll.min(info.max_scroll);
            self.state.match_lines = info.match_lines;
        }
        Ok(())
    }

    /// Applies one terminal event, carrying out its writes before returning. Returns
    /// `None` when nothing happened (nothing to redraw), `Some(false)` to quit.
    pub fn handle(&mut self, event: Event) -> Option<bool> {
        let action = match event {
            Event::Key(k) if k.kind != KeyEventKind::Release => to_action(
                &self.state,
                &self.keymap,
                &mut self.resolver,
                Key::from_event(&k),
            )?,
            Event::Resize(w, h) => Action::Resize(w, h),
            _ => return None,
        };
        Some(self.apply(action))
    }

    /// Applies an action and its effects; false means quit.
    pub fn apply(&mut self, action: Action) -> bool {
        let effects = update(&mut self.state, action);
        let go_on = self.carry_out(effects);
        self.dwell.follow(self.state.selected());
        go_on
    }

    /// Carries out effects in order; false means quit.
    fn carry_out(&mut self, effects: Vec<Effect>) -> bool {
        for effect in effects {
            match effect {
                Effect::Quit => return false,
                Effect::Write(write) => self.write(write),
                Effect::Search(job) => self.worker.submit(job),
            }
        }
        true
    }

    fn write(&mut self, mut write: Write) {
        let Some(entry) = self.state.entries.get(write.entry) else {
            return;
        };
        let mut ctx = WriteContext::now(entry.sha256_hex());
        if let Some(now) = self.fixed_now {
            ctx.now = now;
        } else {
            let seconds = self.dwell.take(write.entry);
            if seconds > 0.0 {
                write.edits.push(Edit::AddSeconds(seconds));
            }
        }
        let result = write_edits(&entry.path(), &self.state.reviewer, &write.edits, &ctx);
        // Time spent is recorded once, never undone or redone.
        write.edits.retain(|e| !matches!(e, Edit::AddSeconds(_)));
        self.state.write_finished(write, result);
    }
}

/// Runs the interactive program until the reviewer quits. The first frame is drawn
/// at once; the inbox fills in behind it while keys already work.
pub fn run(session: Session) -> io::Result<()> {
    let mut session = session;
    let mut terminal = ratatui::try_init()?;
    let _restore = Restore;
    let size = terminal.size()?;
    session.apply(Action::Resize(size.width, size.height));
    let mut dirty = true;
    loop {
        if session.pump() {
            dirty = true;
        }
        if dirty {
            session.draw(&mut terminal)?;
            dirty = false;
        }
        // Short waits while work is arriving, long ones when idle: nothing is drawn,
        // and no CPU spent, when nothing changes.
        let wait = if session.busy() { 15 } else { 500 };
        if !event::poll(Duration::from_millis(wait))? {
            continue;
        }
        match session.handle(event::read()?) {
            Some(true) => dirty = true,
            Some(false) => return Ok(()),
            None => {}
        }
    }
}

/// Turns a key into an action: typed text first while a prompt is open, then the
/// keymap's bindings for the active contexts, then a picker's label keys.
fn to_action(
    state: &AppState,
    keymap: &Keymap,
    resolver: &mut Resolver,
    key: Key,
) -> Option<Action> {
    let plain = !key
        .mods
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if state.typing() {
        match key.code {
            // In a prompt a plain character is always text, so a filter can contain
            // spaces and slashes; commands there use named keys or Ctrl.
            KeyCode::Char(c) if plain => {
                resolver.reset();
                return Some(Action::Input(c));
            }
            KeyCode::Backspace => {
                resolver.reset();
                return Some(Action::Backspace);
            }
            _ => {}
        }
    }
    match resolver.feed(keymap, state.contexts(), key) {
        Resolved::Action(a) => Some(a),
        Resolved::Pending => None,
        Resolved::Unbound(key) => match (key.code, &state.mode) {
            (KeyCode::Char(c), Mode::Picker(_)) if plain => Some(Action::PickerKey(c)),
            _ => None,
        },
    }
}
