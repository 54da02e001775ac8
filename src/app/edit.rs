//! The one line editor behind every prompt (the search prompt, the note editor and a
//! picker's filter), and the search prompt's history.
//!
//! The editing itself (cursor moves by grapheme and by word, deleting words and to
//! either end, all on Unicode text) is tui-input's, a kept crate for exactly this;
//! this module applies the editing actions to it and cuts out the part of the line a
//! prompt has room to show. Which keys edit is decided in [`crate::input`].

use tui_input::{Input, InputRequest};
use unicode_width::UnicodeWidthChar;

use super::Action;

/// A one-line text editor with a cursor.
#[derive(Debug, Clone, Default)]
pub struct LineEdit {
    input: Input,
}

impl PartialEq for LineEdit {
    fn eq(&self, other: &LineEdit) -> bool {
        self.input.value() == other.input.value() && self.input.cursor() == other.input.cursor()
    }
}

impl Eq for LineEdit {}

/// The part of a line a prompt shows: the text, already sanitized, and the display
/// column of the cursor in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub text: String,
    pub cursor: usize,
}

impl LineEdit {
    /// A line holding `text`, with the cursor at its end.
    pub fn new(text: impl Into<String>) -> LineEdit {
        LineEdit {
            input: Input::new(text.into()),
        }
    }

    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    /// Replaces the whole line (a recalled search), cursor at the end.
    pub fn set_text(&mut self, text: impl Into<String>) {
        self.input = Input::new(text.into());
    }

    /// Applies a typed character, a Backspace or an editing key. `None` when the
    /// action is not editing; otherwise whether the text changed (a cursor move
    /// changes only the cursor).
    pub fn apply(&mut self, action: &Action) -> Option<bool> {
        let request = match action {
            // A control character (a pasted escape, say) is never kept: a one-line
            // prompt has no use for one, and it could start a sequence in what the
            // prompt shows.
            Action::Input(c) if c.is_control() => return Some(false),
            Action::Input(c) => InputRequest::InsertChar(*c),
            Action::Backspace => InputRequest::DeletePrevChar,
            Action::Edit(request) => *request,
            _ => return None,
        };
        Some(self.input.handle(request).is_some_and(|r| r.value))
    }

    /// What fits in `width` columns around the cursor, sanitized, with one column kept
    /// for the cursor at the end of the line. Only that part is read, so a prompt
    /// over a 10 MB note costs as much to draw as one over a word. A cut is marked
    /// with `…` on its side. When the line does not fit, the cursor keeps up to a
    /// third of the width free on its right, so what follows it stays readable.
    pub fn window(&self, width: usize) -> Window {
        let text = self.input.value();
        if width < 2 {
            return Window {
                text: String::new(),
                cursor: 0,
            };
        }
        // In ASCII text characters are bytes, and checking that is far cheaper
        // than counting characters up to the cursor.
        let at = if text.is_ascii() {
            self.input.cursor().min(text.len())
        } else {
            text.char_indices()
                .nth(self.input.cursor())
                .map_or(text.len(), |(i, _)| i)
        };
        let (before, after) = text.split_at(at);
        let room = width - 1; // the cursor's own column when it sits at the end
        // How much of what follows the cursor asks for room, up to a third.
        let wanted_right = columns_up_to(after.chars(), width / 3);
        let left_room = room - wanted_right.min(room);
        let mut start = at;
        let mut used = 0;
        let mut cut_left = false;
        for (i, c) in before.char_indices().rev() {
            let w = c.width().unwrap_or(0);
            if used + w > left_room {
                cut_left = true;
                break;
            }
            used += w;
            start = i;
        }
        if cut_left {
            // Make room for the mark.
            while used + 1 > left_room && start < at {
                let c = text[start..].chars().next().unwrap_or(' ');
                used -= c.width().unwrap_or(0);
                start += c.len_utf8();
            }
        }
        let left = crate::sanitize::sanitize(&text[start..at]).into_owned();
        let mut shown = String::new();
        if cut_left {
            shown.push('…');
        }
        shown.push_str(&left);
        let cursor = display_width(&shown);
        let right_room = width.saturating_sub(cursor);
        let mut end = at;
        let mut right_used = 0;
        let mut cut_right = false;
        for (i, c) in after.char_indices() {
            let w = c.width().unwrap_or(0);
            if right_used + w > right_room {
                cut_right = true;
                break;
            }
            right_used += w;
            end = at + i + c.len_utf8();
        }
        if cut_right {
            while right_used + 1 > right_room && end > at {
                let c = text[..end].chars().next_back().unwrap_or(' ');
                right_used -= c.width().unwrap_or(0);
                end -= c.len_utf8();
            }
        }
        shown.push_str(&crate::sanitize::sanitize(&text[at..end]));
        if cut_right {
            shown.push('…');
        }
        Window {
            text: shown,
            cursor,
        }
    }
}

fn columns_up_to(chars: impl Iterator<Item = char>, limit: usize) -> usize {
    let mut used = 0;
    for c in chars {
        used += c.width().unwrap_or(0);
        if used >= limit {
            return limit;
        }
    }
    used
}

fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Earlier searches, oldest first, and where Up/Down have got to in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
    /// Position while browsing: `entries.len()` means the line being typed.
    at: Option<usize>,
    /// What was typed before browsing started, given back past the newest entry.
    draft: String,
    /// Searches kept in this session, oldest first, so that saving can add them to
    /// what other sessions saved meanwhile instead of overwriting it.
    added: Vec<String>,
}

/// Searches kept in the history (older ones are forgotten).
pub const HISTORY_LIMIT: usize = 200;

impl History {
    /// A history of earlier sessions' searches, oldest first.
    pub fn new(entries: Vec<String>) -> History {
        let mut history = History::default();
        for e in entries {
            history.remember(&e);
        }
        history
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// The searches kept in this session, oldest first.
    pub fn added(&self) -> &[String] {
        &self.added
    }

    /// Remembers a search that was kept; a repeat moves to the newest place.
    pub fn push(&mut self, text: &str) {
        if self.remember(text) {
            self.added.push(text.trim().to_string());
        }
    }

    fn remember(&mut self, text: &str) -> bool {
        let text = text.trim();
        self.at = None;
        if text.is_empty() || text.contains(['\n', '\r']) {
            return false;
        }
        self.entries.retain(|e| e != text);
        self.entries.push(text.to_string());
        if self.entries.len() > HISTORY_LIMIT {
            let extra = self.entries.len() - HISTORY_LIMIT;
            self.entries.drain(..extra);
        }
        true
    }

    /// Starts afresh when a prompt opens.
    pub fn reset(&mut self) {
        self.at = None;
        self.draft.clear();
    }

    /// The next older search (Up), given the line as typed now.
    pub fn older(&mut self, current: &str) -> Option<&str> {
        let at = self.at.unwrap_or(self.entries.len());
        if at == 0 {
            return None;
        }
        if self.at.is_none() {
            self.draft = current.to_string();
        }
        self.at = Some(at - 1);
        self.entries.get(at - 1).map(String::as_str)
    }

    /// The next newer search (Down); past the newest, the line as it was typed.
    pub fn newer(&mut self) -> Option<&str> {
        let at = self.at?;
        if at + 1 >= self.entries.len() {
            self.at = None;
            return Some(self.draft.as_str());
        }
        self.at = Some(at + 1);
        self.entries.get(at + 1).map(String::as_str)
    }
}
