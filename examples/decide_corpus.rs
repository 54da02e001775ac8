//! Decides the first N articles of an inbox as reviewer `team`, with the regions and
//! themes the articles give themselves: an inbox with thousands of decisions for the
//! suggestion benchmarks (`triage list` with a model learned from them).
//!
//! ```text
//! cargo run --release --example gen_corpus -- /tmp/corpus 10000
//! cargo run --release --example decide_corpus -- /tmp/corpus 7000
//! ```
//!
//! The sidecars are written through the program's own store (atomic, locked), as
//! `triage label` writes them; an article that names no label of the default
//! taxonomy is decided with the `global` region and the `politics` theme.

use std::path::Path;
use std::process::ExitCode;

use triage::article::{Format, parse, suggest};
use triage::domain::{Edit, Status};
use triage::labels::{Axis, Taxonomy};
use triage::store::{WriteContext, scan, sha256_hex, write_edits};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (args.first(), args.get(1).and_then(|n| n.parse().ok())) else {
        eprintln!("usage: decide_corpus DIR N");
        return ExitCode::from(2);
    };
    match decide(Path::new(dir), n) {
        Ok(done) => {
            println!("{dir}: {done} articles decided by team");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("decide_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

fn decide(dir: &Path, n: usize) -> Result<usize, String> {
    let taxonomy = Taxonomy::default();
    let found = scan(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let now: toml::value::Datetime = "2026-11-29T12:00:00Z".parse().map_err(|e| format!("{e}"))?;
    let mut done = 0;
    for entry in found.entries.iter().take(n) {
        let path = dir.join(&entry.rel);
        let Some(format) = Format::from_path(&path) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let Ok(article) = parse(format, &entry.rel.to_string_lossy(), &bytes) else {
            continue;
        };
        let s = suggest(&article, &taxonomy);
        let mut edits: Vec<Edit> = Vec::new();
        for (axis, fallback) in [(Axis::Region, "global"), (Axis::Theme, "politics")] {
            let ids = s.ids(axis);
            if ids.is_empty() {
                edits.push(Edit::Add(axis, fallback.into()));
            }
            edits.extend(ids.into_iter().map(|id| Edit::Add(axis, id.into())));
        }
        edits.push(Edit::SetStatus(Status::Done));
        let ctx = WriteContext {
            now,
            article_sha256: sha256_hex(&bytes),
            faults: Default::default(),
        };
        write_edits(&path, "team", &edits, &ctx).map_err(|e| e.to_string())?;
        done += 1;
    }
    Ok(done)
}
