//! Watching the inbox while the program runs, so that articles and sidecars changed by
//! someone else show up within about a second.
//!
//! A notify watcher hands raw events to a thread of ours, which gathers them for a
//! short while ([`DEBOUNCE`]), keeps each path once, and then looks at what is on disk
//! *now* rather than trusting the event's kind: editors save by writing a temporary
//! file and renaming it over the article, downloads grow a file in several writes,
//! and a rename reaches us as a remove and a create. Whatever the sequence, the state
//! after it is what the program must show. Each gathered batch becomes one
//! `Vec<Change>`, in inbox order.
//!
//! The thread reads and parses changed articles itself, so the UI thread only swaps
//! entries in. An event costs what it touches: a stat of the path, and for an
//! article a read of it and one listing of its folder (names only) to find its
//! sidecars. Nothing rescans the inbox, except after the kernel reports that it lost
//! events (an inotify queue overflow): then the only safe answer is to reload it all.
//!
//! # Native watching or polling
//!
//! [`Prefer::Auto`] uses the platform's watcher (inotify on Linux) and falls back to
//! polling every second ([`POLL_INTERVAL`]) in two cases:
//! - the inbox is on a network file system (NFS, SMB/CIFS, FUSE such as sshfs, 9P):
//!   inotify there sees only the changes made by this machine, and a colleague's
//!   sidecar written from another machine would never show;
//! - the native watcher cannot start or cannot watch every folder (typically the
//!   per-user inotify watch limit, one watch per folder): a watcher that silently
//!   misses part of the inbox is worse than a slower one that sees all of it.
//!
//! Polling lists and stats every file of the inbox each second, so it costs in
//! proportion to the inbox; that is the price of seeing other machines' writes. Its
//! file times are compared to the second, so a file written twice within one second
//! would keep its first version; to close that gap, files the poller has just
//! reported are re-checked by size and exact times until their second has passed.
//! (The poller also reports a file only when its time moves forward, so a file
//! replaced by an older copy with its time preserved is seen only through that
//! re-check, or not at all once it has ended.)
//!
//! Symbolic links to folders are not followed, as in the scan (`scan.rs`), so a
//! link loop cannot make the watcher walk forever.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

use super::scan::{has_extension, is_temporary};
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use crate::article::Format;

use super::inbox::Entry;
use super::scan_each;
use super::sidecar::valid_reviewer;

/// How long events are gathered after the first one before the batch is handled: long
/// enough that an editor's save-by-rename or a multi-write download lands as one
/// change, short enough that the inbox still looks live.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// How often the polling fallback looks at the whole inbox.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How often files the poller just reported are re-checked (see the module doc).
const SETTLE_TICK: Duration = Duration::from_millis(250);

/// How long after its modification time a file stays re-checked. The poller compares
/// whole seconds; the slack covers a file server whose clock runs ahead of ours.
const SETTLE_FOR: Duration = Duration::from_secs(3);

/// The longest a file stays re-checked, whatever its time says, so that files dated in
/// the future (an archive unpacked with odd times) do not keep us stat-ing them.
const SETTLE_AT_MOST: Duration = Duration::from_secs(10);

/// What changed in the inbox, in terms the program acts on.
#[derive(Debug)]
pub enum Change {
    /// An article appeared or its bytes changed: it is loaded already (parsed, with
    /// its sidecars), off the UI thread.
    Article(Entry),
    /// Nothing is at this inbox-relative path any more — an article, or a whole
    /// folder: drop every entry at or under it. A folder that appeared or was replaced
    /// is sent as `Removed(folder)` followed by an `Article` for each article now in
    /// it, so that it replaces whatever the program held there. The empty path means
    /// the whole inbox (after lost events, see the module doc).
    Removed(PathBuf),
    /// One reviewer's sidecar of the article at this inbox-relative path was created,
    /// changed or deleted: re-read that one file. The reviewer may be the program's
    /// own: the same reviewer may be at work in another session.
    Sidecar { article: PathBuf, reviewer: String },
}

/// Which watcher to use; the user can force one when the automatic choice is wrong
/// for their setup (an unusual network file system, a container with a low inotify
/// limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prefer {
    /// Native, except polling on network file systems or when the native watcher
    /// cannot start (see the module doc).
    #[default]
    Auto,
    /// Native only: fail rather than poll.
    Native,
    /// Polling, whatever the file system.
    Poll,
}

/// Which watcher is running, so the program can say so (polling is slower to notice
/// and costs more on a large inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchKind {
    Native,
    Polling,
}

/// A running watch of an inbox. Keep it alive for as long as changes are wanted:
/// dropping it stops the watcher, which ends the thread and disconnects `changes`.
pub struct Watch {
    /// One batch of changes per gathering window, in inbox order.
    pub changes: Receiver<Vec<Change>>,
    pub kind: WatchKind,
    _watcher: Backend,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("kind", &self.kind).finish()
    }
}

/// Held only to be dropped: the watcher owns the event handler, whose sender is what
/// keeps our thread alive.
#[allow(dead_code, reason = "held only to be dropped")]
enum Backend {
    Native(Folders),
    Polling(PollWatcher),
}

/// A native watcher, one watch per folder (see [`start_native`]); shared with the
/// worker, which watches the folders that appear.
type Folders = Arc<std::sync::Mutex<RecommendedWatcher>>;

/// Why the inbox cannot be watched. One sentence naming the folder, for the status
/// line; the program stays usable without a watch.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch the inbox {}: {source}", path.display())]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot watch the inbox {} for changes: {source}", path.display())]
    Watcher {
        path: PathBuf,
        source: notify::Error,
    },
}

/// Starts watching `root` for changes, loading changed articles for `reviewer`.
///
/// Setting up lists every folder of the inbox once (native: one watch per folder;
/// polling: a first picture of every file), so on a very large inbox call it off the
/// UI thread. Start it before loading the inbox, so that nothing changed during the
/// load is missed (a change seen twice only reloads an article).
pub fn watch(root: &Path, reviewer: &str, prefer: Prefer) -> Result<Watch, WatchError> {
    let folder_error = |source| WatchError::Folder {
        path: root.to_path_buf(),
        source,
    };
    let meta = fs::metadata(root).map_err(folder_error)?;
    if !meta.is_dir() {
        return Err(folder_error(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "it is not a folder",
        )));
    }
    let (raw_tx, raw_rx) = mpsc::channel();
    let use_native = match prefer {
        Prefer::Native => true,
        Prefer::Poll => false,
        Prefer::Auto => !on_network_filesystem(root),
    };
    let mut native_error = None;
    let mut backend = None;
    if use_native {
        match start_native(root, raw_tx.clone()) {
            Ok(watcher) => backend = Some(Backend::Native(watcher)),
            Err(e) if prefer == Prefer::Native => {
                return Err(WatchError::Watcher {
                    path: root.to_path_buf(),
                    source: e,
                });
            }
            Err(e) => native_error = Some(e),
        }
    }
    let folders = match &backend {
        Some(Backend::Native(folders)) => Some(Arc::downgrade(folders)),
        _ => None,
    };
    let backend = match backend {
        Some(b) => b,
        None => match start_polling(root, raw_tx) {
            Ok(watcher) => Backend::Polling(watcher),
            Err(e) => {
                return Err(WatchError::Watcher {
                    path: root.to_path_buf(),
                    // The native failure, when there was one, says more about the setup.
                    source: native_error.unwrap_or(e),
                });
            }
        },
    };
    let kind = match backend {
        Backend::Native(_) => WatchKind::Native,
        Backend::Polling(_) => WatchKind::Polling,
    };
    let (tx, changes) = mpsc::channel();
    let worker = Worker {
        root: Arc::from(root),
        prefixes: prefixes(root),
        reviewer: reviewer.to_string(),
        polling: kind == WatchKind::Polling,
        settling: HashMap::new(),
        folders,
    };
    std::thread::Builder::new()
        .name("triage-watch".to_string())
        .spawn(move || worker.run(&raw_rx, &tx))
        .map_err(folder_error)?;
    Ok(Watch {
        changes,
        kind,
        _watcher: backend,
    })
}

/// Symbolic links are not followed, like the scan: a link to a parent folder would
/// otherwise be walked forever, or watched twice.
fn config() -> notify::Config {
    notify::Config::default().with_follow_symlinks(false)
}

/// One watch per folder of the inbox, each without recursion, rather than notify's
/// recursive watch: setting that up `stat`s every file of the inbox (walkdir's
/// metadata on every entry, to tell folders), 100,000 calls at 100,000 articles
/// that took 150–190 ms from a warm start's loading; this walk reads only the
/// folders' listings. Folders that appear later are watched as the worker sees them
/// (see [`watch_folders`]). As the scan, links to folders and dot-folders are not
/// entered.
fn start_native(root: &Path, tx: Sender<Raw>) -> notify::Result<Folders> {
    let watcher = RecommendedWatcher::new(handler(tx), config())?;
    let folders = Arc::new(std::sync::Mutex::new(watcher));
    watch_folders(&folders, root)?;
    Ok(folders)
}

/// Watches `folder` and every folder under it (see [`start_native`]). A sub-folder
/// that cannot be listed or watched is left out, as the scan reports it; only the
/// top folder's failure is an error.
fn watch_folders(folders: &Folders, folder: &Path) -> notify::Result<()> {
    let Ok(mut watcher) = folders.lock() else {
        return Ok(());
    };
    watcher.watch(folder, RecursiveMode::NonRecursive)?;
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(listing) = fs::read_dir(&dir) else {
            continue;
        };
        for item in listing.flatten() {
            let hidden = item.file_name().as_encoded_bytes().starts_with(b".");
            if !hidden && item.file_type().is_ok_and(|t| t.is_dir()) {
                let sub = item.path();
                if watcher.watch(&sub, RecursiveMode::NonRecursive).is_ok() {
                    pending.push(sub);
                }
            }
        }
    }
    Ok(())
}

fn start_polling(root: &Path, tx: Sender<Raw>) -> notify::Result<PollWatcher> {
    let mut watcher = PollWatcher::new(handler(tx), config().with_poll_interval(POLL_INTERVAL))?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// What the notify thread passes on: only what could matter, already sorted by how
/// much it may have changed.
enum Raw {
    Paths(Vec<PathBuf>, Hint),
    /// Events were lost; only a full reload is safe.
    Rescan,
}

/// What an event says about its path. Only folders care: a folder that was created or
/// moved in must be scanned, but a folder whose time changed because a file inside
/// changed must not (that file has its own event, and the scan would cost the folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Hint {
    /// The content or metadata changed in place.
    Content,
    /// Created, removed, renamed, or the backend does not say.
    Structure,
}

fn handler(tx: Sender<Raw>) -> impl notify::EventHandler {
    move |event: notify::Result<notify::Event>| {
        // Errors after the start (a folder that vanished mid-walk, the watch limit hit
        // by a new folder) are not actionable here; the next event or poll goes on.
        let Ok(event) = event else { return };
        if event.need_rescan() {
            let _ = tx.send(Raw::Rescan);
            return;
        }
        let hint = match event.kind {
            // Our own reading of an article opens and closes it: reacting to that
            // would reload it forever.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => Hint::Content,
            EventKind::Access(_) => return,
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_)) => Hint::Content,
            _ => Hint::Structure,
        };
        if !event.paths.is_empty() {
            let _ = tx.send(Raw::Paths(event.paths, hint));
        }
    }
}

/// The prefixes event paths may carry: the root as given, and its canonical form,
/// which some platforms report instead (macOS's `/private/var` for `/var`).
fn prefixes(root: &Path) -> Vec<PathBuf> {
    let mut prefixes = vec![root.to_path_buf()];
    if let Ok(canonical) = fs::canonicalize(root)
        && canonical != root
    {
        prefixes.push(canonical);
    }
    prefixes
}

/// Identity of a file's state: if any of it differs, the file was written again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signature {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: u64,
}

fn signature(path: &Path) -> Option<Signature> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    Some(Signature {
        modified: meta.modified().ok(),
        len: meta.len(),
        #[cfg(unix)]
        changed: (meta.ctime(), meta.ctime_nsec()),
        #[cfg(unix)]
        inode: meta.ino(),
    })
}

struct Worker {
    /// The root as the caller gave it: loaded entries carry it.
    root: Arc<Path>,
    prefixes: Vec<PathBuf>,
    reviewer: String,
    polling: bool,
    /// Polling only: recently reported files (inbox-relative), the state last loaded
    /// and when it was.
    settling: HashMap<PathBuf, (Signature, Instant)>,
    /// Native only: the watcher, to watch folders that appear (moved in or made).
    /// Weak: the watch's owner holds the watcher, and dropping it must stop this
    /// thread (the watcher holds the sender this thread waits on).
    folders: Option<std::sync::Weak<std::sync::Mutex<RecommendedWatcher>>>,
}

impl Worker {
    fn run(mut self, raw: &Receiver<Raw>, tx: &Sender<Vec<Change>>) {
        loop {
            let mut batch = BTreeMap::new();
            let mut rescan = false;
            let first = if self.settling.is_empty() {
                raw.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                raw.recv_timeout(SETTLE_TICK)
            };
            match first {
                Ok(event) => {
                    self.add(event, &mut batch, &mut rescan);
                    let until = Instant::now() + DEBOUNCE;
                    loop {
                        let left = until.saturating_duration_since(Instant::now());
                        match raw.recv_timeout(left) {
                            Ok(event) => self.add(event, &mut batch, &mut rescan),
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            self.settle(&mut batch);
            let steps = if rescan {
                vec![Step::Folder(PathBuf::new())]
            } else {
                plan(&self.root, &batch)
            };
            if steps.is_empty() {
                continue;
            }
            let seen = self.signatures(&steps);
            // A folder that appeared is watched before it is scanned, so a file
            // arriving in it is seen by one or the other.
            if let Some(folders) = self.folders.as_ref().and_then(std::sync::Weak::upgrade) {
                for step in &steps {
                    if let Step::Folder(rel) = step {
                        let _ = watch_folders(&folders, &self.root.join(rel));
                    }
                }
            }
            let changes = execute(&self.root, &steps, &self.reviewer);
            self.settling.extend(seen);
            if !changes.is_empty() && tx.send(changes).is_err() {
                return;
            }
        }
    }

    fn add(&self, raw: Raw, batch: &mut BTreeMap<PathBuf, Hint>, rescan: &mut bool) {
        match raw {
            Raw::Rescan => *rescan = true,
            Raw::Paths(paths, hint) => {
                for path in paths {
                    if let Some(rel) = relative(&self.prefixes, &path) {
                        let slot = batch.entry(rel).or_insert(hint);
                        *slot = (*slot).max(hint);
                    }
                }
            }
        }
    }

    /// Adds to the batch the recently reported files that changed since they were
    /// loaded, and forgets those old enough for the poller to see their next change.
    fn settle(&mut self, batch: &mut BTreeMap<PathBuf, Hint>) {
        let now = SystemTime::now();
        self.settling.retain(|rel, (last, since)| {
            let current = signature(&self.root.join(rel));
            if current.as_ref() != Some(last) {
                batch.entry(rel.clone()).or_insert(Hint::Content);
                return false;
            }
            since.elapsed() < SETTLE_AT_MOST && recent(last, now)
        });
    }

    /// Polling only: the state of each file about to be read, taken before reading so
    /// that a write racing the read shows as a difference on the next check.
    fn signatures(&self, steps: &[Step]) -> Vec<(PathBuf, (Signature, Instant))> {
        if !self.polling {
            return Vec::new();
        }
        let now = SystemTime::now();
        let taken = Instant::now();
        steps
            .iter()
            .filter_map(|step| match step {
                Step::Article(rel) => Some(rel.clone()),
                Step::Sidecar { path, .. } => Some(path.clone()),
                _ => None,
            })
            .filter_map(|rel| {
                let sig = signature(&self.root.join(&rel))?;
                recent(&sig, now).then_some((rel, (sig, taken)))
            })
            .collect()
    }
}

/// Whether a file was written recently enough that the poller may miss its next write.
fn recent(sig: &Signature, now: SystemTime) -> bool {
    sig.modified
        .and_then(|m| m.checked_add(SETTLE_FOR))
        .is_some_and(|until| until > now)
}

/// The path relative to the root, or `None` when it is outside it, is the root itself,
/// or is hidden (any component starting with '.': dotfiles and dot-folders, our lock
/// file and our temporary files, which the scan skips too).
fn relative(prefixes: &[PathBuf], path: &Path) -> Option<PathBuf> {
    let rel = prefixes.iter().find_map(|p| path.strip_prefix(p).ok())?;
    let mut any = false;
    for component in rel.components() {
        match component {
            Component::Normal(name) if !name.as_encoded_bytes().starts_with(b".") => any = true,
            _ => return None,
        }
    }
    any.then(|| rel.to_path_buf())
}

/// What to do about one path of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Load the article at this path.
    Article(PathBuf),
    /// Drop whatever was at or under this path.
    Removed(PathBuf),
    /// Replace whatever was at this folder with what a scan of it finds now.
    Folder(PathBuf),
    /// A sidecar (at `path`) of `article` changed.
    Sidecar {
        path: PathBuf,
        article: PathBuf,
        reviewer: String,
    },
}

/// Turns a batch of paths into steps, in inbox order, by what is on disk now. Paths
/// under a folder that is scanned or removed are left to that folder's step.
fn plan(root: &Path, batch: &BTreeMap<PathBuf, Hint>) -> Vec<Step> {
    let mut steps = Vec::new();
    // Path order puts a folder right before everything under it.
    let mut covering: Option<PathBuf> = None;
    for (rel, hint) in batch {
        if covering.as_ref().is_some_and(|c| rel.starts_with(c)) {
            continue;
        }
        let Some(step) = classify(root, rel, *hint) else {
            continue;
        };
        if let Step::Folder(p) | Step::Removed(p) = &step {
            covering = Some(p.clone());
        }
        steps.push(step);
    }
    steps
}

/// What one path is now. `None` for what the inbox ignores: temporary files, `.toml`
/// files that are not sidecars, other files, and a folder whose content merely changed.
fn classify(root: &Path, rel: &Path, hint: Hint) -> Option<Step> {
    let name = rel.file_name()?;
    let path = root.join(rel);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Gone: a sidecar is re-read (and found missing); anything else may have
            // been an article or a folder, and dropping what is not there is harmless.
            return Some(sidecar_step(root, rel, name).unwrap_or(Step::Removed(rel.to_path_buf())));
        }
        // Unreadable (permissions of a parent): nothing to say about it.
        Err(_) => return None,
    };
    let (is_folder, is_file) = if meta.file_type().is_symlink() {
        // As the scan: follow links to files, never to folders; a dangling link with
        // an article's name is an article, whose row will say why it cannot be read.
        fs::metadata(&path).map_or((false, true), |target| (target.is_dir(), target.is_file()))
    } else if meta.is_dir() {
        return (hint == Hint::Structure).then(|| Step::Folder(rel.to_path_buf()));
    } else {
        (false, meta.is_file())
    };
    if is_folder || is_temporary(name) {
        return None;
    }
    if has_extension(name, b".toml") {
        return is_file.then(|| sidecar_step(root, rel, name)).flatten();
    }
    // As the scan, a named pipe, socket or device with an article's name is listed,
    // with the reason it is not read.
    Format::from_path(Path::new(name)).map(|_| Step::Article(rel.to_path_buf()))
}

fn sidecar_step(root: &Path, rel: &Path, name: &OsStr) -> Option<Step> {
    let dir = rel.parent().unwrap_or(Path::new(""));
    let splits = sidecar_splits(name);
    // As the scan, the longest article name that exists wins (`a.txt.x.txt.carol.toml`
    // is carol's sidecar of `a.txt.x.txt` when that article exists); when none does,
    // the longest plausible one.
    let (article, reviewer) = splits
        .iter()
        .find(|(article, _)| fs::symlink_metadata(root.join(dir).join(article)).is_ok())
        .or(splits.first())?
        .clone();
    Some(Step::Sidecar {
        path: rel.to_path_buf(),
        article: dir.join(article),
        reviewer,
    })
}

/// The ways `<article>.<reviewer>.toml` can be read, longest article name first,
/// keeping only valid reviewer names and article names the inbox would list. Reviewer
/// names may contain dots, hence several.
pub(crate) fn sidecar_splits(name: &OsStr) -> Vec<(OsString, String)> {
    if !has_extension(name, b".toml") {
        return Vec::new();
    }
    let bytes = name.as_encoded_bytes();
    let stem = &bytes[..bytes.len() - b".toml".len()];
    stem.iter()
        .enumerate()
        .rev()
        .filter(|(_, b)| **b == b'.')
        .filter_map(|(dot, _)| {
            let reviewer = std::str::from_utf8(&stem[dot + 1..]).ok()?;
            if !valid_reviewer(reviewer) {
                return None;
            }
            let article = prefix_of(name, dot)?;
            let listed = !article.as_encoded_bytes().starts_with(b".")
                && !is_temporary(&article)
                && Format::from_path(Path::new(&article)).is_some();
            listed.then(|| (article, reviewer.to_string()))
        })
        .collect()
}

/// The first `len` bytes of a name, cut just before an ASCII '.'.
#[cfg(unix)]
fn prefix_of(name: &OsStr, len: usize) -> Option<OsString> {
    use std::os::unix::ffi::OsStrExt;
    Some(OsStr::from_bytes(name.as_encoded_bytes().get(..len)?).to_os_string())
}

/// The first `len` bytes of a name, cut just before an ASCII '.'. Elsewhere than Unix,
/// names that are not Unicode are left alone rather than cut unsafely.
#[cfg(not(unix))]
fn prefix_of(name: &OsStr, len: usize) -> Option<OsString> {
    name.to_str()?.get(..len).map(OsString::from)
}

/// Carries out the steps: reads articles (with their sidecars) and scans folders.
fn execute(root: &Arc<Path>, steps: &[Step], reviewer: &str) -> Vec<Change> {
    let mut changes = Vec::new();
    // Each folder is listed once per batch, however many of its articles changed.
    let mut listings: HashMap<PathBuf, HashMap<OsString, Vec<(String, PathBuf)>>> = HashMap::new();
    for step in steps {
        match step {
            Step::Removed(rel) => changes.push(Change::Removed(rel.clone())),
            Step::Sidecar {
                article, reviewer, ..
            } => changes.push(Change::Sidecar {
                article: article.clone(),
                reviewer: reviewer.clone(),
            }),
            Step::Article(rel) => {
                let dir = rel.parent().unwrap_or(Path::new("")).to_path_buf();
                let listing = listings
                    .entry(dir)
                    .or_insert_with_key(|dir| sidecars_in(root, dir));
                let sidecars = rel
                    .file_name()
                    .and_then(|name| listing.get(name))
                    .map_or(&[][..], Vec::as_slice);
                changes.push(Change::Article(Entry::load(root, rel, sidecars, reviewer)));
            }
            Step::Folder(rel) => {
                changes.push(Change::Removed(rel.clone()));
                let mut found = Vec::new();
                // Problems (an unreadable sub-folder) are the initial load's to report;
                // a folder that vanished meanwhile is simply gone.
                let mut problems = Vec::new();
                let _ = scan_each(&root.join(rel), &mut problems, &mut |entry| {
                    found.push(entry);
                    true
                });
                changes.extend(found.into_iter().map(|entry| {
                    let full = rel.join(&entry.rel);
                    Change::Article(Entry::load(root, &full, &entry.sidecars, reviewer))
                }));
            }
        }
    }
    changes
}

/// Every sidecar in one folder, by article file name, as the scan pairs them (only
/// names are read, and file types, which the listing gives for free on most systems).
fn sidecars_in(root: &Path, dir_rel: &Path) -> HashMap<OsString, Vec<(String, PathBuf)>> {
    let dir = root.join(dir_rel);
    let mut by_article: HashMap<OsString, Vec<(String, PathBuf)>> = HashMap::new();
    let Ok(listing) = fs::read_dir(&dir) else {
        return by_article;
    };
    let mut articles = HashSet::new();
    let mut tomls = Vec::new();
    for item in listing.flatten() {
        let name = item.file_name();
        if name.as_encoded_bytes().starts_with(b".") || is_temporary(&name) {
            continue;
        }
        let (is_folder, is_file) = match item.file_type() {
            Ok(t) if t.is_symlink() => {
                fs::metadata(item.path()).map_or((false, true), |m| (m.is_dir(), m.is_file()))
            }
            Ok(t) => (t.is_dir(), t.is_file()),
            Err(_) => (true, false),
        };
        if is_folder {
            continue;
        }
        if has_extension(&name, b".toml") {
            if is_file {
                tomls.push(name);
            }
        } else if Format::from_path(Path::new(&name)).is_some() {
            articles.insert(name);
        }
    }
    for toml in tomls {
        if let Some((article, reviewer)) = sidecar_splits(&toml)
            .into_iter()
            .find(|(article, _)| articles.contains(article))
        {
            by_article
                .entry(article)
                .or_default()
                .push((reviewer, dir.join(&toml)));
        }
    }
    for sidecars in by_article.values_mut() {
        sidecars.sort();
    }
    by_article
}

/// Whether the folder is on a network file system, where the native watcher sees
/// only this machine's changes (see the module doc).
#[cfg(target_os = "linux")]
fn on_network_filesystem(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `c_path` is NUL-terminated and outlives the call; `stat` points to memory
    // of the right size and type for statfs to fill, and is read only when it succeeded.
    let stat = unsafe {
        if libc::statfs(c_path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return false;
        }
        stat.assume_init()
    };
    // The field's integer type differs between architectures; the magic numbers are
    // 32-bit, so truncating keeps them whole.
    #[allow(clippy::unnecessary_cast)]
    let magic = stat.f_type as u32;
    is_network_magic(magic)
}

/// Elsewhere there is no portable way to tell; native watching is tried, and polling
/// remains a choice the user can force.
#[cfg(not(target_os = "linux"))]
fn on_network_filesystem(_path: &Path) -> bool {
    false
}

/// The statfs magic numbers of network file systems (from `linux/magic.h` and the
/// file systems' sources).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn is_network_magic(magic: u32) -> bool {
    const NFS: u32 = 0x6969;
    const SMB: u32 = 0x517B;
    const CIFS: u32 = 0xFF53_4D42;
    const SMB2: u32 = 0xFE53_4D42;
    const FUSE: u32 = 0x6573_5546;
    const V9P: u32 = 0x0102_1997;
    [NFS, SMB, CIFS, SMB2, FUSE, V9P].contains(&magic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    /// Generous: polling sees a change within a second or two; a slow CI machine may
    /// take longer, and a deadline is only how long a failing test waits.
    const DEADLINE: Duration = Duration::from_secs(15);

    /// A temporary folder holding the inbox and, beside it, room to prepare folders
    /// that are then moved in.
    struct Fixture {
        dir: TempDir,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = TempDir::new().expect("temp dir");
            fs::create_dir(dir.path().join("inbox")).expect("create inbox");
            Fixture { dir }
        }

        fn inbox(&self) -> PathBuf {
            self.dir.path().join("inbox")
        }

        fn outside(&self) -> PathBuf {
            self.dir.path().join("outside")
        }

        fn write(&self, rel: &str, text: &str) {
            write(&self.inbox().join(rel), text);
        }

        /// Makes a file look written long ago, as an article that was there before
        /// the program started (the poller compares times to the second).
        fn age(&self, rel: &str) {
            self.set_modified(rel, SystemTime::now() - Duration::from_secs(3600));
        }

        fn set_modified(&self, rel: &str, time: SystemTime) {
            fs::File::options()
                .write(true)
                .open(self.inbox().join(rel))
                .expect("open to set its time")
                .set_modified(time)
                .expect("set modified time");
        }

        fn watch(&self, prefer: Prefer) -> Watch {
            let w = watch(&self.inbox(), "alice", prefer).expect("start watching");
            let expected = match prefer {
                Prefer::Poll => WatchKind::Polling,
                _ => WatchKind::Native,
            };
            assert_eq!(w.kind, expected);
            w
        }
    }

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folder");
        }
        fs::write(path, text).expect("write file");
    }

    /// Receives batches until `done` holds for everything received so far, or the
    /// deadline passes; returns every change received, batch by batch.
    fn receive_until(w: &Watch, done: impl Fn(&[Change]) -> bool) -> Vec<Vec<Change>> {
        let until = Instant::now() + DEADLINE;
        let mut batches: Vec<Vec<Change>> = Vec::new();
        loop {
            let all: Vec<&Change> = batches.iter().flatten().collect();
            let flat: Vec<Change> = all.iter().map(|c| clone_change(c)).collect();
            if done(&flat) {
                return batches;
            }
            let left = until.saturating_duration_since(Instant::now());
            match w.changes.recv_timeout(left) {
                Ok(batch) => batches.push(batch),
                Err(_) => panic!("gave up waiting; received {batches:#?}"),
            }
        }
    }

    fn clone_change(change: &Change) -> Change {
        match change {
            Change::Article(e) => Change::Article(e.clone()),
            Change::Removed(p) => Change::Removed(p.clone()),
            Change::Sidecar { article, reviewer } => Change::Sidecar {
                article: article.clone(),
                reviewer: reviewer.clone(),
            },
        }
    }

    fn article<'a>(changes: &'a [Change], rel: &str) -> Option<&'a Entry> {
        changes.iter().rev().find_map(|c| match c {
            Change::Article(e) if e.rel == Path::new(rel) => Some(e),
            _ => None,
        })
    }

    fn has_title(changes: &[Change], rel: &str, title: &str) -> bool {
        article(changes, rel).is_some_and(|e| e.title() == title)
    }

    fn removed(changes: &[Change], rel: &str) -> bool {
        changes
            .iter()
            .any(|c| matches!(c, Change::Removed(p) if p == Path::new(rel)))
    }

    fn flat(batches: Vec<Vec<Change>>) -> Vec<Change> {
        batches.into_iter().flatten().collect()
    }

    fn new_article_appears_loaded(prefer: Prefer) {
        let f = Fixture::new();
        let w = f.watch(prefer);
        f.write("world/new.txt", "A new article\n\nIt just arrived.\n");
        let changes = flat(receive_until(&w, |c| {
            has_title(c, "world/new.txt", "A new article")
        }));
        let entry = article(&changes, "world/new.txt").expect("loaded");
        assert!(entry.sha256.is_some());
        assert_eq!(entry.path(), f.inbox().join("world/new.txt"));
        // Our own reading of the article must not count as a change of it.
        match w.changes.recv_timeout(Duration::from_millis(1500)) {
            Err(RecvTimeoutError::Timeout) => {}
            other => panic!("reading the article caused another batch: {other:#?}"),
        }
    }

    fn rewritten_article_is_reloaded_with_its_sidecars(prefer: Prefer) {
        let f = Fixture::new();
        f.write("a.txt", "Old title\n\nbody\n");
        f.write("a.txt.bob.toml", "schema = 1\nstatus = \"done\"\n");
        f.age("a.txt");
        let w = f.watch(prefer);
        f.write("a.txt", "New title\n\nother body\n");
        let changes = flat(receive_until(&w, |c| has_title(c, "a.txt", "New title")));
        let entry = article(&changes, "a.txt").expect("loaded");
        let others: Vec<&str> = entry.others("alice").map(|(r, _)| r).collect();
        assert_eq!(others, ["bob"]);
    }

    /// The poller compares times to the second: a second write within the second of
    /// the first must still be seen (see the module doc). Both writes are given the
    /// same modification time, as two writes within one second get, so that the test
    /// does not depend on where the second boundary falls; the time is a minute ahead,
    /// as from a file server whose clock runs fast, so that a slow machine cannot
    /// outlast the re-check window either.
    fn article_rewritten_within_the_same_second_shows_its_last_version(prefer: Prefer) {
        let f = Fixture::new();
        let pinned = SystemTime::now() + Duration::from_secs(60);
        let w = f.watch(prefer);
        f.write("a.txt", "First draft\n");
        f.set_modified("a.txt", pinned);
        receive_until(&w, |c| has_title(c, "a.txt", "First draft"));
        f.write("a.txt", "Final\n");
        f.set_modified("a.txt", pinned);
        receive_until(&w, |c| has_title(c, "a.txt", "Final"));
    }

    fn deleted_article_is_removed(prefer: Prefer) {
        let f = Fixture::new();
        f.write("sub/a.txt", "A\n");
        f.write("sub/b.txt", "B\n");
        let w = f.watch(prefer);
        fs::remove_file(f.inbox().join("sub/a.txt")).expect("delete article");
        let changes = flat(receive_until(&w, |c| removed(c, "sub/a.txt")));
        assert!(!removed(&changes, "sub"), "{changes:#?}");
        assert!(article(&changes, "sub/b.txt").is_none(), "{changes:#?}");
    }

    fn other_reviewers_new_sidecar_is_reported(prefer: Prefer) {
        let f = Fixture::new();
        f.write("a.txt", "A\n");
        let w = f.watch(prefer);
        f.write("a.txt.bob.toml", "schema = 1\nstatus = \"done\"\n");
        receive_until(&w, |c| {
            c.iter().any(|c| {
                matches!(c, Change::Sidecar { article, reviewer }
                    if article == Path::new("a.txt") && reviewer == "bob")
            })
        });
    }

    fn folder_moved_in_brings_its_articles(prefer: Prefer) {
        let f = Fixture::new();
        let w = f.watch(prefer);
        write(&f.outside().join("batch/one.txt"), "First\n");
        write(&f.outside().join("batch/deep/two.txt"), "Second\n");
        write(&f.outside().join("batch/one.txt.bob.toml"), "schema = 1\n");
        fs::rename(f.outside().join("batch"), f.inbox().join("batch")).expect("move in");
        let changes = flat(receive_until(&w, |c| {
            has_title(c, "batch/one.txt", "First") && has_title(c, "batch/deep/two.txt", "Second")
        }));
        let one = article(&changes, "batch/one.txt").expect("loaded");
        let others: Vec<&str> = one.others("alice").map(|(r, _)| r).collect();
        assert_eq!(others.len(), 1);
        assert_eq!(others[0], "bob");
    }

    /// The native watch is one watch per folder: a folder there at the start and a
    /// folder made later are both watched, so an article written into either later
    /// still arrives (and not only through the new folder's first scan).
    fn articles_written_later_into_old_and_new_folders_arrive(prefer: Prefer) {
        let f = Fixture::new();
        f.write("old/deep/a.txt", "A\n\nBody.\n");
        f.age("old/deep/a.txt");
        let w = f.watch(prefer);
        fs::create_dir_all(f.inbox().join("new/inner")).expect("make folders");
        // The new folders are seen (a scan finding nothing) before anything is in them.
        std::thread::sleep(Duration::from_millis(1500));
        f.write("old/deep/b.txt", "B\n\nBody.\n");
        f.write("new/inner/c.txt", "C\n\nBody.\n");
        let arrived = |changes: &[Change], rel: &str| {
            changes
                .iter()
                .any(|c| matches!(c, Change::Article(e) if e.rel == Path::new(rel)))
        };
        receive_until(&w, |c| {
            arrived(c, "old/deep/b.txt") && arrived(c, "new/inner/c.txt")
        });
    }

    fn removed_folder_is_removed(prefer: Prefer) {
        let f = Fixture::new();
        f.write("gone/a.txt", "A\n");
        f.write("gone/deeper/b.txt", "B\n");
        f.write("moved/c.txt", "C\n");
        f.write("stays.txt", "S\n");
        let w = f.watch(prefer);
        fs::remove_dir_all(f.inbox().join("gone")).expect("remove folder");
        fs::create_dir(f.outside()).expect("create outside");
        fs::rename(f.inbox().join("moved"), f.outside().join("moved")).expect("move out");
        let changes = flat(receive_until(&w, |c| {
            removed(c, "gone") && removed(c, "moved")
        }));
        assert!(!removed(&changes, "stays.txt"), "{changes:#?}");
    }

    fn hidden_and_temporary_files_are_ignored(prefer: Prefer) {
        let f = Fixture::new();
        f.write("a.txt", "A\n");
        f.age("a.txt");
        let w = f.watch(prefer);
        for rel in [
            ".hidden.txt",
            LOCK_FILE_FOR_TESTS,
            ".a.txt.alice.toml.123.0.tmp",
            ".git/x.txt",
            "notes.txt~",
            "#draft.txt#",
            "b.txt.tmp",
            "c.txt.part",
            "d.txt.crdownload",
            "labels.toml",
            "sources.toml",
            "image.png",
        ] {
            f.write(rel, "ignored\n");
        }
        f.write("real.txt", "Real\n");
        let batches = receive_until(&w, |c| has_title(c, "real.txt", "Real"));
        for change in batches.iter().flatten() {
            assert!(
                matches!(change, Change::Article(e) if e.rel == Path::new("real.txt")),
                "unexpected {change:#?}"
            );
        }
    }

    const LOCK_FILE_FOR_TESTS: &str = crate::store::LOCK_FILE;

    /// Each behaviour, once with the native watcher and once polling.
    macro_rules! both {
        ($($name:ident),* $(,)?) => {
            mod native {
                $(#[test] fn $name() { super::$name(super::Prefer::Native) })*
            }
            mod polling {
                $(#[test] fn $name() { super::$name(super::Prefer::Poll) })*
            }
        };
    }

    both!(
        new_article_appears_loaded,
        rewritten_article_is_reloaded_with_its_sidecars,
        article_rewritten_within_the_same_second_shows_its_last_version,
        deleted_article_is_removed,
        other_reviewers_new_sidecar_is_reported,
        folder_moved_in_brings_its_articles,
        articles_written_later_into_old_and_new_folders_arrive,
        removed_folder_is_removed,
        hidden_and_temporary_files_are_ignored,
    );

    #[test]
    fn dropping_the_watch_disconnects_its_changes() {
        let f = Fixture::new();
        for prefer in [Prefer::Native, Prefer::Poll] {
            let Watch {
                changes, _watcher, ..
            } = f.watch(prefer);
            drop(_watcher);
            // The thread ends once the watcher has let go of its handler; any batch
            // already on its way may still arrive first.
            let until = Instant::now() + DEADLINE;
            loop {
                match changes.recv_timeout(until.saturating_duration_since(Instant::now())) {
                    Err(RecvTimeoutError::Disconnected) => break,
                    Ok(_) => continue,
                    Err(RecvTimeoutError::Timeout) => panic!("{prefer:?}: still connected"),
                }
            }
        }
    }

    #[test]
    fn missing_inbox_is_an_error_naming_it() {
        let f = Fixture::new();
        let missing = f.inbox().join("nope");
        let e = watch(&missing, "alice", Prefer::Auto).expect_err("no such folder");
        assert!(
            e.to_string()
                .starts_with(&format!("cannot watch the inbox {}: ", missing.display())),
            "{e}"
        );
        f.write("file.txt", "x");
        let e = watch(&f.inbox().join("file.txt"), "alice", Prefer::Poll).expect_err("a file");
        assert!(e.to_string().contains("file.txt"), "{e}");
    }

    #[test]
    fn sidecar_names_split_into_article_and_reviewer() {
        let splits = |name: &str| -> Vec<(String, String)> {
            sidecar_splits(OsStr::new(name))
                .into_iter()
                .map(|(a, r)| (a.to_string_lossy().into_owned(), r))
                .collect()
        };
        let pair = |a: &str, r: &str| (a.to_string(), r.to_string());
        assert_eq!(splits("a.txt.bob.toml"), [pair("a.txt", "bob")]);
        assert_eq!(splits("a.txt.BOB.TOML"), [pair("a.txt", "BOB")]);
        assert_eq!(splits("a.txt.bob.smith.toml"), [pair("a.txt", "bob.smith")]);
        assert_eq!(
            splits("a.txt.x.txt.carol.toml"),
            [pair("a.txt.x.txt", "carol"), pair("a.txt", "x.txt.carol")]
        );
        for not_a_sidecar in [
            "labels.toml",
            "sources.toml",
            "a.txt.toml",
            "a.txt..toml",
            "a.txt.bad name.toml",
            "a.png.bob.toml",
            "a.txt~.bob.toml",
            ".a.txt.bob.toml",
            "a.txt.bob.toml.tmp",
        ] {
            assert_eq!(splits(not_a_sidecar), [], "{not_a_sidecar}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn odd_names_do_not_panic() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"caf\xe9.txt.bob.toml");
        let splits = sidecar_splits(name);
        assert_eq!(splits.len(), 1);
        assert_eq!(splits[0].0.as_encoded_bytes(), b"caf\xe9.txt");
        assert_eq!(sidecar_splits(OsStr::from_bytes(b"a.txt.b\xffb.toml")), []);
        let f = Fixture::new();
        let odd = f.inbox().join(OsStr::from_bytes(b"\xff.txt"));
        fs::write(&odd, "x").expect("write odd name");
        let rel = PathBuf::from(OsStr::from_bytes(b"\xff.txt"));
        assert_eq!(
            classify(&f.inbox(), &rel, Hint::Structure),
            Some(Step::Article(rel.clone()))
        );
    }

    #[test]
    fn paths_outside_the_inbox_or_hidden_are_not_its_own() {
        let prefixes = [PathBuf::from("/in/box")];
        let rel = |p: &str| relative(&prefixes, Path::new(p));
        assert_eq!(rel("/in/box/a/b.txt"), Some(PathBuf::from("a/b.txt")));
        assert_eq!(rel("/in/box"), None);
        assert_eq!(rel("/in/boxes/a.txt"), None);
        assert_eq!(rel("/elsewhere/a.txt"), None);
        assert_eq!(rel("/in/box/.git/a.txt"), None);
        assert_eq!(rel("/in/box/a/.triage.lock"), None);
        assert_eq!(rel("/in/box/a/..x.txt.alice.toml.1.2.tmp"), None);
    }

    #[test]
    fn paths_are_classified_by_what_is_on_disk_now() {
        let f = Fixture::new();
        let root = f.inbox();
        for rel in [
            "a.txt",
            "a.txt.bob.toml",
            "a.txt.x.txt",
            "a.txt.x.txt.carol.toml",
            "labels.toml",
            "notes.txt~",
            "image.png",
            "old.part/d.txt",
        ] {
            f.write(rel, "x\n");
        }
        let classify = |rel: &str, hint| classify(&root, Path::new(rel), hint);
        fn p(s: &str) -> PathBuf {
            PathBuf::from(s)
        }
        let sidecar = |path: &str, article: &str, reviewer: &str| {
            Some(Step::Sidecar {
                path: p(path),
                article: p(article),
                reviewer: reviewer.to_string(),
            })
        };
        assert_eq!(
            classify("a.txt", Hint::Content),
            Some(Step::Article(p("a.txt")))
        );
        assert_eq!(
            classify("a.txt.bob.toml", Hint::Content),
            sidecar("a.txt.bob.toml", "a.txt", "bob")
        );
        assert_eq!(
            classify("a.txt.x.txt.carol.toml", Hint::Structure),
            sidecar("a.txt.x.txt.carol.toml", "a.txt.x.txt", "carol")
        );
        // A deleted sidecar is still a sidecar to re-read, found missing.
        assert_eq!(
            classify("gone.txt.dave.toml", Hint::Structure),
            sidecar("gone.txt.dave.toml", "gone.txt", "dave")
        );
        assert_eq!(
            classify("gone.txt", Hint::Structure),
            Some(Step::Removed(p("gone.txt")))
        );
        for ignored in ["labels.toml", "notes.txt~", "image.png"] {
            assert_eq!(classify(ignored, Hint::Structure), None, "{ignored}");
        }
        // A folder is not a temporary file, whatever its name; it is scanned when it
        // appears, not when a file inside it changes.
        assert_eq!(
            classify("old.part", Hint::Structure),
            Some(Step::Folder(p("old.part")))
        );
        assert_eq!(classify("old.part", Hint::Content), None);
    }

    #[test]
    fn a_folder_step_covers_the_paths_under_it() {
        let f = Fixture::new();
        f.write("new/a.txt", "A\n");
        f.write("new-b.txt", "B\n");
        let batch: BTreeMap<PathBuf, Hint> = [
            ("new/a.txt", Hint::Content),
            ("new", Hint::Structure),
            ("gone/x.txt", Hint::Structure),
            ("gone", Hint::Structure),
            ("new-b.txt", Hint::Content),
        ]
        .into_iter()
        .map(|(p, h)| (PathBuf::from(p), h))
        .collect();
        assert_eq!(
            plan(&f.inbox(), &batch),
            [
                Step::Removed(PathBuf::from("gone")),
                Step::Folder(PathBuf::from("new")),
                Step::Article(PathBuf::from("new-b.txt")),
            ]
        );
        let root: Arc<Path> = Arc::from(f.inbox().as_path());
        let changes = execute(&root, &plan(&f.inbox(), &batch), "alice");
        let shape: Vec<String> = changes
            .iter()
            .map(|c| match c {
                Change::Article(e) => format!("article {}", e.rel.display()),
                Change::Removed(p) => format!("removed {}", p.display()),
                Change::Sidecar { article, reviewer } => {
                    format!("sidecar {} {reviewer}", article.display())
                }
            })
            .collect();
        assert_eq!(
            shape,
            [
                "removed gone",
                "removed new",
                "article new/a.txt",
                "article new-b.txt"
            ]
        );
    }

    #[test]
    fn network_file_systems_are_recognised_by_their_magic() {
        for magic in [
            0x6969,
            0x517B,
            0xFF53_4D42,
            0xFE53_4D42,
            0x6573_5546,
            0x0102_1997,
        ] {
            assert!(is_network_magic(magic), "{magic:#x}");
        }
        // ext4, tmpfs, btrfs, overlayfs
        for magic in [0xEF53, 0x0102_1994, 0x9123_683E, 0x794C_7630] {
            assert!(!is_network_magic(magic), "{magic:#x}");
        }
    }
}
