//! A disk that refuses writes (full, read-only, gone), injected through the store's
//! seam and driven through the real key → update → write → draw path: the decision
//! stays on screen marked unsaved, nothing on disk is torn, it is retried with the
//! next change or on demand, and quitting warns first.

mod common;

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{SEED, Screen};
use triage::runtime::{Ending, Redraw};
use triage::store::{Faults, Status, read_sidecar, sidecar_path};

/// A screen whose disk is full while the returned switch is on.
fn screen_with_a_full_disk() -> (Screen, Arc<AtomicBool>) {
    let mut screen = Screen::new(120, 40);
    let full = Arc::new(AtomicBool::new(false));
    let switch = Arc::clone(&full);
    screen.session.set_faults(Faults::new(move |_| {
        switch
            .load(Ordering::SeqCst)
            .then(|| std::io::Error::from_raw_os_error(28))
    }));
    (screen, full)
}

fn seed_sidecar(screen: &Screen) -> PathBuf {
    sidecar_path(&screen.dir.path().join("inbox").join(SEED), "alice")
}

#[test]
fn a_refused_write_stays_on_screen_unsaved_and_is_saved_on_demand() {
    let (mut screen, full) = screen_with_a_full_disk();
    full.store(true, Ordering::SeqCst);
    screen.keys(&["4"]);
    let text = screen.text();
    assert!(text.contains("Not saved"), "{text}");
    assert!(text.contains("No space left on device"), "{text}");
    assert!(text.contains("1 unsaved"), "{text}");
    assert!(text.contains("* Russia Backs Syria"), "{text}");
    assert!(text.contains("reliability unreliable"), "{text}");
    assert!(text.contains("Unsaved:"), "{text}");
    assert!(!seed_sidecar(&screen).exists(), "nothing reached the disk");
    assert_eq!(
        common::temporaries(screen.dir.path()),
        Vec::<PathBuf>::new()
    );

    // Still full: ctrl-s says so and keeps the change.
    screen.keys(&["C-s"]);
    assert!(
        screen.text().contains("Still not saved"),
        "{}",
        screen.text()
    );

    full.store(false, Ordering::SeqCst);
    screen.keys(&["C-s"]);
    let text = screen.text();
    assert!(text.contains("Saved: 1 change is now on disk."), "{text}");
    assert!(!text.contains("unsaved"), "{text}");
    let on_disk = read_sidecar(&seed_sidecar(&screen))
        .expect("parses")
        .expect("exists");
    assert_eq!(on_disk.decision.reliability.as_deref(), Some("unreliable"));
}

#[test]
fn unsaved_changes_are_retried_with_the_next_change_in_the_order_made() {
    let (mut screen, full) = screen_with_a_full_disk();
    // A decision already on disk, which the full disk must leave whole.
    screen.keys(&["1"]);
    let before = fs::read(seed_sidecar(&screen)).expect("first write landed");
    full.store(true, Ordering::SeqCst);
    screen.keys(&["4", "c", "x", "Enter", "c"]);
    screen.keys(&["C-g"]); // not bound: nothing; the note editor is open
    screen.keys(&["y", "Enter"]);
    assert_eq!(
        fs::read(seed_sidecar(&screen)).expect("still there"),
        before,
        "a refused write never touches the sidecar"
    );
    assert_eq!(
        common::temporaries(screen.dir.path()),
        Vec::<PathBuf>::new()
    );

    full.store(false, Ordering::SeqCst);
    screen.keys(&["Enter"]); // done: the next change carries the old ones with it
    let on_disk = read_sidecar(&seed_sidecar(&screen))
        .expect("parses")
        .expect("exists");
    assert_eq!(on_disk.decision.reliability.as_deref(), Some("unreliable"));
    assert_eq!(
        on_disk.decision.note.as_deref(),
        Some("xy"),
        "the later note wins, as it did on screen"
    );
    assert_eq!(on_disk.decision.status, Status::Done);
    assert!(screen.session.state.unsaved.is_empty());
}

#[test]
fn quitting_with_unsaved_changes_warns_and_a_second_quit_leaves() {
    let (mut screen, full) = screen_with_a_full_disk();
    full.store(true, Ordering::SeqCst);
    screen.keys(&["f"]);
    let quit = crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('q'),
        crossterm::event::KeyModifiers::NONE,
    ));
    assert_eq!(
        screen.session.handle(quit.clone()),
        Redraw::Yes,
        "warned, not quit"
    );
    screen.session.draw(&mut screen.terminal).expect("draw");
    assert!(
        screen.text().contains("1 change is not saved"),
        "{}",
        screen.text()
    );
    assert_eq!(
        screen.session.handle(quit.clone()),
        Redraw::End(Ending::Quit),
        "asked twice: quit"
    );

    // With the disk back, the retry before quitting saves it and quits at once.
    let (mut screen, full) = screen_with_a_full_disk();
    full.store(true, Ordering::SeqCst);
    screen.keys(&["f"]);
    full.store(false, Ordering::SeqCst);
    assert_eq!(screen.session.handle(quit), Redraw::End(Ending::Quit));
    let on_disk = read_sidecar(&seed_sidecar(&screen))
        .expect("parses")
        .expect("exists");
    assert_eq!(on_disk.decision.status, Status::Flagged);
}
