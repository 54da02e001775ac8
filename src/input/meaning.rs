//! What a key means in the state it is typed in: typed text while a prompt is open,
//! then the keymap's bindings for the active contexts (with sequences such as `g g`
//! waiting for their next key), then a picker's label keys. A key that does nothing
//! still says something, so that no keystroke goes unanswered.

use crossterm::event::{KeyCode, KeyModifiers};
use tui_input::InputRequest;

use super::{Key, Keymap, Resolved, Resolver, sequence_to_string};
use crate::app::{Action, AppState, Context, Mode};

/// What one key does.
#[derive(Debug, Clone, PartialEq)]
pub enum Meaning {
    /// Apply this action.
    Action(Action),
    /// The key did nothing; the status line says why: what may follow the start of
    /// a sequence (`g…  g first article`), or that the key is bound to nothing here.
    Says(String),
    /// The key did nothing, and there is nothing useful to say (an unbound key in a
    /// picker or prompt, where the keys shown already say what works).
    Nothing,
}

/// Turns a key into what it does in `state`. `resolver` holds a sequence typed
/// partly by earlier keys.
pub fn meaning(state: &AppState, keymap: &Keymap, resolver: &mut Resolver, key: Key) -> Meaning {
    match to_action(state, keymap, resolver, key) {
        Some(action) => Meaning::Action(action),
        None => did_nothing(state, keymap, resolver, key),
    }
}

/// Typed text first while a prompt is open, then the keymap's bindings for the
/// active contexts, then a picker's label keys.
fn to_action(
    state: &AppState,
    keymap: &Keymap,
    resolver: &mut Resolver,
    key: Key,
) -> Option<Action> {
    let plain = !key
        .mods
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if state.typing() {
        match key.code {
            // In a prompt a plain character is always text, so a filter can contain
            // spaces and slashes; commands there use named keys or Ctrl.
            KeyCode::Char(c) if plain => {
                resolver.reset();
                return Some(Action::Input(c));
            }
            KeyCode::Backspace if plain => {
                resolver.reset();
                return Some(Action::Backspace);
            }
            _ => {
                if let Some(request) = edit_request(&key) {
                    resolver.reset();
                    return Some(Action::Edit(request));
                }
            }
        }
    }
    match resolver.feed(keymap, state.contexts(), key) {
        Resolved::Action(a) => Some(a),
        Resolved::Pending => None,
        Resolved::Unbound(key) => match (key.code, &state.mode) {
            (KeyCode::Char(c), Mode::Picker(_)) if plain => Some(Action::PickerKey(c)),
            _ => None,
        },
    }
}

/// Every key says something: the start of a sequence shows what may follow
/// (`g…  g first article`), and a key bound to nothing here points to help.
fn did_nothing(state: &AppState, keymap: &Keymap, resolver: &Resolver, key: Key) -> Meaning {
    let pending = resolver.pending();
    if !pending.is_empty() {
        let typed = sequence_to_string(pending);
        let next: Vec<String> = state
            .contexts()
            .iter()
            .flat_map(|&c| keymap.bindings(c))
            .filter(|b| b.keys.len() > pending.len() && b.keys.starts_with(pending))
            .map(|b| {
                format!(
                    "{} {}",
                    sequence_to_string(&b.keys[pending.len()..]),
                    b.desc.to_lowercase()
                )
            })
            .collect();
        return Meaning::Says(
            format!("{typed}…  {}", next.join("  "))
                .trim_end()
                .to_string(),
        );
    }
    if matches!(
        state.mode,
        Mode::Normal | Mode::Help { .. } | Mode::Stats { .. }
    ) {
        let help = keymap
            .keys_for(Context::Global, &Action::Help)
            .into_iter()
            .next();
        return Meaning::Says(match help {
            Some(help) => format!("{key} does nothing here · {help} for help"),
            None => format!("{key} does nothing here"),
        });
    }
    Meaning::Nothing
}

/// The editing keys every prompt understands, readline's and fzf's: arrows,
/// Home/End, `Ctrl-a`/`Ctrl-e`, `Ctrl-b`/`Ctrl-f`, `Alt-b`/`Alt-f` (and
/// `Ctrl-Left`/`Ctrl-Right`) by word, `Delete`/`Ctrl-d`, `Ctrl-w` and
/// `Alt-Backspace` (word before), `Alt-d` (word after), `Ctrl-u` (to the start),
/// `Ctrl-k` (to the end). They are fixed like typed characters and Backspace, not
/// keymap bindings, so every prompt edits the same way whatever the keymap, and
/// the keymap's prompt tables stay for what a prompt does (confirm, close, history).
pub fn edit_request(key: &Key) -> Option<InputRequest> {
    use InputRequest::*;
    let ctrl = key.mods.contains(KeyModifiers::CONTROL);
    let alt = key.mods.contains(KeyModifiers::ALT);
    Some(match (key.code, ctrl, alt) {
        (KeyCode::Left, false, false) | (KeyCode::Char('b'), true, false) => GoToPrevChar,
        (KeyCode::Right, false, false) | (KeyCode::Char('f'), true, false) => GoToNextChar,
        (KeyCode::Left, true, _) | (KeyCode::Left, _, true) | (KeyCode::Char('b'), false, true) => {
            GoToPrevWord
        }
        (KeyCode::Right, true, _)
        | (KeyCode::Right, _, true)
        | (KeyCode::Char('f'), false, true) => GoToNextWord,
        (KeyCode::Home, _, _) | (KeyCode::Char('a'), true, false) => GoToStart,
        (KeyCode::End, _, _) | (KeyCode::Char('e'), true, false) => GoToEnd,
        (KeyCode::Delete, false, false) | (KeyCode::Char('d'), true, false) => DeleteNextChar,
        (KeyCode::Char('w'), true, false) | (KeyCode::Backspace, _, true) => DeletePrevWord,
        (KeyCode::Char('d'), false, true) | (KeyCode::Delete, _, true) => DeleteNextWord,
        (KeyCode::Char('u'), true, false) => DeleteFromStart,
        (KeyCode::Char('k'), true, false) => DeleteTillEnd,
        _ => return None,
    })
}
