//! A real full disk and a real read-only one: the built binary in tmux on a tiny
//! tmpfs of its own. The decision stays on screen marked unsaved, quitting warns,
//! and once there is room again (or the file system is writable again) the change
//! reaches the disk, whole; quitting anyway with a change the disk still refuses
//! exits with status 3 and names the article on stderr. Needs permission to mount
//! (root on Linux); elsewhere it says why it skips, and tests/faults.rs and
//! tests/unsaved.rs cover the same promises through the store's fault seam and
//! through sidecars the store refuses.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{SEED, Tmux};
use triage::runtime::UNSAVED_EXIT;
use triage::store::{Status, read_sidecar, sidecar_path};

/// A tmpfs mounted for the test, unmounted when it ends however it ends.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        fs::create_dir_all(at).ok()?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .ok()?;
        if out.status.success() {
            Some(Mount(at.to_path_buf()))
        } else {
            eprintln!(
                "skipping: cannot mount a tmpfs here ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            None
        }
    }

    fn remount(&self, mode: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .output()
            .expect("mount runs");
        assert!(out.status.success(), "remount {mode}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system with one file until it refuses another byte.
fn fill(path: &Path) {
    let mut file = fs::File::create(path).expect("create the filler");
    let chunk = vec![b'x'; 4096];
    while file.write_all(&chunk).is_ok() {}
    while file.write_all(b"x").is_ok() {}
}

#[test]
fn full_then_read_only_file_system_loses_no_decision() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(mount) = Mount::tmpfs(&dir.path().join("fs"), "256k") else {
        return;
    };
    let inbox = mount.0.join("inbox");
    fs::create_dir(&inbox).expect("inbox folder");
    let sample = common::sample_inbox();
    for name in [SEED, "001_central_banks_hold_rates.txt", "labels.toml"] {
        fs::copy(sample.join(name), inbox.join(name)).expect("copy an article");
    }
    let filler = mount.0.join("filler");
    fill(&filler);

    // From a shell, which shows the exit status; stderr goes outside the full disk.
    let stderr = dir.path().join("stderr");
    let tmux = Tmux::new("tinyfs");
    tmux.start_shell(120, 40, "sh");
    let line = format!(
        "{} --inbox '{}' --reviewer alice 2>'{}'; echo EXIT=$?",
        env!("CARGO_BIN_EXE_triage"),
        inbox.display(),
        stderr.display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for_screen("the list", |s| s.contains("0/2 done"));
    tmux.keys(&["4"]);
    tmux.wait_for_screen("the refusal", |s| {
        s.contains("Not saved") && s.contains("No space left on device") && s.contains("1 unsaved")
    });
    let sidecar = sidecar_path(&inbox.join(SEED), "alice");
    assert!(!sidecar.exists(), "nothing half-written reached the disk");

    tmux.keys(&["q"]);
    tmux.wait_for_screen("the warning", |s| s.contains("1 change is not saved"));

    fs::remove_file(&filler).expect("make room");
    tmux.keys(&["C-s"]);
    tmux.wait_for_screen("the save", |s| {
        s.contains("Saved: 1 change is now on disk.")
    });
    let on_disk = read_sidecar(&sidecar).expect("parses").expect("exists");
    assert_eq!(on_disk.decision.reliability.as_deref(), Some("unreliable"));

    // Read-only now: done is refused, then saved with the next change.
    mount.remount("ro");
    tmux.keys(&["Enter"]);
    tmux.wait_for_screen("the refusal", |s| s.contains("Read-only file system"));
    mount.remount("rw");
    tmux.keys(&["f"]); // flags the next article, and carries the refused change with it
    tmux.wait_for_screen("both saved", |s| s.contains("1/2 done · 1 flagged"));
    let on_disk = read_sidecar(&sidecar).expect("parses").expect("exists");
    assert_eq!(on_disk.decision.status, Status::Done);
    assert_eq!(common::temporaries(&inbox), Vec::<PathBuf>::new());

    // Full again: the undo of the flag is refused, and quitting anyway (asked twice)
    // exits with the status for unsaved changes after naming the article.
    fill(&filler);
    tmux.keys(&["u"]);
    tmux.wait_for_screen("the refusal", |s| {
        s.contains("No space left on device") && s.contains("1 unsaved")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the warning", |s| s.contains("1 change is not saved"));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the exit status", |s| {
        s.contains(&format!("EXIT={UNSAVED_EXIT}"))
    });
    let report = fs::read_to_string(&stderr).expect("stderr file");
    assert!(
        report.starts_with("triage: 1 change to 1 article could not be saved and is lost:\n"),
        "{report}"
    );
    assert!(
        report.contains("001_central_banks_hold_rates.txt: ")
            && report.contains("No space left on device"),
        "{report}"
    );
    let second = sidecar_path(&inbox.join("001_central_banks_hold_rates.txt"), "alice");
    let on_disk = read_sidecar(&second).expect("parses").expect("exists");
    assert_eq!(
        on_disk.decision.status,
        Status::Flagged,
        "the last saved state"
    );
}
