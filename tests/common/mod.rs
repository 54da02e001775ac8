//! Shared by the integration tests: a private copy of the sample inbox.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use triage::app::AppState;
use triage::input::Keymap;
use triage::labels::Taxonomy;
use triage::store::Inbox;
use triage::tui::Session;

/// The sample inbox shipped in the repository.
pub fn sample_inbox() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox")
}

/// Copies the sample inbox (articles and labels.toml, no sidecars) into `dest`, so
/// tests write their sidecars into a throwaway folder and never into the repository.
pub fn copy_inbox(dest: &Path) -> PathBuf {
    let target = dest.join("inbox");
    copy_dir(&sample_inbox(), &target);
    target
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the copy's folder");
    for entry in fs::read_dir(from).expect("read the sample inbox") {
        let entry = entry.expect("read a folder entry");
        let path = entry.path();
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with('.') || (name_str.ends_with(".toml") && name_str != "labels.toml") {
            continue; // sidecars and lock files a developer's own run may have left
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            fs::copy(&path, to.join(&name)).expect("copy an article");
        }
    }
}

/// The seed article's file name.
pub const SEED: &str = "000_466bdefa64880cc0.txt";

/// The program on a fixed-size test terminal over a private copy of the sample inbox.
pub struct Screen {
    pub dir: tempfile::TempDir,
    pub session: Session,
    pub terminal: Terminal<TestBackend>,
}

impl Screen {
    pub fn new(width: u16, height: u16) -> Screen {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = copy_inbox(dir.path());
        let taxonomy = Taxonomy::load(&inbox.join("labels.toml")).expect("labels load");
        let keymap = Keymap::load("default", None, &taxonomy).expect("keymap loads");
        let loaded = Inbox::load(&inbox, "alice").expect("inbox loads");
        let state = AppState::new("alice".into(), taxonomy, loaded.entries);
        let mut session = Session::new(state, keymap, false);
        session.fix_clock("2026-11-24T20:01:02Z".parse().expect("a datetime"));
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        let mut screen = Screen {
            dir,
            session,
            terminal,
        };
        screen.event(Event::Resize(width, height));
        screen
    }

    pub fn event(&mut self, event: Event) {
        self.session.handle(event);
        self.session.draw(&mut self.terminal).expect("draw");
    }

    /// Types keys the way `tmux send-keys` names them: single characters, or
    /// `Enter`, `Esc`, `Tab`, `Down`, `Up`.
    pub fn keys(&mut self, keys: &[&str]) -> &mut Self {
        for k in keys {
            let code = match *k {
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Tab" => KeyCode::Tab,
                "Down" => KeyCode::Down,
                "Up" => KeyCode::Up,
                other => KeyCode::Char(other.chars().next().expect("a key")),
            };
            let mods = match code {
                KeyCode::Char(c) if c.is_uppercase() => KeyModifiers::SHIFT,
                _ => KeyModifiers::NONE,
            };
            self.event(Event::Key(KeyEvent::new(code, mods)));
        }
        self
    }

    pub fn text(&self) -> String {
        let buffer = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            for x in 0..buffer.area.width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
