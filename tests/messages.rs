//! Messages read well on screen: counts in words (`1 match`, `2 matches`), a broken
//! sidecar's whole reason, and searches for what the tool suggested. The built binary
//! in tmux, driven as a reviewer drives it.

mod common;

use std::fs;

use common::{SEED, Tmux};
use triage::store::sidecar_path;

/// The screen's text without the panes' borders, each row trimmed, joined by spaces:
/// a wrapped sentence reads as one.
fn flowing(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || "│┃║".contains(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Escape, then wait until the search is gone: a key sent straight after an Escape
/// would reach the program as Alt and that key.
fn clear_search(tmux: &Tmux) {
    tmux.keys(&["Escape"]);
    tmux.wait_for_screen("the search cleared", |s| {
        !s.contains(" match “") && !s.contains(" matches “")
    });
}

#[test]
fn search_counts_say_1_match_and_2_matches() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("counts");
    tmux.start(&inbox);
    tmux.wait_for_screen("the list", |s| {
        s.contains("Inbox") && !s.contains("loading")
    });

    tmux.keys(&["/", "rail"]);
    let screen = tmux.wait_for_screen("one match", |s| s.contains("1 match “rail”"));
    assert!(
        screen.contains("  1 match "),
        "the prompt counts too:\n{screen}"
    );
    assert!(!screen.contains("1 matches"), "{screen}");

    clear_search(&tmux);
    tmux.keys(&["/", "gas"]);
    let screen = tmux.wait_for_screen("two matches", |s| s.contains("2 matches “gas”"));
    assert!(
        screen.contains("  2 matches "),
        "the prompt counts too:\n{screen}"
    );
    assert!(!screen.contains("found"), "{screen}");
}

#[test]
fn an_unreadable_sidecars_reason_is_shown_whole_at_80_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    fs::write(
        sidecar_path(&inbox.join(SEED), "alice"),
        "status = \"done\"\nregion = [\"mena\"\n",
    )
    .expect("write a broken sidecar");
    let tmux = Tmux::new("broken-reason");
    let bin = env!("CARGO_BIN_EXE_triage");
    tmux.start_shell(
        80,
        24,
        &format!(
            "exec '{bin}' --inbox '{}' --reviewer alice",
            inbox.display()
        ),
    );
    tmux.wait_for_screen("the list", |s| {
        s.contains("Inbox") && !s.contains("loading")
    });
    tmux.keys(&["Tab"]);
    // The reason names the file and line and ends with what happens to it: all of
    // it is on screen, wrapped, however long the inbox's path. (Waited for whole: a
    // capture taken while the frame is still being written shows only part of it.)
    tmux.wait_for_screen("the whole reason", |s| {
        let text = flowing(s);
        text.contains("unreadable, kept as it is:")
            && text.contains("overwritten")
            && text.contains("unclosed array")
    });
}

#[test]
fn sug_and_a_bare_label_find_what_was_suggested_on_screen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("sug");
    tmux.start(&inbox);
    tmux.wait_for_screen("the list", |s| {
        s.contains("Inbox") && !s.contains("loading")
    });

    // Two articles tag themselves Middle East; nobody has labeled anything yet.
    tmux.keys(&["/", "sug:mena", "Enter"]);
    let screen = tmux.wait_for_screen("the suggested ones", |s| s.contains("2 matches “sug:mena”"));
    assert!(screen.contains("Russia Backs Syria"), "{screen}");
    assert!(screen.contains("Desalination Boom"), "{screen}");
    clear_search(&tmux);
    tmux.keys(&["/", "region:mena", "Enter"]);
    tmux.wait_for_screen("no labels of mine yet", |s| {
        s.contains("0 matches “region:mena”")
    });
    clear_search(&tmux);
    tmux.keys(&["/", "middle east", "Enter"]);
    tmux.wait_for_screen("the name finds them too", |s| {
        s.contains("2 matches “middle east”")
    });
}
