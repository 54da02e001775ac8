//! How the interactive program ends, and what it says on the way out.

/// The exit status of a quit that leaves changes unsaved (the disk refused them to
/// the end): a script or a wrapper sees that decisions shown on screen are not on disk.
pub const UNSAVED_EXIT: u8 = 3;

/// How the interactive program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The reviewer quit.
    Quit,
    /// The reviewer quit (asking twice) with changes the disk still refused.
    QuitUnsaved,
    /// A signal asked it to end (hang-up, terminate, interrupt, quit).
    Signal(i32),
    /// The terminal went away without a signal (end of file or an error reading or
    /// writing it): a dropped SSH link.
    TerminalLost,
}

impl Ending {
    /// The exit status: 0 for a quit, [`UNSAVED_EXIT`] (3) for a quit that leaves
    /// changes unsaved, 128 + the signal's number as shells report it, and 129 (like a
    /// hang-up) for a lost terminal.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Quit => 0,
            Ending::QuitUnsaved => UNSAVED_EXIT,
            Ending::Signal(sig) => u8::try_from(128 + sig).unwrap_or(1),
            Ending::TerminalLost => 129,
        }
    }
}

/// What is printed when the program ends with changes the disk refused: how many,
/// then each article with why its change is not on disk, one line each, sanitized
/// (paths and messages come from the inbox).
pub fn unsaved_report(changes: usize, articles: &[(std::path::PathBuf, String)]) -> String {
    use crate::sanitize::sanitize;
    let mut out = format!(
        "triage: {changes} change{} to {} article{} could not be saved and {} lost:\n",
        if changes == 1 { "" } else { "s" },
        articles.len(),
        if articles.len() == 1 { "" } else { "s" },
        if changes == 1 { "is" } else { "are" },
    );
    for (path, error) in articles {
        let path = path.to_string_lossy();
        out.push_str(&format!("  {}: {}\n", sanitize(&path), sanitize(error)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_unsaved_report_counts_changes_and_articles_and_sanitizes_every_line() {
        let articles = vec![
            (
                PathBuf::from("inbox/evil\u{1b}]0;owned\u{7}\nname.txt"),
                "cannot write inbox/evil.alice.toml: No space left on device.".to_string(),
            ),
            (
                PathBuf::from("inbox/b.txt"),
                "inbox/b.txt.alice.toml is read-only; not replacing it.\u{1b}[2J".to_string(),
            ),
        ];
        let report = unsaved_report(3, &articles);
        assert_eq!(
            report,
            "triage: 3 changes to 2 articles could not be saved and are lost:\n  \
             inbox/evil name.txt: cannot write inbox/evil.alice.toml: No space left on device.\n  \
             inbox/b.txt: inbox/b.txt.alice.toml is read-only; not replacing it.\n"
        );
        assert_eq!(
            unsaved_report(1, &articles[1..]).lines().next(),
            Some("triage: 1 change to 1 article could not be saved and is lost:")
        );
    }

    #[test]
    fn a_quit_with_unsaved_changes_has_its_own_exit_status() {
        assert_eq!(Ending::Quit.exit_code(), 0);
        assert_eq!(Ending::QuitUnsaved.exit_code(), 3);
        assert_eq!(UNSAVED_EXIT, 3);
        assert_eq!(Ending::Signal(libc::SIGTERM).exit_code(), 143);
        assert_eq!(Ending::TerminalLost.exit_code(), 129);
    }
}
