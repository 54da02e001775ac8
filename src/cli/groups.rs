//! The copies of each story as the commands show them: the `group` of
//! `triage list --format json`, and `triage groups`.
//!
//! Which articles are copies of one story is [`crate::copies`]'s business; this
//! module names each story with an id a script can keep: the first 12 hex digits of
//! the SHA-256 of the inbox-relative path of the story's first copy in inbox order.
//! It is the same from run to run and does not depend on how many other stories
//! there are; it changes only when the story's first copy does (renamed, removed, or
//! a new copy that comes before it in inbox order).

use std::io::{self, Write as _};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::article::{Article, Format};
use crate::copies::Groups;
use crate::copies::kept::{self, Member};
use crate::index::{GROUPS, Shared};
use crate::sanitize::sanitize;
use crate::store::Entry;

use super::{Failure, ListFormat, Setup, io_failure, write_json};

/// How many hex digits of the hash make a story's id: 48 bits, so two stories of one
/// inbox share an id with odds of about one in 10¹⁴/n² (n stories).
const ID_DIGITS: usize = 12;

/// A story's id from the inbox-relative path of its first copy: the first 12 hex
/// digits of the SHA-256 of the path's bytes (as the file system has them, folders
/// separated by `/`).
pub fn group_id(rel: &Path) -> String {
    let digest = Sha256::digest(rel.as_os_str().as_encoded_bytes());
    let mut id = String::with_capacity(ID_DIGITS);
    for byte in digest.iter().take(ID_DIGITS / 2) {
        id.push_str(&format!("{byte:02x}"));
    }
    id
}

/// The stories of an inbox's entries (numbered by their index) and their ids.
pub struct Stories {
    pub groups: Groups,
    /// Each entry's story id, when it has copies.
    ids: Vec<Option<String>>,
}

impl Stories {
    /// Groups `entries` (in inbox order). Without an index (`texts` is `None`),
    /// with [`crate::copies::group`]. With one, the grouping it kept is taken when
    /// it was made from the same files, with the new ones added when they come after
    /// the rest, and made anew otherwise ([`crate::copies::kept`]); what was not taken
    /// as it was is kept for the next run and the TUI. Each way gives the stories
    /// [`crate::copies::group`] finds, so the index never changes them. Articles that
    /// cannot be read are in no story.
    pub fn find(entries: &[Entry], texts: Option<&Shared>) -> Stories {
        let groups = match texts {
            Some(texts) => kept_groups(entries, texts),
            None => crate::copies::group(&wholes(entries, None)),
        };
        let ids = ids(&groups, entries);
        Stories { groups, ids }
    }

    /// The story id of entry `i`, when it has copies.
    pub fn id_of(&self, i: usize) -> Option<&str> {
        self.ids.get(i).and_then(Option::as_deref)
    }
}

/// Every entry that can be read, whole: a full grouping reads each body several
/// times, so they are read from the index once, as before there was a kept grouping.
fn wholes(entries: &[Entry], texts: Option<&Shared>) -> Vec<(usize, Arc<Article>)> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, e.whole(texts)?)))
        .collect()
}

/// The groups of `entries` through the grouping the index `texts` kept (see
/// [`Stories::find`]).
fn kept_groups(entries: &[Entry], texts: &Shared) -> Groups {
    let members: Vec<Member> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.article.is_ok())
        .map(|(item, e)| Member {
            item,
            print: kept::print(e.rel.as_os_str().as_encoded_bytes(), e.sha256.as_ref()),
        })
        .collect();
    // Read a piece at a time into the grouper it decodes to.
    let before = texts
        .with(|i| {
            let (mut blob, len) = i.kept(GROUPS).ok_or(kept::Rebuild::Nothing)?;
            kept::decode_from(&mut blob, len).ok_or(kept::Rebuild::Unreadable)
        })
        .unwrap_or(Err(kept::Rebuild::Nothing));
    // Only the changed articles and their candidates are read, one at a time.
    let one = |i: usize| entries.get(i).and_then(|e| e.whole(Some(texts)));
    // A full build reads each body from the index as it needs it, never all at once.
    let resumed = kept::resume_kept(&members, before, &one)
        .unwrap_or_else(|why| kept::build(&members, &one, why, threads()));
    if resumed.keep {
        // A cache folder that cannot be written only means grouping again next time.
        let _ = texts.with(|i| {
            let len = kept::encoded_len(&resumed.grouper, &members);
            i.keep(GROUPS, len, |out| {
                kept::encode_into(&resumed.grouper, &members, out)
            })
        });
    }
    resumed.grouper.groups()
}

/// Each entry's story id, when it has copies: the id of its group's first member.
fn ids(groups: &Groups, entries: &[Entry]) -> Vec<Option<String>> {
    let mut ids = vec![None; entries.len()];
    for members in groups.iter() {
        let Some(first) = members.first().and_then(|&i| entries.get(i)) else {
            continue;
        };
        let id = group_id(&first.rel);
        for &i in members {
            if let Some(slot) = ids.get_mut(i) {
                *slot = Some(id.clone());
            }
        }
    }
    ids
}

/// One story of `triage groups --format json`.
#[derive(Debug, Serialize)]
pub struct StoryRow<'a> {
    pub group: &'a str,
    /// Its copies in inbox order.
    pub copies: Vec<CopyRow<'a>>,
}

/// One copy of a story.
#[derive(Debug, Serialize)]
pub struct CopyRow<'a> {
    pub file: String,
    pub title: &'a str,
    /// Where the story comes from, as the article says (`Source:`, "The original
    /// source of this article is …", a URL's domain).
    pub source: Option<&'a str>,
    /// Who published this copy.
    pub publisher: Option<&'a str>,
    pub date: Option<&'a str>,
    /// `text`, `markdown` or `html`, from the file's extension.
    pub format: Option<Format>,
}

impl CopyRow<'_> {
    fn of(e: &Entry) -> CopyRow<'_> {
        let a = e.article.as_ref().ok();
        CopyRow {
            file: e.rel.to_string_lossy().into_owned(),
            title: e.title(),
            source: a.and_then(|a| a.source.as_deref()),
            publisher: a.and_then(|a| a.publisher.as_deref()),
            date: a.and_then(|a| a.date.as_deref()),
            format: Format::from_path(&e.rel),
        }
    }

    /// The format as the TSV says it (the JSON's word).
    fn format_word(&self) -> &'static str {
        match self.format {
            Some(Format::Text) => "text",
            Some(Format::Markdown) => "markdown",
            Some(Format::Html) => "html",
            None => "",
        }
    }
}

/// `triage groups`: every story with more than one copy, in the inbox order of
/// its first copy, each copy in inbox order. TSV: one row per copy (group, file,
/// format, date, source, publisher, title; empty when unknown); JSON: an array of
/// `{group, copies: [{file, title, source, publisher, date, format}]}`. No story
/// with copies prints nothing (TSV) or `[]` (JSON).
pub fn print(setup: &Setup, format: ListFormat) -> Result<(), Failure> {
    let inbox = setup.load_inbox()?;
    let stories = Stories::find(&inbox.entries, inbox.texts.as_deref());
    let rows: Vec<StoryRow> = stories
        .groups
        .iter()
        .filter_map(|members| {
            Some(StoryRow {
                group: stories.id_of(*members.first()?)?,
                copies: members
                    .iter()
                    .filter_map(|&i| inbox.entries.get(i))
                    .map(CopyRow::of)
                    .collect(),
            })
        })
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        ListFormat::Json => write_json(&mut out, &rows)?,
        ListFormat::Tsv => {
            for story in &rows {
                for copy in &story.copies {
                    // The id is hex digits and the format a fixed word; everything
                    // else comes from a file: no value may add a column or a row.
                    let fields = [
                        story.group.to_string(),
                        sanitize(&copy.file).into_owned(),
                        copy.format_word().to_string(),
                        sanitize(copy.date.unwrap_or("")).into_owned(),
                        sanitize(copy.source.unwrap_or("")).into_owned(),
                        sanitize(copy.publisher.unwrap_or("")).into_owned(),
                        sanitize(copy.title).into_owned(),
                    ];
                    writeln!(out, "{}", fields.join("\t")).map_err(io_failure)?;
                }
            }
        }
    }
    out.flush().map_err(io_failure)
}

/// Every core: the command has the machine to itself.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |t| t.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_id_is_the_start_of_the_sha256_of_its_first_copys_path() {
        // printf 'europe/004_rail_strike_besancon.md' | sha256sum
        assert_eq!(
            group_id(Path::new("europe/004_rail_strike_besancon.md")),
            "33ea869c8942"
        );
        assert_ne!(group_id(Path::new("a.txt")), group_id(Path::new("b.txt")));
    }

    #[test]
    fn every_copy_of_a_story_gets_the_id_of_its_first_in_inbox_order() {
        let root: Arc<Path> = Arc::from(Path::new("/nowhere"));
        let entries: Vec<Entry> = ["a.txt", "b.md", "c.html", "d.txt"]
            .iter()
            .map(|rel| Entry::unread(&root, Path::new(rel)))
            .collect();
        let ids = ids(&Groups::from_lists([vec![2, 0], vec![3]]), &entries);
        let a = group_id(Path::new("a.txt"));
        assert_eq!(ids, [Some(a.clone()), None, Some(a), None]);
        // The id does not depend on the other stories.
        let more = super::ids(&Groups::from_lists([vec![1, 3], vec![0, 2]]), &entries);
        assert_eq!(more[2], ids[2]);
    }

    #[test]
    fn articles_that_cannot_be_read_are_in_no_story() {
        let root: Arc<Path> = Arc::from(Path::new("/nowhere"));
        let entries: Vec<Entry> = ["a.txt", "b.txt"]
            .iter()
            .map(|rel| Entry::unread(&root, Path::new(rel)))
            .collect();
        let found = Stories::find(&entries, None);
        assert_eq!(found.groups.count(), 0);
        assert!((0..2).all(|i| found.id_of(i).is_none()));
    }
}
