//! The index on its own: rows written and read back, when a row is trusted, keys that
//! never come back, the trigram lookup's edges, and what opening a damaged, foreign
//! or unreachable file gives.

use std::path::{Path, PathBuf};

use super::*;
use crate::article::{Article, Paragraphs};

fn paragraphs(texts: &[&str]) -> Paragraphs {
    let mut p = Paragraphs::default();
    for t in texts {
        p.push(t);
    }
    p
}

fn article(title: &str, body: &[&str]) -> Article {
    Article {
        title: title.into(),
        authors: vec!["Ana Ruiz".into()].into(),
        source: Some("example.org".into()),
        body: paragraphs(body),
        footer: paragraphs(&["© Example"]),
        ..Article::default()
    }
}

fn stat(size: i64) -> Stat {
    Stat {
        size,
        mtime: 1_000_000_000_000,
        ctime: 1_000_000_000_001,
        ino: 42,
    }
}

/// A new index in a folder of its own (kept alive by the returned guard).
fn fresh_index() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (index, note) = open_at(&dir.path().join("cache").join("index.sqlite")).expect("opens");
    assert_eq!(note, None, "a new index is no news");
    (dir, index)
}

/// A stand-in for the SHA-256 of the bytes `a` was parsed from.
fn sha_of(a: &Article) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(format!("{a:?}")).into()
}

fn put_with(index: &mut Index, rel: &str, a: &Article, stat: Stat) -> i64 {
    let keys = index
        .put(&[Put {
            rel: Path::new(rel),
            stat,
            sha256: Some(sha_of(a)),
            article: Ok(a),
        }])
        .expect("put");
    assert_eq!(keys.len(), 1);
    keys[0]
}

fn put_one(index: &mut Index, rel: &str, a: &Article) -> i64 {
    put_with(index, rel, a, stat(100))
}

#[test]
fn a_row_comes_back_without_its_body_and_header_fields_which_whole_puts_back() {
    let (_dir, mut index) = fresh_index();
    let mut a = article("Oil prices rise", &["First paragraph.", "Second one."]);
    a.fields.push(("In-depth Report".into(), "SYRIA".into()));
    a.fields.push(("Region".into(), "Middle East".into()));
    let key = put_one(&mut index, "sub/a.txt", &a);
    let failed = index
        .put(&[Put {
            rel: Path::new("broken.txt"),
            stat: stat(5),
            sha256: None,
            article: Err("cannot read it: no"),
        }])
        .expect("put an unreadable file's row");

    let rows = index.cached().expect("rows");
    assert_eq!(rows.len(), 2);
    let row = &rows[b"sub/a.txt".as_slice()];
    assert_eq!(row.key, key);
    assert_eq!(row.stat, stat(100));
    assert_eq!(row.sha256, Some(sha_of(&a)));
    let back = row.article().expect("a readable row").expect("an article");
    assert_eq!(back.held, Some(key));
    assert!(back.body.is_empty() && back.footer.is_empty());
    assert!(back.fields.as_paragraphs().is_empty());
    let mut expected = a.clone();
    expected.body = Paragraphs::default();
    expected.footer = Paragraphs::default();
    expected.fields = crate::article::Fields::default();
    expected.held = Some(key);
    assert_eq!(back, expected);

    let (body, footer) = index.texts(key).expect("the texts of the row");
    assert_eq!(body, a.body);
    assert_eq!(footer, a.footer);
    let shared = Shared::new(index);
    let whole = shared
        .whole(&std::sync::Arc::new(back))
        .expect("the whole article");
    assert_eq!(*whole, a, "body, footer and header fields back as parsed");
    let index = shared.0.into_inner().expect("the lock");

    let broken = &rows[b"broken.txt".as_slice()];
    assert_eq!(broken.key, failed[0]);
    assert_eq!(
        broken.article().and_then(|a| a.err()).as_deref(),
        Some("cannot read it: no")
    );
    assert_eq!(index.texts(failed[0]).map(|_| ()), None);
    assert_eq!(index.count().expect("count"), (2, 1));
}

#[test]
fn a_row_is_fresh_only_for_the_same_stat_written_well_after_the_last_change() {
    let written = |indexed: i64| Cached {
        key: 1,
        stat: stat(100),
        indexed,
        sha256: None,
        meta: Err(String::new()),
    };
    let mtime = stat(100).mtime;
    let settled = written(mtime + 10 * 1_000_000_000);
    assert!(settled.fresh(&stat(100)));
    // Written within the timestamps' resolution of the change: the file may have
    // changed again since without its stat showing it.
    assert!(!written(mtime + 1_000_000_000).fresh(&stat(100)));
    assert!(!written(mtime).fresh(&stat(100)));
    assert!(!written(mtime - 5).fresh(&stat(100)));
    // Any field of the stat that differs means the file changed.
    let changes: [fn(&mut Stat); 4] = [
        |s| s.size += 1,
        |s| s.mtime += 1,
        |s| s.ctime += 1,
        |s| s.ino += 1,
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut now = stat(100);
        change(&mut now);
        assert!(!settled.fresh(&now), "change {i} went unseen");
    }
}

#[test]
fn a_replaced_row_has_a_new_key_and_the_old_key_finds_nothing() {
    let (_dir, mut index) = fresh_index();
    let old = put_one(&mut index, "a.txt", &article("Old", &["the walrus speaks"]));
    let new = put_one(
        &mut index,
        "a.txt",
        &article("New", &["the pelican speaks"]),
    );
    assert_ne!(old, new);
    assert!(index.texts(old).is_none());
    let (body, _) = index.texts(new).expect("the new row's texts");
    assert_eq!(body, paragraphs(&["the pelican speaks"]));
    assert_eq!(
        index.containing("walrus").expect("lookup"),
        Vec::<i64>::new()
    );
    assert_eq!(index.containing("pelican").expect("lookup"), vec![new]);
    assert_eq!(index.containing("speaks").expect("lookup"), vec![new]);
    let rows = index.cached().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[b"a.txt".as_slice()].key, new);
    // A key is never used again, even after the newest row goes.
    index.remove(&[PathBuf::from("a.txt")]).expect("remove");
    let again = put_one(&mut index, "b.txt", &article("B", &["x"]));
    assert!(again > new, "key {again} was used before");
}

#[test]
fn containing_finds_substrings_across_words_and_punctuation_but_not_paragraphs() {
    let (_dir, mut index) = fresh_index();
    let one = put_one(
        &mut index,
        "one.txt",
        &article(
            "One",
            &["Oil prices, rose sharply.", "Ministers met in Москве."],
        ),
    );
    let two = put_one(
        &mut index,
        "two.txt",
        &article("Two", &["Nothing about oil here."]),
    );
    let find = |term: &str| index.containing(term).expect("lookup");
    assert_eq!(find("oil"), vec![one, two]);
    assert_eq!(find("OIL PRI"), vec![one], "case and a space between words");
    assert_eq!(find("ces, ro"), vec![one], "punctuation inside the term");
    assert_eq!(
        find("sharply.\"x"),
        Vec::<i64>::new(),
        "a quote inside the term"
    );
    assert_eq!(find("ply. min"), Vec::<i64>::new(), "across two paragraphs");
    assert_eq!(find("ply.min"), Vec::<i64>::new(), "across two paragraphs");
    assert_eq!(find("москве"), vec![one], "Cyrillic, case folded");
    assert_eq!(find("about oil here."), vec![two]);
    assert_eq!(find("walrus"), Vec::<i64>::new());
}

#[test]
fn scan_reads_every_body_when_a_lookup_cannot_answer() {
    let (_dir, mut index) = fresh_index();
    let one = put_one(&mut index, "one.txt", &article("One", &["xi met", "b"]));
    let _two = put_one(&mut index, "two.txt", &article("Two", &["nothing"]));
    let keep = |b: &Paragraphs| b.iter().any(|p| p.contains("xi"));
    assert_eq!(index.scan(&keep, &|| false).expect("scan"), Some(vec![one]));
}

#[test]
fn removed_rows_are_gone_from_rows_texts_and_lookups() {
    let (_dir, mut index) = fresh_index();
    let a = put_one(&mut index, "a.txt", &article("A", &["the walrus"]));
    let b = put_one(&mut index, "b.txt", &article("B", &["the walrus too"]));
    index
        .remove(&[PathBuf::from("a.txt"), PathBuf::from("never-there.txt")])
        .expect("remove");
    let rows = index.cached().expect("rows");
    assert_eq!(rows.keys().collect::<Vec<_>>(), vec![&b"b.txt".to_vec()]);
    assert!(index.texts(a).is_none());
    assert!(index.texts(b).is_some());
    assert_eq!(index.containing("walrus").expect("lookup"), vec![b]);
    assert_eq!(index.count().expect("count"), (1, 1));
}

/// An index file holding one row, closed.
fn written_index(dir: &Path) -> PathBuf {
    let path = dir.join("index.sqlite");
    let (mut index, _) = open_at(&path).expect("opens");
    let body: Vec<String> = (0..200)
        .map(|i| format!("paragraph {i} of filler text"))
        .collect();
    let body: Vec<&str> = body.iter().map(String::as_str).collect();
    for i in 0..50 {
        put_one(&mut index, &format!("a{i}.txt"), &article("A", &body));
    }
    drop(index);
    path
}

/// Opens `path` expecting an index made again, and checks it is empty and usable.
fn made_again(path: &Path, why: &str) {
    let (mut index, note) = open_at(path).expect("made again rather than refused");
    let note = note.expect("a note saying it was made again");
    assert!(note.contains("is made again"), "{note}");
    assert!(note.contains(why), "{note}");
    assert!(index.cached().expect("rows").is_empty());
    let key = put_one(&mut index, "a.txt", &article("A", &["the walrus"]));
    assert_eq!(index.containing("walrus").expect("lookup"), vec![key]);
    drop(index);
    let (_, note) = open_at(path).expect("opens again");
    assert_eq!(note, None, "the new index is sound");
}

#[test]
fn a_garbage_index_file_is_made_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("index.sqlite");
    // Deterministic noise, no SQLite header.
    let mut x: u32 = 0x9e37_79b9;
    let noise: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    std::fs::write(&path, noise).expect("write garbage");
    made_again(&path, "could not be read");
}

#[test]
fn a_truncated_index_file_is_made_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = written_index(dir.path());
    let len = std::fs::metadata(&path).expect("stat").len();
    assert!(len > 16 * 1024, "a file of several pages ({len} bytes)");
    let file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open");
    file.set_len(len / 2).expect("truncate");
    drop(file);
    made_again(&path, "could not be read");
}

#[test]
fn an_index_of_another_format_is_made_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = written_index(dir.path());
    let conn = Connection::open(&path).expect("open with SQLite");
    conn.pragma_update(None, "user_version", 999).expect("bump");
    drop(conn);
    made_again(&path, "format 999");
}

#[test]
fn an_index_that_cannot_be_made_is_refused_in_one_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").expect("write");
    // Under a regular file no folder can be made, whoever runs the test.
    let path = file.join("triage").join("index.sqlite");
    let Err(why) = open_at(&path) else {
        panic!("an index under a regular file");
    };
    assert!(why.starts_with("working without the index ("), "{why}");
    assert!(!why.contains('\n'), "{why}");
}

#[test]
fn a_row_written_again_from_the_same_bytes_keeps_its_key_for_other_connections() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("index.sqlite");
    let (mut first, _) = open_at(&path).expect("opens");
    let a = article("A", &["the walrus speaks"]);
    let key = put_one(&mut first, "a.txt", &a);
    // Another process loads the row and will look its body up by key…
    let (other, _) = open_at(&path).expect("opens again");
    assert_eq!(other.cached().expect("rows")[b"a.txt".as_slice()].key, key);
    // …while the first, which had found the row stale (touched, say), writes the
    // same bytes again.
    let mut touched = stat(100);
    touched.mtime += 1;
    assert_eq!(put_with(&mut first, "a.txt", &a, touched), key);
    assert_eq!(other.texts(key).map(|(body, _)| body), Some(a.body.clone()));
    assert_eq!(other.containing("walrus").expect("lookup"), vec![key]);
    let row = &other.cached().expect("rows")[b"a.txt".as_slice()];
    assert_eq!(row.stat, touched, "the row has the new stat");

    // A row whose metadata no longer decodes is written anew, even for the same bytes.
    first
        .conn
        .execute("UPDATE articles SET meta = x'00' WHERE key = ?1", [key])
        .expect("damage the row");
    let again = put_one(&mut first, "a.txt", &a);
    assert_ne!(again, key);
    assert!(
        first.cached().expect("rows")[b"a.txt".as_slice()]
            .article()
            .is_some_and(|a| a.is_ok())
    );
}

/// Many connections opening one index file that does not exist yet, at once (what
/// several `triage` started together on a new inbox do): each one opens it. Turning
/// a new file to write-ahead logging needs the file to itself, and SQLite does not
/// wait for that as it waits for other locks, so without the retry some of them
/// were told "database is locked" and went on without the index.
#[test]
fn connections_opening_a_new_index_at_once_all_open_it() {
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("index.sqlite");
        let start = std::sync::Barrier::new(12);
        let outcomes: Vec<Result<(), String>> = std::thread::scope(|scope| {
            let openers: Vec<_> = (0..12)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        open_at(&path).map(|_| ())
                    })
                })
                .collect();
            openers
                .into_iter()
                .map(|t| t.join().expect("an opener finishes"))
                .collect()
        });
        for outcome in outcomes {
            assert_eq!(outcome, Ok(()), "round {round}");
        }
    }
}

/// The copy a first start holds once an article is written is what a start from the
/// index holds of it, its own labels left out as the session leaves them: a field
/// added to `Article` that one keeps and the other drops fails here.
#[test]
fn a_held_copy_is_what_a_start_from_the_index_holds() {
    let mut fields = Paragraphs::default();
    for part in ["Series", "Policy Brief No. 14"] {
        fields.push(part);
    }
    let whole = Article {
        publisher: Some("Andean Resource Institute".into()),
        date: Some("2025-02-27".into()),
        url: Some("https://example.org/a".into()),
        fields: crate::article::Fields::from_paragraphs(fields).expect("key and value"),
        regions: vec!["South America".into()].into(),
        themes: vec!["Oil and Energy".into()].into(),
        tags: vec!["Water".into()].into(),
        warnings: vec!["cut at 4 MiB".into()].into(),
        lossy: true,
        ..article("A title", &["A body."])
    };
    let mut from_index = codec::decode_held(&codec::encode(&whole)).expect("decodes");
    from_index.held = Some(7);
    for own in [
        &mut from_index.regions,
        &mut from_index.themes,
        &mut from_index.tags,
    ] {
        assert!(!own.is_empty(), "the row keeps the article's own labels");
        own.clear();
    }
    assert_eq!(held_copy(&whole, 7), from_index);
}
