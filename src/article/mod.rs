//! Articles: what an inbox file says, read without a terminal and without writing.
//!
//! Every format is reduced to one [`Article`]: title, metadata, the article's own
//! classification (which becomes a suggestion), the story's paragraphs, and the
//! publisher's footer kept apart from the story. Parsing never fails on odd text;
//! only a file that is not text at all is refused, with the reason.

mod front;
mod html;
mod html_bounds;
mod paragraphs;
pub mod places;
mod suggest;
mod text;

use std::path::Path;

use paragraphs::{fit_list, fit_string};
use serde::Serialize;
use thin_vec::ThinVec;

pub use paragraphs::{Fields, Paragraphs};
pub use suggest::{Suggestion, Suggestions, Weaker, own_names, reliability, suggest};
pub use text::{days_in_month, normalize_date};

/// Which parser reads a file, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
}

impl Format {
    /// The format of an inbox file, or `None` for files the inbox ignores.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

/// One article as the reviewer reads it. All text is as found in the file (Markdown
/// links already reduced to their text); it is *not* sanitized for the terminal —
/// the drawing code does that, on everything, in one place.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
///
/// The lists of names (authors, the article's own regions, themes and tags, the
/// warnings) are `ThinVec`s: 8 bytes when empty, as most are, against a `Vec`'s 24
/// (some 3.5 MB less at 100,000 articles held in memory).
pub struct Article {
    /// First non-empty line (or front matter / HTML title); never empty: falls back to the file name.
    pub title: String,
    /// From a `By X` byline; several when the byline lists several.
    pub authors: ThinVec<String>,
    /// Who published this copy, e.g. `Global Research` from `Global Research, September 12, 2015`.
    pub publisher: Option<String>,
    /// Publication date as `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Where the story comes from: `The original source of this article is X`, a
    /// `Source:` header, or a URL's domain.
    pub source: Option<String>,
    pub url: Option<String>,
    /// Every `Key: value` header line before the body, in order, links as text
    /// (`("In-depth Report", "SYRIA")`).
    pub fields: Fields,
    /// The article's own region names (`Middle East & North Africa`).
    pub regions: ThinVec<String>,
    /// The article's own theme names (`US NATO War Agenda`).
    pub themes: ThinVec<String>,
    /// Other tags or categories the article gives itself.
    pub tags: ThinVec<String>,
    /// The story's paragraphs.
    pub body: Paragraphs,
    /// The publisher's footer (source line, copyright, disclaimers), by paragraph.
    pub footer: Paragraphs,
    /// Problems met while reading that did not stop it (shown on the article).
    pub warnings: ThinVec<String>,
    /// True when the bytes were not valid UTF-8 and were decoded lossily.
    pub lossy: bool,
    /// Set when `body` and `footer` were left out to save memory: the key of the
    /// article's row in the index, where they are (see [`crate::index`]).
    #[serde(skip)]
    pub held: Option<i64>,
}

impl Article {
    /// Gives back the spare capacity that building the strings left behind. Held
    /// for every article of an inbox, that slack would otherwise cost a large share
    /// of the memory budget.
    pub fn shrink_to_fit(&mut self) {
        let shrink_all = |v: &mut ThinVec<String>| {
            v.iter_mut().for_each(fit_string);
            fit_list(v);
        };
        fit_string(&mut self.title);
        shrink_all(&mut self.authors);
        for s in [
            &mut self.publisher,
            &mut self.date,
            &mut self.source,
            &mut self.url,
        ]
        .into_iter()
        .flatten()
        {
            fit_string(s);
        }
        self.fields.shrink_to_fit();
        shrink_all(&mut self.regions);
        shrink_all(&mut self.themes);
        shrink_all(&mut self.tags);
        self.body.shrink_to_fit();
        self.footer.shrink_to_fit();
        shrink_all(&mut self.warnings);
    }
}

/// Why a file could not be read as an article; shown on its row in the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArticleError {
    #[error("not a text file ({0})")]
    NotText(String),
}

/// Reads an article from its bytes. `file_name` is the title of last resort.
pub fn parse(format: Format, file_name: &str, bytes: &[u8]) -> Result<Article, ArticleError> {
    match format {
        Format::Text => text::parse(file_name, bytes),
        Format::Markdown => front::parse(file_name, bytes),
        Format::Html => html::parse(file_name, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An OSC 0 (set the window title) whose `;` a name list would split on.
    const OSC: &str = "\x1b]0;PAYLOAD, Evil & Co\x07";

    fn read(format: Format, name: &str, text: &str) -> Article {
        match parse(format, name, text.as_bytes()) {
            Ok(a) => a,
            Err(e) => panic!("{name} was refused: {e}"),
        }
    }

    fn assert_no_payload(a: &Article) {
        let all = serde_json::to_string(a).unwrap_or_default();
        assert!(!all.contains("PAYLOAD"), "{a:#?}");
        assert!(!all.contains("\\u001b"), "{a:#?}");
    }

    #[test]
    fn author_lists_never_hold_a_piece_of_an_escape_sequence() {
        let a = read(
            Format::Text,
            "a.txt",
            &format!("Title\nAuthor: Ana Ruiz; {OSC}Tom Lee\n\nThe story.\n"),
        );
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        assert_no_payload(&a);
        assert!(a.warnings.iter().any(|w| w.contains("escape sequences")));
    }

    #[test]
    fn escapes_decoded_from_front_matter_are_removed_before_names_are_split() {
        // YAML's `\e` and `\a` are ESC and BEL; TOML's `\u001b` likewise.
        let a = read(
            Format::Markdown,
            "a.md",
            "---\ntitle: \"T\\e]0;PAYLOAD\\a\"\nauthor: \"Ana Ruiz; \\e]0;PAYLOAD; x\\aTom Lee\"\n---\n\nStory.\n",
        );
        assert_eq!(a.title, "T");
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        assert_no_payload(&a);
        let a = read(
            Format::Markdown,
            "b.md",
            "+++\ntitle = \"T\"\nauthor = \"Ana Ruiz and \\u001b]0;PAYLOAD and x\\u0007Tom Lee\"\n+++\n\nStory.\n",
        );
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        assert_no_payload(&a);
    }

    #[test]
    fn character_references_in_html_are_removed_before_names_are_split() {
        let a = read(
            Format::Html,
            "a.html",
            "<title>T&#27;]0;PAYLOAD&#7;</title><meta name=\"author\" content=\"Ana Ruiz, &#27;]0;PAYLOAD, x&#7;Tom Lee\"><p>Story &#x9b;31mhere&#27;]52;c;PAYLOAD&#7;.</p>",
        );
        assert_eq!(a.authors, ["Ana Ruiz", "Tom Lee"]);
        assert_no_payload(&a);
    }

    #[test]
    fn raw_sequences_never_reach_the_title_or_the_paragraphs() {
        let a = read(
            Format::Text,
            "a.txt",
            "\x1b]0;PAYLOAD\nstill payload\x07Real title\n\nOne \x1b]52;c;PAYLOAD\n\nstill\x07two.\n",
        );
        assert_eq!(a.title, "Real title");
        assert_no_payload(&a);
    }
}
