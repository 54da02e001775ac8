//! Removing the temporary files that a crashed write leaves behind.
//!
//! [`write_atomically`](super::sidecar::write_atomically) writes a sidecar to
//! `.<sidecar name>.<pid>.<counter>.tmp` and renames it over the sidecar. A process
//! killed between the two (SIGKILL, power loss, a dropped SSH link with no chance to
//! save) leaves that dotfile behind: the scan ignores it, but nothing else would ever
//! remove it, so start-up does.
//!
//! The only hard part is telling a leftover from the temporary file of a write that is
//! happening right now in another session. Process ids cannot tell them apart: several
//! machines may share the inbox over a network file system, where a pid names nothing.
//! The folder's lock can: a writer creates its temporary file only while it holds the
//! exclusive lock on [`LOCK_FILE`](super::LOCK_FILE), and the file is gone (renamed or removed) before it
//! lets go. So whatever temporary file exists while *we* hold that same lock belongs to
//! nobody alive.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::sidecar::lock_folder;

/// What [`remove_stale_temporaries`] did: how many leftovers it removed and, one
/// sentence each, what it could not look at or remove. Problems are reported rather
/// than fatal because a folder we cannot read must not stop the program from starting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub removed: usize,
    pub problems: Vec<String>,
}

/// Removes every temporary sidecar file left by a crashed write anywhere under `root`.
///
/// Each folder is read in turn (symlinked folders are not followed, so a link cannot
/// lead the clean-up outside the inbox or round in a loop, and dot-folders such as
/// `.git` are not entered, as the scan does not list them). In a folder that holds at
/// least one file named like a sidecar's temporary file
/// (`.<name>.toml.<digits>.<digits>.tmp`), it takes the exclusive lock that
/// [`write_edits`](super::sidecar::write_edits) takes, the same file opened the same
/// way, and only then removes those files: a live writer's temporary file exists only
/// while that writer holds the lock, so anything still there once we hold it was left
/// by a crash. This holds across machines sharing the inbox, where process ids would
/// mean nothing. Folders without such files are not locked, so no lock file is created
/// where nobody ever wrote. Other dotfiles and other `.tmp` files are never touched.
pub fn remove_stale_temporaries(root: &Path) -> Cleaned {
    let mut cleaned = Cleaned::default();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let mut stale = Vec::new();
        if let Err(e) = read_folder(&folder, &mut folders, &mut stale) {
            cleaned.problems.push(format!(
                "cannot read the folder {} to remove stale temporary files: {e}",
                folder.display()
            ));
        }
        if !stale.is_empty() {
            remove_under_lock(&folder, &stale, &mut cleaned);
        }
    }
    cleaned
}

/// Lists one folder: real subfolders go on `folders`, temporary sidecar files on
/// `stale`. An entry whose type cannot be read is skipped: it is neither a folder we
/// could enter nor a file we could safely remove.
fn read_folder(
    folder: &Path,
    folders: &mut Vec<PathBuf>,
    stale: &mut Vec<PathBuf>,
) -> io::Result<()> {
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // `DirEntry::file_type` does not follow symlinks, so a link is neither. Dot-
        // folders (`.git`, an editor's) are not the inbox's and are never entered:
        // triage never wrote there, so nothing there is its to remove.
        if kind.is_dir() {
            if !entry.file_name().as_encoded_bytes().starts_with(b".") {
                folders.push(entry.path());
            }
        } else if kind.is_file() && is_sidecar_temporary(&entry.file_name().to_string_lossy()) {
            stale.push(entry.path());
        }
    }
    Ok(())
}

/// Takes the folder's write lock, removes `stale`, lets go. A file already gone was
/// renamed by the writer that held the lock before us: not a leftover after all.
fn remove_under_lock(folder: &Path, stale: &[PathBuf], cleaned: &mut Cleaned) {
    let lock = match lock_folder(folder) {
        Ok(lock) => lock,
        Err(e) => {
            // Without the lock a file may belong to a live write: leave them all.
            cleaned.problems.push(format!(
                "{e}; {} stale temporary file{} left in place",
                stale.len(),
                if stale.len() == 1 { "" } else { "s" }
            ));
            return;
        }
    };
    for path in stale {
        match fs::remove_file(path) {
            Ok(()) => cleaned.removed += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => cleaned.problems.push(format!(
                "cannot remove the stale temporary file {}: {e}",
                path.display()
            )),
        }
    }
    drop(lock);
}

/// Whether `name` is exactly `.` + NAME + `.` + digits + `.` + digits + `.tmp` with
/// NAME ending in `.toml`: the name `write_atomically` gives a sidecar's temporary
/// file, and nothing looser, so that no other program's dotfile is ever removed.
fn is_sidecar_temporary(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let mut parts = inner.rsplitn(3, '.');
    let (Some(counter), Some(pid), Some(target)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(counter) && digits(pid) && target.len() > ".toml".len() && target.ends_with(".toml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LOCK_FILE;
    use std::fs::File;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    use std::time::Duration;
    use tempfile::TempDir;

    fn touch(path: &Path) {
        fs::write(path, "x").expect("write a test file");
    }

    /// The names in a folder, sorted.
    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .expect("read the test folder")
            .map(|e| {
                e.expect("a folder entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn temporary_name_pattern_is_exact() {
        let cases = [
            (".a.txt.alice.toml.123.0.tmp", true),
            (".x.toml.1.22.tmp", true),
            (".sources.toml.4242.7.tmp", true),
            ("a.txt.alice.toml.123.0.tmp", false), // not a dotfile
            (".a.txt.alice.toml.123.tmp", false),  // one number only
            (".a.txt.alice.toml.12x.0.tmp", false),
            (".a.txt.alice.toml..0.tmp", false),
            (".a.txt.alice.json.1.2.tmp", false),
            (".toml.1.2.tmp", false), // no name before .toml
            (".a.txt.alice.toml.1.2.tmp.bak", false),
            (".a.txt.alice.toml.1.2", false),
            (".editor.swp.tmp", false),
            (".triage.lock", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_sidecar_temporary(name), want, "{name}");
        }
    }

    #[test]
    fn removes_stale_sidecar_temporaries_in_every_folder() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        let nested = root.join("world").join("asia");
        fs::create_dir_all(&nested).expect("create folders");
        touch(&root.join(".a.txt.alice.toml.4242.0.tmp"));
        touch(&root.join(".a.txt.alice.toml.4242.1.tmp"));
        touch(&nested.join(".b.md.bob.toml.7.3.tmp"));

        let cleaned = remove_stale_temporaries(root);
        assert_eq!(
            cleaned,
            Cleaned {
                removed: 3,
                problems: vec![]
            }
        );
        assert_eq!(names(root), [LOCK_FILE, "world"]);
        assert_eq!(names(&nested), [LOCK_FILE]);
        // A folder that had nothing to remove gets no lock file.
        assert_eq!(names(&root.join("world")), ["asia"]);
    }

    #[test]
    fn leaves_sidecars_and_other_dotfiles_alone() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        let keep = [
            "a.txt",
            "a.txt.alice.toml",
            ".hidden.toml",
            ".notes.tmp",
            ".a.txt.alice.toml.1.tmp",
            ".a.txt.alice.yaml.1.2.tmp",
            "a.txt.alice.toml.1.2.tmp",
            ".a.txt.alice.toml.1.2.tmp~",
        ];
        for name in keep {
            touch(&root.join(name));
        }
        let cleaned = remove_stale_temporaries(root);
        assert_eq!(cleaned, Cleaned::default());
        let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(names(root), want, "nothing removed and no lock file made");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folders_are_not_followed() {
        let dir = TempDir::new().expect("temp dir");
        let inbox = dir.path().join("inbox");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&inbox).expect("create the inbox");
        fs::create_dir_all(&outside).expect("create the outside folder");
        let elsewhere = outside.join(".a.txt.alice.toml.1.2.tmp");
        touch(&elsewhere);
        std::os::unix::fs::symlink(&outside, inbox.join("link")).expect("symlink");

        let cleaned = remove_stale_temporaries(&inbox);
        assert_eq!(cleaned, Cleaned::default());
        assert!(elsewhere.exists());
        assert_eq!(names(&outside), [".a.txt.alice.toml.1.2.tmp"]);
    }

    #[test]
    fn files_inside_dot_folders_such_as_git_are_never_removed() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        let git = root.join(".git").join("objects");
        fs::create_dir_all(&git).expect("create .git");
        let inside = git.join(".a.txt.alice.toml.1.2.tmp");
        touch(&inside);
        let cleaned = remove_stale_temporaries(root);
        assert_eq!(cleaned, Cleaned::default());
        assert!(inside.exists(), "a file inside .git was removed");
        assert_eq!(
            names(&git),
            [".a.txt.alice.toml.1.2.tmp"],
            "no lock file made"
        );
    }

    #[test]
    fn waits_for_a_write_in_progress_before_removing() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().to_path_buf();
        let temp = root.join(".a.txt.alice.toml.99.0.tmp");
        touch(&temp);

        // Stand in for a live writer: hold the folder's lock.
        let lock = lock_folder(&root).expect("take the lock");

        let released = Arc::new(AtomicBool::new(false));
        let (done_tx, done_rx) = mpsc::channel();
        let cleaner = {
            let root = root.clone();
            let released = Arc::clone(&released);
            std::thread::spawn(move || {
                let cleaned = remove_stale_temporaries(&root);
                // Read as soon as the clean-up returns: it must have waited for us.
                let _ = done_tx.send(released.load(Ordering::SeqCst));
                cleaned
            })
        };
        // Give the clean-up a moment to reach the lock. If it has not by then the test
        // proves less, but it cannot fail wrongly.
        assert!(
            done_rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "the clean-up finished while a writer held the lock"
        );
        assert!(temp.exists(), "removed while a writer held the lock");
        released.store(true, Ordering::SeqCst);
        drop(lock);

        let saw_release = done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the clean-up finishes once the lock is free");
        assert!(saw_release);
        let cleaned = cleaner.join().expect("the cleaner thread");
        assert_eq!(cleaned.removed, 1);
        assert!(!temp.exists());
    }

    #[test]
    fn unreadable_roots_are_problems_not_panics() {
        let dir = TempDir::new().expect("temp dir");
        // A file where a folder should be: tests run as root, where permissions would
        // not stop a read.
        let file = dir.path().join("not-a-folder");
        File::create(&file).expect("create a file");
        let cleaned = remove_stale_temporaries(&file);
        assert_eq!(cleaned.removed, 0);
        assert_eq!(cleaned.problems.len(), 1, "{:?}", cleaned.problems);
        assert!(
            cleaned.problems[0].starts_with(&format!(
                "cannot read the folder {} to remove stale temporary files: ",
                file.display()
            )),
            "{}",
            cleaned.problems[0]
        );

        let missing = remove_stale_temporaries(&dir.path().join("missing"));
        assert_eq!(missing.problems.len(), 1, "{:?}", missing.problems);
        assert!(!missing.problems[0].contains('\n'));
    }
}
