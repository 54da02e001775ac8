//! The conflict prompt: a decision for several articles waits while the reviewer
//! sees which of them already hold another decision, theirs beside the new one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::{Palette, centered, fit};
use crate::app::bulk::describe_decision;
use crate::app::{Action, AppState, Bulk, Context};
use crate::input::Keymap;
use crate::sanitize::sanitize;

/// The prompt's lines for `width` columns: the new decision, then each differing
/// article from `bulk.scroll` on (its title and its decision now), then the keys.
/// Titles and decisions come from articles and sidecars, so all are sanitized.
fn lines(
    state: &AppState,
    keymap: &Keymap,
    bulk: &Bulk,
    p: Palette,
    width: usize,
) -> Vec<Line<'static>> {
    let mut head = Vec::new();
    let new = format!("New: {}", sanitize(&describe_decision(&bulk.new)));
    for piece in textwrap::wrap(&new, width.max(10)) {
        head.push(Line::styled(piece.into_owned(), p.title()));
    }
    let others = bulk.agreed.len();
    if others > 0 {
        head.push(Line::styled(
            format!(
                "{} without a conflict take it whatever you choose.",
                crate::words::count(others, "article", "articles")
            ),
            p.dim(),
        ));
    }
    head.push(Line::raw(""));
    let mut rows = Vec::new();
    for d in bulk.differing.iter().skip(bulk.scroll as usize) {
        let title = state.entries.get(d.entry).map_or("", |e| e.title());
        rows.push(Line::raw(fit(&format!("• {}", sanitize(title)), width)));
        rows.push(Line::styled(
            fit(
                &format!("  now: {}", sanitize(&describe_decision(&d.theirs))),
                width,
            ),
            p.label(),
        ));
    }
    let key = |action: Action| {
        keymap
            .keys_for(Context::Conflict, &action)
            .into_iter()
            .next()
    };
    let choices: Vec<Span<'static>> = [
        (Action::Overwrite, "overwrite them too"),
        (Action::KeepTheirs, "keep theirs"),
        (Action::Close, "cancel"),
    ]
    .into_iter()
    .filter_map(|(action, words)| key(action).map(|k| (k, words)))
    .enumerate()
    .flat_map(|(i, (k, words))| {
        let sep = if i > 0 { "  " } else { "" };
        [
            Span::raw(sep.to_string()),
            Span::styled(k, p.key()),
            Span::raw(format!(" {words}")),
        ]
    })
    .collect();
    let mut out = head;
    out.extend(rows);
    out.push(Line::raw(""));
    out.push(Line::from(choices));
    out
}

/// Draws the prompt over `area`, as high as its lines need. The keys stay on its
/// last line however many articles are listed.
pub fn render(
    state: &AppState,
    keymap: &Keymap,
    bulk: &Bulk,
    p: Palette,
    area: Rect,
    buf: &mut Buffer,
) {
    let width = area.width.min(76);
    let inner_w = width.saturating_sub(2) as usize;
    let all = lines(state, keymap, bulk, p, inner_w);
    let height = (all.len() as u16).saturating_add(2).min(area.height);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    let n = bulk.differing.len();
    let block = Block::bordered()
        .title(Span::styled(
            format!(
                " {} another decision ",
                crate::words::count(n, "article holds", "articles hold")
            ),
            p.title(),
        ))
        .border_style(p.border(true));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let rows = inner.height as usize;
    if rows == 0 {
        return;
    }
    // The last line (the keys) always shows; the rest fill from the top.
    let last = all.len().saturating_sub(1);
    let shown: Vec<&Line> = all
        .iter()
        .take(rows.saturating_sub(1).min(last))
        .chain(all.get(last))
        .collect();
    for (row, line) in shown.into_iter().enumerate() {
        let r = Rect {
            y: inner.y + row as u16,
            height: 1,
            ..inner
        };
        line.clone().render(r, buf);
    }
}
