//! The region and theme pickers: every label with its key and whether it is chosen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Palette, centered, fit};
use crate::app::{AppState, Picker};
use crate::input::Keymap;
use crate::sanitize::sanitize;

pub fn render(
    state: &AppState,
    picker: &Picker,
    _keymap: &Keymap,
    p: Palette,
    area: Rect,
    buf: &mut Buffer,
) {
    let labels = &state.taxonomy.axis(picker.axis).labels;
    let visible = picker.visible(&state.taxonomy);
    let chosen = state
        .selected()
        .map(|i| state.decision_ref(i))
        .unwrap_or_default();
    let filter_rows = u16::from(picker.filter.is_some());
    let height = visible.len() as u16 + 2 + filter_rows;
    let rect = centered(area, 52, height.max(4));
    Clear.render(rect, buf);
    let title = match picker.axis {
        crate::labels::Axis::Region => " Region ",
        crate::labels::Axis::Theme => " Theme ",
        crate::labels::Axis::Reliability => " Reliability ",
    };
    let block = Block::bordered()
        .title(Span::styled(title, p.title()))
        .border_style(p.border(true));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let width = inner.width as usize;
    let mut y = inner.y;
    if let Some(f) = &picker.filter {
        Line::from(vec![
            Span::styled("/ ", p.key()),
            Span::raw(sanitize(&f.text).into_owned()),
            Span::styled("▏", p.key()),
        ])
        .render(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
        );
        y += 1;
    }
    for (row, &i) in visible.iter().enumerate() {
        if y >= inner.y + inner.height {
            break;
        }
        let label = &labels[i];
        let on = chosen.has(picker.axis, &label.id);
        let text = fit(
            &format!(
                " {}  {}",
                if on { "[x]" } else { "[ ]" },
                sanitize(&label.name)
            ),
            width.saturating_sub(2),
        );
        let mut line = Line::from(vec![
            Span::styled(format!(" {}", label.key), p.key()),
            Span::styled(
                text,
                if on {
                    p.label()
                } else {
                    ratatui::style::Style::new()
                },
            ),
        ]);
        let r = Rect {
            y,
            height: 1,
            ..inner
        };
        if row == picker.highlight {
            line = line.style(p.selected());
            buf.set_style(r, p.selected());
        }
        line.render(r, buf);
        y += 1;
    }
}
