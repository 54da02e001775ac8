//! What sets one copy of a story apart from another, for the reader to mark.

use super::text;
use crate::article::Article;

/// How one copy differs from another: the differences a reader cares about
/// ("another title", "a missing paragraph"), not a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Differences {
    /// The titles differ once case, punctuation and a re-publisher's tags
    /// (`EXCLUSIVE:`, `(VIDEO)`, `| Site`) are left aside.
    pub title: bool,
    /// Paragraphs of the other copy that this one lacks.
    pub missing: usize,
    /// Paragraphs of this copy that the other lacks (an editor's note, say).
    pub extra: usize,
}

impl Differences {
    /// True when the copies tell the story in the same words under the same title.
    pub fn is_empty(&self) -> bool {
        *self == Differences::default()
    }
}

/// How `this` differs from `other`. Paragraphs are compared by their words, ignoring
/// case, punctuation and spacing, and each is looked for anywhere in the other copy's
/// body, so that formats that split paragraphs differently do not count; a
/// paragraph counts as present when at least 70% of its four-word runs are found (a
/// few changed words do not make it another paragraph).
pub fn differences(this: &Article, other: &Article) -> Differences {
    let this_words = text::body_words(this);
    let other_words = text::body_words(other);
    Differences {
        title: text::title_words(&this.title) != text::title_words(&other.title),
        missing: absent(other, &this_words),
        extra: absent(this, &other_words),
    }
}

/// How many paragraphs of `article` are not found in the text of `words`.
fn absent(article: &Article, words: &[u64]) -> usize {
    let all = text::shingles(words);
    let mut count = 0;
    let mut p_words = Vec::new();
    for p in article.body.iter() {
        p_words.clear();
        text::push_words(p, &mut p_words);
        if p_words.is_empty() {
            continue;
        }
        let found = if p_words.len() < text::SHINGLE {
            words
                .windows(p_words.len())
                .any(|w| w == p_words.as_slice())
        } else {
            let mine = text::shingles(&p_words);
            let common = text::count_common(&mine, &all);
            common * 10 >= mine.len() * 7
        };
        if !found {
            count += 1;
        }
    }
    count
}
