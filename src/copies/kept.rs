//! The grouping kept between runs: a [`Grouper`] as bytes, with what it was built
//! from, so that a start on an inbox seen before gets its groups without reading
//! and hashing every body again (about 11 s of both cores at 100,000 articles).
//!
//! # What is kept
//!
//! Everything a grouper holds, as it is in memory: the sketch and title postings,
//! the boilerplate table, the pairs found and the items present; and, for every item
//! it was built from, its number and its *print* ([`print`]): a 64-bit hash of the
//! file's path relative to the inbox and the SHA-256 of its bytes. Items are entry
//! indices, which are stable only while the inbox is unchanged (a new file shifts
//! every later one), so a kept grouper is matched to the inbox by prints, not by
//! numbers. Postings are kept as they are (8 bytes an entry) rather than rebuilt from
//! per-article sketches (half the bytes): sorting 1.4 million entries at 100,000
//! articles costs more than reading 5 MB more. About 140 bytes an article, 15 MB at
//! 100,000 (the index holds some 300 MB of text for them).
//!
//! The bytes are little-endian 64-bit words: a header (magic, [`VERSION`], the
//! grouping's settings), each
//! part as a count and its words, and a checksum over all of them. They come from a
//! file, so they are checked, never trusted: a wrong checksum, magic, version or
//! setting, a count past the end, unsorted postings, or an item in a posting or
//! pair that is not present all make them unreadable, which means a full build —
//! never a panic, never groups from damaged bytes.
//!
//! # When it is reused ([`resume`])
//!
//! The rule is that the groups are always those [`super::group`] gives on the same
//! articles, with or without the index, in the TUI and in the commands alike. A full
//! build depends on the order of the articles (each is checked against the earlier
//! ones, and all the inbox's boilerplate is known before any is compared), so a
//! kept grouper is used only where that gives the same result:
//!
//! - **The same members, with the same prints and numbers**: the kept grouper is the
//!   one a full build of these articles made, taken as it is.
//! - **New files after all the others** in inbox order (names that sort last, as
//!   dated or numbered ones do), the rest unchanged, and not too many: the new ones
//!   are added one by one ([`Grouper::add`]), which reads only them and their
//!   candidates. An article added last is checked against every earlier one, as a
//!   build checks it; what a build would do otherwise is know the newcomers'
//!   boilerplate while comparing the earlier articles. So the update is kept only
//!   when the newcomers made no sentence boilerplate that was not already (the
//!   boilerplate table's count is the same after them); else a full build. The result
//!   is then the state a full build would have made, and the next update can build
//!   on it in the same way.
//! - **Anything else** (a file removed, edited, renamed, or new before others; more
//!   new files than one in sixteen of the inbox, and 64, where adding one by one
//!   costs more than a build on every core; a member without a SHA-256; nothing kept,
//!   or unreadable bytes): a full build.
//!
//! Whatever was not taken as it is is kept again for the next run.

use std::sync::Arc;

use super::grouper::{
    COMMON_SLOTS, Common, Grouper, MAX_CANDIDATES, MAX_POSTING, Postings, SKETCH,
};
use super::text::mix;
use crate::article::Article;

/// The kept bytes' version: bump it whenever the layout changes or the grouping
/// finds other pairs from the same articles (a threshold, a hash, the text it
/// compares), so that a grouper kept by another version is built again.
pub const VERSION: u64 = 1;

/// "TRGROUPS" as a little-endian word: what the bytes start with.
const MAGIC: u64 = u64::from_le_bytes(*b"TRGROUPS");

/// One entry the grouping is asked to hold: its number now and what it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub item: usize,
    /// The entry's [`print`]; `None` when its bytes are unknown: such an entry is
    /// never taken for unchanged.
    pub print: Option<u64>,
}

/// An entry's print: a hash of its path relative to the inbox (its bytes) and the
/// SHA-256 of its file's bytes, `None` without one. Two entries share a print only
/// by a 64-bit accident. Cheap (a few nanoseconds for a path): the TUI makes the
/// prints of every entry on its own thread's behalf.
pub fn print(rel: &[u8], sha256: Option<&[u8; 32]>) -> Option<u64> {
    let sha256 = sha256?;
    let mut h = mix(0x7472_6961_6765 ^ rel.len() as u64);
    let (chunks, rest) = rel.as_chunks::<8>();
    for c in chunks {
        h = mix(h ^ u64::from_le_bytes(*c));
    }
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    h = mix(h ^ u64::from_le_bytes(last));
    for c in sha256.as_chunks::<8>().0 {
        h = mix(h ^ u64::from_le_bytes(*c));
    }
    Some(h)
}

/// Why a grouper was built in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuild {
    /// Nothing was kept.
    Nothing,
    /// What was kept is damaged, cut short, or from another version.
    Unreadable,
    /// The files changed otherwise than by new ones after the rest (see the module's
    /// doc), or too many are new.
    Changed,
    /// The new files made a sentence boilerplate: the earlier articles would be
    /// compared without it.
    Boilerplate,
}

/// How a grouper came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Taken as it was kept.
    Restored,
    /// Kept, with `added` new items added after the rest.
    Updated { added: usize },
    /// Built from every article.
    Built(Rebuild),
}

/// A grouper for the members, and what to keep for the next run.
#[derive(Debug)]
pub struct Resumed {
    pub grouper: Grouper,
    pub how: How,
    /// Whether to keep it ([`encode_into`]): it differs from what was kept.
    pub keep: bool,
}

/// A grouper kept, decoded.
pub struct Kept {
    grouper: Grouper,
    /// `(item, print)` of every member it was built from, by item.
    members: Vec<(u32, u64)>,
}

/// The members' `(item, print)` as kept: those with a print and a number that fits,
/// by item.
fn printed(members: &[Member]) -> Vec<(u32, u64)> {
    let mut out: Vec<(u32, u64)> = members
        .iter()
        .filter_map(|m| Some((u32::try_from(m.item).ok()?, m.print?)))
        .collect();
    out.sort_unstable();
    out.dedup_by_key(|(item, _)| *item);
    out
}

/// The grouper `kept` holds, when it gives the groups of a full build of the
/// `members` as it is or once the new ones are added (see the module's doc);
/// `fetch` gives an item's whole article, for the items to add and their
/// candidates. `Err` says why a full build is needed ([`build`]).
pub fn resume(
    members: &[Member],
    kept: Option<&[u8]>,
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
) -> Result<Resumed, Rebuild> {
    let kept = decode(kept.ok_or(Rebuild::Nothing)?).ok_or(Rebuild::Unreadable);
    resume_kept(members, kept, fetch)
}

/// Whether `kept` was made from exactly these members, numbered as they are now.
pub fn same_members(kept: &Kept, members: &[Member]) -> bool {
    let now = printed(members);
    now.len() == members.len() && now == kept.members
}

impl Kept {
    /// The grouper kept (of [`decode_groups_from`]: its groups alone).
    pub fn into_grouper(self) -> Grouper {
        self.grouper
    }
}

/// [`resume`] from a grouper already read ([`decode_from`]), or why there is none.
pub fn resume_kept(
    members: &[Member],
    kept: Result<Kept, Rebuild>,
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
) -> Result<Resumed, Rebuild> {
    let kept = kept?;
    let now = printed(members);
    // A member without a print (or numbered twice) could have changed unseen.
    if now.len() != members.len() {
        return Err(Rebuild::Changed);
    }
    if now == kept.members {
        return Ok(Resumed {
            grouper: kept.grouper,
            how: How::Restored,
            keep: false,
        });
    }
    // The kept members, unchanged and numbered as they were, then only new ones
    // (`now` is by item, so they come after every kept one).
    let new = now
        .strip_prefix(kept.members.as_slice())
        .ok_or(Rebuild::Changed)?;
    if new.len() > (members.len() / 16).max(64) {
        return Err(Rebuild::Changed);
    }
    let mut grouper = kept.grouper;
    let boilerplate = grouper.common.boilerplate();
    let mut fetch_mut = |i: usize| fetch(i);
    for &(item, _) in new {
        let item = item as usize;
        if let Some(article) = fetch(item) {
            grouper.add(item, &article, &mut fetch_mut);
        }
    }
    if grouper.common.boilerplate() != boilerplate {
        return Err(Rebuild::Boilerplate);
    }
    Ok(Resumed {
        grouper,
        how: How::Updated { added: new.len() },
        keep: true,
    })
}

/// A full build of the members on `threads` threads ([`Grouper::build_on`]), to keep.
pub fn build(
    members: &[Member],
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
    why: Rebuild,
    threads: usize,
) -> Resumed {
    let items: Vec<usize> = members.iter().map(|m| m.item).collect();
    let grouper = Grouper::build_on(&items, fetch, threads);
    Resumed {
        grouper,
        how: How::Built(why),
        keep: true,
    }
}

/// [`resume`], else [`build`] on `threads` threads (what the program does, in two
/// steps, around reading the kept bytes; for the tests).
#[cfg(test)]
fn resume_or_build(
    members: &[Member],
    kept: Option<&[u8]>,
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
    threads: usize,
) -> Resumed {
    resume(members, kept, fetch).unwrap_or_else(|why| build(members, fetch, why, threads))
}

/// The grouping's settings as one word, kept in the header: a grouper kept with
/// other settings is built again even if [`VERSION`] was forgotten.
fn settings() -> u64 {
    [SKETCH, MAX_POSTING, MAX_CANDIDATES, COMMON_SLOTS]
        .iter()
        .fold(0, |h, &v| mix(h ^ v as u64))
}

/// A checksum of words, taken one at a time: four lanes of splitmix64 steps, word
/// `k` going to lane `k % 4` (each step a bijection of the lane, so any one word
/// changed always changes the sum; more than one changes it but by a 2^-64
/// accident), fast enough for 15 MB in a few milliseconds.
struct Sum {
    lanes: [u64; 4],
    words: u64,
}

impl Sum {
    fn new() -> Sum {
        Sum {
            lanes: [1, 2, 3, 4],
            words: 0,
        }
    }

    fn push(&mut self, w: u64) {
        let lane = &mut self.lanes[(self.words % 4) as usize];
        *lane = mix(*lane ^ w);
        self.words += 1;
    }

    fn value(&self) -> u64 {
        self.lanes.iter().fold(self.words, |h, &lane| mix(h ^ lane))
    }
}

/// The parts of the kept words, in order, as slices of the grouper and the members.
fn parts<'a>(
    grouper: &'a Grouper,
    sketches: &'a [u64],
    titles: &'a [u64],
    items: &'a [u64],
    prints: &'a [u64],
) -> [&'a [u64]; 7] {
    [
        sketches,
        titles,
        &grouper.common.slots,
        &grouper.edges,
        &grouper.present,
        items,
        prints,
    ]
}

/// A posting list's entries, sorted: as held when nothing was added since its last
/// merge (always, after a build or a restore), else a sorted copy.
fn postings(p: &Postings) -> std::borrow::Cow<'_, [u64]> {
    if p.recent.is_empty() {
        std::borrow::Cow::Borrowed(&p.main)
    } else {
        let mut all = p.main.clone();
        all.extend_from_slice(&p.recent);
        all.sort_unstable();
        std::borrow::Cow::Owned(all)
    }
}

/// Writes the bytes that keep `grouper`, built from `members`, as they are made: no
/// copy of the whole (15 MB at 100,000 articles) is ever held beside the grouper.
/// Returns how many bytes it wrote ([`encoded_len`] says it beforehand).
pub fn encode_into(
    grouper: &Grouper,
    members: &[Member],
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let members = printed(members);
    let items: Vec<u64> = members.iter().map(|&(i, _)| u64::from(i)).collect();
    let prints: Vec<u64> = members.iter().map(|&(_, p)| p).collect();
    let (sketches, titles) = (postings(&grouper.sketches), postings(&grouper.titles));
    let mut sum = Sum::new();
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut written = 0;
    let mut word = |w: u64, sum: &mut Sum, buf: &mut Vec<u8>| -> std::io::Result<()> {
        sum.push(w);
        buf.extend_from_slice(&w.to_le_bytes());
        if buf.len() >= 64 * 1024 {
            out.write_all(buf)?;
            written += buf.len();
            buf.clear();
        }
        Ok(())
    };
    for w in [MAGIC, VERSION, settings()] {
        word(w, &mut sum, &mut buf)?;
    }
    for part in parts(grouper, &sketches, &titles, &items, &prints) {
        word(part.len() as u64, &mut sum, &mut buf)?;
        for &w in part {
            word(w, &mut sum, &mut buf)?;
        }
    }
    let total = sum.value();
    buf.extend_from_slice(&total.to_le_bytes());
    out.write_all(&buf)?;
    Ok(written + buf.len())
}

/// How many bytes [`encode_into`] writes for `grouper` and `members`.
pub fn encoded_len(grouper: &Grouper, members: &[Member]) -> usize {
    let members = printed(members).len();
    let words = 3
        + 7
        + grouper.sketches.main.len()
        + grouper.sketches.recent.len()
        + grouper.titles.main.len()
        + grouper.titles.recent.len()
        + grouper.common.slots.len()
        + grouper.edges.len()
        + grouper.present.len()
        + 2 * members
        + 1;
    words * 8
}

/// The bytes to keep `grouper`, built from `members` (see [`encode_into`]).
pub fn encode(grouper: &Grouper, members: &[Member]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(encoded_len(grouper, members));
    // Writing into memory cannot fail.
    let _ = encode_into(grouper, members, &mut bytes);
    bytes
}

/// Reads words from the kept bytes, `len` of them in all, summing them as they come.
struct Words<'r> {
    from: &'r mut dyn std::io::Read,
    left: usize,
    sum: Sum,
    buf: Vec<u8>,
    at: usize,
}

impl Words<'_> {
    fn word(&mut self) -> Option<u64> {
        if self.left == 0 {
            return None;
        }
        if self.at == self.buf.len() {
            let n = (self.left * 8).min(64 * 1024);
            self.buf.resize(n, 0);
            self.from.read_exact(&mut self.buf).ok()?;
            self.at = 0;
        }
        let bytes: [u8; 8] = self.buf.get(self.at..self.at + 8)?.try_into().ok()?;
        self.at += 8;
        self.left -= 1;
        let w = u64::from_le_bytes(bytes);
        self.sum.push(w);
        Some(w)
    }

    /// A part read only for the checksum: its words summed and let go.
    fn skip_part(&mut self) -> Option<()> {
        let len = usize::try_from(self.word()?).ok()?;
        if len > self.left {
            return None;
        }
        for _ in 0..len {
            self.word()?;
        }
        Some(())
    }

    /// A part: its count, then that many words, read straight into their vector
    /// (a count past what is left is damage, never an allocation).
    fn part(&mut self) -> Option<Vec<u64>> {
        let len = usize::try_from(self.word()?).ok()?;
        if len > self.left {
            return None;
        }
        let mut part = Vec::with_capacity(len);
        for _ in 0..len {
            part.push(self.word()?);
        }
        Some(part)
    }
}

/// The grouper [`encode`] wrote; `None` for anything else.
fn decode(bytes: &[u8]) -> Option<Kept> {
    decode_from(&mut &bytes[..], bytes.len())
}

/// The grouper [`encode_into`] wrote, read from `from`, which holds `len` bytes;
/// `None` for anything else. Each part goes straight into the grouper's vectors, so
/// reading needs no more memory than the grouper itself.
pub fn decode_from(from: &mut dyn std::io::Read, len: usize) -> Option<Kept> {
    decode_parts(from, len, true)
}

/// The groups [`encode_into`] kept and what they were made from, read from `from`
/// (`len` bytes) without the grouper's postings and boilerplate table, which only
/// adding an article needs: every byte is still read and checked, but only the pairs,
/// the items present and the members are held (a few MB at 100,000 articles, where the
/// whole grouper is about 14). The grouper it gives knows its groups
/// ([`Grouper::groups`]) and nothing more: never [`Grouper::add`] to it.
pub fn decode_groups_from(from: &mut dyn std::io::Read, len: usize) -> Option<Kept> {
    decode_parts(from, len, false)
}

fn decode_parts(from: &mut dyn std::io::Read, len: usize, whole: bool) -> Option<Kept> {
    if !len.is_multiple_of(8) || len < 8 {
        return None;
    }
    let mut r = Words {
        from,
        left: len / 8 - 1,
        sum: Sum::new(),
        buf: Vec::new(),
        at: 0,
    };
    if r.word()? != MAGIC || r.word()? != VERSION || r.word()? != settings() {
        return None;
    }
    let (sketches, titles, slots) = if whole {
        (r.part()?, r.part()?, r.part()?)
    } else {
        r.skip_part()?;
        r.skip_part()?;
        r.skip_part()?;
        (Vec::new(), Vec::new(), Vec::new())
    };
    let edges = r.part()?;
    let present = r.part()?;
    let items = r.part()?;
    let prints = r.part()?;
    if r.left != 0 || (whole && slots.len() != COMMON_SLOTS) || items.len() != prints.len() {
        return None;
    }
    // The checksum, the one word not summed.
    let expected = r.sum.value();
    r.left = 1;
    let mut last = [0u8; 8];
    if r.at < r.buf.len() {
        last.copy_from_slice(r.buf.get(r.at..r.at + 8)?);
    } else {
        r.from.read_exact(&mut last).ok()?;
    }
    if u64::from_le_bytes(last) != expected {
        return None;
    }
    // Members by item, each number a u32, each once.
    let mut members = Vec::with_capacity(items.len());
    for (&item, &print) in items.iter().zip(&prints) {
        members.push((u32::try_from(item).ok()?, print));
    }
    if !members.windows(2).all(|w| w[0].0 < w[1].0) {
        return None;
    }
    let is_member = |id: u32| members.binary_search_by_key(&id, |&(i, _)| i).is_ok();
    let is_present = |id: u32| {
        present
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    };
    // Every item present was a member; every item named is present.
    for (w, &word) in present.iter().enumerate() {
        for bit in 0..64 {
            if word & (1 << bit) != 0 && !u32::try_from(w * 64 + bit).is_ok_and(is_member) {
                return None;
            }
        }
    }
    let sorted_and_present = |list: &[u64]| {
        list.windows(2).all(|w| w[0] <= w[1]) && list.iter().all(|&e| is_present(e as u32))
    };
    if !sorted_and_present(&sketches) || !sorted_and_present(&titles) {
        return None;
    }
    let pairs_sound = edges.windows(2).all(|w| w[0] < w[1])
        && edges.iter().all(|&e| {
            let (a, b) = ((e >> 32) as u32, e as u32);
            a < b && is_present(a) && is_present(b)
        });
    if !pairs_sound {
        return None;
    }
    Some(Kept {
        grouper: Grouper {
            sketches: Postings {
                main: sketches,
                recent: Vec::new(),
            },
            titles: Postings {
                main: titles,
                recent: Vec::new(),
            },
            common: Common { slots },
            edges,
            present,
        },
        members,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use super::*;
    use crate::copies::{Groups, fixture, group};

    /// A small labeled inbox with reprints and shared boilerplate (made-up bodies
    /// and the sample inbox), read once for all the tests here.
    fn articles() -> &'static [Arc<Article>] {
        static FIXTURE: OnceLock<Vec<Arc<Article>>> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let inbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox");
            let sources = fixture::Sources {
                ag_news: None,
                inbox: Some(&inbox),
            };
            fixture::inbox(7, 360, &sources).articles
        })
    }

    /// An inbox of the fixture's articles `files` (indices into the fixture), in that
    /// order: file `f` is at `f.txt` with bytes whose SHA-256 starts with `f` and
    /// `version`, so a print follows a file wherever it lands in the inbox.
    struct Inbox {
        articles: Vec<Arc<Article>>,
        members: Vec<Member>,
    }

    fn inbox(files: &[usize], version: impl Fn(usize) -> u64) -> Inbox {
        let members = files
            .iter()
            .enumerate()
            .map(|(item, &f)| {
                let mut sha = [0u8; 32];
                sha[..8].copy_from_slice(&(f as u64).to_le_bytes());
                sha[8..16].copy_from_slice(&version(f).to_le_bytes());
                Member {
                    item,
                    print: print(format!("{f}.txt").as_bytes(), Some(&sha)),
                }
            })
            .collect();
        Inbox {
            articles: files.iter().map(|&f| Arc::clone(&articles()[f])).collect(),
            members,
        }
    }

    impl Inbox {
        fn fetch(&self) -> impl Fn(usize) -> Option<Arc<Article>> + Sync + '_ {
            |i| self.articles.get(i).cloned()
        }

        /// The groups a grouping from scratch finds, as without an index.
        fn grouped_anew(&self) -> Groups {
            group(
                &self
                    .articles
                    .iter()
                    .cloned()
                    .enumerate()
                    .collect::<Vec<_>>(),
            )
        }

        fn kept(&self) -> Vec<u8> {
            let built = build(&self.members, &self.fetch(), Rebuild::Nothing, 2);
            assert!(built.keep, "a build is kept");
            encode(&built.grouper, &self.members)
        }

        fn resume(&self, kept: &[u8]) -> Result<Resumed, Rebuild> {
            resume(&self.members, Some(kept), &self.fetch())
        }
    }

    fn all() -> Vec<usize> {
        (0..articles().len()).collect()
    }

    #[test]
    fn a_kept_grouper_comes_back_with_the_same_groups_and_adds_alike() {
        let files = all();
        let (last, before) = files.split_last().expect("articles");
        let now = inbox(before, |_| 0);
        let built = build(&now.members, &now.fetch(), Rebuild::Nothing, 2);
        assert!(built.keep);
        let kept = encode(&built.grouper, &now.members);
        let restored = now.resume(&kept).expect("restored");
        assert_eq!(restored.how, How::Restored);
        assert!(!restored.keep, "nothing new to keep");
        let groups = now.grouped_anew();
        assert!(groups.count() >= 20, "the fixture has stories: {groups:?}");
        assert_eq!(restored.grouper.groups(), groups);
        assert_eq!(built.grouper.groups(), groups);
        // Adding the last article to either finds the same pairs and leaves the same
        // state behind.
        let whole = inbox(&files, |_| 0);
        let article = &whole.articles[*last];
        let (mut a, mut b) = (built.grouper, restored.grouper);
        a.add(before.len(), article, &mut |i| {
            whole.articles.get(i).cloned()
        });
        b.add(before.len(), article, &mut |i| {
            whole.articles.get(i).cloned()
        });
        assert_eq!(a.groups(), b.groups());
        assert_eq!(encode(&a, &whole.members), encode(&b, &whole.members));
    }

    #[test]
    fn damaged_or_cut_bytes_mean_a_full_build_with_the_right_groups() {
        let now = inbox(&all(), |_| 0);
        let kept = now.kept();
        let groups = now.grouped_anew();
        let mut tried = 0;
        let step = kept.len() / 97;
        for at in (0..kept.len())
            .step_by(step)
            .chain(kept.len() - 9..kept.len())
        {
            let mut bad = kept.clone();
            bad[at] ^= 0x10;
            assert!(
                matches!(now.resume(&bad), Err(Rebuild::Unreadable)),
                "a bit flipped at {at}"
            );
            tried += 1;
        }
        assert!(tried > 90);
        for cut in [0, 1, 8, 31, kept.len() / 2, kept.len() - 8, kept.len() - 1] {
            assert!(
                matches!(now.resume(&kept[..cut]), Err(Rebuild::Unreadable)),
                "cut at {cut}"
            );
        }
        let mut longer = kept.clone();
        longer.extend_from_slice(&[0; 8]);
        assert!(matches!(now.resume(&longer), Err(Rebuild::Unreadable)));
        let mut bad = kept.clone();
        bad[kept.len() / 3] ^= 1;
        let rebuilt = resume_or_build(&now.members, Some(&bad), &now.fetch(), 2);
        assert_eq!(rebuilt.how, How::Built(Rebuild::Unreadable));
        assert_eq!(rebuilt.grouper.groups(), groups);
        assert!(rebuilt.keep, "the sound bytes are kept again");
    }

    /// `kept` with its words changed by `change` and its checksum made right again:
    /// bytes that pass the checksum but say something impossible.
    fn forged(kept: &[u8], change: impl FnOnce(&mut Vec<u64>)) -> Vec<u8> {
        let mut words: Vec<u64> = kept
            .as_chunks::<8>()
            .0
            .iter()
            .map(|c| u64::from_le_bytes(*c))
            .collect();
        words.pop();
        change(&mut words);
        let mut sum = Sum::new();
        words.iter().for_each(|&w| sum.push(w));
        words.push(sum.value());
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn bytes_with_a_right_checksum_that_say_the_impossible_are_refused() {
        let now = inbox(&all(), |_| 0);
        let kept = now.kept();
        assert!(
            decode(&forged(&kept, |_| {})).is_some(),
            "the forgery works"
        );
        // Another version, other settings.
        assert!(decode(&forged(&kept, |w| w[1] = VERSION + 1)).is_none());
        assert!(decode(&forged(&kept, |w| w[2] ^= 1)).is_none());
        // A count past the end (the first part's, right after the header).
        assert!(decode(&forged(&kept, |w| w[3] = u64::MAX)).is_none());
        // Postings out of order: the sketches' first two entries swapped.
        assert!(
            decode(&forged(&kept, |w| {
                assert!(w[4] < w[5]);
                w.swap(4, 5);
            }))
            .is_none()
        );
        // A pair naming an item that is not there, through the whole edges part.
        let edges_at = {
            let mut at = 3;
            for _ in 0..3 {
                at += 1 + usize::try_from(u64::from_le_bytes(
                    *kept.as_chunks::<8>().0.get(at).expect("a count"),
                ))
                .expect("fits");
            }
            at
        };
        let bad_pair = forged(&kept, |w| {
            assert!(w[edges_at] > 0, "the fixture has pairs");
            w[edges_at + 1] = (1u64 << 32) | 0xFFFF_FF00;
        });
        assert!(decode(&bad_pair).is_none());
    }

    #[test]
    fn a_grouping_kept_from_other_files_is_built_again() {
        let now = inbox(&all(), |_| 0);
        let other = inbox(&all(), |_| 1).kept();
        assert!(matches!(now.resume(&other), Err(Rebuild::Changed)));
        let rebuilt = resume_or_build(&now.members, Some(&other), &now.fetch(), 2);
        assert_eq!(rebuilt.how, How::Built(Rebuild::Changed));
        assert_eq!(rebuilt.grouper.groups(), now.grouped_anew());
        assert!(matches!(
            resume(&now.members, None, &now.fetch()),
            Err(Rebuild::Nothing)
        ));
    }

    /// The fixture's first story with three copies or more, as file numbers.
    fn a_story(groups: &Groups) -> Vec<usize> {
        groups
            .iter()
            .find(|g| g.len() >= 3)
            .expect("a story with three copies")
            .to_vec()
    }

    #[test]
    fn a_new_copy_after_the_rest_joins_its_story_and_only_it_is_read() {
        let files = all();
        let story = a_story(&inbox(&files, |_| 0).grouped_anew());
        // The inbox as it was, without one copy, which then arrives last.
        let copy = story[1];
        let mut files: Vec<usize> = files.into_iter().filter(|&f| f != copy).collect();
        let kept = inbox(&files, |_| 0).kept();
        files.push(copy);
        let now = inbox(&files, |_| 0);
        let read = std::sync::atomic::AtomicUsize::new(0);
        let counting = |i: usize| {
            read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            now.articles.get(i).cloned()
        };
        let resumed = resume(&now.members, Some(&kept), &counting).expect("updated");
        assert_eq!(resumed.how, How::Updated { added: 1 });
        // The groups, and the state, of a full build.
        let groups = resumed.grouper.groups();
        let last = files.len() - 1;
        let mut expected: Vec<usize> = story
            .iter()
            .map(|&f| files.iter().position(|&g| g == f).expect("there"))
            .collect();
        expected.sort_unstable();
        assert_eq!(
            groups.copies_of(last),
            expected,
            "the new copy joins its story"
        );
        assert_eq!(groups, now.grouped_anew());
        assert!(resumed.keep, "kept again");
        let kept_again = encode(&resumed.grouper, &now.members);
        assert_eq!(kept_again, now.kept(), "the very state a full build keeps");
        // The new article and its candidates, not the inbox.
        let read = read.into_inner();
        assert!((1..=1 + MAX_CANDIDATES).contains(&read), "{read} read");
        // Kept again, it comes back as it is.
        let again = now.resume(&kept_again).expect("restored");
        assert_eq!(again.how, How::Restored);
    }

    #[test]
    fn a_file_new_before_others_edited_or_removed_means_a_full_build() {
        let files = all();
        let story = a_story(&inbox(&files, |_| 0).grouped_anew());
        let copy = story[1];
        let without: Vec<usize> = files.iter().copied().filter(|&f| f != copy).collect();
        let kept_without = inbox(&without, |_| 0).kept();
        let kept = inbox(&files, |_| 0).kept();
        let edited = inbox(&files, |f| u64::from(f == story[2]));
        let removed = inbox(&without, |_| 0);
        let inserted = inbox(&files, |_| 0);
        for (what, now, kept) in [
            ("new before others", &inserted, &kept_without),
            ("edited", &edited, &kept),
            ("removed", &removed, &kept),
        ] {
            assert!(matches!(now.resume(kept), Err(Rebuild::Changed)), "{what}");
            let rebuilt = resume_or_build(&now.members, Some(kept), &now.fetch(), 2);
            assert_eq!(rebuilt.how, How::Built(Rebuild::Changed), "{what}");
            assert_eq!(rebuilt.grouper.groups(), now.grouped_anew(), "{what}");
        }
        // A member whose bytes are unknown could have changed unseen.
        let mut unknown = inbox(&files, |_| 0);
        unknown.members[5].print = None;
        assert!(matches!(unknown.resume(&kept), Err(Rebuild::Changed)));
    }

    #[test]
    fn new_files_that_make_a_sentence_boilerplate_mean_a_full_build() {
        use crate::article::{Format, parse};
        let shared = "Readers may copy this report freely provided the source is named in full.";
        let article = |i: usize| {
            let text = format!(
                "Story number {i} of the day\n\nThe council of town {i} met on day {i} to talk \
                 about road {i}, bridge {i} and school {i}, and voted on budget {i}.\n\n{shared}\n"
            );
            Arc::new(parse(Format::Text, "a.txt", text.as_bytes()).expect("parses"))
        };
        let members = |n: usize| -> Vec<Member> {
            (0..n)
                .map(|item| Member {
                    item,
                    print: Some(item as u64 + 1),
                })
                .collect()
        };
        let articles: Vec<Arc<Article>> = (0..3).map(article).collect();
        let fetch = |i: usize| articles.get(i).cloned();
        // Two titles: the sentence is still the stories' own text.
        let two = build(&members(2), &fetch, Rebuild::Nothing, 2);
        let two_kept = encode(&two.grouper, &members(2));
        // A third title makes it boilerplate.
        let three = members(3);
        assert!(matches!(
            resume(&three, Some(&two_kept), &fetch),
            Err(Rebuild::Boilerplate)
        ));
        let rebuilt = resume_or_build(&three, Some(&two_kept), &fetch, 2);
        assert_eq!(rebuilt.how, How::Built(Rebuild::Boilerplate));
        let numbered: Vec<(usize, Arc<Article>)> = articles.iter().cloned().enumerate().collect();
        assert_eq!(rebuilt.grouper.groups(), group(&numbered));
    }

    #[test]
    fn more_new_files_than_one_in_sixteen_mean_a_full_build() {
        let files = all();
        let (kept_files, _) = files.split_at(files.len() - 65);
        let kept = inbox(kept_files, |_| 0).kept();
        let now = inbox(&files, |_| 0);
        assert!(matches!(now.resume(&kept), Err(Rebuild::Changed)));
        let rebuilt = resume_or_build(&now.members, Some(&kept), &now.fetch(), 2);
        assert_eq!(rebuilt.grouper.groups(), now.grouped_anew());
    }

    #[test]
    fn the_groups_alone_come_back_checked_as_the_whole_grouper_does() {
        let now = inbox(&all(), |_| 0);
        let kept = now.kept();
        let light = decode_groups_from(&mut &kept[..], kept.len()).expect("read");
        assert!(same_members(&light, &now.members));
        assert_eq!(light.into_grouper().groups(), now.grouped_anew());
        // Every byte is still checked: a change inside the postings it lets go of
        // is damage all the same.
        let mut bad = kept.clone();
        bad[64] ^= 1;
        assert!(decode_groups_from(&mut &bad[..], bad.len()).is_none());
        assert!(decode_groups_from(&mut &kept[..kept.len() - 8], kept.len() - 8).is_none());
        // Made from other members: not the same.
        let fewer = inbox(&all()[1..], |_| 0);
        let whole = decode_from(&mut &kept[..], kept.len()).expect("read");
        assert!(!same_members(&whole, &fewer.members));
    }
}
