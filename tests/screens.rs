//! Screen snapshots of the sample inbox, driven by key events through the real
//! key → action → update → write → draw path (`runtime::Session`), drawn into a
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
    let mut screen = Screen::new(120, 42);
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

/// The rows drawn reversed inside the picker (52 columns in the middle), as text:
/// the highlight.
fn highlighted_rows(screen: &Screen) -> Vec<String> {
    use ratatui::style::Modifier;
    let buffer = screen.terminal.backend().buffer();
    let left = (buffer.area.width - 52) / 2;
    let mut rows = Vec::new();
    for y in 0..buffer.area.height {
        let reversed: String = (left..left + 52)
            .filter(|&x| buffer[(x, y)].modifier.contains(Modifier::REVERSED))
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        if !reversed.trim().is_empty() {
            rows.push(reversed.trim().to_string());
        }
    }
    rows
}

#[test]
fn a_malformed_query_says_why_beside_the_prompt_at_80x24() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["/", "i", "s", ":", "m", "a", "y", "b", "e"]);
    let text = screen.text();
    let bottom = text.lines().nth(23).unwrap_or_default();
    assert!(
        bottom.contains("is: takes todo, done, skipped, flagged, copy or mine, not `maybe`"),
        "{text}"
    );
    assert!(
        !bottom.contains("matches"),
        "no count for a query that is not one:\n{text}"
    );
    assert!(text.contains("the search has an error"), "{text}");
    insta::assert_snapshot!(text);
    // Enter does not keep it; fixing it does.
    screen.keys(&["Enter", "C-w", "i", "s", ":", "t", "o", "d", "o"]);
    let text = screen.text();
    assert!(text.contains("matches “is:todo”"), "{text}");
    assert!(text.contains("15 matches"), "{text}");
}

#[test]
fn an_unknown_filter_leaves_no_stale_title_at_120x40() {
    let mut screen = Screen::new(120, 40);
    screen.keys(&["/", "f", "o", "o", ":", "b", "a", "r"]);
    let text = screen.text();
    assert!(text.contains("unknown filter `foo:`"), "{text}");
    assert!(
        !text.contains("match “foo"),
        "the title still claims the old query:\n{text}"
    );
}

#[test]
fn the_search_prompt_shows_the_terminal_cursor_where_typing_goes() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["/", "o", "i", "l"]);
    assert!(screen.terminal.backend().cursor_visible());
    // " / " then "oil": the cursor after the l.
    assert_eq!(screen.terminal.backend().cursor_position(), (6, 23).into());
    screen.keys(&["Left", "Left", "Home"]);
    assert_eq!(screen.terminal.backend().cursor_position(), (3, 23).into());
    screen.keys(&["s", " ", "End"]);
    assert!(screen.text().contains(" / s oil"), "{}", screen.text());
    assert_eq!(screen.terminal.backend().cursor_position(), (8, 23).into());
    // Closed, the cursor is hidden again.
    screen.keys(&["Esc"]);
    assert!(!screen.terminal.backend().cursor_visible());
}

#[test]
fn the_theme_picker_scrolls_to_keep_the_highlight_in_view_at_100x14() {
    let mut screen = Screen::new(100, 14);
    screen.keys(&["t"]);
    let text = screen.text();
    assert!(text.contains("↓ 3 more"), "{text}");
    assert!(!text.contains("Technology"), "{text}");
    for _ in 0..13 {
        screen.keys(&["Down"]);
        let rows = highlighted_rows(&screen);
        assert_eq!(
            rows.len(),
            1,
            "one highlighted row on screen:\n{}",
            screen.text()
        );
    }
    let text = screen.text();
    assert!(
        highlighted_rows(&screen)[0].contains("Technology"),
        "{:?}\n{text}",
        highlighted_rows(&screen)
    );
    assert!(text.contains("↑ 3 more"), "{text}");
    assert!(!text.contains("War & conflict"), "{text}");
    insta::assert_snapshot!(text);
    // Space toggles the label the reviewer sees highlighted.
    screen.keys(&["Space"]);
    assert!(
        screen.text().contains("k [x]  Technology"),
        "{}",
        screen.text()
    );
    // Back up: the window stays until the highlight reaches its top.
    screen.keys(&["Up"]);
    assert!(screen.text().contains("↑ 3 more"), "{}", screen.text());
}

#[test]
fn the_stats_overlay_scrolls_at_80x24() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["S"]);
    let text = screen.text();
    assert!(
        text.contains("j/k scroll"),
        "the title names the keys:\n{text}"
    );
    assert!(text.contains("more"), "{text}");
    assert!(!text.contains("median / decision"), "{text}");
    for _ in 0..40 {
        screen.keys(&["j"]);
    }
    let text = screen.text();
    assert!(text.contains("median / decision"), "{text}");
    assert!(!text.contains("↓"), "at the end nothing is below:\n{text}");
    insta::assert_snapshot!(text);
    // The scroll stopped at the end: one key up shows the line above again.
    screen.keys(&["k"]);
    assert!(screen.text().contains("↓ 1 more"), "{}", screen.text());
}
