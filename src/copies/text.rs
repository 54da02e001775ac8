//! The text the grouping compares: words, word shingles and titles, normalised so
//! that what a format, a header or a re-casing changes does not count.

use crate::article::Article;

/// Words per shingle. Four words: one changed word spoils four shingles, so a few
/// edits leave most of a story's shingles intact, while two different stories on
/// one event share few runs of four words beyond a quoted sentence.
pub(crate) const SHINGLE: usize = 4;

/// splitmix64's finaliser: spreads a hash over all 64 bits, so that the smallest
/// values of a set are a fair sample of it.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a word's folded characters (letters and digits only); ASCII words,
/// nearly all of them, byte by byte.
fn word_hash(word: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    if word.is_ascii() {
        for b in word.bytes() {
            h ^= u64::from(b.to_ascii_lowercase());
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        return h;
    }
    for c in word.chars() {
        let c = crate::fold::fold_char(c) as u32;
        for b in c.to_le_bytes() {
            if b != 0 {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

/// The words of `text`, as hashes: runs of letters and digits, case folded.
/// Punctuation, Markdown and spacing are ignored, so a paragraph reads the same
/// whatever format it came in.
pub(crate) fn push_words(text: &str, out: &mut Vec<u64>) {
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push(word_hash(word));
    }
}

/// Every word of the body, paragraph after paragraph: shingles run across
/// paragraph breaks, which formats place differently.
pub(crate) fn body_words(article: &Article) -> Vec<u64> {
    let mut words = Vec::with_capacity(article.body.text_len() / 5);
    for p in article.body.iter() {
        push_words(p, &mut words);
    }
    words
}

/// The shingle of the words `w` (hashes), as one well-mixed number.
fn shingle_of(w: &[u64]) -> u64 {
    let mut h = 0u64;
    for &x in w {
        h = mix(h.rotate_left(23) ^ x);
    }
    h
}

/// The set of word shingles of `words`, sorted, without repeats. A text shorter
/// than a shingle is one shingle.
pub(crate) fn shingles(words: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> = if words.len() < SHINGLE {
        if words.is_empty() {
            Vec::new()
        } else {
            vec![shingle_of(words)]
        }
    } else {
        words.windows(SHINGLE).map(shingle_of).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// The shingles, in text order (with repeats), for the checks that care where in
/// the story shared text is.
pub(crate) fn shingles_in_order(words: &[u64]) -> Vec<u64> {
    if words.len() < SHINGLE {
        return if words.is_empty() {
            Vec::new()
        } else {
            vec![shingle_of(words)]
        };
    }
    words.windows(SHINGLE).map(shingle_of).collect()
}

/// Prefixes that re-publishers put before a title, compared folded and without
/// punctuation: `EXCLUSIVE:`, `(VIDEO)`, `[Updated]`, `WATCH —`.
const TITLE_TAGS: &[&str] = &[
    "exclusive",
    "breaking",
    "breaking news",
    "video",
    "watch",
    "update",
    "updated",
    "live",
    "opinion",
    "analysis",
    "photos",
    "report",
    "just in",
    "must read",
    "must see",
    "news",
    "world",
    "special report",
];

/// A title's words, folded, with a re-publisher's tags taken off: a bracketed tag
/// at either end, a short `TAG:` or `TAG -` before the title, and a ` | Site` or
/// ` - Site` after it. Two copies of a story usually give the same words.
pub(crate) fn title_words(title: &str) -> Vec<String> {
    let mut t = title.trim();
    loop {
        let before = t;
        // Bracketed tags at the start or end: `(VIDEO) Title`, `Title [Photos]`.
        for (open, close) in [('(', ')'), ('[', ']'), ('{', '}')] {
            if t.starts_with(open)
                && let Some(end) = t.find(close)
                && end < 40
            {
                t = t[end + close.len_utf8()..].trim_start();
            }
            if t.ends_with(close)
                && let Some(start) = t.rfind(open)
                && t.len() - start < 40
                && start > 0
            {
                t = t[..start].trim_end();
            }
        }
        // `EXCLUSIVE: Title`, `Watch — Title`: a known tag, or any short all-caps one.
        for sep in [":", " — ", " – ", " - ", " | "] {
            if let Some(at) = t.find(sep)
                && at < 30
            {
                let head = &t[..at];
                let folded: String = head
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == ' ')
                    .collect::<String>()
                    .to_lowercase();
                let folded = folded.trim();
                let shouting = head.chars().any(char::is_alphabetic)
                    && !head.chars().any(char::is_lowercase)
                    && head.split_whitespace().count() <= 3;
                if TITLE_TAGS.contains(&folded)
                    || folded.starts_with("update ")
                    || (shouting && sep == ":")
                {
                    t = t[at + sep.len()..].trim_start();
                }
            }
        }
        // `Title | Site`, `Title - Site`: a short tail after the last separator.
        for sep in [" | ", " - ", " — ", " – "] {
            if let Some(at) = t.rfind(sep) {
                let tail = &t[at + sep.len()..];
                if tail.split_whitespace().count() <= 4 && at > 20 {
                    t = t[..at].trim_end();
                }
            }
        }
        if t == before || t.is_empty() {
            break;
        }
    }
    if t.is_empty() {
        t = title;
    }
    t.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(crate::fold::fold)
        .collect()
}

/// How alike two titles are: the share of words they have in common (Jaccard over
/// the word sets of [`title_words`]).
pub(crate) fn title_similarity(a: &[String], b: &[String]) -> f64 {
    let mut a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut b: Vec<&str> = b.iter().map(String::as_str).collect();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = count_common(&a, &b);
    common as f64 / (a.len() + b.len() - common) as f64
}

/// A number for a title's words, equal for titles that differ only by case, tags
/// and punctuation.
pub(crate) fn title_key(words: &[String]) -> u32 {
    let mut h: u64 = 0;
    for w in words {
        h = mix(h ^ word_hash(w));
    }
    (h >> 32) as u32
}

/// How many items two sorted, deduplicated slices share.
pub(crate) fn count_common<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The first item two sorted slices share.
#[cfg(any(test, feature = "corpus"))]
pub(crate) fn common_first<T: Ord + Clone>(a: &[T], b: &[T]) -> Option<T> {
    a.iter().find(|x| b.binary_search(x).is_ok()).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(title: &str) -> String {
        title_words(title).join(" ")
    }

    #[test]
    fn republishers_tags_leave_the_same_title_words() {
        let plain = "putin says sanctions will fail";
        for t in [
            "Putin says sanctions will fail",
            "EXCLUSIVE: Putin Says Sanctions Will Fail",
            "(VIDEO) Putin says sanctions will fail",
            "PUTIN SAYS SANCTIONS WILL FAIL [Photos]",
            "Watch — Putin says sanctions will fail",
            "Putin says sanctions will fail | Daily Planet",
            "UPDATE 2: Putin says sanctions will fail - Reuters",
        ] {
            assert_eq!(words(t), plain, "{t}");
        }
    }

    #[test]
    fn a_title_that_is_all_tag_keeps_its_words() {
        assert_eq!(words("(VIDEO)"), "video");
        assert_eq!(words("Syria: the long war"), "syria the long war");
    }

    #[test]
    fn shingles_ignore_case_punctuation_and_paragraph_breaks() {
        let mut a = Vec::new();
        push_words("The minister said, on Monday:", &mut a);
        push_words("\"talks will resume.\"", &mut a);
        let mut b = Vec::new();
        push_words("the MINISTER said on monday talks will resume", &mut b);
        assert_eq!(shingles(&a), shingles(&b));
        assert_eq!(shingles(&a).len(), 5);
    }
}
