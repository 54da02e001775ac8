//! Plain text and Markdown: the shape of a web article exported as text.
//!
//! Reading goes in three steps that later parsers reuse piece by piece:
//!
//! 1. [`decode`] turns bytes into clean text (BOM, line endings, invalid UTF-8, stray
//!    NULs) or refuses a file that is not text at all.
//! 2. [`read_lines`] reads a list of lines the way an exported web page is laid out:
//!    a title, header lines (byline, `Publisher, date`, `Key: value`), the story's
//!    paragraphs, and the publisher's footer. A front-matter or HTML parser fills in
//!    what it knows first (a title, a date) and hands the remaining lines over.
//! 3. [`inline_text`] reduces Markdown inline markup to the text a reader sees.
//!
//! Nothing here can fail on odd input: every scanner works on indices it has checked,
//! and unbalanced markup is simply left as it is.

use std::borrow::Cow;

use super::{Article, ArticleError};
use crate::fold::fold_words;

/// How much of a file is examined to decide whether it is text.
const SNIFF_LEN: usize = 8 * 1024;

/// Reads a `.txt` or `.md` file. `file_name` becomes the title when the file has none.
pub(crate) fn parse(file_name: &str, bytes: &[u8]) -> Result<Article, ArticleError> {
    parse_with(file_name, bytes, |article, text| {
        let lines: Vec<&str> = text.split('\n').collect();
        read_lines(article, &lines);
    })
}

/// What every format shares: decode the bytes (refusing binary files), note an empty
/// file, let `read` fill the article from non-empty text, then [`finish`] it.
pub(crate) fn parse_with(
    file_name: &str,
    bytes: &[u8],
    read: impl FnOnce(&mut Article, &str),
) -> Result<Article, ArticleError> {
    let decoded = decode(bytes)?;
    let mut article = Article {
        lossy: decoded.lossy,
        warnings: decoded.warnings.into(),
        ..Article::default()
    };
    if decoded.text.trim().is_empty() {
        article.warnings.push("the file is empty".to_string());
    } else {
        read(&mut article, &decoded.text);
    }
    finish(&mut article, file_name);
    Ok(article)
}

/// Gives an article the file name as its title when nothing better was found, so
/// that every row in the list has something to show.
pub(crate) fn finish(article: &mut Article, file_name: &str) {
    // A "title" this long is a body without line breaks: keep the start, so every
    // list row and search over titles stays cheap whatever the file holds.
    if let Some((cut, _)) = article.title.char_indices().nth(MAX_TITLE_CHARS) {
        article.title.truncate(cut);
        article.title.push('…');
        article.warnings.push(format!(
            "the title is over {MAX_TITLE_CHARS} characters; only its start is kept"
        ));
    }
    if article.title.trim().is_empty() {
        article.title = if file_name.is_empty() {
            "(untitled)".to_string()
        } else {
            file_name.to_string()
        };
    }
}

// ---------------------------------------------------------------------------------
// Bytes to text

/// Longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 300;

/// A file's text, ready to be split into lines on `\n`.
pub(crate) struct Decoded {
    pub text: String,
    /// True when some bytes could not be decoded and were replaced by U+FFFD.
    pub lossy: bool,
    /// What was repaired on the way, for the article's warnings.
    pub warnings: Vec<String>,
}

/// Signatures of binary files that are commonly dropped into an inbox by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an ELF executable"),
];

/// Turns a file's bytes into text with `\n` line endings, or says why it is not text.
/// A known binary signature, or NUL bytes making up more than 1% of the first 8 KiB,
/// mean binary; anything else is read, repaired if need be, and the repairs are
/// listed as warnings.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, ArticleError> {
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(ArticleError::NotText((*kind).to_string()));
    }
    let mut warnings = Vec::new();
    let mut lossy = false;
    let mut text = if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        let (text, bad) = decode_utf16(rest, u16::from_le_bytes);
        lossy = bad;
        text
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        let (text, bad) = decode_utf16(rest, u16::from_be_bytes);
        lossy = bad;
        text
    } else {
        let head = &bytes[..bytes.len().min(SNIFF_LEN)];
        let nuls = head.iter().filter(|&&b| b == 0).count();
        if nuls * 100 > head.len() {
            return Err(ArticleError::NotText(format!(
                "binary data: {nuls} NUL bytes in the first {} bytes",
                head.len()
            )));
        }
        let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        match std::str::from_utf8(body) {
            Ok(text) => text.to_string(),
            Err(_) => {
                lossy = true;
                String::from_utf8_lossy(body).into_owned()
            }
        }
    };
    if let Some(reason) = unreadable(&text, lossy) {
        return Err(ArticleError::NotText(reason));
    }
    if lossy {
        warnings.push(
            "the file is not valid UTF-8; bytes that could not be read are shown as \u{fffd}"
                .to_string(),
        );
    }
    let nuls = text.chars().filter(|&c| c == '\0').count();
    if nuls > 0 {
        text.retain(|c| c != '\0');
        let s = if nuls == 1 { "" } else { "s" };
        warnings.push(format!("removed {nuls} stray NUL character{s}"));
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    // Before the text is cut into lines, paragraphs and names, so that no cut falls
    // inside a sequence and shows its payload as text (see `sanitize::strip_sequences`).
    if let Cow::Owned(stripped) = crate::sanitize::strip_sequences(&text) {
        text = stripped;
        warnings
            .push("removed terminal escape sequences, which could act on a terminal".to_string());
    }
    Ok(Decoded {
        text,
        lossy,
        warnings,
    })
}

/// More than this share (in percent) of replacement and control characters at the
/// start of a file means it is not text. Random bytes come to about 60%; a Latin-1
/// article read as UTF-8 has a few accented letters in a hundred, and an article
/// quoting escape sequences far fewer control characters than that.
const UNREADABLE_PERCENT: usize = 25;

/// Why decoded text is not text after all, when it is not: too many characters at its
/// start are U+FFFD (bytes that were not UTF-8) or control characters other than
/// line breaks and tabs. Decoding lossily never fails, so without this a file of
/// random bytes named `.txt` would be listed as an article of garbage.
fn unreadable(text: &str, lossy: bool) -> Option<String> {
    // Most files are valid UTF-8 without a control byte: one cheap pass settles them.
    let head = &text.as_bytes()[..text.len().min(SNIFF_LEN)];
    let controls = head
        .iter()
        .filter(|&&b| (b < 0x20 || b == 0x7f) && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if !lossy && controls == 0 {
        return None;
    }
    let mut chars = 0;
    let mut bad = 0;
    for c in text.chars().take(SNIFF_LEN) {
        chars += 1;
        if c == char::REPLACEMENT_CHARACTER
            || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        {
            bad += 1;
        }
    }
    (bad * 100 > chars * UNREADABLE_PERCENT).then(|| {
        format!(
            "binary data: {bad} of the first {chars} characters are unreadable bytes or control codes"
        )
    })
}

/// Decodes UTF-16 (after its byte-order mark); the flag says whether anything was
/// replaced. Windows tools still write text this way.
fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, bool) {
    let mut bad = !bytes.len().is_multiple_of(2);
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let text = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                bad = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    (text, bad)
}

// ---------------------------------------------------------------------------------
// Lines to an article

/// How many blocks past a block of clutter [`keyed_lines_follow`] looks for a keyed
/// header line: a header is short, and the story must not be searched for keys.
const CLUTTER_LOOKAHEAD: usize = 3;

/// Whether `block`, which is not all header lines (`classified` says which of its
/// lines are), still belongs to the header: it is clutter (see [`is_clutter_line`])
/// and a line with a known key ([`is_known_key`]) follows in it or in one of the
/// next few blocks of `rest`, with only header lines and clutter in between. Prose
/// never qualifies, so a story whose first paragraph is followed by `Source: X`
/// keeps its first paragraph.
fn keyed_lines_follow(
    block: &[&str],
    classified: &[Option<HeaderLine>],
    rest: &[Vec<&str>],
) -> bool {
    let keyed = |line: &Option<HeaderLine>| matches!(line, Some(HeaderLine::Field(field)) if is_known_key(&fold_words(&field.key)));
    let clutter = |block: &[&str], classified: &[Option<HeaderLine>]| {
        block
            .iter()
            .zip(classified)
            .all(|(line, c)| c.is_some() || is_clutter_line(line))
    };
    if !clutter(block, classified) {
        return false;
    }
    if classified.iter().any(keyed) {
        return true;
    }
    for block in rest.iter().take(CLUTTER_LOOKAHEAD) {
        let classified: Vec<Option<HeaderLine>> = block.iter().copied().map(classify).collect();
        if !clutter(block, &classified) {
            return false;
        }
        if classified.iter().any(keyed) {
            return true;
        }
    }
    false
}

/// A line of a header that says nothing we read but is no prose either: short, and
/// either a label line (`Posted in Local Government`) or in Title Case, as taglines
/// are (`By Arnold Ahlert, Because Without America, There Is No Free World.`).
fn is_clutter_line(line: &str) -> bool {
    // Markup aside, a long line is no clutter: settle it before reducing it to text.
    if line.len() > 4 * MAX_CLUTTER_CHARS {
        return false;
    }
    let text = inline_text(line);
    text.chars().count() <= MAX_CLUTTER_CHARS
        && (is_label_line(&[text.as_str()]) || is_title_case(&text))
}

/// The longest line [`is_clutter_line`] takes for clutter, in characters.
const MAX_CLUTTER_CHARS: usize = 160;

/// Title Case: at least three words, and three in four of those that are not short
/// function words start with a capital. Sentences, even ones opening with a name,
/// do not look like this.
fn is_title_case(text: &str) -> bool {
    const SMALL: [&str; 12] = [
        "a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the",
    ];
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.starts_with(char::is_alphabetic))
        .filter(|w| !SMALL.contains(&w.to_lowercase().as_str()))
        .collect();
    let capitalised = words
        .iter()
        .filter(|w| w.starts_with(char::is_uppercase))
        .count();
    words.len() >= 3 && capitalised * 4 >= words.len() * 3
}

/// One short line, six words at most, not ending like a sentence.
fn is_label_line(block: &[&str]) -> bool {
    match block {
        [line] => {
            let line = line.trim();
            !line.is_empty()
                && line.chars().count() <= 60
                && line.split_whitespace().count() <= 6
                && !line.ends_with(['.', '!', '?', ':', '"', '”'])
        }
        _ => false,
    }
}

/// Reads the layout of an exported article from its lines (without line endings):
/// the title (unless `article.title` is already set, in which case a first line
/// repeating it is dropped), then header lines, then the story, then the publisher's
/// footer. What is already set in `article` (by front matter, say) is not
/// overwritten by what the header lines imply; lists are extended.
pub(crate) fn read_lines(article: &mut Article, lines: &[&str]) {
    let mut blocks = blocks(lines);
    take_title(article, &mut blocks);

    let mut header = HeaderState::default();
    let mut first_story_block = blocks.len();
    for (i, block) in blocks.iter().enumerate() {
        let classified: Vec<Option<HeaderLine>> = block.iter().copied().map(classify).collect();
        if classified.iter().all(Option::is_some) {
            for h in classified.into_iter().flatten() {
                header.apply(article, h);
            }
            continue;
        }
        // A lone short line that is not a sentence ("Posted in Local Government",
        // a breadcrumb) does not end the header when header lines follow it.
        if is_label_line(block)
            && blocks
                .get(i + 1)
                .is_some_and(|next| next.iter().all(|l| classify(l).is_some()))
        {
            continue;
        }
        // Clutter (a byline with a tagline, a breadcrumb) does not end the header when
        // `Key: value` lines with keys we know follow it: those are read wherever
        // they sit in the header, and the clutter is left out of the story.
        if keyed_lines_follow(block, &classified, &blocks[i + 1..]) {
            for h in classified.into_iter().flatten() {
                header.apply(article, h);
            }
            continue;
        }
        first_story_block = i;
        break;
    }
    let story = &blocks[first_story_block.min(blocks.len())..];

    // Where the footer starts: (block, line within it).
    let late = |i: usize| i * 2 >= story.len();
    let footer_start = story.iter().enumerate().find_map(|(i, block)| {
        block
            .iter()
            .position(|line| {
                let text = inline_text(line);
                original_source(&text).is_some() || (late(i) && is_publisher_notice(&text))
            })
            .map(|j| (i, j))
    });
    let (story_end, split_line) = footer_start.unwrap_or((story.len(), 0));

    for (i, block) in story.iter().enumerate() {
        let (body_lines, footer_lines): (&[&str], &[&str]) = if i < story_end {
            (block, &[])
        } else if i == story_end {
            block.split_at(split_line.min(block.len()))
        } else {
            (&[], block)
        };
        if let Some(p) = paragraph(body_lines) {
            article.body.push(p);
        }
        if let Some(p) = paragraph(footer_lines) {
            if article.source.is_none() {
                article.source = footer_lines
                    .iter()
                    .find_map(|l| original_source(&inline_text(l)));
            }
            article.footer.push(p);
        }
    }
}

/// Groups lines into blocks: runs of non-blank lines, each trimmed. A Markdown
/// heading is a block of its own, a list item starts a new one (so that a list reads
/// as one item per paragraph), and a rule (`---`, `***`, a setext `===` underline)
/// only separates blocks.
fn blocks<'a>(lines: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() || is_rule(line) {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else if heading_text(line).is_some() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            blocks.push(vec![line]);
        } else if is_list_item(line) {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            current.push(line);
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// Takes the title from the first line that has readable text. A first line
/// `Title: X` gives `X`. When the title is already known, a first line repeating it
/// is dropped instead.
fn take_title(article: &mut Article, blocks: &mut Vec<Vec<&str>>) {
    let found = blocks.iter().enumerate().find_map(|(b, block)| {
        block.iter().enumerate().find_map(|(l, line)| {
            let text = match key_value(line) {
                Some(field) if fold_words(&field.key) == "title" => field.value,
                _ => inline_text(heading_text(line).unwrap_or(line)),
            };
            (!text.is_empty()).then_some((b, l, text))
        })
    });
    let Some((block, line, text)) = found else {
        return;
    };
    let keep_line = if article.title.trim().is_empty() {
        article.title = text;
        false
    } else {
        fold_words(&text) != fold_words(&article.title)
    };
    // Lines before the title have no text to lose; cut them in one go, so that a
    // file opening with thousands of images costs no more than one opening with one.
    blocks[block].drain(..if keep_line { line } else { line + 1 });
    blocks.drain(..block);
    if blocks.first().is_some_and(Vec::is_empty) {
        blocks.remove(0);
    }
}

/// One paragraph's text: its lines joined by single spaces, markup reduced.
fn paragraph(lines: &[&str]) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let joined = lines
        .iter()
        .map(|l| heading_text(l).unwrap_or(l))
        .collect::<Vec<_>>()
        .join(" ");
    let text = inline_text(&joined);
    (!text.is_empty()).then_some(text)
}

/// `X` from `The original source of this article is X`, the line that opens a
/// republisher's footer.
fn original_source(text: &str) -> Option<String> {
    let rest = strip_prefix_ci(text, "the original source of this article is")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let source = rest.trim().trim_end_matches('.').trim();
    (!source.is_empty()).then(|| source.to_string())
}

/// A copyright line or a disclaimer: where the publisher's notices begin.
fn is_publisher_notice(text: &str) -> bool {
    if text.starts_with('©') {
        return true;
    }
    if let Some(rest) = strip_prefix_ci(text, "copyright") {
        let rest = rest.trim_start();
        return rest.starts_with('©')
            || strip_prefix_ci(rest, "(c)").is_some()
            || rest.starts_with(|c: char| c.is_ascii_digit());
    }
    if strip_prefix_ci(text, "disclaimer:").is_some() {
        return true;
    }
    text.len() <= 200 && text.to_ascii_lowercase().contains("all rights reserved")
}

// ---------------------------------------------------------------------------------
// Header lines

/// What one header line says.
#[derive(Debug, PartialEq)]
enum HeaderLine {
    /// `By X and Y`, possibly with a date: `By X, September 12, 2015`.
    Byline {
        authors: Vec<String>,
        date: Option<String>,
    },
    /// `Global Research, September 12, 2015`.
    PublisherDate { publisher: String, date: String },
    /// `RT 11 September 2015`, or a date alone. The name is dropped: in exported
    /// pages it is the outlet's own dateline and repeats the byline or the source,
    /// and `fields` stays a record of `Key: value` lines only.
    Dated { date: String },
    /// `Key: value`.
    Field(Field),
    /// A line with no readable text (an image, say); it neither adds nor ends anything.
    Nothing,
}

/// A `Key: value` line, links reduced to their text.
#[derive(Debug, PartialEq)]
struct Field {
    key: String,
    value: String,
    /// The value split on commas and semicolons outside brackets, each item as text.
    items: Vec<String>,
    /// The link target when the whole value is one link (`[site](https://…)`).
    target: Option<String>,
}

/// What a header line is, or `None` for prose, which ends the header.
fn classify(line: &str) -> Option<HeaderLine> {
    if let Some(field) = key_value(line) {
        return Some(HeaderLine::Field(field));
    }
    let text = inline_text(line);
    if text.is_empty() {
        return Some(HeaderLine::Nothing);
    }
    if let Some(byline) = byline(&text) {
        return Some(byline);
    }
    if let Some(date) = normalize_date(&text) {
        return Some(HeaderLine::Dated { date });
    }
    if let (publisher, Some(date)) = split_trailing_date(&text)
        && is_short_name(publisher)
    {
        return Some(HeaderLine::PublisherDate {
            publisher: publisher.to_string(),
            date,
        });
    }
    text.match_indices(' ').find_map(|(i, _)| {
        let date = normalize_date(&text[i + 1..])?;
        is_short_name(text[..i].trim()).then_some(HeaderLine::Dated { date })
    })
}

/// `Key: value` with a short key: at most three words and 30 characters, starting
/// with a letter, the colon outside any link and followed by a space or the end of
/// the line (so that times and URLs are not split).
fn key_value(line: &str) -> Option<Field> {
    // `**Region:** Europe`: in a key that opens with emphasis, the emphasis may close
    // after the colon.
    let emphasised = line.starts_with(['*', '_']);
    let after_colon = |i: usize| {
        let rest = &line[i + 1..];
        if emphasised {
            rest.trim_start_matches(['*', '_'])
        } else {
            rest
        }
    };
    let colon = top_level_positions(line, &[':']).into_iter().find(|&i| {
        let rest = after_colon(i);
        rest.is_empty() || rest.starts_with(char::is_whitespace)
    })?;
    let raw_value = after_colon(colon).trim();
    let closing = &line[colon + 1..line.len() - after_colon(colon).len()];
    let key = inline_text(&format!("{}{closing}", &line[..colon]));
    let key = key.trim_matches(['*', '_']).trim().to_string();
    let words = key.split_whitespace().count();
    if key.is_empty()
        || key.chars().count() > 30
        || words > 3
        || !key.starts_with(char::is_alphabetic)
    {
        return None;
    }
    // An empty value (`Tags:` with nothing after it) is still a header line: exported
    // pages often carry empty metadata, and it must not end the header early.
    let value = inline_text(raw_value);
    let items = split_items(raw_value, &[',', ';'])
        .into_iter()
        .map(inline_text)
        .filter(|s| !s.is_empty())
        .collect();
    Some(Field {
        key,
        value,
        items,
        target: link_target(raw_value),
    })
}

/// `By X`, `By X and Y`, `By X, Y`, optionally ending in a date. Each name must look
/// like one (a capital first letter, at most five words, no sentence ending), so that
/// a paragraph starting "By the time…" stays prose.
fn byline(text: &str) -> Option<HeaderLine> {
    let rest = strip_prefix_ci(text, "by")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (names, date) = split_trailing_date(rest.trim());
    if names.chars().count() > 120 {
        return None;
    }
    let authors = split_names(names);
    let looks_like_a_name = |name: &String| {
        let words: Vec<&str> = name.split_whitespace().collect();
        let last = words.last().copied().unwrap_or("");
        name.starts_with(|c: char| c.is_uppercase() || c == '@')
            && words.len() <= 5
            && !name.contains(':')
            && !name.ends_with(['!', '?'])
            && !(name.ends_with('.') && last.chars().count() > 3)
    };
    if authors.is_empty() {
        return None;
    }
    if authors.iter().all(looks_like_a_name) {
        return Some(HeaderLine::Byline { authors, date });
    }
    // `By Arnold Ahlert, Because Without America, There Is No Free World.`: the
    // writer's name, then a tagline in Title Case, which is nobody's name.
    let (first, tagline) = names.split_once(',')?;
    let authors = split_names(first);
    (!authors.is_empty() && authors.iter().all(looks_like_a_name) && is_title_case(tagline))
        .then_some(HeaderLine::Byline { authors, date })
}

/// Splits a list of names on commas, semicolons, ` and ` and ` & `.
fn split_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for part in split_items(text, &[',', ';']) {
        let mut rest = part;
        loop {
            let cut = [" and ", " & "]
                .iter()
                .filter_map(|sep| rest.find(sep).map(|i| (i, sep.len())))
                .min();
            let (name, next) = match cut {
                Some((i, len)) => (&rest[..i], Some(&rest[i + len..])),
                None => (rest, None),
            };
            let name = inline_text(name);
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
            match next {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    names
}

/// A publisher or outlet name in front of a date: short, and not a sentence.
fn is_short_name(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 60
        && text.split_whitespace().count() <= 6
        && !text.contains(':')
        && !text.ends_with(['.', '!', '?'])
}

/// Splits `Name, <date>` at the first comma whose remainder is a date.
fn split_trailing_date(text: &str) -> (&str, Option<String>) {
    for (i, _) in text.match_indices(',') {
        if let Some(date) = normalize_date(&text[i + 1..]) {
            return (text[..i].trim(), Some(date));
        }
    }
    (text, None)
}

/// The article fields that header lines fill in, as the header is read.
#[derive(Default)]
struct HeaderState {
    /// True while the date came from an implicit line (byline, `Publisher, date`),
    /// which an explicit `Date:` line may correct.
    implicit_date: bool,
}

impl HeaderState {
    fn apply(&mut self, article: &mut Article, line: HeaderLine) {
        match line {
            HeaderLine::Byline { authors, date } => {
                push_unique(&mut article.authors, authors);
                self.implicit(article, date);
            }
            HeaderLine::PublisherDate { publisher, date } => {
                article.publisher.get_or_insert(publisher);
                self.implicit(article, Some(date));
            }
            HeaderLine::Dated { date } => self.implicit(article, Some(date)),
            HeaderLine::Field(field) => self.field(article, field),
            HeaderLine::Nothing => {}
        }
    }

    /// A date implied by a line's shape never replaces one already found.
    fn implicit(&mut self, article: &mut Article, date: Option<String>) {
        if article.date.is_none()
            && let Some(date) = date
        {
            article.date = Some(date);
            self.implicit_date = true;
        }
    }

    fn field(&mut self, article: &mut Article, field: Field) {
        let Field {
            key,
            value,
            items,
            target,
        } = field;
        match fold_words(&key).as_str() {
            "region" | "regions" => article.regions.extend(items),
            "theme" | "themes" | "topic" | "topics" => article.themes.extend(items),
            "tag" | "tags" | "keyword" | "keywords" | "category" | "categories" => {
                article.tags.extend(items)
            }
            "source" => {
                article.source.get_or_insert_with(|| value.clone());
            }
            "url" | "link" => {
                article
                    .url
                    .get_or_insert_with(|| target.unwrap_or_else(|| value.clone()));
            }
            "date" | "published" => match normalize_date(&value) {
                Some(date) if article.date.is_none() || self.implicit_date => {
                    article.date = Some(date);
                    self.implicit_date = false;
                }
                Some(_) => {}
                None => article.warnings.push(format!(
                    "the {key} line {value:?} is not a date this program can read"
                )),
            },
            "author" | "authors" | "by" => push_unique(&mut article.authors, split_names(&value)),
            "publisher" => {
                article.publisher.get_or_insert_with(|| value.clone());
            }
            _ => {}
        }
        article.fields.push((key, value));
    }
}

/// Whether a folded `Key:` is one [`HeaderState::field`] reads into the article.
/// Only such keys carry a header past clutter: a story's `Update:` or `Note:`
/// paragraph must stay in the story.
fn is_known_key(key: &str) -> bool {
    matches!(
        key,
        "region"
            | "regions"
            | "theme"
            | "themes"
            | "topic"
            | "topics"
            | "tag"
            | "tags"
            | "keyword"
            | "keywords"
            | "category"
            | "categories"
            | "source"
            | "url"
            | "link"
            | "date"
            | "published"
            | "author"
            | "authors"
            | "by"
            | "publisher"
    )
}

fn push_unique(list: &mut thin_vec::ThinVec<String>, items: Vec<String>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

// ---------------------------------------------------------------------------------
// Dates

pub(super) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub(super) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Reads the ways articles write a calendar date — `September 12, 2015`,
/// `Sep 12 2015`, `12th September 2015`, `Friday, 11 September 2015`, `2015-09-12`,
/// `2015-09-12T10:00:00Z` — as `YYYY-MM-DD`, so that dates sort and compare. Numeric
/// day/month orders other than year-first are refused because `09/12/2015` means two
/// different days on two sides of the Atlantic; impossible dates are refused too.
pub fn normalize_date(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() > 64 {
        return None;
    }
    let (year, month, day) = if text.starts_with(|c: char| c.is_ascii_digit()) {
        iso_date(text).or_else(|| words_date(text))?
    } else {
        words_date(text)?
    };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// `2015-09-12` or `2015/09/12`, optionally followed by a time (`T10:00:00Z`, ` 10:00 UTC`).
fn iso_date(text: &str) -> Option<(u32, u32, u32)> {
    let year_end = text.find(|c: char| !c.is_ascii_digit())?;
    if year_end != 4 {
        return None;
    }
    let sep = text[4..].chars().next()?;
    if sep != '-' && sep != '/' {
        return None;
    }
    let (month_text, rest) = text[5..].split_once(sep)?;
    let day_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (day_text, time) = rest.split_at(day_end);
    let short_number =
        |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !short_number(month_text) || !short_number(day_text) {
        return None;
    }
    if !time.is_empty() {
        let clock = time.strip_prefix(['T', 't', ' '])?;
        if !clock.starts_with(|c: char| c.is_ascii_digit())
            || !clock
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-' | ' '))
        {
            return None;
        }
    }
    Some((
        text[..4].parse().ok()?,
        month_text.parse().ok()?,
        day_text.parse().ok()?,
    ))
}

/// `September 12, 2015`, `Sept. 12th 2015`, `12 Sep 2015`, with an optional weekday first.
fn words_date(text: &str) -> Option<(u32, u32, u32)> {
    let mut words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.strip_suffix('.').unwrap_or(w))
        .collect();
    if words.len() == 4 && weekday(words[0]) {
        words.remove(0);
    }
    let [a, b, year] = words.as_slice() else {
        return None;
    };
    let (month, day) = match (month(a), month(b)) {
        (Some(m), None) => (m, day(b)?),
        (None, Some(m)) => (m, day(a)?),
        _ => return None,
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((year.parse().ok()?, month, day))
}

/// 1–12 for a month's full name, its three-letter abbreviation, or `Sept`.
fn month(word: &str) -> Option<u32> {
    let word = word.to_ascii_lowercase();
    let index = MONTHS
        .iter()
        .position(|name| word == *name || (word.len() == 3 && name.starts_with(&word)))
        .or_else(|| (word == "sept").then_some(8))?;
    u32::try_from(index + 1).ok()
}

fn weekday(word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .any(|name| word == *name || (word.len() == 3 && name.starts_with(&word)))
}

/// `12`, `12th`, `1st`, `2nd`, `3rd`.
fn day(word: &str) -> Option<u32> {
    let digits_end = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    let (digits, suffix) = word.split_at(digits_end);
    if !(1..=2).contains(&digits.len()) {
        return None;
    }
    if !suffix.is_empty()
        && !["st", "nd", "rd", "th"].contains(&suffix.to_ascii_lowercase().as_str())
    {
        return None;
    }
    digits.parse().ok()
}

/// Days in a month of the Gregorian calendar (the generator of test corpora uses it too).
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------
// Markdown inline markup

/// The text of a Markdown heading line (`## Title ##` → `Title`), or `None` when the
/// line is not a heading. `#Assad`, with no space, is a hashtag, not a heading.
fn heading_text(line: &str) -> Option<&str> {
    let line = line.trim();
    let hashes = line.len() - line.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    let without_closing = rest.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        Some(without_closing.trim())
    } else {
        Some(rest)
    }
}

/// `- item`, `* item`, `+ item`, `1. item`, `2) item`.
fn is_list_item(line: &str) -> bool {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &line[digits..];
    let marker = if digits == 0 {
        rest.strip_prefix(['-', '*', '+'])
    } else if digits <= 3 {
        rest.strip_prefix(['.', ')'])
    } else {
        None
    };
    marker.is_some_and(|rest| rest.starts_with([' ', '\t']))
}

/// A thematic break or a setext underline: three or more of one of `-`, `*`, `_`,
/// `=`, possibly spaced.
fn is_rule(line: &str) -> bool {
    let mut marks = line.chars().filter(|c| !c.is_whitespace());
    let Some(first) = marks.next() else {
        return false;
    };
    matches!(first, '-' | '*' | '_' | '=')
        && marks.clone().all(|c| c == first)
        && marks.count() >= 2
}

/// The byte positions of `seps` outside brackets and parentheses, so that commas
/// inside a link's text or a name like `North America (USA, Canada)` do not split it.
fn top_level_positions(text: &str, seps: &[char]) -> Vec<usize> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && seps.contains(&c) => out.push(i),
            _ => {}
        }
    }
    out
}

/// Splits on `seps` outside brackets and parentheses; items are trimmed, empty ones dropped.
fn split_items<'a>(text: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut items = Vec::new();
    let mut start = 0;
    for i in top_level_positions(text, seps) {
        items.push(text[start..i].trim());
        // Every separator is one character; `i` is its first byte.
        start = i + text[i..].chars().next().map_or(1, char::len_utf8);
    }
    items.push(text[start..].trim());
    items.retain(|s| !s.is_empty());
    items
}

/// The target of a value that is one whole link, `[text](https://…)`, unless it is a
/// placeholder like `#`.
fn link_target(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('[')?.strip_suffix(')')?;
    let (_, target) = inner.rsplit_once("](")?;
    let target = target.trim();
    let usable =
        !target.is_empty() && !target.starts_with('#') && !target.contains(char::is_whitespace);
    usable.then(|| target.to_string())
}

/// `prefix` at the start of `text`, ignoring ASCII case; the rest of `text`.
fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The text a reader sees in one line or paragraph of Markdown: `[text](url)` →
/// text, `![alt](src)` → alt, `<https://x>` → the URL, emphasis markers and
/// backslash escapes removed, runs of spaces collapsed, ends trimmed. Brackets that
/// are not a link (`[in Syria]`) and unpaired markers are kept as written.
pub(crate) fn inline_text(text: &str) -> String {
    // Escapes in front matter (`"\e]0;…"`) decode to sequences the file's bytes did
    // not show; they go before the value is split into names or items.
    let text = crate::sanitize::strip_sequences(text);
    let reduced = reduce_markup(&text);
    let mut out = String::with_capacity(reduced.len());
    let mut pending_space = false;
    for c in reduced.chars() {
        if c == ' ' || c == '\t' {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// What happens to each byte of a line being reduced.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    /// Shown, and may still turn out to be markup.
    Keep,
    /// Markup: not shown.
    Drop,
    /// Shown as written, never markup (escaped characters, autolink contents).
    Literal,
}

/// Marks every byte of `text` and keeps the shown ones. All markup characters are
/// ASCII, and the only ranges dropped whole run from one ASCII character to another,
/// so the kept bytes are always whole characters. Each pass is linear, so a hostile
/// line of brackets costs no more than a normal one.
fn reduce_markup(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b'[' | b'<' | b'*' | b'_' | b'\\'))
    {
        return Cow::Borrowed(text);
    }
    let n = bytes.len();
    let mut marks = vec![Mark::Keep; n];

    // In this order: each pass leaves alone what an earlier one marked.
    mark_escapes(bytes, &mut marks);
    mark_autolinks(text, &mut marks);
    mark_links(bytes, &mut marks);
    mark_emphasis(text, &mut marks);

    let kept: Vec<u8> = bytes
        .iter()
        .zip(&marks)
        .filter(|(_, mark)| **mark != Mark::Drop)
        .map(|(b, _)| *b)
        .collect();
    Cow::Owned(match String::from_utf8(kept) {
        Ok(s) => s,
        // Unreachable by construction (see above); degrade rather than panic.
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Marks backslash escapes, first, so that `\*` stays a literal star in the passes after.
fn mark_escapes(bytes: &[u8], marks: &mut [Mark]) {
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        if bytes[i] == b'\\' && i + 1 < n && bytes[i + 1].is_ascii_punctuation() {
            marks[i] = Mark::Drop;
            marks[i + 1] = Mark::Literal;
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// Marks autolinks, `<https://example.com>` → the URL, whose contents are then
/// literal so no later pass reads markup inside a URL.
fn mark_autolinks(text: &str, marks: &mut [Mark]) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        if bytes[i] != b'<' || marks[i] != Mark::Keep {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && !matches!(bytes[j], b'<' | b'>') && !bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < n && bytes[j] == b'>' && marks[j] == Mark::Keep && looks_like_url(&text[i + 1..j]) {
            marks[i] = Mark::Drop;
            marks[j] = Mark::Drop;
            for mark in &mut marks[i + 1..j] {
                if *mark == Mark::Keep {
                    *mark = Mark::Literal;
                }
            }
            i = j + 1;
        } else {
            i = j.max(i + 1);
        }
    }
}

/// Marks links and images, `[text](url)` and `![alt](src)`, keeping only the text.
/// Brackets pair through one stack and parentheses through another, so nesting costs
/// nothing extra.
fn mark_links(bytes: &[u8], marks: &mut [Mark]) {
    let n = bytes.len();
    let mut open_brackets: Vec<usize> = Vec::new();
    let mut open_parens: Vec<(usize, Option<usize>)> = Vec::new();
    let mut link_text_at: Option<(usize, usize)> = None;
    // Where dropped ranges start (+1) and end (-1): links nest inside link targets,
    // and filling each range as it closes would cost the square of the nesting.
    let mut dropped = vec![0i32; n + 1];
    for i in 0..n {
        if marks[i] != Mark::Keep {
            continue;
        }
        match bytes[i] {
            b'[' => open_brackets.push(i),
            b']' => {
                if let Some(open) = open_brackets.pop()
                    && i + 1 < n
                    && bytes[i + 1] == b'('
                    && marks[i + 1] == Mark::Keep
                {
                    link_text_at = Some((open, i));
                }
            }
            b'(' => {
                let link = link_text_at
                    .take()
                    .filter(|&(_, close)| close + 1 == i)
                    .map(|(open, _)| open);
                open_parens.push((i, link));
            }
            b')' => {
                if let Some((paren, Some(open))) = open_parens.pop() {
                    marks[open] = Mark::Drop;
                    if open > 0 && bytes[open - 1] == b'!' && marks[open - 1] == Mark::Keep {
                        marks[open - 1] = Mark::Drop;
                    }
                    // From `]` to `)`: the bracket just before `(`, the URL, the `)`.
                    dropped[paren - 1] += 1;
                    dropped[i + 1] -= 1;
                }
            }
            _ => {}
        }
    }
    let mut covering = 0;
    for (mark, change) in marks.iter_mut().zip(&dropped) {
        covering += change;
        if covering > 0 {
            *mark = Mark::Drop;
        }
    }
}

/// Marks emphasis, `*x*`, `**x**`, `_x_`, last, once links have taken their brackets.
/// A run of markers opens when it follows a space or punctuation and precedes text,
/// and closes the other way round, so `5*3*2` and `snake_case` keep theirs; only
/// paired runs are removed.
fn mark_emphasis(text: &str, marks: &mut [Mark]) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut open_runs: [Vec<(usize, usize)>; 2] = [Vec::new(), Vec::new()];
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if !(b == b'*' || b == b'_') || marks[i] != Mark::Keep {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && bytes[j] == b && marks[j] == Mark::Keep {
            j += 1;
        }
        let before = text[..i].chars().next_back();
        let after = text[j..].chars().next();
        let is_edge = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || is_punctuation(c));
        let is_text = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
        let can_open = is_text(after) && is_edge(before);
        let can_close = is_text(before) && is_edge(after);
        let stack = &mut open_runs[usize::from(b == b'_')];
        if can_close && let Some((start, end)) = stack.pop() {
            marks[start..end].fill(Mark::Drop);
            marks[i..j].fill(Mark::Drop);
        } else if can_open {
            stack.push((i, j));
        }
        i = j;
    }
}

fn is_punctuation(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// `https://…`, `mailto:…` and other `scheme:` forms, or a bare e-mail address.
fn looks_like_url(text: &str) -> bool {
    if let Some((scheme, rest)) = text.split_once(':') {
        let mut chars = scheme.chars();
        let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
            && (2..=32).contains(&scheme.len());
        return scheme_ok && !rest.is_empty();
    }
    text.contains('@') && text.contains('.')
}

/// Every article of the sample inbox (`inbox/` at the crate root, scanned recursively
/// like the real inbox, dotfiles skipped), in path order, for tests that hold the
/// samples to what the parsers promise.
#[cfg(test)]
pub(crate) fn sample_inbox() -> Vec<(std::path::PathBuf, super::Format)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, super::Format)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("the sample inbox is readable")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                walk(&path, out);
            } else if let Some(format) = super::Format::from_path(&path) {
                out.push((path, format));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/inbox")),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse as parse_any;
    use proptest::prelude::*;

    const SEED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/inbox/000_466bdefa64880cc0.txt"
    );

    fn read(text: &str) -> Article {
        match parse("test.md", text.as_bytes()) {
            Ok(a) => a,
            Err(e) => panic!("{text:?} was refused: {e}"),
        }
    }

    #[test]
    fn seed_article_is_understood_exactly() {
        let bytes = std::fs::read(SEED).expect("the seed article is readable");
        let a = parse("000_466bdefa64880cc0.txt", &bytes).expect("the seed is text");
        assert_eq!(
            a.title,
            "Russia Backs Syria's Fight against ISIS, in Support of Assad Government: Lavrov"
        );
        assert_eq!(a.authors, ["RT"]);
        assert_eq!(a.publisher.as_deref(), Some("Global Research"));
        assert_eq!(a.date.as_deref(), Some("2015-09-12"));
        assert_eq!(a.source.as_deref(), Some("RT"));
        assert_eq!(a.regions, ["Middle East & North Africa", "Russia and FSU"]);
        assert_eq!(a.themes, ["US NATO War Agenda"]);
        assert!(a.tags.is_empty());
        assert!(
            a.fields
                .contains(&("In-depth Report".into(), "SYRIA".into())),
            "{:?}",
            a.fields
        );
        assert_eq!(
            a.fields.get(0),
            Some(("Region", "Middle East & North Africa, Russia and FSU"))
        );
        let first = a.body.first().expect("a body");
        let last = a.body.last().expect("a body");
        assert!(
            first.starts_with("Moscow is set to continue supporting Syria"),
            "{first}"
        );
        assert!(
            last.starts_with("Russian authorities have warned"),
            "{last}"
        );
        assert!(last.ends_with("September 17."), "{last}");
        for p in &a.body {
            assert!(
                !p.contains("](") && !p.contains("[#") && !p.contains("[RT"),
                "{p}"
            );
        }
        // Editorial brackets are the author's, not link syntax, and stay.
        assert!(
            a.body
                .iter()
                .any(|p| p.contains("remain there [in Syria] for"))
        );
        assert!(a.body.iter().any(|p| {
            p.contains("with arms 'for long time already' - Moscow http://t.co/i43Sm606dD")
        }));
        assert!(
            a.body
                .iter()
                .any(|p| p.contains("\"It's important to preclude"))
        );
        assert!(
            a.footer[0].starts_with("The original source of this article is RT"),
            "{:?}",
            a.footer
        );
        assert!(a.footer.iter().any(|p| p.starts_with("Disclaimer:")));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        assert!(!a.lossy);
    }

    #[test]
    fn every_sample_inbox_article_reads_cleanly() {
        let files = sample_inbox();
        assert!(files.len() >= 12, "only {} articles in inbox/", files.len());
        for (path, format) in files {
            let bytes = std::fs::read(&path).expect("inbox file is readable");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            let a = parse_any(format, name, &bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let shown = path.display();
            assert!(a.warnings.is_empty(), "{shown}: {:?}", a.warnings);
            assert!(!a.title.is_empty() && a.title != name, "{shown}: no title");
            assert!(!a.body.is_empty(), "{shown}: no body");
            assert!(a.date.is_some(), "{shown}: no date");
            for p in a.body.iter().chain([a.title.as_str()]) {
                assert!(
                    !p.contains("](") && !p.contains("**"),
                    "{shown}: markup left in {p:?}"
                );
            }
        }
    }

    #[test]
    fn markdown_heading_byline_and_fields_are_read() {
        let a = read(
            "# Floods close *three* ports\n\nBy Ana Ruiz and Tom Lee\n\nSource: [Reuters](https://reuters.com/x)\nURL: <https://example.com/floods>\nDate: 3 March 2024\nTags: Climate, Trade; Asia\nTopic: Economy\nRegions: [North America (USA, Canada)](#), Caribbean\nPublisher: Example Wire\n\nThe **storm** hit at dawn.\nPorts closed.\n\n## What next\n\nMore rain is due.",
        );
        assert_eq!(a.title, "Floods close three ports");
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        assert_eq!(a.source.as_deref(), Some("Reuters"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/floods"));
        assert_eq!(a.date.as_deref(), Some("2024-03-03"));
        assert_eq!(a.tags, ["Climate", "Trade", "Asia"]);
        assert_eq!(a.themes, ["Economy"]);
        assert_eq!(a.regions, ["North America (USA, Canada)", "Caribbean"]);
        assert_eq!(a.publisher.as_deref(), Some("Example Wire"));
        assert_eq!(a.fields.len(), 7);
        assert_eq!(
            a.body,
            [
                "The storm hit at dawn. Ports closed.",
                "What next",
                "More rain is due."
            ]
        );
        assert!(a.footer.is_empty());
    }

    #[test]
    fn link_field_keeps_the_link_target() {
        let a = read("T\nLink: [the story](https://example.com/a)\n\nText.");
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.fields, [("Link".to_string(), "the story".to_string())]);
    }

    #[test]
    fn bold_keys_are_fields() {
        let a = read("T\n\n**Region:** Europe\n\n__Theme__: Energy\n\nBody.");
        assert_eq!(a.regions, ["Europe"]);
        assert_eq!(a.themes, ["Energy"]);
    }

    #[test]
    fn header_ends_at_the_first_prose_paragraph() {
        let a =
            read("Title\n\nBy the time the ferry arrived, the town was empty.\n\nRegion: Asia\n");
        assert!(a.authors.is_empty());
        assert!(
            a.regions.is_empty(),
            "a Key: line inside the story is story"
        );
        assert_eq!(a.body.len(), 2);

        // A paragraph mixing header lines and prose is prose.
        let a = read("Title\n\nRegion: Asia\nand then the story begins.\n");
        assert!(a.regions.is_empty());
        assert_eq!(a.body, ["Region: Asia and then the story begins."]);
    }

    #[test]
    fn empty_header_fields_do_not_end_the_header() {
        let a = read("T\nBy Jo Bloggs\nTags:\n\nKeywords:\nRegion: Asia\n\nText.");
        assert_eq!(a.regions, ["Asia"]);
        assert!(a.tags.is_empty());
        assert_eq!(a.fields.get(0), Some(("Tags", "")));
        assert_eq!(a.body, ["Text."]);
    }

    #[test]
    fn key_value_needs_a_short_key_and_a_space_after_the_colon() {
        let a = read("Title\n\nThe minister told reporters on Friday: we stay.\n");
        assert!(a.fields.is_empty());
        let a = read("Title\n\nRT 2015-09-12T10:00:00Z\n\nText.");
        assert!(a.fields.is_empty());
        assert_eq!(a.date.as_deref(), Some("2015-09-12"));
        let a = read("Title\n\n1st note: x\n\nText.");
        assert!(a.fields.is_empty());
    }

    #[test]
    fn first_date_wins_unless_an_explicit_date_line_corrects_it() {
        let a = read("T\nGlobal Research, September 12, 2015\nRT 11 September 2015\n\nText.");
        assert_eq!(a.date.as_deref(), Some("2015-09-12"));
        let a = read("T\nBy Jane Doe, March 1, 2020\nDate: 2020-03-02\n\nText.");
        assert_eq!(a.authors, ["Jane Doe"]);
        assert_eq!(a.date.as_deref(), Some("2020-03-02"));
        let a = read("T\nDate: 2020-03-02\nPublished: 2020-03-05\n\nText.");
        assert_eq!(a.date.as_deref(), Some("2020-03-02"));
    }

    #[test]
    fn unreadable_date_line_is_a_warning_not_a_failure() {
        let a = read("T\nDate: sometime in spring\n\nText.");
        assert_eq!(a.date, None);
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(a.warnings[0].contains("sometime in spring"));
    }

    #[test]
    fn footer_starts_at_a_late_copyright_or_disclaimer() {
        let a = read("T\n\nOne.\n\nTwo.\n\nThree.\n\n© 2024 Example Media\n\nMore notices.");
        assert_eq!(a.body, ["One.", "Two.", "Three."]);
        assert_eq!(a.footer, ["© 2024 Example Media", "More notices."]);
        assert_eq!(a.source, None);

        let a = read("T\n\nOne.\n\nTwo.\n\nDisclaimer: views are the author's.");
        assert_eq!(a.footer, ["Disclaimer: views are the author's."]);

        let a = read("T\n\nOne.\n\nTwo.\n\nCopyright © Example, 2024.");
        assert_eq!(a.body.len(), 2);

        let a = read("T\n\nOne.\n\nTwo.\n\n2024 Example Ltd. All rights reserved.");
        assert_eq!(a.footer.len(), 1);
    }

    #[test]
    fn early_copyright_lines_are_story() {
        let a = read(
            "T\n\nCopyright 1998 is when the law changed.\n\n© marks are everywhere.\n\nTwo.\n\nThree.\n\nFour.\n\nFive.",
        );
        assert_eq!(a.body.len(), 6);
        assert!(a.footer.is_empty());
    }

    #[test]
    fn original_source_line_sets_the_source_and_splits_a_paragraph() {
        let a = read(
            "T\n\nStory ends here.\nThe original source of this article is [Example News](#).\n\nShare this.",
        );
        assert_eq!(a.body, ["Story ends here."]);
        assert_eq!(
            a.footer,
            [
                "The original source of this article is Example News.",
                "Share this."
            ]
        );
        assert_eq!(a.source.as_deref(), Some("Example News"));

        let a = read("T\nSource: Wire\n\nStory.\n\nThe original source of this article is Blog");
        assert_eq!(
            a.source.as_deref(),
            Some("Wire"),
            "the header names it first"
        );
    }

    #[test]
    fn inline_markup_becomes_readable_text() {
        let cases = [
            ("[RT](#) said", "RT said"),
            ("see ![a map](m.png) here", "see a map here"),
            ("see ![](m.png) here", "see here"),
            ("go to <https://x.org/a_b_c>", "go to https://x.org/a_b_c"),
            ("mail <news@example.com>", "mail news@example.com"),
            (
                "*one* **two** _three_ __four__ ***five***",
                "one two three four five",
            ),
            ("**[Bold link](u)**", "Bold link"),
            ("[a [nested](x) b](y)", "a nested b"),
            (
                "[North America (USA, Canada)](https://x.org/(a))",
                "North America (USA, Canada)",
            ),
            ("[in Syria] stays", "[in Syria] stays"),
            (
                "[half](open and ]( and [ and ](",
                "[half](open and ]( and [ and ](",
            ),
            (
                "5*3*2 and snake_case_name and @RT_com",
                "5*3*2 and snake_case_name and @RT_com",
            ),
            ("a * b * c", "a * b * c"),
            ("* bullet", "* bullet"),
            (
                "\\*not emphasis\\* and \\[x\\](y)",
                "*not emphasis* and [x](y)",
            ),
            ("<b>tags</b> and 1 < 2 > 0", "<b>tags</b> and 1 < 2 > 0"),
            ("Лавров *сказал*", "Лавров сказал"),
            ("  many    spaces\there  ", "many spaces here"),
        ];
        for (input, expected) in cases {
            assert_eq!(inline_text(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn links_nested_in_link_targets_reduce_to_the_outer_text() {
        assert_eq!(inline_text("[a]([b]([c](x)))"), "a");
        // Linear however deep: each target's range is marked once, not once per level.
        let deep = format!("{}{}", "[a](".repeat(10_000), ")".repeat(10_000));
        assert_eq!(inline_text(&deep), "a");
    }

    #[test]
    fn headings_and_rules_are_not_shown_as_markup() {
        let a = read(
            "## Title ##\n=====\n\nText one.\n\n---\n\n#hashtag stays\n\n* * *\n\n### Sub\nText two.",
        );
        assert_eq!(a.title, "Title");
        assert_eq!(a.body, ["Text one.", "#hashtag stays", "Sub", "Text two."]);
    }

    #[test]
    fn title_skips_lines_without_text_and_reads_a_title_key() {
        assert_eq!(
            read("\n\n![](banner.png)\n\n# Real title\n\nx").title,
            "Real title"
        );
        assert_eq!(
            read("Title: Keyed title\nBy A. N. Other\n\nx").title,
            "Keyed title"
        );
        assert_eq!(
            read("Title: Keyed title\nBy A. N. Other\n\nx").authors,
            ["A. N. Other"]
        );
    }

    #[test]
    fn known_title_swallows_a_repeated_first_line() {
        let mut a = Article {
            title: "Floods close ports".into(),
            ..Article::default()
        };
        read_lines(&mut a, &["# Floods — close ports!", "", "Body."]);
        assert_eq!(a.title, "Floods close ports");
        assert_eq!(a.body, ["Body."]);

        let mut a = Article {
            title: "From front matter".into(),
            ..Article::default()
        };
        read_lines(&mut a, &["By Jo Bloggs", "", "Body."]);
        assert_eq!(a.title, "From front matter");
        assert_eq!(a.authors, ["Jo Bloggs"]);
    }

    #[test]
    fn bylines_list_several_authors() {
        let a = read("T\nBy Ana Ruiz, Tom Lee and Kim Park\n\nx");
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee", "Kim Park"]);
        let a = read("T\nby [Jo Bloggs](https://x.org/jo) & Al Smith\n\nx");
        assert_eq!(a.authors, ["Jo Bloggs", "Al Smith"]);
        let a = read("T\nAuthors: Ana Ruiz; Tom Lee\n\nx");
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
    }

    #[test]
    fn dates_in_the_usual_spellings_are_normalised() {
        for text in [
            "September 12, 2015",
            "Sep 12, 2015",
            "Sept. 12, 2015",
            "September 12th, 2015",
            "12 September 2015",
            "12th Sep 2015",
            "Saturday, September 12, 2015",
            "Sat 12 Sep 2015",
            "2015-09-12",
            "2015/9/12",
            "2015-09-12T10:00:00Z",
            "2015-09-12 10:00 UTC",
            "  september 12 2015  ",
        ] {
            assert_eq!(
                normalize_date(text).as_deref(),
                Some("2015-09-12"),
                "{text:?}"
            );
        }
        assert_eq!(
            normalize_date("11 September 2015").as_deref(),
            Some("2015-09-11")
        );
        assert_eq!(
            normalize_date("February 29, 2024").as_deref(),
            Some("2024-02-29")
        );
    }

    #[test]
    fn impossible_or_ambiguous_dates_are_refused() {
        for text in [
            "February 30, 2015",
            "February 29, 2023",
            "September 31, 2015",
            "2015-13-01",
            "2015-00-10",
            "2015-09-00",
            "0 September 2015",
            "09/12/2015",
            "12.09.2015",
            "September 2015",
            "Septembre 12, 2015",
            "September 12, 15",
            "September 12 2015 and more",
            "2015-09-12 is the day",
            "2015-09-123",
            "12st of September 2015",
            "",
            "RT 11 September 2015",
        ] {
            assert_eq!(normalize_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn decoding_repairs_text_and_reports_it() {
        let a = parse("x.txt", b"\xef\xbb\xbfTitle\r\n\r\nLine one\rline two\r\n").expect("text");
        assert_eq!(a.title, "Title");
        assert_eq!(a.body, ["Line one line two"]);
        assert!(a.warnings.is_empty() && !a.lossy);

        let a = parse("x.txt", b"Caf\xe9 au lait\n\nBody").expect("lossy text");
        assert!(a.lossy);
        assert_eq!(a.title, "Caf\u{fffd} au lait");
        assert_eq!(a.warnings.len(), 1);

        let mut bytes = b"Title\n\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', 500));
        bytes.push(0);
        let a = parse("x.txt", &bytes).expect("one stray NUL is repaired");
        assert_eq!(a.warnings, ["removed 1 stray NUL character"]);
        assert!(!a.body[0].contains('\0'));

        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(
                "Заголовок\n\nТекст"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let a = parse("x.txt", &utf16).expect("UTF-16 is text");
        assert_eq!(a.title, "Заголовок");
        assert_eq!(a.body, ["Текст"]);
    }

    #[test]
    fn binary_files_are_refused_with_the_reason() {
        let cases: [(&[u8], &str); 5] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a PNG image"),
            (b"%PDF-1.7\n", "a PDF document"),
            (b"PK\x03\x04rest", "a ZIP archive"),
            (b"\x1f\x8b\x08\0", "gzip-compressed data"),
            (b"\x7fELF\x02\x01", "an ELF executable"),
        ];
        for (bytes, reason) in cases {
            assert_eq!(parse("x", bytes), Err(ArticleError::NotText(reason.into())));
        }
        let mut many_nuls = b"text".to_vec();
        many_nuls.extend([0u8; 100]);
        let err = parse("x", &many_nuls).expect_err("mostly NUL is binary");
        assert!(err.to_string().contains("NUL"), "{err}");
    }

    #[test]
    fn random_bytes_named_txt_are_not_text() {
        // 4 KB of noise without a single NUL in its first percent: decoding it lossily
        // used to succeed and list it as an article of garbage.
        let mut state = 0x9E37_79B9u32;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((state >> 24) as u8).max(1)
            })
            .collect();
        let err = parse("noise.txt", &noise).expect_err("random bytes are not text");
        let ArticleError::NotText(reason) = &err;
        assert!(reason.starts_with("binary data: "), "{reason}");
        assert!(reason.contains("of the first"), "{reason}");
        // So is UTF-16 noise behind a byte-order mark.
        let mut utf16 = b"\xff\xfe".to_vec();
        utf16.extend((0u16..2048).flat_map(|i| (i.wrapping_mul(40_503) | 0xd800).to_le_bytes()));
        assert!(parse("noise.txt", &utf16).is_err());
    }

    #[test]
    fn latin1_text_and_quoted_escapes_are_still_text() {
        // A Latin-1 article: a few bytes in a hundred are not UTF-8.
        let mut latin1 = b"Caf\xe9 society\n\n".to_vec();
        for _ in 0..40 {
            latin1.extend_from_slice(b"Le caf\xe9 de la gare a rouvert ses portes lundi matin. ");
        }
        let a = parse("latin1.txt", &latin1).expect("mis-encoded text is still text");
        assert!(a.lossy);
        assert_eq!(a.title, "Caf\u{fffd} society");
        // Escape sequences quoted in a story are a handful of control characters.
        let hostile =
            "Title\n\nBody \u{1b}]0;pwned\u{7}with \u{1b}[31mescapes and more words here.\n";
        assert!(parse("hostile.txt", hostile.as_bytes()).is_ok());
    }

    #[test]
    fn empty_files_are_titled_by_their_name_with_a_warning() {
        for bytes in [&b""[..], b"  \n\r\n\t ", b"\xef\xbb\xbf"] {
            let a = parse("empty.txt", bytes).expect("an empty file is still an article");
            assert_eq!(a.title, "empty.txt");
            assert_eq!(a.warnings, ["the file is empty"]);
            assert!(a.body.is_empty());
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            if let Ok(a) = parse("f.txt", &bytes) {
                prop_assert!(!a.title.is_empty());
            }
        }

        #[test]
        fn parse_never_panics_on_text(text in any::<String>()) {
            let a = parse("f.md", text.as_bytes());
            prop_assert!(a.is_ok() || text.contains('\0'));
        }

        #[test]
        fn parse_never_panics_on_markup_soup(
            text in "([\\[\\]()<>*_!\\\\#:,©\n ]|By |[a-zA-Z0-9]|Region: |September 12, 2015|é|日){0,120}"
        ) {
            let a = parse("f.md", text.as_bytes()).expect("markup soup is text");
            prop_assert!(!a.title.is_empty());
            for p in a.body.iter().chain(a.footer.iter()) {
                prop_assert!(!p.is_empty() && !p.contains('\n'));
            }
        }

        #[test]
        fn normalize_date_output_is_always_a_valid_iso_date(text in "[A-Za-z0-9 ,.:/T-]{0,30}") {
            if let Some(d) = normalize_date(&text) {
                prop_assert_eq!(d.len(), 10);
                prop_assert_eq!(normalize_date(&d), Some(d.clone()));
            }
        }
    }

    #[test]
    fn a_byline_with_a_tagline_keeps_the_url_and_date_after_it() {
        let story = "Senate Democrats spent the week arguing about the rules of the chamber.";
        for text in [
            format!(
                "Schumer's Gambit\n\nBy Arnold Ahlert, Because Without America, There Is No Free World.\n\nURL: https://patriotpost.us/articles/62123\n\nPublished: 2019-05-13\n\n{story}"
            ),
            format!(
                "Schumer's Gambit\n\nBy Arnold Ahlert, Because Without America, There Is No Free World.\nURL: https://patriotpost.us/articles/62123\nPublished: 2019-05-13\n\n{story}"
            ),
        ] {
            let a = read(&text);
            assert_eq!(a.title, "Schumer's Gambit");
            assert_eq!(a.authors, ["Arnold Ahlert"], "{text}");
            assert_eq!(
                a.url.as_deref(),
                Some("https://patriotpost.us/articles/62123"),
                "{text}"
            );
            assert_eq!(a.date.as_deref(), Some("2019-05-13"), "{text}");
            assert_eq!(a.body, [story], "{text}");
        }
    }

    #[test]
    fn keyed_header_lines_are_read_past_clutter_wherever_they_sit() {
        // A tagline on its own line, then a breadcrumb, then the keys.
        let a = read(
            "Title\n\nBy Jo Bloggs\n\nBecause Without America, There Is No Free World.\n\nHome | Politics | Congress\n\nSource: Example Post\nURL: https://example.com/a\n\nThe story starts here, in a sentence.",
        );
        assert_eq!(a.authors, ["Jo Bloggs"]);
        assert_eq!(a.source.as_deref(), Some("Example Post"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.body, ["The story starts here, in a sentence."]);
    }

    #[test]
    fn keys_after_the_first_sentence_of_a_story_stay_in_the_story() {
        // Prose ends the header however soon a known key follows it.
        let a = read("Title\n\nThe council met on Monday.\n\nSource: Example Post\n\nMore text.");
        assert_eq!(a.source, None);
        assert_eq!(
            a.body,
            [
                "The council met on Monday.",
                "Source: Example Post",
                "More text."
            ]
        );
        // A key no header field uses does not carry the header past clutter.
        let a = read(
            "Title\n\nBecause Without America, There Is No Free World.\n\nUpdate: the vote moved.\n\nMore text.",
        );
        assert_eq!(a.body.len(), 3, "{:?}", a.body);
        // Nor does clutter that only looks like a byline.
        let a = read(
            "Title\n\nBy Monday, the troops had left the town.\n\nURL: https://example.com/a\n",
        );
        assert!(a.authors.is_empty());
        assert_eq!(a.url, None);
    }

    #[test]
    fn a_short_label_line_does_not_end_the_header() {
        let a = read(
            "Libraries close\n\nPosted in Local Government\n\nDate: 2022-08-30\n\nLink: https://www.example.info/a\n\nThe city's libraries will close on Mondays.",
        );
        assert_eq!(a.date.as_deref(), Some("2022-08-30"));
        assert_eq!(a.url.as_deref(), Some("https://www.example.info/a"));
        assert_eq!(a.body, ["The city's libraries will close on Mondays."]);
        // Without header lines after it, a short line is the story's first paragraph.
        let a = read("Title\n\nShort first line\n\nThe story goes on here.");
        assert_eq!(a.body, ["Short first line", "The story goes on here."]);
    }
}
