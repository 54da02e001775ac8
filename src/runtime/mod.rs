//! The running program without the terminal: everything that happens arrives as one
//! [`Event`] on one channel, and [`Session::handle`] applies it and carries out its
//! effects (writes, searches, copies) before saying whether the screen needs a new
//! frame.
//!
//! The sources are threads that block until they have something: the terminal's key
//! and signal threads (started by [`crate::tui`]), the background loader, the search
//! worker and the inbox watcher. Each hands what it has to the channel, and the loop
//! blocks on that channel alone, so an idle program does nothing. Keys and signals
//! go before work already waiting (see [`Session::next_event`]), so keystrokes keep
//! flowing while a huge inbox streams in.
//!
//! Each keystroke is applied and its sidecar write carried out (renamed and synced)
//! before the next event is taken; the write rules are in [`writes`]. Tests feed a
//! session the same events as the terminal does and draw it into a `TestBackend`,
//! so they exercise exactly the path a keystroke takes.

mod dwell;
mod ending;
mod external;
pub mod grouping;
pub mod history;
pub mod learner;
mod syncing;
pub mod writes;

pub use dwell::{Clock, IDLE_AFTER};
pub use ending::{Ending, UNSAVED_EXIT, unsaved_report};
pub use external::{External, browser_command, pager_command};
pub use writes::Writes;

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
#[cfg(any(test, feature = "testing"))]
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use crossterm::event::KeyEventKind;
use ratatui::Terminal;
use ratatui::backend::Backend;
use signal_hook::consts::signal::SIGCONT;

use crate::app::{Action, AppState, Effect, Mode, Unsaved, update};
use crate::input::{Key, Keymap, Meaning, Resolver};
use crate::search::{Outcome, Worker};
#[cfg(any(test, feature = "testing"))]
use crate::store::Faults;
use crate::store::resume::Place;
use crate::store::watch::{self, Change, Prefer, Watch, WatchKind};
use crate::store::{Loaded, SidecarState, read_sidecar, sidecar_path};
use crate::ui::Ui;

use dwell::Dwell;
use learner::Learner;

/// Everything that can happen to the running program, from any source.
#[derive(Debug)]
pub enum Event {
    /// A key, a resize or anything else the terminal reports.
    Terminal(crossterm::event::Event),
    /// The terminal could not be read: the link is gone.
    TerminalLost,
    /// A signal: hang-up, terminate, interrupt, quit, or continue after a stop.
    Signal(i32),
    /// The background loader's next batch, late article or end.
    Loaded(Loaded),
    /// The loader stopped without saying it was done (it failed on the way).
    LoaderEnded,
    /// A ranking from the search worker, partial or complete.
    Ranked(Outcome),
    /// The inbox watch is running, in this way, or cannot run, for this reason.
    WatchStarted(Result<WatchKind, String>),
    /// What the watcher saw change in the inbox, in inbox order.
    Changed(Vec<Change>),
    /// A model trained on the team's decisions, from the learner.
    Learned(learner::Learned),
    /// The stories with copies, from the grouping (after the inbox loaded, then
    /// after each change the watcher saw).
    Copies(crate::copies::Groups),
    /// The index's writer wrote a batch, or reading or writing the index failed.
    IndexChanged,
    /// The copies' thread took the last bodies let go of (see
    /// [`Session::hold_written_bodies`]).
    HeldTaken,
    /// A sync with the team ended: its line, or why it stopped.
    Synced(Result<String, String>),
    /// Half a minute passed since the clock of the syncs started.
    SyncClock,
    /// The inbox's `assignments.toml`, read on a thread of its own (none, or why it
    /// cannot be used).
    Assignments(Result<Option<crate::team::assign::Assignments>, String>),
}

impl Event {
    /// Keys and signals: what the person at the terminal did, which goes before any
    /// work already waiting.
    fn is_the_reviewers(&self) -> bool {
        matches!(
            self,
            Event::Terminal(_) | Event::TerminalLost | Event::Signal(_)
        )
    }
}

impl From<crossterm::event::Event> for Event {
    fn from(event: crossterm::event::Event) -> Event {
        Event::Terminal(event)
    }
}

/// What the terminal should do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redraw {
    /// Nothing on screen changed.
    No,
    /// Something changed: draw the next frame.
    Yes,
    /// Continued after a stop: the screen may hold anything, so take the terminal
    /// back and draw every cell.
    Everything,
    /// The program ends this way.
    End(Ending),
}

/// The running program: state, keymap, drawing cache, clock, and the sources of its
/// events.
pub struct Session {
    pub state: AppState,
    pub keymap: Keymap,
    /// A key sequence typed partly (`g` of `g g`).
    resolver: Resolver,
    ui: Ui,
    dwell: Dwell,
    writes: Writes,
    /// Ranks searches on its own thread.
    worker: Worker,
    /// The one channel every event arrives on, and a sender for new sources.
    events: Receiver<Event>,
    sender: Sender<Event>,
    /// Events taken off the channel and not handled yet (see [`Session::next_event`]).
    backlog: VecDeque<Event>,
    /// The inbox is still arriving from the background loader.
    loading: bool,
    /// What the watcher saw while the inbox was loading, applied in order once it has.
    held: Vec<Vec<Change>>,
    /// Articles written into the index whose bodies are still to be let go of (see
    /// [`Session::hold_written_bodies`]).
    to_hold: Vec<crate::store::Released>,
    /// The copies' thread has not yet taken the last bodies let go of.
    holding: bool,
    /// The watched inbox, to read changed sidecars from.
    root: PathBuf,
    /// The reviewer asked to suspend; the terminal loop carries it out.
    suspend: bool,
    /// Bytes for the terminal beside the frames (the clipboard's OSC 52), written by
    /// the loop; tests read them with [`Session::take_output`].
    output: Vec<u8>,
    /// A program to run on the terminal (pager, browser), the screen given up meanwhile.
    external: Option<External>,
    /// Where this reviewer's place in this inbox is remembered between runs.
    place: Option<Place>,
    /// Trains the suggestion model in the background.
    learner: Learner,
    /// The last job given to the learner: its training set, and whether it scored
    /// the articles; and whether its result is still to come.
    submitted: Option<(u64, bool)>,
    learning: bool,
    /// The inbox's index, when the session uses one: changed articles seen by the
    /// watcher are written into it.
    cache: Option<Arc<crate::store::Cache>>,
    /// Why the index failed was shown (it is shown once).
    index_problem_said: bool,
    /// Finds the copies of each story on its own thread; started with the first
    /// articles it is given.
    grouping: Option<grouping::Grouping>,
    /// Syncs with the team's git repository, off this thread.
    syncer: syncing::Syncer,
}

impl Session {
    pub fn new(state: AppState, keymap: Keymap, color: bool) -> Session {
        Session::with_learner(state, keymap, color, crate::learn::Model::train)
    }

    /// A session whose learner trains with `train` (tests slow it down to show that
    /// input never waits for it).
    pub fn with_learner(
        state: AppState,
        keymap: Keymap,
        color: bool,
        train: learner::Train,
    ) -> Session {
        let dwell = Dwell::new(state.selected(), Clock::Real);
        let (sender, events) = mpsc::channel();
        let ranked = sender.clone();
        let learned = sender.clone();
        Session {
            state,
            keymap,
            resolver: Resolver::default(),
            ui: Ui::new(color),
            dwell,
            writes: Writes::default(),
            worker: Worker::spawn_delivering(move |outcome| {
                ranked.send(Event::Ranked(outcome)).is_ok()
            }),
            events,
            sender,
            backlog: VecDeque::new(),
            loading: false,
            held: Vec::new(),
            to_hold: Vec::new(),
            holding: false,
            root: PathBuf::new(),
            suspend: false,
            output: Vec::new(),
            external: None,
            place: None,
            learner: Learner::spawn(train, move |l| learned.send(Event::Learned(l)).is_ok()),
            submitted: None,
            learning: false,
            cache: None,
            index_problem_said: false,
            grouping: None,
            syncer: syncing::Syncer::default(),
        }
        .with_keys()
        .learning_from_the_start()
    }

    /// A session whose articles are still loading; they join as batches arrive.
    pub fn loading(
        mut state: AppState,
        keymap: Keymap,
        color: bool,
        loader: Receiver<Loaded>,
    ) -> Session {
        state.catalog.loading = true;
        let mut session = Session::new(state, keymap, color);
        session.loading = true;
        let to = session.sender();
        std::thread::spawn(move || {
            for loaded in loader {
                if to.send(Event::Loaded(loaded)).is_err() {
                    return;
                }
            }
            let _ = to.send(Event::LoaderEnded);
        });
        session
    }

    /// A session opened on articles already read learns from their decisions at once.
    fn learning_from_the_start(mut self) -> Session {
        if !self.state.entries.is_empty() {
            self.learn();
            self.group_everything();
        }
        self
    }

    /// Gives the grouping every article there is (once the inbox has loaded).
    fn group_everything(&mut self) {
        // Each entry's print (path and bytes), for the grouping kept in the index.
        let all = (0..self.state.entries.len())
            .filter(|&i| !self.state.is_gone(i))
            .filter_map(|i| {
                let entry = &self.state.entries[i];
                let member = crate::copies::kept::Member {
                    item: i,
                    print: crate::copies::kept::print(
                        entry.rel.as_os_str().as_encoded_bytes(),
                        entry.sha256.as_ref(),
                    ),
                };
                Some((member, Arc::clone(entry.article.as_ref().ok()?)))
            })
            .collect();
        self.group(grouping::Job::All(all));
    }

    /// Hands the grouping a job, starting its thread with the first one (by then
    /// the session knows whether bodies are in the index).
    fn group(&mut self, job: grouping::Job) {
        let grouping = self.grouping.get_or_insert_with(|| {
            let to = self.sender.clone();
            grouping::Grouping::spawn(self.state.texts.index.clone(), move |groups| {
                to.send(Event::Copies(groups)).is_ok()
            })
        });
        grouping.submit(job);
    }

    /// Tells the state which keys the keymap binds for the messages that name them.
    fn with_keys(mut self) -> Session {
        if let Some(key) = self
            .keymap
            .keys_for(crate::app::Context::Global, &Action::Undo)
            .into_iter()
            .next()
        {
            self.state.changes.undo_key = key;
        }
        self
    }

    /// Reads the inbox's `assignments.toml` on a thread of its own: at 100,000
    /// articles it takes some 0.2 s, which the first screen does not wait for. Until
    /// it arrives `is:mine` matches every article, and the session opens as it
    /// would without assignments unless it arrives first.
    pub fn load_assignments(&self, inbox: PathBuf) {
        let to = self.sender();
        let _ = std::thread::Builder::new()
            .name("assignments".into())
            .spawn(move || {
                let _ = to.send(Event::Assignments(crate::team::assign::Assignments::load(
                    &inbox,
                )));
            });
    }

    /// A way for another source (the terminal's key and signal threads) to hand its
    /// events to this session.
    pub fn sender(&self) -> Sender<Event> {
        self.sender.clone()
    }

    /// Loads bodies from the inbox's index and keeps it current with what the
    /// watcher sees; shows in the list's title how many articles are still to be
    /// written into it, told by the writer after each batch (see
    /// [`crate::store::Cache::listen`]), so an idle session never wakes for it.
    pub fn use_index(&mut self, cache: Arc<crate::store::Cache>) {
        self.state.texts = crate::app::Texts::new(Some(Arc::clone(&cache.texts)));
        cache.hold_bodies_once_written();
        let to = self.sender();
        cache.listen(move || {
            let _ = to.send(Event::IndexChanged);
        });
        self.cache = Some(cache);
    }

    /// Takes in the inbox's watch (see [`start_watch`]), so that articles and
    /// sidecars changed by anyone show within about a second. Changes that happen
    /// while the inbox is still loading wait until it has loaded and are applied
    /// then, in order.
    pub fn watch_inbox(&mut self, root: PathBuf, watching: Watching) {
        self.root = root;
        let to = self.sender();
        std::thread::spawn(move || {
            let watch = match watching.0.recv() {
                Ok(Ok(watch)) => watch,
                Ok(Err(reason)) => {
                    let _ = to.send(Event::WatchStarted(Err(reason)));
                    return;
                }
                Err(_) => return,
            };
            if to.send(Event::WatchStarted(Ok(watch.kind))).is_err() {
                return;
            }
            // The watch lives as long as this thread, which ends with the session.
            for changes in watch.changes.iter() {
                if to.send(Event::Changed(changes)).is_err() {
                    return;
                }
            }
        });
    }

    /// The next event, waiting up to `timeout` for one (`None` when none came). Keys
    /// and signals go first: everything already on the channel is taken off it, and
    /// the first of them is handled before the batches and results queued ahead of it.
    pub fn next_event(&mut self, timeout: Duration) -> Option<Event> {
        self.take_waiting();
        if let Some(at) = self.backlog.iter().position(Event::is_the_reviewers) {
            return self.backlog.remove(at);
        }
        if let Some(event) = self.backlog.pop_front() {
            return Some(event);
        }
        self.events.recv_timeout(timeout).ok()
    }

    /// True when an event is waiting to be handled.
    pub fn waiting(&mut self) -> bool {
        self.take_waiting();
        !self.backlog.is_empty()
    }

    fn take_waiting(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.backlog.push_back(event);
        }
    }

    /// Whether the list has articles to show (see `tui::LOADING_FRAME`).
    pub fn has_articles(&self) -> bool {
        !self.state.entries.is_empty()
    }

    /// True while articles are loading, or a ranking or a model is on its way.
    pub fn busy(&self) -> bool {
        self.loading || self.state.search.running || self.learning || self.state.syncing.running
    }

    /// Handles events until loading and searching are finished, or `limit` has
    /// passed (tests, which then look at the settled screen).
    pub fn settle(&mut self, limit: Duration) {
        let start = Instant::now();
        while self.busy() {
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            if let Some(event) = self.next_event(left) {
                self.handle(event);
            }
        }
    }

    /// Applies one event, carrying out its writes before returning, and says what the
    /// terminal should do next.
    pub fn handle(&mut self, event: impl Into<Event>) -> Redraw {
        match event.into() {
            Event::Terminal(event) => self.terminal(event),
            Event::TerminalLost => Redraw::End(Ending::TerminalLost),
            Event::Signal(SIGCONT) => Redraw::Everything,
            Event::Signal(sig) => Redraw::End(Ending::Signal(sig)),
            Event::Loaded(loaded) => {
                self.loaded(loaded);
                Redraw::Yes
            }
            Event::LoaderEnded if self.loading => {
                self.state.catalog.loading = false;
                self.finished_loading();
                Redraw::Yes
            }
            Event::LoaderEnded => Redraw::No,
            Event::Ranked(outcome) => {
                self.state
                    .search_results(outcome.generation, outcome.hits, outcome.complete);
                Redraw::Yes
            }
            Event::WatchStarted(Ok(WatchKind::Polling)) => {
                // Slower to notice and dearer on a big inbox: say so once.
                self.state
                    .info("Watching the inbox by polling it every second.");
                Redraw::Yes
            }
            Event::WatchStarted(Ok(_)) => Redraw::No,
            Event::WatchStarted(Err(reason)) => {
                self.state.error(format!(
                    "Changes to the inbox will not show until a restart: {reason}"
                ));
                Redraw::Yes
            }
            // Until the inbox has loaded, changes wait.
            Event::Changed(changes) if self.loading => {
                self.held.push(changes);
                Redraw::No
            }
            Event::Changed(changes) => {
                self.changed(changes);
                self.dwell.follow(self.state.selected());
                self.learn();
                Redraw::Yes
            }
            Event::IndexChanged => {
                let Some(cache) = &self.cache else {
                    return Redraw::No;
                };
                self.state.catalog.indexing = cache.pending();
                // Why the index stopped being written or read, said once.
                if !self.index_problem_said
                    && let Some(problem) = cache.failure()
                {
                    self.index_problem_said = true;
                    self.state
                        .error(format!("The index is a cache, nothing is lost: {problem}"));
                }
                self.hold_written_bodies();
                Redraw::Yes
            }
            Event::Assignments(Ok(assignments)) => {
                let effects = self.state.assignments_loaded(assignments);
                self.carry_out(effects);
                Redraw::Yes
            }
            Event::Assignments(Err(problem)) => {
                self.state.error(format!(
                    "No assignments (is:mine shows every article): {problem}"
                ));
                Redraw::Yes
            }
            Event::Synced(outcome) => {
                self.syncer.wait();
                self.state.sync_finished(outcome, Instant::now());
                Redraw::Yes
            }
            Event::SyncClock => {
                let mut redraw = self.state.sync_clock(Instant::now());
                if let Some(every) = self.syncer.every
                    && self
                        .state
                        .sync_due(every, self.syncer.started, Instant::now())
                {
                    let effects = self.state.sync();
                    self.carry_out(effects);
                    redraw = true;
                }
                if redraw { Redraw::Yes } else { Redraw::No }
            }
            Event::HeldTaken => {
                self.holding = false;
                self.hold_written_bodies();
                Redraw::No
            }
            Event::Copies(groups) => {
                let effects = self.state.copies_found(groups);
                self.carry_out(effects);
                self.hold_written_bodies();
                Redraw::Yes
            }
            Event::Learned(learned) => {
                if self
                    .submitted
                    .is_some_and(|(f, _)| f == learned.fingerprint)
                {
                    self.learning = false;
                }
                self.state
                    .model_learned(learned.fingerprint, learned.model, learned.margins);
                self.dwell.follow(self.state.selected());
                Redraw::Yes
            }
        }
    }

    /// A key or a resize.
    fn terminal(&mut self, event: crossterm::event::Event) -> Redraw {
        use crossterm::event::Event as Terminal;
        let action = match event {
            Terminal::Key(k) if k.kind != KeyEventKind::Release => {
                self.dwell.key();
                let key = Key::from_event(&k);
                match crate::input::meaning(&self.state, &self.keymap, &mut self.resolver, key) {
                    Meaning::Action(action) => action,
                    Meaning::Says(text) => {
                        self.state.info(text);
                        return Redraw::Yes;
                    }
                    Meaning::Nothing => return Redraw::Yes,
                }
            }
            Terminal::Resize(w, h) => Action::Resize(w, h),
            _ => return Redraw::No,
        };
        if self.apply(action) {
            Redraw::Yes
        } else {
            Redraw::End(Ending::Quit)
        }
    }

    /// The loader's next step.
    fn loaded(&mut self, loaded: Loaded) {
        match loaded {
            Loaded::Batch(entries) => {
                let effects = self.state.add_entries(entries);
                self.carry_out(effects);
                self.dwell.follow(self.state.selected());
            }
            Loaded::Late(entry) => {
                let effects = self.state.article_loaded(entry);
                self.carry_out(effects);
            }
            Loaded::Done(problems) => {
                let effects = self.state.loading_finished(problems);
                self.carry_out(effects);
                self.finished_loading();
            }
            Loaded::Problems(more) => self.state.more_problems(more),
            Loaded::Failed(reason) => {
                self.state.loading_finished(vec![reason.clone()]);
                self.state.message = Some(crate::app::Message {
                    text: reason,
                    error: true,
                });
                self.finished_loading();
            }
        }
    }

    /// The inbox has loaded: what the watcher saw meanwhile is applied now, in order,
    /// and the model learns from the decisions there are.
    fn finished_loading(&mut self) {
        self.loading = false;
        give_back_free_memory();
        // Said in the list's title until the groups arrive (seconds on a big inbox).
        self.state.copies.finding = true;
        self.group_everything();
        let held = std::mem::take(&mut self.held);
        if !held.is_empty() {
            held.into_iter().for_each(|changes| self.changed(changes));
            self.dwell.follow(self.state.selected());
        }
        self.learn();
        self.hold_written_bodies();
    }

    /// Lets go of the bodies of the articles read whole that the index writer has
    /// since written (see [`crate::store::Cache::hold_bodies_once_written`]): a first
    /// start then ends up holding what a start from the index holds. Waits until
    /// loading is over, as changes from the watcher do, and while the copies' thread
    /// groups the inbox: it holds every article meanwhile and takes the copies only
    /// once done, so a body let go of earlier would stay in memory beside its copy.
    fn hold_written_bodies(&mut self) {
        if self.loading || self.state.copies.finding || self.holding {
            return;
        }
        let Some(cache) = &self.cache else {
            return;
        };
        self.to_hold.extend(cache.take_released());
        if self.to_hold.is_empty() {
            return;
        }
        // A few thousand at a time, each step's bodies given back before the next
        // step's copies are made: the rest once the copies' thread has taken these
        // (it may be busy for seconds, and would hold every body meanwhile), or on
        // the next turn of the loop when no such thread holds them.
        let now: Vec<_> = self
            .to_hold
            .drain(..self.to_hold.len().min(HOLD_AT_ONCE))
            .collect();
        let moved = self.state.hold_bodies(now);
        // The bodies are glibc's large blocks (src/allocator.rs), which it keeps once
        // freed unless asked: whoever drops the last reference gives them back, the
        // copies' thread when it holds them too.
        match &self.grouping {
            Some(grouping) if !moved.is_empty() => {
                self.holding = true;
                let to = self.sender.clone();
                let done = Box::new(move || {
                    let _ = to.send(Event::HeldTaken);
                });
                grouping.submit(grouping::Job::Held(moved, done));
            }
            _ => {
                if !moved.is_empty() {
                    give_back_free_memory();
                }
                if !self.to_hold.is_empty() {
                    let _ = self.sender.send(Event::IndexChanged);
                }
            }
        }
    }

    /// Gives the learner the team's decisions when they changed since its last
    /// model (or the order needs margins it has not scored), and renews the team's
    /// record of source domains. Building the training set is quick (references to
    /// the articles already in memory); the training happens on the learner's thread.
    fn learn(&mut self) {
        use crate::team::suggest::{fingerprint, team_record};
        if self.loading {
            return;
        }
        let state = &mut self.state;
        let (set, record) = team_record(&state.entries, &state.review.adjudicator);
        let print = fingerprint(&set);
        state.learned.set_record(record);
        let want_margins = state.learned.order != crate::app::Order::Inbox;
        if let Some((last, scored)) = self.submitted
            && last == print
            && (scored || !want_margins)
        {
            return;
        }
        let score = want_margins.then(|| learner::Scoring {
            entries: state.entries.len(),
            todo: (0..state.entries.len())
                .filter(|&i| state.status(i) == crate::domain::Status::Todo)
                .filter_map(|i| Some((i, Arc::clone(state.entries[i].article.as_ref().ok()?))))
                .collect(),
        });
        self.learner.submit(learner::Job {
            fingerprint: print,
            examples: set.into_iter().map(|(_, e)| e).collect(),
            taxonomy: state.taxonomy.clone(),
            score,
            texts: state.texts.index.clone(),
        });
        self.submitted = Some((print, want_margins));
        self.learning = true;
    }

    /// Applies what the watcher saw.
    fn changed(&mut self, changes: Vec<Change>) {
        for change in changes {
            if let Some(cache) = &self.cache {
                match &change {
                    Change::Article(entry) => {
                        if let Ok(meta) = std::fs::metadata(entry.path()) {
                            cache.put(&entry.rel, crate::index::Stat::of(&meta), entry);
                        }
                    }
                    Change::Removed(rel) => cache.forget(vec![rel.clone()]),
                    Change::Sidecar { .. } => {}
                }
            }
            match change {
                Change::Article(entry) => {
                    let rel = entry.rel.clone();
                    let effects = self.state.article_arrived(entry);
                    self.carry_out(effects);
                    // The grouping takes it (again): it may have joined or left a story.
                    if let Some(i) = self.state.find(&rel)
                        && let Ok(article) = &self.state.entries[i].article
                    {
                        let article = Arc::clone(article);
                        self.group(grouping::Job::Add(vec![(i, article)]));
                    }
                }
                Change::Removed(rel) => {
                    if let Some(i) = self.state.find(&rel) {
                        self.group(grouping::Job::Remove(vec![i]));
                    }
                    self.state.path_removed(&rel)
                }
                Change::Sidecar { article, reviewer } => {
                    let path = sidecar_path(&self.root.join(&article), &reviewer);
                    let sidecar = SidecarState::from_read(read_sidecar(&path));
                    self.state.sidecar_changed(&article, &reviewer, sidecar);
                }
            }
        }
    }

    /// Applies an action and its effects; false means quit.
    pub fn apply(&mut self, action: Action) -> bool {
        let reviewer = self.state.reviewer.clone();
        let reorders = action == Action::CycleOrder;
        let effects = update(&mut self.state, action);
        if self.state.reviewer != reviewer {
            self.dwell.switch(&reviewer, &self.state.reviewer);
        }
        let go_on = self.carry_out(effects);
        if reorders {
            self.learn();
        }
        self.dwell.follow(self.state.selected());
        go_on
    }

    /// Carries out effects in order; false means quit.
    fn carry_out(&mut self, effects: Vec<Effect>) -> bool {
        // A decision on many articles is many writes: the learner hears of them once.
        let mut wrote = false;
        for effect in effects {
            if wrote && !matches!(effect, Effect::Write(_)) {
                self.learn();
                wrote = false;
            }
            match effect {
                Effect::Quit => {
                    self.writes.retry_unsaved(&mut self.state);
                    if self.state.may_quit() {
                        return false;
                    }
                }
                Effect::Write(write) => {
                    self.writes.write(&mut self.state, &mut self.dwell, write);
                    wrote = true;
                }
                Effect::Search(job) => self.worker.submit(job),
                Effect::Retry => self.writes.save_now(&mut self.state),
                Effect::Suspend => self.suspend = true,
                Effect::Sync => self.start_sync(),
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
        if wrote {
            self.learn();
        }
        true
    }

    /// Starts a sync of the reviewer's sidecars, and of those settled as the
    /// adjudicator (as `triage sync` does).
    fn start_sync(&mut self) {
        let state = &self.state;
        let person = match &state.review.open {
            Some(review) => review.previous.to_string(),
            None => state.reviewer.to_string(),
        };
        let mut reviewers = vec![person, state.review.adjudicator.to_string()];
        reviewers.dedup();
        let inbox = state.inbox.clone();
        self.syncer.start(inbox, reviewers, &self.sender);
    }

    /// Syncs now and then every `minutes` (`--sync-every`).
    pub fn sync_every(&mut self, minutes: u64) {
        self.syncer.every = Some(Duration::from_secs(minutes.saturating_mul(60)));
        let effects = self.state.sync();
        self.carry_out(effects);
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

    /// Draws a frame and tells the state what the drawing learned (the page size and
    /// how far the reader and the overlays can scroll).
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> io::Result<()> {
        let mut info = None;
        let (ui, state, keymap) = (&mut self.ui, &self.state, &self.keymap);
        terminal
            .draw(|frame| info = Some(ui.render(state, keymap, frame)))
            .map_err(|e| io::Error::other(e.to_string()))?;
        if let Some(info) = info {
            self.state.reader.max_scroll = info.max_scroll;
            self.state.reader.page = info.page;
            self.state.reader.scroll = self.state.reader.scroll.min(info.max_scroll);
            self.state.reader.match_lines = info.match_lines;
            if let (Some(most), Mode::Stats { scroll, .. }) =
                (self.ui.stats_max_scroll, &mut self.state.mode)
            {
                *scroll = (*scroll).min(most);
            }
        }
        Ok(())
    }

    /// Opens where the work is (see [`AppState::resume_at`]): where this reviewer
    /// left off in this inbox, remembered in `place`, or else the first article
    /// still to do. The place is written again when the program ends.
    pub fn resume(&mut self, place: Option<Place>) {
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

    /// Recalls the searches of earlier runs (the search prompt's `Up`).
    pub fn load_history(&mut self) {
        if let Some(file) = history::path() {
            self.state.search.history = crate::app::History::new(history::load(&file));
        }
    }

    /// Keeps this run's searches for the next (see [`history`]); the
    /// error is one sentence naming the file.
    pub fn save_history(&self) -> Result<(), String> {
        match history::path() {
            Some(file) => history::save(&file, &self.state.search.history),
            None => Ok(()),
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

    /// Whether the reviewer asked to suspend since the last call.
    pub fn take_suspend(&mut self) -> bool {
        std::mem::take(&mut self.suspend)
    }

    /// Retries every unsaved change before the program ends, whatever ends it, and
    /// returns the ones the disk still refuses. Nothing else is written: time counted
    /// on articles whose decision did not change since is dropped.
    pub fn finish(&mut self) -> Vec<Unsaved> {
        self.syncer.wait();
        self.writes.retry_unsaved(&mut self.state);
        self.state.unsaved.clone()
    }

    /// Makes every write meet these failures (tests of a full or read-only disk).
    #[cfg(any(test, feature = "testing"))]
    pub fn set_faults(&mut self, faults: Faults) {
        self.writes.set_faults(faults);
    }

    /// Makes every write use this time and record no time spent, so tests can compare bytes.
    #[cfg(any(test, feature = "testing"))]
    pub fn fix_clock(&mut self, now: toml::value::Datetime) {
        self.writes.fix_now(now);
        self.set_clock(Clock::Manual(Arc::new(Mutex::new(Instant::now()))));
    }

    /// Counts time spent with this clock (tests move a manual one by hand).
    #[cfg(any(test, feature = "testing"))]
    pub fn set_clock(&mut self, clock: Clock) {
        self.dwell = Dwell::new(self.state.selected(), clock);
    }
}

/// How many articles a turn of the loop lets go of the bodies of (see
/// [`Session::hold_written_bodies`]): some 4,096 copies, about 1.5 MB, made before
/// the bodies they replace are given back.
const HOLD_AT_ONCE: usize = 4096;

/// A watch of the inbox on its way (setting one up walks the folders, and polling
/// stats every file, so it is done on its own thread).
pub struct Watching(Receiver<Result<Watch, String>>);

/// Starts watching `root` for `reviewer`; hand the result to [`Session::watch_inbox`].
pub fn start_watch(root: PathBuf, reviewer: String, prefer: Prefer) -> Watching {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        yield_to_loading();
        let started = watch::watch(&root, &reviewer, prefer).map_err(|e| e.to_string());
        let _ = tx.send(started);
    });
    Watching(rx)
}

/// Lowers this thread's priority (nice 19), and so that of the threads it starts
/// (notify's own): setting up the watch lists every folder of the inbox, and polling
/// (on network file systems) takes a first picture of every file, work that would
/// otherwise take a core of a two-core machine from the loader while the inbox
/// loads. The watch still starts before the scan, as it must (see [`watch::watch`]);
/// it only finishes later.
fn yield_to_loading() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this thread's own id; a failure leaves the
    // priority as it was, which is harmless.
    unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread, 19);
    }
}

/// Returns to the system the memory loading freed and glibc's malloc kept, which a
/// session would otherwise hold for the rest of the day: about 3 MB measured at
/// 100,000 articles with one malloc arena. (The program gives glibc's malloc its
/// large blocks and SQLite's; mimalloc, which has its small ones, gives freed
/// memory back by itself: see `src/allocator.rs`.)
pub(crate) fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory the allocator holds.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Taxonomy;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// A session still loading, fed by the returned loader channel.
    fn loading_session() -> (Session, Sender<Loaded>) {
        let (loader, batches) = mpsc::channel();
        let taxonomy = Taxonomy::default();
        let keymap = Keymap::load("default", None, &taxonomy).expect("the default keymap");
        let state = AppState::empty(
            crate::domain::ReviewerName::parse("alice").expect("a valid name"),
            taxonomy,
        );
        (Session::loading(state, keymap, false, batches), loader)
    }

    /// Waits until `count` events are on the session's side of the channel (the
    /// loader's are handed over by a thread of their own).
    fn wait_for(session: &mut Session, count: usize) {
        let start = Instant::now();
        while session.backlog.len() < count && start.elapsed() < Duration::from_secs(30) {
            session.take_waiting();
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(session.backlog.len(), count, "the loader's batches arrived");
    }

    /// Holds the learner's training until opened, as a very slow training would.
    static GATE: (Mutex<bool>, std::sync::Condvar) = (Mutex::new(false), std::sync::Condvar::new());

    fn gated_train(examples: &[crate::learn::Example], taxonomy: &Taxonomy) -> crate::learn::Model {
        let (open, opened) = &GATE;
        let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
        crate::learn::Model::train(examples, taxonomy)
    }

    fn key(c: char) -> Event {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        Event::Terminal(crossterm::event::Event::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        )))
    }

    #[test]
    fn input_never_waits_for_the_learner_and_each_decision_retrains() {
        use crate::domain::Edit;
        use crate::labels::Axis;
        let dir = tempfile::TempDir::new().expect("temp dir");
        for i in 0..8 {
            std::fs::write(
                dir.path().join(format!("{i}.txt")),
                format!("Story {i}\n\nBody {i}.\n"),
            )
            .expect("write article");
        }
        let ctx = crate::store::WriteContext {
            now: "2026-11-29T10:00:00Z".parse().expect("a datetime"),
            article_sha256: "abc".into(),
            faults: Faults::default(),
        };
        for i in 0..5 {
            let edits = [
                Edit::Add(Axis::Theme, "economy".into()),
                Edit::SetStatus(crate::domain::Status::Done),
            ];
            crate::store::write_edits(&dir.path().join(format!("{i}.txt")), "alice", &edits, &ctx)
                .expect("decided");
        }
        let taxonomy = Taxonomy::default();
        let keymap = Keymap::load("default", None, &taxonomy).expect("the default keymap");
        let entries = crate::store::Inbox::load(dir.path(), "alice")
            .expect("loads")
            .entries;
        let state = AppState::new(
            crate::domain::ReviewerName::parse("alice").expect("a valid name"),
            taxonomy,
            entries,
        );
        let mut session = Session::with_learner(state, keymap, false, gated_train);
        assert!(session.busy(), "the first training is under way");
        let first = session.submitted.map(|(f, _)| f);
        // The training is stuck, and keys still act at once.
        for _ in 0..6 {
            assert_eq!(session.handle(key('j')), Redraw::Yes);
        }
        assert_eq!(session.state.cursor, 6);
        // A decision: a theme and Enter. The next training set is submitted at once.
        session.handle(key('t'));
        session.handle(key('e'));
        session.handle(key('\n'));
        assert_eq!(session.state.status(6), crate::domain::Status::Done);
        let second = session.submitted.map(|(f, _)| f);
        assert_ne!(first, second, "the decision changed the training set");
        assert!(
            session.state.learned.suggester.model.is_none(),
            "nothing delivered yet"
        );
        {
            let (open, opened) = &GATE;
            *open.lock().unwrap_or_else(|e| e.into_inner()) = true;
            opened.notify_all();
        }
        session.settle(Duration::from_secs(60));
        assert!(!session.busy());
        assert_eq!(
            session.state.learned.fingerprint, second,
            "the newest set is learned"
        );
        assert_eq!(session.state.learned.decisions(), 6);
    }

    #[test]
    fn a_key_goes_before_the_batches_already_waiting() {
        let (mut session, loader) = loading_session();
        for _ in 0..3 {
            loader
                .send(Loaded::Batch(Vec::new()))
                .expect("the session listens");
        }
        wait_for(&mut session, 3);
        let key =
            crossterm::event::Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
        session
            .sender()
            .send(Event::Terminal(key))
            .expect("the session listens");
        let order: Vec<bool> = (0..4)
            .map(|_| {
                let event = session.next_event(Duration::from_secs(30));
                matches!(event, Some(Event::Terminal(_)))
            })
            .collect();
        assert_eq!(
            order,
            [true, false, false, false],
            "the key first, then the batches"
        );
    }

    #[test]
    fn inbox_changes_seen_while_loading_wait_until_it_has_loaded() {
        let (mut session, loader) = loading_session();
        let removed = Event::Changed(vec![Change::Removed(PathBuf::from("a.txt"))]);
        assert_eq!(session.handle(removed), Redraw::No, "nothing to show yet");
        assert_eq!(session.held.len(), 1);
        loader
            .send(Loaded::Done(Vec::new()))
            .expect("the session listens");
        session.settle(Duration::from_secs(30));
        assert!(!session.busy());
        assert!(session.held.is_empty(), "applied once loaded");
        assert_eq!(
            session.handle(Event::Changed(Vec::new())),
            Redraw::Yes,
            "changes now apply at once"
        );
    }

    /// A session that read its articles whole holds them whole while it loads and
    /// while the copies' thread groups them, then, the index having written them,
    /// holds each as a start from the index would (its body let go of).
    #[test]
    fn articles_read_whole_are_held_by_the_index_once_loaded_and_grouped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).expect("inbox");
        let root: Arc<std::path::Path> = Arc::from(inbox.as_path());
        let (cache, _) = crate::store::Cache::open_file(&dir.path().join("cache/index.sqlite"))
            .expect("the index opens");
        let cache = Arc::new(cache);
        let (mut session, loader) = loading_session();
        session.use_index(Arc::clone(&cache));
        let mut entries = Vec::new();
        for i in 0..3 {
            let rel = PathBuf::from(format!("a{i}.txt"));
            std::fs::write(inbox.join(&rel), format!("Title {i}\n\nBody {i} here.\n"))
                .expect("write");
            let entry = crate::store::Entry::load(&root, &rel, &[], "alice");
            let stat = std::fs::metadata(inbox.join(&rel)).expect("stat");
            cache.put(&rel, crate::index::Stat::of(&stat), &entry);
            entries.push(entry);
        }
        loader
            .send(Loaded::Batch(entries))
            .expect("the session listens");
        let written = Instant::now();
        while cache.pending() > 0 {
            assert!(written.elapsed() < Duration::from_secs(60), "never written");
            std::thread::sleep(Duration::from_millis(5));
        }
        while let Some(event) = session.next_event(Duration::from_millis(200)) {
            session.handle(event);
        }
        let held = |s: &Session| {
            s.state
                .entries
                .iter()
                .filter(|e| e.article.as_ref().is_ok_and(|a| a.held.is_some()))
                .count()
        };
        assert_eq!(held(&session), 0, "whole while loading");
        loader
            .send(Loaded::Done(Vec::new()))
            .expect("the session listens");
        let done = Instant::now();
        while held(&session) < 3 {
            assert!(
                done.elapsed() < Duration::from_secs(60),
                "bodies never let go"
            );
            if let Some(event) = session.next_event(Duration::from_millis(50)) {
                session.handle(event);
            }
        }
        let whole = session.state.texts.whole(&session.state.entries[1]);
        let body = whole.expect("the index gives the body back").body.clone();
        assert_eq!(body.iter().collect::<Vec<_>>(), ["Body 1 here."]);
    }

    #[test]
    fn signals_end_the_program_or_redraw_it_whole() {
        let (mut session, _loader) = loading_session();
        assert_eq!(
            session.handle(Event::Signal(libc::SIGTERM)),
            Redraw::End(Ending::Signal(libc::SIGTERM))
        );
        assert_eq!(session.handle(Event::Signal(SIGCONT)), Redraw::Everything);
        assert_eq!(
            session.handle(Event::TerminalLost),
            Redraw::End(Ending::TerminalLost)
        );
    }
}
