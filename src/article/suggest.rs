//! Suggestions: the article's own classification, translated into our label ids.
//!
//! Many publishers already tag their articles (`Region: Middle East & North Africa`).
//! Those words are not ours, but the taxonomy's aliases map most of them onto our ids,
//! so the reviewer can accept them with one key instead of picking them by hand. A
//! suggestion is never a decision: it only says what the article claims and where.

use serde::Serialize;

use super::Article;
use crate::host::domain_of;
use crate::labels::sources::{self, Sources};
use crate::labels::{Axis, LabelId, Taxonomy};

/// One suggested label, with where it came from and how sure it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The label id, as sidecars store it.
    pub id: LabelId,
    /// Where it came from, shown to the reviewer, e.g. `Region: Middle East & North Africa`,
    /// so that a surprising suggestion can be checked against the article at a glance.
    pub from: String,
    /// How sure, from 0 to 1: 1 for what the article or the source list says outright,
    /// a probability for what was learned or inferred. `a` accepts a suggestion only
    /// at or above the team's threshold.
    #[serde(serialize_with = "two_places")]
    pub score: f32,
}

impl Suggestion {
    /// A suggestion stated outright (the article's own lines, the source list).
    pub fn certain(id: LabelId, from: String) -> Suggestion {
        Suggestion {
            id,
            from,
            score: 1.0,
        }
    }
}

/// Scores as JSON numbers with two decimals (`0.91`), which is all they mean.
fn two_places<S: serde::Serializer>(score: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*score) * 100.0).round() / 100.0)
}

/// Everything suggested for one article, per axis, in the order the article gives it
/// (learned ones by score). These are the ones `a` accepts; [`Weaker`] holds those
/// shown dimmed, below the threshold.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Suggestions {
    pub region: Vec<Suggestion>,
    pub theme: Vec<Suggestion>,
    /// Stays empty until a list of sources and their reliability exists.
    pub reliability: Option<Suggestion>,
    /// What was considered but scored below the threshold: shown, never accepted.
    pub weaker: Weaker,
}

/// Suggestions below the team's threshold, per axis.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Weaker {
    pub region: Vec<Suggestion>,
    pub theme: Vec<Suggestion>,
    pub reliability: Option<Suggestion>,
}

impl Weaker {
    pub fn is_empty(&self) -> bool {
        self.region.is_empty() && self.theme.is_empty() && self.reliability.is_none()
    }
}

impl Suggestions {
    /// True when there is nothing to accept, so the screen can say so instead of
    /// offering an `a` that does nothing.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty() && self.theme.is_empty() && self.reliability.is_none()
    }

    /// The suggested ids of one axis, which is what accepting them writes.
    pub fn ids(&self, axis: Axis) -> Vec<&str> {
        match axis {
            Axis::Region => self.region.iter().map(|s| s.id.as_str()).collect(),
            Axis::Theme => self.theme.iter().map(|s| s.id.as_str()).collect(),
            Axis::Reliability => self.reliability.iter().map(|s| s.id.as_str()).collect(),
        }
    }
}

/// What the article's own regions, themes and tags mean in `taxonomy`. Regions are
/// looked up on the region axis, themes on the theme axis, and tags, which publishers
/// use for both, on either. Words no label knows are left out, and an id suggested
/// twice is kept where it first appeared.
pub fn suggest(article: &Article, taxonomy: &Taxonomy) -> Suggestions {
    let mut out = Suggestions::default();
    for (axis, kind, name) in own_names(article) {
        let list = match axis {
            Axis::Region => &mut out.region,
            Axis::Theme => &mut out.theme,
            Axis::Reliability => continue,
        };
        add(list, taxonomy, axis, kind, name);
    }
    out
}

/// The article's own classification as (axis it is looked up on, the kind of name
/// as shown, the name), in the order [`suggest`] takes them: regions, themes, then
/// each tag on both axes.
pub fn own_names(article: &Article) -> impl Iterator<Item = (Axis, &'static str, &str)> {
    let regions = article
        .regions
        .iter()
        .map(|n| (Axis::Region, "Region", n.as_str()));
    let themes = article
        .themes
        .iter()
        .map(|n| (Axis::Theme, "Theme", n.as_str()));
    let tags = article.tags.iter().flat_map(|n| {
        [
            (Axis::Region, "Tag", n.as_str()),
            (Axis::Theme, "Tag", n.as_str()),
        ]
    });
    regions.chain(themes).chain(tags)
}

/// The reliability the inbox's source list (`sources.toml`) gives the article's
/// publisher: the first of its URL, source and publisher whose domain, or a parent
/// of it, is listed. `None` when none is.
pub fn reliability(article: &Article, sources: &Sources) -> Option<Suggestion> {
    if sources.is_empty() {
        return None;
    }
    [&article.url, &article.source, &article.publisher]
        .into_iter()
        .flatten()
        .filter_map(|text| domain_of(text))
        .find_map(|domain| from_sources(sources, &domain))
}

/// The reliability suggestion for an article from `domain`, saying which listed
/// domain it came from, so that a suggestion reached through a parent domain can be
/// checked at a glance.
fn from_sources(sources: &Sources, domain: &str) -> Option<Suggestion> {
    sources.lookup(domain).map(|(id, matched)| {
        Suggestion::certain(
            LabelId::from(id),
            format!("{}: {matched}", sources::FILE_NAME),
        )
    })
}

fn add(list: &mut Vec<Suggestion>, taxonomy: &Taxonomy, axis: Axis, kind: &str, name: &str) {
    let Some(label) = taxonomy.find(axis, name) else {
        return;
    };
    if list.iter().any(|s| s.id == label.id) {
        return;
    }
    list.push(Suggestion::certain(
        label.id.clone(),
        format!("{kind}: {}", name.trim()),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Format, parse};

    fn article(regions: &[&str], themes: &[&str], tags: &[&str]) -> Article {
        let own = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        Article {
            regions: own(regions),
            themes: own(themes),
            tags: own(tags),
            ..Article::default()
        }
    }

    #[test]
    fn suggestion_says_which_listed_domain_matched() {
        let s = Sources::parse(
            "[sources]\n\"example.com\" = \"reliable\"\n\"rt.com\" = \"unreliable\"\n",
            "sources.toml",
            &Taxonomy::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let got = from_sources(&s, "https://edition.example.com/a");
        assert_eq!(
            got,
            Some(Suggestion::certain(
                "reliable".into(),
                "sources.toml: example.com".into()
            ))
        );
        assert_eq!(from_sources(&s, "unknown.org"), None);
    }

    #[test]
    fn seed_article_suggests_its_own_regions_and_theme() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/inbox/000_466bdefa64880cc0.txt"
        );
        let bytes = std::fs::read(path).expect("the seed article is readable");
        let a = parse(Format::Text, "000_466bdefa64880cc0.txt", &bytes).expect("seed parses");
        let s = suggest(&a, &Taxonomy::default());
        assert_eq!(s.ids(Axis::Region), ["mena", "russia-fsu"]);
        assert_eq!(s.ids(Axis::Theme), ["war-conflict"]);
        assert_eq!(s.ids(Axis::Reliability), Vec::<&str>::new());
        assert_eq!(s.region[0].from, "Region: Middle East & North Africa");
        assert_eq!(s.theme[0].from, "Theme: US NATO War Agenda");
        assert!(!s.is_empty());
    }

    #[test]
    fn sample_inbox_region_and_theme_names_all_map_to_labels() {
        let taxonomy = Taxonomy::default();
        let mut suggested = 0;
        for (path, format) in crate::article::text::sample_inbox() {
            let bytes = std::fs::read(&path).expect("inbox file is readable");
            let a = parse(format, "sample", &bytes).expect("sample parses");
            for name in &a.regions {
                let found = taxonomy.find(Axis::Region, name);
                assert!(found.is_some(), "{}: region {name:?}", path.display());
            }
            for name in &a.themes {
                let found = taxonomy.find(Axis::Theme, name);
                assert!(found.is_some(), "{}: theme {name:?}", path.display());
            }
            suggested += usize::from(!suggest(&a, &taxonomy).is_empty());
        }
        assert!(
            suggested >= 10,
            "only {suggested} sample articles get suggestions"
        );
    }

    #[test]
    fn names_match_through_aliases_ignoring_case_and_punctuation() {
        let a = article(&["middle-east", "RUSSIA"], &["oil and energy", "Tech"], &[]);
        let s = suggest(&a, &Taxonomy::default());
        assert_eq!(s.ids(Axis::Region), ["mena", "russia-fsu"]);
        assert_eq!(s.ids(Axis::Theme), ["energy", "technology"]);
        assert_eq!(s.region[0].from, "Region: middle-east");
    }

    #[test]
    fn unknown_names_suggest_nothing() {
        let a = article(&["SYRIA", "Atlantis"], &["Gardening"], &["misc"]);
        let s = suggest(&a, &Taxonomy::default());
        assert!(s.is_empty(), "{s:?}");
    }

    #[test]
    fn tags_suggest_on_whichever_axis_knows_them() {
        let a = article(&[], &[], &["Africa", "Climate", "nonsense"]);
        let s = suggest(&a, &Taxonomy::default());
        assert_eq!(s.ids(Axis::Region), ["africa"]);
        assert_eq!(s.ids(Axis::Theme), ["environment"]);
        assert_eq!(s.theme[0].from, "Tag: Climate");
    }

    #[test]
    fn an_id_suggested_twice_is_kept_where_it_first_appeared() {
        let a = article(
            &["MENA", "Middle East"],
            &["War"],
            &["Military", "Middle East"],
        );
        let s = suggest(&a, &Taxonomy::default());
        assert_eq!(s.ids(Axis::Region), ["mena"]);
        assert_eq!(s.region[0].from, "Region: MENA");
        assert_eq!(s.ids(Axis::Theme), ["war-conflict"]);
        assert_eq!(s.theme[0].from, "Theme: War");
    }

    #[test]
    fn an_inbox_taxonomy_replaces_the_default_one() {
        let text = "[region]\nlabels = [{ id = \"levant\", name = \"Levant\", key = \"l\", aliases = [\"Middle East & North Africa\"] }]\n[theme]\nlabels = [{ id = \"t\", name = \"T\", key = \"t\" }]\n[reliability]\nlabels = [{ id = \"r\", name = \"R\", key = \"1\" }]\n";
        let taxonomy = Taxonomy::parse(text, "labels.toml").expect("valid taxonomy");
        let a = article(&["Middle East & North Africa", "Russia"], &["War"], &[]);
        let s = suggest(&a, &taxonomy);
        assert_eq!(s.ids(Axis::Region), ["levant"]);
        assert!(s.theme.is_empty());
    }
}
