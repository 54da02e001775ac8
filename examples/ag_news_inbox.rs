//! Turns AG News (`label,title,description`) into an inbox half labeled by a team,
//! and scores what `triage list --format json` then suggests for the other half: the
//! held-out measurement of learned suggestions, end to end through the real program.
//!
//! ```text
//! cargo run --release --example ag_news_inbox -- make ../shared/dev-data/ag_news_test.csv /tmp/ag
//! target/release/triage --inbox /tmp/ag/inbox --reviewer me list --format json > /tmp/ag/list.json
//! cargo run --release --example ag_news_inbox -- score /tmp/ag
//! ```
//!
//! `make` writes `DIR/inbox/NNNNN.txt` (the title, a blank line, the description),
//! a `labels.toml` whose theme axis is AG News's four classes, sidecars of reviewer
//! `trainer` (done, with the class as theme) for a deterministic half of the items,
//! and `DIR/answers.tsv` with the class of each item of the other half. `score`
//! reads `DIR/answers.tsv` and `DIR/list.json` and prints the theme micro-F1 of the
//! suggestions `a` would accept, and the share of items with any suggestion.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use triage::corpus::ag_news;
use triage::domain::{Edit, Status};
use triage::labels::Axis;
use triage::store::{WriteContext, sha256_hex, write_edits};

const USAGE: &str = "usage: ag_news_inbox make CSV DIR [--limit N] | score DIR";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("make") if args.len() >= 3 => {
            let limit = match args.iter().position(|a| a == "--limit") {
                Some(at) => match args.get(at + 1).and_then(|n| n.parse().ok()) {
                    Some(n) => n,
                    None => {
                        eprintln!("--limit needs a number");
                        return ExitCode::from(2);
                    }
                },
                None => usize::MAX,
            };
            make(Path::new(&args[1]), Path::new(&args[2]), limit)
        }
        Some("score") if args.len() == 2 => score(Path::new(&args[1])),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ag_news_inbox: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A stable pseudo-random bit per item, so the halves do not follow the file's order.
fn in_training_half(i: usize) -> bool {
    let mut x = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) & 1 == 0
}

fn make(csv_path: &Path, dir: &Path, limit: usize) -> Result<(), String> {
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).map_err(|e| format!("cannot make {}: {e}", inbox.display()))?;
    std::fs::write(inbox.join("labels.toml"), ag_news::LABELS).map_err(|e| e.to_string())?;
    let items = ag_news::read(csv_path)?;
    let now: toml::value::Datetime = "2026-11-29T12:00:00Z".parse().map_err(|e| format!("{e}"))?;
    let mut answers = String::new();
    let (mut train, mut test) = (0, 0);
    for (i, item) in items.iter().enumerate().take(limit) {
        let class = item.class;
        let name = format!("{i:05}.txt");
        let path = inbox.join(&name);
        let text = format!("{}\n\n{}\n", item.title, item.description);
        std::fs::write(&path, &text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if in_training_half(i) {
            let ctx = WriteContext {
                now,
                article_sha256: sha256_hex(text.as_bytes()),
                faults: Default::default(),
            };
            let edits = [
                Edit::Add(Axis::Theme, class.into()),
                Edit::SetStatus(Status::Done),
            ];
            write_edits(&path, "trainer", &edits, &ctx).map_err(|e| e.to_string())?;
            train += 1;
        } else {
            answers.push_str(&format!("{name}\t{class}\n"));
            test += 1;
        }
    }
    std::fs::write(dir.join("answers.tsv"), answers).map_err(|e| e.to_string())?;
    println!(
        "{}: {train} decided by trainer, {test} to suggest for (answers.tsv)",
        inbox.display()
    );
    Ok(())
}

fn score(dir: &Path) -> Result<(), String> {
    let read = |p: PathBuf| {
        std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let answers: HashMap<String, String> = read(dir.join("answers.tsv"))?
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    let list: serde_json::Value = serde_json::from_str(&read(dir.join("list.json"))?)
        .map_err(|e| format!("list.json: {e}"))?;
    let rows = list.as_array().ok_or("list.json is not a JSON array")?;
    let (mut tp, mut fp, mut fn_, mut any) = (0usize, 0usize, 0usize, 0usize);
    for row in rows {
        let Some(truth) = row["file"].as_str().and_then(|f| answers.get(f)) else {
            continue;
        };
        let suggested: Vec<&str> = row["suggestions"]["theme"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s["id"].as_str()).collect())
            .unwrap_or_default();
        any += usize::from(!suggested.is_empty());
        let hit = suggested.contains(&truth.as_str());
        tp += usize::from(hit);
        fn_ += usize::from(!hit);
        fp += suggested.iter().filter(|s| **s != truth).count();
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    println!(
        "theme: {} held-out items, micro precision {p:.3}, recall {r:.3}, F1 {f1:.3}; {any} with a suggestion",
        answers.len()
    );
    Ok(())
}
