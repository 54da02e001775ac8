//! What the model reads of an article: words of the title and the body, pairs of
//! neighbouring words, the title's words once more on their own, and the places the
//! gazetteer finds, each as a 64-bit hash so that no feature string is ever built
//! (10,000 articles of 5 KB make some 20 million features a training).
//!
//! Words are runs of letters and digits in any script, lowercased with Unicode's
//! rules (`Ärzte` and `ÄRZTE` are one word); each CJK character is a word of its own,
//! since those scripts do not put spaces between words. Everything else separates
//! words, so no input, however hostile (control characters, lone combining marks,
//! megabyte-long runs), does more than make long or odd words.

use crate::article::Article;

/// How many words of the body the model reads. The lead paragraphs of a news story
/// say what it is about; the rest adds features, training time and memory far faster
/// than it adds accuracy (see BENCHMARKS.md, "Learned suggestions").
pub const MAX_BODY_WORDS: usize = 300;

/// Longest word kept, in bytes; longer runs (base64, URLs glued together) are cut.
const MAX_WORD_BYTES: usize = 64;

const NS_WORD: u64 = 0x9e37_79b9_7f4a_7c15;
const NS_PAIR: u64 = 0xc2b2_ae3d_27d4_eb4f;
const NS_TITLE: u64 = 0x1656_67b1_9e37_79f9;
const NS_PLACE: u64 = 0x27d4_eb2f_1656_67c5;
const NS_CHAR: u64 = 0x85eb_ca77_c2b2_ae63;

/// How many words, the title's first, also give their character n-grams (4 and 5
/// characters of the word, a boundary mark at each end counting as one) as
/// features: 0 for none.
pub type CharGrams = usize;

/// The words that give character n-grams by default: the title and the lead. They
/// let `bank`, `banks` and `banking`, or a misspelled name, share features, which
/// 3,800–6,000 decisions are too few to learn word by word (+0.5 point of micro-F1 on
/// AG News; BENCHMARKS.md, "Learned suggestions"); past the lead they cost training
/// time faster than they add.
pub const CHAR_GRAM_WORDS: usize = 60;

/// FNV-1a: small, fast on short keys, and the same on every machine and run (the
/// standard library's hasher is randomly keyed in `HashMap`).
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Spreads a word hash into one of the namespaces (word, pair, title, place), so the
/// same word is a different feature in the title and in the body.
fn mix(h: u64, ns: u64) -> u64 {
    let mut z = h ^ ns;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let z = (z ^ (z >> 31)) & !KIND_MASK;
    match ns {
        NS_CHAR => z | KIND_CHAR,
        NS_PAIR => z | KIND_PAIR,
        _ => z,
    }
}

/// The top two bits of a feature hash say its kind, so that the vocabulary can weigh
/// kinds differently: words, title words and places (0), character n-grams, pairs.
const KIND_MASK: u64 = 0b11 << 62;
const KIND_CHAR: u64 = 0b01 << 62;
const KIND_PAIR: u64 = 0b10 << 62;

/// The kind of feature hash `h`: 0 word, title word or place; 1 character n-gram;
/// 2 word pair.
pub fn kind(h: u64) -> usize {
    ((h & KIND_MASK) >> 62) as usize
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FFFF) // CJK Extensions B..
}

/// Calls `word` with each lowercased word of `text`, in order, at most `limit` times.
/// Returns how many words it gave.
pub fn words(text: &str, limit: usize, mut word: impl FnMut(&str)) -> usize {
    let mut buf = String::new();
    let mut given = 0;
    let mut flush = |buf: &mut String, given: &mut usize| {
        if !buf.is_empty() && *given < limit {
            word(buf);
            *given += 1;
        }
        buf.clear();
    };
    for c in text.chars() {
        if given >= limit {
            break;
        }
        if is_cjk(c) {
            flush(&mut buf, &mut given);
            buf.push(c);
            flush(&mut buf, &mut given);
        } else if c.is_alphanumeric() {
            if buf.len() < MAX_WORD_BYTES {
                if c.is_ascii() {
                    buf.push(c.to_ascii_lowercase());
                } else {
                    buf.extend(c.to_lowercase());
                }
            }
        } else {
            flush(&mut buf, &mut given);
        }
    }
    flush(&mut buf, &mut given);
    given
}

/// The lowercased words of `text` (for tests and for reading what the model sees).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    words(text, usize::MAX, |w| out.push(w.to_string()));
    out
}

/// The feature names of `article`, in order, repeats included (for tests and
/// debugging; training uses [`hashes`]).
pub fn names(article: &Article) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev: Option<String> = None;
    let mut stream = |w: &str, title: bool, out: &mut Vec<String>| {
        out.push(format!("w:{w}"));
        if title {
            out.push(format!("t:{w}"));
        }
        if let Some(p) = &prev {
            out.push(format!("b:{p} {w}"));
        }
        prev = Some(w.to_string());
    };
    words(&article.title, usize::MAX, |w| stream(w, true, &mut out));
    let mut left = MAX_BODY_WORDS;
    for paragraph in &article.body {
        if left == 0 {
            break;
        }
        left -= words(paragraph, left, |w| stream(w, false, &mut out));
    }
    for token in crate::article::places::features(article) {
        out.push(format!("p:{token}"));
    }
    out
}

/// The features of `article` as (hash, count), sorted by hash.
pub fn hashes(article: &Article, max_body_words: usize) -> Vec<(u64, u32)> {
    hashes_with(article, max_body_words, true)
}

/// [`hashes`], with or without the `t:` features (to measure what they add).
pub fn hashes_with(article: &Article, max_body_words: usize, title_words: bool) -> Vec<(u64, u32)> {
    hashes_full(article, max_body_words, title_words, 0)
}

/// [`hashes_with`], with character n-grams of the words `chars` says.
pub fn hashes_full(
    article: &Article,
    max_body_words: usize,
    title_words: bool,
    chars: CharGrams,
) -> Vec<(u64, u32)> {
    let mut all = Vec::with_capacity(64 + 3 * max_body_words.min(2000));
    each_feature_fast(article, max_body_words, title_words, chars, &mut all);
    all.sort_unstable();
    let mut out: Vec<(u64, u32)> = Vec::with_capacity(all.len());
    for h in all {
        match out.last_mut() {
            Some((last, n)) if *last == h => *n += 1,
            _ => out.push((h, 1)),
        }
    }
    out
}

/// The hashes of [`names`], without building the names.
fn each_feature_fast(
    article: &Article,
    max_body_words: usize,
    title_words: bool,
    chars: CharGrams,
    out: &mut Vec<u64>,
) {
    let mut seen = 0usize;
    let mut prev: Option<u64> = None;
    let mut stream = |w: &str, title: bool, out: &mut Vec<u64>| {
        let h = fnv(w.as_bytes());
        if seen < chars {
            char_grams(w, out);
        }
        seen += 1;
        out.push(mix(h, NS_WORD));
        if title && title_words {
            out.push(mix(h, NS_TITLE));
        }
        if let Some(p) = prev {
            let pair = p.rotate_left(23) ^ h.wrapping_mul(0x2545_f491_4f6c_dd1d);
            out.push(mix(pair, NS_PAIR));
        }
        prev = Some(h);
    };
    words(&article.title, usize::MAX, |w| stream(w, true, out));
    let mut left = max_body_words;
    for paragraph in &article.body {
        if left == 0 {
            break;
        }
        left -= words(paragraph, left, |w| stream(w, false, out));
    }
    for token in crate::article::places::features(article) {
        out.push(mix(fnv(token.as_bytes()), NS_PLACE));
    }
}

/// The character 4- and 5-grams of `word`, marked at its ends (`^ab`, `yz$`), hashed.
fn char_grams(word: &str, out: &mut Vec<u64>) {
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(word.char_indices().map(|(i, c)| i + c.len_utf8()));
    // Positions -1 and len stand for the boundary marks.
    let len = bounds.len() - 1;
    if len < 2 {
        return;
    }
    for n in 4..=5usize {
        // Windows over [-1, len], n positions wide.
        for start in 0..(len + 3).saturating_sub(n) {
            let (lo, hi) = (start as isize - 1, start as isize - 1 + n as isize);
            let a = lo.max(0) as usize;
            let b = (hi as usize).min(len);
            if a >= b {
                continue;
            }
            let mut h = fnv(&word.as_bytes()[bounds[a]..bounds[b]]);
            if lo < 0 {
                h = h.rotate_left(7) ^ 0x5bd1_e995;
            }
            if hi as usize > len {
                h = h.rotate_left(13) ^ 0x1b87_3593;
            }
            out.push(mix(h, NS_CHAR));
        }
    }
}

/// The hash [`names`]' entry `name` has (tests check both paths agree).
#[cfg(test)]
pub fn hash_of_name(name: &str) -> Option<u64> {
    let (kind, rest) = name.split_once(':')?;
    match kind {
        "w" => Some(mix(fnv(rest.as_bytes()), NS_WORD)),
        "t" => Some(mix(fnv(rest.as_bytes()), NS_TITLE)),
        "p" => Some(mix(fnv(rest.as_bytes()), NS_PLACE)),
        "b" => {
            let (a, b) = rest.split_once(' ')?;
            let (p, h) = (fnv(a.as_bytes()), fnv(b.as_bytes()));
            Some(mix(
                p.rotate_left(23) ^ h.wrapping_mul(0x2545_f491_4f6c_dd1d),
                NS_PAIR,
            ))
        }
        _ => None,
    }
}
