//! The same reviewer in several processes at once loses nothing: four chains of
//! `triage label` calls, each changing a different field of the same five articles,
//! leave every field's last value on disk.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use triage::store::{Status, read_sidecar, sidecar_path};

/// Calls per process chain; four chains run at once.
const CALLS: usize = 200;
/// Articles in the root folder and in two subfolders, so that writes meet on the same
/// lock and on different ones.
const ARTICLES: [&str; 5] = [
    common::SEED,
    "001_central_banks_hold_rates.txt",
    "002_lithium_salt_flats.md",
    "asia/007_chip_export_controls.txt",
    "europe/004_rail_strike_besancon.md",
];
/// The built-in taxonomy's ids, as the sample inbox's labels.toml has them.
const RELIABILITY: [&str; 5] = [
    "reliable",
    "mostly-reliable",
    "mixed",
    "unreliable",
    "fabricated",
];
const REGIONS: [&str; 9] = [
    "africa",
    "asia",
    "europe",
    "latam",
    "mena",
    "north-america",
    "oceania",
    "russia-fsu",
    "global",
];
const STATUSES: [&str; 3] = ["done", "skipped", "flagged"];

/// What call `j` of chain `chain` changes: the flag and its value.
fn change(chain: usize, j: usize) -> (&'static str, String) {
    // Values step with j / 5, not j, so that each article (j % 5) sees them all.
    match chain {
        0 => ("--note", format!("t0-{j}")),
        1 => ("--reliability", RELIABILITY[(j / 5 + j) % 5].to_string()),
        2 => ("--status", STATUSES[j % 3].to_string()),
        _ => ("--region", REGIONS[(j / 5) % 9].to_string()),
    }
}

fn label(inbox: &Path, config: &Path, article: &Path, flag: &str, value: &str) {
    let out = common::binary_in(config)
        .arg("--inbox")
        .arg(inbox)
        .args(["--reviewer", "alice", "label"])
        .arg(article)
        .args([flag, value])
        .env("XDG_CONFIG_HOME", config)
        .env_remove("TRIAGE_INBOX")
        .env_remove("TRIAGE_REVIEWER")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "triage label {} {flag} {value:?} failed ({}): {}",
        article.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn same_reviewer_in_four_processes_loses_no_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let config = dir.path().join("config");
    let articles: Vec<PathBuf> = ARTICLES.iter().map(|a| inbox.join(a)).collect();
    for article in &articles {
        assert!(
            article.is_file(),
            "{} is in the sample inbox",
            article.display()
        );
    }

    let started = Instant::now();
    let chains: Vec<_> = (0..4)
        .map(|chain| {
            let (inbox, config, articles) = (inbox.clone(), config.clone(), articles.clone());
            std::thread::spawn(move || {
                for j in 0..CALLS {
                    let (flag, value) = change(chain, j);
                    label(&inbox, &config, &articles[j % 5], flag, &value);
                }
            })
        })
        .collect();
    for chain in chains {
        chain.join().expect("a chain of triage label calls");
    }
    println!(
        "{} triage label calls in {:.1?}",
        4 * CALLS,
        started.elapsed()
    );

    // The last value each chain gave each article, and the order in which chain 3
    // first added each region there: labels are kept in the order they were added, so
    // an add lost and redone later would show up out of order.
    let mut last: HashMap<(usize, usize), String> = HashMap::new();
    let mut regions: Vec<Vec<String>> = vec![Vec::new(); 5];
    for j in 0..CALLS {
        for chain in 0..3 {
            last.insert((chain, j % 5), change(chain, j).1);
        }
        let region = change(3, j).1;
        if !regions[j % 5].contains(&region) {
            regions[j % 5].push(region);
        }
    }

    for (a, article) in articles.iter().enumerate() {
        let path = sidecar_path(article, "alice");
        let sidecar = read_sidecar(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("{} was written", path.display()));
        let decision = &sidecar.decision;
        assert_eq!(
            decision.note.as_deref(),
            Some(last[&(0, a)].as_str()),
            "{a}"
        );
        assert_eq!(
            decision.reliability.as_deref(),
            Some(last[&(1, a)].as_str()),
            "{a}"
        );
        assert_eq!(Some(decision.status), Status::parse(&last[&(2, a)]), "{a}");
        assert_eq!(decision.region, regions[a], "{a}");
        assert!(decision.theme.is_empty());
    }
    assert_eq!(common::temporaries(&inbox), Vec::<PathBuf>::new());
}
