//! Loading through the index ([`crate::index`]): an article whose file has not
//! changed since its row was written comes from the row, without its body; any
//! other is read and parsed as without an index, and its row written again by a
//! thread of its own, so that reading never waits for the index.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::article::Article;
use crate::index::{self, Cached, Index, Put, Stat};

use super::Entry;

/// Rows written per transaction at most, and how long a row waits for its batch.
const BATCH: usize = 256;
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

/// The index of one inbox as a session uses it: the rows it held at the start, a
/// writer for the rows to write, and a connection for reading bodies.
pub struct Cache {
    cached: HashMap<PathBuf, Cached>,
    writer: Mutex<Option<Sender<Write>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Rows asked for and rows written, for the progress shown.
    pub asked: AtomicUsize,
    pub written: Arc<AtomicUsize>,
    /// Why writing stopped, when it did (a full disk, a read-only folder).
    pub failed: Arc<Mutex<Option<String>>>,
    /// For the bodies: the reader, the learner, search.
    pub texts: Arc<index::Shared>,
}

impl Cache {
    /// Opens the index of `inbox` (see [`index::open`]). `Err` is the one sentence to
    /// show when the program goes on without it; `Ok`'s note, when there is one, says
    /// the index was made again.
    pub fn open(inbox: &Path) -> Result<(Cache, Option<String>), String> {
        let (index, mut note) = index::open(inbox)?;
        // Damage inside the rows shows only when they are read: the index is then made
        // again too, rather than worked around on every start.
        let (index, cached) = match index.cached() {
            Ok(rows) => (index, rows),
            Err(e) if index::damaged(&e) => {
                let path = index.path().to_path_buf();
                drop(index);
                let index = index::open_anew(&path)?;
                note = Some(format!(
                    "the index {} is made again: it could not be read ({e})",
                    path.display()
                ));
                (index, HashMap::new())
            }
            Err(e) => {
                return Err(format!(
                    "working without the index ({}): {e}",
                    index.path().display()
                ));
            }
        };
        Cache::with(index, cached).map(|cache| (cache, note))
    }

    fn with(index: Index, cached: HashMap<PathBuf, Cached>) -> Result<Cache, String> {
        let path = index.path().to_path_buf();
        let problem = |e: &dyn std::fmt::Display| {
            format!("working without the index ({}): {e}", path.display())
        };
        let texts = Index::reopen(index.path()).map_err(|e| problem(&e))?;
        let (tx, rx) = mpsc::channel();
        let written = Arc::new(AtomicUsize::new(0));
        let failed = Arc::new(Mutex::new(None));
        let thread = {
            let (written, failed) = (Arc::clone(&written), Arc::clone(&failed));
            std::thread::Builder::new()
                .name("index writer".into())
                .spawn(move || write_all(index, rx, &written, &failed))
                .map_err(|e| problem(&e))?
        };
        Ok(Cache {
            cached,
            writer: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            asked: AtomicUsize::new(0),
            written,
            failed,
            texts: Arc::new(index::Shared::new(texts)),
        })
    }

    /// The entry of `rel` from its row when the file is unchanged since, else read
    /// from the file (and its row written again).
    pub fn load(
        &self,
        root: &Arc<Path>,
        rel: &Path,
        sidecars: &[(String, PathBuf)],
        reviewer: &str,
    ) -> Entry {
        // The `stat` before the read: a change during the read shows at the next start.
        let stat = std::fs::metadata(root.join(rel)).map(|m| Stat::of(&m));
        if let (Ok(stat), Some(row)) = (&stat, self.cached.get(rel))
            && row.fresh(stat)
        {
            let mut entry = Entry::decisions_only(root, rel, sidecars, reviewer);
            entry.article = row.article.clone().map(Arc::new);
            entry.sha256 = row.sha256;
            return entry;
        }
        let entry = Entry::load(root, rel, sidecars, reviewer);
        if let Ok(stat) = stat {
            self.put(rel, stat, &entry);
        }
        entry
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
    }

    /// Reads `rel` from its file and asks for its row to be written: for a file the
    /// watcher saw change.
    pub fn reload(
        &self,
        root: &Arc<Path>,
        rel: &Path,
        sidecars: &[(String, PathBuf)],
        reviewer: &str,
    ) -> Entry {
        let stat = std::fs::metadata(root.join(rel)).map(|m| Stat::of(&m));
        let entry = Entry::load(root, rel, sidecars, reviewer);
        if let Ok(stat) = stat {
            self.put(rel, stat, &entry);
        }
        entry
    }

    /// Drops the rows of files gone from the inbox.
    pub fn forget(&self, rels: Vec<PathBuf>) {
        if !rels.is_empty() {
            self.send(Write::Forget(rels));
        }
    }

    /// Drops the rows of every file the index held that is not in `seen` (a scan's).
    pub fn forget_unseen(&self, seen: &HashSet<PathBuf>) {
        let gone: Vec<PathBuf> = self
            .cached
            .keys()
            .filter(|rel| !seen.contains(*rel))
            .cloned()
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
) {
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
            continue;
        }
        let mut rows = Vec::with_capacity(puts);
        let mut gone = Vec::new();
        for w in &batch {
            match w {
                Write::Put {
                    rel,
                    stat,
                    sha256,
                    article,
                } => rows.push(Put {
                    rel,
                    stat: *stat,
                    sha256: *sha256,
                    article: match article {
                        Ok(a) => Ok(a),
                        Err(e) => Err(e),
                    },
                }),
                Write::Forget(rels) => gone.extend(rels.iter().cloned()),
            }
        }
        // Rows of a path written twice in one batch: the later one wins.
        let mut last: HashMap<&Path, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            last.insert(row.rel, i);
        }
        let rows: Vec<Put> = rows
            .into_iter()
            .enumerate()
            .filter(|(i, row)| last.get(row.rel) == Some(i))
            .map(|(_, row)| row)
            .collect();
        let result = index.put(&rows).and_then(|_| index.remove(&gone));
        written.fetch_add(puts, Ordering::Relaxed);
        if let Err(e) = result {
            fail(e, &index);
            stopped = true;
        }
    }
}
