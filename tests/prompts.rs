//! The prompts as line editors, end to end: the built binary in tmux, typed at with
//! readline's keys (`send-keys` names them as a terminal sends them), read back
//! from the screen, the terminal cursor and the files written.

mod common;

use std::time::{Duration, Instant};

use common::{SEED, Tmux};

/// Waits until the prompt line starts with `start` (after the leading space).
fn wait_for_prompt(tmux: &Tmux, start: &str) -> String {
    let screen = tmux.wait_for_screen(&format!("the prompt `{start}`"), |s| {
        common::status_line(s).trim_start().starts_with(start)
    });
    common::status_line(&screen)
}

/// The terminal cursor's column, once it is at `x` (the program draws it).
fn wait_for_cursor(tmux: &Tmux, x: usize) {
    let start = Instant::now();
    loop {
        let out = tmux.cmd(&["display-message", "-p", "-t", "main", "#{cursor_x}"]);
        let now = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if now == x.to_string() {
            return;
        }
        assert!(
            start.elapsed() < common::TMUX_LIMIT,
            "the cursor stayed at column {now}, not {x}:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// Types one key and waits for the prompt to show `then`, so that no two keys run
/// together (an Escape followed at once by a letter reads as Alt).
fn key(tmux: &Tmux, key: &str, then: &str) {
    tmux.keys(&[key]);
    wait_for_prompt(tmux, then);
}

#[test]
fn the_search_prompt_edits_like_readline_and_shows_the_cursor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("prompt-edit");
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));

    tmux.keys(&["/"]);
    wait_for_prompt(&tmux, "/ ");
    tmux.keys(&["russia syria"]);
    wait_for_prompt(&tmux, "/ russia syria");
    // " / " is three columns: the cursor is after the twelve typed characters.
    wait_for_cursor(&tmux, 15);
    key(&tmux, "M-b", "/ russia syria");
    wait_for_cursor(&tmux, 10);
    key(&tmux, "C-w", "/ syria");
    wait_for_cursor(&tmux, 3);
    key(&tmux, "End", "/ syria");
    wait_for_cursor(&tmux, 8);
    key(&tmux, "Left", "/ syria");
    key(&tmux, "Left", "/ syria");
    wait_for_cursor(&tmux, 6);
    key(&tmux, "BSpace", "/ syia");
    key(&tmux, "r", "/ syria");
    key(&tmux, "C-a", "/ syria");
    wait_for_cursor(&tmux, 3);
    key(&tmux, "DC", "/ yria");
    key(&tmux, "s", "/ syria");
    key(&tmux, "M-f", "/ syria");
    wait_for_cursor(&tmux, 8);
    key(&tmux, "Home", "/ syria");
    key(&tmux, "Right", "/ syria");
    wait_for_cursor(&tmux, 4);
    key(&tmux, "C-e", "/ syria");
    wait_for_cursor(&tmux, 8);
    let screen = tmux.wait_for_screen("the search for syria", |s| s.contains("match “syria”"));
    assert!(screen.contains("Russia Backs Syria"), "{screen}");
    key(&tmux, "C-u", "/ ");
    let screen = tmux.wait_for_screen("the whole inbox again", |s| s.contains("15 matches"));
    assert!(!screen.contains("match “"), "{screen}");

    // A malformed query says why beside the prompt and Enter does not keep it.
    tmux.keys(&["is:maybe"]);
    let line = wait_for_prompt(&tmux, "/ is:maybe");
    let line = if line.contains("takes") {
        line
    } else {
        common::status_line(
            &tmux.wait_for_screen("the reason", |s| common::status_line(s).contains("takes")),
        )
    };
    assert!(
        line.contains("is: takes todo, done, skipped, flagged, copy or mine, not `maybe`"),
        "{line}"
    );
    tmux.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        common::status_line(&tmux.screen()).contains("/ is:maybe"),
        "{}",
        tmux.screen()
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for_screen("the prompt closed", |s| {
        common::status_line(s).contains("alice ·")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn up_recalls_earlier_searches_and_they_outlive_the_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("prompt-history");
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));
    for query in ["syria", "is:todo lithium"] {
        tmux.keys(&["/"]);
        wait_for_prompt(&tmux, "/ ");
        tmux.keys(&["C-u"]);
        tmux.keys(&[query]);
        wait_for_prompt(&tmux, &format!("/ {query}"));
        tmux.keys(&["Enter"]);
        tmux.wait_for_screen("the prompt closed", |s| {
            common::status_line(s).contains("alice ·")
        });
    }
    tmux.keys(&["/"]);
    wait_for_prompt(&tmux, "/ is:todo lithium");
    key(&tmux, "C-u", "/ ");
    key(&tmux, "Up", "/ is:todo lithium");
    key(&tmux, "Up", "/ syria");
    tmux.wait_for_screen("the recalled search ran", |s| s.contains("match “syria”"));
    key(&tmux, "Down", "/ is:todo lithium");
    tmux.keys(&["Down"]);
    tmux.wait_for_screen("what was typed (nothing)", |s| {
        common::status_line(s).trim_start().starts_with("/ ") && s.contains("15 matches")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for_screen("the prompt closed", |s| {
        common::status_line(s).contains("alice ·")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();

    // Kept outside the inbox, in the state folder, newest last.
    let file = tmux.state_home().join("triage").join("search_history");
    let saved = std::fs::read_to_string(&file).expect("the history was saved");
    assert_eq!(saved, "syria\nis:todo lithium\n");
    assert!(
        common::files_under(&inbox)
            .iter()
            .all(|p| !common::name_of(p).contains("history")),
        "nothing is written into the inbox"
    );

    // A new run starts with the same history.
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));
    tmux.keys(&["/"]);
    wait_for_prompt(&tmux, "/ ");
    key(&tmux, "Up", "/ is:todo lithium");
    tmux.keys(&["Escape"]);
    tmux.wait_for_screen("the prompt closed", |s| {
        common::status_line(s).contains("alice ·")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn the_note_editor_and_the_picker_filter_edit_the_same_way() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let sidecar = inbox.join(format!("{SEED}.alice.toml"));
    let tmux = Tmux::new("prompt-note");
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));

    tmux.keys(&["c"]);
    wait_for_prompt(&tmux, "Note: ");
    tmux.keys(&["reprint of TASS"]);
    wait_for_prompt(&tmux, "Note: reprint of TASS");
    key(&tmux, "C-a", "Note: reprint of TASS");
    wait_for_cursor(&tmux, 7);
    tmux.keys(&["RT "]);
    wait_for_prompt(&tmux, "Note: RT reprint of TASS");
    key(&tmux, "M-f", "Note: RT reprint of TASS");
    key(&tmux, "C-k", "Note: RT reprint");
    tmux.keys(&["Enter"]);
    common::wait_for_file(&sidecar, |t| t.contains("note = \"RT reprint\""));

    // The theme picker's filter: type, go home, fix the first letter, Enter.
    tmux.keys(&["t"]);
    tmux.wait_for_screen("the theme picker", |s| s.contains("Theme"));
    tmux.keys(&["/"]);
    tmux.wait_for_screen("the filter", |s| s.contains("│/ "));
    tmux.keys(&["xnergy"]);
    tmux.wait_for_screen("the typed filter", |s| s.contains("/ xnergy"));
    tmux.keys(&["Home"]);
    tmux.keys(&["DC"]);
    tmux.keys(&["e"]);
    tmux.wait_for_screen("the fixed filter", |s| s.contains("/ energy"));
    tmux.keys(&["Enter"]);
    common::wait_for_file(&sidecar, |t| t.contains("energy"));
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}
