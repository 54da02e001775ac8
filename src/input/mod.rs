//! From keystrokes to [`Action`]s, through a keymap the reviewer can read and change.
//!
//! Keymaps are TOML files (`keymaps/default.toml`, `keymaps/vim.toml`, built into the
//! binary, or any path) with one table per [`Context`]. A user file overrides single key
//! sequences. Everything is checked when the keymap loads — duplicate keys, sequences
//! that hide each other, clashes with the taxonomy's keys — because a conflict that only
//! shows when the key is pressed would quietly put a wrong label on an article.
//!
//! Nothing here touches the terminal: the runtime turns crossterm events into
//! [`Key`]s and asks [`meaning`] what each does in the current state: typed text and
//! the editing keys of a prompt, the keymap's binding through a [`Resolver`] (which
//! answers with an action, "wait for more", or "not bound here"), a picker's label
//! key, or a word on the status line when the key does nothing.

mod key;
mod keymap;
mod meaning;

pub use key::{Key, parse_sequence, sequence_to_string};
pub use keymap::{Binding, HelpEntry, Keymap, KeymapError, user_keymap_path};
pub use meaning::{Meaning, edit_request, meaning};

use crate::app::{Action, Context};

/// What a key means once the keys typed before it are taken into account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A binding is complete.
    Action(Action),
    /// The keys so far start a longer sequence (`g` of `g g`); wait for the next key.
    Pending,
    /// No active context binds this key; the loop may still use it as text or a label key.
    Unbound(Key),
}

/// Holds a partly typed sequence between keystrokes.
///
/// Kept outside the keymap because it belongs to one session's typing, and the status
/// line wants to show it (`g…`).
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    pending: Vec<Key>,
}

impl Resolver {
    /// Resolves one more key against the active contexts, highest priority first
    /// (e.g. `[List, Global]`). When a pending prefix is followed by a key that continues
    /// no binding, the prefix is dropped and the key is resolved on its own, so a
    /// mistyped sequence never swallows the next keystroke.
    pub fn feed(&mut self, keymap: &Keymap, contexts: &[Context], key: Key) -> Resolved {
        let mut sequence = std::mem::take(&mut self.pending);
        sequence.push(key);
        if let Some(resolved) = Self::lookup(keymap, contexts, &sequence) {
            if resolved == Resolved::Pending {
                self.pending = sequence;
            }
            return resolved;
        }
        if sequence.len() > 1 {
            let fresh = [key];
            if let Some(resolved) = Self::lookup(keymap, contexts, &fresh) {
                if resolved == Resolved::Pending {
                    self.pending = fresh.to_vec();
                }
                return resolved;
            }
        }
        Resolved::Unbound(key)
    }

    /// The keys typed so far of an unfinished sequence, for the status line.
    pub fn pending(&self) -> &[Key] {
        &self.pending
    }

    /// Forgets an unfinished sequence, e.g. when a picker opens or focus moves.
    pub fn reset(&mut self) {
        self.pending.clear();
    }

    /// An exact binding wins, in context priority order; otherwise any binding the
    /// sequence starts makes it pending.
    fn lookup(keymap: &Keymap, contexts: &[Context], sequence: &[Key]) -> Option<Resolved> {
        let bindings = || contexts.iter().flat_map(|&c| keymap.bindings(c));
        if let Some(binding) = bindings().find(|b| b.keys == sequence) {
            return Some(Resolved::Action(binding.action.clone()));
        }
        bindings()
            .any(|b| b.keys.len() > sequence.len() && b.keys.starts_with(sequence))
            .then_some(Resolved::Pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Taxonomy;

    fn keymap(name: &str) -> Keymap {
        Keymap::load(name, None, &Taxonomy::default()).expect("built-in keymap loads")
    }

    fn key(name: &str) -> Key {
        Key::parse(name).expect("test key parses")
    }

    const BROWSING: &[Context] = &[Context::List, Context::Global];

    #[test]
    fn default_keys_in_the_list_do_what_the_product_promises() {
        use Action::*;
        let k = keymap("default");
        let table = [
            ("j", Next),
            ("down", Next),
            ("k", Prev),
            ("up", Prev),
            ("g", First),
            ("home", First),
            ("G", Last),
            ("end", Last),
            ("J", ScrollDown),
            ("pagedown", ScrollDown),
            ("K", ScrollUp),
            ("pageup", ScrollUp),
            ("r", PickRegion),
            ("t", PickTheme),
            ("1", SetReliability("reliable".into())),
            ("2", SetReliability("mostly-reliable".into())),
            ("3", SetReliability("mixed".into())),
            ("4", SetReliability("unreliable".into())),
            ("5", SetReliability("fabricated".into())),
            ("a", Accept),
            ("enter", Done),
            ("x", Skip),
            ("f", Flag),
            ("c", Note),
            ("u", Undo),
            ("ctrl-r", Redo),
            ("/", Search),
            ("n", NextMatch),
            ("N", PrevMatch),
            ("?", Help),
            ("q", Quit),
            ("ctrl-c", Quit),
            ("tab", FocusNext),
            ("space", NextTodo),
            ("y", CopyUrl),
            ("v", OpenPager),
            ("O", OpenBrowser),
        ];
        for (name, action) in table {
            let mut resolver = Resolver::default();
            assert_eq!(
                resolver.feed(&k, BROWSING, key(name)),
                Resolved::Action(action),
                "{name}"
            );
            assert!(resolver.pending().is_empty(), "{name}");
        }
    }

    #[test]
    fn the_same_letters_scroll_the_reader_when_it_has_focus() {
        let k = keymap("default");
        let reading = [Context::Reader, Context::Global];
        let mut resolver = Resolver::default();
        for (name, action) in [
            ("j", Action::LineDown),
            ("k", Action::LineUp),
            ("g", Action::ScrollTop),
            ("G", Action::ScrollBottom),
            ("J", Action::ScrollDown),
            ("4", Action::SetReliability("unreliable".into())),
        ] {
            assert_eq!(
                resolver.feed(&k, &reading, key(name)),
                Resolved::Action(action),
                "{name}"
            );
        }
    }

    #[test]
    fn keys_typed_from_the_terminal_resolve_like_file_names() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let k = keymap("default");
        let mut resolver = Resolver::default();
        let shifted_g = Key::from_event(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
        assert_eq!(
            resolver.feed(&k, BROWSING, shifted_g),
            Resolved::Action(Action::Last)
        );
        let ctrl_r = Key::from_event(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
        assert_eq!(
            resolver.feed(&k, BROWSING, ctrl_r),
            Resolved::Action(Action::Redo)
        );
    }

    #[test]
    fn vim_g_g_waits_for_the_second_g() {
        let k = keymap("vim");
        let mut resolver = Resolver::default();
        assert_eq!(resolver.feed(&k, BROWSING, key("g")), Resolved::Pending);
        assert_eq!(resolver.pending(), [key("g")]);
        assert_eq!(
            resolver.feed(&k, BROWSING, key("g")),
            Resolved::Action(Action::First)
        );
        assert!(resolver.pending().is_empty());
        assert_eq!(
            resolver.feed(&k, BROWSING, key("ctrl-d")),
            Resolved::Action(Action::ScrollDown)
        );
    }

    #[test]
    fn a_broken_sequence_resolves_the_next_key_on_its_own() {
        let k = keymap("vim");
        let mut resolver = Resolver::default();
        assert_eq!(resolver.feed(&k, BROWSING, key("g")), Resolved::Pending);
        assert_eq!(
            resolver.feed(&k, BROWSING, key("j")),
            Resolved::Action(Action::Next)
        );
        assert!(resolver.pending().is_empty());

        assert_eq!(resolver.feed(&k, BROWSING, key("g")), Resolved::Pending);
        assert_eq!(
            resolver.feed(&k, BROWSING, key("h")),
            Resolved::Unbound(key("h"))
        );
        assert!(resolver.pending().is_empty());

        // A broken sequence may start a new one.
        assert_eq!(resolver.feed(&k, BROWSING, key("g")), Resolved::Pending);
        assert_eq!(
            resolver.feed(&k, BROWSING, key("G")),
            Resolved::Action(Action::Last)
        );
    }

    #[test]
    fn reset_forgets_a_half_typed_sequence() {
        let k = keymap("vim");
        let mut resolver = Resolver::default();
        assert_eq!(resolver.feed(&k, BROWSING, key("g")), Resolved::Pending);
        resolver.reset();
        assert!(resolver.pending().is_empty());
        assert_eq!(
            resolver.feed(&k, &[Context::Picker], key("g")),
            Resolved::Unbound(key("g"))
        );
    }

    #[test]
    fn label_keys_in_an_open_picker_are_left_to_the_picker() {
        let k = keymap("default");
        let mut resolver = Resolver::default();
        let picker = [Context::Picker];
        for name in ["m", "M", "r", "q", "4"] {
            assert_eq!(
                resolver.feed(&k, &picker, key(name)),
                Resolved::Unbound(key(name)),
                "{name}"
            );
        }
        assert_eq!(
            resolver.feed(&k, &picker, key("esc")),
            Resolved::Action(Action::Close)
        );
        assert_eq!(
            resolver.feed(&k, &picker, key("enter")),
            Resolved::Action(Action::Confirm)
        );
    }

    #[test]
    fn the_higher_priority_context_wins() {
        let text = "[help]\nbindings = [{ keys = [\"q\"], action = \"close\" }]\n[global]\nbindings = [{ keys = [\"q\"], action = \"quit\" }]\n";
        let k = Keymap::parse("x.toml", text, &Taxonomy::default()).expect("loads");
        let mut resolver = Resolver::default();
        assert_eq!(
            resolver.feed(&k, &[Context::Help, Context::Global], key("q")),
            Resolved::Action(Action::Close)
        );
        assert_eq!(
            resolver.feed(&k, &[Context::Global], key("q")),
            Resolved::Action(Action::Quit)
        );
    }
}
