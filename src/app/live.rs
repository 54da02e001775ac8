//! The inbox changing under the program: articles added, rewritten or removed, and
//! sidecars written by someone else, as the store's watcher reports them.
//!
//! Entries are never taken out of [`AppState::entries`]: indices into it are held by
//! the list, the undo history, unsaved changes and rankings in flight, and shifting
//! them all would be a standing source of bugs. A removed article becomes a
//! tombstone instead (its text dropped, its facet marked `gone`, out of every list);
//! an article that comes back takes its old slot again. New articles are appended
//! and placed in the list where inbox order puts them.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use super::{AppState, Effect, doc_of, facet_of};
use crate::search::Doc;
use crate::store::{Entry, SidecarState};

/// Articles by entry: the one held whole, and the copy without its body held instead
/// (see [`AppState::hold_bodies`]).
pub type HeldCopies = Vec<(
    usize,
    std::sync::Weak<crate::article::Article>,
    Arc<crate::article::Article>,
)>;

/// Finds an entry by its inbox-relative path. Built on the first live change, so an
/// inbox nobody touches pays nothing; it keys on a 64-bit hash of the path rather
/// than the path itself, which at 100,000 articles is some 2 MB instead of 10.
#[derive(Debug, Default)]
pub struct PathIndex {
    by_hash: HashMap<u64, usize>,
}

fn path_hash(rel: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    rel.hash(&mut h);
    h.finish()
}

impl AppState {
    /// The entry for an inbox-relative path, tombstones included.
    pub fn find(&mut self, rel: &Path) -> Option<usize> {
        if self.catalog.index.is_none() {
            let mut index = PathIndex::default();
            index.by_hash.reserve(self.entries.len());
            for (i, e) in self.entries.iter().enumerate() {
                index.by_hash.insert(path_hash(&e.rel), i);
            }
            self.catalog.index = Some(index);
        }
        let found = self
            .catalog
            .index
            .as_ref()
            .and_then(|index| index.by_hash.get(&path_hash(rel)).copied());
        match found {
            Some(i) if self.entries.get(i).is_some_and(|e| e.rel == rel) => Some(i),
            // Two paths with one hash: astronomically rare, and then a scan is right.
            Some(_) => self.entries.iter().position(|e| e.rel == rel),
            None => None,
        }
    }

    /// True when the article was removed from the inbox while the program ran.
    pub fn is_gone(&self, entry: usize) -> bool {
        self.catalog.facets.get(entry).is_some_and(|f| f.gone)
    }

    /// Lets go of the bodies the index now holds: each entry still holding the very
    /// article that was written holds its [`crate::index::held_copy`] instead, in its
    /// search document too (the same title, metadata and suggested
    /// labels, so nothing on screen or in a ranking changes; the reader and search
    /// then go to the index for the body, as after a start from the index). An entry
    /// whose article changed since is left as it is. Returns what changed, by entry,
    /// for the copies' thread, which holds the same articles.
    pub fn hold_bodies(&mut self, released: Vec<crate::store::Released>) -> HeldCopies {
        let mut moved = Vec::new();
        for r in released {
            let Some(i) = self.find(&r.rel) else {
                continue;
            };
            let held = match &self.entries[i].article {
                Ok(a) if std::ptr::eq(Arc::as_ptr(a), r.was.as_ptr()) => {
                    Arc::new(crate::index::held_copy(a, r.key))
                }
                _ => continue,
            };
            self.entries[i].article = Ok(Arc::clone(&held));
            let docs = Arc::make_mut(&mut self.catalog.docs);
            if let Some(doc) = docs.get_mut(i) {
                let mut copy = Doc::clone(doc);
                copy.article = Some(Arc::clone(&held));
                *doc = Arc::new(copy);
            }
            moved.push((i, r.was, held));
        }
        moved
    }

    /// An article appeared or its bytes changed. It keeps its place and the
    /// selection stays where it was; a search is run again to include it.
    pub fn article_arrived(&mut self, entry: Entry) -> Vec<Effect> {
        let keep = self.selected();
        let doc = Arc::new(doc_of(&entry, &self.taxonomy, &self.sources));
        let mut facet = facet_of(&entry, &self.reviewer, &self.taxonomy);
        facet.not_mine = super::not_mine(self.assignments.as_deref(), &entry, &self.reviewer);
        let index = match self.find(&entry.rel) {
            Some(i) => {
                let was_gone = self.is_gone(i);
                self.entries[i] = entry;
                Arc::make_mut(&mut self.catalog.docs)[i] = doc;
                Arc::make_mut(&mut self.catalog.facets)[i] = facet;
                self.catalog.revision += 1;
                if was_gone && self.search.query.is_none() && self.listable(i) {
                    self.place_in_view(i);
                }
                i
            }
            None => {
                let i = self.entries.len();
                self.catalog.arrived_live = true;
                if let Some(index) = &mut self.catalog.index {
                    index.by_hash.insert(path_hash(&entry.rel), i);
                }
                self.entries.push(entry);
                Arc::make_mut(&mut self.catalog.docs).push(doc);
                Arc::make_mut(&mut self.catalog.facets).push(facet);
                if self.search.query.is_none() && self.listable(i) {
                    self.place_in_view(i);
                }
                i
            }
        };
        self.refresh_facet(index);
        self.keep_selection(keep);
        if self.search.query.is_some() {
            self.search.last_complete = None;
            return self.rerun_search();
        }
        Vec::new()
    }

    /// An article the loader was still reading when its batch came (see
    /// [`crate::store::Loaded::Late`]) fills in its placeholder. The placeholder's
    /// decisions are kept: they are as new as the late entry's, and every change
    /// since (a label given meanwhile, a colleague's sidecar) is already on it.
    pub fn article_loaded(&mut self, entry: Entry) -> Vec<Effect> {
        let Some(i) = self.find(&entry.rel) else {
            return Vec::new();
        };
        // Removed meanwhile, or read again by the watcher after a change on disk:
        // that is newer than this.
        if self.is_gone(i) || !self.entries[i].still_reading() {
            return Vec::new();
        }
        let e = &mut self.entries[i];
        e.article = entry.article;
        e.sha256 = entry.sha256;
        let doc = Arc::new(doc_of(&self.entries[i], &self.taxonomy, &self.sources));
        Arc::make_mut(&mut self.catalog.docs)[i] = doc;
        self.catalog.revision += 1;
        self.refresh_facet(i);
        if self.search.query.is_some() && !self.search.running {
            self.search.last_complete = None;
            return self.rerun_search();
        }
        Vec::new()
    }

    /// Nothing is at `rel` any more: the article there, or every article under the
    /// folder there, leaves the list. The selection moves to the next row.
    pub fn path_removed(&mut self, rel: &Path) {
        let gone: Vec<usize> = match self.find(rel) {
            Some(i) => vec![i],
            None => (0..self.entries.len())
                .filter(|&i| self.entries[i].rel.starts_with(rel))
                .collect(),
        };
        let gone: Vec<usize> = gone.into_iter().filter(|&i| !self.is_gone(i)).collect();
        if gone.is_empty() {
            return;
        }
        let keep = self.selected();
        for &i in &gone {
            let e = &mut self.entries[i];
            e.article = Err("removed from the inbox".to_string());
            e.sha256 = None;
            Arc::make_mut(&mut self.catalog.docs)[i] = Arc::new(Doc::default());
            Arc::make_mut(&mut self.catalog.facets)[i].gone = true;
        }
        self.catalog.revision += 1;
        let cursor = self.cursor;
        let mut pos = 0;
        while pos < self.view.len() {
            if gone.contains(&self.view[pos]) {
                self.view.remove(pos);
                if pos < self.search.hits.len() {
                    self.search.hits.remove(pos);
                }
            } else {
                pos += 1;
            }
        }
        self.search.last_complete = None;
        match keep {
            Some(k) if !gone.contains(&k) => self.keep_selection(Some(k)),
            _ => {
                // The selected article went: the row that took its place is selected.
                self.cursor = usize::MAX;
                self.select(cursor.min(self.view.len().saturating_sub(1)));
            }
        }
    }

    /// One reviewer's sidecar of an article changed on disk (written by another
    /// session or another reviewer, or by hand) and has been read again.
    pub fn sidecar_changed(&mut self, article: &Path, reviewer: &str, sidecar: SidecarState) {
        let Some(i) = self.find(article) else {
            return; // its article is not loaded yet; it brings its sidecars with it
        };
        if self.is_gone(i) {
            return;
        }
        self.entries[i].set_sidecar(reviewer, sidecar);
        self.refresh_facet(i);
        // In the review, a new disagreement joins the list; one that a colleague
        // resolves stays until the review is reopened, so the list does not shift
        // under the adjudicator.
        if self.reviewing() && self.search.query.is_none() && self.in_review(i) {
            let keep = self.selected();
            self.place_in_view(i);
            self.keep_selection(keep);
        }
    }

    /// Whether an entry belongs in the unfiltered list (in the review: disagreements only).
    fn listable(&self, i: usize) -> bool {
        !self.reviewing() || self.in_review(i)
    }

    /// Puts a live entry into the unfiltered list where inbox order places it.
    fn place_in_view(&mut self, i: usize) {
        if self.view.contains(&i) {
            return;
        }
        let rel = &self.entries[i].rel;
        let pos = self
            .view
            .partition_point(|&j| self.entries[j].rel.as_path() < rel.as_path());
        self.view.insert(pos, i);
    }

    /// Selects `keep` again wherever it now is in the list.
    fn keep_selection(&mut self, keep: Option<usize>) {
        if let Some(pos) = keep.and_then(|k| self.view.iter().position(|&i| i == k)) {
            self.cursor = pos;
        } else {
            self.cursor = self.cursor.min(self.view.len().saturating_sub(1));
        }
    }
}
