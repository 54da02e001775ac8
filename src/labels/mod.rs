//! The taxonomy: three axes of labels read from `labels.toml`.
//!
//! Sidecars store label *ids*; the screen shows *names*; pickers use *keys*; articles
//! name labels in their own words, which *aliases* map back to ids. A broken taxonomy
//! stops the program before anything is drawn, with the file, line and problem, because
//! every later decision would be stored against it.

pub mod guidelines;
pub mod sources;

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::fold::fold_words;

/// The taxonomy every binary carries; an inbox's own `labels.toml` replaces it whole.
pub const DEFAULT_LABELS: &str = include_str!("default.toml");

/// One of the three things a reviewer decides about an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    Region,
    Theme,
    Reliability,
}

impl Axis {
    pub const ALL: [Axis; 3] = [Axis::Region, Axis::Theme, Axis::Reliability];

    /// The key used for this axis in `labels.toml`, sidecars and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Region => "region",
            Axis::Theme => "theme",
            Axis::Reliability => "reliability",
        }
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label's stable id, as sidecars store it and the taxonomy defines it (`mena`,
/// `war-conflict`). A type of its own so that an id cannot be mixed up with a label's
/// name, an alias, a note or a reviewer: ids come from the taxonomy, from a sidecar,
/// or from a command-line value checked against the taxonomy, and those are the places
/// that make one. It lives here, below `domain`, so the taxonomy can use it without
/// `labels` importing anything above it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LabelId(String);

impl LabelId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for LabelId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for LabelId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for LabelId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Debug-formatted like the string it holds: messages quote ids with `{:?}` (`reliability
/// "reliable"`), and the type must not change what they say.
impl fmt::Debug for LabelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for LabelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id read from a sidecar or a taxonomy, or checked against one.
impl From<String> for LabelId {
    fn from(id: String) -> LabelId {
        LabelId(id)
    }
}

/// An id read from a sidecar or a taxonomy, or checked against one.
impl From<&str> for LabelId {
    fn from(id: &str) -> LabelId {
        LabelId(id.to_string())
    }
}

impl From<LabelId> for String {
    fn from(id: LabelId) -> String {
        id.0
    }
}

impl PartialEq<str> for LabelId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for LabelId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for LabelId {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<LabelId> for String {
    fn eq(&self, other: &LabelId) -> bool {
        *self == other.0
    }
}

impl PartialEq<LabelId> for str {
    fn eq(&self, other: &LabelId) -> bool {
        self == other.0
    }
}

impl PartialEq<LabelId> for &str {
    fn eq(&self, other: &LabelId) -> bool {
        *self == other.0
    }
}

/// One label of one axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Stable identifier stored in sidecars.
    pub id: LabelId,
    /// What the reviewer reads.
    pub name: String,
    /// The keystroke that picks it (inside its picker; directly for reliability).
    pub key: char,
    /// Names articles use for it.
    pub aliases: Vec<String>,
    /// What the label covers, in the team's words (the codebook entry the picker
    /// shows under its list); `None` when labels.toml gives none or only blanks.
    pub description: Option<String>,
}

/// The labels of one axis and whether several may be chosen at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisLabels {
    pub multiple: bool,
    pub labels: Vec<Label>,
    /// Every label's id, name and aliases, folded (see [`fold_words`]), to its position;
    /// where two labels share a word, the first. [`Taxonomy::find`] runs for every
    /// tag of every article as the inbox loads, so it looks words up here instead of
    /// folding every label's names each time.
    words: std::collections::HashMap<String, usize>,
}

impl AxisLabels {
    fn new(multiple: bool, labels: Vec<Label>) -> AxisLabels {
        let mut words = std::collections::HashMap::new();
        for (at, label) in labels.iter().enumerate() {
            let names = [label.id.as_str(), label.name.as_str()]
                .into_iter()
                .chain(label.aliases.iter().map(String::as_str));
            for name in names {
                let folded = fold_words(name);
                if !folded.is_empty() {
                    words.entry(folded).or_insert(at);
                }
            }
        }
        AxisLabels {
            multiple,
            labels,
            words,
        }
    }
}

/// The whole taxonomy.
#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomy {
    pub region: AxisLabels,
    pub theme: AxisLabels,
    pub reliability: AxisLabels,
    /// Where it was read from (`inbox/labels.toml`, `the built-in labels`), so that
    /// messages about its keys name the file actually in use.
    pub source: String,
    /// How suggestions are offered (the `[suggestions]` table).
    pub suggestions: SuggestionRules,
    /// How places named in articles become region labels (the `[places]` table).
    pub places: PlaceRules,
}

/// The `[places]` table of labels.toml: whether the built-in gazetteer suggests
/// regions, and which of this taxonomy's labels its default regions mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRules {
    /// `enabled = false` turns place suggestions off.
    pub enabled: bool,
    /// `map = { mena = "levant" }`: a default region id and this taxonomy's region
    /// label id it stands for, in the file's order.
    pub map: Vec<(LabelId, LabelId)>,
}

impl Default for PlaceRules {
    fn default() -> Self {
        PlaceRules {
            enabled: true,
            map: Vec::new(),
        }
    }
}

/// The `[suggestions]` table of labels.toml: what the team trusts `a` with.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionRules {
    /// `a` accepts a suggestion scoring at least this (0 to 1); weaker ones are shown
    /// dimmed. `threshold = 0.5` unless the table says otherwise.
    pub threshold: f32,
}

/// The threshold when labels.toml sets none (see README, "Suggestions").
pub const DEFAULT_THRESHOLD: f32 = 0.5;

impl Default for SuggestionRules {
    fn default() -> Self {
        SuggestionRules {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// Why a `labels.toml` was refused; the message names the file and line.
#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    region: Option<Spanned<RawAxis>>,
    theme: Option<Spanned<RawAxis>>,
    reliability: Option<Spanned<RawAxis>>,
    suggestions: Option<Spanned<RawSuggestions>>,
    places: Option<Spanned<RawPlaces>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaces {
    enabled: Option<bool>,
    map: Option<toml::Spanned<std::collections::BTreeMap<Spanned<String>, Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuggestions {
    threshold: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    #[serde(default)]
    multiple: Option<bool>,
    labels: Option<Spanned<Vec<Spanned<RawLabel>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    id: Spanned<String>,
    name: String,
    key: Spanned<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

impl Default for Taxonomy {
    /// The built-in taxonomy of product.md.
    fn default() -> Self {
        match Taxonomy::parse(DEFAULT_LABELS, "built-in labels.toml") {
            Ok(taxonomy) => Taxonomy {
                source: "the built-in labels".to_string(),
                ..taxonomy
            },
            // The built-in file is tested; reaching this is a build defect, not user input.
            Err(e) => unreachable!("built-in taxonomy is invalid: {e}"),
        }
    }
}

impl Taxonomy {
    /// Reads and validates a `labels.toml`.
    pub fn load(path: &Path) -> Result<Taxonomy, LabelsError> {
        let file = path.display().to_string();
        let text =
            crate::files::read_config_file(path, crate::files::CONFIG_LIMIT).map_err(|source| {
                LabelsError::Read {
                    file: file.clone(),
                    source,
                }
            })?;
        Taxonomy::parse(&text, &file)
    }

    /// Validates a taxonomy's text; `file` is only used in messages.
    pub fn parse(text: &str, file: &str) -> Result<Taxonomy, LabelsError> {
        let invalid = |offset: usize, problem: String| LabelsError::Invalid {
            file: file.to_string(),
            line: line_of(text, offset),
            problem,
        };
        let raw: RawTaxonomy = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            invalid(offset, e.message().trim().to_string())
        })?;
        let mut axes = Vec::with_capacity(3);
        for (axis, raw_axis) in [
            (Axis::Region, raw.region),
            (Axis::Theme, raw.theme),
            (Axis::Reliability, raw.reliability),
        ] {
            let Some(raw_axis) = raw_axis else {
                return Err(invalid(
                    text.len(),
                    format!("the [{axis}] table is missing"),
                ));
            };
            let axis_span = raw_axis.span();
            let raw_axis = raw_axis.into_inner();
            let (list_span, raw_labels) = match raw_axis.labels {
                Some(list) => (list.span(), list.into_inner()),
                None => (axis_span.clone(), Vec::new()),
            };
            if raw_labels.is_empty() {
                let at = if list_span.start < list_span.end {
                    list_span.start
                } else {
                    axis_span.start
                };
                return Err(invalid(at, format!("the {axis} axis has no labels")));
            }
            let mut labels: Vec<Label> = Vec::with_capacity(raw_labels.len());
            let mut seen: Vec<(String, char, usize)> = Vec::new();
            for raw_label in raw_labels {
                let raw_label = raw_label.into_inner();
                let id_at = raw_label.id.span().start;
                let key_at = raw_label.key.span().start;
                let id = raw_label.id.into_inner();
                let key_text = raw_label.key.into_inner();
                if !valid_id(&id) {
                    return Err(invalid(
                        id_at,
                        format!(
                            "{axis} label id {} may only use lowercase letters, digits, '-' and '_'",
                            crate::sanitize::quote(&id)
                        ),
                    ));
                }
                let mut chars = key_text.chars();
                let key = match (chars.next(), chars.next()) {
                    // Visible: not a space, a control, a bidi or a zero-width mark.
                    (Some(c), None)
                        if !c.is_whitespace()
                            && crate::sanitize::sanitize(&key_text) == key_text.as_str() =>
                    {
                        c
                    }
                    _ => {
                        return Err(invalid(
                            key_at,
                            format!(
                                "{axis} label {id:?} needs a key of exactly one visible character, not {}",
                                crate::sanitize::quote(&key_text)
                            ),
                        ));
                    }
                };
                if axis != Axis::Reliability && !key.is_lowercase() && !key.is_ascii_digit() {
                    return Err(invalid(
                        key_at,
                        format!(
                            "{axis} label {id:?} has key {key:?}; picker keys must be lowercase letters or digits, because the capital letter keeps the picker open"
                        ),
                    ));
                }
                for (other_id, other_key, other_line) in &seen {
                    if *other_id == id {
                        return Err(invalid(
                            id_at,
                            format!("{axis} label id {id:?} is already used on line {other_line}"),
                        ));
                    }
                    if *other_key == key {
                        return Err(invalid(
                            key_at,
                            format!(
                                "{axis} key {key:?} of {id:?} is already the key of {other_id:?} (line {other_line})"
                            ),
                        ));
                    }
                }
                seen.push((id.clone(), key, line_of(text, id_at)));
                labels.push(Label {
                    id: LabelId::from(id),
                    name: raw_label.name,
                    key,
                    aliases: raw_label.aliases,
                    description: raw_label.description.filter(|d| !d.trim().is_empty()),
                });
            }
            let multiple = raw_axis.multiple.unwrap_or(axis != Axis::Reliability);
            axes.push(AxisLabels::new(multiple, labels));
        }
        let mut rules = SuggestionRules::default();
        if let Some(raw_rules) = raw.suggestions {
            let at = raw_rules.span().start;
            if let Some(t) = raw_rules.into_inner().threshold {
                if !(0.0..=1.0).contains(&t) {
                    return Err(invalid(
                        at,
                        format!("the suggestions threshold must be between 0 and 1, not {t}"),
                    ));
                }
                rules.threshold = t as f32;
            }
        }
        let mut places = PlaceRules::default();
        if let Some(raw_places) = raw.places {
            let raw_places = raw_places.into_inner();
            places.enabled = raw_places.enabled.unwrap_or(true);
            if let Some(map) = raw_places.map {
                // Only a taxonomy with a map pays for reading the built-in one, which
                // has none, so this never recurses.
                let defaults = Taxonomy::default();
                let default_ids = || {
                    defaults
                        .region
                        .labels
                        .iter()
                        .map(|l| l.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut pairs: Vec<_> = map.into_inner().into_iter().collect();
                pairs.sort_by_key(|(from, _)| from.span().start);
                for (from, to) in pairs {
                    let from_at = from.span().start;
                    let to_at = to.span().start;
                    let (from, to) = (from.into_inner(), to.into_inner());
                    if defaults.label(Axis::Region, &from).is_none() {
                        return Err(invalid(
                            from_at,
                            format!(
                                "[places] map: {} is not a built-in region id ({})",
                                crate::sanitize::quote(&from),
                                default_ids()
                            ),
                        ));
                    }
                    if !axes
                        .first()
                        .is_some_and(|region: &AxisLabels| region.labels.iter().any(|l| l.id == to))
                    {
                        return Err(invalid(
                            to_at,
                            format!(
                                "[places] map: {from} = {} is not a region id of this file",
                                crate::sanitize::quote(&to)
                            ),
                        ));
                    }
                    places.map.push((LabelId::from(from), LabelId::from(to)));
                }
            }
        }
        let mut axes = axes.into_iter();
        match (axes.next(), axes.next(), axes.next()) {
            (Some(region), Some(theme), Some(reliability)) => Ok(Taxonomy {
                region,
                theme,
                reliability,
                source: file.to_string(),
                suggestions: rules,
                places,
            }),
            _ => Err(invalid(0, "the taxonomy needs three axes".into())),
        }
    }

    /// The labels of one axis.
    pub fn axis(&self, axis: Axis) -> &AxisLabels {
        match axis {
            Axis::Region => &self.region,
            Axis::Theme => &self.theme,
            Axis::Reliability => &self.reliability,
        }
    }

    /// The label with this id, if the taxonomy has it.
    pub fn label(&self, axis: Axis, id: &str) -> Option<&Label> {
        self.axis(axis).labels.iter().find(|l| l.id == id)
    }

    /// The label's display name, or the id itself when the taxonomy no longer has it
    /// (a sidecar written under an older taxonomy still shows what it says).
    pub fn name_of<'a>(&'a self, axis: Axis, id: &'a str) -> &'a str {
        self.label(axis, id).map_or(id, |l| l.name.as_str())
    }

    /// The label an article's own wording refers to: its id, name or one of its
    /// aliases, compared ignoring case and punctuation.
    pub fn find(&self, axis: Axis, words: &str) -> Option<&Label> {
        let wanted = fold_words(words);
        if wanted.is_empty() {
            return None;
        }
        let labels = self.axis(axis);
        labels
            .words
            .get(&wanted)
            .and_then(|&at| labels.labels.get(at))
    }

    /// The labels of each axis that have no description, for `triage check` to warn
    /// about: a picker has nothing to show under them.
    pub fn undescribed(&self) -> Vec<(Axis, Vec<&Label>)> {
        Axis::ALL
            .into_iter()
            .map(|axis| {
                let labels = self.axis(axis).labels.iter();
                (axis, labels.filter(|l| l.description.is_none()).collect())
            })
            .filter(|(_, labels): &(Axis, Vec<&Label>)| !labels.is_empty())
            .collect()
    }

    /// The position of a label on its axis; reliability is an ordered scale.
    pub fn position(&self, axis: Axis, id: &str) -> Option<usize> {
        self.axis(axis).labels.iter().position(|l| l.id == id)
    }
}

/// Ids are written into file-adjacent TOML and used in search filters, so keep them plain.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// 1-based line of a byte offset: how every TOML file the program reads
/// (labels, keymaps, sources, sidecars) names the line of a problem.
pub fn line_of(text: impl AsRef<[u8]>, offset: usize) -> usize {
    let bytes = text.as_ref();
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_id_reads_and_compares_as_the_id_it_holds() {
        // Sidecars are rendered from `as_str`/`Display` and matched with `==` against
        // plain text, so the type must add nothing to the id's bytes.
        let t = Taxonomy::default();
        let label = &t.region.labels[0];
        assert_eq!(label.id.to_string(), label.id.as_str());
        assert!(label.id == *label.id.as_str() && label.id.as_str() == label.id);
        assert_eq!(t.label(Axis::Region, &label.id), Some(label));
        let id = LabelId::from("mena");
        assert_eq!(format!("{id}"), "mena");
        assert_eq!(format!("{id:?}"), "\"mena\"");
        assert_eq!(String::from(id.clone()), "mena");
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("\"mena\""));
    }

    #[test]
    fn find_takes_the_first_label_an_id_name_or_alias_names() {
        let t = Taxonomy::default();
        // A naive scan, the way the words are defined: the first label, in order,
        // whose id, name or an alias folds to the same words.
        let scan = |axis: Axis, words: &str| {
            t.axis(axis).labels.iter().find(|l| {
                [l.id.as_str(), l.name.as_str()]
                    .into_iter()
                    .chain(l.aliases.iter().map(String::as_str))
                    .any(|n| !fold_words(words).is_empty() && fold_words(n) == fold_words(words))
            })
        };
        for axis in Axis::ALL {
            for label in &t.axis(axis).labels {
                let names = [label.id.as_str(), label.name.as_str()]
                    .into_iter()
                    .chain(label.aliases.iter().map(String::as_str));
                for name in names {
                    for variant in [name.to_string(), name.to_uppercase(), format!(" {name}!")] {
                        assert_eq!(t.find(axis, &variant), scan(axis, &variant), "{variant}");
                    }
                }
            }
        }
        assert_eq!(
            t.find(Axis::Region, "middle-east north africa")
                .map(|l| l.id.as_str()),
            Some("mena")
        );
        assert_eq!(t.find(Axis::Region, "Atlantis"), None);
        assert_eq!(t.find(Axis::Region, " & "), None);
    }

    #[test]
    fn default_taxonomy_matches_product_ids_and_keys() {
        let t = Taxonomy::default();
        let ids_keys = |axis| {
            t.axis(axis)
                .labels
                .iter()
                .map(|l| format!("{}={}", l.id, l.key))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            ids_keys(Axis::Region),
            "africa=a asia=s europe=e latam=l mena=m north-america=n oceania=o russia-fsu=r global=g"
        );
        assert_eq!(
            ids_keys(Axis::Theme),
            "war-conflict=w terrorism=t politics=p economy=e energy=n environment=v health-science=h civil-rights=c media=m intelligence=i law=j religion=r history=y technology=k"
        );
        assert_eq!(
            ids_keys(Axis::Reliability),
            "reliable=1 mostly-reliable=2 mixed=3 unreliable=4 fabricated=5"
        );
        assert!(t.region.multiple && t.theme.multiple && !t.reliability.multiple);
    }

    #[test]
    fn sample_inbox_carries_the_default_taxonomy() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox/labels.toml");
        let inbox = Taxonomy::load(&path).expect("inbox/labels.toml loads");
        assert_eq!(
            inbox,
            Taxonomy {
                source: path.display().to_string(),
                ..Taxonomy::default()
            }
        );
    }

    #[test]
    fn aliases_match_ignoring_case_and_punctuation() {
        let t = Taxonomy::default();
        let id = |axis, words| t.find(axis, words).map(|l| l.id.as_str());
        assert_eq!(id(Axis::Region, "Middle East & North Africa"), Some("mena"));
        assert_eq!(id(Axis::Region, "russia AND fsu"), Some("russia-fsu"));
        assert_eq!(id(Axis::Theme, "US-NATO war agenda"), Some("war-conflict"));
        assert_eq!(id(Axis::Region, "SYRIA"), None);
        assert_eq!(id(Axis::Region, " & "), None);
    }

    #[test]
    fn duplicate_key_names_file_line_and_both_labels() {
        let text = "[region]\nlabels = [\n  { id = \"a\", name = \"A\", key = \"x\" },\n  { id = \"b\", name = \"B\", key = \"x\" },\n]\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let err = Taxonomy::parse(text, "inbox/labels.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("inbox/labels.toml:4: "), "{err}");
        assert!(err.contains("\"a\"") && err.contains("\"b\""), "{err}");
    }

    #[test]
    fn invisible_keys_and_hostile_ids_are_refused_with_the_value_sanitized() {
        let taxonomy = |region: &str| {
            format!(
                "[region]\nlabels = [{region}]\n[theme]\nlabels = [{{ id = \"t\", name = \"T\", key = \"t\" }}]\n[reliability]\nlabels = [{{ id = \"r\", name = \"R\", key = \"\\u202e\" }}]\n"
            )
        };
        // A bidi override as a reliability key is not a visible character.
        let err = Taxonomy::parse(
            &taxonomy("{ id = \"a\", name = \"A\", key = \"x\" }"),
            "l.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("exactly one visible character"), "{err}");
        assert!(!err.contains('\u{202e}'), "{err:?}");
        // An id with an escape sequence is quoted without it or its payload.
        let err = Taxonomy::parse(
            &taxonomy("{ id = \"a\\u001b]0;PAYLOAD\\u0007\", name = \"A\", key = \"x\" }"),
            "l.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("id \"a\" may only use"), "{err}");
        assert!(!err.contains("PAYLOAD"), "{err}");
    }

    #[test]
    fn duplicate_id_is_refused() {
        let text = "[region]\nlabels = [\n  { id = \"a\", name = \"A\", key = \"x\" },\n  { id = \"a\", name = \"B\", key = \"y\" },\n]\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let err = Taxonomy::parse(text, "l.toml").unwrap_err().to_string();
        assert!(err.starts_with("l.toml:4: "), "{err}");
        assert!(err.contains("already used on line 3"), "{err}");
    }

    #[test]
    fn empty_axis_and_syntax_errors_name_the_line() {
        let text = "[region]\nlabels = []\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let err = Taxonomy::parse(text, "l.toml").unwrap_err().to_string();
        assert_eq!(err, "l.toml:2: the region axis has no labels");

        let err = Taxonomy::parse("[region]\nlabels = [\n  { id = ", "l.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("l.toml:3: "), "{err}");
    }

    #[test]
    fn a_label_may_carry_a_description_and_blank_ones_count_as_none() {
        let text = "[region]\nlabels = [\n  { id = \"a\", name = \"A\", key = \"a\", description = \"Africa south of the Sahara.\" },\n  { id = \"b\", name = \"B\", key = \"b\", description = \"  \" },\n]\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\", description = \"\"\"Two\nlines.\"\"\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let t = Taxonomy::parse(text, "labels.toml").expect("valid");
        assert_eq!(
            t.region.labels[0].description.as_deref(),
            Some("Africa south of the Sahara.")
        );
        assert_eq!(t.region.labels[1].description, None);
        assert_eq!(
            t.theme.labels[0].description.as_deref(),
            Some("Two\nlines.")
        );
        let undescribed: Vec<(Axis, Vec<&str>)> = t
            .undescribed()
            .into_iter()
            .map(|(axis, labels)| (axis, labels.iter().map(|l| l.id.as_str()).collect()))
            .collect();
        assert_eq!(
            undescribed,
            vec![(Axis::Region, vec!["b"]), (Axis::Reliability, vec!["r"])]
        );
        // A description that is not text is refused on its line, like any bad value.
        let bad = text.replace("description = \"  \"", "description = 3");
        let err = Taxonomy::parse(&bad, "labels.toml")
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(err.starts_with("labels.toml:4: "), "{err}");
        // Unknown keys in a label are still refused.
        let bad = text.replace("description = \"  \"", "descripton = \"x\"");
        let err = Taxonomy::parse(&bad, "labels.toml")
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(err.starts_with("labels.toml:4: "), "{err}");
    }

    #[test]
    fn the_suggestions_threshold_is_read_and_checked() {
        let base = "[region]\nlabels = [{ id = \"a\", name = \"A\", key = \"a\" }]\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let t = Taxonomy::parse(base, "labels.toml").expect("valid");
        assert_eq!(t.suggestions.threshold, DEFAULT_THRESHOLD);
        let t = Taxonomy::parse(
            &format!("{base}[suggestions]\nthreshold = 0.7\n"),
            "labels.toml",
        )
        .expect("valid");
        assert_eq!(t.suggestions.threshold, 0.7);
        for (extra, want) in [
            (
                "[suggestions]\nthreshold = 1.5\n",
                "labels.toml:7: the suggestions threshold must be between 0 and 1, not 1.5",
            ),
            ("[suggestions]\nthreshold = \"high\"\n", "labels.toml:8: "),
            ("[suggestions]\nlimit = 3\n", "labels.toml:8: "),
        ] {
            let err = Taxonomy::parse(&format!("{base}{extra}"), "labels.toml")
                .map(|_| ())
                .expect_err("refused")
                .to_string();
            assert!(err.starts_with(want), "{extra}: {err}");
        }
    }
}
