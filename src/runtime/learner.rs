//! The learner: trains the suggestion model on its own thread, so input never
//! waits for it, and delivers each model (and, when the list's order needs them,
//! how sure it is about every article still to do) as one more event.
//!
//! Jobs coalesce: while one trains, newer ones replace each other, and only the
//! newest is trained next, so a reviewer deciding quickly costs one training at a
//! time. A job whose training set is the one of the last model only scores.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::article::Article;
use crate::labels::Taxonomy;
use crate::learn::{Example, Model};

/// How to train: [`Model::train`], or a stand-in in tests.
pub type Train = fn(&[Example], &Taxonomy) -> Model;

/// What to learn from, and what to score.
pub struct Job {
    /// Identifies the training set (see [`crate::team::suggest::fingerprint`]).
    pub fingerprint: u64,
    pub examples: Vec<Example>,
    pub taxonomy: Taxonomy,
    /// The articles still to do, by entry index, when the order needs their margins;
    /// `entries` is how many entries there are.
    pub score: Option<Scoring>,
    /// Where the bodies of articles loaded from the index are: read here, one
    /// article at a time, rather than held in memory (see [`crate::index`]).
    pub texts: Option<Arc<crate::index::Shared>>,
}

/// The articles to score and how long the margins list is.
pub struct Scoring {
    pub entries: usize,
    pub todo: Vec<(usize, Arc<Article>)>,
}

/// A trained model for the session.
#[derive(Debug)]
pub struct Learned {
    pub fingerprint: u64,
    /// `None` when there were no decisions to learn from.
    pub model: Option<Arc<Model>>,
    /// Per entry, how sure the model is (`None`: not scored); only when asked.
    pub margins: Option<Vec<Option<f32>>>,
}

/// The learner's thread, fed through [`Learner::submit`].
pub struct Learner {
    jobs: Sender<Job>,
}

impl Learner {
    /// Starts the thread; `deliver` hands each result to the session and says false
    /// once the session is gone, which ends the thread.
    pub fn spawn(train: Train, deliver: impl Fn(Learned) -> bool + Send + 'static) -> Learner {
        let (jobs, inbox) = mpsc::channel::<Job>();
        std::thread::spawn(move || run(inbox, train, deliver));
        Learner { jobs }
    }

    /// Queues a job; never waits.
    pub fn submit(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

fn run(inbox: Receiver<Job>, train: Train, deliver: impl Fn(Learned) -> bool) {
    let mut last: Option<(u64, Option<Arc<Model>>)> = None;
    while let Ok(mut job) = inbox.recv() {
        while let Ok(newer) = inbox.try_recv() {
            job = newer;
        }
        let texts = job.texts.as_deref();
        let model = match &last {
            Some((fingerprint, model)) if *fingerprint == job.fingerprint => model.clone(),
            _ if job.examples.is_empty() => None,
            _ => {
                if let Some(texts) = texts {
                    for example in &mut job.examples {
                        example.article = whole(texts, &example.article);
                    }
                }
                Some(Arc::new(train(&job.examples, &job.taxonomy)))
            }
        };
        drop(job.examples);
        last = Some((job.fingerprint, model.clone()));
        let margins = job
            .score
            .map(|scoring| margins_with(model.as_deref(), scoring, texts));
        let learned = Learned {
            fingerprint: job.fingerprint,
            model,
            margins,
        };
        if !deliver(learned) {
            return;
        }
    }
}

/// How sure `model` is about each article to score, on both cores (the TUI's order,
/// and `triage list --order`).
pub fn margins(model: Option<&Model>, scoring: Scoring) -> Vec<Option<f32>> {
    margins_with(model, scoring, None)
}

/// `article` with its body, read from `texts` when the index keeps it; as it is
/// when the index no longer has it (the model then reads its title alone).
fn whole(texts: &crate::index::Shared, article: &Arc<Article>) -> Arc<Article> {
    texts.whole(article).unwrap_or_else(|| Arc::clone(article))
}

/// [`margins`] reading the bodies the index keeps from `texts`.
pub fn margins_with(
    model: Option<&Model>,
    scoring: Scoring,
    texts: Option<&crate::index::Shared>,
) -> Vec<Option<f32>> {
    let mut out = vec![None; scoring.entries];
    let Some(model) = model else {
        return out;
    };
    let half = scoring.todo.len().div_ceil(2).max(1);
    let scored: Vec<Vec<(usize, f32)>> = std::thread::scope(|scope| {
        let parts: Vec<_> = scoring
            .todo
            .chunks(half)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(i, a)| {
                            let margin = match texts {
                                Some(t) => model.predict(&whole(t, a)).margin(),
                                None => model.predict(a).margin(),
                            };
                            (*i, margin)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().filter_map(|p| p.join().ok()).collect()
    });
    for (i, m) in scored.into_iter().flatten() {
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(m);
        }
    }
    out
}
