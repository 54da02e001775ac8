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
//! grouping's settings, and how many items changed since the last full build), each
//! part as a count and its words, and a checksum over all of them. They come from a
//! file, so they are checked, never trusted: a wrong checksum, magic, version or
//! setting, a count past the end, unsorted postings, or an item in a posting or
//! pair that is not present all make them unreadable, which means a full build —
//! never a panic, never groups from damaged bytes.
//!
//! # When it is reused ([`resume`])
//!
//! - **The same members, with the same prints and numbers**: the kept grouper is the
//!   one a full build of these articles made (or the update below), and is taken as
//!   it is. Its groups are those of [`super::group`] on the same articles.
//! - **Some changed** (files added, removed, edited, renamed) while the rest is the
//!   same: the kept grouper's items are renumbered to the entries with the same
//!   print, the ones gone or changed dropped (with their pairs, as
//!   [`Grouper::remove`] does), and the new or changed added one by one in inbox
//!   order ([`Grouper::add`], what the TUI does with what the watcher sees). That
//!   reads only the changed bodies and their candidates. Its groups are those of
//!   adding: the same as a full build but for a pair that boilerplate learned from
//!   the newcomers would have judged otherwise (see `Grouper::build`).
//! - **Too much changed**: when the items changed since the last full build would
//!   pass one in sixteen of the inbox (and 64), a full build, which costs less than
//!   adding that many one by one and keeps the drift from a full build's groups small.
//! - **Nothing kept, or unreadable**: a full build.
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
    /// Too many items changed since the last full build (see the module's doc).
    Changed,
}

/// How a grouper came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Taken as it was kept.
    Restored,
    /// Kept, with `removed` items dropped and `added` added.
    Updated { removed: usize, added: usize },
    /// Built from every article.
    Built(Rebuild),
}

/// A grouper for the members, and what to keep for the next run.
#[derive(Debug)]
pub struct Resumed {
    pub grouper: Grouper,
    pub how: How,
    /// The bytes to keep, when they differ from those kept.
    pub keep: Option<Vec<u8>>,
}

/// A grouper kept, decoded.
struct Kept {
    grouper: Grouper,
    /// `(item, print)` of every member it was built from, by item.
    members: Vec<(u32, u64)>,
    /// Items changed since the last full build.
    drift: u64,
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

/// The grouper `kept` holds, brought up to the `members` (see the module's doc);
/// `fetch` gives an item's whole article, for the items to add and their
/// candidates. `Err` says why a full build is needed ([`build`]).
pub fn resume(
    members: &[Member],
    kept: Option<&[u8]>,
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
) -> Result<Resumed, Rebuild> {
    let kept = decode(kept.ok_or(Rebuild::Nothing)?).ok_or(Rebuild::Unreadable)?;
    let now = printed(members);
    if now.len() == members.len() && now == kept.members {
        return Ok(Resumed {
            grouper: kept.grouper,
            how: How::Restored,
            keep: None,
        });
    }
    // Entries by print; a print twice (a 64-bit accident) cannot say which is which.
    let mut by_print: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
    by_print.reserve(now.len());
    for &(item, print) in &now {
        if by_print.insert(print, item).is_some() {
            return Err(Rebuild::Changed);
        }
    }
    // Kept item to item now, by kept item.
    let renumber: Vec<(u32, u32)> = kept
        .members
        .iter()
        .filter_map(|&(old, print)| Some((old, *by_print.get(&print)?)))
        .collect();
    let removed = kept.members.len() - renumber.len();
    let mut taken: Vec<u32> = renumber.iter().map(|&(_, new)| new).collect();
    taken.sort_unstable();
    let to_add: Vec<usize> = members
        .iter()
        .map(|m| m.item)
        .filter(|&item| {
            u32::try_from(item).map_or(true, |item| taken.binary_search(&item).is_err())
        })
        .collect();
    let changed = (removed + to_add.len()) as u64;
    let allowed = (members.len() as u64 / 16).max(64);
    if kept.drift.saturating_add(changed) > allowed {
        return Err(Rebuild::Changed);
    }
    let map = |old: u32| -> Option<u32> {
        renumber
            .binary_search_by_key(&old, |&(o, _)| o)
            .ok()
            .map(|at| renumber[at].1)
    };
    let mut grouper = renumbered(kept.grouper, &map);
    let mut fetch_mut = |i: usize| fetch(i);
    for &item in &to_add {
        if let Some(article) = fetch(item) {
            grouper.add(item, &article, &mut fetch_mut);
        }
    }
    let drift = kept.drift.saturating_add(changed);
    let keep = encode(&grouper, members, drift);
    Ok(Resumed {
        grouper,
        how: How::Updated {
            removed,
            added: to_add.len(),
        },
        keep: Some(keep),
    })
}

/// A full build of the members ([`Grouper::build_from`]), to keep.
pub fn build(
    members: &[Member],
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
    why: Rebuild,
) -> Resumed {
    let items: Vec<usize> = members.iter().map(|m| m.item).collect();
    let grouper = Grouper::build_from(&items, fetch);
    let keep = encode(&grouper, members, 0);
    Resumed {
        grouper,
        how: How::Built(why),
        keep: Some(keep),
    }
}

/// [`resume`], else [`build`].
pub fn resume_or_build(
    members: &[Member],
    kept: Option<&[u8]>,
    fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
) -> Resumed {
    resume(members, kept, fetch).unwrap_or_else(|why| build(members, fetch, why))
}

/// `grouper` with every item renumbered by `map`; items it maps to nothing are
/// dropped with their pairs.
fn renumbered(grouper: Grouper, map: &dyn Fn(u32) -> Option<u32>) -> Grouper {
    let postings = |p: Postings| -> Postings {
        let mut main: Vec<u64> = p
            .main
            .iter()
            .chain(&p.recent)
            .filter_map(|&e| Some((e & !0xFFFF_FFFF) | u64::from(map(e as u32)?)))
            .collect();
        main.sort_unstable();
        Postings {
            main,
            recent: Vec::new(),
        }
    };
    let mut edges: Vec<u64> = grouper
        .edges
        .iter()
        .filter_map(|&e| Some(super::grouper::edge(map((e >> 32) as u32)?, map(e as u32)?)))
        .collect();
    edges.sort_unstable();
    edges.dedup();
    let mut out = Grouper {
        sketches: postings(grouper.sketches),
        titles: postings(grouper.titles),
        common: grouper.common,
        edges,
        present: Vec::new(),
    };
    for (w, &word) in grouper.present.iter().enumerate() {
        for bit in 0..64 {
            if word & (1 << bit) != 0
                && let Some(new) = u32::try_from(w * 64 + bit).ok().and_then(map)
            {
                out.mark_present(new);
            }
        }
    }
    out
}

/// The grouping's settings as one word, kept in the header: a grouper kept with
/// other settings is built again even if [`VERSION`] was forgotten.
fn settings() -> u64 {
    [SKETCH, MAX_POSTING, MAX_CANDIDATES, COMMON_SLOTS]
        .iter()
        .fold(0, |h, &v| mix(h ^ v as u64))
}

/// A checksum of `words`: four lanes of splitmix64 steps (each a bijection of the
/// lane, so any one word changed always changes the sum; more than one changes it
/// but by a 2^-64 accident), fast enough for 15 MB in a few milliseconds.
fn checksum(words: &[u64]) -> u64 {
    let mut lanes = [1u64, 2, 3, 4];
    let (chunks, rest) = words.as_chunks::<4>();
    for c in chunks {
        for (lane, &w) in lanes.iter_mut().zip(c) {
            *lane = mix(*lane ^ w);
        }
    }
    for (lane, &w) in lanes.iter_mut().zip(rest) {
        *lane = mix(*lane ^ w);
    }
    lanes
        .iter()
        .fold(words.len() as u64, |h, &lane| mix(h ^ lane))
}

/// The bytes to keep `grouper`, built from `members`, `drift` items changed since
/// its last full build.
pub fn encode(grouper: &Grouper, members: &[Member], drift: u64) -> Vec<u8> {
    let members = printed(members);
    let mut words: Vec<u64> = Vec::new();
    words.extend([MAGIC, VERSION, settings(), drift]);
    let part = |words: &mut Vec<u64>, part: &[u64]| {
        words.push(part.len() as u64);
        words.extend_from_slice(part);
    };
    for p in [&grouper.sketches, &grouper.titles] {
        let mut all = p.main.clone();
        all.extend_from_slice(&p.recent);
        all.sort_unstable();
        part(&mut words, &all);
    }
    part(&mut words, &grouper.common.slots);
    part(&mut words, &grouper.edges);
    part(&mut words, &grouper.present);
    let items: Vec<u64> = members.iter().map(|&(i, _)| u64::from(i)).collect();
    let prints: Vec<u64> = members.iter().map(|&(_, p)| p).collect();
    part(&mut words, &items);
    part(&mut words, &prints);
    words.push(checksum(&words));
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Reads the parts of the kept words one after another.
struct Parts<'a>(&'a [u64]);

impl<'a> Parts<'a> {
    fn word(&mut self) -> Option<u64> {
        let (&w, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(w)
    }

    fn part(&mut self) -> Option<&'a [u64]> {
        let len = usize::try_from(self.word()?).ok()?;
        let part = self.0.get(..len)?;
        self.0 = &self.0[len..];
        Some(part)
    }
}

/// The grouper [`encode`] wrote; `None` for anything else.
fn decode(bytes: &[u8]) -> Option<Kept> {
    let (chunks, rest) = bytes.as_chunks::<8>();
    if !rest.is_empty() {
        return None;
    }
    let words: Vec<u64> = chunks.iter().map(|c| u64::from_le_bytes(*c)).collect();
    let (&sum, body) = words.split_last()?;
    if checksum(body) != sum {
        return None;
    }
    let mut r = Parts(body);
    if r.word()? != MAGIC || r.word()? != VERSION || r.word()? != settings() {
        return None;
    }
    let drift = r.word()?;
    let sketches = r.part()?;
    let titles = r.part()?;
    let slots = r.part()?;
    let edges = r.part()?;
    let present = r.part()?;
    let items = r.part()?;
    let prints = r.part()?;
    if !r.0.is_empty() || slots.len() != COMMON_SLOTS || items.len() != prints.len() {
        return None;
    }
    // Members by item, each number a u32, each once.
    let mut members = Vec::with_capacity(items.len());
    for (&item, &print) in items.iter().zip(prints) {
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
    if !sorted_and_present(sketches) || !sorted_and_present(titles) {
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
                main: sketches.to_vec(),
                recent: Vec::new(),
            },
            titles: Postings {
                main: titles.to_vec(),
                recent: Vec::new(),
            },
            common: Common {
                slots: slots.to_vec(),
            },
            edges: edges.to_vec(),
            present: present.to_vec(),
        },
        members,
        drift,
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
            fixture::inbox(7, 600, &sources).articles
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
            build(&self.members, &self.fetch(), Rebuild::Nothing)
                .keep
                .expect("a build is kept")
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
        let built = build(&now.members, &now.fetch(), Rebuild::Nothing);
        let kept = built.keep.clone().expect("kept");
        let restored = now.resume(&kept).expect("restored");
        assert_eq!(restored.how, How::Restored);
        assert_eq!(restored.keep, None, "nothing new to keep");
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
        assert_eq!(encode(&a, &whole.members, 0), encode(&b, &whole.members, 0));
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
        let rebuilt = resume_or_build(&now.members, Some(&bad), &now.fetch());
        assert_eq!(rebuilt.how, How::Built(Rebuild::Unreadable));
        assert_eq!(rebuilt.grouper.groups(), groups);
        assert!(rebuilt.keep.is_some(), "the sound bytes are kept again");
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
        words.push(checksum(&words));
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
        assert!(decode(&forged(&kept, |w| w[4] = u64::MAX)).is_none());
        // Postings out of order: the sketches' first two entries swapped.
        assert!(
            decode(&forged(&kept, |w| {
                assert!(w[5] < w[6]);
                w.swap(5, 6);
            }))
            .is_none()
        );
        // A pair naming an item that is not there, through the whole edges part.
        let edges_at = {
            let mut at = 4;
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
        let rebuilt = resume_or_build(&now.members, Some(&other), &now.fetch());
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
    fn a_new_copy_between_runs_joins_its_story_and_only_it_is_read() {
        let files = all();
        let story = a_story(&inbox(&files, |_| 0).grouped_anew());
        // The inbox as it was, without one copy; every later file has moved up one.
        let copy = story[1];
        let before: Vec<usize> = files.iter().copied().filter(|&f| f != copy).collect();
        let kept = inbox(&before, |_| 0).kept();
        let now = inbox(&files, |_| 0);
        let read = std::sync::atomic::AtomicUsize::new(0);
        let counting = |i: usize| {
            read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            now.articles.get(i).cloned()
        };
        let resumed = resume(&now.members, Some(&kept), &counting).expect("updated");
        assert_eq!(
            resumed.how,
            How::Updated {
                removed: 0,
                added: 1
            }
        );
        let groups = resumed.grouper.groups();
        assert_eq!(
            groups.copies_of(copy),
            story,
            "the new copy joins its story"
        );
        assert_eq!(groups, now.grouped_anew());
        // The new article and its candidates, not the inbox.
        let read = read.into_inner();
        assert!((1..=1 + MAX_CANDIDATES).contains(&read), "{read} read");
        // Kept again, it comes back as it is.
        let again = now
            .resume(&resumed.keep.expect("kept again"))
            .expect("restored");
        assert_eq!(again.how, How::Restored);
        assert_eq!(again.grouper.groups(), groups);
    }

    #[test]
    fn a_copy_edited_or_removed_between_runs_is_taken_again_or_dropped() {
        let files = all();
        let story = a_story(&inbox(&files, |_| 0).grouped_anew());
        let kept = inbox(&files, |_| 0).kept();
        // Edited (other bytes, same path): dropped and added again.
        let edited = story[2];
        let now = inbox(&files, |f| u64::from(f == edited));
        let resumed = now.resume(&kept).expect("updated");
        assert_eq!(
            resumed.how,
            How::Updated {
                removed: 1,
                added: 1
            }
        );
        assert_eq!(resumed.grouper.groups().copies_of(edited), story);
        // Removed: the story goes on without it, every later file moved down one.
        let gone = story[0];
        let left: Vec<usize> = files.iter().copied().filter(|&f| f != gone).collect();
        let now = inbox(&left, |_| 0);
        let resumed = now.resume(&kept).expect("updated");
        assert_eq!(
            resumed.how,
            How::Updated {
                removed: 1,
                added: 0
            }
        );
        let groups = resumed.grouper.groups();
        let moved = |f: usize| left.iter().position(|&l| l == f).expect("still there");
        let rest: Vec<usize> = story[1..].iter().map(|&f| moved(f)).collect();
        assert_eq!(groups.copies_of(rest[0]), rest);
        assert_eq!(groups, now.grouped_anew());
    }

    #[test]
    fn many_changes_since_the_last_full_build_mean_a_full_build() {
        let files = all();
        let kept = inbox(&files, |_| 0).kept();
        // 600 articles allow 64 changes: 40 now is an update, 40 more a build.
        let once = inbox(&files, |f| u64::from(f < 20));
        let resumed = once.resume(&kept).expect("updated");
        assert_eq!(
            resumed.how,
            How::Updated {
                removed: 20,
                added: 20
            }
        );
        let kept = resumed.keep.expect("kept again");
        let twice = inbox(&files, |f| u64::from(f < 20) + u64::from(f >= 580));
        assert!(matches!(twice.resume(&kept), Err(Rebuild::Changed)));
        let rebuilt = resume_or_build(&twice.members, Some(&kept), &twice.fetch());
        assert_eq!(rebuilt.grouper.groups(), twice.grouped_anew());
        // A full build starts the count again.
        let kept = rebuilt.keep.expect("kept");
        assert!(
            inbox(&files, |f| u64::from(f < 20)
                + u64::from(f >= 580)
                + 2 * u64::from(f == 300))
            .resume(&kept)
            .is_ok()
        );
    }
}
