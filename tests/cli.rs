//! The non-interactive commands, run as a user runs them: the built binary, a private
//! copy of the sample inbox, exit codes and what lands on stdout, stderr and disk.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{SEED, stderr, stdout, triage};

#[test]
fn list_tsv_has_one_row_per_article_with_status_and_labels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let out = triage(
        &inbox,
        &[
            "label",
            SEED,
            "--region",
            "mena",
            "--region",
            "russia-fsu",
            "--reliability",
            "unreliable",
            "--status",
            "done",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        inbox
            .join(format!("{SEED}.alice.toml"))
            .display()
            .to_string()
    );

    let out = triage(&inbox, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 15, "{text}");
    assert!(rows.iter().all(|r| r.len() == 6), "{text}");
    assert_eq!(
        rows[0],
        [
            SEED,
            "done",
            "mena;russia-fsu",
            "",
            "unreliable",
            "Russia Backs Syria's Fight against ISIS, in Support of Assad Government: Lavrov"
        ]
    );
    assert_eq!(rows[1][1], "todo");
    assert!(
        rows.iter().any(|r| r[0].starts_with("europe/")),
        "subfolders are listed: {text}"
    );
}

#[test]
fn list_json_carries_metadata_and_suggestions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let out = triage(&inbox, &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let seed = &rows[0];
    assert_eq!(seed["file"], SEED);
    assert_eq!(seed["status"], "todo");
    assert_eq!(seed["publisher"], "Global Research");
    assert_eq!(seed["date"], "2015-09-12");
    assert_eq!(seed["authors"], serde_json::json!(["RT"]));
    assert_eq!(seed["suggestions"]["region"][0]["id"], "mena");
    assert_eq!(seed["suggestions"]["region"][1]["id"], "russia-fsu");
    assert_eq!(seed["suggestions"]["theme"][0]["id"], "war-conflict");
    // Each suggestion: `{id, from, score}`; what `a` leaves out is under `weaker`.
    assert_eq!(
        seed["suggestions"]["region"][0],
        serde_json::json!({"id": "mena", "from": "Region: Middle East & North Africa", "score": 1.0})
    );
    for axis in ["region", "theme"] {
        assert!(seed["suggestions"]["weaker"][axis].is_array(), "{seed}");
    }
}

#[test]
fn bad_usage_exits_2_with_one_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    for args in [
        vec!["label", SEED, "--region", "atlantis"],
        vec!["label", SEED],
        vec!["label", "no-such-article.txt", "--status", "done"],
        vec!["label", SEED, "--status", "finished"],
        vec!["list", "--format", "xml"],
    ] {
        let out = triage(&inbox, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            !err.contains("panicked") && !err.contains("Error {"),
            "{args:?}: {err}"
        );
    }
    let out = triage(&inbox, &["label", SEED, "--region", "atlantis"]);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(
        !inbox.join(format!("{SEED}.alice.toml")).exists(),
        "nothing was written"
    );
}

#[test]
fn check_passes_on_the_sample_inbox_and_names_a_broken_sidecar() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let out = triage(&inbox, &["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("checked 15 articles"),
        "{}",
        stdout(&out)
    );

    let broken = inbox.join("europe").join(
        fs::read_dir(inbox.join("europe"))
            .expect("europe folder")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.ends_with(".md") || n.ends_with(".txt"))
            .map(|n| format!("{n}.bob.toml"))
            .expect("an article in europe/"),
    );
    let garbage = "status = \"done\"\nregion = [\"mena\"\n";
    fs::write(&broken, garbage).expect("write a broken sidecar");
    let out = triage(&inbox, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    let name = broken
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("problem:") && l.contains(&name)),
        "{report}"
    );

    // Labeling as bob refuses to touch it, says why, and leaves the bytes alone.
    let article = broken
        .to_string_lossy()
        .trim_end_matches(".bob.toml")
        .to_string();
    let out = common::binary_in(dir.path())
        .args([
            "--inbox",
            &inbox.to_string_lossy(),
            "--reviewer",
            "bob",
            "label",
            &article,
            "--status",
            "done",
        ])
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("will not be overwritten"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&broken).expect("still there"), garbage);
}

#[test]
fn a_broken_labels_file_stops_with_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let labels = inbox.join("labels.toml");
    let text = fs::read_to_string(&labels).expect("labels.toml");
    // Give Europe the key of Asia.
    fs::write(
        &labels,
        text.replace(
            "name = \"Europe\", key = \"e\"",
            "name = \"Europe\", key = \"s\"",
        ),
    )
    .expect("write");
    let out = triage(&inbox, &["list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("labels.toml:") && err.contains("\"asia\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_keymap_with_a_key_bound_twice_stops_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let keymap = dir.path().join("mine.toml");
    fs::write(&keymap, "[list]\nbindings = [\n  { keys = [\"j\"], action = \"next\" },\n  { keys = [\"j\"], action = \"prev\" },\n]\n").expect("write");
    let out = triage(&inbox, &["--keymap", &keymap.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("mine.toml:4") && err.contains("next") && err.contains("prev"),
        "{err}"
    );
}

#[test]
fn list_into_a_closed_pipe_exits_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("big");
    fs::create_dir_all(&inbox).expect("inbox");
    // Enough rows to overflow a pipe buffer, so the writer meets the closed pipe.
    for i in 0..3000 {
        fs::write(
            inbox.join(format!("{i:05}.txt")),
            format!("Article number {i} with a reasonably long title for the row\n\nBody.\n"),
        )
        .expect("write");
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' --inbox '{}' --reviewer alice list | head -n 1",
            env!("CARGO_BIN_EXE_triage"),
            inbox.display()
        ))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .expect("sh runs");
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().count(), 1);
    assert_eq!(stderr(&out), "", "no panic, no error on a closed pipe");
}

#[test]
fn search_prints_ranked_results_in_tsv_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let out = triage(&inbox, &["search", "desalination brine"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0][0].contains("desalination"), "{text}");
    assert_eq!(rows[0][1], "todo");
    assert!(rows[0][3].starts_with("Desalination Boom"), "{text}");
    assert!(
        rows[0][4].to_lowercase().contains("brine"),
        "the best body line: {text}"
    );

    // Title matches rank above body-only ones; --limit cuts the list.
    let out = triage(&inbox, &["search", "brine", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| {
        r["body_line"]
            .as_str()
            .is_some_and(|l| l.to_lowercase().contains("brine"))
    }));

    let out = triage(
        &inbox,
        &["search", "russia", "--format", "json", "--limit", "1"],
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    let first = &rows[0];
    assert_eq!(first["file"], SEED);
    let title = first["title"].as_str().unwrap_or_default();
    let marked: String = first["title_matches"]
        .as_array()
        .expect("matched characters")
        .iter()
        .filter_map(|i| i.as_u64().and_then(|i| title.chars().nth(i as usize)))
        .collect();
    assert_eq!(marked, "Russia", "the matched title characters");

    // A malformed query is bad usage with one sentence.
    let out = triage(&inbox, &["search", "is:maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn imported_sources_suggest_reliability_with_where_it_came_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    fs::write(
        inbox.join("900_sourced.txt"),
        "Port talks resume\n\nURL: https://news.example.org/port-talks\n\nTalks resumed on Monday.\n",
    )
    .expect("write an article");
    let csv = dir.path().join("list.csv");
    fs::write(
        &csv,
        "url,type\nhttps://www.example.org/,satire\nrt.com,state\n,satire\nfoo.com,unknown\n",
    )
    .expect("write a csv");

    let out = triage(
        &inbox,
        &[
            "sources",
            "import",
            &csv.to_string_lossy(),
            "--map",
            "satire=unreliable,state=mixed",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(report.contains("imported 2 sources"), "{report}");
    assert!(
        report.contains("line 4") && report.contains("line 5"),
        "unusable rows are named: {report}"
    );
    let toml = fs::read_to_string(inbox.join("sources.toml")).expect("sources.toml written");
    assert!(toml.contains("\"example.org\" = \"unreliable\""), "{toml}");
    assert!(toml.contains("\"rt.com\" = \"mixed\""), "{toml}");

    let out = triage(&inbox, &["list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let row = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["file"] == "900_sourced.txt"))
        .expect("the new article is listed");
    assert_eq!(
        row["suggestions"]["reliability"]["id"], "unreliable",
        "news.example.org falls back to example.org"
    );
    assert_eq!(
        row["suggestions"]["reliability"]["from"],
        "sources.toml: example.org"
    );

    // A reliability id the taxonomy lacks is bad usage, and nothing is written.
    let before = fs::read_to_string(inbox.join("sources.toml")).expect("still there");
    let out = triage(
        &inbox,
        &[
            "sources",
            "import",
            &csv.to_string_lossy(),
            "--map",
            "satire=bogus",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(inbox.join("sources.toml")).expect("still there"),
        before
    );
}

#[test]
fn export_csv_reads_back_with_a_csv_reader_field_for_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let note = "RT reprint, \"Lavrov\" quotes\nsecond line";
    common::label_as(
        &inbox,
        "bob",
        SEED,
        &[
            "--region",
            "mena",
            "--region",
            "russia-fsu",
            "--theme",
            "war-conflict",
        ],
    );
    common::label_as(
        &inbox,
        "bob",
        SEED,
        &[
            "--reliability",
            "unreliable",
            "--status",
            "done",
            "--note",
            note,
        ],
    );
    let out = triage(&inbox, &["export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "file",
            "title",
            "source",
            "date",
            "status",
            "region",
            "theme",
            "reliability",
            "note",
            "reviewer",
            "decided_at",
            "seconds"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert_eq!(rows.len(), 15, "one row per article (one reviewer here)");
    let seed = &rows[0];
    let fields: Vec<&str> = seed.iter().collect();
    assert_eq!(fields[0], SEED);
    assert_eq!(
        fields[1],
        "Russia Backs Syria's Fight against ISIS, in Support of Assad Government: Lavrov"
    );
    assert_eq!(fields[2], "RT");
    assert_eq!(fields[3], "2015-09-12");
    assert_eq!(fields[4], "done");
    assert_eq!(fields[5], "mena;russia-fsu");
    assert_eq!(fields[6], "war-conflict");
    assert_eq!(fields[7], "unreliable");
    assert_eq!(fields[8], note, "quotes, commas and line breaks survive");
    assert_eq!(fields[9], "bob");
    assert!(
        fields[10].len() == 20 && fields[10].ends_with('Z'),
        "RFC 3339: {}",
        fields[10]
    );
    assert_eq!(fields[11], "0");
    // An article nobody decided: a todo row without a reviewer.
    let other: Vec<&str> = rows[1].iter().collect();
    assert_eq!(other[4], "todo");
    assert_eq!(other[9], "");
}

#[test]
fn export_jsonl_has_arrays_and_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    common::label_as(
        &inbox,
        "bob",
        SEED,
        &["--region", "mena", "--status", "done"],
    );
    let out = triage(&inbox, &["export", "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = stdout(&out)
        .lines()
        .next()
        .map(String::from)
        .expect("a line");
    let row: serde_json::Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(row["region"], serde_json::json!(["mena"]));
    assert_eq!(row["theme"], serde_json::json!([]));
    assert_eq!(row["reviewer"], "bob");
    assert!(row["seconds"].is_number());
    assert!(row["note"].is_null());
}

#[test]
fn stats_and_agree_report_in_text_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    for (who, region, rel) in [("bob", "mena", "mixed"), ("carol", "europe", "unreliable")] {
        common::label_as(
            &inbox,
            who,
            SEED,
            &["--region", region, "--reliability", rel, "--status", "done"],
        );
    }
    let out = triage(&inbox, &["stats", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(stats["progress"]["total"], 15);
    assert_eq!(stats["progress"]["todo"], 15, "alice has decided nothing");
    assert_eq!(stats["reviewers"][0]["reviewer"], "bob");
    assert_eq!(stats["reviewers"][0]["done"], 1);

    let out = triage(&inbox, &["agree"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("bob · carol"), "{text}");
    assert!(text.contains("Disagreements: 1 article"), "{text}");
    let out = triage(&inbox, &["agree", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["disagreements"][0]["file"], SEED);
    assert_eq!(report["axes"][0]["pairs"][0]["shared"], 1);
}

/// 300 reviewers make 44,850 pairs per axis: the text report summarizes them (the
/// lowest pairs, each reviewer's mean) in a bounded number of lines and says where
/// every pair is; the JSON still has them all.
#[test]
fn agree_with_hundreds_of_reviewers_prints_a_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("inbox");
    fs::create_dir(&inbox).expect("create inbox");
    let articles = ["a.txt", "b.txt"];
    for article in articles {
        fs::write(inbox.join(article), "Title\n\nBody.\n").expect("write article");
    }
    for i in 0..300 {
        for (k, article) in articles.iter().enumerate() {
            let region = ["mena", "europe", "global"][(i + k) % 3];
            let reliability = ["reliable", "mixed"][(i / 2) % 2];
            fs::write(
                inbox.join(format!("{article}.r{i:03}.toml")),
                format!(
                    "status = \"done\"\nregion = [\"{region}\"]\ntheme = []\nreliability = \"{reliability}\"\n"
                ),
            )
            .expect("write sidecar");
        }
    }
    let out = triage(&inbox, &["agree"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines = text.lines().count();
    assert!(lines <= 150, "{lines} lines:\n{text}");
    assert!(text.contains("44850 pairs of 300 reviewers"), "{text}");
    assert!(
        text.contains("`triage agree --format json` lists every pair"),
        "{text}"
    );
    assert!(text.contains("lowest reviewers"), "{text}");
    assert!(
        text.contains("region:       europe ×100 | global ×100 | mena ×100"),
        "a disagreement among 300 shows the votes, not 300 names:\n{text}"
    );

    let out = triage(&inbox, &["agree", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        json["axes"][0]["pairs"].as_array().map(Vec::len),
        Some(44850)
    );
}

/// Sidecars that cannot be read — one that does not parse, one that is a folder, of
/// the reviewer running the command and of colleagues — are `error` in the list, a
/// warning naming the file and exit status 1 in export, stats and agree (which still
/// print the rest), and each is a problem for `check`.
#[test]
fn broken_sidecars_stay_visible_in_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    common::label_as(
        &inbox,
        "alice",
        SEED,
        &["--region", "mena", "--status", "done"],
    );
    common::label_as(
        &inbox,
        "bob",
        SEED,
        &["--region", "europe", "--status", "done"],
    );
    let second = "001_central_banks_hold_rates.txt";
    let third = "002_lithium_salt_flats.md";
    let broken = [
        format!("{SEED}.carol.toml"),
        format!("{SEED}.dave.toml"),
        format!("{second}.alice.toml"),
        format!("{third}.alice.toml"),
    ];
    fs::write(
        inbox.join(&broken[0]),
        "status = \"done\"\nregion = [\"mena\"\n",
    )
    .expect("a sidecar that does not parse");
    fs::create_dir(inbox.join(&broken[1])).expect("a folder named like a sidecar");
    fs::write(inbox.join(&broken[2]), "status = \"done\"\nregion = 3\n")
        .expect("a sidecar with a wrong type");
    fs::create_dir(inbox.join(&broken[3])).expect("a folder named like my sidecar");
    let names_all = |text: &str, which: &[String]| {
        for name in which {
            assert!(
                text.lines().any(|l| l.contains(name.as_str())),
                "{name} is not named:\n{text}"
            );
        }
    };

    let out = triage(&inbox, &["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let status_of = |file: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!("{file}\t")))
            .and_then(|l| l.split('\t').nth(1))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(status_of(SEED), "done");
    assert_eq!(status_of(second), "error", "{text}");
    assert_eq!(status_of(third), "error", "{text}");
    assert!(text.lines().all(|l| l.split('\t').count() == 6), "{text}");
    names_all(&stderr(&out), &broken[2..]);

    let out = triage(&inbox, &["list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let row = |file: &str| {
        rows.as_array()
            .and_then(|r| r.iter().find(|x| x["file"] == file))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(row(second)["status"], "error");
    assert!(
        row(second)["error"]
            .as_str()
            .is_some_and(|e| e.contains("region")),
        "{}",
        row(second)
    );
    assert!(
        row(third)["error"]
            .as_str()
            .is_some_and(|e| e.contains("folder")),
        "{}",
        row(third)
    );

    for (command, what) in [
        (&["export"][..], "file,title"),
        (&["export", "--format", "jsonl"][..], "\"file\""),
        (&["stats"][..], "Progress for alice"),
        (&["stats", "--format", "json"][..], "\"progress\""),
        (&["agree"][..], "Agreement between reviewers"),
        (&["agree", "--format", "json"][..], "\"axes\""),
    ] {
        let out = triage(&inbox, command);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(what),
            "{command:?} still prints the rest"
        );
        let warnings = stderr(&out);
        assert!(
            warnings.lines().all(|l| l.starts_with("warning: ")),
            "{command:?}: {warnings}"
        );
        names_all(&warnings, &broken);
    }
    // The export still has every readable decision.
    let export = stdout(&triage(&inbox, &["export"]));
    assert!(
        export.contains(",alice,") && export.contains(",bob,"),
        "{export}"
    );

    let out = triage(&inbox, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let problems: String = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("problem:"))
        .map(|l| format!("{l}\n"))
        .collect();
    names_all(&problems, &broken);
}

/// `seconds` that is NaN, infinite or negative is a problem for `check` and ignored by
/// `stats`, whose total stays a real time; the decision still counts.
#[test]
fn impossible_seconds_are_a_problem_for_check_and_ignored_by_stats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let values = ["nan", "inf", "-inf", "-3.0", "1e300"];
    let mut files: Vec<String> = fs::read_dir(&inbox)
        .expect("read the inbox")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    files.sort();
    files.truncate(values.len());
    assert_eq!(files.len(), values.len());
    for (file, value) in files.iter().zip(values) {
        fs::write(
            inbox.join(format!("{file}.bob.toml")),
            format!("status = \"done\"\nregion = [\"mena\"]\nseconds = {value}\n"),
        )
        .expect("write sidecar");
    }
    let out = triage(&inbox, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    for file in &files {
        assert!(
            report.lines().any(|l| l.starts_with("problem:")
                && l.contains(file.as_str())
                && l.contains("seconds")),
            "{file}:\n{report}"
        );
    }

    let out = triage(&inbox, &["stats"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let bob = text
        .lines()
        .find(|l| l.starts_with("bob "))
        .unwrap_or_default();
    assert!(bob.contains(" 5 ") && bob.contains("0.0s"), "{text}");
    assert!(
        text.contains(&format!("Labels in {} done", values.len())),
        "{text}"
    );
}

/// An article whose bytes cannot be read is refused by `triage label` with a
/// sentence, instead of getting a decision with `article_sha256 = ""`. The article
/// is a link to `/proc/self/mem`, which is a file that no one (root included) can
/// read from its start, followed with `--follow-links`.
#[cfg(target_os = "linux")]
#[test]
fn label_refuses_an_article_it_cannot_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let article = inbox.join("unreadable.txt");
    std::os::unix::fs::symlink("/proc/self/mem", &article).expect("symlink");
    if fs::read(&article).is_ok() {
        return; // a kernel that lets it be read: nothing to test here
    }
    // A link out of the inbox is read only with --follow-links (without it, label
    // refuses the file for being outside the inbox, tested in tests/boundary.rs).
    let out = triage(
        &inbox,
        &[
            "label",
            "unreadable.txt",
            "--status",
            "done",
            "--follow-links",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("unreadable.txt") && message.contains("cannot be labeled"),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert!(
        !triage::store::sidecar_path(&article, "alice").exists(),
        "no decision without the bytes it was made on"
    );
}

#[test]
fn a_reviewer_name_over_64_characters_is_refused_for_its_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let long = "a".repeat(65);
    let out = common::binary_in(dir.path())
        .arg("--inbox")
        .arg(&inbox)
        .args(["--reviewer", &long, "list"])
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("TRIAGE_REVIEWER")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("is 65 characters long, and the limit is 64"),
        "{err}"
    );
    assert!(!err.contains("may only use"), "{err}");
}

#[test]
fn search_gives_a_body_only_match_no_score() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    fs::write(
        inbox.join("zz_plain.txt"),
        "Plain title\n\nThe quokka ran.\n",
    )
    .expect("write an article");
    fs::write(
        inbox.join("zz_quokka.txt"),
        "Quokka sighted\n\nNothing else.\n",
    )
    .expect("write an article");
    let out = triage(&inbox, &["search", "quokka"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(rows[0][0], "zz_quokka.txt");
    assert!(rows[0][2].parse::<i64>().is_ok_and(|s| s > 0), "{text}");
    assert_eq!(rows[1][0], "zz_plain.txt");
    assert_eq!(rows[1][2], "", "a body-only match has no score: {text}");
    let out = triage(&inbox, &["search", "quokka", "--format", "json"]);
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(hits[0]["score"].as_i64().is_some_and(|s| s > 0), "{hits}");
    assert!(hits[1]["score"].is_null(), "{hits}");
}

#[test]
fn random_bytes_named_txt_are_listed_as_not_text_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    // 4 KB of noise, as a failed download leaves it: no NULs to give it away.
    let mut state = 0x2545_f491_u32;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as u8).max(1)
        })
        .collect();
    fs::write(inbox.join("noise.txt"), &noise).expect("write the noise");

    let out = triage(&inbox, &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let row = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["file"] == "noise.txt"))
        .expect("the noise is listed, not hidden");
    let error = row["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("not a text file (binary data: "),
        "{error}"
    );

    let out = triage(&inbox, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("problem: noise.txt: not a text file")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_byline_with_a_tagline_keeps_the_articles_source_and_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    fs::write(
        inbox.join("ahlert.txt"),
        "Schumer's Gambit\n\nBy Arnold Ahlert, Because Without America, There Is No Free World.\n\nURL: https://patriotpost.us/articles/62123-schumers-gambit\n\nPublished: 2019-05-13\n\nSenate Democrats spent the week arguing about the rules of the chamber.\n",
    )
    .expect("write the article");
    let out = triage(&inbox, &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let row = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["file"] == "ahlert.txt"))
        .expect("listed");
    assert_eq!(
        row["url"],
        "https://patriotpost.us/articles/62123-schumers-gambit"
    );
    assert_eq!(row["date"], "2019-05-13");
    assert_eq!(row["authors"], serde_json::json!(["Arnold Ahlert"]));
}

#[test]
fn argument_errors_are_one_sentence_and_the_help_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    for (args, said) in [
        (
            vec!["--bogus"],
            "triage: unexpected argument '--bogus'; see 'triage --help'",
        ),
        (
            vec!["label"],
            "triage: label needs <FILE> or --query; see 'triage label --help'",
        ),
        (
            vec!["list", "--format", "xml"],
            "triage: --format takes tsv or json, not 'xml'; see 'triage list --help'",
        ),
    ] {
        let out = triage(&inbox, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), format!("{said}\n"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Help is not an error: it goes to stdout in full and exits 0.
    let out = triage(&inbox, &["label", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--remove-region"), "{}", stdout(&out));
}

#[test]
fn a_missing_inbox_is_the_same_sentence_from_the_tui_and_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-inbox");
    fs::write(dir.path().join("types.csv"), "url,type\nexample.com,news\n").expect("csv");
    let csv = dir.path().join("types.csv").display().to_string();
    let said = format!(
        "triage: the inbox {} is not a folder (give --inbox DIR or set TRIAGE_INBOX)\n",
        missing.display()
    );
    for args in [
        vec![],
        vec!["list"],
        vec!["check"],
        vec!["search", "lavrov"],
        vec!["export"],
        vec!["stats"],
        vec!["agree"],
        vec!["label", "a.txt", "--status", "done"],
        vec!["sources", "import", &csv, "--map", "news=reliable"],
    ] {
        let out = triage(&missing, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), said, "{args:?}");
    }
}

#[test]
fn check_counts_in_words_and_names_every_path_relative_to_the_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("inbox");
    fs::create_dir_all(inbox.join("europe")).expect("inbox");
    fs::write(
        inbox.join("europe/a.txt"),
        "A title\n\nBy Jo Bloggs\n\nThe story.\n",
    )
    .expect("article");
    fs::write(
        inbox.join("europe/a.txt.bob.toml"),
        "status = \"done\"\nregion = [\"mena\"\n",
    )
    .expect("broken sidecar");
    let out = triage(&inbox, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        lines[0].starts_with("problem: europe/a.txt.bob.toml:2: "),
        "{report}"
    );
    assert!(!report.contains(&inbox.display().to_string()), "{report}");
    assert_eq!(
        lines.last().copied(),
        Some("checked 1 article, 1 sidecar, built-in labels, keymap default: 1 problem"),
        "{report}"
    );
}

#[test]
fn label_removes_labels_and_clears_axes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let out = triage(
        &inbox,
        &[
            "label",
            SEED,
            "--region",
            "mena",
            "--region",
            "russia-fsu",
            "--theme",
            "war-conflict",
            "--reliability",
            "unreliable",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let seed_row = |inbox: &Path| {
        let out = triage(inbox, &["list"]);
        let text = stdout(&out);
        text.lines()
            .find(|l| l.starts_with(SEED))
            .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
            .expect("the seed is listed")
    };
    assert_eq!(
        seed_row(&inbox)[2..5],
        ["mena;russia-fsu", "war-conflict", "unreliable"]
    );

    let out = triage(&inbox, &["label", SEED, "--remove-region", "mena"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        seed_row(&inbox)[2..5],
        ["russia-fsu", "war-conflict", "unreliable"]
    );

    let out = triage(
        &inbox,
        &["label", SEED, "--clear", "theme", "--clear", "reliability"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(seed_row(&inbox)[2..5], ["russia-fsu", "", ""]);

    // Clearing and adding in one call replaces an axis.
    let out = triage(
        &inbox,
        &["label", SEED, "--clear", "region", "--region", "europe"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(seed_row(&inbox)[2], "europe");

    // Removing from an article nobody decided writes nothing and says so.
    let other = "001_central_banks_hold_rates.txt";
    let out = triage(&inbox, &["label", other, "--remove-region", "mena"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing changed"), "{}", stderr(&out));
    assert!(!inbox.join(format!("{other}.alice.toml")).exists());

    // Adding and removing the same label is a usage error, and writes nothing.
    let before = fs::read(inbox.join(format!("{SEED}.alice.toml"))).expect("sidecar");
    let out = triage(
        &inbox,
        &["label", SEED, "--region", "asia", "--remove-region", "asia"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert_eq!(
        fs::read(inbox.join(format!("{SEED}.alice.toml"))).expect("sidecar"),
        before
    );
}

#[test]
fn search_finds_suggested_labels_by_sug_and_by_a_bare_label_id_or_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    // Labeled mena by alice, though nothing in the article suggests it.
    let labeled = "001_central_banks_hold_rates.txt";
    let out = triage(&inbox, &["label", labeled, "--region", "mena"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = |query: &str| -> Vec<String> {
        let out = triage(&inbox, &["search", query]);
        assert!(out.status.success(), "{query}: {}", stderr(&out));
        let mut files: Vec<String> = stdout(&out)
            .lines()
            .filter_map(|l| l.split('\t').next())
            .map(str::to_string)
            .collect();
        files.sort();
        files
    };
    // The seed says `Region: Middle East & North Africa`: mena is suggested for it.
    let sug = files("sug:mena");
    assert!(sug.contains(&SEED.to_string()), "{sug:?}");
    assert!(!sug.contains(&labeled.to_string()), "{sug:?}");
    // `region:` is the reviewer's own labels only.
    assert_eq!(files("region:mena"), [labeled]);
    // A bare id or name finds both.
    for query in ["mena", "middle east", "Middle\\ East"] {
        let found = files(query);
        assert!(
            found.contains(&SEED.to_string()) && found.contains(&labeled.to_string()),
            "{query}: {found:?}"
        );
    }
    // Suggestions on the theme axis too.
    assert!(files("sug:war-conflict").contains(&SEED.to_string()));
}
