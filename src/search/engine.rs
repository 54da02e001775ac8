//! Matching and ranking: one pass over the inbox per keystroke, split across cores.
//!
//! The work per article is kept small because it runs 100,000 times per keystroke:
//!
//! - Titles, side text and label names are lowercased one character at a time into
//!   buffers reused for every article (see `fold_char` in the query module), so the
//!   character indices skim reports are those of the original title.
//! - A fuzzy term is first tested as a byte subsequence of the lowercased text with
//!   `memchr`; only texts that pass are scored by `SkimMatcherV2`, which copies its
//!   input and allocates on every call. It scores at most [`SCORED_CHARS`] characters.
//! - Bodies are never lowercased: each term gets one case-insensitive searcher per
//!   query (see `Needle`), run over the original paragraphs, and only for terms that
//!   did not match the title side. A term with non-ASCII letters is searched as
//!   written (lowercase), Capitalised and UPPERCASE, so a body containing `МОСКВА` or
//!   `Москва` matches `москва`, but `МосКВА` does not; ASCII letters match in any case.
//! - Articles are handed out to `available_parallelism()` scoped threads in blocks of
//!   [`BLOCK`]; between blocks each thread polls the cancel flag.

use std::num::NonZeroUsize;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, MatchKind};
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem;

use super::labels::{LabelNumber, LabelSet, Labels};
use super::query::{Filter, Query, Term, TermKind};
use super::{BodyIndex, Doc, Facet};
use crate::article::Paragraphs;
use crate::fold::fold_into;

/// Characters of a title, side text or label list that skim scores. Its cost grows
/// with pattern × text length; titles longer than this are rare and their tail adds
/// nothing to the ranking. Exact, prefix and suffix tests see the whole text.
const SCORED_CHARS: usize = 256;
/// Articles a thread takes at a time; also how often it polls for cancellation.
const BLOCK: usize = 256;
/// Below this many candidates, starting threads costs more than it saves.
const PARALLEL_MIN: usize = 4096;
/// Subtracted from the score of an article some term matched only in its body, so
/// that every title-side match outranks it whatever the fuzzy scores.
const BODY_ONLY: i64 = 1 << 40;
/// Score per character of an exact, prefix or suffix match, about what skim gives a
/// run of consecutive characters, so `'word` and `word` rank alike.
const EXACT_CHAR: i64 = 20;
/// Extra score when an exact match starts a word.
const WORD_START: i64 = 16;
/// A fuzzy match must score at least this much per query character. Skim gives a
/// run of adjacent characters about 20 each and far less to letters scattered over a
/// long title (measured: `brine` spread over "Desalination Boom Leaves Gulf Fishermen
/// Counting Losses" scores 44, over a file name 83, in "The brine question" 103), so
/// scattered matches, which would otherwise outrank real body matches, do not count.
const MIN_SCORE_PER_CHAR: i64 = 17;
/// Terms this short match as a substring: a few letters scattered over a title mean
/// nothing, and a substring test is far cheaper than skim (measured: the 3-letter
/// keystroke of a query took 127 ms over 100,000 titles through skim).
const SHORT_TERM: usize = 3;
/// A compact match fits in a window of twice the term's length plus this; texts
/// where it cannot are rejected before skim is called.
const WINDOW_SLACK: usize = 2;
/// Length of the body line shown beside a title, and how much of it precedes the match.
const SNIPPET_CHARS: usize = 160;
const SNIPPET_LEAD: usize = 40;

/// One article that matched, with what the list needs to draw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the `docs` given to [`search`].
    pub entry: usize,
    /// Higher ranks first. Articles where some term matched only in the body are
    /// pushed below all others by a large constant, so sorting by score alone, then
    /// by `entry`, reproduces the ranking (merging partial results relies on this).
    pub score: i64,
    /// Char indices into doc.title of matched characters (for highlighting); sorted,
    /// without duplicates. Turn them into byte ranges with [`byte_ranges`].
    pub title_chars: Vec<usize>,
    /// The best matching body paragraph, cut to about 160 chars around the first
    /// match, with line breaks as spaces; only when some term matched only in the body.
    pub body_line: Option<String>,
}

impl Hit {
    /// The score as a person reads it: how well the title side (title, source,
    /// authors, file name, label names) matched, or `None` when some term matched
    /// only in the body. Such hits rank below every title-side match; the large
    /// offset that ranks them there is an artifact of sorting, not a measure of
    /// anything, so it is never shown.
    pub fn shown_score(&self) -> Option<i64> {
        (self.score > -BODY_ONLY / 2).then_some(self.score)
    }
}

/// Ranks `docs` for `query`; `facets[i]` holds the decisions on `docs[i]` (a missing
/// facet counts as an undecided article).
///
/// `within`: when given, only these doc indices are considered: a query that only
/// grew (see [`Query::narrows`]) re-ranks the previous results instead of the inbox.
/// `cancelled` is polled every `BLOCK` articles on each thread; once it returns
/// true the search gives up and returns `None`, so a newer keystroke never waits for
/// an older ranking.
pub fn search(
    docs: &[Arc<Doc>],
    facets: &[Facet],
    query: &Query,
    within: Option<&[usize]>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Hit>> {
    search_scoped(docs, facets, query, within, true, cancelled)
}

/// [`search`], optionally without looking for positive terms in bodies. Since every
/// article whose terms all match on the title side outranks every body-only match,
/// the result with `bodies = false` is exactly the head of the full ranking: the
/// worker shows it first, then adds the body-only matches.
pub fn search_scoped(
    docs: &[Arc<Doc>],
    facets: &[Facet],
    query: &Query,
    within: Option<&[usize]>,
    bodies: bool,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Hit>> {
    search_with(docs, facets, query, within, bodies, None, cancelled)
}

/// [`search_scoped`] where the bodies of articles not held in memory (those with
/// [`crate::article::Article::held`] set) are searched in `index`: each term once,
/// before the articles are visited. A body-only hit of such an article has no
/// `body_line` yet: [`fill_body_lines`] adds the lines of those that are shown.
pub fn search_with(
    docs: &[Arc<Doc>],
    facets: &[Facet],
    query: &Query,
    within: Option<&[usize]>,
    bodies: bool,
    index: Option<&dyn BodyIndex>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Hit>> {
    let mut plan = Plan::new(query);
    plan.bodies = bodies;
    if let Some(index) = index {
        plan.look_up(index, cancelled)?;
    }
    // Previous results arrive in rank order; visiting them in inbox order reads memory
    // far more sequentially, and drops any duplicate.
    let within = within.map(|w| {
        let mut sorted = w.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted
    });
    let within = within.as_deref();
    let total = within.map_or(docs.len(), <[usize]>::len);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let no_facet = Facet::default();
    let work = || {
        let mut scratch = Scratch::new();
        let mut hits = Vec::new();
        loop {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if cancelled() {
                stop.store(true, Ordering::Relaxed);
                break;
            }
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= total {
                break;
            }
            for k in start..total.min(start + BLOCK) {
                let entry = within.map_or(k, |w| w[k]);
                let Some(doc) = docs.get(entry) else {
                    continue;
                };
                let facet = facets.get(entry).unwrap_or(&no_facet);
                if let Some(hit) = plan.match_doc(entry, doc, facet, &mut scratch) {
                    hits.push(hit);
                }
            }
        }
        hits
    };
    let threads = if total < PARALLEL_MIN {
        1
    } else {
        std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
    };
    let mut hits = if threads <= 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut hits = work();
            for helper in helpers {
                match helper.join() {
                    Ok(more) => hits.extend(more),
                    // Cannot happen short of a bug in a matcher; give no result rather
                    // than a partial one, and never take the program down.
                    Err(_) => stop.store(true, Ordering::Relaxed),
                }
            }
            hits
        })
    };
    if stop.load(Ordering::Relaxed) || cancelled() {
        return None;
    }
    hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.entry.cmp(&b.entry)));
    Some(hits)
}

/// Adds the body line to the first `limit` body-only hits (in the order given) of
/// articles whose bodies are in the index rather than in memory (see
/// [`search_with`]), reading each body from `index`: the line is the one the same
/// article would get with its body in memory. Returns how many were filled.
pub fn fill_body_lines(
    docs: &[Arc<Doc>],
    facets: &[Facet],
    query: &Query,
    hits: &mut [Hit],
    index: &dyn BodyIndex,
    limit: usize,
) -> usize {
    let plan = Plan::new(query);
    let mut scratch = Scratch::new();
    let no_facet = Facet::default();
    let mut filled = 0;
    for hit in hits.iter_mut() {
        if filled >= limit {
            break;
        }
        if hit.body_line.is_some() || hit.shown_score().is_some() {
            continue;
        }
        let Some(doc) = docs.get(hit.entry) else {
            continue;
        };
        let Some(article) = doc.article.as_deref() else {
            continue;
        };
        let Some(key) = article.held else {
            continue;
        };
        let Some(body) = index.body(key) else {
            continue;
        };
        let facet = facets.get(hit.entry).unwrap_or(&no_facet);
        if let Some(found) = plan.match_doc_with(hit.entry, doc, facet, &mut scratch, Some(&body)) {
            hit.body_line = found.body_line;
        }
        filled += 1;
    }
    filled
}

/// [`fill_body_lines`] for every hit, shared out among `indexes`, each read on a
/// thread of its own (each index its own connection): for a command, which waits
/// for all of them, and where reading the bodies is most of the work.
pub fn fill_all_body_lines(
    docs: &[Arc<Doc>],
    facets: &[Facet],
    query: &Query,
    hits: &mut [Hit],
    indexes: &[&dyn BodyIndex],
) {
    let Some((last, others)) = indexes.split_last() else {
        return;
    };
    // Each part gets as many hits that need a body line as the others: those cluster
    // after the hits in titles.
    let needs = |h: &Hit| h.body_line.is_none() && h.shown_score().is_none();
    let per = hits.iter().filter(|h| needs(h)).count() / indexes.len() + 1;
    let mut parts = Vec::with_capacity(indexes.len());
    let mut rest = hits;
    for index in others {
        let mut seen = 0;
        let cut = rest
            .iter()
            .position(|h| {
                seen += usize::from(needs(h));
                seen > per
            })
            .unwrap_or(rest.len());
        let (part, after) = rest.split_at_mut(cut);
        parts.push((part, *index));
        rest = after;
    }
    parts.push((rest, *last));
    std::thread::scope(|scope| {
        for (part, index) in parts {
            scope.spawn(move || fill_body_lines(docs, facets, query, part, index, usize::MAX));
        }
    });
}

/// Turns the character indices of a [`Hit`] into byte ranges of `text`, merging
/// adjacent characters, so callers can slice and style without splitting a UTF-8
/// sequence. Indices past the end of `text` are ignored.
pub fn byte_ranges(text: &str, char_indices: &[usize]) -> Vec<Range<usize>> {
    let mut wanted = char_indices.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut wanted = wanted.into_iter().peekable();
    let mut out: Vec<Range<usize>> = Vec::new();
    for (ci, (bi, ch)) in text.char_indices().enumerate() {
        let Some(&next) = wanted.peek() else {
            break;
        };
        if next != ci {
            continue;
        }
        wanted.next();
        let end = bi + ch.len_utf8();
        match out.last_mut() {
            Some(last) if last.end == bi => last.end = end,
            _ => out.push(bi..end),
        }
    }
    out
}

impl Query {
    /// Every place in `body` where a positive fuzzy or exact term occurs, as
    /// (paragraph index, byte range), in reading order. The reader highlights these
    /// and `n`/`N` step through them; matching is the same case-insensitive substring
    /// test that ranked the article.
    pub fn body_matches(&self, body: &Paragraphs) -> Vec<(usize, Range<usize>)> {
        let patterns: Vec<String> = self
            .terms
            .iter()
            .filter(|t| {
                !t.negated
                    && matches!(t.kind, TermKind::Fuzzy | TermKind::Exact)
                    && in_bodies(&t.text)
            })
            .flat_map(|t| case_variants(&t.text))
            .collect();
        if patterns.is_empty() {
            return Vec::new();
        }
        let Ok(searcher) = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
        else {
            return Vec::new();
        };
        body.iter()
            .enumerate()
            .flat_map(|(i, p)| searcher.find_iter(p).map(move |m| (i, m.range())))
            .collect()
    }
}

/// Whether a term is looked for in bodies at all: from [`BODY_MIN_CHARS`] characters.
/// One or two letters occur in nearly every body (`xi` in "taxi", `eu` in
/// "neutral"), so as body matches they would only bury the articles that name them
/// in the title, source or labels, where they still match; and an index of
/// three-character pieces (the trigram index, [`crate::index`]) answers from three
/// on, so every keystroke's answer is a lookup, with the index or without.
pub fn in_bodies(term: &str) -> bool {
    term.chars().count() >= BODY_MIN_CHARS
}

/// Characters a term needs before bodies are searched for it (see [`in_bodies`]).
pub const BODY_MIN_CHARS: usize = 3;

/// The spellings a body search looks for: the term itself (lowercase), Capitalised
/// and UPPERCASE. ASCII letters need only the first, the searcher ignores their case.
fn case_variants(text: &str) -> Vec<String> {
    if text.is_ascii() {
        return vec![text.to_string()];
    }
    let mut chars = text.chars();
    let capitalised: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let mut out = vec![text.to_string(), capitalised, text.to_uppercase()];
    out.sort();
    out.dedup();
    out
}

/// A case-insensitive substring search over original (not lowercased) text, fast
/// enough to run over every body of a large inbox on each keystroke.
///
/// Aho-Corasick's own ASCII case folding falls back to a first-byte prefilter, which
/// is slow when the word starts with a common letter. Instead, the rarest three-byte
/// window of each spelling (see [`case_variants`]) is expanded into all its ASCII
/// case forms (at most 8) and searched with the SIMD "Teddy" searcher; each hit is then
/// checked against the whole spelling, ignoring ASCII case.
struct Needle {
    /// Each spelling, and where its window starts in it.
    spellings: Vec<(Vec<u8>, usize)>,
    /// `None` where the CPU has no SIMD support for Teddy.
    windows: Option<aho_corasick::packed::Searcher>,
    /// Used without `windows`.
    fallback: Option<AhoCorasick>,
}

impl Needle {
    fn new(text: &str) -> Option<Needle> {
        Needle::build(text, true)
    }

    /// `simd: false` forces the fallback, so tests reach it on any machine.
    fn build(text: &str, simd: bool) -> Option<Needle> {
        if text.is_empty() {
            return None;
        }
        let spellings: Vec<(Vec<u8>, usize)> = case_variants(text)
            .into_iter()
            .map(|v| {
                let at = rarest_window(v.as_bytes());
                (v.into_bytes(), at)
            })
            .collect();
        let mut builder = aho_corasick::packed::Config::new().builder();
        for (bytes, at) in &spellings {
            let window = &bytes[*at..bytes.len().min(at + WINDOW)];
            for form in ascii_case_forms(window) {
                builder.add(form);
            }
        }
        let windows = if simd { builder.build() } else { None };
        let fallback = match windows {
            Some(_) => None,
            None => AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(spellings.iter().map(|(b, _)| b))
                .ok(),
        };
        if windows.is_none() && fallback.is_none() {
            return None;
        }
        Some(Needle {
            spellings,
            windows,
            fallback,
        })
    }

    fn is_match(&self, hay: &str) -> bool {
        self.find(hay).is_some()
    }

    /// The start of a match (the leftmost one for ASCII words).
    fn find(&self, hay: &str) -> Option<usize> {
        let bytes = hay.as_bytes();
        let Some(windows) = &self.windows else {
            return self.fallback.as_ref()?.find(hay).map(|m| m.start());
        };
        let mut from = 0;
        while let Some(found) = windows.find_in(bytes, aho_corasick::Span::from(from..bytes.len()))
        {
            let at = found.start();
            let whole = self.spellings.iter().find_map(|(spelling, offset)| {
                let start = at.checked_sub(*offset)?;
                let candidate = bytes.get(start..start + spelling.len())?;
                candidate.eq_ignore_ascii_case(spelling).then_some(start)
            });
            if whole.is_some() {
                return whole;
            }
            from = at + 1;
        }
        None
    }
}

/// Bytes in the window a [`Needle`] searches for before checking the whole word.
const WINDOW: usize = 3;

/// Where the window of `bytes` with the least common bytes starts.
fn rarest_window(bytes: &[u8]) -> usize {
    let width = bytes.len().min(WINDOW);
    (0..=bytes.len() - width)
        .min_by_key(|&at| {
            bytes[at..at + width]
                .iter()
                .map(|&b| commonness(b))
                .sum::<u32>()
        })
        .unwrap_or(0)
}

/// Roughly how often a byte occurs in news text: English letter frequency order for
/// letters, spaces most common, UTF-8 continuation bytes (which vary most) rare.
fn commonness(b: u8) -> u32 {
    const LETTERS: &[u8] = b"zqxjkvbpygfwmucldrhsnioate";
    match b.to_ascii_lowercase() {
        b' ' => 40,
        l @ b'a'..=b'z' => LETTERS
            .iter()
            .position(|&x| x == l)
            .map_or(0, |i| i as u32 + 1),
        0x80..=0xBF => 2,
        0xC0..=0xFF => 20,
        _ => 6,
    }
}

/// Every ASCII upper/lower case form of `window` (at most 2^WINDOW).
fn ascii_case_forms(window: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = vec![Vec::with_capacity(window.len())];
    for &b in window {
        let (lower, upper) = (b.to_ascii_lowercase(), b.to_ascii_uppercase());
        if lower == upper {
            forms.iter_mut().for_each(|f| f.push(b));
        } else {
            forms = forms
                .into_iter()
                .flat_map(|f| {
                    let mut other = f.clone();
                    other.push(upper);
                    let mut f = f;
                    f.push(lower);
                    [f, other]
                })
                .collect();
        }
    }
    forms
}

/// A term made ready for matching, once per query.
struct Compiled<'q> {
    kind: TermKind,
    negated: bool,
    text: &'q str,
    chars: usize,
    /// Substring search in lowercased title, side and label text.
    finder: memmem::Finder<'q>,
    /// Case-insensitive search in original body paragraphs, for fuzzy and exact terms.
    body: Option<Needle>,
    /// The labels whose id or name the term matches, with the score each match gives,
    /// for articles they were suggested for (see [`Compiled::suggested_points`]).
    labels: Vec<(LabelNumber, i64)>,
    /// The same labels as a set, to test an article's suggestions in one step.
    label_set: LabelSet,
    /// The index keys of the bodies holding the term, for articles whose bodies
    /// are not in memory (see [`Plan::look_up`]).
    held: Option<Vec<i64>>,
}

impl<'q> Compiled<'q> {
    fn new(term: &'q Term) -> Compiled<'q> {
        let body = match term.kind {
            TermKind::Fuzzy | TermKind::Exact if in_bodies(&term.text) => Needle::new(&term.text),
            _ => None,
        };
        Compiled {
            kind: term.kind.clone(),
            text: &term.text,
            chars: term.text.chars().count(),
            negated: term.negated,
            finder: memmem::Finder::new(term.text.as_bytes()),
            body,
            labels: Vec::new(),
            label_set: LabelSet::default(),
            held: None,
        }
    }

    /// Matches the term against every label's id and name, as it is matched against
    /// an article's own label names: once per query, so that an article only tests
    /// its suggestions against the result.
    fn match_labels(&mut self, labels: &Labels, matcher: &SkimMatcherV2) {
        for (n, text) in labels.texts.iter().enumerate() {
            let Ok(n) = LabelNumber::try_from(n) else {
                break;
            };
            let points = match self.kind {
                TermKind::Fuzzy if !self.negated => {
                    fuzzy(matcher, text, self.text, false).map(|(points, _)| points)
                }
                TermKind::Fuzzy | TermKind::Exact => self
                    .finder
                    .find(text.as_bytes())
                    .map(|at| exact_score(text, at, self.chars)),
                TermKind::Prefix | TermKind::Suffix => None,
            };
            if let Some(points) = points {
                self.labels.push((n, points));
            }
        }
        self.label_set = LabelSet::from_numbers(self.labels.iter().map(|&(n, _)| n));
    }

    /// The best score of the term among the labels suggested for an article, `None`
    /// when it names none of them.
    fn suggested_points(&self, suggested: &LabelSet) -> Option<i64> {
        if !self.label_set.intersects(suggested) {
            return None;
        }
        self.labels
            .iter()
            .filter(|(n, _)| suggested.contains(*n))
            .map(|&(_, points)| points)
            .max()
    }

    /// Whether the body holds the term; the paragraph where it first occurs.
    fn in_body(&self, body: &Paragraphs) -> Option<usize> {
        let searcher = self.body.as_ref()?;
        body.iter().position(|p| searcher.is_match(p))
    }

    /// [`Compiled::in_body`] for an article: in its paragraphs when it holds them,
    /// else in the index's answer for its key (paragraph 0 stands for "somewhere":
    /// the body line is made later, from the body itself).
    fn in_doc(&self, doc: &Doc) -> Option<usize> {
        match doc.article.as_deref() {
            Some(a) => match (a.held, &self.held) {
                (Some(key), Some(keys)) => keys.binary_search(&key).is_ok().then_some(0),
                (Some(_), None) => None,
                (None, _) => self.in_body(&a.body),
            },
            None => None,
        }
    }

    /// Asks `index` which bodies hold the term (it has at least three characters,
    /// see [`in_bodies`]), a trigram lookup. FTS5 folds the case of every letter;
    /// this matcher folds ASCII and tries three spellings of others (see
    /// [`case_variants`]), so for a term with non-ASCII letters each candidate is
    /// checked by this matcher: the same articles match with the index or without.
    /// When the lookup fails (a damaged word index), every body is read instead,
    /// rather than none found. `None` when cancelled.
    fn look_up(&mut self, index: &dyn BodyIndex, cancelled: &dyn Fn() -> bool) -> Option<()> {
        let Some(needle) = &self.body else {
            return Some(());
        };
        let keys = match index.containing(self.text) {
            Some(mut keys) => {
                if !self.text.is_ascii() {
                    keys.retain(|&k| {
                        index
                            .body(k)
                            .is_some_and(|b| b.iter().any(|p| needle.is_match(p)))
                    });
                }
                keys
            }
            None => {
                let keep = |b: &Paragraphs| b.iter().any(|p| needle.is_match(p));
                index.scan(&keep, cancelled)?
            }
        };
        self.held = Some(keys);
        Some(())
    }
}

/// The whole query, compiled.
struct Plan<'q> {
    /// Whether positive terms may match in bodies (see [`search_scoped`]).
    bodies: bool,
    filters: &'q [Filter],
    /// For each `sug:` filter, the labels with its id: one must be suggested.
    suggested: Vec<LabelSet>,
    positive: Vec<Compiled<'q>>,
    negative: Vec<Compiled<'q>>,
}

/// Buffers one thread reuses for every article, so rejecting one allocates nothing.
struct Scratch {
    /// Case is already folded on both sides, so skim may compare exactly. It keeps
    /// per-thread buffers, which is why each thread has its own.
    matcher: SkimMatcherV2,
    title: String,
    side: String,
    labels: String,
    title_chars: Vec<usize>,
    /// Positive terms that did not match the title side, and where each first
    /// matched in the body.
    in_body: Vec<(usize, usize)>,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            matcher: SkimMatcherV2::default().respect_case(),
            title: String::new(),
            side: String::new(),
            labels: String::new(),
            title_chars: Vec::new(),
            in_body: Vec::new(),
        }
    }
}

impl<'q> Plan<'q> {
    fn new(query: &'q Query) -> Plan<'q> {
        let mut plan = Plan {
            bodies: true,
            filters: &query.filters,
            suggested: Vec::new(),
            positive: Vec::new(),
            negative: Vec::new(),
        };
        let matcher = SkimMatcherV2::default().respect_case();
        for term in &query.terms {
            let mut compiled = Compiled::new(term);
            if let Some(labels) = &query.labels {
                compiled.match_labels(labels, &matcher);
            }
            if term.negated {
                plan.negative.push(compiled);
            } else {
                plan.positive.push(compiled);
            }
        }
        for filter in &query.filters {
            if let Filter::Sug(id) = filter {
                plan.suggested.push(
                    query
                        .labels
                        .as_ref()
                        .map(|labels| labels.with_id(id))
                        .unwrap_or_default(),
                );
            }
        }
        plan
    }

    /// Looks every term that may need it up in `index` (see [`Compiled::look_up`]):
    /// negative terms always, positive ones when bodies are searched.
    fn look_up(&mut self, index: &dyn BodyIndex, cancelled: &dyn Fn() -> bool) -> Option<()> {
        let terms = self
            .negative
            .iter_mut()
            .chain(self.positive.iter_mut().filter(|_| self.bodies));
        for term in terms {
            if cancelled() {
                return None;
            }
            term.look_up(index, cancelled)?;
        }
        Some(())
    }

    fn match_doc(&self, entry: usize, doc: &Doc, facet: &Facet, s: &mut Scratch) -> Option<Hit> {
        self.match_doc_with(entry, doc, facet, s, None)
    }

    /// [`Plan::match_doc`], with the article's body given when the article holds
    /// none (read from the index): as if the article held it, without a copy of
    /// the article and its search record for each hit.
    fn match_doc_with(
        &self,
        entry: usize,
        doc: &Doc,
        facet: &Facet,
        s: &mut Scratch,
        whole_body: Option<&Paragraphs>,
    ) -> Option<Hit> {
        if facet.gone
            || !self.filters.iter().all(|f| filter_passes(f, doc, facet))
            || !self
                .suggested
                .iter()
                .all(|set| set.intersects(&doc.suggested))
        {
            return None;
        }
        if self.positive.is_empty() && self.negative.is_empty() {
            return Some(Hit {
                entry,
                score: 0,
                title_chars: Vec::new(),
                body_line: None,
            });
        }
        s.title.clear();
        fold_into(&doc.title, &mut s.title);
        s.side.clear();
        fold_into(&doc.side, &mut s.side);
        s.labels.clear();
        fold_into(&facet.label_names, &mut s.labels);
        s.title_chars.clear();
        s.in_body.clear();

        let mut score = 0;
        for (i, term) in self.positive.iter().enumerate() {
            let suggested = term.suggested_points(&doc.suggested);
            match title_side(term, s).max(suggested) {
                Some(points) => score += points,
                None if self.bodies && term.body.is_some() => s.in_body.push((i, 0)),
                None => return None,
            }
        }
        for term in &self.negative {
            if title_side_has(term, s) || term.suggested_points(&doc.suggested).is_some() {
                return None;
            }
        }
        let empty = Paragraphs::default();
        let body = whole_body.unwrap_or_else(|| doc.article.as_deref().map_or(&empty, |a| &a.body));
        let in_doc = |term: &Compiled| match whole_body {
            Some(body) => term.in_body(body),
            None => term.in_doc(doc),
        };
        for (i, paragraph) in s.in_body.iter_mut() {
            *paragraph = in_doc(&self.positive[*i])?;
        }
        for term in &self.negative {
            if in_doc(term).is_some() {
                return None;
            }
        }
        let held = whole_body.is_none() && doc.article.as_deref().is_some_and(|a| a.held.is_some());
        let body_line = if s.in_body.is_empty() {
            None
        } else {
            score -= BODY_ONLY;
            if held {
                None
            } else {
                self.body_line(body, &s.in_body)
            }
        };
        s.title_chars.sort_unstable();
        s.title_chars.dedup();
        Some(Hit {
            entry,
            score,
            title_chars: s.title_chars.clone(),
            body_line,
        })
    }

    /// The paragraph holding the most body-only terms (the earliest of equals), cut
    /// around its first match.
    fn body_line(&self, body: &Paragraphs, in_body: &[(usize, usize)]) -> Option<String> {
        let searchers = || {
            in_body
                .iter()
                .filter_map(|&(i, _)| self.positive[i].body.as_ref())
        };
        let first = in_body.iter().map(|&(_, p)| p).min()?;
        let mut best = (0, first);
        if in_body.len() > 1 {
            for (p, paragraph) in body.iter().enumerate().skip(first) {
                let held = searchers().filter(|s| s.is_match(paragraph)).count();
                if held > best.0 {
                    best = (held, p);
                    if held == in_body.len() {
                        break;
                    }
                }
            }
        }
        let paragraph = body.get(best.1)?;
        let at = searchers().filter_map(|s| s.find(paragraph)).min()?;
        Some(snippet(paragraph, at))
    }
}

/// The best title-side score of a positive term, recording title positions in
/// `s.title_chars`; `None` when it matches none of title, side text and label names.
fn title_side(term: &Compiled, s: &mut Scratch) -> Option<i64> {
    match term.kind {
        TermKind::Fuzzy => {
            let matcher = &s.matcher;
            let mut best = None;
            if let Some((points, chars)) = fuzzy(matcher, &s.title, term.text, true) {
                s.title_chars.extend(chars);
                best = Some(points);
            }
            for text in [&s.side, &s.labels] {
                if let Some((points, _)) = fuzzy(matcher, text, term.text, false) {
                    best = best.max(Some(points));
                }
            }
            best
        }
        TermKind::Exact => {
            let mut best = None;
            if let Some(at) = term.finder.find(s.title.as_bytes()) {
                let first = s.title[..at].chars().count();
                s.title_chars.extend(first..first + term.chars);
                best = Some(exact_score(&s.title, at, term.chars));
            }
            for text in [&s.side, &s.labels] {
                if let Some(at) = term.finder.find(text.as_bytes()) {
                    best = best.max(Some(exact_score(text, at, term.chars)));
                }
            }
            best
        }
        TermKind::Prefix => {
            let mut best = None;
            if s.title.starts_with(term.text) {
                s.title_chars.extend(0..term.chars);
                best = Some(exact_score(&s.title, 0, term.chars));
            } else if s.side.starts_with(term.text) {
                best = Some(exact_score(&s.side, 0, term.chars));
            }
            best
        }
        TermKind::Suffix => {
            let mut best = None;
            if s.title.ends_with(term.text) {
                let at = s.title.len() - term.text.len();
                let first = s.title[..at].chars().count();
                s.title_chars.extend(first..first + term.chars);
                best = Some(exact_score(&s.title, at, term.chars));
            } else if s.side.ends_with(term.text) {
                let at = s.side.len() - term.text.len();
                best = Some(exact_score(&s.side, at, term.chars));
            }
            best
        }
    }
}

/// Whether a negated term's word is on the title side: anywhere in title, side text
/// or label names for `!word`, at the title's start or end for `!^word` / `!word$`.
fn title_side_has(term: &Compiled, s: &Scratch) -> bool {
    match term.kind {
        TermKind::Fuzzy | TermKind::Exact => [&s.title, &s.side, &s.labels]
            .into_iter()
            .any(|text| term.finder.find(text.as_bytes()).is_some()),
        TermKind::Prefix => s.title.starts_with(term.text),
        TermKind::Suffix => s.title.ends_with(term.text),
    }
}

/// Skim's score (and character positions when asked) of `pattern` in the first
/// [`SCORED_CHARS`] characters of the lowercased `text`, after a byte-subsequence
/// pre-check that rejects most texts without calling skim.
fn fuzzy(
    matcher: &SkimMatcherV2,
    text: &str,
    pattern: &str,
    positions: bool,
) -> Option<(i64, Vec<usize>)> {
    let scored = if text.len() <= SCORED_CHARS {
        text
    } else {
        let end = text
            .char_indices()
            .nth(SCORED_CHARS)
            .map_or(text.len(), |(i, _)| i);
        &text[..end]
    };
    let chars = pattern.chars().count();
    if chars <= SHORT_TERM {
        let at = memmem::find(scored.as_bytes(), pattern.as_bytes())?;
        let first = scored[..at].chars().count();
        let points = exact_score(scored, at, chars);
        return Some((
            points,
            if positions {
                (first..first + chars).collect()
            } else {
                Vec::new()
            },
        ));
    }
    if !fits_compactly(
        pattern.as_bytes(),
        scored.as_bytes(),
        pattern.len() * 2 + WINDOW_SLACK,
    ) {
        return None;
    }
    matcher
        .fuzzy(scored, pattern, positions)
        .filter(|(points, _)| *points >= MIN_SCORE_PER_CHAR * chars as i64)
}

/// Whether the bytes of `needle` occur in order within some window of `hay` at most
/// `window` bytes long, starting at an occurrence of its first byte. A necessary
/// condition for a compact fuzzy match, and far cheaper than scoring one.
fn fits_compactly(needle: &[u8], hay: &[u8], window: usize) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, hay).any(|start| {
        let end = (start + window).min(hay.len());
        is_subsequence(rest, &hay[start + 1..end])
    })
}

/// Whether the bytes of `needle` occur in `hay` in order. Necessary for a fuzzy
/// match of the characters (their UTF-8 bytes are then in order too), and far
/// cheaper than one.
fn is_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut from = 0;
    for &b in needle {
        match hay.get(from..).and_then(|rest| memchr::memchr(b, rest)) {
            Some(i) => from += i + 1,
            None => return false,
        }
    }
    true
}

fn exact_score(text: &str, at: usize, chars: usize) -> i64 {
    let starts_word = text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    EXACT_CHAR * chars as i64 + if starts_word { WORD_START } else { 0 }
}

fn filter_passes(filter: &Filter, doc: &Doc, facet: &Facet) -> bool {
    let has = |ids: &[String], id: &str| ids.iter().any(|x| x.eq_ignore_ascii_case(id));
    match filter {
        Filter::Is(status) => facet.status == *status,
        Filter::Region(id) => has(&facet.region, id),
        Filter::Theme(id) => has(&facet.theme, id),
        Filter::Rel(id) => facet
            .reliability
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(id)),
        // Tested by the plan, which knows the labels' numbers.
        Filter::Sug(_) => true,
        Filter::Src(domain) => src_matches(&doc.src, domain),
        Filter::By(name) => has(&facet.reviewers, name),
        Filter::Changed => facet.changed,
        Filter::Copy => facet.copies,
        Filter::Mine => !facet.not_mine,
    }
}

/// `src:X` matches when X is a run of whole parts of the source: bounded on both
/// sides by the ends or by ASCII punctuation or spaces. So `bbc` and `co.uk` match
/// `news.bbc.co.uk`, `global` matches `global research`, and `rt` matches `rt.com`
/// but neither `art.com` nor `reuters`.
fn src_matches(src: &str, domain: &str) -> bool {
    let bytes = src.as_bytes();
    let boundary = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii() && !b.is_ascii_alphanumeric());
    memmem::find_iter(bytes, domain.as_bytes()).any(|at| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        boundary(before) && boundary(bytes.get(at + domain.len()))
    })
}

/// About [`SNIPPET_CHARS`] characters of `paragraph` around byte `at`, starting at a
/// word when it can, with `…` where it was cut and whitespace shown as spaces.
fn snippet(paragraph: &str, at: usize) -> String {
    let at = (0..=at.min(paragraph.len()))
        .rev()
        .find(|&i| paragraph.is_char_boundary(i))
        .unwrap_or(0);
    let mut begin = paragraph[..at]
        .char_indices()
        .rev()
        .nth(SNIPPET_LEAD - 1)
        .map_or(0, |(i, _)| i);
    if begin > 0
        && let Some(space) = paragraph[begin..at].find(char::is_whitespace)
    {
        begin += space + 1;
    }
    let end = paragraph[begin..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(paragraph.len(), |(i, _)| begin + i);
    let mut out = String::with_capacity(end - begin + 8);
    if begin > 0 {
        out.push('…');
    }
    out.extend(
        paragraph[begin..end]
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c }),
    );
    if end < paragraph.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Article;
    use crate::domain::Status;
    use crate::search::parse;
    use proptest::prelude::*;

    fn doc(title: &str, body: &[&str]) -> Arc<Doc> {
        Arc::new(Doc {
            title: title.into(),
            side: String::new(),
            src: String::new(),
            article: Some(Arc::new(Article {
                body: body.iter().map(|p| p.to_string()).collect(),
                ..Default::default()
            })),
            ..Doc::default()
        })
    }

    fn never() -> impl Fn() -> bool + Sync {
        || false
    }

    fn run(docs: &[Arc<Doc>], facets: &[Facet], text: &str) -> Vec<Hit> {
        let query = parse(text).expect("test query parses");
        search(docs, facets, &query, None, &never()).expect("not cancelled")
    }

    fn entries(hits: &[Hit]) -> Vec<usize> {
        hits.iter().map(|h| h.entry).collect()
    }

    /// The highlighted parts of the title, joined by `|`.
    fn highlighted(title: &str, hit: &Hit) -> String {
        byte_ranges(title, &hit.title_chars)
            .into_iter()
            .map(|r| &title[r])
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn a_title_match_ranks_above_a_body_only_match() {
        let docs = [
            doc("Weather report", &["The pipeline was closed for repairs."]),
            doc("Gas pipeline deal signed", &["Nothing to see."]),
        ];
        let hits = run(&docs, &[], "pipeline");
        assert_eq!(entries(&hits), [1, 0]);
        assert_eq!(hits[0].body_line, None);
        assert_eq!(
            hits[1].body_line.as_deref(),
            Some("The pipeline was closed for repairs.")
        );
        assert!(hits[1].title_chars.is_empty());
    }

    #[test]
    fn a_body_only_match_shows_no_score_and_a_title_match_its_own() {
        let docs = [
            doc("Weather report", &["The pipeline was closed for repairs."]),
            doc("Gas pipeline deal signed", &["Nothing to see."]),
            doc("Pipeline week", &["The Gulf states met."]),
        ];
        let hits = run(&docs, &[], "pipeline");
        assert_eq!(entries(&hits), [2, 1, 0]);
        assert_eq!(hits[0].shown_score(), Some(hits[0].score));
        assert!(hits[0].score > 0 && hits[1].score > 0);
        assert_eq!(hits[2].shown_score(), None);
        // A title-side term does not make a hit whose other term is in the body
        // only a title match.
        let hits = run(&docs, &[], "pipeline gulf");
        assert_eq!(entries(&hits), [2]);
        assert_eq!(hits[0].shown_score(), None);
    }

    #[test]
    fn body_matching_ignores_case_and_never_matches_fuzzily() {
        let docs = [
            doc("A", &["PIPELINE explosion"]),
            doc("B", &["pipes in line"]),
        ];
        assert_eq!(entries(&run(&docs, &[], "pipeline")), [0]);
    }

    #[test]
    fn a_compact_match_counts_and_a_scattered_one_does_not() {
        let docs = [
            doc("Sudan and Nicaragua cut ties now", &[]),
            doc("New sanctions on Iran", &[]),
            doc("Sanctions bite", &[]),
        ];
        // The letters of "sanctn" are all in the first title, spread over it: that
        // is no match, or it would outrank articles that really say "sanctions".
        let hits = run(&docs, &[], "sanctn");
        assert_eq!(entries(&hits), [2, 1]);
        assert!(
            hits[0].score > hits[1].score,
            "a match at the title's start ranks first"
        );
        // Up to three letters match as a substring only.
        let short = [
            doc("New York Times", &[]),
            doc("Danish weekly Nyt Tid", &[]),
        ];
        assert_eq!(entries(&run(&short, &[], "nyt")), [1]);
        // Exact matches at word starts score alike: inbox order.
        let hits = run(&docs, &[], "'sanction");
        assert_eq!(entries(&hits), [1, 2]);
        assert_eq!(highlighted(&docs[1].title, &hits[0]), "sanction");
    }

    #[test]
    fn every_term_must_match_somewhere() {
        let docs = [
            doc("Oil prices fall", &["The Gulf states met."]),
            doc("Oil prices rise", &["Nobody met."]),
            doc("Gulf summit", &[]),
        ];
        assert_eq!(entries(&run(&docs, &[], "oil gulf")), [0]);
    }

    #[test]
    fn filters_combine() {
        let docs: Vec<_> = (0..4).map(|i| doc(&format!("Story {i}"), &[])).collect();
        let facet = |status, region: &[&str]| Facet {
            status,
            region: region.iter().map(|r| r.to_string()).collect(),
            ..Facet::default()
        };
        let facets = [
            facet(Status::Done, &["mena"]),
            facet(Status::Done, &["europe"]),
            facet(Status::Todo, &["mena"]),
            facet(Status::Done, &["europe", "mena"]),
        ];
        assert_eq!(entries(&run(&docs, &facets, "is:done region:mena")), [0, 3]);
        assert_eq!(
            entries(&run(&docs, &facets, "is:done region:mena story 3")),
            [3]
        );
        assert_eq!(entries(&run(&docs, &facets, "is:todo")), [2]);
    }

    #[test]
    fn the_other_filters_test_their_field() {
        let mut docs: Vec<Arc<Doc>> = Vec::new();
        for src in ["rt.com", "news.bbc.co.uk", "art.com", "global research"] {
            docs.push(Arc::new(Doc {
                title: "t".into(),
                src: src.into(),
                ..Doc::default()
            }));
        }
        let facets = [
            Facet {
                reliability: Some("unreliable".into()),
                reviewers: vec!["alice".into()].into(),
                ..Facet::default()
            },
            Facet {
                theme: vec!["energy".into()].into(),
                changed: true,
                reviewers: vec!["alice".into(), "Bob".into()].into(),
                ..Facet::default()
            },
            Facet::default(),
        ];
        assert_eq!(entries(&run(&docs, &facets, "src:rt")), [0]);
        assert_eq!(entries(&run(&docs, &facets, "src:bbc")), [1]);
        assert_eq!(entries(&run(&docs, &facets, "src:co.uk")), [1]);
        assert_eq!(entries(&run(&docs, &facets, "src:global")), [3]);
        assert_eq!(entries(&run(&docs, &facets, "rel:unreliable")), [0]);
        assert_eq!(entries(&run(&docs, &facets, "theme:energy")), [1]);
        assert_eq!(entries(&run(&docs, &facets, "by:bob")), [1]);
        assert_eq!(entries(&run(&docs, &facets, "by:alice")), [0, 1]);
        assert_eq!(entries(&run(&docs, &facets, "changed:")), [1]);
        // The fourth doc has no facet: it counts as undecided.
        assert_eq!(entries(&run(&docs, &facets, "is:todo")), [0, 1, 2, 3]);
    }

    #[test]
    fn negated_terms_exclude_title_side_and_body() {
        let docs = [
            doc("Syria talks", &["Sputnik says."]),
            doc("Syria talks", &["Reuters says."]),
            doc("Sputnik: Syria", &[]),
            doc("The Syria file", &[]),
        ];
        assert_eq!(entries(&run(&docs, &[], "syria !sputnik")), [1, 3]);
        assert_eq!(entries(&run(&docs, &[], "syria !^the")), [0, 1, 2]);
        assert_eq!(entries(&run(&docs, &[], "syria !talks$")), [2, 3]);
    }

    #[test]
    fn terms_shorter_than_three_characters_never_look_in_bodies() {
        // "xi" is in "taxi" and "rt" in "report": as body matches they are noise.
        let docs = [
            doc("Xi meets Biden", &[]),
            doc("Taxi drivers strike", &["A taxi report."]),
            doc("Fares rise", &["The taxi report came out."]),
        ];
        assert_eq!(entries(&run(&docs, &[], "xi")), [0, 1]);
        assert_eq!(entries(&run(&docs, &[], "'xi")), [0, 1]);
        assert_eq!(entries(&run(&docs, &[], "!rt")), [0, 1, 2]);
        assert_eq!(entries(&run(&docs, &[], "taxi")), [1, 2]);
        let query = parse("xi taxi").expect("parses");
        let body: Paragraphs = ["xi taxi"].into_iter().collect();
        assert_eq!(query.body_matches(&body), [(0, 3..7)]);
    }

    #[test]
    fn prefix_and_suffix_hold_on_the_title() {
        let docs = [doc("Russia backs Syria", &[]), doc("Syria and Russia", &[])];
        let hits = run(&docs, &[], "^russia");
        assert_eq!(entries(&hits), [0]);
        assert_eq!(highlighted(&docs[0].title, &hits[0]), "Russia");
        let hits = run(&docs, &[], "russia$");
        assert_eq!(entries(&hits), [1]);
        assert_eq!(highlighted(&docs[1].title, &hits[0]), "Russia");
    }

    #[test]
    fn side_text_and_label_names_match_without_highlighting_the_title() {
        let docs = [
            Arc::new(Doc {
                title: "Talks resume".into(),
                side: "Global Research 000_466b.txt".into(),
                ..Doc::default()
            }),
            Arc::new(Doc {
                title: "Talks stall".into(),
                ..Doc::default()
            }),
        ];
        let facets = [
            Facet::default(),
            Facet {
                label_names: "Middle East & North Africa".into(),
                ..Facet::default()
            },
        ];
        let hits = run(&docs, &facets, "globres");
        assert_eq!(entries(&hits), [0]);
        assert!(hits[0].title_chars.is_empty());
        assert_eq!(entries(&run(&docs, &facets, "'north africa")), [1]);
        assert_eq!(entries(&run(&docs, &facets, "txt$")), [0]);
    }

    #[test]
    fn sug_finds_what_was_suggested_and_a_bare_label_finds_labeled_or_suggested() {
        let taxonomy = crate::labels::Taxonomy::default();
        let labels = Arc::new(Labels::new(&taxonomy));
        let suggested = |title: &str, ids: &[(crate::labels::Axis, &str)]| {
            let numbers = ids
                .iter()
                .filter_map(|&(axis, id)| super::super::label_number(&taxonomy, axis, id));
            Arc::new(Doc {
                title: title.into(),
                suggested: LabelSet::from_numbers(numbers),
                ..Doc::default()
            })
        };
        use crate::labels::Axis::{Region, Theme};
        let docs = [
            suggested("Talks in Vienna", &[(Region, "mena")]),
            suggested("Pipeline deal", &[(Region, "europe"), (Theme, "energy")]),
            suggested("Talks in Geneva", &[]),
            suggested("Menace of floods", &[]),
        ];
        let facets = [
            Facet::default(),
            Facet::default(),
            // Labeled mena by this reviewer, with nothing suggested.
            Facet {
                region: vec!["mena".into()].into(),
                label_names: "mena Middle East & North Africa".into(),
                ..Facet::default()
            },
            Facet::default(),
        ];
        let find = |text: &str| {
            let query = parse(text)
                .expect("parses")
                .with_labels(Arc::clone(&labels));
            let mut found = entries(&search(&docs, &facets, &query, None, &never()).expect("runs"));
            found.sort_unstable();
            found
        };
        // `sug:` is what the tool suggested, on any axis; `region:` is what you chose.
        assert_eq!(find("sug:mena"), [0]);
        assert_eq!(find("sug:energy"), [1]);
        assert_eq!(find("sug:MENA"), [0]);
        assert_eq!(find("sug:atlantis"), Vec::<usize>::new());
        assert_eq!(find("region:mena"), [2]);
        // A bare id or name finds both, and the titles that match it as ever.
        assert_eq!(find("mena"), [0, 2, 3]);
        assert_eq!(find("middle east"), [0, 2]);
        assert_eq!(find("'oil"), [1]);
        assert_eq!(find("talks !mena"), Vec::<usize>::new());
        assert_eq!(find("talks mena"), [0, 2]);
        // Without the labels, a query sees no suggestions.
        assert_eq!(
            entries(&run(&docs, &facets, "sug:mena")),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn equal_scores_keep_inbox_order() {
        let docs: Vec<_> = (0..6000)
            .map(|i| doc(if i % 3 == 0 { "Oil deal" } else { "Gas deal" }, &[]))
            .collect();
        let hits = run(&docs, &[], "deal");
        assert_eq!(hits.len(), 6000);
        assert!(hits.windows(2).all(|w| w[0].entry < w[1].entry));
        let hits = run(&docs, &[], "oil");
        assert_eq!(entries(&hits), (0..6000).step_by(3).collect::<Vec<_>>());
    }

    #[test]
    fn the_empty_query_lists_everything_in_inbox_order() {
        let docs = [doc("b", &[]), doc("a", &[])];
        let hits = run(&docs, &[], "");
        assert_eq!(entries(&hits), [0, 1]);
    }

    #[test]
    fn accented_cyrillic_and_cjk_titles_highlight_the_matched_characters() {
        let table = [
            ("Grève à Besançon", "besançon", "Besançon"),
            ("Grève à Besançon", "'ANÇ", "anç"),
            ("Транзит газа через Молдову", "молдову", "Молдову"),
            ("Транзит газа через Молдову", "^транзит", "Транзит"),
            ("東京の選挙", "選挙", "選挙"),
            ("東京の選挙", "東京選挙", "東京|選挙"),
        ];
        for (title, query, expected) in table {
            let docs = [doc(title, &[])];
            let hits = run(&docs, &[], query);
            assert_eq!(hits.len(), 1, "{query} finds {title}");
            assert_eq!(highlighted(title, &hits[0]), expected, "{query} in {title}");
        }
    }

    #[test]
    fn non_ascii_body_terms_match_lowercase_capitalised_and_uppercase() {
        let docs = [
            doc("a", &["Газ идёт через Молдову."]),
            doc("b", &["ГАЗ И МОЛДОВУ"]),
            doc("c", &["молдову"]),
            doc("d", &["мОЛДОВУ"]),
        ];
        assert_eq!(entries(&run(&docs, &[], "молдову")), [0, 1, 2]);
    }

    #[test]
    fn byte_ranges_merge_neighbours_and_ignore_strays() {
        let text = "aé東b";
        assert_eq!(byte_ranges(text, &[0, 1, 2]), vec![0..6]);
        assert_eq!(byte_ranges(text, &[3, 1, 1, 99]), [1..3, 6..7]);
        assert!(byte_ranges(text, &[]).is_empty());
    }

    #[test]
    fn a_cancelled_search_returns_nothing() {
        let docs: Vec<_> = (0..10).map(|i| doc(&format!("t{i}"), &[])).collect();
        let query = parse("t").expect("parses");
        assert_eq!(search(&docs, &[], &query, None, &|| true), None);
        let big: Vec<_> = (0..20_000).map(|i| doc(&format!("t{i}"), &[])).collect();
        assert_eq!(search(&big, &[], &query, None, &|| true), None);
        assert_eq!(search(&[], &[], &query, None, &|| true), None);
    }

    #[test]
    fn a_search_cancelled_midway_stops() {
        let docs: Vec<_> = (0..50_000).map(|i| doc(&format!("t{i}"), &[])).collect();
        let query = parse("t").expect("parses");
        let polls = AtomicUsize::new(0);
        let cancel_after_three = || polls.fetch_add(1, Ordering::Relaxed) >= 3;
        assert_eq!(search(&docs, &[], &query, None, &cancel_after_three), None);
        assert!(polls.load(Ordering::Relaxed) < 50_000 / BLOCK);
    }

    #[test]
    fn within_restricts_the_search_to_earlier_results() {
        let docs: Vec<_> = (0..10).map(|i| doc(&format!("oil {i}"), &[])).collect();
        let query = parse("oil").expect("parses");
        let hits = search(&docs, &[], &query, Some(&[7, 2, 99, 2]), &never()).expect("runs");
        assert_eq!(entries(&hits), [2, 7]);
    }

    #[test]
    fn a_narrowed_search_within_old_results_equals_a_full_search() {
        let docs = [
            doc("Sanctions on Iran", &["The pipeline deal."]),
            doc("Santa visits", &["Pipelines everywhere"]),
            doc("Nothing", &["pipe"]),
            doc("Pipeline politics", &[]),
        ];
        for (older, newer) in [("san", "sanc"), ("pip", "pipel"), ("pipe", "pipe 'deal")] {
            let older_q = parse(older).expect("parses");
            let newer_q = parse(newer).expect("parses");
            assert!(newer_q.narrows(&older_q));
            let first = search(&docs, &[], &older_q, None, &never()).expect("runs");
            let previous: Vec<usize> = first.iter().map(|h| h.entry).collect();
            let narrowed = search(&docs, &[], &newer_q, Some(&previous), &never());
            let full = search(&docs, &[], &newer_q, None, &never());
            assert_eq!(narrowed, full, "{older} -> {newer}");
        }
    }

    #[test]
    fn the_body_line_is_cut_around_the_match() {
        let long = format!("{} pipeline {}", "word ".repeat(40), "more ".repeat(60));
        let docs = [doc("t", &["no match here", &long])];
        let hits = run(&docs, &[], "pipeline");
        let line = hits[0].body_line.clone().expect("a body line");
        assert!(line.starts_with('…') && line.ends_with('…'), "{line}");
        assert!(line.contains("pipeline"));
        assert!(line.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn the_body_line_prefers_the_paragraph_with_most_terms() {
        let docs = [doc("t", &["gas only", "oil only", "gas and oil\ntogether"])];
        let hits = run(&docs, &[], "gas oil");
        assert_eq!(hits[0].body_line.as_deref(), Some("gas and oil together"));
    }

    #[test]
    fn body_matches_lists_every_occurrence_for_the_reader() {
        let query = parse("oil 'gas !coal ^x").expect("parses");
        let body: Paragraphs = ["Oil and GAS.", "no", "oil oil"].into_iter().collect();
        let found = query.body_matches(&body);
        assert_eq!(found, [(0, 0..3), (0, 8..11), (2, 0..3), (2, 4..7)]);
    }

    #[test]
    fn the_needle_finds_words_whatever_their_ascii_case() {
        for simd in [true, false] {
            let needle = Needle::build("pipeline", simd).expect("builds");
            assert_eq!(needle.find("The PipeLine and the pipeline"), Some(4));
            assert!(needle.is_match("PIPELINE"));
            assert!(!needle.is_match("pipe line"));
            assert!(!needle.is_match("pipelin"));
            let spaced = Needle::build("new york", simd).expect("builds");
            assert_eq!(spaced.find("In New York today"), Some(3));
            let cyrillic = Needle::build("молдову", simd).expect("builds");
            assert!(cyrillic.is_match("через Молдову"));
            assert!(cyrillic.is_match("ЧЕРЕЗ МОЛДОВУ"));
            assert!(!cyrillic.is_match("через Молдавию"));
        }
        assert!(Needle::new("").is_none());
    }

    #[test]
    fn a_needle_window_skips_common_letters() {
        assert_eq!(rarest_window(b"the quiz"), 5);
        assert_eq!(rarest_window(b"ab"), 0);
        assert_eq!(ascii_case_forms(b"a1b").len(), 4);
        assert_eq!(ascii_case_forms(b"\xd0\x9c").len(), 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn the_needle_agrees_with_lowercasing_everything(
            word in "[a-zA-Z ]{1,6}",
            hay in "[a-zA-Zé ]{0,80}",
        ) {
            let lowered = word.to_ascii_lowercase();
            let expected = hay.to_ascii_lowercase().find(&lowered);
            for simd in [true, false] {
                let needle = Needle::build(&lowered, simd).expect("builds");
                prop_assert_eq!(needle.find(&hay), expected);
            }
        }

        #[test]
        fn search_never_panics(
            query in "[!'^$: a-zA-Zé東\\\\]{0,16}",
            titles in proptest::collection::vec("\\PC{0,30}", 0..8),
            body in "\\PC{0,60}",
        ) {
            let docs: Vec<_> = titles.iter().map(|t| doc(t, &[body.as_str()])).collect();
            if let Ok(query) = parse(&query) {
                let hits = search(&docs, &[], &query, None, &never()).expect("not cancelled");
                for hit in hits {
                    let title = &docs[hit.entry].title;
                    for range in byte_ranges(title, &hit.title_chars) {
                        prop_assert!(title.get(range).is_some());
                    }
                }
            }
        }
    }
}
