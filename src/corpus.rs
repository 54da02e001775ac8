//! A deterministic corpus of made-up articles, for benchmarks and big-inbox tests.
//!
//! Search and start-up have to be measured on inboxes far bigger than anyone will
//! commit, so this module makes them up: `article(seed, i)` is a pure function of its
//! two arguments, which lets a benchmark build any slice of a 100,000-article inbox in
//! memory, and lets [`write`] put the very same articles on disk.
//!
//! The articles imitate a real scrape closely enough to exercise every code path that
//! matters: about 60% `.txt` in the exported shape of the seed article, 30% `.md` with
//! `Key: value` headers and 10% `.html` pages; titles of 6–14 words (about 3% with an
//! accented, Cyrillic or CJK word); some 200 publishers, some far more frequent than
//! others; dates from 2015 to 2026; region and theme names taken from the default
//! taxonomy's names and aliases, so that suggestions fire; bodies of 4–6 KB in which a
//! handful of [`RARE_WORDS`] appear with known frequencies, so that body queries have
//! realistic selectivity. Everything is invented from word lists: no real reporting
//! is quoted.

use std::fmt::Write as _;
use std::path::Path;

/// One generated article: its file name (with extension) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub name: String,
    pub text: String,
}

/// Words that only some articles mention, with how many articles in 10,000 mention
/// them (in the body, and then sometimes in the title). Benchmarks use them as body
/// queries of known selectivity: from one article in ten down to one in a thousand.
pub const RARE_WORDS: [(&str, u32); 5] = [
    ("pipeline", 1000),
    ("sanctions", 400),
    ("ceasefire", 150),
    ("referendum", 50),
    ("desalination", 10),
];

/// How many articles go into one subfolder, so that no folder grows so big that
/// listing it becomes the thing being measured.
pub const PER_FOLDER: usize = 1000;

/// The i-th article of the corpus for `seed` — the same (seed, i) always gives the
/// same article, so benches and tests can build any slice of a corpus without
/// writing it.
pub fn article(seed: u64, i: usize) -> Generated {
    let mut buffers = Buffers::default();
    generate(seed, i, &mut buffers);
    Generated {
        name: buffers.name,
        text: buffers.text,
    }
}

/// Writes articles 0..n into dir (subfolders of 1,000), returning (files, bytes).
/// Article `i` goes to `dir/{i / 1000:04}/`, so that sorting paths gives generation
/// order; existing files of the same name are replaced.
pub fn write(dir: &Path, n: usize, seed: u64) -> std::io::Result<(usize, u64)> {
    std::fs::create_dir_all(dir)?;
    let mut buffers = Buffers::default();
    let mut path = dir.to_path_buf();
    let mut bytes = 0u64;
    for i in 0..n {
        if i % PER_FOLDER == 0 {
            path = dir.join(format!("{:04}", i / PER_FOLDER));
            std::fs::create_dir_all(&path)?;
        }
        generate(seed, i, &mut buffers);
        path.push(&buffers.name);
        let written = std::fs::write(&path, buffers.text.as_bytes());
        path.pop();
        written?;
        bytes += buffers.text.len() as u64;
    }
    Ok((n, bytes))
}

// ---------------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, and good enough to make text look varied. Each article
/// gets its own stream keyed on (seed, i), so articles never depend on each other.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, i: usize) -> Rng {
        let key = mix(seed ^ 0x5851_F42D_4C95_7F2D);
        Rng(mix(
            key ^ mix((i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15))
        ))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `per_10k` times in 10,000.
    fn chance(&mut self, per_10k: u32) -> bool {
        self.below(10_000) < per_10k as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index in `0..n` where small indices are likelier (the smaller of two draws),
    /// the way a few outlets supply much of any scrape.
    fn skewed(&mut self, n: usize) -> usize {
        self.below(n).min(self.below(n))
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------
// Generation

/// Buffers reused from one article to the next, so that writing a big corpus does not
/// allocate per article.
#[derive(Default)]
struct Buffers {
    name: String,
    text: String,
    title: String,
    tail: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Markdown,
    Html,
}

/// What one article is about; the sentences come back to it so that a body reads as
/// one story rather than a shuffle.
struct Story {
    place: &'static str,
    actor: &'static str,
    topic: &'static str,
    year: usize,
    month: usize,
    day: usize,
    publisher: usize,
    source: usize,
    authors: [(usize, usize); 2],
    author_count: usize,
    /// Indices into [`RARE_WORDS`] that this article mentions.
    rare: Vec<usize>,
}

struct Gen {
    rng: Rng,
    story: Story,
    /// Other places in a title stay ASCII, so that the share of non-ASCII titles is
    /// the share of stories set in such a place.
    in_title: bool,
}

/// Writes article `i` into `buffers` and returns what it is about (which tests check
/// the text against).
fn generate(seed: u64, i: usize, buffers: &mut Buffers) -> Story {
    let mut rng = Rng::new(seed, i);
    let kind = match rng.below(10) {
        0..=5 => Kind::Text,
        6..=8 => Kind::Markdown,
        _ => Kind::Html,
    };
    let rare: Vec<usize> = (0..RARE_WORDS.len())
        .filter(|&k| rng.chance(RARE_WORDS[k].1))
        .collect();
    let topic = match rare.first() {
        Some(&k) if rng.below(2) == 0 => rng.pick(RARE_TOPICS[k]),
        _ => rng.pick(TOPICS),
    };
    let year = rng.range(2015, 2026);
    let month = rng.range(1, 12);
    let days = crate::article::days_in_month(year as u32, month as u32) as usize;
    let day = rng.range(1, days);
    let publisher = rng.skewed(OUTLET_COUNT);
    let source = if rng.below(2) == 0 {
        publisher
    } else {
        rng.skewed(OUTLET_COUNT)
    };
    let author_count = if rng.below(6) == 0 { 2 } else { 1 };
    let authors = [
        (rng.below(FIRST_NAMES.len()), rng.below(LAST_NAMES.len())),
        (rng.below(FIRST_NAMES.len()), rng.below(LAST_NAMES.len())),
    ];
    let story = Story {
        place: if rng.chance(300) {
            rng.pick(EXOTIC_PLACES)
        } else {
            rng.pick(PLACES)
        },
        actor: rng.pick(ACTORS),
        topic,
        year,
        month,
        day,
        publisher,
        source,
        authors,
        author_count,
        rare,
    };
    let mut g = Gen {
        rng,
        story,
        in_title: false,
    };
    let Buffers {
        name,
        text,
        title,
        tail,
    } = buffers;
    g.title(title);

    name.clear();
    let _ = write!(name, "{i:06}_");
    push_slug(name, title);
    name.push_str(match kind {
        Kind::Text => ".txt",
        Kind::Markdown => ".md",
        Kind::Html => ".html",
    });

    // Whole files of 4,000–6,000 bytes: 5 KB on average.
    let target = g.rng.range(4000, 6000);
    text.clear();
    tail.clear();
    match kind {
        Kind::Text => {
            g.text_header(title, text);
            g.text_footer(tail);
        }
        Kind::Markdown => g.markdown_header(title, text),
        Kind::Html => {
            g.html_header(title, text);
            g.html_footer(tail);
        }
    }
    g.body(kind, target.saturating_sub(tail.len()), text);
    text.push_str(tail);
    g.story
}

impl Gen {
    // -- Titles -------------------------------------------------------------------

    /// A headline of 6–14 words. Every template names the story's place, so the 3% of
    /// stories set in an accented, Cyrillic or CJK place give titles that exercise
    /// highlighting and folding.
    fn title(&mut self, out: &mut String) {
        self.in_title = true;
        let mut words = 0;
        // Long fillers can overflow a template; another template reads better than a
        // headline cut mid-phrase, which is kept only as the last resort.
        for _ in 0..8 {
            out.clear();
            let template = self.rng.pick(TITLE_TEMPLATES);
            self.expand(template, out);
            words = out.split_whitespace().count();
            while words < 6 {
                out.push_str(", ");
                let tail = self.rng.pick(TAILS);
                self.expand(tail, out);
                words = out.split_whitespace().count();
            }
            if words <= 14 {
                break;
            }
        }
        self.in_title = false;
        if words > 14 {
            let cut = out
                .split_whitespace()
                .nth(14)
                .map(|w| w.as_ptr() as usize - out.as_ptr() as usize);
            if let Some(cut) = cut {
                out.truncate(cut);
            }
            loop {
                let trimmed = out.trim_end_matches([' ', ',', ':']).len();
                out.truncate(trimmed);
                match out.rsplit_once(' ') {
                    Some((head, last)) if DANGLING.contains(&last) => {
                        let keep = head.len();
                        out.truncate(keep);
                    }
                    _ => break,
                }
            }
        }
        capitalize_at(out, 0);
    }

    // -- Headers and footers ------------------------------------------------------

    /// The exported shape of the seed article: title, `By [..](#)`,
    /// `Publisher, Month D, YYYY`, sometimes a dateline, `Region:`/`Theme:` links.
    fn text_header(&mut self, title: &str, out: &mut String) {
        let s = &self.story;
        let publisher = Outlet(s.publisher);
        let source = Outlet(s.source);
        out.push_str("\n\n");
        out.push_str(title);
        out.push_str("\n\nBy ");
        if s.source != s.publisher && self.rng.below(4) == 0 {
            // Agency copy: the byline names the outlet, as in the seed.
            let _ = write!(out, "[{source}](#)");
        } else {
            self.push_authors(out, true);
        }
        let _ = write!(
            out,
            "\n\n{publisher}, {} {}, {}\n\n",
            MONTHS[s.month - 1],
            s.day,
            s.year
        );
        if self.rng.below(3) == 0 {
            let s = &self.story;
            let _ = write!(
                out,
                "[{source}](#) {} {} {}\n\n",
                s.day,
                MONTHS[s.month - 1],
                s.year
            );
        }
        out.push_str("Region: ");
        self.push_labels(Facet::Region, "[", "](#)", out);
        out.push_str("\n\nTheme: ");
        self.push_labels(Facet::Theme, "[", "](#)", out);
        out.push_str("\n\n");
        if self.rng.below(6) == 0 {
            out.push_str("In-depth Report: [");
            let place = self.story.place;
            for c in place.chars() {
                out.extend(c.to_uppercase());
            }
            out.push_str("](#)\n\n");
        }
    }

    /// The republisher's footer: original source, copyright, often a disclaimer.
    fn text_footer(&mut self, out: &mut String) {
        let s = &self.story;
        let publisher = Outlet(s.publisher);
        let source = Outlet(s.source);
        let _ = write!(
            out,
            "\n\nThe original source of this article is [{source}](#)\n\nCopyright © "
        );
        self.push_authors(out, true);
        let _ = write!(out, ", [{source}](#), {}\n\n", self.story.year);
        if self.rng.below(2) == 0 {
            let _ = write!(
                out,
                "[Comment on {publisher} articles on our Facebook page](#)\n\n[Become a Member of {publisher}](#)\n\nArticles by: "
            );
            self.push_authors(out, true);
            out.push_str("\n\n");
        }
        if self.rng.below(5) < 3 {
            let _ = write!(
                out,
                "Disclaimer: The views expressed in this article belong to its author(s) alone. \
                 {publisher} does not vouch for the accuracy of any statement made here and \
                 accepts no liability for it. Articles may be reposted on non-commercial sites \
                 provided the source and copyright are acknowledged with a link to the original \
                 {publisher} article. For reprints in print or on commercial sites, ask \
                 permission first.\n\n"
            );
        }
        out.push_str("For media inquiries: editors@");
        Outlet(s.publisher).push_domain(out);
        out.push('\n');
    }

    /// `# Title`, `By Name`, then `Key: value` lines.
    fn markdown_header(&mut self, title: &str, out: &mut String) {
        out.push_str("# ");
        out.push_str(title);
        out.push_str("\n\nBy ");
        self.push_authors(out, false);
        let s = &self.story;
        out.push_str("\n\nSource: ");
        Outlet(s.source).push_domain(out);
        let _ = write!(
            out,
            "\nDate: {:04}-{:02}-{:02}\nRegion: ",
            s.year, s.month, s.day
        );
        self.push_labels(Facet::Region, "", "", out);
        out.push_str("\nTheme: ");
        self.push_labels(Facet::Theme, "", "", out);
        if self.rng.below(3) == 0 {
            out.push_str("\nTags: ");
            let first = self.rng.pick(TAGS);
            let second = self.rng.pick(TAGS);
            out.push_str(first);
            if second != first {
                out.push_str(", ");
                out.push_str(second);
            }
        }
        out.push_str("\n\n");
    }

    /// A simple page: what a saved news page keeps once scripts are gone.
    fn html_header(&mut self, title: &str, out: &mut String) {
        let s = &self.story;
        let site = Outlet(s.publisher);
        out.push_str(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
        );
        push_escaped(out, title);
        let _ = write!(
            out,
            " | {site}</title>\n<meta property=\"og:title\" content=\""
        );
        push_escaped(out, title);
        let _ = write!(
            out,
            "\">\n<meta property=\"og:site_name\" content=\"{site}\">\n<meta property=\"og:url\" content=\"https://www."
        );
        Outlet(s.publisher).push_domain(out);
        let _ = write!(out, "/{:04}/{:02}/", s.year, s.month);
        push_slug(out, title);
        let _ = write!(
            out,
            "\">\n<meta property=\"article:published_time\" content=\"{:04}-{:02}-{:02}T{:02}:{:02}:00Z\">\n<meta name=\"author\" content=\"",
            s.year,
            s.month,
            s.day,
            self.rng.below(24),
            self.rng.below(60)
        );
        self.push_authors(out, false);
        out.push_str("\">\n<meta name=\"keywords\" content=\"");
        let mut labels = String::new();
        self.push_labels(Facet::Region, "", "", &mut labels);
        labels.push_str(", ");
        self.push_labels(Facet::Theme, "", "", &mut labels);
        push_escaped(out, &labels);
        out.push_str("\">\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n</head>\n<body>\n<nav class=\"site-nav\">");
        for section in NAV_SECTIONS {
            let _ = write!(
                out,
                "<a href=\"/{}\">{section}</a> ",
                section.to_ascii_lowercase()
            );
        }
        out.push_str("</nav>\n<main>\n<article>\n<h1>");
        push_escaped(out, title);
        out.push_str("</h1>\n<p class=\"byline\">By ");
        self.push_authors(out, false);
        let s = &self.story;
        let _ = write!(
            out,
            "</p>\n<time datetime=\"{:04}-{:02}-{:02}\">{} {}, {}</time>\n",
            s.year,
            s.month,
            s.day,
            MONTHS[s.month - 1],
            s.day,
            s.year
        );
    }

    fn html_footer(&mut self, out: &mut String) {
        let s = &self.story;
        let _ = write!(
            out,
            "</article>\n</main>\n<footer>\n<p>© {} {}. All rights reserved.</p>\n<p><a href=\"/about\">About us</a> · <a href=\"/privacy\">Privacy</a> · <a href=\"/contact\">Contact</a></p>\n</footer>\n<script src=\"/static/site.js\"></script>\n</body>\n</html>\n",
            s.year,
            Outlet(s.publisher)
        );
    }

    /// `Anna Silva` or `Anna Silva and Kofi Park`, as Markdown links when `linked`.
    fn push_authors(&self, out: &mut String, linked: bool) {
        for (n, &(first, last)) in self.story.authors[..self.story.author_count]
            .iter()
            .enumerate()
        {
            if n > 0 {
                out.push_str(" and ");
            }
            if linked {
                out.push('[');
            }
            out.push_str(FIRST_NAMES[first]);
            out.push(' ');
            out.push_str(LAST_NAMES[last]);
            if linked {
                out.push_str("](#)");
            }
        }
    }

    /// One to three labels of an axis, comma-separated, each spelled as the label's
    /// name or one of its aliases; now and then a name no label knows.
    fn push_labels(&mut self, facet: Facet, open: &str, close: &str, out: &mut String) {
        let (groups, unknown, most) = match facet {
            Facet::Region => (REGIONS, UNKNOWN_REGIONS, 3),
            Facet::Theme => (THEMES, UNKNOWN_THEMES, 2),
        };
        let count = match self.rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => most,
        };
        let mut chosen = [usize::MAX; 3];
        if facet == Facet::Theme
            && let Some(&k) = self.story.rare.first()
        {
            chosen[0] = RARE_THEME[k];
        }
        for slot in 0..count {
            if chosen[slot] == usize::MAX {
                let mut g = self.rng.below(groups.len());
                while chosen[..slot].contains(&g) {
                    g = (g + 1) % groups.len();
                }
                chosen[slot] = g;
            }
            if slot > 0 {
                out.push_str(", ");
            }
            out.push_str(open);
            let group = groups[chosen[slot]];
            let name = if self.rng.chance(400) {
                self.rng.pick(unknown)
            } else if self.rng.below(2) == 0 {
                group[0]
            } else {
                self.rng.pick(group)
            };
            out.push_str(name);
            out.push_str(close);
        }
    }

    // -- Bodies -------------------------------------------------------------------

    /// Paragraphs of two to five sentences until `out` reaches `target` bytes. The
    /// article's rare words each get a sentence early on and more later.
    fn body(&mut self, kind: Kind, target: usize, out: &mut String) {
        let mut rare_queue: Vec<(usize, usize)> = Vec::new();
        let mentions = self.rng.range(2, 4);
        for round in 0..mentions {
            for &k in &self.story.rare {
                rare_queue.push((k, round));
            }
        }
        rare_queue.reverse();
        let mut paragraph = 0;
        let mut tweeted = kind != Kind::Text || self.rng.below(5) != 0;
        let mut headed = kind != Kind::Markdown || self.rng.below(5) < 3;
        while out.len() < target {
            if !headed && paragraph == 3 {
                out.push_str("## ");
                out.push_str(self.rng.pick(SUBHEADINGS));
                out.push_str("\n\n");
                headed = true;
            }
            if !tweeted && paragraph == 2 {
                self.tweet(out);
                tweeted = true;
            }
            if kind == Kind::Html {
                out.push_str("<p>");
            }
            let sentences = self.rng.range(2, 5);
            for n in 0..sentences {
                if n > 0 {
                    out.push(' ');
                }
                let templates = if n == 1
                    && let Some((k, _)) = rare_queue.pop()
                {
                    RARE_SENTENCES[k]
                } else if paragraph == 0 && n == 0 {
                    LEADS
                } else if self.rng.below(8) == 0 {
                    QUOTE_SENTENCES
                } else {
                    SENTENCES
                };
                self.sentence(templates, out);
            }
            out.push_str(if kind == Kind::Html { "</p>\n" } else { "\n\n" });
            paragraph += 1;
        }
        // Short bodies still mention every rare word the article was given.
        for (k, _) in rare_queue.into_iter().rev() {
            if kind == Kind::Html {
                out.push_str("<p>");
            }
            self.sentence(RARE_SENTENCES[k], out);
            out.push_str(if kind == Kind::Html { "</p>\n" } else { "\n\n" });
        }
    }

    /// An embedded post, as exported pages keep them: a line of text with links, then
    /// an attribution line with a linked date.
    fn tweet(&mut self, out: &mut String) {
        self.sentence(SENTENCES, out);
        out.push_str(" <https://t.co/");
        self.push_token(out);
        out.push_str("> pic.twitter.com/");
        self.push_token(out);
        let s = &self.story;
        let source = Outlet(s.source);
        let handle = source.handle();
        let day = self.rng.range(1, s.day.max(1));
        let _ = write!(
            out,
            "\n\n— {source} (@{handle}) [{} {day}, {}](#)\n\n",
            MONTHS[s.month - 1],
            s.year
        );
    }

    fn push_token(&mut self, out: &mut String) {
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        for _ in 0..10 {
            out.push(char::from(self.rng.pick(ALPHABET)));
        }
    }

    // -- Templates ----------------------------------------------------------------

    /// One of `templates`, filled in, starting with a capital.
    fn sentence(&mut self, templates: &[&str], out: &mut String) {
        let start = out.len();
        let template = self.rng.pick(templates);
        self.expand(template, out);
        capitalize_at(out, start);
    }

    /// Fills a template's `%x` slots (see [`SENTENCES`] for the codes).
    fn expand(&mut self, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            let code = rest.as_bytes().get(at + 1).copied().unwrap_or(b'%');
            self.slot(code, out);
            rest = rest.get(at + 2..).unwrap_or("");
        }
        out.push_str(rest);
    }

    fn slot(&mut self, code: u8, out: &mut String) {
        let s = &self.story;
        match code {
            b'P' => out.push_str(s.place),
            b'A' => out.push_str(s.actor),
            b'T' => out.push_str(s.topic),
            b'p' => {
                let place = if !self.in_title && self.rng.chance(150) {
                    self.rng.pick(EXOTIC_PLACES)
                } else {
                    self.rng.pick(PLACES)
                };
                out.push_str(place);
            }
            b'a' => out.push_str(self.rng.pick(ACTORS)),
            b't' => out.push_str(self.rng.pick(TOPICS)),
            b'V' => out.push_str(self.rng.pick(VERBS)),
            b'E' => out.push_str(self.rng.pick(EVENTS)),
            b'c' => out.push_str(self.rng.pick(GROUPS)),
            b'o' => out.push_str(self.rng.pick(OFFICIALS)),
            b'O' => out.push_str(self.rng.pick(ORDINALS)),
            b'Q' => out.push_str(self.rng.pick(QUOTES)),
            b'L' => out.push_str(self.rng.pick(TAIL_WORDS)),
            b'S' => {
                let _ = write!(out, "{}", Outlet(self.rng.skewed(OUTLET_COUNT)));
            }
            b'R' => {
                out.push_str(self.rng.pick(FIRST_NAMES));
                out.push(' ');
                out.push_str(self.rng.pick(LAST_NAMES));
            }
            b'M' => out.push_str(MONTHS[self.rng.below(12)]),
            b'W' => out.push_str(self.rng.pick(WEEKDAYS)),
            b'N' => {
                let n = self.rng.range(3, 95);
                let _ = write!(out, "{n}");
            }
            b'n' => {
                let n = self.rng.range(2, 12);
                let _ = write!(out, "{n}");
            }
            b'Y' => {
                let year = s.year - self.rng.range(1, 6);
                let _ = write!(out, "{year}");
            }
            _ => out.push('%'),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Facet {
    Region,
    Theme,
}

// ---------------------------------------------------------------------------------
// Text helpers

/// Upper-cases the ASCII letter at `start`, if there is one (Cyrillic and CJK place
/// names are already written as they should be).
fn capitalize_at(out: &mut str, start: usize) {
    if let Some(first) = out.get_mut(start..start + 1) {
        first.make_ascii_uppercase();
    }
}

/// An ASCII file-name slug of at most 40 bytes: lowercase words joined by `_`, common
/// accented letters folded, other scripts dropped.
fn push_slug(out: &mut String, title: &str) {
    let start = out.len();
    let mut gap = false;
    for c in title.chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            if gap && out.len() > start {
                out.push('_');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else if c != '\'' {
            gap = true;
        }
        if out.len() - start >= 40 {
            break;
        }
    }
    out.truncate(start + (out.len() - start).min(40));
    while out.len() > start && out.ends_with('_') {
        out.pop();
    }
    if out.len() == start {
        out.push_str("untitled");
    }
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' => 'n',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        _ => c,
    }
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------
// Outlets: 20 × 10 made-up names, each with its own domain.

const OUTLET_FIRST: [&str; 20] = [
    "Global",
    "Daily",
    "Northern",
    "Pacific",
    "Atlantic",
    "Civic",
    "Open",
    "Independent",
    "Coastal",
    "Continental",
    "Metro",
    "Frontier",
    "Harbour",
    "Capital",
    "Eastern",
    "Western",
    "Southern",
    "Highland",
    "River",
    "Union",
];
const OUTLET_SECOND: [&str; 10] = [
    "Research",
    "Times",
    "Herald",
    "Post",
    "Observer",
    "Monitor",
    "Dispatch",
    "Review",
    "Ledger",
    "Chronicle",
];
const OUTLET_TLDS: [&str; 6] = ["com", "org", "net", "info", "news", "co.uk"];
const OUTLET_COUNT: usize = OUTLET_FIRST.len() * OUTLET_SECOND.len();

/// One of the made-up outlets, written as its name (`Coastal Monitor`).
#[derive(Clone, Copy)]
struct Outlet(usize);

impl Outlet {
    fn words(self) -> (&'static str, &'static str) {
        let i = self.0 % OUTLET_COUNT;
        (
            OUTLET_FIRST[i / OUTLET_SECOND.len()],
            OUTLET_SECOND[i % OUTLET_SECOND.len()],
        )
    }

    /// `coastalmonitor.net`: the name squeezed, with a top-level domain of its own.
    fn push_domain(self, out: &mut String) {
        let (first, second) = self.words();
        for c in first.chars().chain(second.chars()) {
            out.push(c.to_ascii_lowercase());
        }
        out.push('.');
        out.push_str(OUTLET_TLDS[(self.0 * 7) % OUTLET_TLDS.len()]);
    }

    /// `CoastalMonitor`, for social-media handles.
    fn handle(self) -> String {
        let (first, second) = self.words();
        format!("{first}{second}")
    }
}

impl std::fmt::Display for Outlet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (first, second) = self.words();
        write!(f, "{first} {second}")
    }
}

// ---------------------------------------------------------------------------------
// Word lists. Template slots: %P the story's place, %p another place, %A the story's
// actor, %a another actor, %T the story's topic, %t another topic, %V a verb in the
// past tense, %E an event, %c a group of people, %o an official, %O an ordinal, %R a
// person, %S an outlet, %Q a quotation, %L a headline tail, %M a month, %W a weekday,
// %N a number from 3 to 95, %n one from 2 to 12, %Y a recent year.
//
// None of the common lists may contain a word of RARE_WORDS, or its frequency would
// no longer be the one promised.

const TITLE_TEMPLATES: &[&str] = &[
    "%A in %P %V %T after %E",
    "%P %V %T as %a %V %t",
    "%A in %P %V %T, %L",
    "Why the debate over %T matters for %a in %P",
    "%T: %A in %P %V new rules after %E",
    "In %P, %A %V %T amid %E",
    "What the fight over %T means for %P and %p",
    "%A and %a %V %T in %P",
    "%P and %p %V %T, %L",
    "Inside the fight over %T in %P",
    "%A in %P %V %T for the first time since %Y",
    "How %E changed the debate over %T in %P",
    "%A %V %T in %P, %L",
    "After %E, %A in %P %V %T",
    "%T in %P: what we know so far",
];

const TAILS: &[&str] = &["%L", "after %E", "amid %E", "despite %E"];

const TAIL_WORDS: &[&str] = &[
    "officials say",
    "report finds",
    "sources say",
    "analysts warn",
    "data show",
    "critics say",
    "documents show",
    "residents say",
];

/// Words a cut headline must not end on.
const DANGLING: &[&str] = &[
    "and", "as", "in", "for", "after", "amid", "the", "of", "a", "an", "over", "since", "to", "on",
    "what", "why", "how", "from", "with", "by", "despite", "against", "about", "new",
];

const PLACES: &[&str] = &[
    "Kenya",
    "Nigeria",
    "Ghana",
    "Mali",
    "Senegal",
    "Ethiopia",
    "Somalia",
    "Sudan",
    "Egypt",
    "Libya",
    "Tunisia",
    "Morocco",
    "Algeria",
    "Syria",
    "Iraq",
    "Iran",
    "Jordan",
    "Lebanon",
    "Yemen",
    "Oman",
    "Qatar",
    "Turkey",
    "Ukraine",
    "Moldova",
    "Georgia",
    "Armenia",
    "Kazakhstan",
    "Uzbekistan",
    "Belarus",
    "Russia",
    "Poland",
    "Germany",
    "France",
    "Spain",
    "Italy",
    "Greece",
    "Serbia",
    "Hungary",
    "Romania",
    "Sweden",
    "Norway",
    "Finland",
    "Ireland",
    "Portugal",
    "Brazil",
    "Argentina",
    "Chile",
    "Peru",
    "Bolivia",
    "Colombia",
    "Venezuela",
    "Mexico",
    "Cuba",
    "Haiti",
    "Guatemala",
    "Canada",
    "the United States",
    "Alaska",
    "Texas",
    "Ontario",
    "India",
    "Pakistan",
    "Bangladesh",
    "Sri Lanka",
    "Nepal",
    "China",
    "Japan",
    "South Korea",
    "Taiwan",
    "Vietnam",
    "Thailand",
    "Indonesia",
    "the Philippines",
    "Malaysia",
    "Myanmar",
    "Australia",
    "New Zealand",
    "Fiji",
    "Tonga",
    "Papua New Guinea",
    "Lagos",
    "Nairobi",
    "Cairo",
    "Beirut",
    "Baghdad",
    "Tehran",
    "Istanbul",
    "Odesa",
    "Tbilisi",
    "Warsaw",
    "Berlin",
    "Marseille",
    "Naples",
    "Athens",
    "Lisbon",
    "Lima",
    "Santiago",
    "Caracas",
    "Havana",
    "Toronto",
    "Chicago",
    "Houston",
    "Mumbai",
    "Karachi",
    "Dhaka",
    "Jakarta",
    "Manila",
    "Hanoi",
    "Sydney",
    "Auckland",
];

/// Accented, Cyrillic and CJK place names: about 3% of stories happen in one.
const EXOTIC_PLACES: &[&str] = &[
    "Bogotá",
    "São Paulo",
    "Besançon",
    "Kraków",
    "Zürich",
    "Reykjavík",
    "Malmö",
    "Córdoba",
    "Düsseldorf",
    "Gdańsk",
    "Mérida",
    "Asunción",
    "Curaçao",
    "Москва",
    "Київ",
    "Минск",
    "Санкт-Петербург",
    "Алматы",
    "Одеса",
    "北京",
    "東京",
    "上海",
    "香港",
    "서울",
];

const ACTORS: &[&str] = &[
    "the central bank",
    "the foreign ministry",
    "opposition leaders",
    "farmers",
    "dock workers",
    "health officials",
    "the prime minister",
    "rebel groups",
    "the energy regulator",
    "teachers' unions",
    "tech companies",
    "the election commission",
    "the coast guard",
    "mining companies",
    "climate activists",
    "the defence ministry",
    "human rights groups",
    "parliament",
    "the supreme court",
    "the police",
    "fishermen",
    "nurses",
    "foreign investors",
    "local councils",
    "students",
    "the army",
    "regional governors",
    "the finance ministry",
    "truck drivers",
    "the state broadcaster",
    "airline pilots",
    "small businesses",
    "the interior ministry",
    "border guards",
    "the national oil company",
    "church leaders",
    "doctors",
    "the president",
    "environmental groups",
    "the transport ministry",
];

const TOPICS: &[&str] = &[
    "fuel subsidies",
    "grain exports",
    "pension reform",
    "border checks",
    "water rationing",
    "a mining licence",
    "the minimum wage",
    "port expansion",
    "internet shutdowns",
    "teacher shortages",
    "rent controls",
    "a new airport",
    "fishing quotas",
    "vaccine supply",
    "rail privatisation",
    "election rules",
    "press freedom",
    "police reform",
    "coal plant closures",
    "housing costs",
    "refugee quotas",
    "debt relief",
    "drought relief",
    "food prices",
    "a data protection law",
    "military spending",
    "cross-border trade",
    "offshore drilling",
    "deforestation",
    "hospital closures",
    "currency controls",
    "a new constitution",
    "land reform",
    "student loans",
    "wind farm permits",
    "the state budget",
    "public transport fares",
    "cyber attacks",
    "arms deliveries",
    "flood defences",
    "asylum rules",
    "mobile money",
    "tax evasion",
    "satellite launches",
    "bank lending",
    "nuclear inspections",
    "lithium mining",
    "heat waves",
    "dam construction",
    "prison conditions",
];

const VERBS: &[&str] = &[
    "approved",
    "rejected",
    "warned over",
    "pushed back on",
    "braced for",
    "called for",
    "debated",
    "delayed",
    "defended",
    "challenged",
    "welcomed",
    "condemned",
    "expanded",
    "suspended",
    "questioned",
    "backed",
    "scrapped",
    "revived",
    "investigated",
    "protested against",
    "cautioned against",
    "doubled down on",
    "signed off on",
    "raised concerns about",
];

const EVENTS: &[&str] = &[
    "weeks of protests",
    "a court ruling",
    "heavy rains",
    "a corruption scandal",
    "the election",
    "a data leak",
    "a budget crisis",
    "border clashes",
    "a cabinet reshuffle",
    "a cyber attack",
    "a failed harvest",
    "a strike by port workers",
    "the summit",
    "new trade tariffs",
    "a power outage",
    "a deadly fire",
];

const GROUPS: &[&str] = &[
    "residents",
    "farmers",
    "families",
    "small businesses",
    "pensioners",
    "students",
    "workers",
    "shopkeepers",
    "commuters",
    "fishing communities",
    "displaced people",
    "young voters",
    "hospital staff",
    "landlords",
    "taxi drivers",
];

const OFFICIALS: &[&str] = &[
    "a senior official at the ministry",
    "a spokeswoman for the regional government",
    "the deputy mayor",
    "an adviser to the prime minister",
    "a researcher at the national university",
    "a lawyer representing the families",
    "a local council member",
    "the head of the farmers' association",
    "a former diplomat",
    "a union representative",
    "an economist at a private bank",
    "a retired judge",
];

const ORDINALS: &[&str] = &["second", "third", "fourth", "fifth"];

const QUOTES: &[&str] = &[
    "This is not what people were promised",
    "We need answers, not more delays",
    "Nobody here trusts the official figures anymore",
    "The situation is changing every day",
    "We will not accept a decision taken behind closed doors",
    "It is a question of basic fairness",
    "We have seen this before and it did not end well",
    "There is still time to get this right",
    "Our members are tired of waiting",
    "The numbers simply do not add up",
    "Everyone agrees something must change, but nobody agrees on what",
    "We were never consulted",
];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Carlos", "Fatima", "James", "Olga", "Mei", "Ahmed", "Sofia", "David", "Amina",
    "Pierre", "Ingrid", "Rahul", "Grace", "Tomasz", "Lucía", "Kwame", "Elena", "Hiroshi", "Nadia",
    "Joseph", "Leila", "Marco", "Chloé", "Samuel", "Ayesha", "Dmitri", "Maria", "Kofi", "Sarah",
    "José", "Yuki",
];

const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Müller",
    "Petrova",
    "Haddad",
    "Nguyen",
    "García",
    "Smith",
    "Kowalski",
    "Mensah",
    "Rossi",
    "Ivanov",
    "Khan",
    "Dubois",
    "Silva",
    "Tanaka",
    "Johnson",
    "Mwangi",
    "Novak",
    "Hassan",
    "Larsen",
    "Costa",
    "Chen",
    "Fernández",
    "O'Brien",
    "Schmidt",
    "Adeyemi",
    "Kuznetsova",
    "Park",
    "Moreau",
    "Ali",
];

/// Month names, for dates written out (the fixture of `copies` uses them too).
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The default taxonomy's regions, each as its name followed by its aliases.
const REGIONS: &[&[&str]] = &[
    &[
        "Sub-Saharan Africa",
        "Africa",
        "Sub Saharan Africa",
        "East Africa",
        "West Africa",
        "Southern Africa",
    ],
    &[
        "Asia",
        "Asia-Pacific",
        "Asia Pacific",
        "South Asia",
        "East Asia",
        "Southeast Asia",
        "Central Asia",
        "China",
        "India",
    ],
    &[
        "Europe",
        "European Union",
        "EU",
        "Western Europe",
        "Eastern Europe",
    ],
    &[
        "Latin America & Caribbean",
        "Latin America",
        "Caribbean",
        "South America",
        "Central America",
    ],
    &[
        "Middle East & North Africa",
        "Middle East",
        "MENA",
        "North Africa",
        "Near East",
    ],
    &[
        "North America (USA, Canada)",
        "North America",
        "USA",
        "United States",
        "US",
        "Canada",
    ],
    &[
        "Oceania",
        "Australia",
        "New Zealand",
        "Pacific",
        "Pacific Islands",
    ],
    &[
        "Russia and FSU",
        "Russia",
        "Former Soviet Union",
        "FSU",
        "Russia and former Soviet Union",
    ],
    &["Global", "World", "Worldwide", "International"],
];

/// The default taxonomy's themes, each as its name followed by its aliases.
const THEMES: &[&[&str]] = &[
    &[
        "War & conflict",
        "US NATO War Agenda",
        "Militarization and WMD",
        "War",
        "Conflict",
        "Armed conflict",
        "Military",
    ],
    &[
        "Terrorism",
        "Terror",
        "Counter-terrorism",
        "9/11 & 'War on Terrorism'",
        "War on Terrorism",
    ],
    &["Politics & elections", "Politics", "Elections", "Election"],
    &["Economy", "Global Economy", "Economics", "Finance", "Trade"],
    &["Oil & energy", "Oil and Energy", "Energy", "Oil"],
    &[
        "Environment",
        "Climate",
        "Climate change",
        "Environment & climate",
    ],
    &[
        "Health & science",
        "Health",
        "Science",
        "Science and Medicine",
        "Medicine",
    ],
    &[
        "Civil rights & policing",
        "Civil Rights",
        "Police State & Civil Rights",
        "Policing",
        "Human rights",
    ],
    &[
        "Media & disinformation",
        "Media Disinformation",
        "Media",
        "Disinformation",
        "Propaganda",
    ],
    &[
        "Intelligence",
        "Intelligence agencies",
        "Espionage",
        "Surveillance",
    ],
    &[
        "Law & justice",
        "Law and Justice",
        "Justice",
        "Courts",
        "Law",
    ],
    &["Religion", "Faith", "Religion and society"],
    &["History", "Historical"],
    &["Technology", "Tech", "Science and Technology", "Cyber"],
];

/// Names publishers use that no default label knows: about one label in 25.
const UNKNOWN_REGIONS: &[&str] = &["Balkans", "Sahel", "Arctic", "Horn of Africa", "Caucasus"];
const UNKNOWN_THEMES: &[&str] = &["Featured", "Agriculture", "Culture", "Sport", "Migration"];

const TAGS: &[&str] = &[
    "Analysis",
    "Feature",
    "Climate",
    "Africa",
    "Elections",
    "Opinion",
    "Trade",
    "Health",
    "Migration",
    "Investigation",
    "Explainer",
    "Asia",
];

const NAV_SECTIONS: &[&str] = &[
    "World", "Politics", "Business", "Climate", "Opinion", "Video",
];

const SUBHEADINGS: &[&str] = &[
    "Background",
    "What happens next",
    "The numbers",
    "Reactions",
    "A long dispute",
    "Who pays",
];

/// Opening sentences, which set out the story.
const LEADS: &[&str] = &[
    "%A in %P %V %T on %W, in a move that %c had been expecting for months.",
    "The row over %T returned to the centre of political debate in %P this week after %E.",
    "Officials in %P said on %W that the rules on %T would be reviewed following %E.",
    "%A %V %T on %W, weeks after %E put the issue back on the agenda in %P.",
    "The question of %T has divided %P since %E, and this week's decision by %A is unlikely to settle it.",
];

const SENTENCES: &[&str] = &[
    "%A %V %T on %W, according to %o in %P.",
    "The decision follows %N months of talks between %a and %a over %t.",
    "Critics said the plan would do little for %c in %p, where %t has been a concern for years.",
    "Officials in %P said %N people had been affected, though the figure could not be independently verified.",
    "%R, who has followed the issue for %S, said the timing was no accident.",
    "The measure is expected to cost about %N million dollars over the next %n years.",
    "In %M, %a %V a similar proposal, citing %t.",
    "Analysts at %S noted that uncertainty over %t remains the main risk for the region.",
    "%c gathered outside the ministry in %P on %W to protest against %T.",
    "Neither %a nor %a responded to requests for comment.",
    "The report, published by %S in %M %Y, found that problems with %t had worsened in %n of the districts surveyed.",
    "Local media reported that %a had %V %t without consulting %c.",
    "It is the %O time this year that the dispute over %T has dominated the agenda in %P.",
    "Some residents of %p said they learned about the change from social media.",
    "The government of %p has not commented publicly on the matter.",
    "A spokesperson for %a said the group would study the proposal before deciding.",
    "%R argued that %T and %t were two sides of the same problem.",
    "Figures released on %W showed a %N percent rise compared with the same period last year.",
    "Observers in %p will be watching closely, as the row over %T is likely to shape the debate there too.",
    "The move drew criticism from %a, calling it rushed and poorly explained.",
    "Others were more cautious, saying it was too early to judge the effect on %c.",
    "%a have long argued that the debate over %T deserves more attention than it receives.",
    "According to documents seen by %S, the plan was first discussed in %M %Y.",
    "Talks are due to resume in %p later this month.",
    "Prices for basic goods in %P have risen by %N percent since %M.",
    "%R, %o, said the authorities had underestimated the scale of %t.",
    "The issue has divided %a, with some members calling for an independent inquiry.",
    "A court in %P is expected to rule on the case by the end of %M.",
    "Volunteers have set up temporary shelters for %c near the border with %p.",
    "The latest figures suggest that problems with %t affect about %N percent of households.",
    "Diplomats from %p and %p met on %W to discuss %t.",
    "Satellite images published by %S appear to show new construction near %P.",
    "%c interviewed by %S described long queues and rising costs.",
    "The ministry said it would publish a full response within %N days.",
    "Opposition figures accused %a of using %T to distract from other problems.",
    "For now, %c in %P say they are preparing for a difficult winter.",
    "Officials declined to say how long the measures would remain in place.",
    "The last comparable episode, in %Y, ended only after months of negotiation.",
    "%R said the priority was to make sure that %c were not left behind.",
    "Since %E, %a in %p have %V %t with growing urgency.",
    "A parliamentary committee is due to hear evidence from %a and %a in %M.",
    "The World Bank estimated in %Y that the failure to address %t costs the economy of %p about %n percent of output each year.",
    "Several %c said they had not been told what the changes would mean for them.",
    "%S first reported the plan on %W, citing %n people familiar with the discussions.",
    "Turnout at a public meeting in %P was higher than organisers had expected.",
];

const QUOTE_SENTENCES: &[&str] = &[
    "\"%Q,\" said %R, %o.",
    "\"%Q,\" %R told %S.",
    "\"%Q,\" one resident of %P said.",
    "\"%Q,\" said %R, adding that talks would continue.",
];

/// Title topics for an article about each rare word, in RARE_WORDS order.
const RARE_TOPICS: [&[&str]; 5] = [
    &[
        "the gas pipeline",
        "a new oil pipeline",
        "the pipeline route",
    ],
    &["new sanctions", "sanctions relief", "the sanctions regime"],
    &["the ceasefire", "ceasefire talks", "a fragile ceasefire"],
    &["the referendum", "a referendum on autonomy"],
    &["a desalination plant", "desalination costs"],
];

/// The theme (index into THEMES) an article about each rare word is filed under.
const RARE_THEME: [usize; 5] = [4, 3, 0, 2, 5];

/// Sentences that mention each rare word, in RARE_WORDS order.
const RARE_SENTENCES: [&[&str]; 5] = [
    &[
        "Work on the %p pipeline has been delayed again, the operator said.",
        "The pipeline would carry gas from %p to %P, bypassing existing routes.",
        "Environmental groups have challenged the pipeline in court, citing risks to farmland.",
        "Engineers said a section of the pipeline near %P had been damaged in %M.",
    ],
    &[
        "The new sanctions target %N companies and several senior officials in %p.",
        "Officials in %P said the sanctions had already disrupted imports of spare parts and medicine.",
        "Some economists doubt that sanctions alone will change the government's course.",
        "%R said the sanctions were being evaded through intermediaries in %p.",
    ],
    &[
        "The ceasefire agreed in %M has been violated repeatedly, according to monitors.",
        "Mediators from %p said the ceasefire remained fragile but was largely holding.",
        "Both sides accused each other of breaking the ceasefire on %W.",
    ],
    &[
        "A referendum on the proposal is planned for %M, although no date has been set.",
        "Polls suggest the referendum could be close, with many voters still undecided.",
    ],
    &[
        "A new desalination plant near %P is expected to supply %N thousand households.",
        "Fishermen say brine from the desalination plant has harmed catches along the coast.",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Format, parse, suggest};
    use crate::labels::{Axis, Taxonomy};
    use sha2::{Digest, Sha256};
    use std::path::PathBuf;

    /// Every article of `0..n` with its title and story, as the generator made them.
    fn corpus(seed: u64, n: usize) -> Vec<(Generated, String, Story)> {
        (0..n)
            .map(|i| {
                let mut buffers = Buffers::default();
                let story = generate(seed, i, &mut buffers);
                let generated = Generated {
                    name: buffers.name,
                    text: buffers.text,
                };
                (generated, buffers.title, story)
            })
            .collect()
    }

    fn extension(name: &str) -> &str {
        name.rsplit_once('.').map_or("", |(_, ext)| ext)
    }

    /// (path relative to `root`, bytes) of every file under `root`, sorted.
    fn tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).expect("test folder is readable") {
                let path = entry.expect("test folder entry").path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let bytes = std::fs::read(&path).expect("generated file is readable");
                    let relative = path.strip_prefix(root).expect("under root").to_path_buf();
                    out.push((relative, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(root, root, &mut out);
        out.sort();
        out
    }

    fn tree_hash(root: &Path) -> Vec<u8> {
        let mut hasher = Sha256::new();
        for (path, bytes) in tree(root) {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
        hasher.finalize().to_vec()
    }

    #[test]
    fn the_same_seed_and_index_always_give_the_same_article() {
        let a = article(7, 123);
        assert_eq!(a, article(7, 123));
        assert_ne!(a, article(8, 123), "another seed gives another corpus");
        assert_ne!(a, article(7, 124), "neighbours differ");
        assert!(a.name.starts_with("000123_"), "{}", a.name);
    }

    #[test]
    fn writing_the_same_corpus_twice_gives_identical_trees() {
        let dirs = [(); 3].map(|_| tempfile::tempdir().expect("temporary folder"));
        let (files, bytes) = write(dirs[0].path(), 1500, 3).expect("corpus is written");
        assert_eq!(files, 1500);
        assert_eq!(
            write(dirs[1].path(), 1500, 3).expect("again"),
            (files, bytes)
        );
        write(dirs[2].path(), 1500, 4).expect("other seed");
        let hashes = dirs.each_ref().map(|d| tree_hash(d.path()));
        assert_eq!(hashes[0], hashes[1]);
        assert_ne!(hashes[0], hashes[2], "the seed changes the corpus");

        let written = tree(dirs[0].path());
        assert_eq!(written.len(), 1500);
        let on_disk: u64 = written.iter().map(|(_, b)| b.len() as u64).sum();
        assert_eq!(on_disk, bytes, "the byte count is what is on disk");
        let in_first = written
            .iter()
            .filter(|(p, _)| p.starts_with("0000"))
            .count();
        let in_second = written
            .iter()
            .filter(|(p, _)| p.starts_with("0001"))
            .count();
        assert_eq!((in_first, in_second), (1000, 500));

        // Generation order is path order, and each file is the article of its index.
        for (i, (path, bytes)) in written.iter().enumerate().step_by(97) {
            let expected = article(3, i);
            let folder = format!("{:04}", i / PER_FOLDER);
            assert_eq!(*path, Path::new(&folder).join(&expected.name));
            assert_eq!(*bytes, expected.text.into_bytes());
        }
    }

    #[test]
    fn formats_and_sizes_are_mixed_like_a_scrape() {
        let articles = corpus(11, 500);
        let share = |ext: &str| {
            articles
                .iter()
                .filter(|(g, _, _)| extension(&g.name) == ext)
                .count() as f64
                / 500.0
        };
        let (txt, md, html) = (share("txt"), share("md"), share("html"));
        assert!((0.5..0.7).contains(&txt), "txt {txt}");
        assert!((0.2..0.4).contains(&md), "md {md}");
        assert!((0.05..0.15).contains(&html), "html {html}");
        assert!((txt + md + html - 1.0).abs() < 1e-9, "no other extension");

        let total: usize = articles.iter().map(|(g, _, _)| g.text.len()).sum();
        let average = total / articles.len();
        assert!((4000..=6000).contains(&average), "average {average} bytes");
        for (g, _, _) in &articles {
            assert!(
                (3500..=7500).contains(&g.text.len()),
                "{}: {} bytes",
                g.name,
                g.text.len()
            );
        }
    }

    #[test]
    fn titles_have_6_to_14_words_and_a_few_are_not_ascii() {
        let articles = corpus(5, 5000);
        let mut non_ascii = 0;
        let mut cyrillic = 0;
        let mut cjk = 0;
        for (g, title, _) in &articles {
            let words = title.split_whitespace().count();
            assert!((6..=14).contains(&words), "{}: {title:?}", g.name);
            assert!(
                title.starts_with(|c: char| !c.is_lowercase()),
                "{title:?} starts with a capital"
            );
            assert!(!title.ends_with([',', ':', ' ']), "{title:?}");
            non_ascii += usize::from(!title.is_ascii());
            cyrillic += usize::from(title.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)));
            cjk += usize::from(title.chars().any(|c| c >= '\u{3000}'));
        }
        let share = non_ascii as f64 / articles.len() as f64;
        assert!((0.01..0.06).contains(&share), "non-ASCII titles: {share}");
        assert!(cyrillic > 0 && cjk > 0, "cyrillic {cyrillic}, cjk {cjk}");
    }

    #[test]
    fn file_names_are_ascii_slugs_in_generation_order() {
        let articles = corpus(2, 300);
        for (i, (g, title, _)) in articles.iter().enumerate() {
            let (stem, ext) = g.name.rsplit_once('.').expect("an extension");
            assert!(["txt", "md", "html"].contains(&ext), "{}", g.name);
            let (index, slug) = stem.split_once('_').expect("index_slug");
            assert_eq!(index, format!("{i:06}"));
            assert!(!slug.is_empty() && slug.len() <= 40, "{}", g.name);
            assert!(
                slug.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                g.name
            );
            assert!(!slug.starts_with('_') && !slug.ends_with('_') && !slug.contains("__"));
            let first_word: String = title
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            assert!(slug.starts_with(&first_word), "{} for {title:?}", g.name);
        }
        assert!(articles.windows(2).all(|w| w[0].0.name < w[1].0.name));
        let mut slug = String::new();
        push_slug(&mut slug, "Kraków and São Paulo: 北京 Москва!");
        assert_eq!(slug, "krakow_and_sao_paulo");
        slug.clear();
        push_slug(&mut slug, "北京");
        assert_eq!(slug, "untitled");
    }

    #[test]
    fn text_and_markdown_articles_parse_with_title_date_and_suggestions() {
        let taxonomy = Taxonomy::default();
        let mut read = 0;
        let mut with_region = 0;
        let mut with_theme = 0;
        for (g, title, story) in corpus(13, 500) {
            let format = match extension(&g.name) {
                "txt" => Format::Text,
                "md" => Format::Markdown,
                _ => continue,
            };
            read += 1;
            let a = parse(format, &g.name, g.text.as_bytes()).expect("generated text parses");
            let shown = &g.name;
            assert_eq!(a.title, title, "{shown}");
            let date = format!("{:04}-{:02}-{:02}", story.year, story.month, story.day);
            assert_eq!(a.date.as_deref(), Some(date.as_str()), "{shown}");
            assert!(a.warnings.is_empty(), "{shown}: {:?}", a.warnings);
            assert!(!a.authors.is_empty(), "{shown}: no author");
            assert!(a.body.len() >= 5, "{shown}: {} paragraphs", a.body.len());
            assert!(!a.regions.is_empty() && !a.themes.is_empty(), "{shown}");
            let source = Outlet(story.source).to_string();
            if format == Format::Text {
                assert_eq!(a.source.as_deref(), Some(source.as_str()), "{shown}");
                assert_eq!(
                    a.publisher.as_deref(),
                    Some(Outlet(story.publisher).to_string().as_str()),
                    "{shown}"
                );
                assert!(!a.footer.is_empty(), "{shown}: no footer");
                assert!(
                    a.body.iter().all(|p| !p.contains("original source")),
                    "{shown}: the footer leaked into the body"
                );
            } else {
                let mut domain = String::new();
                Outlet(story.source).push_domain(&mut domain);
                assert_eq!(a.source.as_deref(), Some(domain.as_str()), "{shown}");
            }
            let s = suggest(&a, &taxonomy);
            with_region += usize::from(!s.region.is_empty());
            with_theme += usize::from(!s.theme.is_empty());
        }
        assert!(read >= 400, "only {read} text and markdown articles");
        assert!(with_region * 100 >= read * 90, "{with_region} of {read}");
        assert!(with_theme * 100 >= read * 90, "{with_theme} of {read}");
    }

    #[test]
    fn html_pages_carry_the_tags_a_page_parser_reads() {
        let pages: Vec<_> = corpus(17, 400)
            .into_iter()
            .filter(|(g, _, _)| extension(&g.name) == "html")
            .collect();
        assert!(pages.len() >= 20, "only {} pages", pages.len());
        for (g, title, story) in pages {
            let mut escaped = String::new();
            push_escaped(&mut escaped, &title);
            let site = Outlet(story.publisher).to_string();
            let page = &g.text;
            for needle in [
                format!("<title>{escaped} | {site}</title>"),
                format!("<meta property=\"og:title\" content=\"{escaped}\">"),
                format!("<meta property=\"og:site_name\" content=\"{site}\">"),
                format!("<h1>{escaped}</h1>"),
                format!(
                    "<time datetime=\"{:04}-{:02}-{:02}\">",
                    story.year, story.month, story.day
                ),
            ] {
                assert_eq!(page.matches(&needle).count(), 1, "{}: {needle}", g.name);
            }
            for tag in [
                "<nav",
                "</nav>",
                "<footer>",
                "</footer>",
                "<article>",
                "</html>",
            ] {
                assert_eq!(page.matches(tag).count(), 1, "{}: {tag}", g.name);
            }
            assert!(page.matches("<p>").count() >= 5, "{}", g.name);
            assert_eq!(page.matches("<p").count(), page.matches("</p>").count());
        }
    }

    #[test]
    fn rare_words_appear_exactly_in_the_articles_given_them() {
        let articles = corpus(23, 5000);
        let mut counts = [0usize; RARE_WORDS.len()];
        for (g, _, story) in &articles {
            let lower = g.text.to_lowercase();
            for (k, (word, _)) in RARE_WORDS.iter().enumerate() {
                let given = story.rare.contains(&k);
                assert_eq!(lower.contains(word), given, "{}: {word}", g.name);
                counts[k] += usize::from(given);
            }
        }
        for (k, (word, per_10k)) in RARE_WORDS.iter().enumerate() {
            let expected = articles.len() * *per_10k as usize / 10_000;
            if expected >= 50 {
                assert!(
                    counts[k] * 10 >= expected * 7 && counts[k] * 10 <= expected * 13,
                    "{word}: {} articles, about {expected} expected",
                    counts[k]
                );
            }
        }
        assert!(
            counts.windows(2).all(|w| w[0] > w[1]) && counts[RARE_WORDS.len() - 1] > 0,
            "rarer words must be rarer: {counts:?}"
        );
    }

    #[test]
    fn corpus_label_names_are_the_default_taxonomys_own() {
        let taxonomy = Taxonomy::default();
        for (axis, groups, unknown) in [
            (Axis::Region, REGIONS, UNKNOWN_REGIONS),
            (Axis::Theme, THEMES, UNKNOWN_THEMES),
        ] {
            let labels = &taxonomy.axis(axis).labels;
            assert_eq!(groups.len(), labels.len(), "one group per {axis} label");
            for (group, label) in groups.iter().zip(labels) {
                assert_eq!(group[0], label.name, "{axis} groups follow the taxonomy");
                for name in *group {
                    let found = taxonomy.find(axis, name).map(|l| l.id.as_str());
                    assert_eq!(found, Some(label.id.as_str()), "{axis} name {name:?}");
                }
            }
            for name in unknown {
                assert!(taxonomy.find(axis, name).is_none(), "{name:?} is known");
            }
        }
        let rare_themes: Vec<&str> = RARE_THEME
            .iter()
            .map(|&t| taxonomy.axis(Axis::Theme).labels[t].id.as_str())
            .collect();
        assert_eq!(
            rare_themes,
            [
                "energy",
                "economy",
                "war-conflict",
                "politics",
                "environment"
            ]
        );
    }

    #[test]
    fn common_word_lists_never_mention_a_rare_word() {
        let lists: [&[&str]; 14] = [
            TITLE_TEMPLATES,
            TAILS,
            TAIL_WORDS,
            PLACES,
            ACTORS,
            TOPICS,
            VERBS,
            EVENTS,
            GROUPS,
            OFFICIALS,
            QUOTES,
            LEADS,
            SENTENCES,
            QUOTE_SENTENCES,
        ];
        let others: [&[&str]; 4] = [TAGS, SUBHEADINGS, UNKNOWN_REGIONS, UNKNOWN_THEMES];
        for text in lists.iter().chain(&others).flat_map(|l| l.iter()) {
            let lower = text.to_lowercase();
            for (word, _) in RARE_WORDS {
                assert!(!lower.contains(word), "{text:?} mentions {word}");
            }
        }
    }
}

/// AG News (`label,title,description`, classes 1 World · 2 Sports · 3 Business ·
/// 4 Sci/Tech) read for the examples that measure learned suggestions on it
/// (`examples/ag_news.rs`, `examples/ag_news_inbox.rs`); the data itself is not
/// shipped.
pub mod ag_news {
    use std::path::Path;

    /// The four classes as theme ids, in the file's order (label 1 is `world`).
    pub const CLASSES: [&str; 4] = ["world", "sports", "business", "scitech"];

    /// A taxonomy whose themes are the four classes, with one-label region and
    /// reliability axes the data does not use.
    pub const LABELS: &str = r#"# AG News's four classes as themes; a region axis the data does not use.
[region]
labels = [
  { id = "somewhere", name = "Somewhere", key = "s" },
]

[theme]
labels = [
  { id = "world", name = "World", key = "w" },
  { id = "sports", name = "Sports", key = "s" },
  { id = "business", name = "Business", key = "b" },
  { id = "scitech", name = "Sci/Tech", key = "t" },
]

[reliability]
labels = [
  { id = "reliable", name = "Reliable", key = "1" },
]
"#;

    /// One news item.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Item {
        /// One of [`CLASSES`].
        pub class: &'static str,
        pub title: String,
        pub description: String,
    }

    /// Every item of the CSV at `path`, its text with AG News's escapes undone;
    /// the error names the file and row.
    pub fn read(path: &Path) -> Result<Vec<Item>, String> {
        let name = path.display();
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let mut items = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let row = i + 2;
            let record = record.map_err(|e| format!("{name}: row {row}: {e}"))?;
            let (Some(label), Some(title), Some(description)) =
                (record.get(0), record.get(1), record.get(2))
            else {
                return Err(format!("{name}: row {row} has fewer than 3 columns"));
            };
            let class = label
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| CLASSES.get(n.wrapping_sub(1)))
                .ok_or_else(|| format!("{name}: row {row}: label {label:?} is not 1 to 4"))?;
            items.push(Item {
                class,
                title: clean(title),
                description: clean(description),
            });
        }
        Ok(items)
    }

    /// AG News's escapes (`#36;` for `$`, `\` for a line break) as plain text.
    fn clean(text: &str) -> String {
        text.replace("#36;", "$")
            .replace("#39;", "'")
            .replace("quot;", "\"")
            .replace("#151;", "—")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
            .replace('\\', " ")
            .trim()
            .to_string()
    }
}
