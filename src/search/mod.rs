//! Finding articles: every term of a query must match.
//!
//! Titles, sources and file names match fuzzily (fuzzy-matcher's skim algorithm);
//! bodies match as a case-insensitive substring of each term, because fuzzy matching
//! over a whole body matches almost anything and so ranks nothing. Title matches rank
//! above body-only matches; ties keep inbox order.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::labels::{Axis, Taxonomy};
use crate::store::Entry;

/// The rows that match `query`, best first, as indexes into `entries`.
pub fn rank(entries: &[Entry], taxonomy: &Taxonomy, query: &str) -> Vec<usize> {
    let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if terms.is_empty() {
        return (0..entries.len()).collect();
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut scored: Vec<(i64, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| score(&matcher, e, taxonomy, &terms).map(|s| (s, i)))
        .collect();
    // Stable sort: equal scores keep inbox order.
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// Title-side matches score above any body-only match.
const TITLE_BONUS: i64 = 1 << 20;

fn score(
    matcher: &SkimMatcherV2,
    entry: &Entry,
    taxonomy: &Taxonomy,
    terms: &[String],
) -> Option<i64> {
    let mut haystack = String::new();
    haystack.push_str(entry.title());
    if let Ok(a) = &entry.article {
        for part in a
            .source
            .iter()
            .chain(a.publisher.iter())
            .chain(a.authors.iter())
        {
            haystack.push(' ');
            haystack.push_str(part);
        }
    }
    haystack.push(' ');
    haystack.push_str(&entry.rel.to_string_lossy());
    if let Some(s) = entry.mine.sidecar() {
        for axis in Axis::ALL {
            for id in s.decision.labels(axis) {
                haystack.push(' ');
                haystack.push_str(taxonomy.name_of(axis, id));
            }
        }
    }
    let body = entry
        .article
        .as_ref()
        .ok()
        .map(|a| a.body.join("\n").to_lowercase());
    let mut total = 0;
    for term in terms {
        if let Some(s) = matcher.fuzzy_match(&haystack, term) {
            total += TITLE_BONUS + s;
        } else if body.as_deref().is_some_and(|b| b.contains(term.as_str())) {
            total += 1;
        } else {
            return None;
        }
    }
    Some(total)
}
