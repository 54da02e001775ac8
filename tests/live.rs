//! A live inbox, end to end: the built binary in tmux while files change under it.
//! Articles added, rewritten and removed show within about a second, keeping the
//! selection; sidecars written by another reviewer or by the same reviewer's other
//! session are picked up. Run with the native watcher and with polling.

mod common;

use common::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_triage");

fn start(name: &str, watch: &str) -> (Tmux, tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new(name);
    tmux.start_shell(
        120,
        40,
        &format!(
            "exec '{BIN}' --inbox '{}' --reviewer alice --watch {watch}",
            inbox.display()
        ),
    );
    tmux.wait_for_screen("the list", |s| s.contains("0/15 done"));
    (tmux, dir, inbox)
}

fn articles_come_and_go_keeping_the_selection(name: &str, watch: &str) {
    let (tmux, _dir, inbox) = start(name, watch);
    // Select the third article, then add one that sorts before it.
    tmux.keys(&["j", "j"]);
    let screen = tmux.wait_for_screen("the third article", |s| {
        common::reader_title(s).contains("Lithium")
    });
    let selected = common::reader_title(&screen);
    assert!(selected.contains("Lithium"), "{selected}");
    std::fs::write(
        inbox.join("001a_new_arrival.txt"),
        "Harbour pilots strike over night shifts\n\nBy Ana Ruiz\n\nPilots walked out on Monday.\n",
    )
    .expect("write a new article");
    let screen = tmux.wait_for_screen("the new article", |s| {
        s.contains("Harbour pilots strike") && s.contains("0/16 done")
    });
    assert_eq!(
        common::reader_title(&screen),
        selected,
        "the selection stays put"
    );

    // Rewritten in place: the new title replaces the old one.
    std::fs::write(
        inbox.join("001a_new_arrival.txt"),
        "Harbour pilots end strike after deal\n\nBy Ana Ruiz\n\nPilots returned on Friday.\n",
    )
    .expect("rewrite the article");
    tmux.wait_for_screen("the new title", |s| {
        s.contains("Harbour pilots end strike") && !s.contains("Harbour pilots strike over")
    });

    // Removed: it leaves the list.
    std::fs::remove_file(inbox.join("001a_new_arrival.txt")).expect("remove it");
    let screen = tmux.wait_for_screen("the article gone", |s| {
        !s.contains("Harbour pilots") && s.contains("0/15 done")
    });
    assert_eq!(common::reader_title(&screen), selected);
}

#[test]
fn articles_come_and_go_with_the_native_watcher() {
    articles_come_and_go_keeping_the_selection("live-native", "native");
}

#[test]
fn articles_come_and_go_when_polling() {
    articles_come_and_go_keeping_the_selection("live-poll", "poll");
}

#[test]
fn sidecars_written_elsewhere_are_reloaded() {
    let (tmux, _dir, inbox) = start("live-sidecars", "auto");
    let seed = inbox.join(common::SEED);
    let seed = seed.to_string_lossy();
    // Another reviewer labels the selected article: the reader announces them.
    common::label_as(
        &inbox,
        "bob",
        &seed,
        &["--region", "europe", "--status", "done"],
    );
    tmux.wait_for_screen("bob's sidecar", |s| s.contains("1 other reviewer (bob)"));
    // The same reviewer in another session (or `triage label`): this screen follows.
    common::label_as(
        &inbox,
        "alice",
        &seed,
        &["--reliability", "mixed", "--status", "done"],
    );
    tmux.wait_for_screen("alice's other session", |s| {
        s.contains("1/15 done") && s.contains("reliability mixed · done")
    });
}
