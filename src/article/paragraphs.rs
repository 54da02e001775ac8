//! The story's paragraphs, stored compactly.

use std::fmt;

use serde::{Serialize, Serializer};
use thin_vec::ThinVec;

/// Paragraphs held in one string with the end offset of each. A 100,000-article
/// inbox has some two million paragraphs; as separate `String`s their headers and
/// allocations alone would cost about 100 MB, a large part of the memory budget.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Paragraphs {
    text: String,
    /// A `ThinVec`, 8 bytes when empty rather than 24: three of these are in every
    /// article held in memory, most of them empty (a body held by the index).
    ends: ThinVec<u32>,
}

impl Paragraphs {
    /// Appends a paragraph. Articles are read only up to a few MiB, far below the
    /// 4 GiB a `u32` offset can address; a longer text is cut there rather than wrap.
    pub fn push(&mut self, paragraph: impl AsRef<str>) {
        let p = paragraph.as_ref();
        let room = (u32::MAX as usize).saturating_sub(self.text.len());
        let mut take = p.len().min(room);
        while !p.is_char_boundary(take) {
            take -= 1;
        }
        self.text.push_str(&p[..take]);
        self.ends.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    pub fn first(&self) -> Option<&str> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&str> {
        self.get(self.len().checked_sub(1)?)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    /// Total bytes of text.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    pub fn shrink_to_fit(&mut self) {
        fit_string(&mut self.text);
        fit_list(&mut self.ends);
    }

    /// The text and the paragraphs' end offsets, as [`Paragraphs::from_parts`] takes
    /// them back (the index stores them so).
    pub fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    /// Paragraphs from [`Paragraphs::parts`], or `None` when the ends do not fit the
    /// text (each at most the text's length, none before the previous one, each on a
    /// character boundary): what comes back from a file is checked, never trusted.
    pub fn from_parts(text: String, ends: Vec<u32>) -> Option<Paragraphs> {
        let mut previous = 0;
        for &end in &ends {
            let end = end as usize;
            if end < previous || !text.is_char_boundary(end) {
                return None;
            }
            previous = end;
        }
        Some(Paragraphs {
            text,
            ends: ends.into(),
        })
    }
}

/// Indexing for tests, which know their paragraphs; the program uses
/// [`Paragraphs::get`], which cannot panic.
#[cfg(test)]
impl std::ops::Index<usize> for Paragraphs {
    type Output = str;

    /// Panics on an index past the end, like a slice.
    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(p) => p,
            None => panic!("paragraph {i} of {}", self.len()),
        }
    }
}

impl<'a> IntoIterator for &'a Paragraphs {
    type Item = &'a str;
    type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<S: AsRef<str>> FromIterator<S> for Paragraphs {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut p = Paragraphs::default();
        for item in items {
            p.push(item);
        }
        p
    }
}

impl<S: AsRef<str>> From<Vec<S>> for Paragraphs {
    fn from(items: Vec<S>) -> Self {
        items.into_iter().collect()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Paragraphs {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl fmt::Debug for Paragraphs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Paragraphs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_come_back_as_pushed() {
        let p: Paragraphs = ["One.", "", "Три — three.", "東京"].into_iter().collect();
        assert_eq!(p.len(), 4);
        assert_eq!(p, ["One.", "", "Три — three.", "東京"]);
        assert_eq!(p.first(), Some("One."));
        assert_eq!(p.last(), Some("東京"));
        assert_eq!(&p[2], "Три — three.");
        assert_eq!(p.get(4), None);
        assert_eq!(p.iter().next_back(), Some("東京"));
        assert!(Paragraphs::default().is_empty());
    }
}

/// `Key: value` header lines, held like [`Paragraphs`] (keys and values alternating in
/// one string) for the same reason: a handful per article, 100,000 articles.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields(Paragraphs);

impl Fields {
    /// Keys and values alternating (see [`Paragraphs::parts`]).
    pub fn as_paragraphs(&self) -> &Paragraphs {
        &self.0
    }

    /// Fields from alternating keys and values; `None` for an odd count.
    pub fn from_paragraphs(p: Paragraphs) -> Option<Fields> {
        p.len().is_multiple_of(2).then_some(Fields(p))
    }

    pub fn push(&mut self, (key, value): (String, String)) {
        self.0.push(key);
        self.0.push(value);
    }

    pub fn len(&self) -> usize {
        self.0.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<(&str, &str)> {
        Some((self.0.get(2 * i)?, self.0.get(2 * i + 1)?))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    pub fn contains(&self, (key, value): &(String, String)) -> bool {
        self.iter().any(|(k, v)| k == key && v == value)
    }

    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

/// `shrink_to_fit` that always lands in a block of the exact size. An allocator may
/// leave a shrunk block where it is while at least half of it is used, and
/// mimalloc, the program's allocator, does: a body built by appending would keep up
/// to half its size unused (some 190 MiB of a first start at 100,000 articles, which
/// holds every body until the index has them).
pub(crate) fn fit_string(s: &mut String) {
    if s.capacity() > s.len() {
        *s = s.as_str().to_owned();
    }
}

/// [`fit_string`] for a list.
pub(crate) fn fit_list<T>(list: &mut ThinVec<T>) {
    if list.capacity() > list.len() {
        *list = std::mem::take(list).into_iter().collect();
    }
}

impl<const N: usize> PartialEq<[(String, String); N]> for Fields {
    fn eq(&self, other: &[(String, String); N]) -> bool {
        self.len() == N
            && self
                .iter()
                .zip(other)
                .all(|((k, v), (ok, ov))| k == ok && v == ov)
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}
