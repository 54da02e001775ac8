//! Copies of one story (reprints): articles that tell the same story, found by the
//! text of their bodies, whatever their format, header, footer or title prefix.
//!
//! [`Groups`] is what the rest of the program sees: for each item (an index the
//! caller chose, the entry's index in the TUI and the commands), the group of
//! copies it belongs to, if any. [`group`] groups a whole inbox on every core;
//! [`Grouper`] keeps groups up to date as articles come and go; [`differences`] says
//! what sets two copies apart (another title, a missing paragraph); [`kept`] keeps a
//! grouper between runs (in the index), so that a start on an inbox seen before
//! does not group it again.
//!
//! # How copies are found
//!
//! 1. **Text.** The body's words (letters and digits, case folded; punctuation,
//!    markup and paragraph breaks ignored, since formats split paragraphs
//!    differently), as shingles of four words. The publisher's footer is already
//!    apart (`Article::footer`) and not compared.
//! 2. **Boilerplate left out.** Sentences found under three different titles or more
//!    (a site's disclaimer or membership pitch, a cookie notice, a newsletter line, a
//!    stock phrase) are dropped before anything is compared. Counting *titles*, not
//!    articles, is what keeps a story printed six times from passing for
//!    boilerplate: its copies keep its title, re-cased or tagged, which
//!    `title_words` undoes. A fixed, lossy table of 2 MiB holds the counts.
//! 3. **Candidates.** Each body's 14 smallest shingle hashes (a bottom-k sketch, 32
//!    bits each, in one sorted vector) and its title: an earlier article sharing two
//!    sketch values, or the title, is a candidate. A bottom-k sketch suits excerpts,
//!    which MinHash bands do not: an excerpt holds half the story, so about half its
//!    sketch is also the full text's (5–7 values), while its Jaccard with the full
//!    text is only 0.4–0.5. Values or titles held by more than 48 earlier articles are
//!    common text and name no candidates; at most 40 candidates are checked.
//! 4. **The check**, on the two full shingle sets (built only for the pair), after
//!    also leaving out shingles the new article shares with candidates of two other
//!    titles. A pair is a copy when it shares at least 6 shingles and one of:
//!    the titles are alike (half their words in common) and containment
//!    (shared / smaller) is at least 0.5; or containment is at least 0.8 and the
//!    story's opening (its first twelve shingles, of either) is in the other; or
//!    Jaccard is at least 0.8. Containment catches excerpts and copies with an
//!    editor's note; the title or the opening is the second signal that a high
//!    containment on a short text needs; Jaccard alone catches edited copies retitled.
//! 5. **Groups** are the connected components of the pairs found.
//!
//! # How the thresholds were set
//!
//! On the labeled fixture of `copies::fixture` (about 2,400 articles: the sample inbox,
//! real AG News leads composed into stories, and made-up bodies; a third of the
//! stories reprinted 2–6 times with every change of issue 15; sites whose long
//! disclaimers are longer than their stories; cookie notices; same-event pairs with
//! a shared quote), read through the program's parsers. The first version
//! (containment and title, without the boilerplate table) reached precision 0.996
//! and recall 0.975; every pair it got wrong was either two stories merged by a
//! shared disclaimer or an excerpt whose share of the story was hidden by its site's
//! own disclaimer. Leaving out boilerplate fixed both: precision 1.000 and recall
//! 0.992 (0.9955 with made-up bodies only). The thresholds sit in the middle of
//! wide gaps: copies' containment after boilerplate is mostly above 0.9, different
//! stories' below 0.3 (a shared quote sentence gives 0.1–0.2). For comparison, the
//! best single Jaccard threshold on the same fixture gives precision 0.960 at recall
//! 0.560 (the issue saw 0.97 at 0.81 on its data; this fixture has more excerpts
//! and boilerplate). The figures are in BENCHMARKS.md ("Copies (issue 15)").
//!
//! # Why no MinHash crate
//!
//! The crates looked at: `gaoya` (MinHash and SimHash LSH indexes; last release June
//! 2023, a few hundred downloads a month, pulls in rayon), `datasketch-minhash-lsh`
//! (0.0.1, "use at your own risk") and `lshdedup-core` (0.1, new). Their indexes
//! keep a full signature per document (126 hashes of 32 bits is 500 bytes, against
//! a budget of about 150 bytes an article) in hash maps, and their band scheme
//! answers Jaccard queries, which misses excerpts unless bands are so short that
//! candidates explode. What this module needs — a bottom-k sketch in a sorted vector,
//! a boilerplate table and a two-signal check — is about as much code as the glue
//! to one of them would be.
//!
//! # Memory and speed
//!
//! Kept between calls: 15 entries of 8 bytes an article (sketch and title), the
//! pairs found, and the 2 MiB table: 141 bytes an article at 100,000. Grouping
//! 100,000 articles from scratch takes about 9 s on two cores (the first index takes
//! 52–57 s here), adding one to a grouper of 100,000 about 0.1 ms (budget 5 ms).

mod differences;
#[cfg(any(test, feature = "corpus"))]
pub mod fixture;
mod grouper;
pub mod kept;
#[cfg(test)]
mod tests;
mod text;

pub use differences::{Differences, differences};
pub use grouper::{Grouper, group};

/// Groups of copies over items numbered by the caller. Only groups of two or more
/// items exist: an article with no copy has no group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// For each item, its group (an index into `members`), when it has copies.
    of: Vec<Option<u32>>,
    /// Each group's items in increasing order; always two or more.
    members: Vec<Vec<usize>>,
}

impl Groups {
    /// Groups made from lists of items (each list one story; lists of fewer than
    /// two items are dropped, and an item in two lists joins the first).
    pub fn from_lists(lists: impl IntoIterator<Item = Vec<usize>>) -> Groups {
        let mut lists: Vec<Vec<usize>> = lists
            .into_iter()
            .map(|mut list| {
                list.sort_unstable();
                list.dedup();
                list
            })
            .collect();
        lists.sort_by_key(|list| list.first().copied());
        let mut groups = Groups::default();
        for mut list in lists {
            list.retain(|&item| groups.group_of(item).is_none());
            if list.len() < 2 {
                continue;
            }
            let id = u32::try_from(groups.members.len()).unwrap_or(u32::MAX);
            for &item in &list {
                if groups.of.len() <= item {
                    groups.of.resize(item + 1, None);
                }
                groups.of[item] = Some(id);
            }
            groups.members.push(list);
        }
        groups
    }

    /// The group of `item`, when it has copies.
    pub fn group_of(&self, item: usize) -> Option<u32> {
        self.of.get(item).copied().flatten()
    }

    /// The items of a group, in increasing order (empty for an unknown group).
    pub fn members(&self, group: u32) -> &[usize] {
        self.members
            .get(group as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every item of `item`'s group, itself included; empty when it has no copy.
    pub fn copies_of(&self, item: usize) -> &[usize] {
        self.group_of(item).map_or(&[], |g| self.members(g))
    }

    /// How many groups there are.
    pub fn count(&self) -> usize {
        self.members.len()
    }

    /// Every group's items, groups in the order of their first item.
    pub fn iter(&self) -> impl Iterator<Item = &[usize]> + '_ {
        self.members.iter().map(Vec::as_slice)
    }
}
