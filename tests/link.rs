//! The terminal link, end to end in tmux: signals end the program promptly with the
//! terminal restored, `Ctrl-Z` suspends and `fg` brings the screen back, a window
//! shrunk to one cell does not crash it, and a panic restores the terminal and prints
//! one readable line. (A dropped SSH link is tests/ssh.rs.)

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{SEED, TMUX_LIMIT, Tmux};
use triage::store::{read_sidecar, sidecar_path};

const BIN: &str = env!("CARGO_BIN_EXE_triage");

/// Starts a shell in tmux and runs triage in it, so the pane outlives the program
/// and shows its exit status (`EXIT=n`) and the restored terminal after it.
fn start(name: &str, shell: &str, env: &str) -> (Tmux, tempfile::TempDir, PathBuf) {
    start_with(name, shell, env, "; echo EXIT=$?")
}

/// [`start`] with what follows the command on its line.
fn start_with(
    name: &str,
    shell: &str,
    env: &str,
    after: &str,
) -> (Tmux, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new(name);
    tmux.start_shell(100, 30, shell);
    let line = format!(
        "{env} {BIN} --inbox '{}' --reviewer alice 2>'{}'{after}",
        inbox.display(),
        dir.path().join("stderr").display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for_screen("the list", |s| s.contains("Inbox") && s.contains("Russia"));
    (tmux, dir, inbox)
}

/// Sends `signal` to the triage running on `inbox`.
fn kill(signal: i32, inbox: &Path) {
    let start = Instant::now();
    let pid = loop {
        if let Some(pid) = common::triage_pid(inbox) {
            break pid;
        }
        assert!(start.elapsed() < TMUX_LIMIT, "triage is not running");
        std::thread::sleep(Duration::from_millis(30));
    };
    assert!(
        common::send_signal(&pid.to_string(), signal),
        "kill -{signal} {pid}"
    );
}

/// tmux's own view of whether the program's alternate screen is on.
fn alternate_screen(tmux: &Tmux) -> bool {
    let out = tmux.cmd(&["display", "-p", "-t", "main", "#{alternate_on}"]);
    String::from_utf8_lossy(&out.stdout).trim() == "1"
}

/// The shell has the terminal back: main screen, and typed text echoes (cooked mode).
fn assert_restored(tmux: &Tmux) {
    assert!(!alternate_screen(tmux), "{}", tmux.screen());
    tmux.keys(&["echo restored-$((40+2))", "Enter"]);
    tmux.wait_for_screen("cooked-mode echo", |s| s.contains("restored-42"));
}

fn label_the_seed(tmux: &Tmux, inbox: &Path) {
    tmux.keys(&["4"]);
    let path = sidecar_path(&inbox.join(SEED), "alice");
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < TMUX_LIMIT,
            "the label never reached the disk"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

fn seed_decision(inbox: &Path) -> Option<String> {
    read_sidecar(&sidecar_path(&inbox.join(SEED), "alice"))
        .expect("the sidecar parses")
        .and_then(|s| s.decision.reliability.map(String::from))
}

#[test]
fn hangup_ends_the_program_with_the_terminal_restored_and_decisions_on_disk() {
    let (tmux, _dir, inbox) = start("hup", "sh", "");
    label_the_seed(&tmux, &inbox);
    kill(libc::SIGHUP, &inbox);
    tmux.wait_for_screen("the exit status of a hang-up", |s| s.contains("EXIT=129"));
    assert_restored(&tmux);
    assert_eq!(seed_decision(&inbox).as_deref(), Some("unreliable"));
}

#[test]
fn terminate_ends_the_program_with_the_terminal_restored() {
    let (tmux, _dir, inbox) = start("term", "sh", "");
    label_the_seed(&tmux, &inbox);
    kill(libc::SIGTERM, &inbox);
    tmux.wait_for_screen("the exit status of SIGTERM", |s| s.contains("EXIT=143"));
    assert_restored(&tmux);
    assert_eq!(seed_decision(&inbox).as_deref(), Some("unreliable"));
}

#[test]
fn ctrl_z_suspends_and_fg_brings_the_screen_back() {
    // No `; echo` after the command: bash would run it as soon as the job stops.
    let (tmux, _dir, inbox) = start_with("suspend", "bash --norc --noprofile -i", "", "");
    tmux.keys(&["C-z"]);
    tmux.wait_for_screen("the shell's job report", |s| s.contains("Stopped"));
    assert_restored(&tmux);
    tmux.keys(&["fg", "Enter"]);
    tmux.wait_for_screen("the list again", |s| {
        s.contains("Inbox") && s.contains("Russia") && !s.contains("restored-42")
    });
    assert!(alternate_screen(&tmux));
    // Keys work again after the resume.
    tmux.keys(&["4"]);
    tmux.wait_for_screen("the label", |s| s.contains("reliability unreliable"));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the shell", |s| !s.contains("Inbox"));
    tmux.keys(&["echo EXIT=$?", "Enter"]);
    tmux.wait_for_screen("a clean quit", |s| s.contains("EXIT=0"));
    assert_eq!(seed_decision(&inbox).as_deref(), Some("unreliable"));
}

#[test]
fn a_window_shrunk_to_one_cell_and_back_keeps_working() {
    let (tmux, _dir, _inbox) = start("tiny", "sh", "");
    for (w, h) in [("1", "1"), ("2", "1"), ("1", "3"), ("100", "30")] {
        let out = tmux.cmd(&["resize-window", "-t", "main", "-x", w, "-y", h]);
        assert!(out.status.success(), "resize-window {w}x{h}");
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.wait_for_screen("the list at full size", |s| {
        s.contains("Inbox") && s.contains("Russia")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_screen("a clean quit", |s| s.contains("EXIT=0"));
}

#[test]
fn a_panic_restores_the_terminal_and_prints_one_readable_line() {
    let (tmux, dir, _inbox) = start("panic", "sh", "TRIAGE_TEST_PANIC=1");
    tmux.keys(&["j"]);
    tmux.wait_for_screen("the exit status of a panic", |s| s.contains("EXIT=101"));
    assert_restored(&tmux);
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).expect("stderr file");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, no backtrace: {stderr:?}");
    assert!(
        lines[0].starts_with("triage: internal error") && lines[0].contains("TRIAGE_TEST_PANIC"),
        "{stderr:?}"
    );
}

#[test]
fn a_terminal_that_vanishes_without_a_hangup_signal_still_ends_the_program() {
    // In its own session (setsid), triage is not sent SIGHUP when the terminal goes:
    // it only finds the terminal dead, which is where crossterm's reader can spin.
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("vanish");
    tmux.start_shell(
        100,
        30,
        &format!(
            "setsid -w {BIN} --inbox '{}' --reviewer alice",
            inbox.display()
        ),
    );
    tmux.wait_for_screen("the list", |s| s.contains("Inbox") && s.contains("Russia"));
    label_the_seed(&tmux, &inbox);
    let pid = common::triage_pid(&inbox).expect("triage runs");
    let _guard = common::KillOnDrop(pid);
    tmux.cmd(&["kill-server"]);
    let start = Instant::now();
    while common::alive(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "triage still runs on a dead terminal"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    assert_eq!(seed_decision(&inbox).as_deref(), Some("unreliable"));
}
