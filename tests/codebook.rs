//! The codebook at hand and saved searches: a label's description in its picker, the
//! inbox's guidelines in the help, `check`'s warning about labels without one, and
//! the list of saved searches, on the test terminal, through the command line and in
//! tmux.

mod common;

use std::fs;
use std::path::Path;

use common::{Screen, Tmux, stdout, triage};
use triage::labels::guidelines::Guidelines;
use triage::search::saved::{Origin, SavedQueries};

const MENA: &str = "{ id = \"mena\", name = \"Middle East & North Africa\", key = \"m\"";

/// Gives the inbox's `mena` region a description (a long one, so that it wraps) and
/// `asia` a hostile one.
fn describe_regions(inbox: &Path) {
    let path = inbox.join("labels.toml");
    let text = fs::read_to_string(&path).expect("labels.toml");
    assert!(text.contains(MENA), "the sample's mena label");
    let text = text
        .replace(
            MENA,
            &format!(
                "{MENA}, description = \"From Morocco to Iran, the Gulf and the Levant included; not Turkey (europe) unless the story is about Syria or Iraq.\""
            ),
        )
        .replace(
            "{ id = \"asia\", name = \"Asia\", key = \"s\"",
            "{ id = \"asia\", name = \"Asia\", key = \"s\", description = \"East, South \\u001b]0;PAYLOAD\\u0007and Central Asia.\"",
        );
    fs::write(&path, text).expect("labels.toml written");
}

#[test]
fn the_region_picker_shows_the_highlighted_labels_description_at_120x40() {
    let mut screen = Screen::prepared(120, 40, describe_regions);
    // Down four times: Sub-Saharan Africa, Asia, Europe, Latin America, MENA.
    screen.keys(&["r", "Down", "Down", "Down", "Down"]);
    let text = screen.text();
    assert!(text.contains("From Morocco to Iran"), "{text}");
    assert!(text.contains("Syria or Iraq."), "wrapped, not cut:\n{text}");
    insta::assert_snapshot!(text);
    // On a label without one, nothing is said; on a hostile one, no payload shows.
    screen.keys(&["Up", "Up"]);
    let text = screen.text();
    assert!(!text.contains("From Morocco"), "{text}");
    screen.keys(&["Up"]);
    let text = screen.text();
    assert!(text.contains("East, South and Central Asia."), "{text}");
    assert!(!text.contains("PAYLOAD"), "{text}");
}

#[test]
fn the_help_ends_with_the_inboxs_guidelines() {
    let mut screen = Screen::new(120, 40);
    screen.session.state.guidelines = Guidelines::from_text(
        "# How we label\n\n- MENA covers Iran and the Gulf.\n- When in doubt, flag it \u{1b}]0;PAYLOAD\u{7}and say why in a note.\n",
    );
    screen.keys(&["?"]);
    let first_page = screen.text();
    assert!(!first_page.contains("How we label"), "after the keys");
    // Scrolled to the end (the drawing stops at the last line).
    screen.keys(&["j"; 300]);
    let text = screen.text();
    assert!(text.contains("Guidelines (guidelines.md)"), "{text}");
    assert!(text.contains("# How we label"), "{text}");
    assert!(text.contains("- MENA covers Iran and the Gulf."), "{text}");
    assert!(
        text.contains("- When in doubt, flag it and say why in a note."),
        "{text}"
    );
    assert!(!text.contains("PAYLOAD"), "{text}");
}

#[test]
fn an_unreadable_guidelines_file_is_one_sentence_in_the_help() {
    let mut screen = Screen::new(120, 40);
    screen.session.state.guidelines =
        Guidelines::Unreadable("cannot read inbox/guidelines.md: it is a folder".into());
    screen.keys(&["?"]);
    screen.keys(&["j"; 300]);
    let text = screen.text();
    assert!(
        text.contains("cannot read inbox/guidelines.md: it is a folder"),
        "{text}"
    );
}

/// A screen with the team's saved searches and one of the reviewer's own.
fn with_saved_searches(width: u16, height: u16) -> Screen {
    let mut screen = Screen::new(width, height);
    let mut saved = SavedQueries::default();
    saved.add(
        "todo-mena = \"is:todo region:mena\"\ndesalination = \"desalination\"\n",
        "inbox/queries.toml",
        Origin::Team,
    );
    saved.add(
        "todo-mena = \"is:todo sug:mena\"\n",
        "~/.config/triage/queries.toml",
        Origin::Mine,
    );
    screen.session.state.saved = saved;
    screen
}

#[test]
fn the_saved_searches_list_at_80x24_and_enter_filters_the_list() {
    let mut screen = with_saved_searches(80, 24);
    screen.keys(&["b"]);
    let text = screen.text();
    assert!(text.contains("Saved searches"), "{text}");
    // The reviewer's own replaced the team's of the same name, in its place.
    assert!(text.contains("todo-mena     is:todo sug:mena"), "{text}");
    assert!(!text.contains("region:mena"), "{text}");
    insta::assert_snapshot!(text);
    screen.keys(&["j", "Enter"]);
    // The ranking runs off the drawing thread, as it does for a typed search.
    screen.session.settle(std::time::Duration::from_secs(20));
    screen.event(crossterm::event::Event::Resize(80, 24));
    let text = screen.text();
    assert!(!text.contains("Saved searches"), "closed:\n{text}");
    assert!(text.contains("1 match “desalination”"), "{text}");
    assert!(text.contains("Desalination Boom"), "{text}");
    assert!(!text.contains("Russia Backs Syria"), "{text}");
    // Esc clears it as it clears any kept search.
    screen.keys(&["Esc"]);
    assert!(screen.text().contains("Russia Backs Syria"));
}

#[test]
fn with_no_saved_searches_the_list_says_where_to_write_them() {
    let mut screen = Screen::new(80, 24);
    screen.session.state.saved = SavedQueries::load(
        Ok(None),
        "inbox/queries.toml".into(),
        Some("/home/alice/.config/triage/queries.toml".into()),
    );
    screen.keys(&["b"]);
    let text = screen.text();
    let said: String = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("No saved searches: write lines such as"),
        "{text}"
    );
    assert!(said.contains("inbox/queries.toml (the team's)"), "{text}");
    assert!(said.contains("queries.toml (yours)"), "{text}");
    screen.keys(&["Enter"]);
    assert!(!screen.text().contains("No saved searches"));
}

#[test]
fn check_warns_about_labels_without_a_description_and_still_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    describe_regions(&inbox);
    let out = triage(&inbox, &["check"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let warnings: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("without a description"))
        .collect();
    assert_eq!(warnings.len(), 3, "one per axis:\n{report}");
    assert!(
        warnings[0].starts_with(
            "warning: labels.toml: 7 region labels without a description: africa, europe, latam, north-america,"
        ),
        "{report}"
    );
    assert!(!warnings[0].contains("mena,"), "{report}");
    assert!(
        warnings[2].starts_with("warning: labels.toml: 5 reliability labels without a description"),
        "{report}"
    );
    assert!(report.contains(": 0 problems"), "{report}");

    // A malformed saved search is a problem, named with its file and line.
    fs::write(
        inbox.join("queries.toml"),
        "fine = \"is:todo\"\nbroken = \"colour:red\"\n",
    )
    .expect("queries.toml");
    let out = triage(&inbox, &["check"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report
            .lines()
            .any(|l| l
                .starts_with("problem: queries.toml:2: saved search \"broken\": unknown filter")),
        "{report}"
    );
}

#[test]
fn check_says_nothing_about_descriptions_of_the_built_in_labels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    fs::remove_file(inbox.join("labels.toml")).expect("labels.toml removed");
    let out = triage(&inbox, &["check"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(!report.contains("description"), "{report}");
}

#[test]
fn saved_searches_and_guidelines_in_a_real_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    fs::write(
        inbox.join("queries.toml"),
        "# the team's\nrt = \"RT\"\ndesalination = \"oil\"\n",
    )
    .expect("queries.toml");
    fs::write(
        inbox.join("guidelines.md"),
        "# Our codebook\n\nBrine stories are environment, not economy.\n",
    )
    .expect("guidelines.md");
    let tmux = Tmux::new("saved");
    // The reviewer's own file, beside keymap.toml, overrides the team's by name.
    let config = tmux.config.path().join("triage");
    fs::create_dir_all(&config).expect("config folder");
    fs::write(
        config.join("queries.toml"),
        "desalination = \"desalination brine\"\n",
    )
    .expect("user queries.toml");
    tmux.start(&inbox);
    tmux.wait_for_screen("the inbox", |s| s.contains("Russia Backs Syria"));

    tmux.keys(&["b"]);
    let screen = tmux.wait_for_screen("the list of saved searches", |s| {
        s.contains("Saved searches")
    });
    assert!(screen.contains("desalination brine"), "{screen}");
    assert!(!screen.contains("\"oil\""), "{screen}");
    tmux.keys(&["Down", "Enter"]);
    let screen = tmux.wait_for_screen("the list filtered", |s| {
        s.contains("1 match") && !s.contains("Saved searches")
    });
    assert!(screen.contains("1 match “desalination brine”"), "{screen}");
    assert!(!screen.contains("Russia Backs Syria's Fight"), "{screen}");

    // The guidelines close the help.
    tmux.keys(&["?"]);
    tmux.wait_for_screen("the help", |s| s.contains("Keys · keymap"));
    // One send-keys types every character of its string.
    tmux.keys(&["j".repeat(300).as_str()]);
    let screen = tmux.wait_for_screen("the guidelines", |s| {
        s.contains("Brine stories are environment, not economy.")
    });
    assert!(screen.contains("# Our codebook"), "{screen}");
    // q closes the help, then quits (Escape followed at once by q would read as Alt-q).
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the help closed", |s| !s.contains("Keys · keymap"));
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}
