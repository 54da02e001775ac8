//! A very long note (pasted, or left by a script) in the reviewer's sidecar: the
//! reader shows its start and says it goes on, the note editor shows its end where the
//! cursor is, typing edits it in place, and opening the editor on a note never
//! changes it unless the reviewer types. Speed itself is measured in
//! `benches/note.rs`; these tests check the behaviour that keeps it fast.

mod common;

use std::fs;
use std::path::Path;

use common::{SEED, Screen};
use triage::app::Mode;

/// A note of about `bytes` bytes: numbered words, so that any part of it can be
/// recognised, ending in `THE-END`.
fn long_note(bytes: usize) -> String {
    let mut note = String::from("THE-START ");
    let mut i = 0;
    while note.len() < bytes {
        note.push_str(&format!("word{i} "));
        i += 1;
    }
    note.push_str("THE-END");
    note
}

/// Writes alice's sidecar on the seed article with `note` (and status done).
fn with_note(note: &str) -> impl FnOnce(&Path) + '_ {
    move |inbox: &Path| {
        let mut t = toml::Table::new();
        t.insert("schema".into(), toml::Value::Integer(1));
        t.insert("status".into(), toml::Value::String("done".into()));
        t.insert("note".into(), toml::Value::String(note.to_string()));
        fs::write(
            inbox.join(format!("{SEED}.alice.toml")),
            toml::to_string(&t).expect("render"),
        )
        .expect("write the sidecar");
    }
}

fn sidecar(screen: &Screen) -> Vec<u8> {
    fs::read(
        screen
            .dir
            .path()
            .join("inbox")
            .join(format!("{SEED}.alice.toml")),
    )
    .expect("read the sidecar")
}

#[test]
fn the_reader_shows_the_start_of_a_long_note_and_says_it_goes_on() {
    let note = long_note(1_000_000);
    // Tall enough for the whole part shown.
    let screen = Screen::prepared(200, 120, with_note(&note));
    let text = screen.text();
    assert!(text.contains("THE-START"), "{text}");
    assert!(text.contains("goes on, 1.0 MB in all"), "{text}");
    assert!(!text.contains("THE-END"), "{text}");
}

#[test]
fn the_note_editor_shows_the_end_of_a_long_note_where_the_cursor_is() {
    let note = long_note(1_000_000);
    let mut screen = Screen::prepared(120, 40, with_note(&note));
    screen.keys(&["c"]);
    let text = screen.text();
    let status = text.lines().last().unwrap_or_default().to_string();
    assert!(status.contains("Note: …"), "{status}");
    assert!(status.contains("THE-END "), "{status}");
    screen.keys(&["!", "?"]);
    let text = screen.text();
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains("THE-END!? "), "{status}");
}

#[test]
fn typing_in_the_note_editor_edits_the_note_in_place() {
    let note = long_note(100_000);
    let mut screen = Screen::prepared(120, 40, with_note(&note));
    screen.keys(&["c"]);
    assert!(
        matches!(screen.session.state.mode, Mode::Note(_)),
        "the note editor is open"
    );
    // The first key may grow the buffer (the note was read into one of its exact
    // size); after that, each key must edit that same buffer, neither copying the
    // note nor rebuilding it.
    screen.keys(&["x"]);
    let Mode::Note(edit) = &screen.session.state.mode else {
        panic!("the note editor is still open");
    };
    let before = edit.text().as_ptr();
    for (key, end) in [("y", "THE-ENDxy"), ("z", "THE-ENDxyz")] {
        screen.keys(&[key]);
        let Mode::Note(edit) = &screen.session.state.mode else {
            panic!("the note editor is still open");
        };
        assert!(edit.text().ends_with(end));
        assert_eq!(edit.text().as_ptr(), before, "after {key}");
    }
}

#[test]
fn opening_and_closing_the_note_editor_unchanged_writes_nothing() {
    let note = format!("kept \x1b]0;PAYLOAD\x07as it is  {}", long_note(10_000));
    let mut screen = Screen::prepared(120, 40, with_note(&note));
    let before = sidecar(&screen);
    screen.keys(&["c", "Enter"]);
    assert_eq!(sidecar(&screen), before, "Enter without typing");
    screen.keys(&["c", "Esc"]);
    assert_eq!(sidecar(&screen), before, "Esc");
}

#[test]
fn the_note_editor_shows_and_saves_a_note_without_its_escape_sequences() {
    let note = "first \x1b]0;PAYLOAD\x07second";
    let mut screen = Screen::prepared(120, 40, with_note(note));
    screen.keys(&["c"]);
    let text = screen.text();
    assert!(text.contains("Note: first second "), "{text}");
    assert!(!text.contains("PAYLOAD"), "{text}");
    screen.keys(&["!", "Enter"]);
    let saved = String::from_utf8_lossy(&sidecar(&screen)).into_owned();
    assert!(saved.contains("note = \"first second!\""), "{saved}");
}

#[test]
fn control_characters_typed_into_a_prompt_are_not_kept() {
    let mut screen = Screen::prepared(120, 40, with_note("short"));
    screen.keys(&["c"]);
    for c in ['\u{1b}', '\u{9b}', '\u{7}', 'a'] {
        screen.session.apply(triage::app::Action::Input(c));
    }
    let Mode::Note(edit) = &screen.session.state.mode else {
        panic!("the note editor is open");
    };
    assert_eq!(edit.text(), "shorta");
}
