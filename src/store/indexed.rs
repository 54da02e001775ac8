//! Loading through the index ([`crate::index`]): an article whose file has not
//! changed since its row was written comes from the row, without its body; any
//! other is read and parsed as without an index, and its row written again by a
//! thread of its own, so that reading never waits for the index.

use std::collections::HashMap;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::article::Article;
use crate::index::{self, Cached, Index, Put, Stat};

use super::arriving::Arriving;
use super::{Entry, ScanEntry};

/// Rows written per transaction at most, and how long a row waits for its batch.
const BATCH: usize = 1024;
const BATCH_WAIT: Duration = Duration::from_millis(200);

/// What the writer is asked to do.
enum Write {
    Put {
        rel: PathBuf,
        stat: Stat,
        sha256: Option<[u8; 32]>,
        article: Result<Arc<Article>, String>,
    },
    Forget(Vec<PathBuf>),
}

/// The rows by path bytes, hashed with FxHash: 100,000 lookups with SipHash cost
/// more than the rest of taking a row.
pub type RowMap = crate::index::RowMap;

/// An index opened, with the sentence saying it was made again if it was; or the
/// sentence saying why the program goes on without it.
pub type Opened = Result<(Cache, Option<String>), String>;

/// The index of one inbox as a session uses it: the rows it held at the start, a
/// writer for the rows to write, and a connection for reading bodies.
pub struct Cache {
    /// The rows the index held at the start, as they arrive (see [`Arriving`]): each
    /// is taken by its file's entry, and those left once every file was loaded are
    /// files gone from the inbox (see [`Cache::forget_unseen`]).
    cached: Mutex<Arriving>,
    writer: Mutex<Option<Sender<Write>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Why the rows could not all be read, when they were damaged: the index is then
    /// set aside once loading is over (see [`Cache::damaged`]).
    damage: Mutex<Option<String>>,
    /// The index file.
    path: PathBuf,
    /// Rows asked for and rows written, for the progress shown.
    pub asked: AtomicUsize,
    /// How many rows may wait for the writer before [`Cache::put`] waits (0: any).
    bound: AtomicUsize,
    pub written: Arc<AtomicUsize>,
    /// Why writing stopped, when it did (a full disk, a read-only folder).
    pub failed: Arc<Mutex<Option<String>>>,
    /// For the bodies: the reader, the learner, search.
    pub texts: Arc<index::Shared>,
    /// Told after each batch written and when something fails (see [`Cache::listen`]).
    listener: Arc<Listener>,
    /// Articles written whole whose bodies the session may now let go of (see
    /// [`Cache::hold_bodies_once_written`]).
    released: Arc<Releases>,
}

/// An article the writer has put in the index: the one the session held whole, and
/// the key of its row, for the copy the session may hold instead
/// ([`index::held_copy`], made by the session when it swaps, so that no copy waits
/// beside its article). `was` only tells the article apart (it keeps its
/// allocation, not its text, so no other can take its address).
pub struct Released {
    pub rel: PathBuf,
    pub was: Weak<Article>,
    pub key: i64,
}

/// Whether to collect [`Released`] articles, and those collected.
#[derive(Default)]
struct Releases {
    on: AtomicBool,
    ready: Mutex<Vec<Released>>,
}

impl Cache {
    /// Opens the index of `inbox` (see [`index::open`]) and starts reading its rows
    /// (see [`Arriving`]). `Err` is the one sentence to show when the program goes on
    /// without it; `Ok`'s note, when there is one, says the index was made again.
    /// Damage found later, inside the rows, is for [`Cache::damaged`].
    pub fn open(inbox: &Path) -> Opened {
        let (index, note) = index::open(inbox)?;
        Cache::with(index).map(|cache| (cache, note))
    }

    /// [`Cache::open`] on a given index file (unit tests, which must not depend on
    /// the environment's cache folder).
    #[cfg(test)]
    pub(crate) fn open_file(path: &Path) -> Opened {
        let (index, note) = index::open_at(path)?;
        Cache::with(index).map(|cache| (cache, note))
    }

    fn with(index: Index) -> Result<Cache, String> {
        let path = index.path().to_path_buf();
        let problem = |e: &dyn std::fmt::Display| {
            format!("working without the index ({}): {e}", path.display())
        };
        let texts = Index::reopen(index.path()).map_err(|e| problem(&e))?;
        let (rows, damage) = match Arriving::start(&path, &index) {
            Ok(rows) => (rows, None),
            Err((true, e)) => (Arriving::default(), Some(e)),
            Err((false, e)) => return Err(problem(&e)),
        };
        let (tx, rx) = mpsc::channel();
        let written = Arc::new(AtomicUsize::new(0));
        let failed = Arc::new(Mutex::new(None));
        let listener: Arc<Listener> = Arc::new(Mutex::new(None));
        let released = Arc::new(Releases::default());
        let thread = {
            let (written, failed) = (Arc::clone(&written), Arc::clone(&failed));
            let (listener, released) = (Arc::clone(&listener), Arc::clone(&released));
            std::thread::Builder::new()
                .name("index writer".into())
                .spawn(move || write_all(index, rx, &written, &failed, &listener, &released))
                .map_err(|e| problem(&e))?
        };
        Ok(Cache {
            cached: Mutex::new(rows),
            path,
            damage: Mutex::new(damage),
            writer: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            asked: AtomicUsize::new(0),
            bound: AtomicUsize::new(0),
            written,
            failed,
            texts: Arc::new(index::Shared::new(texts)),
            listener,
            released,
        })
    }

    /// The entry of `found` from its row when the file is unchanged since, else read
    /// from the file (and its row written again).
    pub fn load(&self, root: &Arc<Path>, found: &ScanEntry, reviewer: &str) -> Entry {
        let row = self.take(found);
        self.load_taken(root, found, row, reviewer)
    }

    /// [`Cache::load`] with the row of `found` already taken (see [`Cache::take`]), so
    /// that one thread can take the rows of a batch in order and others make the
    /// entries.
    pub fn load_taken(
        &self,
        root: &Arc<Path>,
        found: &ScanEntry,
        row: Option<Cached>,
        reviewer: &str,
    ) -> Entry {
        let (rel, sidecars) = (&found.rel, &found.sidecars);
        // The `stat` before the read (the scan's, else one now): a change during the
        // read shows at the next start.
        let stat = found
            .stat
            .or_else(|| std::fs::metadata(root.join(rel)).ok().map(|m| Stat::of(&m)));
        if let (Some(stat), Some(row)) = (&stat, &row)
            && row.fresh(stat)
            && let Some(article) = row.article()
        {
            return Entry::decisions_listed(
                root,
                rel.clone(),
                sidecars,
                article.map(Arc::new),
                row.sha256,
            );
        }
        let entry = Entry::load(root, rel, sidecars, reviewer);
        if let Some(stat) = stat {
            self.put(rel, stat, &entry);
        }
        entry
    }

    /// The entry of `found` from its row, when its row is fresh: no file to read, so
    /// the caller can make it at once, in order, rather than hand it to a reader.
    /// `found` back otherwise (a stale row stays for [`Cache::load`]).
    pub fn load_fresh(&self, root: &Arc<Path>, found: ScanEntry) -> Result<Entry, ScanEntry> {
        let Some(row) = self.take(&found) else {
            return Err(found);
        };
        if !found.stat.is_some_and(|stat| row.fresh(&stat)) {
            if let Ok(mut cached) = self.cached.lock() {
                cached.give_back(found.rel.as_os_str().as_bytes().to_vec(), row);
            }
            return Err(found);
        }
        // A row that cannot be decoded is gone now: the reader reads the file.
        match row.article() {
            Some(article) => Ok(Entry::decisions_listed(
                root,
                found.rel,
                &found.sidecars,
                article.map(Arc::new),
                row.sha256,
            )),
            None => Err(found),
        }
    }

    /// The row of `found`, taken out of the rows as they arrive (see [`Arriving`]):
    /// each row is taken by its file's entry, so that those left once the walk is
    /// over are the files gone from the inbox (see [`Cache::forget_unseen`]).
    pub fn take(&self, found: &ScanEntry) -> Option<Cached> {
        let rel = &found.rel;
        let mut cached = self.cached.lock().ok()?;
        cached.take(rel.as_os_str().as_bytes(), || {
            self.texts
                .with(|i| i.cached_one(rel).ok().flatten())
                .flatten()
        })
    }

    /// Every row not taken, waiting for all to arrive. When they were damaged, the
    /// index is set aside (its files removed: the writer goes on into a file no one
    /// opens again) so that it is made anew, and the session says so once.
    fn rest(&self) -> RowMap {
        let Ok(mut cached) = self.cached.lock() else {
            return RowMap::default();
        };
        let rows = cached.rest();
        let failed = cached.failed.take();
        drop(cached);
        let damage = match failed {
            Some((true, e)) => Some(e),
            Some((false, e)) => {
                // Not damage (a read that failed for another reason): the articles
                // whose rows did not arrive were read from their files; said once.
                if let Ok(mut failed) = self.failed.lock() {
                    *failed = Some(format!(
                        "the index {} could not be read ({e}); articles were read from their files",
                        self.path.display()
                    ));
                }
                tell(&self.listener);
                None
            }
            None => None,
        }
        .or_else(|| self.damage.lock().ok().and_then(|d| d.clone()));
        if let Some(e) = damage {
            let what = if index::set_aside(&self.path).is_ok() {
                "it is made again at the next start"
            } else {
                "every article is read from its file"
            };
            if let Ok(mut failed) = self.failed.lock() {
                *failed = Some(format!(
                    "the index {} could not be read ({e}); {what}",
                    self.path.display()
                ));
            }
            if let Ok(mut slot) = self.damage.lock() {
                *slot = Some(e);
            }
            tell(&self.listener);
        }
        rows
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the index's rows could not be read, when they were damaged: known once
    /// loading is over ([`Cache::forget_unseen`]), the index then set aside.
    pub fn damaged(&self) -> Option<String> {
        self.damage.lock().ok().and_then(|d| d.clone())
    }

    /// Asks for the row of `entry` (just read from its file) to be written.
    pub fn put(&self, rel: &Path, stat: Stat, entry: &Entry) {
        self.asked.fetch_add(1, Ordering::Relaxed);
        self.send(Write::Put {
            rel: rel.to_path_buf(),
            stat,
            sha256: entry.sha256,
            article: entry.article.clone(),
        });
        let bound = self.bound.load(Ordering::Relaxed);
        while bound > 0 && self.pending() > bound && self.writing() {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// From now on, [`Cache::put`] waits while more than `rows` are waiting for the
    /// writer: for a caller that drops the articles it read (`triage index`), whose
    /// bodies would otherwise pile up in the writer's queue (6 GB at 1,000,000
    /// articles, the writer being slower than the readers).
    pub fn bound_queue(&self, rows: usize) {
        self.bound.store(rows, Ordering::Relaxed);
    }

    /// Whether the writer's thread is still there to write.
    fn writing(&self) -> bool {
        self.thread
            .lock()
            .map(|t| t.as_ref().is_some_and(|t| !t.is_finished()))
            .unwrap_or(false)
    }

    /// Drops the rows of files gone from the inbox.
    pub fn forget(&self, rels: Vec<PathBuf>) {
        if !rels.is_empty() {
            self.send(Write::Forget(rels));
        }
    }

    /// Drops the rows of every file the index held that the scan did not find:
    /// those [`Cache::load`] never took. Called once every file was loaded.
    pub fn forget_unseen(&self) {
        let gone: Vec<PathBuf> = self
            .rest()
            .into_keys()
            .map(|rel| PathBuf::from(std::ffi::OsString::from_vec(rel)))
            .collect();
        self.forget(gone);
    }

    fn send(&self, write: Write) {
        if let Ok(writer) = self.writer.lock()
            && let Some(tx) = writer.as_ref()
        {
            let _ = tx.send(write);
        }
    }

    /// Waits until everything asked for is written (the commands, before they end).
    pub fn finish(&self) {
        if let Ok(mut writer) = self.writer.lock() {
            writer.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// Has `listener` called after every batch the writer writes and when reading or
    /// writing fails, and once now: the session's progress and messages follow the
    /// writer without looking at it on a timer (an idle session does not wake).
    pub fn listen(&self, listener: impl Fn() + Send + 'static) {
        if let Ok(mut slot) = self.listener.lock() {
            *slot = Some(Box::new(listener));
        }
        tell(&self.listener);
    }

    /// From now on, each article written whole is also kept as [`Released`], for
    /// [`Cache::take_released`]: a session that read its articles from their files
    /// (a first start) then holds each as a start from the index would, once the
    /// index has its body, rather than every body until the next start. Commands,
    /// which end soon, leave this off.
    pub fn hold_bodies_once_written(&self) {
        self.released.on.store(true, Ordering::Relaxed);
    }

    /// The articles written whole since the last call (see
    /// [`Cache::hold_bodies_once_written`]).
    pub fn take_released(&self) -> Vec<Released> {
        self.released
            .ready
            .lock()
            .map(|mut ready| std::mem::take(&mut *ready))
            .unwrap_or_default()
    }

    /// Rows asked for and not yet written.
    pub fn pending(&self) -> usize {
        self.asked
            .load(Ordering::Relaxed)
            .saturating_sub(self.written.load(Ordering::Relaxed))
    }

    /// Why writing stopped, once it did.
    pub fn failure(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|f| f.clone())
    }
}

/// The writer: batches of rows, one transaction each, until the cache is dropped or
/// finished. A failed write (a full disk, a read-only folder, a damaged file) stops
/// the writing for the session, with the reason kept: the index is a cache, and the
/// next start reads again whatever is missing.
fn write_all(
    mut index: Index,
    rx: Receiver<Write>,
    written: &AtomicUsize,
    failed: &Mutex<Option<String>>,
    listener: &Listener,
    released: &Releases,
) {
    index.tune_for_writing();
    let mut stopped = false;
    let fail = |e: rusqlite::Error, index: &Index| {
        if let Ok(mut f) = failed.lock() {
            *f = Some(format!(
                "the index {} is no longer written: {e}",
                index.path().display()
            ));
        }
    };
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        let deadline = Instant::now() + BATCH_WAIT;
        while batch.len() < BATCH {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        let puts = batch
            .iter()
            .filter(|w| matches!(w, Write::Put { .. }))
            .count();
        if stopped {
            written.fetch_add(puts, Ordering::Relaxed);
            tell(listener);
            continue;
        }
        // Each row with the article it was made from, when it was read whole.
        let mut rows: Vec<(Put, Option<&Arc<Article>>)> = Vec::with_capacity(puts);
        let mut gone = Vec::new();
        for w in &batch {
            match w {
                Write::Put {
                    rel,
                    stat,
                    sha256,
                    article,
                } => rows.push((
                    Put {
                        rel,
                        stat: *stat,
                        sha256: *sha256,
                        article: match article {
                            Ok(a) => Ok(a),
                            Err(e) => Err(e),
                        },
                    },
                    article.as_ref().ok().filter(|a| a.held.is_none()),
                )),
                Write::Forget(rels) => gone.extend(rels.iter().cloned()),
            }
        }
        // Rows of a path written twice in one batch: the later one wins.
        let mut last: HashMap<&Path, usize> = HashMap::new();
        for (i, (row, _)) in rows.iter().enumerate() {
            last.insert(row.rel, i);
        }
        let (rows, wholes): (Vec<Put>, Vec<Option<&Arc<Article>>>) = rows
            .into_iter()
            .enumerate()
            .filter(|(i, (row, _))| last.get(row.rel) == Some(i))
            .map(|(_, row)| row)
            .unzip();
        let result = index
            .put(&rows)
            .and_then(|keys| index.remove(&gone).map(|()| keys));
        written.fetch_add(puts, Ordering::Relaxed);
        match result {
            Ok(keys) => release(released, &rows, &wholes, &keys),
            Err(e) => {
                fail(e, &index);
                stopped = true;
            }
        }
        tell(listener);
    }
}

/// Keeps, when asked to, each article just written whole as [`Released`].
fn release(released: &Releases, rows: &[Put], wholes: &[Option<&Arc<Article>>], keys: &[i64]) {
    if !released.on.load(Ordering::Relaxed) {
        return;
    }
    let batch: Vec<Released> = rows
        .iter()
        .zip(wholes)
        .zip(keys)
        .filter_map(|((row, whole), &key)| {
            let whole = (*whole)?;
            Some(Released {
                rel: row.rel.to_path_buf(),
                was: Arc::downgrade(whole),
                key,
            })
        })
        .collect();
    if let Ok(mut ready) = released.ready.lock() {
        ready.extend(batch);
    }
}

/// Who hears of the writer's progress and of failures (see [`Cache::listen`]).
type Listener = Mutex<Option<Box<dyn Fn() + Send>>>;

fn tell(listener: &Listener) {
    if let Ok(listener) = listener.lock()
        && let Some(tell) = listener.as_ref()
    {
        tell();
    }
}
