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
