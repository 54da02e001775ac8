//! Places named in an article, and the regions they suggest: a built-in gazetteer.
//!
//! `gazetteer.tsv` (shipped in the binary) maps country names, short forms (`U.S.`,
//! `UAE`), demonyms (`Syrian`), capitals, large cities, states and whole regions
//! (`Middle East`, `Sahel`) to a country code and a default region id. Its header
//! says why each contested country sits where it does.
//!
//! # Finding places
//!
//! Every name starts with a capital. One Aho-Corasick automaton, built once, is tried
//! at the start of every capitalized word of the title and the body (not the
//! publisher's footer) for the longest name that starts there and ends a word (no
//! letter or digit after it), and the search goes on after it: the longest, leftmost
//! name wins (`Papua New Guinea`, not `Guinea`; `New Delhi`, not `Delhi`), and
//! `Niger` inside `Nigeria` or `Nigerien` is never a word.
//!
//! **Case.** A name matches exactly as the gazetteer writes it, or in capitals
//! (`Beirut`, `BEIRUT`), never in lower case: `turkey` the bird, `china` plates and
//! the pronoun `us` are not places. A name of two or three capitals (`US`, `UK`,
//! `CAR`) does not count on a line written mostly in capitals (`TELL US NOW`).
//!
//! **Ambiguous names** (marks in the gazetteer):
//! - `~` a person's name too (`Jordan`, `Chad`, `Sydney`, `Washington`, `Paris`):
//!   not a place when it stands next to another capitalized word, separated by one
//!   space, after it (`Jordan Peterson`) or before it (`Michael Jordan`); weekdays,
//!   months, `River`, `Valley` and the like, other places, words that start
//!   sentences (`In`, `But`, …) and words in -ing, -ed, -ly (`Neighbouring`) are not
//!   names. In a title written in Title Case or capitals that test cannot tell:
//!   there the name counts only if the article confirms the country (as for `?`), or
//!   names it in the body where it passes the test. In a dateline it is a place.
//! - `?` counts only when confirmed: the article names the same country another way
//!   too (`Victoria` with `Melbourne`; `Kingston` with `Jamaica`).
//! - `!` `Georgia`/`Georgian`, also a US state: the state (north-america) when the
//!   article names more US states and cities (`Atlanta`, `Savannah`, `Ga.`, `Texas`;
//!   not the country, `Washington` or the `White House`) and `Gov.`/`governor` than
//!   places of the region (`Tbilisi`, `Abkhazia`, Russia, Armenia, Azerbaijan,
//!   Ukraine, `Caucasus`), the country when the other way round, nothing on a tie.
//! - `Turkey` does not count in a sentence about food (`Thanksgiving`, `roast`,
//!   `recipe`, `stuffing`, `gravy`, …).
//! - A place followed by a comma and a state or postal abbreviation is in that
//!   state's country (`Paris, Texas`, `London, Ontario`, `Paris, Tenn.`); postal
//!   abbreviations count nowhere else but after a comma in a dateline
//!   (`CAMARILLO, Calif. -`).
//!
//! # Where a place is, and the score
//!
//! The *dateline* is the start of the first body paragraph up to a dash (`-`, `–`,
//! `—`) or, in capitals, a colon: `HONG KONG, April 8 -`, `BEIRUT (Reuters) -`,
//! `Kyiv, Ukraine –`, at most 60 bytes and 8 words, starting with a capital and
//! with no lower-case word but particles (`de`, `of`, `on`, …). Every place in it is a
//! dateline place; the title's places are title places; the rest of the body gives
//! text mentions. For each region:
//!
//! ```text
//! dateline = 0.9 if a dateline place maps to it
//! title    = 0.75 if a title place does
//! text     = 0.9 × min(1, n / 4) × min(1, 2 × n / N)
//!            n: its text mentions, N: all text mentions of every place
//! score    = 1 − (1 − dateline)(1 − title)(1 − text)
//! ```
//!
//! So with the default threshold 0.5 a dateline (0.9) or a title place (0.75) is
//! accepted, as is a place named three times (0.68) that makes at least half of
//! all mentions; a passing mention scores at most 0.23 (0.05 among ten mentions),
//! two at most 0.45, and they are offered dimmed. At most [`MOST`] regions are
//! suggested, best first.
//!
//! # The team's taxonomy
//!
//! A place becomes a label of the inbox's taxonomy by the first of: a region label
//! whose name or alias is the place's name or its country's name (so an alias wins
//! over this file); the `[places] map` entry for its default region; the label whose
//! id is the default region id; a label whose name or alias is the default region's
//! name or alias. Otherwise it suggests nothing. The region labels' names and aliases
//! that this file does not know are searched for too (except words that name no
//! place: `World`, `International`, `Global`, …). `[places] enabled = false` turns
//! all of it off. [`features`] ignores the taxonomy: it gives the learner the places
//! themselves, so a team's own regions can be learned from them.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use super::{Article, Suggestion};
use crate::fold::fold_words;
use crate::labels::{Axis, Label, PlaceRules, Taxonomy};

/// The gazetteer as shipped.
pub const GAZETTEER: &str = include_str!("gazetteer.tsv");

/// The default region ids a place can map to (`global` is never a place).
pub const DEFAULT_REGIONS: [&str; 8] = [
    "africa",
    "asia",
    "europe",
    "latam",
    "mena",
    "north-america",
    "oceania",
    "russia-fsu",
];

/// How many regions [`regions`] suggests at most.
pub const MOST: usize = 3;

const DATELINE: f32 = 0.9;
const TITLE: f32 = 0.75;
const TEXT: f32 = 0.9;

/// What a gazetteer row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Country,
    People,
    City,
    State,
    /// Postal abbreviations: only after `City, `.
    Abbrev,
    Region,
}

/// The context a name asks for (the marks of gazetteer.tsv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    /// `~`: also a person's name.
    Person,
    /// `?`: counts only when the country is named another way too.
    Confirm,
    /// `!`: also a US state.
    UsTwin,
}

/// One name of the gazetteer.
#[derive(Debug, Clone)]
struct Entry {
    name: &'static str,
    /// ISO 3166-1 alpha-2, lowercase; `None` for a whole region.
    code: Option<&'static str>,
    region: &'static str,
    kind: Kind,
    mark: Mark,
}

/// A row of gazetteer.tsv that does not parse, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub problem: String,
}

struct Gazetteer {
    entries: Vec<Entry>,
    matcher: AhoCorasick,
    /// Pattern id to entry.
    pattern_entry: Vec<u32>,
    /// Folded names of every entry, for telling a taxonomy alias that is already known
    /// from one to search for.
    known: std::collections::HashSet<String>,
    /// A country code's country-kind names.
    countries: HashMap<&'static str, Vec<&'static str>>,
}

/// Parses gazetteer text into its names; every row must be well formed.
fn parse_rows(text: &'static str) -> (Vec<Entry>, Vec<RowError>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut rest = line;
        let mut fields = [""; 3];
        for field in &mut fields {
            rest = rest.trim_start();
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            *field = &rest[..end];
            rest = &rest[end..];
        }
        let [code, region, kind] = fields;
        let mut fail = |problem: String| {
            errors.push(RowError {
                line: line_no,
                problem,
            })
        };
        let code = match code {
            "-" => None,
            c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase()) => Some(c),
            c => {
                fail(format!("{c:?} is not a two-letter code or -"));
                continue;
            }
        };
        if !DEFAULT_REGIONS.contains(&region) {
            fail(format!("{region:?} is not a default region id"));
            continue;
        }
        let kind = match kind {
            "country" => Kind::Country,
            "people" => Kind::People,
            "city" => Kind::City,
            "state" => Kind::State,
            "abbrev" => Kind::Abbrev,
            "region" => Kind::Region,
            k => {
                fail(format!("{k:?} is not a kind"));
                continue;
            }
        };
        if (kind == Kind::Region) != code.is_none() {
            fail("a region row has code -, and only a region row".to_string());
            continue;
        }
        let names: Vec<&str> = rest.split(';').map(str::trim).collect();
        if names.iter().any(|n| n.is_empty()) {
            fail("an empty name".to_string());
            continue;
        }
        for name in names {
            let (mark, name) = match name.as_bytes()[0] {
                b'~' => (Mark::Person, &name[1..]),
                b'?' => (Mark::Confirm, &name[1..]),
                b'!' => (Mark::UsTwin, &name[1..]),
                _ => (Mark::None, name),
            };
            let name = name.trim_start();
            if !name.chars().next().is_some_and(char::is_uppercase) {
                fail(format!("{name:?} does not start with a capital"));
                continue;
            }
            entries.push(Entry {
                name,
                code,
                region,
                kind,
                mark,
            });
        }
    }
    (entries, errors)
}

/// The forms of a name that match: as written, in capitals, with a typographic
/// apostrophe for a straight one, and a demonym's plural.
fn forms(entry: &Entry) -> Vec<String> {
    let mut out = vec![entry.name.to_string()];
    if entry.kind == Kind::People {
        let n = entry.name;
        let plain = !(n.ends_with(['s', 'h', 'x', 'z']) || n.ends_with("ese"));
        if plain && !n.contains(['.', '-']) {
            out.push(format!("{n}s"));
        }
    }
    for i in 0..out.len() {
        if out[i].contains('\'') {
            let curly = out[i].replace('\'', "\u{2019}");
            out.push(curly);
        }
    }
    for i in 0..out.len() {
        let upper = out[i].to_uppercase();
        if upper != out[i] {
            out.push(upper);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn build_matcher(patterns: &[String]) -> AhoCorasick {
    // Searched only from the start of capitalized words (see `collect`), for the
    // longest name there.
    match AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Anchored)
        .build(patterns)
    {
        Ok(m) => m,
        // The patterns are the shipped file's names, a few thousand short strings;
        // the builder refuses only sizes far beyond that, which a test would catch.
        Err(e) => unreachable!("the gazetteer's automaton cannot be built: {e}"),
    }
}

static GAZ: LazyLock<Gazetteer> = LazyLock::new(|| {
    // Rows that do not parse are skipped here; `every_gazetteer_row_parses` fails on them.
    let (entries, _) = parse_rows(GAZETTEER);
    let mut patterns = Vec::new();
    let mut pattern_entry = Vec::new();
    let mut known = std::collections::HashSet::new();
    let mut countries: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        for form in forms(entry) {
            patterns.push(form);
            pattern_entry.push(i as u32);
        }
        known.insert(fold_words(entry.name));
        if let (Some(code), Kind::Country) = (entry.code, entry.kind) {
            countries.entry(code).or_default().push(entry.name);
        }
    }
    Gazetteer {
        matcher: build_matcher(&patterns),
        entries,
        pattern_entry,
        known,
        countries,
    }
});

/// Where in the article a place was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Where {
    Dateline,
    Title,
    Text,
}

/// One place found in an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// As written in the article (`BEIRUT`, `Syrians`).
    pub name: String,
    /// The country's ISO code, lowercase; `None` for a whole region (`Middle East`).
    pub code: Option<&'static str>,
    /// The default region id.
    pub region: &'static str,
    pub at: Where,
}

/// Which name a hit is: a gazetteer entry, or a taxonomy's own (an index into
/// [`Resolver::extra`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Gaz(u32),
    Extra(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Place,
    Person,
    /// A `~` name in a Title Case title, or a `?` name: needs the country named
    /// another way.
    Unsure,
}

#[derive(Debug, Clone)]
struct Hit<'a> {
    source: Source,
    surface: &'a str,
    at: Where,
    /// The country after `Paris, Texas`, the Georgia rule: overrides the entry's.
    code: Option<&'static str>,
    region: &'static str,
    verdict: Verdict,
}

/// A taxonomy's own region words the gazetteer does not know.
struct Extra {
    matcher: AhoCorasick,
    /// Pattern id to the label's position on the region axis.
    pattern_label: Vec<u32>,
}

/// Words a taxonomy may use for a region that name no place.
const NOT_PLACES: [&str; 10] = [
    "world",
    "worldwide",
    "international",
    "global",
    "other",
    "general",
    "multiple",
    "various",
    "none",
    "unknown",
];

/// A taxonomy's way of turning places into its labels, built once per taxonomy.
struct Resolver {
    labels: Vec<Label>,
    rules: PlaceRules,
    /// Per gazetteer entry, the label's position on the region axis.
    target: Vec<Option<u32>>,
    extra: Option<Extra>,
}

impl Resolver {
    fn new(taxonomy: &Taxonomy) -> Resolver {
        let gaz = &*GAZ;
        let defaults = Taxonomy::default();
        let pos = |label: &Label| taxonomy.position(Axis::Region, &label.id).map(|p| p as u32);
        let by_region: HashMap<&str, Option<u32>> = DEFAULT_REGIONS
            .iter()
            .map(|&region| {
                let mapped = taxonomy
                    .places
                    .map
                    .iter()
                    .find(|(from, _)| from == region)
                    .and_then(|(_, to)| taxonomy.label(Axis::Region, to));
                let same_id = || taxonomy.label(Axis::Region, region);
                let by_name = || {
                    defaults.label(Axis::Region, region).and_then(|d| {
                        std::iter::once(&d.name)
                            .chain(&d.aliases)
                            .find_map(|n| taxonomy.find(Axis::Region, n))
                    })
                };
                let label = mapped.or_else(same_id).or_else(by_name);
                (region, label.and_then(pos))
            })
            .collect();
        let target = gaz
            .entries
            .iter()
            .map(|e| {
                let own = std::iter::once(e.name)
                    .chain(
                        e.code
                            .and_then(|c| gaz.countries.get(c))
                            .into_iter()
                            .flatten()
                            .copied(),
                    )
                    .find_map(|n| taxonomy.find(Axis::Region, n));
                match own {
                    Some(label) => pos(label),
                    None => by_region.get(e.region).copied().flatten(),
                }
            })
            .collect();
        let mut patterns = Vec::new();
        let mut pattern_label = Vec::new();
        for (at, label) in taxonomy.region.labels.iter().enumerate() {
            for name in std::iter::once(&label.name).chain(&label.aliases) {
                let folded = fold_words(name);
                if folded.is_empty()
                    || gaz.known.contains(&folded)
                    || NOT_PLACES.contains(&folded.as_str())
                    || !name.chars().next().is_some_and(char::is_alphanumeric)
                    // A name is shown as found (`text: Zomia`): none that the
                    // terminal would read as a command.
                    || crate::sanitize::sanitize(name) != name.as_str()
                    || name.chars().any(char::is_control)
                {
                    continue;
                }
                let name = name.trim();
                let mut chars = name.chars();
                let capitalized = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default();
                for form in [name.to_string(), capitalized, name.to_uppercase()] {
                    // Only names starting with a capital are ever searched for.
                    if form.chars().next().is_some_and(char::is_uppercase)
                        && !patterns.contains(&form)
                    {
                        patterns.push(form);
                        pattern_label.push(at as u32);
                    }
                }
            }
        }
        let extra = (!patterns.is_empty()).then(|| Extra {
            matcher: build_matcher(&patterns),
            pattern_label,
        });
        Resolver {
            labels: taxonomy.region.labels.clone(),
            rules: taxonomy.places.clone(),
            target,
            extra,
        }
    }

    fn fits(&self, taxonomy: &Taxonomy) -> bool {
        self.labels == taxonomy.region.labels && self.rules == taxonomy.places
    }
}

/// Resolvers of the taxonomies in use (usually one), so that `regions` does not
/// rebuild one for every article.
static RESOLVERS: Mutex<Vec<Arc<Resolver>>> = Mutex::new(Vec::new());

fn resolver(taxonomy: &Taxonomy) -> Arc<Resolver> {
    let mut cache = match RESOLVERS.lock() {
        Ok(cache) => cache,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = cache.iter().find(|r| r.fits(taxonomy)) {
        return Arc::clone(found);
    }
    let made = Arc::new(Resolver::new(taxonomy));
    if cache.len() >= 4 {
        cache.remove(0);
    }
    cache.push(Arc::clone(&made));
    made
}

/// Every place the article names, in reading order (dateline, title, body), each
/// after the rules of the module doc; the input of [`regions`] and [`features`].
pub fn find(article: &Article) -> Vec<Place> {
    scan(article, None)
        .into_iter()
        .map(|h| Place {
            name: h.surface.to_string(),
            code: h.code,
            region: h.region,
            at: h.at,
        })
        .collect()
}

/// The regions the places named in `article` suggest in `taxonomy`, best first, each
/// saying where it was found (`dateline BEIRUT`, `title: Syrian`, `text: Moscow ×3`)
/// with a score from 0 to 1 (the rule is in the module doc).
pub fn regions(article: &Article, taxonomy: &Taxonomy) -> Vec<Suggestion> {
    if !taxonomy.places.enabled {
        return Vec::new();
    }
    let resolver = resolver(taxonomy);
    let hits = scan(article, resolver.extra.as_ref());
    let label_of = |h: &Hit| -> Option<u32> {
        match h.source {
            Source::Extra(label) => Some(label),
            Source::Gaz(e) => {
                let entry = &GAZ.entries[e as usize];
                if h.code == entry.code {
                    resolver.target.get(e as usize).copied().flatten()
                } else {
                    // Moved by `Paris, Texas` or the Georgia rule: the country's own
                    // names first, then its region.
                    retarget(&resolver, h)
                }
            }
        }
    };
    let scored = score(&hits, label_of);
    scored
        .into_iter()
        .filter_map(|(label, score, from)| {
            let label = taxonomy.region.labels.get(label as usize)?;
            Some(Suggestion {
                id: label.id.clone(),
                from,
                score,
            })
        })
        .collect()
}

/// The label of a hit whose country a rule changed: the label of that country's
/// first entry.
fn retarget(resolver: &Resolver, hit: &Hit) -> Option<u32> {
    let gaz = &*GAZ;
    let i = gaz
        .entries
        .iter()
        .position(|e| e.code == hit.code && e.kind == Kind::Country)?;
    resolver.target.get(i).copied().flatten()
}

/// The places of `article` as extra tokens for the learner, whatever the taxonomy:
/// `§country:sy`, `§region:mena` for every place, `§dateline:sy`,
/// `§dateline-region:mena` and `§title:sy`, `§title-region:mena` for where it
/// stands, and `§top-region:mena` for the default region [`regions`] would accept
/// first. Sorted, each once.
pub fn features(article: &Article) -> Vec<String> {
    let hits = scan(article, None);
    let mut out = Vec::with_capacity(hits.len() * 2 + 1);
    for h in &hits {
        let (code_key, region_key) = match h.at {
            Where::Dateline => (Some("dateline"), "dateline-region"),
            Where::Title => (Some("title"), "title-region"),
            Where::Text => (None, "region"),
        };
        if let Some(code) = h.code {
            out.push(format!("§country:{code}"));
            if let Some(key) = code_key {
                out.push(format!("§{key}:{code}"));
            }
        }
        out.push(format!("§region:{}", h.region));
        if h.at != Where::Text {
            out.push(format!("§{region_key}:{}", h.region));
        }
    }
    let regions = score(&hits, |h| {
        DEFAULT_REGIONS
            .iter()
            .position(|r| *r == h.region)
            .map(|p| p as u32)
    });
    if let Some((region, score, _)) = regions.first()
        && *score >= crate::labels::DEFAULT_THRESHOLD
    {
        out.push(format!("§top-region:{}", DEFAULT_REGIONS[*region as usize]));
    }
    out.sort();
    out.dedup();
    out
}

/// What was found for one region or label.
#[derive(Default)]
struct Evidence<'a> {
    dateline: Vec<&'a str>,
    title: Vec<&'a str>,
    /// Names as first written, with their counts.
    text: Vec<(&'a str, usize)>,
    mentions: usize,
    /// The first hit's position, to order equal scores by reading order.
    first: usize,
}

/// Scores per target (a label or a default region), best first, at most [`MOST`],
/// with the reviewer's `from` line.
fn score<'a>(hits: &[Hit<'a>], target: impl Fn(&Hit) -> Option<u32>) -> Vec<(u32, f32, String)> {
    let all_mentions = hits.iter().filter(|h| h.at == Where::Text).count();
    let mut by: Vec<(u32, Evidence)> = Vec::new();
    for (i, h) in hits.iter().enumerate() {
        let Some(t) = target(h) else { continue };
        let at = match by.iter().position(|(x, _)| *x == t) {
            Some(at) => at,
            None => {
                by.push((
                    t,
                    Evidence {
                        first: i,
                        ..Evidence::default()
                    },
                ));
                by.len() - 1
            }
        };
        let ev = &mut by[at].1;
        let add = |list: &mut Vec<&'a str>, name: &'a str| {
            if !list.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                list.push(name);
            }
        };
        match h.at {
            Where::Dateline => add(&mut ev.dateline, h.surface),
            Where::Title => add(&mut ev.title, h.surface),
            Where::Text => {
                ev.mentions += 1;
                match ev
                    .text
                    .iter_mut()
                    .find(|(n, _)| n.eq_ignore_ascii_case(h.surface))
                {
                    Some((_, count)) => *count += 1,
                    None => ev.text.push((h.surface, 1)),
                }
            }
        }
    }
    let mut out: Vec<(u32, f32, usize, String)> = by
        .into_iter()
        .map(|(t, ev)| {
            let d = if ev.dateline.is_empty() {
                0.0
            } else {
                DATELINE
            };
            let ti = if ev.title.is_empty() { 0.0 } else { TITLE };
            let n = ev.mentions as f32;
            let share = if all_mentions == 0 {
                0.0
            } else {
                n / all_mentions as f32
            };
            let x = TEXT * (n / 4.0).min(1.0) * (2.0 * share).min(1.0);
            let score = 1.0 - (1.0 - d) * (1.0 - ti) * (1.0 - x);
            (t, score.clamp(0.0, 1.0), ev.first, from_line(&ev))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    out.truncate(MOST);
    out.into_iter().map(|(t, s, _, f)| (t, s, f)).collect()
}

/// What the reviewer reads: `dateline BEIRUT · title: Syrian · text: Moscow ×3, Kremlin`.
fn from_line(ev: &Evidence) -> String {
    let list = |names: &[&str]| {
        let mut s = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
        if names.len() > 3 {
            s.push_str(", …");
        }
        s
    };
    let mut parts = Vec::new();
    if !ev.dateline.is_empty() {
        parts.push(format!("dateline {}", list(&ev.dateline)));
    }
    if !ev.title.is_empty() {
        parts.push(format!("title: {}", list(&ev.title)));
    }
    if !ev.text.is_empty() {
        let mut text = ev.text.clone();
        text.sort_by_key(|t| std::cmp::Reverse(t.1));
        let names: Vec<String> = text
            .iter()
            .take(3)
            .map(|(n, c)| {
                if *c > 1 {
                    format!("{n} ×{c}")
                } else {
                    n.to_string()
                }
            })
            .collect();
        let mut s = names.join(", ");
        if text.len() > 3 {
            s.push_str(", …");
        }
        parts.push(format!("text: {s}"));
    }
    parts.join(" · ")
}

/// A piece of the article searched on its own: a title, a dateline, a paragraph.
struct Segment<'a> {
    text: &'a str,
    at: Where,
    /// A title in Title Case or capitals: the person test cannot tell there.
    title_case: bool,
}

/// Every counted place of the article, in reading order.
/// How much of a body the places are read from: far more than any story (4–6 KB
/// is typical), and a bound on the work for a hostile multi-megabyte file, whose
/// suggestions are worked out again for every frame the reader draws.
const BODY_BUDGET: usize = 64 * 1024;

/// The body's paragraphs up to [`BODY_BUDGET`] bytes, the last one cut at a
/// character boundary.
fn read_body(article: &Article) -> impl Iterator<Item = &str> {
    let mut left = BODY_BUDGET;
    article.body.iter().map_while(move |p| {
        if left == 0 {
            return None;
        }
        let mut end = p.len().min(left);
        while !p.is_char_boundary(end) {
            end -= 1;
        }
        left -= end.max(1).min(left);
        Some(&p[..end])
    })
}

fn scan<'a>(article: &'a Article, extra: Option<&Extra>) -> Vec<Hit<'a>> {
    let mut segments = Vec::with_capacity(article.body.len() + 2);
    let first = read_body(article).next().unwrap_or("");
    let (dateline, first_rest) = split_dateline(first);
    if !dateline.is_empty() {
        segments.push(Segment {
            text: dateline,
            at: Where::Dateline,
            title_case: true,
        });
    }
    segments.push(Segment {
        text: &article.title,
        at: Where::Title,
        title_case: title_case(&article.title),
    });
    if !first_rest.is_empty() {
        segments.push(Segment {
            text: first_rest,
            at: Where::Text,
            title_case: false,
        });
    }
    for p in read_body(article).skip(1) {
        segments.push(Segment {
            text: p,
            at: Where::Text,
            title_case: false,
        });
    }
    let mut hits = Vec::new();
    let mut candidates = Vec::new();
    for seg in &segments {
        candidates.clear();
        collect(seg.text, extra, &mut candidates);
        pick(seg, candidates.as_slice(), &mut hits);
    }
    decide(article, &mut hits);
    hits.retain(|h| h.verdict == Verdict::Place);
    hits
}

/// Whole-word matches of every name in `text`, leftmost first, the longest where
/// several start at the same place, none overlapping: (start, end, source).
///
/// Every name starts with a capital, so only the starts of capitalized words are
/// tried, each with one anchored search: most of a text is never walked by the
/// automaton at all, which makes this several times faster than a scan of every byte.
fn collect(text: &str, extra: Option<&Extra>, out: &mut Vec<(usize, usize, Source)>) {
    let gaz = &*GAZ;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(skip) = bytes[i..]
        .iter()
        .position(|&b| b.is_ascii_uppercase() || b >= 0xC0)
    {
        let at = i + skip;
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        i = at + c.len_utf8();
        let starts_word = !text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if !c.is_uppercase() || !starts_word {
            continue;
        }
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        let found = gaz.matcher.try_find(input.clone()).ok().flatten().map(|m| {
            (
                m.end(),
                Source::Gaz(gaz.pattern_entry[m.pattern().as_usize()]),
            )
        });
        let own = extra.and_then(|x| {
            x.matcher.try_find(input).ok().flatten().map(|m| {
                (
                    m.end(),
                    Source::Extra(x.pattern_label[m.pattern().as_usize()]),
                )
            })
        });
        let longest = match (found, own) {
            (Some(g), Some(x)) if x.0 > g.0 => Some(x),
            (Some(g), _) => Some(g),
            (None, x) => x,
        };
        if let Some((end, source)) = longest
            && ends_word(text, end)
        {
            out.push((at, end, source));
            // Leftmost-longest: nothing that starts inside a name is tried.
            i = end;
        }
    }
}

/// A name ends a word: no letter or digit follows, unless it ends in a dot (`U.S.`).
fn ends_word(text: &str, end: usize) -> bool {
    text[..end].ends_with('.')
        || !text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
}

/// Applies the rules that need only the segment: case, `City, State`, food, the person test.
fn pick<'a>(seg: &Segment<'a>, candidates: &[(usize, usize, Source)], hits: &mut Vec<Hit<'a>>) {
    let chosen = candidates;
    let text = seg.text;
    let shouted = std::cell::OnceCell::new();
    for (i, &(start, stop, source)) in chosen.iter().enumerate() {
        let surface = &text[start..stop];
        let (mut code, mut region, kind, mark) = match source {
            Source::Gaz(e) => {
                let e = &GAZ.entries[e as usize];
                (e.code, e.region, e.kind, e.mark)
            }
            Source::Extra(_) => (None, "", Kind::Region, Mark::None),
        };
        // Short capitals (`US`, `CAR`) on a shouted line are words, not places.
        if surface.len() <= 3
            && surface.bytes().all(|b| b.is_ascii_uppercase())
            && *shouted.get_or_init(|| is_shouted(text))
        {
            continue;
        }
        // `City, State`: the state's country wins; an abbreviation counts only there.
        let next = chosen.get(i + 1);
        if let Some(&(n_start, _, Source::Gaz(n))) = next {
            let n = &GAZ.entries[n as usize];
            let between = &text[stop..n_start];
            if matches!(n.kind, Kind::State | Kind::Abbrev)
                && between.trim_end() == ","
                && kind != Kind::State
                && n.code.is_some()
            {
                code = n.code;
                region = n.region;
            }
        }
        if kind == Kind::Abbrev {
            let after_place = i > 0 && text[chosen[i - 1].1..start].trim_end() == ",";
            // `CAMARILLO, Calif. -`: in a dateline, after any town.
            let in_dateline = seg.at == Where::Dateline && text[..start].trim_end().ends_with(',');
            if !after_place && !in_dateline {
                continue;
            }
        }
        if surface.eq_ignore_ascii_case("turkey") && about_food(text, start, stop) {
            continue;
        }
        let verdict = match mark {
            Mark::Person if seg.at == Where::Dateline => Verdict::Place,
            Mark::Person => person_test(seg, chosen, i),
            Mark::Confirm => Verdict::Unsure,
            Mark::None | Mark::UsTwin => Verdict::Place,
        };
        hits.push(Hit {
            source,
            surface,
            at: seg.at,
            code,
            region,
            verdict,
        });
    }
}

/// More capital letters than small ones.
fn is_shouted(text: &str) -> bool {
    let (mut upper, mut lower) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    upper > lower
}

/// A title in Title Case (most words of four letters or more capitalized) or in
/// capitals.
fn title_case(text: &str) -> bool {
    let (mut long, mut capital) = (0usize, 0usize);
    for word in text.split_whitespace() {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 4 {
            long += 1;
            if word
                .chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_uppercase)
            {
                capital += 1;
            }
        }
    }
    long >= 3 && capital * 10 >= long * 6
}

const FOOD: [&str; 14] = [
    "thanksgiving",
    "roast",
    "stuffing",
    "gravy",
    "recipe",
    "sandwich",
    "oven",
    "dinner",
    "carve",
    "cranberr",
    "drumstick",
    "poultry",
    "giblet",
    "brine",
];

/// A month or weekday name (`March 26`, `Friday`), as the date reader spells them.
fn calendar_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    super::text::MONTHS.contains(&lower.as_str()) || super::text::WEEKDAYS.contains(&lower.as_str())
}

/// Whether the sentence around `start..stop` is about food.
fn about_food(text: &str, start: usize, stop: usize) -> bool {
    let from = text[..start].rfind(['.', '!', '?']).map_or(0, |i| i + 1);
    let to = text[stop..]
        .find(['.', '!', '?'])
        .map_or(text.len(), |i| stop + i);
    let sentence = crate::fold::fold(&text[from..to]);
    FOOD.iter().any(|w| sentence.contains(w))
}

/// Capitalized words that sit next to a place without making it a person: geography
/// and the words that start sentences (and, through [`calendar_word`], the names of
/// months and weekdays the date reader knows).
const NOT_NAMES: [&str; 56] = [
    "River",
    "Valley",
    "Basin",
    "Lake",
    "Sea",
    "State",
    "City",
    "County",
    "Province",
    "Region",
    "Republic",
    "Kingdom",
    "The",
    "In",
    "At",
    "From",
    "To",
    "And",
    "Of",
    "On",
    "For",
    "But",
    "As",
    "After",
    "Before",
    "When",
    "While",
    "With",
    "Without",
    "By",
    "Across",
    "Inside",
    "Outside",
    "Near",
    "Like",
    "Unlike",
    "Both",
    "Only",
    "Even",
    "Also",
    "Why",
    "How",
    "Where",
    "Meanwhile",
    "Since",
    "Until",
    "Through",
    "Under",
    "Over",
    "Into",
    "Within",
    "Against",
    "Between",
    "Among",
    "Around",
    "Neither",
];

/// The `~` test: next to another capitalized word, a person; in a Title Case title,
/// unsure; otherwise a place.
fn person_test(seg: &Segment, chosen: &[(usize, usize, Source)], i: usize) -> Verdict {
    let text = seg.text;
    let (start, stop, _) = chosen[i];
    // `chosen` is in order and without overlaps: only its neighbours can touch.
    let is_place_at = |pos: usize| {
        chosen.get(i + 1).is_some_and(|c| c.0 == pos)
            || i.checked_sub(1)
                .and_then(|p| chosen.get(p))
                .is_some_and(|c| c.1 == pos)
    };
    let name_like = |word: &str| {
        word.chars().next().is_some_and(char::is_uppercase)
            && word.chars().any(char::is_lowercase)
            && !NOT_NAMES.contains(&word)
            && !calendar_word(word)
            && !(word.len() > 4 && ["ing", "ed", "ly"].iter().any(|e| word.ends_with(e)))
    };
    // After: exactly one space, then a capitalized word.
    let after = text[stop..].strip_prefix(' ').and_then(|rest| {
        let len = rest
            .find(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
            .unwrap_or(rest.len());
        let word = &rest[..len];
        (name_like(word) && !is_place_at(stop + 1)).then_some(word)
    });
    // Before: exactly one space, after a capitalized word.
    let before = text[..start].strip_suffix(' ').and_then(|head| {
        let word_start = head
            .rfind(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
            .map_or(0, |i| {
                i + head[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &head[word_start..];
        (name_like(word) && !is_place_at(head.len())).then_some(word)
    });
    match (after.is_some() || before.is_some(), seg.title_case) {
        (_, true) => Verdict::Unsure,
        (true, false) => Verdict::Person,
        (false, false) => Verdict::Place,
    }
}

/// The rules that need the whole article: `?` and unsure names need their country
/// named another way; `!` Georgia goes to the side the article names more.
fn decide(article: &Article, hits: &mut [Hit]) {
    let entry_of = |h: &Hit| match h.source {
        Source::Gaz(e) => Some(&GAZ.entries[e as usize]),
        Source::Extra(_) => None,
    };
    let twin = hits
        .iter()
        .any(|h| entry_of(h).is_some_and(|e| e.mark == Mark::UsTwin));
    if twin {
        // Only the United States' states and cities say "the state": the country's
        // name, Washington and the White House are as often in a story on Tbilisi.
        let us = hits
            .iter()
            .filter(|h| {
                h.code == Some("us")
                    && h.verdict == Verdict::Place
                    && entry_of(h).is_some_and(|e| {
                        e.code == Some("us")
                            && matches!(e.kind, Kind::State | Kind::Abbrev | Kind::City)
                            && e.mark == Mark::None
                            && !NATIONAL.contains(&e.name)
                    })
            })
            .count()
            + us_words(article);
        let caucasus = hits
            .iter()
            .filter(|h| {
                entry_of(h).is_some_and(|e| e.mark != Mark::UsTwin)
                    && (matches!(h.code, Some("ge" | "ru" | "am" | "az" | "ua"))
                        || h.surface.to_ascii_lowercase().contains("caucasus"))
            })
            .count();
        for h in hits.iter_mut() {
            if entry_of(h).is_some_and(|e| e.mark == Mark::UsTwin) {
                match us.cmp(&caucasus) {
                    std::cmp::Ordering::Greater => {
                        h.code = Some("us");
                        h.region = "north-america";
                    }
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => h.verdict = Verdict::Person,
                }
            }
        }
    }
    // Per country, the names it is named by (two are enough to know "another way").
    let mut named: HashMap<&str, (&str, bool)> = HashMap::new();
    // `~` names that passed the person test in the body.
    let mut passed: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for h in hits.iter().filter(|h| h.verdict == Verdict::Place) {
        let Some(entry) = entry_of(h) else { continue };
        if let Some(code) = h.code {
            let seen = named.entry(code).or_insert((entry.name, false));
            seen.1 |= seen.0 != entry.name;
        }
        if h.at == Where::Text && entry.mark == Mark::Person {
            passed.insert(entry.name);
        }
    }
    for h in hits.iter_mut().filter(|h| h.verdict == Verdict::Unsure) {
        let name = match h.source {
            Source::Gaz(e) => GAZ.entries[e as usize].name,
            Source::Extra(_) => "",
        };
        let another_way = h
            .code
            .and_then(|c| named.get(c))
            .is_some_and(|&(first, several)| several || first != name);
        h.verdict = if another_way || passed.contains(name) {
            Verdict::Place
        } else {
            Verdict::Person
        };
    }
}

/// US places that stand for the country, not a state.
const NATIONAL: [&str; 6] = [
    "White House",
    "Pentagon",
    "Capitol Hill",
    "Wall Street",
    "Langley",
    "Foggy Bottom",
];

/// Words that say a `Georgia` is the US state, counted in the title and body.
fn us_words(article: &Article) -> usize {
    const WORDS: [&str; 4] = ["Gov.", "governor", "Governor", "Peach State"];
    std::iter::once(article.title.as_str())
        .chain(read_body(article))
        .map(|t| WORDS.iter().map(|w| t.matches(w).count()).sum::<usize>())
        .sum()
}

/// Splits a first paragraph into its dateline and the rest; the dateline is empty
/// when the paragraph has none (the rule is in the module doc).
fn split_dateline(paragraph: &str) -> (&str, &str) {
    let none = ("", paragraph);
    let head_end = paragraph
        .char_indices()
        .nth(80)
        .map_or(paragraph.len(), |(i, _)| i);
    let head = &paragraph[..head_end];
    let dash = [" - ", " – ", " — ", " -- ", "—", "–"]
        .iter()
        .filter_map(|d| head.find(d).map(|i| (i, i + d.len())))
        .min();
    let colon = head.find(": ").map(|i| (i, i + 2));
    let (end, rest_at) = match (dash, colon) {
        (Some(d), Some(c)) if c.0 < d.0 => c,
        (Some(d), _) => d,
        (None, Some(c)) => c,
        (None, None) => return none,
    };
    let prefix = paragraph[..end].trim();
    let is_colon = paragraph[end..].starts_with(':');
    if prefix.is_empty()
        || prefix.len() > 60
        || !prefix.chars().next().is_some_and(char::is_uppercase)
        || (is_colon && prefix.chars().any(char::is_lowercase))
    {
        return none;
    }
    const PARTICLES: [&str; 12] = [
        "de", "of", "the", "on", "al", "el", "la", "du", "es", "am", "upon", "da",
    ];
    let words: Vec<&str> = prefix.split_whitespace().collect();
    let lower_word = |w: &&str| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.chars().next().is_some_and(char::is_lowercase)
            && !w.split('-').all(|part| {
                PARTICLES.contains(&part) || part.chars().next().is_some_and(char::is_uppercase)
            })
    };
    if words.len() > 8 || words.iter().any(lower_word) {
        return none;
    }
    (prefix, paragraph[rest_at..].trim_start())
}

/// Checks the shipped gazetteer: every row parses. For tests and `triage` itself.
pub fn check_gazetteer() -> Vec<RowError> {
    parse_rows(GAZETTEER).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Format, parse};
    use crate::labels::LabelId;

    fn article(title: &str, body: &[&str]) -> Article {
        Article {
            title: title.to_string(),
            body: body.iter().collect(),
            ..Article::default()
        }
    }

    /// The countries found, in order, each once.
    fn codes(title: &str, body: &[&str]) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for p in find(&article(title, body)) {
            let code = p.code.unwrap_or(p.region);
            if !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    fn custom(regions: &str, extra: &str) -> Taxonomy {
        let text = format!(
            "[region]\nlabels = [\n{regions}]\n[theme]\nlabels = [{{ id = \"t\", name = \"T\", key = \"t\" }}]\n[reliability]\nlabels = [{{ id = \"r\", name = \"R\", key = \"1\" }}]\n{extra}"
        );
        match Taxonomy::parse(&text, "team/labels.toml") {
            Ok(t) => t,
            Err(e) => panic!("{e}\n{text}"),
        }
    }

    fn ids(suggestions: &[Suggestion]) -> Vec<&str> {
        suggestions.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn every_gazetteer_row_parses_and_maps_to_a_default_region() {
        assert_eq!(check_gazetteer(), []);
        let defaults = Taxonomy::default();
        for region in DEFAULT_REGIONS {
            assert!(defaults.label(Axis::Region, region).is_some(), "{region}");
        }
        let gaz = &*GAZ;
        for e in &gaz.entries {
            let Some(code) = e.code else { continue };
            // Every code has its country row, and every row of it the same region.
            let country = gaz
                .entries
                .iter()
                .find(|c| c.code == Some(code) && c.kind == Kind::Country);
            let country = country.unwrap_or_else(|| panic!("{code} has no country row"));
            assert_eq!(e.region, country.region, "{} ({code})", e.name);
        }
        let countries = gaz.countries.len();
        assert!(countries >= 200, "{countries} countries");
        assert!(gaz.entries.len() >= 1500, "{} names", gaz.entries.len());
        // A row that does not parse is reported with its line.
        let (_, errors) =
            parse_rows("xx mars country Ares\nsy mena country Syria\nsyr mena city X\n");
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 3]);
    }

    #[test]
    fn datelines_of_several_shapes_weigh_most() {
        let table: &[(&str, &str, &str)] = &[
            (
                "HONG KONG, April 8 - Shares fell on Tuesday.",
                "hk",
                "dateline HONG KONG",
            ),
            ("BEIRUT (Reuters) - Talks resumed.", "lb", "dateline BEIRUT"),
            (
                "MOSCOW — The ministry said nothing.",
                "ru",
                "dateline MOSCOW",
            ),
            (
                "WASHINGTON, D.C. – Congress met.",
                "us",
                "dateline WASHINGTON, D.C.",
            ),
            (
                "Kyiv, Ukraine – Sirens sounded.",
                "ua",
                "dateline Kyiv, Ukraine",
            ),
            ("NEW DELHI: The court ruled.", "in", "dateline NEW DELHI"),
            (
                "Rostov-on-Don, Russia — A fire broke out.",
                "ru",
                "dateline Rostov-on-Don, Russia",
            ),
            (
                "DHAKA, Bangladesh (AP) — Floods rose.",
                "bd",
                "dateline DHAKA, Bangladesh",
            ),
        ];
        let t = Taxonomy::default();
        for &(first, code, from) in table {
            let a = article("Nothing here", &[first, "More text without places."]);
            let places = find(&a);
            assert!(
                places
                    .iter()
                    .any(|p| p.at == Where::Dateline && p.code == Some(code)),
                "{first}: {places:?}"
            );
            let best = &regions(&a, &t)[0];
            assert_eq!(best.from, from, "{first}");
            assert!(best.score >= 0.9 - 1e-6, "{first}: {}", best.score);
        }
        // Not datelines: a dash inside a sentence, a long lead, a lower-case word.
        for first in [
            "The minister — who spoke in Paris — said so.",
            "Officials in the capital said on Monday that Paris would wait - for now.",
            "Note: Paris is not a dateline.",
        ] {
            let places = find(&article("T", &[first]));
            assert!(
                places.iter().all(|p| p.at == Where::Text),
                "{first}: {places:?}"
            );
        }
    }

    #[test]
    fn a_dateline_or_title_place_is_accepted_and_a_passing_mention_is_not() {
        let t = Taxonomy::default();
        let threshold = t.suggestions.threshold;
        let score = |a: &Article, id: &str| {
            regions(a, &t)
                .into_iter()
                .find(|s| s.id == id)
                .map(|s| (s.score, s.from))
        };
        let a = article("Syrian refugees wait at the border", &["Aid is short."]);
        let (s, from) = score(&a, "mena").unwrap();
        assert!(s >= threshold, "{s}");
        assert_eq!(from, "title: Syrian");
        let a = article(
            "Talks stall",
            &[
                "Moscow said the Kremlin would wait. Moscow and Moscow again.",
                "Officials in Paris, Berlin, Rome, Madrid, Lisbon, Vienna, Warsaw and Tokyo were told.",
            ],
        );
        let (s, from) = score(&a, "russia-fsu").unwrap();
        assert_eq!(from, "text: Moscow ×3, Kremlin");
        // Four of twelve mentions, the most of any country: accepted.
        assert!(s >= threshold, "russia {s}");
        // One passing mention among many: offered, dimmed.
        let (s, _) = score(&a, "asia").unwrap_or((0.0, String::new()));
        assert!(s < threshold, "{s}");
        let europe = score(&a, "europe").unwrap().0;
        assert!(europe >= threshold, "{europe}");
        // Best first, at most MOST.
        let all = regions(&a, &t);
        assert!(all.len() <= MOST);
        assert!(all.windows(2).all(|w| w[0].score >= w[1].score), "{all:?}");
        assert_eq!(all[0].id, "europe");
        // A place named three times, alone, is accepted.
        let a = article("T", &["In Nairobi today. Nairobi again. And Nairobi."]);
        assert!(score(&a, "africa").unwrap().0 >= threshold);
        // Once, alone, it is not.
        let a = article("T", &["A long story that happens to pass through Nairobi."]);
        assert!(score(&a, "africa").unwrap().0 < threshold);
    }

    #[test]
    fn demonyms_and_short_forms_name_their_country() {
        let table: &[(&str, &[&str])] = &[
            ("Syrian forces and Syrians abroad", &["sy"]),
            ("Chinese and Ukrainian officials", &["cn", "ua"]),
            ("U.S. troops and US drones", &["us"]),
            ("the U.S.-led coalition", &["us"]),
            ("USA and UK and U.K. envoys", &["us", "gb"]),
            (
                "the UAE, the DPRK, the PRC and the DRC",
                &["ae", "kp", "cn", "cd"],
            ),
            ("Filipinos and Iraqis and Pakistanis", &["ph", "iq", "pk"]),
            (
                "the Middle East and the Sahel and the Balkans",
                &["mena", "africa", "europe"],
            ),
            (
                "a Gulf states summit in Central Asia",
                &["mena", "russia-fsu"],
            ),
        ];
        for &(text, want) in table {
            assert_eq!(codes("", &[text]), want, "{text}");
        }
    }

    #[test]
    fn proper_names_match_only_capitalized() {
        let table: &[(&str, &[&str])] = &[
            ("roast turkey with china plates, for all of us", &[]),
            ("Tell us about it; give us a reason", &[]),
            ("TURKEY AND SYRIA SIGN DEAL", &["tr", "sy"]),
            ("ISTANBUL was calm", &["tr"]),
            // Two capitals on a shouted line are a word.
            ("PLEASE TELL US WHAT HAPPENED", &[]),
            ("Us and them", &[]),
            ("a jordan almond and a georgia peach", &[]),
        ];
        for &(text, want) in table {
            assert_eq!(codes("", &[text]), want, "{text}");
        }
    }

    #[test]
    fn the_longest_whole_word_wins() {
        let table: &[(&str, &[&str])] = &[
            ("Papua New Guinea and Guinea", &["pg", "gn"]),
            ("New Delhi", &["in"]),
            ("Nigeria", &["ng"]),
            ("a Nigerien soldier", &["ne"]),
            ("the Niger Delta", &["ng"]),
            ("New Mexico", &["us"]),
            ("South Sudan", &["ss"]),
            ("Nigerias", &[]),
            ("Syria's war", &["sy"]),
            ("Republic of the Congo", &["cg"]),
            ("Irandom Omanite", &[]),
        ];
        for &(text, want) in table {
            assert_eq!(codes("", &[text]), want, "{text}");
        }
        assert_eq!(find(&article("", &["New Delhi"])).len(), 1);
    }

    #[test]
    fn georgia_is_the_state_or_the_country_by_what_else_is_named() {
        let table: &[(&str, &[&str], &[&str])] = &[
            ("", &["Voters in Atlanta, Georgia lined up."], &["us"]),
            (
                "",
                &["Georgia's governor signed the bill in Savannah."],
                &["us"],
            ),
            ("", &["In Tbilisi, Georgia's parliament met."], &["ru-side"]),
            (
                "",
                &["Georgia and Russia fought over Abkhazia."],
                &["ru-side"],
            ),
            ("", &["Georgia held an election."], &[]),
            (
                "Georgia votes",
                &["The Georgian Dream party won in Tbilisi."],
                &["ru-side"],
            ),
        ];
        for &(title, body, want) in table {
            let found = find(&article(title, body));
            let georgia: Vec<&str> = found
                .iter()
                .filter(|p| p.name == "Georgia")
                .map(|p| match p.code {
                    Some("us") => "us",
                    Some("ge") => "ru-side",
                    _ => "?",
                })
                .collect::<Vec<_>>();
            let mut georgia = georgia;
            georgia.dedup();
            assert_eq!(georgia, want, "{body:?}: {found:?}");
        }
    }

    #[test]
    fn jordan_chad_sydney_are_people_next_to_another_name() {
        let table: &[(&str, &[&str], &[&str])] = &[
            ("", &["Michael Jordan scored 30 points."], &[]),
            ("", &["Fans cheered as Jordan Peterson spoke."], &[]),
            ("", &["Jordan closed its border."], &["jo"]),
            ("", &["In Jordan, refugees waited."], &["jo"]),
            ("", &["Neighbouring Jordan took them in."], &["jo"]),
            ("", &["Refugees fled to Jordan Monday."], &["jo"]),
            ("", &["Water from the Jordan River is scarce."], &["jo"]),
            ("", &["They crossed into Jordan on Monday."], &["jo"]),
            (
                "Jordan Peterson Speaks At Packed Rally",
                &["He spoke for an hour."],
                &[],
            ),
            (
                "Syria And Jordan Sign Water Deal",
                &["Officials in Amman welcomed it."],
                &["sy", "jo"],
            ),
            ("", &["Chad Smith played drums."], &[]),
            ("", &["Chad's president flew to N'Djamena."], &["td"]),
            ("", &["The actress Sydney Sweeney smiled."], &[]),
            ("", &["Ferries crossed the harbour in Sydney."], &["au"]),
            ("", &["Victoria Beckham arrived."], &[]),
            (
                "",
                &["Bushfires in Victoria spread towards Melbourne."],
                &["au"],
            ),
            ("", &["Paris Hilton laughed."], &[]),
            ("", &["A tornado hit Paris, Texas, overnight."], &["us"]),
            ("", &["A tornado hit Paris, Tenn., overnight."], &["us"]),
            ("", &["Miss. Jones and Mass. were not states."], &[]),
            ("", &["Paris is calm."], &["fr"]),
            ("", &["The Turkey dinner recipe needs gravy."], &[]),
            (
                "",
                &["Turkey closed the border. Turkey and Syria talked."],
                &["tr", "sy"],
            ),
            ("", &["George Washington crossed the river."], &[]),
            ("", &["Washington said it would respond."], &["us"]),
        ];
        for &(title, body, want) in table {
            assert_eq!(codes(title, body), want, "{title} {body:?}");
        }
    }

    #[test]
    fn taxonomy_aliases_extend_the_gazetteer_and_win_over_it() {
        let t = custom(
            "{ id = \"levant\", name = \"Levant desk\", key = \"l\", aliases = [\"Syria\", \"Zomia\"] },\n{ id = \"mena\", name = \"Arab world\", key = \"m\" },\n{ id = \"elsewhere\", name = \"Elsewhere\", key = \"e\", aliases = [\"World\", \"Evil\\u001b]0;x\\u0007\"] },\n",
            "",
        );
        let table: &[(&str, &[&str])] = &[
            // An alias naming a country: its names and demonyms go to that label.
            ("Syrian refugees", &["levant"]),
            ("Damascus", &["levant"]),
            // A label with a default id takes that region's other places.
            ("Lebanon", &["mena"]),
            // A word the gazetteer does not know, from the taxonomy.
            ("Zomia uplands", &["levant"]),
            // Words that name no place are not searched for.
            ("World news", &[]),
            // Nor names the terminal would read as a command.
            ("Evil\u{1b}]0;x\u{7} land", &[]),
            // A place mapping to no label suggests nothing.
            ("Tokyo", &[]),
        ];
        for &(title, want) in table {
            assert_eq!(ids(&regions(&article(title, &[]), &t)), want, "{title}");
        }
    }

    #[test]
    fn a_taxonomy_of_countries_gets_each_dateline_by_the_countrys_name() {
        // A wire corpus's own places, named as the wire named them in its day.
        let t = custom(
            "{ id = \"usa\", name = \"USA\", key = \"u\" },\n{ id = \"uk\", name = \"UK\", key = \"k\" },\n{ id = \"japan\", name = \"Japan\", key = \"j\" },\n{ id = \"west-germany\", name = \"West Germany\", key = \"w\" },\n{ id = \"ussr\", name = \"USSR\", key = \"s\" },\n",
            "",
        );
        let table: &[(&str, &str, &[&str])] = &[
            (
                "CHEMLAWN RISES",
                "COLUMBUS, Ohio, March 26 - ChemLawn could attract a higher bid.",
                &["usa"],
            ),
            (
                "BUNDESBANK HOLDS RATES",
                "FRANKFURT, March 26 - The Bundesbank left its rate unchanged.",
                &["west-germany"],
            ),
            (
                "GRAIN PURCHASES",
                "MOSCOW, March 26 - Traders said the buying went on.",
                &["ussr"],
            ),
            (
                "TRADE SURPLUS WIDENS",
                "TOKYO, March 26 - The surplus widened in February.",
                &["japan"],
            ),
            (
                "OFFER RAISED",
                "LONDON, March 26 - The company raised its offer.",
                &["uk"],
            ),
        ];
        for &(title, body, want) in table {
            let got = regions(&article(title, &[body]), &t);
            assert_eq!(ids(&got), want, "{body}");
            assert!(got.iter().all(|s| s.score >= 0.5), "{got:?}");
        }
    }

    #[test]
    fn the_places_map_sends_default_regions_to_the_teams_labels() {
        let t = custom(
            "{ id = \"levant\", name = \"Levant\", key = \"l\" },\n{ id = \"europe\", name = \"Europe\", key = \"e\" },\n",
            "[places]\nmap = { mena = \"levant\", russia-fsu = \"europe\" }\n",
        );
        assert_eq!(
            t.places.map,
            [
                (LabelId::from("mena"), LabelId::from("levant")),
                (LabelId::from("russia-fsu"), LabelId::from("europe"))
            ]
        );
        let table: &[(&str, &[&str])] = &[
            ("Beirut", &["levant"]),
            ("Moscow", &["europe"]),
            ("Berlin", &["europe"]),
            ("Lagos", &[]),
        ];
        for &(title, want) in table {
            assert_eq!(ids(&regions(&article(title, &[]), &t)), want, "{title}");
        }
        // Without the map, a taxonomy with none of the default ids or names gets none.
        let bare = custom("{ id = \"levant\", name = \"Levant\", key = \"l\" },\n", "");
        assert_eq!(
            ids(&regions(&article("Beirut", &[]), &bare)),
            [] as [&str; 0]
        );
        // The default taxonomy's names still work without a map: `Middle East` is mena's.
        let named = custom(
            "{ id = \"me\", name = \"Middle East\", key = \"m\" },\n",
            "",
        );
        assert_eq!(ids(&regions(&article("Beirut", &[]), &named)), ["me"]);
    }

    #[test]
    fn places_can_be_turned_off() {
        let t = custom(
            "{ id = \"mena\", name = \"MENA\", key = \"m\", aliases = [\"Syria\"] },\n",
            "[places]\nenabled = false\n",
        );
        let a = article("BEIRUT — Syria", &["BEIRUT (Reuters) - Syria and Lebanon."]);
        assert_eq!(regions(&a, &t), []);
        // The learner's tokens do not depend on the taxonomy.
        assert!(features(&a).contains(&"§dateline:lb".to_string()));
    }

    #[test]
    fn a_bad_places_table_names_the_file_and_line() {
        let base = "[region]\nlabels = [{ id = \"levant\", name = \"L\", key = \"l\" }]\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let table: &[(&str, &str)] = &[
            (
                "[places]\nmap = { levant = \"levant\" }\n",
                "team/labels.toml:8: [places] map: \"levant\" is not a built-in region id (africa, asia, europe, latam, mena, north-america, oceania, russia-fsu, global)",
            ),
            (
                "[places]\n\nmap = { mena = \"t\" }\n",
                "team/labels.toml:9: [places] map: mena = \"t\" is not a region id of this file",
            ),
            ("[places]\nenabled = \"no\"\n", "team/labels.toml:8: "),
            ("[places]\ncolour = 1\n", "team/labels.toml:8: "),
        ];
        for &(extra, want) in table {
            let err = Taxonomy::parse(&format!("{base}{extra}"), "team/labels.toml")
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(want), "{extra}: {err}");
        }
    }

    #[test]
    fn features_say_which_places_and_where() {
        let a = article(
            "Syrian talks",
            &[
                "BEIRUT (Reuters) - Envoys met in Moscow.",
                "The Middle East waits.",
            ],
        );
        assert_eq!(
            features(&a),
            [
                "§country:lb",
                "§country:ru",
                "§country:sy",
                "§dateline-region:mena",
                "§dateline:lb",
                "§region:mena",
                "§region:russia-fsu",
                "§title-region:mena",
                "§title:sy",
                "§top-region:mena",
            ]
        );
        assert_eq!(
            features(&article("Nothing", &["Nowhere at all."])),
            [] as [&str; 0]
        );
    }

    #[test]
    fn only_the_first_64_kb_of_a_body_is_read() {
        let far = format!("{} Moscow.", "word ".repeat(BODY_BUDGET / 5 + 10));
        let near = format!("Moscow. {}", "word ".repeat(BODY_BUDGET / 5 + 10));
        assert!(codes("A", &[&far]).is_empty(), "beyond the budget");
        assert_eq!(codes("A", &[&near]), ["ru"]);
        assert!(codes("A", &[&"word ".repeat(BODY_BUDGET / 5 + 10), "Moscow."]).is_empty());
        // A cut inside a character is moved back to its start, never a panic.
        let wide = "é".repeat(BODY_BUDGET);
        assert!(codes("A", &[&wide]).is_empty());
    }

    #[test]
    fn hostile_text_never_panics() {
        let t = Taxonomy::default();
        let huge = "Syria \u{1b}]0;x\u{7} Jordan\u{0} éSyriaé Ga., Paris, — ".repeat(40_000);
        let texts = [
            huge.as_str(),
            "\u{202e}Syria\u{200b}",
            "—",
            "– Paris",
            "Paris,",
            "Paris, ",
            "Jordan ",
            " Jordan",
            "Georgia",
            "U.S",
            "日本 Tokyo東京",
            "\u{0}\u{1}\u{7f}",
        ];
        for text in texts {
            let a = article(text, &[text, text]);
            let _ = regions(&a, &t);
            let _ = features(&a);
        }
        let a = article("", &[&huge]);
        assert!(regions(&a, &t).len() <= MOST);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_without_panicking(title in ".{0,40}", body in ".{0,200}") {
            let a = article(&title, &[&body]);
            let _ = regions(&a, &Taxonomy::default());
            let _ = features(&a);
        }
    }

    fn inbox() -> Vec<(String, Article)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox");
        let mut out = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if let Some(format) = Format::from_path(&path) {
                    let bytes = std::fs::read(&path).unwrap();
                    let name = path.strip_prefix(&root).unwrap().display().to_string();
                    out.push((name.clone(), parse(format, &name, &bytes).unwrap()));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Every sample article that names a place gets its region, accepted; the three
    /// that name none get nothing.
    #[test]
    fn every_sample_article_that_names_a_place_gets_its_region() {
        let t = Taxonomy::default();
        let want: &[(&str, &[&str])] = &[
            ("000_466bdefa64880cc0.txt", &["russia-fsu", "mena"]),
            ("001_central_banks_hold_rates.txt", &[]),
            ("002_lithium_salt_flats.md", &["latam"]),
            ("003_kitchen_spice_miracle.txt", &[]),
            ("008_sierra_leone_local_elections.txt", &["africa"]),
            ("009_tonga_cable_fault.md", &["oceania"]),
            ("010_newsroom_is_empty.md", &[]),
            ("011_moldova_gas_transit.txt", &["russia-fsu"]),
            ("012_gulf_desalination_fishermen.txt", &["mena"]),
            ("013_lalibela_restoration.md", &["africa"]),
            (
                "014_toronto_facial_recognition_appeal.txt",
                &["north-america"],
            ),
            ("asia/006_dhaka_monsoon_flooding.md", &["asia"]),
            ("asia/007_chip_export_controls.txt", &["asia"]),
            ("europe/004_rail_strike_besancon.md", &["europe"]),
            ("europe/005_palace_drone.txt", &[]),
        ];
        let articles = inbox();
        assert_eq!(articles.len(), want.len());
        for ((name, a), &(want_name, want_ids)) in articles.iter().zip(want) {
            assert_eq!(name, want_name);
            let all = regions(a, &t);
            let accepted: Vec<&str> = all
                .iter()
                .filter(|s| s.score >= t.suggestions.threshold)
                .map(|s| s.id.as_str())
                .collect();
            assert_eq!(accepted, want_ids, "{name}: {all:?}");
            // Naming a place means a suggestion, at least a dimmed one.
            assert_eq!(find(a).is_empty(), all.is_empty(), "{name}");
        }
    }
}
