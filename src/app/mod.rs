//! The program's state and the one function that changes it.
//!
//! `update(&mut AppState, Action) -> Vec<Effect>` is the whole behaviour of the screen,
//! with no terminal and no disk: writing a sidecar is an [`Effect`] that the loop carries
//! out, then reports back with [`AppState::write_finished`]. The labels shown always come
//! from what was last read from or written to disk, so the screen never claims a
//! decision is saved when it is not.

pub mod action;
pub mod bulk;
mod copies;
mod edit;
pub mod learned;
mod live;
pub mod review;
mod syncing;

use std::sync::Arc;

use crate::article::Article;

use crate::domain::{Decision, Edit, LabelId, ReviewerName, Status};
use crate::labels::sources::Sources;
use crate::labels::{Axis, Taxonomy};
use crate::sanitize::sanitize;
use crate::search::{self, Doc, Facet, Hit, Job, Query};
use crate::store::{Entry, Sidecar, SidecarState, StoreError};

pub use action::{Action, Context};
pub use bulk::{Bulk, Differing, Marks, OnConflict, Step, StepId};
pub use copies::{Copies, Fold};
pub use edit::{HISTORY_LIMIT, History, LineEdit, Window};
pub use learned::{Learned, Order};
pub use live::HeldCopies;
pub use syncing::Syncing;

/// Which pane has focus; on narrow screens, which pane is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Reader,
}

/// An open region or theme picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub axis: Axis,
    /// Index into [`Picker::visible`] of the highlighted label.
    pub highlight: usize,
    /// `Some` while filtering by name.
    pub filter: Option<LineEdit>,
}

impl Picker {
    /// Indexes (into the axis's labels) of the labels the filter lets through, best
    /// match first (fuzzy over name, id and aliases), so `north` puts North America
    /// before Middle East & North Africa.
    pub fn visible(&self, taxonomy: &Taxonomy) -> Vec<usize> {
        use fuzzy_matcher::FuzzyMatcher;
        let labels = &taxonomy.axis(self.axis).labels;
        match &self.filter {
            Some(f) if !f.text().trim().is_empty() => {
                let matcher = fuzzy_matcher::skim::SkimMatcherV2::default().ignore_case();
                let wanted = f.text().trim();
                let mut scored: Vec<(i64, usize)> = labels
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| {
                        std::iter::once(l.name.as_str())
                            .chain(std::iter::once(l.id.as_str()))
                            .chain(l.aliases.iter().map(String::as_str))
                            .filter_map(|text| matcher.fuzzy_match(text, wanted))
                            .max()
                            .map(|score| (score, i))
                    })
                    .collect();
                scored.sort_by_key(|&(score, _)| std::cmp::Reverse(score));
                scored.into_iter().map(|(_, i)| i).collect()
            }
            _ => (0..labels.len()).collect(),
        }
    }
}

/// What is open on top of the panes.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    Picker(Picker),
    Note(LineEdit),
    Search(LineEdit),
    Help {
        scroll: u16,
    },
    /// The stats overlay, counted when it opened, scrolled by `scroll` lines.
    Stats {
        stats: Box<crate::team::stats::Stats>,
        scroll: u16,
    },
    /// A decision for many articles waits while the reviewer chooses what becomes of
    /// those that already hold a different one (see [`AppState::decide_for_many`]).
    Conflict(Box<Bulk>),
    /// The list of saved searches, with the highlighted one (an index into
    /// [`AppState::saved`]'s queries).
    SavedSearches {
        highlight: usize,
    },
}

/// Where the selection is to land while the inbox loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The article (relative to the inbox) selected when the program last ended.
    pub remembered: Option<std::path::PathBuf>,
    /// The reviewer has articles in `assignments.toml`: the first of those still
    /// to do comes before the first to do of all.
    pub mine_first: bool,
}

/// Why a write was made, so its result lands on the right history stack. Every
/// write is a change to a decision: time spent is never written on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    New,
    Undo,
    Redo,
}

/// A change to one article's sidecar, with what undoes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    /// Index into [`AppState::entries`].
    pub entry: usize,
    pub edits: Vec<Edit>,
    pub inverse: Vec<Edit>,
    pub kind: WriteKind,
    /// The decision this write is part of: the writes of one decision on many
    /// articles share it, and the history keeps them as one step.
    pub step: StepId,
}

/// A change shown on screen that the disk refused (full, read-only, gone, or a
/// sidecar that cannot be read and so is not overwritten). It stays in memory, in
/// order, marked unsaved, and is retried with the next change, on demand (`save`)
/// and before quitting; those still refused at the end are named on stderr.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsaved {
    pub write: Write,
    /// Why the last attempt failed, one sentence.
    pub error: String,
}

/// Work for the loop: the only ways `update` reaches outside the state.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Write these edits to the sidecar now, before the next frame.
    Write(Write),
    /// Rank the inbox for a query; the newest request cancels older ones.
    Search(Job),
    /// Try the unsaved changes again now.
    Retry,
    /// Stop the program for the shell (`Ctrl-Z`); `fg` brings it back.
    Suspend,
    /// Put this text (an article's URL) on the terminal's clipboard.
    Copy(String),
    /// Show this article file in the reviewer's pager, the program suspended meanwhile.
    Pager(std::path::PathBuf),
    /// Open this web address (http or https only) in the reviewer's browser.
    Browser(String),
    /// Sync the inbox with the team's git repository, off the drawing thread.
    Sync,
    /// Leave, once unsaved changes have been retried (see [`AppState::may_quit`]).
    Quit,
}

impl PartialEq for Effect {
    /// Search requests compare by generation (their snapshots are large and shared).
    fn eq(&self, other: &Effect) -> bool {
        match (self, other) {
            (Effect::Write(a), Effect::Write(b)) => a == b,
            (Effect::Search(a), Effect::Search(b)) => a.generation == b.generation,
            (Effect::Copy(a), Effect::Copy(b)) | (Effect::Browser(a), Effect::Browser(b)) => a == b,
            (Effect::Pager(a), Effect::Pager(b)) => a == b,
            (Effect::Retry, Effect::Retry)
            | (Effect::Suspend, Effect::Suspend)
            | (Effect::Sync, Effect::Sync)
            | (Effect::Quit, Effect::Quit) => true,
            _ => false,
        }
    }
}

/// The searchable text of an entry, built once when it arrives, with the labels
/// suggested for it (which depend on the article, the taxonomy and the source list,
/// never on decisions).
pub fn doc_of(entry: &Entry, taxonomy: &Taxonomy, sources: &Sources) -> Doc {
    doc_with(entry, suggested_numbers(entry, taxonomy, sources))
}

/// [`doc_of`] with the labels suggested for the entry already worked out.
fn doc_with(entry: &Entry, suggested: Vec<search::labels::LabelNumber>) -> Doc {
    let rel = entry.rel.to_string_lossy();
    let mut parts: Vec<&str> = Vec::new();
    let mut src = String::new();
    if let Ok(a) = &entry.article {
        parts.extend(a.source.as_deref());
        parts.extend(a.publisher.as_deref());
        parts.extend(a.authors.iter().map(String::as_str));
        src = a
            .source
            .as_deref()
            .or(a.publisher.as_deref())
            .unwrap_or("")
            .to_lowercase();
    }
    parts.push(&rel);
    // Each part sanitized whole, then joined, so no part's open sequence hides the
    // next; one string made once, at its size.
    let mut side = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            side.push(' ');
        }
        side.push_str(&sanitize(part));
    }
    Doc {
        title: sanitize(entry.title()).into(),
        side,
        src,
        article: entry.article.as_ref().ok().cloned(),
        suggested: search::LabelSet::from_numbers(suggested),
    }
}

/// Drops from an article held by the index (its body already there) its own
/// regions, themes and tags, once [`suggested_numbers`] has read them: nothing else
/// looks at them without the whole article, which reads them again from the index
/// (`index::Shared::whole`), and they are a good share of what an article costs in
/// memory (some 18 MB at 100,000 articles).
fn forget_own_labels(entry: &mut Entry) {
    if let Ok(article) = &mut entry.article
        && article.held.is_some()
        && let Some(a) = Arc::get_mut(article)
    {
        a.regions = thin_vec::ThinVec::new();
        a.themes = thin_vec::ThinVec::new();
        a.tags = thin_vec::ThinVec::new();
    }
}

/// `make` of every item, in order, on every core when there are many (a warm start
/// from the index hands over 100,000 entries at once).
fn in_parallel_mut<T: Send, U: Send>(items: &mut [T], make: impl Fn(&mut T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < 1024 || threads < 2 {
        return items.iter_mut().map(make).collect();
    }
    let per = items.len().div_ceil(threads);
    let make = &make;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks_mut(per)
            .map(|part| scope.spawn(move || part.iter_mut().map(make).collect::<Vec<U>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| match p.join() {
                Ok(made) => made,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The numbers of the labels [`Entry::suggestions`] gives, without making its
/// suggestions (each with its id and where it came from, as text): this runs for
/// every article of an inbox at every start.
fn suggested_numbers(
    entry: &Entry,
    taxonomy: &Taxonomy,
    sources: &Sources,
) -> Vec<search::labels::LabelNumber> {
    let Ok(a) = &entry.article else {
        return Vec::new();
    };
    let number = |axis, name: &str| {
        taxonomy
            .find(axis, name)
            .and_then(|label| search::label_number(taxonomy, axis, &label.id))
    };
    let mut out: Vec<search::labels::LabelNumber> = crate::article::own_names(a)
        .filter_map(|(axis, _, name)| number(axis, name))
        .collect();
    if let Some(s) = crate::article::reliability(a, sources)
        && let Some(n) = search::label_number(taxonomy, Axis::Reliability, &s.id)
    {
        out.push(n);
    }
    out
}

/// What search filters see of an entry's decisions; rebuilt after each write.
pub fn facet_of(entry: &Entry, reviewer: &str, taxonomy: &Taxonomy) -> Facet {
    let mut facet = Facet::default();
    if let Some(s) = entry.mine(reviewer).sidecar() {
        let d = &s.decision;
        facet.status = d.status;
        facet.region = d.region.iter().map(|id| id.to_string()).collect();
        facet.theme = d.theme.iter().map(|id| id.to_string()).collect();
        facet.reliability = d.reliability.as_ref().map(|id| id.to_string());
        facet.reviewers.push(reviewer.to_string());
        // Ids as well as names, so a plain `mena` finds what `region:mena` finds.
        let names: Vec<&str> = Axis::ALL
            .iter()
            .flat_map(|&axis| d.labels(axis).into_iter().map(move |id| (axis, id)))
            .flat_map(|(axis, id)| [id, taxonomy.name_of(axis, id)])
            .collect();
        facet.label_names = names.join(" ");
    }
    facet.reviewers.extend(
        entry
            .others(reviewer)
            .filter(|(_, state)| !matches!(state, SidecarState::Missing))
            .map(|(name, _)| name.to_string()),
    );
    facet.changed = entry.changed(reviewer);
    facet
}

/// Whether the inbox has assignments and `entry` is not among `reviewer`'s: what
/// `is:mine` leaves out ([`Facet::not_mine`]).
pub fn not_mine(
    assignments: Option<&crate::team::assign::Assignments>,
    entry: &Entry,
    reviewer: &str,
) -> bool {
    assignments.is_some_and(|a| {
        !crate::team::assign::key_of(&entry.rel).is_some_and(|k| a.is_for(&k, reviewer))
    })
}

/// A line in the status bar that replaces the key hints until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// How many articles have each status (the inbox's, not a search's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub skipped: usize,
    pub flagged: usize,
    pub total: usize,
}

impl Progress {
    /// Every article has a decision (done, skipped or flagged): nothing is left to do.
    pub fn all_decided(&self) -> bool {
        self.total > 0 && self.done + self.skipped + self.flagged == self.total
    }
}

/// The reading pane's own state, apart from which article it shows (that is the
/// list's selection): kept together because the drawing reports most of it back
/// after each frame and a new selection resets it.
#[derive(Debug)]
pub struct Reader {
    /// First line of the reading pane.
    pub scroll: u16,
    /// Largest useful `scroll`, reported by the drawing code after each frame.
    pub max_scroll: u16,
    /// Lines the reading pane shows at once, reported like `max_scroll`.
    pub page: u16,
    /// Reader lines that hold a body match, reported by the drawing; `n`/`N` jump between them.
    pub match_lines: Vec<u16>,
    /// The match line `n`/`N` last moved to, so the reader can say `match 2/5`.
    pub match_at: Option<u16>,
    /// Whether the reader shows other reviewers' labels. Off by default, so that a
    /// reviewer decides before seeing what colleagues decided.
    pub show_others: bool,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            scroll: 0,
            max_scroll: u16::MAX,
            page: 10,
            match_lines: Vec::new(),
            match_at: None,
            show_others: false,
        }
    }
}

impl Reader {
    /// Back to the top of a newly selected article, before the drawing has measured it.
    fn reset(&mut self) {
        self.scroll = 0;
        self.max_scroll = u16::MAX;
        self.match_at = None;
    }
}

/// The undo and redo history of this session's changes, with the key that undoes
/// for the messages that offer it. Its unit is the [`Step`]: every write of one
/// decision, on one article or many, so one undo takes a decision back wherever it
/// was written.
#[derive(Debug)]
pub struct Changes {
    /// The key that undoes, as the keymap binds it, for messages that offer it.
    pub undo_key: String,
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// The last step id handed out.
    last_step: u64,
}

impl Default for Changes {
    fn default() -> Changes {
        Changes {
            undo_key: "u".to_string(),
            undo: Vec::new(),
            redo: Vec::new(),
            last_step: 0,
        }
    }
}

impl Changes {
    /// An id no write has carried yet, for the writes of one new decision.
    fn new_step(&mut self) -> StepId {
        self.last_step += 1;
        StepId(self.last_step)
    }

    /// A change that happened joins the history it belongs to: the step on top of
    /// that stack when it is the change's own (the writes of one step arrive one
    /// after another), else a step of its own.
    fn record(&mut self, mut write: Write) {
        // Time spent is recorded once, never undone or redone.
        write.edits.retain(|e| !matches!(e, Edit::AddSeconds(_)));
        let stack = match write.kind {
            WriteKind::New => {
                self.redo.clear();
                &mut self.undo
            }
            WriteKind::Undo => &mut self.redo,
            WriteKind::Redo => &mut self.undo,
        };
        bulk::join(stack, write);
    }

    /// Puts the history back as it was before a change that did not happen. Of a
    /// step undone or redone on many articles, only the writes that did not happen
    /// go back: the others did, and are on the other stack.
    fn put_back(&mut self, write: Write) {
        match write.kind {
            WriteKind::New => {}
            WriteKind::Undo => bulk::join(&mut self.undo, write),
            WriteKind::Redo => bulk::join(&mut self.redo, write),
        }
    }

    /// Forgets every change, for when they no longer belong to the one who labels.
    fn forget(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }

    /// How many steps can be undone (for tests and the status line).
    pub fn undoable(&self) -> usize {
        self.undo.len()
    }

    /// How many steps can be redone.
    pub fn redoable(&self) -> usize {
        self.redo.len()
    }
}

/// The search that filters the list: its text and parsed query, what matched in
/// each row, the prompt's history, and which ranking is the one still wanted.
#[derive(Debug, Default)]
pub struct Search {
    /// The search text that filters the list, kept after the prompt closes.
    pub filter: Option<String>,
    /// The parsed query behind `filter`, for highlighting in the reader.
    pub query: Option<Query>,
    /// Why the text in the search prompt is not a query, shown beside it; while it
    /// is set the list keeps the last good results but no title claims them.
    pub error: Option<String>,
    /// Searches kept with Enter, oldest first, for Up/Down in the prompt.
    pub history: History,
    /// A ranking has been asked for and its complete result has not arrived yet.
    pub running: bool,
    /// Per row of `view` while a search filters it: what matched, for highlighting.
    pub hits: Vec<Hit>,
    generation: u64,
    /// The last query whose complete result is in `view`, to narrow from.
    last_complete: Option<(Query, Arc<Vec<usize>>)>,
}

/// What the session keeps about its entries besides the entries themselves: the
/// search worker's view of them, whether more are on the way, and the bookkeeping
/// that live changes to the inbox need.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The searchable text of every entry, shared with the search worker.
    pub docs: Arc<Vec<Arc<Doc>>>,
    /// Every entry's decisions as search filters see them.
    pub facets: Arc<Vec<Facet>>,
    /// True while the inbox is still loading in the background.
    pub loading: bool,
    /// Articles read and not yet written into the index (shown in the title).
    pub indexing: usize,
    /// Counts changes to articles' content, so drawing caches know when to rebuild.
    pub revision: u64,
    /// Entries by path, for live changes; built on the first one.
    index: Option<live::PathIndex>,
    /// Some article was appended while the program ran, out of inbox order.
    arrived_live: bool,
}

/// Everything the screen shows.
#[derive(Debug)]
pub struct AppState {
    pub reviewer: ReviewerName,
    /// The inbox folder as it was given, to name it on screen (an empty inbox says
    /// where it looked).
    pub inbox: std::path::PathBuf,
    pub taxonomy: Taxonomy,
    /// The inbox's source list (`sources.toml`), for reliability suggestions.
    pub sources: Sources,
    /// Every article, in inbox order.
    pub entries: Vec<Entry>,
    /// Folders or files the scan could not read.
    pub problems: Vec<String>,
    /// Indexes into `entries` of the rows shown (all, or a search's results).
    pub view: Vec<usize>,
    /// Position in `view` of the selected row.
    pub cursor: usize,
    /// The reading pane: where it is scrolled to and what the last frame reported.
    pub reader: Reader,
    pub focus: Focus,
    pub mode: Mode,
    /// The search that filters the list, if any, and the rankings in flight.
    pub search: Search,
    /// What is kept about `entries` besides the entries: their search documents,
    /// whether more are loading, and what live changes need.
    pub catalog: Catalog,
    pub message: Option<Message>,
    pub width: u16,
    pub height: u16,
    /// Changes the disk refused, oldest first; see [`Unsaved`].
    pub unsaved: Vec<Unsaved>,
    /// Whether a sync with the team runs, and when the last one did.
    pub syncing: Syncing,
    /// The reviewer asked to quit with unsaved changes and was warned; asking again quits.
    quit_warned: bool,
    /// The review of disagreements: whether it is open and who settles them.
    pub review: review::Reviewing,
    /// Where the selection goes as the inbox arrives; see [`AppState::resume_at`].
    pub resume: Option<Resume>,
    /// The changes that can be undone and redone.
    pub changes: Changes,
    /// The model and record that suggest labels, and the list's order.
    pub learned: Learned,
    /// Where the bodies of articles loaded from the index are (see [`Texts`]).
    pub texts: Texts,
    /// The stories with copies, and which the list shows unfolded.
    pub copies: Copies,
    /// The articles marked for the next decision.
    pub marks: Marks,
    /// The edits of the reviewer's last decision, made absolute, for `.` to repeat.
    pub last_decision: Option<Vec<Edit>>,
    /// The inbox's `guidelines.md`, shown at the end of the help.
    pub guidelines: crate::labels::guidelines::Guidelines,
    /// The saved searches (the team's `queries.toml` and the reviewer's own).
    pub saved: search::saved::SavedQueries,
    /// The inbox's `assignments.toml`, if it has one: `is:mine`, where the session
    /// opens, and the stats per assignee (see [`AppState::assignments_loaded`]).
    pub assignments: Option<Arc<crate::team::assign::Assignments>>,
}

/// The bodies of articles loaded from the index, which keeps them rather than memory
/// ([`crate::index`]): loaded one at a time when an article is read, and the last
/// one kept, since the reader draws it on every frame.
#[derive(Default)]
pub struct Texts {
    pub index: Option<Arc<crate::index::Shared>>,
    last: std::sync::Mutex<Option<(usize, Arc<Article>)>>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.index.is_some() {
            "Texts(index)"
        } else {
            "Texts(memory)"
        })
    }
}

impl Texts {
    pub fn new(index: Option<Arc<crate::index::Shared>>) -> Texts {
        Texts {
            index,
            last: std::sync::Mutex::new(None),
        }
    }

    /// `entry`'s article with its body: as held when it holds it; else from the
    /// index, or, when the index no longer has it, read from the file again.
    pub fn whole(&self, entry: &Entry) -> Option<Arc<Article>> {
        let article = entry.article.as_ref().ok()?;
        if article.held.is_none() {
            return Some(Arc::clone(article));
        }
        // Keyed by the held article itself: a reloaded entry is a new allocation.
        let key = Arc::as_ptr(article) as usize;
        if let Ok(last) = self.last.lock()
            && let Some((k, whole)) = last.as_ref()
            && *k == key
        {
            return Some(Arc::clone(whole));
        }
        let whole = entry.whole(self.index.as_deref())?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some((key, Arc::clone(&whole)));
        }
        Some(whole)
    }
}

impl AppState {
    pub fn new(reviewer: ReviewerName, taxonomy: Taxonomy, entries: Vec<Entry>) -> AppState {
        let mut state = AppState::empty(reviewer, taxonomy);
        state.add_entries(entries);
        state
    }

    /// A state with no articles yet, for an inbox that loads in the background.
    pub fn empty(reviewer: ReviewerName, taxonomy: Taxonomy) -> AppState {
        AppState {
            reviewer,
            inbox: std::path::PathBuf::new(),
            taxonomy,
            sources: Sources::default(),
            entries: Vec::new(),
            problems: Vec::new(),
            view: Vec::new(),
            cursor: 0,
            reader: Reader::default(),
            focus: Focus::List,
            mode: Mode::Normal,
            search: Search::default(),
            catalog: Catalog::default(),
            message: None,
            width: 80,
            height: 24,
            unsaved: Vec::new(),
            syncing: Syncing::default(),
            quit_warned: false,
            review: review::Reviewing::default(),
            resume: None,
            changes: Changes::default(),
            learned: Learned::default(),
            texts: Texts::default(),
            copies: Copies::default(),
            marks: Marks::default(),
            last_decision: None,
            guidelines: Default::default(),
            saved: Default::default(),
            assignments: None,
        }
    }

    /// Adds articles that finished loading, in inbox order. Without a search they
    /// join the list at once; with one, the search is run again to include them.
    pub fn add_entries(&mut self, mut entries: Vec<Entry>) -> Vec<Effect> {
        let start = self.entries.len();
        {
            let (taxonomy, sources, reviewer) = (&self.taxonomy, &self.sources, &self.reviewer);
            let assignments = self.assignments.as_deref();
            // Two passes: every record of the batch is made first, then the articles
            // held by the index drop their own labels. Freeing them among the new
            // records scattered those through the heap, and the title stage of a
            // keystroke, which visits every record, went from 19 to 33 ms.
            let made = in_parallel_mut(&mut entries, |e| {
                let mut doc = doc_with(e, suggested_numbers(e, taxonomy, sources));
                // Put back once the labels are dropped (an article shared with
                // its record could not drop them).
                doc.article = None;
                let mut facet = facet_of(e, reviewer, taxonomy);
                facet.not_mine = not_mine(assignments, e, reviewer);
                (Arc::new(doc), facet)
            });
            let docs = Arc::make_mut(&mut self.catalog.docs);
            let facets = Arc::make_mut(&mut self.catalog.facets);
            for (e, (mut doc, facet)) in entries.iter_mut().zip(made) {
                forget_own_labels(e);
                let article = e.article.as_ref().ok().cloned();
                match Arc::get_mut(&mut doc) {
                    Some(d) => d.article = article,
                    // Never shared yet; should it be, a copy carries the article.
                    None => {
                        doc = Arc::new(Doc {
                            article,
                            ..(*doc).clone()
                        })
                    }
                }
                docs.push(doc);
                facets.push(facet);
            }
        }
        self.entries.extend(entries);
        if self.search.query.is_none() {
            let listed: Vec<usize> = (start..self.entries.len())
                .filter(|&i| !self.reviewing() || self.in_review(i))
                .collect();
            let first_new = self.view.len();
            self.view.extend(listed);
            self.resume(first_new, false);
            return Vec::new();
        }
        if self.search.running {
            // The ranking in flight will be redone when loading ends.
            return Vec::new();
        }
        self.search.last_complete = None;
        self.rerun_search()
    }

    /// The inbox finished loading.
    pub fn loading_finished(&mut self, problems: Vec<String>) -> Vec<Effect> {
        self.catalog.loading = false;
        self.problems = problems;
        if self.search.query.is_none() {
            self.resume(0, true);
        }
        self.resume = None;
        if self.search.query.is_some() {
            self.search.last_complete = None;
            return self.rerun_search();
        }
        Vec::new()
    }

    /// Problems met after loading finished, joining those it reported.
    pub fn more_problems(&mut self, more: Vec<String>) {
        self.problems.extend(more);
        self.problems.sort();
    }

    /// Opens where the work is: on `remembered` (the article this reviewer had
    /// selected when the program last ended) or, when there is none or it is gone,
    /// on the first article still to do, as mail and feed readers open at the first
    /// unread. The articles arrive in batches, so the selection moves when the one
    /// it waits for arrives; the first key the reviewer presses cancels the move, so
    /// the program never jumps away from an article the reviewer chose.
    pub fn resume_at(&mut self, remembered: Option<std::path::PathBuf>) {
        let mine_first = self.has_assignments();
        self.resume = Some(Resume {
            remembered,
            mine_first,
        });
        self.resume(0, !self.catalog.loading);
        if !self.catalog.loading {
            self.resume = None;
        }
    }

    /// Looks among the rows of the view from `from` on for where to resume, and
    /// selects it. `complete` means every article has arrived: the remembered one
    /// is not coming, so the first to do anywhere in the view is taken.
    fn resume(&mut self, from: usize, complete: bool) {
        let Some(resume) = &self.resume else { return };
        let rows = from.min(self.view.len())..self.view.len();
        let remembered = resume.remembered.as_ref().and_then(|rel| {
            rows.clone().find(|&pos| {
                self.entries
                    .get(self.view[pos])
                    .is_some_and(|e| e.rel == *rel)
            })
        });
        let is_todo = |pos: usize| self.status(self.view[pos]) == Status::Todo;
        let todo = || {
            let rows = if resume.remembered.is_some() {
                if !complete {
                    return None;
                }
                0..self.view.len()
            } else {
                rows.clone()
            };
            if !resume.mine_first {
                return rows.into_iter().find(|&pos| is_todo(pos));
            }
            // Assigned articles first; the first to do of all only once every
            // article is in and none of the reviewer's is left to do.
            let mine = |pos: usize| {
                self.catalog
                    .facets
                    .get(self.view[pos])
                    .is_some_and(|f| !f.not_mine)
            };
            match rows.into_iter().find(|&pos| is_todo(pos) && mine(pos)) {
                None if complete => (0..self.view.len()).find(|&pos| is_todo(pos)),
                found => found,
            }
        };
        if let Some(pos) = remembered.or_else(todo) {
            self.select(pos);
            self.resume = None;
        }
    }

    /// The inbox's assignments arrived (`None`: it has none): `is:mine` and the
    /// stats follow them, and a session still looking for where to open looks
    /// among the reviewer's articles first.
    pub fn assignments_loaded(
        &mut self,
        assignments: Option<crate::team::assign::Assignments>,
    ) -> Vec<Effect> {
        self.assignments = assignments.map(Arc::new);
        let facets = Arc::make_mut(&mut self.catalog.facets);
        for (facet, entry) in facets.iter_mut().zip(&self.entries) {
            facet.not_mine = not_mine(self.assignments.as_deref(), entry, &self.reviewer);
        }
        let mine_first = self.has_assignments();
        if let Some(resume) = &mut self.resume {
            resume.mine_first = mine_first;
        }
        self.rerun_search()
    }

    /// Whether `assignments.toml` gives this reviewer any article.
    pub fn has_assignments(&self) -> bool {
        self.assignments
            .as_ref()
            .is_some_and(|a| a.has_any(&self.reviewer))
    }

    fn rerun_search(&mut self) -> Vec<Effect> {
        match self.search.query.clone() {
            Some(q) => self.request_search(q, None),
            None => Vec::new(),
        }
    }

    fn request_search(&mut self, query: Query, within: Option<Arc<Vec<usize>>>) -> Vec<Effect> {
        // The taxonomy's labels, so suggestions count (`sug:`, a label's id or name):
        // some thirty short texts, cheap to build per keystroke.
        let query = query.with_labels(Arc::new(search::Labels::new(&self.taxonomy)));
        self.search.generation += 1;
        self.search.running = true;
        self.search.query = Some(query.clone());
        vec![Effect::Search(Job {
            generation: self.search.generation,
            query,
            docs: Arc::clone(&self.catalog.docs),
            facets: Arc::clone(&self.catalog.facets),
            within,
            bodies: self
                .texts
                .index
                .as_ref()
                .map(|i| search::Bodies(Arc::clone(i) as Arc<dyn search::BodyIndex>)),
        })]
    }

    /// A ranking arrived from the worker. Rankings of older queries are dropped:
    /// a stale ranking never replaces a newer one.
    pub fn search_results(&mut self, generation: u64, hits: Vec<Hit>, complete: bool) {
        if generation != self.search.generation || self.search.query.is_none() {
            return;
        }
        let keep = self.selected();
        // A narrower query re-ranks these results: every match, folded copies too.
        let matched: Vec<usize> = hits.iter().map(|h| h.entry).collect();
        let hits = self.folded_hits(hits);
        self.view = hits.iter().map(|h| h.entry).collect();
        self.search.hits = hits;
        let pos = keep
            .and_then(|k| self.view.iter().position(|&i| i == k))
            .unwrap_or(0);
        self.cursor = usize::MAX;
        self.select(pos);
        if self.view.is_empty() {
            self.cursor = 0;
        }
        if complete {
            self.search.running = false;
            if let Some(q) = &self.search.query {
                self.search.last_complete = Some((q.clone(), Arc::new(matched)));
            }
        }
    }

    /// The hit behind a row of the view, while a search filters the list.
    pub fn hit(&self, pos: usize) -> Option<&Hit> {
        if self.search.query.is_some() {
            self.search.hits.get(pos)
        } else {
            None
        }
    }

    /// The selected article's index into `entries`.
    pub fn selected(&self) -> Option<usize> {
        self.view.get(self.cursor).copied()
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.selected().and_then(|i| self.entries.get(i))
    }

    /// This reviewer's decision on an article: as last read or written, with any
    /// changes the disk refused applied on top, since those are what the screen shows.
    pub fn decision(&self, entry: usize) -> Decision {
        let mut decision = self
            .entries
            .get(entry)
            .and_then(|e| e.mine(&self.reviewer).sidecar())
            .map(|s| s.decision.clone())
            .unwrap_or_default();
        for u in self.unsaved.iter().filter(|u| u.write.entry == entry) {
            for edit in &u.write.edits {
                decision.apply(edit);
            }
        }
        decision
    }

    /// [`AppState::decision`] without a copy when nothing unsaved changes it, for
    /// drawing: a note can be megabytes long, and rows are drawn on every frame.
    pub fn decision_ref(&self, entry: usize) -> std::borrow::Cow<'_, Decision> {
        let saved = self
            .entries
            .get(entry)
            .and_then(|e| e.mine(&self.reviewer).sidecar())
            .map(|s| &s.decision);
        match saved {
            Some(d) if !self.unsaved.iter().any(|u| u.write.entry == entry) => {
                std::borrow::Cow::Borrowed(d)
            }
            _ => std::borrow::Cow::Owned(self.decision(entry)),
        }
    }

    pub fn status(&self, entry: usize) -> Status {
        // Called for every article each frame (the list's counts): only an article
        // with unsaved changes needs its decision worked out.
        if !self.unsaved.iter().any(|u| u.write.entry == entry) {
            return self
                .entries
                .get(entry)
                .and_then(|e| e.mine(&self.reviewer).sidecar())
                .map_or(Status::Todo, |s| s.decision.status);
        }
        self.decision(entry).status
    }

    /// Why an article's latest change is not on disk, if it is not.
    pub fn unsaved_error(&self, entry: usize) -> Option<&str> {
        self.unsaved
            .iter()
            .rev()
            .find(|u| u.write.entry == entry)
            .map(|u| u.error.as_str())
    }

    /// Counts for the list's title: every status but to-do, so that the numbers
    /// add up to what is left to do.
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for i in 0..self.entries.len() {
            if self.is_gone(i) {
                continue;
            }
            p.total += 1;
            match self.status(i) {
                Status::Done => p.done += 1,
                Status::Skipped => p.skipped += 1,
                Status::Flagged => p.flagged += 1,
                Status::Todo => {}
            }
        }
        p
    }

    /// The keymap contexts that apply now, highest priority first.
    pub fn contexts(&self) -> &'static [Context] {
        match (&self.mode, self.focus) {
            (Mode::Normal, Focus::List) => &[Context::List, Context::Global],
            (Mode::Normal, Focus::Reader) => &[Context::Reader, Context::Global],
            (Mode::Picker(_), _) => &[Context::Picker],
            (Mode::Note(_), _) => &[Context::Note],
            (Mode::Search(_), _) => &[Context::Search],
            (Mode::Help { .. } | Mode::Stats { .. }, _) => &[Context::Help],
            (Mode::Conflict(_), _) => &[Context::Conflict],
            (Mode::SavedSearches { .. }, _) => &[Context::SavedSearches],
        }
    }

    /// True when unbound printable keys are text for a prompt rather than commands.
    pub fn typing(&self) -> bool {
        match &self.mode {
            Mode::Note(_) | Mode::Search(_) => true,
            Mode::Picker(p) => p.filter.is_some(),
            _ => false,
        }
    }

    /// Called by the loop once a [`Write`] has been carried out. On success the
    /// entry shows what is now on disk and the change joins the undo history; on
    /// failure nothing on screen claims it was saved.
    pub fn write_finished(&mut self, write: Write, result: Result<Sidecar, StoreError>) {
        match result {
            Ok(sidecar) => {
                self.saved(write.entry, sidecar);
                self.record(write);
            }
            // The disk refused (full, read-only, gone), or the sidecar cannot be read
            // and is left as it is until someone repairs it: the change stays on screen
            // and in the history, marked unsaved, and is retried.
            Err(e) if retriable(&e) => {
                self.mark_broken(write.entry, &e);
                let error = result_text(&Err(e));
                self.error(format!(
                    "Not saved: {error} Kept as unsaved; it is retried with your next change, or now with ctrl-s."
                ));
                self.keep_unsaved(write, error);
            }
            Err(e) => {
                // Put the history back as it was: the change did not happen.
                self.changes.put_back(write);
                self.error(format!("Not saved: {e}"));
            }
        }
    }

    /// Puts a change the disk has not taken behind the article's earlier unsaved
    /// ones: changes to a sidecar must reach it in the order they were made.
    pub fn defer(&mut self, write: Write) {
        let error = self
            .unsaved_error(write.entry)
            .unwrap_or("an earlier change to this article is not saved yet")
            .to_string();
        self.keep_unsaved(write, error);
    }

    /// Hands the unsaved changes to the loop to retry, oldest first.
    pub fn take_unsaved(&mut self) -> Vec<Unsaved> {
        std::mem::take(&mut self.unsaved)
    }

    /// Called by the loop once an unsaved change has been tried again.
    pub fn retry_finished(&mut self, unsaved: Unsaved, result: Result<Sidecar, StoreError>) {
        match result {
            Ok(sidecar) => self.saved(unsaved.write.entry, sidecar),
            // Still refused, or the sidecar broke meanwhile (edited by hand?): it is
            // never overwritten, so the change waits until it can be made.
            Err(e) if retriable(&e) => {
                self.mark_broken(unsaved.write.entry, &e);
                self.unsaved.push(Unsaved {
                    write: unsaved.write,
                    error: result_text(&Err(e)),
                });
            }
            Err(e) => self.error(format!("Not saved, and given up: {e}")),
        }
    }

    /// Whether a quit request may end the program now. With unsaved changes the
    /// first request only warns, so they are never lost by a reflex `q`.
    pub fn may_quit(&mut self) -> bool {
        if self.unsaved.is_empty() || self.quit_warned {
            return true;
        }
        self.quit_warned = true;
        let n = self.unsaved.len();
        let error = self
            .unsaved
            .last()
            .map(|u| u.error.clone())
            .unwrap_or_default();
        let changes = if n == 1 { "change is" } else { "changes are" };
        self.error(format!(
            "{n} {changes} not saved ({error}) Quit again to leave without them, or ctrl-s to retry."
        ));
        false
    }

    /// The unsaved changes per article, in the order the articles were first changed:
    /// the article's path and why its latest change is not on disk. What the program
    /// prints when it ends with changes it could not save.
    pub fn unsaved_articles(&self) -> Vec<(std::path::PathBuf, String)> {
        let mut out: Vec<(usize, std::path::PathBuf, String)> = Vec::new();
        for u in &self.unsaved {
            match out.iter_mut().find(|(i, _, _)| *i == u.write.entry) {
                Some(found) => found.2 = u.error.clone(),
                None => {
                    let path = self
                        .entries
                        .get(u.write.entry)
                        .map(Entry::path)
                        .unwrap_or_default();
                    out.push((u.write.entry, path, u.error.clone()));
                }
            }
        }
        out.into_iter()
            .map(|(_, path, error)| (path, error))
            .collect()
    }

    /// A sidecar found broken while writing shows as broken on its row.
    fn mark_broken(&mut self, index: usize, e: &StoreError) {
        if let (StoreError::Broken { problem, .. }, Some(entry)) = (e, self.entries.get_mut(index))
        {
            entry.set_sidecar(&self.reviewer, SidecarState::Broken(problem.clone()));
        }
    }

    fn keep_unsaved(&mut self, write: Write, error: String) {
        self.record(write.clone());
        let index = write.entry;
        self.unsaved.push(Unsaved { write, error });
        self.refresh_facet(index);
    }

    /// The entry now shows what is on disk.
    fn saved(&mut self, index: usize, sidecar: Sidecar) {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.set_sidecar(&self.reviewer, SidecarState::Saved(Box::new(sidecar)));
        }
        self.refresh_facet(index);
    }

    /// Rebuilds what search filters see of an entry, unsaved changes included.
    fn refresh_facet(&mut self, index: usize) {
        let Some(entry) = self.entries.get(index) else {
            return;
        };
        let mut facet = facet_of(entry, &self.reviewer, &self.taxonomy);
        facet.copies = self.copies.groups.group_of(index).is_some();
        facet.not_mine = not_mine(self.assignments.as_deref(), entry, &self.reviewer);
        if self.unsaved.iter().any(|u| u.write.entry == index) {
            let d = self.decision(index);
            facet.status = d.status;
            facet.region = d.region.into_iter().map(String::from).collect();
            facet.theme = d.theme.into_iter().map(String::from).collect();
            facet.reliability = d.reliability.map(String::from);
        }
        if let Some(slot) = Arc::make_mut(&mut self.catalog.facets).get_mut(index) {
            *slot = facet;
        }
    }

    /// A change that happened joins the history it belongs to.
    fn record(&mut self, write: Write) {
        self.changes.record(write);
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    fn select(&mut self, cursor: usize) {
        if self.view.is_empty() {
            self.cursor = 0;
            return;
        }
        let cursor = cursor.min(self.view.len() - 1);
        if cursor != self.cursor {
            self.cursor = cursor;
            self.reader.reset();
        }
    }

    /// Whether an article's bytes could not be read: it cannot be labeled, since a
    /// decision records the bytes it was made on (`article_sha256`). Says so on the
    /// status line when it cannot.
    fn refuse_unreadable(&mut self, entry: usize) -> bool {
        let Some(e) = self.entries.get(entry) else {
            return false;
        };
        if e.sha256.is_some() {
            return false;
        }
        let reason = e.article.as_ref().err().cloned().unwrap_or_default();
        self.error(format!(
            "This article cannot be labeled: {}.",
            sanitize(reason.trim_end_matches('.'))
        ));
        true
    }

    /// `n`/`N`: scrolls the reader to the next or previous body match and says which
    /// one it is. Counted from the match last jumped to, not from the scroll
    /// position, so matches near the end (where scrolling stops short) are reached too.
    fn jump_to_match(&mut self, forward: bool) {
        let lines = &self.reader.match_lines;
        if lines.is_empty() {
            self.info("No body match in this article");
            return;
        }
        let current = self
            .reader
            .match_at
            .and_then(|at| lines.binary_search(&at).ok());
        let target = match (current, forward) {
            (Some(i), true) => (i + 1 < lines.len()).then_some(i + 1),
            (Some(i), false) => i.checked_sub(1),
            (None, true) => lines.iter().position(|&l| l >= self.reader.scroll),
            (None, false) => lines.iter().rposition(|&l| l < self.reader.scroll),
        };
        let Some(i) = target else {
            self.info(if forward {
                "No more matches below"
            } else {
                "No more matches above"
            });
            return;
        };
        let line = lines[i];
        self.reader.scroll = line.min(self.reader.max_scroll);
        self.reader.match_at = Some(line);
        self.info(format!("match {}/{}", i + 1, lines.len()));
    }

    /// Builds the write for edits on the selected article, with the edits that undo it;
    /// none when the edits change nothing, since only a change is written, and none
    /// (with a message) when the article cannot be labeled. (On an article whose bytes
    /// changed since the decision, making it again is a change: it confirms the
    /// decision for the new text, and the store records the new hash.)
    fn write(&mut self, edits: Vec<Edit>) -> Option<Effect> {
        let entry = self.selected()?;
        if self.refuse_unreadable(entry) {
            return None;
        }
        let step = self.changes.new_step();
        self.change(entry, edits, step).map(Effect::Write)
    }

    /// The write that makes `edits` on one article as part of `step`, with the edits
    /// that undo it; none when they change nothing (see [`AppState::write`]).
    fn change(&self, entry: usize, edits: Vec<Edit>, step: StepId) -> Option<Write> {
        let before = self.decision(entry);
        let mut inverse = Vec::new();
        let mut after = before.clone();
        for edit in &edits {
            inverse.push(inverse_of(&after, edit));
            after.apply(edit);
        }
        if after.same_choices(&before)
            && !self
                .entries
                .get(entry)
                .is_some_and(|e| e.changed(&self.reviewer))
        {
            return None;
        }
        inverse.reverse();
        Some(Write {
            entry,
            edits,
            inverse,
            kind: WriteKind::New,
            step,
        })
    }

    /// The next article in the view, after the selected one and wrapping around,
    /// that is still to do; the selected one never counts (it was just decided).
    fn next_todo(&self) -> Option<usize> {
        let n = self.view.len();
        (1..n)
            .map(|step| (self.cursor + step) % n)
            .find(|&pos| self.status(self.view[pos]) == Status::Todo)
    }

    /// Makes a decision on the selected article, or on every marked article with it
    /// (see [`AppState::decide_marked`]), or on every copy of the folded story the
    /// selected row stands for (see [`AppState::decide_story`]), and keeps it for
    /// `.` to repeat. Edits that
    /// set a status move on to the next article still to do.
    fn decide(&mut self, edits: Vec<Edit>) -> Vec<Effect> {
        if edits.is_empty() {
            return Vec::new();
        }
        self.last_decision = Some(edits.clone());
        if !self.marks.is_empty() {
            return self.decide_marked(edits);
        }
        if let Some(story) = self.folded_story() {
            return self.decide_story(story, edits);
        }
        match bulk::status_set(&edits) {
            Some(status) => self.decide_status(status, edits),
            None => self.write(edits).into_iter().collect(),
        }
    }

    /// Sets a status (with any other edits made with it) and moves on to the next
    /// article still to do. An article that already has that status is not written
    /// again, but the move still happens.
    fn decide_status(&mut self, status: Status, edits: Vec<Edit>) -> Vec<Effect> {
        let Some(entry) = self.selected() else {
            return Vec::new();
        };
        // An article that cannot be labeled keeps the selection, so the message
        // stays beside the article it is about.
        if self.refuse_unreadable(entry) {
            return Vec::new();
        }
        let effect = self.write(edits);
        // Enter on an unlabeled article is more often a slip than a decision: it is
        // made, and said, with the way back.
        let unlabeled = status == Status::Done
            && effect.is_some()
            && self.selected().is_some_and(|i| {
                let decision = self.decision(i);
                Axis::ALL
                    .iter()
                    .all(|&axis| decision.labels(axis).is_empty())
            });
        let said = if unlabeled {
            format!("done without labels · {} undoes", self.changes.undo_key)
        } else {
            status.as_str().to_string()
        };
        match self.next_todo() {
            Some(pos) => {
                self.select(pos);
                if unlabeled {
                    self.info(said);
                }
            }
            None => self.info(format!("{said} — nothing left to do here")),
        }
        effect.into_iter().collect()
    }

    /// The selected article's web address, when it has one that a browser may open
    /// (http or https); otherwise says why not and gives none.
    fn selected_url(&mut self) -> Option<String> {
        let url = self
            .selected_entry()
            .and_then(|e| e.article.as_ref().ok())
            .and_then(|a| a.url.clone());
        let Some(url) = url else {
            if self.selected().is_some() {
                self.info("This article has no URL");
            }
            return None;
        };
        match web_url(&url) {
            Some(url) => Some(url),
            None => {
                self.error(format!(
                    "Not a web address (only http and https are opened or copied): {url}"
                ));
                None
            }
        }
    }

    /// The edit that toggles a label on the selected article: made absolute (an add
    /// or a remove, as it turns out there), so that it means the same on every
    /// marked article and when `.` repeats it.
    fn toggle(&self, axis: Axis, id: &str) -> Vec<Edit> {
        let Some(entry) = self.selected() else {
            return Vec::new();
        };
        if self.decision(entry).has(axis, id) {
            vec![Edit::Remove(axis, LabelId::from(id))]
        } else {
            vec![Edit::Add(axis, LabelId::from(id))]
        }
    }

    /// What `a` accepts for an article (and what it shows dimmed): in the review,
    /// what most reviewers chose; otherwise everything [`crate::team::suggest`]
    /// combines: the article's own classification, the source list, places, the
    /// team's record and the learned model.
    pub fn suggestions(&self, entry: usize) -> crate::article::Suggestions {
        if self.reviewing() {
            return self.majority(entry);
        }
        match self.entries.get(entry).and_then(|e| self.texts.whole(e)) {
            Some(article) => {
                self.learned
                    .suggester
                    .suggest(&article, &self.taxonomy, &self.sources)
            }
            None => crate::article::Suggestions::default(),
        }
    }

    /// The whole inbox in the list's order (see [`Order`]); a search's ranking and
    /// the review keep their own.
    fn ordered_view(&self, view: Vec<usize>) -> Vec<usize> {
        if self.reviewing() || self.search.query.is_some() {
            return view;
        }
        learned::ordered(view, self.learned.order, &self.learned.margins, |i| {
            self.status(i) == Status::Todo
        })
    }

    /// Puts the list in the order again (after the order changed or the model
    /// scored the articles), keeping the selected article selected.
    pub fn reorder(&mut self) {
        if self.reviewing() || self.search.query.is_some() {
            return;
        }
        let keep = self.selected();
        let view = std::mem::take(&mut self.view);
        let view = if self.learned.order == Order::Inbox {
            self.inbox_view()
        } else {
            self.ordered_view(view)
        };
        self.view = self.folded(view);
        match keep.and_then(|k| self.view.iter().position(|&i| i == k)) {
            // The same article: the reader stays where it was.
            Some(pos) => self.cursor = pos,
            None => {
                self.cursor = usize::MAX;
                self.select(0);
            }
        }
    }

    /// Moves to the next order of the list (inbox, least sure first, surest first)
    /// and says which, and what it waits for.
    fn cycle_order(&mut self) {
        self.learned.order = self.learned.order.next();
        let order = self.learned.order;
        self.reorder();
        let waits = if self.reviewing() {
            " (the review keeps its own order)"
        } else if self.search.query.is_some() {
            " (once the search is cleared)"
        } else if order != Order::Inbox && self.learned.suggester.model.is_none() {
            " (once there are decisions to learn from)"
        } else if order != Order::Inbox && !self.learned.scored {
            " (as soon as the model has scored the articles)"
        } else {
            ""
        };
        self.info(format!("Order: {}{waits}", order.describe()));
    }

    /// A new model (and margins, when asked for) from the background learner.
    pub fn model_learned(
        &mut self,
        fingerprint: u64,
        model: Option<Arc<crate::learn::Model>>,
        margins: Option<Vec<Option<f32>>>,
    ) {
        let scored = margins.is_some();
        self.learned.take(fingerprint, model, margins);
        if scored && self.learned.order != Order::Inbox {
            self.reorder();
            if std::mem::take(&mut self.learned.open_at_top) && self.search.query.is_none() {
                self.select(0);
            }
        }
    }

    /// The edits that accept every suggestion without overwriting a label already set.
    fn accept(&self) -> Vec<Edit> {
        match self.selected() {
            Some(entry) => self.accept_for(entry),
            None => Vec::new(),
        }
    }

    /// [`AppState::accept`] for any article: its own suggestions.
    fn accept_for(&self, entry: usize) -> Vec<Edit> {
        let decision = self.decision(entry);
        let suggestions = self.suggestions(entry);
        let mut edits = Vec::new();
        for axis in [Axis::Region, Axis::Theme] {
            for id in suggestions.ids(axis) {
                if !decision.has(axis, id) {
                    edits.push(Edit::Add(axis, LabelId::from(id)));
                }
            }
        }
        if decision.reliability.is_none()
            && let Some(s) = &suggestions.reliability
        {
            edits.push(Edit::SetReliability(Some(s.id.clone())));
        }
        edits
    }

    /// Starts ranking for the text in the search prompt. A query that only narrowed
    /// the last complete one re-ranks just its results; a malformed one is reported
    /// under the prompt and changes nothing.
    fn search_for(&mut self, text: &str) -> Vec<Effect> {
        let query = match search::parse(text) {
            Ok(q) => q,
            Err(e) => {
                self.search.error = Some(e.to_string());
                return Vec::new();
            }
        };
        self.search.error = None;
        if query.is_empty() {
            self.clear_search();
            return Vec::new();
        }
        self.search.filter = Some(text.to_string());
        // Narrowing pays only when the previous results are a small part of the
        // inbox; re-ranking nearly all of it out of order costs more than a fresh pass.
        let within = match &self.search.last_complete {
            Some((older, results))
                if query.narrows(older) && results.len() * 2 <= self.catalog.docs.len() =>
            {
                Some(Arc::clone(results))
            }
            _ => None,
        };
        self.request_search(query, within)
    }

    /// Every article still in the inbox, in inbox order.
    fn inbox_view(&self) -> Vec<usize> {
        let facets = &self.catalog.facets;
        let mut view: Vec<usize> = (0..self.entries.len())
            .filter(|&i| !facets.get(i).is_some_and(|f| f.gone))
            .collect();
        if self.catalog.arrived_live {
            // Articles that arrived while the program ran sit at the end of `entries`.
            let entries = &self.entries;
            view.sort_by(|&a, &b| entries[a].rel.cmp(&entries[b].rel));
        }
        view
    }

    /// Shows the whole inbox again, keeping the selected article.
    fn clear_search(&mut self) {
        let keep = self.selected();
        self.search.generation += 1; // whatever is in flight is now stale
        self.search.running = false;
        self.search.query = None;
        self.search.filter = None;
        self.search.error = None;
        self.search.hits.clear();
        self.search.last_complete = None;
        self.view = if self.reviewing() {
            self.review_list()
        } else {
            let inbox = self.inbox_view();
            let view = self.ordered_view(inbox);
            self.folded(view)
        };
        let pos = keep
            .and_then(|k| self.view.iter().position(|&i| i == k))
            .unwrap_or(0);
        self.cursor = usize::MAX;
        self.select(pos);
    }
}

/// Whether a refused write is kept as unsaved and tried again: every refusal except a
/// reviewer name that can never be written (which the program checks at start).
fn retriable(e: &StoreError) -> bool {
    !matches!(e, StoreError::BadReviewer(_))
}

/// A store error as the sentence shown for an unsaved change, ending in a full stop.
fn result_text(result: &Result<Sidecar, StoreError>) -> String {
    match result {
        Ok(_) => String::new(),
        Err(e) => {
            let text = e.to_string();
            if text.ends_with('.') {
                text
            } else {
                format!("{text}.")
            }
        }
    }
}

/// The address in `text` when it is an http or https URL, as the `url` crate writes
/// it (spaces and control characters percent-encoded), so that nothing else from an
/// article (`javascript:`, `file:`, a command) reaches a browser or the clipboard.
pub fn web_url(text: &str) -> Option<String> {
    let parsed = url::Url::parse(text.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// What a change did, in the words of the status line after undo and redo
/// (`region europe, reliability mixed`).
pub fn describe_edits(edits: &[Edit]) -> String {
    let words: Vec<String> = edits
        .iter()
        .filter_map(|edit| match edit {
            Edit::Add(axis, id) => Some(format!("{axis} {id}")),
            Edit::Remove(axis, id) => Some(format!("{axis} {id} removed")),
            Edit::SetReliability(Some(id)) => Some(format!("reliability {id}")),
            Edit::SetReliability(None) => Some("reliability cleared".to_string()),
            Edit::SetStatus(status) => Some(format!("status {}", status.as_str())),
            Edit::SetNote(Some(_)) => Some("note".to_string()),
            Edit::SetNote(None) => Some("note removed".to_string()),
            Edit::AddSeconds(_) => None,
        })
        .collect();
    if words.is_empty() {
        "nothing".to_string()
    } else {
        words.join(", ")
    }
}

/// The edit that puts back what `edit` changes in `before`.
fn inverse_of(before: &Decision, edit: &Edit) -> Edit {
    match edit {
        Edit::Add(axis, id) if before.has(*axis, id) => Edit::Add(*axis, id.clone()),
        Edit::Add(axis, id) => Edit::Remove(*axis, id.clone()),
        Edit::Remove(axis, id) if before.has(*axis, id) => Edit::Add(*axis, id.clone()),
        Edit::Remove(axis, id) => Edit::Remove(*axis, id.clone()),
        Edit::SetReliability(_) => Edit::SetReliability(before.reliability.clone()),
        Edit::SetStatus(_) => Edit::SetStatus(before.status),
        Edit::SetNote(_) => Edit::SetNote(before.note.clone()),
        // Time spent is not undone: it was spent.
        Edit::AddSeconds(_) => Edit::AddSeconds(0.0),
    }
}

/// Applies one action. Pure: the disk is touched only through the returned effects.
pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    if !matches!(action, Action::Resize(..)) {
        state.message = None;
        // The reviewer has taken over: the selection no longer moves on its own.
        state.resume = None;
    }
    if !matches!(action, Action::Resize(..) | Action::Quit) {
        state.quit_warned = false;
    }
    // Typing in the note editor changes its text in place: the note may be megabytes
    // long, and copying it (as the match below copies the mode) on every keystroke
    // would make typing slow.
    if let Mode::Note(edit) = &mut state.mode
        && matches!(action, Action::Input(_) | Action::Backspace)
    {
        edit.apply(&action);
        return Vec::new();
    }
    let effects = match state.mode.clone() {
        Mode::Normal => update_normal(state, action),
        Mode::Picker(picker) => update_picker(state, picker, action),
        Mode::Note(edit) => update_note(state, edit, action),
        Mode::Search(edit) => update_search(state, edit, action),
        Mode::Stats { stats, scroll } => update_stats(state, stats, scroll, action),
        Mode::Help { scroll } => update_help(state, scroll, action),
        Mode::Conflict(pending) => bulk::update_conflict(state, *pending, action),
        Mode::SavedSearches { highlight } => update_saved_searches(state, highlight, action),
    };
    // Marks last for one decision; a picker kept open (a capital letter) may make it
    // in several keystrokes, so they go once it closes.
    if state.marks.spent && state.mode == Mode::Normal {
        state.marks.clear();
    }
    effects
}

/// The note editor: Enter writes the note if it changed, Esc leaves it as it was.
fn update_note(state: &mut AppState, mut edit: LineEdit, action: Action) -> Vec<Effect> {
    match action {
        Action::Close => state.mode = Mode::Normal,
        Action::Confirm => {
            state.mode = Mode::Normal;
            let note = edit.text().trim().to_string();
            let note = (!note.is_empty()).then_some(note);
            // The editor opened on the note without its escape sequences
            // (see `Action::Note`): closing it unchanged changes nothing.
            let current = state
                .selected()
                .and_then(|i| state.decision_ref(i).note.clone())
                .map(|n| crate::sanitize::strip_sequences(&n).trim().to_string())
                .filter(|n| !n.is_empty());
            if note != current {
                return state.decide(vec![Edit::SetNote(note)]);
            }
        }
        other => {
            if edit.apply(&other).is_some() {
                state.mode = Mode::Note(edit);
            } else {
                return common(state, other);
            }
        }
    }
    Vec::new()
}

/// The search prompt: every change searches again; Enter keeps the query in history.
fn update_search(state: &mut AppState, mut edit: LineEdit, action: Action) -> Vec<Effect> {
    match action {
        Action::Close => {
            state.mode = Mode::Normal;
            state.clear_search();
        }
        // A malformed query is not kept: the prompt stays open with the
        // reason beside it until it is fixed or cleared.
        Action::Confirm if state.search.error.is_some() => {}
        Action::Confirm => {
            state.mode = Mode::Normal;
            if state.search.filter.is_some() {
                state.search.history.push(edit.text());
            }
        }
        Action::MenuDown => state.select(state.cursor.saturating_add(1)),
        Action::MenuUp => state.select(state.cursor.saturating_sub(1)),
        Action::HistoryPrev | Action::HistoryNext => {
            let recalled = if action == Action::HistoryPrev {
                state.search.history.older(edit.text())
            } else {
                state.search.history.newer()
            };
            let Some(text) = recalled.map(str::to_string) else {
                return Vec::new();
            };
            edit.set_text(text);
            let effects = state.search_for(edit.text());
            state.mode = Mode::Search(edit);
            return effects;
        }
        other => {
            return match edit.apply(&other) {
                Some(changed) => {
                    let effects = if changed {
                        state.search_for(edit.text())
                    } else {
                        Vec::new()
                    };
                    state.mode = Mode::Search(edit);
                    effects
                }
                None => common(state, other),
            };
        }
    }
    Vec::new()
}

/// The statistics screen: scrolls, and closes on the keys that opened it.
fn update_stats(
    state: &mut AppState,
    stats: Box<crate::team::stats::Stats>,
    scroll: u16,
    action: Action,
) -> Vec<Effect> {
    match action {
        Action::Close | Action::Help | Action::Stats | Action::Quit => state.mode = Mode::Normal,
        // The drawing stops the scroll at the last line (see `RenderInfo`).
        Action::MenuDown | Action::MenuUp => {
            let scroll = if action == Action::MenuDown {
                scroll.saturating_add(1)
            } else {
                scroll.saturating_sub(1)
            };
            state.mode = Mode::Stats { stats, scroll };
        }
        other => return common(state, other),
    }
    Vec::new()
}

/// The help screen: scrolls, and closes on Esc or the help key.
fn update_help(state: &mut AppState, scroll: u16, action: Action) -> Vec<Effect> {
    match action {
        Action::Close | Action::Help => state.mode = Mode::Normal,
        Action::MenuDown => {
            state.mode = Mode::Help {
                scroll: scroll.saturating_add(1),
            }
        }
        Action::MenuUp => {
            state.mode = Mode::Help {
                scroll: scroll.saturating_sub(1),
            }
        }
        other => return common(state, other),
    }
    Vec::new()
}

/// The list of saved searches: Enter runs the highlighted one as if it had been typed
/// at the search prompt and kept with Enter (so it joins the prompt's history too).
fn update_saved_searches(state: &mut AppState, highlight: usize, action: Action) -> Vec<Effect> {
    let last = state.saved.queries.len().saturating_sub(1);
    match action {
        Action::Close | Action::SavedSearches => state.mode = Mode::Normal,
        Action::MenuDown => {
            state.mode = Mode::SavedSearches {
                highlight: highlight.saturating_add(1).min(last),
            }
        }
        Action::MenuUp => {
            state.mode = Mode::SavedSearches {
                highlight: highlight.saturating_sub(1),
            }
        }
        Action::Confirm => {
            let Some(text) = state.saved.queries.get(highlight).map(|q| q.query.clone()) else {
                state.mode = Mode::Normal;
                return Vec::new();
            };
            state.mode = Mode::Normal;
            let effects = state.search_for(&text);
            match state.search.error.take() {
                // Checked when the file was read; the parser may have changed since.
                Some(e) => state.error(format!("This saved search cannot run: {e}")),
                None if state.search.filter.is_some() => state.search.history.push(&text),
                None => {}
            }
            return effects;
        }
        other => return common(state, other),
    }
    Vec::new()
}

/// Actions that mean the same in every mode.
fn common(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::Resize(w, h) => {
            state.width = w;
            state.height = h;
            Vec::new()
        }
        Action::Quit => vec![Effect::Quit],
        Action::Save => vec![Effect::Retry],
        Action::Suspend => vec![Effect::Suspend],
        _ => Vec::new(),
    }
}

/// Normal mode: one line per action, the longer ones in the functions below.
fn update_normal(state: &mut AppState, action: Action) -> Vec<Effect> {
    let last = state.view.len().saturating_sub(1);
    match action {
        Action::Next => state.select(state.cursor.saturating_add(1)),
        Action::Prev => state.select(state.cursor.saturating_sub(1)),
        Action::First => state.select(0),
        Action::Last => state.select(last),
        Action::ScrollDown
        | Action::ScrollUp
        | Action::LineDown
        | Action::LineUp
        | Action::ScrollTop
        | Action::ScrollBottom => scroll_reader(state, action),
        Action::FocusNext => {
            state.focus = match state.focus {
                Focus::List => Focus::Reader,
                Focus::Reader => Focus::List,
            }
        }
        Action::PickRegion => open_picker(state, Axis::Region),
        Action::PickTheme => open_picker(state, Axis::Theme),
        Action::SetReliability(id) => return set_reliability(state, id),
        Action::Accept => return accept_suggestions(state),
        Action::Done => return state.decide(vec![Edit::SetStatus(Status::Done)]),
        Action::Skip => return state.decide(vec![Edit::SetStatus(Status::Skipped)]),
        Action::Flag => return state.decide(vec![Edit::SetStatus(Status::Flagged)]),
        Action::Note => open_note(state),
        Action::Undo => return undo(state),
        Action::Redo => return redo(state),
        Action::Mark => state.toggle_mark(),
        Action::MarkAll => state.mark_all(),
        Action::Repeat => return state.repeat(),
        Action::Search => {
            state.search.history.reset();
            state.mode = Mode::Search(LineEdit::new(
                state.search.filter.clone().unwrap_or_default(),
            ))
        }
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::SavedSearches => {
            // Opens on the search that filters the list now, if it is a saved one.
            let current = state.search.filter.as_deref();
            let highlight = state
                .saved
                .queries
                .iter()
                .position(|q| Some(q.query.as_str()) == current)
                .unwrap_or(0);
            state.mode = Mode::SavedSearches { highlight };
        }
        Action::Stats => {
            let mut stats =
                crate::team::stats::stats(&state.entries, &state.reviewer, &state.taxonomy);
            if let Some(a) = &state.assignments {
                stats = crate::team::stats::with_assignments(stats, &state.entries, a);
            }
            state.mode = Mode::Stats {
                stats: Box::new(stats),
                scroll: 0,
            };
        }
        Action::ToggleOthers => toggle_others(state),
        Action::CycleOrder => state.cycle_order(),
        Action::NextTodo => next_todo(state),
        Action::ToggleFold => return state.toggle_fold(),
        Action::ToggleAllFolds => return state.toggle_all_folds(),
        Action::CopyUrl => {
            if let Some(url) = state.selected_url() {
                return vec![Effect::Copy(url)];
            }
        }
        Action::OpenBrowser => {
            if let Some(url) = state.selected_url() {
                return vec![Effect::Browser(url)];
            }
        }
        Action::OpenPager => {
            if let Some(entry) = state.selected_entry() {
                return vec![Effect::Pager(entry.path())];
            }
        }
        Action::Review => return state.toggle_review(),
        Action::Sync => return state.sync(),
        Action::Close => {
            if !state.marks.is_empty() {
                state.clear_marks();
            } else if state.search.filter.is_some() {
                state.clear_search();
            }
        }
        Action::NextMatch | Action::PrevMatch => state.jump_to_match(action == Action::NextMatch),
        other => return common(state, other),
    }
    Vec::new()
}

/// Moves the reader by a page or a line, or to either end, never past its last line.
fn scroll_reader(state: &mut AppState, action: Action) {
    let page = state.reader.page.saturating_sub(1).max(1);
    state.reader.scroll = match action {
        Action::ScrollDown => state
            .reader
            .scroll
            .saturating_add(page)
            .min(state.reader.max_scroll),
        Action::ScrollUp => state.reader.scroll.saturating_sub(page),
        Action::LineDown => state
            .reader
            .scroll
            .saturating_add(1)
            .min(state.reader.max_scroll),
        Action::LineUp => state.reader.scroll.saturating_sub(1),
        Action::ScrollTop => 0,
        Action::ScrollBottom => state.reader.max_scroll,
        _ => state.reader.scroll,
    };
}

/// Opens the label picker for one axis, unless no article is selected or it cannot be read.
fn open_picker(state: &mut AppState, axis: Axis) {
    if let Some(i) = state.selected()
        && !state.refuse_unreadable(i)
    {
        state.mode = Mode::Picker(Picker {
            axis,
            highlight: 0,
            filter: None,
        });
    }
}

/// Sets the reliability level, or clears it when the chosen level is pressed again.
fn set_reliability(state: &mut AppState, id: String) -> Vec<Effect> {
    if state.taxonomy.label(Axis::Reliability, &id).is_none() {
        state.error(format!("No reliability label \"{id}\" in labels.toml"));
        return Vec::new();
    }
    let current = state.selected().and_then(|i| state.decision(i).reliability);
    // Pressing the chosen level again clears it, like toggling a label.
    let new = (current.as_deref() != Some(id.as_str())).then(|| LabelId::from(id));
    state.decide(vec![Edit::SetReliability(new)])
}

/// Applies the suggested labels, or says why there was nothing to apply.
fn accept_suggestions(state: &mut AppState) -> Vec<Effect> {
    if state.selected().is_some_and(|i| state.refuse_unreadable(i)) {
        return Vec::new();
    }
    if !state.marks.is_empty() {
        // Each marked article takes its own suggestions: they are about its text.
        return state.accept_marked();
    }
    let edits = state.accept();
    if edits.is_empty() {
        let none = state
            .selected()
            .is_none_or(|i| state.suggestions(i).is_empty());
        state.info(if none {
            "No suggestions for this article"
        } else {
            "The suggestions are already applied"
        });
        return Vec::new();
    }
    state.decide(edits)
}

/// Opens the note editor on the selected article's note.
fn open_note(state: &mut AppState) {
    if let Some(i) = state.selected()
        && !state.refuse_unreadable(i)
    {
        // Without escape sequences: the editor shows (and, once edited, saves)
        // the note as it reads, and shows only its end, which must never
        // start inside a sequence.
        let note = state.decision_ref(i).note.clone().unwrap_or_default();
        let text = match crate::sanitize::strip_sequences(&note) {
            std::borrow::Cow::Borrowed(_) => note,
            std::borrow::Cow::Owned(clean) => clean,
        };
        state.mode = Mode::Note(LineEdit::new(text));
    }
}

/// Writes the inverse of the last step, on every article it was made on, selecting
/// the first of them.
fn undo(state: &mut AppState) -> Vec<Effect> {
    let Some(step) = state.changes.undo.pop() else {
        state.info("Nothing to undo");
        return Vec::new();
    };
    step_back(state, step, WriteKind::Undo)
}

/// Writes the last undone step again, selecting the first article it was made on.
fn redo(state: &mut AppState) -> Vec<Effect> {
    let Some(step) = state.changes.redo.pop() else {
        state.info("Nothing to redo");
        return Vec::new();
    };
    step_back(state, step, WriteKind::Redo)
}

/// The writes that take a step back (`Undo`) or make it again (`Redo`): each of its
/// writes with its edits and their inverse swapped. An article among them that can
/// no longer be labeled (its bytes are unreadable) keeps the whole step where it
/// was, so a step is never half undone by choice.
fn step_back(state: &mut AppState, step: Step, kind: WriteKind) -> Vec<Effect> {
    if let Some(entry) = step
        .writes
        .iter()
        .map(|w| w.entry)
        .find(|&e| state.entries.get(e).is_some_and(|x| x.sha256.is_none()))
    {
        state.refuse_unreadable(entry);
        match kind {
            WriteKind::Redo => state.changes.redo.push(step),
            _ => state.changes.undo.push(step),
        }
        return Vec::new();
    }
    let Some(first) = step.writes.first() else {
        return Vec::new();
    };
    if let Some(pos) = state.view.iter().position(|&i| i == first.entry) {
        state.select(pos);
    }
    // What the step did, as it was done: undoing says the edits it takes back.
    let did = match kind {
        WriteKind::Redo => describe_edits(&first.inverse),
        _ => describe_edits(&first.edits),
    };
    let verb = if kind == WriteKind::Redo {
        "redid"
    } else {
        "undid"
    };
    let n = step.writes.len();
    state.info(if n == 1 {
        format!("{verb}: {did}")
    } else {
        format!("{verb} on {n} articles: {did}")
    });
    let mut writes = step.writes;
    // Undone in the opposite order to the one they were made in.
    if kind == WriteKind::Undo {
        writes.reverse();
    }
    writes
        .into_iter()
        .map(|w| {
            Effect::Write(Write {
                entry: w.entry,
                edits: w.inverse,
                inverse: w.edits,
                kind,
                step: w.step,
            })
        })
        .collect()
}

/// Shows or hides other reviewers' labels, saying so when there is nothing to see.
fn toggle_others(state: &mut AppState) {
    state.reader.show_others = !state.reader.show_others;
    let me = state.reviewer.clone();
    let labeled = |e: &Entry| {
        e.others(&me)
            .any(|(_, s)| !matches!(s, SidecarState::Missing))
    };
    if !state.entries.iter().any(labeled) {
        state.info("No other reviewer has labeled anything in this inbox yet");
    } else if !state.reader.show_others {
        state.info("Other reviewers' labels hidden");
    } else if !state.selected_entry().is_some_and(labeled) {
        state.info("Other reviewers' labels shown · none on this article yet");
    }
}

/// Selects the next article still to do, or says there is none.
fn next_todo(state: &mut AppState) {
    match state.next_todo() {
        Some(pos) => state.select(pos),
        None if state
            .selected()
            .is_some_and(|i| state.status(i) == Status::Todo) =>
        {
            state.info("This is the only article left to do")
        }
        None => state.info("Nothing left to do here"),
    }
}

fn update_picker(state: &mut AppState, mut picker: Picker, action: Action) -> Vec<Effect> {
    let visible = picker.visible(&state.taxonomy);
    let labels = &state.taxonomy.axis(picker.axis).labels;
    let highlighted = visible
        .get(picker.highlight)
        .and_then(|&i| labels.get(i))
        .map(|l| l.id.clone());
    let mut close = false;
    let mut edits = Vec::new();
    match action {
        Action::Close => {
            if picker.filter.is_some() {
                picker.filter = None;
                picker.highlight = 0;
            } else {
                close = true;
            }
        }
        Action::Confirm => {
            if picker.filter.is_some()
                && let Some(id) = &highlighted
            {
                edits = state.toggle(picker.axis, id);
            }
            close = true;
        }
        Action::Filter => {
            if picker.filter.is_none() {
                picker.filter = Some(LineEdit::default());
                picker.highlight = 0;
            }
        }
        Action::MenuDown => {
            picker.highlight = (picker.highlight + 1).min(visible.len().saturating_sub(1))
        }
        Action::MenuUp => picker.highlight = picker.highlight.saturating_sub(1),
        Action::Toggle => {
            if let Some(id) = &highlighted {
                edits = state.toggle(picker.axis, id);
            }
        }
        Action::Input(_) | Action::Backspace | Action::Edit(_) => {
            if let Some(filter) = &mut picker.filter
                && filter.apply(&action) == Some(true)
            {
                picker.highlight = 0;
            }
        }
        Action::PickerKey(key) => {
            let lower: Vec<char> = key.to_lowercase().collect();
            let keep_open = key.is_uppercase() && lower.len() == 1;
            let wanted = if keep_open { lower[0] } else { key };
            match labels.iter().find(|l| l.key == wanted) {
                Some(label) => {
                    let id = label.id.clone();
                    edits = state.toggle(picker.axis, &id);
                    close = !keep_open;
                }
                None => state.error(format!("No {} label on key {key}", picker.axis)),
            }
        }
        other => return common(state, other),
    }
    state.mode = if close {
        Mode::Normal
    } else {
        Mode::Picker(picker)
    };
    state.decide(edits)
}

#[cfg(test)]
mod tests;
