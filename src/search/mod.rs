//! Finding articles: a query language, ranking, and the worker that runs it off
//! the drawing thread.
//!
//! Titles, sources, file names and labels (ids and names of the reviewer's own and
//! of those suggested) match fuzzily (fuzzy-matcher's skim algorithm); bodies match as a case-insensitive substring of each term, because
//! fuzzy matching over a whole body matches almost anything and so ranks nothing;
//! only terms of three characters or more are looked for in bodies
//! ([`in_bodies`]).
//! Title matches rank above body-only matches; ties keep inbox order.

mod engine;
pub mod labels;
mod query;
pub mod saved;
pub mod worker;

use std::sync::Arc;
use thin_vec::ThinVec;

use crate::article::{Article, Paragraphs};
use crate::domain::Status;

pub use engine::{
    BODY_MIN_CHARS, Hit, byte_ranges, fill_all_body_lines, fill_body_lines, in_bodies, search,
    search_scoped, search_with,
};
pub use labels::{LabelSet, Labels, label_number};
pub use query::{Filter, Query, QueryError, Term, TermKind, parse};
pub use worker::{Job, Outcome, Worker};

/// Where the bodies of articles not held in memory are searched: the index
/// ([`crate::index`]). An article's [`Article::held`] is its key there.
pub trait BodyIndex: Send + Sync {
    /// The keys of the bodies holding `term` (three characters or more) ignoring
    /// case, sorted; `None` when the index cannot answer.
    fn containing(&self, term: &str) -> Option<Vec<i64>>;
    /// The keys of the bodies `keep` accepts, reading them all: when a lookup
    /// fails. `None` when `cancelled` or the index cannot answer.
    fn scan(
        &self,
        keep: &dyn Fn(&Paragraphs) -> bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Vec<i64>>;
    /// One body.
    fn body(&self, key: i64) -> Option<Paragraphs>;
}

/// A shared [`BodyIndex`], as a search job carries it.
#[derive(Clone)]
pub struct Bodies(pub Arc<dyn BodyIndex>);

impl std::fmt::Debug for Bodies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bodies(index)")
    }
}

/// The searchable text of one article, built once when it loads and never changed.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// The title exactly as the list draws it (already sanitized): the character
    /// indices of a [`Hit`] refer to this string. A copy of the article's even when
    /// sanitizing changes nothing: the title stage of a keystroke reads every
    /// record's title, and reaching it through the article (scattered across the
    /// heap) made that stage half as slow again at 100,000 articles.
    pub title: Box<str>,
    /// Source, publisher, authors and the file name, joined by spaces (sanitized).
    pub side: String,
    /// The source as `src:` compares it: lowercase domain or name ("" when unknown).
    pub src: String,
    /// The parsed article, whose `body` paragraphs are searched; `None` when unreadable.
    pub article: Option<Arc<Article>>,
    /// The labels suggested for the article, on any axis (see [`labels`]): what
    /// `sug:` and a plain term naming a label look at.
    pub suggested: LabelSet,
}

/// What can change about an article while the program runs: its decisions. Kept
/// apart from [`Doc`] so that labeling updates a small record, not the text index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facet {
    /// This reviewer's status.
    pub status: Status,
    /// This reviewer's label ids (lists are `ThinVec`s, 8 bytes when empty: one
    /// facet is held per article, most of them undecided).
    pub region: ThinVec<String>,
    pub theme: ThinVec<String>,
    pub reliability: Option<String>,
    /// Every reviewer with a sidecar for the article (this one included).
    pub reviewers: ThinVec<String>,
    /// The article's bytes differ from those this reviewer decided on.
    pub changed: bool,
    /// Ids and display names of this reviewer's labels, space-separated, matched
    /// fuzzily: `mena` and `middle east` both find an article labeled mena.
    pub label_names: String,
    /// The article was removed from the inbox while the program ran: never a match.
    pub gone: bool,
    /// The article has copies: the same story elsewhere in the inbox (`is:copy`).
    pub copies: bool,
    /// The inbox has assignments and this article is not among this reviewer's
    /// (`is:mine` leaves it out). Said negatively so that without assignments, the
    /// default, every article is the reviewer's.
    pub not_mine: bool,
}
