//! The help overlay, generated from the active keymap so it is never out of date.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Palette, centered, fit};
use crate::app::{AppState, Context};
use crate::input::Keymap;
use crate::labels::Axis;
use crate::sanitize::sanitize;

/// Every binding of every context, grouped, with the picker's label keys.
pub fn lines(state: &AppState, keymap: &Keymap, p: Palette) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        let bindings = keymap.bindings(ctx);
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::styled(heading(ctx), p.title()));
        // Alternatives for one action ("j", "Down") share a row.
        let mut rows: Vec<(Vec<String>, &str)> = Vec::new();
        for b in bindings {
            let seq: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
            let seq = seq.join(" ");
            match rows.last_mut() {
                Some((keys, desc)) if *desc == b.desc.as_str() => keys.push(seq),
                _ => rows.push((vec![seq], b.desc.as_str())),
            }
        }
        for (keys, desc) in rows {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<14}", keys.join(", ")), p.key()),
                Span::raw(sanitize(desc).into_owned()),
            ]));
        }
        if ctx == Context::Picker {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<14}", "label key"), p.key()),
                Span::raw("toggle it and close the picker"),
            ]));
            out.push(Line::from(vec![
                Span::styled(format!("  {:<14}", "its capital"), p.key()),
                Span::raw("toggle it and keep the picker open"),
            ]));
            for axis in [Axis::Region, Axis::Theme] {
                let keys: Vec<String> = state
                    .taxonomy
                    .axis(axis)
                    .labels
                    .iter()
                    .map(|l| format!("{} {}", l.key, l.id))
                    .collect();
                out.push(Line::styled(
                    format!("  {axis}: {}", sanitize(&keys.join(" · "))),
                    p.dim(),
                ));
            }
        }
        if ctx == Context::Note {
            // The line-editing keys are fixed, not bound (see `LineEdit::request_for`),
            // and the same in every prompt, so they are listed once, after the last prompt.
            out.push(Line::styled(
                "  In every prompt (search, note, picker filter): Left/Right, Home/End,",
                p.dim(),
            ));
            out.push(Line::styled(
                "  ctrl-a/ctrl-e, alt-b/alt-f by word, Delete, Backspace, ctrl-w word",
                p.dim(),
            ));
            out.push(Line::styled(
                "  before, ctrl-u to the start, ctrl-k to the end.",
                p.dim(),
            ));
        }
        out.push(Line::raw(""));
    }
    out
}

fn heading(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Anywhere (no picker or prompt open)",
        Context::List => "In the list",
        Context::Reader => "In the reading pane (after Tab)",
        Context::Picker => "In a region or theme picker",
        Context::Search => "In the search prompt",
        Context::Note => "Writing a note",
        Context::Help => "In this help",
    }
}

pub fn render(
    state: &AppState,
    keymap: &Keymap,
    p: Palette,
    scroll: u16,
    area: Rect,
    buf: &mut Buffer,
) {
    let rect = centered(area, 76, area.height);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" Keys · keymap {} ", sanitize(keymap.name())),
            p.title(),
        ))
        .border_style(p.border(true));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let all = lines(state, keymap, p);
    let start = (scroll as usize).min(all.len().saturating_sub(inner.height as usize));
    for (row, line) in all
        .into_iter()
        .skip(start)
        .take(inner.height as usize)
        .enumerate()
    {
        let r = Rect {
            y: inner.y + row as u16,
            height: 1,
            ..inner
        };
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        if text.chars().count() > inner.width as usize {
            Line::styled(fit(&text, inner.width as usize), line.style).render(r, buf);
        } else {
            line.render(r, buf);
        }
    }
}
