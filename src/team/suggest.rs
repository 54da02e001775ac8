//! Suggestions from everything the tool knows about an article, in one place: its
//! own classification lines, the source list, the places it names, the team's record
//! of its source, and the model learned from the team's decisions. The TUI, `triage
//! list`, `export` and `suggest --evaluate` all ask [`Suggester::suggest`], so what a
//! reviewer sees, what a script reads and what the evaluation measures are the same.
//!
//! How the sources combine, per label (written down in the README too):
//! - the article's own `Region:`/`Theme:` lines and the source list are stated outright
//!   and score 1;
//! - a label the model knows (at least `learn::MIN_EXAMPLES` decisions of it) scores what
//!   the model says. The model sees the places as features, so once it has learned
//!   from [`MODEL_SPEAKS`] decisions it speaks alone for the labels it knows; before
//!   that, a place that scores higher than the model wins;
//! - a label the model does not know scores what the places say;
//! - a reliability the source list does not give comes from the team's decisions on
//!   the same source domain, scoring `k / (n + 1)` for `k` of `n` decisions (so one
//!   decision alone says 0.5, three of three 0.75), only when most of them agree.
//!
//! Those scoring at least the team's threshold are what `a` accepts; the next few
//! below it (down to [`SHOWN`]) are shown dimmed, never accepted.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::article::{self, Article, Suggestion, Suggestions};
use crate::host::domain_of;
use crate::labels::sources::Sources;
use crate::labels::{Axis, LabelId, Taxonomy};
use crate::learn::{Example, Labels, Model};
use crate::store::{Entry, Status};

/// Decisions after which the model speaks alone for the labels it knows.
pub const MODEL_SPEAKS: usize = 100;

/// Below this score a suggestion is not shown at all.
pub const SHOWN: f32 = 0.15;

/// At most this many weaker suggestions per axis are shown.
const WEAKER_PER_AXIS: usize = 3;

/// What the team decided about an article, as the learner and the source record
/// read it: `final`'s done decision where there is one, else what most of the
/// reviewers who marked it done chose (a label counts when at least half chose it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Decided {
    pub region: Vec<LabelId>,
    pub theme: Vec<LabelId>,
    pub reliability: Option<LabelId>,
}

/// The team's decision on `entry` (see [`Decided`]); `None` when nobody marked it done.
pub fn decided(entry: &Entry, final_name: &str) -> Option<Decided> {
    // Borrowed, not cloned: this runs for every article after every write.
    fn done(state: &crate::store::SidecarState) -> Option<&crate::domain::Decision> {
        state
            .sidecar()
            .map(|s| &s.decision)
            .filter(|d| d.status == Status::Done)
    }
    if let Some(d) = done(entry.sidecar_of(final_name)) {
        return Some(Decided {
            region: d.region.clone(),
            theme: d.theme.clone(),
            reliability: d.reliability.clone(),
        });
    }
    let mut all = entry
        .mine_first(final_name)
        .filter_map(|(_, state)| done(state))
        .peekable();
    let first = all.next()?;
    if all.peek().is_none() {
        // One reviewer (the usual case): theirs as it is.
        return Some(Decided {
            region: first.region.clone(),
            theme: first.theme.clone(),
            reliability: first.reliability.clone(),
        });
    }
    let all: Vec<&crate::domain::Decision> = std::iter::once(first).chain(all).collect();
    let n = all.len();
    let most = |pick: &dyn Fn(&crate::domain::Decision) -> Vec<&LabelId>| -> Vec<LabelId> {
        let mut votes: Vec<(&LabelId, usize)> = Vec::new();
        for d in &all {
            for id in pick(d) {
                match votes.iter_mut().find(|(v, _)| *v == id) {
                    Some((_, count)) => *count += 1,
                    None => votes.push((id, 1)),
                }
            }
        }
        votes
            .into_iter()
            .filter(|&(_, v)| v * 2 >= n)
            .map(|(id, _)| id.clone())
            .collect()
    };
    let reliability = most(&|d| d.reliability.iter().collect());
    Some(Decided {
        region: most(&|d| d.region.iter().collect()),
        theme: most(&|d| d.theme.iter().collect()),
        // Split evenly between two: no record either way.
        reliability: (reliability.len() == 1).then(|| reliability[0].clone()),
    })
}

/// The done articles of `entries` as training examples, with their entry index.
pub fn training_set(entries: &[Entry], final_name: &str) -> Vec<(usize, Example)> {
    team_record(entries, final_name).0
}

/// In one pass over `entries` (it runs after every write): the training set, as
/// [`training_set`], and the source record, as [`SourceRecord::of`].
pub fn team_record(entries: &[Entry], final_name: &str) -> (Vec<(usize, Example)>, SourceRecord) {
    team_record_of(entries, final_name, |_| true)
}

/// [`team_record`] of the entries `keep` lets through (by index).
fn team_record_of(
    entries: &[Entry],
    final_name: &str,
    keep: impl Fn(usize) -> bool,
) -> (Vec<(usize, Example)>, SourceRecord) {
    let mut set = Vec::new();
    let mut record = SourceRecord::default();
    for (i, e) in entries.iter().enumerate() {
        if !keep(i) {
            continue;
        }
        let (Ok(article), Some(d)) = (&e.article, decided(e, final_name)) else {
            continue;
        };
        if let Some(id) = d.reliability
            && let Some(domain) = source_domain(article)
        {
            record.add(domain, id);
        }
        set.push((
            i,
            Example {
                article: Arc::clone(article),
                labels: Labels {
                    region: d.region,
                    theme: d.theme,
                },
            },
        ));
    }
    (set, record)
}

/// A number that changes when the training set does (which articles are done and
/// with which labels), so the program retrains only when there is something new.
pub fn fingerprint(set: &[(usize, Example)]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (i, e) in set {
        i.hash(&mut h);
        e.labels.region.hash(&mut h);
        e.labels.theme.hash(&mut h);
    }
    h.finish()
}

/// The publisher's domain of an article, as the source list and the record read it.
pub fn source_domain(article: &Article) -> Option<String> {
    [&article.url, &article.source, &article.publisher]
        .into_iter()
        .flatten()
        .find_map(|text| domain_of(text))
}

/// The team's reliability decisions per source domain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceRecord {
    by_domain: HashMap<String, BTreeMap<LabelId, usize>>,
}

impl SourceRecord {
    /// The record of every done decision in `entries` that gives a reliability.
    pub fn of(entries: &[Entry], final_name: &str) -> SourceRecord {
        SourceRecord::of_some(entries, final_name, |_| true)
    }

    /// The record of the done decisions of the entries `keep` lets through (by index).
    fn of_some(entries: &[Entry], final_name: &str, keep: impl Fn(usize) -> bool) -> SourceRecord {
        team_record_of(entries, final_name, keep).1
    }

    pub fn add(&mut self, domain: String, id: LabelId) {
        *self
            .by_domain
            .entry(domain)
            .or_default()
            .entry(id)
            .or_default() += 1;
    }

    /// What the record suggests for articles from `domain`: the reliability most of
    /// its decisions gave, when more than half gave it.
    pub fn suggest(&self, domain: &str) -> Option<Suggestion> {
        let counts = self.by_domain.get(domain)?;
        let n: usize = counts.values().sum();
        let (id, &k) = counts.iter().max_by_key(|&(_, k)| *k)?;
        if k * 2 <= n {
            return None;
        }
        Some(Suggestion {
            id: id.clone(),
            from: format!(
                "{k} of {n} {} on {domain}",
                crate::words::noun(n, "decision", "decisions")
            ),
            score: k as f32 / (n as f32 + 1.0),
        })
    }
}

/// Everything that suggests labels besides the article itself.
#[derive(Debug, Clone, Default)]
pub struct Suggester {
    /// The model learned from the team's decisions, once there is one.
    pub model: Option<Arc<Model>>,
    /// The team's reliability decisions per source domain.
    pub record: Arc<SourceRecord>,
}

impl Suggester {
    /// Learns from `entries` there and then (the commands; the TUI learns in the
    /// background instead).
    pub fn learn(entries: &[Entry], taxonomy: &Taxonomy, final_name: &str) -> Suggester {
        let (set, record) = team_record(entries, final_name);
        let set: Vec<Example> = set.into_iter().map(|(_, e)| e).collect();
        Suggester {
            model: (!set.is_empty()).then(|| Arc::new(Model::train(&set, taxonomy))),
            record: Arc::new(record),
        }
    }

    /// Every suggestion for `article`, split at the taxonomy's threshold.
    pub fn suggest(
        &self,
        article: &Article,
        taxonomy: &Taxonomy,
        sources: &Sources,
    ) -> Suggestions {
        suggest(
            article,
            taxonomy,
            sources,
            self.model.as_deref(),
            &self.record,
        )
    }
}

/// Folds of the cross-fitting behind [`held_out`].
const HELD_OUT_FOLDS: usize = 5;

/// What the tool suggests for each entry, for an audit (`export --suggestions`): for
/// a decided article, what it suggests having learned from the other decisions only
/// (five folds, each article's model trained without its fold, the source record
/// too), since a model asked about a decision it learned from only repeats it; for
/// the rest, what the TUI shows now.
pub fn held_out(
    entries: &[Entry],
    taxonomy: &Taxonomy,
    sources: &Sources,
    final_name: &str,
) -> Vec<Suggestions> {
    let set = training_set(entries, final_name);
    let mut fold_of: Vec<Option<usize>> = vec![None; entries.len()];
    for (pos, (i, _)) in set.iter().enumerate() {
        fold_of[*i] = Some(pos % HELD_OUT_FOLDS);
    }
    let without = |fold: usize| -> Suggester {
        let train: Vec<Example> = set
            .iter()
            .enumerate()
            .filter(|(pos, _)| pos % HELD_OUT_FOLDS != fold)
            .map(|(_, (_, e))| e.clone())
            .collect();
        Suggester {
            model: (!train.is_empty()).then(|| Arc::new(Model::train(&train, taxonomy))),
            record: Arc::new(SourceRecord::of_some(entries, final_name, |i| {
                fold_of[i] != Some(fold)
            })),
        }
    };
    let folds: Vec<Suggester> = if set.is_empty() {
        Vec::new()
    } else {
        (0..HELD_OUT_FOLDS).map(without).collect()
    };
    let everything = Suggester::learn(entries, taxonomy, final_name);
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let Ok(article) = &e.article else {
                return Suggestions::default();
            };
            let suggester = fold_of[i].and_then(|f| folds.get(f)).unwrap_or(&everything);
            suggester.suggest(article, taxonomy, sources)
        })
        .collect()
}

/// One label's candidate, before the threshold splits them.
struct Candidate {
    suggestion: Suggestion,
    /// Stated outright by the article: listed first, in the article's order.
    own: bool,
}

/// See the module documentation for how the sources combine.
pub fn suggest(
    article: &Article,
    taxonomy: &Taxonomy,
    sources: &Sources,
    model: Option<&Model>,
    record: &SourceRecord,
) -> Suggestions {
    let own = article::suggest(article, taxonomy);
    let places = article::places::regions(article, taxonomy);
    let prediction = model.map(|m| m.predict(article));
    let learned_from = model.map_or(0, Model::examples);
    let mut out = Suggestions::default();
    for axis in [Axis::Region, Axis::Theme] {
        let mut candidates: Vec<Candidate> = Vec::new();
        let stated = match axis {
            Axis::Region => &own.region,
            _ => &own.theme,
        };
        for s in stated {
            candidates.push(Candidate {
                suggestion: s.clone(),
                own: true,
            });
        }
        let learned = prediction.as_ref().map_or(&[][..], |p| p.of(axis));
        let from_places = if axis == Axis::Region {
            &places[..]
        } else {
            &[]
        };
        let knows = |id: &str| model.is_some_and(|m| m.knows(axis, id));
        for (id, score) in learned {
            if !knows(id) || taxonomy.label(axis, id).is_none() {
                continue;
            }
            let place = from_places.iter().find(|p| p.id == *id);
            let mut from = format!(
                "learned from {learned_from} {}",
                crate::words::noun(learned_from, "decision", "decisions")
            );
            let mut score = *score;
            if let Some(place) = place {
                from = format!("{from} · {}", place.from);
                if learned_from < MODEL_SPEAKS {
                    score = score.max(place.score);
                }
            }
            merge(
                &mut candidates,
                Suggestion {
                    id: id.clone(),
                    from,
                    score,
                },
            );
        }
        for place in from_places {
            if !knows(&place.id) {
                merge(&mut candidates, place.clone());
            }
        }
        let (accepted, weaker) = split(candidates, taxonomy.suggestions.threshold);
        match axis {
            Axis::Region => (out.region, out.weaker.region) = (accepted, weaker),
            _ => (out.theme, out.weaker.theme) = (accepted, weaker),
        }
    }
    let reliability = own
        .reliability
        .or_else(|| article::reliability(article, sources))
        .or_else(|| source_domain(article).and_then(|d| record.suggest(&d)))
        .filter(|s| taxonomy.label(Axis::Reliability, &s.id).is_some());
    if let Some(s) = reliability {
        if s.score >= taxonomy.suggestions.threshold {
            out.reliability = Some(s);
        } else if s.score >= SHOWN {
            out.weaker.reliability = Some(s);
        }
    }
    out
}

/// Adds a candidate, or raises the score of the same label already there (keeping
/// the first's place and origin: the article's own word comes before any inference).
fn merge(candidates: &mut Vec<Candidate>, s: Suggestion) {
    match candidates.iter_mut().find(|c| c.suggestion.id == s.id) {
        Some(c) => c.suggestion.score = c.suggestion.score.max(s.score),
        None => candidates.push(Candidate {
            suggestion: s,
            own: false,
        }),
    }
}

/// The candidates `a` accepts (the article's own first, in its order, then by
/// score) and the weaker ones shown dimmed, best first.
fn split(mut candidates: Vec<Candidate>, threshold: f32) -> (Vec<Suggestion>, Vec<Suggestion>) {
    // A stable sort: the article's own keep their order ahead of everything else.
    candidates.sort_by(|a, b| {
        b.own.cmp(&a.own).then(if a.own {
            std::cmp::Ordering::Equal
        } else {
            b.suggestion.score.total_cmp(&a.suggestion.score)
        })
    });
    let mut accepted = Vec::new();
    let mut weaker = Vec::new();
    for c in candidates {
        if c.suggestion.score >= threshold {
            accepted.push(c.suggestion);
        } else if c.suggestion.score >= SHOWN && weaker.len() < WEAKER_PER_AXIS {
            weaker.push(c.suggestion);
        }
    }
    (accepted, weaker)
}

/// The labels `a` would accept for `article`: what `suggest --evaluate` compares
/// with the team's decision.
pub fn accepted(s: &Suggestions) -> Labels {
    Labels {
        region: s.region.iter().map(|s| s.id.clone()).collect(),
        theme: s.theme.iter().map(|s| s.id.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use tempfile::TempDir;

    use super::*;
    use crate::domain::Edit;
    use crate::store::{Faults, Inbox, WriteContext, write_edits};

    fn decide(root: &Path, file: &str, reviewer: &str, edits: &[Edit]) {
        let ctx = WriteContext {
            now: "2026-11-29T10:00:00Z"
                .parse()
                .expect("test datetime parses"),
            article_sha256: "abc".into(),
            faults: Faults::default(),
        };
        let mut all = edits.to_vec();
        all.push(Edit::SetStatus(Status::Done));
        write_edits(&root.join(file), reviewer, &all, &ctx).expect("the decision is written");
    }

    fn region(id: &str) -> Edit {
        Edit::Add(Axis::Region, id.into())
    }

    fn reliability(id: &str) -> Edit {
        Edit::SetReliability(Some(id.into()))
    }

    fn entries(dir: &TempDir) -> Vec<Entry> {
        Inbox::load(dir.path(), "alice")
            .expect("inbox loads")
            .entries
    }

    #[test]
    fn final_wins_and_otherwise_a_label_needs_half_the_reviewers() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        for f in ["a.txt", "b.txt", "c.txt"] {
            fs::write(root.join(f), "Title\n\nBody.\n").expect("write article");
        }
        decide(root, "a.txt", "alice", &[region("mena")]);
        decide(root, "a.txt", "bob", &[region("europe")]);
        decide(root, "a.txt", "final", &[region("asia")]);
        decide(root, "b.txt", "alice", &[region("mena"), region("europe")]);
        decide(root, "b.txt", "bob", &[region("mena")]);
        decide(root, "b.txt", "carol", &[region("asia")]);
        let all = entries(&dir);
        let got = |i: usize| decided(&all[i], "final").map(|d| d.region);
        assert_eq!(got(0), Some(vec![LabelId::from("asia")]));
        // mena 2 of 3; europe and asia 1 of 3 each.
        assert_eq!(got(1), Some(vec![LabelId::from("mena")]));
        assert_eq!(got(2), None);
        let set = training_set(&all, "final");
        assert_eq!(set.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn the_record_of_a_source_domain_suggests_what_most_decisions_gave() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        for (f, url) in [
            ("a.txt", "https://www.rt.com/news/1"),
            ("b.txt", "https://rt.com/news/2"),
            ("c.txt", "https://rt.com/news/3"),
            ("d.txt", "https://example.org/x"),
            ("e.txt", "https://example.org/y"),
        ] {
            fs::write(root.join(f), format!("Title\n\nURL: {url}\n\nBody.\n")).expect("write");
        }
        for f in ["a.txt", "b.txt", "c.txt"] {
            decide(root, f, "alice", &[reliability("unreliable")]);
        }
        decide(root, "d.txt", "alice", &[reliability("reliable")]);
        decide(root, "e.txt", "alice", &[reliability("mixed")]);
        let record = SourceRecord::of(&entries(&dir), "final");
        let s = record.suggest("rt.com").expect("rt.com has a record");
        assert_eq!(s.id, "unreliable");
        assert_eq!(s.from, "3 of 3 decisions on rt.com");
        assert_eq!(s.score, 0.75);
        // One each way: no majority, no suggestion.
        assert_eq!(record.suggest("example.org"), None);
        assert_eq!(record.suggest("unknown.net"), None);
    }

    #[test]
    fn the_source_list_comes_before_the_record_and_weak_ones_are_only_shown() {
        let taxonomy = Taxonomy::default();
        let mut record = SourceRecord::default();
        record.add("rt.com".into(), "unreliable".into());
        let article = Article {
            title: "Talks".into(),
            url: Some("https://rt.com/a".into()),
            ..Article::default()
        };
        // One decision: 1 / (1 + 1) = 0.5, at the default threshold: accepted.
        let s = suggest(&article, &taxonomy, &Sources::default(), None, &record);
        assert_eq!(s.ids(Axis::Reliability), ["unreliable"]);
        // A stricter team: shown under the weaker ones, not accepted.
        let mut strict = taxonomy.clone();
        strict.suggestions.threshold = 0.6;
        let s = suggest(&article, &strict, &Sources::default(), None, &record);
        assert!(s.reliability.is_none());
        assert_eq!(
            s.weaker.reliability.map(|x| x.from),
            Some("1 of 1 decision on rt.com".to_string())
        );
        // The source list says otherwise: it wins.
        let sources = Sources::parse(
            "[sources]\n\"rt.com\" = \"mixed\"\n",
            "sources.toml",
            &taxonomy,
        )
        .expect("the list parses");
        let s = suggest(&article, &taxonomy, &sources, None, &record);
        assert_eq!(s.ids(Axis::Reliability), ["mixed"]);
    }

    #[test]
    fn candidates_split_at_the_threshold_the_articles_own_first() {
        let c = |id: &str, score: f32, own: bool| Candidate {
            suggestion: Suggestion {
                id: id.into(),
                from: String::new(),
                score,
            },
            own,
        };
        let (accepted, weaker) = split(
            vec![
                c("b", 0.6, false),
                c("x", 0.1, false),
                c("own2", 1.0, true),
                c("a", 0.9, false),
                c("w1", 0.4, false),
                c("own1", 1.0, true),
                c("w2", 0.3, false),
                c("w3", 0.2, false),
                c("w4", 0.16, false),
            ],
            0.5,
        );
        let ids = |v: &[Suggestion]| v.iter().map(|s| s.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&accepted), ["own2", "own1", "a", "b"]);
        // Best first, at most three, nothing under SHOWN.
        assert_eq!(ids(&weaker), ["w1", "w2", "w3"]);
    }
}
