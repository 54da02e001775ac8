//! Copies of one story (reprints), end to end: the real binary in tmux folds a story
//! and its reprint onto one row, unfolds it with `z`, and lists the copies in the
//! reader with what differs.

mod common;

use std::path::{Path, PathBuf};

use common::{SEED, Tmux};

/// The sample inbox with a reprint of the seed article: in Markdown, with another
/// header, its title prefixed and re-cased, an editor's note added and one paragraph
/// dropped. Returns the inbox and the reprint's path relative to it.
fn inbox_with_a_reprint(dir: &Path) -> (PathBuf, String) {
    let inbox = common::copy_inbox(dir);
    let seed = std::fs::read(inbox.join(SEED)).expect("the seed article");
    let article = triage::article::parse(triage::article::Format::Text, SEED, &seed)
        .expect("the seed parses");
    let mut md = format!(
        "# EXCLUSIVE: {}\n\nSource: mirror.example.net\nPublished: 2015-09-13\n\n",
        article.title.to_uppercase()
    );
    md.push_str("Editor's note: this report first appeared elsewhere and is republished with permission.\n\n");
    for (i, paragraph) in article.body.iter().enumerate() {
        if i == 2 {
            continue;
        }
        md.push_str(paragraph);
        md.push_str("\n\n");
    }
    md.push_str("Subscribe to our newsletter for more stories like this one.\n");
    let rel = "zz_mirror_reprint.md".to_string();
    std::fs::write(inbox.join(&rel), md).expect("write the reprint");
    (inbox, rel)
}

#[test]
fn a_reprint_folds_onto_its_story_unfolds_with_z_and_the_reader_lists_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inbox, reprint) = inbox_with_a_reprint(dir.path());
    let tmux = Tmux::new("copies-fold");
    tmux.start(&inbox);
    // The story shows once, saying it stands for two copies.
    let screen = tmux.wait_for_screen("the story folded", |s| s.contains("▸2 Russia Backs Syria"));
    assert!(
        !screen.contains("EXCLUSIVE"),
        "the reprint has no row of its own:\n{screen}"
    );
    // The reader lists the other copy and what differs.
    let screen = tmux.wait_for_screen("the copies in the reader", |s| {
        s.contains("Copies:") && s.contains("1 more of this story")
    });
    assert!(screen.contains(&reprint), "{screen}");
    // A prefix and capitals are not another title; the dropped paragraph and the
    // editor's note are what differ.
    assert!(!screen.contains("another title"), "{screen}");
    assert!(
        screen.contains("1 paragraph missing, 1 paragraph added"),
        "{screen}"
    );
    // z unfolds: the reprint gets its own row under the story's.
    tmux.keys(&["z"]);
    let screen = tmux.wait_for_screen("the story unfolded", |s| {
        s.contains("▾2 Russia Backs Syria") && s.contains("└ EXCLUSIVE")
    });
    assert!(common::status_line(&screen).contains("2 copies of this story, one per row"));
    // z again folds it back.
    tmux.keys(&["z"]);
    tmux.wait_for_screen("the story folded again", |s| {
        s.contains("▸2 Russia Backs Syria") && !s.contains("EXCLUSIVE")
    });
    // `is:copy` keeps only the story.
    tmux.keys(&["/"]);
    tmux.keys(&["is:copy"]);
    tmux.wait_for_screen("one match", |s| s.contains("1 match"));
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for_exit();
}

fn reliability_in(sidecar: &Path) -> Option<String> {
    let text = std::fs::read_to_string(sidecar).ok()?;
    let value: toml::Value = toml::from_str(&text).ok()?;
    value
        .get("reliability")
        .and_then(|v| v.as_str())
        .map(String::from)
}

#[test]
fn a_decision_on_the_folded_story_reaches_both_sidecars_and_one_undo_takes_it_from_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inbox, reprint) = inbox_with_a_reprint(dir.path());
    let seed_sidecar = inbox.join(format!("{SEED}.alice.toml"));
    let reprint_sidecar = inbox.join(format!("{reprint}.alice.toml"));
    let tmux = Tmux::new("copies-decide");
    tmux.start(&inbox);
    tmux.wait_for_screen("the story folded", |s| s.contains("▸2 Russia Backs Syria"));
    tmux.keys(&["4"]);
    common::wait_for_file(&seed_sidecar, |t| t.contains("reliability"));
    common::wait_for_file(&reprint_sidecar, |t| t.contains("reliability"));
    assert_eq!(
        reliability_in(&seed_sidecar),
        reliability_in(&reprint_sidecar)
    );
    assert!(reliability_in(&seed_sidecar).is_some());
    tmux.wait_for_screen("the step named", |s| {
        common::status_line(s).contains("2 copies")
    });
    // One undo takes it back from both files.
    tmux.keys(&["u"]);
    common::wait_for_file(&seed_sidecar, |t| !t.contains("reliability"));
    common::wait_for_file(&reprint_sidecar, |t| !t.contains("reliability"));
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn a_copy_decided_otherwise_is_shown_and_kept_when_the_reviewer_keeps_theirs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inbox, reprint) = inbox_with_a_reprint(dir.path());
    // The reprint was decided already, another way.
    common::label_as(&inbox, "alice", &reprint, &["--region", "europe"]);
    let reprint_sidecar = inbox.join(format!("{reprint}.alice.toml"));
    let before = std::fs::read(&reprint_sidecar).expect("the reprint's sidecar");
    let seed_sidecar = inbox.join(format!("{SEED}.alice.toml"));
    let tmux = Tmux::new("copies-conflict");
    tmux.start(&inbox);
    tmux.wait_for_screen("the story folded", |s| s.contains("▸2 Russia Backs Syria"));
    tmux.keys(&["4"]);
    let screen = tmux.wait_for_screen("the conflict shown", |s| {
        s.contains("EXCLUSIVE") && s.contains("now: ") && s.contains("keep theirs")
    });
    assert!(screen.contains("europe"), "{screen}");
    assert!(
        !seed_sidecar.exists(),
        "nothing is written before the choice"
    );
    tmux.keys(&["k"]);
    common::wait_for_file(&seed_sidecar, |t| t.contains("reliability"));
    tmux.wait_for_screen("kept theirs said", |s| {
        common::status_line(s).contains("1 kept theirs")
    });
    assert_eq!(
        std::fs::read(&reprint_sidecar).expect("still there"),
        before,
        "the copy decided otherwise is untouched"
    );
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

/// The one index file under `cache`.
fn index_under(cache: &Path) -> PathBuf {
    let found: Vec<PathBuf> = common::files_under(cache)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.sqlite"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().expect("one")
}

/// Waits until `ok` holds of the index at `file`.
fn wait_for_index(file: &Path, what: &str, ok: impl Fn(&rusqlite::Connection) -> bool) {
    let start = std::time::Instant::now();
    loop {
        if let Ok(conn) = rusqlite::Connection::open(file)
            && ok(&conn)
        {
            return;
        }
        assert!(
            start.elapsed() < common::TMUX_LIMIT,
            "the index never had {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_second_start_folds_the_story_from_the_groups_the_first_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inbox, reprint) = inbox_with_a_reprint(dir.path());
    common::age(&inbox);
    let tmux = Tmux::new("copies-kept");
    tmux.start(&inbox);
    tmux.wait_for_screen("the story folded", |s| s.contains("▸2 Russia Backs Syria"));
    let index = index_under(&tmux.config.path().join("cache"));
    let count = |conn: &rusqlite::Connection, sql: &str| -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
    };
    wait_for_index(&index, "every row and the groups", |conn| {
        count(conn, "SELECT count(*) FROM articles") == 16
            && count(conn, "SELECT count(*) FROM kept WHERE name = 'groups'") == 1
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
    // Both bodies blanked in the index: grouped again from them, the two would be
    // copies of nothing.
    common::blank_bodies(&index, &[SEED, reprint.as_str()]);
    // The same private folders, so the same index.
    tmux.start(&inbox);
    tmux.wait_for_screen("the story folded again", |s| {
        s.contains("▸2 Russia Backs Syria")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

/// A start that took only the kept groups (their postings left in the index) still
/// groups an article the watcher brings: the whole grouping is read back for it.
#[test]
fn after_a_start_on_kept_groups_a_new_reprint_joins_its_story() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (inbox, reprint) = inbox_with_a_reprint(dir.path());
    common::age(&inbox);
    let tmux = Tmux::new("copies-kept-add");
    tmux.start(&inbox);
    tmux.wait_for_screen("the story folded", |s| s.contains("▸2 Russia Backs Syria"));
    let index = index_under(&tmux.config.path().join("cache"));
    wait_for_index(&index, "the groups kept", |conn| {
        conn.query_row("SELECT count(*) FROM kept WHERE name = 'groups'", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or(0)
            == 1
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
    tmux.start(&inbox);
    tmux.wait_for_screen("the story folded again", |s| {
        s.contains("▸2 Russia Backs Syria")
    });
    // Another site reprints the reprint.
    let text = std::fs::read_to_string(inbox.join(&reprint)).expect("the reprint");
    let again = text.replace("Source: mirror.example.net", "Source: third.example.org");
    std::fs::write(inbox.join("zzz_third_reprint.md"), again).expect("write");
    tmux.wait_for_screen("three copies", |s| s.contains("▸3 Russia Backs Syria"));
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}
