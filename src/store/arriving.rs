//! The index's rows as a start takes them: read in key order by two threads, a
//! block of keys each in turn, while the walk goes on. Keys are given in the order
//! rows are written, and the index is filled in inbox order (a changed file's row
//! gets a new key, at the end): so the walk mostly finds a file's row next in line.
//! Loading starts with the first block rather than after every row is read, and no
//! table of all the rows is built. A row not found among the next few thousand (a
//! changed file's) is looked up alone, and dropped when it arrives.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;

use rustc_hash::FxHashSet;

use crate::index::{self, Cached, Index, RowMap};

/// Rows a block holds on average: keys are cut into ranges this many times the
/// average distance between two keys wide.
const BLOCK: i64 = 1024;
/// Threads reading blocks, each on a connection of its own, taking turns.
const READERS: usize = 2;
/// Blocks each reader may have read ahead of the walk: the rows are never all in
/// memory at once.
const BLOCKS_AHEAD: usize = 4;
/// How many rows after the next one a file's row is looked for in before it is
/// looked up alone: the rows a batch of the walk handed to two readers wrote out
/// of order, and more.
const LOOK_AHEAD: usize = 4 * BLOCK as usize;

/// A block's rows, in key order, with the bytes of their paths.
type Block = Vec<(Vec<u8>, Cached)>;

/// How a reader ended: with every block of its own sent, or with an error (whether
/// it is damage, and what it says).
type Ended = Result<(), (bool, String)>;

struct Reader {
    blocks: Receiver<Block>,
    thread: JoinHandle<Ended>,
}

/// The rows of an index as they arrive.
#[derive(Default)]
pub struct Arriving {
    /// Rows arrived and not yet passed over, in key order.
    next: VecDeque<(Vec<u8>, Cached)>,
    /// Rows passed over while looking for another path's, by path.
    passed: RowMap,
    /// The readers still sending, in the order of their turns.
    readers: Vec<Reader>,
    /// Blocks received so far: whose turn is next.
    turn: usize,
    /// Paths whose rows were looked up alone: dropped when they arrive.
    alone: FxHashSet<Vec<u8>>,
    /// What the first reader that failed said: whether it is damage, and what.
    pub failed: Option<(bool, String)>,
}

impl Arriving {
    /// Starts reading the rows of the index file at `path`, whose keys `first` (a
    /// connection already open) gives.
    pub fn start(path: &Path, first: &Index) -> Result<Arriving, (bool, String)> {
        let keys = first
            .key_range()
            .map_err(|e| (index::damaged(&e), e.to_string()))?;
        let Some((low, high, count)) = keys else {
            return Ok(Arriving::default());
        };
        let span = i128::from(high) - i128::from(low) + 1;
        if span < 1 || count < 1 {
            // Only damage gives a highest key below the lowest, or keys and no rows.
            return Err((true, format!("keys from {low} to {high} in {count} rows")));
        }
        // About BLOCK rows a block, however far apart the keys are.
        let width = (span * i128::from(BLOCK) / i128::from(count)).max(1);
        let width = i64::try_from(width).unwrap_or(i64::MAX);
        let blocks = usize::try_from(span / i128::from(width) + 1).unwrap_or(usize::MAX);
        let mut readers = Vec::with_capacity(READERS);
        for first_block in 0..READERS.min(blocks) {
            let index = Index::reopen(path).map_err(|e| (false, e))?;
            let (tx, rx) = mpsc::sync_channel(BLOCKS_AHEAD);
            let thread = std::thread::Builder::new()
                .name("index rows".into())
                .spawn(move || {
                    for block in (first_block..blocks).step_by(READERS) {
                        // Never past `high`: rows written after the start are this
                        // session's own, not files to account for.
                        let from = low.saturating_add((block as i64).saturating_mul(width));
                        let to = from.saturating_add(width - 1).min(high);
                        let rows = index
                            .rows_between(from, to)
                            .map_err(|e| (index::damaged(&e), e.to_string()))?;
                        if tx.send(rows).is_err() {
                            break;
                        }
                    }
                    Ok(())
                })
                .map_err(|e| (false, e.to_string()))?;
            readers.push(Reader { blocks: rx, thread });
        }
        Ok(Arriving {
            readers,
            ..Arriving::default()
        })
    }

    /// The row of `key`, taken out: the next one in line, one passed over, one among
    /// the next [`LOOK_AHEAD`] to arrive, or else the one `alone` looks up (and the
    /// row is dropped when it arrives). `None` when the index has none.
    pub fn take(&mut self, key: &[u8], alone: impl FnOnce() -> Option<Cached>) -> Option<Cached> {
        if self.next.front().is_some_and(|(k, _)| k == key) {
            return self.next.pop_front().map(|(_, row)| row);
        }
        if let Some(row) = self.passed.remove(key) {
            self.shrink();
            return Some(row);
        }
        if self.alone.contains(key) {
            // Looked up alone before, and not there (or not usable).
            return None;
        }
        let mut looked = 0;
        loop {
            while let Some((k, row)) = self.next.pop_front() {
                if k == key {
                    return Some(row);
                }
                self.passed.insert(k, row);
                looked += 1;
            }
            if looked >= LOOK_AHEAD {
                break;
            }
            if !self.pull() {
                // Every row has arrived: the index has none for this path.
                return None;
            }
        }
        self.alone.insert(key.to_vec());
        alone()
    }

    /// Gives a row taken back (a stale one, for the reader who will read its file).
    pub fn give_back(&mut self, key: Vec<u8>, row: Cached) {
        self.passed.insert(key, row);
    }

    /// Every row not taken, once all have arrived (waiting for them); what a reader
    /// that failed said stays in [`Arriving::failed`].
    pub fn rest(&mut self) -> RowMap {
        while self.pull() {}
        let mut rows = std::mem::take(&mut self.passed);
        rows.extend(self.next.drain(..));
        rows
    }

    /// Receives the next block in turn; false once every reader has ended.
    fn pull(&mut self) -> bool {
        while !self.readers.is_empty() {
            let i = self.turn % self.readers.len();
            match self.readers[i].blocks.recv() {
                Ok(block) => {
                    self.turn += 1;
                    let alone = &self.alone;
                    self.next
                        .extend(block.into_iter().filter(|(k, _)| !alone.contains(k)));
                    return true;
                }
                Err(_) => {
                    // Its blocks are all sent, or it failed: the turn passes on.
                    let reader = self.readers.remove(i);
                    let ended = reader
                        .thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    if let Err(failure) = ended
                        && self.failed.is_none()
                    {
                        self.failed = Some(failure);
                    }
                }
            }
        }
        false
    }

    /// The passed-over rows' table is given back as it empties.
    fn shrink(&mut self) {
        if self.passed.len() < self.passed.capacity() / 4 {
            self.passed.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::article::Article;
    use crate::index::{Put, Stat};

    /// An index of `rels`, written in that order (so keyed in it), in a folder of its
    /// own; its path.
    fn index_of(dir: &Path, rels: &[String]) -> std::path::PathBuf {
        let path = dir.join("index.sqlite");
        let (mut index, _) = index::open_at(&path).expect("opens");
        let article = Article {
            title: "A title".into(),
            ..Article::default()
        };
        let puts: Vec<Put> = rels
            .iter()
            .map(|rel| Put {
                rel: Path::new(rel),
                stat: Stat::default(),
                sha256: None,
                article: Ok(&article),
            })
            .collect();
        index.put(&puts).expect("put");
        path
    }

    /// The rows of an index of `n` files (`f/00000.txt`…, keyed in that order) as
    /// they arrive, with the files' names and a connection of the test's own.
    fn arriving(n: usize) -> (tempfile::TempDir, Vec<String>, Index, Arriving) {
        let dir = tempfile::tempdir().expect("temp dir");
        let rels: Vec<String> = (0..n).map(|i| format!("f/{i:05}.txt")).collect();
        let path = index_of(dir.path(), &rels);
        let first = Index::reopen(&path).expect("reopens");
        let rows = Arriving::start(&path, &first).expect("starts");
        (dir, rels, first, rows)
    }

    #[test]
    fn rows_taken_in_the_order_written_never_pile_up_or_need_a_lookup() {
        let (_dir, rels, _first, mut rows) = arriving(5000);
        for rel in &rels {
            let row = rows.take(rel.as_bytes(), || panic!("{rel} looked up alone"));
            assert!(row.is_some(), "{rel}");
            assert!(rows.passed.len() <= BLOCK as usize, "{}", rows.passed.len());
        }
        assert!(rows.rest().is_empty());
        assert!(rows.failed.is_none());
    }

    #[test]
    fn a_row_far_ahead_is_looked_up_alone_and_then_dropped_when_it_arrives() {
        let (_dir, rels, first, mut rows) = arriving(12_000);
        // The last file first (as a file changed since gets the last key).
        let last = rels[rels.len() - 1].clone();
        let mut alone = 0;
        let row = rows.take(last.as_bytes(), || {
            alone += 1;
            first.cached_one(Path::new(&last)).expect("looks up")
        });
        assert!(row.is_some());
        assert_eq!(alone, 1, "far ahead: looked up alone");
        // Every other row is still there, once, and the last is not twice.
        for rel in &rels[..rels.len() - 1] {
            assert!(rows.take(rel.as_bytes(), || None).is_some(), "{rel}");
        }
        assert!(rows.take(last.as_bytes(), || None).is_none());
        assert!(rows.rest().is_empty(), "the one looked up alone is dropped");
    }

    #[test]
    fn rows_not_taken_are_the_rest_and_a_path_never_written_is_none() {
        let (_dir, rels, _first, mut rows) = arriving(3000);
        // Every other file is still in the inbox, plus one the index never had.
        for rel in rels.iter().step_by(2) {
            assert!(rows.take(rel.as_bytes(), || None).is_some(), "{rel}");
        }
        assert!(rows.take(b"f/new.txt", || None).is_none());
        let mut rest: Vec<Vec<u8>> = rows.rest().into_keys().collect();
        rest.sort();
        let gone: Vec<Vec<u8>> = rels
            .iter()
            .skip(1)
            .step_by(2)
            .map(|r| r.as_bytes().to_vec())
            .collect();
        assert_eq!(rest, gone);
    }

    #[test]
    fn a_row_given_back_is_taken_again() {
        let (_dir, rels, _first, mut rows) = arriving(10);
        let row = rows.take(rels[3].as_bytes(), || None).expect("there");
        rows.give_back(rels[3].as_bytes().to_vec(), row);
        assert!(rows.take(rels[3].as_bytes(), || None).is_some());
        assert_eq!(rows.rest().len(), rels.len() - 1);
    }

    #[test]
    fn an_empty_index_has_no_rows_and_no_readers() {
        let (_dir, _, _first, mut rows) = arriving(0);
        assert!(rows.readers.is_empty());
        assert!(rows.take(b"a.txt", || None).is_none());
        assert!(rows.rest().is_empty());
    }
}
