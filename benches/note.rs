//! Typing in the note editor with a 10 MB note already saved: one keystroke, from the
//! key event to the frame drawn into a 120×40 test terminal, through the program's
//! own path (`Session::handle`, `Session::draw`). The note is in the reviewer's
//! sidecar, as a colleague's script or a paste could have left it. Budget: a
//! keystroke stays instant (well under one 60 Hz frame, 16 ms) whatever the note's
//! size; see BENCHMARKS.md.
//!
//! Run: `cargo bench --bench note`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use triage::app::AppState;
use triage::input::Keymap;
use triage::labels::Taxonomy;
use triage::runtime::Session;
use triage::store::Inbox;

const NOTE_BYTES: usize = 10 * 1024 * 1024;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn note_typing(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path();
    std::fs::write(inbox.join("a.txt"), "A title\n\nThe story.\n").expect("article");
    // Words and line breaks, as a long pasted text has them.
    let line = "a long note of many words that goes on and on, ";
    let mut note = String::with_capacity(NOTE_BYTES + line.len());
    while note.len() < NOTE_BYTES {
        note.push_str(line);
        if note.len() % 4096 < line.len() {
            note.push('\n');
        }
    }
    let mut sidecar = toml::Table::new();
    sidecar.insert("schema".into(), toml::Value::Integer(1));
    sidecar.insert("note".into(), toml::Value::String(note));
    std::fs::write(
        inbox.join("a.txt.bench.toml"),
        toml::to_string(&sidecar).expect("render"),
    )
    .expect("sidecar");

    let taxonomy = Taxonomy::default();
    let keymap = Keymap::load("default", None, &taxonomy).expect("keymap");
    let loaded = Inbox::load(inbox, "bench").expect("inbox");
    let state = AppState::new(
        triage::domain::ReviewerName::parse("bench").expect("a valid name"),
        taxonomy,
        loaded.entries,
    );
    let mut session = Session::new(state, keymap, false);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    session.handle(Event::Resize(120, 40));
    session.draw(&mut terminal).expect("draw");

    let mut group = c.benchmark_group("note_10mb");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("draw_with_note_shown", |b| {
        b.iter(|| session.draw(&mut terminal).expect("draw"));
    });
    // Open the editor (`c`), then type: each iteration is one character and its frame.
    session.handle(key('c'));
    session.draw(&mut terminal).expect("draw");
    group.bench_function("keystroke", |b| {
        b.iter(|| {
            session.handle(key('x'));
            session.draw(&mut terminal).expect("draw");
        });
    });
    group.finish();
}

criterion_group!(benches, note_typing);
criterion_main!(benches);
