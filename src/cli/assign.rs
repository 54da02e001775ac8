//! `triage assign`: who labels what, in the inbox's `assignments.toml` (see
//! [`crate::team::assign`] for the choice and the file).

use std::io::{self, Write as _};
use std::process::ExitCode;

use super::{Failure, Setup};
use crate::domain::ReviewerName;
use crate::sanitize::{quote, sanitize};
use crate::team::assign::{Assignments, FILE_NAME, key_of};
use crate::words::count;

/// Checks the reviewers and the overlap (bad usage, exit 2), then, under the inbox's
/// lock, reads the file (a damaged one is never overwritten), assigns the articles
/// without an entry and writes it atomically, like a sidecar.
pub fn run(setup: &Setup, reviewers: &[String], overlap: usize) -> Result<ExitCode, Failure> {
    let team = team(reviewers)?;
    if overlap == 0 || overlap > team.len() {
        return Err(Failure::Usage(format!(
            "--overlap must be between 1 and the number of reviewers ({}), not {overlap}",
            team.len()
        )));
    }
    if !setup.inbox.is_dir() {
        return Err(setup.missing_inbox());
    }
    let scan = crate::store::scan(&setup.inbox).map_err(|e| {
        Failure::Problem(format!(
            "cannot read the inbox {}: {e}",
            setup.inbox.display()
        ))
    })?;
    let articles: Vec<Option<String>> = scan.entries.iter().map(|e| key_of(&e.rel)).collect();
    let target = setup.inbox.join(FILE_NAME);
    // Read and written under the folder's lock, so two runs at once cannot lose
    // each other's articles, and the clean-up of crashed writes never takes this
    // one's temporary file for a leftover.
    let lock = crate::store::sidecar::lock_folder(&setup.inbox)
        .map_err(|e| Failure::Problem(e.to_string()))?;
    let mut assignments = Assignments::load(&setup.inbox)
        .map_err(|e| Failure::Problem(format!("{e}; fix it or remove it, it is left as it is")))?
        .unwrap_or_default();
    let before = assignments.to_toml();
    let added = assignments.assign(&articles, &team, overlap);
    let text = assignments.to_toml();
    if text != before || !target.exists() {
        crate::store::sidecar::write_atomically(&setup.inbox, &target, text.as_bytes())
            .map_err(|e| Failure::Problem(e.to_string()))?;
    }
    drop(lock);

    let counts = assignments.counts();
    let each: Vec<String> = team
        .iter()
        .map(|r| format!("{r} {}", counts.get(r.as_str()).copied().unwrap_or(0)))
        .collect();
    let mut line = format!(
        "{}: {} assigned now, {} kept as they were",
        sanitize(&target.to_string_lossy()),
        count(added.new, "article", "articles"),
        added.kept
    );
    if added.absent > 0 {
        line.push_str(&format!(
            ", {} no longer in the inbox kept",
            count(added.absent, "entry", "entries")
        ));
    }
    line.push_str(&format!("; {}", each.join(", ")));
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    if added.unnamed > 0 {
        eprintln!(
            "triage: warning: {} left unassigned: their names are not UTF-8, which assignments.toml cannot hold",
            count(added.unnamed, "article", "articles")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The reviewers as checked names, each once; any problem is bad usage.
fn team(reviewers: &[String]) -> Result<Vec<ReviewerName>, Failure> {
    let mut team: Vec<ReviewerName> = Vec::with_capacity(reviewers.len());
    for name in reviewers {
        let checked = ReviewerName::parse(name).map_err(|problem| {
            Failure::Usage(format!(
                "--reviewers: reviewer name {} {problem}",
                quote(name)
            ))
        })?;
        if team.contains(&checked) {
            return Err(Failure::Usage(format!(
                "--reviewers names {} twice",
                quote(name)
            )));
        }
        team.push(checked);
    }
    if team.is_empty() {
        return Err(Failure::Usage("--reviewers needs at least one name".into()));
    }
    Ok(team)
}
