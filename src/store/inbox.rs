//! Loading the inbox: every article with its parsed text and sidecars.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::article::{self, Article, Format, Suggestions};
use crate::labels::Taxonomy;
use crate::labels::sources::Sources;

use super::indexed::Cache;
use super::sidecar::{hex, sha256_digest};
use super::{ScanEntry, Sidecar, StoreError, read_sidecar, scan_each, sidecar_path};

/// Articles larger than this are read only this far: the reader stays responsive and
/// memory stays bounded whatever lands in the inbox. The hash still covers what was read.
pub const MAX_ARTICLE_BYTES: u64 = 4 * 1024 * 1024;

/// One reviewer's sidecar as found on disk.
#[derive(Debug, Clone, PartialEq)]
pub enum SidecarState {
    /// No sidecar: the article is still to do.
    Missing,
    Saved(Box<Sidecar>),
    /// It exists but does not parse; it is shown and never overwritten.
    Broken(String),
}

impl SidecarState {
    pub fn from_read(result: Result<Option<Sidecar>, StoreError>) -> SidecarState {
        match result {
            Ok(None) => SidecarState::Missing,
            Ok(Some(sidecar)) => SidecarState::Saved(Box::new(sidecar)),
            Err(e) => SidecarState::Broken(e.to_string()),
        }
    }

    pub fn sidecar(&self) -> Option<&Sidecar> {
        match self {
            SidecarState::Saved(s) => Some(s),
            _ => None,
        }
    }

    /// Why the sidecar does not parse, when it is there but broken.
    pub fn broken(&self) -> Option<&str> {
        match self {
            SidecarState::Broken(problem) => Some(problem),
            _ => None,
        }
    }
}

/// An article of the inbox as the program holds it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to the inbox root: what lists and exports show.
    pub rel: PathBuf,
    /// The inbox folder, shared by every entry (see [`Entry::path`]).
    pub root: Arc<Path>,
    /// The parsed article, or why it could not be read. Shared with the search
    /// index, so the text of a large inbox is held once.
    pub article: Result<Arc<Article>, String>,
    /// SHA-256 of the bytes read, to tell when an article changed after a decision.
    pub sha256: Option<[u8; 32]>,
    /// Every reviewer's sidecar of the article that is there (saved or broken),
    /// sorted by reviewer name: one list for all, so that whose is "mine" is only the
    /// name asked for ([`Entry::mine`]), and becoming another reviewer (the review)
    /// changes that name rather than every entry. A sorted list rather than a map:
    /// most entries hold none or one, and a map's first node would cost hundreds of
    /// bytes per article at 100,000 articles (a `ThinVec`: 8 bytes when empty).
    sidecars: thin_vec::ThinVec<(String, SidecarState)>,
}

/// What [`Entry::sidecar_of`] answers for a reviewer without a sidecar.
static MISSING: SidecarState = SidecarState::Missing;

impl Entry {
    /// Reads one article and its sidecars. Never fails: problems become the entry's state.
    pub fn load(
        root: &Arc<Path>,
        rel: &Path,
        sidecars: &[(String, PathBuf)],
        reviewer: &str,
    ) -> Entry {
        let (article, sha256) = read_article(root, rel);
        let mut entry = Entry::decisions_only(root, rel, sidecars, reviewer);
        entry.article = article;
        entry.sha256 = sha256;
        entry
    }

    /// The article with its body and footer: as held when it holds them, else from
    /// the index `texts` keeps them in, or, should the index have lost them, read from
    /// the file again. `None` for an article that could not be read.
    pub fn whole(&self, texts: Option<&crate::index::Shared>) -> Option<Arc<Article>> {
        let article = self.article.as_ref().ok()?;
        if article.held.is_none() {
            return Some(Arc::clone(article));
        }
        texts
            .and_then(|t| t.whole(article))
            .or_else(|| read_article(&self.root, &self.rel).0.ok())
    }

    /// An entry with its sidecars but without reading the article: for the team
    /// commands that need only the decisions (`stats`, `agree`), which then run in
    /// the time of a scan instead of a parse of every article.
    pub fn decisions_only(
        root: &Arc<Path>,
        rel: &Path,
        sidecars: &[(String, PathBuf)],
        reviewer: &str,
    ) -> Entry {
        let path = root.join(rel);
        let mine = SidecarState::from_read(read_sidecar(&sidecar_path(&path, reviewer)));
        let mut entry = Entry::unread(root, rel);
        entry.set_sidecar(reviewer, mine);
        for (name, p) in sidecars.iter().filter(|(name, _)| name != reviewer) {
            entry.set_sidecar(name, SidecarState::from_read(read_sidecar(p)));
        }
        entry
    }

    /// [`Entry::decisions_only`] trusting `sidecars` (a scan's listing of the
    /// article's folder) to name every sidecar there, this reviewer's included: a
    /// reviewer without one there has none, and no lookup is made for it (at
    /// 100,000 articles, 100,000 failed lookups cost more than the rest of a warm
    /// start's reading). A sidecar made after the listing is the watcher's to see.
    pub fn decisions_listed(
        root: &Arc<Path>,
        rel: PathBuf,
        sidecars: &[(String, PathBuf)],
        article: Result<Arc<Article>, String>,
        sha256: Option<[u8; 32]>,
    ) -> Entry {
        let mut entry = Entry {
            rel,
            root: Arc::clone(root),
            article,
            sha256,
            sidecars: thin_vec::ThinVec::with_capacity(sidecars.len()),
        };
        for (name, p) in sidecars {
            entry.set_sidecar(name, SidecarState::from_read(read_sidecar(p)));
        }
        entry
    }

    /// An entry whose article is not read and that has no sidecars yet.
    pub fn unread(root: &Arc<Path>, rel: &Path) -> Entry {
        Entry {
            rel: rel.to_path_buf(),
            root: Arc::clone(root),
            article: Err("the article was not read".to_string()),
            sha256: None,
            sidecars: thin_vec::ThinVec::new(),
        }
    }

    /// `me`'s sidecar of the article (`Missing` when there is none).
    pub fn mine(&self, me: &str) -> &SidecarState {
        self.sidecar_of(me)
    }

    /// One reviewer's sidecar of the article (`Missing` when there is none).
    pub fn sidecar_of(&self, reviewer: &str) -> &SidecarState {
        match self.position(reviewer) {
            Ok(at) => &self.sidecars[at].1,
            Err(_) => &MISSING,
        }
    }

    /// Every other reviewer's sidecar than `me`'s, by reviewer name.
    pub fn others<'a>(&'a self, me: &'a str) -> impl Iterator<Item = (&'a str, &'a SidecarState)> {
        self.sidecars
            .iter()
            .filter(move |(name, _)| name != me)
            .map(|(name, state)| (name.as_str(), state))
    }

    /// Every reviewer's sidecar, `me`'s first, then the others by name: the order
    /// in which commands report them.
    pub fn mine_first<'a>(
        &'a self,
        me: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a SidecarState)> {
        std::iter::once((me, self.mine(me))).chain(self.others(me))
    }

    /// Records what one reviewer's sidecar now is; `Missing` forgets it.
    pub fn set_sidecar(&mut self, reviewer: &str, state: SidecarState) {
        match (self.position(reviewer), state) {
            (Ok(at), SidecarState::Missing) => {
                self.sidecars.remove(at);
            }
            (Ok(at), state) => self.sidecars[at].1 = state,
            (Err(_), SidecarState::Missing) => {}
            (Err(at), state) => self.sidecars.insert(at, (reviewer.to_string(), state)),
        }
    }

    fn position(&self, reviewer: &str) -> Result<usize, usize> {
        self.sidecars
            .binary_search_by(|(name, _)| name.as_str().cmp(reviewer))
    }

    /// The labels the article's own classification suggests, and the reliability the
    /// inbox's source list gives its domain. Worked out when asked (for the selected
    /// article, `a`, and `list --format json`) rather than held for every article: at
    /// 100,000 articles they would cost some 50 MB of the memory budget.
    pub fn suggestions(&self, taxonomy: &Taxonomy, sources: &Sources) -> Suggestions {
        let Ok(a) = &self.article else {
            return Suggestions::default();
        };
        let mut s = article::suggest(a, taxonomy);
        if s.reliability.is_none() {
            s.reliability = article::reliability(a, sources);
        }
        s
    }

    /// The article's SHA-256 in hex, as sidecars record it ("" when it could not be read).
    pub fn sha256_hex(&self) -> String {
        self.sha256.as_ref().map(hex).unwrap_or_default()
    }

    /// Where the article is: the path to read and to write its sidecar beside.
    /// Derived rather than stored, since at 100,000 articles a stored copy of every
    /// full path costs some 10 MB.
    pub fn path(&self) -> PathBuf {
        self.root.join(&self.rel)
    }

    /// The title to show: the article's, or the file name when it could not be read.
    pub fn title(&self) -> &str {
        match &self.article {
            Ok(a) => &a.title,
            Err(_) => self.rel.to_str().unwrap_or("(file name is not UTF-8)"),
        }
    }

    /// True when the article's bytes differ from those `me`'s decision was made on.
    pub fn changed(&self, me: &str) -> bool {
        match self
            .mine(me)
            .sidecar()
            .and_then(|s| s.article_sha256.as_deref())
        {
            Some(sha) => self.sha256.is_some_and(|mine| sha != hex(&mine)),
            None => false,
        }
    }
}

/// The inbox as loaded: its entries in inbox order and what could not be read.
#[derive(Clone, Default)]
pub struct Inbox {
    pub root: PathBuf,
    pub entries: Vec<Entry>,
    pub problems: Vec<String>,
    /// Where the bodies of articles loaded from the index are.
    pub texts: Option<Arc<crate::index::Shared>>,
}

impl Inbox {
    /// Puts every body the index keeps back into memory (read from the index, or
    /// from the file when the index lost it), for commands that read them all.
    pub fn hydrate(&mut self) {
        let texts = self.texts.as_deref();
        for entry in &mut self.entries {
            if let Some(whole) = entry.whole(texts) {
                entry.article = Ok(whole);
            }
        }
    }
}

impl Inbox {
    /// Scans and loads every article before returning (the commands' way). Fails
    /// only when the folder itself cannot be read.
    pub fn load(root: &Path, reviewer: &str) -> std::io::Result<Inbox> {
        Inbox::load_through(root, reviewer, None)
    }

    /// [`Inbox::load`] through the index when there is one: unchanged articles come
    /// from it without their bodies, the others are read and their rows written.
    pub fn load_through(
        root: &Path,
        reviewer: &str,
        cache: Option<&Cache>,
    ) -> std::io::Result<Inbox> {
        let mut inbox = Inbox {
            root: root.to_path_buf(),
            ..Inbox::default()
        };
        inbox.problems = each_batch(root, reviewer, cache, &mut |read| {
            inbox.entries.extend(read);
        })?;
        Ok(inbox)
    }

    /// [`Inbox::load_through`] with the index opened by `open` while the walk has
    /// already begun: opening reads every row of the index, and the walk `stat`s
    /// every file; the two overlap. The opened index comes back with the inbox.
    pub fn load_opening(
        root: &Path,
        reviewer: &str,
        open: impl FnOnce() -> Option<Cache>,
    ) -> std::io::Result<(Inbox, Option<Cache>)> {
        let mut entries = Vec::new();
        let (mut inbox, cache) = Inbox::load_opening_each(root, reviewer, open, &mut |read| {
            entries.extend(read);
        })?;
        inbox.entries = entries;
        Ok((inbox, cache))
    }

    /// [`Inbox::load_opening`] handing the entries to `take` a batch at a time, in
    /// inbox order, as they are read (the inbox comes back without them): a command
    /// can work on the first while the walk goes on.
    pub fn load_opening_each(
        root: &Path,
        reviewer: &str,
        open: impl FnOnce() -> Option<Cache>,
        take: &mut dyn FnMut(Vec<Entry>),
    ) -> std::io::Result<(Inbox, Option<Cache>)> {
        let (problems, cache) = walk_and_read(root, reviewer, open, take)?;
        let inbox = Inbox {
            root: root.to_path_buf(),
            problems,
            ..Inbox::default()
        };
        Ok((inbox, cache))
    }

    /// Brings the index up to date without keeping the articles: `triage index`.
    /// Articles read from their files wait for the writer (see
    /// [`Cache::bound_queue`]), so memory stays that of a few thousand articles
    /// whatever the inbox's size. How many articles there are, and the problems.
    pub fn index_through(
        root: &Path,
        reviewer: &str,
        cache: &Cache,
    ) -> std::io::Result<(usize, Vec<String>)> {
        cache.bound_queue(LATER_BATCH * 2);
        let mut count = 0;
        let problems = each_batch(root, reviewer, Some(cache), &mut |read| {
            count += read.len();
        })?;
        Ok((count, problems))
    }
}

/// Walks the inbox and hands its articles to `take`, read through the index when there
/// is one, a batch at a time in inbox order; the problems met, sorted.
fn each_batch(
    root: &Path,
    reviewer: &str,
    cache: Option<&Cache>,
    take: &mut dyn FnMut(Vec<Entry>),
) -> std::io::Result<Vec<String>> {
    walk_and_read(root, reviewer, || cache, take).map(|(problems, _)| problems)
}

/// [`each_batch`] with the index opened (by `open`) once the walk has begun, and
/// handed back.
fn walk_and_read<C: std::borrow::Borrow<Cache>>(
    root: &Path,
    reviewer: &str,
    open: impl FnOnce() -> Option<C>,
    take: &mut dyn FnMut(Vec<Entry>),
) -> std::io::Result<(Vec<String>, Option<C>)> {
    // The walk (listing folders, a `stat` per file) on a thread of its own, so it
    // goes on while the batches it found are read.
    let (found_tx, found_rx) = mpsc::channel();
    let (problems, cache) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| walk_in_chunks(root, move |c| found_tx.send(c).is_ok()));
        let cache = open();
        let borrowed = cache.as_ref().map(|c| c.borrow());
        read_found(root, reviewer, borrowed, found_rx, take);
        let walked = walk
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (walked, cache)
    });
    let mut problems = problems?;
    if let Some(cache) = &cache {
        cache.borrow().forget_unseen();
    }
    problems.sort();
    Ok((problems, cache))
}

/// Files the walk hands on at a time, after a first chunk of [`FIRST_BATCH`] (the
/// first screen): a message per file cost a warm start of 100,000 articles some
/// 60,000 wake-ups between the two threads.
const WALK_CHUNK: usize = 256;

/// The walk, handing the articles found to `send` a chunk at a time (it stops when
/// `send` says no one listens); the problems met.
fn walk_in_chunks(
    root: &Path,
    mut send: impl FnMut(Vec<ScanEntry>) -> bool,
) -> std::io::Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut chunk = Vec::with_capacity(FIRST_BATCH);
    let mut size = FIRST_BATCH;
    let mut open = true;
    scan_each(root, &mut problems, &mut |entry| {
        chunk.push(entry);
        if chunk.len() >= size {
            size = WALK_CHUNK;
            open = send(std::mem::replace(&mut chunk, Vec::with_capacity(size)));
        }
        open
    })?;
    if open && !chunk.is_empty() {
        send(chunk);
    }
    Ok(problems)
}

/// Reads what the walk finds, a batch at a time, handing each to `take`.
fn read_found(
    root: &Path,
    reviewer: &str,
    cache: Option<&Cache>,
    found: mpsc::Receiver<Vec<ScanEntry>>,
    take: &mut dyn FnMut(Vec<Entry>),
) {
    let mut batch = Vec::new();
    for entry in found.into_iter().flatten() {
        batch.push(entry);
        if batch.len() >= LATER_BATCH {
            take(load_batch(
                root,
                &std::mem::take(&mut batch),
                reviewer,
                cache,
            ));
        }
    }
    take(load_batch(root, &batch, reviewer, cache));
}

impl Inbox {
    /// Scans the inbox and reads every sidecar, but no article (see
    /// [`Entry::decisions_only`]).
    pub fn load_decisions(root: &Path, reviewer: &str) -> std::io::Result<Inbox> {
        let shared: Arc<Path> = Arc::from(root);
        let mut inbox = Inbox {
            root: root.to_path_buf(),
            ..Inbox::default()
        };
        scan_each(root, &mut inbox.problems, &mut |found| {
            let entry = Entry::decisions_only(&shared, &found.rel, &found.sidecars, reviewer);
            inbox.entries.push(entry);
            true
        })?;
        inbox.problems.sort();
        Ok(inbox)
    }
}

/// What the background loader sends, in order.
#[derive(Debug)]
pub enum Loaded {
    /// The next articles in inbox order. An article still being read when the ones
    /// after it were ready is a placeholder (see [`Entry::still_reading`]) that a
    /// [`Loaded::Late`] fills in.
    Batch(Vec<Entry>),
    /// An article that was a placeholder in an earlier batch, now read.
    Late(Entry),
    /// Everything is loaded; these folders or files could not be read.
    Done(Vec<String>),
    /// More problems, met after [`Loaded::Done`] (removing stale temporary files).
    Problems(Vec<String>),
    /// The inbox folder itself could not be read.
    Failed(String),
}

/// What a placeholder's article says while the file is being read.
pub const STILL_READING: &str = "still being read";

impl Entry {
    /// True for the placeholder of an article the loader is still reading.
    pub fn still_reading(&self) -> bool {
        self.article
            .as_ref()
            .err()
            .is_some_and(|e| e == STILL_READING)
    }
}

/// Small first, so the first screen of a huge inbox shows at once; larger later,
/// so the rest streams in with little overhead per batch.
const FIRST_BATCH: usize = 64;
const LATER_BATCH: usize = 2048;

/// How many files the walk may hand out beyond those read: enough to keep every
/// reader busy, few enough that the walk does not take their processor time.
const AHEAD: usize = 2 * LATER_BATCH;
/// How long one file may hold back articles after it that are ready: past this
/// they are sent with a placeholder in its place.
const SLOW_FILE: Duration = Duration::from_millis(100);
/// How long articles that are ready wait for their batch to fill.
const BATCH_WAIT: Duration = Duration::from_millis(50);
/// Readers started beyond the first ones, one for each file given up on as slow,
/// so that a few slow files cannot take every reader.
const MAX_EXTRA_READERS: usize = 16;

/// Loads the inbox on its own thread, sending batches in inbox order as they are
/// ready, so the program is usable while a large inbox fills in behind it. Files
/// are read by a pool of readers, and one that is slow to read never holds back
/// the others: they are sent with a placeholder in its place, and its article
/// follows as [`Loaded::Late`]. Dropping the receiver stops the loading.
pub fn load_in_background(root: PathBuf, reviewer: String) -> mpsc::Receiver<Loaded> {
    load_with(root, reviewer, None, BeforeRead::default())
}

/// [`load_in_background`] through the index (see [`Inbox::load_through`]).
pub fn load_in_background_through(
    root: PathBuf,
    reviewer: String,
    cache: Option<Arc<Cache>>,
) -> mpsc::Receiver<Loaded> {
    load_with(root, reviewer, cache, BeforeRead::default())
}

/// What runs before each file is read: nothing, except in unit tests, which hold a
/// file back to see that the others arrive first. Outside them it is empty.
#[derive(Clone, Default)]
struct BeforeRead(#[cfg(test)] Option<Arc<Hook>>);

#[cfg(test)]
type Hook = dyn Fn(&Path) + Send + Sync;

impl BeforeRead {
    fn run(&self, _rel: &Path) {
        #[cfg(test)]
        if let Some(hook) = &self.0 {
            hook(_rel);
        }
    }
}

fn load_with(
    root: PathBuf,
    reviewer: String,
    cache: Option<Arc<Cache>>,
    before: BeforeRead,
) -> mpsc::Receiver<Loaded> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let shared: Arc<Path> = Arc::from(root.as_path());
        let mut pool = Pool::start(Arc::clone(&shared), reviewer.clone(), cache.clone(), before);
        let mut order = Order::new(tx);
        // The walk (listing folders, a `stat` per file) on a thread of its own, at
        // most AHEAD files ahead of this one: it goes on while this one makes the
        // entries of unchanged files from their rows.
        let (found_tx, found_rx) = mpsc::sync_channel(AHEAD / WALK_CHUNK);
        let walk = {
            let root = root.clone();
            std::thread::spawn(move || walk_in_chunks(&root, move |c| found_tx.send(c).is_ok()))
        };
        'walk: for chunk in found_rx.iter() {
            for found in chunk {
                // An unchanged file's row makes its entry here, in order; the readers
                // have the files to read.
                let made = match cache.as_ref() {
                    Some(cache) => cache.load_fresh(&shared, found),
                    None => Err(found),
                };
                match made {
                    Ok(entry) => order.ready_now(entry),
                    Err(found) => {
                        let place = order.expect(&found);
                        pool.read(place, found);
                    }
                }
                order.poll(&mut pool, &shared, &reviewer);
                // The first screen before the rest of the walk, and the walk never
                // far ahead of the readers.
                order.wait(&mut pool, &shared, &reviewer, |o| {
                    (o.batches > 0 || o.expected < FIRST_BATCH) && o.expected - o.received <= AHEAD
                });
                if !order.open {
                    break 'walk;
                }
            }
        }
        // Ends the walk when the session ended first (its next send fails).
        drop(found_rx);
        let (walked, mut problems) = match walk.join() {
            Ok(Ok(problems)) => (Ok(()), problems),
            Ok(Err(e)) => (Err(e), Vec::new()),
            Err(panic) => std::panic::resume_unwind(panic),
        };
        pool.no_more_files();
        if let Err(e) = walked {
            order.send(Loaded::Failed(format!(
                "cannot read the inbox {}: {e}",
                root.display()
            )));
            return;
        }
        order.wait_for_all(&mut pool, &shared, &reviewer);
        // Only once every file was loaded: a walk that failed half-way, or that
        // stopped because the session ended while loading, leaves rows.
        if let Some(cache) = &cache
            && order.open
        {
            cache.forget_unseen();
        }
        if !order.open {
            return;
        }
        problems.sort();
        order.send(Loaded::Done(problems));
        // Temporary files of writes a crash interrupted: once every article is
        // loaded, so that neither the first screen nor the end of loading waits for
        // this second walk (50 ms at 100,000 articles).
        let cleaned = super::clean::remove_stale_temporaries(&root).problems;
        if !cleaned.is_empty() {
            order.send(Loaded::Problems(cleaned));
        }
    });
    rx
}

/// A file to read, with its place in inbox order.
type Job = (usize, ScanEntry);

/// Threads that read files, in any order, as fast as they can.
struct Pool {
    root: Arc<Path>,
    reviewer: String,
    cache: Option<Arc<Cache>>,
    before: BeforeRead,
    jobs: Option<mpsc::Sender<Job>>,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    out: mpsc::Sender<(usize, Entry)>,
    results: mpsc::Receiver<(usize, Entry)>,
    extra: usize,
}

impl Pool {
    fn start(
        root: Arc<Path>,
        reviewer: String,
        cache: Option<Arc<Cache>>,
        before: BeforeRead,
    ) -> Pool {
        let (jobs, queue) = mpsc::channel();
        let (out, results) = mpsc::channel();
        let pool = Pool {
            root,
            reviewer,
            cache,
            before,
            jobs: Some(jobs),
            queue: Arc::new(Mutex::new(queue)),
            out,
            results,
            extra: 0,
        };
        // At least two, so that one slow file never leaves the others unread.
        let count = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        for _ in 0..count {
            pool.spawn();
        }
        pool
    }

    /// Starts a reader. It reads until there are no files left or nobody listens.
    fn spawn(&self) {
        let (root, reviewer) = (Arc::clone(&self.root), self.reviewer.clone());
        let cache = self.cache.clone();
        let (before, queue, out) = (
            self.before.clone(),
            Arc::clone(&self.queue),
            self.out.clone(),
        );
        // Without a thread, the readers already running do the work.
        let _ = std::thread::Builder::new().spawn(move || {
            loop {
                // The lock is held only to take a file.
                let job = match queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                let Ok((place, found)) = job else { return };
                let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    before.run(&found.rel);
                    load_one(cache.as_deref(), &root, &found, &reviewer)
                }));
                // A parser panic is a bug; the article is listed with the reason
                // rather than lost, and the other readers carry on.
                let entry = read.unwrap_or_else(|_| {
                    let mut e =
                        Entry::decisions_only(&root, &found.rel, &found.sidecars, &reviewer);
                    e.article = Err("reading it failed (a bug in triage)".to_string());
                    e
                });
                if out.send((place, entry)).is_err() {
                    return;
                }
            }
        });
    }

    fn read(&self, place: usize, found: ScanEntry) {
        if let Some(jobs) = &self.jobs {
            // The readers stop only once this pool is gone: the send cannot fail.
            let _ = jobs.send((place, found));
        }
    }

    /// Lets the readers end once the queue is empty.
    fn no_more_files(&mut self) {
        self.jobs = None;
    }

    /// A reader is busy with a slow file: another takes up the rest.
    fn replace_slow_reader(&mut self) {
        if self.extra < MAX_EXTRA_READERS {
            self.extra += 1;
            self.spawn();
        }
    }
}

/// Puts the readers' entries back in inbox order and sends them in batches.
struct Order {
    tx: mpsc::Sender<Loaded>,
    /// False once the receiver is gone.
    open: bool,
    /// Files handed to the readers, and entries back from them.
    expected: usize,
    received: usize,
    /// The place of the next entry to send, and the files from there on (`None`
    /// for those made at once, which never need a placeholder).
    next: usize,
    waiting: VecDeque<Option<ScanEntry>>,
    /// Entries read after `next`, by place.
    ready: BTreeMap<usize, Entry>,
    /// Places sent as placeholders whose entries have not come yet.
    late: HashSet<usize>,
    batch: Vec<Entry>,
    batches: usize,
    /// When the batch got its first entry.
    batch_since: Option<Instant>,
    /// Since when the file at `next` holds back entries ready after it.
    blocked_since: Option<Instant>,
}

impl Order {
    fn new(tx: mpsc::Sender<Loaded>) -> Order {
        Order {
            tx,
            open: true,
            expected: 0,
            received: 0,
            next: 0,
            waiting: VecDeque::new(),
            ready: BTreeMap::new(),
            late: HashSet::new(),
            batch: Vec::new(),
            batches: 0,
            batch_since: None,
            blocked_since: None,
        }
    }

    /// Notes a file handed to the readers; returns its place.
    fn expect(&mut self, found: &ScanEntry) -> usize {
        self.waiting.push_back(Some(found.clone()));
        self.expected += 1;
        self.expected - 1
    }

    /// Takes the next file's entry, made without a reader.
    fn ready_now(&mut self, entry: Entry) {
        let place = self.expected;
        self.expected += 1;
        self.received += 1;
        if place == self.next && self.ready.is_empty() {
            // Next in order, as nearly every one is on a warm start: straight into
            // the batch, without the wait for readers.
            self.next += 1;
            self.batch.push(entry);
            self.batch_since.get_or_insert_with(Instant::now);
            return;
        }
        self.waiting.push_back(None);
        self.ready.insert(place, entry);
    }

    fn send(&mut self, loaded: Loaded) {
        self.open = self.open && self.tx.send(loaded).is_ok();
    }

    /// Takes in what the readers have ready, without waiting.
    fn poll(&mut self, pool: &mut Pool, root: &Arc<Path>, reviewer: &str) {
        while let Ok(done) = pool.results.try_recv() {
            self.accept(done);
        }
        self.advance(pool, root, reviewer);
    }

    /// Waits for every file handed to the readers, sending as they come.
    fn wait_for_all(&mut self, pool: &mut Pool, root: &Arc<Path>, reviewer: &str) {
        self.wait(pool, root, reviewer, |_| false);
        self.flush();
    }

    /// Takes in entries as they come, sending them on, until `enough` or every file
    /// handed to the readers is back.
    fn wait(
        &mut self,
        pool: &mut Pool,
        root: &Arc<Path>,
        reviewer: &str,
        enough: impl Fn(&Order) -> bool,
    ) {
        while self.open && self.received < self.expected && !enough(self) {
            let deadline = [
                self.blocked_since.map(|t| t + SLOW_FILE),
                self.batch_since.map(|t| t + BATCH_WAIT),
            ]
            .into_iter()
            .flatten()
            .min();
            let done = match deadline {
                Some(at) => pool
                    .results
                    .recv_timeout(at.saturating_duration_since(Instant::now()))
                    .ok(),
                // The pool holds a sender: this returns only with a result.
                None => pool.results.recv().ok(),
            };
            if let Some(done) = done {
                self.accept(done);
            }
            self.advance(pool, root, reviewer);
        }
    }

    fn accept(&mut self, (place, entry): (usize, Entry)) {
        self.received += 1;
        if self.late.remove(&place) {
            self.send(Loaded::Late(entry));
        } else {
            self.ready.insert(place, entry);
        }
    }

    /// Moves the entries that are next in order into the batch, gives up waiting
    /// for a slow file, and sends the batch when it is full or has waited enough.
    fn advance(&mut self, pool: &mut Pool, root: &Arc<Path>, reviewer: &str) {
        let now = Instant::now();
        let mut gave_up = false;
        loop {
            while let Some(entry) = self.ready.remove(&self.next) {
                self.take(entry, now);
            }
            if self.ready.is_empty() {
                self.blocked_since = None;
                break;
            }
            let since = *self.blocked_since.get_or_insert(now);
            if now.duration_since(since) < SLOW_FILE {
                break;
            }
            // The file at `next` is slow: a placeholder takes its place.
            if let Some(Some(found)) = self.waiting.front() {
                let mut placeholder =
                    Entry::decisions_only(root, &found.rel, &found.sidecars, reviewer);
                placeholder.article = Err(STILL_READING.to_string());
                self.late.insert(self.next);
                self.take(placeholder, now);
                pool.replace_slow_reader();
                gave_up = true;
            }
            self.blocked_since = None;
        }
        let size = if self.batches == 0 {
            FIRST_BATCH
        } else {
            LATER_BATCH
        };
        let waited = self
            .batch_since
            .is_some_and(|t| now.duration_since(t) >= BATCH_WAIT);
        // A placeholder goes out at once: its article may follow any moment, and
        // must not overtake it.
        if self.batch.len() >= size || waited || gave_up {
            self.flush();
        }
    }

    fn take(&mut self, entry: Entry, now: Instant) {
        self.waiting.pop_front();
        self.next += 1;
        self.batch.push(entry);
        self.batch_since.get_or_insert(now);
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            self.batches += 1;
            self.batch_since = None;
            self.send(Loaded::Batch(batch));
        }
    }
}

/// Reads and parses a batch of articles on every core, keeping their order.
fn load_batch(
    root: &Path,
    found: &[ScanEntry],
    reviewer: &str,
    cache: Option<&Cache>,
) -> Vec<Entry> {
    let root: Arc<Path> = Arc::from(root);
    let root = &root;
    // The rows taken here, in order, where each is mostly the next to arrive (see
    // `Cache::take`); the entries made from them on every core.
    let mut rows: Vec<Option<crate::index::Cached>> = match cache {
        Some(cache) => found.iter().map(|e| cache.take(e)).collect(),
        None => Vec::new(),
    };
    rows.resize_with(found.len(), || None);
    let load = |(e, row): (&ScanEntry, Option<crate::index::Cached>)| match cache {
        Some(cache) => cache.load_taken(root, e, row, reviewer),
        None => Entry::load(root, &e.rel, &e.sidecars, reviewer),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = found.len().div_ceil(threads.max(1)).max(1);
    if found.len() < 16 || threads == 1 {
        return found.iter().zip(rows).map(load).collect();
    }
    let mut parts = Vec::new();
    let mut rows = rows.into_iter();
    for chunk in found.chunks(per) {
        parts.push((chunk, rows.by_ref().take(chunk.len()).collect::<Vec<_>>()));
    }
    std::thread::scope(|scope| {
        let parts: Vec<_> = parts
            .into_iter()
            .map(|(chunk, rows)| {
                scope.spawn(move || chunk.iter().zip(rows).map(load).collect::<Vec<_>>())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| match p.join() {
                Ok(entries) => entries,
                // A parser panic is a bug; resume it on this thread rather than lose articles silently.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// One article: through the index when there is one.
fn load_one(cache: Option<&Cache>, root: &Arc<Path>, found: &ScanEntry, reviewer: &str) -> Entry {
    match cache {
        Some(cache) => cache.load(root, found, reviewer),
        None => Entry::load(root, &found.rel, &found.sidecars, reviewer),
    }
}

/// Reads and parses one article, with the SHA-256 of the bytes read (`None` when
/// they could not be read); a problem becomes the reason shown on its row.
fn read_article(root: &Arc<Path>, rel: &Path) -> (Result<Arc<Article>, String>, Option<[u8; 32]>) {
    let file_name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match read_capped(root, rel) {
        Ok((bytes, truncated)) => {
            let sha = Some(sha256_digest(&bytes));
            let format = Format::from_path(rel).unwrap_or(Format::Text);
            let parsed = article::parse(format, &file_name, &bytes).map(|mut a| {
                a.shrink_to_fit();
                if truncated {
                    a.warnings.push(format!(
                        "the file is larger than {} MiB; only the start is shown",
                        MAX_ARTICLE_BYTES / (1024 * 1024)
                    ));
                }
                a
            });
            (parsed.map(Arc::new).map_err(|e| e.to_string()), sha)
        }
        Err(reason) => (Err(reason), None),
    }
}

/// Reads an article up to the cap, only when the inbox boundary allows it (see
/// [`super::boundary`]); the error is the reason shown on its row.
fn read_capped(root: &Path, rel: &Path) -> Result<(Vec<u8>, bool), String> {
    let file = super::boundary::open_article(root, rel)?;
    crate::files::read_capped(file, MAX_ARTICLE_BYTES).map_err(|e| format!("cannot read it: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `count` articles and returns the inbox.
    fn inbox(count: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for i in 0..count {
            let text = format!("Article {i:03}\n\nBody of article {i}.\n");
            std::fs::write(dir.path().join(format!("a{i:03}.txt")), text).expect("write");
        }
        dir
    }

    /// Reads every message of a session's loader until `Done`.
    fn load_all(rx: &mpsc::Receiver<Loaded>) -> usize {
        let mut count = 0;
        loop {
            // A safety net against a hang, not a measure of time.
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(Loaded::Batch(batch)) => count += batch.len(),
                Ok(Loaded::Done(_)) => return count,
                Ok(_) => {}
                Err(e) => panic!("the loader stopped: {e}"),
            }
        }
    }

    #[test]
    fn a_start_removes_the_temporary_file_a_crashed_write_left_once_loading_is_done() {
        let dir = inbox(3);
        let stale = dir.path().join(".a001.txt.alice.toml.4242.7.tmp");
        std::fs::write(&stale, "half a sidecar").expect("write");
        let rx = load_with(
            dir.path().to_path_buf(),
            "alice".into(),
            None,
            BeforeRead::default(),
        );
        assert_eq!(load_all(&rx), 3);
        // The removal comes after `Done`: the loader has ended once its channel closes.
        while rx.recv_timeout(Duration::from_secs(120)).is_ok() {}
        assert!(!stale.exists(), "the stale temporary file is still there");
    }

    /// A session that read articles whole (a first start) learns, once each is
    /// written, the key under which the index gives its body back; a session that
    /// did not ask learns nothing.
    #[test]
    fn articles_written_whole_come_back_held_when_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).expect("inbox");
        std::fs::write(
            inbox.join("a.txt"),
            "A title\n\nBy Someone\n\nThe first paragraph.\n\nThe second one.\n",
        )
        .expect("write");
        let root: Arc<Path> = Arc::from(inbox.as_path());
        let stat =
            || crate::index::Stat::of(&std::fs::metadata(inbox.join("a.txt")).expect("stat"));
        for asked in [true, false] {
            let file = dir.path().join(format!("cache-{asked}/index.sqlite"));
            let (cache, _) = Cache::open_file(&file).expect("the index opens");
            if asked {
                cache.hold_bodies_once_written();
            }
            let entry = Entry::load(&root, Path::new("a.txt"), &[], "alice");
            let whole = Arc::clone(entry.article.as_ref().expect("read"));
            cache.put(Path::new("a.txt"), stat(), &entry);
            let deadline = Instant::now() + Duration::from_secs(120);
            while cache.pending() > 0 {
                assert!(Instant::now() < deadline, "the row was never written");
                std::thread::sleep(Duration::from_millis(5));
            }
            let released = cache.take_released();
            if !asked {
                assert!(released.is_empty(), "kept without being asked");
                continue;
            }
            let [r] = released.as_slice() else {
                panic!("one article written, {} released", released.len());
            };
            assert_eq!(r.rel, Path::new("a.txt"));
            assert!(std::ptr::eq(r.was.as_ptr(), Arc::as_ptr(&whole)));
            let held = Arc::new(crate::index::held_copy(&whole, r.key));
            assert!(held.body.is_empty() && held.footer.is_empty());
            assert_eq!(held.title, whole.title);
            assert_eq!(held.authors, whole.authors);
            let back = cache.texts.whole(&held).expect("the index has the body");
            assert_eq!(back.body, whole.body);
            assert!(cache.take_released().is_empty(), "taken once");
        }
    }

    #[test]
    fn a_session_ended_while_loading_leaves_the_rows_of_the_files_it_never_reached() {
        // More files than the walk may run ahead of the session (AHEAD), so that a
        // session ended at once has not seen them all.
        let count = AHEAD * 2;
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).expect("inbox");
        for i in 0..count {
            std::fs::write(
                inbox.join(format!("a{i:05}.txt")),
                format!("Article {i}\n\nBody.\n"),
            )
            .expect("write");
        }
        let file = dir.path().join("cache/index.sqlite");
        let open = || {
            let (cache, _) = Cache::open_file(&file).expect("the index opens");
            Arc::new(cache)
        };
        let cache = open();
        let rx = load_with(
            inbox.clone(),
            "alice".into(),
            Some(Arc::clone(&cache)),
            BeforeRead::default(),
        );
        assert_eq!(load_all(&rx), count);
        cache.finish();
        drop(cache);
        let rows = || {
            crate::index::open_at(&file)
                .expect("open")
                .0
                .count()
                .expect("count")
                .0
        };
        assert_eq!(rows(), count as i64);

        // The session ends before the first batch arrives.
        let cache = open();
        drop(load_with(
            inbox,
            "alice".into(),
            Some(Arc::clone(&cache)),
            BeforeRead::default(),
        ));
        let deadline = Instant::now() + Duration::from_secs(120);
        while Arc::strong_count(&cache) > 1 {
            assert!(Instant::now() < deadline, "the loader never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
        cache.finish();
        assert_eq!(
            rows(),
            count as i64,
            "rows of files the walk never reached were dropped"
        );
    }

    #[test]
    fn a_slow_file_never_holds_back_the_others_and_the_list_stays_in_inbox_order() {
        let dir = inbox(10);
        // a003.txt is read only once every other article has reached the receiver.
        let (release, released) = mpsc::channel::<()>();
        let released = Mutex::new(released);
        let before = BeforeRead(Some(Arc::new(move |rel: &Path| {
            if rel == Path::new("a003.txt")
                && let Ok(rx) = released.lock()
            {
                let _ = rx.recv();
            }
        })));
        let rx = load_with(dir.path().to_path_buf(), "alice".into(), None, before);
        let mut list: Vec<Entry> = Vec::new();
        let mut late = 0;
        loop {
            // A safety net against a hang, not a measure of time.
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(Loaded::Batch(batch)) => list.extend(batch),
                Ok(Loaded::Late(entry)) => {
                    late += 1;
                    assert_eq!(entry.rel, Path::new("a003.txt"));
                    let slot = list.iter_mut().find(|e| e.rel == entry.rel);
                    let slot = slot.expect("the late article had a placeholder");
                    assert!(slot.still_reading());
                    *slot = entry;
                }
                Ok(Loaded::Done(problems)) => {
                    assert!(problems.is_empty(), "{problems:?}");
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
            let read = list.iter().filter(|e| !e.still_reading()).count();
            if read == 9 && late == 0 {
                // Every other article arrived while a003.txt was held back.
                assert_eq!(list.len(), 10);
                release.send(()).expect("release");
            }
        }
        assert_eq!(late, 1);
        let rels: Vec<String> = list
            .iter()
            .map(|e| e.rel.to_string_lossy().into_owned())
            .collect();
        let expected: Vec<String> = (0..10).map(|i| format!("a{i:03}.txt")).collect();
        assert_eq!(rels, expected);
        for (i, e) in list.iter().enumerate() {
            assert_eq!(e.title(), format!("Article {i:03}"));
        }
    }

    #[test]
    fn the_background_loader_sends_a_large_inbox_whole_and_in_order() {
        let dir = inbox(700);
        let rx = load_in_background(dir.path().to_path_buf(), "alice".into());
        let mut rels = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(120)) {
                Ok(Loaded::Batch(batch)) => rels.extend(batch.into_iter().map(|e| e.rel)),
                Ok(Loaded::Late(e)) => assert!(rels.contains(&e.rel)),
                Ok(Loaded::Done(_)) => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        let expected: Vec<PathBuf> = (0..700)
            .map(|i| PathBuf::from(format!("a{i:03}.txt")))
            .collect();
        assert_eq!(rels, expected);
    }
}
