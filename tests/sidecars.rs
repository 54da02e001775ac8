//! The sidecar a keystroke writes is the sidecar `triage label` writes.

mod common;

use std::fs;
use std::path::Path;

use common::{SEED, Screen};
use triage::cli::{Setup, label, label_edits};
use triage::labels::Taxonomy;

#[test]
fn label_command_writes_byte_for_byte_what_the_tui_writes() {
    let now: toml::value::Datetime = "2026-11-24T20:01:02Z".parse().expect("a datetime");

    // The TUI: select the seed (first in the list), accept, 4, Enter.
    let mut screen = Screen::new(120, 40);
    screen.keys(&["a", "4", "Enter"]);
    let tui_bytes = fs::read(
        screen
            .dir
            .path()
            .join("inbox")
            .join(format!("{SEED}.alice.toml")),
    )
    .expect("the TUI wrote a sidecar");

    // The command line, on a fresh copy of the same inbox with the same clock.
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let taxonomy = Taxonomy::load(&inbox.join("labels.toml")).expect("labels load");
    let edits = label_edits(
        &taxonomy,
        &["mena".into(), "russia-fsu".into()],
        &["war-conflict".into()],
        &Some("unreliable".into()),
        &Some("done".into()),
        &None,
    )
    .expect("valid edits");
    let setup = Setup {
        inbox: inbox.clone(),
        reviewer: "alice".into(),
        taxonomy,
        labels_source: "labels.toml".into(),
        keymap_choice: "default".into(),
        sources: Default::default(),
    };
    let written = label(&setup, Path::new(SEED), &edits, Some(now)).expect("label writes");
    let cli_bytes = fs::read(&written).expect("the command wrote a sidecar");

    assert_eq!(
        String::from_utf8_lossy(&tui_bytes),
        String::from_utf8_lossy(&cli_bytes)
    );
    let text = String::from_utf8_lossy(&cli_bytes);
    assert!(text.contains("status = \"done\""), "{text}");
    assert!(
        text.contains("region = [\"mena\", \"russia-fsu\"]"),
        "{text}"
    );
    assert!(text.contains("decided_at = 2026-11-24T20:01:02Z"), "{text}");
}
