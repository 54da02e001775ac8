//! Time per decision: seconds spent while an article is selected, added up across
//! visits and stored in its sidecar's `seconds` with the next change to its decision;
//! a gap of two minutes or more between keys is idle time and not counted. Time is
//! never written on its own: what was counted on an article that is not changed again
//! is dropped when the program ends. Driven through the real key path with a clock
//! the test moves by hand.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{SEED, Screen};
use triage::runtime::Clock;
use triage::store::{read_sidecar, sidecar_path};

fn seconds_of(screen: &Screen, file: &str) -> f64 {
    let path = sidecar_path(&screen.dir.path().join("inbox").join(file), "alice");
    read_sidecar(&path)
        .expect("the sidecar parses")
        .expect("the sidecar exists")
        .decision
        .seconds
}

#[test]
fn time_is_counted_per_article_across_visits_without_idle_gaps() {
    let mut screen = Screen::new(120, 40);
    let clock = Arc::new(Mutex::new(Instant::now()));
    screen.session.set_clock(Clock::Manual(Arc::clone(&clock)));
    let wait = |secs: u64| {
        let mut now = clock.lock().expect("clock");
        *now += Duration::from_secs(secs);
    };
    const SECOND: &str = "001_central_banks_hold_rates.txt";

    wait(30);
    screen.keys(&["j"]); // 30 s on the seed, then the second article
    wait(10);
    screen.keys(&["k"]); // 10 s on the second, back to the seed
    wait(300);
    screen.keys(&["J"]); // five minutes away: idle, not counted
    wait(20);
    screen.keys(&["4"]); // 20 s more on the seed, and a change writes them
    assert_eq!(seconds_of(&screen, SEED), 50.0);

    wait(15);
    screen.keys(&["j"]); // 15 s more on the seed, not written yet
    wait(12);
    screen.keys(&["x"]); // the second article: 10 s earlier visit + 12 s now
    assert_eq!(seconds_of(&screen, SECOND), 22.0);
    assert_eq!(seconds_of(&screen, SEED), 50.0);

    // Ending the program writes nothing: the 15 s counted on the seed since its last
    // change are dropped, and both sidecars stay byte for byte as they were. (Until
    // issue 10 they were written at exit, which rewrote every decided article merely
    // looked at.)
    let inbox = screen.dir.path().join("inbox");
    let sidecars = [SEED, SECOND].map(|f| sidecar_path(&inbox.join(f), "alice"));
    let before = sidecars
        .clone()
        .map(|p| std::fs::read(p).expect("read a sidecar"));
    assert!(screen.session.finish().is_empty());
    let after = sidecars.map(|p| std::fs::read(p).expect("read a sidecar"));
    assert_eq!(before, after);
    assert_eq!(seconds_of(&screen, SEED), 50.0);
}

#[test]
fn time_counted_before_a_review_waits_for_the_reviewers_own_next_change() {
    let mut screen = Screen::new(120, 40);
    let clock = Arc::new(Mutex::new(Instant::now()));
    screen.session.set_clock(Clock::Manual(Arc::clone(&clock)));
    let wait = |secs: u64| {
        let mut now = clock.lock().expect("clock");
        *now += Duration::from_secs(secs);
    };
    wait(30);
    screen.keys(&["4"]); // 30 s on the seed, written with the change
    assert_eq!(seconds_of(&screen, SEED), 30.0);
    wait(20);
    screen.keys(&["R"]); // 20 s more on the seed; the review writes as `final`
    wait(50);
    screen.keys(&["R"]); // back to alice, the seed selected again
    wait(5);
    screen.keys(&["4"]); // a change: alice's 20 s and 5 s ride along with it
    assert_eq!(seconds_of(&screen, SEED), 55.0);
    let finals = sidecar_path(&screen.dir.path().join("inbox").join(SEED), "final");
    assert!(!finals.exists(), "the review wrote nothing");
}

#[test]
fn undoing_a_change_never_takes_time_back() {
    let mut screen = Screen::new(120, 40);
    let clock = Arc::new(Mutex::new(Instant::now()));
    screen.session.set_clock(Clock::Manual(Arc::clone(&clock)));
    *clock.lock().expect("clock") += Duration::from_secs(40);
    screen.keys(&["4"]);
    *clock.lock().expect("clock") += Duration::from_secs(5);
    screen.keys(&["u"]);
    assert_eq!(seconds_of(&screen, SEED), 45.0);
}
