//! Finding the articles of an inbox and the sidecars beside them.
//!
//! The scan only looks at names and file types; it reads no article. Its order —
//! relative paths compared component by component, byte by byte — is "inbox order",
//! the order lists, exports and search ties use, so that it does not depend on the
//! file system or the locale.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use crate::article::Format;

use super::sidecar::valid_reviewer;

/// One article found in the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEntry {
    /// Path relative to the inbox root: what lists and exports show.
    pub rel: PathBuf,
    /// Every reviewer's sidecar beside it (`<article file name>.<reviewer>.toml`), as
    /// (reviewer, inbox root joined with the sidecar's relative path), sorted by
    /// reviewer, so agreement and exports see all reviewers without another scan.
    pub sidecars: Vec<(String, PathBuf)>,
    /// The file's `stat` (through a link, the target's) as the scan saw it, for
    /// the index's check of whether it changed; `None` when it could not be had.
    /// Taken from the folder being listed, without walking the path again.
    pub stat: Option<crate::index::Stat>,
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Articles in inbox order.
    pub entries: Vec<ScanEntry>,
    /// One sentence per folder or file that could not be read. A shared inbox often
    /// has a folder someone else owns; that is reported, never fatal.
    pub problems: Vec<String>,
}

/// Scans an inbox recursively. Fails only when the root itself cannot be read, since
/// then there is no inbox to show.
///
/// Symlinked files are listed (an inbox may link articles in; whether one is read is
/// for [`super::boundary`] to say), but symlinked folders are never descended: that is what guarantees the scan ends, even
/// when a folder links to itself or to one of its parents, without having to track
/// the folders already seen.
pub fn scan(root: &Path) -> Result<Scan, std::io::Error> {
    let mut scan = Scan::default();
    let mut problems = Vec::new();
    scan_each(root, &mut problems, &mut |entry| {
        scan.entries.push(entry);
        true
    })?;
    problems.sort();
    scan.problems = problems;
    Ok(scan)
}

/// Walks the inbox in inbox order, handing each article to `found` as soon as its
/// folder has been read, so a caller can show the first articles of a huge inbox
/// before the walk ends. Each folder's children are sorted by name and folders are
/// visited where their name falls, which yields exactly the component-by-component
/// order of `scan`. `found` returns false to stop early.
pub fn scan_each(
    root: &Path,
    problems: &mut Vec<String>,
    found: &mut dyn FnMut(ScanEntry) -> bool,
) -> Result<(), std::io::Error> {
    // Read the root first so that its failure is the caller's error, not a problem.
    let root_listing = fs::read_dir(root)?;
    visit(root, PathBuf::new(), root_listing, problems, found);
    Ok(())
}

/// One child of a folder, in the order the walk visits them.
enum Child {
    Article(ScanEntry),
    Folder(OsString),
}

fn visit(
    root: &Path,
    rel_dir: PathBuf,
    listing: fs::ReadDir,
    problems: &mut Vec<String>,
    found: &mut dyn FnMut(ScanEntry) -> bool,
) -> bool {
    let dir = root.join(&rel_dir);
    let mut folder = read_folder(&dir, listing, problems);
    // By name: articles and folders each sorted while their names are at hand (not
    // parsed back out of paths at every comparison), then merged.
    let by_name = |a: &OsStr, b: &OsStr| a.as_encoded_bytes().cmp(b.as_encoded_bytes());
    folder.articles.sort_by(|a, b| by_name(&a.0, &b.0));
    folder.folders.sort_by(|a, b| by_name(a, b));
    let articles = group_sidecars(root, &rel_dir, folder.articles, &folder.tomls);
    let mut folders = folder.folders.into_iter().peekable();
    let mut children: Vec<Child> = Vec::with_capacity(articles.len() + folders.len());
    for article in articles {
        let name = article.rel.file_name().unwrap_or_default();
        while let Some(f) = folders.next_if(|f| by_name(f, name).is_lt()) {
            children.push(Child::Folder(f));
        }
        children.push(Child::Article(article));
    }
    children.extend(folders.map(Child::Folder));
    for child in children {
        match child {
            Child::Article(entry) => {
                if !found(entry) {
                    return false;
                }
            }
            Child::Folder(name) => {
                let rel = rel_dir.join(&name);
                match fs::read_dir(root.join(&rel)) {
                    Ok(listing) => {
                        if !visit(root, rel, listing, problems, found) {
                            return false;
                        }
                    }
                    Err(e) => problems.push(format!(
                        "cannot read folder {}: {e}",
                        root.join(&rel).display()
                    )),
                }
            }
        }
    }
    true
}

/// The names in one folder that matter to the inbox.
#[derive(Default)]
struct Folder {
    articles: Vec<(OsString, Option<crate::index::Stat>)>,
    tomls: Vec<OsString>,
    folders: Vec<OsString>,
}

fn read_folder(dir: &Path, listing: fs::ReadDir, problems: &mut Vec<String>) -> Folder {
    let mut found = Folder::default();
    for item in listing {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                problems.push(format!("cannot list folder {}: {e}", dir.display()));
                break;
            }
        };
        let name = item.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let file_type = match item.file_type() {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("cannot read {}: {e}", item.path().display()));
                continue;
            }
        };
        let mut stat = None;
        let (is_folder, is_file) = if file_type.is_symlink() {
            // Follow a link to see whether it is a file; a folder behind a link is
            // not descended (see `scan`). A dangling link with an article's name is
            // listed, so that its row can say why it cannot be read.
            match fs::metadata(item.path()) {
                Ok(target) => {
                    stat = Some(crate::index::Stat::of(&target));
                    (target.is_dir(), target.is_file())
                }
                Err(_) => (false, true),
            }
        } else if file_type.is_dir() {
            // A folder named like a sidecar (`a.txt.bob.toml/`) is still a folder to
            // walk, and also bob's sidecar of `a.txt`: one that cannot be read, which
            // must show as broken rather than vanish from bob's decisions.
            if has_extension(&name, b".toml") {
                found.tomls.push(name.clone());
            }
            found.folders.push(name);
            continue;
        } else {
            (false, file_type.is_file())
        };
        if is_folder || is_temporary(&name) {
            continue;
        }
        if has_extension(&name, b".toml") {
            if is_file {
                found.tomls.push(name);
            }
        } else if Format::from_path(Path::new(&name)).is_some() {
            // Named pipes, sockets and devices with an article's name are listed
            // too, so that their row says why they are not read (they never are).
            if stat.is_none() {
                stat = item.metadata().ok().map(|m| crate::index::Stat::of(&m));
            }
            found.articles.push((name, stat));
        }
    }
    found
}

/// The temporary files of editors and downloads, which come and go under a reviewer's
/// feet. (Dotfiles, which include our own lock and temporary files, are skipped before.)
/// Only files are tested: a folder named `2015.part` is still an inbox folder.
pub(super) fn is_temporary(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    bytes.ends_with(b"~")
        || (bytes.len() > 1 && bytes.starts_with(b"#") && bytes.ends_with(b"#"))
        || [&b".swp"[..], b".tmp", b".part", b".crdownload"]
            .iter()
            .any(|ext| has_extension(name, ext))
}

pub(super) fn has_extension(name: &OsStr, ext: &[u8]) -> bool {
    let bytes = name.as_encoded_bytes();
    bytes.len() > ext.len() && bytes[bytes.len() - ext.len()..].eq_ignore_ascii_case(ext)
}

/// Pairs each `<article>.<reviewer>.toml` of a folder with its article. Reviewer names
/// may contain dots, so every split is tried, longest article name first; the lookup
/// is by hash, so a folder of 100,000 articles costs no more than a few passes.
fn group_sidecars(
    root: &Path,
    rel_dir: &Path,
    articles: Vec<(OsString, Option<crate::index::Stat>)>,
    tomls: &[OsString],
) -> Vec<ScanEntry> {
    let index: HashMap<&[u8], usize> = articles
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_encoded_bytes(), i))
        .collect();
    let mut sidecars: Vec<Vec<(String, PathBuf)>> = vec![Vec::new(); articles.len()];
    for toml in tomls {
        let bytes = toml.as_encoded_bytes();
        let stem = &bytes[..bytes.len() - b".toml".len()];
        let dots = stem.iter().enumerate().rev().filter(|(_, b)| **b == b'.');
        for (dot, _) in dots {
            let (article, reviewer) = (&stem[..dot], &stem[dot + 1..]);
            let Some(&i) = index.get(article) else {
                continue;
            };
            // Valid reviewer names are ASCII, so this never needs a lossy conversion.
            if let Ok(reviewer) = std::str::from_utf8(reviewer)
                && valid_reviewer(reviewer)
            {
                sidecars[i].push((reviewer.to_string(), root.join(rel_dir).join(toml)));
                break;
            }
        }
    }
    articles
        .into_iter()
        .zip(sidecars)
        .map(|((name, stat), mut sidecars)| {
            sidecars.sort();
            // At its size: the entry keeps this path for the whole session.
            let mut rel = PathBuf::with_capacity(rel_dir.as_os_str().len() + 1 + name.len());
            rel.push(rel_dir);
            rel.push(name);
            ScanEntry {
                rel,
                sidecars,
                stat,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folder");
        }
        fs::write(&path, "x\n").expect("write file");
    }

    fn rels(scan: &Scan) -> Vec<String> {
        scan.entries
            .iter()
            .map(|e| e.rel.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn finds_nested_articles_in_inbox_order_and_ignores_the_rest() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        for rel in [
            "b.txt",
            "A.TXT",
            "a/z.md",
            "a/sub/c.html",
            "a-b.htm",
            "notes.markdown",
            // ignored
            ".hidden.txt",
            ".git/x.txt",
            "a/.cache/y.md",
            "notes.txt~",
            "#draft.txt#",
            "b.txt.swp",
            "c.txt.tmp",
            "d.txt.part",
            "e.txt.crdownload",
            "labels.toml",
            "image.png",
            "README",
            "a/sub/orphan.txt.alice.toml",
            // a folder is not a temporary file, whatever its name
            "old.part/d.txt",
        ] {
            touch(root, rel);
        }
        let scan = scan(root).expect("scan");
        // By components: "a" < "a-b.htm" even though '-' sorts before '/'.
        assert_eq!(
            rels(&scan),
            [
                "A.TXT",
                "a/sub/c.html",
                "a/z.md",
                "a-b.htm",
                "b.txt",
                "notes.markdown",
                "old.part/d.txt"
            ]
        );
        assert!(scan.problems.is_empty(), "{:?}", scan.problems);
    }

    #[test]
    fn sidecars_are_grouped_with_their_article() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        for rel in [
            "w/a.txt",
            "w/a.txt.bob.toml",
            "w/a.txt.alice.toml",
            "w/a.txt.bad name.toml",
            "w/a.txt..hidden.toml",
            "w/a.txt.bob.smith.toml",
            "w/a.txt.x.txt",
            "w/a.txt.x.txt.carol.toml",
            "w/b.md",
        ] {
            touch(root, rel);
        }
        let scan = scan(root).expect("scan");
        let sidecars = |rel: &str| -> Vec<(String, PathBuf)> {
            scan.entries
                .iter()
                .find(|e| e.rel == Path::new(rel))
                .map(|e| e.sidecars.clone())
                .unwrap_or_default()
        };
        let w = root.join("w");
        assert_eq!(
            sidecars("w/a.txt"),
            [
                ("alice".to_string(), w.join("a.txt.alice.toml")),
                ("bob".to_string(), w.join("a.txt.bob.toml")),
                ("bob.smith".to_string(), w.join("a.txt.bob.smith.toml")),
            ]
        );
        // The longest article name wins: carol reviewed `a.txt.x.txt`, not `a.txt`.
        assert_eq!(
            sidecars("w/a.txt.x.txt"),
            [("carol".to_string(), w.join("a.txt.x.txt.carol.toml"))]
        );
        assert_eq!(sidecars("w/b.md"), []);
        assert_eq!(rels(&scan), ["w/a.txt", "w/a.txt.x.txt", "w/b.md"]);
    }

    /// A folder named like a sidecar is that reviewer's sidecar (one that cannot be
    /// read), so it is never silently missing from their decisions; it is still
    /// walked as a folder.
    #[test]
    fn a_folder_named_like_a_sidecar_is_grouped_with_its_article() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        touch(root, "a.txt");
        touch(root, "a.txt.bob.toml/inside.txt");
        let scan = scan(root).expect("scan");
        assert_eq!(rels(&scan), ["a.txt", "a.txt.bob.toml/inside.txt"]);
        assert_eq!(
            scan.entries[0].sidecars,
            [("bob".to_string(), root.join("a.txt.bob.toml"))]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_ends_and_linked_files_are_followed() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        touch(root, "sub/a.txt");
        std::os::unix::fs::symlink("..", root.join("sub/up")).expect("symlink folder");
        std::os::unix::fs::symlink(root, root.join("self")).expect("symlink root");
        std::os::unix::fs::symlink("a.txt", root.join("sub/link.txt")).expect("symlink file");
        std::os::unix::fs::symlink("gone.txt", root.join("dangling.txt")).expect("symlink");
        let scan = scan(root).expect("scan");
        assert_eq!(rels(&scan), ["dangling.txt", "sub/a.txt", "sub/link.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_do_not_panic() {
        use std::os::unix::ffi::OsStrExt;
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        let name = OsStr::from_bytes(b"caf\xe9.txt");
        let mut sidecar = name.to_os_string();
        sidecar.push(".alice.toml");
        fs::write(root.join(name), "x").expect("write article");
        fs::write(root.join(&sidecar), "").expect("write sidecar");
        fs::write(root.join(OsStr::from_bytes(b"x.\xff.toml")), "").expect("write toml");
        fs::write(root.join(OsStr::from_bytes(b"y.t\xffxt")), "").expect("write odd");
        let scan = scan(root).expect("scan");
        assert_eq!(scan.entries.len(), 1);
        assert_eq!(scan.entries[0].rel, Path::new(name));
        assert_eq!(
            scan.entries[0].sidecars,
            [("alice".to_string(), root.join(&sidecar))]
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_folder_is_a_problem_not_a_failure() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        touch(root, "ok.txt");
        touch(root, "locked/secret.txt");
        let locked = root.join("locked");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod 000");
        // Root (and some sandboxes) can read anything; then there is nothing to test.
        let readable_anyway = fs::read_dir(&locked).is_ok();
        let result = scan(root);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
        let scan = result.expect("scan");
        if readable_anyway {
            return;
        }
        assert_eq!(rels(&scan), ["ok.txt"]);
        assert_eq!(scan.problems.len(), 1, "{:?}", scan.problems);
        assert!(
            scan.problems[0].starts_with(&format!("cannot read folder {}: ", locked.display())),
            "{:?}",
            scan.problems
        );
    }

    #[test]
    fn unreadable_root_is_an_error() {
        let dir = TempDir::new().expect("temp dir");
        assert!(scan(&dir.path().join("missing")).is_err());
    }
}
