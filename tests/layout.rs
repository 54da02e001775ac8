//! The screen's layout as a reviewer meets it, at 80×24 and 120×40, without colour
//! (`NO_COLOR`: these screens are drawn with colour off, so what they show is all a
//! reviewer without colour gets). Driven by key events through the real key →
//! action → update → write → draw path (`runtime::Session`), drawn into a `TestBackend`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{SEED, Screen};
use triage::input::Keymap;
use triage::labels::Axis;
use triage::store::{Edit, Status, WriteContext, write_edits};

/// Types `text` into whatever prompt is open, one key at a time.
fn type_text(screen: &mut Screen, text: &str) {
    for c in text.chars() {
        screen.keys(&[&c.to_string()]);
    }
}

/// Searches for `query`, waits for the ranking and keeps it as the filter.
fn search(screen: &mut Screen, query: &str) {
    screen.keys(&["/"]);
    type_text(screen, query);
    screen.session.settle(Duration::from_secs(20));
    screen.keys(&["Enter"]);
}

/// The list row of the article whose title starts with `title` (after its mark),
/// without the list's borders and anything right of them.
fn list_row(text: &str, title: &str) -> String {
    text.lines()
        .find_map(|l| {
            let inside = l.split('┃').nth(1)?;
            let mut chars = inside.chars();
            chars.next()?;
            chars
                .as_str()
                .strip_prefix(' ')?
                .starts_with(title)
                .then(|| inside.to_string())
        })
        .unwrap_or_else(|| panic!("no row for {title}:\n{text}"))
}

/// The screen's rows that hold `needle`.
fn rows_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

/// Labels the first article with many regions and themes and a reliability, the
/// second with one of each: the rows a long label list used to break.
fn label_two_articles(screen: &mut Screen) {
    // Region picker: capitals toggle and keep it open.
    screen.keys(&["r", "M", "R", "E", "G", "Enter"]);
    screen.keys(&["t", "W", "E", "Enter", "4", "Enter"]);
    screen.keys(&["r", "e", "2", "Enter"]);
    screen.keys(&["g"]);
}

#[test]
fn labeled_rows_keep_source_date_and_reliability_at_80x24() {
    let mut screen = Screen::new(80, 24);
    label_two_articles(&mut screen);
    let text = screen.text();
    // Every row keeps its source and date, labeled or not.
    let seed = list_row(&text, "Russia Backs");
    assert!(seed.contains("RT") && seed.contains("2015-09-12"), "{text}");
    let central = list_row(&text, "Central banks");
    assert!(
        central.contains("Meridian Wire") && central.contains("2025-03-04"),
        "{text}"
    );
    let lithium = list_row(&text, "Lithium");
    assert!(lithium.contains("2025-02-27"), "{text}");
    // The reliability key is the last thing on a labeled row, never pushed out.
    assert!(seed.trim_end().ends_with('4'), "{seed}");
    assert!(central.trim_end().ends_with('2'), "{central}");
    // A long label list is abbreviated, not cut into the columns after it.
    assert!(seed.contains("mena+") || seed.contains("mena,"), "{seed}");
    // An unlabeled title uses the width the labels leave: well past 33 characters.
    assert!(
        lithium.contains("Lithium's Salt Flats: Who Pays for the Energy"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn labeled_rows_keep_source_date_and_reliability_at_120x40() {
    let mut screen = Screen::new(120, 40);
    label_two_articles(&mut screen);
    let text = screen.text();
    let seed = list_row(&text, "Russia Backs");
    assert!(seed.contains("RT") && seed.contains("2015-09-12"), "{text}");
    assert!(seed.trim_end().ends_with('4'), "{seed}");
    let central = list_row(&text, "Central banks");
    assert!(central.contains("2025-03-04"), "{text}");
    assert!(central.trim_end().ends_with('2'), "{central}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_reader_keeps_its_head_while_the_story_scrolls_at_80x24() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["a", "4", "Tab"]);
    let top = screen.text();
    assert!(top.contains("Moscow is set to continue"), "{top}");
    screen.keys(&["J"]);
    let text = screen.text();
    assert!(
        !text.contains("Moscow is set to continue"),
        "the story scrolled: {text}"
    );
    for head in [
        "RT · Global Research · 2015-09-12",
        "Suggested: region mena",
        "Labels:    region mena, russia-fsu · theme war-conflict",
    ] {
        assert!(text.contains(head), "{head} scrolled away:\n{text}");
    }
    // Which article of how many, and how far down the story the pane is.
    let bottom = text.lines().nth(22).unwrap_or("");
    assert!(bottom.contains(" 1/15 "), "{bottom}");
    assert!(bottom.contains('%'), "{bottom}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_reader_shows_the_position_at_80_columns() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["j", "j", "Tab"]);
    let text = screen.text();
    assert!(
        text.lines().nth(22).unwrap_or("").contains(" 3/15 "),
        "{text}"
    );
}

#[test]
fn n_and_n_say_which_match_at_120x40() {
    let mut screen = Screen::new(120, 40);
    search(&mut screen, "military");
    let text = screen.text();
    assert!(text.contains(" 5 matches · "), "{text}");
    screen.keys(&["n"]);
    let text = screen.text();
    assert!(text.contains(" match 1/5 · "), "{text}");
    let status = text.lines().nth(39).unwrap_or("");
    assert!(
        status.contains("match 1/5"),
        "the status line says so too: {status}"
    );
    screen.keys(&["n", "n", "n", "n"]);
    let text = screen.text();
    assert!(text.contains(" match 5/5 · "), "{text}");
    screen.keys(&["N"]);
    assert!(screen.text().contains(" match 4/5 "), "{}", screen.text());
    insta::assert_snapshot!(screen.text());
}

#[test]
fn the_list_title_counts_done_skipped_and_flagged() {
    let mut screen = Screen::new(80, 24);
    screen.keys(&["Enter", "Enter", "Enter", "x", "f"]);
    let text = screen.text();
    assert!(
        text.lines()
            .next()
            .unwrap_or("")
            .contains("Inbox  3/15 done · 1 skipped · 1 flagged"),
        "{text}"
    );
}

/// Bob labeled the seed, and the adjudicator (`final`) settled it.
fn bob_and_final_on_the_seed(inbox: &Path) {
    for (who, region) in [("bob", "europe"), ("final", "mena")] {
        let edits = [
            Edit::Add(Axis::Region, region.into()),
            Edit::SetStatus(Status::Done),
        ];
        write_edits(
            &inbox.join(SEED),
            who,
            &edits,
            &WriteContext::now(String::new()),
        )
        .expect("the sidecar is written");
    }
}

#[test]
fn final_is_settled_not_another_reviewer() {
    let mut screen = Screen::prepared(120, 40, bob_and_final_on_the_seed);
    let text = screen.text();
    assert!(
        text.contains("Others:    1 other reviewer (bob) · settled"),
        "{text}"
    );
    assert!(!text.contains("2 other reviewers"), "{text}");
    screen.keys(&["o"]);
    let text = screen.text();
    assert!(text.contains("bob: region europe"), "{text}");
    assert!(text.contains("settled: region mena"), "{text}");
    assert!(!text.contains("final:"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn an_empty_inbox_says_where_it_looked_and_for_what() {
    let mut screen = Screen::prepared(80, 24, |inbox| {
        for entry in std::fs::read_dir(inbox).expect("the copy") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).expect("remove a folder");
            } else if path.file_name().is_some_and(|n| n != "labels.toml") {
                std::fs::remove_file(&path).expect("remove an article");
            }
        }
    });
    // The path as the reviewer gave it; the real binary's is checked in tmux.
    screen.session.state.inbox = "news/inbox".into();
    screen.keys(&["j"]);
    let text = screen.text();
    assert!(text.contains("No articles in news/inbox."), "{text}");
    assert!(text.contains(".txt, .md and .html"), "{text}");
    let status = text.lines().nth(23).unwrap_or("");
    for labeling in ["region", "theme", "reliability", "accept", "done"] {
        assert!(!status.contains(labeling), "{status}");
    }
    assert!(
        status.contains("q quit") && status.contains("? help"),
        "{status}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn when_every_article_is_decided_the_screen_points_to_review_and_quit() {
    let mut screen = Screen::new(120, 40);
    for _ in 0..14 {
        screen.keys(&["Enter"]);
    }
    let before = screen.text();
    assert!(!before.contains("Every article has a decision"), "{before}");
    screen.keys(&["x"]);
    let text = screen.text();
    assert!(text.contains("14/15 done · 1 skipped"), "{text}");
    assert!(
        text.contains("Every article has a decision: R reviews where reviewers"),
        "{text}"
    );
    assert!(text.contains("disagree, q quits."), "{text}");
    // Once the message about the last decision gives way, the keys that lead on.
    screen.keys(&["g"]);
    let text = screen.text();
    let status = text.lines().nth(39).unwrap_or("");
    assert!(
        status.contains("R review") && status.contains("q quit"),
        "{status}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_body_match_shows_its_line_under_the_title_at_80x24() {
    let mut screen = Screen::new(80, 24);
    search(&mut screen, "water");
    let text = screen.text();
    let lines: Vec<&str> = text.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains("Lithium's Salt Flats"))
        .expect("a body match is listed");
    assert!(
        lines[row + 1].contains("↳") && lines[row + 1].contains("Water is the binding"),
        "{text}"
    );
    // A line whose match is far in is shown from just before it.
    let seed = lines
        .iter()
        .position(|l| l.contains("Russia Backs"))
        .expect("the seed is listed");
    assert!(lines[seed + 1].to_lowercase().contains("water"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_body_match_shows_its_line_under_the_title_at_120x40() {
    let mut screen = Screen::new(120, 40);
    search(&mut screen, "government");
    let text = screen.text();
    let lines: Vec<&str> = text.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains("Central banks"))
        .expect("a body match is listed");
    assert!(lines[row + 1].contains("↳"), "{text}");
    assert!(lines[row + 1].to_lowercase().contains("govern"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_focused_pane_shows_without_colour() {
    let mut screen = Screen::new(120, 40);
    let first = |s: &Screen| s.text().lines().next().unwrap_or("").to_string();
    let top = first(&screen);
    assert!(top.starts_with('┏'), "the list has focus: {top}");
    assert!(top.contains("┓┌"), "the reader has not: {top}");
    screen.keys(&["Tab"]);
    let top = first(&screen);
    assert!(top.starts_with('┌'), "{top}");
    assert!(top.contains("┐┏"), "the reader has focus: {top}");
}

#[test]
fn vim_help_keeps_keys_and_descriptions_in_columns() {
    let mut screen = Screen::new(80, 24);
    let taxonomy = screen.session.state.taxonomy.clone();
    screen.session.keymap = Keymap::load("vim", None, &taxonomy).expect("the vim keymap loads");
    screen.keys(&["?"]);
    let first = screen.text();
    // Scroll through the whole help a line at a time, collecting what it shows.
    let mut text = first.clone();
    for _ in 0..80 {
        screen.keys(&["j"]);
        text.push_str(&screen.text());
    }
    for glued in ["Ctrl-eLine", "Ctrl-yLine", "Ctrl-eScroll", "PageDownScroll"] {
        assert!(!text.contains(glued), "{glued}:\n{text}");
    }
    // Descriptions start in one column, after the widest key column.
    let column = |row: &str, desc: &str| row.find(desc).map(|b| row[..b].chars().count());
    let a = rows_with(&text, "Line down")
        .first()
        .and_then(|r| column(r, "Line down"));
    let b = rows_with(&text, "Next article")
        .first()
        .and_then(|r| column(r, "Next article"));
    assert!(a.is_some() && a == b, "{a:?} {b:?}\n{text}");
    insta::assert_snapshot!(first);
}

// The real binary in a real terminal (tmux, with `NO_COLOR=1`).

const BIN: &str = env!("CARGO_BIN_EXE_triage");

/// Starts the binary on `inbox` as alice in a `width`×`height` tmux window.
fn start(tmux: &common::Tmux, inbox: &Path, width: u16, height: u16) {
    tmux.start_shell(
        width,
        height,
        &format!(
            "exec '{BIN}' --inbox '{}' --reviewer alice",
            inbox.display()
        ),
    );
}

#[test]
fn the_binary_marks_the_focused_pane_without_colour() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = common::Tmux::new("layout-focus");
    start(&tmux, &inbox, 120, 40);
    let top = |s: &str| s.lines().next().unwrap_or("").to_string();
    // Thick (heavy) corners mark the focused pane, thin ones the other.
    tmux.wait_for_screen("the list focused", |s| {
        s.contains("0/15 done") && top(s).starts_with('┏') && top(s).contains("┓┌")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for_screen("the reader focused", |s| {
        top(s).starts_with('┌') && top(s).contains("┐┏")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn the_binary_keeps_the_readers_head_and_position_at_80x24() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = common::Tmux::new("layout-reader");
    start(&tmux, &inbox, 80, 24);
    tmux.wait_for_screen("the list", |s| {
        s.contains("0/15 done") && !s.contains("loading")
    });
    tmux.keys(&["j", "Tab"]);
    // Waits for whole frames: the bottom border is drawn last.
    tmux.wait_for_screen("the reader on article 2 of 15", |s| {
        s.contains("Labels:") && s.contains("┗ 2/15 ")
    });
    tmux.keys(&["J"]);
    let screen = tmux.wait_for_screen("the story scrolled", |s| {
        !s.contains("Three of the world's largest central banks") && s.contains("┗ 2/15 ")
    });
    assert!(
        screen.contains("Labels:") && screen.contains("Suggested:"),
        "{screen}"
    );
    assert!(screen.contains('%'), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn the_binary_on_an_empty_inbox_says_where_it_looked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("empty");
    std::fs::create_dir(&inbox).expect("an empty inbox");
    let tmux = common::Tmux::new("layout-empty");
    start(&tmux, &inbox, 120, 40);
    let screen = tmux.wait_for_screen("the empty inbox", |s| s.contains("No articles in"));
    // A temporary folder's path is short enough for one line of the pane.
    assert!(
        screen.contains(&format!("No articles in {}.", inbox.display())),
        "{screen}"
    );
    assert!(screen.contains(".txt, .md and .html"), "{screen}");
    let status = screen.lines().nth(39).unwrap_or("");
    assert!(
        !status.contains("region") && status.contains("q quit"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}
