//! Learned suggestions through the real program: a reviewer labels ten articles on
//! one subject by hand in tmux, and the eleventh shows what was learned and takes
//! `a`, a digit and Enter; the commands print the same suggestions, with scores.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Tmux, command_as, label_as, wait_for_file};

/// Sentences about one subject, combined differently for each article of it, so the
/// articles share words as real coverage of one story does, without being copies.
const SALT_FLATS: [&str; 12] = [
    "Lithium miners pump brine from beneath the salt flat into vast evaporation ponds.",
    "Farmers say the aquifer that feeds their fields is dropping year after year.",
    "The brine is left to evaporate in the desert sun for more than a year.",
    "Indigenous communities around the salt flat fear for the wetlands and the flamingos.",
    "Hydrologists warn that pumping brine draws fresh water from the surrounding basin.",
    "The companies say their lithium is essential for electric car batteries.",
    "Water use at the evaporation ponds has never been measured independently.",
    "Herders report that springs near the salt flat have dried up since mining began.",
    "Regulators in the Andes are reviewing permits for new brine wells.",
    "Scientists sampled the lagoons and found the water table several metres lower.",
    "Residents marched to demand that mining stop until the aquifer is studied.",
    "Satellite images show the ponds spreading across the white crust of the salt flat.",
];

/// Other subjects a colleague has already decided, with the theme they got.
const OTHERS: [(&str, &str, [&str; 6]); 5] = [
    (
        "rates",
        "economy",
        [
            "The central bank held its benchmark interest rate steady on Thursday.",
            "Inflation eased slightly but remains above the bank's target.",
            "Bond yields fell after the governor hinted at cuts next year.",
            "Economists expect growth to slow as borrowing costs bite.",
            "The currency weakened against the dollar after the decision.",
            "Mortgage lenders said demand for loans had fallen sharply.",
        ],
    ),
    (
        "vote",
        "politics",
        [
            "Voters queued for hours at polling stations in the capital.",
            "The opposition candidate conceded defeat late on Sunday night.",
            "Turnout was the lowest recorded in a parliamentary election.",
            "Observers said the ballot count was orderly and transparent.",
            "The ruling party lost its majority in the lower house.",
            "Coalition talks are expected to last several weeks.",
        ],
    ),
    (
        "trial",
        "health-science",
        [
            "The vaccine trial enrolled thousands of volunteers across hospitals.",
            "Researchers reported fewer infections among those who got the shot.",
            "Side effects were mild and short-lived, the study found.",
            "Regulators will review the data before approving the vaccine.",
            "Doctors said the results could change treatment guidelines.",
            "The health ministry plans to vaccinate nurses first.",
        ],
    ),
    (
        "court",
        "law",
        [
            "The supreme court ruled that the law violated the constitution.",
            "Judges said the lower court had misread the statute.",
            "Lawyers for the plaintiffs welcomed the verdict outside the courthouse.",
            "The attorney general said the government would respect the ruling.",
            "The appeal was dismissed by a majority of the bench.",
            "Legal scholars called the decision a landmark for due process.",
        ],
    ),
    (
        "hack",
        "technology",
        [
            "Hackers encrypted the servers of the city's hospitals overnight.",
            "The ransomware spread through an unpatched software flaw.",
            "Security researchers traced the malware to a known criminal group.",
            "Engineers restored the network from backups after three days.",
            "The software company released an emergency patch.",
            "Officials urged firms to update their systems immediately.",
        ],
    ),
];

/// An inbox of eleven salt-flat articles still to do, then thirty on five other
/// subjects that bob has already decided (six each, enough for the model to know
/// each theme).
fn subject_inbox(dir: &Path) -> PathBuf {
    inbox_with(dir, 6)
}

/// [`subject_inbox`] with `each` decided articles per other subject.
fn inbox_with(dir: &Path, each: usize) -> PathBuf {
    let inbox = dir.join("inbox");
    fs::create_dir_all(&inbox).expect("make the inbox");
    for i in 0..11 {
        let body: Vec<&str> = (0..6).map(|k| SALT_FLATS[(i * 5 + k * 7) % 12]).collect();
        fs::write(
            inbox.join(format!("a_salt_{i:02}.txt")),
            format!(
                "Salt flat report {i}: water and lithium\n\n{}\n",
                body.join(" ")
            ),
        )
        .expect("write an article");
    }
    for (name, theme, sentences) in OTHERS {
        for i in 0..each {
            let body: Vec<&str> = (0..4).map(|k| sentences[(i * 5 + k) % 6]).collect();
            let file = format!("b_{name}_{i}.txt");
            fs::write(
                inbox.join(&file),
                format!("{} ({name} {i})\n\n{}\n", sentences[i % 6], body.join(" ")),
            )
            .expect("write an article");
            label_as(
                &inbox,
                "bob",
                &file,
                &["--theme", theme, "--status", "done"],
            );
        }
    }
    inbox
}

/// The built binary as `reviewer` on `inbox`, which must succeed.
fn succeed(inbox: &Path, reviewer: &str, args: &[&str]) -> std::process::Output {
    let out = command_as(inbox, reviewer, args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// alice decides the first ten salt flat articles (Environment) from the command line.
fn decide_salt_flats(inbox: &Path) {
    for i in 0..10 {
        label_as(
            inbox,
            "alice",
            &format!("a_salt_{i:02}.txt"),
            &["--theme", "environment", "--status", "done"],
        );
    }
}

#[test]
fn ten_labeled_by_hand_and_the_eleventh_takes_the_learned_suggestion() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = subject_inbox(dir.path());
    let tmux = Tmux::new("learned");
    tmux.start(&inbox);
    tmux.wait_for_screen("the first salt flat article", |s| {
        s.contains("Salt flat report 0")
    });
    for i in 0..10 {
        // Region Latin America, theme Environment, mostly reliable, done.
        tmux.keys(&["r", "l", "t", "v", "2", "Enter"]);
        let next = format!("Salt flat report {}", i + 1);
        tmux.wait_for_screen(&next, |s| common::reader_title(s).contains(&next));
    }
    for i in 0..10 {
        let sidecar = inbox.join(format!("a_salt_{i:02}.txt.alice.toml"));
        wait_for_file(&sidecar, |t| t.contains("status = \"done\""));
    }
    // The eleventh: what was learned shows, with its score and origin.
    let screen = tmux.wait_for_screen("the learned theme", |s| {
        s.lines()
            .any(|l| l.contains("theme environment") && l.contains("learned from"))
    });
    assert!(
        !screen.contains("Weaker:    theme environment"),
        "the learned theme is strong enough for a:\n{screen}"
    );
    tmux.keys(&["a", "2", "Enter"]);
    let sidecar = inbox.join("a_salt_10.txt.alice.toml");
    let text = wait_for_file(&sidecar, |t| t.contains("status = \"done\""));
    assert!(text.contains("theme = [\"environment\"]"), "{text}");
    assert!(text.contains("region = [\"latam\"]"), "{text}");
    assert!(text.contains("reliability = \"mostly-reliable\""), "{text}");
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn list_json_and_suggest_show_the_learned_suggestions_with_scores() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = subject_inbox(dir.path());
    decide_salt_flats(&inbox);
    let out = succeed(&inbox, "carol", &["list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let eleventh = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["file"] == "a_salt_10.txt"))
        .expect("the eleventh is listed");
    let theme = &eleventh["suggestions"]["theme"][0];
    assert_eq!(theme["id"], "environment", "{eleventh}");
    let score = theme["score"].as_f64().expect("a score");
    assert!((0.5..=1.0).contains(&score), "{theme}");
    assert_eq!(theme["from"], "learned from 40 decisions", "{theme}");

    let out = succeed(&inbox, "carol", &["suggest", "a_salt_10.txt"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("theme environment") && l.contains("← learned from 40 decisions")),
        "{text}"
    );
}

#[test]
fn export_with_suggestions_puts_what_was_suggested_beside_what_was_chosen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = subject_inbox(dir.path());
    decide_salt_flats(&inbox);
    let out = succeed(&inbox, "carol", &["export", "--suggestions"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.ends_with(",suggested_region,suggested_theme,suggested_reliability"),
        "{header}"
    );
    // A decided article: what a model that never saw it suggests (held out: trained
    // on the other four fifths, which still hold eight salt flat decisions), which
    // for these well-separated subjects is what alice chose.
    let row = text
        .lines()
        .find(|l| l.starts_with("a_salt_00.txt,"))
        .expect("the row of a decided article");
    assert!(row.contains(",environment,"), "{row}");
    let suggested_theme = row.rsplit(',').nth(1).unwrap_or_default();
    assert!(
        suggested_theme.starts_with("environment "),
        "the held-out suggestion: {row}"
    );

    let out = succeed(
        &inbox,
        "carol",
        &["export", "--format", "jsonl", "--suggestions"],
    );
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.contains("a_salt_00.txt"))
            .expect("a row"),
    )
    .expect("JSON");
    assert_eq!(
        first["suggested"]["theme"][0]["id"], "environment",
        "{first}"
    );
    assert!(first["suggested"]["weaker"].is_object(), "{first}");
    // Without the flag, the export is as it always was.
    let out = succeed(&inbox, "carol", &["export"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("suggested_"), "{text}");
}

#[test]
fn suggest_evaluate_cross_validates_the_decisions_and_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Ten decisions on each of six subjects: each training part of four folds holds
    // at least five of every theme, so the model knows them all.
    let inbox = inbox_with(dir.path(), 10);
    decide_salt_flats(&inbox);
    let out = succeed(
        &inbox,
        "carol",
        &["suggest", "--evaluate", "--folds", "4", "--format", "json"],
    );
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(e["folds"], 4);
    assert_eq!(e["examples"], 60);
    // Nobody decided a region: nothing right, wrong or missed there.
    for key in ["true_positives", "false_positives", "false_negatives"] {
        assert_eq!(e["region"][key], 0, "{e}");
    }
    // Five well-separated subjects, one theme each: nearly all right.
    let theme = &e["theme"];
    let tp = theme["true_positives"].as_u64().unwrap_or(0);
    assert!(tp >= 54, "{theme}");
    assert!(theme["f1"].as_f64().unwrap_or(0.0) >= 0.9, "{theme}");
    let by_hand = e["keys_by_hand"].as_f64().unwrap_or(0.0);
    assert_eq!(
        by_hand, 4.0,
        "one theme by hand: t, its key, a digit, Enter"
    );
    assert!(
        e["keys_with_suggestions"].as_f64().unwrap_or(9.0) < by_hand,
        "{e}"
    );

    let out = succeed(&inbox, "carol", &["suggest", "--evaluate"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("5-fold cross-validation over 60 done articles (threshold 0.50)"),
        "{text}"
    );
    assert!(
        text.contains("region   no labels decided or suggested"),
        "{text}"
    );

    // Folds out of range: bad usage. Too few decisions: a problem with the inbox.
    let out = command_as(&inbox, "carol", &["suggest", "--evaluate", "--folds", "1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let fresh = tempfile::tempdir().expect("temp dir");
    let empty = fresh.path().join("inbox");
    fs::create_dir_all(&empty).expect("make inbox");
    fs::write(empty.join("a.txt"), "Title\n\nBody.\n").expect("write");
    let out = command_as(&empty, "carol", &["suggest", "--evaluate"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("needs at least 5 done decisions"), "{err}");
}

#[test]
fn list_in_uncertain_order_puts_the_articles_to_do_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = subject_inbox(dir.path());
    // carol decided the first two files; the other 39 are hers to do.
    for file in ["a_salt_00.txt", "a_salt_01.txt"] {
        label_as(
            &inbox,
            "carol",
            file,
            &["--theme", "environment", "--status", "done"],
        );
    }
    let mut firsts = Vec::new();
    for order in ["uncertain", "confident"] {
        let out = succeed(&inbox, "carol", &["--order", order, "list"]);
        let text = String::from_utf8_lossy(&out.stdout);
        let files: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
        assert_eq!(files.len(), 41);
        // Her decided articles come last, in inbox order; the rest by the model.
        assert_eq!(files[39..], ["a_salt_00.txt", "a_salt_01.txt"], "{order}");
        let mut sorted = files.clone();
        sorted.sort_unstable();
        assert_ne!(files, sorted, "{order}: not the inbox's order");
        firsts.push(files[0].to_string());
    }
    assert_ne!(firsts[0], firsts[1], "least sure and surest first differ");
}

#[test]
fn weaker_suggestions_are_dimmed_and_a_leaves_them_out() {
    // The seed names the United States in passing: a weaker region, below 0.5.
    let mut screen = common::Screen::new(120, 40);
    let text = screen.text();
    let y = text
        .lines()
        .position(|l| l.contains("Weaker:    region north-america 0.23"))
        .expect("the passing mention is shown under Weaker") as u16;
    let line: Vec<char> = text
        .lines()
        .nth(y as usize)
        .unwrap_or_default()
        .chars()
        .collect();
    let x = line
        .windows(6)
        .position(|w| w.iter().collect::<String>() == "region")
        .expect("the label is on the line") as u16;
    let buffer = screen.terminal.backend().buffer();
    assert!(
        buffer[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::DIM),
        "a weaker suggestion is drawn dimmed"
    );
    screen.keys(&["a"]);
    let sidecar = screen
        .dir
        .path()
        .join("inbox")
        .join(format!("{}.alice.toml", common::SEED));
    let text = fs::read_to_string(&sidecar).expect("a wrote the sidecar");
    assert!(
        text.contains("region = [\"mena\", \"russia-fsu\"]"),
        "{text}"
    );
    assert!(!text.contains("north-america"), "{text}");
}
