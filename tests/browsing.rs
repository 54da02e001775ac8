//! Browsing writes nothing: the built binary in tmux over an inbox with decided
//! articles, moved through, read, scrolled and searched, given changes that change
//! nothing, then quit. Only a change to
//! a decision may write its sidecar, so every file in the inbox must be exactly as it
//! was: same bytes and same inode (a rewrite by rename would give a new one even with
//! the same bytes).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use common::{SEED, Tmux};
use triage::store::sidecar_path;

const BIN: &str = env!("CARGO_BIN_EXE_triage");

/// Every file under the inbox with its bytes and inode.
fn snapshot(inbox: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u64)> {
    common::files_under(inbox)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).expect("read a file");
            let ino = fs::metadata(&p).expect("stat a file").ino();
            (p, (bytes, ino))
        })
        .collect()
}

#[test]
fn browsing_searching_and_quitting_leave_every_sidecar_byte_identical() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    // Decisions made earlier: some by `triage label`, some by hand with an old
    // `decided_at` (a rewrite at quit would stamp the time of quitting).
    common::label_as(
        &inbox,
        "alice",
        "001_central_banks_hold_rates.txt",
        &["--region", "europe", "--status", "done"],
    );
    common::label_as(
        &inbox,
        "alice",
        "002_lithium_salt_flats.md",
        &["--reliability", "reliable", "--status", "flagged"],
    );
    for (article, status) in [
        (SEED, "done"),
        ("003_kitchen_spice_miracle.txt", "skipped"),
        ("008_sierra_leone_local_elections.txt", "done"),
    ] {
        fs::write(
            sidecar_path(&inbox.join(article), "alice"),
            format!(
                "# by hand\nschema = 1\nstatus = \"{status}\"\nregion = []\ntheme = []\n\
                 decided_at = 2020-01-02T03:04:05Z\nseconds = 7.0\n"
            ),
        )
        .expect("write a sidecar by hand");
    }
    let before = snapshot(&inbox);
    let sidecars = before
        .keys()
        .filter(|p| p.to_string_lossy().ends_with(".alice.toml"))
        .count();
    assert_eq!(sidecars, 5);

    let tmux = Tmux::new("browse");
    tmux.start_shell(120, 40, "sh");
    let line = format!(
        "{BIN} --inbox '{}' --reviewer alice; echo EXIT=$?",
        inbox.display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for_screen("the list", |s| {
        s.contains("3/15 done · 1 skipped · 1 flagged") && !s.contains("loading")
    });
    // Down the list one article at a time, each shown before the next key, so that
    // every one of them is looked at for a while.
    for _ in 0..5 {
        let shown = tmux.screen();
        tmux.keys(&["j"]);
        tmux.wait_for_screen("the next article", |s| s != shown);
    }
    // Read: scroll the article, then move in the reading pane.
    tmux.keys(&["J", "J", "K", "Tab", "j", "j", "G", "g", "Tab"]);
    // Search, move through the results, clear the search.
    tmux.keys(&["/", "syria", "Enter"]);
    tmux.wait_for_screen("the search", |s| s.contains("1 match “syria”"));
    tmux.keys(&["j", "k"]);
    tmux.keys(&["Escape"]);
    tmux.wait_for_screen("the whole list again", |s| !s.contains("match"));
    tmux.keys(&["?"]);
    tmux.wait_for_screen("the help", |s| s.contains("Help"));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the help closed", |s| s.contains("3/15 done"));
    // Changes that change nothing: done again on a done article (it moves on to
    // the next one to do), and the note editor confirmed with the note unchanged.
    tmux.keys(&["g"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["c"]);
    tmux.wait_for_screen("the note editor", |s| {
        s.contains("save") && s.contains("cancel")
    });
    tmux.keys(&["Enter"]);
    tmux.keys(&["o", "o", "C-s"]);
    tmux.wait_for_screen("nothing to save", |s| s.contains("Every change is saved."));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("a clean quit", |s| s.contains("EXIT=0"));

    let after = snapshot(&inbox);
    for (path, (bytes, ino)) in &before {
        let Some((now, now_ino)) = after.get(path) else {
            panic!("{} is gone", path.display());
        };
        assert!(
            now == bytes,
            "{} was rewritten:\n--- before\n{}\n--- after\n{}",
            path.display(),
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(now)
        );
        assert_eq!(ino, now_ino, "{} was replaced", path.display());
    }
    let added: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(added.is_empty(), "new files: {added:?}");
}
