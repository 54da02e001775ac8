//! Loading the inbox: every article with its parsed text, suggestions and sidecars.

use std::path::{Path, PathBuf};

use crate::article::{self, Article, Format, Suggestions};
use crate::labels::Taxonomy;

use super::{Scan, Sidecar, StoreError, read_sidecar, scan, sha256_hex, sidecar_path};

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
    /// The parsed article, or why it could not be read.
    pub article: Result<Article, String>,
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
                    if truncated {
                        a.warnings.push(format!(
                            "the file is larger than {} MiB; only the start is shown",
                            MAX_ARTICLE_BYTES / (1024 * 1024)
                        ));
                    }
                    a
                });
                (parsed.map_err(|e| e.to_string()), sha)
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
    /// Scans and loads every article. Fails only when the folder itself cannot be read.
    pub fn load(root: &Path, reviewer: &str, taxonomy: &Taxonomy) -> std::io::Result<Inbox> {
        let Scan { entries, problems } = scan(root)?;
        let entries = entries
            .iter()
            .map(|e| Entry::load(root, &e.rel, &e.sidecars, reviewer, taxonomy))
            .collect();
        Ok(Inbox {
            root: root.to_path_buf(),
            entries,
            problems,
        })
    }
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
