//! The article list: one row per visible article, built only for the rows on screen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Palette, fit};
use crate::app::{AppState, Focus};
use crate::labels::Axis;
use crate::sanitize::sanitize;
use crate::store::{SidecarState, Status};

/// The mark before a title: status is always a symbol, never colour alone.
pub fn mark(state: &AppState, entry: usize) -> (char, Status) {
    let e = &state.entries[entry];
    let status = state.status(entry);
    let c = if e.article.is_err() || matches!(e.mine, SidecarState::Broken(_)) {
        '✗'
    } else {
        match status {
            Status::Todo => '·',
            Status::Done => '✓',
            Status::Skipped => '↷',
            Status::Flagged => '⚑',
        }
    };
    (c, status)
}

/// The short label summary of a row: region ids, theme ids' first word, reliability key.
fn labels(state: &AppState, entry: usize) -> String {
    let d = state.decision(entry);
    let mut parts: Vec<String> = Vec::new();
    if !d.region.is_empty() {
        parts.push(d.region.join(","));
    }
    if !d.theme.is_empty() {
        let short: Vec<&str> = d
            .theme
            .iter()
            .map(|t| t.split('-').next().unwrap_or(t))
            .collect();
        parts.push(short.join(","));
    }
    if let Some(r) = &d.reliability {
        let key = state
            .taxonomy
            .label(Axis::Reliability, r)
            .map_or_else(|| r.clone(), |l| l.key.to_string());
        parts.push(key);
    }
    parts.join(" ")
}

/// Draws the list and returns the scroll offset to keep for the next frame.
pub fn render(state: &AppState, p: Palette, offset: usize, area: Rect, buf: &mut Buffer) -> usize {
    let (done, flagged, total) = state.progress();
    let mut title = if state.reviewing() {
        let settled = state
            .view
            .iter()
            .filter(|&&i| state.status(i) == Status::Done)
            .count();
        format!(
            " Review as {}  {settled}/{} settled",
            sanitize(&state.reviewer),
            state.view.len()
        )
    } else {
        format!(" Inbox  {done}/{total} done")
    };
    if flagged > 0 {
        title.push_str(&format!(" · {flagged} flagged"));
    }
    if !state.unsaved.is_empty() {
        let articles: std::collections::HashSet<usize> =
            state.unsaved.iter().map(|u| u.write.entry).collect();
        title.push_str(&format!(" · {} unsaved", articles.len()));
    }
    if let Some(q) = &state.filter {
        let more = if state.searching { "…" } else { "" };
        let n = state.view.len();
        title.push_str(&format!(
            " · {n}{more} {} “{}”",
            crate::words::noun(n, "match", "matches"),
            sanitize(q)
        ));
    }
    if state.loading {
        title.push_str(&format!(" · loading {}…", state.entries.len()));
    }
    title.push(' ');
    let block = Block::bordered()
        .title(Span::styled(title, p.title()))
        .border_style(p.border(state.focus == Focus::List));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width == 0 {
        return offset;
    }
    let rows = inner.height as usize;
    if state.view.is_empty() {
        let text = if state.entries.is_empty() {
            "No articles in this inbox."
        } else {
            "Nothing matches the search."
        };
        Line::styled(text, p.dim()).render(inner, buf);
        return 0;
    }
    // Keep the cursor on screen, moving the window as little as possible.
    let mut offset = offset.min(state.view.len().saturating_sub(1));
    if state.cursor < offset {
        offset = state.cursor;
    } else if state.cursor >= offset + rows {
        offset = state.cursor + 1 - rows;
    }
    let width = inner.width as usize;
    let shown: Vec<usize> = (offset..state.view.len()).take(rows).collect();
    // Columns are chosen once per frame so they line up: labels first, then the date,
    // then the source, each only while the title keeps room to be read.
    let all_labels: Vec<String> = shown
        .iter()
        .map(|&pos| labels(state, state.view[pos]))
        .collect();
    let labels_w = all_labels
        .iter()
        .map(|l| l.width())
        .max()
        .unwrap_or(0)
        .min(width * 2 / 5);
    const MIN_TITLE: usize = 24;
    const DATE_W: usize = 10;
    const SOURCE_W: usize = 13;
    let mut room = width.saturating_sub(2 + labels_w + if labels_w > 0 { 1 } else { 0 });
    let show_date = room >= MIN_TITLE + DATE_W + 2;
    if show_date {
        room -= DATE_W + 2;
    }
    let show_source = room >= MIN_TITLE + SOURCE_W + 2;
    if show_source {
        room -= SOURCE_W + 2;
    }
    let title_w = room;
    for (row, (&pos, labels)) in shown.iter().zip(all_labels).enumerate() {
        let entry = state.view[pos];
        let e = &state.entries[entry];
        let (mark, status) = mark(state, entry);
        let mark_style = match (mark, status) {
            ('✗', _) => p.error(),
            (_, Status::Done) => p.done(),
            (_, Status::Flagged) => p.flagged(),
            _ => p.dim(),
        };
        // `*` like an editor's modified buffer: shown, not yet on disk.
        let changed = match (state.unsaved_error(entry).is_some(), e.changed()) {
            (true, _) => "* ",
            (false, true) => "± ",
            (false, false) => "",
        };
        let title = fit(&format!("{changed}{}", sanitize(e.title())), title_w);
        // While searching: matched title characters, then the best body line after it.
        let hit = state.hit(pos);
        let mut title_spans = match hit {
            Some(h) => {
                let shift = changed.chars().count();
                let marked: Vec<usize> = h.title_chars.iter().map(|i| i + shift).collect();
                super::marked_spans(&title, &marked, Style::new(), p.matched())
            }
            None => vec![Span::raw(title.clone())],
        };
        let mut title_used = title.width();
        if let Some(line) = hit.and_then(|h| h.body_line.as_deref()) {
            let room = title_w.saturating_sub(title_used + 3);
            if room >= 8 {
                let snippet = fit(&sanitize(line), room);
                title_used += 3 + snippet.width();
                title_spans.push(Span::styled(" — ", p.dim()));
                let terms = state
                    .query
                    .as_ref()
                    .map(super::reader::positive_terms)
                    .unwrap_or_default();
                let marked = super::find_terms(&snippet, &terms);
                title_spans.extend(super::marked_spans(&snippet, &marked, p.dim(), p.matched()));
            }
        }
        let mut right = String::new();
        let article = e.article.as_ref().ok();
        if show_source {
            let src = article
                .and_then(|a| a.source.as_deref().or(a.publisher.as_deref()))
                .map(|s| fit(&sanitize(s), SOURCE_W))
                .unwrap_or_default();
            right.push_str(&format!(
                "  {src}{}",
                " ".repeat(SOURCE_W - src.width().min(SOURCE_W))
            ));
        }
        if show_date {
            let date = article.and_then(|a| a.date.as_deref()).unwrap_or("");
            right.push_str(&format!("  {}", fit(date, DATE_W)));
            right.push_str(&" ".repeat(DATE_W.saturating_sub(date.width())));
        }
        let labels = fit(&labels, labels_w);
        let pad = title_w.saturating_sub(title_used);
        let right_text = right;
        let mut spans = vec![Span::styled(format!("{mark} "), mark_style)];
        spans.extend(title_spans);
        spans.extend([
            Span::raw(" ".repeat(pad)),
            Span::styled(right_text, p.dim()),
            Span::raw(" "),
            Span::styled(labels, p.label()),
        ]);
        if pos == state.cursor {
            for s in &mut spans {
                s.style = s.style.patch(p.selected());
            }
        }
        let line_area = Rect {
            y: inner.y + row as u16,
            height: 1,
            ..inner
        };
        let line = Line::from(spans);
        if pos == state.cursor {
            buf.set_style(line_area, p.selected());
        }
        line.render(line_area, buf);
    }
    offset
}
