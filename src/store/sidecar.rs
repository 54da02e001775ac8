//! Sidecars: one reviewer's decision about one article, as a TOML file beside it.
//!
//! The format is a contract with users, scripts and git diffs, so one function renders
//! it ([`render_sidecar`]) and one function writes it ([`write_edits`]): the TUI and
//! `triage label` produce the same bytes for the same decision. Writes are atomic
//! (temporary file, fsync, rename, fsync of the folder), serialized by a lock file that
//! is never renamed, and re-read the sidecar under that lock so that two sessions of the
//! same reviewer lose nothing. Only a change to the decision is written, so a sidecar
//! changes only when a decision does. A sidecar that does not parse, or whose write
//! permission was taken away, is never overwritten.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
#[cfg(any(test, feature = "testing"))]
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use toml::value::{Date, Datetime, Offset, Time};
use toml::{Table, Value};

use crate::domain::{Decision, Edit, LabelId, Status};
/// The reviewer name rules live with [`crate::domain::ReviewerName`]; re-exported
/// because the scan, the watcher and the writer check names they meet on disk.
pub use crate::domain::{MAX_REVIEWER, reviewer_problem, valid_reviewer};
use crate::labels::line_of;

/// The lock file each write holds, one per folder. It is never renamed or removed,
/// so every writer locks the same inode (locking the sidecar itself would not work:
/// the rename replaces it). The leading dot keeps it out of the inbox scan.
pub const LOCK_FILE: &str = ".triage.lock";

/// The schema this version writes and the newest it reads.
const SCHEMA: i64 = 1;

/// The first line of every sidecar, for whoever opens one in an editor.
const HEADER: &str = "# triage decision — edit with care; unknown keys are kept\n";

/// Keys this version knows, in the order it writes them.
const KNOWN_KEYS: [&str; 11] = [
    "schema",
    "article",
    "reviewer",
    "article_sha256",
    "status",
    "region",
    "theme",
    "reliability",
    "note",
    "decided_at",
    "seconds",
];

/// A sidecar as read from or written to disk: the decision plus what identifies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sidecar {
    /// The format's version, so that an older triage refuses rather than misreads.
    pub schema: i64,
    /// The article's file name, without its folder, so the pair can be moved together.
    pub article: String,
    pub reviewer: String,
    /// The article's bytes when the decision was made, to show when it changed since.
    pub article_sha256: Option<String>,
    pub decision: Decision,
    /// When the decision last changed, in UTC to the second: for exports and for the
    /// reviewer's record. Writes that change no decision do not happen, so do not move it.
    pub decided_at: Option<Datetime>,
    /// Keys this version does not know (written by a newer triage or by hand), kept in
    /// their order on rewrite so that nothing a user or tool added is lost.
    pub extra: Table,
}

impl Sidecar {
    /// The sidecar of an article nobody has decided on yet.
    fn fresh(article: String, reviewer: String) -> Sidecar {
        Sidecar {
            schema: SCHEMA,
            article,
            reviewer,
            article_sha256: None,
            decision: Decision::default(),
            decided_at: None,
            extra: Table::new(),
        }
    }
}

/// When and against which bytes a write is made. It is passed in rather than read
/// inside [`write_edits`] so that tests, and the test that `triage label` and the TUI
/// write identical bytes, control the clock.
#[derive(Debug, Clone)]
pub struct WriteContext {
    pub now: Datetime,
    pub article_sha256: String,
    /// Failures to inject (tests only; the default injects none).
    pub faults: Faults,
}

/// The seam through which tests make the disk fail the way real disks do (full,
/// read-only, gone), at the worst moment: after part of the new sidecar has been
/// written to its temporary file. The real program never sets it, and is built
/// without it: outside builds for tests (`cfg(test)`, or the `testing` feature that
/// `cargo test` turns on) it holds nothing and [`Faults::default`] is all there is.
#[derive(Clone, Default)]
pub struct Faults(#[cfg(any(test, feature = "testing"))] Option<Arc<FaultFn>>);

/// Given the sidecar about to be written, the error the disk should give, if any.
#[cfg(any(test, feature = "testing"))]
pub type FaultFn = dyn Fn(&Path) -> Option<std::io::Error> + Send + Sync;

impl Faults {
    #[cfg(any(test, feature = "testing"))]
    pub fn new(fault: impl Fn(&Path) -> Option<std::io::Error> + Send + Sync + 'static) -> Faults {
        Faults(Some(Arc::new(fault)))
    }

    /// Whether a failure may be injected.
    fn is_set(&self) -> bool {
        #[cfg(any(test, feature = "testing"))]
        return self.0.is_some();
        #[cfg(not(any(test, feature = "testing")))]
        false
    }

    fn check(&self, _path: &Path) -> std::io::Result<()> {
        #[cfg(any(test, feature = "testing"))]
        if let Some(e) = self.0.as_ref().and_then(|f| f(_path)) {
            return Err(e);
        }
        Ok(())
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_set() {
            "Faults(set)"
        } else {
            "Faults(none)"
        })
    }
}

impl WriteContext {
    /// A context stamped with the current time, to the second, in UTC.
    pub fn now(article_sha256: String) -> WriteContext {
        // humantime panics on times before 1970; a clock that wrong writes the epoch.
        let now = SystemTime::now().max(UNIX_EPOCH);
        let now = humantime::format_rfc3339_seconds(now)
            .to_string()
            .parse()
            .unwrap_or(EPOCH);
        WriteContext {
            now,
            article_sha256,
            faults: Faults::default(),
        }
    }
}

const EPOCH: Datetime = Datetime {
    date: Some(Date {
        year: 1970,
        month: 1,
        day: 1,
    }),
    time: Some(Time {
        hour: 0,
        minute: 0,
        second: 0,
        nanosecond: 0,
    }),
    offset: Some(Offset::Z),
};

/// Why a sidecar could not be read or written. Every message is one sentence naming
/// the file, because it is shown on the article's row or printed by the CLI as is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The disk refused; `op` says what was being done (`read`, `lock`, `write`, …).
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A sidecar that does not parse. It is never overwritten: it may hold a decision
    /// typed by hand that a rewrite would destroy. `problem` is what [`parse_sidecar`]
    /// said (`line 3: expected a string for `reliability``).
    #[error("{}", broken_message(path, problem))]
    Broken { path: PathBuf, problem: String },
    /// A sidecar whose owner took away its write permission (mode 0444, say). The
    /// rename of a write would replace it all the same (it needs only the folder to
    /// be writable) and leave a writable file, so the store refuses instead: whoever
    /// made it read-only decides when it changes.
    #[error("{} is read-only; not replacing it", path.display())]
    ReadOnly { path: PathBuf },
    /// Reviewer names become part of file names, so they are kept to a safe alphabet.
    #[error(
        "reviewer name {0:?} may only use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')"
    )]
    BadReviewer(String),
}

/// `inbox/a.txt.alice.toml:3: expected …; it will not be overwritten`.
fn broken_message(path: &Path, problem: &str) -> String {
    let located = problem.strip_prefix("line ").and_then(|rest| {
        let (line, message) = rest.split_once(": ")?;
        line.parse::<usize>().ok().map(|line| (line, message))
    });
    match located {
        Some((line, message)) => format!(
            "{}:{line}: {message}; it will not be overwritten",
            path.display()
        ),
        None => format!("{}: {problem}; it will not be overwritten", path.display()),
    }
}

/// `<article path>.<reviewer>.toml`: beside the article, so the two move together.
pub fn sidecar_path(article: &Path, reviewer: &str) -> PathBuf {
    let mut name = OsString::from(article.as_os_str());
    name.push(".");
    name.push(reviewer);
    name.push(".toml");
    PathBuf::from(name)
}

/// The hex SHA-256 of an article's bytes, as stored in `article_sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256_digest(bytes))
}

/// The SHA-256 of `bytes`, kept as 32 bytes where it is held for every article.
pub fn sha256_digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex of a digest, as sidecars write it.
pub fn hex(digest: &[u8; 32]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Reads a sidecar's text. Unknown keys are kept in `extra`; a known key of the wrong
/// type, an unknown status or a newer schema is refused, so that nothing this version
/// misunderstands is ever rewritten. The error is one sentence, starting with
/// `line N: ` when the line is known.
pub fn parse_sidecar(text: &str) -> Result<Sidecar, String> {
    let mut table: Table = text.parse().map_err(|e: toml::de::Error| {
        let message = one_line(e.message());
        match e.span() {
            Some(span) => format!("line {}: {message}", line_of(text, span.start)),
            None => message,
        }
    })?;
    let wrong = |key: &str, expected: &str| -> String {
        let message = format!("expected {expected} for `{key}`");
        match key_line(text, key) {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        }
    };
    let string = |table: &mut Table, key: &str| -> Result<Option<String>, String> {
        match table.remove(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong(key, "a string")),
        }
    };
    let list = |table: &mut Table, key: &str| -> Result<Vec<String>, String> {
        match table.remove(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(wrong(key, "a list of label ids (strings)")),
                })
                .collect(),
            Some(_) => Err(wrong(key, "a list of label ids (strings)")),
        }
    };

    let schema = match table.remove("schema") {
        None => SCHEMA,
        Some(Value::Integer(n)) if n > SCHEMA => {
            return Err(with_line(
                key_line(text, "schema"),
                format!(
                    "schema {n} was written by a newer triage; this version reads schema {SCHEMA}"
                ),
            ));
        }
        Some(Value::Integer(n)) if n < 1 => {
            return Err(with_line(
                key_line(text, "schema"),
                format!("schema {n} is not a schema triage knows"),
            ));
        }
        Some(Value::Integer(n)) => n,
        Some(_) => return Err(wrong("schema", "a whole number")),
    };
    let article = string(&mut table, "article")?.unwrap_or_default();
    let reviewer = string(&mut table, "reviewer")?.unwrap_or_default();
    let article_sha256 = string(&mut table, "article_sha256")?;
    let status = match string(&mut table, "status")? {
        None => Status::Todo,
        Some(s) => Status::parse(&s).ok_or_else(|| {
            with_line(
                key_line(text, "status"),
                format!(
                    "unknown status {} (expected \"todo\", \"done\", \"skipped\" or \"flagged\")",
                    crate::sanitize::quote(&s)
                ),
            )
        })?,
    };
    let region = list(&mut table, "region")?;
    let theme = list(&mut table, "theme")?;
    let reliability = string(&mut table, "reliability")?;
    let note = string(&mut table, "note")?;
    let decided_at = match table.remove("decided_at") {
        None => None,
        Some(Value::Datetime(d)) => Some(d),
        Some(_) => return Err(wrong("decided_at", "a date and time")),
    };
    let seconds = match table.remove("seconds") {
        None => 0.0,
        Some(Value::Float(s)) => s,
        // Hand-edited files may well say `seconds = 14`.
        Some(Value::Integer(s)) => s as f64,
        Some(_) => return Err(wrong("seconds", "a number")),
    };
    Ok(Sidecar {
        schema,
        article,
        reviewer,
        article_sha256,
        decision: Decision {
            status,
            region: region.into_iter().map(LabelId::from).collect(),
            theme: theme.into_iter().map(LabelId::from).collect(),
            reliability: reliability.map(LabelId::from),
            note,
            seconds,
        },
        decided_at,
        extra: table,
    })
}

/// The sidecar's text: the header comment, the known keys in the documented order
/// (absent optional ones omitted), then the unknown keys in their original order.
/// It is the only producer of sidecar text, so equal sidecars are equal bytes.
pub fn render_sidecar(sidecar: &Sidecar) -> String {
    let d = &sidecar.decision;
    let strings = |ids: &[LabelId]| {
        Value::Array(ids.iter().map(|id| Value::String(id.to_string())).collect())
    };
    let mut table = Table::new();
    table.insert("schema".into(), Value::Integer(sidecar.schema));
    table.insert("article".into(), Value::String(sidecar.article.clone()));
    table.insert("reviewer".into(), Value::String(sidecar.reviewer.clone()));
    if let Some(sha) = &sidecar.article_sha256 {
        table.insert("article_sha256".into(), Value::String(sha.clone()));
    }
    table.insert("status".into(), Value::String(d.status.as_str().into()));
    table.insert("region".into(), strings(&d.region));
    table.insert("theme".into(), strings(&d.theme));
    if let Some(reliability) = &d.reliability {
        table.insert("reliability".into(), Value::String(reliability.to_string()));
    }
    if let Some(note) = &d.note {
        table.insert("note".into(), Value::String(note.clone()));
    }
    if let Some(at) = sidecar.decided_at {
        table.insert("decided_at".into(), Value::Datetime(at));
    }
    table.insert(
        "seconds".into(),
        Value::Float((d.seconds * 10.0).round() / 10.0),
    );
    for (key, value) in &sidecar.extra {
        // A known key smuggled into `extra` must not override or duplicate the real one.
        if !KNOWN_KEYS.contains(&key.as_str()) {
            table.insert(key.clone(), value.clone());
        }
    }
    // The serializer puts tables after plain values, as TOML requires.
    match toml::to_string(&table) {
        Ok(body) => format!("{HEADER}{body}"),
        // A table of `toml::Value`s has string keys and TOML-representable values only.
        Err(e) => unreachable!("a toml::Table always serializes: {e}"),
    }
}

/// Reads and parses a sidecar; `Ok(None)` when there is none, which means "todo".
pub fn read_sidecar(path: &Path) -> Result<Option<Sidecar>, StoreError> {
    let bytes = match super::boundary::read_sidecar_file(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // An article whose name is near the file system's limit cannot have a sidecar
        // at all: it has none, and a write says why.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidFilename => return Ok(None),
        // A folder, pipe or device with a sidecar's name, or a link out of its folder,
        // holds no decision that can be read and must not pass for a missing one: it
        // is shown as broken, and never written over.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::InvalidInput
                    | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            return Err(StoreError::Broken {
                path: path.to_path_buf(),
                problem: e.to_string(),
            });
        }
        Err(source) => {
            return Err(StoreError::Io {
                op: "read",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let broken = |problem: String| StoreError::Broken {
        path: path.to_path_buf(),
        problem,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = line_of(e.as_bytes(), at);
        broken(format!("line {line}: the file is not UTF-8 text"))
    })?;
    parse_sidecar(&text).map(Some).map_err(broken)
}

/// Applies `edits` to the reviewer's sidecar of `article` and writes it, atomically.
///
/// This is the one way a decision reaches the disk: the TUI and `triage label` both
/// call it. Under an exclusive lock on the folder's [`LOCK_FILE`] it re-reads the
/// sidecar and applies only these edits, so a second session's changes to other
/// fields survive. Edits that leave the decision as it was (time spent alone, or
/// setting what is already set) write nothing and return the sidecar as it is,
/// unless the article's bytes changed since the decision: setting it again then
/// confirms it for the new text and records the new hash. A
/// broken sidecar is returned as [`StoreError::Broken`], a read-only one as
/// [`StoreError::ReadOnly`], and either is left exactly as it is.
pub fn write_edits(
    article: &Path,
    reviewer: &str,
    edits: &[Edit],
    ctx: &WriteContext,
) -> Result<Sidecar, StoreError> {
    if !valid_reviewer(reviewer) {
        return Err(StoreError::BadReviewer(reviewer.to_string()));
    }
    let Some(file_name) = article.file_name() else {
        return Err(StoreError::Io {
            op: "write a sidecar for",
            path: article.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path does not name a file",
            ),
        });
    };
    let folder = match article.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };

    let lock = lock_folder(folder)?;

    let path = sidecar_path(article, reviewer);
    let existing = read_sidecar(&path)?;
    let mut sidecar = existing.clone().unwrap_or_else(|| {
        Sidecar::fresh(
            file_name.to_string_lossy().into_owned(),
            reviewer.to_string(),
        )
    });
    for edit in edits {
        sidecar.decision.apply(edit);
    }
    if let Some(before) = existing {
        // Edits that change no decision (setting what is already set, or time spent
        // alone) leave the file byte for byte as it is: `decided_at` is when the
        // decision last changed, and git shows only changes somebody made. The one
        // exception is a decision made again after the article's bytes changed: that
        // re-decides it for the new text, so it is stamped with the new hash.
        let restamp = before
            .article_sha256
            .as_deref()
            .is_some_and(|sha| sha != ctx.article_sha256)
            && edits.iter().any(|e| !matches!(e, Edit::AddSeconds(_)));
        if !restamp && before.decision.same_choices(&sidecar.decision) {
            return Ok(before);
        }
        if read_only(&path) {
            return Err(StoreError::ReadOnly { path });
        }
    }
    // The sidecar describes the file it sits beside, whatever an older copy said.
    sidecar.article = file_name.to_string_lossy().into_owned();
    sidecar.reviewer = reviewer.to_string();
    sidecar.article_sha256 = Some(ctx.article_sha256.clone());
    sidecar.decided_at = Some(ctx.now);

    write_with(
        folder,
        &path,
        render_sidecar(&sidecar).as_bytes(),
        &ctx.faults,
    )?;
    drop(lock);
    Ok(sidecar)
}

/// Whether a file has no write permission for anyone. The mode bits are what count,
/// not whether this process may write it: the superuser may write anything, and a
/// rename needs only the folder, yet a file marked read-only was marked so on purpose.
#[cfg(unix)]
fn read_only(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o222 == 0)
}

#[cfg(not(unix))]
fn read_only(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}

/// Takes the folder's exclusive write lock, held until the returned file is dropped.
/// Everything that writes into an inbox folder, and the clean-up of what a crashed
/// write left there, holds it, so a temporary file is only ever seen half-made by
/// its own writer. The options never truncate, so every holder locks the same inode.
///
/// The lock file is in the inbox, so it is untrusted like the rest: a `.triage.lock`
/// planted as a symbolic link would otherwise make triage create a file wherever it
/// leads. It is opened without following links, without blocking, and used only when
/// the open file is a regular file; anything else refuses the write with a sentence.
pub fn lock_folder(folder: &Path) -> Result<File, StoreError> {
    let lock_path = folder.join(LOCK_FILE);
    let io = |op: &'static str| {
        let path = lock_path.clone();
        move |source| StoreError::Io { op, path, source }
    };
    let refuse = |what: &str| StoreError::Io {
        op: "use the lock file",
        path: lock_path.clone(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "it is {what}, not a regular file, so nothing is written in this folder until it is removed"
            ),
        ),
    };
    // Not even opened when it is a device or a pipe: opening one can have effects.
    match fs::symlink_metadata(&lock_path) {
        Ok(meta) if !meta.is_file() => {
            return Err(refuse(crate::files::describe(&meta.file_type())));
        }
        _ => {}
    }
    let lock = open_lock(&lock_path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            refuse("a symbolic link")
        } else {
            io("open")(e)
        }
    })?;
    let meta = lock.metadata().map_err(io("open"))?;
    if !meta.is_file() {
        return Err(refuse(crate::files::describe(&meta.file_type())));
    }
    lock.lock().map_err(io("lock"))?;
    Ok(lock)
}

/// Opens (creating) the lock file without following a symbolic link and without
/// blocking; `O_NOFOLLOW` also stops `O_CREAT` from creating a dangling link's target.
fn open_lock(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

/// Distinguishes temporary files of concurrent writes within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` so that a crash leaves the old file or the new one, never
/// a torn one: a temporary dotfile in the same folder (so the rename cannot cross file
/// systems, and the scan ignores it), fsync, rename, fsync of the folder.
pub fn write_atomically(folder: &Path, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_with(folder, path, bytes, &Faults::default())
}

/// [`write_atomically`] with injected failures, which strike halfway through the
/// temporary file, so tests see that a half-written file never replaces a sidecar.
fn write_with(folder: &Path, path: &Path, bytes: &[u8], faults: &Faults) -> Result<(), StoreError> {
    let name = path.file_name().unwrap_or(path.as_os_str());
    let (temp_path, mut temp) = loop {
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".{}.{}.tmp",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let temp_path = folder.join(temp_name);
        // `create_new` is O_EXCL: a name already taken, by a planted symbolic link too,
        // is never opened, let alone followed; the next number is tried instead.
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => break (temp_path, file),
            // Left over by a crashed process that had our pid: take the next number.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(StoreError::Io {
                    op: "write",
                    path: temp_path,
                    source,
                });
            }
        }
    };
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    let written = temp
        .write_all(first)
        .and_then(|()| faults.check(path))
        .and_then(|()| temp.write_all(rest))
        .and_then(|()| temp.sync_all())
        .map_err(|source| StoreError::Io {
            op: "write",
            path: temp_path.clone(),
            source,
        })
        .and_then(|()| {
            drop(temp);
            fs::rename(&temp_path, path).map_err(|source| StoreError::Io {
                op: "write",
                path: path.to_path_buf(),
                source,
            })
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&temp_path);
        return Err(e);
    }
    sync_folder(folder)
}

/// Makes the rename itself durable. Only Unix lets a folder be opened and synced.
#[cfg(unix)]
fn sync_folder(folder: &Path) -> Result<(), StoreError> {
    File::open(folder)
        .and_then(|dir| dir.sync_all())
        .map_err(|source| StoreError::Io {
            op: "sync",
            path: folder.to_path_buf(),
            source,
        })
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> Result<(), StoreError> {
    Ok(())
}

fn with_line(line: Option<usize>, message: String) -> String {
    match line {
        Some(line) => format!("line {line}: {message}"),
        None => message,
    }
}

/// The line of a top-level key, for messages about its value.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let document = toml::de::DeTable::parse(text).ok()?;
    document
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(k, _)| line_of(text, k.span().start))
}

/// The parser's messages span lines; ours are one sentence.
fn one_line(message: &str) -> String {
    // The parser's message may quote the file (a key, a value): its escape sequences
    // go before the message is cut into lines, so no cut shows a payload.
    crate::sanitize::strip_sequences(message)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Axis;
    use proptest::prelude::*;
    use tempfile::TempDir;

    fn at(text: &str) -> Datetime {
        text.parse().expect("test datetime parses")
    }

    fn ctx(sha: &str) -> WriteContext {
        WriteContext {
            now: at("2026-11-24T20:01:02Z"),
            article_sha256: sha.to_string(),
            faults: Faults::default(),
        }
    }

    /// An inbox folder with one article in it.
    fn inbox() -> (TempDir, PathBuf) {
        let dir = TempDir::new().expect("temp dir");
        let article = dir.path().join("000_466bdefa64880cc0.txt");
        fs::write(&article, "Title\n\nBody.\n").expect("write article");
        (dir, article)
    }

    /// Names in a folder other than the article, its sidecar and the lock file.
    fn leftovers(dir: &Path, article: &Path, reviewer: &str) -> Vec<String> {
        let keep = [
            article.to_path_buf(),
            sidecar_path(article, reviewer),
            dir.join(LOCK_FILE),
        ];
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| !keep.contains(p))
            .map(|p| p.display().to_string())
            .collect();
        names.sort();
        names
    }

    const PRODUCT_EXAMPLE: &str = "# triage decision — edit with care; unknown keys are kept
schema = 1
article = \"000_466bdefa64880cc0.txt\"
reviewer = \"alice\"
article_sha256 = \"9f2c…\"
status = \"done\"
region = [\"mena\", \"russia-fsu\"]
theme = [\"war-conflict\"]
reliability = \"unreliable\"
note = \"RT reprint; Lavrov quotes\"
decided_at = 2026-11-24T20:01:02Z
seconds = 14.2
";

    fn product_sidecar() -> Sidecar {
        Sidecar {
            schema: 1,
            article: "000_466bdefa64880cc0.txt".into(),
            reviewer: "alice".into(),
            article_sha256: Some("9f2c…".into()),
            decision: Decision {
                status: Status::Done,
                region: vec!["mena".into(), "russia-fsu".into()],
                theme: vec!["war-conflict".into()],
                reliability: Some("unreliable".into()),
                note: Some("RT reprint; Lavrov quotes".into()),
                seconds: 14.2,
            },
            decided_at: Some(at("2026-11-24T20:01:02Z")),
            extra: Table::new(),
        }
    }

    #[test]
    fn disk_full_halfway_leaves_the_old_sidecar_whole_and_no_temporary_file() {
        let (dir, article) = inbox();
        let first = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Done)],
            &ctx("aa"),
        )
        .expect("first write");
        let before = fs::read(sidecar_path(&article, "alice")).expect("read sidecar");
        let mut full = ctx("aa");
        full.faults = Faults::new(|_| Some(std::io::Error::from_raw_os_error(28)));
        let err = write_edits(
            &article,
            "alice",
            &[Edit::SetNote(Some("x".repeat(4000)))],
            &full,
        )
        .expect_err("the disk is full");
        assert!(matches!(err, StoreError::Io { .. }), "{err}");
        assert!(err.to_string().contains("No space left on device"), "{err}");
        assert_eq!(
            fs::read(sidecar_path(&article, "alice")).expect("read"),
            before
        );
        assert_eq!(
            leftovers(dir.path(), &article, "alice"),
            Vec::<String>::new()
        );
        let back = read_sidecar(&sidecar_path(&article, "alice")).expect("reads");
        assert_eq!(back, Some(first));
    }

    #[test]
    fn product_example_renders_byte_for_byte() {
        assert_eq!(render_sidecar(&product_sidecar()), PRODUCT_EXAMPLE);
    }

    #[test]
    fn full_sidecar_survives_render_and_parse() {
        let mut sidecar = product_sidecar();
        sidecar
            .extra
            .insert("reviewed_with".into(), Value::String("v2".into()));
        let back = parse_sidecar(&render_sidecar(&sidecar)).expect("parses");
        assert_eq!(back, sidecar);
        assert_eq!(
            parse_sidecar(PRODUCT_EXAMPLE).expect("parses"),
            product_sidecar()
        );
    }

    #[test]
    fn fresh_sidecar_says_todo_and_omits_what_is_unset() {
        let sidecar = Sidecar::fresh("a.txt".into(), "bob".into());
        let text = render_sidecar(&sidecar);
        assert_eq!(
            text,
            "# triage decision — edit with care; unknown keys are kept\nschema = 1\narticle = \"a.txt\"\nreviewer = \"bob\"\nstatus = \"todo\"\nregion = []\ntheme = []\nseconds = 0.0\n"
        );
    }

    #[test]
    fn seconds_are_rounded_to_a_tenth() {
        let mut sidecar = product_sidecar();
        sidecar.decision.seconds = 0.1 + 0.2;
        assert!(render_sidecar(&sidecar).contains("\nseconds = 0.3\n"));
        sidecar.decision.seconds = 7.06;
        assert!(render_sidecar(&sidecar).contains("\nseconds = 7.1\n"));
    }

    #[test]
    fn missing_optional_keys_take_defaults_and_whole_seconds_are_read() {
        let sidecar = parse_sidecar("status = \"flagged\"\nseconds = 14\n").expect("parses");
        assert_eq!(sidecar.schema, 1);
        assert_eq!(sidecar.decision.status, Status::Flagged);
        assert_eq!(sidecar.decision.seconds, 14.0);
        assert!(sidecar.decision.region.is_empty() && sidecar.decided_at.is_none());
    }

    #[test]
    fn wrong_types_and_unknown_status_name_the_line() {
        let cases = [
            (
                "schema = 1\nstatus = \"done\"\nreliability = 4\n",
                "line 3: expected a string for `reliability`",
            ),
            (
                "schema = 1\nstatus = \"finished\"\n",
                "line 2: unknown status \"finished\" (expected \"todo\", \"done\", \"skipped\" or \"flagged\")",
            ),
            (
                "region = [\"mena\", 3]\n",
                "line 1: expected a list of label ids (strings) for `region`",
            ),
            (
                "schema = 1\n\ndecided_at = \"yesterday\"\n",
                "line 3: expected a date and time for `decided_at`",
            ),
            (
                "schema = \"1\"\n",
                "line 1: expected a whole number for `schema`",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_sidecar(text).unwrap_err(), want, "{text:?}");
        }
        let syntax = parse_sidecar("schema = 1\nnote = \"unterminated\n").unwrap_err();
        assert!(syntax.starts_with("line 2: "), "{syntax}");
        assert!(!syntax.contains('\n'), "{syntax}");
    }

    #[test]
    fn broken_message_names_file_and_line() {
        let e = StoreError::Broken {
            path: PathBuf::from("inbox/a.txt.alice.toml"),
            problem: "line 3: expected a string for `reliability`".into(),
        };
        assert_eq!(
            e.to_string(),
            "inbox/a.txt.alice.toml:3: expected a string for `reliability`; it will not be overwritten"
        );
        let e = StoreError::Broken {
            path: PathBuf::from("inbox/a.txt.alice.toml"),
            problem: "something odd".into(),
        };
        assert_eq!(
            e.to_string(),
            "inbox/a.txt.alice.toml: something odd; it will not be overwritten"
        );
    }

    #[test]
    fn write_edits_creates_a_sidecar_that_reads_back() {
        let (dir, article) = inbox();
        let edits = [
            Edit::Add(Axis::Region, "mena".into()),
            Edit::SetReliability(Some("unreliable".into())),
            Edit::SetStatus(Status::Done),
            Edit::AddSeconds(14.2),
        ];
        let written = write_edits(&article, "alice", &edits, &ctx("abc")).expect("writes");
        let path = dir.path().join("000_466bdefa64880cc0.txt.alice.toml");
        assert_eq!(read_sidecar(&path).expect("reads"), Some(written.clone()));
        assert_eq!(written.article, "000_466bdefa64880cc0.txt");
        assert_eq!(written.reviewer, "alice");
        assert_eq!(written.article_sha256.as_deref(), Some("abc"));
        assert_eq!(written.decided_at, Some(at("2026-11-24T20:01:02Z")));
        assert_eq!(written.decision.region, ["mena"]);
        assert!(dir.path().join(LOCK_FILE).exists());
        assert_eq!(
            leftovers(dir.path(), &article, "alice"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_folder_named_like_a_sidecar_is_broken_and_never_written() {
        let (_dir, article) = inbox();
        let path = sidecar_path(&article, "alice");
        fs::create_dir(&path).expect("a folder with a sidecar's name");
        match read_sidecar(&path) {
            Err(e @ StoreError::Broken { .. }) => {
                let text = e.to_string();
                assert!(text.contains("is a folder"), "{text}");
                assert!(text.contains(&path.display().to_string()), "{text}");
            }
            other => panic!("expected a broken sidecar, got {other:?}"),
        }
        let result = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Done)],
            &ctx("x"),
        );
        assert!(
            matches!(result, Err(StoreError::Broken { .. })),
            "{result:?}"
        );
        assert!(path.is_dir());
    }

    #[test]
    fn missing_sidecar_reads_as_none() {
        let (dir, _) = inbox();
        let path = dir.path().join("nothing.txt.alice.toml");
        assert_eq!(read_sidecar(&path).expect("no error"), None);
    }

    #[test]
    fn unknown_keys_survive_a_rewrite_in_order() {
        let (_dir, article) = inbox();
        let path = sidecar_path(&article, "alice");
        fs::write(
            &path,
            "schema = 1\nzeta = \"kept\"\nstatus = \"todo\"\nalpha = [1, 2]\n\n[tool]\nname = \"importer\"\nrun = 3\n",
        )
        .expect("write sidecar");
        write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Done)],
            &ctx("abc"),
        )
        .expect("writes");
        let text = fs::read_to_string(&path).expect("read back");
        assert!(
            text.ends_with(
                "seconds = 0.0\nzeta = \"kept\"\nalpha = [1, 2]\n\n[tool]\nname = \"importer\"\nrun = 3\n"
            ),
            "{text}"
        );
        let sidecar = parse_sidecar(&text).expect("parses");
        assert_eq!(sidecar.decision.status, Status::Done);
        let keys: Vec<&str> = sidecar.extra.keys().map(String::as_str).collect();
        assert_eq!(keys, ["zeta", "alpha", "tool"]);
    }

    #[test]
    fn broken_sidecar_is_never_overwritten() {
        let (dir, article) = inbox();
        let path = sidecar_path(&article, "alice");
        let garbage = b"schema = 1\nstatus = done\n\xff[[[\n";
        fs::write(&path, garbage).expect("write garbage");
        let err = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Done)],
            &ctx("abc"),
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::Broken { .. }), "{err}");
        assert!(
            err.to_string().ends_with("it will not be overwritten"),
            "{err}"
        );
        assert_eq!(fs::read(&path).expect("still there"), garbage);
        assert_eq!(
            leftovers(dir.path(), &article, "alice"),
            Vec::<String>::new()
        );

        fs::write(&path, "status = \"done\"\nreliability = 4\n").expect("write bad type");
        let err = write_edits(&article, "alice", &[], &ctx("abc")).unwrap_err();
        assert!(err.to_string().contains(":2: expected a string"), "{err}");
        assert_eq!(
            fs::read_to_string(&path).expect("still there"),
            "status = \"done\"\nreliability = 4\n"
        );
    }

    #[test]
    fn a_read_only_sidecar_is_refused_and_stays_as_it_was() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let (dir, article) = inbox();
        write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Done)],
            &ctx("abc"),
        )
        .expect("first write");
        let path = sidecar_path(&article, "alice");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).expect("chmod 0444");
        let before = fs::read(&path).expect("read");
        let ino = fs::metadata(&path).expect("stat").ino();
        // Tests may run as root, whom no permission stops: the mode bits decide.
        let err = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Flagged)],
            &ctx("abc"),
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("{} is read-only; not replacing it", path.display())
        );
        let meta = fs::metadata(&path).expect("stat");
        assert_eq!(meta.permissions().mode() & 0o777, 0o444);
        assert_eq!(meta.ino(), ino, "not replaced");
        assert_eq!(fs::read(&path).expect("read"), before);
        assert_eq!(
            leftovers(dir.path(), &article, "alice"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn edits_that_change_no_decision_leave_the_sidecar_untouched() {
        use std::os::unix::fs::MetadataExt;
        let (_dir, article) = inbox();
        let path = sidecar_path(&article, "alice");
        let text = "# by hand\nstatus = \"done\"\nregion = [\"mena\"]\ndecided_at = 2020-01-02T03:04:05Z\nseconds = 7.0\n";
        fs::write(&path, text).expect("write sidecar");
        let ino = fs::metadata(&path).expect("stat").ino();
        let no_ops: [&[Edit]; 4] = [
            &[],
            &[Edit::AddSeconds(30.0)],
            &[Edit::SetStatus(Status::Done), Edit::AddSeconds(3.0)],
            &[
                Edit::Add(Axis::Region, "mena".into()),
                Edit::Remove(Axis::Theme, "war".into()),
                Edit::SetNote(Some(String::new())),
            ],
        ];
        for edits in no_ops {
            let read = write_edits(&article, "alice", edits, &ctx("other")).expect("no error");
            assert_eq!(
                read.decided_at,
                Some(at("2020-01-02T03:04:05Z")),
                "{edits:?}"
            );
            assert_eq!(read.decision.seconds, 7.0, "{edits:?}");
            assert_eq!(fs::read_to_string(&path).expect("read"), text, "{edits:?}");
            assert_eq!(fs::metadata(&path).expect("stat").ino(), ino, "{edits:?}");
        }
        // The article changed since: time alone still writes nothing, but making the
        // decision again confirms it for the new text.
        let hashed = "# by hand\nstatus = \"done\"\narticle_sha256 = \"old\"\n";
        fs::write(&path, hashed).expect("write sidecar");
        write_edits(&article, "alice", &[Edit::AddSeconds(5.0)], &ctx("new")).expect("no error");
        assert_eq!(fs::read_to_string(&path).expect("read"), hashed);
        let confirmed = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Done)],
            &ctx("new"),
        )
        .expect("writes");
        assert_eq!(confirmed.article_sha256.as_deref(), Some("new"));
        assert_eq!(read_sidecar(&path).expect("reads"), Some(confirmed));
        fs::write(&path, text).expect("write sidecar");

        // A real change is written, with the time that rode along and a new stamp.
        let written = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Flagged), Edit::AddSeconds(3.0)],
            &ctx("other"),
        )
        .expect("writes");
        assert_eq!(written.decided_at, Some(at("2026-11-24T20:01:02Z")));
        assert_eq!(written.decision.seconds, 10.0);
        assert_eq!(read_sidecar(&path).expect("reads"), Some(written));
    }

    #[test]
    fn newer_schema_is_refused_and_not_overwritten() {
        let (_dir, article) = inbox();
        let path = sidecar_path(&article, "alice");
        let text = "schema = 2\nstatus = \"done\"\nconfidence = 0.9\n";
        fs::write(&path, text).expect("write sidecar");
        let err = write_edits(
            &article,
            "alice",
            &[Edit::SetStatus(Status::Skipped)],
            &ctx("abc"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("newer triage"), "{err}");
        assert_eq!(fs::read_to_string(&path).expect("still there"), text);
    }

    #[test]
    fn bad_reviewer_writes_nothing() {
        let (dir, article) = inbox();
        let err = write_edits(&article, "x y", &[], &ctx("abc")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reviewer name \"x y\" may only use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')"
        );
        assert_eq!(fs::read_dir(dir.path()).expect("read dir").count(), 1);
    }

    #[test]
    fn two_writers_lose_nothing() {
        let (_dir, article) = inbox();
        let threads: Vec<_> = (0..4)
            .map(|writer| {
                let article = article.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let edit = match writer {
                            0 => Edit::Add(Axis::Region, format!("r{i}").into()),
                            1 => Edit::Add(Axis::Theme, format!("t{i}").into()),
                            2 => Edit::SetReliability(Some(format!("rel{i}").into())),
                            _ => Edit::SetNote(Some(format!("note {i}"))),
                        };
                        write_edits(&article, "alice", &[edit], &ctx("abc")).expect("writes");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("writer thread");
        }
        let sidecar = read_sidecar(&sidecar_path(&article, "alice"))
            .expect("reads")
            .expect("exists");
        let regions: Vec<String> = (0..50).map(|i| format!("r{i}")).collect();
        let themes: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
        assert_eq!(sidecar.decision.region, regions);
        assert_eq!(sidecar.decision.theme, themes);
        assert_eq!(sidecar.decision.reliability.as_deref(), Some("rel49"));
        assert_eq!(sidecar.decision.note.as_deref(), Some("note 49"));
    }

    #[test]
    fn sidecar_path_appends_reviewer_and_toml() {
        let cases = [
            ("inbox/world/a.txt", "alice", "inbox/world/a.txt.alice.toml"),
            ("a.md", "bob.smith", "a.md.bob.smith.toml"),
            ("/abs/x y.html", "c_1-2", "/abs/x y.html.c_1-2.toml"),
        ];
        for (article, reviewer, want) in cases {
            assert_eq!(
                sidecar_path(Path::new(article), reviewer),
                PathBuf::from(want)
            );
        }
    }

    #[test]
    fn reviewer_names_are_a_safe_alphabet() {
        let long_ok = "a".repeat(64);
        let too_long = "a".repeat(65);
        let cases: [(&str, bool); 13] = [
            ("alice", true),
            ("Bob.Smith", true),
            ("c_1-2", true),
            ("x.", true),
            (&long_ok, true),
            ("", false),
            (".hidden", false),
            ("x y", false),
            ("a/b", false),
            ("a\\b", false),
            ("élodie", false),
            ("a\nb", false),
            (&too_long, false),
        ];
        for (name, ok) in cases {
            assert_eq!(valid_reviewer(name), ok, "{name:?}");
            assert_eq!(reviewer_problem(name).is_none(), ok, "{name:?}");
        }
    }

    #[test]
    fn a_refused_reviewer_name_is_told_every_rule_it_breaks_and_no_other() {
        let reason = |name: &str| reviewer_problem(name).unwrap_or_default();
        let long = "a".repeat(65);
        assert_eq!(reason(&long), "is 65 characters long, and the limit is 64");
        assert_eq!(
            reason("bad name"),
            "may only use letters, digits, '.', '_' and '-'"
        );
        assert_eq!(reason(".hidden"), "may not start with '.'");
        assert!(reason("").starts_with("is empty"));
        let both = reason(&format!(".{long} x"));
        assert!(both.contains("letters, digits"), "{both}");
        assert!(both.contains("68 characters"), "{both}");
        assert!(both.contains("start with '.'"), "{both}");
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn write_context_now_is_a_utc_datetime_to_the_second() {
        let now = WriteContext::now("abc".into()).now;
        assert_eq!(now.offset, Some(Offset::Z));
        assert!(now.date.is_some_and(|d| d.year >= 2024));
        assert!(now.time.is_some_and(|t| t.nanosecond == 0));
    }

    proptest! {
        #[test]
        fn any_text_survives_render_and_parse(
            note in any::<String>(),
            id in any::<String>(),
            key in "[A-Za-z_][A-Za-z0-9_-]{0,8}",
            value in any::<String>(),
        ) {
            let mut sidecar = product_sidecar();
            sidecar.decision.note = Some(note);
            sidecar.decision.region.push(LabelId::from(id.as_str()));
            sidecar.decision.reliability = Some(LabelId::from(id));
            if !KNOWN_KEYS.contains(&key.as_str()) {
                sidecar.extra.insert(key, Value::String(value));
            }
            let back = parse_sidecar(&render_sidecar(&sidecar));
            prop_assert_eq!(back, Ok(sidecar));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_note_survives_write_and_read(note in any::<String>()) {
            let (_dir, article) = inbox();
            write_edits(&article, "alice", &[Edit::SetNote(Some(note.clone()))], &ctx("abc"))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let read = read_sidecar(&sidecar_path(&article, "alice"))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let expected = Some(note).filter(|n| !n.is_empty());
            prop_assert_eq!(read.and_then(|s| s.decision.note), expected);
        }
    }
}
