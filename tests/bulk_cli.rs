//! Bulk decisions and copies from the command line: `triage label --query`, the
//! `group` of `triage list --format json`, and `triage groups`, run as a user runs
//! them (the built binary on a private copy of an inbox, each with its own cache).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{stderr, stdout, triage};

/// The two sample articles whose bodies mention brine (a body-only match, so the
/// index's body lookup is what finds them when the index is used).
const BRINE: [&str; 2] = [
    "002_lithium_salt_flats.md",
    "012_gulf_desalination_fishermen.txt",
];

/// Every sidecar of alice under `inbox`, by path relative to it, with its text.
fn sidecars(inbox: &Path) -> BTreeMap<String, String> {
    common::files_under(inbox)
        .into_iter()
        .filter(|p| common::name_of(p).ends_with(".alice.toml"))
        .map(|p| {
            let rel = p
                .strip_prefix(inbox)
                .expect("under the inbox")
                .to_string_lossy()
                .into_owned();
            (rel, fs::read_to_string(&p).expect("a readable sidecar"))
        })
        .collect()
}

/// A sidecar's text with the time of the decision blanked: two runs write the same
/// bytes but for the clock.
fn timeless(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("decided_at = ") {
                "decided_at = …"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sidecar paths a command printed, relative to `inbox`, sorted.
fn printed_sidecars(inbox: &Path, out: &std::process::Output) -> Vec<String> {
    let prefix = format!("{}/", inbox.display());
    let mut files: Vec<String> = stdout(out)
        .lines()
        .map(|l| l.strip_prefix(&prefix).unwrap_or(l).to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn label_query_writes_for_each_match_what_label_file_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bulk = common::copy_inbox(&dir.path().join("bulk"));
    let one = common::copy_inbox(&dir.path().join("one"));
    let decision = [
        "--region",
        "mena",
        "--theme",
        "environment",
        "--reliability",
        "reliable",
        "--status",
        "done",
        "--note",
        "brine\tand salt",
    ];
    let mut args = vec!["label", "--query", "brine"];
    args.extend(decision);
    let out = triage(&bulk, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "triage: labeled 2 of 2 matching articles\n",
        "one line says what was done"
    );
    let expected: Vec<String> = BRINE.iter().map(|f| format!("{f}.alice.toml")).collect();
    assert_eq!(printed_sidecars(&bulk, &out), expected, "{}", stdout(&out));
    let written = sidecars(&bulk);
    assert_eq!(
        written.keys().cloned().collect::<Vec<_>>(),
        expected,
        "only the matches are labeled"
    );

    for file in BRINE {
        let mut args = vec!["label", file];
        args.extend(decision);
        let out = triage(&one, &args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let by_hand = sidecars(&one);
    for (file, text) in &written {
        assert!(text.contains("region = [\"mena\"]"), "{text}");
        assert_eq!(timeless(text), timeless(&by_hand[file]), "{file}");
    }

    // Again: nothing changes, not even the time of the decision, and it says so.
    let out = triage(&bulk, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "triage: labeled 0 of 2 matching articles; 2 already had that decision\n"
    );
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert_eq!(sidecars(&bulk), written);
}

#[test]
fn dry_run_lists_what_would_change_as_search_does_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let before = common::files_under(&inbox);
    let out = triage(
        &inbox,
        &["label", "--query", "brine", "--region", "mena", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let search = triage(&inbox, &["search", "brine"]);
    assert!(search.status.success(), "{}", stderr(&search));
    assert_eq!(stdout(&out), stdout(&search), "the rows of triage search");
    let printed = stdout(&out);
    let rows: Vec<Vec<&str>> = printed.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{}", stdout(&out));
    assert!(rows.iter().all(|r| r.len() == 5), "{}", stdout(&out));
    let mut files: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    files.sort();
    assert_eq!(files, BRINE);
    assert_eq!(
        stderr(&out),
        "triage: dry run: would label 2 of 2 matching articles; nothing was written\n"
    );
    assert_eq!(common::files_under(&inbox), before, "nothing was written");

    // An article that already has the decision is not listed, and is counted.
    let out = triage(&inbox, &["label", BRINE[0], "--region", "mena"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sidecar = inbox.join(format!("{}.alice.toml", BRINE[0]));
    let labeled = fs::read(&sidecar).expect("a sidecar");
    let out = triage(
        &inbox,
        &["label", "--query", "brine", "--region", "mena", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    let listed: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(listed, [BRINE[1]]);
    assert_eq!(
        stderr(&out),
        "triage: dry run: would label 1 of 2 matching articles; 1 already has that decision; nothing was written\n"
    );
    assert_eq!(fs::read(&sidecar).expect("a sidecar"), labeled);
    assert!(!inbox.join(format!("{}.alice.toml", BRINE[1])).exists());
}

#[test]
fn a_query_that_matches_nothing_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    for extra in [&[][..], &["--dry-run"], &["--all"]] {
        let mut args = vec!["label", "--query", "zqxjkvw", "--status", "done"];
        args.extend(extra);
        let out = triage(&inbox, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "triage: the query \"zqxjkvw\" matches no article, so nothing was labeled\n"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(sidecars(&inbox).is_empty());
}

#[test]
fn a_query_that_matches_every_article_needs_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    // A negated term nothing contains matches every article; so does no term at all.
    for query in ["!zqxjkvw", ""] {
        for extra in [&[][..], &["--dry-run"]] {
            let mut args = vec!["label", "--query", query, "--status", "skipped"];
            args.extend(extra);
            let out = triage(&inbox, &args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            let said = stderr(&out);
            assert_eq!(said.lines().count(), 1, "{said}");
            assert!(
                said.contains("matches every article (15)") && said.contains("--all"),
                "{said}"
            );
        }
    }
    assert!(sidecars(&inbox).is_empty());

    let out = triage(
        &inbox,
        &[
            "label", "--query", "!zqxjkvw", "--status", "skipped", "--all",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "triage: labeled 15 of 15 matching articles\n");
    let written = sidecars(&inbox);
    assert_eq!(written.len(), 15);
    assert!(
        written
            .values()
            .all(|text| text.contains("status = \"skipped\"")),
        "{written:?}"
    );
    let list = triage(&inbox, &["list"]);
    assert!(
        stdout(&list)
            .lines()
            .all(|l| l.split('\t').nth(1) == Some("skipped")),
        "{}",
        stdout(&list)
    );
}

#[test]
fn a_broken_sidecar_among_the_matches_is_skipped_with_a_warning_and_left_as_it_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let broken = inbox.join(format!("{}.alice.toml", BRINE[1]));
    let garbage = "status = \"done\"\nregion = [\"mena\"\n";
    fs::write(&broken, garbage).expect("write a broken sidecar");

    let out = triage(
        &inbox,
        &["label", "--query", "brine", "--region", "mena", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let printed = stdout(&out);
    let listed: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(listed, [BRINE[0]]);
    skipped_the_broken_one(
        &out,
        "triage: dry run: would label 1 of 2 matching articles; 1 would be skipped; nothing was written",
    );

    let out = triage(&inbox, &["label", "--query", "brine", "--region", "mena"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        printed_sidecars(&inbox, &out),
        [format!("{}.alice.toml", BRINE[0])]
    );
    skipped_the_broken_one(&out, "triage: labeled 1 of 2 matching articles; 1 skipped");
    assert_eq!(fs::read_to_string(&broken).expect("still there"), garbage);
    assert!(sidecars(&inbox)[&format!("{}.alice.toml", BRINE[0])].contains("region = [\"mena\"]"));
}

#[test]
fn label_query_gives_the_same_result_with_and_without_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let indexed = common::copy_inbox(&dir.path().join("indexed"));
    let plain = common::copy_inbox(&dir.path().join("plain"));
    // The index is made first, so the bodies searched come from it.
    let out = triage(&indexed, &["index"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut runs = Vec::new();
    for (inbox, no_index) in [(&indexed, &[][..]), (&plain, &["--no-index"][..])] {
        let mut args = no_index.to_vec();
        args.extend(["label", "--query", "brine", "--theme", "environment"]);
        let mut dry = args.clone();
        dry.push("--dry-run");
        let preview = triage(inbox, &dry);
        assert_eq!(preview.status.code(), Some(0), "{}", stderr(&preview));
        let out = triage(inbox, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let written: BTreeMap<String, String> = sidecars(inbox)
            .into_iter()
            .map(|(file, text)| (file, timeless(&text)))
            .collect();
        runs.push((
            stdout(&preview),
            stderr(&out),
            printed_sidecars(inbox, &out),
            written,
        ));
    }
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0].3.len(), 2, "{:?}", runs[0].3);
}

#[test]
fn label_query_bad_usage_exits_2_with_one_sentence_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    for (args, said) in [
        (
            vec!["label", BRINE[0], "--query", "brine", "--status", "done"],
            "triage: <FILE> cannot be used with --query; see 'triage label --help'",
        ),
        (
            vec!["label", BRINE[0], "--dry-run", "--status", "done"],
            "triage: --dry-run works only with --query; see 'triage label --help'",
        ),
        (
            vec!["label", BRINE[0], "--all", "--status", "done"],
            "triage: --all works only with --query; see 'triage label --help'",
        ),
        (
            vec!["label", "--all", "--status", "done"],
            "triage: label needs <FILE> or --query; see 'triage label --help'",
        ),
    ] {
        let out = triage(&inbox, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), format!("{said}\n"), "{args:?}");
    }
    for args in [
        vec!["label", "--query", "brine", "--region", "atlantis"],
        vec!["label", "--query", "brine"],
        vec!["label", "--query", "is:maybe", "--status", "done"],
        vec!["label", "--query", "brine", "--status", "finished"],
    ] {
        let out = triage(&inbox, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(sidecars(&inbox).is_empty());
}

#[test]
fn list_json_gives_every_article_a_group_null_when_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let out = triage(&inbox, &["list", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 15);
    for row in rows {
        let group = row.get("group");
        assert!(
            group.is_some_and(|g| g.is_null() || g.as_str().is_some_and(is_story_id)),
            "{row}"
        );
    }
    // The sample inbox has no reprints.
    assert!(rows.iter().all(|r| r["group"].is_null()));
    // The TSV keeps its six columns.
    let out = triage(&inbox, &["list"]);
    assert!(stdout(&out).lines().all(|l| l.split('\t').count() == 6));
}

#[test]
fn groups_prints_nothing_or_an_empty_array_when_no_story_has_copies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    for no_index in [false, true] {
        let with = |args: &[&'static str]| {
            let mut all = if no_index {
                vec!["--no-index"]
            } else {
                Vec::new()
            };
            all.extend(args);
            triage(&inbox, &all)
        };
        let out = with(&["groups"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "{}", stdout(&out));
        let out = with(&["groups", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        assert_eq!(rows, serde_json::json!([]));
    }
}

fn is_story_id(id: &str) -> bool {
    id.len() == 12 && id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

/// The body of the story both copies tell, paragraph by paragraph.
const STORY: [&str; 5] = [
    "Container ships queued outside the port of Valmora for a third day on Thursday as \
     crane operators extended a strike over night-shift staffing, leaving more than forty \
     vessels at anchor and perishable cargo spoiling in refrigerated boxes on the quay.",
    "The operators' union said the port authority had cut the number of crews on night \
     shifts from six to four without consultation, and that the remaining crews were being \
     asked to work double hours with no rest periods between lifts.",
    "A spokesperson for the port authority said the new rota followed a safety review and \
     that talks would resume on Monday under a mediator appointed by the labour ministry, \
     adding that emergency medical supplies were still being unloaded by hand.",
    "Shipping agents estimated the backlog at eleven thousand containers, and two lines \
     announced they would divert their next calls to the smaller port of Castellan, two \
     hundred kilometres along the coast, until the dispute is settled.",
    "Fruit exporters, who rely on the port for most of their shipments to northern markets, \
     warned that a strike lasting into next week would cost the season's citrus harvest, \
     which growers had hoped would recover after two years of drought.",
];

/// An inbox with one story told twice (a plain-text original and an HTML reprint of
/// the same text under another header and footer) and one unrelated article.
fn reprint_inbox(dir: &Path) -> std::path::PathBuf {
    let inbox = dir.join("inbox");
    fs::create_dir_all(&inbox).expect("an inbox folder");
    let title = "Crane operators' strike leaves ships stranded off Valmora";
    let mut original = format!(
        "{title}\n\nBy Ines Carvalho\n\nHarbour Gazette, June 6, 2024\n\nSource: Harbour Gazette\n\n"
    );
    for p in STORY {
        original.push_str(p);
        original.push_str("\n\n");
    }
    original.push_str("© 2024 Harbour Gazette. All rights reserved.\n");
    fs::write(inbox.join("1_strike_original.txt"), original).expect("write the original");

    let mut reprint = format!(
        "<!DOCTYPE html>\n<html><head><title>{title} | World Port News</title>\
         <meta name=\"author\" content=\"Ines Carvalho\"></head><body>\n\
         <nav>World Port News · Home · Shipping · Markets</nav>\n<article>\n<h1>{title}</h1>\n\
         <p>This article first appeared in the Harbour Gazette and is republished with permission.</p>\n"
    );
    for p in STORY {
        reprint.push_str(&format!("<p>{p}</p>\n"));
    }
    reprint.push_str(
        "</article>\n<footer><p>Subscribe to the World Port News weekly digest.</p></footer>\n\
         </body></html>\n",
    );
    fs::write(inbox.join("2_strike_reprint.html"), reprint).expect("write the reprint");

    fs::write(
        inbox.join("3_orchard_frost.md"),
        "# Late frost damages apricot orchards in the northern valleys\n\n\
         By Tomas Lindqvist\n\n\
         A late frost on Tuesday night damaged apricot blossom across the northern valleys, \
         and growers said they would know within a week how much of the crop was lost.\n\n\
         Temperatures fell to four degrees below freezing before dawn, and smudge pots and \
         wind machines protected only the orchards nearest the river, growers said.\n\n\
         The regional farmers' association asked the agriculture ministry to declare the \
         valleys a disaster area, which would open low-interest loans to affected growers.\n",
    )
    .expect("write the unrelated article");
    inbox
}

#[test]
fn a_reprint_in_another_format_shares_its_storys_group_in_list_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = reprint_inbox(dir.path());
    for no_index in [&[][..], &["--no-index"][..]] {
        let mut args = no_index.to_vec();
        args.extend(["list", "--format", "json"]);
        let out = triage(&inbox, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        let group = |file: &str| {
            rows.as_array()
                .and_then(|rows| rows.iter().find(|r| r["file"] == file))
                .map(|r| r["group"].clone())
                .expect("the article is listed")
        };
        let id = triage::cli::groups::group_id(Path::new("1_strike_original.txt"));
        assert!(is_story_id(&id));
        assert_eq!(group("1_strike_original.txt"), serde_json::json!(id));
        assert_eq!(group("2_strike_reprint.html"), serde_json::json!(id));
        assert!(group("3_orchard_frost.md").is_null());
    }
}

#[test]
fn groups_lists_a_story_with_its_copies_in_tsv_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = reprint_inbox(dir.path());
    let id = triage::cli::groups::group_id(Path::new("1_strike_original.txt"));

    let out = triage(&inbox, &["groups", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stories: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let stories = stories.as_array().expect("an array");
    assert_eq!(stories.len(), 1, "{stories:?}");
    assert_eq!(stories[0]["group"], serde_json::json!(id));
    let copies = stories[0]["copies"].as_array().expect("the copies");
    let files: Vec<&str> = copies.iter().filter_map(|c| c["file"].as_str()).collect();
    assert_eq!(files, ["1_strike_original.txt", "2_strike_reprint.html"]);
    assert_eq!(copies[0]["format"], "text");
    assert_eq!(copies[1]["format"], "html");
    assert_eq!(copies[0]["date"], "2024-06-06");
    for copy in copies {
        for key in ["file", "title", "source", "publisher", "date", "format"] {
            assert!(copy.get(key).is_some(), "{key}: {copy}");
        }
        assert!(
            copy["title"]
                .as_str()
                .is_some_and(|t| t.contains("Crane operators")),
            "{copy}"
        );
    }

    let out = triage(&inbox, &["groups"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    for (row, (file, format)) in rows.iter().zip([
        ("1_strike_original.txt", "text"),
        ("2_strike_reprint.html", "html"),
    ]) {
        assert_eq!(row.len(), 7, "{text}");
        assert_eq!(row[..3], [id.as_str(), file, format], "{text}");
    }
    assert_eq!(rows[0][3], "2024-06-06", "{text}");
}

/// Stderr says the second brine article was skipped (its sidecar is broken and is
/// never overwritten), then `summary`.
fn skipped_the_broken_one(out: &std::process::Output, summary: &str) {
    let said = stderr(out);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 2, "{said}");
    assert!(
        lines[0].starts_with("warning: skipped: ")
            && lines[0].contains(&format!("{}.alice.toml", BRINE[1]))
            && lines[0].contains("will not be overwritten"),
        "{said}"
    );
    assert_eq!(lines[1], summary);
}
