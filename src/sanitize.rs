//! The one gate between untrusted text and the terminal.
//!
//! Articles, file names, sidecar values and search queries all come from people we do
//! not control. A terminal obeys bytes, not intentions: an escape sequence hidden in a
//! scraped article could retitle the window (OSC 0), rewrite the clipboard (OSC 52),
//! recolour or clear the screen (CSI), move the cursor so that one article's text is
//! drawn over another's, or, with a `\r`, overwrite the start of the line the reviewer
//! is reading. Bidirectional overrides and zero-width characters do not touch the
//! terminal but lie to the reader: they reorder or hide what is shown, so that the text
//! on screen is not the text in the file. Every string is passed through [`sanitize`]
//! just before it becomes a span or a line of a command's output, so that none of this
//! can happen however the text got into the program.
//!
//! A sequence is removed whole, payload included (`ESC ] 0 ; title BEL` leaves
//! nothing), which holds only if each value is sanitized whole: never the pieces of a
//! value cut at a `;` or a line break (the payload after the cut would show), never a
//! string of values joined first (one value's unterminated sequence would swallow the
//! next). Text that has to be cut up before it is shown, an article into lines,
//! paragraphs and author names, first goes through [`strip_sequences`].

use std::borrow::Cow;
use std::ops::Range;

use unicode_width::UnicodeWidthChar;

/// Tabs expand to the next multiple of this many display columns.
const TAB_WIDTH: usize = 4;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// The 8-bit String Terminator, which ends OSC, DCS, SOS, PM and APC strings.
const C1_ST: char = '\u{9c}';
/// The 8-bit Control Sequence Introducer and Operating System Command.
const C1_CSI: char = '\u{9b}';
const C1_OSC: char = '\u{9d}';
/// CAN and SUB abort a sequence in progress, on a terminal as here.
const CAN: char = '\u{18}';
const SUB: char = '\u{1a}';

/// The characters of a text with one of lookahead, as `Peekable<Chars>` gives, that
/// also know how much of the text is left, so [`sanitize_ranges`] can say where each
/// part of the input went.
#[derive(Clone)]
struct Chars<'a>(std::str::Chars<'a>);

impl Chars<'_> {
    fn peek(&self) -> Option<char> {
        self.0.clone().next()
    }

    fn next_if(&mut self, wanted: impl FnOnce(&char) -> bool) -> Option<char> {
        let c = self.peek()?;
        if wanted(&c) { self.0.next() } else { None }
    }

    /// Bytes of the text not yet read.
    fn left(&self) -> usize {
        self.0.as_str().len()
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        self.0.next()
    }
}

/// Makes untrusted text safe to draw: whole escape sequences (7-bit and 8-bit forms),
/// every other control character, bidirectional controls and zero-width characters are
/// removed; tabs become spaces up to the next multiple of four display columns; `\n`,
/// `\r\n` and a lone `\r` each become one space, so that text can never move the cursor,
/// add a column to a tab-separated row or start a new one.
/// Callers that want lines split the text into lines first.
///
/// Pass each value whole, and only then join values or cut them for display: a
/// sequence cut in two by splitting (`ESC ] 0` | `; title BEL`) would show its
/// payload, and a sequence left open in one value of a joined string would swallow
/// the values after it. [`strip_sequences`] is for text that must be split before
/// it is shown.
///
/// Returns the input itself, without copying, when it contains none of these (the
/// common case), so it is cheap to call on every string on every frame.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if clean_already(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(clean(text, |_, _| {}))
}

/// [`sanitize`], carrying byte ranges of `text` (search matches, say) over to the
/// sanitized text, so that what is marked on screen is exactly what was found even
/// where sanitizing moved it (a tab before it, a zero-width character inside it).
/// A range all of whose characters were removed is left out.
pub fn sanitize_ranges<'a>(
    text: &'a str,
    ranges: &[Range<usize>],
) -> (Cow<'a, str>, Vec<Range<usize>>) {
    if clean_already(text) {
        return (Cow::Borrowed(text), ranges.to_vec());
    }
    // (where in `text`, where in the result) at the start of each character or
    // sequence read as one, and at the end.
    let mut steps: Vec<(usize, usize)> = Vec::new();
    let out = clean(text, |from, to| steps.push((from, to)));
    let moved = ranges
        .iter()
        .filter_map(|r| {
            // The step holding the range's first byte, and the first step at or
            // after its end.
            let first = steps.partition_point(|&(from, _)| from <= r.start);
            let start = steps.get(first.checked_sub(1)?)?.1;
            let end = steps.partition_point(|&(from, _)| from < r.end);
            let end = steps.get(end).map_or(out.len(), |&(_, to)| to);
            (start < end).then_some(start..end)
        })
        .collect();
    (Cow::Owned(out), moved)
}

/// What [`sanitize`] makes of `text`, calling `step` with the byte offsets in `text`
/// and in the result before each character or sequence is read, and once at the end.
fn clean(text: &str, mut step: impl FnMut(usize, usize)) -> String {
    let mut out = String::with_capacity(text.len());
    // Display column of the next character, for tab stops.
    let mut column = 0usize;
    let mut chars = Chars(text.chars());
    loop {
        step(text.len() - chars.left(), out.len());
        let Some(c) = chars.next() else {
            break;
        };
        match c {
            c if skip_sequence(c, &mut chars) => {}
            '\t' => {
                let spaces = TAB_WIDTH - column % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            '\r' => {
                if chars.peek() == Some('\n') {
                    chars.next();
                }
                out.push(' ');
                column += 1;
            }
            '\n' | '\u{2028}' | '\u{2029}' => {
                out.push(' ');
                column += 1;
            }
            c if is_removed(c) => {}
            c => {
                out.push(c);
                column += c.width().unwrap_or(0);
            }
        }
    }
    out
}

/// A value quoted for a message, as `{:?}` quotes it, after [`sanitize`]: Rust's
/// `Debug` alone would spell an escape sequence out (`\u{1b}]0;title\u{7}`) and so
/// show its payload as text.
pub fn quote(text: &str) -> String {
    format!("{:?}", sanitize(text).as_ref())
}

/// Removes whole escape sequences, 7-bit and 8-bit, with their parameters and
/// payload, and leaves every other character (line breaks and tabs included) as it
/// is. Text that is split into parts before it is shown (a file into lines and
/// paragraphs, a byline into names) goes through this first: a split could otherwise
/// fall inside a sequence, and the part after it would show the payload even once
/// each part is sanitized. What remains still goes through [`sanitize`] for display.
///
/// Returns the input itself, without copying, when it holds no sequence.
pub fn strip_sequences(text: &str) -> Cow<'_, str> {
    if !has_introducer(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = Chars(text.chars());
    while let Some(c) = chars.next() {
        if !skip_sequence(c, &mut chars) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `text` holds a character that starts an escape sequence: ESC, or the
/// 8-bit CSI, OSC, DCS, SOS, PM or APC (UTF-8 `C2 9B` and so on). A byte search,
/// because every article's whole text is checked on the way in.
fn has_introducer(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(0x1b, 0xc2, bytes).any(|i| {
        bytes[i] == 0x1b
            || matches!(
                bytes.get(i + 1),
                Some(0x90 | 0x98 | 0x9b | 0x9d | 0x9e | 0x9f)
            )
    })
}

/// When `c` starts an escape sequence, skips the rest of it and returns true.
fn skip_sequence(c: char, chars: &mut Chars<'_>) -> bool {
    match c {
        ESC => skip_escape(chars),
        C1_CSI => skip_csi(chars),
        C1_OSC => skip_string(chars, true),
        '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(chars, false),
        _ => return false,
    }
    true
}

/// True for every character [`sanitize`] changes or removes.
/// Whether [`sanitize`] leaves `text` as it is. Printable ASCII never needs work, and
/// most text is that: checked a byte at a time before any character is decoded (the
/// titles and names of 100,000 articles are sanitized at every start).
fn clean_already(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b)) || !text.chars().any(needs_work)
}

fn needs_work(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_removed(c)
}

/// Characters dropped on their own: controls (C0, DEL, C1) and the invisible
/// characters that reorder or hide text.
fn is_removed(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// Characters that change the direction text is laid out in, so that what is shown
/// is not the order of what is stored.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// Characters with no width and no glyph, which can hide inside a word (`pay\u{200b}pal`).
/// Besides the zero-width spaces and joiners this takes the other invisible format
/// characters of the General Punctuation block (invisible operators, deprecated
/// shaping controls).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{feff}'
            | '\u{180e}'
    )
}

/// Skips what follows an ESC: a CSI, a control string (OSC, DCS, SOS, PM, APC), or a
/// short escape (`ESC c`, `ESC 7`, `ESC ( B`: intermediates 0x20–0x2F, then one final
/// character 0x30–0x7E). A character that cannot continue a sequence is left in place
/// to be judged on its own.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') => {
            chars.next();
            skip_string(chars, true);
        }
        Some('P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars, false);
        }
        _ => {
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
        }
    }
}

/// Skips a CSI's parameters and intermediates (0x20–0x3F) and its final character
/// (0x40–0x7E). A character outside those ranges ends the broken sequence and is
/// left in place.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| ('\u{20}'..='\u{3f}').contains(c))
        .is_some()
    {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// Skips a control string up to and including its terminator: ST (`ESC \\` or 8-bit
/// ST), BEL for OSC, or CAN or SUB, which cancel it. Any other ESC ends the string
/// and is left in place to start the next sequence, as a terminal reads it. An
/// unterminated string runs to the end of the text, because that is what a terminal
/// would swallow too.
fn skip_string(chars: &mut Chars<'_>, bel_ends: bool) {
    while let Some(c) = chars.peek() {
        match c {
            ESC => {
                let mut after = chars.clone();
                after.next();
                if after.peek() == Some('\\') {
                    chars.next();
                    chars.next();
                }
                return;
            }
            C1_ST | CAN | SUB => {
                chars.next();
                return;
            }
            BEL if bel_ends => {
                chars.next();
                return;
            }
            _ => {
                chars.next();
            }
        }
    }
}

/// Escapes, in JSON text, the characters serde_json leaves as they are but that can
/// act on a terminal or split a line for a line-based reader: C1 controls, bidi and
/// zero-width marks, the line and paragraph separators, the byte-order mark. They
/// only ever occur inside JSON strings, where `\uXXXX` means the same character, so
/// the data is exact and yet safe to print.
pub fn escape_json_hidden(json: &str) -> String {
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        let hidden = matches!(
            c,
            '\u{80}'..='\u{9f}'
                | '\u{61c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
        );
        if hidden {
            safe.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            safe.push(c);
        }
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The forbidden classes, written out independently of the implementation.
    fn forbidden(c: char) -> bool {
        let u = c as u32;
        u < 0x20
            || (0x7f..=0x9f).contains(&u)
            || (0x202a..=0x202e).contains(&u)
            || (0x2066..=0x2069).contains(&u)
            || [0x200e, 0x200f, 0x061c].contains(&u)
            || (0x200b..=0x200d).contains(&u)
            || [0x2060, 0xfeff, 0x180e, 0x2028, 0x2029].contains(&u)
    }

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(sanitize(input), expected, "input {input:?}");
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        // OSC 52: write "Hello" to the clipboard, BEL-terminated.
        check("a\x1b]52;c;SGVsbG8=\x07b", "ab");
        // OSC 0: change the window title, ST-terminated.
        check("\x1b]0;pwned\x1b\\ok", "ok");
        // OSC 8 hyperlink around text keeps only the text.
        check("\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click");
        // CSI colours.
        check("\x1b[31;1mred\x1b[0m", "red");
        // CSI cursor movement and screen clearing.
        check("one\x1b[2J\x1b[H\x1b[10;20Htwo", "onetwo");
        // DCS (sixel) and APC (kitty graphics) strings.
        check("\x1bPq#0;2;0;0;0#0~~\x1b\\x", "x");
        check("\x1b_Gf=100;AAAA\x1b\\y", "y");
        check("\x1bXsos\x1b\\\x1b^pm\x1b\\z", "z");
        // Two- and three-byte escapes: reset, save cursor, charset designation.
        check("\x1bcreset", "reset");
        check("\x1b7a\x1b8", "a");
        check("\x1b(Bplain", "plain");
    }

    #[test]
    fn eight_bit_c1_sequences_are_removed_whole() {
        check("\u{9b}31mred\u{9b}0m", "red");
        check("\u{9d}0;title\u{9c}after", "after");
        check("\u{9d}52;c;SGVsbG8=\x07after", "after");
        check("\u{90}q#0;2\u{9c}after", "after");
        check("a\u{85}b\u{9c}c", "abc");
    }

    #[test]
    fn broken_sequences_cannot_swallow_or_leak() {
        // Unterminated at the end of the text.
        check("x\x1b[31", "x");
        check("x\x1b", "x");
        check("x\x1b]0;never ends", "x");
        // A CSI broken by a character that cannot belong to it ends there.
        check("a\x1b[3\u{e9}b", "a\u{e9}b");
        check("a\x1b[3\nb", "a b");
        // ESC followed by a non-ASCII character drops only the ESC.
        check("a\x1b\u{e9}", "a\u{e9}");
    }

    #[test]
    fn an_escape_inside_a_string_ends_it_and_starts_the_next_sequence() {
        // As a terminal reads it: the OSC ends at the ESC, the CSI after it is its own.
        check("\x1b]0;title\x1b[2Jtext", "text");
        check("\x1b]0;title\x1b]52;c;SGk=\x07text", "text");
        check("\u{9d}0;title\x1bctext", "text");
    }

    #[test]
    fn can_and_sub_cancel_a_sequence_with_its_payload() {
        check("\x1b]0;title\x18after", "after");
        check("\x1bPq#0;2\x1aafter", "after");
        check("\x1b[3\x18after", "after");
    }

    #[test]
    fn osc_title_leaves_nothing_of_itself() {
        // The bug the issue shows: `ESC ] 0 ; title BEL` must not leave `]0;title`.
        for text in [
            "\x1b]0;title\x07",
            "\x1b]0;title\x1b\\",
            "\x1b]0;title\u{9c}",
            "\u{9d}0;title\x07",
            "\x1b]52;c;dGl0bGU=\x07",
            "\x1b]2;title",
        ] {
            check(text, "");
            assert_eq!(strip_sequences(text), "", "{text:?}");
        }
    }

    #[test]
    fn strip_sequences_keeps_line_breaks_and_tabs_for_splitting() {
        assert_eq!(
            strip_sequences("a\x1b]0;t;u\x07\tb\nc;\u{9b}31md"),
            "a\tb\nc;d"
        );
        assert!(matches!(
            strip_sequences("plain; text\twith\nbreaks"),
            Cow::Borrowed(_)
        ));
        // Other controls are left for `sanitize`.
        assert_eq!(strip_sequences("a\x07b\x1b"), "a\x07b");
        // The byte search: C1 introducers are `C2 90`… in UTF-8; `©` (`C2 A9`) and
        // NEL (`C2 85`) are not introducers.
        for (text, found) in [
            ("a\u{9b}", true),
            ("\u{9d}", true),
            ("\u{90}\u{98}\u{9e}\u{9f}", true),
            ("\x1b", true),
            ("© é \u{a0} \u{85}", false),
            ("", false),
        ] {
            assert_eq!(has_introducer(text), found, "{text:?}");
        }
    }

    #[test]
    fn lone_controls_and_del_are_removed() {
        check("ding\x07", "ding");
        check("a\x08b\x7fc\x00d\x0ce", "abcde");
    }

    #[test]
    fn bidi_and_zero_width_characters_are_removed() {
        check("abc\u{202e}fed\u{202c}", "abcfed");
        check("\u{2067}x\u{2069}\u{200e}\u{200f}\u{061c}", "x");
        check(
            "pay\u{200b}pal\u{200c}\u{200d}\u{2060}\u{feff}\u{180e}",
            "paypal",
        );
    }

    #[test]
    fn tabs_expand_to_four_column_stops() {
        check("\tx", "    x");
        check("a\tb", "a   b");
        check("abcd\tx", "abcd    x");
        check("ab\t\tc", "ab      c");
        // Wide characters count two columns.
        check("日\tx", "日  x");
        // Removed characters take no column.
        check("\x1b[1ma\x1b[0m\tb", "a   b");
    }

    #[test]
    fn carriage_returns_and_newlines_cannot_move_the_cursor() {
        check("a\r\nb\rc\nd", "a b c d");
        check("real\rfake", "real fake");
        check("a\u{2028}b\u{2029}c", "a b c");
    }

    #[test]
    fn clean_text_is_borrowed() {
        for text in [
            "",
            "Lavrov — Лавров",
            "Ελληνικά · 日本語 🎉",
            "Region: MENA",
        ] {
            assert!(
                matches!(sanitize(text), Cow::Borrowed(t) if t == text),
                "{text:?}"
            );
        }
        assert!(matches!(sanitize("a\tb"), Cow::Owned(_)));
    }

    #[test]
    fn ranges_follow_their_text_through_sanitizing() {
        // Unchanged text keeps its ranges and is not copied.
        let (out, ranges) = sanitize_ranges("oil and gas", &[0..3, 8..11]);
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(ranges, [0..3, 8..11]);
        // A tab before a match moves it; a zero-width space inside one shrinks it;
        // a sequence before it is gone, payload and all.
        let text = "\toil \u{1b}]0;gas\u{7}ga\u{200b}s";
        let oil = 1..4;
        let gas = text.len() - "ga\u{200b}s".len()..text.len();
        let (out, ranges) = sanitize_ranges(text, &[oil, gas]);
        assert_eq!(out, "    oil gas");
        let marked: Vec<&str> = ranges.iter().map(|r| &out[r.clone()]).collect();
        assert_eq!(marked, ["oil", "gas"]);
        // A range of nothing but removed characters marks nothing.
        let gone = 1..4;
        let (_, ranges) = sanitize_ranges("a\u{200b}b", std::slice::from_ref(&gone));
        assert!(ranges.is_empty(), "{ranges:?}");
        // `\r\n` is one space, whichever of its bytes a range starts at.
        let (out, ranges) = sanitize_ranges("a\r\nb", &[1..3, 2..4]);
        assert_eq!(out, "a b");
        assert_eq!(ranges, [1..2, 1..3]);
    }

    proptest! {
        #[test]
        fn a_range_of_plain_text_marks_the_same_text_once_sanitized(
            before in "[a-z \t\u{200b}\u{202e}\r\n]{0,12}",
            word in "[a-z]{1,6}",
            after in "[a-z \t\u{200b}\u{1b}\\[\\];0-9m\u{7}\r\n]{0,12}",
        ) {
            let text = format!("{before} {word} {after}");
            let at = before.len() + 1;
            let range = at..at + word.len();
            let (out, ranges) = sanitize_ranges(&text, std::slice::from_ref(&range));
            let whole = sanitize(&text);
            prop_assert_eq!(out.as_ref(), whole.as_ref());
            prop_assert_eq!(ranges.len(), 1);
            prop_assert_eq!(&out[ranges[0].clone()], word.as_str());
        }

        #[test]
        fn output_never_contains_a_forbidden_character(text in any::<String>()) {
            let out = sanitize(&text);
            prop_assert!(!out.chars().any(forbidden), "{:?} -> {:?}", text, out);
        }

        #[test]
        fn escapes_in_any_surrounding_never_leak(
            before in "[a-z \t]{0,5}",
            seq in "(\x1b|\u{9b}|\u{9d})[\\[\\]P_^X0-9;:a-zA-Z\x07\\\\ ]{0,12}",
            after in "[a-z\t\r\n]{0,5}",
        ) {
            let text = format!("{before}{seq}{after}");
            let out = sanitize(&text);
            prop_assert!(!out.chars().any(forbidden), "{:?} -> {:?}", text, out);
            prop_assert!(!out.contains('\t'));
        }

        /// Every form of every string sequence is removed with all of its payload,
        /// wherever it sits, by both functions.
        #[test]
        fn string_sequences_are_removed_with_their_payload(
            before in "[a-zA-Z .,;]{0,8}",
            intro in prop::sample::select(vec![
                "\x1b]0;", "\x1b]52;c;", "\x1b]8;;", "\u{9d}2;", "\x1bP", "\u{90}",
                "\x1b_", "\u{9f}", "\x1b^", "\u{9e}", "\x1bX", "\u{98}",
            ]),
            payload in "[a-zA-Z0-9;:=/,. \t\n]{0,20}",
            end in prop::sample::select(vec!["\x1b\\", "\u{9c}", "\x18", "\x1a", "\x07"]),
            after in "[a-zA-Z .,;]{0,8}",
        ) {
            // BEL ends only an OSC; elsewhere it is payload, so end those with ST.
            let osc = intro.contains(']') || intro.starts_with('\u{9d}');
            let end = if end == "\x07" && !osc { "\x1b\\" } else { end };
            let text = format!("{before}{intro}{payload}{end}{after}");
            prop_assert_eq!(sanitize(&text), format!("{before}{after}"), "{:?}", text);
            prop_assert_eq!(strip_sequences(&text), format!("{before}{after}"), "{:?}", text);
        }

        /// Splitting after `strip_sequences` never exposes a payload, wherever the
        /// separators fall (the mechanism behind author lists showing `title`).
        #[test]
        fn splitting_stripped_text_never_shows_a_payload(
            before in "[a-z ,;]{0,8}",
            payload in "[;, \n]{0,3}PAYLOAD[;, \n]{0,3}",
            after in "[a-z ,;]{0,8}",
        ) {
            let text = format!("{before}\x1b]0;{payload}\x07{after}");
            let stripped = strip_sequences(&text);
            for part in stripped.split([';', ',', '\n']) {
                prop_assert!(!sanitize(part).contains("PAYLOAD"), "{:?}", text);
            }
        }

        #[test]
        fn the_byte_search_finds_exactly_the_introducers(text in any::<String>()) {
            let by_char = text.chars().any(|c| matches!(
                c,
                ESC | C1_CSI | C1_OSC | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}'
            ));
            prop_assert_eq!(has_introducer(&text), by_char);
        }

        #[test]
        fn tabs_never_survive(text in "[a-z\t日é]{0,40}") {
            prop_assert!(!sanitize(&text).contains('\t'));
        }

        #[test]
        fn clean_text_is_returned_unchanged_without_copying(text in any::<String>()) {
            let clean: String = text.chars().filter(|&c| !forbidden(c) && c != '\t').collect();
            // The implementation also drops a few rarer invisible characters; keep the
            // property about the documented classes only.
            let clean: String = clean.chars().filter(|&c| !is_invisible(c)).collect();
            let out = sanitize(&clean);
            prop_assert!(matches!(out, Cow::Borrowed(_)), "{:?} was copied", clean);
            prop_assert_eq!(out, clean.as_str());
        }

        #[test]
        fn sanitizing_twice_changes_nothing_more(text in any::<String>()) {
            let once = sanitize(&text).into_owned();
            prop_assert!(matches!(sanitize(&once), Cow::Borrowed(_)));
        }
    }
}
