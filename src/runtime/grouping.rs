//! The grouping of copies, on its own thread: once the inbox has loaded it takes the
//! grouping the index kept ([`crate::copies::kept`]) when it was made from the same
//! files, adds the new ones when they come after the rest, or else reads every
//! article (bodies held by the index one at a time, so memory never holds them all)
//! and groups them anew on one core (the other stays the reviewer's), always to the
//! groups a grouping from scratch finds; then it takes each article the watcher sees
//! arrive, change or go, and hands the session the groups after each step, as one
//! more event.
//!
//! What it kept is read and written here, on a connection of its own, never on the
//! one the reader and search share, and written only after the groups are handed
//! over: neither the first screen nor the groups wait for the disk. Only the
//! grouping made at the start is kept: one that went on to take what the watcher
//! saw is no longer what a grouping from scratch would find.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::article::Article;
use crate::copies::kept::{self, Member};
use crate::copies::{Grouper, Groups};
use crate::index::{GROUPS, Index, Shared};

/// What changed, by entry index.
pub enum Job {
    /// Every article of the inbox, with its print: the groups are taken from the
    /// index, with the new articles added, or made anew from them on one core.
    All(Vec<(Member, Arc<Article>)>),
    /// These articles arrived or changed (an index already grouped is taken again).
    Add(Vec<(usize, Arc<Article>)>),
    /// These entries left the inbox.
    Remove(Vec<usize>),
}

/// The grouping's thread, fed through [`Grouping::submit`].
pub struct Grouping {
    jobs: Sender<Job>,
}

impl Grouping {
    /// Starts the thread; `deliver` hands each result to the session and says false
    /// once the session is gone, which ends the thread.
    pub fn spawn(
        texts: Option<Arc<Shared>>,
        deliver: impl Fn(Groups) -> bool + Send + 'static,
    ) -> Grouping {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let _ = std::thread::Builder::new()
            .name("copies".into())
            .spawn(move || run(inbox, texts, deliver));
        Grouping { jobs }
    }

    /// Queues a job; never waits.
    pub fn submit(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

/// The index's file and this thread's connection to it, opened when first needed.
struct Store {
    path: PathBuf,
    index: Option<Index>,
}

impl Store {
    fn index(&mut self) -> Option<&Index> {
        if self.index.is_none() {
            self.index = Index::reopen(&self.path).ok();
        }
        self.index.as_ref()
    }

    /// The grouping kept, read a piece at a time into the grouper it decodes to.
    fn read(&mut self) -> Result<kept::Kept, kept::Rebuild> {
        let index = self.index().ok_or(kept::Rebuild::Nothing)?;
        let (mut blob, len) = index.kept_reader(GROUPS).ok_or(kept::Rebuild::Nothing)?;
        kept::decode_from(&mut blob, len).ok_or(kept::Rebuild::Unreadable)
    }

    /// Keeps `grouper`, written a piece at a time into the index; a failure (a
    /// read-only or full cache folder, another writer holding the file too long)
    /// only means grouping again at the next start.
    fn write(&mut self, grouper: &Grouper, members: &[Member]) {
        if let Some(index) = self.index() {
            let len = kept::encoded_len(grouper, members);
            let _ =
                index.keep_streamed(GROUPS, len, |out| kept::encode_into(grouper, members, out));
        }
    }
}

fn run(inbox: Receiver<Job>, texts: Option<Arc<Shared>>, deliver: impl Fn(Groups) -> bool) {
    let mut grouper = Grouper::new();
    let mut store = texts
        .as_deref()
        .and_then(|t| t.with(|i| i.path().to_path_buf()))
        .map(|path| Store { path, index: None });
    // The members of the grouping to keep once the groups are handed over (written
    // then, straight from the grouper); none once the watcher's changes are in it,
    // since it then no longer is what a build of those members makes.
    let mut to_keep: Option<Vec<Member>> = None;
    // Each item's article as the session holds it (bodies held by the index are
    // read again when a comparison needs them).
    let mut articles: Vec<Option<Arc<Article>>> = Vec::new();
    let whole = |a: &Arc<Article>| -> Option<Arc<Article>> {
        if a.held.is_none() {
            Some(Arc::clone(a))
        } else {
            texts.as_deref().and_then(|t| t.whole(a))
        }
    };
    while let Ok(first) = inbox.recv() {
        let mut jobs = vec![first];
        jobs.extend(inbox.try_iter());
        for job in jobs {
            match job {
                Job::All(all) => {
                    articles = Vec::new();
                    let mut members = Vec::with_capacity(all.len());
                    for (member, article) in all {
                        if articles.len() <= member.item {
                            articles.resize(member.item + 1, None);
                        }
                        articles[member.item] = Some(article);
                        members.push(member);
                    }
                    members.sort_unstable_by_key(|m| m.item);
                    members.dedup_by_key(|m| m.item);
                    let fetch =
                        |i: usize| articles.get(i).and_then(Option::as_ref).and_then(&whole);
                    match store.as_mut() {
                        Some(store) => {
                            // One core for a build: the other stays the reviewer's.
                            let resumed = kept::resume_kept(&members, store.read(), &fetch)
                                .unwrap_or_else(|why| kept::build(&members, &fetch, why, 1));
                            grouper = resumed.grouper;
                            to_keep = resumed.keep.then_some(members);
                        }
                        None => {
                            let items: Vec<usize> = members.iter().map(|m| m.item).collect();
                            grouper = Grouper::build_on(&items, &fetch, 1);
                        }
                    }
                    // Building let go of far more than the grouper keeps (each body
                    // read twice, every sketch at once): give it back for the day.
                    super::give_back_free_memory();
                }
                Job::Add(added) => {
                    to_keep = None;
                    for (item, article) in added {
                        if articles.len() <= item {
                            articles.resize(item + 1, None);
                        }
                        if articles[item].take().is_some() {
                            grouper.remove(item);
                        }
                        let Some(body) = whole(&article) else {
                            continue;
                        };
                        articles[item] = Some(article);
                        let mut fetch =
                            |i: usize| articles.get(i).and_then(Option::as_ref).and_then(&whole);
                        grouper.add(item, &body, &mut fetch);
                    }
                }
                Job::Remove(gone) => {
                    to_keep = None;
                    for item in gone {
                        grouper.remove(item);
                        if let Some(slot) = articles.get_mut(item) {
                            *slot = None;
                        }
                    }
                }
            }
        }
        if !deliver(grouper.groups()) {
            return;
        }
        if let (Some(members), Some(store)) = (to_keep.take(), store.as_mut()) {
            store.write(&grouper, &members);
            super::give_back_free_memory();
        }
    }
}
