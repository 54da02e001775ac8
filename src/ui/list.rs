//! The article list: one row per visible article (two for a search's body match,
//! whose best line goes under the title), built only for the rows on screen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Palette, fit};
use crate::app::{Action, AppState, Context, Focus, Fold};
use crate::domain::{LabelId, Status};
use crate::input::Keymap;
use crate::labels::Axis;
use crate::sanitize::sanitize;

/// The mark before a title: status is always a symbol, never colour alone.
pub fn mark(state: &AppState, entry: usize) -> (char, Status) {
    let e = &state.entries[entry];
    let status = state.status(entry);
    let c = if e.article.is_err() || e.mine(&state.reviewer).broken().is_some() {
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

/// The file types the inbox reads, named when it holds none; a test keeps them in
/// step with [`crate::article::Format::from_path`].
pub const ARTICLE_TYPES: [&str; 3] = ["txt", "md", "html"];

const DATE_W: usize = 10;
/// The mark column, while articles are marked: `●` and a space.
const MARK_W: usize = 2;
const SOURCE_MAX: usize = 13;
const SOURCE_MIN: usize = 8;
/// The shortest title worth showing; below it the source, then the date give way.
const TITLE_MIN: usize = 16;

/// Column widths for one frame, the same for every row so that source, date and
/// reliability line up whatever the labels are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    /// Title and labels share this zone: the labels sit at its right end, and the
    /// title takes whatever they leave, so a row never has empty columns while its
    /// title is cut.
    zone: usize,
    /// The most the labels may take of the zone before they are abbreviated: the
    /// title keeps at least three fifths of it.
    labels: usize,
    /// Source column width; 0 when the list is too narrow for it.
    source: usize,
    date: bool,
}

impl Columns {
    fn new(width: usize) -> Columns {
        // The status mark ("✓ ") and the reliability key (" 4") always stay.
        let mut rest = width.saturating_sub(4);
        let date = rest >= TITLE_MIN + DATE_W + 2;
        if date {
            rest -= DATE_W + 2;
        }
        let source = (rest / 4).clamp(SOURCE_MIN, SOURCE_MAX);
        let source = if rest >= TITLE_MIN + source + 2 {
            rest -= source + 2;
            source
        } else {
            0
        };
        let labels = rest.saturating_sub((rest * 3 / 5).max(TITLE_MIN) + 1);
        Columns {
            zone: rest,
            labels,
            source,
            date,
        }
    }
}

/// A row's labels: region ids and theme ids, each sanitized whole (an id from a
/// colleague's sidecar is untrusted, and cutting it first could leave half an
/// escape sequence).
fn labels(state: &AppState, entry: usize) -> (Vec<String>, Vec<String>) {
    let d = state.decision_ref(entry);
    let clean = |ids: &[LabelId]| -> Vec<String> {
        ids.iter().map(|id| sanitize(id).into_owned()).collect()
    };
    (clean(&d.region), clean(&d.theme))
}

/// The reliability key shown in the last column ("" when none is set, "?" for an
/// id `labels.toml` does not have).
fn reliability_key(state: &AppState, entry: usize) -> String {
    let d = state.decision_ref(entry);
    match d.reliability.as_deref() {
        None => String::new(),
        Some(r) => match state.taxonomy.label(Axis::Reliability, r) {
            Some(l) if l.key.to_string().width() == 1 => sanitize(&l.key.to_string()).into_owned(),
            _ => "?".to_string(),
        },
    }
}

/// The labels as short as `room` needs: whole ids, then ids cut at their first
/// `-`, then at four characters, then the first id of each axis with how many
/// more (`mena+2`), and only then an ellipsis.
fn summary(regions: &[String], themes: &[String], room: usize) -> String {
    let first_word = |id: &String| id.split('-').next().unwrap_or(id).to_string();
    let short = |id: &String| first_word(id).chars().take(4).collect::<String>();
    let join = |r: Vec<String>, t: Vec<String>| {
        let parts: Vec<String> = [r.join(","), t.join(",")]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        parts.join(" ")
    };
    let counted = |ids: &[String]| -> Vec<String> {
        match ids {
            [] => Vec::new(),
            [one] => vec![short(one)],
            [first, rest @ ..] => vec![format!("{}+{}", short(first), rest.len())],
        }
    };
    let tries = [
        join(regions.to_vec(), themes.iter().map(first_word).collect()),
        join(
            regions.iter().map(first_word).collect(),
            themes.iter().map(first_word).collect(),
        ),
        join(
            regions.iter().map(short).collect(),
            themes.iter().map(short).collect(),
        ),
        join(counted(regions), counted(themes)),
    ];
    for t in &tries {
        if t.width() <= room {
            return t.clone();
        }
    }
    fit(&tries[3], room)
}

/// The words of a query that select by content, folded: what a body line marks.
fn positive_terms(query: &crate::search::Query) -> Vec<String> {
    query
        .terms
        .iter()
        .filter(|t| !t.negated && !t.text.is_empty())
        .map(|t| t.text.clone())
        .collect()
}

/// The part of a body line worth showing in `width` columns: from a little before
/// its first match, so the match itself is never cut off.
fn snippet(line: &str, terms: &[String], width: usize) -> String {
    let first = super::find_terms(line, terms).first().copied().unwrap_or(0);
    let chars: Vec<char> = line.chars().collect();
    let lead: usize = chars[..first.min(chars.len())]
        .iter()
        .map(|c| unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0))
        .sum();
    if lead + 12 <= width {
        return fit(line, width);
    }
    let start = first.saturating_sub(8);
    let rest: String = chars[start..].iter().collect();
    format!("…{}", fit(rest.trim_start(), width.saturating_sub(1)))
}

/// Rows an article takes: two for a search's body match (its best body line goes
/// under the title), one otherwise.
fn height(state: &AppState, pos: usize) -> usize {
    match state.hit(pos).and_then(|h| h.body_line.as_deref()) {
        Some(_) => 2,
        None => 1,
    }
}

/// The list's title: where the work stands.
fn title(state: &AppState) -> String {
    let progress = state.progress();
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
        format!(" Inbox  {}/{} done", progress.done, progress.total)
    };
    if !state.reviewing() && progress.skipped > 0 {
        title.push_str(&format!(" · {} skipped", progress.skipped));
    }
    if progress.flagged > 0 {
        title.push_str(&format!(" · {} flagged", progress.flagged));
    }
    if !state.unsaved.is_empty() {
        let articles: std::collections::HashSet<usize> =
            state.unsaved.iter().map(|u| u.write.entry).collect();
        title.push_str(&format!(" · {} unsaved", articles.len()));
    }
    if state.catalog.loading {
        title.push_str(&format!(" · loading {}…", state.entries.len()));
    }
    if state.catalog.indexing > 0 {
        title.push_str(&format!(" · indexing {} left", state.catalog.indexing));
    }
    if state.copies.finding && !state.catalog.loading {
        title.push_str(" · finding copies…");
    }
    if let Some(synced) = state.syncing.title() {
        title.push_str(&format!(" · {synced}"));
    }
    // An order other than the inbox's is said, so a reviewer knows why the list
    // jumps when the model learns.
    if state.learned.order != crate::app::Order::Inbox
        && !state.reviewing()
        && state.search.query.is_none()
    {
        title.push_str(&format!(" · {}", state.learned.order.describe()));
    }
    title.push(' ');
    title
}

/// What narrows the list, for its bottom border: the search kept as a filter and
/// how many articles it matches, or that the query being typed is malformed.
fn filter_text(state: &AppState) -> Option<String> {
    if state.search.error.is_some() {
        // The rows are the last good query's; no count is claimed for this one.
        return Some(" the search has an error ".to_string());
    }
    let q = state.search.filter.as_ref()?;
    let more = if state.search.running { "…" } else { "" };
    let n = state.view.len();
    Some(format!(
        " {n}{more} {} “{}” ",
        crate::words::noun(n, "match", "matches"),
        sanitize(q)
    ))
}

/// What an empty list says instead of rows: where it looked and for what, or why
/// nothing is shown.
fn empty_text(state: &AppState) -> Vec<String> {
    if !state.entries.is_empty() {
        return vec![if state.reviewing() && state.search.query.is_none() {
            "No disagreements to settle.".to_string()
        } else {
            "Nothing matches the search.".to_string()
        }];
    }
    if state.catalog.loading {
        return vec!["Reading the inbox…".to_string()];
    }
    let folder = if state.inbox.as_os_str().is_empty() {
        "this inbox".to_string()
    } else {
        sanitize(&state.inbox.to_string_lossy()).into_owned()
    };
    let types: Vec<String> = ARTICLE_TYPES.iter().map(|t| format!(".{t}")).collect();
    vec![
        format!("No articles in {folder}."),
        format!(
            "triage reads {} and {} files there and in its subfolders.",
            types[..types.len() - 1].join(", "),
            types[types.len() - 1]
        ),
    ]
}

/// Draws the list and returns the scroll offset to keep for the next frame.
pub fn render(
    state: &AppState,
    keymap: &Keymap,
    p: Palette,
    offset: usize,
    area: Rect,
    buf: &mut Buffer,
) -> usize {
    let block = border(state, p, area);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width == 0 {
        return offset;
    }
    if state.view.is_empty() {
        draw_empty(state, p, inner, buf);
        return 0;
    }
    let offset = keep_in_view(state, offset, inner.height as usize);
    let (pos, y) = draw_rows(state, p, offset, inner, buf);
    // The end of the work says what comes next, under the last row when there is room.
    let progress = state.progress();
    if !state.reviewing()
        && progress.all_decided()
        && state.search.filter.is_none()
        && pos == state.view.len()
        && y + 1 < inner.bottom()
    {
        draw_what_next(keymap, p, inner, y, buf);
    }
    offset
}

/// The pane with the counts above, and the search and the selection's place below.
fn border(state: &AppState, p: Palette, area: Rect) -> Block<'static> {
    let mut block = super::pane(title(state), state.focus == Focus::List, p);
    // The search goes under the list, so the counts above keep their room.
    if let Some(filter) = filter_text(state) {
        // Room is left on the right for the position.
        let room = (area.width as usize).saturating_sub(14);
        block = block.title_bottom(Line::styled(fit(&filter, room), p.title()).left_aligned());
    }
    if !state.view.is_empty() {
        // Where the selection is in a list longer than the pane.
        block = block.title_bottom(
            Line::styled(
                format!(" {}/{} ", state.cursor + 1, state.view.len()),
                p.dim(),
            )
            .right_aligned(),
        );
    }
    block
}

/// Says why the list is empty: still reading, nothing matches, or no articles here.
fn draw_empty(state: &AppState, p: Palette, inner: Rect, buf: &mut Buffer) {
    let width = inner.width as usize;
    let mut y = inner.y;
    for text in empty_text(state) {
        for piece in textwrap::wrap(&text, width.max(1)) {
            if y >= inner.bottom() {
                break;
            }
            Line::styled(piece.into_owned(), p.dim()).render(line_area_at(inner, y), buf);
            y += 1;
        }
    }
}

/// Keeps the cursor's article on screen, moving the window as little as possible.
fn keep_in_view(state: &AppState, offset: usize, rows: usize) -> usize {
    let mut offset = offset.min(state.view.len().saturating_sub(1));
    if state.cursor < offset {
        offset = state.cursor;
    } else {
        let mut start = state.cursor;
        let mut used = height(state, start);
        while start > offset && used + height(state, start - 1) <= rows {
            start -= 1;
            used += height(state, start);
        }
        offset = start;
    }
    offset
}

/// Draws the articles from `offset` down, each with its best body line under it
/// when the search matched the body; returns where it stopped (list position, row).
fn draw_rows(
    state: &AppState,
    p: Palette,
    offset: usize,
    inner: Rect,
    buf: &mut Buffer,
) -> (usize, u16) {
    let width = inner.width as usize;
    // While articles are marked, a column of its own shows which (a character, so
    // it reads without colour); without marks the rows are as they always were.
    let marking = !state.marks.is_empty();
    let cols = Columns::new(width.saturating_sub(if marking { MARK_W } else { 0 }));
    let terms = state
        .search
        .query
        .as_ref()
        .map(positive_terms)
        .unwrap_or_default();
    let mut y = inner.y;
    let mut pos = offset;
    while pos < state.view.len() && y < inner.bottom() {
        let entry = state.view[pos];
        let selected = pos == state.cursor;
        let line_area = |y: u16| line_area_at(inner, y);
        let mut spans = Vec::new();
        if marking {
            spans.push(if state.marks.contains(entry) {
                Span::styled("● ", p.key())
            } else {
                Span::raw("  ")
            });
        }
        spans.extend(row(state, pos, entry, cols, p));
        let line = Line::from(spans);
        draw_line(line, selected, line_area(y), p, buf);
        y += 1;
        // A body match's best line, under its title, with the words found marked.
        if let Some(body) = state.hit(pos).and_then(|h| h.body_line.as_deref())
            && y < inner.bottom()
        {
            let text = snippet(&sanitize(body), &terms, width.saturating_sub(4));
            let marked = super::find_terms(&text, &terms);
            let mut spans = vec![Span::styled("  ↳ ", p.dim())];
            spans.extend(super::marked_spans(&text, &marked, p.dim(), p.matched()));
            draw_line(Line::from(spans), selected, line_area(y), p, buf);
            y += 1;
        }
        pos += 1;
    }
    (pos, y)
}

/// Draws one line of a row, in the selection's style when the row is selected (its
/// title line and its body line alike).
fn draw_line(mut line: Line<'_>, selected: bool, area: Rect, p: Palette, buf: &mut Buffer) {
    if selected {
        for s in &mut line.spans {
            s.style = s.style.patch(p.selected());
        }
        buf.set_style(area, p.selected());
    }
    line.render(area, buf);
}

/// When every article has a decision, says so and which keys review or quit.
fn draw_what_next(keymap: &Keymap, p: Palette, inner: Rect, y: u16, buf: &mut Buffer) {
    let width = inner.width as usize;
    let key = |action: Action| keymap.keys_for(Context::Global, &action).into_iter().next();
    let mut text = "Every article has a decision".to_string();
    let next: Vec<String> = [
        key(Action::Review).map(|k| format!("{k} reviews where reviewers disagree")),
        key(Action::Quit).map(|k| format!("{k} quits")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !next.is_empty() {
        text.push_str(": ");
        text.push_str(&next.join(", "));
    }
    text.push('.');
    for (i, piece) in textwrap::wrap(&text, width.max(1)).into_iter().enumerate() {
        let r = line_area_at(inner, y + 1 + i as u16);
        if r.y >= inner.bottom() {
            break;
        }
        Line::styled(piece.into_owned(), p.dim()).render(r, buf);
    }
}

fn line_area_at(inner: Rect, y: u16) -> Rect {
    Rect {
        y,
        height: 1,
        ..inner
    }
}

/// What goes before the title of a story with copies, like a thread in a mail
/// reader: a folded story says how many copies its row stands for (`▸3`), an
/// unfolded one opens with `▾3` and its copies hang under it.
fn fold_prefix(fold: Fold) -> String {
    match fold {
        Fold::Alone => String::new(),
        Fold::Folded { copies } => format!("▸{copies} "),
        Fold::Head { copies } => format!("▾{copies} "),
        Fold::Copy { last: false } => "├ ".to_string(),
        Fold::Copy { last: true } => "└ ".to_string(),
    }
}

/// One article's row: status mark, title (and matched characters), labels,
/// source, date, reliability key.
fn row(
    state: &AppState,
    pos: usize,
    entry: usize,
    cols: Columns,
    p: Palette,
) -> Vec<Span<'static>> {
    let e = &state.entries[entry];
    let (mark, status) = mark(state, entry);
    let mark_style = match (mark, status) {
        ('✗', _) => p.error(),
        (_, Status::Done) => p.done(),
        (_, Status::Flagged) => p.flagged(),
        _ => p.dim(),
    };
    let (regions, themes) = labels(state, entry);
    let labels = summary(&regions, &themes, cols.labels);
    let title_w = if labels.is_empty() {
        cols.zone
    } else {
        cols.zone.saturating_sub(labels.width() + 1)
    };
    // `*` like an editor's modified buffer: shown, not yet on disk.
    let changed = match (
        state.unsaved_error(entry).is_some(),
        e.changed(&state.reviewer),
    ) {
        (true, _) => "* ",
        (false, true) => "± ",
        (false, false) => "",
    };
    let fold = fold_prefix(state.fold_at(pos));
    let title = fit(&format!("{changed}{fold}{}", sanitize(e.title())), title_w);
    let title_used = title.width();
    let mut spans = vec![Span::styled(format!("{mark} "), mark_style)];
    match state.hit(pos) {
        Some(h) => {
            let shift = changed.chars().count() + fold.chars().count();
            let marked: Vec<usize> = h.title_chars.iter().map(|i| i + shift).collect();
            spans.extend(super::marked_spans(
                &title,
                &marked,
                Style::new(),
                p.matched(),
            ));
        }
        None => spans.push(Span::raw(title)),
    }
    spans.push(Span::raw(" ".repeat(title_w.saturating_sub(title_used))));
    if !labels.is_empty() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(labels, p.label()));
    }
    let article = e.article.as_ref().ok();
    let mut right = String::new();
    if cols.source > 0 {
        let src = article
            .and_then(|a| a.source.as_deref().or(a.publisher.as_deref()))
            .map(|s| fit(&sanitize(s), cols.source))
            .unwrap_or_default();
        right.push_str(&format!(
            "  {src}{}",
            " ".repeat(cols.source.saturating_sub(src.width()))
        ));
    }
    if cols.date {
        let date = sanitize(article.and_then(|a| a.date.as_deref()).unwrap_or(""));
        let date = fit(&date, DATE_W);
        right.push_str(&format!(
            "  {date}{}",
            " ".repeat(DATE_W.saturating_sub(date.width()))
        ));
    }
    spans.push(Span::styled(right, p.dim()));
    spans.push(Span::raw(" "));
    spans.push(Span::styled(reliability_key(state, entry), p.label()));
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_inbox_names_every_type_the_inbox_reads() {
        for t in ARTICLE_TYPES {
            let name = format!("a.{t}");
            assert!(
                crate::article::Format::from_path(std::path::Path::new(&name)).is_some(),
                "{name}"
            );
        }
    }

    #[test]
    fn columns_keep_source_date_and_half_the_zone_for_the_title() {
        // 80 columns: 78 inside the border.
        let c = Columns::new(78);
        assert!(c.date && c.source == SOURCE_MAX, "{c:?}");
        assert_eq!(2 + c.zone + 2 + c.source + 2 + DATE_W + 2, 78);
        assert!(c.zone - c.labels > c.zone / 2, "{c:?}");
        // The list beside the reader at 120 columns: 58 inside.
        let c = Columns::new(58);
        assert!(c.date && c.source >= SOURCE_MIN, "{c:?}");
        assert!(c.zone >= 2 * TITLE_MIN - 2, "{c:?}");
    }

    #[test]
    fn labels_shrink_step_by_step_to_their_room() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let r = ids(&["mena", "russia-fsu"]);
        let t = ids(&["war-conflict", "economy-trade"]);
        assert_eq!(summary(&r, &t, 40), "mena,russia-fsu war,economy");
        assert_eq!(summary(&r, &t, 23), "mena,russia war,economy");
        assert_eq!(summary(&r, &t, 18), "mena,russ war,econ");
        assert_eq!(summary(&r, &t, 13), "mena+1 war+1");
        assert_eq!(summary(&r, &t, 6), "mena+…");
        assert_eq!(summary(&[], &[], 6), "");
    }
}
