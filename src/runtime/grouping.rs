//! The grouping of copies, on its own thread: it reads every article once the inbox
//! has loaded (bodies held by the index one at a time, so memory never holds them
//! all), then takes each article the watcher sees arrive, change or go, and hands
//! the session the groups after each step, as one more event.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::article::Article;
use crate::copies::{Grouper, Groups};
use crate::index::Shared;

/// What changed, by entry index.
pub enum Job {
    /// Every article of the inbox: the groups are made anew from them, on every core.
    All(Vec<(usize, Arc<Article>)>),
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

fn run(inbox: Receiver<Job>, texts: Option<Arc<Shared>>, deliver: impl Fn(Groups) -> bool) {
    let mut grouper = Grouper::new();
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
                    for (item, article) in all {
                        if articles.len() <= item {
                            articles.resize(item + 1, None);
                        }
                        articles[item] = Some(article);
                    }
                    let items: Vec<usize> = (0..articles.len())
                        .filter(|&i| articles[i].is_some())
                        .collect();
                    let fetch =
                        |i: usize| articles.get(i).and_then(Option::as_ref).and_then(&whole);
                    grouper = Grouper::build_on(&items, &fetch, 1);
                    // Building let go of far more than the grouper keeps (each body
                    // read twice, every sketch at once): give it back for the day.
                    super::give_back_free_memory();
                }
                Job::Add(added) => {
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
    }
}
