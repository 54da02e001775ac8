//! Finding the copies: candidates from a small sketch of each body, then a check of
//! every candidate pair on the full shingle sets of the two bodies.

use std::sync::Arc;

use super::Groups;
use super::text::{self, count_common};
use crate::article::Article;

/// How many of a body's smallest shingle hashes are kept as its sketch (a bottom-k
/// sketch). Two copies share about `SKETCH × J` of them, J their Jaccard; an
/// excerpt's half of the story keeps about half. With 14, an excerpt of a long
/// story still shares 5–7 with the full text, and candidates need only 2.
pub(crate) const SKETCH: usize = 14;

/// A sketch value or title held by more earlier articles than this is common
/// text (boilerplate, a stock phrase, a generic title): it names no candidates.
pub(crate) const MAX_POSTING: usize = 48;

/// At most this many candidates are checked for one article: the ones sharing
/// most sketch values.
pub(crate) const MAX_CANDIDATES: usize = 40;

/// How many shingles at the start of a body make its lead (see [`Doc::lead`]).
const LEAD: usize = 12;

/// What the check of a pair reads of one article: built from the article when
/// needed, never kept.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// The body's shingles, sorted.
    pub shingles: Vec<u64>,
    /// The first shingles of the body (sorted): where the story starts.
    pub lead: Vec<u64>,
    pub title: Vec<String>,
    pub title_key: u32,
}

impl Doc {
    /// The article's text, without the sentences `common` knows as boilerplate.
    pub(crate) fn new(article: &Article, common: &Common) -> Doc {
        let mut words = Vec::with_capacity(article.body.text_len() / 5);
        let mut sentence = Vec::new();
        for p in article.body.iter() {
            for s in sentences(p) {
                sentence.clear();
                text::push_words(s, &mut sentence);
                if !common.is_common(&sentence) {
                    words.extend_from_slice(&sentence);
                }
            }
        }
        let mut lead: Vec<u64> = text::shingles_in_order(&words[..words.len().min(LEAD + 3)]);
        lead.sort_unstable();
        lead.dedup();
        let title = text::title_words(&article.title);
        Doc {
            shingles: text::shingles(&words),
            lead,
            title_key: text::title_key(&title),
            title,
        }
    }

    /// The sketch: the smallest shingle hashes, cut to 32 bits.
    pub(crate) fn sketch(&self) -> Vec<u32> {
        let mut s: Vec<u32> = self
            .shingles
            .iter()
            .take(SKETCH)
            .map(|&h| (h >> 32) as u32)
            .collect();
        s.dedup();
        s
    }
}

/// A sketch held by value (see [`Grouper::build_from`]).
#[derive(Debug, Clone, Copy, Default)]
struct Sketch {
    len: u8,
    values: [u32; SKETCH],
}

impl Sketch {
    fn of(values: &[u32]) -> Sketch {
        let mut s = Sketch::default();
        for (slot, &v) in s.values.iter_mut().zip(values) {
            *slot = v;
            s.len += 1;
        }
        s
    }

    fn values(&self) -> &[u32] {
        &self.values[..usize::from(self.len)]
    }
}

/// The sentences of a paragraph: split after `.`, `!` or `?` followed by a space.
pub(crate) fn sentences(p: &str) -> impl Iterator<Item = &str> {
    p.split_inclusive(['.', '!', '?'])
        .filter(|s| !s.trim().is_empty())
}

/// Sentences found under three different titles or more: boilerplate (a site's
/// disclaimer, a cookie notice, a newsletter line, a stock phrase), left out of every
/// comparison. A story's copies keep its title (re-cased or tagged, which
/// [`text::title_words`] undoes), so a reprinted story's sentences, though they recur
/// once per copy, stay under one title: counting titles rather than articles is what
/// tells the two apart.
///
/// A fixed table of 2^18 slots of 8 bytes (2 MiB, some 20 bytes an article at
/// 100,000), lossy by design: a sentence seen once or twice may lose its slot to
/// another, which only delays its recognition; a sentence known as boilerplate keeps
/// its slot.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    /// `unit << 32 | flag << 31 | second title << 15 | first title`, 0 when empty.
    pub(super) slots: Vec<u64>,
}

pub(super) const COMMON_SLOTS: usize = 1 << 18;
/// Sentences shorter than this are not counted: "Read more." is no evidence.
const COMMON_MIN_WORDS: usize = 6;
const BOILER: u64 = 1 << 31;

impl Default for Common {
    fn default() -> Common {
        Common {
            slots: vec![0; COMMON_SLOTS],
        }
    }
}

impl Common {
    fn unit(words: &[u64]) -> Option<u32> {
        if words.len() < COMMON_MIN_WORDS {
            return None;
        }
        let mut h = 0u64;
        for &w in words {
            h = text::mix(h ^ w);
        }
        Some(((h >> 32) as u32) | 1)
    }

    fn title_print(title_key: u32) -> u64 {
        u64::from(title_key % 32_749) + 1
    }

    /// Counts the sentences of an article published under `title_key`.
    pub(crate) fn observe(&mut self, article: &Article, title_key: u32) {
        let t = Self::title_print(title_key);
        let mut words = Vec::new();
        for p in article.body.iter() {
            for s in sentences(p) {
                words.clear();
                text::push_words(s, &mut words);
                if let Some(unit) = Self::unit(&words) {
                    self.observe_unit(unit, t);
                }
            }
        }
    }

    fn observe_unit(&mut self, unit: u32, t: u64) {
        let n = self.slots.len();
        let start = (text::mix(u64::from(unit)) as usize) & (n - 1);
        for probe in 0..4 {
            let i = (start + probe) & (n - 1);
            let e = self.slots[i];
            if e == 0 || (e >> 32 != u64::from(unit) && e & BOILER == 0) {
                self.slots[i] = (u64::from(unit) << 32) | t;
                return;
            }
            if e >> 32 == u64::from(unit) {
                if e & BOILER != 0 {
                    return;
                }
                let first = e & 0x7FFF;
                let second = (e >> 15) & 0x7FFF;
                if first == t || second == t {
                    return;
                }
                self.slots[i] = if second == 0 {
                    e | (t << 15)
                } else {
                    e | BOILER
                };
                return;
            }
        }
    }

    /// How many sentences are known as boilerplate. A sentence once known stays
    /// known in its slot, so the count grows exactly when one more is known.
    pub(super) fn boilerplate(&self) -> usize {
        self.slots.iter().filter(|&&e| e & BOILER != 0).count()
    }

    pub(crate) fn is_common(&self, words: &[u64]) -> bool {
        let Some(unit) = Self::unit(words) else {
            return false;
        };
        let n = self.slots.len();
        let start = (text::mix(u64::from(unit)) as usize) & (n - 1);
        (0..4).any(|probe| {
            let e = self.slots[(start + probe) & (n - 1)];
            e >> 32 == u64::from(unit) && e & BOILER != 0
        })
    }
}

/// What the check measured on one pair; public to the module's tests, which print
/// it for the pairs they get wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pair {
    /// Shared shingles, boilerplate left out.
    pub shared: usize,
    /// Each body's shingles, boilerplate left out.
    pub a: usize,
    pub b: usize,
    /// Share of the lead of either body found in the other (the larger).
    pub lead: f64,
    pub title: f64,
}

impl Pair {
    pub(crate) fn containment(&self) -> f64 {
        let small = self.a.min(self.b);
        if small == 0 {
            0.0
        } else {
            self.shared as f64 / small as f64
        }
    }

    pub(crate) fn jaccard(&self) -> f64 {
        let union = self.a + self.b - self.shared;
        if union == 0 {
            0.0
        } else {
            self.shared as f64 / union as f64
        }
    }

    /// The decision. See the module documentation for how each threshold was set.
    pub(crate) fn is_copy(&self) -> bool {
        if self.shared < 6 {
            return false;
        }
        let c = self.containment();
        let j = self.jaccard();
        (self.title >= 0.5 && c >= 0.5) || (c >= 0.8 && self.lead >= 0.5) || j >= 0.8
    }
}

/// Measures `a` against each of `others` (earlier articles, candidates of `a`),
/// leaving out `a`'s boilerplate: shingles that `a` shares with articles of at
/// least two other titles. A story's copies carry its title (re-cased, tagged),
/// so text found under three titles is a site's disclaimer or notice rather than
/// the story; counting titles rather than articles is what keeps a story printed
/// six times from passing for boilerplate.
pub(crate) fn measure(a: &Doc, others: &[&Doc]) -> Vec<Pair> {
    // Title ids: 0 is a's; each other distinct title gets the next bit (64 at most).
    let mut keys: Vec<u32> = vec![a.title_key];
    let ids: Vec<Option<u32>> = others
        .iter()
        .map(|o| {
            if let Some(i) = keys.iter().position(|&k| k == o.title_key) {
                Some(i as u32)
            } else if keys.len() < 64 {
                keys.push(o.title_key);
                Some(keys.len() as u32 - 1)
            } else {
                None
            }
        })
        .collect();
    let mut titles = vec![1u64; a.shingles.len()];
    for (o, id) in others.iter().zip(&ids) {
        let Some(id) = id else { continue };
        for_common(&a.shingles, &o.shingles, |i| titles[i] |= 1 << id);
    }
    let flagged: Vec<bool> = titles.iter().map(|m| m.count_ones() >= 3).collect();
    let flagged_count = flagged.iter().filter(|&&f| f).count();
    let na = a.shingles.len() - flagged_count;
    others
        .iter()
        .map(|o| {
            let mut shared = 0;
            let mut shared_flagged = 0;
            for_common(&a.shingles, &o.shingles, |i| {
                if flagged[i] {
                    shared_flagged += 1;
                } else {
                    shared += 1;
                }
            });
            let lead_ab = count_common(&a.lead, &o.shingles) as f64 / a.lead.len().max(1) as f64;
            let lead_ba = count_common(&o.lead, &a.shingles) as f64 / o.lead.len().max(1) as f64;
            Pair {
                shared,
                a: na,
                b: o.shingles.len() - shared_flagged,
                lead: lead_ab.max(lead_ba),
                title: text::title_similarity(&a.title, &o.title),
            }
        })
        .collect()
}

/// Calls `f(i)` for each index `i` of `a` whose value is also in `b` (both sorted).
fn for_common(a: &[u64], b: &[u64], mut f: impl FnMut(usize)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(i);
                i += 1;
                j += 1;
            }
        }
    }
}

/// Which earlier articles to check: those sharing two sketch values, or the title.
/// `lookup(key, is_title)` gives the earlier articles holding a key. Ties go to the
/// smaller item, so that the bulk grouping and one-by-one adding agree.
fn candidates(
    sketch: &[u32],
    title_key: u32,
    mut lookup: impl FnMut(u32, bool, &mut Vec<u32>),
) -> Vec<u32> {
    let mut hits: Vec<u32> = Vec::new();
    let mut list = Vec::new();
    for &v in sketch {
        list.clear();
        lookup(v, false, &mut list);
        if list.len() <= MAX_POSTING {
            hits.extend_from_slice(&list);
        }
    }
    list.clear();
    lookup(title_key, true, &mut list);
    if list.len() <= MAX_POSTING {
        // A shared title is enough on its own: count it as two.
        for &i in &list {
            hits.push(i);
            hits.push(i);
        }
    }
    hits.sort_unstable();
    let mut counted: Vec<(usize, u32)> = Vec::new();
    for run in hits.chunk_by(|x, y| x == y) {
        if run.len() >= 2 {
            counted.push((run.len(), run[0]));
        }
    }
    counted.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    counted.truncate(MAX_CANDIDATES);
    let mut out: Vec<u32> = counted.into_iter().map(|(_, i)| i).collect();
    out.sort_unstable();
    out
}

/// Keys to items, as `(key << 32) | item` in one sorted vector, with recent
/// insertions in a small unsorted tail merged in now and then: 8 bytes an entry,
/// and an insertion never moves the whole vector.
#[derive(Debug, Default, Clone)]
pub(super) struct Postings {
    pub(super) main: Vec<u64>,
    pub(super) recent: Vec<u64>,
}

impl Postings {
    fn insert(&mut self, key: u32, item: u32) {
        self.recent.push((u64::from(key) << 32) | u64::from(item));
        if self.recent.len() > 1024 + self.main.len() / 64 {
            self.main.append(&mut self.recent);
            self.main.sort_unstable();
            self.main.shrink_to_fit();
        }
    }

    fn lookup(&self, key: u32, out: &mut Vec<u32>) {
        let lo = u64::from(key) << 32;
        let start = self.main.partition_point(|&e| e < lo);
        out.extend(
            self.main[start..]
                .iter()
                .take_while(|&&e| e >> 32 == u64::from(key))
                .map(|&e| e as u32),
        );
        out.extend(
            self.recent
                .iter()
                .filter(|&&e| e >> 32 == u64::from(key))
                .map(|&e| e as u32),
        );
    }

    fn remove_item(&mut self, item: u32) {
        self.main.retain(|&e| e as u32 != item);
        self.recent.retain(|&e| e as u32 != item);
    }

    fn bytes(&self) -> usize {
        (self.main.capacity() + self.recent.capacity()) * 8
    }
}

/// Groups of copies kept up to date one article at a time, as an inbox grows.
///
/// It keeps, per article, only its sketch and title key in sorted vectors (about
/// 120 bytes), the pairs found to be copies, and a fixed 2 MiB table of sentences
/// seen under several titles (the boilerplate table); the bodies of candidates are asked for
/// when needed, since in a big inbox they are on disk.
#[derive(Debug, Default, Clone)]
pub struct Grouper {
    pub(super) sketches: Postings,
    pub(super) titles: Postings,
    pub(super) common: Common,
    /// Pairs found to be copies, as `(min << 32) | max`, sorted.
    pub(super) edges: Vec<u64>,
    /// Items added and not removed, as a bit set.
    pub(super) present: Vec<u64>,
}

impl Grouper {
    pub fn new() -> Grouper {
        Grouper::default()
    }

    /// A grouper holding `articles` (item, article), built on every core: the
    /// pairs found are those that adding the articles one by one in this order
    /// would find, except that every comparison already knows all the inbox's
    /// boilerplate (the module documentation says how), where one-by-one adding learns it as it goes.
    pub fn build(articles: &[(usize, Arc<Article>)]) -> Grouper {
        let items: Vec<usize> = articles.iter().map(|(item, _)| *item).collect();
        let by_item: std::collections::HashMap<usize, &Arc<Article>> =
            articles.iter().map(|(item, a)| (*item, a)).collect();
        Grouper::build_from(&items, &|item| by_item.get(&item).map(|a| Arc::clone(a)))
    }

    /// [`Grouper::build`] on `items`, whose whole articles `fetch` gives one at a
    /// time: the inbox's bodies are read (from the index, when it holds them) as
    /// they are needed and dropped, never all held at once. Each is read twice (for
    /// the boilerplate, then for its sketch) and again for each pair it is checked in.
    pub fn build_from(
        items: &[usize],
        fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
    ) -> Grouper {
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .clamp(1, 8);
        Grouper::build_on(items, fetch, threads)
    }

    /// [`Grouper::build_from`] on `threads` threads.
    pub fn build_on(
        items: &[usize],
        fetch: &(dyn Fn(usize) -> Option<Arc<Article>> + Sync),
        threads: usize,
    ) -> Grouper {
        let n = items.len();
        let mut grouper = Grouper::new();
        let ids: Vec<Option<u32>> = items.iter().map(|&item| u32::try_from(item).ok()).collect();
        let get = |p: usize| fetch(items[p]);
        // Boilerplate first: the sentences of every article under its title.
        let title_keys: Vec<Option<u32>> = parallel_map(n, threads, |p| {
            let article = get(p)?;
            Some(text::title_key(&text::title_words(&article.title)))
        });
        for (p, key) in title_keys.iter().enumerate() {
            if let (Some(key), Some(article)) = (key, get(p)) {
                grouper.common.observe(&article, *key);
            }
        }
        // An article that could not be read is left out.
        let ids: Vec<Option<u32>> = ids
            .into_iter()
            .zip(&title_keys)
            .map(|(id, key)| id.filter(|_| key.is_some()))
            .collect();
        let title_keys: Vec<u32> = title_keys.into_iter().map(|k| k.unwrap_or(0)).collect();
        let common = &grouper.common;
        // Sketches, by position, in chunks: no per-article list of them is kept
        // beside the sorted one (at 100,000 articles that list was 6 MB more at the
        // peak of a session); the check below works each article's sketch out again.
        const CHUNK: usize = 4096;
        let mut sketches: Vec<u64> = Vec::with_capacity(n * SKETCH);
        let mut titles: Vec<u64> = Vec::with_capacity(n);
        for from in (0..n).step_by(CHUNK) {
            let to = (from + CHUNK).min(n);
            let part: Vec<Sketch> = parallel_map(to - from, threads, |k| {
                get(from + k).map_or_else(Sketch::default, |a| {
                    Sketch::of(&Doc::new(&a, common).sketch())
                })
            });
            for (p, sketch) in (from..to).zip(&part) {
                if ids[p].is_none() {
                    continue;
                }
                for &v in sketch.values() {
                    sketches.push((u64::from(v) << 32) | p as u64);
                }
                titles.push((u64::from(title_keys[p]) << 32) | p as u64);
            }
        }
        sketches.sort_unstable();
        titles.sort_unstable();
        // Each article against the earlier ones, as adding them in order would do.
        let edges: Vec<Vec<u64>> = parallel_map(n, threads, |p| {
            let Some(id) = ids[p] else { return Vec::new() };
            let Some(article) = get(p) else {
                return Vec::new();
            };
            let doc = Doc::new(&article, common);
            let found = candidates(&doc.sketch(), title_keys[p], |key, is_title, out| {
                let list = if is_title { &titles } else { &sketches };
                let lo = u64::from(key) << 32;
                let start = list.partition_point(|&e| e < lo);
                out.extend(
                    list[start..]
                        .iter()
                        .take_while(|&&e| e >> 32 == u64::from(key) && (e as u32 as usize) < p)
                        .map(|&e| e as u32),
                );
            });
            if found.is_empty() {
                return Vec::new();
            }
            let (found, docs): (Vec<u32>, Vec<Doc>) = found
                .iter()
                .filter_map(|&c| {
                    let other = get(c as usize)?;
                    Some((c, Doc::new(&other, common)))
                })
                .unzip();
            let refs: Vec<&Doc> = docs.iter().collect();
            measure(&doc, &refs)
                .iter()
                .zip(&found)
                .filter(|(pair, _)| pair.is_copy())
                .filter_map(|(_, &c)| Some(edge(ids[c as usize]?, id)))
                .collect()
        });
        // Positions to items.
        let item_entries = |list: Vec<u64>| -> Vec<u64> {
            let mut out: Vec<u64> = list
                .into_iter()
                .filter_map(|e| {
                    let id = ids[e as u32 as usize]?;
                    Some((e & !0xFFFF_FFFF) | u64::from(id))
                })
                .collect();
            out.sort_unstable();
            out
        };
        grouper.sketches.main = item_entries(sketches);
        grouper.titles.main = item_entries(titles);
        grouper.edges = edges.into_iter().flatten().collect();
        grouper.edges.sort_unstable();
        grouper.edges.dedup();
        for id in ids.into_iter().flatten() {
            grouper.mark_present(id);
        }
        grouper
    }

    /// Adds `item`, checking it against the earlier articles it may copy; `fetch`
    /// gives an earlier item's whole article (`None` when it is gone: that pair is
    /// skipped). Adding an item already present replaces it.
    pub fn add(
        &mut self,
        item: usize,
        article: &Article,
        fetch: &mut dyn FnMut(usize) -> Option<Arc<Article>>,
    ) {
        let Ok(id) = u32::try_from(item) else { return };
        if self.contains(id) {
            self.remove(item);
        }
        let title_key = text::title_key(&text::title_words(&article.title));
        self.common.observe(article, title_key);
        let doc = Doc::new(article, &self.common);
        let sketch = doc.sketch();
        let found = candidates(&sketch, doc.title_key, |key, is_title, out| {
            if is_title {
                self.titles.lookup(key, out);
            } else {
                self.sketches.lookup(key, out);
            }
        });
        let mut ids = Vec::new();
        let mut docs = Vec::new();
        for c in found {
            if let Some(other) = fetch(c as usize) {
                ids.push(c);
                docs.push(Doc::new(&other, &self.common));
            }
        }
        let refs: Vec<&Doc> = docs.iter().collect();
        for (pair, &c) in measure(&doc, &refs).iter().zip(&ids) {
            if pair.is_copy() {
                let e = edge(c, id);
                if let Err(at) = self.edges.binary_search(&e) {
                    self.edges.insert(at, e);
                }
            }
        }
        for v in sketch {
            self.sketches.insert(v, id);
        }
        self.titles.insert(doc.title_key, id);
        self.mark_present(id);
    }

    /// Removes `item` and the pairs it was part of. Pairs found while it was there
    /// stay as they were found, and the boilerplate it helped recognise stays known.
    pub fn remove(&mut self, item: usize) {
        let Ok(id) = u32::try_from(item) else { return };
        if !self.contains(id) {
            return;
        }
        self.sketches.remove_item(id);
        self.titles.remove_item(id);
        self.edges
            .retain(|&e| (e >> 32) as u32 != id && e as u32 != id);
        self.present[id as usize / 64] &= !(1 << (id % 64));
    }

    pub(super) fn mark_present(&mut self, id: u32) {
        let word = id as usize / 64;
        if self.present.len() <= word {
            self.present.resize(word + 1, 0);
        }
        self.present[word] |= 1 << (id % 64);
    }

    pub(super) fn contains(&self, id: u32) -> bool {
        self.present
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// The groups as they stand.
    pub fn groups(&self) -> Groups {
        groups_from_edges(
            self.edges
                .iter()
                .map(|&e| ((e >> 32) as usize, e as u32 as usize)),
        )
    }

    /// Bytes held, for the memory budget's tests and benchmarks.
    pub fn heap_bytes(&self) -> usize {
        self.sketches.bytes()
            + self.titles.bytes()
            + self.common.slots.capacity() * 8
            + self.edges.capacity() * 8
            + self.present.capacity() * 8
    }
}

/// A pair as one number, smaller item first.
fn edge(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Connected components of the pairs, as groups.
fn groups_from_edges(edges: impl Iterator<Item = (usize, usize)>) -> Groups {
    let edges: Vec<(usize, usize)> = edges.collect();
    let n = edges.iter().map(|&(a, b)| a.max(b) + 1).max().unwrap_or(0);
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for &(a, b) in &edges {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut touched: Vec<usize> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
    touched.sort_unstable();
    touched.dedup();
    for x in touched {
        let r = root(&mut parent, x);
        lists[r].push(x);
    }
    Groups::from_lists(lists.into_iter().filter(|l| l.len() >= 2))
}

/// Groups `articles` (item, article) into stories, on every core (see
/// [`Grouper::build`]).
pub fn group(articles: &[(usize, Arc<Article>)]) -> Groups {
    Grouper::build(articles).groups()
}
/// `f(0..n)` on `threads` threads, in order; the positions are dealt out in small
/// interleaved blocks so that the threads finish together.
pub(crate) fn parallel_map<T: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    const BLOCK: usize = 64;
    if threads <= 1 || n <= BLOCK {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<(usize, Vec<T>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                        if start >= n {
                            break;
                        }
                        let end = (start + BLOCK).min(n);
                        done.push((start, (start..end).map(&f).collect::<Vec<T>>()));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    parts.sort_unstable_by_key(|(start, _)| *start);
    parts.into_iter().flat_map(|(_, v)| v).collect()
}

/// The boilerplate table of a whole inbox, for tests that measure pairs.
#[cfg(test)]
pub(crate) fn common_of(articles: &[Arc<Article>]) -> Common {
    let mut common = Common::default();
    for a in articles {
        common.observe(a, text::title_key(&text::title_words(&a.title)));
    }
    common
}
