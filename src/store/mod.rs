//! The inbox on disk: finding articles and reading and writing sidecars.
//!
//! Every decision lives in `<article>.<reviewer>.toml` next to the article. Different
//! reviewers never write the same file (the maildir principle), so they need no locks
//! between them and merge cleanly in git. The same reviewer in two sessions is kept
//! safe by a lock file that is never renamed and by re-reading the sidecar before each
//! write and applying only the edits being made.

mod arriving;
pub mod boundary;
pub mod clean;
pub mod inbox;
pub mod indexed;
pub mod resume;
pub mod scan;
pub mod sidecar;
pub mod watch;

pub use inbox::{
    Entry, Inbox, Loaded, STILL_READING, SidecarState, load_in_background,
    load_in_background_through,
};
pub use indexed::{Cache, Released};
pub use scan::{Scan, ScanEntry, scan, scan_each};
pub use sidecar::{
    Faults, LOCK_FILE, Sidecar, StoreError, WriteContext, parse_sidecar, read_sidecar,
    render_sidecar, reviewer_problem, sha256_hex, sidecar_path, valid_reviewer, write_edits,
};

/// Re-exported so `crate::store::Status`, `Decision` and `Edit` keep working: the
/// words of the domain live in [`crate::domain`], below `store`.
pub use crate::domain::{Decision, Edit, MAX_SECONDS, Status};
