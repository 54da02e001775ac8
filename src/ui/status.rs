//! The bottom line: a message, an open prompt, or the main keys of the active keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{NARROW, Palette, fit};
use crate::app::{Action, AppState, Context, Focus, Mode};
use crate::input::Keymap;
use crate::labels::Axis;
use crate::sanitize::sanitize;

/// One hint: a key, what it does, and how readily it gives way on a narrow screen
/// (0 never: help leads to every other key).
struct Hint {
    key: String,
    desc: &'static str,
    drop_order: u8,
}

/// The hints for the actions that matter most in a mode, taken from the keymap so
/// they always tell the truth about the active bindings.
fn hints(state: &AppState, keymap: &Keymap) -> Vec<Hint> {
    let mut out = Vec::new();
    let add =
        |out: &mut Vec<Hint>, ctx: Context, action: Action, desc: &'static str, drop_order: u8| {
            if let Some(key) = keymap.keys_for(ctx, &action).into_iter().next() {
                out.push(Hint {
                    key,
                    desc,
                    drop_order,
                });
            }
        };
    let g = Context::Global;
    match &state.mode {
        // Nothing to label (an empty inbox, a search that found nothing) or nothing
        // left to label: the keys that lead on, not the labeling keys.
        Mode::Normal
            if state.view.is_empty()
                || (state.search.filter.is_none()
                    && !state.reviewing()
                    && state.progress().all_decided()) =>
        {
            if state.search.filter.is_some() {
                add(&mut out, g, Action::Close, "clear search", 1);
            } else if !state.view.is_empty() {
                add(&mut out, g, Action::Review, "review", 1);
                add(&mut out, g, Action::Search, "search", 2);
            }
            add(&mut out, g, Action::Quit, "quit", 0);
            add(&mut out, g, Action::Help, "help", 0);
        }
        Mode::Normal => {
            add(&mut out, g, Action::PickRegion, "region", 2);
            add(&mut out, g, Action::PickTheme, "theme", 2);
            let rel = &state.taxonomy.axis(Axis::Reliability).labels;
            if let (Some(first), Some(last)) = (rel.first(), rel.last()) {
                out.push(Hint {
                    key: format!("{}-{}", first.key, last.key),
                    desc: "reliability",
                    drop_order: 2,
                });
            }
            add(&mut out, g, Action::Accept, "accept", 3);
            add(&mut out, g, Action::Done, "done", 2);
            add(&mut out, g, Action::Search, "search", 4);
            if state.width <= NARROW {
                let other = if state.focus == Focus::List {
                    "reader"
                } else {
                    "list"
                };
                add(&mut out, g, Action::FocusNext, other, 1);
            }
            if !state.unsaved.is_empty() {
                add(&mut out, g, Action::Save, "retry unsaved", 0);
            }
            if !state.marks.is_empty() {
                add(&mut out, g, Action::Close, "unmark all", 1);
            }
            add(&mut out, g, Action::Help, "help", 0);
        }
        Mode::Picker(picker) => {
            let c = Context::Picker;
            if picker.filter.is_some() {
                add(&mut out, c, Action::Confirm, "toggle first match", 0);
                add(&mut out, c, Action::Close, "back", 0);
            } else {
                out.push(Hint {
                    key: "key".into(),
                    desc: "toggle & close",
                    drop_order: 1,
                });
                out.push(Hint {
                    key: "Key".into(),
                    desc: "toggle & keep open",
                    drop_order: 1,
                });
                add(&mut out, c, Action::Filter, "filter", 2);
                add(&mut out, c, Action::Confirm, "close", 0);
            }
        }
        Mode::Note(_) => {
            add(&mut out, Context::Note, Action::Confirm, "save", 0);
            add(&mut out, Context::Note, Action::Close, "cancel", 0);
        }
        // A malformed query cannot be kept: its reason takes the room of the hints.
        Mode::Search(_) if state.search.error.is_some() => {}
        Mode::Search(_) => {
            add(&mut out, Context::Search, Action::Confirm, "keep filter", 0);
            add(&mut out, Context::Search, Action::Close, "clear", 0);
            add(&mut out, Context::Search, Action::HistoryPrev, "history", 1);
        }
        Mode::Help { .. } => {
            add(&mut out, Context::Help, Action::MenuDown, "scroll down", 1);
            add(&mut out, Context::Help, Action::MenuUp, "scroll up", 1);
            add(&mut out, Context::Help, Action::Close, "close", 0);
        }
        // Its title names the scrolling keys when there is something to scroll.
        Mode::Stats { .. } => add(&mut out, Context::Help, Action::Close, "close", 0),
        Mode::SavedSearches { .. } => {
            let c = Context::SavedSearches;
            if !state.saved.queries.is_empty() {
                add(&mut out, c, Action::Confirm, "search", 0);
            }
            add(&mut out, c, Action::Close, "close", 0);
        }
        Mode::Conflict(_) => {
            let c = Context::Conflict;
            add(&mut out, c, Action::Overwrite, "overwrite them too", 0);
            add(&mut out, c, Action::KeepTheirs, "keep theirs", 0);
            add(&mut out, c, Action::Close, "cancel", 0);
        }
    }
    out
}

fn hint_width(hints: &[Hint]) -> usize {
    use unicode_width::UnicodeWidthStr;
    hints
        .iter()
        .map(|h| h.key.width() + 1 + h.desc.width() + 2)
        .sum()
}

/// Draws the bottom line; returns where the terminal cursor goes when a prompt is open.
pub fn render(
    state: &AppState,
    keymap: &Keymap,
    p: Palette,
    area: Rect,
    buf: &mut Buffer,
) -> Option<Position> {
    let width = area.width as usize;
    let mut cursor = None;
    let line = if let Some(m) = &state.message {
        let style = if m.error { p.error() } else { p.flagged() };
        Line::styled(fit(&format!(" {}", sanitize(&m.text)), width), style)
    } else {
        let mut hints = hints(state, keymap);
        let mut lead = Vec::new();
        let prompt = match &state.mode {
            Mode::Note(edit) => Some((" Note: ", edit, Span::raw("   "))),
            Mode::Search(edit) => Some((
                " / ",
                edit,
                match &state.search.error {
                    Some(e) => Span::styled(format!("  {}", sanitize(e)), p.error()),
                    None => Span::styled(
                        format!(
                            "  {}   ",
                            crate::words::count(state.view.len(), "match", "matches")
                        ),
                        p.dim(),
                    ),
                },
            )),
            _ => None,
        };
        match prompt {
            Some((label, edit, tail)) => {
                // The line gets what the label, what follows it and the hints that
                // never give way leave over, and never less than a few words.
                let kept: Vec<&Hint> = hints.iter().filter(|h| h.drop_order == 0).collect();
                let fixed = label.len()
                    + tail.width()
                    + kept
                        .iter()
                        .map(|h| h.key.len() + 1 + h.desc.len() + 2)
                        .sum::<usize>();
                let room = width
                    .saturating_sub(fixed)
                    .max(width.saturating_sub(label.len()).min(16));
                let shown = edit.window(room);
                let x = area.x as usize + label.len() + shown.cursor;
                if x < (area.x + area.width) as usize {
                    cursor = Some(Position::new(x as u16, area.y));
                }
                lead.push(Span::styled(label, p.key()));
                lead.push(Span::raw(shown.text));
                lead.push(Span::raw(" "));
                lead.push(tail);
            }
            None => lead.push(Span::styled(
                format!(" {} · ", sanitize(&state.reviewer)),
                p.dim(),
            )),
        }
        // How many articles the next decision reaches, kept on the narrowest screen.
        let marked = state.marked();
        let marks = (marked > 0 && matches!(state.mode, Mode::Normal | Mode::Picker(_)))
            .then(|| Span::styled(format!("{marked} marked · "), p.key()));
        let used = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
        // Too narrow: first drop the reviewer's name, then the hints that give way first.
        if matches!(state.mode, Mode::Normal) && used(&lead) + hint_width(&hints) > width {
            lead = vec![Span::raw(" ")];
        }
        lead.extend(marks);
        while used(&lead) + hint_width(&hints) > width {
            let Some(worst) = hints
                .iter()
                .enumerate()
                .filter(|(_, h)| h.drop_order > 0)
                .max_by_key(|(i, h)| (h.drop_order, *i))
                .map(|(i, _)| i)
            else {
                break;
            };
            hints.remove(worst);
        }
        for (i, h) in hints.into_iter().enumerate() {
            if i > 0 {
                lead.push(Span::raw("  "));
            }
            lead.push(Span::styled(h.key, p.key()));
            lead.push(Span::raw(format!(" {}", h.desc)));
        }
        Line::from(lead)
    };
    line.render(area, buf);
    cursor
}
