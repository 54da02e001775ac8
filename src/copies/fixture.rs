//! A labeled inbox with reprints, for measuring the grouping: every story's copies
//! are known. Deterministic for a seed.
//!
//! Stories come from three places: the sample inbox's real articles, bodies of the
//! made-up corpus ([`crate::corpus`]), and, when the AG News file is at hand, real
//! wire leads composed into stories of two to six paragraphs. About a third of the
//! stories are reprinted two to six times, each copy on another site, in another
//! format, and with any of the changes issue 15 lists: title re-cased, tagged or
//! suffixed; an editor's note; a paragraph dropped; a few words changed; cut to an
//! excerpt with a "continue reading" line; paragraphs split or joined differently.
//! The look-alikes that must stay apart: short stories of one site that share its
//! long in-body disclaimer (sometimes longer than the story), cookie notices and
//! newsletter lines on many sites, and pairs of stories on one event (same names and
//! places, one quote sentence in common, different wording). Every article is
//! written as a file and read back by the program's own parsers.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use crate::article::{self, Article, Format};
use crate::corpus::ag_news::Item;

/// The inbox: articles, and the story each one tells.
#[derive(Debug, Clone, Default)]
pub struct Labeled {
    pub articles: Vec<Arc<Article>>,
    /// The true story of each article.
    pub story: Vec<usize>,
    /// File names, for messages.
    pub names: Vec<String>,
    /// What was done to each copy (`excerpt+note`), for messages.
    pub changes: Vec<String>,
}

impl Labeled {
    /// Pairwise precision and recall of `groups` against the true stories.
    pub fn score(&self, groups: &super::Groups) -> Score {
        let n = self.articles.len();
        let mut s = Score {
            true_pairs: self.true_pairs().len(),
            ..Score::default()
        };
        for members in groups.iter() {
            let members: Vec<usize> = members.iter().copied().filter(|&i| i < n).collect();
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    s.found_pairs += 1;
                    if self.story[i] == self.story[j] {
                        s.found_true += 1;
                    }
                }
            }
        }
        s
    }

    /// Every pair of items that are copies of one story.
    pub fn true_pairs(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut by_story: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (i, &st) in self.story.iter().enumerate() {
            by_story.entry(st).or_default().push(i);
        }
        for items in by_story.values() {
            for (x, &i) in items.iter().enumerate() {
                for &j in &items[x + 1..] {
                    out.push((i, j));
                }
            }
        }
        out
    }
}

/// Pairwise counts: pairs of one true story, pairs of one found group, and pairs
/// that are both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub true_pairs: usize,
    pub found_pairs: usize,
    pub found_true: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.found_pairs == 0 {
            1.0
        } else {
            self.found_true as f64 / self.found_pairs as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.true_pairs == 0 {
            1.0
        } else {
            self.found_true as f64 / self.true_pairs as f64
        }
    }
}

/// Where the stories' text comes from.
pub struct Sources<'a> {
    /// AG News items (`corpus::ag_news::read`), if the file is at hand.
    pub ag_news: Option<&'a [Item]>,
    /// A folder of real articles (the sample inbox), if at hand.
    pub inbox: Option<&'a Path>,
}

/// A labeled inbox of about `target` articles for `seed`.
pub fn inbox(seed: u64, target: usize, sources: &Sources) -> Labeled {
    let mut g = Gen {
        rng: Rng(seed ^ 0x2545_F491_4F6C_DD1D),
        out: Labeled::default(),
        sites: Vec::new(),
        stories: 0,
    };
    g.make_sites();
    let mut bases: Vec<Base> = Vec::new();
    if let Some(dir) = sources.inbox {
        bases.extend(real_articles(dir));
    }
    // Same-event pairs first, so that their leads are not used elsewhere.
    // AG News repeats some items (one wire story under two agencies' datelines):
    // those are copies in truth, so only the first of near-equal leads is kept.
    let distinct: Option<Vec<Item>> = sources.ag_news.map(distinct_items);
    let ag = distinct.as_deref();
    let mut used = vec![false; ag.map_or(0, <[Item]>::len)];
    let mut events = Vec::new();
    if let Some(items) = ag {
        events = g.same_event_pairs(items, &mut used, target / 40);
    }
    // Stories until the inbox is big enough: each story gives 1 to 6 articles.
    let mut corpus_i = 0;
    let mut ag_cursor = 0;
    let mut pending_events = events.into_iter();
    let mut count = 0;
    let mut bases = bases.into_iter();
    while count < target {
        let base = if let Some(b) = bases.next() {
            b
        } else if let Some(b) = pending_events.next() {
            b
        } else if ag.is_some() && g.rng.below(2) == 0 {
            match g.ag_story(ag.unwrap_or(&[]), &mut used, &mut ag_cursor) {
                Some(b) => b,
                None => {
                    corpus_i += 1;
                    g.corpus_story(seed, corpus_i)
                }
            }
        } else {
            corpus_i += 1;
            g.corpus_story(seed, corpus_i)
        };
        count += g.publish(&base);
    }
    g.out
}

/// The items whose description shares less than 40% of its four-word runs with an
/// earlier item's.
fn distinct_items(items: &[Item]) -> Vec<Item> {
    let mut seen: std::collections::HashSet<u64> = Default::default();
    let mut out = Vec::new();
    for item in items {
        let mut words = Vec::new();
        text::push_words(&item.description, &mut words);
        let shingles = text::shingles(&words);
        let old = shingles.iter().filter(|h| seen.contains(h)).count();
        if old * 10 < shingles.len() * 4 {
            out.push(item.clone());
        }
        seen.extend(shingles);
    }
    out
}

/// A story before publication: its title and paragraphs, and whether it is short
/// (then it goes preferably to a site with long boilerplate).
#[derive(Debug, Clone)]
struct Base {
    title: String,
    paragraphs: Vec<String>,
}

struct Site {
    name: String,
    domain: String,
    /// Formats this site publishes in, one picked per article.
    formats: &'static [Format],
    /// Text the parsers leave in the body: before the story, after it.
    before: Option<String>,
    after: Option<String>,
}

struct Gen {
    rng: Rng,
    out: Labeled,
    sites: Vec<Site>,
    stories: usize,
}

const SITE_WORDS: [&str; 16] = [
    "Daily",
    "Planet",
    "Herald",
    "Wire",
    "Observer",
    "Courier",
    "Ledger",
    "Monitor",
    "Post",
    "Tribune",
    "Review",
    "Dispatch",
    "Sentinel",
    "Gazette",
    "Signal",
    "Chronicle",
];

/// Sentences of a site's disclaimer or membership pitch, always in this order; a
/// site keeps a run of them, so different sites' boilerplate overlaps too.
const BOILERPLATE: &[&str] = &[
    "The views expressed in this article are solely those of the author and do not necessarily reflect the official position of {site}.",
    "{site} is an independent, reader-funded publication and relies entirely on the support of its readers to continue its work.",
    "We do not accept advertising from governments, political parties or corporations, which allows us to report without fear or favour.",
    "If you value this kind of reporting, please consider becoming a member today for as little as five dollars a month.",
    "Members receive our weekly newsletter, early access to investigations and invitations to online events with our editors.",
    "All content published on this site may be republished for non-commercial purposes provided that the original source is credited with a link.",
    "{site} cannot be held responsible for the content of external websites linked from this article.",
    "Readers who believe an article contains a factual error are invited to contact the editorial team, which will review every request.",
    "Our corrections policy, our ownership and our sources of funding are published in full on the about page of this website.",
    "Comments are moderated and may take up to twenty four hours to appear; abusive or off-topic comments will be removed without notice.",
    "To receive the most important stories of the day directly in your inbox every morning, sign up for our free daily briefing.",
    "Follow {site} on social media for breaking news, live coverage and analysis from our correspondents around the world.",
    "This article was produced with the support of a grant from a foundation that had no influence over its content or editing.",
    "Images used in this article are reproduced under fair use for the purpose of news reporting and commentary.",
];

const COOKIES: &[&str] = &[
    "We use cookies and similar technologies to improve your experience on our website, to personalise content and to analyse our traffic. By continuing to browse this site you agree to our use of cookies.",
    "This website uses cookies to ensure you get the best experience. Some of these cookies are essential, while others help us improve the site by giving us insight into how it is being used.",
    "Your privacy matters to us. We and our partners store and access information on your device, such as cookies, to measure audiences and show relevant content.",
];

const NEWSLETTER: &[&str] = &[
    "Sign up for the {site} morning newsletter and get the day's top stories delivered to your inbox.",
    "Enjoyed this article? Support independent journalism by subscribing to {site} today.",
    "Get the latest headlines from {site} every weekday morning. Subscribe now, it only takes a minute.",
];

const NOTES: &[&str] = &[
    "Editor's note: This article was originally published by {orig} and is republished here with permission.",
    "This story first appeared on {orig}. It has been lightly edited for length and clarity.",
    "Editor's note: an earlier version of this story misstated the date of the meeting. It has been corrected.",
    "This report is republished from {orig} under a Creative Commons licence. Read the original article.",
    "Update: this article has been updated with a response from officials, received after publication.",
];

const CONTINUE: &[&str] = &[
    "Continue reading at {orig}.",
    "Read the full story on {orig}",
    "[…] Read more at {orig}",
    "Click here to continue reading this article on {orig}.",
];

const TAGS: &[&str] = &[
    "EXCLUSIVE: ",
    "(VIDEO) ",
    "BREAKING: ",
    "WATCH: ",
    "[UPDATED] ",
    "Breaking news: ",
];

/// Words substituted in "a few words changed".
const SWAPS: &[(&str, &str)] = &[
    ("said", "stated"),
    ("says", "claims"),
    ("the", "this"),
    ("on", "during"),
    ("new", "fresh"),
    ("after", "following"),
    ("about", "around"),
    ("government", "administration"),
    ("officials", "authorities"),
    ("would", "will"),
    ("more", "further"),
    ("has", "had"),
];

const QUOTES: &[&str] = &[
    "We will not accept any deal that leaves our people worse off than before",
    "This is a dark day for everyone who believed in the process",
    "The numbers speak for themselves and the trend is clear",
    "Nobody expected the situation to deteriorate so quickly",
    "We are ready to talk, but not under these conditions",
    "It is far too early to say what this will mean for ordinary families",
];

impl Gen {
    fn make_sites(&mut self) {
        const ALL: &[Format] = &[Format::Text, Format::Markdown, Format::Html];
        const TEXT: &[Format] = &[Format::Text];
        const MD: &[Format] = &[Format::Markdown];
        const HTML: &[Format] = &[Format::Html];
        const TEXT_MD: &[Format] = &[Format::Text, Format::Markdown];
        for s in 0..60 {
            let name = format!(
                "{} {}",
                SITE_WORDS[s % SITE_WORDS.len()],
                SITE_WORDS[(s / SITE_WORDS.len() + s * 7 + 3) % SITE_WORDS.len()]
            );
            let domain = format!("{}.example", name.to_lowercase().replace(' ', "-"));
            let formats = match s % 5 {
                0 => TEXT,
                1 => MD,
                2 => HTML,
                3 => TEXT_MD,
                _ => ALL,
            };
            let fill = |t: &str| t.replace("{site}", &name);
            let mut before = None;
            let mut after = None;
            match self.rng.below(10) {
                // A long disclaimer or membership pitch: a run of 3 to 14 sentences.
                0..=2 => {
                    let len = self.rng.range(3, BOILERPLATE.len());
                    let start = self.rng.below(BOILERPLATE.len() - len + 1);
                    let text: Vec<String> = BOILERPLATE[start..start + len]
                        .iter()
                        .map(|t| fill(t))
                        .collect();
                    // Sometimes as one paragraph, sometimes as several.
                    after = Some(if self.rng.below(2) == 0 {
                        text.join(" ")
                    } else {
                        text.join("\n\n")
                    });
                }
                3 | 4 => before = Some(self.rng.pick(COOKIES).to_string()),
                5 => after = Some(fill(self.rng.pick(NEWSLETTER))),
                6 => {
                    before = Some(self.rng.pick(COOKIES).to_string());
                    after = Some(fill(self.rng.pick(NEWSLETTER)));
                }
                _ => {}
            }
            self.sites.push(Site {
                name,
                domain,
                formats,
                before,
                after,
            });
        }
    }

    /// A story from the made-up corpus: its title and some of its paragraphs.
    fn corpus_story(&mut self, seed: u64, i: usize) -> Base {
        let generated = crate::corpus::article(seed.wrapping_add(7), i);
        let format = Format::from_path(Path::new(&generated.name)).unwrap_or(Format::Text);
        let parsed =
            article::parse(format, &generated.name, generated.text.as_bytes()).unwrap_or_default();
        let paragraphs: Vec<String> = parsed
            .body
            .iter()
            .filter(|p| p.split_whitespace().count() >= 6)
            .map(str::to_string)
            .collect();
        // Short stories (two or three paragraphs) as often as long ones.
        let keep = match self.rng.below(3) {
            0 => self.rng.range(1, 3),
            1 => self.rng.range(3, 6),
            _ => paragraphs.len(),
        };
        Base {
            title: parsed.title,
            paragraphs: paragraphs.into_iter().take(keep.max(1)).collect(),
        }
    }

    /// A story of 1 to 6 AG News leads of one class, each lead used once.
    fn ag_story(&mut self, items: &[Item], used: &mut [bool], cursor: &mut usize) -> Option<Base> {
        let want = self.rng.range(1, 6);
        let start = (*cursor..items.len()).find(|&i| !used[i])?;
        used[start] = true;
        *cursor = start + 1;
        let class = items[start].class;
        let mut paragraphs = vec![items[start].description.clone()];
        let mut j = start + 1;
        while paragraphs.len() < want && j < items.len() {
            if !used[j] && items[j].class == class {
                used[j] = true;
                paragraphs.push(items[j].description.clone());
            }
            j += 1;
        }
        Some(Base {
            title: items[start].title.clone(),
            paragraphs,
        })
    }

    /// Pairs of stories on one event: two AG News items of one class that name at
    /// least two of the same people or places, each made into a story with other
    /// leads, and one quote sentence in both.
    fn same_event_pairs(&mut self, items: &[Item], used: &mut [bool], want: usize) -> Vec<Base> {
        let names = |i: usize| -> Vec<String> {
            let mut n: Vec<String> = format!("{} {}", items[i].title, items[i].description)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 4 && w.chars().next().is_some_and(char::is_uppercase))
                .map(str::to_string)
                .collect();
            n.sort();
            n.dedup();
            n
        };
        let mut by_name: std::collections::HashMap<String, Vec<usize>> = Default::default();
        let all: Vec<Vec<String>> = (0..items.len()).map(names).collect();
        for (i, n) in all.iter().enumerate() {
            for w in n {
                by_name.entry(w.clone()).or_default().push(i);
            }
        }
        let mut out = Vec::new();
        let mut pairs = 0;
        for i in 0..items.len() {
            if pairs >= want {
                break;
            }
            if used[i] {
                continue;
            }
            let mut best = None;
            for w in &all[i] {
                let Some(list) = by_name.get(w) else { continue };
                if list.len() > 30 {
                    continue;
                }
                for &j in list {
                    if j != i && !used[j] && items[j].class == items[i].class {
                        let shared = text::count_common(&all[i], &all[j]);
                        if shared >= 2 && best.is_none_or(|(s, _)| shared > s) {
                            best = Some((shared, j));
                        }
                    }
                }
            }
            let Some((_, j)) = best else { continue };
            used[i] = true;
            used[j] = true;
            let shared_name = text::common_first(&all[i], &all[j]).unwrap_or_default();
            let quote = format!("\"{},\" {} said.", self.rng.pick(QUOTES), shared_name);
            for k in [i, j] {
                let mut paragraphs = vec![items[k].description.clone()];
                // Two more leads of the class, unused.
                let mut m = (k * 7919) % items.len();
                let mut tries = 0;
                while paragraphs.len() < 3 && tries < items.len() {
                    if !used[m] && items[m].class == items[k].class {
                        used[m] = true;
                        paragraphs.push(items[m].description.clone());
                    }
                    m = (m + 1) % items.len();
                    tries += 1;
                }
                paragraphs.insert(1, quote.clone());
                out.push(Base {
                    title: items[k].title.clone(),
                    paragraphs,
                });
            }
            pairs += 1;
        }
        out
    }

    /// Publishes a story once or as several copies; returns how many articles.
    fn publish(&mut self, base: &Base) -> usize {
        let story = self.stories;
        self.stories += 1;
        let copies = if self.rng.below(100) < 36 {
            // 2 to 6 copies, fewer more often.
            match self.rng.below(10) {
                0..=4 => 2,
                5..=6 => 3,
                7 => 4,
                8 => 5,
                _ => 6,
            }
        } else {
            1
        };
        // Short stories go to sites with long boilerplate more often.
        let words: usize = base
            .paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum();
        let first_site = if words < 120 && self.rng.below(2) == 0 {
            let long: Vec<usize> = (0..self.sites.len())
                .filter(|&s| self.sites[s].after.as_ref().is_some_and(|a| a.len() > 300))
                .collect();
            if long.is_empty() {
                self.rng.below(self.sites.len())
            } else {
                self.rng.pick(&long)
            }
        } else {
            self.rng.below(self.sites.len())
        };
        let mut sites = vec![first_site];
        while sites.len() < copies {
            let s = self.rng.below(self.sites.len());
            if !sites.contains(&s) {
                sites.push(s);
            }
        }
        let orig = self.sites[first_site].name.clone();
        for (n, &site) in sites.iter().enumerate() {
            let (title, paragraphs, changes) = if n == 0 {
                (
                    base.title.clone(),
                    base.paragraphs.clone(),
                    String::from("original"),
                )
            } else {
                self.copy_of(base, &orig)
            };
            self.write(site, story, &title, &paragraphs, changes);
        }
        copies
    }

    /// A copy with random changes of the kinds issue 15 lists.
    fn copy_of(&mut self, base: &Base, orig: &str) -> (String, Vec<String>, String) {
        let mut changes: Vec<&str> = Vec::new();
        let mut title = base.title.clone();
        match self.rng.below(10) {
            0 | 1 => {
                title = title.to_uppercase();
                changes.push("upper");
            }
            2 => {
                title = title.to_lowercase();
                changes.push("lower");
            }
            _ => {}
        }
        if self.rng.below(10) < 3 {
            title = format!("{}{}", self.rng.pick(TAGS), title);
            changes.push("tag");
        } else if self.rng.below(10) == 0 {
            title = format!("{title} | {orig}");
            changes.push("suffix");
        }
        let mut paragraphs = base.paragraphs.clone();
        // Paragraphs split at a sentence or joined, as another format would.
        if self.rng.below(3) == 0 && paragraphs.len() >= 2 {
            let at = self.rng.below(paragraphs.len() - 1);
            let next = paragraphs.remove(at + 1);
            paragraphs[at] = format!("{} {next}", paragraphs[at]);
            changes.push("joined");
        } else if self.rng.below(3) == 0 {
            let at = self.rng.below(paragraphs.len());
            if let Some(cut) = paragraphs[at].find(". ") {
                let rest = paragraphs[at][cut + 2..].to_string();
                paragraphs[at].truncate(cut + 1);
                paragraphs.insert(at + 1, rest);
                changes.push("split");
            }
        }
        if self.rng.below(100) < 22 {
            self.excerpt(&mut paragraphs, orig);
            changes.push("excerpt");
        } else if self.rng.below(100) < 25 && paragraphs.len() >= 3 {
            let at = self.rng.below(paragraphs.len());
            paragraphs.remove(at);
            changes.push("dropped");
        }
        if self.rng.below(100) < 30 {
            let n = self.rng.range(2, 5);
            let mut done = 0;
            for _ in 0..40 {
                if done == n {
                    break;
                }
                let at = self.rng.below(paragraphs.len());
                let (from, to) = self.rng.pick(SWAPS);
                let p = &paragraphs[at];
                let mut words: Vec<String> = p.split(' ').map(str::to_string).collect();
                let hits: Vec<usize> = (0..words.len()).filter(|&k| words[k] == from).collect();
                if hits.is_empty() {
                    continue;
                }
                let k = self.rng.pick(&hits);
                words[k] = to.to_string();
                paragraphs[at] = words.join(" ");
                done += 1;
            }
            changes.push("words");
        }
        if self.rng.below(100) < 25 {
            let note = self.rng.pick(NOTES).replace("{orig}", orig);
            if self.rng.below(2) == 0 {
                paragraphs.insert(0, note);
            } else {
                paragraphs.push(note);
            }
            changes.push("note");
        }
        if changes.is_empty() {
            changes.push("reheaded");
        }
        (title, paragraphs, changes.join("+"))
    }

    /// Keeps the first half of the story (by words) and a "continue reading" line.
    fn excerpt(&mut self, paragraphs: &mut Vec<String>, orig: &str) {
        let total: usize = paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum();
        let want = total * self.rng.range(40, 60) / 100;
        let mut kept = Vec::new();
        let mut words = 0;
        for p in paragraphs.iter() {
            let n = p.split_whitespace().count();
            if words + n <= want || words * 5 < want * 4 {
                if words + n > want {
                    // One long paragraph: cut it after the sentence nearest the half.
                    let mut cut = String::new();
                    for sentence in p.split_inclusive(". ") {
                        cut.push_str(sentence);
                        if cut.split_whitespace().count() >= want {
                            break;
                        }
                    }
                    kept.push(format!("{} …", cut.trim_end()));
                    break;
                }
                kept.push(p.clone());
                words += n;
            } else {
                break;
            }
        }
        kept.push(self.rng.pick(CONTINUE).replace("{orig}", orig));
        *paragraphs = kept;
    }

    /// Writes one article as a file of its site's format and reads it back.
    fn write(
        &mut self,
        site: usize,
        story: usize,
        title: &str,
        paragraphs: &[String],
        changes: String,
    ) {
        let s = &self.sites[site];
        let format = s.formats[self.rng.below(s.formats.len())];
        let mut body: Vec<String> = Vec::new();
        if let Some(b) = &s.before {
            body.push(b.clone());
        }
        body.extend(paragraphs.iter().cloned());
        if let Some(a) = &s.after {
            body.extend(a.split("\n\n").map(str::to_string));
        }
        let year = 2015 + self.rng.below(11);
        let month = 1 + self.rng.below(12);
        let day = 1 + self.rng.below(28);
        let author = format!(
            "{} {}",
            ["Ana", "Tom", "Lena", "Kofi", "Mei", "Omar"][self.rng.below(6)],
            ["Ruiz", "Lee", "Novak", "Mensah", "Chen", "Haddad"][self.rng.below(6)]
        );
        let n = self.out.articles.len();
        let slug: String = title
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .take(30)
            .collect::<String>()
            .trim()
            .replace(' ', "_")
            .to_lowercase();
        let mut text = String::new();
        let name;
        match format {
            Format::Text => {
                name = format!("{n:05}_{slug}.txt");
                let _ = write!(
                    text,
                    "{title}\n\nBy [{author}](#)\n\n{}, {} {day}, {year}\n\n",
                    s.name,
                    crate::corpus::MONTHS[month - 1]
                );
                for p in &body {
                    text.push_str(p);
                    text.push_str("\n\n");
                }
                let _ = write!(
                    text,
                    "The original source of this article is [{}](#)\n\nCopyright © {author}, {}, {year}\n",
                    s.name, s.name
                );
            }
            Format::Markdown => {
                name = format!("{n:05}_{slug}.md");
                let _ = write!(
                    text,
                    "# {title}\n\nBy {author}\n\nSource: {}\nDate: {year:04}-{month:02}-{day:02}\n\n",
                    s.domain
                );
                for p in &body {
                    text.push_str(p);
                    text.push_str("\n\n");
                }
            }
            Format::Html => {
                name = format!("{n:05}_{slug}.html");
                let esc = |t: &str| {
                    t.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                        .replace('"', "&quot;")
                };
                let _ = write!(
                    text,
                    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{} | {}</title>\n<meta property=\"og:title\" content=\"{}\">\n<meta property=\"og:site_name\" content=\"{}\">\n</head><body>\n<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/politics\">Politics</a></nav>\n<main><article>\n<h1>{}</h1>\n<p class=\"byline\">By {author}</p>\n",
                    esc(title),
                    s.name,
                    esc(title),
                    s.name,
                    esc(title)
                );
                for p in &body {
                    let _ = writeln!(text, "<p>{}</p>", esc(p));
                }
                let _ = write!(
                    text,
                    "</article></main>\n<footer><p>© {year} {}. All rights reserved.</p></footer>\n</body></html>\n",
                    s.name
                );
            }
        }
        let parsed = article::parse(format, &name, text.as_bytes()).unwrap_or_default();
        if parsed.body.is_empty() {
            // The parser took a one-line story for a header: no text to compare.
            return;
        }
        self.out.articles.push(Arc::new(parsed));
        self.out.story.push(story);
        self.out.names.push(name);
        self.out.changes.push(changes);
    }
}

/// The real articles of a folder (the sample inbox), as stories.
fn real_articles(dir: &Path) -> Vec<Base> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if Format::from_path(&p).is_some() {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| {
            let format = Format::from_path(p)?;
            let bytes = std::fs::read(p).ok()?;
            let name = p.file_name()?.to_string_lossy().to_string();
            let a = article::parse(format, &name, &bytes).ok()?;
            let paragraphs: Vec<String> = a.body.iter().map(str::to_string).collect();
            (!paragraphs.is_empty()).then_some(Base {
                title: a.title,
                paragraphs,
            })
        })
        .collect()
}

use super::text;

/// splitmix64, as in the corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        text::mix(self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}
