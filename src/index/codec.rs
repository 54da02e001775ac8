//! The bytes of an article's metadata in the index: every field but the body and
//! footer, as length-prefixed strings. Written by hand rather than through serde,
//! because a warm start decodes 100,000 of them and this reads each string once, and
//! because whatever comes back from the file is checked, never trusted: any length
//! past the end, bad UTF-8 or a count that does not fit makes the row unreadable
//! (and so parsed again), never a panic.

use crate::article::{Article, Fields, Paragraphs};

pub fn encode(a: &Article) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut s = |text: &str| {
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    };
    s(&a.title);
    for list in [&a.authors, &a.regions, &a.themes, &a.tags, &a.warnings] {
        s(&list.len().to_string());
        list.iter().for_each(|t| s(t));
    }
    for option in [&a.publisher, &a.date, &a.source, &a.url] {
        match option {
            Some(text) => {
                s("1");
                s(text);
            }
            None => s("0"),
        }
    }
    s(if a.lossy { "1" } else { "0" });
    let fields = a.fields.as_paragraphs();
    s(&fields.len().to_string());
    fields.iter().for_each(&mut s);
    out
}

/// The article [`encode`] wrote, without body and footer; `None` for anything else.
pub fn decode(bytes: &[u8]) -> Option<Article> {
    decode_with(bytes, true)
}

/// [`decode`] leaving out the header fields (`Key: value` lines): an article held in
/// memory for the list and search never shows them, and they are a good share of
/// its memory (10 MB at 100,000 articles); [`crate::index::Shared::whole`] puts
/// them back with the body. The row is checked as whole all the same.
pub fn decode_held(bytes: &[u8]) -> Option<Article> {
    decode_with(bytes, false)
}

fn decode_with(bytes: &[u8], keep_fields: bool) -> Option<Article> {
    let mut r = Reader(bytes);
    let mut a = Article {
        title: r.string()?,
        ..Article::default()
    };
    a.authors = r.list()?;
    a.regions = r.list()?;
    a.themes = r.list()?;
    a.tags = r.list()?;
    a.warnings = r.list()?;
    for option in [&mut a.publisher, &mut a.date, &mut a.source, &mut a.url] {
        *option = match r.str()? {
            "1" => Some(r.string()?),
            "0" => None,
            _ => return None,
        };
    }
    a.lossy = r.str()? == "1";
    let count: usize = r.str()?.parse().ok()?;
    let mut fields = Paragraphs::default();
    for _ in 0..count {
        let part = r.str()?;
        if keep_fields {
            fields.push(part);
        }
    }
    if keep_fields {
        a.fields = Fields::from_paragraphs(fields)?;
    } else if !count.is_multiple_of(2) {
        // What `Fields::from_paragraphs` refuses: keys and values alternate.
        return None;
    }
    r.0.is_empty().then_some(a)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn str(&mut self) -> Option<&'a str> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let text = rest.get(..len)?;
        self.0 = &rest[len..];
        std::str::from_utf8(text).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn list(&mut self) -> Option<thin_vec::ThinVec<String>> {
        let count: usize = self.str()?.parse().ok()?;
        // Each string takes at least its 4-byte length: a count larger than that
        // could hold is a damaged row, not a reason to reserve memory.
        if count > self.0.len() / 4 {
            return None;
        }
        (0..count).map(|_| self.string()).collect()
    }
}

/// Paragraph end offsets as little-endian `u32`s.
pub fn ends_to_bytes(ends: &[u32]) -> Vec<u8> {
    ends.iter().flat_map(|e| e.to_le_bytes()).collect()
}

pub fn ends_from_bytes(bytes: &[u8]) -> Option<Vec<u32>> {
    let (chunks, rest) = bytes.as_chunks::<4>();
    rest.is_empty()
        .then(|| chunks.iter().map(|c| u32::from_le_bytes(*c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_comes_back_as_encoded_without_its_body() {
        let mut a = Article {
            title: "Тitle — 東京".into(),
            authors: vec!["Ana Ruiz".into(), "".into()].into(),
            publisher: Some("Pub".into()),
            date: None,
            source: Some("rt.com".into()),
            url: Some("https://rt.com/x".into()),
            regions: vec!["MENA".into()].into(),
            themes: vec![].into(),
            tags: vec!["a".into(), "b".into()].into(),
            warnings: vec!["lossy".into()].into(),
            lossy: true,
            ..Article::default()
        };
        a.fields.push(("Source".into(), "RT".into()));
        a.fields.push(("Empty".into(), "".into()));
        let back = decode(&encode(&a)).expect("decodes");
        assert_eq!(back, a);
    }

    #[test]
    fn damaged_bytes_are_refused_never_a_panic() {
        let a = Article {
            title: "T".into(),
            authors: vec!["x".into()].into(),
            ..Article::default()
        };
        let good = encode(&a);
        for cut in 0..good.len() {
            assert_eq!(decode(&good[..cut]), None, "cut at {cut}");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        let mut huge = good;
        huge[0] = 0xff;
        huge[3] = 0xff;
        assert_eq!(decode(&huge), None);
        assert_eq!(ends_from_bytes(&[1, 2, 3]), None);
        assert_eq!(ends_from_bytes(&ends_to_bytes(&[3, 9])), Some(vec![3, 9]));
    }
}
