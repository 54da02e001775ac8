//! How far reviewers agree, per axis: what `triage agree` reports and what the review
//! mode lists.
//!
//! A team can only trust its labels once it knows that two people reading the same
//! article choose the same ones more often than chance would make them. This module
//! measures that from the sidecars, with the two statistics the field uses: Cohen's
//! kappa for each pair of reviewers, and Krippendorff's alpha for the whole team (it
//! takes any number of reviewers and articles that only some of them decided).
//!
//! # Which decisions count
//!
//! - Only a reviewer's decision whose status is `done`. `todo` (labels chosen but not
//!   finished), `skipped` and `flagged` say nothing final about the labels.
//! - Reviewers named in `exclude` are left out. The command passes `["final"]`: the
//!   adjudicator's decision is the settled answer to the disagreements, not another
//!   rater, and counting it would make the team look more consistent than it is.
//! - Region and theme: every done decision counts, also one with no label on the axis.
//!   Marking an article done is the reviewer saying the decision is complete, so an
//!   empty list says "none of these labels applies", which another reviewer may
//!   dispute.
//! - Reliability: only done decisions that set a reliability, and only when that id is
//!   on the taxonomy's scale. Reliability is one value on an ordered scale with no
//!   "none" rung, so an unset one has no place on it; an id the taxonomy no longer has
//!   (a sidecar written under an older `labels.toml`) has no rank either (`triage
//!   check` reports such ids).
//!
//! # Region and theme: nominal, scored per label id
//!
//! Several labels may be chosen, so an article is not one value. Each pair (article,
//! label id) becomes a binary unit: the reviewer chose the id (1) or did not (0).
//!
//! The label ids that make units are those that at least one of the reviewers being
//! compared chose on at least one of the articles being compared (for a pair: the two
//! reviewers on the articles both decided; for alpha: every counting reviewer on every
//! article at least two of them decided). Every taxonomy id would also be defensible,
//! but a label nobody used adds one "both said no" unit per article: with 14 themes
//! and two chosen per article, the agreement would be mostly about the twelve labels
//! that obviously do not apply, and kappa would drift towards 1 as the taxonomy grows,
//! whatever the reviewers do. Ids that nobody used carry no information about the
//! reviewers, so they are left out. It also means an id no longer in the taxonomy is
//! scored like any other.
//!
//! # Cohen's kappa (each pair of reviewers)
//!
//! Over the N units both reviewers decided, with `t[c][k]` the number of units `a`
//! put in category c and `b` in category k, `r_c` and `s_k` the row and column sums:
//!
//! ```text
//! p_o = Σ_c t[c][c] / N                 observed agreement
//! p_e = Σ_c r_c · s_c / N²              agreement expected by chance from the marginals
//! κ   = (p_o − p_e) / (1 − p_e)  =  (N·Σ_c t[c][c] − Σ_c r_c·s_c) / (N² − Σ_c r_c·s_c)
//! ```
//!
//! It is computed in integers up to the final division, so the edge case is exact:
//! when `p_e = 1` (both reviewers put every unit in one and the same category) kappa
//! is 0/0 and is *undefined*, not 1: nothing shows that they would have agreed on an
//! article where there was something to disagree about. It is then `None`, shown as
//! "—". With no shared unit it is `None` too. Reliability uses the unweighted kappa
//! over the taxonomy's reliability ids; region and theme use it over the binary units
//! above, and also per label id (each id's units alone), to show which labels the
//! pair reads differently.
//!
//! # Krippendorff's alpha (the whole team)
//!
//! The standard coincidence-matrix formulation. A unit is an article (reliability) or
//! an (article, label id) pair (region, theme); its values are those of the reviewers
//! who coded it, so missing data needs no special case. A unit with `m_u < 2` values
//! has no one to agree with and is dropped. Every ordered pair of values (i ≠ j) of a
//! unit adds `1/(m_u − 1)` to the coincidence `o[c][k]`, so each unit weighs as much as
//! its number of values. Then, with `n_c = Σ_k o[c][k]`, `n = Σ_c n_c` and a squared
//! difference `δ(c,k)`:
//!
//! ```text
//! α = 1 − D_o / D_e = 1 − (n − 1) · Σ_{c,k} o[c][k]·δ(c,k) / Σ_{c,k} n_c·n_k·δ(c,k)
//! nominal: δ(c,k) = 0 if c = k, else 1                      (region, theme)
//! ordinal: δ(c,k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²        (reliability)
//! ```
//!
//! The ordinal ranks are the reliability ids in taxonomy order (reliable <
//! mostly-reliable < mixed < unreliable < fabricated by default), and δ measures the
//! distance between two ranks by how many values lie between them, so "reliable"
//! against "mostly-reliable" costs less than "reliable" against "fabricated". When
//! `D_e = 0` (every value in one category: no variation) or no unit has two values,
//! alpha is undefined and `None`.
//!
//! # Disagreements
//!
//! An article disagrees on an axis when at least two of its counting decisions differ
//! there: region and theme compared as sets (the order labels were added in does not
//! matter), reliability among the decisions that set one, compared as written (an
//! adjudicator should see an unknown id too). [`disagreements`] lists them with every
//! counting reviewer's decision, for the report and for the TUI's review mode.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::domain::{Decision, Status};
use crate::labels::{Axis, Taxonomy};
use crate::sanitize::sanitize;
use crate::store::Entry;

use super::sidecars_of;

/// Which squared difference Krippendorff's alpha uses between two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Any two different values disagree equally (categories without an order).
    Nominal,
    /// Values are ranks; the difference grows with how many values lie between them.
    Ordinal,
}

/// Agreement on every axis, in [`Axis::ALL`] order. Serializable as is for
/// `triage agree --format json` (see also [`report`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The reviewers left out, so the report says whose decisions it measured.
    pub excluded: Vec<String>,
    pub axes: Vec<AxisAgreement>,
}

/// Agreement on one axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisAgreement {
    pub axis: Axis,
    /// Nominal for region and theme (per label id), ordinal for reliability.
    pub metric: Metric,
    /// Krippendorff's alpha over the whole team; `None` when undefined (see the module doc).
    pub alpha: Option<f64>,
    /// Articles decided on this axis by at least two counting reviewers.
    pub articles: usize,
    /// The units alpha was computed over: those articles for reliability, articles ×
    /// label ids for region and theme.
    pub units: usize,
    /// Region and theme: the label ids the units were made of, sorted. Empty for reliability.
    pub labels: Vec<String>,
    /// Every pair of reviewers with a counting decision on this axis, by name (a < b).
    pub pairs: Vec<PairAgreement>,
}

/// Agreement between two reviewers on one axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAgreement {
    pub a: String,
    pub b: String,
    /// Articles both decided on this axis: what the kappa rests on.
    pub shared: usize,
    /// Cohen's kappa; `None` when undefined (no shared article, or chance agreement 1).
    pub kappa: Option<f64>,
    /// Region and theme: kappa per label id over the shared articles, sorted by id.
    /// Empty for reliability.
    pub per_label: Vec<LabelKappa>,
}

/// One label id's kappa for a pair of reviewers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelKappa {
    pub id: String,
    pub kappa: Option<f64>,
}

/// An article where counting reviewers differ, for the report and the review mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Index into the entries the list was made from.
    pub entry: usize,
    /// The axes that differ, in [`Axis::ALL`] order.
    pub axes: Vec<Axis>,
    /// Every counting reviewer's decision on the article, sorted by name.
    pub by_reviewer: Vec<(String, Decision)>,
}

/// A disagreement as `--format json` writes it: the file instead of an index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisagreementRow {
    /// Path relative to the inbox, as `triage list` shows it.
    pub file: String,
    pub axes: Vec<Axis>,
    pub reviewers: Vec<ReviewerLabels>,
}

/// One reviewer's labels on a disagreeing article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerLabels {
    pub reviewer: String,
    pub region: Vec<String>,
    pub theme: Vec<String>,
    pub reliability: Option<String>,
}

/// Everything `triage agree --format json` prints, in one serializable value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub excluded: Vec<String>,
    pub axes: Vec<AxisAgreement>,
    pub disagreements: Vec<DisagreementRow>,
}

/// Cohen's kappa between two raters. Each pair is (category by a, category by b).
///
/// `None` when it is undefined: no pairs, or chance agreement is 1 (both raters used
/// one and the same category throughout). A category at or above `categories` widens
/// the table rather than panicking, so a miscounted caller still gets an answer.
pub fn cohen_kappa(pairs: &[(usize, usize)], categories: usize) -> Option<f64> {
    let k = pairs
        .iter()
        .map(|&(a, b)| a.max(b) + 1)
        .max()
        .unwrap_or(0)
        .max(categories);
    let mut table = vec![vec![0u64; k]; k];
    for &(a, b) in pairs {
        table[a][b] += 1;
    }
    kappa_from_table(&table)
}

/// Krippendorff's alpha over units of values (one value per rater who coded the unit).
///
/// Units with fewer than two values are dropped. `None` when no unit has two values or
/// the values show no variation at all. A value at or above `categories` widens the
/// matrix rather than panicking.
pub fn krippendorff_alpha(units: &[Vec<usize>], categories: usize, metric: Metric) -> Option<f64> {
    let k = units
        .iter()
        .flatten()
        .map(|&v| v + 1)
        .max()
        .unwrap_or(0)
        .max(categories);
    let mut coincidences = Coincidences::new(k);
    let mut counts = vec![0usize; k];
    for unit in units {
        counts.fill(0);
        for &v in unit {
            counts[v] += 1;
        }
        coincidences.add_unit(&counts);
    }
    coincidences.alpha(metric)
}

/// Measures agreement on every axis from the sidecars of `entries` (loaded for
/// reviewer `me`), leaving out the reviewers in `exclude`.
pub fn agreement(entries: &[Entry], me: &str, taxonomy: &Taxonomy, exclude: &[&str]) -> Agreement {
    let counted: Vec<Vec<(&str, &Decision)>> = entries
        .iter()
        .map(|entry| counting(entry, me, exclude))
        .collect();
    let axes = Axis::ALL
        .iter()
        .map(|&axis| match axis {
            Axis::Region | Axis::Theme => multi_label_axis(axis, &counted),
            Axis::Reliability => reliability_axis(taxonomy, &counted),
        })
        .collect();
    Agreement {
        excluded: exclude.iter().map(|s| s.to_string()).collect(),
        axes,
    }
}

/// The articles where at least two counting reviewers differ on some axis, in the
/// order of `entries`. The review mode walks this list; the report prints it.
pub fn disagreements(entries: &[Entry], me: &str, exclude: &[&str]) -> Vec<Disagreement> {
    let mut found = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let counted = counting(entry, me, exclude);
        let axes = differing_axes(&counted);
        if !axes.is_empty() {
            found.push(Disagreement {
                entry: index,
                axes,
                by_reviewer: counted
                    .iter()
                    .map(|(name, d)| (name.to_string(), (*d).clone()))
                    .collect(),
            });
        }
    }
    found
}

/// The disagreements with file names in place of indices, for `--format json`.
/// Values are kept as they are (JSON escapes what needs escaping); a disagreement
/// whose index is not in `entries` is left out rather than guessed at.
pub fn disagreement_rows(
    disagreements: &[Disagreement],
    entries: &[Entry],
) -> Vec<DisagreementRow> {
    disagreements
        .iter()
        .filter_map(|d| {
            let entry = entries.get(d.entry)?;
            Some(DisagreementRow {
                file: entry.rel.to_string_lossy().into_owned(),
                axes: d.axes.clone(),
                reviewers: d
                    .by_reviewer
                    .iter()
                    .map(|(name, decision)| ReviewerLabels {
                        reviewer: name.clone(),
                        region: decision.region.iter().map(|id| id.to_string()).collect(),
                        theme: decision.theme.iter().map(|id| id.to_string()).collect(),
                        reliability: decision.reliability.as_ref().map(|id| id.to_string()),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The whole report as one serializable value, for `--format json`.
pub fn report(agreement: &Agreement, disagreements: &[Disagreement], entries: &[Entry]) -> Report {
    Report {
        excluded: agreement.excluded.clone(),
        axes: agreement.axes.clone(),
        disagreements: disagreement_rows(disagreements, entries),
    }
}

/// The report as text for a terminal: per axis the team's alpha and a table of pairs
/// (shared articles, kappa), then every disagreement with each reviewer's label ids.
/// Everything that comes from the inbox (file names, reviewer names, ids) is sanitized.
///
/// Its length stays readable whatever the team's size: past [`MAX_PAIRS`] pairs an
/// axis shows the lowest pairs and each reviewer's mean kappa instead of every pair,
/// past [`MAX_REVIEWERS_NAMED`] reviewers a disagreement shows how many chose each
/// answer, and at most [`MAX_DISAGREEMENTS`] disagreements are listed. Each summary
/// says that `--format json` ([`report`]) has everything.
pub fn render_text(
    agreement: &Agreement,
    disagreements: &[Disagreement],
    entries: &[Entry],
) -> String {
    let mut out = String::new();
    let mut undefined = false;
    out.push_str("Agreement between reviewers, over done decisions");
    if !agreement.excluded.is_empty() {
        let names: Vec<String> = agreement
            .excluded
            .iter()
            .map(|n| sanitize(n).into_owned())
            .collect();
        let _ = write!(out, " ({} left out)", names.join(", "));
    }
    out.push('\n');

    for axis in &agreement.axes {
        out.push('\n');
        undefined |= axis.alpha.is_none();
        let scoring = match axis.metric {
            Metric::Nominal => "nominal, per label id",
            Metric::Ordinal => "ordinal",
        };
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let articles = plural(axis.articles, "article", "articles");
        let over = match axis.axis {
            Axis::Reliability => articles,
            _ => format!("{} from {articles}", plural(axis.units, "unit", "units")),
        };
        let _ = writeln!(
            out,
            "{}: Krippendorff's alpha {} ({scoring}) over {over}",
            axis.axis,
            number(axis.alpha)
        );
        if axis.pairs.is_empty() {
            out.push_str("  fewer than two reviewers have decided on this axis\n");
            continue;
        }
        if axis.pairs.len() > MAX_PAIRS {
            undefined |= summarize_pairs(&mut out, &axis.pairs);
            continue;
        }
        let names: Vec<String> = axis
            .pairs
            .iter()
            .map(|p| format!("{} · {}", sanitize(&p.a), sanitize(&p.b)))
            .collect();
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max("reviewers".len());
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>6}",
            "reviewers", "shared", "kappa"
        );
        for (pair, name) in axis.pairs.iter().zip(&names) {
            undefined |= pair.kappa.is_none();
            let _ = writeln!(
                out,
                "  {name:<width$}  {:>6}  {:>6}",
                pair.shared,
                number(pair.kappa)
            );
            if pair.shared > 0 && !pair.per_label.is_empty() {
                let labels: Vec<String> = pair
                    .per_label
                    .iter()
                    .map(|l| format!("{} {}", sanitize(&l.id), number(l.kappa)))
                    .collect();
                let _ = writeln!(out, "  {:<width$}  by label: {}", "", labels.join(" · "));
            }
        }
    }

    out.push('\n');
    if disagreements.is_empty() {
        out.push_str("No disagreements.\n");
    } else {
        let _ = writeln!(
            out,
            "Disagreements: {} {}",
            disagreements.len(),
            if disagreements.len() == 1 {
                "article"
            } else {
                "articles"
            }
        );
        if disagreements.len() > MAX_DISAGREEMENTS {
            let _ = writeln!(
                out,
                "  the first {MAX_DISAGREEMENTS} below; `triage agree --format json` lists every one"
            );
        }
        // Wide enough for the longest axis name, so every article's lines align.
        let width = Axis::ALL
            .iter()
            .map(|a| a.as_str().len() + 1)
            .max()
            .unwrap_or(0);
        for d in disagreements.iter().take(MAX_DISAGREEMENTS) {
            let file = entries
                .get(d.entry)
                .map(|e| e.rel.to_string_lossy().into_owned())
                .unwrap_or_default();
            let _ = writeln!(out, "{}", sanitize(&file));
            for &axis in &d.axes {
                if d.by_reviewer.len() > MAX_REVIEWERS_NAMED {
                    let label = format!("{axis}:");
                    let _ = writeln!(out, "  {label:<width$}  {}", votes(axis, &d.by_reviewer));
                    continue;
                }
                let said: Vec<String> = d
                    .by_reviewer
                    .iter()
                    .map(|(name, decision)| {
                        let ids = decision.labels(axis);
                        // Each id whole, then joined: an id's open sequence must
                        // not swallow the ids after it.
                        let ids = if ids.is_empty() {
                            "—".to_string()
                        } else {
                            let clean: Vec<_> = ids.iter().map(|id| sanitize(id)).collect();
                            clean.join(", ")
                        };
                        format!("{}: {ids}", sanitize(name))
                    })
                    .collect();
                let label = format!("{axis}:");
                let _ = writeln!(out, "  {label:<width$}  {}", said.join(" | "));
            }
        }
    }
    if undefined {
        out.push_str(
            "\n— undefined: no two reviewers decided the same article, or every decision \
             used one and the same value, so there was nothing to agree or disagree about.\n",
        );
    }
    out
}

/// Beyond this many pairs of reviewers on an axis (ten reviewers make 45), the text
/// report summarizes them: 300 reviewers make 44,850 pairs, which nobody reads.
/// `--format json` always has every pair.
pub const MAX_PAIRS: usize = 45;

/// How many of the lowest pairs and reviewers the summary shows.
pub const SUMMARY_ROWS: usize = 10;

/// The text report lists at most this many disagreements (JSON lists all).
pub const MAX_DISAGREEMENTS: usize = 50;

/// Beyond this many reviewers on one article, a disagreement shows how many chose
/// each answer instead of every reviewer's name.
pub const MAX_REVIEWERS_NAMED: usize = 10;

/// The summary of an axis with more than [`MAX_PAIRS`] pairs: the pairs that agree
/// least, then each reviewer's mean kappa over their pairs, lowest first: where a
/// team looks for the rater or the pair to talk to. Returns whether an undefined
/// kappa was met, for the footnote.
fn summarize_pairs(out: &mut String, pairs: &[PairAgreement]) -> bool {
    let undefined = pairs.iter().any(|p| p.kappa.is_none());
    let mut per_reviewer: std::collections::BTreeMap<&str, (f64, usize)> = Default::default();
    for p in pairs {
        if let Some(k) = p.kappa {
            for name in [p.a.as_str(), p.b.as_str()] {
                let slot = per_reviewer.entry(name).or_default();
                slot.0 += k;
                slot.1 += 1;
            }
        }
    }
    let reviewers: BTreeSet<&str> = pairs
        .iter()
        .flat_map(|p| [p.a.as_str(), p.b.as_str()])
        .collect();
    let mut lowest: Vec<&PairAgreement> = pairs.iter().filter(|p| p.kappa.is_some()).collect();
    lowest.sort_by(|x, y| {
        x.kappa
            .unwrap_or(f64::INFINITY)
            .total_cmp(&y.kappa.unwrap_or(f64::INFINITY))
    });
    let _ = writeln!(
        out,
        "  {} pairs of {} reviewers, summarized ({} with a kappa); \
         `triage agree --format json` lists every pair",
        pairs.len(),
        reviewers.len(),
        lowest.len()
    );
    let names: Vec<String> = lowest
        .iter()
        .take(SUMMARY_ROWS)
        .map(|p| format!("{} · {}", sanitize(&p.a), sanitize(&p.b)))
        .collect();
    let mut means: Vec<(&str, f64, usize)> = per_reviewer
        .iter()
        .map(|(name, (sum, n))| (*name, sum / *n as f64, *n))
        .collect();
    means.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(y.0)));
    let shown: Vec<String> = means
        .iter()
        .take(SUMMARY_ROWS)
        .map(|(name, _, _)| sanitize(name).into_owned())
        .collect();
    let width = names
        .iter()
        .chain(&shown)
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max("lowest reviewers".len());
    if !names.is_empty() {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>6}",
            "lowest pairs", "shared", "kappa"
        );
        for (p, name) in lowest.iter().zip(&names) {
            let _ = writeln!(
                out,
                "  {name:<width$}  {:>6}  {:>6}",
                p.shared,
                number(p.kappa)
            );
        }
    }
    if !shown.is_empty() {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>6}",
            "lowest reviewers", "pairs", "mean"
        );
        for ((_, mean, n), name) in means.iter().zip(&shown) {
            let _ = writeln!(out, "  {name:<width$}  {n:>6}  {:>6}", number(Some(*mean)));
        }
    }
    undefined
}

/// How many counting reviewers gave each answer on an axis, most chosen first:
/// `mena, russia-fsu ×120 | europe ×100 | — ×80`, the rarest beyond five folded.
fn votes(axis: Axis, by_reviewer: &[(String, Decision)]) -> String {
    let mut counts: std::collections::BTreeMap<Vec<&str>, usize> = Default::default();
    for (_, decision) in by_reviewer {
        if axis == Axis::Reliability && decision.reliability.is_none() {
            continue;
        }
        let mut ids = decision.labels(axis);
        ids.sort_unstable();
        ids.dedup();
        *counts.entry(ids).or_default() += 1;
    }
    let mut counts: Vec<(Vec<&str>, usize)> = counts.into_iter().collect();
    counts.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    let mut parts: Vec<String> = counts
        .iter()
        .take(5)
        .map(|(ids, n)| {
            let ids = if ids.is_empty() {
                "—".to_string()
            } else {
                sanitize(&ids.join(", ")).into_owned()
            };
            format!("{ids} ×{n}")
        })
        .collect();
    if counts.len() > 5 {
        let rest: usize = counts.iter().skip(5).map(|(_, n)| n).sum();
        parts.push(format!("{} other answers ×{rest}", counts.len() - 5));
    }
    parts.join(" | ")
}

/// A statistic to three decimals, or "—" when undefined.
fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"))
}

/// The decisions on an entry that count: done, by a reviewer not excluded, by name.
/// The review of disagreements in the TUI lists and compares exactly these.
pub fn counting<'a>(
    entry: &'a Entry,
    me: &'a str,
    exclude: &[&str],
) -> Vec<(&'a str, &'a Decision)> {
    sidecars_of(entry, me)
        .into_iter()
        .filter(|(name, _)| !exclude.contains(name))
        .map(|(name, sidecar)| (name, &sidecar.decision))
        .filter(|(_, d)| d.status == Status::Done)
        .collect()
}

/// The axes on which the counting decisions on one article differ.
pub fn differing_axes(counted: &[(&str, &Decision)]) -> Vec<Axis> {
    Axis::ALL
        .into_iter()
        .filter(|&axis| differs(axis, counted))
        .collect()
}

/// Whether at least two counting decisions differ on `axis` (see the module doc).
fn differs(axis: Axis, counted: &[(&str, &Decision)]) -> bool {
    let mut values: Vec<BTreeSet<&str>> = Vec::new();
    for (_, decision) in counted {
        if axis == Axis::Reliability && decision.reliability.is_none() {
            continue;
        }
        values.push(decision.labels(axis).into_iter().collect());
    }
    values.windows(2).any(|w| w[0] != w[1])
}

/// Every pair of names among those that appear, sorted, a < b.
fn pairs_of<'a>(rated: &[Vec<(&'a str, impl Sized)>]) -> Vec<(&'a str, &'a str)> {
    let names: BTreeSet<&str> = rated.iter().flatten().map(|(name, _)| *name).collect();
    let names: Vec<&str> = names.into_iter().collect();
    let mut pairs = Vec::new();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            pairs.push((*a, *b));
        }
    }
    pairs
}

/// A reviewer's value on one article, if the reviewer counted there.
fn value_of<'v, T>(article: &'v [(&str, T)], name: &str) -> Option<&'v T> {
    article.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// Region or theme: binary units per (article, label id).
fn multi_label_axis(axis: Axis, counted: &[Vec<(&str, &Decision)>]) -> AxisAgreement {
    let rated: Vec<Vec<(&str, BTreeSet<&str>)>> = counted
        .iter()
        .map(|article| {
            article
                .iter()
                .map(|(name, d)| (*name, d.labels(axis).into_iter().collect()))
                .collect()
        })
        .collect();

    let pairs = pairs_of(&rated)
        .into_iter()
        .map(|(a, b)| {
            let shared: Vec<(&BTreeSet<&str>, &BTreeSet<&str>)> = rated
                .iter()
                .filter_map(|article| Some((value_of(article, a)?, value_of(article, b)?)))
                .collect();
            let ids: BTreeSet<&str> = shared
                .iter()
                .flat_map(|(x, y)| x.iter().chain(y.iter()).copied())
                .collect();
            let mut table = vec![vec![0u64; 2]; 2];
            let per_label = ids
                .iter()
                .map(|id| {
                    let mut one = vec![vec![0u64; 2]; 2];
                    for (x, y) in &shared {
                        let (i, j) = (usize::from(x.contains(id)), usize::from(y.contains(id)));
                        one[i][j] += 1;
                        table[i][j] += 1;
                    }
                    LabelKappa {
                        id: id.to_string(),
                        kappa: kappa_from_table(&one),
                    }
                })
                .collect();
            PairAgreement {
                a: a.to_string(),
                b: b.to_string(),
                shared: shared.len(),
                kappa: kappa_from_table(&table),
                per_label,
            }
        })
        .collect();

    let pairable: Vec<&Vec<(&str, BTreeSet<&str>)>> =
        rated.iter().filter(|article| article.len() >= 2).collect();
    let ids: BTreeSet<&str> = pairable
        .iter()
        .flat_map(|article| article.iter().flat_map(|(_, set)| set.iter().copied()))
        .collect();
    let mut coincidences = Coincidences::new(2);
    for article in &pairable {
        for id in &ids {
            let yes = article.iter().filter(|(_, set)| set.contains(id)).count();
            coincidences.add_unit(&[article.len() - yes, yes]);
        }
    }
    AxisAgreement {
        axis,
        metric: Metric::Nominal,
        alpha: coincidences.alpha(Metric::Nominal),
        articles: pairable.len(),
        units: pairable.len() * ids.len(),
        labels: ids.iter().map(|id| id.to_string()).collect(),
        pairs,
    }
}

/// Reliability: one rank per decision, in taxonomy order.
fn reliability_axis(taxonomy: &Taxonomy, counted: &[Vec<(&str, &Decision)>]) -> AxisAgreement {
    let categories = taxonomy.reliability.labels.len();
    let rated: Vec<Vec<(&str, usize)>> = counted
        .iter()
        .map(|article| {
            article
                .iter()
                .filter_map(|(name, d)| {
                    let id = d.reliability.as_deref()?;
                    Some((*name, taxonomy.position(Axis::Reliability, id)?))
                })
                .collect()
        })
        .collect();

    let pairs = pairs_of(&rated)
        .into_iter()
        .map(|(a, b)| {
            let shared: Vec<(usize, usize)> = rated
                .iter()
                .filter_map(|article| Some((*value_of(article, a)?, *value_of(article, b)?)))
                .collect();
            PairAgreement {
                a: a.to_string(),
                b: b.to_string(),
                shared: shared.len(),
                kappa: cohen_kappa(&shared, categories),
                per_label: Vec::new(),
            }
        })
        .collect();

    let units: Vec<Vec<usize>> = rated
        .iter()
        .filter(|article| article.len() >= 2)
        .map(|article| article.iter().map(|(_, rank)| *rank).collect())
        .collect();
    AxisAgreement {
        axis: Axis::Reliability,
        metric: Metric::Ordinal,
        alpha: krippendorff_alpha(&units, categories, Metric::Ordinal),
        articles: units.len(),
        units: units.len(),
        labels: Vec::new(),
        pairs,
    }
}

/// Cohen's kappa from a square contingency table (rows: rater a, columns: rater b),
/// in integers up to the last division so that "chance agreement is 1" is exact.
fn kappa_from_table(table: &[Vec<u64>]) -> Option<f64> {
    let k = table.len();
    let n: i128 = table.iter().flatten().map(|&c| i128::from(c)).sum();
    if n == 0 {
        return None;
    }
    let agree: i128 = (0..k).map(|c| i128::from(table[c][c])).sum();
    let chance: i128 = (0..k)
        .map(|c| {
            let row: i128 = table[c].iter().map(|&x| i128::from(x)).sum();
            let column: i128 = table.iter().map(|r| i128::from(r[c])).sum();
            row * column
        })
        .sum();
    let denominator = n * n - chance;
    if denominator == 0 {
        return None;
    }
    let kappa = (n * agree - chance) as f64 / denominator as f64;
    kappa.is_finite().then_some(kappa)
}

/// Krippendorff's coincidence matrix, filled one unit at a time.
struct Coincidences {
    o: Vec<Vec<f64>>,
}

impl Coincidences {
    fn new(categories: usize) -> Coincidences {
        Coincidences {
            o: vec![vec![0.0; categories]; categories],
        }
    }

    /// Adds a unit given how many of its values fell in each category. Of its
    /// `m(m−1)` ordered pairs, `counts[c]·counts[k]` (or `counts[c]·(counts[c]−1)` on
    /// the diagonal) go to `o[c][k]`, each weighing `1/(m−1)`. Counting pairs per
    /// category rather than per value keeps a unit with many raters cheap.
    fn add_unit(&mut self, counts: &[usize]) {
        let m: usize = counts.iter().sum();
        if m < 2 {
            return;
        }
        let weight = 1.0 / (m - 1) as f64;
        for (c, &nc) in counts.iter().enumerate() {
            if nc == 0 {
                continue;
            }
            for (k, &nk) in counts.iter().enumerate() {
                let ordered_pairs = if c == k { nc * (nc - 1) } else { nc * nk };
                self.o[c][k] += ordered_pairs as f64 * weight;
            }
        }
    }

    fn alpha(&self, metric: Metric) -> Option<f64> {
        let marginals: Vec<f64> = self.o.iter().map(|row| row.iter().sum()).collect();
        let n: f64 = marginals.iter().sum();
        if n < 2.0 {
            return None;
        }
        // Prefix sums of the marginals, for the ordinal Σ_{g=c..k} n_g.
        let mut below = vec![0.0; marginals.len() + 1];
        for (g, ng) in marginals.iter().enumerate() {
            below[g + 1] = below[g] + ng;
        }
        let delta = |c: usize, k: usize| -> f64 {
            match metric {
                Metric::Nominal => f64::from(u8::from(c != k)),
                Metric::Ordinal => {
                    let (lo, hi) = (c.min(k), c.max(k));
                    let between = below[hi + 1] - below[lo];
                    (between - (marginals[c] + marginals[k]) / 2.0).powi(2)
                }
            }
        };
        let mut observed = 0.0;
        let mut expected = 0.0;
        for c in 0..marginals.len() {
            for k in 0..marginals.len() {
                if c == k {
                    // δ(c,c) is 0 under both metrics; skipping it keeps it exactly 0.
                    continue;
                }
                let d = delta(c, k);
                observed += self.o[c][k] * d;
                expected += marginals[c] * marginals[k] * d;
            }
        }
        if expected <= 0.0 {
            return None;
        }
        let alpha = 1.0 - (n - 1.0) * observed / expected;
        alpha.is_finite().then_some(alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Edit, LabelId};
    use crate::store::{Inbox, WriteContext, sha256_hex, write_edits};
    use std::path::Path;

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|a| (a - expected).abs() < 1e-9)
    }

    /// (category by a, category by b) repeated `count` times.
    fn repeat(cells: &[((usize, usize), usize)]) -> Vec<(usize, usize)> {
        cells
            .iter()
            .flat_map(|&(pair, count)| std::iter::repeat_n(pair, count))
            .collect()
    }

    // 50 items, yes = 0, no = 1:
    //            b yes  b no
    //   a yes     20     5    (25)
    //   a no      10    15    (25)
    //            (30)  (20)
    // p_o = (20 + 15) / 50 = 0.7
    // p_e = (25·30 + 25·20) / 50² = (750 + 500) / 2500 = 0.5
    // κ = (0.7 − 0.5) / (1 − 0.5) = 0.4
    #[test]
    fn cohen_kappa_matches_a_hand_worked_two_by_two_table() {
        let pairs = repeat(&[((0, 0), 20), ((0, 1), 5), ((1, 0), 10), ((1, 1), 15)]);
        let kappa = cohen_kappa(&pairs, 2);
        assert!(close(kappa, 0.4), "{kappa:?}");
    }

    // 20 items, three categories:
    //            b0  b1  b2
    //   a0        5   1   0   (6)
    //   a1        1   6   1   (8)
    //   a2        0   1   5   (6)
    //            (6) (8) (6)
    // p_o = (5 + 6 + 5) / 20 = 0.8
    // p_e = (6·6 + 8·8 + 6·6) / 400 = 136 / 400 = 0.34
    // κ = (0.8 − 0.34) / 0.66 = 0.46 / 0.66 = 23/33 ≈ 0.69697
    #[test]
    fn cohen_kappa_matches_a_hand_worked_three_category_table() {
        let pairs = repeat(&[
            ((0, 0), 5),
            ((0, 1), 1),
            ((1, 0), 1),
            ((1, 1), 6),
            ((1, 2), 1),
            ((2, 1), 1),
            ((2, 2), 5),
        ]);
        let kappa = cohen_kappa(&pairs, 3);
        assert!(close(kappa, 23.0 / 33.0), "{kappa:?}");
    }

    // Perfect agreement over two categories: p_o = 1, p_e = (2·2 + 3·3)/25 = 13/25,
    // κ = (1 − 13/25) / (1 − 13/25) = 1.
    #[test]
    fn cohen_kappa_is_one_for_perfect_agreement() {
        let pairs = repeat(&[((0, 0), 2), ((1, 1), 3)]);
        assert_eq!(cohen_kappa(&pairs, 2), Some(1.0));
    }

    // Both raters say category 1 every time: p_o = 1, p_e = (4·4)/16 = 1, κ = 0/0.
    // Different single categories are defined, though: p_o = 0, p_e = 0, κ = 0.
    #[test]
    fn cohen_kappa_is_undefined_when_chance_agreement_is_total() {
        assert_eq!(cohen_kappa(&repeat(&[((1, 1), 4)]), 3), None);
        assert_eq!(cohen_kappa(&[], 3), None);
        assert_eq!(cohen_kappa(&repeat(&[((0, 2), 4)]), 3), Some(0.0));
    }

    #[test]
    fn cohen_kappa_widens_the_table_for_out_of_range_categories() {
        // Two categories announced, a third used: the same as announcing three.
        let pairs = [(0, 0), (2, 2), (1, 2)];
        assert_eq!(cohen_kappa(&pairs, 2), cohen_kappa(&pairs, 3));
    }

    // Krippendorff's worked example ("Computing Krippendorff's Alpha-Reliability"):
    // four observers, twelve units, values 1–5 (here 0–4), "." missing:
    //   unit  1 2 3 4 5 6 7 8 9 10 11 12
    //   A     1 2 3 3 2 1 4 1 2  .  .  .
    //   B     1 2 3 3 2 2 4 1 2  5  .  3
    //   C     . 3 3 3 2 3 4 2 2  5  1  .
    //   D     1 2 3 3 2 4 4 1 2  5  1  .
    // Unit 12 has one value and is dropped. Coincidences (each unit's ordered pairs
    // weighted 1/(m_u − 1)): e.g. unit 2 (2,3,2,2), m = 4: 6 pairs (2,2) → o22 += 2,
    // 3 pairs (2,3) and 3 pairs (3,2) → o23 += 1, o32 += 1. Summed over units:
    //          1     2     3     4    5      n_c
    //   1      7    4/3   1/3   1/3   0       9
    //   2     4/3   10    4/3   1/3   0      13
    //   3     1/3   4/3    8    1/3   0      10
    //   4     1/3   1/3   1/3    4    0       5
    //   5      0     0     0     0    3       3        n = 40
    // Nominal: Σ o off the diagonal = 40 − (7+10+8+4+3) = 8;
    //   Σ_{c≠k} n_c n_k = 40² − (81+169+100+25+9) = 1600 − 384 = 1216;
    //   α = 1 − 39 · 8 / 1216 = 1 − 312/1216 = 0.743421…  (Krippendorff: 0.743)
    // Ordinal: the same paper gives 0.815.
    #[test]
    fn krippendorff_alpha_reproduces_krippendorffs_worked_example() {
        // 0 marks a missing value.
        let rows: [[usize; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        let units: Vec<Vec<usize>> = (0..12)
            .map(|u| rows.iter().filter(|r| r[u] > 0).map(|r| r[u] - 1).collect())
            .collect();
        let nominal = krippendorff_alpha(&units, 5, Metric::Nominal);
        assert!(close(nominal, 1.0 - 312.0 / 1216.0), "{nominal:?}");
        let ordinal = krippendorff_alpha(&units, 5, Metric::Ordinal);
        assert!(
            ordinal.is_some_and(|a| (a - 0.815).abs() < 0.0005),
            "{ordinal:?}"
        );
    }

    // Units (0,0), (0,1), (1,1,1), (1): the last has one value and is dropped.
    //   (0,0):   2 ordered pairs × 1/1   → o00 += 2
    //   (0,1):   (0,1), (1,0) × 1/1      → o01 += 1, o10 += 1
    //   (1,1,1): 6 ordered pairs × 1/2   → o11 += 3
    // o = [[2, 1], [1, 3]], n0 = 3, n1 = 4, n = 7.
    // α = 1 − (n − 1)(o01 + o10) / (n0 n1 + n1 n0) = 1 − 6 · 2 / 24 = 0.5
    #[test]
    fn nominal_alpha_matches_a_hand_worked_example_with_missing_values() {
        let units = vec![vec![0, 0], vec![0, 1], vec![1, 1, 1], vec![1]];
        let alpha = krippendorff_alpha(&units, 2, Metric::Nominal);
        assert!(close(alpha, 0.5), "{alpha:?}");
    }

    // Ranks 0 < 1 < 2, units (0,0), (0,1), (1,1), (1,2), (2,2): every disagreement is
    // between adjacent ranks.
    //   o = [[2, 1, 0], [1, 2, 1], [0, 1, 2]], n0 = 3, n1 = 4, n2 = 3, n = 10.
    // Ordinal δ (symmetric, δ(c,c) = 0):
    //   δ01 = (n0 + n1 − (n0 + n1)/2)²      = 3.5² = 12.25
    //   δ12 = (n1 + n2 − (n1 + n2)/2)²      = 3.5² = 12.25
    //   δ02 = (n0 + n1 + n2 − (n0 + n2)/2)² = (10 − 3)² = 49
    // Σ o δ     = 2 · (1 · 12.25 + 1 · 12.25) = 49
    // Σ n n δ   = 2 · (3·4·12.25 + 4·3·12.25 + 3·3·49) = 2 · (147 + 147 + 441) = 1470
    // α_ordinal = 1 − 9 · 49 / 1470 = 1 − 0.3 = 0.7
    // Nominal on the same data: Σ o off-diagonal = 4, Σ_{c≠k} n_c n_k = 2·(12+9+12) = 66,
    // α_nominal = 1 − 9 · 4 / 66 = 30/66 ≈ 0.4545 < 0.7.
    #[test]
    fn ordinal_alpha_matches_a_hand_worked_example_and_forgives_adjacent_ranks() {
        let units = vec![vec![0, 0], vec![0, 1], vec![1, 1], vec![1, 2], vec![2, 2]];
        let ordinal = krippendorff_alpha(&units, 3, Metric::Ordinal);
        let nominal = krippendorff_alpha(&units, 3, Metric::Nominal);
        assert!(close(ordinal, 0.7), "{ordinal:?}");
        assert!(close(nominal, 30.0 / 66.0), "{nominal:?}");
        assert!(ordinal > nominal);
    }

    #[test]
    fn alpha_is_undefined_without_pairable_values_or_variation() {
        // Only single-coded units: nothing to pair.
        assert_eq!(
            krippendorff_alpha(&[vec![0], vec![1]], 2, Metric::Nominal),
            None
        );
        assert_eq!(krippendorff_alpha(&[], 2, Metric::Ordinal), None);
        // Everyone always says 1: D_e = 0.
        let same = vec![vec![1, 1], vec![1, 1, 1]];
        assert_eq!(krippendorff_alpha(&same, 3, Metric::Nominal), None);
        assert_eq!(krippendorff_alpha(&same, 3, Metric::Ordinal), None);
    }

    /// A decision to write: region, theme, reliability, status.
    struct Wrote<'a> {
        region: &'a [&'a str],
        theme: &'a [&'a str],
        reliability: Option<&'a str>,
        status: Status,
    }

    fn write(root: &Path, file: &str, reviewer: &str, d: Wrote) {
        let path = root.join(file);
        let bytes = std::fs::read(&path).expect("article written by the test");
        let mut edits: Vec<Edit> = Vec::new();
        edits.extend(
            d.region
                .iter()
                .map(|id| Edit::Add(Axis::Region, LabelId::from(*id))),
        );
        edits.extend(
            d.theme
                .iter()
                .map(|id| Edit::Add(Axis::Theme, LabelId::from(*id))),
        );
        edits.push(Edit::SetReliability(d.reliability.map(LabelId::from)));
        edits.push(Edit::SetStatus(d.status));
        write_edits(
            &path,
            reviewer,
            &edits,
            &WriteContext::now(sha256_hex(&bytes)),
        )
        .expect("sidecar written");
    }

    fn done<'a>(
        region: &'a [&'a str],
        theme: &'a [&'a str],
        reliability: Option<&'a str>,
    ) -> Wrote<'a> {
        Wrote {
            region,
            theme,
            reliability,
            status: Status::Done,
        }
    }

    /// Five articles decided by alice, bob, carol and the adjudicator `final`
    /// (region / theme / reliability; "war" is war-conflict, "-" no reliability):
    ///
    /// ```text
    /// a1  alice  mena / war / unreliable        bob  mena / war / unreliable
    ///     carol  mena, russia-fsu / war / mixed  final  europe / economy / fabricated
    /// a2  alice  europe / economy / reliable    bob  europe, global / economy / mostly-reliable
    ///     carol  skipped (africa)
    /// a3  alice, bob  asia / politics / reliable
    ///     carol  asia / politics, economy / reliable   final  global / media / mixed
    /// a4  alice  mena / war / -                 bob  mena / war / unreliable
    ///     carol  todo (africa / media / fabricated)
    /// a5  alice  global / media / mixed
    /// ```
    fn team_inbox() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary inbox");
        let root = dir.path();
        for file in ["a1.txt", "a2.txt", "a3.txt", "a4.txt", "a5.txt"] {
            std::fs::write(root.join(file), format!("Title of {file}\n\nBody.\n"))
                .expect("article written");
        }
        let war = &["war-conflict"][..];
        write(
            root,
            "a1.txt",
            "alice",
            done(&["mena"], war, Some("unreliable")),
        );
        write(
            root,
            "a1.txt",
            "bob",
            done(&["mena"], war, Some("unreliable")),
        );
        write(
            root,
            "a1.txt",
            "carol",
            done(&["mena", "russia-fsu"], war, Some("mixed")),
        );
        write(
            root,
            "a1.txt",
            "final",
            done(&["europe"], &["economy"], Some("fabricated")),
        );
        write(
            root,
            "a2.txt",
            "alice",
            done(&["europe"], &["economy"], Some("reliable")),
        );
        write(
            root,
            "a2.txt",
            "bob",
            done(&["europe", "global"], &["economy"], Some("mostly-reliable")),
        );
        write(
            root,
            "a2.txt",
            "carol",
            Wrote {
                region: &["africa"],
                theme: &[],
                reliability: None,
                status: Status::Skipped,
            },
        );
        for who in ["alice", "bob"] {
            write(
                root,
                "a3.txt",
                who,
                done(&["asia"], &["politics"], Some("reliable")),
            );
        }
        write(
            root,
            "a3.txt",
            "carol",
            done(&["asia"], &["politics", "economy"], Some("reliable")),
        );
        write(
            root,
            "a3.txt",
            "final",
            done(&["global"], &["media"], Some("mixed")),
        );
        write(root, "a4.txt", "alice", done(&["mena"], war, None));
        write(
            root,
            "a4.txt",
            "bob",
            done(&["mena"], war, Some("unreliable")),
        );
        write(
            root,
            "a4.txt",
            "carol",
            Wrote {
                region: &["africa"],
                theme: &["media"],
                reliability: Some("fabricated"),
                status: Status::Todo,
            },
        );
        write(
            root,
            "a5.txt",
            "alice",
            done(&["global"], &["media"], Some("mixed")),
        );
        dir
    }

    fn pair<'a>(axis: &'a AxisAgreement, a: &str, b: &str) -> &'a PairAgreement {
        axis.pairs
            .iter()
            .find(|p| p.a == a && p.b == b)
            .expect("the pair is reported")
    }

    fn axis(agreement: &Agreement, axis: Axis) -> &AxisAgreement {
        agreement
            .axes
            .iter()
            .find(|a| a.axis == axis)
            .expect("every axis is reported")
    }

    #[test]
    fn agreement_counts_done_decisions_and_leaves_the_adjudicator_out() {
        let dir = team_inbox();
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        let taxonomy = Taxonomy::default();
        let result = agreement(&inbox.entries, "alice", &taxonomy, &["final"]);
        assert_eq!(result.excluded, vec!["final".to_string()]);
        let order: Vec<Axis> = result.axes.iter().map(|a| a.axis).collect();
        assert_eq!(order, Axis::ALL.to_vec());

        // `final` is never a rater; carol's skipped a2 and todo a4 are not decisions.
        for a in &result.axes {
            let names: Vec<(&str, &str)> = a
                .pairs
                .iter()
                .map(|p| (p.a.as_str(), p.b.as_str()))
                .collect();
            assert_eq!(
                names,
                vec![("alice", "bob"), ("alice", "carol"), ("bob", "carol")],
                "{}",
                a.axis
            );
        }
        let region = axis(&result, Axis::Region);
        assert_eq!(pair(region, "alice", "bob").shared, 4);
        assert_eq!(pair(region, "alice", "carol").shared, 2);
        assert_eq!(pair(region, "bob", "carol").shared, 2);
        // a4 has no reliability from alice, so it is not shared on that axis.
        let reliability = axis(&result, Axis::Reliability);
        assert_eq!(pair(reliability, "alice", "bob").shared, 3);
        assert_eq!(pair(reliability, "alice", "carol").shared, 2);

        // Region, alice · bob: shared a1–a4, ids either used there: asia, europe,
        // global, mena → 16 binary units. Alice says yes on 4 (a1 mena, a2 europe,
        // a3 asia, a4 mena), bob on those and a2 global: yes/yes 4, no/yes 1, no/no 11.
        // p_o = 15/16; p_e = (4·5 + 12·11)/256 = 152/256;
        // κ = (240 − 152)/(256 − 152) = 88/104 = 11/13 ≈ 0.846.
        assert!(close(pair(region, "alice", "bob").kappa, 11.0 / 13.0));
        // Per label for that pair: they agree on every id but global, where alice says
        // no on all 4 and bob yes once: p_o = 3/4, p_e = (0·1 + 4·3)/16 = 3/4 → κ = 0.
        let per: Vec<(&str, Option<f64>)> = pair(region, "alice", "bob")
            .per_label
            .iter()
            .map(|l| (l.id.as_str(), l.kappa))
            .collect();
        assert_eq!(
            per,
            vec![
                ("asia", Some(1.0)),
                ("europe", Some(1.0)),
                ("global", Some(0.0)),
                ("mena", Some(1.0))
            ]
        );
        // Alpha's units: the articles at least two counted on (a1–a4) × every id used
        // on them (asia, europe, global, mena, russia-fsu).
        assert_eq!(region.articles, 4);
        assert_eq!(region.units, 20);

        // Theme, alice · carol: shared a1, a3; ids war-conflict, politics, economy.
        // Units: a1 war y/y, politics n/n, economy n/n; a3 war n/n, politics y/y,
        // economy n/y. p_o = 5/6; alice yes 2, carol yes 3: p_e = (2·3 + 4·3)/36 = 1/2;
        // κ = (5/6 − 1/2)/(1/2) = 2/3.
        let theme = axis(&result, Axis::Theme);
        assert!(close(pair(theme, "alice", "carol").kappa, 2.0 / 3.0));
        assert_eq!(pair(theme, "alice", "bob").kappa, Some(1.0));

        // Reliability, alice · bob: (unreliable, unreliable), (reliable, mostly-reliable),
        // (reliable, reliable). p_o = 2/3; alice {unreliable 1, reliable 2}, bob
        // {unreliable 1, mostly 1, reliable 1}: p_e = (1·1 + 2·1)/9 = 1/3;
        // κ = (2/3 − 1/3)/(2/3) = 0.5.
        assert!(close(pair(reliability, "alice", "bob").kappa, 0.5));
        // Alpha, ordinal, ranks reliable 0, mostly 1, mixed 2, unreliable 3:
        // units a1 (3,3,2), a2 (0,1), a3 (0,0,0).
        //   a1, m = 3, weight 1/2: o33 += 1, o32 += 1, o23 += 1
        //   a2: o01 += 1, o10 += 1;   a3: o00 += 3
        //   n0 = 4, n1 = 1, n2 = 1, n3 = 2, n = 8
        //   δ01 = 2.5² = 6.25   δ02 = (6 − 2.5)² = 12.25   δ03 = (8 − 3)² = 25
        //   δ12 = 1² = 1        δ13 = (4 − 1.5)² = 6.25    δ23 = 1.5² = 2.25
        //   Σ o δ = 2 · (6.25 + 2.25) = 17
        //   Σ n n δ = 2 · (4·6.25 + 4·12.25 + 8·25 + 1·1 + 2·6.25 + 2·2.25) = 584
        //   α = 1 − 7 · 17 / 584 = 465/584 ≈ 0.796
        assert!(close(reliability.alpha, 465.0 / 584.0));
        assert_eq!(reliability.articles, 3);
    }

    #[test]
    fn agreement_is_the_same_whoever_loads_the_inbox() {
        // The loading reviewer's sidecar is `Entry::mine`, the rest `Entry::others`;
        // the numbers must not depend on which is which.
        let dir = team_inbox();
        let taxonomy = Taxonomy::default();
        let as_alice = Inbox::load(dir.path(), "alice").expect("inbox loads");
        let as_dave = Inbox::load(dir.path(), "dave").expect("inbox loads");
        assert_eq!(
            agreement(&as_alice.entries, "alice", &taxonomy, &["final"]),
            agreement(&as_dave.entries, "dave", &taxonomy, &["final"])
        );
    }

    #[test]
    fn disagreements_list_the_articles_and_axes_where_counted_reviewers_differ() {
        let dir = team_inbox();
        let inbox = Inbox::load(dir.path(), "bob").expect("inbox loads");
        let found = disagreements(&inbox.entries, "bob", &["final"]);
        let summary: Vec<(String, Vec<Axis>)> = found
            .iter()
            .map(|d| {
                let rel = inbox.entries[d.entry].rel.to_string_lossy().into_owned();
                (rel, d.axes.clone())
            })
            .collect();
        // a1: carol adds russia-fsu and says mixed (final's different labels do not
        // count); a2: bob adds global and says mostly-reliable (carol skipped);
        // a3: carol adds economy; a4 agrees (alice set no reliability, carol is todo).
        assert_eq!(
            summary,
            vec![
                ("a1.txt".to_string(), vec![Axis::Region, Axis::Reliability]),
                ("a2.txt".to_string(), vec![Axis::Region, Axis::Reliability]),
                ("a3.txt".to_string(), vec![Axis::Theme]),
            ]
        );
        let names: Vec<&str> = found[0]
            .by_reviewer
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, vec!["alice", "bob", "carol"]);
        assert_eq!(found[0].by_reviewer[2].1.region, vec!["mena", "russia-fsu"]);
        let names: Vec<&str> = found[1]
            .by_reviewer
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, vec!["alice", "bob"]);

        // Without the exclusion, final's a1 and a3 become disagreements on every axis.
        let with_final = disagreements(&inbox.entries, "bob", &[]);
        assert_eq!(with_final[0].axes, Axis::ALL.to_vec());
        assert_eq!(with_final[2].axes, Axis::ALL.to_vec());
    }

    #[test]
    fn label_order_is_not_a_disagreement() {
        let dir = tempfile::tempdir().expect("temporary inbox");
        std::fs::write(dir.path().join("a.txt"), "Title\n\nBody.\n").expect("article");
        write(
            dir.path(),
            "a.txt",
            "alice",
            done(&["mena", "asia"], &["law"], Some("mixed")),
        );
        write(
            dir.path(),
            "a.txt",
            "bob",
            done(&["asia", "mena"], &["law"], Some("mixed")),
        );
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        assert!(disagreements(&inbox.entries, "alice", &[]).is_empty());
        // With one article and total agreement, chance agreement is total too: undefined.
        let result = agreement(&inbox.entries, "alice", &Taxonomy::default(), &[]);
        assert_eq!(
            pair(axis(&result, Axis::Region), "alice", "bob").kappa,
            None
        );
        assert_eq!(axis(&result, Axis::Reliability).alpha, None);
    }

    #[test]
    fn text_report_shows_numbers_pairs_and_disagreements() {
        let dir = team_inbox();
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        let result = agreement(&inbox.entries, "alice", &Taxonomy::default(), &["final"]);
        let found = disagreements(&inbox.entries, "alice", &["final"]);
        let text = render_text(&result, &found, &inbox.entries);
        assert!(text.contains("(final left out)"), "{text}");
        assert!(
            text.contains("reliability: Krippendorff's alpha 0.796 (ordinal) over 3 articles"),
            "{text}"
        );
        assert!(
            text.contains("region: Krippendorff's alpha ")
                && text.contains("over 20 units from 4 articles"),
            "{text}"
        );
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with("alice · bob") && l.ends_with("0.846"))
            .unwrap_or_else(|| panic!("alice · bob region row with 0.846 in\n{text}"));
        assert!(row.contains(" 4 "), "{row}");
        assert!(text.contains("Disagreements: 3 articles"), "{text}");
        assert!(
            text.contains("region:       alice: mena | bob: mena | carol: mena, russia-fsu"),
            "{text}"
        );
        assert!(
            text.contains("reliability:  alice: reliable | bob: mostly-reliable"),
            "{text}"
        );
        assert!(!text.contains("final:"), "{text}");
    }

    #[test]
    fn text_report_sanitizes_file_names() {
        let dir = tempfile::tempdir().expect("temporary inbox");
        let file = "evil\u{1b}]0;pwned\u{7}.txt";
        std::fs::write(dir.path().join(file), "Title\n\nBody.\n").expect("article");
        write(dir.path(), file, "alice", done(&["mena"], &[], None));
        write(dir.path(), file, "bob", done(&["asia"], &[], None));
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        let found = disagreements(&inbox.entries, "alice", &[]);
        assert_eq!(found.len(), 1, "the article with the odd name is loaded");
        let result = agreement(&inbox.entries, "alice", &Taxonomy::default(), &[]);
        let text = render_text(&result, &found, &inbox.entries);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("evil"), "{text}");
    }

    #[test]
    fn json_report_names_files_and_writes_undefined_as_null() {
        let dir = team_inbox();
        let inbox = Inbox::load(dir.path(), "alice").expect("inbox loads");
        let result = agreement(&inbox.entries, "alice", &Taxonomy::default(), &["final"]);
        let found = disagreements(&inbox.entries, "alice", &["final"]);
        let json = serde_json::to_value(report(&result, &found, &inbox.entries))
            .expect("the report serializes");
        assert_eq!(json["axes"][2]["axis"], "reliability");
        assert_eq!(json["axes"][2]["metric"], "ordinal");
        assert_eq!(json["disagreements"][0]["file"], "a1.txt");
        assert_eq!(json["disagreements"][0]["axes"][1], "reliability");
        assert_eq!(
            json["disagreements"][0]["reviewers"][2]["reliability"],
            "mixed"
        );
        // bob · carol on reliability: a1 (unreliable, mixed), a3 (reliable, reliable):
        // p_o = 1/2, p_e = 1/4, κ = 1/3: defined. Per-label kappas of the region pair
        // alice · carol: russia-fsu is yes for carol on a1 only and no for alice on
        // both: p_o = 1/2, p_e = (0·1 + 2·1)/4 = 1/2, κ = 0. And asia: a1 n/n, a3 y/y → 1.
        let region_pairs = &json["axes"][0]["pairs"];
        assert_eq!(region_pairs[1]["a"], "alice");
        assert_eq!(region_pairs[1]["b"], "carol");
        let per = region_pairs[1]["per_label"]
            .as_array()
            .expect("per-label kappas");
        let kappa_of = |id: &str| {
            per.iter()
                .find(|l| l["id"] == id)
                .map(|l| l["kappa"].clone())
                .expect("the id is scored")
        };
        assert_eq!(kappa_of("asia"), serde_json::json!(1.0));
        assert_eq!(kappa_of("russia-fsu"), serde_json::json!(0.0));
        // mena: a1 y/y, a3 n/n → p_o = 1, p_e = (1·1 + 1·1)/4 = 1/2 → κ = 1.
        assert_eq!(kappa_of("mena"), serde_json::json!(1.0));
        // A kappa that is undefined is null, not NaN (which JSON cannot hold).
        let lone = tempfile::tempdir().expect("temporary inbox");
        std::fs::write(lone.path().join("a.txt"), "T\n\nB.\n").expect("article");
        write(
            lone.path(),
            "a.txt",
            "alice",
            done(&["mena"], &[], Some("mixed")),
        );
        write(
            lone.path(),
            "a.txt",
            "bob",
            done(&["mena"], &[], Some("mixed")),
        );
        let inbox = Inbox::load(lone.path(), "alice").expect("inbox loads");
        let result = agreement(&inbox.entries, "alice", &Taxonomy::default(), &[]);
        let json = serde_json::to_value(report(&result, &[], &inbox.entries))
            .expect("the report serializes");
        assert!(json["axes"][2]["pairs"][0]["kappa"].is_null(), "{json}");
        assert!(json["axes"][2]["alpha"].is_null(), "{json}");
    }
}
