//! Marks, `.` and decisions for many articles, through the real key → update →
//! write → draw path (a test terminal), and end to end in tmux with the built binary.

mod common;

use std::path::{Path, PathBuf};

use common::{SEED, Screen, Tmux};
use triage::app::{Mode, OnConflict};
use triage::domain::Edit;

const CENTRAL: &str = "001_central_banks_hold_rates.txt";
const LITHIUM: &str = "002_lithium_salt_flats.md";
const SPICE: &str = "003_kitchen_spice_miracle.txt";

fn sidecar(inbox: &Path, article: &str) -> PathBuf {
    inbox.join(format!("{article}.alice.toml"))
}

fn inbox_of(screen: &Screen) -> PathBuf {
    screen.dir.path().join("inbox")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn reliability(text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(text).expect("a sidecar is TOML");
    value
        .get("reliability")
        .and_then(|v| v.as_str())
        .map(String::from)
}

#[test]
fn a_marked_article_gets_the_same_bytes_as_a_decision_made_on_it_alone() {
    let mut alone = Screen::new(120, 40);
    alone.keys(&["j", "4"]);
    let single = read(&sidecar(&inbox_of(&alone), CENTRAL));

    let mut marked = Screen::new(120, 40);
    marked.keys(&["m", "j", "m", "4"]);
    let inbox = inbox_of(&marked);
    let bulk = read(&sidecar(&inbox, CENTRAL));
    assert_eq!(
        bulk, single,
        "the bulk write is the single write, byte for byte"
    );
    assert_eq!(
        reliability(&read(&sidecar(&inbox, SEED))).as_deref(),
        Some("unreliable")
    );
}

#[test]
fn marked_rows_show_a_mark_and_the_status_bar_counts_them() {
    let mut screen = Screen::new(120, 40);
    let plain = screen.text();
    assert!(!plain.contains('●'), "no mark column without marks");
    screen.keys(&["m", "j", "j", "m"]);
    let text = screen.text();
    let marked: Vec<&str> = text.lines().filter(|l| l.contains("● ")).collect();
    assert_eq!(marked.len(), 2, "{text}");
    assert!(marked[0].contains("Russia Backs Syria"), "{text}");
    assert!(marked[1].contains("Lithium"), "{text}");
    assert!(
        common::status_line(&text).contains("2 marked"),
        "{}",
        common::status_line(&text)
    );
    screen.keys(&["Esc"]);
    let text = screen.text();
    assert!(!text.contains('●'), "Esc cleared the marks:\n{text}");
}

#[test]
fn the_conflict_prompt_lists_the_differing_copy_sanitized_and_keeping_theirs_leaves_its_file() {
    // Lithium already holds a decision, with a label id nobody should trust.
    let mut screen = Screen::prepared(120, 40, |inbox| {
        std::fs::write(
            sidecar(inbox, LITHIUM),
            "schema = 1\narticle = \"002_lithium_salt_flats.md\"\nreviewer = \"alice\"\n\
             status = \"done\"\nregion = [\"\\u001b]0;pwned\\u0007evil\"]\n",
        )
        .expect("write a sidecar");
    });
    let inbox = inbox_of(&screen);
    let theirs = read(&sidecar(&inbox, LITHIUM));
    let effects = screen.session.state.decide_for_many(
        &[0, 1, 2],
        vec![Edit::SetReliability(Some("mixed".into()))],
        OnConflict::Ask,
    );
    assert!(
        effects.is_empty(),
        "nothing written before the reviewer chooses"
    );
    assert!(matches!(screen.session.state.mode, Mode::Conflict(_)));
    screen
        .session
        .draw(&mut screen.terminal)
        .expect("draw the prompt");
    let text = screen.text();
    assert!(text.contains("1 article holds another decision"), "{text}");
    assert!(text.contains("Lithium"), "{text}");
    assert!(
        text.contains("now: region") && text.contains("evil"),
        "{text}"
    );
    assert!(text.contains("New: reliability mixed · todo"), "{text}");
    assert!(text.contains("o overwrite them too"), "{text}");
    assert!(text.contains("k keep theirs"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );

    screen.keys(&["k"]);
    assert!(matches!(screen.session.state.mode, Mode::Normal));
    assert_eq!(read(&sidecar(&inbox, LITHIUM)), theirs, "kept theirs");
    for article in [SEED, CENTRAL] {
        assert_eq!(
            reliability(&read(&sidecar(&inbox, article))).as_deref(),
            Some("mixed"),
            "{article}"
        );
    }
    // One undo takes it back from both.
    screen.keys(&["u"]);
    for article in [SEED, CENTRAL] {
        assert_eq!(
            reliability(&read(&sidecar(&inbox, article))),
            None,
            "{article}"
        );
    }
}

#[test]
fn three_marked_articles_one_digit_three_sidecars_one_undo_and_dot_repeats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("marks");
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));

    tmux.keys(&["m", "j", "m", "j", "m"]);
    tmux.wait_for_screen("three marked", |s| {
        common::status_line(s).contains("3 marked")
    });
    tmux.keys(&["4"]);
    let three = [SEED, CENTRAL, LITHIUM];
    for article in three {
        let text = common::wait_for_file(&sidecar(&inbox, article), |t| {
            t.contains("reliability = \"unreliable\"")
        });
        assert!(text.contains("reviewer = \"alice\""), "{text}");
    }
    tmux.wait_for_screen("the message", |s| {
        s.contains("reliability unreliable · 3 marked articles")
    });

    // One u: all three back, on disk.
    tmux.keys(&["u"]);
    for article in three {
        common::wait_for_file(&sidecar(&inbox, article), |t| !t.contains("reliability"));
    }
    assert!(!sidecar(&inbox, SPICE).exists());

    // `.` on the next article: the decision again, there only.
    tmux.keys(&["j", "."]);
    common::wait_for_file(&sidecar(&inbox, SPICE), |t| {
        t.contains("reliability = \"unreliable\"")
    });
    for article in three {
        assert_eq!(
            reliability(&read(&sidecar(&inbox, article))),
            None,
            "{article} stays undone"
        );
    }
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}
