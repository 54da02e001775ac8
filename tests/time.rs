//! Time per decision: seconds spent while an article is selected, added up across
//! visits and stored in its sidecar's `seconds`; a gap of two minutes or more
//! between keys is idle time and not counted. Driven through the real key path with
//! a clock the test moves by hand.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{SEED, Screen};
use triage::store::{read_sidecar, sidecar_path};
use triage::tui::Clock;

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

    // Ending the program writes what was counted on articles that have a sidecar.
    assert!(screen.session.finish().is_empty());
    assert_eq!(seconds_of(&screen, SEED), 65.0);
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
