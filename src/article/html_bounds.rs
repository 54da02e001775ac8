//! What a page may cost before it is laid out, and the plain text it falls back to.
//!
//! The HTML5 tree builder does work in proportion to the depth of the open elements
//! for every tag (scope checks walk the stack), and its tokenizer compares every
//! attribute of a tag with the ones before it. A normal page costs a few
//! milliseconds; 80,000 unclosed `<div>`s (400 KB) cost 20 s, a tag with 4 MiB of
//! attributes 100 s. So a page is first measured by [`exceeded`], one linear pass
//! over its bytes that follows tags, nesting and attributes the way the parser will,
//! and a page past any bound is never handed to the parser: [`read_plain`] strips its
//! tags in linear time instead, and the article says so in a warning.
//!
//! The measure is an estimate that leans high: it keeps a stack of open elements as
//! the parser will (an end tag closes its element and those inside it; a `<p>`,
//! `<li>` or table cell closes the one before; void elements like `<br>` never open)
//! and the formatting elements the parser will build again, without the parser's
//! finer rules. Real pages stay far inside the bounds.

use memchr::{memchr, memchr2};

use super::Article;

/// Elements open at once. Real pages nest a few dozen deep; browsers stop nesting at 512.
pub(super) const MAX_DEPTH: usize = 512;
/// Tags in a page: a 4 MiB page of ordinary markup has well under this.
pub(super) const MAX_TAGS: usize = 200_000;
/// Attributes on one tag. Real tags have a handful; SVG and data attributes a few dozen.
pub(super) const MAX_ATTRIBUTES: usize = 256;
/// Steps of the parser's quadratic paths: for each tag, the elements open around
/// it; for each attribute, the attributes before it on its tag; for each tag and
/// run of text, the formatting elements it would rebuild. A real page needs well
/// under a million.
pub(super) const MAX_WORK: usize = 20_000_000;

/// Elements that never have content, so never stay open.
const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"basefont",
    b"bgsound",
    b"br",
    b"col",
    b"embed",
    b"frame",
    b"hr",
    b"img",
    b"input",
    b"keygen",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"image",
];

/// Elements the parser closes by itself when the next one of their kind starts, so
/// that a page of unclosed `<p>`s is flat, not deep (see [`previous_of_kind`]).
const SELF_CLOSING: &[&[u8]] = &[
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"option",
    b"optgroup",
    b"tr",
    b"td",
    b"th",
    b"thead",
    b"tbody",
    b"tfoot",
    b"caption",
    b"colgroup",
    b"rb",
    b"rp",
    b"rt",
    b"rtc",
    b"a",
    b"nobr",
];

/// Elements whose start closes an open paragraph.
const CLOSES_P: &[&[u8]] = &[
    b"address",
    b"article",
    b"aside",
    b"blockquote",
    b"center",
    b"details",
    b"dialog",
    b"dir",
    b"div",
    b"dl",
    b"fieldset",
    b"figcaption",
    b"figure",
    b"footer",
    b"header",
    b"hgroup",
    b"main",
    b"menu",
    b"nav",
    b"ol",
    b"search",
    b"section",
    b"summary",
    b"ul",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"pre",
    b"listing",
    b"form",
    b"table",
];

/// Elements there is only one of, however often the page starts them.
const SINGLE: &[&[u8]] = &[b"html", b"head", b"body"];

/// Formatting elements: the parser keeps a list of those not ended, and builds them
/// again (new elements) before text wherever another end tag closed them. `<a>` and
/// `<nobr>` are left out: a new one ends the one before.
const FORMATTING: &[&[u8]] = &[
    b"b", b"big", b"code", b"em", b"font", b"i", b"s", b"small", b"strike", b"strong", b"tt", b"u",
];

/// What rebuilding one formatting element costs, in steps of [`MAX_WORK`]: it
/// creates an element, some hundred times the cost of a step of a scope check.
const REBUILD_WEIGHT: usize = 100;

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
];

/// Elements whose text is never the story (besides [`RAW_TEXT`] ones).
const HIDDEN: &[&[u8]] = &[b"template", b"svg", b"math"];

/// Elements that do not break a line of text: here, and where the HTML parser's tree
/// is read into paragraphs (`html.rs`).
const INLINE: &[&[u8]] = &[
    b"a", b"abbr", b"b", b"bdi", b"bdo", b"cite", b"code", b"data", b"dfn", b"em", b"i", b"kbd",
    b"mark", b"q", b"s", b"samp", b"small", b"span", b"strong", b"sub", b"sup", b"time", b"u",
    b"var", b"wbr", b"font", b"ins", b"del",
];

/// Which bound a page is past, as the sentence its warning ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Exceeded {
    Depth,
    Tags,
    Attributes,
    Work,
}

impl Exceeded {
    pub(super) fn warning(self) -> String {
        let why = match self {
            Exceeded::Depth => format!("its elements nest more than {MAX_DEPTH} deep"),
            Exceeded::Tags => format!("it has more than {MAX_TAGS} tags"),
            Exceeded::Attributes => format!("a tag has more than {MAX_ATTRIBUTES} attributes"),
            Exceeded::Work => "its markup would take too long to lay out".to_string(),
        };
        format!("the page is shown as plain text: {why}")
    }
}

/// A tag as the scan met it.
struct Tag<'a> {
    /// The name, as written (compare with `eq_ignore_ascii_case`).
    name: &'a [u8],
    closing: bool,
    /// Written `<x/>`.
    self_closed: bool,
    attributes: usize,
    /// Where the text after the tag starts.
    end: usize,
}

/// What starts at `at` (a `<`): a tag, or markup without content (comment,
/// doctype, processing instruction) ending before the returned position, or text.
enum Markup<'a> {
    Tag(Tag<'a>),
    Skip(usize),
    Text,
}

/// Reads the markup starting at `at`, where `bytes[at] == b'<'`, the way an HTML5
/// tokenizer does, in time linear in its length.
fn markup_at(bytes: &[u8], at: usize) -> Markup<'_> {
    let rest = &bytes[at..];
    if rest.starts_with(b"<!--") {
        let end = memchr::memmem::find(&rest[4..], b"-->").map_or(bytes.len(), |i| at + 4 + i + 3);
        return Markup::Skip(end);
    }
    if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
        return Markup::Skip(memchr(b'>', rest).map_or(bytes.len(), |i| at + i + 1));
    }
    let closing = rest.get(1) == Some(&b'/');
    let start = at + 1 + usize::from(closing);
    if !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
        return Markup::Text;
    }
    let mut i = start;
    while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>') {
        i += 1;
    }
    let name = &bytes[start..i];
    let mut attributes = 0;
    let mut self_closed = false;
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            self_closed = bytes[i] == b'/';
            i += 1;
        }
        match bytes.get(i) {
            None => break,
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(_) => {}
        }
        self_closed = false;
        attributes += 1;
        // The name: `=` can start it, as the tokenizer allows.
        i += 1;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        match bytes.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => {
                i = memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |j| i + 1 + j + 1);
            }
            _ => {
                while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
    Markup::Tag(Tag {
        name,
        closing,
        self_closed,
        attributes,
        end: i,
    })
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Whether an element keeps to the line of text it is in.
pub(super) fn is_inline(name: &[u8]) -> bool {
    is_one_of(name, INLINE)
}

fn is_one_of(name: &[u8], set: &[&[u8]]) -> bool {
    set.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Where the content of a raw text element that starts at `from` ends: at its end
/// tag `</name`, or at the end of the page. Returns (end of content, end of end tag).
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut i = from;
    while let Some(j) = memchr(b'<', &bytes[i..]) {
        let at = i + j;
        let candidate = &bytes[at + 1..];
        if candidate.first() == Some(&b'/')
            && candidate
                .get(1..1 + name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && candidate
                .get(1 + name.len())
                .is_none_or(|&b| is_space(b) || b == b'>' || b == b'/')
        {
            let close = memchr(b'>', &bytes[at..]).map_or(bytes.len(), |k| at + k + 1);
            return (at, close);
        }
        i = at + 1;
    }
    (bytes.len(), bytes.len())
}

/// The first bound the page is past, if any. One pass, stopping at the first bound
/// crossed, so measuring a hostile page costs less than reading a normal one.
pub(super) fn exceeded(text: &str) -> Option<Exceeded> {
    let bytes = text.as_bytes();
    // The elements open, as the parser will have them: (name, the whole start tag).
    let mut open: Vec<(&[u8], &[u8])> = Vec::new();
    // Formatting elements that an end tag of another element closed: the parser
    // keeps them in its list and builds them again before the next text or tag.
    let mut closed: Vec<(&[u8], &[u8])> = Vec::new();
    let (mut tags, mut work) = (0usize, 0usize);
    let mut i = 0;
    while let Some(j) = memchr(b'<', &bytes[i..]) {
        let at = i + j;
        let tag = match markup_at(bytes, at) {
            Markup::Tag(tag) => tag,
            Markup::Skip(end) => {
                i = end;
                continue;
            }
            Markup::Text => {
                i = at + 1;
                continue;
            }
        };
        let text_before = bytes[i..at].iter().any(|&b| !is_space(b));
        i = tag.end;
        tags += 1;
        if tags > MAX_TAGS {
            return Some(Exceeded::Tags);
        }
        if tag.attributes > MAX_ATTRIBUTES {
            return Some(Exceeded::Attributes);
        }
        work += open.len() + tag.attributes * tag.attributes / 2;
        // Text, and inline elements, go inside the formatting elements again.
        let inline = !tag.closing && (is_one_of(tag.name, INLINE) || is_one_of(tag.name, VOID));
        if (text_before || inline) && !closed.is_empty() {
            work += REBUILD_WEIGHT * closed.len();
            open.append(&mut closed);
        }
        if work > MAX_WORK {
            return Some(Exceeded::Work);
        }
        if tag.closing {
            // An end tag closes its element and all inside it, or nothing when no
            // such element is open.
            if let Some(at) = open
                .iter()
                .rposition(|(n, _)| n.eq_ignore_ascii_case(tag.name))
            {
                work += close(&mut open, &mut closed, at);
            } else if let Some(at) = closed
                .iter()
                .rposition(|(n, _)| n.eq_ignore_ascii_case(tag.name))
            {
                closed.remove(at);
            }
        } else if is_one_of(tag.name, RAW_TEXT) {
            i = raw_text_end(bytes, i, tag.name).1;
        } else if tag.name.eq_ignore_ascii_case(b"plaintext") {
            break;
        } else if is_one_of(tag.name, SELF_CLOSING) || is_one_of(tag.name, CLOSES_P) {
            if is_one_of(tag.name, CLOSES_P)
                && let Some(at) = previous_of_kind(&open, b"p")
            {
                work += close(&mut open, &mut closed, at);
            }
            if is_one_of(tag.name, SELF_CLOSING)
                && let Some(at) = previous_of_kind(&open, tag.name)
            {
                work += close(&mut open, &mut closed, at);
            }
            open.push((tag.name, &bytes[at..tag.end]));
        } else {
            // Inside SVG and MathML, and for those two themselves, `<x/>` closes at once.
            let foreign = |name: &[u8]| is_one_of(name, &[b"svg", b"math"]);
            let closes_at_once =
                tag.self_closed && (foreign(tag.name) || open.iter().any(|(n, _)| foreign(n)));
            if !(is_one_of(tag.name, VOID) || is_one_of(tag.name, SINGLE) || closes_at_once) {
                open.push((tag.name, &bytes[at..tag.end]));
            }
        }
        if open.len() > MAX_DEPTH {
            return Some(Exceeded::Depth);
        }
    }
    None
}

fn is_formatting(name: &[u8]) -> bool {
    is_one_of(name, FORMATTING) || is_one_of(name, &[b"a", b"nobr"])
}

/// Closes the open element at `at` and those inside it; the formatting elements
/// among them join `closed`. Returns the steps it took.
fn close<'a>(
    open: &mut Vec<(&'a [u8], &'a [u8])>,
    closed: &mut Vec<(&'a [u8], &'a [u8])>,
    at: usize,
) -> usize {
    let mut work = 0;
    // A formatting element with a block inside it is taken out from around the
    // block (the parser's "adoption agency"): the block and all in it stay open.
    let adopts = open.get(at).is_some_and(|(n, _)| is_formatting(n))
        && open[at + 1..].iter().any(|(n, _)| !is_one_of(n, INLINE));
    if adopts {
        open.remove(at);
        return open.len();
    }
    for inner in open.drain(at..).skip(1) {
        if is_one_of(inner.0, FORMATTING) {
            work += closed.len();
            // At most three alike are kept (the "Noah's Ark" clause).
            let alike = closed.iter().filter(|c| c.1 == inner.1).count();
            if alike >= 3
                && let Some(first) = closed.iter().position(|c| c.1 == inner.1)
            {
                closed.remove(first);
            }
            closed.push(inner);
        }
    }
    work
}

/// The open element of the same kind that a new `<p>`, `<li>`, `<td>`… closes, as
/// the parser finds it: searching outwards, and not past an element that starts a
/// new scope (a table, a cell, a button for paragraphs, a list or block for items).
fn previous_of_kind(open: &[(&[u8], &[u8])], name: &[u8]) -> Option<usize> {
    const SCOPE: &[&[u8]] = &[
        b"applet",
        b"caption",
        b"html",
        b"table",
        b"td",
        b"th",
        b"marquee",
        b"object",
        b"template",
        b"svg",
        b"math",
    ];
    let lower = name.to_ascii_lowercase();
    let lower = lower.as_slice();
    // The elements a new one closes: its own kind and its siblings' (a `<dd>` ends
    // a `<dt>`, a `<td>` a `<th>`).
    let kin: &[&[u8]] = match lower {
        b"dd" | b"dt" => &[b"dd", b"dt"],
        b"td" | b"th" => &[b"td", b"th"],
        b"thead" | b"tbody" | b"tfoot" => &[b"thead", b"tbody", b"tfoot"],
        b"optgroup" => &[b"option", b"optgroup"],
        b"rb" | b"rp" | b"rt" | b"rtc" => &[b"rb", b"rp", b"rt", b"rtc"],
        _ => &[],
    };
    let same = |n: &[u8]| n.eq_ignore_ascii_case(name) || is_one_of(n, kin);
    // Searching outwards for one of the kind, stopping at `stop`.
    let search = |stop: &dyn Fn(&[u8]) -> bool| {
        open.iter()
            .rposition(|(n, _)| same(n) || stop(n))
            .filter(|&i| same(open[i].0))
    };
    match lower {
        b"p" => search(&|n| is_one_of(n, SCOPE) || n.eq_ignore_ascii_case(b"button")),
        // Not past a block other than a div, paragraph or address.
        b"li" | b"dd" | b"dt" => {
            search(&|n| !(is_one_of(n, INLINE) || is_one_of(n, &[b"div", b"p", b"address"])))
        }
        // Only the run of its kind just opened.
        b"option" | b"optgroup" | b"rb" | b"rp" | b"rt" | b"rtc" => {
            let run = open.iter().rev().take_while(|(n, _)| same(n)).count();
            (run > 0).then(|| open.len() - run)
        }
        b"a" | b"nobr" => search(&|_| false),
        _ => search(&|n| is_one_of(n, &[b"table", b"template"])),
    }
}

/// Fills an article from a page without laying it out: `<title>` is the title, and the text of the page, with scripts, styles and the
/// head left out, is the body, broken into paragraphs wherever an element that is
/// not inline starts or ends. Linear in the size of the page, whatever its markup.
pub(super) fn read_plain(article: &mut Article, text: &str) {
    let bytes = text.as_bytes();
    let mut paragraphs: Vec<String> = Vec::new();
    let mut buffer = String::new();
    let mut title: Option<String> = None;
    // Elements whose text is hidden, open around the current position.
    let mut hidden = 0usize;
    let mut i = 0;
    let flush = |buffer: &mut String, paragraphs: &mut Vec<String>| {
        let p = super::html::collapse(buffer);
        buffer.clear();
        if !p.is_empty() {
            paragraphs.push(p);
        }
    };
    while i < bytes.len() {
        let Some(j) = memchr2(b'<', b'&', &bytes[i..]) else {
            if hidden == 0 {
                buffer.push_str(&text[i..]);
            }
            break;
        };
        let at = i + j;
        if hidden == 0 {
            buffer.push_str(&text[i..at]);
        }
        if bytes[at] == b'&' {
            let (decoded, end) = entity_at(text, at);
            if hidden == 0 {
                buffer.push_str(&decoded);
            }
            i = end;
            continue;
        }
        let tag = match markup_at(bytes, at) {
            Markup::Tag(tag) => tag,
            Markup::Skip(end) => {
                i = end;
                continue;
            }
            Markup::Text => {
                if hidden == 0 {
                    buffer.push('<');
                }
                i = at + 1;
                continue;
            }
        };
        i = tag.end;
        if !tag.closing && is_one_of(tag.name, RAW_TEXT) {
            let (content_end, end) = raw_text_end(bytes, i, tag.name);
            if title.is_none() && tag.name.eq_ignore_ascii_case(b"title") {
                title = Some(super::html::collapse(&decode_entities(
                    &text[i..content_end],
                )));
            }
            i = end;
            continue;
        }
        if is_one_of(tag.name, HIDDEN) && !tag.self_closed {
            if tag.closing {
                hidden = hidden.saturating_sub(1);
            } else {
                hidden += 1;
            }
            continue;
        }
        if tag.name.eq_ignore_ascii_case(b"br") {
            buffer.push(' ');
        } else if !is_one_of(tag.name, INLINE) {
            flush(&mut buffer, &mut paragraphs);
        }
    }
    flush(&mut buffer, &mut paragraphs);
    // Without a `<title>`, the file name (see `text::finish`): the first paragraph
    // of a page that could not be laid out may be anything.
    if let Some(t) = title {
        article.title = t;
    }
    article.body = paragraphs.into_iter().collect();
}

/// `text` with its entities decoded (see [`entity_at`]).
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(j) = memchr(b'&', &text.as_bytes()[i..]) {
        out.push_str(&text[i..i + j]);
        let (decoded, end) = entity_at(text, i + j);
        out.push_str(&decoded);
        i = end;
    }
    out.push_str(&text[i..]);
    out
}

/// The character an entity at `at` (a `&`) stands for, and where the text after it
/// starts. Only numeric references and the few names common in text are decoded;
/// anything else is kept as written.
fn entity_at(text: &str, at: usize) -> (std::borrow::Cow<'static, str>, usize) {
    use std::borrow::Cow;
    let rest = &text[at + 1..];
    // The longest entity read is `&#x10FFFF;`: look no further than that.
    let window = rest
        .char_indices()
        .take(10)
        .find(|&(_, c)| c == ';')
        .map(|(i, _)| &rest[..i]);
    let Some(name) = window else {
        return (Cow::Borrowed("&"), at + 1);
    };
    let end = at + 1 + name.len() + 1;
    let number = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        Some(u32::from_str_radix(hex, 16).ok())
    } else {
        name.strip_prefix('#').map(|dec| dec.parse::<u32>().ok())
    };
    if let Some(number) = number {
        let c = number
            .and_then(char::from_u32)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{fffd}');
        return (Cow::Owned(c.to_string()), end);
    }
    let named = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "mdash" => "—",
        "ndash" => "–",
        "hellip" => "…",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "copy" => "©",
        _ => return (Cow::Borrowed("&"), at + 1),
    };
    (Cow::Borrowed(named), end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Format, parse};

    fn read(html: &str) -> Article {
        match parse(Format::Html, "page.html", html.as_bytes()) {
            Ok(a) => a,
            Err(e) => panic!("an HTML page was refused: {e}"),
        }
    }

    /// A page with a title and a story around `hostile` markup.
    fn page_around(hostile: &str) -> String {
        format!(
            "<html><head><title>Hostile page</title><script>var x = '<div>';</script></head>\
             <body><p>Before &amp; after.</p>{hostile}<p>The end.</p></body></html>"
        )
    }

    fn assert_plain(a: &Article, bound: Exceeded) {
        assert_eq!(a.warnings, [bound.warning()]);
        assert_eq!(a.title, "Hostile page");
        assert_eq!(a.body.first(), Some("Before & after."), "{:?}", a.body);
        assert!(
            a.body.iter().any(|p| p.contains("The end.")),
            "{:?}",
            a.body
        );
        assert!(a.body.iter().all(|p| !p.contains('<')), "{:?}", a.body);
    }

    #[test]
    fn unclosed_divs_are_read_as_plain_text_with_a_warning() {
        let a = read(&page_around(&"<div>".repeat(80_000)));
        assert_plain(&a, Exceeded::Depth);
    }

    #[test]
    fn deeply_nested_pairs_are_read_as_plain_text_with_a_warning() {
        let page = page_around(&format!(
            "{}x{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        ));
        assert_plain(&read(&page), Exceeded::Depth);
    }

    #[test]
    fn a_tag_with_megabytes_of_attributes_is_read_as_plain_text_with_a_warning() {
        let attributes: String = (0..400_000).map(|i| format!(" a{i}=\"x\"")).collect();
        let a = read(&page_around(&format!("<div{attributes}>x</div>")));
        assert_plain(&a, Exceeded::Attributes);
    }

    #[test]
    fn a_page_of_too_many_tags_is_read_as_plain_text_with_a_warning() {
        let a = read(&page_around(&"<b>x</b>".repeat(MAX_TAGS / 2 + 1)));
        assert_plain(&a, Exceeded::Tags);
    }

    #[test]
    fn many_tags_deep_inside_a_page_are_read_as_plain_text_with_a_warning() {
        let inner = "<span>x</span>".repeat(MAX_WORK / MAX_DEPTH);
        let hostile = format!(
            "{}{inner}{}",
            "<div>".repeat(MAX_DEPTH - 10),
            "</div>".repeat(MAX_DEPTH - 10)
        );
        assert_plain(&read(&page_around(&hostile)), Exceeded::Work);
    }

    #[test]
    fn many_tags_each_with_many_attributes_are_read_as_plain_text_with_a_warning() {
        let attributes: String = (0..MAX_ATTRIBUTES).map(|i| format!(" a{i}=x")).collect();
        let tag = format!("<i{attributes}>x</i>");
        let hostile = tag.repeat(2 * MAX_WORK / (MAX_ATTRIBUTES * MAX_ATTRIBUTES) + 1);
        assert_plain(&read(&page_around(&hostile)), Exceeded::Work);
    }

    #[test]
    fn formatting_the_parser_would_rebuild_thousands_of_times_is_read_as_plain_text() {
        let closed: String = (0..250).map(|i| format!("<div><b a={i}></div>")).collect();
        let a = read(&page_around(&format!(
            "{closed}{}",
            "<p>x</p>".repeat(20_000)
        )));
        assert!(
            a.warnings == [Exceeded::Depth.warning()] || a.warnings == [Exceeded::Work.warning()],
            "{:?}",
            a.warnings
        );
        assert_eq!(a.title, "Hostile page");
    }

    #[test]
    fn links_the_parser_would_nest_around_blocks_are_read_as_plain_text() {
        for hostile in ["<a><div>x", "<a href=1><p><div>x", "<b><div>x</b>"] {
            let a = read(&page_around(&hostile.repeat(50_000)));
            assert_eq!(a.warnings, [Exceeded::Depth.warning()], "{hostile}");
        }
    }

    #[test]
    fn nested_definition_lists_are_as_deep_as_the_parser_makes_them() {
        let a = read(&page_around(&format!(
            "{}{}",
            "<dl><dd><dl><dt>".repeat(120),
            "<dd>x".repeat(150_000)
        )));
        assert_eq!(a.warnings, [Exceeded::Work.warning()]);
    }

    #[test]
    fn long_lists_tables_and_menus_without_end_tags_are_flat() {
        let page = format!(
            "<dl>{}</dl><table>{}</table><select>{}</select><ruby>{}</ruby><ul>{}</ul>",
            "<dt>term<dd>meaning".repeat(2_000),
            "<tr><th>head<td>cell<td>cell".repeat(2_000),
            "<optgroup label=g><option>one<option>two".repeat(2_000),
            "<rb>base<rt>text".repeat(2_000),
            "<li><p>item".repeat(2_000),
        );
        assert_eq!(exceeded(&page), None);
    }

    #[test]
    fn an_unclosed_bold_in_every_item_is_not_hostile() {
        let page = "<div><b>item</div><p>text</p>".repeat(5_000);
        assert_eq!(exceeded(&page), None);
    }

    #[test]
    fn end_tags_of_elements_not_open_do_not_hide_depth() {
        assert_eq!(
            exceeded(&"<div></b></span>".repeat(1_000)),
            Some(Exceeded::Depth)
        );
    }

    #[test]
    fn unclosed_paragraphs_list_items_and_self_closed_svg_are_not_deep() {
        let page = format!(
            "<ul>{}</ul><div>{}</div><svg>{}</svg><svg/>{}",
            "<li><p>item".repeat(2_000),
            "<br><img src=x><hr>".repeat(2_000),
            "<path d=\"M0 0\"/>".repeat(2_000),
            "<a href=\"#\">link".repeat(2_000),
        );
        assert_eq!(exceeded(&page), None);
    }

    #[test]
    fn markup_in_scripts_comments_and_quoted_values_does_not_count() {
        let page = format!(
            "<script>{0}</script><style>{0}</style><!-- {0} --><p title=\"{0}\">x</p>",
            "<div>".repeat(2 * MAX_DEPTH)
        );
        assert_eq!(exceeded(&page), None);
    }

    #[test]
    fn real_pages_are_within_the_bounds() {
        let mut checked = 0;
        for i in 0..400 {
            let g = crate::corpus::article(1, i);
            if g.name.ends_with(".html") {
                assert_eq!(exceeded(&g.text), None, "{}", g.name);
                checked += 1;
            }
        }
        for (path, format) in crate::article::text::sample_inbox() {
            if format == Format::Html {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                assert_eq!(exceeded(&text), None, "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 5, "only {checked} pages checked");
    }

    #[test]
    fn plain_text_keeps_the_story_and_drops_markup_scripts_and_comments() {
        let mut a = Article::default();
        read_plain(
            &mut a,
            "<!DOCTYPE html><head><title>A &amp; B</title><style>p{}</style></head>\
             <p>One <b>bold</b>&nbsp;word &#x41;&#66;&unknown; 3 &lt; 4</p><!-- <p>hidden</p> -->\
             <script>document.write('<p>no</p>')</script><div>Two<br>lines</div>\
             <svg><text>drawing</text></svg><template><p>later</p></template>< not a tag",
        );
        assert_eq!(a.title, "A & B");
        assert_eq!(
            a.body,
            [
                "One bold word AB&unknown; 3 < 4",
                "Two lines",
                "< not a tag"
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn measuring_and_plain_text_never_panic_on_tag_soup(
            text in "(<div|<p|</|<b a=|<svg|/>|<!--|-->|<script>|</script|<title>|&#x|&amp;|;|=|\"|'|>|é|€|x| |\n)*"
        ) {
            let _ = exceeded(&text);
            let mut a = Article::default();
            read_plain(&mut a, &text);
            proptest::prop_assert!(a.body.iter().all(|p| !p.is_empty()));
        }
    }

    #[test]
    fn plain_text_of_unterminated_markup_ends_cleanly() {
        for page in [
            "<p>text<div a=\"unterminated",
            "<!-- open",
            "<script>x",
            "&#x",
            "<",
        ] {
            let mut a = Article::default();
            read_plain(&mut a, page);
            assert!(a.body.iter().all(|p| !p.is_empty()), "{page:?}");
        }
    }
}
