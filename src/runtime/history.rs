//! The search prompt's history, kept between sessions outside the inbox:
//! `$XDG_STATE_HOME/triage/search_history` (usually `~/.local/state/triage/`), one
//! search per line, newest last. It belongs to the person, not to the inbox, so
//! nothing is written among the articles, and several inboxes share it.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::app::History;

/// A history file larger than this is not one this program wrote; it is ignored.
const MAX_BYTES: u64 = 1 << 20;

/// Where the history lives, or `None` when neither `XDG_STATE_HOME` (absolute) nor
/// `HOME` says.
pub fn path() -> Option<PathBuf> {
    path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

fn path_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let state = xdg_state_home
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| {
            home.filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".local").join("state"))
        })?;
    Some(state.join("triage").join("search_history"))
}

/// The searches saved by earlier sessions, oldest first. A missing, unreadable or
/// oversized file is an empty history: it is a convenience, never a reason not to start.
pub fn load(path: &Path) -> Vec<String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Vec::new();
    };
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes));
    if read.is_err() {
        return Vec::new();
    }
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Adds this session's searches to the file, on top of whatever other sessions saved
/// meanwhile, keeping the newest [`crate::app::HISTORY_LIMIT`]. Nothing is written when this
/// session kept no search.
pub fn save(path: &Path, history: &History) -> Result<(), String> {
    if history.added().is_empty() {
        return Ok(());
    }
    let mut merged = History::new(load(path));
    for search in history.added() {
        merged.push(search);
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let fail = |e: &dyn std::fmt::Display| {
        format!(
            "could not keep the search history in {}: {e}.",
            path.display()
        )
    };
    std::fs::create_dir_all(folder).map_err(|e| fail(&e))?;
    let mut text = merged.entries().join("\n");
    text.push('\n');
    crate::store::sidecar::write_atomically(folder, path, text.as_bytes()).map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_follows_xdg_state_home_then_home() {
        let p = |x: Option<&str>, h: Option<&str>| path_from(x.map(Into::into), h.map(Into::into));
        assert_eq!(
            p(Some("/s"), Some("/home/a")),
            Some(PathBuf::from("/s/triage/search_history"))
        );
        assert_eq!(
            p(Some("relative"), Some("/home/a")),
            Some(PathBuf::from("/home/a/.local/state/triage/search_history"))
        );
        assert_eq!(p(None, None), None);
    }

    #[test]
    fn saving_adds_this_sessions_searches_to_what_another_session_saved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("triage").join("search_history");
        let mut first = History::new(load(&file));
        let mut second = History::new(load(&file));
        first.push("oil");
        second.push("is:todo syria");
        second.push("oil");
        save(&file, &first).expect("saved");
        save(&file, &second).expect("saved");
        assert_eq!(load(&file), ["is:todo syria", "oil"]);
        // A session that kept nothing writes nothing.
        std::fs::remove_file(&file).expect("removed");
        save(&file, &History::new(vec!["old".into()])).expect("nothing to save");
        assert!(!file.exists());
    }
}
