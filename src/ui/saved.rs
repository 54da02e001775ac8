//! The list of saved searches: each name beside its query, the highlighted one run
//! by Enter; with none, one line that says where to write them; under the list, what
//! was wrong with the files.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Palette, centered, fit, picker::scrolled};
use crate::app::AppState;
use crate::sanitize::sanitize;

/// The widest the name column gets; longer names are cut with `…`.
const NAME_MAX: usize = 24;
/// At most this many lines of problems, so the list keeps its room.
const PROBLEM_LINES: usize = 6;

pub fn render(state: &AppState, highlight: usize, p: Palette, area: Rect, buf: &mut Buffer) {
    use unicode_width::UnicodeWidthStr;
    let saved = &state.saved;
    let rect_width = 72u16.min(area.width);
    let text_width = rect_width.saturating_sub(4).max(10) as usize;
    let wrap = |text: &str| -> Vec<String> {
        textwrap::wrap(text, text_width)
            .into_iter()
            .map(|l| l.into_owned())
            .collect()
    };
    let mut notes: Vec<(String, bool)> = Vec::new();
    if saved.queries.is_empty() {
        let place = |path: &Option<std::path::PathBuf>| {
            path.as_ref()
                .map(|p| sanitize(&p.display().to_string()).into_owned())
        };
        let places = match (place(&saved.team_file), place(&saved.user_file)) {
            (Some(team), Some(mine)) => format!("{team} (the team's) or {mine} (yours)"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => "queries.toml".to_string(),
        };
        let text = format!(
            "No saved searches: write lines such as todo-mena = \"is:todo region:mena\" in {places}."
        );
        notes.extend(wrap(&text).into_iter().map(|l| (l, false)));
    }
    let mut problem_lines: Vec<String> = saved
        .problems
        .iter()
        .flat_map(|problem| wrap(&sanitize(problem)))
        .collect();
    if problem_lines.len() > PROBLEM_LINES {
        problem_lines.truncate(PROBLEM_LINES - 1);
        problem_lines.push("… (triage check lists them all)".to_string());
    }
    if !notes.is_empty() && !problem_lines.is_empty() {
        notes.push((String::new(), false));
    }
    notes.extend(problem_lines.into_iter().map(|l| (l, true)));
    let gap = u16::from(!saved.queries.is_empty() && !notes.is_empty());
    let wanted = (saved.queries.len() + notes.len()) as u16 + gap + 2;
    let rect = centered(area, rect_width, wanted.max(3));
    Clear.render(rect, buf);
    let block = Block::bordered()
        .title(Span::styled(" Saved searches ", p.title()))
        .border_style(p.border(true));
    let inner = block.inner(rect);
    // With searches to show, the list keeps at least one row.
    let keep = u16::from(!saved.queries.is_empty());
    let note_rows = (notes.len() as u16).min(inner.height.saturating_sub(keep));
    let list_rows = inner
        .height
        .saturating_sub(note_rows + if note_rows > 0 { gap } else { 0 })
        as usize;
    let total = saved.queries.len();
    let offset = scrolled(0, highlight, list_rows, total);
    let mut block = block;
    if offset > 0 {
        block = block.title(Line::styled(format!(" ↑ {offset} more "), p.dim()).right_aligned());
    }
    let below = total.saturating_sub(offset + list_rows);
    if below > 0 {
        block =
            block.title_bottom(Line::styled(format!(" ↓ {below} more "), p.dim()).right_aligned());
    }
    block.render(rect, buf);
    let width = inner.width as usize;
    let names: Vec<String> = saved
        .queries
        .iter()
        .map(|q| sanitize(&q.name).into_owned())
        .collect();
    let name_w = names
        .iter()
        .map(|n| n.width())
        .max()
        .unwrap_or(0)
        .min(NAME_MAX);
    let mut y = inner.y;
    for (row, query) in saved
        .queries
        .iter()
        .enumerate()
        .skip(offset)
        .take(list_rows)
    {
        let name = fit(&names[row], name_w);
        let pad = " ".repeat(name_w.saturating_sub(name.width()));
        let rest = width.saturating_sub(name_w + 3);
        let r = Rect {
            y,
            height: 1,
            ..inner
        };
        let mut line = Line::from(vec![
            Span::styled(format!(" {name}{pad}  "), p.key()),
            Span::raw(fit(&sanitize(&query.query), rest)),
        ]);
        if row == highlight {
            line = line.style(p.selected());
            buf.set_style(r, p.selected());
        }
        line.render(r, buf);
        y += 1;
    }
    if note_rows == 0 {
        return;
    }
    y += if total > 0 { gap } else { 0 };
    for (text, problem) in notes.iter().take(note_rows as usize) {
        let style = if *problem { p.error() } else { p.dim() };
        Line::styled(format!(" {text}"), style).render(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
        );
        y += 1;
    }
}
