//! `triage export`: every decision of every reviewer as rows, for spreadsheets (CSV)
//! and for programs (JSON Lines).
//!
//! One row per article and reviewer, in inbox order and, within an article, by
//! reviewer name. An article that no reviewer has a readable sidecar for still gets one
//! row, with an empty reviewer and status `todo`, so that an export always covers the
//! whole inbox and "not decided yet" is visible rather than silently missing.
//! Unreadable sidecars are left out, as everywhere in [`crate::team`], and never
//! silently: the command warns about each on stderr and exits 1 (see
//! [`crate::team::broken_sidecars`]); `triage check` reports them too.
//!
//! The text is exported exactly as found: an export is data for another program, not
//! something drawn on a screen, so nothing is sanitized away. Two exceptions, neither
//! of which loses anything a reader needs:
//!
//! - CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//!   `@`, a tab or a carriage return) get a leading `'`, as OWASP advises against CSV
//!   injection: a note typed as `=HYPERLINK(…)` stays text. Numbers (`seconds`) are
//!   never negative and are not touched.
//! - JSONL writes C1 controls, bidirectional overrides, zero-width characters and the
//!   line and paragraph separators as `\uXXXX` escapes. They decode to the very same
//!   characters, so JSONL stays exact, but the file is safe to `cat` in a terminal and
//!   no line-splitting reader breaks a record in two.

use std::io;
use std::path::{Component, Path};

use serde::Serialize;

use super::sidecars_of;
use crate::article::{Suggestion, Suggestions};
use crate::domain::Status;
use crate::store::{Entry, Sidecar};

/// The columns of the CSV, in order; also the keys of each JSONL object.
pub const COLUMNS: [&str; 12] = [
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
    "seconds",
];

/// The columns `export --suggestions` adds to the CSV.
pub const SUGGESTED_COLUMNS: [&str; 3] = [
    "suggested_region",
    "suggested_theme",
    "suggested_reliability",
];

/// One reviewer's decision about one article, flattened with what identifies the
/// article, so that a spreadsheet or a data frame needs no join to use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The article's path relative to the inbox, `/`-separated on every platform so
    /// that exports from different machines compare equal.
    pub file: String,
    pub title: String,
    /// Where the story comes from, else who published this copy.
    pub source: Option<String>,
    /// Publication date as `YYYY-MM-DD`, when the article gives one.
    pub date: Option<String>,
    pub status: Status,
    pub region: Vec<String>,
    pub theme: Vec<String>,
    pub reliability: Option<String>,
    pub note: Option<String>,
    /// `None` only on the row of an article nobody has a readable sidecar for.
    pub reviewer: Option<String>,
    /// The sidecar's last write, RFC 3339 as the sidecar stores it.
    pub decided_at: Option<String>,
    /// Time spent on the article by this reviewer; `None` when there is no sidecar.
    pub seconds: Option<f64>,
    /// What the tool suggested for the article (`export --suggestions`): the
    /// accepted ones per axis and the weaker ones, each with where from and a score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested: Option<Suggestions>,
}

impl Row {
    /// The row with every text cleaned for a screen (see [`crate::sanitize`]): for
    /// an export printed to a terminal rather than written to a file or a pipe,
    /// where a note's escape sequences would act on the terminal.
    pub fn for_screen(&self) -> Row {
        let clean = |s: &String| crate::sanitize::sanitize(s).into_owned();
        let clean_opt = |s: &Option<String>| s.as_ref().map(clean);
        Row {
            file: clean(&self.file),
            title: clean(&self.title),
            source: clean_opt(&self.source),
            date: clean_opt(&self.date),
            status: self.status,
            region: self.region.iter().map(clean).collect(),
            theme: self.theme.iter().map(clean).collect(),
            reliability: clean_opt(&self.reliability),
            note: clean_opt(&self.note),
            reviewer: clean_opt(&self.reviewer),
            decided_at: clean_opt(&self.decided_at),
            seconds: self.seconds,
            suggested: self.suggested.as_ref().map(clean_suggestions),
        }
    }
}

/// Suggestions with their ids and origins cleaned for a screen.
fn clean_suggestions(s: &Suggestions) -> Suggestions {
    let clean = |x: &Suggestion| Suggestion {
        id: crate::domain::LabelId::from(crate::sanitize::sanitize(&x.id).into_owned()),
        from: crate::sanitize::sanitize(&x.from).into_owned(),
        score: x.score,
    };
    let all = |v: &[Suggestion]| v.iter().map(clean).collect();
    Suggestions {
        region: all(&s.region),
        theme: all(&s.theme),
        reliability: s.reliability.as_ref().map(clean),
        weaker: crate::article::Weaker {
            region: all(&s.weaker.region),
            theme: all(&s.weaker.theme),
            reliability: s.weaker.reliability.as_ref().map(clean),
        },
    }
}

/// The export's rows for an inbox: one per article and readable sidecar, or one
/// `todo` row without a reviewer for an article that has none. `me` is the reviewer
/// the entries were loaded for (whose sidecar sits in `Entry::mine`). `suggested`,
/// when given, holds each entry's suggestions (by index), added to its rows.
pub fn rows(entries: &[Entry], me: &str, suggested: Option<&[Suggestions]>) -> Vec<Row> {
    let mut rows = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let sidecars = sidecars_of(entry, me);
        let start = rows.len();
        if sidecars.is_empty() {
            rows.push(row(entry, None));
        }
        for (reviewer, sidecar) in sidecars {
            rows.push(row(entry, Some((reviewer, sidecar))));
        }
        if let Some(s) = suggested.and_then(|all| all.get(i)) {
            rows[start..]
                .iter_mut()
                .for_each(|r| r.suggested = Some(s.clone()));
        }
    }
    rows
}

fn row(entry: &Entry, sidecar: Option<(&str, &Sidecar)>) -> Row {
    let article = entry.article.as_ref().ok();
    let decision = sidecar.map(|(_, s)| &s.decision);
    Row {
        file: slash_path(&entry.rel),
        title: entry.title().to_string(),
        source: article.and_then(|a| a.source.clone().or_else(|| a.publisher.clone())),
        date: article.and_then(|a| a.date.clone()),
        status: decision.map_or(Status::Todo, |d| d.status),
        region: decision.map(|d| ids(&d.region)).unwrap_or_default(),
        theme: decision.map(|d| ids(&d.theme)).unwrap_or_default(),
        reliability: decision.and_then(|d| d.reliability.as_ref().map(|id| id.to_string())),
        note: decision.and_then(|d| d.note.clone()),
        reviewer: sidecar.map(|(name, _)| name.to_string()),
        decided_at: sidecar.and_then(|(_, s)| s.decided_at.map(|at| at.to_string())),
        seconds: decision.map(|d| d.seconds),
        suggested: None,
    }
}

/// `world/a.txt` whatever the platform's separator; a name that is not UTF-8 is
/// written lossily, as `triage list` does.
fn slash_path(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// Writes the rows as RFC 4180 CSV: a header row, CRLF line ends, fields quoted when
/// they hold a comma, a quote or a line break (notes keep their line breaks), label
/// ids joined with `;`, missing values as empty cells. UTF-8 without a byte-order
/// mark, which pandas and every CSV library read as is (Excel wants its UTF-8 import).
/// Cells that would start a formula are guarded with a leading `'` (see the module).
pub fn write_csv(rows: &[Row], out: impl io::Write) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    // With `--suggestions`, three more columns: what `a` would accept, as
    // `id score` pairs joined with `;` (`mena 0.93;europe 0.61`).
    let suggested = rows.iter().any(|r| r.suggested.is_some());
    let mut header: Vec<&str> = COLUMNS.to_vec();
    if suggested {
        header.extend(SUGGESTED_COLUMNS);
    }
    writer.write_record(&header).map_err(csv_error)?;
    for r in rows {
        let seconds = r.seconds.map(|s| s.to_string()).unwrap_or_default();
        let cells = [
            guard(&r.file),
            guard(&r.title),
            guard(r.source.as_deref().unwrap_or("")),
            guard(r.date.as_deref().unwrap_or("")),
            r.status.as_str().to_string(),
            guard(&r.region.join(";")),
            guard(&r.theme.join(";")),
            guard(r.reliability.as_deref().unwrap_or("")),
            guard(r.note.as_deref().unwrap_or("")),
            guard(r.reviewer.as_deref().unwrap_or("")),
            r.decided_at.clone().unwrap_or_default(),
            seconds,
        ];
        let mut cells = cells.to_vec();
        if suggested {
            let s = r.suggested.clone().unwrap_or_default();
            let pairs = |list: &[Suggestion]| {
                let pairs: Vec<String> = list
                    .iter()
                    .map(|x| format!("{} {:.2}", x.id, x.score))
                    .collect();
                guard(&pairs.join(";"))
            };
            cells.push(pairs(&s.region));
            cells.push(pairs(&s.theme));
            cells.push(pairs(s.reliability.as_slice()));
        }
        writer.write_record(&cells).map_err(csv_error)?;
    }
    writer.flush()
}

/// The csv crate wraps I/O errors; unwrap them so a closed pipe stays a
/// `BrokenPipe` the CLI can recognise and stay quiet about.
fn csv_error(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        // Not reached after the check above; an error all the same, never a panic.
        _ => io::Error::other("the CSV writer failed"),
    }
}

/// A leading `'` for a cell a spreadsheet would evaluate (OWASP's CSV injection advice).
fn guard(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Writes the rows as JSON Lines: one object per line with the keys of [`COLUMNS`],
/// `region` and `theme` as arrays, `seconds` as a number and missing values as
/// `null`. The text is exact; characters that could disturb a terminal or a
/// line-based reader are written as `\uXXXX` escapes (see the module).
pub fn write_jsonl(rows: &[Row], mut out: impl io::Write) -> io::Result<()> {
    for r in rows {
        let line = serde_json::to_string(r).map_err(io::Error::other)?;
        out.write_all(crate::sanitize::escape_json_hidden(&line).as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Label ids as the exported row's plain strings.
fn ids(ids: &[crate::domain::LabelId]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use serde_json::Value;
    use tempfile::TempDir;
    use toml::value::Datetime;

    use super::*;
    use crate::domain::Edit;
    use crate::labels::Axis;
    use crate::store::{Faults, Inbox, WriteContext, write_edits};

    fn ctx(now: &str) -> WriteContext {
        WriteContext {
            now: now.parse::<Datetime>().expect("test datetime parses"),
            article_sha256: "abc".into(),
            faults: Faults::default(),
        }
    }

    /// A small inbox: three articles, two of them decided by alice and bob through
    /// the real store, one decided by nobody, with the awkward text a real inbox has.
    fn inbox() -> TempDir {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        fs::create_dir(root.join("world")).expect("make folder");
        fs::write(
            root.join("a.txt"),
            "Guns, \"butter\" and bread\n\nSource: example.org\n\nBody.\n",
        )
        .expect("write a");
        fs::write(
            root.join("world/b.md"),
            "---\ntitle: Zürich — Ωmega talks\ndate: 2015-09-12\n---\n\nBody.\n",
        )
        .expect("write b");
        fs::write(root.join("world/c.txt"), "Nobody read this\n\nBody.\n").expect("write c");

        let a = root.join("a.txt");
        write_edits(
            &a,
            "bob",
            &[
                Edit::Add(Axis::Region, "mena".into()),
                Edit::Add(Axis::Region, "europe".into()),
                Edit::Add(Axis::Theme, "war-conflict".into()),
                Edit::SetReliability(Some("mixed".into())),
                Edit::SetNote(Some("=SUM(A1)".into())),
                Edit::SetStatus(Status::Done),
                Edit::AddSeconds(14.2),
            ],
            &ctx("2026-11-24T20:01:02Z"),
        )
        .expect("bob writes a");
        write_edits(
            &a,
            "alice",
            &[
                Edit::Add(Axis::Region, "mena".into()),
                Edit::SetNote(Some("first line, \"quoted\"\nsecond line".into())),
                Edit::SetStatus(Status::Flagged),
                Edit::AddSeconds(3.0),
            ],
            &ctx("2026-11-25T08:00:00Z"),
        )
        .expect("alice writes a");
        write_edits(
            &root.join("world/b.md"),
            "alice",
            &[Edit::SetStatus(Status::Skipped)],
            &ctx("2026-11-25T09:30:15Z"),
        )
        .expect("alice writes b");
        dir
    }

    fn loaded(dir: &TempDir) -> Vec<Entry> {
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        assert!(inbox.problems.is_empty(), "{:?}", inbox.problems);
        inbox.entries
    }

    /// The rows the inbox above must export, in order.
    fn expected() -> Vec<[&'static str; 12]> {
        vec![
            [
                "a.txt",
                "Guns, \"butter\" and bread",
                "example.org",
                "",
                "flagged",
                "mena",
                "",
                "",
                "first line, \"quoted\"\nsecond line",
                "alice",
                "2026-11-25T08:00:00Z",
                "3",
            ],
            [
                "a.txt",
                "Guns, \"butter\" and bread",
                "example.org",
                "",
                "done",
                "mena;europe",
                "war-conflict",
                "mixed",
                "'=SUM(A1)",
                "bob",
                "2026-11-24T20:01:02Z",
                "14.2",
            ],
            [
                "world/b.md",
                "Zürich — Ωmega talks",
                "",
                "2015-09-12",
                "skipped",
                "",
                "",
                "",
                "",
                "alice",
                "2026-11-25T09:30:15Z",
                "0",
            ],
            [
                "world/c.txt",
                "Nobody read this",
                "",
                "",
                "todo",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ]
    }

    #[test]
    fn csv_reads_back_field_for_field_with_a_real_csv_reader() {
        let dir = inbox();
        let rows = rows(&loaded(&dir), "alice", None);
        let mut bytes = Vec::new();
        write_csv(&rows, &mut bytes).expect("writes csv");

        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .expect("has a header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, COLUMNS);
        let got: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("record parses").iter().map(String::from).collect())
            .collect();
        let want: Vec<Vec<String>> = expected()
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn csv_is_rfc_4180_with_crlf_and_quoted_line_breaks() {
        let dir = inbox();
        let mut bytes = Vec::new();
        write_csv(&rows(&loaded(&dir), "alice", None), &mut bytes).expect("writes csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.starts_with(
            "file,title,source,date,status,region,theme,reliability,note,reviewer,decided_at,seconds\r\n"
        ));
        assert!(
            text.contains("\"first line, \"\"quoted\"\"\nsecond line\""),
            "{text}"
        );
        assert!(text.ends_with("\r\nworld/c.txt,Nobody read this,,,todo,,,,,,,\r\n"));
        assert!(!text.starts_with('\u{feff}'));
    }

    #[test]
    fn formula_looking_cells_are_guarded_and_others_left_alone() {
        let cases = [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            (" =x", " =x"),
            ("'quoted", "'quoted"),
            ("", ""),
            ("Zürich", "Zürich"),
        ];
        for (cell, want) in cases {
            assert_eq!(guard(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn jsonl_parses_back_field_for_field() {
        let dir = inbox();
        let rows = rows(&loaded(&dir), "alice", None);
        let mut bytes = Vec::new();
        write_jsonl(&rows, &mut bytes).expect("writes jsonl");
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(text.ends_with('\n'));
        let objects: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).expect("line is json"))
            .collect();
        for object in &objects {
            let keys: Vec<&str> = object
                .as_object()
                .expect("an object")
                .keys()
                .map(String::as_str)
                .collect();
            let mut want = COLUMNS.to_vec();
            let mut keys = keys;
            want.sort_unstable();
            keys.sort_unstable();
            assert_eq!(keys, want);
        }
        let want = [
            serde_json::json!({
                "file": "a.txt", "title": "Guns, \"butter\" and bread", "source": "example.org",
                "date": null, "status": "flagged", "region": ["mena"], "theme": [],
                "reliability": null, "note": "first line, \"quoted\"\nsecond line",
                "reviewer": "alice", "decided_at": "2026-11-25T08:00:00Z", "seconds": 3.0,
            }),
            serde_json::json!({
                "file": "a.txt", "title": "Guns, \"butter\" and bread", "source": "example.org",
                "date": null, "status": "done", "region": ["mena", "europe"],
                "theme": ["war-conflict"], "reliability": "mixed", "note": "=SUM(A1)",
                "reviewer": "bob", "decided_at": "2026-11-24T20:01:02Z", "seconds": 14.2,
            }),
            serde_json::json!({
                "file": "world/b.md", "title": "Zürich — Ωmega talks", "source": null,
                "date": "2015-09-12", "status": "skipped", "region": [], "theme": [],
                "reliability": null, "note": null, "reviewer": "alice",
                "decided_at": "2026-11-25T09:30:15Z", "seconds": 0.0,
            }),
            serde_json::json!({
                "file": "world/c.txt", "title": "Nobody read this", "source": null,
                "date": null, "status": "todo", "region": [], "theme": [],
                "reliability": null, "note": null, "reviewer": null,
                "decided_at": null, "seconds": null,
            }),
        ];
        for (i, (got, want)) in objects.iter().zip(&want).enumerate() {
            for column in COLUMNS {
                assert_eq!(got[column], want[column], "row {i}, {column}");
            }
        }
        assert!(objects[2]["seconds"].is_number());
    }

    #[test]
    fn article_without_a_readable_sidecar_still_gets_a_todo_row() {
        let dir = inbox();
        // A broken sidecar is left out, as `triage check` reports it; the article is
        // still exported, as not decided by anyone.
        fs::write(dir.path().join("world/c.txt.carol.toml"), "status = done\n")
            .expect("write broken sidecar");
        let rows = rows(&loaded(&dir), "alice", None);
        let c: Vec<&Row> = rows.iter().filter(|r| r.file == "world/c.txt").collect();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].status, Status::Todo);
        assert_eq!(c[0].reviewer, None);
        assert_eq!(c[0].seconds, None);
        assert_eq!(c[0].decided_at, None);
    }

    #[test]
    fn rows_follow_inbox_order_then_reviewer_name_whoever_is_me() {
        let dir = inbox();
        let inbox = Inbox::load(dir.path(), "bob").expect("inbox loads");
        let got: Vec<(String, Option<String>)> = rows(&inbox.entries, "bob", None)
            .into_iter()
            .map(|r| (r.file, r.reviewer))
            .collect();
        let want = [
            ("a.txt", Some("alice")),
            ("a.txt", Some("bob")),
            ("world/b.md", Some("alice")),
            ("world/c.txt", None),
        ];
        let want: Vec<(String, Option<String>)> = want
            .iter()
            .map(|(f, r)| (f.to_string(), r.map(String::from)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn source_falls_back_to_publisher_and_unreadable_articles_use_their_path() {
        let dir = TempDir::new().expect("temp dir");
        fs::write(
            dir.path().join("p.txt"),
            "Headline\n\nGlobal Research, September 12, 2015\n\nBody text here.\n",
        )
        .expect("write p");
        fs::write(dir.path().join("bin.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2])
            .expect("write binary");
        let entries = loaded(&dir);
        let rows = rows(&entries, "alice", None);
        let by_file = |f: &str| rows.iter().find(|r| r.file == f).expect("row present");
        let p = entries
            .iter()
            .find(|e| e.rel == Path::new("p.txt"))
            .expect("p loaded");
        let a = p.article.as_ref().expect("p parses");
        assert_eq!(a.source, None, "{a:?}");
        assert_eq!(by_file("p.txt").source, a.publisher);
        assert!(by_file("p.txt").source.is_some());
        let bin = entries
            .iter()
            .find(|e| e.rel == Path::new("bin.txt"))
            .expect("bin loaded");
        assert!(bin.article.is_err(), "a binary file is refused");
        assert_eq!(by_file("bin.txt").title, "bin.txt");
        assert_eq!(by_file("bin.txt").source, None);
        assert_eq!(by_file("bin.txt").status, Status::Todo);
    }

    #[test]
    fn jsonl_escapes_terminal_controls_yet_decodes_to_the_exact_text() {
        let note = "csi\u{9b}31m bidi\u{202e} zw\u{200b} ls\u{2028} esc\u{1b}[2J";
        let row = Row {
            file: "a.txt".into(),
            title: "t".into(),
            source: None,
            date: None,
            status: Status::Done,
            region: vec![],
            theme: vec![],
            reliability: None,
            note: Some(note.into()),
            reviewer: Some("alice".into()),
            decided_at: None,
            seconds: Some(1.5),
            suggested: None,
        };
        let mut bytes = Vec::new();
        write_jsonl(std::slice::from_ref(&row), &mut bytes).expect("writes");
        let text = String::from_utf8(bytes).expect("utf-8");
        for c in ['\u{9b}', '\u{202e}', '\u{200b}', '\u{2028}', '\u{1b}'] {
            assert!(!text.contains(c), "{c:?} written raw: {text}");
        }
        let back: Value = serde_json::from_str(text.trim_end()).expect("json");
        assert_eq!(back["note"], note);
    }

    #[test]
    fn a_closed_pipe_is_reported_as_broken_pipe() {
        struct Closed;
        impl io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
        }
        let dir = inbox();
        let rows = rows(&loaded(&dir), "alice", None);
        let csv = write_csv(&rows, Closed).expect_err("pipe is closed");
        assert_eq!(csv.kind(), io::ErrorKind::BrokenPipe);
        let jsonl = write_jsonl(&rows, Closed).expect_err("pipe is closed");
        assert_eq!(jsonl.kind(), io::ErrorKind::BrokenPipe);
    }
}
