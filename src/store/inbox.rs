//! Loading the inbox: every article with its parsed text and sidecars.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use crate::article::{self, Article, Format, Suggestions};
use crate::labels::Taxonomy;
use crate::labels::sources::{Sources, domain_of};

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
    /// This reviewer's sidecar.
    pub mine: SidecarState,
    /// Other reviewers' sidecars, by reviewer name.
    pub others: Vec<(String, SidecarState)>,
}

impl Entry {
    /// Reads one article and its sidecars. Never fails: problems become the entry's state.
    pub fn load(
        root: &Arc<Path>,
        rel: &Path,
        sidecars: &[(String, PathBuf)],
        reviewer: &str,
    ) -> Entry {
        let path = root.join(rel);
        let file_name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (article, sha256) = match read_capped(root, rel) {
            Ok((bytes, truncated)) => {
                let sha = Some(sha256_digest(&bytes));
                let format = Format::from_path(&path).unwrap_or(Format::Text);
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
        };
        let mut entry = Entry::decisions_only(root, rel, sidecars, reviewer);
        entry.article = article;
        entry.sha256 = sha256;
        entry
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
        let others = sidecars
            .iter()
            .filter(|(name, _)| name != reviewer)
            .map(|(name, p)| (name.clone(), SidecarState::from_read(read_sidecar(p))))
            .collect();
        Entry {
            rel: rel.to_path_buf(),
            root: Arc::clone(root),
            article: Err("the article was not read".to_string()),
            sha256: None,
            mine,
            others,
        }
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
        if s.reliability.is_none() && !sources.is_empty() {
            s.reliability = [&a.url, &a.source, &a.publisher]
                .into_iter()
                .flatten()
                .filter_map(|text| domain_of(text))
                .find_map(|domain| sources.suggestion(&domain));
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

    /// True when the article's bytes differ from those the decision was made on.
    pub fn changed(&self) -> bool {
        match self
            .mine
            .sidecar()
            .and_then(|s| s.article_sha256.as_deref())
        {
            Some(sha) => self.sha256.is_some_and(|mine| sha != hex(&mine)),
            None => false,
        }
    }
}

/// The inbox as loaded: its entries in inbox order and what could not be read.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    pub root: PathBuf,
    pub entries: Vec<Entry>,
    pub problems: Vec<String>,
}

impl Inbox {
    /// Scans and loads every article before returning (the commands' way). Fails
    /// only when the folder itself cannot be read.
    pub fn load(root: &Path, reviewer: &str) -> std::io::Result<Inbox> {
        let mut inbox = Inbox {
            root: root.to_path_buf(),
            ..Inbox::default()
        };
        let mut batch = Vec::new();
        scan_each(root, &mut inbox.problems, &mut |found| {
            batch.push(found);
            if batch.len() >= LATER_BATCH {
                inbox
                    .entries
                    .extend(load_batch(root, &std::mem::take(&mut batch), reviewer));
            }
            true
        })?;
        inbox.entries.extend(load_batch(root, &batch, reviewer));
        inbox.problems.sort();
        Ok(inbox)
    }
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
    /// The next articles in inbox order.
    Batch(Vec<Entry>),
    /// Everything is loaded; these folders or files could not be read.
    Done(Vec<String>),
    /// The inbox folder itself could not be read.
    Failed(String),
}

/// Small first, so the first screen of a huge inbox shows at once; larger later,
/// so the rest streams in with little overhead per batch.
const FIRST_BATCH: usize = 64;
const LATER_BATCH: usize = 512;

/// Loads the inbox on its own thread, sending batches in inbox order as they are
/// ready, so the program is usable while a large inbox fills in behind it. Dropping
/// the receiver stops the loading at the next batch.
pub fn load_in_background(root: PathBuf, reviewer: String) -> mpsc::Receiver<Loaded> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut problems = Vec::new();
        let mut batch: Vec<ScanEntry> = Vec::new();
        let mut sent = 0usize;
        let mut open = true;
        let walked = scan_each(&root, &mut problems, &mut |found| {
            batch.push(found);
            let size = if sent == 0 { FIRST_BATCH } else { LATER_BATCH };
            if batch.len() >= size {
                let entries = load_batch(&root, &std::mem::take(&mut batch), &reviewer);
                sent += entries.len();
                open = tx.send(Loaded::Batch(entries)).is_ok();
            }
            open
        });
        if let Err(e) = walked {
            let _ = tx.send(Loaded::Failed(format!(
                "cannot read the inbox {}: {e}",
                root.display()
            )));
            return;
        }
        if open && !batch.is_empty() {
            let _ = tx.send(Loaded::Batch(load_batch(&root, &batch, &reviewer)));
        }
        // Temporary files of writes a crash interrupted: once the articles are on
        // screen, so the first screen never waits for this second walk.
        problems.extend(super::clean::remove_stale_temporaries(&root).problems);
        problems.sort();
        let _ = tx.send(Loaded::Done(problems));
    });
    rx
}

/// Reads and parses a batch of articles on every core, keeping their order.
fn load_batch(root: &Path, found: &[ScanEntry], reviewer: &str) -> Vec<Entry> {
    let root: Arc<Path> = Arc::from(root);
    let root = &root;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = found.len().div_ceil(threads.max(1)).max(1);
    if found.len() < 16 || threads == 1 {
        return found
            .iter()
            .map(|e| Entry::load(root, &e.rel, &e.sidecars, reviewer))
            .collect();
    }
    std::thread::scope(|scope| {
        let parts: Vec<_> = found
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|e| Entry::load(root, &e.rel, &e.sidecars, reviewer))
                        .collect::<Vec<_>>()
                })
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

/// Reads an article up to the cap, only when the inbox boundary allows it (see
/// [`super::boundary`]); the error is the reason shown on its row.
fn read_capped(root: &Path, rel: &Path) -> Result<(Vec<u8>, bool), String> {
    let file = super::boundary::open_article(root, rel)?;
    crate::files::read_capped(file, MAX_ARTICLE_BYTES).map_err(|e| format!("cannot read it: {e}"))
}
