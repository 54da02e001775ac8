//! The one place that touches the terminal: set it up, run the event loop, carry out
//! effects, and put the terminal back on every way out.
//!
//! Each keystroke is applied, its sidecar write is carried out (renamed and synced),
//! and only then is the next frame drawn; a frame is drawn only when something
//! changed, and ratatui sends only the cells that differ, in one buffered write.
//!
//! Three threads feed the loop through one channel, so it never depends on the
//! terminal to wake up: one reads keys, one receives signals, and the loop itself
//! checks the terminal whenever it is idle. That matters when an SSH link drops: the
//! terminal then reads end-of-file or fails forever, and crossterm's reader can spin
//! on it without returning; the hang-up signal, or the loop's own check, still ends
//! the program at once, after saving whatever is unsaved.

use std::collections::{HashMap, HashSet};
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use signal_hook::consts::signal::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};

use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::app::{Action, AppState, Effect, Mode, Unsaved, Write, update};
use crate::input::{Key, Keymap, Resolved, Resolver};
use crate::search::Worker;
use crate::store::watch::{self, Change, Prefer, Watch, WatchKind};
use crate::store::{
    Edit, Faults, Loaded, Sidecar, SidecarState, StoreError, WriteContext, read_sidecar,
    sidecar_path, write_edits,
};
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

/// No key for this long means the reviewer is away: the gap is not counted as time
/// spent on the article (a long read with a key now and then still counts).
pub const IDLE_AFTER: Duration = Duration::from_secs(120);

/// Where the time goes: the reviewer's time on each article while it is selected,
/// added up across visits and written into the sidecar's `seconds` with the next
/// change to that article's decision. Time is counted between keystrokes, each gap to
/// the article selected during it; a gap of [`IDLE_AFTER`] or more counts nothing.
/// Time is never written on its own: looking at an article changes no decision, so
/// what was counted on an article that is not changed again is dropped at the end.
struct Dwell {
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

/// A monotonic clock that tests can move by hand.
#[derive(Clone)]
pub enum Clock {
    Real,
    Manual(Arc<Mutex<Instant>>),
}

impl Clock {
    pub fn now(&self) -> Instant {
        match self {
            Clock::Real => Instant::now(),
            Clock::Manual(at) => at.lock().map(|t| *t).unwrap_or_else(|e| *e.into_inner()),
        }
    }
}

impl Dwell {
    fn new(entry: Option<usize>, clock: Clock) -> Dwell {
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
    fn key(&mut self) {
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
    fn take(&mut self, entry: usize) -> f64 {
        self.pending.remove(&entry).unwrap_or(0.0)
    }

    fn follow(&mut self, selected: Option<usize>) {
        self.entry = selected;
    }

    /// The session now writes as another reviewer (the review switches to the
    /// adjudicator and back): what was counted belongs to the one before, and waits
    /// for that reviewer's next change instead of riding along with this one's.
    fn switch(&mut self, from: &str, to: &str) {
        let mine = std::mem::take(&mut self.pending);
        if !mine.is_empty() {
            self.others.insert(from.to_string(), mine);
        }
        self.pending = self.others.remove(to).unwrap_or_default();
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
    /// Failures to inject into writes (tests).
    faults: Faults,
    /// The inbox watch while it starts (on its own thread: polling stats every file).
    watch_starting: Option<Receiver<Result<Watch, String>>>,
    /// Changes to the inbox as they happen, once the watch runs.
    watch: Option<Watch>,
    /// The watched inbox, to read changed sidecars from.
    root: std::path::PathBuf,
    /// The reviewer asked to suspend; the terminal loop carries it out.
    suspend: bool,
    /// Bytes for the terminal beside the frames (the clipboard's OSC 52), written by
    /// the loop; tests read them with [`Session::take_output`].
    output: Vec<u8>,
    /// A program to run on the terminal (pager, browser), the screen given up meanwhile.
    external: Option<External>,
    /// Where this reviewer's place in this inbox is remembered between runs.
    place: Option<crate::store::resume::Place>,
}

impl Session {
    pub fn new(state: AppState, keymap: Keymap, color: bool) -> Session {
        let dwell = Dwell::new(state.selected(), Clock::Real);
        Session {
            state,
            keymap,
            resolver: Resolver::default(),
            ui: Ui::new(color),
            dwell,
            fixed_now: None,
            worker: Worker::spawn(),
            loader: None,
            faults: Faults::default(),
            watch_starting: None,
            watch: None,
            root: std::path::PathBuf::new(),
            suspend: false,
            output: Vec::new(),
            external: None,
            place: None,
        }
        .with_keys()
    }

    /// Tells the state which keys the keymap binds for the messages that name them.
    fn with_keys(mut self) -> Session {
        if let Some(key) = self
            .keymap
            .keys_for(crate::app::Context::Global, &Action::Undo)
            .into_iter()
            .next()
        {
            self.state.undo_key = key;
        }
        self
    }

    /// Opens where the work is (see [`AppState::resume_at`]): where this reviewer
    /// left off in this inbox, remembered in `place`, or else the first article
    /// still to do. The place is written again when the program ends.
    pub fn resume(&mut self, place: Option<crate::store::resume::Place>) {
        let remembered = place.as_ref().and_then(|p| p.read());
        self.place = place;
        self.state.resume_at(remembered);
        self.dwell.follow(self.state.selected());
    }

    /// Remembers the selected article as where this reviewer left off. Never
    /// fails the program: a state folder that cannot be written only means the next
    /// run opens at the first article still to do.
    pub fn remember(&self) {
        if let (Some(place), Some(entry)) = (&self.place, self.state.selected_entry())
            && place.read().as_deref() != Some(entry.rel.as_path())
        {
            let _ = place.write(&entry.rel);
        }
    }

    /// What the loop should write to the terminal beside the frames, taken once.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// The program the reviewer asked to run on the terminal, taken once.
    pub fn take_external(&mut self) -> Option<External> {
        self.external.take()
    }

    /// Says how a pager or browser run went, once the screen is back.
    pub fn external_finished(&mut self, external: &External, result: io::Result<i32>) {
        let name = external.program.to_string_lossy().into_owned();
        match result {
            Ok(0) => {
                if let Some(done) = &external.done {
                    self.state.info(done.clone());
                }
            }
            Ok(code) => self.state.error(format!(
                "{} \"{name}\" ended with exit status {code}",
                external.what
            )),
            Err(e) => self
                .state
                .error(format!("Cannot start {} \"{name}\": {e}", external.what)),
        }
    }

    /// The bytes that put `text` on the clipboard of the terminal (OSC 52), which
    /// works over SSH, and in tmux when `set-clipboard` is on.
    fn copy(&mut self, text: &str) {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        self.output
            .extend_from_slice(format!("\x1b]52;c;{encoded}\x07").as_bytes());
        self.state.info(format!("Copied (OSC 52): {text}"));
    }

    /// Takes in the inbox's watch (see [`start_watch`]), so that articles and
    /// sidecars changed by anyone show within about a second. Changes that happen
    /// while the inbox is still loading wait until it has loaded and are applied
    /// then, in order.
    pub fn watch_inbox(&mut self, root: std::path::PathBuf, watching: Watching) {
        self.root = root;
        self.watch_starting = Some(watching.0);
    }

    /// Applies what the watcher saw; true when something changed.
    fn pump_watch(&mut self) -> bool {
        if let Some(rx) = &self.watch_starting {
            match rx.try_recv() {
                Ok(Ok(watch)) => {
                    if watch.kind == WatchKind::Polling {
                        // Slower to notice and dearer on a big inbox: say so once.
                        self.state
                            .info("Watching the inbox by polling it every second.");
                    }
                    self.watch = Some(watch);
                    self.watch_starting = None;
                }
                Ok(Err(reason)) => {
                    self.watch_starting = None;
                    self.state.error(format!(
                        "Changes to the inbox will not show until a restart: {reason}"
                    ));
                    return true;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => self.watch_starting = None,
            }
        }
        // Until the inbox has loaded, changes wait in the channel.
        if self.loader.is_some() {
            return false;
        }
        let Some(watch) = &self.watch else {
            return false;
        };
        let mut batches = Vec::new();
        while let Ok(batch) = watch.changes.try_recv() {
            batches.push(batch);
        }
        let changed = !batches.is_empty();
        for change in batches.into_iter().flatten() {
            match change {
                Change::Article(entry) => {
                    let effects = self.state.article_arrived(entry);
                    self.carry_out(effects);
                }
                Change::Removed(rel) => self.state.path_removed(&rel),
                Change::Sidecar { article, reviewer } => {
                    let path = sidecar_path(&self.root.join(&article), &reviewer);
                    let sidecar = SidecarState::from_read(read_sidecar(&path));
                    self.state.sidecar_changed(&article, &reviewer, sidecar);
                }
            }
        }
        if changed {
            self.dwell.follow(self.state.selected());
        }
        changed
    }

    /// Makes every write meet these failures (tests of a full or read-only disk).
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// Whether the reviewer asked to suspend since the last call.
    pub fn take_suspend(&mut self) -> bool {
        std::mem::take(&mut self.suspend)
    }

    /// Retries every unsaved change before the program ends, whatever ends it, and
    /// returns the ones the disk still refuses. Nothing else is written: time counted
    /// on articles whose decision did not change since is dropped.
    pub fn finish(&mut self) -> Vec<Unsaved> {
        self.retry_unsaved();
        self.state.unsaved.clone()
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
                Ok(Loaded::Late(entry)) => {
                    let effects = self.state.article_loaded(entry);
                    self.carry_out(effects);
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
        if self.pump_watch() {
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
        self.set_clock(Clock::Manual(Arc::new(Mutex::new(Instant::now()))));
    }

    /// Counts time spent with this clock (tests move a manual one by hand).
    pub fn set_clock(&mut self, clock: Clock) {
        self.dwell = Dwell::new(self.state.selected(), clock);
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
            if let (Some(most), Mode::Stats { scroll, .. }) =
                (self.ui.stats_max_scroll, &mut self.state.mode)
            {
                *scroll = (*scroll).min(most);
            }
        }
        Ok(())
    }

    /// Applies one terminal event, carrying out its writes before returning. Returns
    /// `None` when nothing happened (nothing to redraw), `Some(false)` to quit.
    pub fn handle(&mut self, event: Event) -> Option<bool> {
        if matches!(&event, Event::Key(k) if k.kind != KeyEventKind::Release) {
            self.dwell.key();
        }
        let action = match event {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                let key = Key::from_event(&k);
                match to_action(&self.state, &self.keymap, &mut self.resolver, key) {
                    Some(action) => action,
                    None => {
                        self.key_did_nothing(key);
                        return Some(true);
                    }
                }
            }
            Event::Resize(w, h) => Action::Resize(w, h),
            _ => return None,
        };
        Some(self.apply(action))
    }

    /// Every key says something: the start of a sequence shows what may follow
    /// (`g…  g first article`), and a key bound to nothing here points to help.
    fn key_did_nothing(&mut self, key: Key) {
        let pending = self.resolver.pending().to_vec();
        if !pending.is_empty() {
            let typed = crate::input::sequence_to_string(&pending);
            let next: Vec<String> = self
                .state
                .contexts()
                .iter()
                .flat_map(|&c| self.keymap.bindings(c))
                .filter(|b| b.keys.len() > pending.len() && b.keys.starts_with(&pending))
                .map(|b| {
                    format!(
                        "{} {}",
                        crate::input::sequence_to_string(&b.keys[pending.len()..]),
                        b.desc.to_lowercase()
                    )
                })
                .collect();
            self.state.info(
                format!("{typed}…  {}", next.join("  "))
                    .trim_end()
                    .to_string(),
            );
            return;
        }
        if matches!(
            self.state.mode,
            Mode::Normal | Mode::Help { .. } | Mode::Stats { .. }
        ) {
            let help = self
                .keymap
                .keys_for(crate::app::Context::Global, &Action::Help)
                .into_iter()
                .next();
            self.state.info(match help {
                Some(help) => format!("{key} does nothing here · {help} for help"),
                None => format!("{key} does nothing here"),
            });
        }
    }

    /// Applies an action and its effects; false means quit.
    pub fn apply(&mut self, action: Action) -> bool {
        let reviewer = self.state.reviewer.clone();
        let effects = update(&mut self.state, action);
        if self.state.reviewer != reviewer {
            self.dwell.switch(&reviewer, &self.state.reviewer);
        }
        let go_on = self.carry_out(effects);
        self.dwell.follow(self.state.selected());
        go_on
    }

    /// Carries out effects in order; false means quit.
    fn carry_out(&mut self, effects: Vec<Effect>) -> bool {
        for effect in effects {
            match effect {
                Effect::Quit => {
                    self.retry_unsaved();
                    if self.state.may_quit() {
                        return false;
                    }
                }
                Effect::Write(write) => self.write(write),
                Effect::Search(job) => self.worker.submit(job),
                Effect::Retry => self.save_now(),
                Effect::Suspend => self.suspend = true,
                Effect::Copy(text) => self.copy(&text),
                Effect::Pager(path) => {
                    match pager_command(std::env::var_os("PAGER").as_deref(), &path) {
                        Ok(external) => self.external = Some(external),
                        Err(e) => self.state.error(e),
                    }
                }
                Effect::Browser(url) => {
                    let copy = self
                        .keymap
                        .keys_for(crate::app::Context::Global, &Action::CopyUrl)
                        .into_iter()
                        .next();
                    match browser_command(std::env::var_os("BROWSER").as_deref(), &url) {
                        Ok(Some(external)) => self.external = Some(external),
                        Ok(None) => self.state.info(match copy {
                            Some(key) => format!("BROWSER is not set; {key} copies the URL"),
                            None => "BROWSER is not set".to_string(),
                        }),
                        Err(e) => self.state.error(e),
                    }
                }
            }
        }
        true
    }

    fn write(&mut self, mut write: Write) {
        if self.state.entries.get(write.entry).is_none() {
            return;
        }
        if self.state.is_gone(write.entry) {
            self.state
                .error("Not saved: the article was removed from the inbox.");
            return;
        }
        // Every change is also the moment to retry the ones the disk refused before.
        self.retry_unsaved();
        let seconds = self.dwell.take(write.entry);
        if seconds > 0.0 {
            write.edits.push(Edit::AddSeconds(seconds));
        }
        // A change waits behind the article's unsaved ones, so that edits reach its
        // sidecar in the order they were made.
        if self.state.unsaved_error(write.entry).is_some() {
            self.state.defer(write);
            return;
        }
        let result = self.attempt(&write);
        self.state.write_finished(write, result);
    }

    /// One write of a change to the disk, with the clock and faults of this session.
    fn attempt(&self, write: &Write) -> Result<Sidecar, StoreError> {
        let entry = self
            .state
            .entries
            .get(write.entry)
            .ok_or_else(|| StoreError::Io {
                op: "write",
                path: Default::default(),
                source: io::Error::new(io::ErrorKind::NotFound, "the article is gone"),
            })?;
        let mut ctx = WriteContext::now(entry.sha256_hex());
        if let Some(now) = self.fixed_now {
            ctx.now = now;
        }
        ctx.faults = self.faults.clone();
        write_edits(&entry.path(), &self.state.reviewer, &write.edits, &ctx)
    }

    /// Tries the unsaved changes again, oldest first. After one change to an article
    /// fails, its later ones are not tried, so they cannot overtake it.
    fn retry_unsaved(&mut self) {
        if self.state.unsaved.is_empty() {
            return;
        }
        let mut failed = HashSet::new();
        for unsaved in self.state.take_unsaved() {
            if failed.contains(&unsaved.write.entry) {
                self.state.unsaved.push(unsaved);
                continue;
            }
            if self.state.is_gone(unsaved.write.entry) {
                // Writing now would leave a sidecar beside nothing.
                self.state.error(
                    "An unsaved change was dropped: its article was removed from the inbox.",
                );
                continue;
            }
            let result = self.attempt(&unsaved.write);
            if result.is_err() {
                failed.insert(unsaved.write.entry);
            }
            self.state.retry_finished(unsaved, result);
        }
    }

    /// The `save` key: retry now and say how it went.
    fn save_now(&mut self) {
        let before = self.state.unsaved.len();
        self.retry_unsaved();
        match self.state.unsaved.last() {
            None if before == 0 => self.state.info("Every change is saved."),
            None => self.state.info(format!(
                "Saved: {before} change{} now on disk.",
                if before == 1 { " is" } else { "s are" }
            )),
            Some(u) => {
                let text = format!(
                    "Still not saved ({} unsaved): {}",
                    self.state.unsaved.len(),
                    u.error
                );
                self.state.error(text);
            }
        }
    }
}

/// A program the reviewer runs from the program on its terminal: the pager on an
/// article file, the browser on its URL. The file name and the URL come from the
/// inbox, so they are passed as single arguments, never through a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// What it is, for messages ("The pager").
    pub what: &'static str,
    pub program: std::ffi::OsString,
    pub args: Vec<std::ffi::OsString>,
    /// What to say when it ends well, if anything.
    pub done: Option<String>,
}

/// The words of a command in an environment variable (`less -R`), split like a
/// shell splits them but without running one. `None` when unset or blank.
fn command_words(
    what: &str,
    value: Option<&std::ffi::OsStr>,
) -> Result<Option<Vec<String>>, String> {
    let Some(value) = value else { return Ok(None) };
    let Some(text) = value.to_str() else {
        return Err(format!(
            "{what} is not valid UTF-8; set it to a command such as less"
        ));
    };
    match shlex::split(text) {
        Some(words) if words.is_empty() => Ok(None),
        Some(words) => Ok(Some(words)),
        None => Err(format!("{what} has an unclosed quote: {text}")),
    }
}

/// The reviewer's pager (`$PAGER`, `less` when unset) on an article file. A path
/// that could read as an option (`-…`) is made relative to `.` explicitly.
pub fn pager_command(
    pager: Option<&std::ffi::OsStr>,
    path: &std::path::Path,
) -> Result<External, String> {
    let words = command_words("PAGER", pager)?.unwrap_or_else(|| vec!["less".to_string()]);
    let mut args: Vec<std::ffi::OsString> = words[1..].iter().map(Into::into).collect();
    if path.as_os_str().as_encoded_bytes().starts_with(b"-") {
        args.push(std::path::Path::new(".").join(path).into_os_string());
    } else {
        args.push(path.as_os_str().to_owned());
    }
    Ok(External {
        what: "The pager",
        program: words[0].clone().into(),
        args,
        done: None,
    })
}

/// The reviewer's browser (`$BROWSER`) on a web address, which the caller has
/// checked is http or https. A `%s` in the command is replaced by the address, as
/// the old BROWSER convention has it; otherwise the address is the last argument.
/// `None` when BROWSER is not set.
pub fn browser_command(
    browser: Option<&std::ffi::OsStr>,
    url: &str,
) -> Result<Option<External>, String> {
    let Some(words) = command_words("BROWSER", browser)? else {
        return Ok(None);
    };
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    let mut placed = false;
    for word in &words[1..] {
        if word.contains("%s") {
            placed = true;
            args.push(word.replace("%s", url).into());
        } else {
            args.push(word.into());
        }
    }
    if !placed {
        args.push(url.into());
    }
    Ok(Some(External {
        what: "The browser",
        program: words[0].clone().into(),
        args,
        done: Some(format!("Opened in {}: {url}", words[0])),
    }))
}

/// A watch of the inbox on its way (setting one up walks the folders, and polling
/// stats every file, so it is done on its own thread).
pub struct Watching(Receiver<Result<Watch, String>>);

/// Starts watching `root` for `reviewer`; hand the result to [`Session::watch_inbox`].
pub fn start_watch(root: std::path::PathBuf, reviewer: String, prefer: Prefer) -> Watching {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let started = watch::watch(&root, &reviewer, prefer).map_err(|e| e.to_string());
        let _ = tx.send(started);
    });
    Watching(rx)
}

/// The exit status of a quit that leaves changes unsaved (the disk refused them to
/// the end): a script or a wrapper sees that decisions shown on screen are not on disk.
pub const UNSAVED_EXIT: u8 = 3;

/// How the interactive program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The reviewer quit.
    Quit,
    /// The reviewer quit (asking twice) with changes the disk still refused.
    QuitUnsaved,
    /// A signal asked it to end (hang-up, terminate, interrupt, quit).
    Signal(i32),
    /// The terminal went away without a signal (end of file or an error reading or
    /// writing it): a dropped SSH link.
    TerminalLost,
}

impl Ending {
    /// The exit status: 0 for a quit, [`UNSAVED_EXIT`] (3) for a quit that leaves
    /// changes unsaved, 128 + the signal's number as shells report it, and 129 (like a
    /// hang-up) for a lost terminal.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Quit => 0,
            Ending::QuitUnsaved => UNSAVED_EXIT,
            Ending::Signal(sig) => u8::try_from(128 + sig).unwrap_or(1),
            Ending::TerminalLost => 129,
        }
    }
}

/// What wakes the loop.
enum Wake {
    Event(Event),
    /// The terminal could not be read; the link is gone.
    Lost,
    Signal(i32),
}

/// If the loop does not end within this long of a terminating signal (stuck on a
/// hung network file system, say), the signal thread ends the process itself. Writes
/// are atomic, so even that loses nothing that was shown as saved.
const SIGNAL_GRACE: Duration = Duration::from_millis(900);

/// How often an idle loop wakes to check that the terminal is still there.
const IDLE_WAKE: Duration = Duration::from_millis(250);

/// Runs the interactive program until the reviewer quits, a signal ends it, or the
/// terminal goes away. The first frame is drawn at once; the inbox fills in behind it
/// while keys already work. Unsaved changes are retried on every way out; those the
/// disk still refuses are listed on stderr once the terminal is restored, and a quit
/// that leaves them ends as [`Ending::QuitUnsaved`] (exit status [`UNSAVED_EXIT`]).
/// Nothing else is written on the way out.
pub fn run(session: Session) -> io::Result<Ending> {
    let mut session = session;
    let history_file = crate::search::history::path();
    if let Some(file) = &history_file {
        session.state.history = crate::app::History::new(crate::search::history::load(file));
    }
    install_panic_message();
    let mut terminal = ratatui::try_init()?;
    let _restore = Restore;
    let (tx, rx) = mpsc::channel();
    spawn_signals(tx.clone())?;
    let gate = Arc::new(InputGate::default());
    spawn_input(tx, Arc::clone(&gate));
    let tty = Tty::open();
    // A hook for the test that a panic restores the terminal, only in builds for tests.
    let panic_on_key = cfg!(feature = "testing") && std::env::var_os("TRIAGE_TEST_PANIC").is_some();
    let size = terminal.size()?;
    session.apply(Action::Resize(size.width, size.height));
    let mut dirty = true;
    let ending = loop {
        if session.pump() {
            dirty = true;
        }
        if dirty {
            if session.draw(&mut terminal).is_err() {
                break Ending::TerminalLost;
            }
            dirty = false;
        }
        // Short waits while work is arriving; when idle, nothing is drawn and the
        // loop only wakes to check the terminal.
        let wait = if session.busy() {
            Duration::from_millis(15)
        } else {
            IDLE_WAKE
        };
        match rx.recv_timeout(wait) {
            Ok(Wake::Event(event)) => {
                if panic_on_key && matches!(event, Event::Key(_)) {
                    panic!("TRIAGE_TEST_PANIC asked for a panic");
                }
                match session.handle(event) {
                    Some(true) => dirty = true,
                    Some(false) => break Ending::Quit,
                    None => {}
                }
                if session.take_suspend() {
                    // A stopped program may never be continued: remember the place now.
                    session.remember();
                    suspend(&mut terminal)?;
                    dirty = true;
                }
                let output = session.take_output();
                if !output.is_empty() {
                    let mut out = io::stdout();
                    let _ = io::Write::write_all(&mut out, &output);
                    let _ = io::Write::flush(&mut out);
                }
                if let Some(external) = session.take_external() {
                    let result = run_external(&mut terminal, &gate, &external);
                    session.external_finished(&external, result);
                    let size = terminal.size()?;
                    session.apply(Action::Resize(size.width, size.height));
                    dirty = true;
                }
            }
            Ok(Wake::Signal(SIGCONT)) => {
                // Continued after someone else stopped us: the screen may hold
                // anything now, so draw all of it again.
                let _ = resume(&mut terminal);
                dirty = true;
            }
            Ok(Wake::Signal(sig)) => break Ending::Signal(sig),
            Ok(Wake::Lost) | Err(RecvTimeoutError::Disconnected) => break Ending::TerminalLost,
            Err(RecvTimeoutError::Timeout) => {
                if tty.hung_up() {
                    break Ending::TerminalLost;
                }
            }
        }
    };
    let unsaved = session.finish();
    session.remember();
    drop(_restore);
    if let Some(file) = &history_file
        && let Err(e) = crate::search::history::save(file, &session.state.history)
        && (ending != Ending::TerminalLost || !io::stderr().is_terminal())
    {
        let _ = io::Write::write_all(
            &mut io::stderr(),
            format!("triage: {}\n", crate::sanitize::sanitize(&e)).as_bytes(),
        );
    }
    if unsaved.is_empty() {
        return Ok(ending);
    }
    // After a lost terminal, a stderr on that terminal is gone too (or hung: a write
    // could block), so the list goes only to a stderr that is a file or a pipe.
    if ending != Ending::TerminalLost || !io::stderr().is_terminal() {
        let report = unsaved_report(unsaved.len(), &session.state.unsaved_articles());
        let _ = io::Write::write_all(&mut io::stderr(), report.as_bytes());
    }
    Ok(match ending {
        Ending::Quit => Ending::QuitUnsaved,
        other => other,
    })
}

/// What is printed when the program ends with changes the disk refused: how many,
/// then each article with why its change is not on disk, one line each, sanitized
/// (paths and messages come from the inbox).
pub fn unsaved_report(changes: usize, articles: &[(std::path::PathBuf, String)]) -> String {
    use crate::sanitize::sanitize;
    let mut out = format!(
        "triage: {changes} change{} to {} article{} could not be saved and {} lost:\n",
        if changes == 1 { "" } else { "s" },
        articles.len(),
        if articles.len() == 1 { "" } else { "s" },
        if changes == 1 { "is" } else { "are" },
    );
    for (path, error) in articles {
        let path = path.to_string_lossy();
        out.push_str(&format!("  {}: {}\n", sanitize(&path), sanitize(error)));
    }
    out
}

/// Reads terminal events on their own thread. It ends when the terminal fails or
/// the loop is gone; on a dead terminal crossterm may never return, which is why the
/// loop does not wait on this thread alone.
fn spawn_input(tx: Sender<Wake>, gate: Arc<InputGate>) {
    std::thread::spawn(move || {
        loop {
            if gate.paused.load(Ordering::SeqCst) {
                gate.parked.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            // Waits a little at a time, so that a pause is noticed between keys.
            match event::poll(INPUT_POLL) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => {
                    let _ = tx.send(Wake::Lost);
                    return;
                }
            }
            let wake = match event::read() {
                Ok(event) => Wake::Event(event),
                Err(_) => Wake::Lost,
            };
            let lost = matches!(wake, Wake::Lost);
            if tx.send(wake).is_err() || lost {
                return;
            }
        }
    });
}

/// How long the key-reading thread waits for a key before looking at its gate.
const INPUT_POLL: Duration = Duration::from_millis(100);

/// Takes the key-reading thread off the terminal while another program (the pager,
/// a text browser) reads it, so that no keystroke meant for that program is taken.
#[derive(Default)]
struct InputGate {
    /// The loop asks the thread to stop reading.
    paused: AtomicBool,
    /// The thread has stopped reading.
    parked: AtomicBool,
}

/// True while a program run from the program has the terminal: an interrupt typed
/// there (Ctrl-C in the pager) reaches the whole process group and is that
/// program's, not a request to end this one.
static EXTERNAL_RUNNING: AtomicBool = AtomicBool::new(false);

/// Runs a pager or browser on the terminal the way `Ctrl-Z` hands it to the shell:
/// the screen and raw mode are given back, keys are left to it, and when it ends the
/// whole screen is drawn again. Returns its exit status (-1 for a signal).
fn run_external<B: Backend>(
    terminal: &mut Terminal<B>,
    gate: &InputGate,
    external: &External,
) -> io::Result<i32> {
    gate.parked.store(false, Ordering::SeqCst);
    gate.paused.store(true, Ordering::SeqCst);
    let start = Instant::now();
    while !gate.parked.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(5));
    }
    ratatui::restore();
    EXTERNAL_RUNNING.store(true, Ordering::SeqCst);
    let status = std::process::Command::new(&external.program)
        .args(&external.args)
        .status();
    EXTERNAL_RUNNING.store(false, Ordering::SeqCst);
    let resumed = resume(terminal);
    gate.paused.store(false, Ordering::SeqCst);
    resumed?;
    status.map(|s| s.code().unwrap_or(-1))
}

/// Receives signals on their own thread and hands them to the loop. A terminating
/// one also starts a deadline: if the loop has not ended the process by then, this
/// thread restores the terminal and ends it.
fn spawn_signals(tx: Sender<Wake>) -> io::Result<()> {
    let mut signals =
        signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGCONT])?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if matches!(sig, SIGINT | SIGQUIT) && EXTERNAL_RUNNING.load(Ordering::SeqCst) {
                continue;
            }
            let _ = tx.send(Wake::Signal(sig));
            if sig != SIGCONT {
                std::thread::sleep(SIGNAL_GRACE);
                ratatui::restore();
                std::process::exit(128 + sig);
            }
        }
    });
    Ok(())
}

/// Gives the terminal back to the shell and stops, as `Ctrl-Z` does in any program;
/// `fg` continues here and the whole screen is drawn again. The stop is the default
/// action of SIGTSTP, which the system ignores when no shell could ever continue the
/// program (an orphaned process group), so it cannot leave the program stopped for good.
fn suspend<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()> {
    ratatui::restore();
    signal_hook::low_level::raise(SIGTSTP)?;
    resume(terminal)
}

/// Takes the terminal back after a stop and makes the next frame draw every cell.
/// (ratatui's `clear` would ask the terminal for the cursor position, an answer that
/// arrives on the key-reading thread and so never to it; an empty frame resets the
/// drawing just as well.)
fn resume<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()> {
    use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        Clear(ClearType::All),
        crossterm::cursor::Hide
    )?;
    terminal
        .draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))
        .map(|_| ())
        .map_err(|e| io::Error::other(e.to_string()))
}

/// The terminal the program reads, watched for a hang-up between keystrokes.
struct Tty {
    fd: Option<std::os::fd::RawFd>,
    /// Keeps `/dev/tty` open when standard input is not the terminal.
    _file: Option<std::fs::File>,
}

impl Tty {
    fn open() -> Tty {
        use std::os::fd::AsRawFd;
        if io::stdin().is_terminal() {
            return Tty {
                fd: Some(io::stdin().as_raw_fd()),
                _file: None,
            };
        }
        match std::fs::File::open("/dev/tty") {
            Ok(file) => Tty {
                fd: Some(file.as_raw_fd()),
                _file: Some(file),
            },
            Err(_) => Tty {
                fd: None,
                _file: None,
            },
        }
    }

    /// True once the other end of the terminal has gone (the SSH client or terminal
    /// emulator closed it): polling it then reports a hang-up or an error.
    fn hung_up(&self) -> bool {
        let Some(fd) = self.fd else { return false };
        let mut pollfd = libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd, a zero timeout; poll only writes `revents`.
        let ready = unsafe { libc::poll(&mut pollfd, 1, 0) };
        ready > 0 && pollfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
}

/// A panic is a bug: after ratatui's hook has restored the terminal, say so in one
/// readable sentence instead of a backtrace dump, and end the whole program, since a
/// panic on a helper thread would otherwise leave a screen nobody draws.
fn install_panic_message() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unknown problem".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "triage: internal error{at}: {}. Decisions shown as saved are on disk; please report this.",
            crate::sanitize::sanitize(&what)
        );
        std::process::exit(101);
    }));
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
            KeyCode::Backspace if plain => {
                resolver.reset();
                return Some(Action::Backspace);
            }
            _ => {
                if let Some(request) = crate::app::LineEdit::request_for(&key) {
                    resolver.reset();
                    return Some(Action::Edit(request));
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_unsaved_report_counts_changes_and_articles_and_sanitizes_every_line() {
        let articles = vec![
            (
                PathBuf::from("inbox/evil\u{1b}]0;owned\u{7}\nname.txt"),
                "cannot write inbox/evil.alice.toml: No space left on device.".to_string(),
            ),
            (
                PathBuf::from("inbox/b.txt"),
                "inbox/b.txt.alice.toml is read-only; not replacing it.\u{1b}[2J".to_string(),
            ),
        ];
        let report = unsaved_report(3, &articles);
        assert_eq!(
            report,
            "triage: 3 changes to 2 articles could not be saved and are lost:\n  \
             inbox/evil name.txt: cannot write inbox/evil.alice.toml: No space left on device.\n  \
             inbox/b.txt: inbox/b.txt.alice.toml is read-only; not replacing it.\n"
        );
        assert_eq!(
            unsaved_report(1, &articles[1..]).lines().next(),
            Some("triage: 1 change to 1 article could not be saved and is lost:")
        );
    }

    fn os(words: &[&str]) -> Vec<std::ffi::OsString> {
        words.iter().map(Into::into).collect()
    }

    #[test]
    fn the_pager_gets_the_file_as_one_argument_never_through_a_shell() {
        use std::ffi::OsStr;
        use std::path::Path;
        let odd = Path::new("inbox/a b;$(rm -rf x)'.txt");
        let less = pager_command(None, odd).expect("a command");
        assert_eq!(less.program, "less", "less when PAGER is unset");
        assert_eq!(less.args, os(&["inbox/a b;$(rm -rf x)'.txt"]));
        let blank = pager_command(Some(OsStr::new("  ")), odd).expect("a command");
        assert_eq!(blank.program, "less");
        let more = pager_command(Some(OsStr::new("less -R '+G'")), odd).expect("a command");
        assert_eq!(more.program, "less");
        assert_eq!(more.args, os(&["-R", "+G", "inbox/a b;$(rm -rf x)'.txt"]));
        // A path that could pass for an option is made plainly a path.
        let dashed = pager_command(None, Path::new("-inbox/x.txt")).expect("a command");
        assert_eq!(dashed.args, os(&["./-inbox/x.txt"]));
        let broken = pager_command(Some(OsStr::new("less 'unclosed")), odd);
        assert_eq!(
            broken,
            Err("PAGER has an unclosed quote: less 'unclosed".to_string())
        );
    }

    #[test]
    fn the_browser_gets_the_url_as_one_argument_and_is_optional() {
        use std::ffi::OsStr;
        let url = "https://example.org/?a=1&b=$(x)";
        assert_eq!(browser_command(None, url), Ok(None));
        assert_eq!(browser_command(Some(OsStr::new("")), url), Ok(None));
        let firefox = browser_command(Some(OsStr::new("firefox --new-tab")), url)
            .expect("a command")
            .expect("set");
        assert_eq!(firefox.program, "firefox");
        assert_eq!(firefox.args, os(&["--new-tab", url]));
        let placed = browser_command(Some(OsStr::new("w3m -o x=1 %s")), url)
            .expect("a command")
            .expect("set");
        assert_eq!(placed.args, os(&["-o", "x=1", url]));
    }

    #[test]
    fn a_quit_with_unsaved_changes_has_its_own_exit_status() {
        assert_eq!(Ending::Quit.exit_code(), 0);
        assert_eq!(Ending::QuitUnsaved.exit_code(), 3);
        assert_eq!(UNSAVED_EXIT, 3);
        assert_eq!(Ending::Signal(libc::SIGTERM).exit_code(), 143);
        assert_eq!(Ending::TerminalLost.exit_code(), 129);
    }
}
