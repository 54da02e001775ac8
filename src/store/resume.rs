//! Where a reviewer left off in an inbox, remembered between runs.
//!
//! The place is kept outside the inbox, in the reviewer's state folder
//! (`$XDG_STATE_HOME/triage/places/`, else `~/.local/state/triage/places/`), one small
//! file per inbox and reviewer: browsing writes nothing in the inbox, and two
//! programs on two inboxes never write the same file. It is only a convenience, so
//! nothing about it is ever fatal: a folder that cannot be written, or a file that is
//! missing or broken, means the program opens on the first article still to do.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sidecar::{sha256_hex, write_atomically};

/// One reviewer's place in one inbox: the file it is kept in and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file that holds it.
    pub file: PathBuf,
    /// The inbox's canonical path, as written in the file and checked on reading.
    inbox: String,
    reviewer: String,
}

/// What the file holds. The inbox and reviewer are repeated inside, so a file is
/// readable by a person and a hash collision cannot send anyone to the wrong place.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    inbox: String,
    reviewer: String,
    /// The selected article, relative to the inbox.
    article: String,
}

impl Place {
    /// The place of `reviewer` in `inbox`, under the state folder the environment
    /// names; `None` when it names none (no `XDG_STATE_HOME` and no `HOME`).
    pub fn find(inbox: &Path, reviewer: &str) -> Option<Place> {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let state = std::env::var_os("XDG_STATE_HOME").map(PathBuf::from);
        Place::under(&state_folder(state, home)?, inbox, reviewer)
    }

    /// The place of `reviewer` in `inbox`, kept under the `folder` given.
    pub fn under(folder: &Path, inbox: &Path, reviewer: &str) -> Option<Place> {
        let canonical = std::fs::canonicalize(inbox).ok()?;
        let inbox = canonical.to_string_lossy().into_owned();
        let key = sha256_hex(format!("{inbox}\0{reviewer}").as_bytes());
        Some(Place {
            file: folder.join("places").join(format!("{}.toml", &key[..32])),
            inbox,
            reviewer: reviewer.to_string(),
        })
    }

    /// The article remembered, relative to the inbox, if the file is there and is
    /// this inbox's and this reviewer's.
    pub fn read(&self) -> Option<PathBuf> {
        let text = std::fs::read_to_string(&self.file).ok()?;
        let saved: Saved = toml::from_str(&text).ok()?;
        (saved.inbox == self.inbox && saved.reviewer == self.reviewer && !saved.article.is_empty())
            .then(|| PathBuf::from(saved.article))
    }

    /// Remembers `article` (relative to the inbox), replacing the file atomically so
    /// that a crash leaves the old place or the new one.
    pub fn write(&self, article: &Path) -> Result<(), String> {
        let folder = self.file.parent().ok_or("no folder")?;
        std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
        let saved = Saved {
            inbox: self.inbox.clone(),
            reviewer: self.reviewer.clone(),
            article: article.to_string_lossy().into_owned(),
        };
        let text = toml::to_string(&saved).map_err(|e| e.to_string())?;
        write_atomically(folder, &self.file, text.as_bytes()).map_err(|e| e.to_string())
    }
}

/// `$XDG_STATE_HOME/triage`, else `~/.local/state/triage`. A relative
/// `XDG_STATE_HOME` is ignored, as the XDG base directory rules ask.
fn state_folder(state: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    match state.filter(|p| p.is_absolute()) {
        Some(state) => Some(state.join("triage")),
        None => home
            .filter(|h| !h.as_os_str().is_empty())
            .map(|h| h.join(".local").join("state").join("triage")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_folder_follows_xdg_and_falls_back_to_home() {
        assert_eq!(
            state_folder(Some("/s".into()), Some("/h".into())),
            Some(PathBuf::from("/s/triage"))
        );
        assert_eq!(
            state_folder(Some("relative".into()), Some("/h".into())),
            Some(PathBuf::from("/h/.local/state/triage"))
        );
        assert_eq!(state_folder(None, None), None);
    }

    #[test]
    fn a_place_is_kept_per_inbox_and_reviewer_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).expect("a");
        std::fs::create_dir_all(&b).expect("b");
        let state = dir.path().join("state");
        let alice_a = Place::under(&state, &a, "alice").expect("a place");
        let alice_b = Place::under(&state, &b, "alice").expect("a place");
        let bob_a = Place::under(&state, &a, "bob").expect("a place");
        assert_eq!(alice_a.read(), None);
        alice_a.write(Path::new("sub/x.txt")).expect("written");
        alice_b.write(Path::new("y.txt")).expect("written");
        assert_eq!(alice_a.read(), Some(PathBuf::from("sub/x.txt")));
        assert_eq!(alice_b.read(), Some(PathBuf::from("y.txt")));
        assert_eq!(bob_a.read(), None);
        // The same inbox by another path is the same place.
        let again = Place::under(&state, &dir.path().join("a/../a"), "alice").expect("a place");
        assert_eq!(again.read(), Some(PathBuf::from("sub/x.txt")));
    }

    #[test]
    fn a_broken_or_unwritable_place_is_no_place_and_no_failure() {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = dir.path().join("inbox");
        std::fs::create_dir_all(&inbox).expect("inbox");
        let state = dir.path().join("state");
        let place = Place::under(&state, &inbox, "alice").expect("a place");
        std::fs::create_dir_all(place.file.parent().expect("folder")).expect("folder");
        std::fs::write(&place.file, "inbox = [\u{0}not toml").expect("garbage");
        assert_eq!(place.read(), None);
        // A file where the state folder should be: writing fails with a reason.
        let blocked = dir.path().join("blocked");
        std::fs::write(&blocked, "").expect("a file");
        let nowhere = Place::under(&blocked, &inbox, "alice").expect("a place");
        assert!(nowhere.write(Path::new("x.txt")).is_err());
        assert_eq!(nowhere.read(), None);
    }
}
