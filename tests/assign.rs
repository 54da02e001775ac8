//! `triage assign`, `is:mine` and the stats per assignee, through the real binary.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{command_as, copy_inbox, stderr, stdout, triage};

fn assign(inbox: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["assign"];
    all.extend_from_slice(args);
    triage(inbox, &all)
}

/// The `[articles]` table: article → reviewers.
fn articles(inbox: &Path) -> BTreeMap<String, Vec<String>> {
    let text = fs::read_to_string(inbox.join("assignments.toml")).expect("assignments written");
    let value: toml::Table = text.parse().expect("assignments.toml is TOML");
    value["articles"]
        .as_table()
        .expect("an [articles] table")
        .iter()
        .map(|(k, v)| {
            let names = v
                .as_array()
                .expect("a list")
                .iter()
                .map(|n| n.as_str().expect("a name").to_string())
                .collect();
            (k.clone(), names)
        })
        .collect()
}

fn article_count(inbox: &Path) -> usize {
    let out = triage(inbox, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().count()
}

#[test]
fn assign_gives_each_article_overlap_reviewers_and_balances_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = copy_inbox(dir.path());
    let out = assign(
        &inbox,
        &["--reviewers", "alice,bob,carol", "--overlap", "2"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("assigned now"), "{}", stdout(&out));
    let all = articles(&inbox);
    assert_eq!(all.len(), article_count(&inbox));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (article, names) in &all {
        assert_eq!(names.len(), 2, "{article}");
        assert_ne!(names[0], names[1], "{article}");
        for n in names {
            assert!(["alice", "bob", "carol"].contains(&n.as_str()), "{n}");
            *counts.entry(n.clone()).or_default() += 1;
        }
    }
    assert_eq!(counts.len(), 3);
    let (min, max) = (
        counts.values().min().copied().unwrap_or(0),
        counts.values().max().copied().unwrap_or(0),
    );
    assert!(max - min <= 1, "{counts:?}");
    // Nothing but the file was written, and no temporary file is left.
    assert!(common::temporaries(&inbox).is_empty());
}

#[test]
fn two_people_get_the_same_file_whatever_order_they_name_the_reviewers_in() {
    let one = tempfile::tempdir().expect("temp dir");
    let two = tempfile::tempdir().expect("temp dir");
    let (a, b) = (copy_inbox(one.path()), copy_inbox(two.path()));
    assert!(
        assign(&a, &["--reviewers", "alice,bob,carol", "--overlap", "2"])
            .status
            .success()
    );
    assert!(
        assign(&b, &["--reviewers", "carol,alice,bob", "--overlap", "2"])
            .status
            .success()
    );
    let read = |inbox: &Path| fs::read(inbox.join("assignments.toml")).expect("written");
    assert_eq!(read(&a), read(&b));
}

#[test]
fn running_again_keeps_every_entry_and_assigns_only_new_articles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = copy_inbox(dir.path());
    assert!(
        assign(&inbox, &["--reviewers", "alice,bob", "--overlap", "1"])
            .status
            .success()
    );
    // A hand edit: the seed article goes to someone the command never named.
    let path = inbox.join("assignments.toml");
    let text = fs::read_to_string(&path).expect("written");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("\"{}\"", common::SEED)))
        .expect("the seed is assigned")
        .to_string();
    let edited = text.replace(&line, &format!("\"{}\" = [\"zoe\"]", common::SEED));
    fs::write(&path, &edited).expect("edit");
    let before = articles(&inbox);
    fs::write(
        inbox.join("zz_new.txt"),
        "A new article\n\nIt arrived later.\n",
    )
    .expect("add");
    fs::create_dir_all(inbox.join("later")).expect("folder");
    fs::write(inbox.join("later/one.md"), "# Later\n\nMore.\n").expect("add");

    let out = assign(
        &inbox,
        &["--reviewers", "alice,bob,carol", "--overlap", "2"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 articles assigned now"),
        "{}",
        stdout(&out)
    );
    let after = articles(&inbox);
    for (article, names) in &before {
        assert_eq!(after.get(article), Some(names), "{article} was moved");
    }
    assert_eq!(after[common::SEED], ["zoe"]);
    for new in ["zz_new.txt", "later/one.md"] {
        assert_eq!(after[new].len(), 2, "{new}");
    }

    // Nothing new: the file is left byte for byte.
    let bytes = fs::read(&path).expect("written");
    assert!(
        assign(
            &inbox,
            &["--reviewers", "alice,bob,carol", "--overlap", "2"]
        )
        .status
        .success()
    );
    assert_eq!(fs::read(&path).expect("written"), bytes);
}

#[test]
fn bad_usage_is_one_sentence_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = copy_inbox(dir.path());
    let cases: [(&[&str], &str); 5] = [
        (
            &["--reviewers", "alice,bob", "--overlap", "3"],
            "between 1 and the number of reviewers (2)",
        ),
        (&["--reviewers", "alice,bob", "--overlap", "0"], "between 1"),
        (&["--reviewers", "alice,../bob"], "may only use letters"),
        (&["--reviewers", "alice,bob,alice"], "twice"),
        (&[], "assign needs --reviewers"),
    ];
    for (args, said) in cases {
        let out = assign(&inbox, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(said), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!inbox.join("assignments.toml").exists());
    }
}

#[test]
fn a_damaged_file_is_named_never_overwritten_and_never_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = copy_inbox(dir.path());
    let path = inbox.join("assignments.toml");
    let damaged = "[articles]\n\"a.txt\" = [\"alice\", \"alice\"]\n";
    fs::write(&path, damaged).expect("write");

    let out = assign(&inbox, &["--reviewers", "alice,bob"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("assignments.toml:2:") && err.contains("twice"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(fs::read_to_string(&path).expect("kept"), damaged);

    let out = triage(&inbox, &["search", "is:mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("assignments.toml:2:"),
        "{}",
        stderr(&out)
    );
    // Searches that do not ask about assignments do not care.
    assert!(triage(&inbox, &["search", "is:todo"]).status.success());

    // The stats are printed, with a warning and exit 1.
    let out = triage(&inbox, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("Progress for alice"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("assignments.toml:2:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn is_mine_finds_the_assigned_articles_and_every_article_without_assignments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = copy_inbox(dir.path());
    let files = |reviewer: &str| -> Vec<String> {
        let out = command_as(&inbox, reviewer, &["search", "is:mine"])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", stderr(&out));
        let mut files: Vec<String> = stdout(&out)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect();
        files.sort();
        files
    };
    assert_eq!(files("bob").len(), article_count(&inbox));
    assert!(
        assign(
            &inbox,
            &["--reviewers", "alice,bob,carol", "--overlap", "1"]
        )
        .status
        .success()
    );
    let all = articles(&inbox);
    for reviewer in ["alice", "bob", "carol"] {
        let want: Vec<String> = all
            .iter()
            .filter(|(_, names)| names.iter().any(|n| n == reviewer))
            .map(|(a, _)| a.clone())
            .collect();
        assert!(!want.is_empty());
        assert_eq!(files(reviewer), want, "{reviewer}");
    }
    // Someone the file does not name has nothing assigned.
    assert!(files("dave").is_empty());
}

#[test]
fn stats_show_progress_per_assignee() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = copy_inbox(dir.path());
    assert!(
        assign(&inbox, &["--reviewers", "alice,bob", "--overlap", "2"])
            .status
            .success()
    );
    let total = article_count(&inbox);
    common::label_as(&inbox, "bob", common::SEED, &["--status", "done"]);
    common::label_as(
        &inbox,
        "bob",
        "001_central_banks_hold_rates.txt",
        &["--status", "flagged"],
    );

    let out = triage(&inbox, &["stats", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rows: Vec<(String, u64, u64, u64)> = json["assignees"]
        .as_array()
        .expect("assignees")
        .iter()
        .map(|a| {
            (
                a["reviewer"].as_str().unwrap_or_default().to_string(),
                a["assigned"].as_u64().unwrap_or(0),
                a["done"].as_u64().unwrap_or(0),
                a["left"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let t = total as u64;
    assert_eq!(
        rows,
        [
            ("alice".to_string(), t, 0, t),
            ("bob".to_string(), t, 1, t - 1)
        ]
    );

    let out = triage(&inbox, &["stats"]);
    let text = stdout(&out);
    assert!(text.contains("assignee  assigned  done  left"), "{text}");
    let bob: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("assignee"))
        .find(|l| l.starts_with("bob"))
        .expect("a row for bob")
        .split_whitespace()
        .collect();
    let (assigned, left) = (total.to_string(), (total - 1).to_string());
    assert_eq!(
        bob,
        ["bob", assigned.as_str(), "1", left.as_str()],
        "{text}"
    );
}
