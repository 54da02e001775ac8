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
    /// These articles, held whole, are now held by the index (the same text, its
    /// body in the index): the copy is kept instead, where the article held is still
    /// the one given (see [`crate::app::AppState::hold_bodies`]); then `done` is
    /// called, for the session to send the next ones.
    Held(crate::app::HeldCopies, Box<dyn FnOnce() + Send>),
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

    /// The grouping kept, read a piece at a time into the grouper it decodes to;
    /// with `whole` false, only its groups and members ([`kept::decode_groups_from`]).
    fn read(&mut self, whole: bool) -> Result<kept::Kept, kept::Rebuild> {
        let index = self.index().ok_or(kept::Rebuild::Nothing)?;
        let (mut blob, len) = index.kept(GROUPS).ok_or(kept::Rebuild::Nothing)?;
        let decoded = if whole {
            kept::decode_from(&mut blob, len)
        } else {
            kept::decode_groups_from(&mut blob, len)
        };
        decoded.ok_or(kept::Rebuild::Unreadable)
    }

    /// Keeps `grouper`, written a piece at a time into the index; a failure (a
    /// read-only or full cache folder, another writer holding the file too long)
    /// only means grouping again at the next start.
    fn write(&mut self, grouper: &Grouper, members: &[Member]) {
        if let Some(index) = self.index() {
            let len = kept::encoded_len(grouper, members);
            let _ = index.keep(GROUPS, len, |out| kept::encode_into(grouper, members, out));
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
    // The members of the inbox as last given whole, and whether the grouper holds
    // only their groups (restored as kept, its postings left in the index until the
    // watcher brings an article to add: 14 MB less at 100,000 articles, and at the
    // moment the inbox has just loaded).
    let mut members: Vec<Member> = Vec::new();
    let mut light = false;
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
                    members = Vec::with_capacity(all.len());
                    light = false;
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
                            // The groups alone when they are kept for these very
                            // members; else the whole grouper, to update or build.
                            let restored = store
                                .read(false)
                                .ok()
                                .filter(|k| kept::same_members(k, &members));
                            if let Some(k) = restored {
                                grouper = k.into_grouper();
                                light = true;
                            } else {
                                // One core for a build: the other stays the reviewer's.
                                let resumed = kept::resume_kept(&members, store.read(true), &fetch)
                                    .unwrap_or_else(|why| kept::build(&members, &fetch, why, 1));
                                grouper = resumed.grouper;
                                to_keep = resumed.keep.then(|| members.clone());
                            }
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
                    if light {
                        grouper = whole_again(store.as_mut(), &members, &articles, &whole);
                        light = false;
                    }
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
                Job::Held(held, done) => {
                    for (item, was, copy) in held {
                        if let Some(slot) = articles.get_mut(item)
                            && slot
                                .as_ref()
                                .is_some_and(|a| std::ptr::eq(Arc::as_ptr(a), was.as_ptr()))
                        {
                            *slot = Some(copy);
                        }
                    }
                    // The session let go of them first: these were the bodies' last
                    // references.
                    super::give_back_free_memory();
                    done();
                }
                Job::Remove(gone) => {
                    to_keep = None;
                    if light {
                        grouper = whole_again(store.as_mut(), &members, &articles, &whole);
                        light = false;
                    }
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

/// The whole grouper of a session that restored only its groups, for the first
/// article the watcher brings: read from the index again, or, should the index now
/// hold another inbox's grouping (another process kept its own meanwhile), built
/// again from the articles.
fn whole_again(
    store: Option<&mut Store>,
    members: &[Member],
    articles: &[Option<Arc<Article>>],
    whole: &(dyn Fn(&Arc<Article>) -> Option<Arc<Article>> + Sync),
) -> Grouper {
    let fetch = |i: usize| articles.get(i).and_then(Option::as_ref).and_then(whole);
    let kept = store
        .map(|s| s.read(true))
        .unwrap_or(Err(kept::Rebuild::Nothing));
    let grouper = match kept {
        Ok(k) if kept::same_members(&k, members) => k.into_grouper(),
        _ => kept::build(members, &fetch, kept::Rebuild::Changed, 1).grouper,
    };
    super::give_back_free_memory();
    grouper
}
