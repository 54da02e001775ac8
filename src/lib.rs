//! triage: classify news articles from the terminal.
//!
//! The crate is a library with a thin binary (`main.rs` parses the command line and
//! calls [`cli::run`]). Dependencies point one way, from the terminal down to plain
//! data; no module imports one above it (checked against the `use` lines):
//!
//! ```text
//! cli ─→ tui ─→ runtime ─→ ui ─→ input ─→ app ─→ team ─→ store ─→ index ─→ article ─→ labels
//!                              ╰──────────────→ search ──────────────────────↗
//!                                                    team ─→ learn ───────────↗
//! (and index ─→ search: the index answers search's body lookups, `search::BodyIndex`)
//! domain (the shared words: status, decision, edit, reviewer name) just above labels;
//! below everything: files, fold, host, sanitize, words
//! ```
//!
//! - [`cli`] runs the commands, and the TUI, through the same code paths.
//! - [`tui`] is the one place that touches the terminal: set-up and restore, the key
//!   and signal threads, suspend and resume, and drawing each frame.
//! - [`runtime`] is the running program without the terminal: every event (keys,
//!   signals, loaded articles, search results, inbox changes) arrives on one channel
//!   and is handled there, effects and the write rules included (`triage label` writes
//!   through the same rules); it also keeps the search history in the state folder.
//! - [`ui`] draws a state into a ratatui frame, sanitizing every string on the way.
//! - [`input`] turns keys into actions through TOML keymaps.
//! - [`app`] holds the state and `update(state, action) -> effects`, free of I/O.
//! - [`team`] counts and compares reviewers' decisions (export, stats, agreement),
//!   and combines every source of suggestions into one (`team::suggest`: the
//!   article's own lines, the source list, places, the team's record of a source,
//!   the learned model, split at the team's threshold).
//! - [`learn`] is the model learned from the team's decisions (features, a linear
//!   SVM per label, its calibration) and its cross-validated evaluation; the runtime
//!   trains it on a thread of its own.
//! - [`search`] parses queries and ranks articles, off the drawing thread.
//! - [`store`] scans the inbox and reads and writes sidecars atomically under a lock,
//!   and keeps the inbox a boundary (links out, pipes and devices are never read).
//! - [`index`] keeps what parsing produced between runs (SQLite under
//!   `$XDG_CACHE_HOME/triage`: each article's metadata and `stat`, its paragraphs, and
//!   an FTS5 trigram index of its body), so a start on an inbox seen before parses
//!   nothing and bodies stay out of memory; it answers search's body lookups through
//!   [`search::BodyIndex`]. A cache: sidecars stay the only truth.
//! - [`article`] reads an inbox file into an [`article::Article`] and suggests labels
//!   from its own classification and the places it names (`article::places`, a
//!   built-in gazetteer); no terminal, no disk writes.
//! - [`labels`] is the taxonomy of `labels.toml` and the source list `sources.toml`,
//!   and defines [`labels::LabelId`] (a label's id as a type; `domain` re-exports it),
//!   there rather than in `domain` so that `labels` imports nothing above it.
//! - [`domain`] holds the words several rooms share: [`domain::Status`],
//!   [`domain::Decision`] and the [`domain::Edit`]s applied to it, and the checked
//!   [`domain::ReviewerName`] (`store` re-exports them), so `search` filters by status
//!   and `ui` reads decisions without `store`; [`files`] opens what comes from elsewhere only
//!   when it is a regular file, and configuration files only up to a limit; [`fold`] is
//!   the one rule for comparing text ignoring case; [`host`] reduces a URL or domain
//!   to the publisher's host; [`sanitize`] is the one gate between untrusted text and
//!   the terminal; [`words`] says counts in words (`1 match`, `2 matches`).
//! - `corpus` generates deterministic inboxes of any size for benchmarks and tests;
//!   only with the `corpus` feature, which tests, benchmarks and examples turn on.

pub mod allocator;
pub mod app;
pub mod article;
pub mod cli;
pub mod copies;
#[cfg(any(test, feature = "corpus"))]
pub mod corpus;
pub mod domain;
pub mod files;
pub mod fold;
pub mod host;
pub mod index;
pub mod input;
pub mod labels;
pub mod learn;
pub mod runtime;
pub mod sanitize;
pub mod search;
pub mod store;
pub mod team;
pub mod tui;
pub mod ui;
pub mod words;
