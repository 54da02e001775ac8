//! The team's guidelines: an inbox's `guidelines.md`, shown as text at the end of the
//! help overlay so the codebook is one key away while labeling.
//!
//! It is Markdown written for people and shown as it is written (headings keep their
//! `#`), never rendered: the point is to have it at hand, not to lay it out. It is
//! read once, up to the size limit of every configuration file, and each line is made
//! safe for the terminal here, so drawing it is only wrapping.

use std::path::Path;

use crate::sanitize::{sanitize, strip_sequences};

/// The file's name in the inbox.
pub const FILE_NAME: &str = "guidelines.md";

/// What the help overlay shows after the keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Guidelines {
    /// No `guidelines.md`: the help shows nothing more.
    #[default]
    Absent,
    /// The file's lines, sanitized.
    Text(Vec<String>),
    /// The file is there but could not be read: one sentence saying why.
    Unreadable(String),
}

impl Guidelines {
    /// Reads `path`, which the caller found in the inbox; a file gone meanwhile is
    /// absent, and one that is not a regular file, too large or not UTF-8 says so.
    pub fn read(path: &Path) -> Guidelines {
        match crate::files::read_config_file(path, crate::files::CONFIG_LIMIT) {
            Ok(text) => Guidelines::from_text(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Guidelines::Absent,
            Err(e) => Guidelines::Unreadable(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The lines of a guidelines text, each safe to draw. Escape sequences go first,
    /// whole, so that splitting into lines cannot cut one and show its payload.
    pub fn from_text(text: &str) -> Guidelines {
        let text = strip_sequences(text);
        let mut lines: Vec<String> = text.lines().map(|l| sanitize(l).into_owned()).collect();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        Guidelines::Text(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guidelines_lines_are_kept_and_made_safe() {
        let g = Guidelines::from_text(
            "# Regions\n\nMENA\tcovers Iran.\r\nNever \u{1b}]0;PAYLOAD\u{7}mind\u{202e}.\n\n\n",
        );
        assert_eq!(
            g,
            Guidelines::Text(vec![
                "# Regions".into(),
                "".into(),
                "MENA    covers Iran.".into(),
                "Never mind.".into(),
            ])
        );
    }

    #[test]
    fn a_missing_file_is_absent_and_an_unreadable_one_says_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        assert_eq!(Guidelines::read(&path), Guidelines::Absent);
        std::fs::write(&path, [0xff, 0xfe, b'x']).expect("written");
        match Guidelines::read(&path) {
            Guidelines::Unreadable(why) => {
                assert!(why.starts_with("cannot read "), "{why}");
                assert!(why.contains("not UTF-8"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }
}
