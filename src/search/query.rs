//! The search prompt's language: fzf's extended syntax plus field filters.
//!
//! A query is space-separated tokens, all of which must hold:
//!
//! | token | meaning |
//! | --- | --- |
//! | `word` | fuzzy match on title, side text, label ids and names (this reviewer's and the suggested ones), else a substring of the body |
//! | `'word` | case-insensitive substring of title, side text, label names or body |
//! | `^word` | the title (or side text) starts with it |
//! | `word$` | the title (or side text) ends with it |
//! | `^word$` | both of the above (no separate "equals" kind) |
//! | `!word`, `!'word` | no substring of title, side text, label names or body |
//! | `!^word`, `!word$` | the title does not start / end with it |
//! | `is:S` | status; `S` is `todo`, `done`, `skipped` or `flagged`, or any prefix of one (`is:d`) |
//! | `is:copy` | the article has copies (the same story published again elsewhere; `is:c`) |
//! | `is:mine` | the article is assigned to this reviewer in `assignments.toml`; every article when the inbox has none (`is:m`) |
//! | `region:ID` `theme:ID` `rel:ID` | this reviewer's labels, by id (what was chosen, never what was suggested) |
//! | `sug:ID` | a label suggested for the article (from its own tags or its source list entry), on any axis, whatever was chosen |
//! | `src:DOMAIN` | the source, as whole dot-separated parts: `src:bbc` matches `bbc.co.uk` and `news.bbc.co.uk`, not `abbc.com` |
//! | `by:NAME` | some reviewer has a sidecar for the article |
//! | `changed:` | the article changed since this reviewer decided |
//!
//! `\ ` puts a space inside a token. Everything is lowercased, so matching ignores case.
//!
//! The prompt parses on every keystroke, so half-typed input is never an error: a
//! filter with no value yet (`region:`) and a bare operator at the very end (`'`,
//! `!^`) are simply ignored until more is typed. Errors are kept for input that is
//! wrong whatever comes next: a finished bare operator, a status that no status starts
//! with, a negated filter, or an unknown `name:value` — an all-letters name followed
//! directly by a letter or digit. Any other colon is ordinary text (`10:30`, `re:`,
//! `http://…`), and quoting makes a filter-looking word plain text (`'is:done`).

use std::sync::Arc;

use super::labels::Labels;
use crate::domain::Status;
use crate::fold::fold;

/// How a term compares with the text it is matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    /// Characters in order, gaps allowed (skim's algorithm); a plain substring in bodies.
    Fuzzy,
    /// `'word`: a case-insensitive substring.
    Exact,
    /// `^word`: the text starts with the word.
    Prefix,
    /// `word$`: the text ends with the word.
    Suffix,
}

/// One word of the query that every matching article must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub kind: TermKind,
    /// Lowercased one character at a time, so that character positions in the
    /// lowercased text are those of the original (see [`crate::fold::fold_char`]).
    pub text: String,
    /// The article must *not* match. Negated terms never match fuzzily, as in fzf:
    /// `!word` is parsed with kind [`TermKind::Exact`].
    pub negated: bool,
}

/// A field filter: an exact test on metadata, never fuzzy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Is(Status),
    Region(String),
    Theme(String),
    Rel(String),
    /// A label suggested on any axis, by id.
    Sug(String),
    Src(String),
    By(String),
    Changed,
    /// The article is one of several copies of a story (`is:copy`).
    Copy,
    /// The article is assigned to this reviewer (`is:mine`).
    Mine,
}

/// A parsed query. The empty query matches every article, in inbox order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
    pub filters: Vec<Filter>,
    /// The taxonomy's labels, so that `sug:` and a plain term naming a label can look
    /// at what was suggested (see [`Query::with_labels`]); without them neither does.
    pub labels: Option<Arc<Labels>>,
}

/// Why a query cannot be run. Shown inline under the prompt, so each message is one
/// short sentence that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unknown filter `{0}:`; filters are is: region: theme: rel: sug: src: by: changed:")]
    UnknownFilter(String),
    #[error("is: takes todo, done, skipped, flagged, copy or mine, not `{0}`")]
    BadStatus(String),
    #[error("`changed:` takes no value")]
    ChangedTakesNoValue,
    #[error("a filter cannot be negated: remove the `!` before `{0}:`")]
    NegatedFilter(String),
    #[error("`{0}` needs a word after it")]
    BareOperator(String),
}

/// The filter names, in the order the error message lists them.
const FILTERS: [&str; 8] = [
    "is", "region", "theme", "rel", "sug", "src", "by", "changed",
];

/// Parses what the user typed at the search prompt.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let mut query = Query::default();
    for (token, finished) in tokens(text) {
        parse_token(&fold(&token), finished, &mut query)?;
    }
    Ok(query)
}

/// Splits on whitespace, honouring `\ ` as a space inside a token. The flag says
/// whether the token is finished (something follows it), as opposed to still being
/// typed at the end of the input.
fn tokens(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_whitespace()) {
            if let Some(space) = chars.next() {
                current.push(space);
            }
        } else if c.is_whitespace() {
            if !current.is_empty() {
                out.push((std::mem::take(&mut current), true));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push((current, false));
    }
    out
}

fn parse_token(token: &str, finished: bool, query: &mut Query) -> Result<(), QueryError> {
    let (negated, rest) = match token.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    if let Some(filter) = parse_filter(rest)? {
        if negated {
            let name = rest.split(':').next().unwrap_or_default();
            return Err(QueryError::NegatedFilter(name.to_string()));
        }
        if let FilterToken::Filter(filter) = filter {
            query.filters.push(filter);
        }
        return Ok(());
    }
    let (mut kind, word) = if let Some(word) = rest.strip_prefix('\'') {
        (TermKind::Exact, word)
    } else if let Some(word) = rest.strip_prefix('^') {
        (TermKind::Prefix, word)
    } else {
        (TermKind::Fuzzy, rest)
    };
    // `$` is the suffix operator only when something precedes it; alone it is text.
    let mut also_suffix = false;
    let word = match word.strip_suffix('$') {
        Some(stem) if !stem.is_empty() => {
            if kind == TermKind::Prefix {
                also_suffix = true;
            } else {
                kind = TermKind::Suffix;
            }
            stem
        }
        _ => word,
    };
    if word.is_empty() {
        if finished {
            let operator = &token[..token.len() - word.len()];
            return Err(QueryError::BareOperator(operator.to_string()));
        }
        return Ok(()); // still being typed
    }
    if negated && kind == TermKind::Fuzzy {
        kind = TermKind::Exact;
    }
    query.terms.push(Term {
        kind,
        text: word.to_string(),
        negated,
    });
    if also_suffix {
        query.terms.push(Term {
            kind: TermKind::Suffix,
            text: word.to_string(),
            negated,
        });
    }
    Ok(())
}

/// What a `name:value` token turned out to be.
enum FilterToken {
    Filter(Filter),
    /// A known filter whose value is not typed yet.
    Pending,
}

/// `Ok(None)` when the token is not a filter at all.
fn parse_filter(token: &str) -> Result<Option<FilterToken>, QueryError> {
    let Some((name, value)) = token.split_once(':') else {
        return Ok(None);
    };
    if !FILTERS.contains(&name) {
        let looks_like_filter = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphabetic())
            && value.chars().next().is_some_and(char::is_alphanumeric);
        return if looks_like_filter {
            Err(QueryError::UnknownFilter(name.to_string()))
        } else {
            Ok(None)
        };
    }
    if name == "changed" {
        return if value.is_empty() {
            Ok(Some(FilterToken::Filter(Filter::Changed)))
        } else {
            Err(QueryError::ChangedTakesNoValue)
        };
    }
    if value.is_empty() {
        return Ok(Some(FilterToken::Pending));
    }
    let value = value.to_string();
    let filter = match name {
        // No status starts with `c`, so `is:c` already means copies.
        "is" if "copy".starts_with(value.as_str()) || value == "copies" => Filter::Copy,
        // Nor with `m`.
        "is" if "mine".starts_with(value.as_str()) => Filter::Mine,
        "is" => Filter::Is(status_from_prefix(&value)?),
        "region" => Filter::Region(value),
        "theme" => Filter::Theme(value),
        "rel" => Filter::Rel(value),
        "sug" => Filter::Sug(value),
        "src" => Filter::Src(match value.strip_prefix("www.") {
            Some(domain) if !domain.is_empty() => domain.to_string(),
            _ => value,
        }),
        _ => Filter::By(value),
    };
    Ok(Some(FilterToken::Filter(filter)))
}

/// The four statuses start with different letters, so any prefix names at most one:
/// `is:d` already filters while `is:done` is being typed.
fn status_from_prefix(value: &str) -> Result<Status, QueryError> {
    [Status::Todo, Status::Done, Status::Skipped, Status::Flagged]
        .into_iter()
        .find(|s| s.as_str().starts_with(value))
        .ok_or_else(|| QueryError::BadStatus(value.to_string()))
}

impl Query {
    /// The query, able to match what was suggested for each article: `sug:ID`, and
    /// plain terms matching a label's id or name.
    pub fn with_labels(mut self, labels: Arc<Labels>) -> Query {
        self.labels = Some(labels);
        self
    }

    /// True when the query tests nothing, so every article matches in inbox order.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.filters.is_empty()
    }

    /// True when every article matching `self` (the longer, newer query) is certain to
    /// be among those matching `older`, so only `older`'s results need re-ranking.
    /// Each of `older`'s filters must still be there unchanged, and each of its terms
    /// unchanged or, for a positive fuzzy or exact term, contained in a term of the
    /// same kind (typing more letters), or for a positive prefix term, extended at its
    /// end. Growing a negated term, a suffix or a filter value is not narrowing: it can
    /// let in articles the older query excluded.
    pub fn narrows(&self, older: &Query) -> bool {
        older.filters.iter().all(|f| self.filters.contains(f))
            && older
                .terms
                .iter()
                .all(|old| self.terms.iter().any(|new| term_narrows(new, old)))
    }
}

/// Whether matching `new` implies matching `old`. For fuzzy terms containment is
/// needed, not just order: a body matches a fuzzy term as a substring, and a body
/// containing "abc" contains "ab" and "bc" but not necessarily "ac".
fn term_narrows(new: &Term, old: &Term) -> bool {
    if new == old {
        return true;
    }
    if new.kind != old.kind || new.negated || old.negated {
        return false;
    }
    match new.kind {
        TermKind::Fuzzy | TermKind::Exact => new.text.contains(old.text.as_str()),
        TermKind::Prefix => new.text.starts_with(old.text.as_str()),
        TermKind::Suffix => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fuzzy(text: &str) -> Term {
        Term {
            kind: TermKind::Fuzzy,
            text: text.into(),
            negated: false,
        }
    }

    fn term(kind: TermKind, text: &str, negated: bool) -> Term {
        Term {
            kind,
            text: text.into(),
            negated,
        }
    }

    fn q(terms: Vec<Term>, filters: Vec<Filter>) -> Query {
        Query {
            terms,
            filters,
            labels: None,
        }
    }

    #[test]
    fn queries_parse_into_terms_and_filters() {
        use TermKind::*;
        let table: Vec<(&str, Query)> = vec![
            ("", Query::default()),
            ("   ", Query::default()),
            ("Oil  Gulf", q(vec![fuzzy("oil"), fuzzy("gulf")], vec![])),
            ("'Putin", q(vec![term(Exact, "putin", false)], vec![])),
            ("^russia", q(vec![term(Prefix, "russia", false)], vec![])),
            ("isis$", q(vec![term(Suffix, "isis", false)], vec![])),
            ("'isis$", q(vec![term(Suffix, "isis", false)], vec![])),
            (
                "^syria$",
                q(
                    vec![term(Prefix, "syria", false), term(Suffix, "syria", false)],
                    vec![],
                ),
            ),
            ("!rt", q(vec![term(Exact, "rt", true)], vec![])),
            ("!'rt", q(vec![term(Exact, "rt", true)], vec![])),
            ("!^the", q(vec![term(Prefix, "the", true)], vec![])),
            ("!war$", q(vec![term(Suffix, "war", true)], vec![])),
            ("$", q(vec![fuzzy("$")], vec![])),
            ("$5bn", q(vec![fuzzy("$5bn")], vec![])),
            ("new\\ york", q(vec![fuzzy("new york")], vec![])),
            ("BESANÇON", q(vec![fuzzy("besançon")], vec![])),
            ("МОСКВА", q(vec![fuzzy("москва")], vec![])),
            ("is:done", q(vec![], vec![Filter::Is(Status::Done)])),
            ("IS:Flagged", q(vec![], vec![Filter::Is(Status::Flagged)])),
            ("is:s", q(vec![], vec![Filter::Is(Status::Skipped)])),
            (
                "is:done region:mena",
                q(
                    vec![],
                    vec![Filter::Is(Status::Done), Filter::Region("mena".into())],
                ),
            ),
            (
                "theme:war-conflict rel:unreliable",
                q(
                    vec![],
                    vec![
                        Filter::Theme("war-conflict".into()),
                        Filter::Rel("unreliable".into()),
                    ],
                ),
            ),
            ("sug:MENA", q(vec![], vec![Filter::Sug("mena".into())])),
            (
                "src:www.rt.com",
                q(vec![], vec![Filter::Src("rt.com".into())]),
            ),
            ("by:Alice", q(vec![], vec![Filter::By("alice".into())])),
            ("changed:", q(vec![], vec![Filter::Changed])),
            ("is:copy", q(vec![], vec![Filter::Copy])),
            ("is:c", q(vec![], vec![Filter::Copy])),
            ("IS:Copies", q(vec![], vec![Filter::Copy])),
            ("is:mine", q(vec![], vec![Filter::Mine])),
            ("is:m", q(vec![], vec![Filter::Mine])),
            // Half-typed input is quietly ignored.
            ("region:", Query::default()),
            ("oil '", q(vec![fuzzy("oil")], vec![])),
            ("oil !^", q(vec![fuzzy("oil")], vec![])),
            // Colons that are not filters are text.
            ("10:30", q(vec![fuzzy("10:30")], vec![])),
            ("re:", q(vec![fuzzy("re:")], vec![])),
            ("region2:x", q(vec![fuzzy("region2:x")], vec![])),
            ("foo:-", q(vec![fuzzy("foo:-")], vec![])),
            ("http://rt.com", q(vec![fuzzy("http://rt.com")], vec![])),
            ("'is:done", q(vec![term(Exact, "is:done", false)], vec![])),
            (
                "gas is:todo",
                q(vec![fuzzy("gas")], vec![Filter::Is(Status::Todo)]),
            ),
        ];
        for (input, expected) in table {
            assert_eq!(parse(input), Ok(expected), "input {input:?}");
        }
    }

    #[test]
    fn malformed_queries_get_a_message() {
        let table: Vec<(&str, QueryError)> = vec![
            ("foo:bar", QueryError::UnknownFilter("foo".into())),
            ("is:maybe", QueryError::BadStatus("maybe".into())),
            ("changed:yes", QueryError::ChangedTakesNoValue),
            ("!is:done", QueryError::NegatedFilter("is".into())),
            ("' oil", QueryError::BareOperator("'".into())),
            ("!^ oil", QueryError::BareOperator("!^".into())),
            ("! oil", QueryError::BareOperator("!".into())),
        ];
        for (input, expected) in table {
            assert_eq!(parse(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn error_messages_are_one_short_sentence() {
        let unknown = parse("foo:bar").expect_err("unknown filter");
        assert_eq!(
            unknown.to_string(),
            "unknown filter `foo:`; filters are is: region: theme: rel: sug: src: by: changed:"
        );
        let status = parse("is:x").expect_err("bad status");
        assert_eq!(
            status.to_string(),
            "is: takes todo, done, skipped, flagged, copy or mine, not `x`"
        );
        let bare = parse("' x").expect_err("bare quote");
        assert_eq!(bare.to_string(), "`'` needs a word after it");
    }

    #[test]
    fn typing_one_more_letter_narrows() {
        let narrows = |newer: &str, older: &str| {
            let newer = parse(newer).expect("newer parses");
            let older = parse(older).expect("older parses");
            newer.narrows(&older)
        };
        let table: Vec<(&str, &str, bool)> = vec![
            ("sanc", "san", true),
            ("san", "", true),
            ("sanc oil", "sanc", true),
            ("oil sanc", "sanc", true),
            ("xsanc", "sanc", true),
            ("'sanc", "'san", true),
            ("^sanc", "^san", true),
            ("is:done oil", "oil", true),
            ("oil is:done", "is:done", true),
            ("oil", "oil", true),
            // Not narrowing:
            ("san", "sanc", false),
            ("sac", "sc", false),
            ("'sanc", "sanc", false),
            ("x^san", "^san", false),
            ("isis$", "sis$", false),
            ("!rta", "!rt", false),
            ("region:mena", "region:me", false),
            ("oil", "oil is:done", false),
            ("", "oil", false),
        ];
        for (newer, older, expected) in table {
            assert_eq!(
                narrows(newer, older),
                expected,
                "{newer:?} narrows {older:?}"
            );
        }
    }

    #[test]
    fn the_empty_query_is_empty_and_a_pending_filter_keeps_it_so() {
        assert!(parse("").expect("parses").is_empty());
        assert!(parse("region: '").expect("parses").is_empty());
        assert!(!parse("changed:").expect("parses").is_empty());
    }

    proptest! {
        #[test]
        fn any_text_parses_or_errors_without_panicking(text in "\\PC{0,40}") {
            let _ = parse(&text);
        }

        #[test]
        fn operator_soup_parses_or_errors(text in "[!'^$: a-zA-Z\\\\]{0,30}") {
            if let Ok(query) = parse(&text) {
                prop_assert!(query.narrows(&query));
                for t in &query.terms {
                    prop_assert!(!t.text.is_empty());
                }
            }
        }
    }
}
