//! Several reviewers on one inbox: each sees only their own decisions until they
//! ask for the others', and search finds articles by who reviewed them.

mod common;

use std::path::Path;

use common::{SEED, Screen};
use triage::labels::Axis;
use triage::store::{Edit, Status, WriteContext, write_edits};

/// Bob has already labelled the seed article.
fn bob_labelled_the_seed(inbox: &Path) {
    let edits = [
        Edit::Add(Axis::Region, "europe".into()),
        Edit::SetReliability(Some("mixed".into())),
        Edit::SetStatus(Status::Done),
    ];
    write_edits(
        &inbox.join(SEED),
        "bob",
        &edits,
        &WriteContext::now(String::new()),
    )
    .expect("bob's sidecar is written");
}

#[test]
fn other_reviewers_labels_are_announced_and_shown_on_request() {
    let mut screen = Screen::prepared(120, 40, bob_labelled_the_seed);
    let text = screen.text();
    assert!(
        text.contains("1 other reviewer (bob) · o shows their labels"),
        "{text}"
    );
    assert!(!text.contains("bob:"), "hidden until asked for: {text}");
    assert!(
        text.contains("reliability — · todo"),
        "alice's own labels are still empty: {text}"
    );

    screen.keys(&["o"]);
    let text = screen.text();
    assert!(
        text.contains("Others:    bob: region europe · theme —"),
        "{text}"
    );
    assert!(text.contains("reliability mixed · done"), "{text}");
    screen.keys(&["o"]);
    assert!(!screen.text().contains("bob:"), "{}", screen.text());
}

#[test]
fn search_by_reviewer_finds_what_they_reviewed() {
    let mut screen = Screen::prepared(120, 40, bob_labelled_the_seed);
    screen.keys(&["/"]);
    for c in "by:bob".chars() {
        screen.keys(&[&c.to_string()]);
    }
    screen.session.settle(std::time::Duration::from_secs(10));
    screen.keys(&["Enter"]);
    let text = screen.text();
    assert!(text.contains("1 match “by:bob”"), "{text}");
    assert!(text.contains("Russia Backs Syria"), "{text}");
}

/// Bob and Carol both finished the seed and disagree on region and reliability;
/// both finished the second article and agree on it.
fn bob_and_carol_disagree(inbox: &Path) {
    let second = inbox.join("001_central_banks_hold_rates.txt");
    let ctx = WriteContext::now(String::new());
    for (name, region, reliability) in [("bob", "europe", "mixed"), ("carol", "mena", "unreliable")]
    {
        let edits = [
            Edit::Add(Axis::Region, region.into()),
            Edit::Add(Axis::Region, "russia-fsu".into()),
            Edit::Add(Axis::Theme, "war-conflict".into()),
            Edit::SetReliability(Some(reliability.into())),
            Edit::SetStatus(Status::Done),
        ];
        write_edits(&inbox.join(SEED), name, &edits, &ctx).expect("seed sidecar");
        let edits = [
            Edit::Add(Axis::Region, "global".into()),
            Edit::SetStatus(Status::Done),
        ];
        write_edits(&second, name, &edits, &ctx).expect("second sidecar");
    }
}

#[test]
fn review_lists_disagreements_side_by_side_and_saves_the_final_labels() {
    let mut screen = Screen::prepared(120, 40, bob_and_carol_disagree);
    screen.keys(&["R"]);
    let text = screen.text();
    assert!(text.contains("Review as final  0/1 settled"), "{text}");
    assert!(
        !text.contains("Central banks"),
        "agreement is not listed: {text}"
    );
    assert!(
        text.contains("Reviewer  region ≠"),
        "the table marks the axes in dispute: {text}"
    );
    assert!(text.contains("bob       europe, russia-fsu"), "{text}");
    assert!(text.contains("carol     mena, russia-fsu"), "{text}");
    // The majority is suggested: what both chose.
    assert!(
        text.contains("region russia-fsu  1.00 ← 2 of 2 reviewers"),
        "{text}"
    );

    screen.keys(&["a", "3", "Enter"]);
    let text = screen.text();
    assert!(text.contains("1/1 settled"), "{text}");
    let final_sidecar = triage::store::read_sidecar(&triage::store::sidecar_path(
        &screen.dir.path().join("inbox").join(SEED),
        "final",
    ))
    .expect("parses")
    .expect("the final labels are saved as reviewer final");
    let d = final_sidecar.decision;
    assert_eq!(d.region, ["russia-fsu"]);
    assert_eq!(d.theme, ["war-conflict"]);
    assert_eq!(d.reliability.as_deref(), Some("mixed"));
    assert_eq!(d.status, Status::Done);

    // Leaving the review: alice again, with the whole inbox and her own (empty) labels.
    screen.keys(&["R"]);
    let text = screen.text();
    assert!(text.contains("Inbox  0/15 done"), "{text}");
    // The adjudicator's labels are the settled answer, not a third reviewer's.
    assert!(
        text.contains("2 other reviewers (bob, carol) · settled"),
        "{text}"
    );
}

#[test]
fn review_flag_opens_the_binary_in_review_as_final() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    bob_and_carol_disagree(&inbox);
    let tmux = common::Tmux::new("review");
    let bin = env!("CARGO_BIN_EXE_triage");
    tmux.start_shell(
        120,
        40,
        &format!("exec '{bin}' --inbox '{}' --review", inbox.display()),
    );
    tmux.wait_for_screen("the review", |s| s.contains("Review as final  0/1 settled"));
    tmux.keys(&["a", "3", "Enter"]);
    tmux.wait_for_screen("the settled article", |s| s.contains("1/1 settled"));
    let path = triage::store::sidecar_path(&inbox.join(SEED), "final");
    let d = triage::store::read_sidecar(&path)
        .expect("parses")
        .expect("written as final")
        .decision;
    assert_eq!(d.reliability.as_deref(), Some("mixed"));
    assert_eq!(d.status, Status::Done);
}

#[test]
fn stats_overlay_charts_progress_labels_and_reviewers() {
    let mut screen = Screen::prepared(120, 40, bob_and_carol_disagree);
    screen.keys(&["S"]);
    let text = screen.text();
    assert!(text.contains("Stats · alice"), "{text}");
    assert!(text.contains("Progress · 15 articles"), "{text}");
    assert!(text.contains("region · 4 decisions"), "{text}");
    // Bars are drawn: the to-do bar is the longest, with its count.
    assert!(text.contains("to do") && text.contains("15"), "{text}");
    assert!(text.contains("█"), "{text}");
    assert!(text.contains("bob") && text.contains("carol"), "{text}");
    insta::assert_snapshot!(text);
    screen.keys(&["Esc"]);
    assert!(!screen.text().contains("Stats · alice"));
}

/// Every sidecar under the inbox whose reviewer is one of `names`, with its bytes.
fn sidecars_of(inbox: &Path, names: &[&str]) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    common::files_under(inbox)
        .into_iter()
        .filter(|p| {
            let name = common::name_of(p);
            names.iter().any(|r| name.ends_with(&format!(".{r}.toml")))
        })
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read a sidecar");
            (p, bytes)
        })
        .collect()
}

/// The binary in tmux, as `env … triage --inbox INBOX ARGS`, echoing its exit status
/// when it ends so a refusal can be read off the screen.
fn start_triage(tmux: &common::Tmux, env: &str, inbox: &Path, args: &str) {
    let bin = env!("CARGO_BIN_EXE_triage");
    tmux.start_shell(
        120,
        40,
        &format!(
            "unset TRIAGE_REVIEWER; {env} '{bin}' --inbox '{}' {args}; echo EXIT=$?; sleep 60",
            inbox.display()
        ),
    );
}

/// Adjudication writes only the adjudicator's sidecar, whichever way it is opened:
/// `--review` with `--reviewer`, with `TRIAGE_REVIEWER`, with `--final-name`; and a
/// compared reviewer's name given as `--final-name` is refused before anything runs.
/// Alice, bob and carol all decided the seed and disagree; alice opens the review.
#[test]
fn review_under_every_entry_point_never_touches_a_reviewers_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    bob_and_carol_disagree(&inbox);
    let edits = [
        Edit::Add(Axis::Region, "europe".into()),
        Edit::SetReliability(Some("reliable".into())),
        Edit::SetStatus(Status::Done),
    ];
    write_edits(
        &inbox.join(SEED),
        "alice",
        &edits,
        &WriteContext::now(String::new()),
    )
    .expect("alice's sidecar");
    let raters = ["alice", "bob", "carol"];
    let before = sidecars_of(&inbox, &raters);
    assert_eq!(before.len(), 5, "alice's seed, bob's and carol's two each");
    let final_path = triage::store::sidecar_path(&inbox.join(SEED), "final");

    for (run, (what, env, args)) in [
        ("--reviewer alice --review", "", "--reviewer alice --review"),
        (
            "TRIAGE_REVIEWER=alice --review",
            "TRIAGE_REVIEWER=alice",
            "--review",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = std::fs::remove_file(&final_path);
        // A socket of its own per run: a server being killed is never reused.
        let tmux = common::Tmux::new(&format!("review-entry-{run}"));
        start_triage(&tmux, env, &inbox, args);
        tmux.wait_for_screen(what, |s| s.contains("Review as final  0/1 settled"));
        tmux.keys(&["a", "3", "Enter"]);
        tmux.wait_for_screen("the settled article", |s| s.contains("1/1 settled"));
        tmux.keys(&["q"]);
        tmux.wait_for_screen("the end", |s| s.contains("EXIT=0"));
        let d = triage::store::read_sidecar(&final_path)
            .expect("parses")
            .unwrap_or_else(|| panic!("{what}: the settled labels are saved as final"))
            .decision;
        assert_eq!(d.status, Status::Done, "{what}");
        assert_eq!(
            sidecars_of(&inbox, &raters),
            before,
            "{what}: no compared reviewer's sidecar changed"
        );
    }

    // --final-name: saved under that name; a compared reviewer's name is refused.
    let tmux = common::Tmux::new("review-named");
    start_triage(
        &tmux,
        "",
        &inbox,
        "--reviewer alice --review --final-name judge",
    );
    tmux.wait_for_screen("the review as judge", |s| {
        s.contains("Review as judge  0/1 settled")
    });
    tmux.keys(&["a", "3", "Enter"]);
    tmux.wait_for_screen("the settled article", |s| s.contains("1/1 settled"));
    tmux.keys(&["q"]);
    tmux.wait_for_screen("the end", |s| s.contains("EXIT=0"));
    let judge = triage::store::sidecar_path(&inbox.join(SEED), "judge");
    assert!(judge.is_file(), "the settled labels are saved as judge");

    for name in raters {
        let tmux = common::Tmux::new(&format!("review-refused-{name}"));
        start_triage(
            &tmux,
            "",
            &inbox,
            &format!("--reviewer alice --review --final-name {name}"),
        );
        let screen = tmux.wait_for_screen("the refusal", |s| s.contains("EXIT="));
        assert!(screen.contains("EXIT=2"), "{name}: {screen}");
        assert!(
            screen.contains(&format!("{name} already has done decisions")),
            "{name}: {screen}"
        );
    }
    assert_eq!(sidecars_of(&inbox, &raters), before);
}

/// With no disagreement in the inbox, the review says there is nothing to settle
/// rather than that nothing matches a search nobody typed.
#[test]
fn a_review_with_nothing_to_settle_says_so() {
    let mut screen = Screen::prepared(120, 40, bob_labelled_the_seed);
    screen.keys(&["R"]);
    let text = screen.text();
    assert!(text.contains("No disagreements to settle."), "{text}");
    assert!(!text.contains("Nothing matches the search"), "{text}");
    assert!(text.contains("no disagreements to settle"), "{text}");
}

/// An id labels.toml does not have is shown in the review's table, marked unknown,
/// and accepting the majority (`a`) never copies it into the settled labels.
#[test]
fn review_shows_an_unknown_id_and_never_copies_it() {
    let mut screen = Screen::prepared(120, 40, |inbox| {
        let ctx = WriteContext::now(String::new());
        for (name, reliability) in [("bob", "mixed"), ("carol", "unreliable")] {
            let edits = [
                Edit::Add(Axis::Region, "mena".into()),
                Edit::Add(Axis::Region, "atlantis".into()),
                Edit::SetReliability(Some(reliability.into())),
                Edit::SetStatus(Status::Done),
            ];
            write_edits(&inbox.join(SEED), name, &edits, &ctx).expect("sidecar");
        }
    });
    screen.keys(&["R"]);
    let text = screen.text();
    assert!(text.contains("mena, atlantis (unknown)"), "{text}");
    assert!(text.contains("region mena"), "{text}");
    assert!(!text.contains("region atlantis"), "{text}");
    screen.keys(&["a"]);
    let path = triage::store::sidecar_path(&screen.dir.path().join("inbox").join(SEED), "final");
    let d = triage::store::read_sidecar(&path)
        .expect("parses")
        .expect("the settled labels are saved")
        .decision;
    assert_eq!(d.region, ["mena"]);
}
