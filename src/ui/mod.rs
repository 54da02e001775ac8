//! Drawing: a state becomes a frame, nothing else.
//!
//! Every string from an article, a file name or a sidecar goes through
//! [`crate::sanitize::sanitize`] before it becomes a span, so nothing untrusted can
//! reach the terminal as a control sequence. Only the visible list rows and reader
//! lines are built each frame; wrapped article text is cached per article and width.
//! Colour only ever repeats what a mark or a word already says, so the screen reads
//! the same with `NO_COLOR` or on a 16-colour terminal: the focused pane, for one,
//! has a heavy border, not only a coloured one.

mod conflict;
mod help;
mod list;
mod picker;
mod reader;
mod saved;
mod stats;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use crate::app::{Action, AppState, Context, Focus, Mode};
use crate::input::Keymap;

/// Screens this wide or narrower show one pane at a time; `Tab` switches.
pub const NARROW: u16 = 80;

/// What the drawing learned that the state needs for the next keystroke.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderInfo {
    /// The largest scroll offset that still shows text in the reading pane.
    pub max_scroll: u16,
    /// How many lines the reading pane shows at once.
    pub page: u16,
    /// Reader lines holding a body match of the search, for `n`/`N`.
    pub match_lines: Vec<u16>,
}

/// Styles, with colour or without (`NO_COLOR`). Modifiers (bold, reverse, dim) are
/// kept without colour because they carry no meaning of their own.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub color: bool,
}

impl Palette {
    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::DIM)
    }
    pub fn done(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn flagged(self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn label(self) -> Style {
        self.fg(Color::Magenta)
    }
    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Matched characters of a search: bold and underlined, so they show without colour.
    pub fn matched(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
        } else {
            self.fg(Color::DarkGray)
        }
    }
}

/// Drawing state that lives across frames but is not the application's business:
/// where the list is scrolled to, and wrapped reader text.
#[derive(Debug)]
pub struct Ui {
    pub palette: Palette,
    list_offset: usize,
    /// First label row shown by the open picker, kept so the list moves only
    /// when the highlight would leave it.
    picker_offset: usize,
    /// The largest useful scroll of the stats overlay as last drawn, if open.
    pub stats_max_scroll: Option<u16>,
    reader: reader::Cache,
}

impl Ui {
    pub fn new(color: bool) -> Ui {
        Ui {
            palette: Palette { color },
            list_offset: 0,
            picker_offset: 0,
            stats_max_scroll: None,
            reader: reader::Cache::default(),
        }
    }

    /// Draws the whole screen.
    pub fn render(&mut self, state: &AppState, keymap: &Keymap, frame: &mut Frame) -> RenderInfo {
        let area = frame.area();
        let mut info = RenderInfo {
            page: 1,
            ..RenderInfo::default()
        };
        if area.width < 2 || area.height < 2 {
            return info;
        }
        let [main, bottom] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let p = self.palette;
        let (list_area, reader_area) = split(main, state.focus);
        if let Some(r) = list_area {
            self.list_offset =
                list::render(state, keymap, p, self.list_offset, r, frame.buffer_mut());
        }
        if let Some(r) = reader_area {
            let others_key = keymap
                .keys_for(Context::Global, &Action::ToggleOthers)
                .into_iter()
                .next();
            let position = list_area.is_none();
            info = self.reader.render(
                state,
                p,
                others_key.as_deref(),
                position,
                r,
                frame.buffer_mut(),
            );
        }
        let mut cursor = status::render(state, keymap, p, bottom, frame.buffer_mut());
        match &state.mode {
            Mode::Picker(picker) => {
                let drawn = picker::render(
                    state,
                    picker,
                    self.picker_offset,
                    p,
                    main,
                    frame.buffer_mut(),
                );
                self.picker_offset = drawn.offset;
                cursor = drawn.cursor;
            }
            Mode::Help { scroll } => {
                help::render(state, keymap, p, *scroll, main, frame.buffer_mut())
            }
            Mode::Conflict(bulk) => {
                conflict::render(state, keymap, bulk, p, main, frame.buffer_mut())
            }
            Mode::SavedSearches { highlight } => {
                saved::render(state, *highlight, p, main, frame.buffer_mut())
            }
            Mode::Stats { stats, scroll } => {
                self.stats_max_scroll = Some(stats::render(
                    stats,
                    keymap,
                    *scroll,
                    p,
                    main,
                    frame.buffer_mut(),
                ));
            }
            _ => {}
        }
        if !matches!(state.mode, Mode::Picker(_)) {
            self.picker_offset = 0;
        }
        if !matches!(state.mode, Mode::Stats { .. }) {
            self.stats_max_scroll = None;
        }
        // The prompt's cursor is the terminal's own, where typing goes; otherwise
        // the terminal hides it.
        if let Some(at) = cursor {
            frame.set_cursor_position(at);
        }
        info
    }
}

/// Side by side when wide; only the focused pane when narrow.
fn split(area: Rect, focus: Focus) -> (Option<Rect>, Option<Rect>) {
    if area.width > NARROW {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(area);
        (Some(l), Some(r))
    } else {
        match focus {
            Focus::List => (Some(area), None),
            Focus::Reader => (None, Some(area)),
        }
    }
}

/// A pane's frame with its title. The focused pane's border is thick, so focus
/// shows without colour (`NO_COLOR`); colour only repeats it.
fn pane(title: String, focused: bool, p: Palette) -> Block<'static> {
    let block = Block::bordered()
        .title(Span::styled(title, p.title()))
        .border_style(p.border(focused));
    if focused {
        block.border_type(BorderType::Thick)
    } else {
        block
    }
}

/// Cuts a sanitized string to `width` display columns, ending in `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// The end of `text` that fits in `width` display columns, sanitized, starting with
/// `…` when cut. Only that end is read (a prompt's text can be megabytes long and this
/// runs on every keystroke), so `text` must hold no escape sequence that could begin
/// before the cut: the note editor opens on the note with its sequences stripped and
/// refuses typed control characters.
pub fn fit_end(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    // Enough characters for `width` columns even if some are removed or are tabs.
    let start = text
        .char_indices()
        .rev()
        .nth(width.saturating_add(16))
        .map_or(0, |(i, _)| i);
    let clean = crate::sanitize::sanitize(&text[start..]);
    let total: usize = clean.chars().map(|c| c.width().unwrap_or(0)).sum();
    if start == 0 && total <= width {
        return clean.into_owned();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in clean.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out = String::with_capacity(kept.len() + 3);
    if width > 0 {
        out.push('…');
    }
    out.extend(kept.into_iter().rev());
    out
}

/// Splits `text` into spans, styling the characters whose indices (counted in
/// characters, as fuzzy-matcher reports them) are in `marked`.
pub fn marked_spans(text: &str, marked: &[usize], base: Style, mark: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_marked = false;
    for (i, c) in text.chars().enumerate() {
        let m = marked.binary_search(&i).is_ok();
        if m != run_marked && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                if run_marked { mark } else { base },
            ));
        }
        run_marked = m;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_marked { mark } else { base }));
    }
    spans
}

/// Character positions of `line` where any of `terms` (folded, as the query folds
/// them) occurs, ignoring case by the same rule ([`crate::fold`]).
pub fn find_terms(line: &str, terms: &[String]) -> Vec<usize> {
    let folded: Vec<char> = line.chars().map(crate::fold::fold_char).collect();
    let mut marked = Vec::new();
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > folded.len() {
            continue;
        }
        let mut i = 0;
        while i + t.len() <= folded.len() {
            if folded[i..i + t.len()] == t[..] {
                marked.extend(i..i + t.len());
                i += t.len();
            } else {
                i += 1;
            }
        }
    }
    marked.sort_unstable();
    marked.dedup();
    marked
}

/// A centred rectangle for overlays.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
