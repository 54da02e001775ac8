//! End to end: the built `triage` binary in a real terminal (tmux), driven with
//! `send-keys` and read with `capture-pane`, the way a reviewer would use it.
//!
//! Waiting is done by polling the screen or the disk until a condition holds, with a
//! generous limit so a slow machine is not a failure; nothing here measures time.

mod common;

use std::path::PathBuf;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{SEED, Tmux};

const LIMIT: Duration = common::TMUX_LIMIT;

fn strings(value: &toml::Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn accept_reliability_done_reaches_disk_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox: PathBuf = common::copy_inbox(dir.path());
    let sidecar = inbox.join(format!("{SEED}.alice.toml"));
    let tmux = Tmux::new("label");

    tmux.start(&inbox);
    // The seed article is first in inbox order and selected at start.
    tmux.wait_for_screen("the seed article in the reader", |s| {
        s.contains("Russia Backs Syria") && s.contains("Suggested:") && s.contains("mena")
    });
    tmux.keys(&["a", "4", "Enter"]);

    let text = common::wait_for_file(&sidecar, |t| t.contains("status = \"done\""));
    let value: toml::Value = toml::from_str(&text).expect("the sidecar is valid TOML");
    assert_eq!(strings(&value, "region"), ["mena", "russia-fsu"]);
    assert_eq!(strings(&value, "theme"), ["war-conflict"]);
    assert_eq!(
        value.get("reliability").and_then(|v| v.as_str()),
        Some("unreliable")
    );
    assert_eq!(value.get("status").and_then(|v| v.as_str()), Some("done"));
    assert_eq!(
        value.get("reviewer").and_then(|v| v.as_str()),
        Some("alice")
    );
    assert_eq!(value.get("article").and_then(|v| v.as_str()), Some(SEED));

    // Done moved on: the list's title counts one done.
    tmux.wait_for_screen("1 done in the list title", |s| s.contains("1/"));
    tmux.keys(&["q"]);
    tmux.wait_for_exit();

    // Start again: it opens where the reviewer left off (done moved on to the next
    // article), and the decision is on screen on the first.
    tmux.start(&inbox);
    tmux.wait_for_screen("the article the reviewer left off at", |s| {
        common::reader_title(s).starts_with("Central banks hold rates")
    });
    tmux.keys(&["g"]);
    let screen = tmux.wait_for_screen("the earlier decision", |s| {
        s.contains("✓ Russia Backs Syria")
            && s.contains("region mena, russia-fsu · theme war-conflict")
            && s.contains("reliability unreliable · done")
    });
    assert!(screen.contains("1/"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn terminal_is_restored_after_quitting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("restore");
    // Run triage inside a shell so the pane survives it and shows what comes after.
    let bin = env!("CARGO_BIN_EXE_triage");
    tmux.start_shell(100, 30, "sh");
    let line = format!(
        "{bin} --inbox '{}' --reviewer alice; echo AFTER-TRIAGE",
        inbox.display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for_screen("the program", |s| s.contains("Inbox"));
    tmux.keys(&["q"]);
    let screen = tmux.wait_for_screen("the shell again", |s| s.contains("AFTER-TRIAGE"));
    // Back on the main screen: the list is gone and the shell's own lines show.
    assert!(!screen.contains("Inbox  "), "{screen}");
    // Raw mode is off: typed text echoes as the shell sees it.
    tmux.keys(&["echo restored-$((1+1))", "Enter"]);
    tmux.wait_for_screen("cooked-mode echo", |s| s.contains("restored-2"));
}

/// True when `word` appears in `styled` (capture-pane -e output) with underline on:
/// the last SGR sequence before it sets attribute 4 and nothing reset it since.
fn underlined(styled: &str, word: &str) -> bool {
    styled.match_indices(word).any(|(at, _)| {
        let before = &styled[..at];
        let Some(esc) = before.rfind("\x1b[") else {
            return false;
        };
        let Some(end) = before[esc..].find('m') else {
            return false;
        };
        let params = &before[esc + 2..esc + end];
        params.split(';').any(|p| p == "4")
    })
}

#[test]
fn search_narrows_the_list_and_highlights_the_body_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("search");
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));

    tmux.keys(&["/"]);
    tmux.keys(&["desalination brine"]);
    let screen = tmux.wait_for_screen("the list narrowed to one article", |s| {
        s.contains("1 match") && !s.contains("Russia Backs Syria's Fight")
    });
    assert!(screen.contains("Desalination Boom"), "{screen}");
    tmux.keys(&["Enter"]);

    // The one result is selected and open in the reader, its body match marked.
    let styled = tmux.wait_for_screen("the article open in the reader", |s| {
        s.contains("outfalls") || s.contains("brine")
    });
    assert!(styled.contains("Desalination"), "{styled}");
    let start = Instant::now();
    loop {
        let styled = tmux.screen_styled();
        if underlined(&styled, "brine") {
            break;
        }
        assert!(
            start.elapsed() < LIMIT,
            "brine was never highlighted:\n{styled}"
        );
        sleep(Duration::from_millis(50));
    }

    // Esc clears the kept filter: the whole inbox is back.
    tmux.keys(&["Escape"]);
    tmux.wait_for_screen("the whole inbox again", |s| {
        s.contains("Russia Backs Syria") && !s.contains("1 match")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn temporary_files_left_by_a_crash_are_removed_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let stale = [
        inbox.join(format!(".{SEED}.alice.toml.4242.0.tmp")),
        inbox.join("europe").join(".x.txt.bob.toml.17.3.tmp"),
    ];
    let unrelated = inbox.join(".notes.tmp");
    for path in stale.iter().chain([&unrelated]) {
        std::fs::write(path, "half a sidec").expect("write a leftover");
    }
    let tmux = Tmux::new("clean");
    tmux.start(&inbox);
    tmux.wait_for_screen("the list", |s| s.contains("Inbox"));
    let start = Instant::now();
    while stale.iter().any(|p| p.exists()) {
        assert!(start.elapsed() < LIMIT, "the leftovers were never removed");
        sleep(Duration::from_millis(50));
    }
    assert!(
        unrelated.exists(),
        "only the program's own temporary files go"
    );
}
