//! Who labels what: `assignments.toml` in the inbox, written by `triage assign`.
//!
//! Each article goes to `overlap` different reviewers. The choice is made without a
//! server and without randomness, so two people who run `triage assign` on the same
//! inbox and the same file get the same answer byte for byte:
//!
//! - Every reviewer gets a weight per article, the first eight bytes of
//!   SHA-256(`path` `\0` `reviewer`) (rendezvous, or highest-random-weight, hashing:
//!   the weight depends on the names only, never on their order on the command line
//!   or on the machine, and std's randomized hasher is never used).
//! - New articles are taken in path order; each goes to the `overlap` reviewers with
//!   the fewest assignments so far, and among reviewers with as many, to those with
//!   the highest weight for it. So the hash decides whenever the counts leave a
//!   choice, and the counts never drift apart: **among the reviewers named, the
//!   numbers of articles differ by at most one**, counted over the whole file, as
//!   long as every run names the same reviewers and nobody edits the file by hand.
//!   A reviewer who joins later gets the new articles first until caught up (one per
//!   article at most, since an article needs different reviewers).
//! - Running it again keeps every entry as it is (hand edits included) and assigns
//!   only the articles without one. Entries of articles no longer in the inbox are
//!   kept too: an article moved away in one clone of a shared inbox may come back
//!   with the next pull, and must not come back to someone else. They count for
//!   nothing in the stats, which look only at the inbox's articles.
//!
//! The file, sorted by path so it diffs well:
//!
//! ```toml
//! # triage assignments — written by `triage assign`; ...
//! schema = 1
//! reviewers = ["alice", "bob", "carol"]   # the last run's, for the reader
//! overlap = 2
//!
//! [articles]
//! "world/000_466bdefa64880cc0.txt" = ["alice", "carol"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::domain::ReviewerName;
use crate::domain::Status;
use crate::labels::line_of;
use crate::sanitize::quote;
use crate::store::Entry;

/// The file's name in the inbox.
pub const FILE_NAME: &str = "assignments.toml";

/// The most of `assignments.toml` that is read: 100,000 articles at two reviewers
/// each is some 6 MiB; a file of more than 64 MiB is not an assignment list.
const LIMIT: u64 = 64 * 1024 * 1024;

/// The layout version written; a file with a higher one is refused rather than
/// half understood.
const SCHEMA: u32 = 1;

/// What `assignments.toml` says: who each article is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignments {
    /// Article (relative to the inbox, `/`-separated) → its reviewers, by name.
    pub articles: BTreeMap<String, Vec<ReviewerName>>,
    /// The reviewers the last run named, for a reader of the file.
    pub reviewers: Vec<ReviewerName>,
    /// The overlap the last run used, for a reader of the file.
    pub overlap: Option<usize>,
}

/// The file as written, before its names are checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    schema: Option<toml::Spanned<u32>>,
    #[serde(default)]
    reviewers: Vec<toml::Spanned<String>>,
    overlap: Option<usize>,
    #[serde(default)]
    articles: BTreeMap<String, toml::Spanned<Vec<String>>>,
}

/// The article's key in the file: its path relative to the inbox with `/` between
/// folders; `None` for a name that is not UTF-8, which TOML cannot hold.
pub fn key_of(rel: &Path) -> Option<String> {
    let text = rel.to_str()?;
    Some(if std::path::MAIN_SEPARATOR == '/' {
        text.to_string()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    })
}

/// A reviewer's weight for an article: the same on every machine and in every run.
fn weight(article: &str, reviewer: &str) -> u64 {
    let mut hash = Sha256::new();
    hash.update(article.as_bytes());
    hash.update([0]);
    hash.update(reviewer.as_bytes());
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// What [`Assignments::assign`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added {
    /// Articles that got reviewers now.
    pub new: usize,
    /// Articles of the inbox that had an entry already, kept as it was.
    pub kept: usize,
    /// Entries of articles not in the inbox now, kept (see the module's doc).
    pub absent: usize,
    /// Articles left out because their names are not UTF-8.
    pub unnamed: usize,
}

impl Assignments {
    /// Reads the inbox's `assignments.toml`; `Ok(None)` when there is none. The
    /// error is one sentence naming the file (and the line, where there is one).
    pub fn load(inbox: &Path) -> Result<Option<Assignments>, String> {
        let Some(path) = crate::store::boundary::inbox_file(inbox, FILE_NAME)? else {
            return Ok(None);
        };
        let text = crate::files::read_config_file(&path, LIMIT)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Assignments::parse(&text, &path.display().to_string()).map(Some)
    }

    /// Parses the text of an `assignments.toml`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Assignments, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = line_of(text, e.span().map_or(0, |s| s.start));
            format!("{file}:{line}: {}", e.message().trim())
        })?;
        if let Some(schema) = &raw.schema
            && *schema.get_ref() > SCHEMA
        {
            return Err(format!(
                "{file}:{}: schema {} is newer than this triage understands ({SCHEMA}); update triage",
                line_of(text, schema.span().start),
                schema.get_ref()
            ));
        }
        let name = |n: &toml::Spanned<String>| {
            ReviewerName::parse(n.get_ref()).map_err(|problem| {
                format!(
                    "{file}:{}: reviewer name {} {problem}",
                    line_of(text, n.span().start),
                    quote(n.get_ref())
                )
            })
        };
        let reviewers = raw.reviewers.iter().map(name).collect::<Result<_, _>>()?;
        let mut articles = BTreeMap::new();
        for (article, list) in raw.articles {
            // Worked out only for an error: counting lines for every article would
            // read the whole file once per article.
            let at = list.span().start;
            let line = || line_of(text, at);
            let mut names: Vec<ReviewerName> = Vec::with_capacity(list.get_ref().len());
            for n in list.into_inner() {
                let checked = ReviewerName::parse(&n).map_err(|problem| {
                    format!(
                        "{file}:{}: reviewer name {} of {} {problem}",
                        line(),
                        quote(&n),
                        quote(&article)
                    )
                })?;
                if names.contains(&checked) {
                    return Err(format!(
                        "{file}:{}: {} is named twice for {}",
                        line(),
                        quote(&n),
                        quote(&article)
                    ));
                }
                names.push(checked);
            }
            articles.insert(article, names);
        }
        Ok(Assignments {
            articles,
            reviewers,
            overlap: raw.overlap,
        })
    }

    /// The file's text: a comment, the last run's settings, then every article in
    /// path order, one per line.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# triage assignments — written by `triage assign`; who labels which article.\n\
             # Running it again keeps every line below and adds the new articles.\n",
        );
        let _ = writeln!(out, "schema = {SCHEMA}");
        let _ = writeln!(out, "reviewers = {}", list(&self.reviewers));
        if let Some(overlap) = self.overlap {
            let _ = writeln!(out, "overlap = {overlap}");
        }
        out.push_str("\n[articles]\n");
        for (article, names) in &self.articles {
            let _ = writeln!(out, "{} = {}", toml_string(article), list(names));
        }
        out
    }

    /// Gives each of `articles` (the inbox's, by [`key_of`]) without an entry
    /// `overlap` of `reviewers`, as the module's doc says. `reviewers` must be
    /// distinct and `overlap` between 1 and their number (the command line checks).
    pub fn assign(
        &mut self,
        articles: &[Option<String>],
        reviewers: &[ReviewerName],
        overlap: usize,
    ) -> Added {
        let mut added = Added::default();
        let mut team: Vec<&ReviewerName> = reviewers.iter().collect();
        team.sort();
        team.dedup();
        let overlap = overlap.clamp(1, team.len().max(1));
        let mut load: BTreeMap<&str, usize> = team.iter().map(|r| (r.as_str(), 0)).collect();
        for names in self.articles.values() {
            for n in names {
                if let Some(count) = load.get_mut(n.as_str()) {
                    *count += 1;
                }
            }
        }
        let mut present = BTreeSet::new();
        let mut new = BTreeSet::new();
        for article in articles {
            match article {
                None => added.unnamed += 1,
                Some(a) if self.articles.contains_key(a) => {
                    if present.insert(a.as_str()) {
                        added.kept += 1;
                    }
                }
                Some(a) => {
                    new.insert(a.as_str());
                }
            }
        }
        added.absent = self.articles.len() - present.len();
        let mut chosen: Vec<(String, Vec<ReviewerName>)> = Vec::with_capacity(new.len());
        for article in new {
            if team.is_empty() {
                break;
            }
            let mut ranked: Vec<(usize, std::cmp::Reverse<u64>, &ReviewerName)> = team
                .iter()
                .map(|r| {
                    let count = load.get(r.as_str()).copied().unwrap_or(0);
                    (count, std::cmp::Reverse(weight(article, r)), *r)
                })
                .collect();
            ranked.sort();
            let mut names: Vec<ReviewerName> = ranked
                .into_iter()
                .take(overlap)
                .map(|(_, _, r)| r.clone())
                .collect();
            names.sort();
            for n in &names {
                if let Some(count) = load.get_mut(n.as_str()) {
                    *count += 1;
                }
            }
            chosen.push((article.to_string(), names));
        }
        added.new = chosen.len();
        self.articles.extend(chosen);
        self.reviewers = team.into_iter().cloned().collect();
        self.overlap = Some(overlap);
        added
    }

    /// Whether `article` (by [`key_of`]) is assigned to `reviewer`.
    pub fn is_for(&self, article: &str, reviewer: &str) -> bool {
        self.articles
            .get(article)
            .is_some_and(|names| names.iter().any(|n| n.as_str() == reviewer))
    }

    /// Whether `reviewer` has any article in the file.
    pub fn has_any(&self, reviewer: &str) -> bool {
        self.articles
            .values()
            .any(|names| names.iter().any(|n| n.as_str() == reviewer))
    }

    /// Articles per reviewer over the whole file, by name.
    pub fn counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for names in self.articles.values() {
            for n in names {
                *counts.entry(n.as_str()).or_default() += 1;
            }
        }
        counts
    }
}

/// One assignee's progress through the articles assigned to them that are in the
/// inbox, for `triage stats` and the stats overlay.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssigneeStats {
    pub reviewer: String,
    /// Articles of the inbox assigned to them.
    pub assigned: usize,
    /// Of those, the ones their own sidecar says are `done`.
    pub done: usize,
    /// The rest: to do, skipped or flagged (skipped and flagged are not finished).
    pub left: usize,
}

/// Progress per assignee over `entries`, by name. A sidecar that cannot be read is
/// not done.
pub fn progress(entries: &[Entry], assignments: &Assignments) -> Vec<AssigneeStats> {
    let mut by_name: BTreeMap<&str, AssigneeStats> = BTreeMap::new();
    for entry in entries {
        let Some(names) = key_of(&entry.rel).and_then(|k| assignments.articles.get(&k)) else {
            continue;
        };
        for name in names {
            let s = by_name
                .entry(name.as_str())
                .or_insert_with(|| AssigneeStats {
                    reviewer: name.to_string(),
                    assigned: 0,
                    done: 0,
                    left: 0,
                });
            s.assigned += 1;
            let done = entry
                .sidecar_of(name)
                .sidecar()
                .is_some_and(|s| s.decision.status == Status::Done);
            if done {
                s.done += 1;
            } else {
                s.left += 1;
            }
        }
    }
    by_name.into_values().collect()
}

/// `["a", "b"]`: names need no escaping (they are checked), but are quoted as TOML.
fn list(names: &[ReviewerName]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| toml_string(n)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A string as a TOML basic string, with every character that needs it escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<ReviewerName> {
        list.iter()
            .map(|n| ReviewerName::parse(n).expect("valid name"))
            .collect()
    }

    fn paths(n: usize) -> Vec<Option<String>> {
        (0..n)
            .map(|i| Some(format!("folder{}/{i:04}_article.txt", i % 7)))
            .collect()
    }

    fn assigned(articles: &[Option<String>], team: &[&str], overlap: usize) -> Assignments {
        let mut a = Assignments::default();
        a.assign(articles, &names(team), overlap);
        a
    }

    fn spread(a: &Assignments, team: &[&str]) -> (usize, usize) {
        let counts = a.counts();
        let each: Vec<usize> = team
            .iter()
            .map(|r| counts.get(r).copied().unwrap_or(0))
            .collect();
        (
            each.iter().copied().min().unwrap_or(0),
            each.iter().copied().max().unwrap_or(0),
        )
    }

    #[test]
    fn the_same_inbox_gives_the_same_file_whatever_the_order_of_names_or_articles() {
        let articles = paths(300);
        let one = assigned(&articles, &["alice", "bob", "carol"], 2);
        let again = assigned(&articles, &["alice", "bob", "carol"], 2);
        let mut reversed = articles.clone();
        reversed.reverse();
        let other_order = assigned(&reversed, &["carol", "alice", "bob"], 2);
        assert_eq!(one.to_toml(), again.to_toml());
        assert_eq!(one.to_toml(), other_order.to_toml());
        // The weights are fixed: a known article goes to the same people forever.
        assert_eq!(weight("a.txt", "alice"), weight("a.txt", "alice"));
        assert_ne!(weight("a.txt", "alice"), weight("a.txt", "bob"));
    }

    #[test]
    fn counts_differ_by_at_most_one_for_every_team_and_overlap() {
        for team in [
            &["alice", "bob"][..],
            &["alice", "bob", "carol"],
            &["a", "b", "c", "d", "e", "f", "g"],
        ] {
            for overlap in 1..=team.len() {
                for n in [1, 2, 97, 400] {
                    let a = assigned(&paths(n), team, overlap);
                    let (min, max) = spread(&a, team);
                    assert!(
                        max - min <= 1,
                        "{team:?} overlap {overlap} n {n}: {min}..{max}"
                    );
                    assert_eq!(a.counts().values().sum::<usize>(), n * overlap);
                }
            }
        }
    }

    #[test]
    fn each_article_gets_overlap_different_reviewers_of_the_team() {
        let team = ["alice", "bob", "carol", "dave"];
        let a = assigned(&paths(300), &team, 3);
        assert_eq!(a.articles.len(), 300);
        for (article, names) in &a.articles {
            assert_eq!(names.len(), 3, "{article}");
            let distinct: BTreeSet<&str> = names.iter().map(|n| n.as_str()).collect();
            assert_eq!(distinct.len(), 3, "{article}: {names:?}");
            assert!(names.iter().all(|n| team.contains(&n.as_str())));
        }
    }

    #[test]
    fn the_hash_chooses_not_the_position_in_the_list() {
        // With overlap 1 and two reviewers, path order alone would alternate; the
        // hash decides who gets each pair's first, so both orders appear.
        let a = assigned(&paths(200), &["alice", "bob"], 1);
        let firsts: BTreeSet<&str> = a
            .articles
            .values()
            .step_by(2)
            .map(|n| n[0].as_str())
            .collect();
        assert_eq!(firsts.len(), 2, "{firsts:?}");
    }

    #[test]
    fn running_again_keeps_old_entries_and_assigns_only_new_articles() {
        let team = ["alice", "bob", "carol"];
        let first = paths(100);
        let mut a = assigned(&first, &team, 2);
        // A hand edit is kept as it is, even one the hash would never make.
        a.articles
            .insert("folder0/0000_article.txt".into(), names(&["zoe"]));
        let before = a.clone();
        let mut more = first.clone();
        more.extend((100..250).map(|i| Some(format!("later/{i}.txt"))));
        // One article left the inbox: its entry stays.
        more.retain(|p| p.as_deref() != Some("folder1/0001_article.txt"));
        let added = a.assign(&more, &names(&team), 2);
        assert_eq!(added.new, 150);
        assert_eq!(added.kept, 99);
        assert_eq!(added.absent, 1);
        for (article, names) in &before.articles {
            assert_eq!(a.articles.get(article), Some(names), "{article} moved");
        }
        assert_eq!(a.articles.len(), 250);
        let (min, max) = spread(&a, &team);
        assert!(max - min <= 1, "{min}..{max}");
        // And a third run with nothing new changes nothing.
        let text = a.to_toml();
        let added = a.assign(&more, &names(&team), 2);
        assert_eq!(added.new, 0);
        assert_eq!(a.to_toml(), text);
    }

    #[test]
    fn a_reviewer_who_joins_later_catches_up() {
        let mut a = assigned(&paths(90), &["alice", "bob"], 1);
        let mut more = paths(90);
        more.extend((0..90).map(|i| Some(format!("new/{i}.txt"))));
        a.assign(&more, &names(&["alice", "bob", "carol"]), 1);
        let counts = a.counts();
        assert_eq!(counts.get("alice"), Some(&60));
        assert_eq!(counts.get("carol"), Some(&60));
    }

    #[test]
    fn the_file_reads_back_as_written() {
        let mut articles = paths(20);
        articles.push(Some("odd \"name\"\\with\ttab.txt".into()));
        articles.push(None);
        let mut a = Assignments::default();
        let added = a.assign(&articles, &names(&["bob", "alice"]), 1);
        assert_eq!(added.unnamed, 1);
        let text = a.to_toml();
        assert!(
            text.contains("reviewers = [\"alice\", \"bob\"]\noverlap = 1\n"),
            "{text}"
        );
        let back = Assignments::parse(&text, "assignments.toml").expect("parses");
        assert_eq!(back, a);
    }

    #[test]
    fn a_damaged_file_is_one_sentence_naming_file_and_line() {
        let cases = [
            (
                "[articles]\n\"a.txt\" = [\"alice\"\n",
                "assignments.toml:2:",
            ),
            (
                "[articles]\n\"a.txt\" = [\"al ice\"]\n",
                "assignments.toml:2: reviewer name",
            ),
            (
                "[articles]\n\"a.txt\" = [\"bob\", \"bob\"]\n",
                "named twice",
            ),
            ("[article]\n", "assignments.toml:1:"),
            ("schema = 9\n", "newer than this triage"),
            ("[articles]\n\"a.txt\" = \"alice\"\n", "assignments.toml:2:"),
        ];
        for (text, said) in cases {
            let err = Assignments::parse(text, "assignments.toml").expect_err(text);
            assert!(err.contains(said), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
        // An empty list is a hand edit meaning "nobody": kept, never reassigned.
        let a = Assignments::parse("[articles]\n\"a.txt\" = []\n", "f").expect("parses");
        assert_eq!(a.articles.get("a.txt"), Some(&Vec::new()));
    }
}
