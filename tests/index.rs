//! The index of parsed articles (issue 14), through the built binary: every kind of
//! change to the inbox is seen, a damaged, foreign or unreachable index never changes
//! what a command answers, several processes share it safely, and what `triage
//! search` finds is the same with and without it.
//!
//! The index trusts a row only when it was written well after the file last changed
//! (the "racy" rule of `index::Cached::fresh`), so the tests set every article's
//! modification time an hour into the past: else a row written just after the inbox
//! was made would be read again on every run, and the index would never serve it.

mod common;

use std::fs;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, SystemTime};

use common::{stderr, stdout, triage};
use serde_json::Value;

/// Runs a command that must succeed in silence; its stdout.
fn quiet(inbox: &Path, args: &[&str]) -> String {
    let out = triage(inbox, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), "", "{args:?} said something on stderr");
    stdout(&out)
}

/// Runs a command with `--no-index`, which must succeed in silence; its stdout.
fn without_index(inbox: &Path, args: &[&str]) -> String {
    let mut all = vec!["--no-index"];
    all.extend_from_slice(args);
    quiet(inbox, &all)
}

/// Sets the modification time of `path` to `ago` before now.
fn set_mtime_ago(path: &Path, ago: Duration) {
    set_mtime(path, SystemTime::now() - ago);
}

fn set_mtime(path: &Path, when: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .unwrap_or_else(|e| panic!("set the mtime of {}: {e}", path.display()));
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("read a folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Moves every file's modification time an hour back, so that rows written from now
/// on are trusted (see the module's comment).
fn age(inbox: &Path) {
    for file in files(inbox) {
        set_mtime_ago(&file, Duration::from_secs(3600));
    }
}

/// What `triage index` said: `PATH: ROWS articles of TOTAL in the inbox, READ read
/// from their files now, …`.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    rows: usize,
    total: usize,
    read: usize,
}

fn index_line(inbox: &Path, args: &[&str]) -> (PathBuf, Counts) {
    let mut all = vec!["index"];
    all.extend_from_slice(args);
    let line = quiet(inbox, &all);
    assert_eq!(line.lines().count(), 1, "{line}");
    let (path, rest) = line.rsplit_once(": ").expect("PATH: …");
    let words: Vec<&str> = rest.split_whitespace().collect();
    let number = |i: usize| -> usize {
        words
            .get(i)
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("word {i} of {line:?} is not a number"))
    };
    assert_eq!(words.get(1..3), Some(&["articles", "of"][..]), "{line}");
    assert_eq!(
        words.get(8..11),
        Some(&["read", "from", "their"][..]),
        "{line}"
    );
    (
        PathBuf::from(path),
        Counts {
            rows: number(0),
            total: number(3),
            read: number(7),
        },
    )
}

/// `triage index`'s counts.
fn counts(inbox: &Path) -> Counts {
    index_line(inbox, &[]).1
}

fn counts_of(rows: usize, read: usize) -> Counts {
    Counts {
        rows,
        total: rows,
        read,
    }
}

/// The index file of `inbox`.
fn index_file(inbox: &Path) -> PathBuf {
    index_line(inbox, &[]).0
}

/// `triage search QUERY --format json`, which must say the same with and without the
/// index; the files found, best first.
fn search(inbox: &Path, query: &str) -> Vec<String> {
    let args = ["search", query, "--format", "json"];
    let with = quiet(inbox, &args);
    assert_eq!(
        with,
        without_index(inbox, &args),
        "`triage search {query}` with and without the index"
    );
    let rows: Vec<Value> = serde_json::from_str(&with).expect("search's JSON");
    rows.iter()
        .map(|r| r["file"].as_str().expect("a file").to_string())
        .collect()
}

/// Every article's file and title from `triage list --format json`, which must say
/// the same with and without the index.
fn titles(inbox: &Path) -> Vec<(String, String)> {
    let args = ["list", "--format", "json"];
    let with = quiet(inbox, &args);
    assert_eq!(
        with,
        without_index(inbox, &args),
        "`triage list` with and without the index"
    );
    let rows: Vec<Value> = serde_json::from_str(&with).expect("list's JSON");
    rows.iter()
        .map(|r| {
            (
                r["file"].as_str().expect("a file").to_string(),
                r["title"].as_str().expect("a title").to_string(),
            )
        })
        .collect()
}

fn title_of(inbox: &Path, file: &str) -> Option<String> {
    titles(inbox)
        .into_iter()
        .find(|(f, _)| f == file)
        .map(|(_, t)| t)
}

/// The article the staleness tests change: its first line is its title.
const BANKS: &str = "001_central_banks_hold_rates.txt";

/// A copy of the sample inbox whose every article is in the index, trusted.
fn indexed_sample(dir: &Path) -> PathBuf {
    let inbox = common::copy_inbox(dir);
    age(&inbox);
    let list: Vec<Value> =
        serde_json::from_str(&without_index(&inbox, &["list", "--format", "json"])).expect("JSON");
    let total = list.len();
    assert_eq!(total, 15);
    assert_eq!(
        counts(&inbox),
        counts_of(total, total),
        "the first run reads all"
    );
    assert_eq!(counts(&inbox), counts_of(total, 0), "the second reads none");
    inbox
}

/// `text` with its first line replaced by `title`.
fn retitled(text: &str, title: &str) -> String {
    let (_, rest) = text.split_once('\n').expect("a title line");
    format!("{title}\n{rest}")
}

#[test]
fn an_article_edited_in_place_to_the_same_size_is_read_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let path = inbox.join(BANKS);
    let before = fs::metadata(&path).expect("stat");
    let old = fs::read_to_string(&path).expect("read");
    let old_title = title_of(&inbox, BANKS).expect("the article is listed");
    assert!(old.starts_with("Central"), "{old}");
    // The same bytes but for one word of the title and one of the body, written over
    // the file in place: same size, same inode.
    let new = old
        .replacen("Central", "Walrusy", 1)
        .replacen(" the ", " zqx ", 1);
    assert_eq!(new.len(), old.len());
    assert_ne!(new, old);
    let file = fs::File::options().write(true).open(&path).expect("open");
    file.write_all_at(new.as_bytes(), 0)
        .expect("write in place");
    drop(file);
    set_mtime_ago(&path, Duration::from_secs(1800));
    let after = fs::metadata(&path).expect("stat");
    assert_eq!((after.ino(), after.len()), (before.ino(), before.len()));

    assert_eq!(
        counts(&inbox),
        counts_of(15, 1),
        "the edited article is read again"
    );
    assert_eq!(
        title_of(&inbox, BANKS),
        Some(old_title.replacen("Central", "Walrusy", 1))
    );
    assert_eq!(search(&inbox, "'walrusy"), vec![BANKS]);
    assert_eq!(
        search(&inbox, "'zqx"),
        vec![BANKS],
        "the new body is searched"
    );
    assert_eq!(
        counts(&inbox),
        counts_of(15, 0),
        "and is then served by the index"
    );
}

#[test]
fn an_article_rewritten_to_another_size_is_read_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let path = inbox.join(BANKS);
    let old = fs::read_to_string(&path).expect("read");
    let ino = fs::metadata(&path).expect("stat").ino();
    let new = format!(
        "{}\nA new closing paragraph about the pelican budget.\n",
        retitled(&old, "Pelicans hold the line")
    );
    fs::write(&path, &new).expect("rewrite");
    set_mtime_ago(&path, Duration::from_secs(1800));
    assert_eq!(
        fs::metadata(&path).expect("stat").ino(),
        ino,
        "the same file"
    );

    assert_eq!(counts(&inbox), counts_of(15, 1));
    assert_eq!(
        title_of(&inbox, BANKS).as_deref(),
        Some("Pelicans hold the line")
    );
    assert_eq!(search(&inbox, "'pelican budget"), vec![BANKS]);
    assert_eq!(
        search(&inbox, "'rates steady"),
        Vec::<String>::new(),
        "the old title is gone"
    );
    assert_eq!(counts(&inbox), counts_of(15, 0));
}

#[test]
fn an_article_replaced_by_a_rename_over_it_is_read_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let path = inbox.join(BANKS);
    let before = fs::metadata(&path).expect("stat");
    let old = fs::read_to_string(&path).expect("read");
    // What an editor or a sync tool does: a whole new file renamed over the old one.
    // Same size and even the same modification time: only the inode (and the change
    // time) tell it apart.
    let new = old.replacen("Central", "Walrusy", 1);
    assert_eq!(new.len(), old.len());
    let temp = dir.path().join("replacement.tmp");
    fs::write(&temp, &new).expect("write the replacement");
    set_mtime(&temp, before.modified().expect("mtime"));
    fs::rename(&temp, &path).expect("rename over");
    let after = fs::metadata(&path).expect("stat");
    assert_ne!(after.ino(), before.ino());
    assert_eq!(after.modified().ok(), before.modified().ok());

    assert_eq!(counts(&inbox), counts_of(15, 1));
    assert!(
        title_of(&inbox, BANKS).is_some_and(|t| t.starts_with("Walrusy")),
        "{:?}",
        title_of(&inbox, BANKS)
    );
    assert_eq!(search(&inbox, "'walrusy"), vec![BANKS]);
    assert_eq!(counts(&inbox), counts_of(15, 0));
}

#[test]
fn a_deleted_article_is_dropped_from_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    assert_eq!(search(&inbox, "'central banks"), vec![BANKS]);
    fs::remove_file(inbox.join(BANKS)).expect("delete");

    assert_eq!(
        counts(&inbox),
        counts_of(14, 0),
        "its row is gone, nothing read"
    );
    assert_eq!(title_of(&inbox, BANKS), None);
    assert_eq!(search(&inbox, "'central banks"), Vec::<String>::new());
    assert_eq!(titles(&inbox).len(), 14);
}

#[test]
fn a_renamed_article_is_found_under_its_new_name_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let title = title_of(&inbox, BANKS).expect("listed");
    let renamed = "europe/001_renamed.txt";
    fs::rename(inbox.join(BANKS), inbox.join(renamed)).expect("rename");

    assert_eq!(counts(&inbox), counts_of(15, 1), "the new name is read");
    assert_eq!(title_of(&inbox, BANKS), None);
    assert_eq!(title_of(&inbox, renamed), Some(title));
    assert_eq!(search(&inbox, "'central banks"), vec![renamed]);
    assert_eq!(counts(&inbox), counts_of(15, 0));
}

#[test]
fn a_touched_article_still_answers_the_same() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let list = titles(&inbox);
    let found = search(&inbox, "'rates");
    assert!(found.contains(&BANKS.to_string()), "{found:?}");

    // `touch`: the modification time is now, so the row written next is too close
    // to it to be trusted; whatever the index does, the answers stay the same.
    set_mtime(&inbox.join(BANKS), SystemTime::now());
    assert_eq!(titles(&inbox), list);
    assert_eq!(search(&inbox, "'rates"), found);

    // Touched into the past: read once more, then served by the index again.
    set_mtime_ago(&inbox.join(BANKS), Duration::from_secs(600));
    assert_eq!(counts(&inbox), counts_of(15, 1));
    assert_eq!(counts(&inbox), counts_of(15, 0));
    assert_eq!(titles(&inbox), list);
    assert_eq!(search(&inbox, "'rates"), found);
}

#[test]
fn an_article_changed_within_the_same_timestamp_is_read_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let path = inbox.join(BANKS);
    let before = fs::metadata(&path).expect("stat");
    let old = fs::read_to_string(&path).expect("read");
    // A change the size, modification time and inode all miss: the same number of
    // bytes written in place, and the modification time put back to exactly what it
    // was (as a change within one tick of a coarse file system clock, or a tool that
    // keeps times, leaves it). Only the change time, which no program can set, tells:
    // any write or `set_times` moves it to now. An index that ignored it would go on
    // serving the old title.
    let new = old.replacen("Central", "Walrusy", 1);
    assert_eq!(new.len(), old.len());
    let file = fs::File::options().write(true).open(&path).expect("open");
    file.write_all_at(new.as_bytes(), 0)
        .expect("write in place");
    file.set_modified(before.modified().expect("mtime"))
        .expect("set the mtime back");
    drop(file);
    let after = fs::metadata(&path).expect("stat");
    assert_eq!(
        (after.len(), after.mtime(), after.mtime_nsec(), after.ino()),
        (
            before.len(),
            before.mtime(),
            before.mtime_nsec(),
            before.ino()
        )
    );
    assert_ne!(
        (after.ctime(), after.ctime_nsec()),
        (before.ctime(), before.ctime_nsec())
    );

    assert_eq!(
        counts(&inbox),
        counts_of(15, 1),
        "the change time gave it away"
    );
    assert!(
        title_of(&inbox, BANKS).is_some_and(|t| t.starts_with("Walrusy")),
        "{:?}",
        title_of(&inbox, BANKS)
    );
    assert_eq!(search(&inbox, "'walrusy"), vec![BANKS]);
}

/// Damages the index with `damage`, then checks that the next command says in one
/// line that the index is made again and answers as without it, and that the run
/// after it is quiet and served by the index.
fn survives_damage(damage: impl FnOnce(&Path), why: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let file = index_file(&inbox);
    damage(&file);
    let args = ["search", "'rates", "--format", "json"];
    let out = triage(&inbox, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "triage: the index {} is made again: ",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains(why), "{err}");
    assert_eq!(stdout(&out), without_index(&inbox, &args));
    assert_eq!(counts(&inbox), counts_of(15, 0), "the new index is used");
    assert_eq!(quiet(&inbox, &args), stdout(&out));
}

#[test]
fn a_truncated_index_file_is_made_again_in_one_line() {
    survives_damage(
        |file| {
            let len = fs::metadata(file).expect("stat").len();
            let f = fs::File::options().write(true).open(file).expect("open");
            f.set_len(len / 2).expect("truncate");
        },
        "could not be read",
    );
}

#[test]
fn a_garbage_index_file_is_made_again_in_one_line() {
    survives_damage(
        |file| {
            let len = fs::metadata(file).expect("stat").len() as usize;
            fs::write(file, noise(len)).expect("write garbage");
        },
        "could not be read",
    );
}

/// Deterministic noise.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// The leaf pages of the tables whose name starts with `prefix`, and the page size.
fn leaf_pages(file: &Path, prefix: &str) -> (Vec<u64>, u64) {
    let conn = rusqlite::Connection::open(file).expect("open with SQLite");
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    let mut stmt = conn
        .prepare(
            "SELECT pageno FROM dbstat WHERE substr(name, 1, length(?1)) = ?1 \
             AND pagetype = 'leaf'",
        )
        .expect("dbstat");
    let pages: Vec<i64> = stmt
        .query_map([prefix], |r| r.get(0))
        .expect("pages")
        .collect::<Result<_, _>>()
        .expect("pages");
    assert!(!pages.is_empty(), "no leaf page of {prefix}");
    (pages.into_iter().map(|p| p as u64).collect(), size as u64)
}

/// Writes noise over the second half of each leaf page of the tables named
/// `prefix…`: their page headers stay intact, the rows in them do not.
fn damage_rows(file: &Path, prefix: &str) {
    let (pages, size) = leaf_pages(file, prefix);
    let f = fs::File::options().write(true).open(file).expect("open");
    for page in pages {
        f.write_all_at(&noise(size as usize / 2), page * size - size / 2)
            .expect("write noise");
    }
}

#[test]
fn an_index_damaged_inside_its_rows_is_made_again_in_one_line() {
    // Damage that opening the file does not see (counting the articles' rows reads
    // only the page headers); reading the rows does.
    survives_damage(|file| damage_rows(file, "articles"), "could not be read");
}

#[test]
fn an_index_damaged_in_its_word_lookup_still_finds_every_body() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    damage_rows(&index_file(&inbox), "fts");
    for query in ["'rates", "the", "кишинёв", "banks"] {
        let args = ["search", query, "--format", "json"];
        let out = triage(&inbox, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), without_index(&inbox, &args), "{query}");
    }
}

#[test]
fn an_index_of_another_format_is_made_again_in_one_line() {
    survives_damage(
        |file| {
            let conn = rusqlite::Connection::open(file).expect("open with SQLite");
            conn.pragma_update(None, "user_version", 999)
                .expect("bump the format");
        },
        "another version (format 999)",
    );
}

/// `out` succeeded, printed `expected`, and said in one stderr line that it works
/// without the index.
fn said_working_without(out: &std::process::Output, expected: &str) {
    assert!(out.status.success(), "{}", stderr(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("triage: working without the index ("),
        "{err}"
    );
    assert_eq!(stdout(out), expected);
}

/// Checks that `inbox`'s commands work without an index in `cache`, each saying so
/// in one line.
fn works_without_index(inbox: &Path, cache: &Path) {
    let expected = without_index(inbox, &["search", "'rates", "--format", "json"]);
    for _ in 0..2 {
        let out = common::command_as(inbox, "alice", &["search", "'rates", "--format", "json"])
            .env("XDG_CACHE_HOME", cache)
            .output()
            .expect("the binary runs");
        said_working_without(&out, &expected);
    }
    let list = without_index(inbox, &["list", "--format", "json"]);
    let out = common::command_as(inbox, "alice", &["list", "--format", "json"])
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out), list);
}

#[test]
fn a_cache_folder_that_cannot_be_made_falls_back_to_no_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    age(&inbox);
    // No folder can be made under a regular file, not even by root (the tests run as
    // root in CI, where permissions stop nothing).
    let file = dir.path().join("not-a-folder");
    fs::write(&file, "").expect("write");
    works_without_index(&inbox, &file.join("cache"));
    let out = common::command_as(&inbox, "alice", &["index"])
        .env("XDG_CACHE_HOME", file.join("cache"))
        .output()
        .expect("the binary runs");
    assert!(!out.status.success(), "`triage index` cannot make it");
    assert!(
        stderr(&out).starts_with("triage: working without the index ("),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_read_only_cache_folder_falls_back_to_no_index() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!(
            "skipped: permissions do not stop root; \
             a_cache_folder_that_cannot_be_made_falls_back_to_no_index covers this"
        );
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    age(&inbox);
    let cache = dir.path().join("config").join("cache");
    let triage_dir = cache.join("triage");
    // A read-only folder where no index was made yet…
    fs::create_dir_all(&triage_dir).expect("make the cache folder");
    fs::set_permissions(&triage_dir, fs::Permissions::from_mode(0o500)).expect("chmod");
    works_without_index(&inbox, &cache);
    // …and one holding an index: it cannot be opened for writing.
    fs::set_permissions(&triage_dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    assert_eq!(counts(&inbox).read, 15);
    let file = index_file(&inbox);
    let folder = file.parent().expect("a folder").to_path_buf();
    let mode = |path: &Path, mode: u32| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
    };
    let args = ["search", "'rates", "--format", "json"];
    let expected = without_index(&inbox, &args);
    mode(&folder, 0o500);
    let out = triage(&inbox, &args);
    mode(&folder, 0o700);
    said_working_without(&out, &expected);
    // An index file that opens but cannot be written: what it holds is used, and
    // the rows it cannot take are said to be lost, once.
    mode(&file, 0o400);
    set_mtime_ago(&inbox.join(BANKS), Duration::from_secs(600));
    let out = triage(&inbox, &args);
    mode(&file, 0o600);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is no longer written"), "{err}");
    assert_eq!(stdout(&out), expected);
}

#[test]
fn no_index_never_makes_the_cache_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let cache = dir.path().join("config").join("cache");
    without_index(&inbox, &["search", "rates"]);
    without_index(&inbox, &["list", "--format", "json"]);
    without_index(&inbox, &["export"]);
    let out = common::command_as(&inbox, "alice", &["search", "rates"])
        .env("TRIAGE_NO_INDEX", "true")
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!cache.exists(), "--no-index made {}", cache.display());
    // Without it, the same command makes the index.
    quiet(&inbox, &["search", "rates"]);
    assert!(cache.join("triage").is_dir());
}

#[test]
fn index_rebuild_reads_every_article_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let (path, counts) = index_line(&inbox, &["--rebuild"]);
    assert_eq!(counts, counts_of(15, 15));
    assert!(path.is_file());
    assert_eq!(index_line(&inbox, &[]).1, counts_of(15, 0));
}

/// Queries for the sample inbox: common and rare words, terms of one and two
/// letters, exact, negated, phrases, non-ASCII and filters.
const SAMPLE_QUERIES: &[&str] = &[
    "the",
    "rates",
    "bank",
    "desalination",
    "walrus",
    "xi",
    "of",
    "a",
    "z",
    "'rates",
    "'central banks",
    "'interest\\ rates",
    "'said\\ the",
    "!the",
    "!'rates",
    "!xi",
    "!of the",
    "rates !'central",
    "кишинёв",
    "'кишинёв",
    "молдов",
    "переговоров",
    "'ТРАНЗИТ",
    "besançon",
    "'méndez",
    "is:todo the",
    "src:rt the",
    "^central",
    "banks$",
    "by:alice",
    // Labels the articles' own `Region:`/`Theme:` lines suggest: an article held
    // in memory by the index drops those lines once its suggestions are worked out.
    "sug:mena",
    "sug:war-conflict",
    "mena",
];

#[test]
fn search_answers_the_same_with_and_without_the_index_on_the_sample_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = indexed_sample(dir.path());
    let mut found_any = 0;
    for query in SAMPLE_QUERIES {
        if !search(&inbox, query).is_empty() {
            found_any += 1;
        }
    }
    assert!(found_any >= 20, "most queries find something ({found_any})");
    assert!(search(&inbox, "sug:mena").contains(&"000_466bdefa64880cc0.txt".to_string()));
    // And `list`, whose JSON has every article's suggestions and metadata.
    assert_eq!(titles(&inbox).len(), 15);
    assert_eq!(
        search(&inbox, "кишинёв"),
        vec!["011_moldova_gas_transit.txt"]
    );
    assert_eq!(
        counts(&inbox),
        counts_of(15, 0),
        "every search was served by the index"
    );
}

/// A generated inbox of `n` articles plus one Cyrillic article of our own, aged.
fn generated(dir: &Path, n: usize) -> PathBuf {
    let inbox = dir.join("inbox");
    triage::corpus::write(&inbox, n, 14).expect("write a corpus");
    fs::write(
        inbox.join("moscow.txt"),
        "Москва готовит новый бюджет\n\nВ Москве обсуждают бюджет на следующий год.\n\n\
         Депутаты МОСКВЫ спорят о налогах, xi.\n",
    )
    .expect("write an article");
    age(&inbox);
    inbox
}

/// Queries for a generated inbox (see `triage::corpus::RARE_WORDS`).
const GENERATED_QUERIES: &[&str] = &[
    "the",
    "pipeline",
    "sanctions",
    "ceasefire",
    "referendum",
    "desalination",
    "'pipeline",
    "!pipeline",
    "!'sanctions the",
    "pipeline sanctions",
    "xi",
    "of",
    "q",
    "!xi",
    "москва",
    "москв",
    "'москве",
    "бюджет",
    "'the\\ pipeline",
    "is:todo ceasefire",
    "region:mena",
    "theme:energy the",
];

#[test]
fn search_answers_the_same_with_and_without_the_index_on_a_generated_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = generated(dir.path(), 300);
    assert_eq!(counts(&inbox), counts_of(301, 301));
    assert_eq!(
        counts(&inbox),
        counts_of(301, 0),
        "the index serves every article"
    );
    let mut found_any = 0;
    for query in GENERATED_QUERIES {
        if !search(&inbox, query).is_empty() {
            found_any += 1;
        }
    }
    assert!(found_any >= 15, "most queries find something ({found_any})");
    assert_eq!(search(&inbox, "москва"), vec!["moscow.txt"]);
    assert_eq!(search(&inbox, "'москвы"), vec!["moscow.txt"]);
    assert_eq!(counts(&inbox), counts_of(301, 0));
}

/// A running command and what it was asked.
struct Running {
    args: Vec<String>,
    child: Child,
}

fn spawn(inbox: &Path, reviewer: &str, args: &[&str]) -> Running {
    let child = common::command_as(inbox, reviewer, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    Running {
        args: args.iter().map(|a| a.to_string()).collect(),
        child,
    }
}

#[test]
fn processes_sharing_the_index_at_once_answer_as_without_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("inbox");
    triage::corpus::write(&inbox, 300, 21).expect("write a corpus");
    let reads: [&[&str]; 4] = [
        &["search", "pipeline", "--format", "json"],
        &["search", "!'sanctions xi", "--format", "json"],
        &["search", "the", "--format", "json"],
        &["list"],
    ];
    let expected: Vec<String> = reads.iter().map(|a| without_index(&inbox, a)).collect();
    let names: Vec<String> = files(&inbox)
        .iter()
        .map(|p| {
            p.strip_prefix(&inbox)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let statuses = ["done", "todo", "skipped"];
    for round in 0..8 {
        // First rounds on files just written (rows never trusted, so every process
        // reads and writes every row), then aged ones (rows written by one process
        // and served to the next).
        if round == 3 {
            age(&inbox);
        }
        // Staggered, so that some start while others are writing.
        let mut running = Vec::new();
        for (i, args) in reads.iter().enumerate() {
            running.push((Some(i), spawn(&inbox, "alice", args)));
            let file = &names[(round * 4 + i) % names.len()];
            let status = statuses[(round + i) % statuses.len()];
            running.push((
                None,
                spawn(&inbox, "bob", &["label", file, "--status", status]),
            ));
            std::thread::sleep(Duration::from_millis(20 * (round as u64 % 3)));
        }
        for (which, run) in running {
            let out = run.child.wait_with_output().expect("wait");
            let err = stderr(&out);
            assert!(out.status.success(), "round {round}, {:?}: {err}", run.args);
            assert_eq!(err, "", "round {round}, {:?} said something", run.args);
            if let Some(i) = which {
                assert_eq!(
                    stdout(&out),
                    expected[i],
                    "round {round}, {:?} answered otherwise",
                    run.args
                );
            }
        }
    }
    // Bob's decisions are all there and the index still sound.
    assert_eq!(counts(&inbox).rows, 300);
    let out = common::command_as(&inbox, "bob", &["check"])
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The TUI says so on its status line when it cannot use the index (its stderr is
/// behind the screen), and works without it: the list, the reader with a body, and
/// a search that finds a word only the body holds.
#[test]
fn the_tui_without_a_usable_cache_folder_says_so_and_works() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = common::Tmux::new("index-unusable");
    // Where the index's folder would be made is a file.
    fs::write(tmux.config.path().join("cache"), "not a folder").expect("write a file");
    tmux.start(&inbox);
    tmux.wait_for_screen("the note about the index", |s| {
        s.contains("The index is a cache") && s.contains("working without the index")
    });
    tmux.keys(&["/", "brine"]);
    tmux.wait_for_screen("a body-only match of the search", |s| s.contains("↳"));
}

/// A TUI on an inbox the index already holds reads its bodies from the index (none
/// is in memory): the reader shows the story, and a search finds and marks a word
/// only a body holds.
#[test]
fn the_tui_on_an_indexed_inbox_reads_bodies_from_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    age(&inbox);
    let tmux = common::Tmux::new("index-bodies");
    let out = common::command_as(&inbox, "alice", &["index"])
        .env("XDG_CACHE_HOME", tmux.config.path().join("cache"))
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let again = common::command_as(&inbox, "alice", &["index"])
        .env("XDG_CACHE_HOME", tmux.config.path().join("cache"))
        .output()
        .expect("the binary runs");
    assert!(
        stdout(&again).contains(" 0 read from their files now"),
        "{}",
        stdout(&again)
    );
    tmux.start(&inbox);
    tmux.wait_for_screen("the list", |s| s.contains("Lithium"));
    tmux.keys(&["/", "brine", "Enter"]);
    tmux.wait_for_screen("the body-only match with its line", |s| {
        s.contains("↳") && s.contains("rine")
    });
    // Enter opens the next article to do among the results (the lithium one is done):
    // its story comes from the index, and a line of it no list line shows is there.
    tmux.keys(&["Enter"]);
    tmux.wait_for_screen("the story in the reader", |s| {
        s.contains("Twenty years ago I filled the boat")
    });
}

/// A first start reads every article from its file, writes the index behind it, and
/// then holds each article as a start from the index would (its body let go of once
/// the index has it): the reader and a search over bodies still find every word.
#[test]
fn a_first_start_lets_go_of_bodies_once_indexed_and_still_finds_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    age(&inbox);
    let tmux = common::Tmux::new("index-first-start");
    tmux.start(&inbox);
    tmux.wait_for_screen("the list, the index written", |s| {
        s.contains("Lithium") && !s.contains("loading") && !s.contains("indexing")
    });
    tmux.keys(&["/", "brine", "Enter"]);
    tmux.wait_for_screen("the body-only match with its line", |s| {
        s.contains("↳") && s.contains("rine")
    });
    // The selected article's story, read back from the index by the reader.
    tmux.wait_for_screen("the story in the reader", |s| {
        s.contains("Demand for lithium, driven by electric")
    });
    let written = fs::read_dir(tmux.config.path().join("cache/triage"))
        .expect("the cache folder")
        .flatten()
        .any(|d| d.path().join("index.sqlite").is_file());
    assert!(written, "the first start wrote the index");
}

/// The live watcher keeps the index current: an article changed while the TUI runs
/// is written into the index by the TUI itself (its new words found by the index's
/// lookup), not left for the next start to find.
#[test]
fn the_tui_writes_what_the_watcher_sees_into_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    age(&inbox);
    let tmux = common::Tmux::new("index-live");
    let cache = tmux.config.path().join("cache");
    let out = common::command_as(&inbox, "alice", &["index"])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out);
    let file = PathBuf::from(line.split(": ").next().expect("the index's path"));
    let in_index = |word: &str| -> i64 {
        let conn = rusqlite::Connection::open(&file).expect("open the index");
        conn.query_row(
            "SELECT count(*) FROM fts WHERE fts MATCH ?1",
            [format!("\"{word}\"")],
            |r| r.get(0),
        )
        .expect("a lookup")
    };
    assert_eq!(in_index("zebrafinch"), 0);
    tmux.start(&inbox);
    tmux.wait_for_screen("the list", |s| s.contains("Lithium"));
    let path = inbox.join("002_lithium_salt_flats.md");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(
        &path,
        format!("{text}\nA zebrafinch was seen near the ponds.\n"),
    )
    .expect("write");
    let until = std::time::Instant::now() + Duration::from_secs(30);
    while in_index("zebrafinch") == 0 {
        assert!(
            std::time::Instant::now() < until,
            "the changed article never reached the index"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The seed article's paragraphs and title.
fn seed_story(inbox: &Path) -> (String, Vec<String>) {
    let seed = fs::read(inbox.join(common::SEED)).expect("the seed article");
    let article = triage::article::parse(triage::article::Format::Text, common::SEED, &seed)
        .expect("the seed parses");
    let paragraphs = article.body.iter().map(str::to_string).collect();
    (article.title, paragraphs)
}

/// Writes a reprint of the seed article at `rel`: in Markdown, re-headed, its title
/// tagged, an editor's note added and paragraph `drop` left out, aged like the rest.
fn write_reprint(inbox: &Path, rel: &str, tag: &str, drop: usize) {
    let (title, paragraphs) = seed_story(inbox);
    let mut md = format!("# {tag}: {title}\n\nSource: mirror.example.net\n\n");
    md.push_str("Editor's note: this report first appeared elsewhere.\n\n");
    for (i, p) in paragraphs.iter().enumerate() {
        if i != drop {
            md.push_str(p);
            md.push_str("\n\n");
        }
    }
    fs::write(inbox.join(rel), md).expect("write a reprint");
    set_mtime_ago(&inbox.join(rel), Duration::from_secs(3600));
}

/// `triage groups --format json`, which must say the same with and without the
/// index; each story's files.
fn stories(inbox: &Path) -> Vec<Vec<String>> {
    let args = ["groups", "--format", "json"];
    let with = quiet(inbox, &args);
    assert_eq!(
        with,
        without_index(inbox, &args),
        "`triage groups` with and without the index"
    );
    let list = ["list", "--format", "json"];
    assert_eq!(
        quiet(inbox, &list),
        without_index(inbox, &list),
        "`triage list`'s groups with and without the index"
    );
    story_files(&with)
}

fn story_files(json: &str) -> Vec<Vec<String>> {
    let rows: Vec<Value> = serde_json::from_str(json).expect("groups' JSON");
    rows.iter()
        .map(|story| {
            story["copies"]
                .as_array()
                .expect("copies")
                .iter()
                .map(|c| c["file"].as_str().expect("a file").to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_warm_start_takes_the_kept_groups_and_gives_those_of_no_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    write_reprint(&inbox, "zz_mirror.md", "EXCLUSIVE", 2);
    age(&inbox);
    let story = vec![common::SEED.to_string(), "zz_mirror.md".to_string()];
    // The first run groups and keeps; the second takes what was kept.
    assert_eq!(stories(&inbox), std::slice::from_ref(&story));
    assert_eq!(stories(&inbox), std::slice::from_ref(&story));
    // Grouped again from the index's bodies, the two would be copies of nothing:
    // still a story, so the groups were not made again.
    common::blank_bodies(&index_file(&inbox), &[common::SEED, "zz_mirror.md"]);
    let out = quiet(&inbox, &["groups", "--format", "json"]);
    assert_eq!(story_files(&out), [story]);
    // Once the bodies are read again (`--rebuild` drops everything kept), the same.
    index_line(&inbox, &["--rebuild"]);
    assert_eq!(stories(&inbox).len(), 1);
}

#[test]
fn a_reprint_added_after_the_rest_joins_its_story_without_grouping_anew() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    write_reprint(&inbox, "zz_mirror.md", "EXCLUSIVE", 2);
    age(&inbox);
    assert_eq!(
        stories(&inbox),
        [vec![common::SEED.to_string(), "zz_mirror.md".to_string()]]
    );
    // A second reprint, last in inbox order.
    write_reprint(&inbox, "zz_zz_aggregator.md", "(VIDEO)", 3);
    let three = vec![
        common::SEED.to_string(),
        "zz_mirror.md".to_string(),
        "zz_zz_aggregator.md".to_string(),
    ];
    // The first reprint's body blanked in the index: grouped anew from it, it would
    // be in no story; brought up to date, its pair with the seed is kept and the new
    // one is checked against the seed's real body.
    common::blank_bodies(&index_file(&inbox), &["zz_mirror.md"]);
    let out = quiet(&inbox, &["groups", "--format", "json"]);
    assert_eq!(story_files(&out), std::slice::from_ref(&three));
    // And without the index (every file read), the same story.
    assert_eq!(
        story_files(&without_index(&inbox, &["groups", "--format", "json"])),
        [three]
    );
}

#[test]
fn a_reprint_added_before_others_is_grouped_anew_as_without_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    write_reprint(&inbox, "zz_mirror.md", "EXCLUSIVE", 2);
    age(&inbox);
    assert_eq!(stories(&inbox).len(), 1);
    // First in inbox order: every entry after it moves up one.
    write_reprint(&inbox, "000_0_aggregator.md", "(VIDEO)", 3);
    assert_eq!(
        stories(&inbox),
        [vec![
            "000_0_aggregator.md".to_string(),
            common::SEED.to_string(),
            "zz_mirror.md".to_string(),
        ]]
    );
    // And the article gone again: the story of two.
    fs::remove_file(inbox.join("zz_mirror.md")).expect("remove the reprint");
    assert_eq!(
        stories(&inbox),
        [vec![
            "000_0_aggregator.md".to_string(),
            common::SEED.to_string()
        ]]
    );
}
