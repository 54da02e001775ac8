//! One rule for folding case, for everything that compares text ignoring it: search
//! terms against titles, bodies and label names, an article's own words against the
//! taxonomy's names and aliases, header keys, a source list's categories.
//!
//! Three rules used to coexist (full Unicode lowercasing for labels, the first
//! character of it for the reader's highlights, this one for search), so that a word
//! could match in one place and not in another. [`fold_char`] is the rule; the rest
//! are ways of applying it.

/// Lowercases one character without changing the character count, so that character
/// indices into a folded string are indices into the original. Characters whose
/// lowercase is several characters (`İ`), or is ASCII although they are not (the
/// Kelvin sign), are kept as they are: then ASCII bytes of a folded string are exactly
/// the lowercased ASCII bytes of the original, which lets the engine pre-check raw
/// bytes.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if !l.is_ascii() => l,
        _ => c,
    }
}

/// Appends `text` folded with [`fold_char`] to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(text.chars().map(fold_char));
    }
}

/// `text` folded with [`fold_char`].
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Letters and digits only, each word [`fold`]ed and separated by one space, so that
/// "Middle-East  &  North Africa" and "middle east north africa" compare equal: how
/// an article's own words meet label names and aliases.
pub fn fold_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        fold_into(word, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_the_character_count() {
        for text in [
            "Besançon",
            "İstanbul",
            "ΣΟΦΙΑ",
            "Kelvin",
            "東京の選挙",
            "ǅemal",
        ] {
            let folded = fold(text);
            assert_eq!(folded.chars().count(), text.chars().count(), "{text}");
        }
        assert_eq!(fold("BESANÇON"), "besançon");
        assert_eq!(fold("İ"), "İ");
        assert_eq!(fold("\u{212A}"), "\u{212A}");
    }
}
