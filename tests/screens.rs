//! Screen snapshots of the sample inbox, driven by key events through the real
//! key → action → update → write → draw path (`tui::Session`), drawn into a
//! fixed-size `TestBackend`.

mod common;

use common::Screen;

#[test]
fn sample_inbox_at_80x24_shows_the_list() {
    let screen = Screen::new(80, 24);
    insta::assert_snapshot!(screen.text());
}

#[test]
fn sample_inbox_at_80x24_tab_shows_the_reader() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["Tab"]);
    insta::assert_snapshot!(screen.text());
}

#[test]
fn sample_inbox_at_120x40_shows_list_and_reader() {
    let screen = Screen::new(120, 40);
    insta::assert_snapshot!(screen.text());
}

#[test]
fn labeling_the_seed_shows_labels_and_moves_on_at_120x40() {
    let mut screen = Screen::new(120, 40);
    screen.keys(&["a", "4", "Enter", "k"]);
    let text = screen.text();
    assert!(
        text.contains("region mena, russia-fsu · theme war-conflict"),
        "{text}"
    );
    assert!(text.contains("reliability unreliable · done"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn region_picker_at_120x40() {
    let mut screen = Screen::new(120, 40);
    screen.keys(&["r", "M"]);
    insta::assert_snapshot!(screen.text());
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut screen = Screen::new(120, 40);
    screen.keys(&["?"]);
    let text = screen.text();
    for expected in ["Next article", "Region", "Undo", "Unreliable"] {
        assert!(
            text.to_lowercase().contains(&expected.to_lowercase()),
            "help lacks {expected}:\n{text}"
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn shrinking_the_terminal_to_one_cell_never_panics() {
    let mut screen = Screen::new(120, 40);
    let sizes = [
        (1, 1),
        (2, 1),
        (1, 2),
        (3, 3),
        (10, 2),
        (80, 1),
        (1, 40),
        (5, 5),
    ];
    // Every mode at every size: list, reader, picker, search, note, help.
    let modes: [&[&str]; 8] = [
        &[],
        &["Tab"],
        &["r"],
        &["/", "s"],
        &["c"],
        &["?"],
        &["S"],
        &["R"],
    ];
    for (w, h) in sizes {
        for keys in modes {
            screen.terminal.backend_mut().resize(w, h);
            screen.event(crossterm::event::Event::Resize(w, h));
            screen.keys(keys);
            screen.keys(&["j", "G", "Esc"]);
        }
    }
    screen.terminal.backend_mut().resize(120, 40);
    screen.event(crossterm::event::Event::Resize(120, 40));
    assert!(screen.text().contains("Inbox"), "{}", screen.text());
}
