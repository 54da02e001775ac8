//! The thread that ranks, so typing never waits for a search.
//!
//! Each request carries a generation number; submitting one makes every older
//! request stale. The ranking polls that number and gives up as soon as it is no
//! longer the newest, and the receiving side drops stale results, so a slow ranking
//! can never overwrite the result of a newer keystroke.
//!
//! Each ranking comes in two stages: the title-side matches first (titles, sources,
//! file names, labels: the fast part, and exactly the head of the final ranking,
//! since title matches outrank body-only ones), then the articles that matched only
//! in their bodies, appended.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use super::{Bodies, Doc, Facet, Hit, Query, fill_body_lines, search_with};

/// Body lines the worker reads from the index for one ranking: more than a screen
/// scrolled through many times; hits past them show their title alone.
const BODY_LINES: usize = 1000;

/// One ranking to run.
#[derive(Debug, Clone)]
pub struct Job {
    pub generation: u64,
    pub query: Query,
    pub docs: Arc<Vec<Arc<Doc>>>,
    pub facets: Arc<Vec<Facet>>,
    /// Rank only these docs (the previous results of a query that only grew).
    pub within: Option<Arc<Vec<usize>>>,
    /// Where the bodies not held in memory are searched, when the inbox is indexed.
    pub bodies: Option<Bodies>,
}

/// A ranking, partial or complete.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub generation: u64,
    pub hits: Vec<Hit>,
    pub complete: bool,
}

/// Handle to the ranking thread; dropping it ends the thread.
pub struct Worker {
    jobs: Sender<Job>,
    latest: Arc<AtomicU64>,
    pub results: Receiver<Outcome>,
}

impl Default for Worker {
    fn default() -> Self {
        Worker::spawn()
    }
}

impl Worker {
    pub fn spawn() -> Worker {
        let (out_tx, results) = mpsc::channel();
        Worker::start(move |outcome| out_tx.send(outcome).is_ok(), results)
    }

    /// A worker that hands each ranking to `deliver` as it is ready (the runtime
    /// puts it on its one event channel) instead of keeping it in `results`, which
    /// then stays empty. `deliver` says false once nobody listens, which ends the thread.
    pub fn spawn_delivering(deliver: impl Fn(Outcome) -> bool + Send + 'static) -> Worker {
        let (_, results) = mpsc::channel();
        Worker::start(deliver, results)
    }

    fn start(
        deliver: impl Fn(Outcome) -> bool + Send + 'static,
        results: Receiver<Outcome>,
    ) -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let latest = Arc::new(AtomicU64::new(0));
        let newest = Arc::clone(&latest);
        std::thread::spawn(move || {
            while let Ok(mut job) = job_rx.recv() {
                // Only the newest waiting job matters.
                while let Ok(newer) = job_rx.try_recv() {
                    job = newer;
                }
                if !run(&job, &newest, &deliver) {
                    return; // the receiving side is gone
                }
            }
        });
        Worker {
            jobs,
            latest,
            results,
        }
    }

    /// Queues a ranking; every older one still running is cancelled.
    pub fn submit(&self, job: Job) {
        self.latest.store(job.generation, Ordering::SeqCst);
        // The thread only ends when this handle is dropped, so a failed send cannot happen
        // while we hold it; if it ever does, the search simply shows no new results.
        let _ = self.jobs.send(job);
    }
}

/// Runs a job, sending a partial result first on a large inbox. Returns false when
/// nobody listens any more.
fn run(job: &Job, latest: &AtomicU64, out: &dyn Fn(Outcome) -> bool) -> bool {
    let stale = || latest.load(Ordering::SeqCst) != job.generation;
    let send = |hits: Vec<Hit>, complete: bool| {
        out(Outcome {
            generation: job.generation,
            hits,
            complete,
        })
    };
    let docs = job.docs.as_slice();
    let facets = job.facets.as_slice();
    let within = job.within.as_deref().map(Vec::as_slice);
    let index = job.bodies.as_ref().map(|b| &*b.0);
    let Some(mut hits) = search_with(docs, facets, &job.query, within, false, index, &stale) else {
        return true;
    };
    let can_match_bodies =
        job.query.terms.iter().any(|t| {
            !t.negated && matches!(t.kind, super::TermKind::Fuzzy | super::TermKind::Exact)
        });
    if !can_match_bodies {
        return send(hits, true);
    }
    if !send(hits.clone(), false) {
        return false;
    }
    // The rest: articles that did not match on the title side.
    let mut matched = vec![false; docs.len()];
    for h in &hits {
        if let Some(m) = matched.get_mut(h.entry) {
            *m = true;
        }
    }
    let rest: Vec<usize> = match within {
        Some(w) => w
            .iter()
            .copied()
            .filter(|&i| !matched.get(i).copied().unwrap_or(true))
            .collect(),
        None => (0..docs.len()).filter(|&i| !matched[i]).collect(),
    };
    let Some(mut more) = search_with(docs, facets, &job.query, Some(&rest), true, index, &stale)
    else {
        return true;
    };
    if let Some(index) = index {
        fill_body_lines(docs, facets, &job.query, &mut more, index, BODY_LINES);
    }
    // Every one of them matched some term only in its body, so it ranks below all
    // title-side hits; both lists are already in rank order.
    hits.extend(more);
    send(hits, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn docs(n: usize) -> Arc<Vec<Arc<Doc>>> {
        Arc::new(
            (0..n)
                .map(|i| {
                    Arc::new(Doc {
                        title: format!(
                            "article {i} about {}",
                            if i % 2 == 0 { "oil" } else { "gas" }
                        )
                        .into(),
                        ..Doc::default()
                    })
                })
                .collect(),
        )
    }

    fn job(generation: u64, text: &str, docs: &Arc<Vec<Arc<Doc>>>) -> Job {
        Job {
            generation,
            query: super::super::parse(text).expect("a query"),
            docs: Arc::clone(docs),
            facets: Arc::new(vec![Facet::default(); docs.len()]),
            within: None,
            bodies: None,
        }
    }

    #[test]
    fn a_newer_job_makes_older_results_stale() {
        let worker = Worker::spawn();
        let d = docs(50);
        worker.submit(job(1, "oil", &d));
        worker.submit(job(2, "gas", &d));
        // Whatever arrives, the last complete result is generation 2's.
        let mut last = None;
        while let Ok(outcome) = worker.results.recv_timeout(Duration::from_secs(10)) {
            let done = outcome.generation == 2 && outcome.complete;
            last = Some(outcome);
            if done {
                break;
            }
        }
        let last = last.expect("a result arrives");
        assert_eq!(last.generation, 2);
        assert!(
            last.hits.iter().all(|h| h.entry % 2 == 1),
            "only gas articles"
        );
    }

    #[test]
    fn title_matches_arrive_first_then_body_matches_are_appended() {
        let worker = Worker::spawn();
        let mut all: Vec<Arc<Doc>> = docs(4).iter().cloned().collect();
        all.push(Arc::new(Doc {
            title: "unrelated".into(),
            article: Some(Arc::new(crate::article::Article {
                body: ["the oil price fell"].into_iter().collect(),
                ..Default::default()
            })),
            ..Doc::default()
        }));
        let d = Arc::new(all);
        worker.submit(job(7, "oil", &d));
        let first = worker
            .results
            .recv_timeout(Duration::from_secs(30))
            .expect("partial");
        assert!(!first.complete);
        assert_eq!(
            first.hits.iter().map(|h| h.entry).collect::<Vec<_>>(),
            vec![0, 2]
        );
        let second = worker
            .results
            .recv_timeout(Duration::from_secs(30))
            .expect("complete");
        assert!(second.complete);
        assert_eq!(
            second.hits.iter().map(|h| h.entry).collect::<Vec<_>>(),
            vec![0, 2, 4]
        );
    }
}
