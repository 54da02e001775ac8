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
        text.contains("region russia-fsu   ← 2 of 2 reviewers"),
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
