//! What a keystroke can ask for, and where it is asked.

use serde::{Deserialize, Serialize};

/// Everything the state can be asked to do. Keymaps name the bindable variants in
/// snake_case (`next`, `{ set_reliability = "unreliable" }`); the variants marked
/// `#[serde(skip)]` come from the loop itself (typed text, picker label keys) and
/// cannot be bound, so a keymap that names them is refused as an unknown action.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Next article in the list.
    Next,
    /// Previous article in the list.
    Prev,
    /// First article in the list.
    First,
    /// Last article in the list.
    Last,
    /// Scroll the reading pane down by a page.
    ScrollDown,
    /// Scroll the reading pane up by a page.
    ScrollUp,
    /// Scroll the reading pane down by a line.
    LineDown,
    /// Scroll the reading pane up by a line.
    LineUp,
    /// Top of the article in the reading pane.
    ScrollTop,
    /// End of the article in the reading pane.
    ScrollBottom,
    /// Switch focus between the list and the reading pane (on narrow screens, which one is shown).
    FocusNext,
    /// Open the region picker.
    PickRegion,
    /// Open the theme picker.
    PickTheme,
    /// Set reliability to this label id.
    SetReliability(String),
    /// Accept every suggested label (never replacing one already set).
    Accept,
    /// Mark done and move to the next article still to do.
    Done,
    /// Mark skipped and move on.
    Skip,
    /// Mark flagged and move on.
    Flag,
    /// Write a note.
    Note,
    /// Undo the last label change.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Open the search prompt.
    Search,
    /// Open the list of saved searches (queries.toml, the team's and one's own).
    SavedSearches,
    /// Next body match of the search.
    NextMatch,
    /// Previous body match of the search.
    PrevMatch,
    /// Show or hide the help overlay.
    Help,
    /// Show or hide other reviewers' labels in the reading pane.
    ToggleOthers,
    /// The list's order: inbox, least sure first, surest first (the learned model's
    /// margins), in turn.
    CycleOrder,
    /// Open or close the review of disagreements (adjudication).
    Review,
    /// Show the stats overlay: progress, label counts, reviewers.
    Stats,
    /// Move to the next article still to do without deciding the selected one.
    NextTodo,
    /// Unfold the selected story's copies onto rows of their own, or fold them again.
    ToggleFold,
    /// Unfold every story with copies, or fold them all again.
    ToggleAllFolds,
    /// Put the selected article's URL on the clipboard (OSC 52: works over SSH, and
    /// in tmux with `set-clipboard on`).
    CopyUrl,
    /// Read the selected article's file in `$PAGER` (`less` when unset).
    OpenPager,
    /// Open the selected article's URL in `$BROWSER`.
    OpenBrowser,
    /// Mark the selected article for the next decision, or unmark it.
    Mark,
    /// Mark every article of the search's result (unmark them when all are marked).
    MarkAll,
    /// Make the last decision again, on the selected article or the marked ones.
    Repeat,
    /// In the conflict prompt: give the articles that hold another decision the new one too.
    Overwrite,
    /// In the conflict prompt: leave the articles that hold another decision as they are.
    KeepTheirs,
    /// Retry writing changes the disk refused.
    Save,
    /// Stop for the shell; `fg` brings the program back.
    Suspend,
    /// Send my decisions to the team and take theirs (`triage sync`: git).
    Sync,
    /// Leave the program.
    Quit,
    /// Close the open picker, prompt or overlay (cancels a note, clears a search).
    Close,
    /// Confirm the open picker, prompt or editor (saves a note, keeps a search filter).
    Confirm,
    /// Filter the open picker by name.
    Filter,
    /// Move the highlight down inside a picker or overlay.
    MenuDown,
    /// Move the highlight up inside a picker or overlay.
    MenuUp,
    /// Toggle the highlighted label inside a picker.
    Toggle,
    /// The search before the one in the prompt (history, kept across sessions).
    HistoryPrev,
    /// The search after the one in the prompt; past the newest, what was typed.
    HistoryNext,
    /// A typed character in a prompt or editor.
    #[serde(skip)]
    Input(char),
    /// Delete the character before the cursor in a prompt or editor.
    #[serde(skip)]
    Backspace,
    /// A line-editing key in a prompt or editor (cursor moves, word and line
    /// deletes); see [`crate::input::edit_request`].
    #[serde(skip)]
    Edit(tui_input::InputRequest),
    /// A key pressed in an open picker that the keymap does not bind: a label's key
    /// toggles it and closes, its capital letter toggles it and keeps the picker open.
    #[serde(skip)]
    PickerKey(char),
    /// The terminal changed size.
    #[serde(skip)]
    Resize(u16, u16),
}

impl Action {
    /// The words the help overlay and status line use when a binding has no `desc`.
    pub fn describe(&self) -> String {
        match self {
            Action::Next => "next article".into(),
            Action::Prev => "previous article".into(),
            Action::First => "first article".into(),
            Action::Last => "last article".into(),
            Action::ScrollDown => "scroll the reader down".into(),
            Action::ScrollUp => "scroll the reader up".into(),
            Action::LineDown => "reader one line down".into(),
            Action::LineUp => "reader one line up".into(),
            Action::ScrollTop => "top of the article".into(),
            Action::ScrollBottom => "end of the article".into(),
            Action::FocusNext => "switch list / reader".into(),
            Action::PickRegion => "region".into(),
            Action::PickTheme => "theme".into(),
            Action::SetReliability(id) => format!("reliability {id}"),
            Action::Accept => "accept suggestions".into(),
            Action::Done => "done, next to do".into(),
            Action::Skip => "skip".into(),
            Action::Flag => "flag".into(),
            Action::Note => "note".into(),
            Action::Undo => "undo".into(),
            Action::Redo => "redo".into(),
            Action::Search => "search".into(),
            Action::SavedSearches => "saved searches".into(),
            Action::NextMatch => "next match".into(),
            Action::PrevMatch => "previous match".into(),
            Action::Help => "help".into(),
            Action::ToggleOthers => "other reviewers' labels".into(),
            Action::CycleOrder => "order: inbox, least sure, surest first".into(),
            Action::Review => "review disagreements".into(),
            Action::Stats => "stats".into(),
            Action::NextTodo => "next to do, no decision".into(),
            Action::ToggleFold => "unfold / fold this story's copies".into(),
            Action::ToggleAllFolds => "unfold / fold every story's copies".into(),
            Action::CopyUrl => "copy the URL".into(),
            Action::OpenPager => "read the file in $PAGER".into(),
            Action::OpenBrowser => "open the URL in $BROWSER".into(),
            Action::Mark => "mark or unmark".into(),
            Action::MarkAll => "mark the search's results".into(),
            Action::Repeat => "repeat the last decision".into(),
            Action::Overwrite => "overwrite them too".into(),
            Action::KeepTheirs => "keep theirs".into(),
            Action::Save => "retry unsaved changes".into(),
            Action::Suspend => "suspend (fg resumes)".into(),
            Action::Sync => "sync with the team (git)".into(),
            Action::Quit => "quit".into(),
            Action::Close => "close".into(),
            Action::Confirm => "confirm".into(),
            Action::Filter => "filter by name".into(),
            Action::MenuDown => "highlight down".into(),
            Action::MenuUp => "highlight up".into(),
            Action::Toggle => "toggle highlighted".into(),
            Action::HistoryPrev => "earlier search".into(),
            Action::HistoryNext => "later search".into(),
            Action::Input(_) => "type".into(),
            Action::Backspace => "delete a character".into(),
            Action::Edit(_) => "edit the line".into(),
            Action::PickerKey(_) => "label key".into(),
            Action::Resize(..) => "resize".into(),
        }
    }
}

/// A group of bindings that is active at one time. Keymap files have one table per
/// context; the same key may mean different things in different contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// Active whenever no picker, prompt or overlay is open, whichever pane has focus.
    Global,
    /// The article list has focus.
    List,
    /// The reading pane has focus.
    Reader,
    /// A region or theme picker is open.
    Picker,
    /// The search prompt is open.
    Search,
    /// The one-line note editor is open.
    Note,
    /// The help overlay is open.
    Help,
    /// A decision for many articles asks what to do with those that hold another one.
    Conflict,
    /// The list of saved searches is open.
    SavedSearches,
}

impl Context {
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::List,
        Context::Reader,
        Context::Picker,
        Context::Search,
        Context::Note,
        Context::Help,
        Context::Conflict,
        Context::SavedSearches,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Reader => "reader",
            Context::Picker => "picker",
            Context::Search => "search",
            Context::Note => "note",
            Context::Help => "help",
            Context::Conflict => "conflict",
            Context::SavedSearches => "saved_searches",
        }
    }
}
