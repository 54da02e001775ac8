//! Accuracy on articles shaped like real scraped pages: exported text with
//! republishers' headers and footers, Markdown with YAML or TOML front matter, and
//! HTML pages full of navigation, cookie banners, share buttons, scripts and
//! related-article lists. Each file's expected title, source domain and date are in
//! `tests/fixtures/accuracy/expected.toml`; the parser must get at least 98% of
//! those fields right, and every miss is printed so that a regression says where.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use triage::article::{self, Article, Format};
use triage::host::domain_of;

/// The share of fields that must come out right.
const REQUIRED_ACCURACY: f64 = 0.98;

/// How many articles of each format the set must hold, so that no format can
/// quietly drop out of the measurement.
const MIN_PER_FORMAT: usize = 10;

#[derive(Debug, Deserialize)]
struct Manifest {
    article: Vec<Expected>,
}

#[derive(Debug, Deserialize)]
struct Expected {
    file: String,
    title: String,
    /// Without `www.`; empty when the article names no source domain.
    domain: String,
    /// `YYYY-MM-DD`.
    date: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/accuracy")
}

fn manifest() -> Manifest {
    let path = fixtures().join("expected.toml");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid: {e}", path.display()))
}

/// The source's domain as the reviewer would name it: the URL's host, or else the
/// `source` when it is itself a domain; lowercase and without `www.`.
fn domain(article: &Article) -> String {
    article
        .url
        .as_deref()
        .and_then(domain_of)
        .or_else(|| article.source.as_deref().and_then(domain_of))
        .map(|d| {
            let d = d.to_ascii_lowercase();
            d.strip_prefix("www.").map(str::to_string).unwrap_or(d)
        })
        .unwrap_or_default()
}

#[test]
fn manifest_covers_every_fixture_and_every_format() {
    let listed: BTreeSet<String> = manifest().article.into_iter().map(|e| e.file).collect();
    let dir = fixtures();
    let on_disk: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "expected.toml")
        .collect();
    assert_eq!(
        listed, on_disk,
        "expected.toml and the fixture folder must name the same files"
    );
    for format in [Format::Text, Format::Markdown, Format::Html] {
        let count = listed
            .iter()
            .filter(|name| Format::from_path(Path::new(name)) == Some(format))
            .count();
        assert!(
            count >= MIN_PER_FORMAT,
            "only {count} {format:?} articles in the set, want at least {MIN_PER_FORMAT}"
        );
    }
}

#[test]
fn parsed_fields_are_right_on_real_world_shapes() {
    let expected = manifest().article;
    let mut right = 0usize;
    let mut misses = Vec::new();
    for want in &expected {
        let path = fixtures().join(&want.file);
        let format = Format::from_path(&path)
            .unwrap_or_else(|| panic!("{} has no article extension", want.file));
        let bytes =
            fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let article = article::parse(format, &want.file, &bytes)
            .unwrap_or_else(|e| panic!("{} was refused: {e}", want.file));
        let got = [
            ("title", article.title.trim().to_string(), &want.title),
            ("domain", domain(&article), &want.domain),
            ("date", article.date.clone().unwrap_or_default(), &want.date),
        ];
        for (field, got, want_value) in got {
            if got == *want_value {
                right += 1;
            } else {
                misses.push((want.file.clone(), field, want_value.clone(), got));
            }
        }
    }
    let total = expected.len() * 3;
    for (file, field, want, got) in &misses {
        eprintln!("miss: {file} {field}: expected {want:?}, got {got:?}");
    }
    let accuracy = right as f64 / total as f64;
    eprintln!(
        "accuracy: {right}/{total} fields right ({:.1}%), {} missed",
        accuracy * 100.0,
        misses.len()
    );
    assert!(
        accuracy >= REQUIRED_ACCURACY,
        "accuracy {:.1}% is below {:.0}%; misses are listed above",
        accuracy * 100.0,
        REQUIRED_ACCURACY * 100.0
    );
}
