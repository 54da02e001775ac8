//! The sidecar a keystroke writes is the sidecar `triage label` writes.

mod common;

use std::fs;
use std::path::Path;

use common::{SEED, Screen};
use triage::cli::{ClearAxis, LabelChanges, Setup, label};
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
    let setup = setup(&inbox);
    let changes = LabelChanges {
        region: vec!["mena".into(), "russia-fsu".into()],
        theme: vec!["war-conflict".into()],
        reliability: Some("unreliable".into()),
        status: Some("done".into()),
        ..LabelChanges::default()
    };
    let written = label(&setup, Path::new(SEED), &changes, Some(now))
        .expect("label writes")
        .expect("a sidecar");
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

fn setup(inbox: &Path) -> Setup {
    Setup {
        inbox: inbox.to_path_buf(),
        reviewer: triage::domain::ReviewerName::parse("alice").expect("a valid name"),
        taxonomy: Taxonomy::load(&inbox.join("labels.toml")).expect("labels load"),
        labels_source: "labels.toml".into(),
        keymap_choice: "default".into(),
        sources: Default::default(),
        order: Default::default(),
        final_name: triage::domain::ReviewerName::parse("final").expect("a valid name"),
        use_index: false,
    }
}

#[test]
fn removing_and_clearing_from_the_command_line_writes_what_the_tui_writes() {
    let now: toml::value::Datetime = "2026-11-24T20:01:02Z".parse().expect("a datetime");

    // The TUI: label the seed and mark it done, come back to it, then take Middle
    // East off in the region picker, War & conflict off in the theme picker, and
    // press the chosen reliability again to clear it.
    let mut screen = Screen::new(120, 40);
    screen.keys(&["a", "4", "Enter", "Up", "r", "m", "t", "w", "4"]);
    let tui_bytes = fs::read(
        screen
            .dir
            .path()
            .join("inbox")
            .join(format!("{SEED}.alice.toml")),
    )
    .expect("the TUI wrote a sidecar");

    // The command line: the same decision, then one call that removes and clears.
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let setup = setup(&inbox);
    let first = LabelChanges {
        region: vec!["mena".into(), "russia-fsu".into()],
        theme: vec!["war-conflict".into()],
        reliability: Some("unreliable".into()),
        status: Some("done".into()),
        ..LabelChanges::default()
    };
    label(&setup, Path::new(SEED), &first, Some(now)).expect("label writes");
    let second = LabelChanges {
        remove_region: vec!["mena".into()],
        clear: vec![ClearAxis::Theme, ClearAxis::Reliability],
        ..LabelChanges::default()
    };
    let written = label(&setup, Path::new(SEED), &second, Some(now))
        .expect("label writes")
        .expect("a sidecar");
    let cli_bytes = fs::read(&written).expect("the command wrote a sidecar");

    let text = String::from_utf8_lossy(&cli_bytes);
    assert_eq!(String::from_utf8_lossy(&tui_bytes), text);
    assert!(text.contains("region = [\"russia-fsu\"]"), "{text}");
    assert!(!text.contains("theme = [\""), "{text}");
    assert!(!text.contains("reliability ="), "{text}");
    assert!(text.contains("status = \"done\""), "{text}");
}
