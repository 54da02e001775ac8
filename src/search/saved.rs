//! Saved searches: named queries a team keeps in its inbox (`queries.toml`) and a
//! reviewer keeps in the configuration folder, chosen from a list as mutt's virtual
//! mailboxes are.
//!
//! The file is a flat table of name → query (`todo-mena = "is:todo region:mena"`).
//! Each query is checked with the search prompt's own parser when the file is read,
//! so a saved search runs exactly as if it had been typed at `/` and kept. A file or a
//! query that cannot be used is one sentence naming the file and line; the other
//! searches of the file are still offered, because one typo in a colleague's line
//! should not take the whole list away. Nothing here reaches the terminal without
//! [`crate::sanitize`]: names and queries come from files anyone may have written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::labels::line_of;
use crate::sanitize::quote;

/// The file's name, in the inbox and in the configuration folder alike.
pub const FILE_NAME: &str = "queries.toml";

/// Whose file a saved search comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The inbox's `queries.toml`, shared with the team.
    Team,
    /// The reviewer's own file, which overrides the team's by name.
    Mine,
}

/// One named search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedQuery {
    /// The name as written (untrusted: sanitize before drawing).
    pub name: String,
    /// The query text, exactly what is run (untrusted: sanitize before drawing).
    pub query: String,
    pub origin: Origin,
}

/// Every saved search of a session, with what was wrong with the files and where
/// they are looked for (an empty list says where to put them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedQueries {
    /// The team's in their file's order, each replaced in place by the reviewer's
    /// search of the same name, then the reviewer's other ones in their file's order.
    pub queries: Vec<SavedQuery>,
    /// One sentence per problem, naming the file and line.
    pub problems: Vec<String>,
    /// Where the team's file is looked for.
    pub team_file: Option<PathBuf>,
    /// Where the reviewer's own file is looked for.
    pub user_file: Option<PathBuf>,
}

impl SavedQueries {
    /// Reads the team's file and the reviewer's, either of which may be missing.
    /// `team` is `Err` when the inbox's file is there but may not be read (a link out
    /// of the inbox): that is one more problem, never a reason not to start.
    pub fn load(
        team: Result<Option<PathBuf>, String>,
        team_file: PathBuf,
        user_file: Option<PathBuf>,
    ) -> SavedQueries {
        let mut saved = SavedQueries {
            team_file: Some(team_file),
            user_file: user_file.clone(),
            ..SavedQueries::default()
        };
        match team {
            Ok(Some(path)) => saved.read(&path, Origin::Team),
            Ok(None) => {}
            Err(problem) => saved.problems.push(problem),
        }
        if let Some(path) = user_file {
            saved.read(&path, Origin::Mine);
        }
        saved
    }

    /// Adds the searches of one file; a missing file adds nothing.
    fn read(&mut self, path: &Path, origin: Origin) {
        let file = path.display().to_string();
        match crate::files::read_config_file(path, crate::files::CONFIG_LIMIT) {
            Ok(text) => self.add(&text, &file, origin),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => self.problems.push(format!("cannot read {file}: {e}")),
        }
    }

    /// Adds the searches of one file's text; `file` names it in messages.
    pub fn add(&mut self, text: &str, file: &str, origin: Origin) {
        let (queries, problems) = parse(text, file, origin);
        self.problems.extend(problems);
        for query in queries {
            match self.queries.iter_mut().find(|q| q.name == query.name) {
                Some(earlier) => *earlier = query,
                None => self.queries.push(query),
            }
        }
    }
}

/// The searches of one `queries.toml` in the file's order, and a sentence for each
/// that cannot be used (the whole file, when it is not TOML).
pub fn parse(text: &str, file: &str, origin: Origin) -> (Vec<SavedQuery>, Vec<String>) {
    let at = |offset: usize| format!("{file}:{}", line_of(text, offset));
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> = match toml::from_str(text) {
        Ok(table) => table,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            return (
                Vec::new(),
                vec![format!("{}: {}", at(offset), e.message().trim())],
            );
        }
    };
    let mut pairs: Vec<_> = table.into_iter().collect();
    pairs.sort_by_key(|(name, _)| name.span().start);
    let mut queries = Vec::new();
    let mut problems = Vec::new();
    for (name, value) in pairs {
        let line = at(name.span().start);
        let name = name.into_inner();
        let query = match value.into_inner() {
            toml::Value::String(query) => query,
            other => {
                problems.push(format!(
                    "{line}: saved search {} is {} {}, not a query in quotes such as \"is:todo region:mena\"",
                    quote(&name),
                    article(other.type_str()),
                    other.type_str()
                ));
                continue;
            }
        };
        if name.trim().is_empty() {
            problems.push(format!("{line}: a saved search needs a name"));
            continue;
        }
        if query.trim().is_empty() {
            problems.push(format!("{line}: saved search {} is empty", quote(&name)));
            continue;
        }
        if let Err(e) = crate::search::parse(&query) {
            problems.push(format!("{line}: saved search {}: {e}", quote(&name)));
            continue;
        }
        queries.push(SavedQuery {
            name,
            query,
            origin,
        });
    }
    (queries, problems)
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(saved: &SavedQueries) -> Vec<(&str, &str, Origin)> {
        saved
            .queries
            .iter()
            .map(|q| (q.name.as_str(), q.query.as_str(), q.origin))
            .collect()
    }

    #[test]
    fn a_flat_table_of_names_and_queries_is_read_in_file_order() {
        let text = "# the team's searches\ntodo-mena = \"is:todo region:mena\"\n\"flagged war\" = \"is:flagged theme:war-conflict\"\nall-rt = \"src:rt.com\"\n";
        let (queries, problems) = parse(text, "inbox/queries.toml", Origin::Team);
        assert!(problems.is_empty(), "{problems:?}");
        let got: Vec<(&str, &str)> = queries
            .iter()
            .map(|q| (q.name.as_str(), q.query.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("todo-mena", "is:todo region:mena"),
                ("flagged war", "is:flagged theme:war-conflict"),
                ("all-rt", "src:rt.com"),
            ]
        );
    }

    #[test]
    fn a_malformed_query_is_one_sentence_on_its_line_and_the_others_stay() {
        let text = "ok = \"is:todo\"\nbad = \"colour:red\"\nnumber = 3\nempty = \"  \"\nalso-ok = \"region:mena\"\n";
        let (queries, problems) = parse(text, "inbox/queries.toml", Origin::Team);
        let names: Vec<&str> = queries.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, vec!["ok", "also-ok"]);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("inbox/queries.toml:2: saved search \"bad\": unknown filter"),
            "{problems:?}"
        );
        assert_eq!(
            problems[1],
            "inbox/queries.toml:3: saved search \"number\" is an integer, not a query in quotes such as \"is:todo region:mena\""
        );
        assert_eq!(
            problems[2],
            "inbox/queries.toml:4: saved search \"empty\" is empty"
        );
        for p in &problems {
            assert!(!p.contains('\n'), "one line: {p:?}");
        }
    }

    #[test]
    fn a_file_that_is_not_toml_is_one_sentence_naming_its_line() {
        let (queries, problems) = parse(
            "ok = \"is:todo\"\nbroken = \"is:done\n",
            "q.toml",
            Origin::Mine,
        );
        assert!(queries.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("q.toml:2: "), "{problems:?}");
        // A nested table is not a query either.
        let (queries, problems) = parse("[team]\nx = \"is:todo\"\n", "q.toml", Origin::Mine);
        assert!(queries.is_empty());
        assert!(problems[0].starts_with("q.toml:1: saved search \"team\" is a table"));
    }

    #[test]
    fn hostile_names_are_quoted_without_their_escape_sequences() {
        let (_, problems) = parse(
            "\"x\\u001b]0;PAYLOAD\\u0007\" = \"nope:1\"\n",
            "q.toml",
            Origin::Team,
        );
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].contains("PAYLOAD"), "{problems:?}");
        assert!(!problems[0].contains('\u{1b}'), "{problems:?}");
    }

    #[test]
    fn the_reviewers_own_search_overrides_the_teams_of_the_same_name() {
        let mut saved = SavedQueries::default();
        saved.add(
            "todo-mena = \"is:todo region:mena\"\nflagged = \"is:flagged\"\n",
            "inbox/queries.toml",
            Origin::Team,
        );
        saved.add(
            "mine = \"by:alice\"\ntodo-mena = \"is:todo region:mena theme:war-conflict\"\n",
            "~/.config/triage/queries.toml",
            Origin::Mine,
        );
        assert_eq!(
            names(&saved),
            vec![
                (
                    "todo-mena",
                    "is:todo region:mena theme:war-conflict",
                    Origin::Mine
                ),
                ("flagged", "is:flagged", Origin::Team),
                ("mine", "by:alice", Origin::Mine),
            ]
        );
    }

    #[test]
    fn missing_files_give_nothing_and_unreadable_ones_a_sentence() {
        let dir = tempfile::tempdir().expect("temp dir");
        let team = dir.path().join("queries.toml");
        let saved = SavedQueries::load(Ok(None), team.clone(), Some(dir.path().join("none.toml")));
        assert!(saved.queries.is_empty() && saved.problems.is_empty());
        assert_eq!(saved.team_file.as_deref(), Some(team.as_path()));
        // A folder where the file should be is reported, not followed.
        std::fs::create_dir(&team).expect("folder");
        let saved = SavedQueries::load(Ok(Some(team.clone())), team.clone(), None);
        assert_eq!(saved.problems.len(), 1, "{:?}", saved.problems);
        assert!(
            saved.problems[0].starts_with(&format!("cannot read {}: ", team.display())),
            "{:?}",
            saved.problems
        );
        let saved = SavedQueries::load(Err("cannot read x: outside".into()), team, None);
        assert_eq!(saved.problems, vec!["cannot read x: outside".to_string()]);
    }
}
