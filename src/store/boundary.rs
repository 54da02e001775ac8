//! The inbox is a boundary: what is read from it stays inside it.
//!
//! An inbox arrives from colleagues and scrapers (often through git), so its names
//! are untrusted. An article that is a symbolic link to `~/.ssh/id_ed25519` must not
//! end up in a title, a JSON list or an export; a named pipe named `x.txt` must not
//! hang the program; a sidecar linked to a TOML file elsewhere must not be copied into
//! the inbox by the next write. So: a symbolic link is followed only when it leads to
//! a file inside the inbox (every link of an inbox assembled from links is followed
//! with `--follow-links`), and only regular files are opened (see [`crate::files`]).

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::files;

/// `--follow-links`. A property of the whole process, chosen once on the command line
/// before anything is read, like the umask: the scan, the background loader, the
/// watcher, `triage label` and every team command read through this module, and
/// threading one flag through all of their signatures would buy nothing.
static FOLLOW_LINKS: AtomicBool = AtomicBool::new(false);

/// Lets symbolic links lead outside the inbox (`--follow-links`), for inboxes
/// assembled from links to articles kept elsewhere.
pub fn set_follow_links(follow: bool) {
    FOLLOW_LINKS.store(follow, Ordering::Relaxed);
}

/// Whether links may lead outside the inbox (see [`set_follow_links`]).
pub fn follow_links() -> bool {
    FOLLOW_LINKS.load(Ordering::Relaxed)
}

/// Why an article is not read when it is a link leading out of the inbox.
pub const OUTSIDE: &str = "it is a symbolic link to a file outside the inbox, which triage does not read (--follow-links reads such links)";

/// Opens the article at `root`/`rel`, or says why it is not read, as a sentence for
/// its row in the list. `rel` comes from a scan or the watcher and is relative.
pub fn open_article(root: &Path, rel: &Path) -> Result<File, String> {
    open_article_with(root, rel, follow_links())
}

/// [`open_article`] with the link policy given, for tests.
pub fn open_article_with(root: &Path, rel: &Path, follow: bool) -> Result<File, String> {
    let cannot = |e: io::Error| format!("cannot read it: {e}");
    let path = root.join(rel);
    let meta = fs::symlink_metadata(&path).map_err(cannot)?;
    // The scan never descends a linked folder, but the watcher may report paths
    // through one; they are links like any other.
    let through_link = meta.file_type().is_symlink() || linked_folder(root, rel);
    if !through_link {
        // The common case: one look (above) and one open, no resolving.
        if !meta.is_file() {
            return Err(cannot(files::not_regular(&meta.file_type())));
        }
        return files::open_checked(&path, false).map_err(cannot);
    }
    if follow {
        return files::open_regular(&path, true).map_err(cannot);
    }
    let target = fs::canonicalize(&path).map_err(cannot)?;
    let inbox = fs::canonicalize(root).map_err(cannot)?;
    if !target.starts_with(&inbox) {
        return Err(OUTSIDE.to_string());
    }
    // The resolved path holds no link (as of just now), so it is opened without
    // following one: a link swapped in meanwhile is refused, not followed.
    files::open_regular(&target, false).map_err(cannot)
}

/// Whether a folder between `root` and the file `rel` is a symbolic link.
fn linked_folder(root: &Path, rel: &Path) -> bool {
    let Some(parent) = rel.parent() else {
        return false;
    };
    let mut at = root.to_path_buf();
    for component in parent.components() {
        match component {
            Component::Normal(name) => at.push(name),
            // `..` or an absolute part: not a path inside the inbox; resolve it.
            _ => return true,
        }
        if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return true;
        }
    }
    false
}

/// Reads a sidecar's bytes: only a regular file, and through a symbolic link only
/// when the link leads to a file in the sidecar's own folder (or `--follow-links`).
/// A sidecar belongs beside its article, and a link to a TOML file elsewhere would
/// have its keys copied into the inbox by the next write. Errors keep their kind, so
/// a missing sidecar is still `NotFound`.
pub fn read_sidecar_file(path: &Path) -> io::Result<Vec<u8>> {
    let meta = fs::symlink_metadata(path)?;
    let is_link = meta.file_type().is_symlink();
    let file = if is_link && !follow_links() {
        let target = fs::canonicalize(path)?;
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => fs::canonicalize(p)?,
            _ => std::env::current_dir()?,
        };
        if target.parent() != Some(folder.as_path()) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "it is a symbolic link to a file outside its folder, which triage does not read (--follow-links reads such links)",
            ));
        }
        files::open_regular(&target, false)?
    } else {
        files::open_regular(path, is_link)?
    };
    let (bytes, more) = files::read_capped(file, SIDECAR_LIMIT)?;
    if more {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            "it is larger than 64 MiB, far more than any decision needs",
        ));
    }
    Ok(bytes)
}

/// The most of a sidecar that is read. A decision is a few hundred bytes; a note of
/// ten megabytes is still welcome, but a planted file of gigabytes is not read into
/// memory for every article it sits beside.
const SIDECAR_LIMIT: u64 = 64 * 1024 * 1024;

/// Checks that a configuration file of the inbox (`labels.toml`, `sources.toml`)
/// stays inside it, returning `None` when there is no such file. A file that exists
/// but is unusable is returned too, so that reading it says why rather than the
/// program silently starting without it.
pub fn inbox_file(root: &Path, name: &str) -> Result<Option<PathBuf>, String> {
    let path = root.join(name);
    let meta = match files::exists(&path) {
        Ok(Some(meta)) => meta,
        Ok(None) => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if meta.file_type().is_symlink() && !follow_links() {
        let inside = match (fs::canonicalize(&path), fs::canonicalize(root)) {
            (Ok(target), Ok(inbox)) => target.starts_with(inbox),
            // A dangling link: reading it will say so.
            _ => true,
        };
        if !inside {
            return Err(format!("cannot read {}: {}", path.display(), OUTSIDE));
        }
    }
    Ok(Some(path))
}

/// Where `path` (an article named on the command line) is in the inbox `root`, as a
/// path relative to it, or `None` when it is not in the inbox or is hidden in it (in a
/// dot-folder, or a dotfile). Both are resolved: the
/// file (or link) itself must be in the inbox, and so must the file a link leads to
/// unless `--follow-links`.
pub fn article_in_inbox(root: &Path, path: &Path) -> io::Result<Option<PathBuf>> {
    let inbox = fs::canonicalize(root)?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => fs::canonicalize(p)?,
        _ => std::env::current_dir().and_then(fs::canonicalize)?,
    };
    let Some(name) = path.file_name() else {
        return Ok(None);
    };
    let location = folder.join(name);
    let Ok(rel) = location.strip_prefix(&inbox) else {
        return Ok(None);
    };
    // Dot-folders and dotfiles are not part of the inbox (the scan leaves them out),
    // and nothing is written into them.
    let hidden = rel
        .components()
        .any(|c| c.as_os_str().as_encoded_bytes().starts_with(b"."));
    if rel.as_os_str().is_empty() || hidden {
        return Ok(None);
    }
    if !follow_links() && !fs::canonicalize(path)?.starts_with(&inbox) {
        return Ok(None);
    }
    Ok(Some(rel.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::symlink;
    use tempfile::TempDir;

    fn read(root: &Path, rel: &str, follow: bool) -> Result<String, String> {
        let mut text = String::new();
        open_article_with(root, Path::new(rel), follow)?
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
        Ok(text)
    }

    #[test]
    fn a_link_out_of_the_inbox_is_not_read_unless_links_are_followed() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().join("inbox");
        fs::create_dir(&root).expect("inbox");
        fs::write(dir.path().join("secret"), "SECRET").expect("secret");
        symlink(dir.path().join("secret"), root.join("a.txt")).expect("link");
        assert_eq!(read(&root, "a.txt", false), Err(OUTSIDE.to_string()));
        assert_eq!(read(&root, "a.txt", true).as_deref(), Ok("SECRET"));
    }

    #[test]
    fn a_link_inside_the_inbox_is_read() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path();
        fs::create_dir(root.join("sub")).expect("sub");
        fs::write(root.join("sub/real.txt"), "REAL").expect("real");
        symlink("sub/real.txt", root.join("a.txt")).expect("relative link");
        symlink(root.join("sub/real.txt"), root.join("b.txt")).expect("absolute link");
        assert_eq!(read(root, "a.txt", false).as_deref(), Ok("REAL"));
        assert_eq!(read(root, "b.txt", false).as_deref(), Ok("REAL"));
    }

    #[test]
    fn a_file_reached_through_a_linked_folder_out_of_the_inbox_is_not_read() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().join("inbox");
        let outside = dir.path().join("outside");
        fs::create_dir(&root).expect("inbox");
        fs::create_dir(&outside).expect("outside");
        fs::write(outside.join("x.txt"), "SECRET").expect("secret");
        symlink(&outside, root.join("linked")).expect("link");
        assert_eq!(read(&root, "linked/x.txt", false), Err(OUTSIDE.to_string()));
    }

    #[test]
    fn a_fifo_article_is_refused_without_blocking() {
        let dir = TempDir::new().expect("temp dir");
        files::mkfifo(&dir.path().join("pipe.txt"));
        let err = read(dir.path(), "pipe.txt", false).expect_err("refused");
        assert!(err.contains("a named pipe (FIFO)"), "{err}");
    }

    fn write_done(article: &Path) -> Result<crate::store::Sidecar, crate::store::StoreError> {
        let ctx = crate::store::WriteContext::now("abc".to_string());
        crate::store::write_edits(
            article,
            "alice",
            &[crate::store::Edit::SetStatus(crate::store::Status::Done)],
            &ctx,
        )
    }

    #[test]
    fn a_planted_lock_link_refuses_the_write_and_creates_nothing_where_it_leads() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().join("inbox");
        fs::create_dir(&root).expect("inbox");
        fs::write(root.join("a.txt"), "Title\n").expect("article");
        let target = dir.path().join("pwned");
        symlink(&target, root.join(crate::store::LOCK_FILE)).expect("link");
        let err = write_done(&root.join("a.txt")).expect_err("refused");
        assert!(
            err.to_string()
                .contains("it is a symbolic link, not a regular file"),
            "{err}"
        );
        assert!(
            fs::symlink_metadata(&target).is_err(),
            "created through the link"
        );
        assert!(!root.join("a.txt.alice.toml").exists());
    }

    #[test]
    fn a_lock_file_that_is_a_pipe_or_a_folder_refuses_the_write_without_waiting() {
        for make in [files::mkfifo as fn(&Path), |p: &Path| {
            fs::create_dir(p).expect("folder")
        }] {
            let dir = TempDir::new().expect("temp dir");
            fs::write(dir.path().join("a.txt"), "Title\n").expect("article");
            make(&dir.path().join(crate::store::LOCK_FILE));
            let err = write_done(&dir.path().join("a.txt")).expect_err("refused");
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }

    /// `create_new` (O_EXCL) never opens an existing name, so a link planted at the
    /// name of a temporary file is skipped, not followed. The names are planted for
    /// the first few thousand counter values of this process, the ones its writes use.
    #[test]
    fn a_link_planted_at_a_temporary_name_is_never_followed() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().join("inbox");
        let outside = dir.path().join("outside");
        fs::create_dir(&root).expect("inbox");
        fs::create_dir(&outside).expect("outside");
        fs::write(root.join("a.txt"), "Title\n").expect("article");
        let pid = std::process::id();
        for n in 0..3000 {
            symlink(
                outside.join(format!("t{n}")),
                root.join(format!(".a.txt.alice.toml.{pid}.{n}.tmp")),
            )
            .expect("plant a link");
        }
        write_done(&root.join("a.txt")).expect("written beside the links");
        assert_eq!(
            fs::read_dir(&outside).expect("outside").count(),
            0,
            "a file was created through a planted link"
        );
        let text = fs::read_to_string(root.join("a.txt.alice.toml")).expect("sidecar");
        assert!(text.contains("status = \"done\""), "{text}");
    }

    #[test]
    fn a_sidecar_linked_out_of_its_folder_is_not_read() {
        let dir = TempDir::new().expect("temp dir");
        let root = dir.path().join("inbox");
        fs::create_dir(&root).expect("inbox");
        fs::write(dir.path().join("other.toml"), "token = \"SECRET\"\n").expect("toml");
        let sidecar = root.join("a.txt.alice.toml");
        symlink(dir.path().join("other.toml"), &sidecar).expect("link");
        let err = read_sidecar_file(&sidecar).expect_err("refused");
        assert!(err.to_string().contains("outside its folder"), "{err}");
        files::mkfifo(&root.join("b.txt.alice.toml"));
        let err = read_sidecar_file(&root.join("b.txt.alice.toml")).expect_err("refused");
        assert!(err.to_string().contains("named pipe"), "{err}");
    }
}
