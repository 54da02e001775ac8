//! Unsaved means not silently lost: a change the store refuses — a read-only
//! sidecar, a sidecar that does not parse — stays on screen as unsaved, quitting warns,
//! and quitting anyway exits with status 3 after naming, on stderr, how many changes
//! and which articles. The refused files are left exactly as they were. Runs the
//! built binary in tmux from a shell, which shows its exit status (`EXIT=n`). A full
//! and a read-only disk are tests/tiny_fs.rs (where mounting is allowed).

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{SEED, Screen, Tmux};
use triage::runtime::UNSAVED_EXIT;
use triage::store::sidecar_path;

const BIN: &str = env!("CARGO_BIN_EXE_triage");
const SECOND: &str = "001_central_banks_hold_rates.txt";
const BROKEN: &str = "status = done\n";

/// An inbox whose seed article has a read-only sidecar and whose second article has
/// one that does not parse.
fn refusing_inbox(dir: &Path) -> std::path::PathBuf {
    let inbox = common::copy_inbox(dir);
    common::label_as(&inbox, "alice", SEED, &["--status", "done"]);
    let read_only = sidecar_path(&inbox.join(SEED), "alice");
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o444)).expect("chmod 0444");
    fs::write(sidecar_path(&inbox.join(SECOND), "alice"), BROKEN).expect("a broken sidecar");
    inbox
}

#[test]
fn quitting_with_changes_refused_by_read_only_and_broken_sidecars_exits_3_naming_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = refusing_inbox(dir.path());
    let read_only = sidecar_path(&inbox.join(SEED), "alice");
    let broken = sidecar_path(&inbox.join(SECOND), "alice");
    let kept = fs::read(&read_only).expect("read the sidecar");
    let stderr = dir.path().join("stderr");

    let tmux = Tmux::new("unsaved");
    tmux.start_shell(120, 40, "sh");
    let line = format!(
        "{BIN} --inbox '{}' --reviewer alice 2>'{}'; echo EXIT=$?",
        inbox.display(),
        stderr.display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for_screen("the list", |s| s.contains("Inbox") && s.contains("Russia"));

    // The seed article is done, so the program opens on the next one still to do;
    // go back to the first.
    tmux.keys(&["g", "4"]);
    tmux.wait_for_screen("the read-only refusal", |s| {
        s.contains("read-only; not replacing it") && s.contains("1 unsaved")
    });
    tmux.keys(&["j", "4"]);
    tmux.wait_for_screen("the broken-sidecar refusal", |s| {
        s.contains("Not saved") && s.contains("2 unsaved")
    });

    tmux.keys(&["q"]);
    tmux.wait_for_screen("the warning", |s| s.contains("2 changes are not saved"));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the exit status", |s| {
        s.contains(&format!("EXIT={UNSAVED_EXIT}"))
    });
    assert_eq!(UNSAVED_EXIT, 3);

    let report = fs::read_to_string(&stderr).expect("stderr file");
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 3, "{report}");
    assert_eq!(
        lines[0],
        "triage: 2 changes to 2 articles could not be saved and are lost:"
    );
    assert!(
        lines[1].contains(&inbox.join(SEED).display().to_string())
            && lines[1].ends_with("is read-only; not replacing it."),
        "{report}"
    );
    assert!(
        lines[2].contains(&inbox.join(SECOND).display().to_string())
            && lines[2].ends_with("it will not be overwritten."),
        "{report}"
    );

    // Neither file was touched.
    assert_eq!(fs::read(&read_only).expect("read"), kept);
    let mode = fs::metadata(&read_only).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
    assert_eq!(fs::read_to_string(&broken).expect("read"), BROKEN);
}

#[test]
fn a_quit_with_everything_saved_exits_0_and_prints_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let stderr = dir.path().join("stderr");
    let tmux = Tmux::new("saved");
    tmux.start_shell(120, 40, "sh");
    let line = format!(
        "{BIN} --inbox '{}' --reviewer alice 2>'{}'; echo EXIT=$?",
        inbox.display(),
        stderr.display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for_screen("the list", |s| s.contains("Inbox") && s.contains("Russia"));
    tmux.keys(&["4"]);
    tmux.wait_for_screen("the label", |s| s.contains("reliability unreliable"));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the exit status", |s| s.contains("EXIT=0"));
    assert_eq!(fs::read_to_string(&stderr).expect("stderr file"), "");
}

#[test]
fn triage_label_refuses_a_read_only_sidecar_and_leaves_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = refusing_inbox(dir.path());
    let read_only = sidecar_path(&inbox.join(SEED), "alice");
    let kept = fs::read(&read_only).expect("read the sidecar");
    let out = common::binary_in(dir.path())
        .arg("--inbox")
        .arg(&inbox)
        .args(["--reviewer", "alice", "label", SEED, "--status", "flagged"])
        .env_remove("TRIAGE_REVIEWER")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "triage: {} is read-only; not replacing it",
            read_only.display()
        )
    );
    assert_eq!(fs::read(&read_only).expect("read"), kept);
    let mode = fs::metadata(&read_only).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
}

#[test]
fn a_change_refused_by_a_broken_sidecar_waits_unsaved_until_the_file_is_repaired() {
    let mut screen = Screen::prepared(120, 40, |inbox| {
        fs::write(sidecar_path(&inbox.join(SEED), "alice"), BROKEN).expect("a broken sidecar");
    });
    let path = sidecar_path(&screen.dir.path().join("inbox").join(SEED), "alice");
    screen.keys(&["4"]);
    let text = screen.text();
    assert!(text.contains("Not saved"), "{text}");
    assert!(text.contains("1 unsaved"), "{text}");
    assert!(text.contains("reliability unreliable"), "{text}");
    screen.keys(&["C-s"]);
    assert!(
        screen.text().contains("Still not saved"),
        "{}",
        screen.text()
    );
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        BROKEN,
        "never overwritten"
    );

    // Repaired by hand: the retry applies the change to the repaired decision.
    fs::write(&path, "status = \"done\"\n").expect("repair the sidecar");
    screen.keys(&["C-s"]);
    assert!(
        screen.text().contains("Saved: 1 change is now on disk."),
        "{}",
        screen.text()
    );
    let on_disk = triage::store::read_sidecar(&path)
        .expect("parses")
        .expect("exists");
    assert_eq!(on_disk.decision.reliability.as_deref(), Some("unreliable"));
    assert_eq!(on_disk.decision.status, triage::store::Status::Done);
    assert!(screen.session.finish().is_empty());
}

#[test]
fn a_change_refused_by_a_broken_sidecar_is_still_unsaved_at_the_end() {
    let mut screen = Screen::prepared(120, 40, |inbox| {
        fs::write(sidecar_path(&inbox.join(SEED), "alice"), BROKEN).expect("a broken sidecar");
    });
    screen.keys(&["4", "f"]);
    let unsaved = screen.session.finish();
    assert_eq!(unsaved.len(), 2, "both changes, in order: {unsaved:?}");
    let articles = screen.session.state.unsaved_articles();
    assert_eq!(articles.len(), 1);
    assert!(articles[0].0.ends_with(SEED), "{articles:?}");
    assert!(
        articles[0].1.ends_with("it will not be overwritten."),
        "{articles:?}"
    );
}
