//! The source list: which reliability a publisher's domain usually earns.
//!
//! Reviewers judge reliability mostly by who published an article, and the same few
//! hundred domains come back in every batch. `sources.toml` in the inbox records that
//! judgement once (`"rt.com" = "unreliable"`), so the reader can suggest it for every
//! article from that domain or one of its subdomains. Teams rarely start from nothing:
//! `triage sources import` builds the list from the CSV exports that media-bias
//! projects publish, translating their categories into our reliability ids.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::fold::fold_words;
use crate::host::domain_of;
use crate::labels::{Axis, Taxonomy, line_of};

/// The file name the list has in an inbox.
pub const FILE_NAME: &str = "sources.toml";

/// Header names that hold the domain, in the order they are preferred when a CSV has
/// several of them.
const DOMAIN_COLUMNS: [&str; 5] = ["url", "domain", "site", "source", "host"];
/// Header names that hold the publisher's category, in order of preference.
const TYPE_COLUMNS: [&str; 5] = ["type", "category", "bias", "rating", "reliability"];
/// Second levels under a country code that are registries, not publishers
/// (`bbc.com.au` must not fall back to `com.au`); two-letter ones such as `co.uk` are
/// caught by their length.
const REGISTRY_SECOND_LEVELS: [&str; 11] = [
    "com", "net", "org", "gov", "edu", "mil", "gob", "nic", "ltd", "plc", "sch",
];
/// How much of a cell an import report quotes, so a garbage row stays one readable line.
const QUOTE_CHARS: usize = 60;

/// A source list: domain → reliability label id, from `sources.toml` in the inbox.
///
/// Domains are kept lowercase and without `www.`, in domain order, so that two lists
/// with the same judgements compare equal however their files were ordered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    by_domain: BTreeMap<String, String>,
}

/// Why a source list or an import was refused; each message is one sentence naming
/// the file and, where there is one, the line.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {problem}")]
    Invalid {
        file: String,
        line: usize,
        problem: String,
    },
    #[error("--map: {problem}")]
    Map { problem: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSources {
    sources: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

impl Sources {
    /// Validates a `sources.toml`; `file` is only used in messages. Every id must exist
    /// in `taxonomy` now, because a typo found later would silently suggest nothing.
    /// A file without a `[sources]` table is an empty list, so a freshly created file
    /// holding only comments is not an error.
    pub fn parse(text: &str, file: &str, taxonomy: &Taxonomy) -> Result<Sources, SourcesError> {
        let invalid = |offset: usize, problem: String| SourcesError::Invalid {
            file: file.to_string(),
            line: line_of(text, offset),
            problem,
        };
        let raw: RawSources = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            invalid(offset, e.message().trim().to_string())
        })?;
        let mut entries: Vec<(Spanned<String>, Spanned<String>)> =
            raw.sources.unwrap_or_default().into_iter().collect();
        // The map came back in key order; messages should follow the file instead.
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut by_domain = BTreeMap::new();
        let mut lines: HashMap<String, usize> = HashMap::new();
        for (key, id) in entries {
            let key_at = key.span().start;
            let id_at = id.span().start;
            let key = key.into_inner();
            let Some(domain) = plain_domain(&key) else {
                return Err(invalid(
                    key_at,
                    format!(
                        "{} is not a domain; write it like \"example.com\", without a scheme or path",
                        crate::sanitize::quote(&key)
                    ),
                ));
            };
            let id = id.into_inner();
            if taxonomy.label(Axis::Reliability, &id).is_none() {
                return Err(invalid(id_at, unknown_id(&id, taxonomy)));
            }
            let line = line_of(text, key_at);
            if let Some(first) = lines.get(&domain) {
                return Err(invalid(
                    key_at,
                    format!(
                        "{} is {domain}, which line {first} already lists",
                        crate::sanitize::quote(&key)
                    ),
                ));
            }
            lines.insert(domain.clone(), line);
            by_domain.insert(domain, id);
        }
        Ok(Sources { by_domain })
    }

    /// Reads and validates the list at `path`.
    pub fn load(path: &Path, taxonomy: &Taxonomy) -> Result<Sources, SourcesError> {
        let file = path.display().to_string();
        let text = crate::files::read_config_file(path, crate::files::SOURCES_LIMIT).map_err(
            |source| SourcesError::Read {
                file: file.clone(),
                source,
            },
        )?;
        Sources::parse(&text, &file, taxonomy)
    }

    /// The reliability for a domain or URL host, falling back through parent domains:
    /// `news.example.com` → `example.com`, because publishers put sections and mirrors
    /// on subdomains. It never falls back to a bare top-level domain, nor to a
    /// registry level such as `co.uk`, which would judge every British site at once.
    /// Returns the id and the listed domain that matched, so the reviewer sees why.
    pub fn lookup(&self, domain: &str) -> Option<(&str, &str)> {
        let domain = domain_of(domain)?;
        let mut candidate = domain.as_str();
        loop {
            if let Some((listed, id)) = self.by_domain.get_key_value(candidate) {
                return Some((id.as_str(), listed.as_str()));
            }
            let (_, parent) = candidate.split_once('.')?;
            if !registrable(parent) {
                return None;
            }
            candidate = parent;
        }
    }

    /// How many domains are listed.
    pub fn len(&self) -> usize {
        self.by_domain.len()
    }

    /// True when no domain is listed, so callers can skip the lookup entirely.
    pub fn is_empty(&self) -> bool {
        self.by_domain.is_empty()
    }

    /// The listed domains and their ids, in domain order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_domain
            .iter()
            .map(|(d, id)| (d.as_str(), id.as_str()))
    }

    /// Lists `domain` (any URL or domain text) as `id`, replacing what it had; returns
    /// the normalised domain, or `None` when the text holds no domain.
    pub fn insert(&mut self, domain: &str, id: &str) -> Option<String> {
        let domain = domain_of(domain)?;
        self.by_domain.insert(domain.clone(), id.to_string());
        Some(domain)
    }

    /// Writes the list as `sources.toml` text, sorted by domain so that a list kept in
    /// git diffs line by line, with a header saying what the file is for.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Reliability of sources by domain, used to suggest a reliability label.\n\
             # A subdomain falls back to its parent: news.example.com uses example.com.\n\
             # Ids come from the reliability axis of labels.toml.\n\n[sources]\n",
        );
        for (domain, id) in &self.by_domain {
            out.push_str(&toml_string(domain));
            out.push_str(" = ");
            out.push_str(&toml_string(id));
            out.push('\n');
        }
        out
    }
}

/// What `triage sources import FILE.csv --map TYPE=ID,...` did, so the command can say
/// how many domains it took and exactly which rows it could not use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows taken into the list, whether the domain was new or replaced.
    pub added: usize,
    /// One sentence per unusable row, starting with its line in the CSV.
    pub skipped: Vec<String>,
}

/// Reads a CSV of domains and categories into a source list, merged into `existing`
/// (an imported row replaces the same domain, as re-importing a newer export should).
///
/// The domain column may be called url, domain, site, source or host and the category
/// column type, category, bias, rating or reliability (any case); a URL is reduced to
/// its host. `map` turns categories (compared ignoring case and punctuation) into
/// reliability ids; an id the taxonomy lacks is refused before anything is read, and a
/// missing column is refused naming the columns the file has. Rows that cannot be used
/// are listed in the report instead of stopping the import, because exports from other
/// projects always carry a few.
pub fn import_csv(
    reader: impl Read,
    file: &str,
    map: &[(String, String)],
    taxonomy: &Taxonomy,
    existing: Sources,
) -> Result<(Sources, ImportReport), SourcesError> {
    let types = type_map(map, taxonomy)?;
    let invalid = |line: usize, problem: String| SourcesError::Invalid {
        file: file.to_string(),
        line,
        problem,
    };
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line() as usize);
        let problem = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(source) => SourcesError::Read {
                file: file.to_string(),
                source,
            },
            _ => invalid(line, problem),
        }
    };
    // Held whole so that each row's line can be counted from its bytes: the csv crate
    // gives a row after a blank line the blank line's number. Source lists are small.
    let mut bytes = Vec::new();
    let mut reader = reader;
    reader
        .read_to_end(&mut bytes)
        .map_err(|source| SourcesError::Read {
            file: file.to_string(),
            source,
        })?;
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers: Vec<String> = csv
        .byte_headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_lowercase()
        })
        .collect();
    let (domain_col, type_col) = columns(&headers, file)?;

    let mut sources = existing;
    let mut report = ImportReport::default();
    let mut lines = LineCounter {
        bytes: &bytes,
        offset: 0,
        line: 1,
    };
    let mut record = csv::ByteRecord::new();
    while csv.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| {
            lines.line_at(usize::try_from(p.byte()).unwrap_or(usize::MAX))
        });
        match row(&record, line, (domain_col, type_col), &types) {
            Row::Blank => {}
            Row::Take(domain, id) => {
                sources.by_domain.insert(domain, id.to_string());
                report.added += 1;
            }
            Row::Skip(why) => report.skipped.push(why),
        }
    }
    Ok((sources, report))
}

/// Checks every `--map` id against the taxonomy before anything is read, and keys the
/// map by folded category so `Fake News` and `fake-news` find the same id.
fn type_map<'a>(
    map: &'a [(String, String)],
    taxonomy: &Taxonomy,
) -> Result<HashMap<String, &'a str>, SourcesError> {
    let mut types: HashMap<String, &str> = HashMap::new();
    for (kind, id) in map {
        if taxonomy.label(Axis::Reliability, id).is_none() {
            return Err(SourcesError::Map {
                problem: format!("{kind}={id}: {}", unknown_id(id, taxonomy)),
            });
        }
        types.insert(fold_words(kind), id);
    }
    Ok(types)
}

/// Finds the domain and category columns by name, or says which columns the file has.
fn columns(headers: &[String], file: &str) -> Result<(usize, usize), SourcesError> {
    let invalid = |line: usize, problem: String| SourcesError::Invalid {
        file: file.to_string(),
        line,
        problem,
    };
    let column = |wanted: &[&str]| {
        wanted
            .iter()
            .find_map(|w| headers.iter().position(|h| h == w))
    };
    let found = || {
        if headers.iter().all(|h| h.is_empty()) {
            "it has none".to_string()
        } else {
            format!("it has {}", headers.join(", "))
        }
    };
    let Some(domain_col) = column(&DOMAIN_COLUMNS) else {
        return Err(invalid(
            1,
            format!(
                "no domain column (named {}); {}",
                DOMAIN_COLUMNS.join(", "),
                found()
            ),
        ));
    };
    let Some(type_col) = column(&TYPE_COLUMNS) else {
        return Err(invalid(
            1,
            format!(
                "no type column (named {}); {}",
                TYPE_COLUMNS.join(", "),
                found()
            ),
        ));
    };

    Ok((domain_col, type_col))
}

/// What one CSV row gives the import.
enum Row<'a> {
    /// Only whitespace: passed over without a word.
    Blank,
    /// A domain and the reliability id its category maps to.
    Take(String, &'a str),
    /// One sentence, starting with the row's line, saying why it cannot be used.
    Skip(String),
}

/// Reads one row: its domain (a URL reduced to its host) and its mapped category.
fn row<'a>(
    record: &csv::ByteRecord,
    line: usize,
    (domain_col, type_col): (usize, usize),
    types: &HashMap<String, &'a str>,
) -> Row<'a> {
    let cell = |i: usize| String::from_utf8_lossy(record.get(i).unwrap_or_default());
    if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
        return Row::Blank;
    }
    let domain_text = cell(domain_col);
    let Some(domain) = domain_of(&domain_text) else {
        return Row::Skip(format!(
            "line {line}: no domain in {}",
            quote(domain_text.trim())
        ));
    };
    let kind = cell(type_col);
    let kind = kind.trim();
    if kind.is_empty() {
        return Row::Skip(format!("line {line}: no type for {domain}"));
    }
    let Some(id) = types.get(&fold_words(kind)) else {
        let hint = kind.to_lowercase();
        return Row::Skip(format!(
            "line {line}: type {} is not mapped (give --map {}=ID)",
            quote(kind),
            shorten(&crate::sanitize::sanitize(&hint))
        ));
    };
    Row::Take(domain, id)
}

/// Parses `--map` text: `"fake=fabricated,satire=unreliable, bias = mixed"` → pairs of
/// (type, id), trimmed. The ids are checked later against the inbox's taxonomy; here
/// only the shape is, and an error quotes the part that is wrong.
pub fn parse_map(text: &str) -> Result<Vec<(String, String)>, SourcesError> {
    let bad = |problem: String| Err(SourcesError::Map { problem });
    if text.trim().is_empty() {
        return bad("nothing to map; give TYPE=ID pairs separated by commas".into());
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return bad(format!("{text:?} has an empty entry between commas"));
        }
        let Some((kind, id)) = part.split_once('=') else {
            return bad(format!("{part:?} needs the form TYPE=ID"));
        };
        let (kind, id) = (kind.trim(), id.trim());
        if id.contains('=') {
            return bad(format!("{part:?} has more than one '='"));
        }
        if kind.is_empty() || id.is_empty() {
            return bad(format!("{part:?} needs both a type and an id"));
        }
        // Types are compared by their letters and digits alone, so a type without any
        // would match every punctuation-only cell.
        if fold_words(kind).is_empty() {
            return bad(format!("{part:?} needs a type with letters or digits"));
        }
        if let Some((_, other)) = pairs
            .iter()
            .find(|(k, _)| fold_words(k) == fold_words(kind))
        {
            if other != id {
                return bad(format!(
                    "type {kind:?} is mapped to both {other:?} and {id:?}"
                ));
            }
            continue;
        }
        pairs.push((kind.to_string(), id.to_string()));
    }
    Ok(pairs)
}

/// A `sources.toml` key's domain, but only when the key is written as a domain: a URL
/// there is more likely a mistake than a wish.
fn plain_domain(key: &str) -> Option<String> {
    if key
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '/' | ':' | '@' | '?' | '#'))
    {
        return None;
    }
    domain_of(key)
}

/// Whether a parent domain may carry a judgement for its subdomains: not a bare
/// top-level domain, and not a registry level under a country code (`co.uk`, `com.au`).
fn registrable(domain: &str) -> bool {
    let mut labels = domain.rsplit('.');
    let (Some(tld), Some(second)) = (labels.next(), labels.next()) else {
        return false;
    };
    if labels.next().is_some() {
        return true;
    }
    !(tld.len() == 2 && (second.len() <= 2 || REGISTRY_SECOND_LEVELS.contains(&second)))
}

fn unknown_id(id: &str, taxonomy: &Taxonomy) -> String {
    let known: Vec<&str> = taxonomy
        .reliability
        .labels
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    format!(
        "{} is not a reliability id; the known ids are {}",
        crate::sanitize::quote(id),
        known.join(", ")
    )
}

/// A TOML basic string; domains and ids are plain ASCII, but escaping keeps the file
/// valid whatever they hold.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// A cell quoted for a report: control characters escaped so that a hostile CSV cannot
/// drive the terminal, and long cells cut.
fn quote(text: &str) -> String {
    format!("{:?}", shorten(&crate::sanitize::sanitize(text)))
}

/// Lines of rows met in order, counted incrementally so a long CSV is read once.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line where the row starting at byte `start` (or after the blank
    /// lines there) really begins.
    fn line_at(&mut self, start: usize) -> usize {
        let mut start = start.min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.offset {
            self.line += self.bytes[self.offset..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.offset = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIST: &str = "# a comment\n[sources]\n\"example.com\" = \"reliable\"\n\"rt.com\" = \"unreliable\"\n\"bbc.co.uk\" = \"mostly-reliable\"\n\"co.uk\" = \"fabricated\"\n";

    fn list() -> Sources {
        match Sources::parse(LIST, "sources.toml", &Taxonomy::default()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    fn parse_err(text: &str) -> String {
        match Sources::parse(text, "inbox/sources.toml", &Taxonomy::default()) {
            Ok(s) => panic!("accepted {text:?} as {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn import(csv: &str, map: &str, existing: Sources) -> (Sources, ImportReport) {
        let map = parse_map(map).unwrap_or_else(|e| panic!("{e}"));
        import_csv(
            csv.as_bytes(),
            "list.csv",
            &map,
            &Taxonomy::default(),
            existing,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn exact_domain_finds_its_reliability() {
        let s = list();
        assert_eq!(s.len(), 4);
        assert_eq!(s.lookup("rt.com"), Some(("unreliable", "rt.com")));
        assert_eq!(s.lookup("example.com"), Some(("reliable", "example.com")));
        assert_eq!(s.lookup("example.org"), None);
    }

    #[test]
    fn subdomain_falls_back_to_its_listed_parent() {
        let s = list();
        assert_eq!(
            s.lookup("news.example.com"),
            Some(("reliable", "example.com"))
        );
        assert_eq!(
            s.lookup("a.b.news.example.com"),
            Some(("reliable", "example.com"))
        );
        assert_eq!(
            s.lookup("sport.bbc.co.uk"),
            Some(("mostly-reliable", "bbc.co.uk"))
        );
        assert_eq!(s.lookup("notexample.com"), None);
    }

    #[test]
    fn fallback_never_reaches_a_tld_or_a_registry_level() {
        let tld = Sources::parse(
            "[sources]\n\"com\" = \"fabricated\"\n",
            "s.toml",
            &Taxonomy::default(),
        );
        // A bare TLD is not even a domain a list may hold.
        assert!(tld.is_err());
        let s = list();
        assert_eq!(s.lookup("guardian.co.uk"), None);
        assert_eq!(s.lookup("www.itv.co.uk"), None);
        assert_eq!(s.lookup("co.uk"), Some(("fabricated", "co.uk")));
        let mut au = Sources::default();
        au.insert("com.au", "fabricated");
        assert_eq!(au.lookup("abc.com.au"), None);
        assert_eq!(au.lookup("com.au"), Some(("fabricated", "com.au")));
    }

    #[test]
    fn lookup_ignores_case_www_and_url_shape() {
        let s = list();
        assert_eq!(s.lookup("WWW.RT.com"), Some(("unreliable", "rt.com")));
        assert_eq!(
            s.lookup("https://www.rt.com/news/123-story/?utm=x#top"),
            Some(("unreliable", "rt.com"))
        );
        assert_eq!(
            s.lookup("http://Live.Example.com:8080"),
            Some(("reliable", "example.com"))
        );
        assert_eq!(s.lookup("not a url"), None);
        assert_eq!(s.lookup(""), None);
    }

    #[test]
    fn list_keys_are_normalised_when_read() {
        let s = Sources::parse(
            "[sources]\n\"WWW.Example.COM\" = \"mixed\"\n",
            "s.toml",
            &Taxonomy::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.iter().collect::<Vec<_>>(), [("example.com", "mixed")]);
    }

    #[test]
    fn comment_only_file_is_an_empty_list() {
        let s = Sources::parse("# nothing yet\n", "s.toml", &Taxonomy::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.is_empty());
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let err = parse_err("# list\n[sources]\n\"a.com\" = \"reliable\"\n\"b.com\" = \n");
        assert!(err.starts_with("inbox/sources.toml:4: "), "{err}");
    }

    #[test]
    fn unknown_id_names_the_known_ids() {
        let err = parse_err("[sources]\n\"a.com\" = \"reliable\"\n\"b.com\" = \"dodgy\"\n");
        assert!(err.starts_with("inbox/sources.toml:3: "), "{err}");
        assert!(err.contains("\"dodgy\""), "{err}");
        assert!(
            err.contains("reliable, mostly-reliable, mixed, unreliable, fabricated"),
            "{err}"
        );
    }

    #[test]
    fn key_that_is_not_a_domain_is_refused_with_its_line() {
        for key in [
            "not a domain",
            "https://a.com",
            "a.com/path",
            "localhost",
            "10.0.0.1",
        ] {
            let text = format!("[sources]\n\"ok.com\" = \"mixed\"\n{key:?} = \"mixed\"\n");
            let err = parse_err(&text);
            assert!(err.starts_with("inbox/sources.toml:3: "), "{key}: {err}");
            assert!(err.contains("is not a domain"), "{key}: {err}");
        }
    }

    #[test]
    fn two_keys_for_one_domain_are_refused() {
        let err = parse_err("[sources]\n\"a.com\" = \"mixed\"\n\"WWW.a.com\" = \"reliable\"\n");
        assert!(err.starts_with("inbox/sources.toml:3: "), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn entries_outside_the_sources_table_are_refused() {
        let err = parse_err("\"a.com\" = \"mixed\"\n");
        assert!(err.starts_with("inbox/sources.toml:1: "), "{err}");
    }

    #[test]
    fn url_type_csv_imports_every_usable_row() {
        let csv = "url,type\nhttps://www.rt.com/news,fake\nexample.com,Reliable\nhttp://blog.example.org:80/x,satire\n";
        let (s, report) = import(
            csv,
            "fake=fabricated,reliable=reliable,satire=unreliable",
            Sources::default(),
        );
        assert_eq!(report.added, 3);
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [
                ("blog.example.org", "unreliable"),
                ("example.com", "reliable"),
                ("rt.com", "fabricated"),
            ]
        );
    }

    #[test]
    fn other_header_names_extra_columns_and_quoted_commas_are_understood() {
        let csv = "\u{feff}Name,Domain,Notes,Category\n\"Times, The\",thetimes.co.uk,\"says \"\"hi\"\", often\",Mostly Reliable\nRT,RT.com,,Conspiracy-Pseudoscience\n";
        let (s, report) = import(
            csv,
            "mostly reliable=mostly-reliable,conspiracy pseudoscience=fabricated",
            Sources::default(),
        );
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        assert_eq!(report.added, 2);
        assert_eq!(
            s.lookup("thetimes.co.uk"),
            Some(("mostly-reliable", "thetimes.co.uk"))
        );
        assert_eq!(s.lookup("rt.com"), Some(("fabricated", "rt.com")));
    }

    #[test]
    fn unusable_rows_are_reported_with_their_lines() {
        let csv = "domain,type\n\
                   good.com,fake\n\
                   ,fake\n\
                   not a url,fake\n\
                   odd.com,satire\n\
                   \n\
                   lonely.com\n\
                   \"multi\nline.com\",fake\n\
                   \u{1b}[31mevil,fake\n\
                   last.com,FAKE\n";
        let (s, report) = import(csv, "fake=fabricated", Sources::default());
        assert_eq!(
            report.skipped,
            [
                "line 3: no domain in \"\"",
                "line 4: no domain in \"not a url\"",
                "line 5: type \"satire\" is not mapped (give --map satire=ID)",
                "line 7: no type for lonely.com",
                // Quoted cells are sanitized: a line break is a space, an escape
                // sequence is gone with its parameters.
                "line 8: no domain in \"multi line.com\"",
                "line 10: no domain in \"evil\"",
            ]
        );
        assert_eq!(report.added, 2);
        assert_eq!(s.len(), 2);
        assert_eq!(s.lookup("last.com"), Some(("fabricated", "last.com")));
    }

    #[test]
    fn missing_column_is_an_error_naming_the_columns_found() {
        let map = vec![("fake".to_string(), "fabricated".to_string())];
        let t = Taxonomy::default();
        let err = import_csv(
            "name,type\nx,fake\n".as_bytes(),
            "a.csv",
            &map,
            &t,
            Sources::default(),
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("a.csv:1: no domain column"), "{err}");
        assert!(err.contains("it has name, type"), "{err}");
        let err = import_csv(
            "URL,Notes\nx.com,hi\n".as_bytes(),
            "a.csv",
            &map,
            &t,
            Sources::default(),
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("a.csv:1: no type column"), "{err}");
        assert!(err.contains("it has url, notes"), "{err}");
        let err = import_csv("".as_bytes(), "a.csv", &map, &t, Sources::default())
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(err.contains("it has none"), "{err}");
    }

    #[test]
    fn unknown_mapped_id_is_refused_before_reading() {
        struct Unreadable;
        impl Read for Unreadable {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("must not be read"))
            }
        }
        let map = vec![("fake".to_string(), "bogus".to_string())];
        let err = import_csv(
            Unreadable,
            "a.csv",
            &map,
            &Taxonomy::default(),
            Sources::default(),
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("--map: fake=bogus: \"bogus\""), "{err}");
        assert!(err.contains("known ids are reliable,"), "{err}");
    }

    #[test]
    fn unreadable_csv_is_a_read_error() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let map = vec![("fake".to_string(), "fabricated".to_string())];
        let err = import_csv(
            Broken,
            "a.csv",
            &map,
            &Taxonomy::default(),
            Sources::default(),
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert_eq!(err, "cannot read a.csv: disk on fire");
    }

    #[test]
    fn imported_rows_replace_existing_ones_and_keep_the_rest() {
        let (s, report) = import(
            "site,rating\nrt.com,good\nnew.org,good\n",
            "good=reliable",
            list(),
        );
        assert_eq!(report.added, 2);
        assert_eq!(s.len(), 5);
        assert_eq!(s.lookup("rt.com"), Some(("reliable", "rt.com")));
        assert_eq!(s.lookup("example.com"), Some(("reliable", "example.com")));
        assert_eq!(s.lookup("new.org"), Some(("reliable", "new.org")));
    }

    #[test]
    fn written_list_reads_back_the_same() {
        let (s, _) = import(
            "host,bias\nzeta.com,x\nalpha.co.uk,y\nmid.example.net,x\n",
            "x=mixed,y=fabricated",
            list(),
        );
        let text = s.to_toml();
        assert!(text.starts_with("# "), "{text}");
        let back = Sources::parse(&text, "sources.toml", &Taxonomy::default())
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, s);
        let alpha = text.find("alpha.co.uk").unwrap_or(usize::MAX);
        let zeta = text.find("zeta.com").unwrap_or(0);
        assert!(alpha < zeta, "not sorted:\n{text}");
    }

    #[test]
    fn map_text_becomes_trimmed_pairs() {
        let pairs = |text| {
            parse_map(text)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|(k, v)| format!("{k}>{v}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            pairs("fake=fabricated,satire=unreliable, bias = mixed"),
            ["fake>fabricated", "satire>unreliable", "bias>mixed"]
        );
        assert_eq!(
            pairs("Left Center=mostly-reliable"),
            ["Left Center>mostly-reliable"]
        );
        assert_eq!(pairs("a=x,A=x"), ["a>x"]);
    }

    #[test]
    fn bad_map_text_names_the_bad_part() {
        for (text, part) in [
            ("", "nothing to map"),
            ("   ", "nothing to map"),
            (
                "fake=fabricated,satire",
                "\"satire\" needs the form TYPE=ID",
            ),
            ("fake=fabricated,,x=y", "empty entry"),
            ("fake=fabricated,", "empty entry"),
            ("=reliable", "\"=reliable\" needs both"),
            ("fake=", "\"fake=\" needs both"),
            ("a=b=c", "\"a=b=c\" has more than one"),
            ("?=mixed", "\"?=mixed\" needs a type with letters"),
            (
                "fake=x,FAKE=y",
                "\"FAKE\" is mapped to both \"x\" and \"y\"",
            ),
        ] {
            let err = parse_map(text).map(|_| ()).unwrap_err().to_string();
            assert!(err.starts_with("--map: "), "{text:?}: {err}");
            assert!(err.contains(part), "{text:?}: {err}");
        }
    }

    proptest! {
        #[test]
        fn lookup_never_panics(text in "\\PC{0,40}") {
            let s = list();
            if let Some((id, matched)) = s.lookup(&text) {
                prop_assert!(Taxonomy::default().label(Axis::Reliability, id).is_some());
                prop_assert!(s.lookup(matched).is_some());
            }
        }
    }
}
