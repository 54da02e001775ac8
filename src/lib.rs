//! triage: classify news articles from the terminal.
//!
//! The crate is a library with a thin binary. Dependencies point one way:
//! `tui → runtime → (input, ui) → app → (article, labels, store, search)`.
//!
//! - [`article`] reads an inbox file into an [`article::Article`] and suggests labels;
//!   no terminal, no disk writes.
//! - [`labels`] is the taxonomy of `labels.toml`.
//! - [`domain`] holds the words several modules share: [`domain::Status`],
//!   [`domain::Decision`] and the [`domain::Edit`]s applied to it, and the checked
//!   [`domain::ReviewerName`] (`store` re-exports them), so `search` filters by status
//!   and `ui` reads decisions without `store`.
//! - [`store`] scans the inbox and reads and writes sidecars atomically under a lock.
//! - [`search`] ranks articles for a query.
//! - [`app`] holds the state and `update(state, action) -> effects`, free of I/O.
//! - [`input`] turns keys into actions through TOML keymaps.
//! - [`ui`] draws a state into a ratatui frame, sanitizing every string on the way.
//! - [`runtime`] is the running program without the terminal: every event (keys,
//!   signals, loaded articles, search results, inbox changes) arrives on one channel
//!   and is handled there, effects and the write rules included.
//! - [`tui`] is the one place that touches the terminal: set-up and restore, the key
//!   and signal threads, suspend and resume, and drawing each frame.
//! - [`cli`] runs the non-interactive commands through the same code paths.
//! - [`files`] opens what comes from elsewhere only when it is a regular file, and
//!   reads configuration files only up to a limit.
//! - [`words`] says counts in words (`1 match`, `2 matches`).
//! - [`fold`] is the one rule for comparing text ignoring case, and [`host`] reduces a
//!   URL or domain to the publisher's host; both sit below every other module.
//! - `corpus` generates deterministic inboxes of any size for benchmarks and tests;
//!   only with the `corpus` feature, which tests, benchmarks and examples turn on.

pub mod app;
pub mod article;
pub mod cli;
#[cfg(any(test, feature = "corpus"))]
pub mod corpus;
pub mod domain;
pub mod files;
pub mod fold;
pub mod host;
pub mod input;
pub mod labels;
pub mod runtime;
pub mod sanitize;
pub mod search;
pub mod store;
pub mod team;
pub mod tui;
pub mod ui;
pub mod words;
