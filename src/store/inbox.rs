//! Loading the inbox: every article with its parsed text, suggestions and sidecars.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use crate::article::{self, Article, Format, Suggestions};
use crate::labels::Taxonomy;

use super::{ScanEntry, Sidecar, StoreError, read_sidecar, scan_each, sha256_hex, sidecar_path};

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
    /// Path to open and to write the sidecar beside.
    pub path: PathBuf,
    /// The parsed article, or why it could not be read. Shared with the search
    /// index, so the text of a large inbox is held once.
    pub article: Result<Arc<Article>, String>,
    pub suggestions: Suggestions,
    /// SHA-256 of the bytes read, to tell when an article changed after a decision.
    pub sha256: String,
    /// This reviewer's sidecar.
    pub mine: SidecarState,
    /// Other reviewers' sidecars, by reviewer name.
    pub others: Vec<(String, SidecarState)>,
}

impl Entry {
    /// Reads one article and its sidecars. Never fails: problems become the entry's state.
    pub fn load(
        root: &Path,
        rel: &Path,
        sidecars: &[(String, PathBuf)],
        reviewer: &str,
        taxonomy: &Taxonomy,
    ) -> Entry {
        let path = root.join(rel);
        let file_name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (article, sha256) = match read_capped(&path) {
            Ok((bytes, truncated)) => {
                let sha = sha256_hex(&bytes);
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
            Err(e) => (Err(format!("cannot read it: {e}")), String::new()),
        };
        let suggestions = match &article {
            Ok(a) => article::suggest(a, taxonomy),
            Err(_) => Suggestions::default(),
        };
        let mine = SidecarState::from_read(read_sidecar(&sidecar_path(&path, reviewer)));
        let others = sidecars
            .iter()
            .filter(|(name, _)| name != reviewer)
            .map(|(name, p)| (name.clone(), SidecarState::from_read(read_sidecar(p))))
            .collect();
        Entry {
            rel: rel.to_path_buf(),
            path,
            article,
            suggestions,
            sha256,
            mine,
            others,
        }
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
            Some(sha) => !self.sha256.is_empty() && sha != self.sha256,
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
    pub fn load(root: &Path, reviewer: &str, taxonomy: &Taxonomy) -> std::io::Result<Inbox> {
        let mut inbox = Inbox {
            root: root.to_path_buf(),
            ..Inbox::default()
        };
        let mut batch = Vec::new();
        scan_each(root, &mut inbox.problems, &mut |found| {
            batch.push(found);
            if batch.len() >= LATER_BATCH {
                inbox.entries.extend(load_batch(
                    root,
                    &std::mem::take(&mut batch),
                    reviewer,
                    taxonomy,
                ));
            }
            true
        })?;
        inbox
            .entries
            .extend(load_batch(root, &batch, reviewer, taxonomy));
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
pub fn load_in_background(
    root: PathBuf,
    reviewer: String,
    taxonomy: Taxonomy,
) -> mpsc::Receiver<Loaded> {
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
                let entries = load_batch(&root, &std::mem::take(&mut batch), &reviewer, &taxonomy);
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
            let _ = tx.send(Loaded::Batch(load_batch(
                &root, &batch, &reviewer, &taxonomy,
            )));
        }
        problems.sort();
        let _ = tx.send(Loaded::Done(problems));
    });
    rx
}

/// Reads and parses a batch of articles on every core, keeping their order.
fn load_batch(root: &Path, found: &[ScanEntry], reviewer: &str, taxonomy: &Taxonomy) -> Vec<Entry> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = found.len().div_ceil(threads.max(1)).max(1);
    if found.len() < 16 || threads == 1 {
        return found
            .iter()
            .map(|e| Entry::load(root, &e.rel, &e.sidecars, reviewer, taxonomy))
            .collect();
    }
    std::thread::scope(|scope| {
        let parts: Vec<_> = found
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|e| Entry::load(root, &e.rel, &e.sidecars, reviewer, taxonomy))
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

fn read_capped(path: &Path) -> std::io::Result<(Vec<u8>, bool)> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_ARTICLE_BYTES + 1).read_to_end(&mut bytes)?;
    let truncated = bytes.len() as u64 > MAX_ARTICLE_BYTES;
    if truncated {
        bytes.truncate(MAX_ARTICLE_BYTES as usize);
    }
    Ok((bytes, truncated))
}
