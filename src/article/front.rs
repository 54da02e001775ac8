//! Markdown with front matter: a YAML (`---`) or TOML (`+++`) block of metadata at the
//! top of the file, as static-site generators and many scrapers write it.
//!
//! The front matter fills in what it states; the rest of the file is then read by the
//! text reader, so a `# Title` heading, a `By` line or `Key: value` headers still
//! count where the front matter is silent. Front matter that cannot be read never
//! costs the reader the story: the whole file is read as text, with a warning.
//!
//! YAML is read with `saphyr`: a pure-Rust, YAML 1.2 parser that is actively released
//! (serde_yaml is archived, and its forks keep the C-to-Rust translation of libyaml).
//! It builds its tree without recursion, and aliases are not expanded, so a hostile
//! block cannot blow up memory; nesting depth is capped here before anything is
//! parsed, because turning a tree into values is recursive.

use saphyr::{LoadableYamlNode, Scalar, Yaml};

use super::text::{decode, finish, inline_text, normalize_date, read_lines};
use super::{Article, ArticleError};
use crate::host::domain_of;

/// Deeper nesting than this is refused before parsing: real front matter is two or
/// three levels deep, and every level costs stack when values are converted.
const MAX_DEPTH: usize = 32;

/// Which language the front matter is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Yaml,
    Toml,
}

/// A front-matter value reduced to what an article can use; both languages map onto it.
#[derive(Debug, Clone, PartialEq)]
enum Meta {
    Text(String),
    List(Vec<Meta>),
    Table(Vec<(String, Meta)>),
    Nothing,
}

/// Why front matter was not used: what went wrong and on which line of the file.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    line: usize,
    what: String,
}

/// Reads a `.md` file, using its front matter when it has one.
pub(crate) fn parse(file_name: &str, bytes: &[u8]) -> Result<Article, ArticleError> {
    let decoded = decode(bytes)?;
    let mut article = Article {
        lossy: decoded.lossy,
        warnings: decoded.warnings.into(),
        ..Article::default()
    };
    let lines: Vec<&str> = decoded.text.split('\n').collect();
    let body: &[&str] = match split(&lines).map(|found| found.and_then(read_meta)) {
        None => &lines,
        Some(Ok((meta, rest))) => {
            apply(&mut article, &meta);
            &lines[rest..]
        }
        Some(Err(problem)) => {
            article.warnings.push(format!(
                "front matter could not be read: {} (line {}), so the whole file is shown as text",
                problem.what, problem.line
            ));
            &lines
        }
    };
    if body.iter().all(|l| l.trim().is_empty()) {
        if article.title.is_empty() {
            article.warnings.push("the file is empty".to_string());
        }
    } else {
        read_lines(&mut article, body);
    }
    // A `Source:` line may give a URL: its site is the source, and it is the page's
    // address when nothing else names one.
    if let Some(source) = article.source.take() {
        match domain_of(&source).filter(|_| source.contains("://")) {
            Some(domain) => {
                article.url.get_or_insert(source);
                article.source = Some(domain);
            }
            None => article.source = Some(source),
        }
    } else {
        article.source = article.url.as_deref().and_then(domain_of);
    }
    finish(&mut article, file_name);
    Ok(article)
}

/// The front-matter block, if the file opens one: its language, its lines (1-based
/// line number of the first) and the index of the first line after it. `None` when
/// the file has no front matter; an error when the block is never closed.
type Block<'a> = (Lang, &'a [&'a str], usize);

fn split<'a>(lines: &'a [&'a str]) -> Option<Result<Block<'a>, Problem>> {
    let first = lines.first()?.trim_end();
    let lang = match first {
        "---" => Lang::Yaml,
        "+++" => Lang::Toml,
        _ => return None,
    };
    let end = lines.iter().skip(1).position(|l| {
        let l = l.trim_end();
        match lang {
            Lang::Yaml => l == "---" || l == "...",
            Lang::Toml => l == "+++",
        }
    });
    Some(match end {
        Some(n) => Ok((lang, &lines[1..n + 1], n + 2)),
        None => Err(Problem {
            line: 1,
            what: format!("the `{first}` block opened here is never closed"),
        }),
    })
}

/// Parses the block into a table, refusing syntax errors, absurd nesting and a top
/// level that is not a table of keys.
fn read_meta((lang, lines, rest): Block<'_>) -> Result<(Vec<(String, Meta)>, usize), Problem> {
    let source = lines.join("\n");
    if let Some(line) = too_deep(lang, lines) {
        return Err(Problem {
            line: line + 2,
            what: format!("it is nested more than {MAX_DEPTH} levels deep"),
        });
    }
    let meta = match lang {
        Lang::Toml => match toml::from_str::<toml::Table>(&source) {
            Ok(table) => from_toml(&toml::Value::Table(table), 0),
            Err(e) => {
                let offset = e.span().map(|s| s.start).unwrap_or(0);
                let line = source.get(..offset).map_or(0, |s| s.matches('\n').count());
                return Err(Problem {
                    line: line + 2,
                    what: e.message().trim().trim_end_matches('.').to_string(),
                });
            }
        },
        Lang::Yaml => match Yaml::load_from_str(&source) {
            Ok(docs) => match docs.first() {
                Some(doc) => from_yaml(doc, 0),
                None => Some(Meta::Table(Vec::new())),
            },
            Err(e) => {
                return Err(Problem {
                    line: e.marker().line() + 1,
                    what: e.info().trim().trim_end_matches('.').to_string(),
                });
            }
        },
    };
    match meta {
        Some(Meta::Table(table)) => Ok((table, rest)),
        Some(Meta::Nothing) => Ok((Vec::new(), rest)),
        Some(_) => Err(Problem {
            line: 2,
            what: "it is not a table of keys and values".to_string(),
        }),
        None => Err(Problem {
            line: 2,
            what: format!("it is nested more than {MAX_DEPTH} levels deep"),
        }),
    }
}

/// The index (within the block) of the first line nested deeper than [`MAX_DEPTH`],
/// counting open brackets of flow collections and, in YAML, indentation levels and
/// compact `- - -` sequences. A cheap look at the text that needs no recursion.
fn too_deep(lang: Lang, lines: &[&str]) -> Option<usize> {
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut quote: Option<char> = None;
        let mut peak = flow;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    flow += 1;
                    peak = peak.max(flow);
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
        let mut block = 0;
        if lang == Lang::Yaml && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            let indent = line.len() - line.trim_start_matches(' ').len();
            while indents.last().is_some_and(|&top| top >= indent) {
                indents.pop();
            }
            indents.push(indent);
            let mut rest = line.trim_start();
            let mut dashes = 0;
            while let Some(r) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
                dashes += 1;
                rest = r.trim_start();
            }
            block = indents.len() + dashes;
        }
        if peak + block > MAX_DEPTH {
            return Some(i);
        }
    }
    None
}

/// Converts a TOML value; `None` past [`MAX_DEPTH`].
fn from_toml(value: &toml::Value, depth: usize) -> Option<Meta> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match value {
        toml::Value::String(s) => Meta::Text(s.clone()),
        toml::Value::Integer(n) => Meta::Text(n.to_string()),
        toml::Value::Float(f) => Meta::Text(f.to_string()),
        toml::Value::Boolean(b) => Meta::Text(b.to_string()),
        toml::Value::Datetime(d) => Meta::Text(d.to_string()),
        toml::Value::Array(items) => Meta::List(
            items
                .iter()
                .map(|v| from_toml(v, depth + 1))
                .collect::<Option<_>>()?,
        ),
        toml::Value::Table(table) => Meta::Table(
            table
                .iter()
                .map(|(k, v)| Some((k.clone(), from_toml(v, depth + 1)?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// Converts a YAML node; `None` past [`MAX_DEPTH`]. Keys that are not scalars and
/// aliases are dropped: no article field needs them.
fn from_yaml(value: &Yaml<'_>, depth: usize) -> Option<Meta> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match value {
        Yaml::Value(scalar) => scalar_text(scalar).map_or(Meta::Nothing, Meta::Text),
        Yaml::Representation(text, _, _) => Meta::Text(text.to_string()),
        Yaml::Sequence(items) => Meta::List(
            items
                .iter()
                .map(|v| from_yaml(v, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut table = Vec::with_capacity(map.len());
            for (k, v) in map {
                let value = from_yaml(v, depth + 1)?;
                if let Yaml::Value(key) = k
                    && let Some(key) = scalar_text(key)
                {
                    table.push((key, value));
                }
            }
            Meta::Table(table)
        }
        Yaml::Tagged(_, inner) => from_yaml(inner, depth + 1)?,
        Yaml::Alias(_) | Yaml::BadValue => Meta::Nothing,
    })
}

fn scalar_text(scalar: &Scalar<'_>) -> Option<String> {
    match scalar {
        Scalar::Null => None,
        Scalar::Boolean(b) => Some(b.to_string()),
        Scalar::Integer(n) => Some(n.to_string()),
        Scalar::FloatingPoint(f) => Some(f.to_string()),
        Scalar::String(s) => Some(s.to_string()),
    }
}

/// The strings of a value: a string, or the strings of a list (a table inside a list
/// counts by its `name`, as in `authors: [{name: Ana Ruiz}]`).
fn texts(meta: &Meta) -> Vec<String> {
    let one = |m: &Meta| match m {
        Meta::Text(s) => Some(inline_text(s)),
        Meta::Table(t) => t.iter().find_map(|(k, v)| match v {
            Meta::Text(s) if k.eq_ignore_ascii_case("name") => Some(inline_text(s)),
            _ => None,
        }),
        _ => None,
    };
    let items = match meta {
        Meta::List(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect::<Vec<_>>(),
    };
    items.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Splits a single string on the list separators people type in front matter.
fn split_list(items: Vec<String>, seps: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let mut parts = vec![item];
        for sep in seps {
            parts = parts
                .iter()
                .flat_map(|p| p.split(sep))
                .map(|p| p.trim().to_string())
                .collect();
        }
        for p in parts {
            if !p.is_empty() && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// The first string of a value.
fn first_text(meta: &Meta) -> Option<String> {
    texts(meta).into_iter().next()
}

/// Writes what the front matter says onto the article; every top-level key with a
/// readable value is also kept as a field, like a `Key: value` header line.
fn apply(article: &mut Article, table: &[(String, Meta)]) {
    for (key, value) in table {
        let values = texts(value);
        if !values.is_empty() {
            article.fields.push((key.clone(), values.join(", ")));
        }
        match key.to_ascii_lowercase().as_str() {
            "title" => {
                if let Some(title) = first_text(value) {
                    article.title = title;
                }
            }
            "url" | "link" | "canonical" | "permalink" => {
                if let Some(url) = first_text(value) {
                    article.url.get_or_insert(url);
                }
            }
            "date" | "published" | "pubdate" => {
                if let Some(text) = first_text(value) {
                    match date(&text) {
                        Some(d) => article.date = Some(d),
                        None => article.warnings.push(format!(
                            "the front matter's {key} {text:?} is not a date this program can read"
                        )),
                    }
                }
            }
            "author" | "authors" | "by" => {
                for name in split_list(values, &[";", " and ", " & "]) {
                    if !article.authors.contains(&name) {
                        article.authors.push(name);
                    }
                }
            }
            "source" => {
                // A URL given as the source names its site and, failing a `url`, the page.
                let source = first_text(value);
                match source
                    .as_deref()
                    .filter(|s| s.contains("://"))
                    .and_then(domain_of)
                {
                    Some(domain) => {
                        article.url = article.url.take().or(source);
                        article.source = Some(domain);
                    }
                    None => article.source = source,
                }
            }
            "site" | "site_name" => {
                let site = first_text(value);
                article
                    .source
                    .get_or_insert_with(|| site.clone().unwrap_or_default());
                if site.is_some() {
                    article.publisher = site;
                }
            }
            "publisher" => {
                if let Some(p) = first_text(value) {
                    article.publisher = Some(p);
                }
            }
            "tags" | "tag" | "keywords" | "categories" | "category" => {
                article.tags.extend(split_list(values, &[","]));
            }
            "region" | "regions" => article.regions.extend(split_list(values, &[";"])),
            "theme" | "themes" | "topic" | "topics" => {
                article.themes.extend(split_list(values, &[";"]))
            }
            _ => {}
        }
    }
    if article.source.as_deref() == Some("") {
        article.source = None;
    }
}

/// A date as front matter gives it: any spelling [`normalize_date`] reads, or a
/// timestamp it does not (fractional seconds, odd zones) whose first ten characters are
/// an ISO date.
pub(crate) fn date(text: &str) -> Option<String> {
    let text = text.trim();
    normalize_date(text).or_else(|| text.get(..10).and_then(normalize_date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Format, parse as parse_any};
    use proptest::prelude::*;

    fn read(text: &str) -> Article {
        match parse_any(Format::Markdown, "f.md", text.as_bytes()) {
            Ok(a) => a,
            Err(e) => panic!("front matter text was refused: {e}"),
        }
    }

    #[test]
    fn yaml_front_matter_fills_the_metadata_and_the_body_is_read() {
        let a = read(
            "---\ntitle: \"Floods close three ports\"\nurl: https://www.Example.com/news/floods?x=1\ndate: 2024-03-05T10:00:00Z\nauthors:\n  - Ana Ruiz\n  - Tom Lee\ntags: [Climate, Trade]\nregion: Asia\ntheme:\n  - Economy\n  - Oil & energy\n...\n\n# Floods close three ports\n\nBy Someone Else\n\nThe storm hit at dawn.\n\nPorts closed.\n",
        );
        assert_eq!(a.title, "Floods close three ports");
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee", "Someone Else"]);
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.Example.com/news/floods?x=1")
        );
        assert_eq!(a.source.as_deref(), Some("example.com"));
        assert_eq!(a.tags, ["Climate", "Trade"]);
        assert_eq!(a.regions, ["Asia"]);
        assert_eq!(a.themes, ["Economy", "Oil & energy"]);
        assert_eq!(a.body, ["The storm hit at dawn.", "Ports closed."]);
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn toml_front_matter_fills_the_metadata_and_the_body_is_read() {
        let a = read(
            "+++\ntitle = \"Rail strike in Besançon\"\nlink = \"https://news.example.org/strike\"\ndate = \"March 5, 2024\"\nauthor = \"Marie Dupont and Luc Martin\"\nsite = \"Example News\"\ntags = [\"Transport\"]\nregions = [\"Europe\"]\nthemes = \"Economy\"\n+++\nRegion: France\n\nTrains stopped at noon.\n",
        );
        assert_eq!(a.title, "Rail strike in Besançon");
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        assert_eq!(a.authors, ["Marie Dupont", "Luc Martin"]);
        assert_eq!(a.source.as_deref(), Some("Example News"));
        assert_eq!(a.publisher.as_deref(), Some("Example News"));
        assert_eq!(a.url.as_deref(), Some("https://news.example.org/strike"));
        assert_eq!(a.tags, ["Transport"]);
        assert_eq!(a.regions, ["Europe", "France"], "header lines extend lists");
        assert_eq!(a.themes, ["Economy"]);
        assert_eq!(a.body, ["Trains stopped at noon."]);
    }

    #[test]
    fn toml_dates_and_yaml_date_strings_are_normalised() {
        let a = read("+++\ntitle = \"T\"\ndate = 2024-03-05T10:00:00Z\n+++\nBody.");
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        let a = read("+++\ndate = 2024-03-05\n+++\nBody.");
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        let a = read("---\ndate: 2024-03-05 10:00:00.123456789 +05:30\n---\nBody.");
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
        let a = read("---\ndate: March 5, 2024\n---\nBody.");
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
    }

    #[test]
    fn front_matter_values_win_over_header_lines() {
        let a = read(
            "---\ntitle: From the front matter\ndate: 2024-01-02\nsource: Wire\nurl: https://a.example/x\n---\nDate: 2023-05-06\nSource: Other\nURL: https://b.example/y\n\n# A heading title\n\nText.",
        );
        assert_eq!(a.title, "From the front matter");
        assert_eq!(a.date.as_deref(), Some("2024-01-02"));
        assert_eq!(a.source.as_deref(), Some("Wire"));
        assert_eq!(a.url.as_deref(), Some("https://a.example/x"));
        assert_eq!(a.body, ["A heading title", "Text."]);
    }

    #[test]
    fn a_url_given_as_source_names_the_site_and_the_page() {
        let a = read("---\nsource: https://www.Example.org/a/b\n---\nText.");
        assert_eq!(a.source.as_deref(), Some("example.org"));
        assert_eq!(a.url.as_deref(), Some("https://www.Example.org/a/b"));
        let a = read("# T\n\nSource: https://news.example.com/x\n\nText.");
        assert_eq!(a.source.as_deref(), Some("news.example.com"));
        assert_eq!(a.url.as_deref(), Some("https://news.example.com/x"));
        let a = read("# T\n\nSource: Reuters\n\nText.");
        assert_eq!(a.source.as_deref(), Some("Reuters"));
    }

    #[test]
    fn without_front_matter_the_heading_and_byline_still_work() {
        let a = read("# Heading title\n\nBy Jo Bloggs\n\nText.");
        assert_eq!(a.title, "Heading title");
        assert_eq!(a.authors, ["Jo Bloggs"]);
        assert_eq!(a.body, ["Text."]);
    }

    fn assert_unread_front_matter_keeps_the_text(text: &str, line: usize) {
        let a = read(text);
        let unread: Vec<&String> = a
            .warnings
            .iter()
            .filter(|w| w.starts_with("front matter"))
            .collect();
        assert_eq!(unread.len(), 1, "{:?}", a.warnings);
        let w = unread[0];
        assert!(w.starts_with("front matter could not be read: "), "{w}");
        assert!(
            w.contains(&format!("(line {line})")),
            "{w} in {}",
            text.get(..80).unwrap_or(text)
        );
        assert!(!w.contains('\n'), "one sentence: {w}");
        let all: Vec<&str> = std::iter::once(a.title.as_str())
            .chain(a.body.iter())
            .chain(a.footer.iter())
            .collect();
        let shown = all.join("\n");
        assert!(shown.contains("The story survives."), "{shown}");
    }

    #[test]
    fn broken_front_matter_warns_and_keeps_the_whole_text() {
        assert_unread_front_matter_keeps_the_text(
            "---\ntitle: ok\ntags: [a, b\nauthor: \"x\n---\n\nThe story survives.\n",
            4,
        );
        assert_unread_front_matter_keeps_the_text(
            "+++\ntitle = \"ok\"\ndate = = 3\n+++\n\nThe story survives.\n",
            3,
        );
        assert_unread_front_matter_keeps_the_text(
            "---\ntitle: never closed\n\nThe story survives.\n",
            1,
        );
        assert_unread_front_matter_keeps_the_text(
            "---\n- a list\n- not a table\n---\n\nThe story survives.\n",
            2,
        );
    }

    #[test]
    fn deeply_nested_front_matter_warns_and_keeps_the_whole_text() {
        let open = "[".repeat(100);
        let close = "]".repeat(100);
        assert_unread_front_matter_keeps_the_text(
            &format!("---\ntitle: deep\nx: {open}1{close}\n---\n\nThe story survives.\n"),
            3,
        );
        assert_unread_front_matter_keeps_the_text(
            &format!("+++\nx = {open}1{close}\n+++\n\nThe story survives.\n"),
            2,
        );
        let mut block = String::from("---\n");
        for level in 0..100 {
            block.push_str(&" ".repeat(level));
            block.push_str("k:\n");
        }
        block.push_str("---\nThe story survives.\n");
        assert_unread_front_matter_keeps_the_text(&block, 2 + MAX_DEPTH);
        let dashes = "- ".repeat(100_000);
        assert_unread_front_matter_keeps_the_text(
            &format!("---\n{dashes}x\n---\nThe story survives.\n"),
            2,
        );
        let dotted = vec!["k"; 100].join(".");
        assert_unread_front_matter_keeps_the_text(
            &format!("+++\n{dotted} = 1\n+++\nThe story survives.\n"),
            2,
        );
    }

    #[test]
    fn a_lone_rule_line_is_not_front_matter() {
        let a = read("Title\n\n---\n\nText.");
        assert_eq!(a.title, "Title");
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn empty_front_matter_and_empty_body_are_fine() {
        let a = read("---\n---\n");
        assert_eq!(a.title, "f.md");
        assert_eq!(a.warnings, ["the file is empty"]);
        let a = read("+++\ntitle = \"Only a title\"\n+++\n");
        assert_eq!(a.title, "Only a title");
        assert!(a.warnings.is_empty());
    }

    proptest! {
        #[test]
        fn front_matter_parse_never_panics_on_text(text in any::<String>()) {
            for prefix in ["---\n", "+++\n", ""] {
                let input = format!("{prefix}{text}");
                if let Ok(a) = parse_any(Format::Markdown, "f.md", input.as_bytes()) {
                    prop_assert!(!a.title.is_empty());
                }
            }
        }

        #[test]
        fn front_matter_parse_never_panics_on_yaml_soup(
            text in "(---\n|\\+\\+\\+\n|[-:\\[\\]{}\"'#|>&*!? \n=]|title|date|2024-03-05|a){0,80}"
        ) {
            let input = format!("---\n{text}");
            prop_assert!(parse_any(Format::Markdown, "f.md", input.as_bytes()).is_ok());
            let input = format!("+++\n{text}");
            prop_assert!(parse_any(Format::Markdown, "f.md", input.as_bytes()).is_ok());
        }

        #[test]
        fn front_matter_parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1000)) {
            let mut input = b"---\n".to_vec();
            input.extend(bytes);
            let _ = parse_any(Format::Markdown, "f.md", &input);
        }
    }
}
