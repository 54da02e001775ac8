//! `triage label --query`: one decision for every article a search matches.
//!
//! The articles are found as `triage search` finds them ([`find_matches`]: the same
//! language, index and ranking), and each is labeled through [`label_file`], the
//! path `triage label FILE` takes, so every sidecar is byte for byte the one a
//! keystroke would write. Output follows `triage label FILE`: the path of each
//! sidecar written on stdout, one a line, in the search's order; then one line on
//! stderr says what was done. An article that cannot be labeled (its file or its
//! sidecar cannot be read) is skipped with a warning, never overwritten, and the
//! command then exits 1.

use std::io::{self, Write as _};
use std::process::ExitCode;

use crate::domain::{Decision, Edit};
use crate::sanitize::{quote, sanitize};
use crate::store::{Entry, SidecarState};
use crate::words::count;

use super::{
    Failure, LabelChanges, Labeled, Matches, Setup, find_matches, label_file, relative_to,
    search_tsv,
};

/// How `label --query` runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// Print what would change; write nothing.
    pub dry_run: bool,
    /// A query that matches every article is meant.
    pub all: bool,
}

/// What became of the matches.
#[derive(Debug, Default)]
struct Tally {
    /// Labeled (or, in a dry run, to be labeled).
    changed: usize,
    /// Already held the decision: left as they were.
    already: usize,
    /// Could not be labeled.
    skipped: usize,
}

/// Applies `changes` to every article `query` matches (see the module's doc).
pub fn label_matching(
    setup: &Setup,
    query: &str,
    changes: &LabelChanges,
    mode: Mode,
) -> Result<ExitCode, Failure> {
    // The changes first, before the inbox is read: an unknown id is the first thing
    // to fix. A label to remove must be in the taxonomy here (one the taxonomy has
    // dropped is removed one article at a time, with `triage label FILE`).
    changes.edits(&setup.taxonomy, &Decision::default())?;
    let mut matches = find_matches(setup, query)?;
    let total = matches.state.entries.len();
    let found = matches.hits.len();
    if found == 0 {
        return Err(Failure::Usage(format!(
            "the query {} matches no article, so nothing was labeled",
            quote(query)
        )));
    }
    if found == total && !mode.all {
        return Err(Failure::Usage(format!(
            "the query {} matches every article ({total}); give --all to label them all",
            quote(query)
        )));
    }
    let tally = if mode.dry_run {
        matches.fill_body_lines();
        dry_run(setup, &matches, changes)
    } else {
        apply(setup, &matches, changes)
    };
    matches.leak();
    let tally = tally?;
    let matching = count(found, "matching article", "matching articles");
    let mut said = if mode.dry_run {
        format!("dry run: would label {} of {matching}", tally.changed)
    } else {
        format!("labeled {} of {matching}", tally.changed)
    };
    if tally.already > 0 {
        let had = match (mode.dry_run, tally.already) {
            (true, 1) => "already has",
            (true, _) => "already have",
            (false, _) => "already had",
        };
        said.push_str(&format!("; {} {had} that decision", tally.already));
    }
    if tally.skipped > 0 {
        said.push_str(&format!(
            "; {} {}",
            tally.skipped,
            if mode.dry_run {
                "would be skipped"
            } else {
                "skipped"
            }
        ));
    }
    if mode.dry_run {
        said.push_str("; nothing was written");
    }
    eprintln!("triage: {said}");
    Ok(if tally.skipped > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Labels each match through `triage label FILE`'s path, printing each sidecar
/// written. A closed stdout stops the printing, not the labeling.
fn apply(setup: &Setup, matches: &Matches, changes: &LabelChanges) -> Result<Tally, Failure> {
    let mut tally = Tally::default();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut printing = true;
    for hit in &matches.hits {
        let entry = &matches.state.entries[hit.entry];
        match label_file(setup, &entry.path(), changes, None) {
            Ok(Labeled::Written(sidecar)) => {
                tally.changed += 1;
                if printing {
                    let shown = sanitize(&sidecar.to_string_lossy()).into_owned();
                    printing = writeln!(out, "{shown}").is_ok();
                }
            }
            Ok(Labeled::Unchanged(_) | Labeled::Nothing) => tally.already += 1,
            Err(failure) => {
                tally.skipped += 1;
                // The other writes are not held up by stdout.
                let _ = out.flush();
                warn_skipped(setup, &failure.to_string());
            }
        }
    }
    let _ = out.flush();
    Ok(tally)
}

/// Prints the matches that would change, as `triage search` prints them, and warns
/// about those that could not be labeled; writes nothing.
fn dry_run(setup: &Setup, matches: &Matches, changes: &LabelChanges) -> Result<Tally, Failure> {
    let mut tally = Tally::default();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut printing = true;
    for hit in &matches.hits {
        let entry = &matches.state.entries[hit.entry];
        match would_change(setup, entry, changes)? {
            Err(problem) => {
                tally.skipped += 1;
                let _ = out.flush();
                warn_skipped(setup, &problem);
            }
            Ok(false) => tally.already += 1,
            Ok(true) => {
                tally.changed += 1;
                if printing {
                    printing = writeln!(out, "{}", search_tsv(&matches.row(hit))).is_ok();
                }
            }
        }
    }
    let _ = out.flush();
    Ok(tally)
}

/// Whether labeling `entry` would write its sidecar, by the rules of
/// [`label_file`] and `store::write_edits`: a decision that changes, a first
/// sidecar that says something (a status, or labels), or a decision made again on
/// bytes that changed since. `Err` says why it would be skipped.
fn would_change(
    setup: &Setup,
    entry: &Entry,
    changes: &LabelChanges,
) -> Result<Result<bool, String>, Failure> {
    if let Some(why) = super::unlabelable(entry, &entry.path()) {
        return Ok(Err(why));
    }
    let saved = match entry.mine(&setup.reviewer) {
        SidecarState::Broken(problem) => return Ok(Err(problem.clone())),
        SidecarState::Missing => None,
        SidecarState::Saved(s) => Some(s),
    };
    let current = saved.map(|s| s.decision.clone()).unwrap_or_default();
    let edits = changes.edits(&setup.taxonomy, &current)?;
    let mut after = current.clone();
    edits.iter().for_each(|e| after.apply(e));
    Ok(Ok(match saved {
        None => !after.same_choices(&current) || changes.status.is_some(),
        Some(s) => {
            let restamp = s
                .article_sha256
                .as_deref()
                .is_some_and(|sha| sha != entry.sha256_hex())
                && edits.iter().any(|e| !matches!(e, Edit::AddSeconds(_)));
            restamp || !after.same_choices(&s.decision)
        }
    }))
}

/// One warning on stderr for an article left alone, its paths relative to the inbox.
fn warn_skipped(setup: &Setup, problem: &str) {
    eprintln!(
        "warning: skipped: {}",
        sanitize(&relative_to(&setup.inbox, problem))
    );
}
