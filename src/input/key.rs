//! One keystroke, as keymap files name it and as the help overlay shows it.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as bindings name it.
///
/// Terminals disagree about how a shifted or controlled letter arrives (`J` with or
/// without SHIFT, `Ctrl-R` as `r` or `R`), so every `Key` is normalised on the way in and
/// matching is then plain equality: for character keys SHIFT is dropped because the
/// character's case carries it (`J`, never shift-`j`); with CONTROL a letter is stored
/// lowercase (`Ctrl-r` and `Ctrl-R` are one key); Shift-Tab is always `BackTab` without
/// SHIFT. Build keys with [`Key::new`], [`Key::parse`], [`Key::char`] or
/// [`Key::from_event`] so they stay normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// Which key; letters carry their case here.
    pub code: KeyCode,
    /// Ctrl, Alt and friends; never SHIFT on a character key (see above).
    pub mods: KeyModifiers,
}

/// Key names a keymap file may use besides single characters, with the name the help
/// overlay shows first. Matching is case-insensitive.
const NAMED: &[(&[&str], KeyCode)] = &[
    (&["enter", "return"], KeyCode::Enter),
    (&["esc", "escape"], KeyCode::Esc),
    (&["tab"], KeyCode::Tab),
    (&["backtab"], KeyCode::BackTab),
    (&["space"], KeyCode::Char(' ')),
    (&["up"], KeyCode::Up),
    (&["down"], KeyCode::Down),
    (&["left"], KeyCode::Left),
    (&["right"], KeyCode::Right),
    (&["home"], KeyCode::Home),
    (&["end"], KeyCode::End),
    (&["pageup", "pgup"], KeyCode::PageUp),
    (&["pagedown", "pgdn"], KeyCode::PageDown),
    (&["backspace"], KeyCode::Backspace),
    (&["delete", "del"], KeyCode::Delete),
    (&["insert", "ins"], KeyCode::Insert),
];

/// Modifier prefixes (`ctrl-r`, `alt-x`), in the order the help overlay writes them.
const MODIFIERS: &[(&[&str], KeyModifiers, &str)] = &[
    (&["ctrl", "control"], KeyModifiers::CONTROL, "Ctrl"),
    (&["alt"], KeyModifiers::ALT, "Alt"),
    (&["shift"], KeyModifiers::SHIFT, "Shift"),
    (&["super"], KeyModifiers::SUPER, "Super"),
    (&["hyper"], KeyModifiers::HYPER, "Hyper"),
    (&["meta"], KeyModifiers::META, "Meta"),
];

/// Function keys terminals can send; keymaps may name `f1` … `f24`.
const MAX_FUNCTION_KEY: u8 = 24;

impl Key {
    /// The one place normalisation happens, so a key parsed from a file and the same
    /// key read from the terminal always compare equal.
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut code = code;
        let mut mods = mods;
        match code {
            KeyCode::Char(c) => {
                let mut c = c;
                if mods.contains(KeyModifiers::SHIFT) {
                    c = single_case(c.to_uppercase()).unwrap_or(c);
                    mods.remove(KeyModifiers::SHIFT);
                }
                if mods.contains(KeyModifiers::CONTROL) && c.is_alphabetic() {
                    c = single_case(c.to_lowercase()).unwrap_or(c);
                }
                code = KeyCode::Char(c);
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                code = KeyCode::BackTab;
                mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::BackTab => mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        Key { code, mods }
    }

    /// A plain character key; what tests and the event loop reach for most.
    pub fn char(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    /// The key a terminal event stands for. The caller decides which event kinds
    /// (press, repeat, release) count; this looks only at code and modifiers.
    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// Reads a key name from a keymap file: a single character (`j`, `J`, `?`), a named
    /// key (`enter`, `pagedown`, `f5`, any case), optionally after modifier prefixes
    /// (`ctrl-r`, `alt-x`, `shift-tab`). The error is a sentence fragment for the caller
    /// to place after the file and line.
    pub fn parse(text: &str) -> Result<Key, String> {
        if text.is_empty() {
            return Err("an empty key name".into());
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        while let Some((head, tail)) = rest.split_once('-') {
            if tail.is_empty() {
                break;
            }
            let Some(modifier) = modifier_named(head) else {
                break;
            };
            mods |= modifier;
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => code_named(rest).ok_or_else(|| {
                format!(
                    "{text:?} is not a key name; use a single character, a name such as \
                     enter, esc, tab, backtab, space, up, down, left, right, home, end, \
                     pageup, pagedown, backspace, delete, insert or f1 to f{MAX_FUNCTION_KEY}, \
                     optionally after ctrl-, alt- or shift-"
                )
            })?,
        };
        Ok(Key::new(code, mods))
    }
}

/// `ctrl`, `Ctrl`, `CONTROL` … → the modifier.
fn modifier_named(name: &str) -> Option<KeyModifiers> {
    let name = name.to_ascii_lowercase();
    MODIFIERS
        .iter()
        .find(|(names, _, _)| names.contains(&name.as_str()))
        .map(|(_, m, _)| *m)
}

/// `enter`, `PageDown`, `f5` … → the key code.
fn code_named(name: &str) -> Option<KeyCode> {
    let name = name.to_ascii_lowercase();
    if let Some((_, code)) = NAMED
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
    {
        return Some(*code);
    }
    let number: u8 = name.strip_prefix('f')?.parse().ok()?;
    (1..=MAX_FUNCTION_KEY)
        .contains(&number)
        .then_some(KeyCode::F(number))
}

/// The case-changed character when the change gives exactly one character ('ß' → "SS" does not).
fn single_case(mut chars: impl Iterator<Item = char>) -> Option<char> {
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

impl fmt::Display for Key {
    /// How help and the status line show a key; [`Key::parse`] reads it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (_, modifier, shown) in MODIFIERS {
            if self.mods.contains(*modifier) {
                write!(f, "{shown}-")?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PageUp"),
            KeyCode::PageDown => f.write_str("PageDown"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::F(n) => write!(f, "F{n}"),
            // Keys no keymap can name (media keys, lock keys) only show up in messages.
            other => write!(f, "{other:?}"),
        }
    }
}

/// Reads a key sequence as keymap files write it: keys separated by spaces (`"g g"`).
/// A lone space character is the space key, so `" "` works as well as `"space"`.
pub fn parse_sequence(text: &str) -> Result<Vec<Key>, String> {
    if text == " " {
        return Ok(vec![Key::char(' ')]);
    }
    let keys = text
        .split_whitespace()
        .map(Key::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err("an empty key name".into());
    }
    Ok(keys)
}

/// How help shows a key sequence: `g g`, `Ctrl-r`.
pub fn sequence_to_string(keys: &[Key]) -> String {
    keys.iter()
        .map(Key::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_name_reads_back_from_how_help_shows_it() {
        let names = [
            ("j", "j"),
            ("J", "J"),
            ("?", "?"),
            ("/", "/"),
            ("-", "-"),
            ("ctrl-r", "Ctrl-r"),
            ("Ctrl-R", "Ctrl-r"),
            ("CONTROL-r", "Ctrl-r"),
            ("ctrl--", "Ctrl--"),
            ("enter", "Enter"),
            ("return", "Enter"),
            ("esc", "Esc"),
            ("escape", "Esc"),
            ("tab", "Tab"),
            ("backtab", "Shift-Tab"),
            ("shift-tab", "Shift-Tab"),
            ("space", "Space"),
            (" ", "Space"),
            ("ctrl-space", "Ctrl-Space"),
            ("up", "Up"),
            ("down", "Down"),
            ("left", "Left"),
            ("right", "Right"),
            ("shift-up", "Shift-Up"),
            ("home", "Home"),
            ("end", "End"),
            ("pageup", "PageUp"),
            ("pgup", "PageUp"),
            ("pagedown", "PageDown"),
            ("pgdn", "PageDown"),
            ("PageDown", "PageDown"),
            ("backspace", "Backspace"),
            ("delete", "Delete"),
            ("del", "Delete"),
            ("insert", "Insert"),
            ("f1", "F1"),
            ("F12", "F12"),
            ("alt-x", "Alt-x"),
            ("alt-X", "Alt-X"),
            ("ctrl-alt-d", "Ctrl-Alt-d"),
            ("shift-j", "J"),
        ];
        for (name, shown) in names {
            let key = Key::parse(name).unwrap_or_else(|e| panic!("{name:?}: {e}"));
            assert_eq!(key.to_string(), shown, "{name:?}");
            assert_eq!(Key::parse(shown), Ok(key), "{shown:?} reads back");
        }
        for n in 1..=12 {
            let key = Key::parse(&format!("f{n}")).expect("function key");
            assert_eq!(key.code, KeyCode::F(n));
            assert_eq!(Key::parse(&key.to_string()), Ok(key));
        }
    }

    #[test]
    fn shifted_letter_from_the_terminal_matches_the_capital_in_a_file() {
        let event = KeyEvent::new(KeyCode::Char('J'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&event), Key::parse("J").expect("J parses"));
        assert_ne!(Key::from_event(&event), Key::char('j'));
    }

    #[test]
    fn ctrl_letters_match_whatever_case_the_terminal_sends() {
        let ctrl_r = Key::parse("ctrl-r").expect("ctrl-r parses");
        for event in [
            KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
            KeyEvent::new(KeyCode::Char('R'), KeyModifiers::CONTROL),
            KeyEvent::new(
                KeyCode::Char('R'),
                KeyModifiers::CONTROL | KeyModifiers::SHIFT,
            ),
        ] {
            assert_eq!(Key::from_event(&event), ctrl_r, "{event:?}");
        }
        assert_ne!(ctrl_r, Key::char('r'));
    }

    #[test]
    fn shift_tab_arrives_as_backtab_either_way() {
        let backtab = Key::parse("backtab").expect("backtab parses");
        for event in [
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::NONE),
            KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT),
        ] {
            assert_eq!(Key::from_event(&event), backtab, "{event:?}");
        }
        assert_ne!(backtab, Key::parse("tab").expect("tab parses"));
    }

    #[test]
    fn unknown_key_names_are_refused_with_the_name() {
        for bad in ["", "pgdown", "ctrl-", "ctrl-foo", "f0", "f25", "hyperdrive"] {
            let err = Key::parse(bad).expect_err(bad);
            assert!(
                err.contains(&format!("{bad:?}")) || bad.is_empty(),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn sequences_split_on_spaces() {
        let g = Key::char('g');
        assert_eq!(parse_sequence("g g"), Ok(vec![g, g]));
        assert_eq!(parse_sequence("  g   g "), Ok(vec![g, g]));
        assert_eq!(sequence_to_string(&[g, g]), "g g");
        assert_eq!(parse_sequence(" "), Ok(vec![Key::char(' ')]));
        assert!(parse_sequence("").is_err());
        assert!(parse_sequence("g nope").is_err());
    }
}
