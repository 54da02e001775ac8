//! Start-up on a 100,000-article inbox (about 500 MB): time to the first screen with
//! the list visible, and time until every article is loaded and indexed.
//!
//! Both go through the program's own path: the background loader, the app state
//! (which builds the search index as entries arrive) and the real renderer drawing
//! into a 120×40 test terminal. The corpus is generated once into
//! `target/bench-corpus/100000` by `triage::corpus` (the same generator as
//! `cargo run --release --example gen_corpus`). Figures are with the files in the
//! page cache (a warm start); see BENCHMARKS.md.
//!
//! Run: `cargo bench --bench startup`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use triage::app::AppState;
use triage::input::Keymap;
use triage::labels::Taxonomy;
use triage::store::{Loaded, load_in_background};
use triage::ui::Ui;

/// The program's allocator, so that the figures are the program's.
#[global_allocator]
static ALLOCATOR: triage::allocator::Split = triage::allocator::Split;

const ARTICLES: usize = 100_000;

fn corpus(n: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-corpus/{n}"));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let (files, bytes) = triage::corpus::write(&dir, n, 1).expect("write the corpus");
        eprintln!(
            "generated {files} articles, {} MB, in {}",
            bytes / 1_000_000,
            dir.display()
        );
        std::fs::write(&done, b"").expect("mark the corpus complete");
    }
    dir
}

fn startup(c: &mut Criterion) {
    let dir = corpus(ARTICLES);
    let taxonomy = Taxonomy::default();
    let keymap = Keymap::load("default", None, &taxonomy).expect("keymap");
    let mut group = c.benchmark_group("startup_100k");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));

    group.bench_function("first_screen", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let rx = load_in_background(dir.clone(), "bench".into());
                let mut state = AppState::empty(
                    triage::domain::ReviewerName::parse("bench").expect("a valid name"),
                    taxonomy.clone(),
                );
                match rx.recv() {
                    Ok(Loaded::Batch(entries)) => {
                        state.add_entries(entries);
                    }
                    other => panic!("expected a first batch, got {other:?}"),
                }
                let mut ui = Ui::new(true);
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
                terminal
                    .draw(|f| {
                        ui.render(&state, &keymap, f);
                    })
                    .expect("draw");
                total += start.elapsed();
                // Not timed: let the loader notice nobody listens and stop.
                drop(rx);
                std::thread::sleep(Duration::from_millis(300));
            }
            total
        })
    });

    group.bench_function("full_index", |b| {
        b.iter(|| {
            let rx = load_in_background(dir.clone(), "bench".into());
            let mut state = AppState::empty(
                triage::domain::ReviewerName::parse("bench").expect("a valid name"),
                taxonomy.clone(),
            );
            loop {
                match rx.recv() {
                    Ok(Loaded::Batch(entries)) => {
                        state.add_entries(entries);
                    }
                    Ok(Loaded::Late(entry)) => {
                        state.article_loaded(entry);
                    }
                    Ok(Loaded::Done(_)) => break,
                    other => panic!("loading failed: {other:?}"),
                }
            }
            assert_eq!(state.entries.len(), ARTICLES);
            state
        })
    });
    group.finish();
}

criterion_group!(benches, startup);
criterion_main!(benches);
