//! The region and theme pickers: every label with its key and whether it is chosen.
//!
//! When the labels do not all fit, the list scrolls so the highlight is always on
//! screen (a label is never toggled unseen), and the border says how many more are
//! above and below.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Palette, centered, fit};
use crate::app::{AppState, Picker};
use crate::sanitize::sanitize;

/// What drawing a picker leaves for the next frame.
pub struct Drawn {
    /// The first label row shown.
    pub offset: usize,
    /// Where the terminal cursor goes while the filter is being typed.
    pub cursor: Option<Position>,
}

/// The first row to show so that `highlight` is among `rows` shown, moving the
/// window from `offset` as little as possible.
pub fn scrolled(offset: usize, highlight: usize, rows: usize, total: usize) -> usize {
    if rows == 0 {
        return 0;
    }
    let offset = offset.min(total.saturating_sub(rows));
    if highlight < offset {
        highlight
    } else if highlight >= offset + rows {
        highlight + 1 - rows
    } else {
        offset
    }
}

pub fn render(
    state: &AppState,
    picker: &Picker,
    offset: usize,
    p: Palette,
    area: Rect,
    buf: &mut Buffer,
) -> Drawn {
    let labels = &state.taxonomy.axis(picker.axis).labels;
    let visible = picker.visible(&state.taxonomy);
    let chosen = state
        .selected()
        .map(|i| state.decision_ref(i))
        .unwrap_or_default();
    let filter_rows = u16::from(picker.filter.is_some());
    // The highlighted label's description goes under the list, in a room as tall as
    // the longest description of the axis, so the picker keeps its size as the
    // highlight moves; the list gives up rows to it only down to one.
    let rect_width = 52u16.min(area.width);
    let desc_width = rect_width.saturating_sub(4).max(10) as usize;
    let desc_room = labels
        .iter()
        .filter_map(|l| l.description.as_deref())
        .map(|d| describe(d, desc_width).len())
        .max()
        .map_or(0, |lines| lines.min(DESCRIPTION_LINES) as u16 + 1);
    let height = (visible.len() as u16).saturating_add(2 + filter_rows + desc_room);
    let rect = centered(area, 52, height.max(4));
    Clear.render(rect, buf);
    let title = match picker.axis {
        crate::labels::Axis::Region => " Region ",
        crate::labels::Axis::Theme => " Theme ",
        crate::labels::Axis::Reliability => " Reliability ",
    };
    let inner = Block::bordered().inner(rect);
    let desc_room = desc_room.min(inner.height.saturating_sub(filter_rows + 1));
    let rows = inner.height.saturating_sub(filter_rows + desc_room) as usize;
    let offset = scrolled(offset, picker.highlight, rows, visible.len());
    let above = offset;
    let below = visible.len().saturating_sub(offset + rows);
    let mut block = Block::bordered()
        .title(Span::styled(title, p.title()))
        .border_style(p.border(true));
    if above > 0 {
        block = block.title(Line::styled(format!(" ↑ {above} more "), p.dim()).right_aligned());
    }
    if below > 0 {
        block =
            block.title_bottom(Line::styled(format!(" ↓ {below} more "), p.dim()).right_aligned());
    }
    block.render(rect, buf);
    let width = inner.width as usize;
    let mut y = inner.y;
    let mut cursor = None;
    if let Some(f) = &picker.filter {
        if inner.height == 0 {
            return Drawn { offset, cursor };
        }
        let shown = f.window(width.saturating_sub(2));
        Line::from(vec![Span::styled("/ ", p.key()), Span::raw(shown.text)]).render(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
        );
        if shown.cursor + 2 < width {
            cursor = Some(Position::new(inner.x + 2 + shown.cursor as u16, y));
        }
        y += 1;
    }
    for (row, &i) in visible.iter().enumerate().skip(offset).take(rows) {
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
    let highlighted = visible.get(picker.highlight).and_then(|&i| labels.get(i));
    if desc_room > 1
        && let Some(text) = highlighted.and_then(|l| l.description.as_deref())
    {
        let mut lines = describe(text, desc_width);
        if lines.len() > DESCRIPTION_LINES {
            lines.truncate(DESCRIPTION_LINES);
            if let Some(last) = lines.last_mut() {
                *last = fit(&format!("{last} …"), desc_width);
            }
        }
        let top = inner.y + inner.height - desc_room;
        for (row, line) in lines.iter().take(desc_room as usize - 1).enumerate() {
            Line::styled(format!(" {line}"), p.dim()).render(
                Rect {
                    y: top + 1 + row as u16,
                    height: 1,
                    ..inner
                },
                buf,
            );
        }
    }
    Drawn { offset, cursor }
}

/// The most lines of a description a picker shows; the rest is cut with `…`.
const DESCRIPTION_LINES: usize = 4;

/// A label's description as lines of at most `width` columns: sanitized whole (its
/// line breaks become spaces), then wrapped.
fn describe(text: &str, width: usize) -> Vec<String> {
    textwrap::wrap(sanitize(text).trim(), width)
        .into_iter()
        .map(|l| l.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::scrolled;

    #[test]
    fn the_picker_window_follows_the_highlight_and_moves_as_little_as_it_can() {
        // 14 labels, 11 rows: the 12th brings one more row in at the bottom.
        assert_eq!(scrolled(0, 10, 11, 14), 0);
        assert_eq!(scrolled(0, 11, 11, 14), 1);
        assert_eq!(scrolled(1, 13, 11, 14), 3);
        // Back up: the window stays until the highlight reaches its top.
        assert_eq!(scrolled(3, 5, 11, 14), 3);
        assert_eq!(scrolled(3, 2, 11, 14), 2);
        // A filter that leaves fewer labels pulls the window back.
        assert_eq!(scrolled(3, 0, 11, 4), 0);
        assert_eq!(scrolled(5, 0, 0, 14), 0);
    }
}
