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
    let done = |state: &crate::store::SidecarState| {
        state
            .sidecar()
            .map(|s| &s.decision)
            .filter(|d| d.status == Status::Done)
            .cloned()
    };
    if let Some(d) = done(entry.sidecar_of(final_name)) {
        return Some(Decided {
            region: d.region,
            theme: d.theme,
            reliability: d.reliability,
        });
    }
    let all: Vec<_> = entry
        .mine_first(final_name)
        .filter_map(|(_, state)| done(state))
        .collect();
    if all.is_empty() {
        return None;
    }
    let n = all.len();
    let most = |pick: &dyn Fn(&crate::domain::Decision) -> Vec<LabelId>| -> Vec<LabelId> {
        let mut votes: Vec<(LabelId, usize)> = Vec::new();
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
            .map(|(id, _)| id)
            .collect()
    };
    let reliability = most(&|d| d.reliability.iter().cloned().collect());
    Some(Decided {
        region: most(&|d| d.region.clone()),
        theme: most(&|d| d.theme.clone()),
        // Split evenly between two: no record either way.
        reliability: (reliability.len() == 1).then(|| reliability[0].clone()),
    })
}

/// The done articles of `entries` as training examples, with their entry index.
pub fn training_set(entries: &[Entry], final_name: &str) -> Vec<(usize, Example)> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let article = e.article.as_ref().ok()?;
            let d = decided(e, final_name)?;
            Some((
                i,
                Example {
                    article: Arc::clone(article),
                    labels: Labels {
                        region: d.region,
                        theme: d.theme,
                    },
                },
            ))
        })
        .collect()
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
        let mut record = SourceRecord::default();
        for (i, e) in entries.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            let (Ok(article), Some(d)) = (&e.article, decided(e, final_name)) else {
                continue;
            };
            if let (Some(domain), Some(id)) = (source_domain(article), d.reliability) {
                record.add(domain, id);
            }
        }
        record
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
        let set: Vec<Example> = training_set(entries, final_name)
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        Suggester {
            model: (!set.is_empty()).then(|| Arc::new(Model::train(&set, taxonomy))),
            record: Arc::new(SourceRecord::of(entries, final_name)),
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
