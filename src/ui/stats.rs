//! The stats overlay (`S`): the same figures as `triage stats`, drawn as bar charts.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Clear, Widget};

use super::{Palette, centered, fit};
use crate::app::{Action, Context};
use crate::input::Keymap;
use crate::sanitize::sanitize;
use crate::team::stats::{AxisCounts, Stats};

/// Labels of bars are cut to this many columns, so the bars keep room.
const LABEL_W: usize = 16;

/// Draws the overlay scrolled down by `scroll` lines (at most to its last line) and
/// returns the largest useful scroll. When everything fits there is nothing to scroll;
/// otherwise the title names the keys that scroll and the border says what is hidden.
pub fn render(
    stats: &Stats,
    keymap: &Keymap,
    scroll: u16,
    p: Palette,
    area: Rect,
    buf: &mut Buffer,
) -> u16 {
    let rect = centered(area, 110, area.height);
    Clear.render(rect, buf);
    let inner = Block::bordered().inner(rect);
    let tallest = stats
        .labels
        .iter()
        .map(|a| a.labels.len() + usize::from(a.unlabeled > 0))
        .max()
        .unwrap_or(0) as u16;
    let reviewers = stats.reviewers.len() as u16 + 1;
    // Everything: progress, the label charts, the whole reviewers table and the
    // assignees' (when the inbox has assignments).
    let full = 6 + (tallest + 2) + (reviewers + 2) + assignees_height(stats);
    let most = full.saturating_sub(inner.height);
    let scroll = scroll.min(most);
    let mut title = format!(" Stats · {} ", sanitize(&stats.reviewer));
    if most > 0 {
        let key = |action| {
            keymap
                .keys_for(Context::Help, &action)
                .into_iter()
                .next()
                .unwrap_or_default()
        };
        title.push_str(&format!(
            "· {}/{} scroll ",
            key(Action::MenuDown),
            key(Action::MenuUp)
        ));
    }
    title.push_str("· Esc closes ");
    let mut block = Block::bordered()
        .title(Span::styled(title, p.title()))
        .border_style(p.border(true));
    if scroll > 0 {
        block = block.title(Line::styled(format!(" ↑ {scroll} more "), p.dim()).right_aligned());
    }
    if scroll < most {
        block = block.title_bottom(
            Line::styled(format!(" ↓ {} more ", most - scroll), p.dim()).right_aligned(),
        );
    }
    block.render(rect, buf);
    if inner.width < 4 || inner.height < 3 {
        return most;
    }
    if most == 0 {
        draw(stats, tallest, reviewers, p, inner, buf);
        return 0;
    }
    // Drawn whole off screen, then the visible rows copied in.
    let whole = Rect::new(0, 0, inner.width, full);
    let mut off = Buffer::empty(whole);
    draw(stats, tallest, reviewers, p, whole, &mut off);
    for row in 0..inner.height {
        for col in 0..inner.width {
            if let (Some(from), Some(to)) = (
                off.cell((col, row + scroll)),
                buf.cell_mut((inner.x + col, inner.y + row)),
            ) {
                *to = from.clone();
            }
        }
    }
    most
}

/// Lines of the assignees' table with its border: none without assignments.
fn assignees_height(stats: &Stats) -> u16 {
    if stats.assignees.is_empty() {
        0
    } else {
        stats.assignees.len() as u16 + 3
    }
}

fn draw(stats: &Stats, tallest: u16, reviewers: u16, p: Palette, inner: Rect, buf: &mut Buffer) {
    let [progress, labels, people, assigned] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(tallest + 2),
        Constraint::Min(reviewers.min(3) + 2),
        Constraint::Length(assignees_height(stats)),
    ])
    .areas(inner);
    if !stats.assignees.is_empty() {
        let mut lines = vec![Line::styled(
            format!(
                "{:<14} {:>9} {:>6} {:>6}",
                "assignee", "assigned", "done", "left"
            ),
            p.dim(),
        )];
        for a in &stats.assignees {
            lines.push(Line::raw(format!(
                "{:<14} {:>9} {:>6} {:>6}",
                fit(&sanitize(&a.reviewer), 14),
                a.assigned,
                a.done,
                a.left
            )));
        }
        table_block(" Assigned (assignments.toml) ", lines, assigned, buf);
    }

    let pr = &stats.progress;
    let bars = [
        ("done", pr.done, p.done()),
        ("skipped", pr.skipped, p.dim()),
        ("flagged", pr.flagged, p.flagged()),
        ("to do", pr.todo, Style::new()),
    ]
    .map(|(name, n, style)| bar(name, n, style, p));
    BarChart::horizontal(bars.to_vec())
        .block(Block::bordered().title(format!(
            " Progress · {} ",
            crate::words::count(pr.total, "article", "articles")
        )))
        .bar_width(1)
        .bar_gap(0)
        .max(pr.total.max(1) as u64)
        .render(progress, buf);

    let columns = Layout::horizontal([Constraint::Ratio(1, 3); 3]).split(labels);
    for (axis, column) in stats.labels.iter().zip(columns.iter()) {
        axis_chart(axis, p).render(*column, buf);
    }

    let header = format!(
        "{:<14} {:>9} {:>6} {:>8} {:>8} {:>14}",
        "reviewer", "decisions", "done", "skipped", "flagged", "median / decision"
    );
    let mut lines = vec![Line::styled(header, p.dim())];
    for r in &stats.reviewers {
        let median = r
            .median_seconds
            .map_or_else(|| "—".to_string(), |s| format!("{s:.1} s"));
        lines.push(Line::raw(format!(
            "{:<14} {:>9} {:>6} {:>8} {:>8} {:>17}",
            fit(&sanitize(&r.reviewer), 14),
            r.decisions,
            r.done,
            r.skipped,
            r.flagged,
            median
        )));
    }
    table_block(" Reviewers ", lines, people, buf);
}

/// A bordered block titled `title` holding `lines`, one per row, each cut to fit.
fn table_block(title: &str, lines: Vec<Line>, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered().title(title.to_string());
    let table = block.inner(area);
    block.render(area, buf);
    for (row, line) in lines.into_iter().take(table.height as usize).enumerate() {
        let r = Rect {
            y: table.y + row as u16,
            height: 1,
            ..table
        };
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        Line::styled(fit(&text, table.width as usize), line.style).render(r, buf);
    }
}

/// One axis's label counts over every reviewer's done decisions, one bar per label
/// in taxonomy order, then the decisions with no label on it.
fn axis_chart(axis: &AxisCounts, p: Palette) -> BarChart<'static> {
    let mut bars: Vec<Bar> = axis
        .labels
        .iter()
        .map(|l| bar(&l.name, l.count, p.label(), p))
        .collect();
    if axis.unlabeled > 0 {
        bars.push(bar("(none)", axis.unlabeled, p.dim(), p));
    }
    BarChart::horizontal(bars)
        .block(Block::bordered().title(format!(
            " {} · {} ",
            axis.axis,
            crate::words::count(axis.decisions, "decision", "decisions")
        )))
        .bar_width(1)
        .bar_gap(0)
}

fn bar(label: &str, value: usize, style: Style, p: Palette) -> Bar<'static> {
    Bar::with_label(fit(&sanitize(label), LABEL_W), value as u64)
        .style(style)
        .value_style(p.title())
        .text_value(value.to_string())
}
