//! The bottom line: a message, an open prompt, or the main keys of the active keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
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
        Mode::Search(_) => {
            add(&mut out, Context::Search, Action::Confirm, "keep filter", 0);
            add(&mut out, Context::Search, Action::Close, "clear", 0);
        }
        Mode::Help { .. } => {
            add(&mut out, Context::Help, Action::MenuDown, "scroll down", 1);
            add(&mut out, Context::Help, Action::MenuUp, "scroll up", 1);
            add(&mut out, Context::Help, Action::Close, "close", 0);
        }
        Mode::Stats(_) => add(&mut out, Context::Help, Action::Close, "close", 0),
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

pub fn render(state: &AppState, keymap: &Keymap, p: Palette, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let line = if let Some(m) = &state.message {
        let style = if m.error { p.error() } else { p.flagged() };
        Line::styled(fit(&format!(" {}", sanitize(&m.text)), width), style)
    } else {
        let mut lead = Vec::new();
        match &state.mode {
            Mode::Note(edit) => {
                lead.push(Span::styled(" Note: ", p.key()));
                lead.push(Span::raw(sanitize(&edit.text).into_owned()));
                lead.push(Span::styled("▏", p.key()));
                lead.push(Span::raw("   "));
            }
            Mode::Search(edit) => {
                lead.push(Span::styled(" / ", p.key()));
                lead.push(Span::raw(sanitize(&edit.text).into_owned()));
                lead.push(Span::styled("▏", p.key()));
                lead.push(Span::styled(
                    format!(
                        "  {}   ",
                        crate::words::count(state.view.len(), "match", "matches")
                    ),
                    p.dim(),
                ));
            }
            _ => lead.push(Span::styled(
                format!(" {} · ", sanitize(&state.reviewer)),
                p.dim(),
            )),
        }
        let mut hints = hints(state, keymap);
        let used = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
        // Too narrow: first drop the reviewer's name, then the hints that give way first.
        if matches!(state.mode, Mode::Normal) && used(&lead) + hint_width(&hints) > width {
            lead = vec![Span::raw(" ")];
        }
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
}
