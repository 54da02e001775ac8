//! `triage stats` and the TUI's stats overlay: how far the work is, which labels are
//! being given, and how much each reviewer has decided and how fast.
//!
//! One [`Stats`] value serves the text report ([`render_text`]), `--format json`
//! (serde) and the overlay's bar charts, so the three can never disagree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::assign::{AssigneeStats, Assignments};
use super::sidecars_of;
use crate::domain::Status;
use crate::labels::{Axis, Taxonomy};
use crate::sanitize::sanitize;
use crate::store::Entry;

/// Everything `triage stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The reviewer whose progress this is.
    pub reviewer: String,
    pub progress: Progress,
    /// Label counts per axis, in the order region, theme, reliability.
    pub labels: Vec<AxisCounts>,
    /// Every reviewer with a readable sidecar, by name.
    pub reviewers: Vec<ReviewerStats>,
    /// Progress per assignee of `assignments.toml`, by name; empty without one
    /// (filled in by [`with_assignments`]).
    pub assignees: Vec<AssigneeStats>,
}

/// `stats` with the progress of each assignee of `assignments`.
pub fn with_assignments(mut stats: Stats, entries: &[Entry], assignments: &Assignments) -> Stats {
    stats.assignees = super::assign::progress(entries, assignments);
    stats
}

/// One reviewer's progress through the inbox, counted as the TUI's list shows it:
/// an article without a readable sidecar of theirs is `todo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    pub done: usize,
    pub skipped: usize,
    pub flagged: usize,
    pub todo: usize,
    /// Articles in the inbox; the four counts add up to it.
    pub total: usize,
}

/// How often each label of one axis was given in the `done` decisions of all
/// reviewers. Only `done` counts: a skipped or flagged article's labels are not a
/// finished judgement. A label given twice in one decision (possible by hand) counts
/// once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AxisCounts {
    pub axis: Axis,
    /// Done decisions counted (the same for every axis).
    pub decisions: usize,
    /// Done decisions with no label on this axis.
    pub unlabeled: usize,
    /// Every label of the taxonomy, in its order, zero counts included, so a chart
    /// keeps the same bars from one run to the next.
    pub labels: Vec<LabelCount>,
    /// Ids found in sidecars that the taxonomy does not have (renamed or removed
    /// labels, typos by hand), by id, so they are noticed instead of silently lost.
    pub unknown: Vec<UnknownLabel>,
}

/// One label of the taxonomy and how many done decisions gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelCount {
    pub id: String,
    pub name: String,
    pub count: usize,
}

/// A label id that is not in the taxonomy and how many done decisions gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownLabel {
    pub id: String,
    pub count: usize,
}

/// What one reviewer has decided and the time it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerStats {
    pub reviewer: String,
    /// Sidecars whose status is not `todo`: done, skipped or flagged.
    pub decisions: usize,
    pub done: usize,
    pub skipped: usize,
    pub flagged: usize,
    /// All time recorded in the reviewer's sidecars, `todo` ones included: it is time
    /// spent reading even when nothing was decided yet.
    pub seconds: f64,
    /// Median seconds per decision, over the decisions with time recorded (a
    /// decision made with `triage label`, or before time was tracked, has none and
    /// would drag the median to zero). `None` when no decision has time recorded.
    pub median_seconds: Option<f64>,
}

/// Counts an inbox's sidecars. `me` is the reviewer the entries were loaded for;
/// `taxonomy` gives the label order and names. Unreadable sidecars are left out, as
/// everywhere in [`crate::team`].
pub fn stats(entries: &[Entry], me: &str, taxonomy: &Taxonomy) -> Stats {
    let mut progress = Progress::default();
    // Per axis: label id → count, over done decisions.
    let mut counts: [BTreeMap<&str, usize>; 3] = Default::default();
    let mut unlabeled = [0usize; 3];
    let mut decisions = 0usize;
    // Per reviewer: counts and every decision's seconds.
    let mut reviewers: BTreeMap<&str, (ReviewerStats, Vec<f64>)> = BTreeMap::new();

    for entry in entries {
        progress.total += 1;
        match entry
            .mine(me)
            .sidecar()
            .map_or(Status::Todo, |s| s.decision.status)
        {
            Status::Done => progress.done += 1,
            Status::Skipped => progress.skipped += 1,
            Status::Flagged => progress.flagged += 1,
            Status::Todo => progress.todo += 1,
        }
        for (name, sidecar) in sidecars_of(entry, me) {
            let d = &sidecar.decision;
            let (r, times) = reviewers.entry(name).or_insert_with(|| {
                let fresh = ReviewerStats {
                    reviewer: name.to_string(),
                    decisions: 0,
                    done: 0,
                    skipped: 0,
                    flagged: 0,
                    seconds: 0.0,
                    median_seconds: None,
                };
                (fresh, Vec::new())
            });
            // A hand-edited sidecar may say anything; only real time is added up
            // (`triage check` reports the rest). Its labels count all the same.
            let seconds = d.recorded_seconds().unwrap_or(0.0);
            r.seconds += seconds;
            match d.status {
                Status::Todo => continue,
                Status::Done => r.done += 1,
                Status::Skipped => r.skipped += 1,
                Status::Flagged => r.flagged += 1,
            }
            r.decisions += 1;
            if seconds > 0.0 {
                times.push(seconds);
            }
            if d.status != Status::Done {
                continue;
            }
            decisions += 1;
            for (i, axis) in Axis::ALL.into_iter().enumerate() {
                let mut ids = d.labels(axis);
                ids.sort_unstable();
                ids.dedup();
                if ids.is_empty() {
                    unlabeled[i] += 1;
                }
                for id in ids {
                    *counts[i].entry(id).or_default() += 1;
                }
            }
        }
    }

    let labels = Axis::ALL
        .into_iter()
        .enumerate()
        .map(|(i, axis)| {
            let known = &taxonomy.axis(axis).labels;
            AxisCounts {
                axis,
                decisions,
                unlabeled: unlabeled[i],
                labels: known
                    .iter()
                    .map(|l| LabelCount {
                        id: l.id.to_string(),
                        name: l.name.clone(),
                        count: counts[i].get(l.id.as_str()).copied().unwrap_or(0),
                    })
                    .collect(),
                unknown: counts[i]
                    .iter()
                    .filter(|(id, _)| !known.iter().any(|l| l.id == **id))
                    .map(|(id, count)| UnknownLabel {
                        id: id.to_string(),
                        count: *count,
                    })
                    .collect(),
            }
        })
        .collect();

    let reviewers = reviewers
        .into_values()
        .map(|(mut r, mut times)| {
            r.seconds = round_to(r.seconds, 10.0);
            r.median_seconds = median(&mut times).map(|m| round_to(m, 100.0));
            r
        })
        .collect();

    Stats {
        reviewer: me.to_string(),
        progress,
        labels,
        reviewers,
        assignees: Vec::new(),
    }
}

/// The middle value, or the mean of the two middle values of an even count.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Sidecars keep tenths of a second; rounding the sums keeps float noise
/// (`17.400000000000002`) out of the JSON.
fn round_to(value: f64, per_unit: f64) -> f64 {
    (value * per_unit).round() / per_unit
}

/// Label names and unknown ids longer than this are cut, so one odd id cannot push
/// the report's columns off the screen.
const MAX_CELL: usize = 40;

/// The report `triage stats` prints: progress, then the labels given (those given at
/// least once; the JSON has every label), then a table of reviewers. Every string
/// from a file goes through [`sanitize`]: the report is printed on a terminal.
pub fn render_text(stats: &Stats) -> String {
    let mut out = String::new();
    let p = &stats.progress;
    let _ = writeln!(
        out,
        "Progress for {}: {} of {} done, {} skipped, {} flagged, {} to do",
        cell(&stats.reviewer),
        p.done,
        p.total,
        p.skipped,
        p.flagged,
        p.todo
    );

    let decisions = stats.labels.first().map_or(0, |a| a.decisions);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Labels in {decisions} done {} by all reviewers",
        plural(decisions, "decision", "decisions")
    );
    for axis in &stats.labels {
        // (name, id, count): known labels by taxonomy order, then unknown ids.
        let mut lines: Vec<(String, String, usize)> = axis
            .labels
            .iter()
            .filter(|l| l.count > 0)
            .map(|l| (cell(&l.name), cell(&l.id), l.count))
            .collect();
        lines.extend(
            axis.unknown
                .iter()
                .map(|u| ("(not in labels.toml)".to_string(), cell(&u.id), u.count)),
        );
        if axis.unlabeled > 0 {
            lines.push(("(none)".to_string(), String::new(), axis.unlabeled));
        }
        let _ = writeln!(out, "  {}", axis.axis);
        if lines.is_empty() {
            let _ = writeln!(out, "    nothing yet");
            continue;
        }
        let name_w = lines.iter().map(|l| l.0.width()).max().unwrap_or(0);
        let id_w = lines.iter().map(|l| l.1.width()).max().unwrap_or(0);
        let count_w = lines.iter().map(|l| digits(l.2)).max().unwrap_or(1);
        for (name, id, count) in &lines {
            let _ = writeln!(
                out,
                "    {}  {}  {count:>count_w$}",
                pad(name, name_w),
                pad(id, id_w)
            );
        }
    }

    let _ = writeln!(out);
    if stats.reviewers.is_empty() {
        let _ = writeln!(out, "No reviewer has decided anything yet.");
    } else {
        reviewers_table(&mut out, stats);
    }
    if !stats.assignees.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Assigned in assignments.toml (left: not done yet)");
        let mut table: Vec<[String; 4]> =
            vec![["assignee", "assigned", "done", "left"].map(String::from)];
        for a in &stats.assignees {
            table.push([
                cell(&a.reviewer),
                a.assigned.to_string(),
                a.done.to_string(),
                a.left.to_string(),
            ]);
        }
        aligned(&mut out, &table);
    }
    out
}

/// The table of reviewers: decisions, time and median time.
fn reviewers_table(out: &mut String, stats: &Stats) {
    let header = [
        "reviewer",
        "decisions",
        "done",
        "skipped",
        "flagged",
        "time",
        "median",
    ];
    let mut table: Vec<[String; 7]> = vec![header.map(String::from)];
    for r in &stats.reviewers {
        table.push([
            cell(&r.reviewer),
            r.decisions.to_string(),
            r.done.to_string(),
            r.skipped.to_string(),
            r.flagged.to_string(),
            duration(r.seconds),
            r.median_seconds.map_or_else(|| "-".to_string(), duration),
        ]);
    }
    aligned(out, &table);
}

/// Rows of cells, the first column left-aligned and the others right-aligned, so
/// numbers' digits line up.
fn aligned<const N: usize>(out: &mut String, table: &[[String; N]]) {
    let widths: Vec<usize> = (0..N)
        .map(|c| table.iter().map(|row| row[c].width()).max().unwrap_or(0))
        .collect();
    for row in table {
        let mut line = pad(&row[0], widths[0]);
        for (c, text) in row.iter().enumerate().skip(1) {
            let _ = write!(line, "  {}{text}", " ".repeat(widths[c] - text.width()));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// Untrusted text made safe for the terminal and cut to [`MAX_CELL`] columns.
fn cell(text: &str) -> String {
    let clean = sanitize(text);
    if clean.width() <= MAX_CELL {
        return clean.into_owned();
    }
    let mut cut = String::new();
    let mut width = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > MAX_CELL - 1 {
            break;
        }
        width += w;
        cut.push(c);
    }
    cut.push('…');
    cut
}

/// Left-aligns by display width, which `format!`'s padding (counting chars) does not.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `14.2s`, `3m 05s`, `2h 07m`: as precise as a reader of a summary needs.
fn duration(seconds: f64) -> String {
    // Compared after rounding to a tenth, so 59.96 reads `1m 00s`, not `60.0s`.
    if (seconds * 10.0).round() < 600.0 {
        return format!("{seconds:.1}s");
    }
    // Whole seconds from here; the report's times are never negative.
    let whole = seconds.round() as u64;
    if whole < 3600 {
        format!("{}m {:02}s", whole / 60, whole % 60)
    } else {
        format!("{}h {:02}m", whole / 3600, whole % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use tempfile::TempDir;
    use toml::value::Datetime;

    use super::*;
    use crate::domain::{Edit, LabelId};
    use crate::store::{Faults, Inbox, WriteContext, write_edits};

    fn ctx() -> WriteContext {
        WriteContext {
            now: "2026-11-24T20:01:02Z"
                .parse::<Datetime>()
                .expect("test datetime parses"),
            article_sha256: "abc".into(),
            faults: Faults::default(),
        }
    }

    fn done(region: &[&str], theme: &[&str], reliability: Option<&str>, s: f64) -> Vec<Edit> {
        let mut edits: Vec<Edit> = region
            .iter()
            .map(|id| Edit::Add(Axis::Region, LabelId::from(*id)))
            .chain(
                theme
                    .iter()
                    .map(|id| Edit::Add(Axis::Theme, LabelId::from(*id))),
            )
            .collect();
        edits.push(Edit::SetReliability(reliability.map(LabelId::from)));
        edits.push(Edit::SetStatus(Status::Done));
        edits.push(Edit::AddSeconds(s));
        edits
    }

    fn status(status: Status, s: f64) -> Vec<Edit> {
        vec![Edit::SetStatus(status), Edit::AddSeconds(s)]
    }

    /// Six articles; alice decides five (three of them with time: an odd count for
    /// the median), bob decides four (an even count), carol only opened one.
    fn inbox() -> TempDir {
        let dir = TempDir::new().expect("temp dir");
        for i in 0..6 {
            fs::write(
                dir.path().join(format!("{i}.txt")),
                format!("Article {i}\n\nBody.\n"),
            )
            .expect("write article");
        }
        let write = |article: usize, reviewer: &str, edits: Vec<Edit>| {
            write_edits(
                &dir.path().join(format!("{article}.txt")),
                reviewer,
                &edits,
                &ctx(),
            )
            .expect("sidecar written");
        };
        write(
            0,
            "alice",
            done(&["mena", "europe"], &["war-conflict"], Some("mixed"), 10.0),
        );
        write(1, "alice", done(&["mena"], &[], Some("reliable"), 30.0));
        write(2, "alice", status(Status::Skipped, 20.0));
        write(3, "alice", status(Status::Flagged, 0.0));
        write(4, "alice", done(&["atlantis"], &["economy"], None, 0.0));

        write(
            0,
            "bob",
            done(&["mena"], &["war-conflict", "media"], Some("mixed"), 4.0),
        );
        write(1, "bob", done(&[], &["made-up"], Some("unreliable"), 8.0));
        write(
            2,
            "bob",
            done(&["europe", "atlantis"], &["economy"], Some("mixed"), 2.5),
        );
        write(5, "bob", status(Status::Flagged, 100.0));

        write(5, "carol", status(Status::Todo, 7.5));
        dir
    }

    fn computed(me: &str) -> Stats {
        let dir = inbox();
        let inbox = Inbox::load(dir.path(), me).expect("inbox loads");
        assert!(inbox.problems.is_empty(), "{:?}", inbox.problems);
        stats(&inbox.entries, me, &Taxonomy::default())
    }

    fn reviewer<'a>(stats: &'a Stats, name: &str) -> &'a ReviewerStats {
        stats
            .reviewers
            .iter()
            .find(|r| r.reviewer == name)
            .expect("reviewer listed")
    }

    fn count(stats: &Stats, axis: Axis, id: &str) -> usize {
        let a = &stats.labels[Axis::ALL.iter().position(|x| *x == axis).expect("axis")];
        a.labels
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.count)
            .expect("label in the taxonomy")
    }

    #[test]
    fn progress_is_the_reviewers_own_list_view() {
        let s = computed("alice");
        assert_eq!(
            s.progress,
            Progress {
                done: 3,
                skipped: 1,
                flagged: 1,
                todo: 1,
                total: 6
            }
        );
        let s = computed("bob");
        assert_eq!(
            s.progress,
            Progress {
                done: 3,
                skipped: 0,
                flagged: 1,
                todo: 2,
                total: 6
            }
        );
        // carol's one sidecar says todo: nothing of hers is decided.
        let s = computed("carol");
        assert_eq!((s.progress.todo, s.progress.total), (6, 6));
        assert_eq!(s.reviewer, "carol");
    }

    #[test]
    fn reviewers_count_decisions_time_and_median() {
        let s = computed("alice");
        let names: Vec<&str> = s.reviewers.iter().map(|r| r.reviewer.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol"]);

        // alice: 5 decisions; times 10, 30, 20 (the two zeros have none): odd median.
        let alice = reviewer(&s, "alice");
        assert_eq!(
            (alice.decisions, alice.done, alice.skipped, alice.flagged),
            (5, 3, 1, 1)
        );
        assert_eq!(alice.seconds, 60.0);
        assert_eq!(alice.median_seconds, Some(20.0));

        // bob: times 4, 8, 2.5, 100: even, the mean of 4 and 8.
        let bob = reviewer(&s, "bob");
        assert_eq!(
            (bob.decisions, bob.done, bob.skipped, bob.flagged),
            (4, 3, 0, 1)
        );
        assert_eq!(bob.seconds, 114.5);
        assert_eq!(bob.median_seconds, Some(6.0));

        // carol looked but decided nothing: her time counts, no median.
        let carol = reviewer(&s, "carol");
        assert_eq!(carol.decisions, 0);
        assert_eq!(carol.seconds, 7.5);
        assert_eq!(carol.median_seconds, None);
    }

    /// `seconds` that is not a time (NaN, infinite, negative, absurdly large) is
    /// ignored by the totals, while the decision and its labels still count.
    #[test]
    fn impossible_seconds_are_ignored_but_the_decision_counts() {
        let dir = TempDir::new().expect("temp dir");
        let values = [
            "nan",
            "inf",
            "-inf",
            "-5.0",
            "1e300",
            "1.7976931348623157e308",
            "12.5",
        ];
        for (i, value) in values.iter().enumerate() {
            fs::write(dir.path().join(format!("{i}.txt")), "Title\n\nBody.\n")
                .expect("write article");
            fs::write(
                dir.path().join(format!("{i}.txt.dave.toml")),
                format!("status = \"done\"\nregion = [\"mena\"]\nseconds = {value}\n"),
            )
            .expect("write sidecar");
        }
        let inbox = Inbox::load(dir.path(), "dave").expect("inbox loads");
        let s = stats(&inbox.entries, "dave", &Taxonomy::default());
        let dave = reviewer(&s, "dave");
        assert_eq!((dave.decisions, dave.done), (values.len(), values.len()));
        assert_eq!(dave.seconds, 12.5);
        assert_eq!(dave.median_seconds, Some(12.5));
        assert_eq!(count(&s, Axis::Region, "mena"), values.len());
        let text = render_text(&s);
        assert!(
            text.lines()
                .any(|l| l.starts_with("dave") && l.contains("12.5s")),
            "{text}"
        );
        assert!(!text.contains("5124095576030431h"), "{text}");
    }

    #[test]
    fn median_of_odd_even_and_no_values() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [7.0]), Some(7.0));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn labels_count_done_decisions_of_everyone_in_taxonomy_order() {
        let s = computed("alice");
        let axes: Vec<Axis> = s.labels.iter().map(|a| a.axis).collect();
        assert_eq!(axes, Axis::ALL);
        // alice's 3 done + bob's 3 done; skipped and flagged labels are not counted.
        assert!(s.labels.iter().all(|a| a.decisions == 6));

        assert_eq!(count(&s, Axis::Region, "mena"), 3);
        assert_eq!(count(&s, Axis::Region, "europe"), 2);
        assert_eq!(count(&s, Axis::Region, "asia"), 0);
        assert_eq!(count(&s, Axis::Theme, "war-conflict"), 2);
        assert_eq!(count(&s, Axis::Theme, "economy"), 2);
        assert_eq!(count(&s, Axis::Theme, "media"), 1);
        assert_eq!(count(&s, Axis::Reliability, "mixed"), 3);
        assert_eq!(count(&s, Axis::Reliability, "reliable"), 1);
        assert_eq!(count(&s, Axis::Reliability, "unreliable"), 1);

        let region = &s.labels[0];
        let ids: Vec<&str> = region.labels.iter().map(|l| l.id.as_str()).collect();
        let taxonomy = Taxonomy::default();
        let want: Vec<&str> = taxonomy
            .region
            .labels
            .iter()
            .map(|l| l.id.as_str())
            .collect();
        assert_eq!(ids, want);
        assert_eq!(region.labels[4].name, "Middle East & North Africa");

        // bob's decision on 1 has no region; alice's on 1 has no theme; alice's on 4
        // has no reliability.
        let unlabeled: Vec<usize> = s.labels.iter().map(|a| a.unlabeled).collect();
        assert_eq!(unlabeled, [1, 1, 1]);
    }

    #[test]
    fn unknown_ids_are_counted_not_lost() {
        let s = computed("alice");
        let unknown = |i: usize| -> Vec<(String, usize)> {
            s.labels[i]
                .unknown
                .iter()
                .map(|u| (u.id.clone(), u.count))
                .collect()
        };
        assert_eq!(unknown(0), [("atlantis".to_string(), 2)]);
        assert_eq!(unknown(1), [("made-up".to_string(), 1)]);
        assert_eq!(unknown(2), Vec::<(String, usize)>::new());
    }

    #[test]
    fn a_label_repeated_in_one_sidecar_counts_once() {
        let dir = TempDir::new().expect("temp dir");
        fs::write(dir.path().join("a.txt"), "A\n\nBody.\n").expect("write article");
        fs::write(
            dir.path().join("a.txt.alice.toml"),
            "status = \"done\"\nregion = [\"mena\", \"mena\"]\nseconds = -5.0\n",
        )
        .expect("write sidecar");
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        let s = stats(&inbox.entries, "alice", &Taxonomy::default());
        assert_eq!(count(&s, Axis::Region, "mena"), 1);
        // A negative time typed by hand is not time spent.
        assert_eq!(s.reviewers[0].seconds, 0.0);
        assert_eq!(s.reviewers[0].median_seconds, None);
    }

    #[test]
    fn json_has_the_shape_the_overlay_and_scripts_read() {
        let value = serde_json::to_value(computed("alice")).expect("serializes");
        assert_eq!(value["reviewer"], "alice");
        assert_eq!(value["progress"]["done"], 3);
        assert_eq!(value["labels"][0]["axis"], "region");
        assert_eq!(value["labels"][0]["labels"][4]["id"], "mena");
        assert_eq!(value["labels"][0]["labels"][4]["count"], 3);
        assert_eq!(value["labels"][0]["unknown"][0]["id"], "atlantis");
        assert_eq!(value["reviewers"][1]["median_seconds"], 6.0);
        assert!(value["reviewers"][2]["median_seconds"].is_null());
    }

    #[test]
    fn text_report_is_aligned_and_complete() {
        let text = render_text(&computed("alice"));
        let want = "\
Progress for alice: 3 of 6 done, 1 skipped, 1 flagged, 1 to do

Labels in 6 done decisions by all reviewers
  region
    Europe                      europe    2
    Middle East & North Africa  mena      3
    (not in labels.toml)        atlantis  2
    (none)                                1
  theme
    War & conflict          war-conflict  2
    Economy                 economy       2
    Media & disinformation  media         1
    (not in labels.toml)    made-up       1
    (none)                                1
  reliability
    Reliable    reliable    1
    Mixed       mixed       3
    Unreliable  unreliable  1
    (none)                  1

reviewer  decisions  done  skipped  flagged    time  median
alice             5     3        1        1  1m 00s   20.0s
bob               4     3        0        1  1m 55s    6.0s
carol             0     0        0        0    7.5s       -
";
        assert_eq!(text, want);
    }

    #[test]
    fn text_report_cleans_and_cuts_untrusted_ids() {
        let mut s = computed("alice");
        s.labels[0].unknown = vec![UnknownLabel {
            id: format!("\u{1b}]0;pwned\u{7}{}", "x".repeat(100)),
            count: 1,
        }];
        let text = render_text(&s);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        let line = text
            .lines()
            .find(|l| l.contains("(not in labels.toml)"))
            .expect("unknown line");
        assert!(
            line.contains(&format!("{}…", "x".repeat(MAX_CELL - 1))),
            "{line}"
        );
        assert!(!line.contains(&"x".repeat(MAX_CELL)), "{line}");
    }

    #[test]
    fn empty_inbox_reports_nothing_yet() {
        let s = stats(&[], "alice", &Taxonomy::default());
        assert_eq!(s.progress, Progress::default());
        assert!(s.reviewers.is_empty());
        let text = render_text(&s);
        assert!(
            text.starts_with("Progress for alice: 0 of 0 done"),
            "{text}"
        );
        assert!(text.contains("  region\n    nothing yet\n"), "{text}");
        assert!(
            text.ends_with("No reviewer has decided anything yet.\n"),
            "{text}"
        );
    }

    #[test]
    fn durations_read_naturally() {
        let cases = [
            (0.0, "0.0s"),
            (14.24, "14.2s"),
            (59.9, "59.9s"),
            (59.96, "1m 00s"),
            (60.0, "1m 00s"),
            (185.0, "3m 05s"),
            (3600.0, "1h 00m"),
            (7620.0, "2h 07m"),
        ];
        for (seconds, want) in cases {
            assert_eq!(duration(seconds), want, "{seconds}");
        }
    }
}
