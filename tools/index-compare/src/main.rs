//! Measures embedded stores for triage's article index (issue 14, point 1).
//!
//! `index-compare STORE N DIR` builds an index of the first N generated articles
//! (`triage::corpus::article(1, i)`, parsed with `triage::article::parse`) in DIR with
//! STORE (`sqlite`, `tantivy`, `redb` or `files`, the plain baseline), then runs itself
//! again as a new process for each later phase, so that "open" is a cold handle and
//! each phase's peak memory (`VmHWM`) is its own. Prints one Markdown row on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use aho_corasick::AhoCorasick;
use anyhow::{Context, Result, bail};

const SEED: u64 = 1;
/// One word in 25 articles and one in 1,000 (see `triage::corpus::RARE_WORDS`), and a
/// two-word query made of the first with a common one.
const QUERIES: [&[&str]; 3] = [
    &["sanctions"],
    &["desalination"],
    &["sanctions", "pipeline"],
];

/// What the index holds for one article: its path, title, a line of metadata and the
/// body text.
struct Doc {
    path: String,
    title: String,
    meta: String,
    body: String,
}

fn docs(n: usize) -> Result<Vec<Doc>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let g = triage::corpus::article(SEED, i);
        let path = format!("{:04}/{}", i / triage::corpus::PER_FOLDER, g.name);
        let format = triage::article::Format::from_path(Path::new(&g.name))
            .context("generated article has no known extension")?;
        let a = triage::article::parse(format, &g.name, g.text.as_bytes())
            .map_err(|e| anyhow::anyhow!("{path}: {e:?}"))?;
        let meta = [
            a.publisher.clone().unwrap_or_default(),
            a.date.clone().unwrap_or_default(),
            a.authors.join("; "),
            a.regions.join("; "),
            a.themes.join("; "),
            a.tags.join("; "),
            a.url.clone().unwrap_or_default(),
        ]
        .join("\t");
        let body: Vec<&str> = a.body.iter().collect();
        out.push(Doc {
            path,
            title: a.title.clone(),
            meta,
            body: body.join("\n\n"),
        });
    }
    Ok(out)
}

fn hwm_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn dir_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|rd| rd.flatten().map(|e| dir_size(&e.path())).sum())
        .unwrap_or(0)
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        bail!("usage: index-compare sqlite|tantivy|redb|files N DIR   (or PHASE STORE DIR ...)");
    }
    match args[1].as_str() {
        // Internal phases, each in a process of its own.
        "open" => return phase_open(&args[2], Path::new(&args[3])),
        "query" if args.len() > 4 => {
            // One query of the given words, timed on a fresh handle.
            let handle = Handle::open(&args[2], Path::new(&args[3]))?;
            let words: Vec<&str> = args[4..].iter().map(String::as_str).collect();
            let t = Instant::now();
            let hits = handle.query(&words)?;
            println!(
                "{words:?}: {hits} hits in {:.1} ms, {:.0} MiB",
                secs(t) * 1000.0,
                hwm_mib()
            );
            return Ok(());
        }
        "query" => return phase_query(&args[2], Path::new(&args[3])),
        // What the live watcher would pay: one article replaced, one commit, 20 times.
        "update" => {
            let docs = docs(20)?;
            let writer = Writer::open(&args[2], Path::new(&args[3]))?;
            for d in &docs {
                writer.write_batch(std::slice::from_ref(d), "u")?;
            }
            let mut times = Vec::new();
            for d in &docs {
                let t = Instant::now();
                writer.write_batch(std::slice::from_ref(d), "u")?;
                times.push(secs(t) * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "replace one article + commit: median {:.1} ms, max {:.1} ms",
                times[times.len() / 2],
                times[times.len() - 1]
            );
            return Ok(());
        }
        "read-while-writing" => return phase_reader(&args[2], Path::new(&args[3])),
        _ => {}
    }
    let store = args[1].as_str();
    let n: usize = args[2].parse().context("N must be a number")?;
    let dir = PathBuf::from(&args[3]);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let docs = docs(n)?;
    let t = Instant::now();
    match store {
        "sqlite" => sqlite::build(&dir, &docs)?,
        "tantivy" => tantivy_store::build(&dir, &docs)?,
        "redb" => redb_store::build(&dir, &docs)?,
        "files" => {
            triage::corpus::write(&dir, n, SEED)?;
        }
        other => bail!("unknown store {other}"),
    }
    let build = secs(t);
    let build_hwm = hwm_mib();
    drop(docs);
    let size = dir_size(&dir) as f64 / (1024.0 * 1024.0);
    let me = std::env::current_exe()?;
    let run = |phase: &str| -> Result<String> {
        let out = Command::new(&me).args([phase, store]).arg(&dir).output()?;
        if !out.status.success() {
            bail!("{phase}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let open = run("open")?;
    let query = run("query")?;
    let conc = if store == "files" {
        "n/a".to_string()
    } else {
        concurrency(store, &dir, &me)?
    };
    let label = match (
        store,
        std::env::var("SQLITE_DETAIL"),
        std::env::var_os("TANTIVY_TERMS"),
    ) {
        ("sqlite", _, _) if sqlite::contentless().is_some() && sqlite::full_detail() => {
            "sqlite, contentless FTS5 trigram full detail, MATCH".to_string()
        }
        ("sqlite", _, _) if sqlite::contentless().is_some() => {
            "sqlite, contentless FTS5 trigram detail=none, files checked".to_string()
        }
        ("sqlite", Ok(d), _) => format!("sqlite, FTS5 trigram detail={d}, LIKE"),
        ("sqlite", Err(_), _) => "sqlite, FTS5 trigram, MATCH".to_string(),
        ("tantivy", _, Some(_)) => "tantivy, whole words (TermQuery)".to_string(),
        ("tantivy", _, None) => "tantivy, substring of a word (RegexQuery)".to_string(),
        (other, _, _) => other.to_string(),
    };
    println!(
        "| {label} | {n} | {build:.2} s ({build_hwm:.0} MiB) | {size:.0} MiB | {open} | {query} | {conc} |"
    );
    Ok(())
}

/// Opens the index in this fresh process and reads every title and metadata line.
fn phase_open(store: &str, dir: &Path) -> Result<()> {
    let t = Instant::now();
    let (count, bytes) = match store {
        "sqlite" => sqlite::read_all(dir)?,
        "tantivy" => tantivy_store::read_all(dir)?,
        "redb" => redb_store::read_all(dir)?,
        "files" => files::read_all(dir)?,
        other => bail!("unknown store {other}"),
    };
    eprintln!("open {store}: {count} titles, {bytes} bytes");
    print!("{:.0} ms, {:.0} MiB", secs(t) * 1000.0, hwm_mib());
    Ok(())
}

/// Runs each query (a fresh handle, then the same queries a second time warm).
fn phase_query(store: &str, dir: &Path) -> Result<()> {
    let mut cells = Vec::new();
    let t0 = Instant::now();
    let handle = Handle::open(store, dir)?;
    let open_ms = secs(t0) * 1000.0;
    for words in QUERIES {
        let t = Instant::now();
        let hits = handle.query(words)?;
        let first = secs(t) * 1000.0;
        let t = Instant::now();
        let again = handle.query(words)?;
        let second = secs(t) * 1000.0;
        if again != hits {
            bail!("{store}: query {words:?} gave {hits} then {again}");
        }
        cells.push(format!("{first:.1} / {second:.1} ms ({hits})"));
    }
    print!(
        "{} | {:.0} MiB (open {open_ms:.0} ms)",
        cells.join(" | "),
        hwm_mib()
    );
    Ok(())
}

/// One writer in this process (adding and replacing articles in a loop) and two reader
/// processes opened while it writes: says whether the readers could open and query.
fn concurrency(store: &str, dir: &Path, me: &Path) -> Result<String> {
    let extra = docs(200)?;
    let writer = Writer::open(store, dir)?;
    let mut readers = Vec::new();
    writer.write_batch(&extra[..100], "a")?;
    for _ in 0..2 {
        readers.push(
            Command::new(me)
                .args(["read-while-writing", store])
                .arg(dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()?,
        );
    }
    // Keep writing until both readers have finished, so that every open and query
    // of theirs overlaps a write.
    let mut commits = 1;
    let mut outs = Vec::new();
    while !readers.is_empty() {
        writer.write_batch(&extra[100..], &format!("b{commits}"))?;
        commits += 1;
        let mut i = 0;
        while i < readers.len() {
            if readers[i].try_wait()?.is_some() {
                outs.push(readers.remove(i).wait_with_output()?);
            } else {
                i += 1;
            }
        }
    }
    let mut results = Vec::new();
    for out in outs {
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.lines().next().unwrap_or_default().trim();
        results.push(if out.status.success() {
            text
        } else {
            format!("fails: {err}")
        });
    }
    results.push(format!("writer: {commits} commits"));
    drop(writer);
    Ok(results.join("; "))
}

fn phase_reader(store: &str, dir: &Path) -> Result<()> {
    let t = Instant::now();
    let mut rounds = 0;
    let mut hits = 0;
    while t.elapsed().as_millis() < 1500 {
        let handle = Handle::open(store, dir)?;
        hits = handle.query(&["sanctions"])?;
        rounds += 1;
    }
    print!("reads ok ({rounds} opens, {hits} hits)");
    Ok(())
}

enum Handle {
    Sqlite(rusqlite::Connection),
    Tantivy(tantivy_store::Reader),
    Redb(redb::ReadOnlyDatabase),
    Files(PathBuf),
}

impl Handle {
    fn open(store: &str, dir: &Path) -> Result<Handle> {
        Ok(match store {
            "sqlite" => Handle::Sqlite(sqlite::open(dir)?),
            "tantivy" => Handle::Tantivy(tantivy_store::Reader::open(dir)?),
            "redb" => Handle::Redb(redb::ReadOnlyDatabase::open(dir.join("index.redb"))?),
            "files" => Handle::Files(dir.to_path_buf()),
            other => bail!("unknown store {other}"),
        })
    }

    fn query(&self, words: &[&str]) -> Result<usize> {
        match self {
            Handle::Sqlite(c) => sqlite::query(c, words),
            Handle::Tantivy(r) => r.query(words),
            Handle::Redb(db) => redb_store::query(db, words),
            Handle::Files(dir) => files::query(dir, words),
        }
    }
}

enum Writer {
    Sqlite(rusqlite::Connection),
    Tantivy(
        std::cell::RefCell<tantivy::IndexWriter>,
        tantivy_store::Fields,
    ),
    Redb(redb::Database),
}

impl Writer {
    fn open(store: &str, dir: &Path) -> Result<Writer> {
        Ok(match store {
            "sqlite" => Writer::Sqlite(sqlite::open(dir)?),
            "tantivy" => {
                let index = tantivy::Index::open_in_dir(dir)?;
                let fields = tantivy_store::Fields::of(&index.schema())?;
                Writer::Tantivy(std::cell::RefCell::new(index.writer(50_000_000)?), fields)
            }
            "redb" => Writer::Redb(redb::Database::open(dir.join("index.redb"))?),
            other => bail!("unknown store {other}"),
        })
    }

    fn write_batch(&self, docs: &[Doc], tag: &str) -> Result<()> {
        match self {
            Writer::Sqlite(c) => sqlite::insert(c, docs, tag),
            Writer::Tantivy(w, f) => {
                let mut w = w.borrow_mut();
                for d in docs {
                    w.delete_term(tantivy::Term::from_field_text(
                        f.path,
                        &format!("{tag}/{}", d.path),
                    ));
                    w.add_document(f.doc(d, tag))?;
                }
                w.commit()?;
                Ok(())
            }
            Writer::Redb(db) => redb_store::insert(db, docs, tag),
        }
    }
}

fn matcher(words: &[&str]) -> Result<Vec<AhoCorasick>> {
    words
        .iter()
        .map(|w| {
            Ok(AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([w])?)
        })
        .collect()
}

mod sqlite {
    use super::*;
    use rusqlite::{Connection, params};

    pub fn open(dir: &Path) -> Result<Connection> {
        let c = Connection::open(dir.join("index.sqlite"))?;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(c)
    }

    pub fn build(dir: &Path, docs: &[Doc]) -> Result<()> {
        let c = open(dir)?;
        c.pragma_update(None, "journal_mode", "WAL")?;
        c.pragma_update(None, "synchronous", "NORMAL")?;
        // `SQLITE_DETAIL=none` measures the leaner index (no positions): FTS5 then
        // checks each candidate row against the content table.
        let detail = match std::env::var("SQLITE_DETAIL") {
            Ok(d) => format!(", detail={d}"),
            Err(_) => String::new(),
        };
        if contentless().is_some() {
            c.execute_batch(&(
                "CREATE TABLE articles(id INTEGER PRIMARY KEY, path TEXT UNIQUE, title TEXT, meta TEXT, body TEXT);
                 CREATE VIRTUAL TABLE fts USING fts5(title, body, content='', contentless_delete=1, detail={}, tokenize='trigram');"
            ).replace("{}", if full_detail() { "full" } else { "none" }))?;
            return insert(&c, docs, "");
        }
        c.execute_batch(&format!(
            "CREATE TABLE articles(id INTEGER PRIMARY KEY, path TEXT UNIQUE, title TEXT, meta TEXT, body TEXT);
             CREATE VIRTUAL TABLE fts USING fts5(title, body, content='articles', content_rowid='id', tokenize='trigram'{detail});"
        ))?;
        insert(&c, docs, "")
    }

    /// `SQLITE_CONTENTLESS=FILES_DIR`: the bodies are not copied into the index; a
    /// contentless FTS5 trigram table (`detail=none`) gives candidates, which are
    /// checked by reading their files from FILES_DIR (the inbox).
    pub fn contentless() -> Option<PathBuf> {
        std::env::var_os("SQLITE_CONTENTLESS").map(PathBuf::from)
    }

    /// `SQLITE_DETAIL=full` with `SQLITE_CONTENTLESS`: positions kept, so phrase
    /// queries answer exactly and no file is read.
    pub fn full_detail() -> bool {
        std::env::var("SQLITE_DETAIL").is_ok_and(|d| d == "full")
    }

    pub fn insert(c: &Connection, docs: &[Doc], tag: &str) -> Result<()> {
        if contentless().is_some() {
            let tx = c.unchecked_transaction()?;
            {
                let mut old = tx.prepare_cached("SELECT id FROM articles WHERE path = ?1")?;
                let mut del = tx.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?;
                let mut rm = tx.prepare_cached("DELETE FROM articles WHERE id = ?1")?;
                let mut ins = tx.prepare_cached(
                    "INSERT INTO articles(path, title, meta, body) VALUES(?1, ?2, ?3, NULL)",
                )?;
                let mut fts =
                    tx.prepare_cached("INSERT INTO fts(rowid, title, body) VALUES(?1, ?2, ?3)")?;
                for d in docs {
                    let path = tagged(tag, &d.path);
                    if let Ok(id) = old.query_row(params![path], |r| r.get::<_, i64>(0)) {
                        del.execute(params![id])?;
                        rm.execute(params![id])?;
                    }
                    ins.execute(params![path, d.title, d.meta])?;
                    let id = tx.last_insert_rowid();
                    fts.execute(params![id, d.title, d.body])?;
                }
            }
            tx.commit()?;
            return Ok(());
        }
        let tx = c.unchecked_transaction()?;
        {
            let mut old =
                tx.prepare_cached("SELECT id, title, body FROM articles WHERE path = ?1")?;
            let mut del = tx.prepare_cached(
                "INSERT INTO fts(fts, rowid, title, body) VALUES('delete', ?1, ?2, ?3)",
            )?;
            let mut rm = tx.prepare_cached("DELETE FROM articles WHERE id = ?1")?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO articles(path, title, meta, body) VALUES(?1, ?2, ?3, ?4)",
            )?;
            let mut fts =
                tx.prepare_cached("INSERT INTO fts(rowid, title, body) VALUES(?1, ?2, ?3)")?;
            for d in docs {
                let path = tagged(tag, &d.path);
                if !tag.is_empty() {
                    let prev: Option<(i64, String, String)> = old
                        .query_row(params![path], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .ok();
                    if let Some((id, t, b)) = prev {
                        del.execute(params![id, t, b])?;
                        rm.execute(params![id])?;
                    }
                }
                ins.execute(params![path, d.title, d.meta, d.body])?;
                let id = tx.last_insert_rowid();
                fts.execute(params![id, d.title, d.body])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn read_all(dir: &Path) -> Result<(usize, usize)> {
        let c = open(dir)?;
        let mut stmt = c.prepare("SELECT path, title, meta FROM articles")?;
        let mut rows = stmt.query([])?;
        let (mut n, mut bytes) = (0, 0);
        while let Some(r) = rows.next()? {
            let p: String = r.get(0)?;
            let t: String = r.get(1)?;
            let m: String = r.get(2)?;
            n += 1;
            bytes += p.len() + t.len() + m.len();
        }
        Ok((n, bytes))
    }

    /// Every word is a substring that must appear in the title or body, ASCII case
    /// ignored: FTS5 trigram phrases (`"word" AND "word"`), or with `SQLITE_DETAIL`
    /// set, `LIKE '%word%'` on the FTS table (which the trigram index also answers;
    /// phrases need the positions that `detail=none` drops).
    pub fn query(c: &Connection, words: &[&str]) -> Result<usize> {
        if let Some(files) = contentless().filter(|_| !full_detail()) {
            // Every trigram of every word as its own token (what `detail=none` can
            // answer), then each candidate's file read and searched.
            let mut tokens = Vec::new();
            for w in words {
                let chars: Vec<char> = w.to_lowercase().chars().collect();
                for t in chars.windows(3) {
                    tokens.push(format!("\"{}\"", t.iter().collect::<String>()));
                }
            }
            let expr = tokens.join(" AND ");
            let mut stmt = c.prepare_cached(
                "SELECT a.path FROM fts JOIN articles a ON a.id = fts.rowid WHERE fts MATCH ?1",
            )?;
            let paths: Vec<String> = stmt
                .query_map(params![expr], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?;
            let ms = matcher(words)?;
            let mut n = 0;
            for p in &paths {
                // Articles the concurrency test added have no file: not a match.
                if let Ok(text) = std::fs::read(files.join(p))
                    && ms.iter().all(|a| a.is_match(&text))
                {
                    n += 1;
                }
            }
            eprintln!("{words:?}: {} candidates, {n} matches", paths.len());
            return Ok(n);
        }
        let like = std::env::var_os("SQLITE_DETAIL").is_some() && contentless().is_none();
        let n = if like {
            let cond = (1..=words.len())
                .map(|i| format!("(title LIKE ?{i} OR body LIKE ?{i})"))
                .collect::<Vec<_>>()
                .join(" AND ");
            let mut stmt = c.prepare_cached(&format!("SELECT rowid FROM fts WHERE {cond}"))?;
            let pats: Vec<String> = words.iter().map(|w| format!("%{w}%")).collect();
            stmt.query_map(rusqlite::params_from_iter(pats.iter()), |r| {
                r.get::<_, i64>(0)
            })?
            .count()
        } else {
            let expr = words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" AND ");
            let mut stmt = c.prepare_cached("SELECT rowid FROM fts WHERE fts MATCH ?1")?;
            stmt.query_map(params![expr], |r| r.get::<_, i64>(0))?
                .count()
        };
        Ok(n)
    }
}

mod tantivy_store {
    use super::*;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::{BooleanQuery, Occur, Query, RegexQuery, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TEXT, Value};
    use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

    pub struct Fields {
        pub path: Field,
        title: Field,
        meta: Field,
        body: Field,
    }

    impl Fields {
        pub fn of(schema: &Schema) -> Result<Fields> {
            Ok(Fields {
                path: schema.get_field("path")?,
                title: schema.get_field("title")?,
                meta: schema.get_field("meta")?,
                body: schema.get_field("body")?,
            })
        }

        pub fn doc(&self, d: &Doc, tag: &str) -> TantivyDocument {
            let path = tagged(tag, &d.path);
            doc!(self.path => path, self.title => d.title.as_str(), self.meta => d.meta.as_str(), self.body => d.body.as_str())
        }
    }

    pub fn build(dir: &Path, docs: &[Doc]) -> Result<()> {
        let mut sb = Schema::builder();
        sb.add_text_field("path", STRING | STORED);
        sb.add_text_field("title", TEXT | STORED);
        sb.add_text_field("meta", STORED);
        sb.add_text_field("body", TEXT | STORED);
        let index = Index::create_in_dir(dir, sb.build())?;
        let f = Fields::of(&index.schema())?;
        let mut w: tantivy::IndexWriter = index.writer(100_000_000)?;
        for d in docs {
            w.add_document(f.doc(d, ""))?;
        }
        w.commit()?;
        w.wait_merging_threads()?;
        Ok(())
    }

    pub fn read_all(dir: &Path) -> Result<(usize, usize)> {
        let index = Index::open_in_dir(dir)?;
        let f = Fields::of(&index.schema())?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let (mut n, mut bytes) = (0, 0);
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(10)?;
            for doc in store.iter::<TantivyDocument>(seg.alive_bitset()) {
                let doc = doc?;
                for field in [f.path, f.title, f.meta] {
                    bytes += doc
                        .get_first(field)
                        .and_then(|v| v.as_str())
                        .map_or(0, str::len);
                }
                n += 1;
            }
        }
        Ok((n, bytes))
    }

    pub struct Reader {
        _index: Index,
        reader: IndexReader,
        f: Fields,
    }

    impl Reader {
        pub fn open(dir: &Path) -> Result<Reader> {
            let index = Index::open_in_dir(dir)?;
            let f = Fields::of(&index.schema())?;
            let reader = index.reader()?;
            Ok(Reader {
                _index: index,
                reader,
                f,
            })
        }

        /// Each word as a substring of some indexed term of the title or body: a
        /// regular expression run over the term dictionary (`.*word.*`), which is what
        /// substring search costs in tantivy without an n-gram tokenizer. The term
        /// variant (whole words only) is measured by `TANTIVY_TERMS=1`.
        pub fn query(&self, words: &[&str]) -> Result<usize> {
            let terms = std::env::var_os("TANTIVY_TERMS").is_some();
            let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for w in words {
                let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for field in [self.f.title, self.f.body] {
                    let q: Box<dyn Query> = if terms {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, &w.to_lowercase()),
                            IndexRecordOption::Basic,
                        ))
                    } else {
                        Box::new(RegexQuery::from_pattern(
                            &format!(".*{}.*", w.to_lowercase()),
                            field,
                        )?)
                    };
                    either.push((Occur::Should, q));
                }
                must.push((Occur::Must, Box::new(BooleanQuery::new(either))));
            }
            let q = BooleanQuery::new(must);
            self.reader.reload()?;
            let hits = self.reader.searcher().search(&q, &DocSetCollector)?;
            Ok(hits.len())
        }
    }
}

mod redb_store {
    use super::*;
    use redb::{Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, TableDefinition};

    const META: TableDefinition<&str, (&str, &str)> = TableDefinition::new("meta");
    const BODY: TableDefinition<&str, &str> = TableDefinition::new("body");

    pub fn build(dir: &Path, docs: &[Doc]) -> Result<()> {
        let db = Database::create(dir.join("index.redb"))?;
        insert(&db, docs, "")
    }

    pub fn insert(db: &Database, docs: &[Doc], tag: &str) -> Result<()> {
        let tx = db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            let mut body = tx.open_table(BODY)?;
            for d in docs {
                let path = tagged(tag, &d.path);
                meta.insert(path.as_str(), (d.title.as_str(), d.meta.as_str()))?;
                body.insert(path.as_str(), d.body.as_str())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn read_all(dir: &Path) -> Result<(usize, usize)> {
        let db = ReadOnlyDatabase::open(dir.join("index.redb"))?;
        let tx = db.begin_read()?;
        let meta = tx.open_table(META)?;
        let (mut n, mut bytes) = (0, 0);
        for row in meta.iter()? {
            let (k, v) = row?;
            let (t, m) = v.value();
            bytes += k.value().len() + t.len() + m.len();
            n += 1;
        }
        Ok((n, bytes))
    }

    /// A scan of every title and body with a case-insensitive substring search.
    pub fn query(db: &ReadOnlyDatabase, words: &[&str]) -> Result<usize> {
        let ms = matcher(words)?;
        let tx = db.begin_read()?;
        let meta = tx.open_table(META)?;
        let body = tx.open_table(BODY)?;
        let mut n = 0;
        for (m, b) in meta.iter()?.zip(body.iter()?) {
            let (_, m) = m?;
            let (_, b) = b?;
            let (title, _) = m.value();
            let text = b.value();
            if ms.iter().all(|a| a.is_match(title) || a.is_match(text)) {
                n += 1;
            }
        }
        Ok(n)
    }
}

mod files {
    use super::*;

    fn each_file(dir: &Path, f: &mut dyn FnMut(&Path) -> Result<()>) -> Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                each_file(&p, f)?;
            } else {
                f(&p)?;
            }
        }
        Ok(())
    }

    /// What a start without an index does: read and parse every file.
    pub fn read_all(dir: &Path) -> Result<(usize, usize)> {
        let (mut n, mut bytes) = (0, 0);
        each_file(dir, &mut |p| {
            let text = std::fs::read(p)?;
            let name = p.file_name().and_then(|s| s.to_str()).unwrap_or_default();
            if let Some(format) = triage::article::Format::from_path(p)
                && let Ok(a) = triage::article::parse(format, name, &text)
            {
                bytes += a.title.len();
                n += 1;
            }
            Ok(())
        })?;
        Ok((n, bytes))
    }

    /// Reads every file and searches its raw bytes (what rg does, in-process).
    pub fn query(dir: &Path, words: &[&str]) -> Result<usize> {
        let ms = matcher(words)?;
        let mut n = 0;
        each_file(dir, &mut |p| {
            let text = std::fs::read(p)?;
            if ms.iter().all(|a| a.is_match(&text)) {
                n += 1;
            }
            Ok(())
        })?;
        Ok(n)
    }
}

/// An article's path, under `tag/` when the concurrency test adds copies.
fn tagged(tag: &str, path: &str) -> String {
    if tag.is_empty() {
        path.to_string()
    } else {
        format!("{tag}/{path}")
    }
}
