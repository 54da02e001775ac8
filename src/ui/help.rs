//! The help overlay, generated from the active keymap so it is never out of date.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Palette, centered, fit};
use crate::app::{Action, AppState, Context};
use crate::input::Keymap;
use crate::labels::Axis;
use crate::labels::guidelines::Guidelines;
use crate::sanitize::sanitize;

/// The widest key column: longer key lists wrap within it.
const KEYS_MAX: usize = 20;

/// Every binding of every context, grouped, with the picker's label keys, laid out
/// for `width` columns: keys in one column and descriptions in the next, the same
/// for every group; a long key list or description wraps inside its own column.
pub fn lines(state: &AppState, keymap: &Keymap, p: Palette, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthStr;
    let mut groups: Vec<(Context, Vec<(String, String)>)> = Vec::new();
    for ctx in Context::ALL {
        let bindings = keymap.bindings(ctx);
        if bindings.is_empty() {
            continue;
        }
        // Alternatives for one action ("j", "Down") share a row.
        let mut rows: Vec<(Vec<String>, &str)> = Vec::new();
        // The taxonomy's reliability keys share one row too (`1-5  Reliability: …`),
        // so the help's first page still reaches the list's keys.
        let scale: Vec<&crate::input::Binding> = bindings
            .iter()
            .filter(|b| matches!(b.action, Action::SetReliability(_)) && b.keys.len() == 1)
            .collect();
        let scale_row = (scale.len() > 1).then(|| reliability_row(&scale));
        for b in bindings {
            if scale_row.is_some() && scale.iter().any(|s| std::ptr::eq(*s, b)) {
                continue;
            }
            let seq: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
            let seq = seq.join(" ");
            match rows.last_mut() {
                Some((keys, desc)) if *desc == b.desc.as_str() => keys.push(seq),
                _ => rows.push((vec![seq], b.desc.as_str())),
            }
        }
        let mut rows: Vec<(String, String)> = rows
            .into_iter()
            .map(|(keys, desc)| (keys.join(", "), sanitize(desc).into_owned()))
            .collect();
        rows.extend(scale_row);
        if ctx == Context::Picker {
            rows.push(("label key".into(), "toggle it and close the picker".into()));
            rows.push((
                "its capital".into(),
                "toggle it and keep the picker open".into(),
            ));
        }
        groups.push((ctx, rows));
    }
    let keys_w = groups
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.width()))
        .max()
        .unwrap_or(0)
        .min(KEYS_MAX);
    // Two spaces of indent, the key column, two spaces, then the description.
    let desc_w = width.saturating_sub(keys_w + 4).max(10);
    let mut out = Vec::new();
    for (ctx, rows) in groups {
        out.push(Line::styled(heading(ctx), p.title()));
        for (keys, desc) in rows {
            let keys = wrap_keys(&keys, keys_w);
            let desc: Vec<String> = textwrap::wrap(&desc, desc_w)
                .into_iter()
                .map(|c| c.into_owned())
                .collect();
            for i in 0..keys.len().max(desc.len()) {
                let k = keys.get(i).map_or("", String::as_str);
                let pad = keys_w.saturating_sub(k.width());
                out.push(Line::from(vec![
                    Span::styled(format!("  {k}{}  ", " ".repeat(pad)), p.key()),
                    Span::raw(desc.get(i).cloned().unwrap_or_default()),
                ]));
            }
        }
        if ctx == Context::Picker {
            for axis in [Axis::Region, Axis::Theme] {
                let keys: Vec<String> = state
                    .taxonomy
                    .axis(axis)
                    .labels
                    .iter()
                    .map(|l| format!("{} {}", l.key, l.id))
                    .collect();
                let text = format!("{axis}: {}", sanitize(&keys.join(" · ")));
                let options =
                    textwrap::Options::new(width.saturating_sub(2).max(10)).subsequent_indent("  ");
                for piece in textwrap::wrap(&text, options) {
                    out.push(Line::styled(format!("  {piece}"), p.dim()));
                }
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
    guidelines(&state.guidelines, p, width, &mut out);
    out
}

/// The inbox's `guidelines.md` after the keys, as the text it is, each line wrapped
/// to the overlay (already sanitized when read); nothing without the file.
fn guidelines(g: &Guidelines, p: Palette, width: usize, out: &mut Vec<Line<'static>>) {
    let options = || textwrap::Options::new(width.saturating_sub(2).max(10));
    match g {
        Guidelines::Absent => {}
        Guidelines::Unreadable(why) => {
            out.push(Line::styled("Guidelines (guidelines.md)", p.title()));
            for piece in textwrap::wrap(&sanitize(why), options()) {
                out.push(Line::styled(format!("  {piece}"), p.error()));
            }
        }
        Guidelines::Text(lines) => {
            out.push(Line::styled("Guidelines (guidelines.md)", p.title()));
            for line in lines {
                if line.trim().is_empty() {
                    out.push(Line::raw(""));
                    continue;
                }
                // A list item's or quote's continuation lines keep its indent.
                let indent: String = line.chars().take_while(|c| *c == ' ').collect();
                let options = options().subsequent_indent(&indent);
                for piece in textwrap::wrap(line, options) {
                    out.push(Line::raw(format!("  {piece}")));
                }
            }
        }
    }
}

/// One row for the reliability keys: `1-5` when they run in order, else each key,
/// and the levels' names in order.
fn reliability_row(scale: &[&crate::input::Binding]) -> (String, String) {
    let keys: Vec<String> = scale.iter().map(|b| b.keys_text()).collect();
    let chars: Vec<char> = keys.iter().filter_map(|k| single_char(k)).collect();
    let in_a_run = chars.len() == keys.len()
        && chars
            .windows(2)
            .all(|w| (w[0] as u32).checked_add(1) == Some(w[1] as u32));
    let keys = match (in_a_run, keys.first(), keys.last()) {
        (true, Some(first), Some(last)) => format!("{first}-{last}"),
        _ => keys.join(", "),
    };
    let names: Vec<&str> = scale.iter().map(|b| b.desc.as_str()).collect();
    (
        keys,
        sanitize(&format!("Reliability: {}", names.join(", "))).into_owned(),
    )
}

/// The character of a one-character key text.
fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Splits a key list ("Ctrl-d, Ctrl-f, J, PageDown") into lines of at most `width`
/// columns, breaking only after a comma, so no key is cut in two.
fn wrap_keys(keys: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let keys: Vec<&str> = keys.split(", ").collect();
    let mut out: Vec<String> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        // A line that more keys follow ends in a comma, which takes a column too.
        let comma = usize::from(i + 1 < keys.len());
        match out.last_mut() {
            Some(line) if line.width() + 2 + key.width() + comma <= width => {
                line.push_str(", ");
                line.push_str(key);
            }
            Some(line) => {
                line.push(',');
                out.push(key.to_string());
            }
            None => out.push(key.to_string()),
        }
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
        Context::Conflict => "Asked about articles that hold another decision",
        Context::SavedSearches => "In the list of saved searches",
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
    let all = lines(state, keymap, p, inner.width as usize);
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
