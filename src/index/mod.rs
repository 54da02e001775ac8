//! The index: what parsing every article produced, kept between runs so that a start
//! on an inbox seen before reads no article, and bodies can stay out of memory.
//!
//! It is a cache, never the truth: decisions live only in sidecars, and deleting the
//! index loses nothing (the next start parses again). It lives under
//! `$XDG_CACHE_HOME/triage/` (else `~/.cache/triage/`), one folder per inbox named
//! after the inbox's canonical path ([`location`]), so it never lands in the team's
//! repository. The store is SQLite (BENCHMARKS.md, "Embedded stores for the index",
//! has the figures that chose it):
//!
//! - `articles`: one small row per file: its path relative to the inbox, the size,
//!   modification and change times (nanoseconds) and inode it had when read, when
//!   the row was written, the SHA-256 of the bytes, and the metadata of the parsed
//!   article (`codec`), or why it could not be read. A start compares each file's
//!   `stat` with its row ([`Cached::fresh`]); any difference means it is read again.
//! - `texts`: the body and footer paragraphs of each row, which the reader, the
//!   learner and search's body lines load one article at a time.
//! - `fts`: an FTS5 table with the trigram tokenizer over each body (paragraphs
//!   joined by a line break, which no search term holds, so no match spans two),
//!   contentless (`texts` has the text): a term of three characters or more is found
//!   in every body by a lookup rather than a scan.
//! - `kept`: state worked out from every article and kept whole, by name: the
//!   grouping of copies (`"groups"`, see [`crate::copies::kept`]), one blob that says
//!   itself which articles it was made from, read and written off the main thread.
//!
//! A changed file's row is deleted and a new one written, with a key never used
//! before (`AUTOINCREMENT`), so a process holding an old key finds nothing rather
//! than another version's text. A file read again with the very same bytes (same
//! SHA-256) keeps its row and key, only its `stat` and time written change: another
//! process that loaded the row a moment before (two starts racing on a fresh inbox)
//! goes on finding its body, rather than losing it from search and the reader.
//!
//! Several processes share the file (SQLite's write-ahead log: readers never wait,
//! writers take turns, waiting up to `BUSY`); an index that cannot be opened, is
//! damaged or is from another format is set aside and made again, and when even
//! that fails the program works without it ([`open`]).

mod codec;

use std::collections::HashMap;
use std::fs::{self, Metadata};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::article::{Article, Paragraphs};

/// The index's format. Bump it whenever the schema changes or a parser starts
/// producing something different from the same bytes: an index of another format is
/// made again, so what it holds is always what this version's parsers would produce.
/// 2: the `kept` table (the grouping of copies).
pub const FORMAT: i64 = 2;

/// The name under which the grouping of copies is kept (see [`Index::kept`]).
pub const GROUPS: &str = "groups";

/// How long a write waits for another process's write to finish.
const BUSY: Duration = Duration::from_secs(5);

/// A file whose modification time is this close to when its row was written may have
/// changed again within the file system's timestamp resolution without its `stat`
/// showing it (the "racy" case git knows): such a row is not trusted.
const RACY_NS: i64 = 2_000_000_000;

/// Rows by the bytes of their path (see [`Index::cached`]).
pub type RowMap = HashMap<Vec<u8>, Cached, rustc_hash::FxBuildHasher>;

/// What a file's `stat` said when it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stat {
    pub size: i64,
    pub mtime: i64,
    pub ctime: i64,
    pub ino: i64,
}

impl Stat {
    pub fn of(meta: &Metadata) -> Stat {
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Stat {
            size: meta.size() as i64,
            mtime: ns(meta.mtime(), meta.mtime_nsec()),
            ctime: ns(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino() as i64,
        }
    }
}

/// One file as the index last read it.
#[derive(Debug, Clone)]
pub struct Cached {
    /// The row's key: what [`Article::held`] holds and [`Index::texts`] takes.
    pub key: i64,
    pub stat: Stat,
    /// When the row was written (nanoseconds since the epoch).
    pub indexed: i64,
    pub sha256: Option<[u8; 32]>,
    /// The article's metadata as stored (see [`Cached::article`]), or why it could
    /// not be read.
    pub meta: Result<Meta, String>,
}

/// An article's metadata as the index stores it: decoded by the loader's threads
/// ([`Cached::article`]), not by the one that reads the rows.
#[derive(Debug, Clone)]
pub struct Meta(Vec<u8>);

impl Cached {
    /// The article without body and footer (its `held` set), or why it could not be
    /// read; `None` when the row is damaged (the file is then read again).
    pub fn article(&self) -> Option<Result<Article, String>> {
        match &self.meta {
            Ok(Meta(bytes)) => {
                let mut a = codec::decode_held(bytes)?;
                a.held = Some(self.key);
                Some(Ok(a))
            }
            Err(e) => Some(Err(e.clone())),
        }
    }
}

/// What a start from the index holds of `article` once its row is written under
/// `key` (as [`Cached::article`] gives it, its own region, theme and tag names left
/// out as the session leaves them once its suggested labels are worked out): for a
/// first start, which read every article whole, to let go of each body the index
/// now has (see [`crate::store::Cache::hold_bodies_once_written`]).
pub fn held_copy(article: &Article, key: i64) -> Article {
    Article {
        title: article.title.clone(),
        authors: article.authors.clone(),
        publisher: article.publisher.clone(),
        date: article.date.clone(),
        source: article.source.clone(),
        url: article.url.clone(),
        warnings: article.warnings.clone(),
        lossy: article.lossy,
        held: Some(key),
        ..Article::default()
    }
}

impl Cached {
    /// Whether the row still describes the file whose `stat` is `now`: same size,
    /// modification and change time and inode, and not written so soon after the
    /// file's last change that a later change could share its timestamp.
    pub fn fresh(&self, now: &Stat) -> bool {
        self.stat == *now && self.indexed.saturating_sub(self.stat.mtime) > RACY_NS
    }
}

/// What to write for one file.
pub struct Put<'a> {
    pub rel: &'a Path,
    pub stat: Stat,
    pub sha256: Option<[u8; 32]>,
    pub article: Result<&'a Article, &'a str>,
}

/// An open index.
pub struct Index {
    conn: Connection,
    path: PathBuf,
}

/// Where the index of `inbox` lives: `<cache>/triage/<name>-<hash>/index.sqlite`,
/// the hash of the inbox's canonical path telling two inboxes of one name apart.
pub fn location(inbox: &Path) -> Result<PathBuf, String> {
    let canonical = fs::canonicalize(inbox)
        .map_err(|e| format!("cannot resolve the inbox {}: {e}", inbox.display()))?;
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| Path::new(v).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .ok_or("neither XDG_CACHE_HOME nor HOME is set")?;
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(canonical.as_os_str().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let name: String = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    Ok(cache
        .join("triage")
        .join(format!("{name}-{}", &digest[..16]))
        .join("index.sqlite"))
}

/// Opens the index of `inbox`, making it when there is none and making it again when
/// the one there is damaged or of another format. `Ok` carries a sentence to show
/// when something was made again; `Err` says in one sentence why the program works
/// without an index this time (a read-only or full cache folder, no home…).
pub fn open(inbox: &Path) -> Result<(Index, Option<String>), String> {
    let path = location(inbox)?;
    open_at(&path)
}

/// [`open`] on a given file.
pub fn open_at(path: &Path) -> Result<(Index, Option<String>), String> {
    let without =
        |e: &dyn std::fmt::Display| format!("working without the index ({}): {e}", path.display());
    if let Some(folder) = path.parent() {
        create_private_dir(folder).map_err(|e| without(&e))?;
    }
    match Index::try_open(path) {
        Ok(index) => Ok((index, None)),
        Err(Problem::Other(e)) => Err(without(&e)),
        Err(problem) => {
            let why = match &problem {
                Problem::Format(found) => {
                    format!("it was made by another version (format {found})")
                }
                Problem::Damaged(e) => format!("it could not be read ({e})"),
                Problem::Other(_) => String::new(),
            };
            set_aside(path).map_err(|e| without(&e))?;
            let index = Index::try_open(path).map_err(|e| without(&e))?;
            Ok((
                index,
                Some(format!("the index {} is made again: {why}", path.display())),
            ))
        }
    }
}

/// Removes the index of `inbox` (and its journal files) so the next open makes it
/// again: `triage index --rebuild`.
pub fn remove(inbox: &Path) -> Result<PathBuf, String> {
    let path = location(inbox)?;
    set_aside(&path).map_err(|e| format!("cannot remove the index {}: {e}", path.display()))?;
    Ok(path)
}

/// Removes the index file `path` and its journals (the next open makes it anew).
pub fn set_aside(path: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

fn create_private_dir(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

/// Puts the index in write-ahead-log mode, which lets readers go on while a writer
/// writes. The mode is kept in the file, so only the first open of a new file has
/// anything to change; that change needs the file to itself, and SQLite answers
/// "database is locked" at once rather than waiting as it does for other locks.
/// So when several processes open a new index together, each one that finds the
/// file busy tries again every few milliseconds, for up to `BUSY` in all, and is
/// done as soon as one of them has made the change.
fn write_ahead(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        // A mode other than WAL given back (a file system without shared memory)
        // still works, with writers and readers taking turns.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(e) if !busy(&e) || started.elapsed() >= BUSY => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Whether an error is SQLite's "database is locked" (or busy).
fn busy(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode;
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Why an index could not be opened.
#[derive(Debug)]
enum Problem {
    /// Another format: make it again.
    Format(i64),
    /// Not a database, or a damaged one: make it again.
    Damaged(rusqlite::Error),
    /// Anything else (permissions, a full disk): work without it.
    Other(rusqlite::Error),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Format(n) => write!(f, "format {n}, this version reads {FORMAT}"),
            Problem::Damaged(e) | Problem::Other(e) => write!(f, "{e}"),
        }
    }
}

impl From<rusqlite::Error> for Problem {
    fn from(e: rusqlite::Error) -> Problem {
        if damaged(&e) {
            Problem::Damaged(e)
        } else {
            Problem::Other(e)
        }
    }
}

/// Whether an error says the file is not a (sound) database, or holds values this
/// version never writes (a damaged page can read as a row of the wrong types).
pub fn damaged(e: &rusqlite::Error) -> bool {
    use rusqlite::Error;
    use rusqlite::ffi::ErrorCode;
    matches!(
        e,
        Error::InvalidColumnType(..)
            | Error::FromSqlConversionFailure(..)
            | Error::IntegralValueOutOfRange(..)
    ) || matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS articles(
        key INTEGER PRIMARY KEY AUTOINCREMENT,
        rel BLOB NOT NULL UNIQUE,
        size INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL,
        ino INTEGER NOT NULL, indexed INTEGER NOT NULL,
        sha256 BLOB, meta BLOB, error TEXT);
    CREATE TABLE IF NOT EXISTS texts(
        key INTEGER PRIMARY KEY, body TEXT NOT NULL, body_ends BLOB NOT NULL,
        footer TEXT NOT NULL, footer_ends BLOB NOT NULL);
    CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
        body, content='', contentless_delete=1, tokenize='trigram');
    CREATE TABLE IF NOT EXISTS kept(name TEXT PRIMARY KEY, bytes BLOB NOT NULL);
";

impl Index {
    fn try_open(path: &Path) -> Result<Index, Problem> {
        Index::try_open_checking(path, true)
    }

    /// [`Index::try_open`]; with `check`, reading the rows' pages too, to find damage
    /// (3–4 ms at 100,000 rows; another connection to a file just opened skips it).
    fn try_open_checking(path: &Path, check: bool) -> Result<Index, Problem> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != 0 && version != FORMAT {
            return Err(Problem::Format(version));
        }
        write_ahead(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        if version == 0 {
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {FORMAT}; COMMIT;"
            ))?;
        }
        // A file cut short still opens; reading its first and last rows finds most
        // damage here rather than in the middle of a session.
        if check {
            conn.query_row("SELECT count(*) FROM articles", [], |_| Ok(()))?;
            conn.query_row("SELECT max(key) FROM texts", [], |_| Ok(()))?;
        }
        Ok(Index {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Settings for the connection that writes: a larger page cache (4 MiB), which
    /// the trigram index's merges read over and over, and no wait for the disk at
    /// each commit: the index is a cache, and a commit lost to a power cut is only
    /// articles read again. With 1,024 rows a transaction, filling 10,000 articles
    /// took 4.1 s instead of 5.2 s with SQLite's 2 MiB (64 MiB: 4.5 s). At 100,000,
    /// 4 MiB wrote as fast as 16 (47.7 against 50.2 s) and a first start, which
    /// writes while it holds every body, peaked 14 MiB lower (657 against 671 MiB).
    pub fn tune_for_writing(&self) {
        let _ = self.conn.pragma_update(None, "cache_size", -4 * 1024);
        let _ = self.conn.pragma_update(None, "synchronous", "OFF");
    }

    /// Another connection to an index [`open`] opened, for a thread of its own.
    pub fn reopen(path: &Path) -> Result<Index, String> {
        Index::try_open_checking(path, false).map_err(|e| e.to_string())
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every row, by path relative to the inbox (its bytes: hashing a `Path` walks
    /// its components, ten times slower at 100,000 rows). A start takes them as they
    /// arrive instead (`store::arriving`).
    #[cfg(test)]
    pub fn cached(&self) -> rusqlite::Result<RowMap> {
        self.cached_between(i64::MIN, i64::MAX)
    }

    /// The lowest and highest key and how many rows there are (`None`: no rows), to
    /// cut the keys into blocks for [`Index::rows_between`].
    pub fn key_range(&self) -> rusqlite::Result<Option<(i64, i64, i64)>> {
        // Three queries: each alone has SQLite's shortcut (the ends of the keys' tree,
        // its leaves counted without reading the rows); together they read every row.
        let one = |sql: &str| self.conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0));
        let low = one("SELECT min(key) FROM articles")?;
        let high = one("SELECT max(key) FROM articles")?;
        let count = one("SELECT count(*) FROM articles")?.unwrap_or(0);
        Ok(low.zip(high).map(|(low, high)| (low, high, count)))
    }

    #[cfg(test)]
    fn cached_between(&self, low: i64, high: i64) -> rusqlite::Result<RowMap> {
        let mut out = RowMap::default();
        out.extend(self.rows_between(low, high)?);
        Ok(out)
    }

    /// The rows whose key is in `low..=high`, in key order, with the bytes of their
    /// paths.
    pub fn rows_between(&self, low: i64, high: i64) -> rusqlite::Result<Vec<(Vec<u8>, Cached)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM articles WHERE key BETWEEN ?1 AND ?2 ORDER BY key"
        ))?;
        let mut rows = stmt.query([low, high])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push((row.get(1)?, cached_of(row)?));
        }
        Ok(out)
    }

    /// The row of one path: a file whose row is not close ahead of the walk among
    /// the rows arriving in key order (`store::arriving`).
    pub fn cached_one(&self, rel: &Path) -> rusqlite::Result<Option<Cached>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE rel = ?1"))?;
        stmt.query_row([rel.as_os_str().as_bytes()], cached_of)
            .optional()
    }

    /// Writes `items` in one transaction, replacing any row of the same path (keeping
    /// its key when the bytes and what they parse to are the same); the keys, in order.
    pub fn put(&mut self, items: &[Put]) -> rusqlite::Result<Vec<i64>> {
        let now = now_ns();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut keys = Vec::with_capacity(items.len());
        {
            let mut old =
                tx.prepare_cached("SELECT key, sha256, meta, error FROM articles WHERE rel = ?1")?;
            let mut restat = tx.prepare_cached(
                "UPDATE articles SET size = ?2, mtime = ?3, ctime = ?4, ino = ?5, indexed = ?6
                 WHERE key = ?1",
            )?;
            let mut forget = tx.prepare_cached("DELETE FROM articles WHERE key = ?1")?;
            let mut forget_text = tx.prepare_cached("DELETE FROM texts WHERE key = ?1")?;
            let mut forget_fts = tx.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?;
            let mut row = tx.prepare_cached(
                "INSERT INTO articles(rel, size, mtime, ctime, ino, indexed, sha256, meta, error)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut text = tx.prepare_cached(
                "INSERT INTO texts(key, body, body_ends, footer, footer_ends) VALUES(?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut fts = tx.prepare_cached("INSERT INTO fts(rowid, body) VALUES(?1, ?2)")?;
            let mut joined = String::new();
            for item in items {
                let rel = item.rel.as_os_str().as_bytes();
                let s = item.stat;
                let (meta, error) = match item.article {
                    Ok(a) => (Some(codec::encode(a)), None),
                    Err(e) => (None, Some(e)),
                };
                type Before = (i64, Option<Vec<u8>>, Option<Vec<u8>>, Option<String>);
                let before: Option<Before> = old
                    .query_row([rel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()?;
                if let Some((key, sha256, meta_before, error_before)) = before {
                    // The same bytes read into the same row (a damaged row is not).
                    let same = item
                        .sha256
                        .is_some_and(|new| sha256.as_deref() == Some(&new[..]))
                        && meta_before == meta
                        && error_before.as_deref() == error;
                    if same {
                        restat.execute(params![key, s.size, s.mtime, s.ctime, s.ino, now])?;
                        keys.push(key);
                        continue;
                    }
                    forget.execute([key])?;
                    forget_text.execute([key])?;
                    forget_fts.execute([key])?;
                }
                row.execute(params![
                    rel,
                    s.size,
                    s.mtime,
                    s.ctime,
                    s.ino,
                    now,
                    item.sha256.as_ref().map(|s| s.as_slice()),
                    meta,
                    error
                ])?;
                let key = tx.last_insert_rowid();
                keys.push(key);
                if let Ok(a) = item.article {
                    let (body, body_ends) = a.body.parts();
                    let (footer, footer_ends) = a.footer.parts();
                    text.execute(params![
                        key,
                        body,
                        codec::ends_to_bytes(body_ends),
                        footer,
                        codec::ends_to_bytes(footer_ends)
                    ])?;
                    joined.clear();
                    for (i, p) in a.body.iter().enumerate() {
                        if i > 0 {
                            joined.push('\n');
                        }
                        joined.push_str(p);
                    }
                    fts.execute(params![key, joined])?;
                }
            }
        }
        tx.commit()?;
        Ok(keys)
    }

    /// Drops the rows of files no longer in the inbox.
    pub fn remove(&mut self, rels: &[PathBuf]) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut old = tx.prepare_cached("SELECT key FROM articles WHERE rel = ?1")?;
            for rel in rels {
                let rel = rel.as_os_str().as_bytes();
                if let Some(key) = old.query_row([rel], |r| r.get::<_, i64>(0)).optional()? {
                    tx.execute("DELETE FROM articles WHERE key = ?1", [key])?;
                    tx.execute("DELETE FROM texts WHERE key = ?1", [key])?;
                    tx.execute("DELETE FROM fts WHERE rowid = ?1", [key])?;
                }
            }
        }
        tx.commit()
    }

    /// The row `key` whole: its metadata with the header fields, the body and the
    /// footer, which an article held in memory leaves out (see [`Cached::article`]
    /// and `app::forget_own_labels`).
    pub fn held_parts(&self, key: i64) -> Option<(Article, Paragraphs, Paragraphs)> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.body, t.body_ends, t.footer, t.footer_ends, a.meta
                 FROM texts t JOIN articles a ON a.key = t.key WHERE t.key = ?1",
            )
            .ok()?;
        stmt.query_row([key], |r| {
            let texts = texts_of(
                r.get(0)?,
                r.get_ref(1)?.as_blob()?,
                r.get(2)?,
                r.get_ref(3)?.as_blob()?,
            );
            let meta = codec::decode(r.get_ref(4)?.as_blob()?);
            Ok(meta
                .zip(texts)
                .map(|(meta, (body, footer))| (meta, body, footer)))
        })
        .ok()
        .flatten()
    }

    /// The body and footer of row `key`; `None` when the row is gone or damaged.
    pub fn texts(&self, key: i64) -> Option<(Paragraphs, Paragraphs)> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body, body_ends, footer, footer_ends FROM texts WHERE key = ?1")
            .ok()?;
        stmt.query_row([key], |r| {
            Ok(texts_of(
                r.get(0)?,
                r.get_ref(1)?.as_blob()?,
                r.get(2)?,
                r.get_ref(3)?.as_blob()?,
            ))
        })
        .ok()
        .flatten()
    }

    /// The keys of the rows whose body holds `term` (three characters or more,
    /// compared ignoring case), in increasing order.
    pub fn containing(&self, term: &str) -> rusqlite::Result<Vec<i64>> {
        // An FTS5 string: the term inside double quotes, a quote doubled.
        let quoted = format!("\"{}\"", term.replace('"', "\"\""));
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid")?;
        let keys = stmt.query_map([quoted], |r| r.get(0))?;
        keys.collect()
    }

    /// The keys of the rows whose body paragraphs `keep` accepts, reading every
    /// body: what search falls back on when a lookup fails (a damaged word index);
    /// `None` once `cancelled`.
    pub fn scan(
        &self,
        keep: &dyn Fn(&Paragraphs) -> bool,
        cancelled: &dyn Fn() -> bool,
    ) -> rusqlite::Result<Option<Vec<i64>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, body, body_ends FROM texts ORDER BY key")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut seen = 0usize;
        while let Some(row) = rows.next()? {
            seen += 1;
            if seen.is_multiple_of(256) && cancelled() {
                return Ok(None);
            }
            let body: String = row.get(1)?;
            let Some(ends) = codec::ends_from_bytes(row.get_ref(2)?.as_blob()?) else {
                continue;
            };
            if let Some(body) = Paragraphs::from_parts(body, ends)
                && keep(&body)
            {
                out.push(row.get(0)?);
            }
        }
        Ok(Some(out))
    }

    /// The bytes kept under `name` ([`Index::keep`]) as a reader, read a piece at a
    /// time straight from the file (a 15 MB grouping is never held whole beside what
    /// it decodes to), with their length; `None` when there are none or they cannot
    /// be read. What they say is for their owner to check: they come from a file.
    pub fn kept(&self, name: &str) -> Option<(rusqlite::blob::Blob<'_>, usize)> {
        let (rowid, len): (i64, i64) = self
            .conn
            .query_row(
                "SELECT rowid, length(bytes) FROM kept WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ok()
            .flatten()?;
        let blob = self
            .conn
            .blob_open(rusqlite::MAIN_DB, "kept", "bytes", rowid, true)
            .ok()?;
        Some((blob, usize::try_from(len).ok()?))
    }

    /// Keeps `len` bytes under `name`, written by `write` a piece at a time into
    /// their place in the file, replacing what was there, in one transaction: two
    /// processes keeping at once leave one's bytes whole, never a mix, and bytes
    /// `write` could not finish are never kept.
    pub fn keep(
        &self,
        name: &str,
        len: usize,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<usize>,
    ) -> rusqlite::Result<()> {
        let failed = |e: std::io::Error| rusqlite::Error::ToSqlConversionFailure(Box::new(e));
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO kept(name, bytes) VALUES(?1, zeroblob(?2))",
            params![name, i64::try_from(len).unwrap_or(i64::MAX)],
        )?;
        let rowid = tx.last_insert_rowid();
        {
            let mut blob = tx.blob_open(rusqlite::MAIN_DB, "kept", "bytes", rowid, false)?;
            let wrote = write(&mut blob).map_err(failed)?;
            if wrote != len {
                return Err(failed(std::io::Error::other(
                    "the bytes kept changed length",
                )));
            }
        }
        tx.commit()
    }

    /// How many rows and bodies the index holds.
    pub fn count(&self) -> rusqlite::Result<(i64, i64)> {
        self.conn.query_row(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM texts)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }
}

/// The columns [`cached_of`] reads, in its order.
const COLUMNS: &str = "key, rel, size, mtime, ctime, ino, indexed, sha256, meta, error";

fn cached_of(row: &rusqlite::Row) -> rusqlite::Result<Cached> {
    let sha256 = row
        .get_ref(7)?
        .as_blob_or_null()?
        .and_then(|b| <[u8; 32]>::try_from(b).ok());
    let meta = match row.get_ref(8)?.as_blob_or_null()? {
        Some(bytes) => Ok(Meta(bytes.to_vec())),
        None => Err(row.get::<_, Option<String>>(9)?.unwrap_or_default()),
    };
    Ok(Cached {
        key: row.get(0)?,
        stat: Stat {
            size: row.get(2)?,
            mtime: row.get(3)?,
            ctime: row.get(4)?,
            ino: row.get(5)?,
        },
        indexed: row.get(6)?,
        sha256,
        meta,
    })
}

fn texts_of(
    body: String,
    body_ends: &[u8],
    footer: String,
    footer_ends: &[u8],
) -> Option<(Paragraphs, Paragraphs)> {
    Some((
        Paragraphs::from_parts(body, codec::ends_from_bytes(body_ends)?)?,
        Paragraphs::from_parts(footer, codec::ends_from_bytes(footer_ends)?)?,
    ))
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// An index shared by the threads of one process that read it (the reader, the
/// learner, search): one connection behind a lock, since a connection is not `Sync`.
pub struct Shared(Mutex<Index>);

impl Shared {
    pub fn new(index: Index) -> Shared {
        Shared(Mutex::new(index))
    }

    pub fn with<T>(&self, f: impl FnOnce(&Index) -> T) -> Option<T> {
        self.0.lock().ok().map(|index| f(&index))
    }

    /// `article` whole: itself when it holds its body, else with the body and footer
    /// its index row keeps; `None` when the row is gone.
    pub fn whole(&self, article: &std::sync::Arc<Article>) -> Option<std::sync::Arc<Article>> {
        let Some(key) = article.held else {
            return Some(std::sync::Arc::clone(article));
        };
        // The row's metadata whole: what the article held in memory left out too.
        let (mut whole, body, footer) = self.with(|i| i.held_parts(key))??;
        whole.body = body;
        whole.footer = footer;
        whole.held = None;
        Some(std::sync::Arc::new(whole))
    }
}

impl crate::search::BodyIndex for Shared {
    fn containing(&self, term: &str) -> Option<Vec<i64>> {
        self.with(|i| i.containing(term).ok())?
    }

    fn scan(
        &self,
        keep: &dyn Fn(&Paragraphs) -> bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Vec<i64>> {
        self.with(|i| i.scan(keep, cancelled).ok().flatten())?
    }

    fn body(&self, key: i64) -> Option<Paragraphs> {
        self.with(|i| i.texts(key).map(|(body, _)| body))?
    }
}

#[cfg(test)]
mod tests;
