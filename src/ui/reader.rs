//! The reading pane: metadata, suggestions, the reviewer's labels, then the story,
//! which scrolls under them while they stay in view.

use std::collections::BTreeMap;
use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::{Palette, RenderInfo, fit};
use crate::app::{AppState, Focus};
use crate::article::{Article, Suggestion};
use crate::domain::Decision;
use crate::labels::Axis;
use crate::sanitize::{sanitize, sanitize_ranges};
use crate::search::Query;
use crate::store::{Entry, SidecarState};

/// Wrapped story text of the last article drawn. Wrapping a long article is the one
/// costly step of a frame, so it is done once per article and width, not every frame.
#[derive(Debug, Default)]
pub struct Cache {
    /// The article, width and [`AppState::revision`] the lines were wrapped for.
    key: Option<(usize, u16, u64)>,
    lines: Vec<Line<'static>>,
    /// Where each of `lines` was cut from (see [`wrap_story`]).
    cuts: Vec<Option<Cut>>,
    /// Body lines holding a search match, in order, each with the characters the
    /// search matched, for the article, width and query in the key.
    matches_key: Option<(usize, u16, String)>,
    matches: Vec<(usize, Vec<usize>)>,
    /// The copies of the story of the article, width and revision in the key, each
    /// compared with it (reading the copies' bodies is worth doing once).
    copies_key: Option<(usize, u16, u64, usize)>,
    copies: Vec<Line<'static>>,
}

/// Where a line of the story was cut from: the paragraph (the body's, then the
/// footer's) and the byte offset in its sanitized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    paragraph: usize,
    at: usize,
}

/// What the reader's marks depend on in a query: its terms that can match a body.
fn query_key(query: &Query) -> String {
    query
        .terms
        .iter()
        .filter(|t| !t.negated)
        .map(|t| format!("{:?} {}", t.kind, t.text))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

impl Cache {
    fn body(
        &mut self,
        entry: usize,
        whole: Option<&Article>,
        width: u16,
        revision: u64,
        p: Palette,
    ) -> &[Line<'static>] {
        if self.key != Some((entry, width, revision)) {
            (self.lines, self.cuts) = match whole {
                Some(a) => wrap_story(a, width as usize, p),
                None => (Vec::new(), Vec::new()),
            };
            self.key = Some((entry, width, revision));
            self.matches_key = None;
        }
        &self.lines
    }

    /// `others_key` is the key that shows other reviewers' labels, for the hint;
    /// `position` asks for the article's place in the list (`7/15`), for when the
    /// list, which shows it otherwise, is not on screen.
    ///
    /// The head (metadata, suggestions, labels, colleagues) stays put while the
    /// story scrolls under it, so the labels being set are always in view; only when
    /// the pane is too short for that does the head scroll with the story. The
    /// bottom border says which article this is (`7/15`, when the list is hidden), which match `n`/`N` went
    /// to, and how far down the story the pane shows (`42%`).
    pub fn render(
        &mut self,
        state: &AppState,
        p: Palette,
        others_key: Option<&str>,
        position: bool,
        area: Rect,
        buf: &mut Buffer,
    ) -> RenderInfo {
        let focused = state.focus == Focus::Reader;
        let Some(entry) = state.selected() else {
            super::pane(String::new(), focused, p).render(area, buf);
            return RenderInfo {
                page: 1,
                ..RenderInfo::default()
            };
        };
        let e = &state.entries[entry];
        let title_width = area.width.saturating_sub(4) as usize;
        let block = super::pane(
            format!(" {} ", fit(&sanitize(e.title()), title_width)),
            focused,
            p,
        );
        let inner = block.inner(area);
        if inner.width == 0 || inner.height == 0 {
            block.render(area, buf);
            return RenderInfo {
                page: 1,
                ..RenderInfo::default()
            };
        }
        let mut lines = header(state, entry, e, inner.width as usize, p);
        lines.extend(self.copies(state, entry, inner.width, p).iter().cloned());
        if state.reviewing() {
            lines.extend(review_table(state, entry, inner.width as usize, p));
        } else {
            lines.extend(others(state, e, others_key, inner.width as usize, p));
        }
        // From the index when the body is kept there; only when the article, the
        // width or the revision changed (the wrapped lines are kept).
        if self.key != Some((entry, inner.width, state.catalog.revision)) {
            let whole = state.texts.whole(e);
            self.body(
                entry,
                whole.as_deref(),
                inner.width,
                state.catalog.revision,
                p,
            );
        }
        self.find_matches(state, entry, e, inner.width);
        let height = inner.height as usize;
        // The head stays while it leaves the story at least a third of the pane.
        let pinned = lines.len() + 1 + (height / 3).max(3) <= height;
        let (fixed, scrolled): (Vec<Line<'static>>, Vec<Line<'static>>) = if pinned {
            lines.push(Line::styled("─".repeat(inner.width as usize), p.dim()));
            (lines, Vec::new())
        } else {
            lines.push(Line::raw(""));
            (Vec::new(), lines)
        };
        // Lines that scroll: the head when it is not pinned, then the story.
        let head = scrolled.len();
        let body = &self.lines;
        let total = head + body.len();
        let page = height - fixed.len();
        let max_scroll = total.saturating_sub(page);
        let scroll = (state.reader.scroll as usize).min(max_scroll);
        for (row, line) in fixed.iter().enumerate() {
            line.render(row_at(inner, row), buf);
        }
        let rows = Rows {
            fixed: fixed.len(),
            scrolled: &scrolled,
            scroll,
            page,
        };
        self.draw_rows(rows, state.reader.match_at.map(usize::from), inner, p, buf);
        let match_lines: Vec<u16> = self
            .matches
            .iter()
            .map(|&(i, _)| (i + head).min(u16::MAX as usize) as u16)
            .collect();
        let where_ = whereabouts(&match_lines, state.reader.match_at, scroll, page, total);
        let place = position.then(|| (state.cursor + 1, state.view.len()));
        bottom_titles(block, place, &where_, p).render(area, buf);
        RenderInfo {
            max_scroll: max_scroll.min(u16::MAX as usize) as u16,
            page: page.min(u16::MAX as usize) as u16,
            match_lines,
        }
    }

    /// The other copies of the selected article's story, one line each: where and
    /// when it was published, its format and file, and what differs from the article
    /// read here (another title, paragraphs missing or added). Worked out when the
    /// article, the width, the inbox or the groups changed.
    fn copies(
        &mut self,
        state: &AppState,
        entry: usize,
        width: u16,
        p: Palette,
    ) -> &[Line<'static>] {
        let groups = &state.copies.groups;
        let key = (
            entry,
            width,
            state.catalog.revision,
            std::sync::Arc::as_ptr(groups) as usize,
        );
        if self.copies_key != Some(key) {
            self.copies = copy_lines(state, entry, width as usize, p);
            self.copies_key = Some(key);
        }
        &self.copies
    }

    /// Finds the search's matches in the wrapped story, only when the article,
    /// the width or the query changed, since marking them walks the whole story.
    fn find_matches(&mut self, state: &AppState, entry: usize, e: &Entry, width: u16) {
        let query_key = state
            .search
            .query
            .as_ref()
            .map(query_key)
            .unwrap_or_default();
        if self.matches_key.as_ref() != Some(&(entry, width, query_key.clone())) {
            self.matches = match (&state.search.query, state.texts.whole(e)) {
                (Some(query), Some(article)) => {
                    story_marks(&article, query, &self.lines, &self.cuts)
                }
                _ => Vec::new(),
            };
            self.matches_key = Some((entry, width, query_key));
        }
    }

    /// Draws the lines that scroll (the head when not pinned, then the story) below
    /// the pinned ones, marking search matches, the one `n`/`N` went to most.
    fn draw_rows(
        &self,
        rows: Rows<'_>,
        current: Option<usize>,
        inner: Rect,
        p: Palette,
        buf: &mut Buffer,
    ) {
        let Rows {
            fixed,
            scrolled,
            scroll,
            page,
        } = rows;
        let head = scrolled.len();
        let body = &self.lines;
        let total = head + body.len();
        for (row, i) in (scroll..total).take(page).enumerate() {
            let r = row_at(inner, fixed + row);
            if i < head {
                (&scrolled[i]).render(r, buf);
                continue;
            }
            let line = &body[i - head];
            if let Ok(k) = self.matches.binary_search_by_key(&(i - head), |m| m.0) {
                let text = line_text(line);
                let marked = &self.matches[k].1;
                let base = line.spans.first().map_or(Style::new(), |s| s.style);
                // The match `n`/`N` went to stands out from the others.
                let mark = if current == Some(i) {
                    p.matched().patch(p.selected())
                } else {
                    p.matched()
                };
                Line::from(super::marked_spans(&text, marked, base, mark)).render(r, buf);
            } else {
                line.render(r, buf);
            }
        }
    }
}

/// Which rows of the reader `draw_rows` fills: how many are pinned above, the head
/// lines that scroll with the story, and the window onto them.
struct Rows<'a> {
    fixed: usize,
    scrolled: &'a [Line<'static>],
    scroll: usize,
    page: usize,
}

/// The bottom border's right side: which match `n`/`N` went to (or how many there
/// are), and how far down the story the pane shows.
fn whereabouts(
    match_lines: &[u16],
    match_at: Option<u16>,
    scroll: usize,
    page: usize,
    total: usize,
) -> Vec<String> {
    let mut where_ = Vec::new();
    if !match_lines.is_empty() {
        let n = match_lines.len();
        where_.push(
            match match_at.and_then(|at| match_lines.binary_search(&at).ok()) {
                Some(k) => format!("match {}/{n}", k + 1),
                None if n == 1 => "1 match".to_string(),
                None => format!("{n} matches"),
            },
        );
    }
    if total > page {
        where_.push(format!("{}%", (scroll + page).min(total) * 100 / total));
    } else if total > 0 {
        where_.push("all".to_string());
    }
    where_
}

/// The bottom border: the article's place in the list on the left when asked for,
/// and where the pane is in the story on the right.
fn bottom_titles(
    mut block: Block<'static>,
    place: Option<(usize, usize)>,
    where_: &[String],
    p: Palette,
) -> Block<'static> {
    if let Some((at, of)) = place {
        block = block.title_bottom(Line::styled(format!(" {at}/{of} "), p.dim()).left_aligned());
    }
    if !where_.is_empty() {
        block = block.title_bottom(
            Line::styled(format!(" {} ", where_.join(" · ")), p.dim()).right_aligned(),
        );
    }
    block
}

/// The one-line area of `row` inside `inner`.
fn row_at(inner: Rect, row: usize) -> Rect {
    Rect {
        y: inner.y + row as u16,
        height: 1,
        ..inner
    }
}

/// Lays out `prefix` then segments joined by ` · `, starting a new line (indented
/// under the first) whenever the next segment would not fit, so header lines wrap
/// between their parts instead of being cut.
fn packed(
    prefix: &str,
    segments: &[String],
    style: Style,
    p: Palette,
    width: usize,
) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthStr;
    let indent = prefix.width();
    let room = width.saturating_sub(indent).max(1);
    let mut rows: Vec<String> = Vec::new();
    for seg in segments {
        let seg = sanitize(seg).into_owned();
        match rows.last_mut() {
            Some(row) if row.width() + 3 + seg.width() <= room => {
                row.push_str(" · ");
                row.push_str(&seg);
            }
            _ => rows.extend(
                textwrap::wrap(&seg, room)
                    .into_iter()
                    .map(|c| c.into_owned()),
            ),
        }
    }
    if rows.is_empty() {
        rows.push("—".to_string());
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let lead = if i == 0 {
                prefix.to_string()
            } else {
                " ".repeat(indent)
            };
            Line::from(vec![Span::styled(lead, p.dim()), Span::styled(row, style)])
        })
        .collect()
}

/// How much of a note the reader shows, in bytes. The header is laid out on every
/// frame, and a note can be megabytes long (pasted, or from a script).
const NOTE_SHOWN: usize = 4000;

/// A note for the reader, sanitized: whole when short, else its start and how long
/// it is. The start is sanitized before anything is added after it, so a sequence
/// left open by the cut swallows only the rest of the start.
fn note_preview(note: &str) -> String {
    if note.len() <= NOTE_SHOWN {
        return sanitize(note).into_owned();
    }
    let mut cut = NOTE_SHOWN;
    while !note.is_char_boundary(cut) {
        cut -= 1;
    }
    let size = if note.len() >= 1_000_000 {
        format!("{:.1} MB", note.len() as f64 / 1e6)
    } else {
        format!("{:.1} kB", note.len() as f64 / 1e3)
    };
    format!(
        "{}… (the note goes on, {size} in all: the whole note is in the sidecar)",
        sanitize(&note[..cut])
    )
}

/// Label ids for a line, each sanitized whole before they are joined: joined first,
/// a sequence left open in one id would swallow the ids after it.
fn ids_line(ids: &[&str]) -> String {
    if ids.is_empty() {
        "—".to_string()
    } else {
        let clean: Vec<_> = ids.iter().map(|id| sanitize(id)).collect();
        clean.join(", ")
    }
}

/// The lines above the story; rebuilt every frame because labels change with keystrokes.
fn header(
    state: &AppState,
    entry: usize,
    e: &Entry,
    width: usize,
    p: Palette,
) -> Vec<Line<'static>> {
    let mut lines = about(e, width, p);
    lines.extend(suggested(state, entry, width, p));
    lines.extend(decided(state, entry, e, width, p));
    lines
}

/// The most copies listed one per line; more are counted on one line.
const COPIES_LISTED: usize = 6;

/// See [`Cache::copies`].
fn copy_lines(state: &AppState, entry: usize, width: usize, p: Palette) -> Vec<Line<'static>> {
    let others: Vec<usize> = state
        .copies
        .groups
        .copies_of(entry)
        .iter()
        .copied()
        .filter(|&i| i != entry && !state.is_gone(i))
        .collect();
    if others.is_empty() {
        return Vec::new();
    }
    let this = state.entries.get(entry).and_then(|e| state.texts.whole(e));
    let mut lines = vec![Line::from(vec![
        Span::styled("Copies:    ", p.dim()),
        Span::styled(format!("{} more of this story", others.len()), p.label()),
    ])];
    for &i in others.iter().take(COPIES_LISTED) {
        let Some(e) = state.entries.get(i) else {
            continue;
        };
        let mut parts: Vec<String> = Vec::new();
        if let Ok(a) = &e.article {
            parts.extend(a.source.clone().or_else(|| a.publisher.clone()));
            parts.extend(a.date.clone());
        }
        // The format is the file's: its path ends in it.
        parts.push(e.rel.to_string_lossy().into_owned());
        let differs = match (&this, state.texts.whole(e)) {
            (Some(this), Some(other)) => {
                let d = crate::copies::differences(other.as_ref(), this.as_ref());
                let mut said = Vec::new();
                if d.title {
                    said.push("another title".to_string());
                }
                if d.missing > 0 {
                    said.push(format!(
                        "{} {} missing",
                        d.missing,
                        crate::words::noun(d.missing, "paragraph", "paragraphs")
                    ));
                }
                if d.extra > 0 {
                    said.push(format!(
                        "{} {} added",
                        d.extra,
                        crate::words::noun(d.extra, "paragraph", "paragraphs")
                    ));
                }
                said
            }
            _ => Vec::new(),
        };
        // Where the copy is, then (under it, so neither is cut for the other) what
        // differs from the article read here.
        let text: Vec<String> = parts.iter().map(|s| sanitize(s).into_owned()).collect();
        lines.push(Line::styled(
            fit(&format!("  • {}", text.join(" · ")), width),
            p.dim(),
        ));
        if !differs.is_empty() {
            lines.push(Line::styled(
                fit(&format!("    {}", differs.join(", ")), width),
                p.flagged(),
            ));
        }
    }
    if others.len() > COPIES_LISTED {
        lines.push(Line::styled(
            format!("  and {} more", others.len() - COPIES_LISTED),
            p.dim(),
        ));
    }
    lines
}

/// What the article is and where it lives: the whole title when the border cuts it,
/// who wrote it and when (or why it cannot be read), its file and its URL.
fn about(e: &Entry, width: usize, p: Palette) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let clip = |s: String| fit(&s, width);
    // The pane's border holds the title only as far as it fits; when it is cut,
    // the whole title opens the pane so nothing is out of reach.
    let title = sanitize(e.title());
    if unicode_width::UnicodeWidthStr::width(title.as_ref()) > width.saturating_sub(2) {
        for piece in textwrap::wrap(&title, width.max(1)) {
            lines.push(Line::styled(piece.into_owned(), p.title()));
        }
    }
    match &e.article {
        Ok(a) => {
            let mut meta: Vec<String> = a.authors.to_vec();
            meta.extend(a.publisher.iter().cloned());
            meta.extend(a.date.iter().cloned());
            if let Some(src) = &a.source
                && !a.authors.contains(src)
            {
                meta.push(format!("source {src}"));
            }
            if !meta.is_empty() {
                lines.extend(packed("", &meta, p.dim(), p, width));
            }
        }
        Err(_) if e.still_reading() => {
            lines.push(Line::styled("Still being read…", p.dim()));
        }
        Err(reason) => lines.extend(packed(
            "Unreadable: ",
            std::slice::from_ref(reason),
            p.error(),
            p,
            width,
        )),
    }
    lines.push(Line::styled(
        clip(sanitize(&e.rel.to_string_lossy()).into_owned()),
        p.dim(),
    ));
    if let Some(url) = e.article.as_ref().ok().and_then(|a| a.url.as_deref()) {
        lines.extend(packed("", &[url.to_string()], p.dim(), p, width));
    }
    lines
}

/// Each suggestion with its score and where it came from, so the reviewer can judge
/// it before `a`; those below the team's threshold follow under "Weaker:", dimmed,
/// since `a` leaves them out.
fn suggested(state: &AppState, entry: usize, width: usize, p: Palette) -> Vec<Line<'static>> {
    let s = state.suggestions(entry);
    let rows = |region: &[Suggestion], theme: &[Suggestion], reliability: Option<&Suggestion>| {
        let mut rows: Vec<(String, String, String)> = Vec::new();
        for (axis, list) in [(Axis::Region, region), (Axis::Theme, theme)] {
            rows.extend(list.iter().map(|x| row(axis, x)));
        }
        rows.extend(reliability.map(|x| row(Axis::Reliability, x)));
        rows
    };
    let strong = rows(&s.region, &s.theme, s.reliability.as_ref());
    let weak = rows(
        &s.weaker.region,
        &s.weaker.theme,
        s.weaker.reliability.as_ref(),
    );
    let mut lines = Vec::new();
    if strong.is_empty() {
        lines.extend(packed(
            "Suggested: ",
            &["—".to_string()],
            Style::new(),
            p,
            width,
        ));
    }
    let label_w = strong
        .iter()
        .chain(&weak)
        .map(|(l, _, _)| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0);
    let hang = " ".repeat(label_w + 8);
    let options = textwrap::Options::new(width.saturating_sub(11).max(8)).subsequent_indent(&hang);
    for (rows, lead, style) in [
        (&strong, "Suggested: ", Style::new()),
        (&weak, "Weaker:    ", p.dim()),
    ] {
        for (i, (label, score, from)) in rows.iter().enumerate() {
            let pad = label_w.saturating_sub(unicode_width::UnicodeWidthStr::width(label.as_str()));
            let text = format!("{label}{} {score} ← {from}", " ".repeat(pad));
            for (j, piece) in textwrap::wrap(&text, &options).into_iter().enumerate() {
                let lead = if i == 0 && j == 0 {
                    lead
                } else {
                    "           "
                };
                lines.push(Line::from(vec![
                    Span::styled(lead, p.dim()),
                    Span::styled(piece.into_owned(), style),
                ]));
            }
        }
    }
    lines
}

/// `region mena`, its score (`0.93`) and where it came from, sanitized.
fn row(axis: Axis, s: &Suggestion) -> (String, String, String) {
    (
        format!("{axis} {}", sanitize(&s.id)),
        format!("{:.2}", s.score),
        sanitize(&s.from).into_owned(),
    )
}

/// The reviewer's decision and anything wrong with it: labels, note, a change not yet
/// saved, a sidecar that cannot be read, an article changed since it was decided,
/// and what reading the article warned about.
fn decided(
    state: &AppState,
    entry: usize,
    e: &Entry,
    width: usize,
    p: Palette,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let clip = |s: String| fit(&s, width);
    let d = state.decision_ref(entry);
    let labels = [
        format!("region {}", ids_line(&d.labels(Axis::Region))),
        format!("theme {}", ids_line(&d.labels(Axis::Theme))),
        format!("reliability {}", d.reliability.as_deref().unwrap_or("—")),
        d.status.as_str().to_string(),
    ];
    lines.extend(packed("Labels:    ", &labels, p.label(), p, width));
    if let Some(note) = &d.note {
        lines.extend(packed(
            "Note:      ",
            &[note_preview(note)],
            Style::new(),
            p,
            width,
        ));
    }
    if let Some(error) = state.unsaved_error(entry) {
        lines.extend(packed(
            "Unsaved:   ",
            &[
                sanitize(error).into_owned(),
                "retried with your next change".to_string(),
            ],
            p.error(),
            p,
            width,
        ));
    }
    if let Some(problem) = e.mine(&state.reviewer).broken() {
        // Wrapped, not cut: the reason (file, line and what is wrong) is what the
        // reviewer needs to repair it.
        lines.extend(packed(
            "Sidecar:   ",
            &[format!("unreadable, kept as it is: {problem}")],
            p.error(),
            p,
            width,
        ));
    }
    if e.changed(&state.reviewer) {
        lines.push(Line::styled(
            "Changed since your decision: the article's bytes differ.",
            p.flagged(),
        ));
    }
    if let Ok(a) = &e.article {
        for w in &a.warnings {
            lines.push(Line::styled(
                clip(format!("Warning: {}", sanitize(w))),
                p.flagged(),
            ));
        }
    }
    lines
}

/// The review's table: each reviewer's labels side by side, one row per reviewer in
/// aligned columns, the axes they disagree on marked `≠`. When the columns do not fit
/// the pane, each reviewer's labels wrap onto lines of their own instead.
fn review_table(state: &AppState, entry: usize, width: usize, p: Palette) -> Vec<Line<'static>> {
    let decisions = state.review_decisions(entry);
    if decisions.is_empty() {
        return vec![Line::styled(
            "No other reviewer has decided this article.",
            p.dim(),
        )];
    }
    let differ = state.review_differences(entry);
    let head = |axis: Axis, name: &str| {
        if differ.contains(&axis) {
            format!("{name} ≠")
        } else {
            name.to_string()
        }
    };
    let mut rows: Vec<[String; 4]> = vec![[
        "Reviewer".to_string(),
        head(Axis::Region, "region"),
        head(Axis::Theme, "theme"),
        head(Axis::Reliability, "reliability"),
    ]];
    // An id labels.toml does not have is shown, marked, but `a` never copies it.
    let marked = |axis: Axis, d: &Decision| -> String {
        let ids: Vec<String> = d
            .labels(axis)
            .into_iter()
            .map(|id| match state.taxonomy.label(axis, id) {
                Some(_) => id.to_string(),
                None => format!("{id} (unknown)"),
            })
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        sanitize(&ids_line(&ids)).into_owned()
    };
    for (name, d) in &decisions {
        rows.push([
            sanitize(name).into_owned(),
            marked(Axis::Region, d),
            marked(Axis::Theme, d),
            match d.reliability {
                None => "—".to_string(),
                Some(_) => marked(Axis::Reliability, d),
            },
        ]);
    }
    let w = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let mut widths = [0usize; 4];
    for row in &rows {
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(w(cell));
        }
    }
    let total: usize = widths.iter().sum::<usize>() + 2 * 3;
    let mut lines = Vec::new();
    if total <= width {
        for (r, row) in rows.iter().enumerate() {
            let text: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| format!("{cell}{}", " ".repeat(widths[c] - w(cell))))
                .collect();
            let style = if r == 0 { p.dim() } else { Style::new() };
            lines.push(Line::styled(text.join("  ").trim_end().to_string(), style));
        }
    } else {
        for row in rows.iter().skip(1) {
            let parts = [
                format!("{}: {} {}", row[0], rows[0][1], row[1]),
                format!("{} {}", rows[0][2], row[2]),
                format!("{} {}", rows[0][3], row[3]),
            ];
            lines.extend(packed("", &parts, Style::new(), p, width));
        }
    }
    lines
}

/// Other reviewers' decisions on the article: hidden until asked for, so that a
/// reviewer decides before seeing colleagues' labels, but always announced.
fn others(
    state: &AppState,
    e: &Entry,
    key: Option<&str>,
    width: usize,
    p: Palette,
) -> Vec<Line<'static>> {
    // The adjudicator's sidecar is the settled answer, not one more reviewer's view:
    // it is named "settled" and shown last.
    let adjudicator = state.adjudicator();
    let mut present: Vec<(&str, &SidecarState)> = e
        .others(&state.reviewer)
        .filter(|(_, s)| !matches!(s, SidecarState::Missing))
        .collect();
    if present.is_empty() {
        return Vec::new();
    }
    present.sort_by_key(|(n, _)| *n == adjudicator);
    let settled = present.iter().any(|(n, _)| *n == adjudicator);
    if !state.reader.show_others {
        let names: Vec<String> = present
            .iter()
            .filter(|(n, _)| *n != adjudicator)
            .map(|(n, _)| sanitize(n).into_owned())
            .collect();
        let mut parts = Vec::new();
        if !names.is_empty() {
            parts.push(format!(
                "{} other reviewer{} ({})",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
        }
        if settled {
            parts.push("settled".to_string());
        }
        if let Some(key) = key {
            parts.push(format!("{key} shows their labels"));
        }
        return packed("Others:    ", &parts, p.dim(), p, width);
    }
    let mut lines = Vec::new();
    for (i, (name, sidecar)) in present.iter().enumerate() {
        let lead = if i == 0 { "Others:    " } else { "           " };
        let who = if *name == adjudicator {
            "settled".to_string()
        } else {
            name.to_string()
        };
        let parts = match sidecar {
            SidecarState::Saved(s) => {
                let d = &s.decision;
                let mut parts = vec![
                    format!("{who}: region {}", ids_line(&d.labels(Axis::Region))),
                    format!("theme {}", ids_line(&d.labels(Axis::Theme))),
                    format!("reliability {}", d.reliability.as_deref().unwrap_or("—")),
                    d.status.as_str().to_string(),
                ];
                if let Some(note) = &d.note {
                    parts.push(format!("note “{}”", note_preview(note)));
                }
                parts
            }
            SidecarState::Broken(problem) => vec![format!("{who}: sidecar unreadable: {problem}")],
            SidecarState::Missing => continue,
        };
        let parts: Vec<String> = parts.iter().map(|x| sanitize(x).into_owned()).collect();
        lines.extend(packed(lead, &parts, Style::new(), p, width));
    }
    lines
}

/// Wraps the story's paragraphs, then the publisher's footer set apart and dimmed,
/// saying for each line where it was cut from (`None` for the blank line after each
/// paragraph and the footer's heading), so that the search's matches, found in the
/// paragraphs, can be marked on the lines.
fn wrap_story(a: &Article, width: usize, p: Palette) -> (Vec<Line<'static>>, Vec<Option<Cut>>) {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut cuts = Vec::new();
    let body = a.body.iter().map(|para| (para, Style::new()));
    let footer = a.footer.iter().map(|para| (para, p.dim()));
    for (paragraph, (para, style)) in body.chain(footer).enumerate() {
        if paragraph == a.body.len() {
            lines.push(Line::styled(
                fit("── publisher's footer ──", width),
                p.dim(),
            ));
            cuts.push(None);
        }
        let clean = sanitize(para);
        let mut from = 0;
        for piece in textwrap::wrap(&clean, width) {
            // Each line is a slice of the paragraph, found after the one before.
            let cut = clean
                .get(from..)
                .and_then(|rest| rest.find(piece.as_ref()))
                .map(|at| Cut {
                    paragraph,
                    at: from + at,
                });
            if let Some(cut) = cut {
                from = cut.at + piece.len();
            }
            cuts.push(cut);
            lines.push(Line::styled(piece.into_owned(), style));
        }
        lines.push(Line::raw(""));
        cuts.push(None);
    }
    (lines, cuts)
}

/// The story's lines that hold a match of `query`, each with the characters to mark.
/// The matches are the search engine's own ([`Query::body_matches`], the test that
/// ranked the article), found in the paragraphs and carried through sanitizing and
/// wrapping onto the lines, so the reader marks exactly what the search found, a
/// match broken across two lines included.
///
fn story_marks(
    a: &Article,
    query: &Query,
    lines: &[Line<'static>],
    cuts: &[Option<Cut>],
) -> Vec<(usize, Vec<usize>)> {
    let footer = query
        .body_matches(&a.footer)
        .into_iter()
        .map(|(i, r)| (a.body.len() + i, r));
    let mut found: BTreeMap<usize, Vec<Range<usize>>> = BTreeMap::new();
    for (paragraph, range) in query.body_matches(&a.body).into_iter().chain(footer) {
        found.entry(paragraph).or_default().push(range);
    }
    // Into the sanitized text the lines were cut from.
    for (&paragraph, ranges) in &mut found {
        let text = match paragraph.checked_sub(a.body.len()) {
            None => a.body.get(paragraph),
            Some(i) => a.footer.get(i),
        };
        *ranges = text.map_or_else(Vec::new, |text| sanitize_ranges(text, ranges).1);
    }
    lines
        .iter()
        .zip(cuts)
        .enumerate()
        .filter_map(|(i, (line, cut))| {
            let cut = (*cut)?;
            let ranges = found.get(&cut.paragraph)?;
            let marked: Vec<usize> = line_text(line)
                .char_indices()
                .enumerate()
                .filter(|(_, (at, _))| ranges.iter().any(|r| r.contains(&(cut.at + at))))
                .map(|(k, _)| k)
                .collect();
            (!marked.is_empty()).then_some((i, marked))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Paragraphs;

    /// The marked text of each marked line of `body` wrapped at `width`, for `query`.
    fn marks(body: &[&str], footer: &[&str], query: &str, width: usize) -> Vec<(usize, String)> {
        let a = Article {
            body: body.iter().collect::<Paragraphs>(),
            footer: footer.iter().collect::<Paragraphs>(),
            ..Article::default()
        };
        let query = crate::search::parse(query).expect("the query parses");
        let (lines, cuts) = wrap_story(&a, width, Palette { color: false });
        story_marks(&a, &query, &lines, &cuts)
            .into_iter()
            .map(|(i, marked)| {
                let text: Vec<char> = line_text(&lines[i]).chars().collect();
                (i, marked.iter().map(|&k| text[k]).collect())
            })
            .collect()
    }

    #[test]
    fn the_reader_marks_a_match_the_wrap_breaks_across_two_lines() {
        assert_eq!(
            marks(&["Talks in new york today"], &[], "new\\ york", 12),
            [(0, "new".to_string()), (1, "york".to_string())]
        );
    }

    #[test]
    fn the_reader_marks_only_what_the_search_found() {
        // The search reads the text as stored, where a zero-width space splits the
        // first word; the screen shows it without, but must not mark it either.
        assert_eq!(
            marks(&["pay\u{200b}pal or PayPal"], &[], "paypal", 40),
            [(0, "PayPal".to_string())]
        );
        // A tab before a match moves it on screen; the mark moves with it.
        assert_eq!(marks(&["\tgas"], &[], "gas", 40), [(0, "gas".to_string())]);
        // `^word` and `word$` look at titles, not bodies: nothing to mark.
        assert_eq!(marks(&["gas"], &[], "^gas", 40), []);
    }

    #[test]
    fn the_reader_marks_matches_in_the_footer_under_its_heading() {
        // Body, its blank line, the footer's heading, then the footer.
        assert_eq!(
            marks(&["no"], &["Oil prices"], "oil", 40),
            [(3, "Oil".to_string())]
        );
    }
}
