//! `triage sync`: a team's inbox is a git work tree, and syncing is three git steps
//! the reviewer would otherwise type: commit my own sidecars, rebase onto the remote,
//! push.
//!
//! It runs the `git` program the user already has and is authenticated with (as jj
//! does), never a library and never a shell: credentials, ssh keys and proxies stay
//! git's business. `GIT_TERMINAL_PROMPT=0` keeps git from asking for a password, and
//! the TUI runs git in a session of its own ([`Terminal::Detached`]), so neither git
//! nor ssh can write over the screen or wait on the keyboard.
//!
//! Per-reviewer sidecars make merges conflict-free, so a sync commits only the
//! reviewer's own sidecars (and those they settled as the adjudicator), by explicit
//! path: nothing else in the work tree is ever added. Every way it stops leaves the
//! repository as clean as it found it: a rebase that conflicts is aborted, and the
//! local commit stays for the next sync.
//!
//! What the counts mean: *sent* is what the push carried, the files that differ
//! between the remote's branch and ours once rebased (so a commit left by an offline
//! sync is counted when it finally goes); *received* is what the remote's new commits
//! added, changed or removed since the last common commit. Sidecars count as
//! decisions, anything else (articles, `labels.toml`) as other files.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::sanitize::{sanitize, strip_sequences};
use crate::store::watch::sidecar_splits;

/// Why a sync stopped: one sentence, already safe for the terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SyncError(pub String);

/// Whether git may use the terminal triage runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    /// The command line: git shares the terminal (Ctrl-C reaches it).
    Attached,
    /// The TUI: git runs in a session of its own, without a controlling terminal,
    /// so that ssh cannot prompt over the screen, and a quit or a signal aimed at
    /// triage does not cut a rebase in half (the TUI waits for it instead).
    Detached,
}

/// Files, told apart as the inbox tells them apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    /// Sidecars: `<article>.<reviewer>.toml`.
    pub decisions: usize,
    /// Everything else: articles, `labels.toml`, ….
    pub other: usize,
}

impl Counted {
    pub fn total(&self) -> usize {
        self.decisions + self.other
    }

    fn add(&mut self, other: Counted) {
        self.decisions += other.decisions;
        self.other += other.other;
    }

    /// "3 decisions and 1 other file", "2 other files".
    fn words(&self) -> String {
        let decisions = plural(self.decisions, "decision", "decisions");
        let other = plural(self.other, "other file", "other files");
        match (self.decisions, self.other) {
            (_, 0) => decisions,
            (0, _) => other,
            _ => format!("{decisions} and {other}"),
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Sidecars committed by this sync.
    pub committed: usize,
    /// What the push carried (nothing: no push).
    pub sent: Counted,
    /// What the remote's new commits brought.
    pub received: Counted,
}

impl Report {
    /// The one line a sync prints: `sent 12 decisions; 3 decisions received`,
    /// `nothing to send; nothing received`.
    pub fn line(&self) -> String {
        let sent = if self.sent.total() == 0 {
            "nothing to send".to_string()
        } else {
            format!("sent {}", self.sent.words())
        };
        let received = if self.received.total() == 0 {
            "nothing received".to_string()
        } else {
            format!("{} received", self.received.words())
        };
        format!("{sent}; {received}")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How many times a push that lost a race (someone pushed between our fetch and our
/// push) is tried again, each after a new fetch and rebase.
const PUSH_TRIES: usize = 3;

/// Commits the sidecars of `reviewers` under `inbox` that are new, changed or
/// removed, fetches, rebases onto the upstream branch and pushes. The first of
/// `reviewers` names the commit.
pub fn sync(inbox: &Path, reviewers: &[&str], terminal: Terminal) -> Result<Report, SyncError> {
    let found = Git::new(inbox.to_path_buf(), terminal);
    let top = found.top(inbox)?;
    let git = Git::new(top.clone(), terminal);
    let scope = scope_of(inbox, &top);
    git.refuse_unfinished()?;
    let branch = git.branch()?;
    let upstream = git.upstream(&branch)?;

    let (mine, others) = git.changes(&scope, reviewers)?;
    if let Some(first) = others.first() {
        let more = match others.len() - 1 {
            0 => String::new(),
            n => format!(" and {}", plural(n, "other file", "other files")),
        };
        return Err(SyncError(format!(
            "{}{more} changed in {} and {} not a decision of yours: commit or stash {}, then sync again",
            shown(first),
            shown_path(&top),
            if others.len() == 1 { "is" } else { "are" },
            if others.len() == 1 { "it" } else { "them" },
        )));
    }
    if !mine.is_empty() {
        git.commit(&mine, reviewers)?;
    }
    let committed = mine.len();
    let mut received = Counted::default();
    for attempt in 1..=PUSH_TRIES {
        git.fetch(&upstream.remote, committed)?;
        let theirs = git.tracking(&branch, &upstream);
        let head = git.head();
        if let Some(theirs) = &theirs {
            received.add(git.incoming(head.as_deref(), theirs)?);
            git.integrate(head.is_some(), theirs, committed)?;
        }
        let sent = git.outgoing(theirs.as_deref())?;
        if sent.total() == 0 && upstream.configured {
            return Ok(Report {
                committed,
                sent,
                received,
            });
        }
        if git.head().is_none() {
            // An empty remote and nothing of ours: nothing to push.
            return Ok(Report {
                committed,
                sent,
                received,
            });
        }
        match git.push(&upstream) {
            Ok(()) => {
                return Ok(Report {
                    committed,
                    sent,
                    received,
                });
            }
            Err(Push::Raced) if attempt < PUSH_TRIES => continue,
            Err(Push::Raced) => {
                return Err(SyncError(format!(
                    "the remote {} kept changing while pushing: your decisions are committed here and go with the next sync",
                    shown(&upstream.remote)
                )));
            }
            Err(Push::Failed(reason)) => {
                return Err(SyncError(format!(
                    "cannot push to {} ({reason}): your decisions are committed here and go with the next sync",
                    shown(&upstream.remote)
                )));
            }
        }
    }
    Ok(Report {
        committed,
        sent: Counted::default(),
        received,
    })
}

/// Where the branch goes: the remote's name and the branch there.
struct Upstream {
    remote: String,
    /// The remote's branch, `refs/heads/main`.
    merge: String,
    /// Set in git's config; else guessed from the one remote, and set by the push.
    configured: bool,
}

enum Push {
    /// Someone pushed since our fetch.
    Raced,
    Failed(String),
}

/// One work tree, and how to run git in it.
struct Git {
    dir: PathBuf,
    terminal: Terminal,
}

impl Git {
    fn new(dir: PathBuf, terminal: Terminal) -> Git {
        Git { dir, terminal }
    }

    /// Runs `git -C <dir> <args>`, never through a shell, with nothing on stdin and
    /// both outputs captured.
    fn run<I, S>(&self, args: I) -> Result<Output, SyncError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(&self.dir)
            // Paths are file names, never patterns (a `[` or `*` in a name).
            .arg("--literal-pathspecs")
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            // Nothing here asks for a message or an editor; if something did, it
            // must not wait for one.
            .env("GIT_EDITOR", "true")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.terminal == Terminal::Detached {
            detach(&mut command);
        }
        command.output().map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                SyncError("git is not installed (triage sync runs the git program)".into())
            } else {
                SyncError(format!("cannot run git: {e}"))
            }
        })
    }

    /// Runs git and hands back its standard output, or why it failed.
    fn ok<I, S>(&self, args: I) -> Result<Result<Vec<u8>, String>, SyncError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.run(args)?;
        Ok(if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(reason(&out.stderr))
        })
    }

    /// The top of the work tree that holds `inbox`.
    fn top(&self, inbox: &Path) -> Result<PathBuf, SyncError> {
        match self.ok(["rev-parse", "--show-toplevel"])? {
            Ok(out) => {
                let line = trim_newline(&out);
                Ok(path_of(line))
            }
            Err(_) => Err(SyncError(format!(
                "the inbox {} is not in a git work tree: clone the team's repository and work in it (see the README, \"Working as a team\")",
                shown_path(inbox)
            ))),
        }
    }

    /// A rebase, merge or cherry-pick someone left half done is theirs to finish.
    fn refuse_unfinished(&self) -> Result<(), SyncError> {
        for name in [
            "rebase-merge",
            "rebase-apply",
            "MERGE_HEAD",
            "CHERRY_PICK_HEAD",
        ] {
            if let Ok(out) = self.ok(["rev-parse", "--git-path", name])? {
                let path = path_of(trim_newline(&out));
                let path = if path.is_relative() {
                    self.dir.join(path)
                } else {
                    path
                };
                if path.exists() {
                    return Err(SyncError(format!(
                        "a rebase or merge is under way in {}: finish it or abort it with git, then sync again",
                        shown_path(&self.dir)
                    )));
                }
            }
        }
        Ok(())
    }

    fn branch(&self) -> Result<String, SyncError> {
        match self.ok(["symbolic-ref", "--short", "-q", "HEAD"])? {
            Ok(out) => Ok(String::from_utf8_lossy(trim_newline(&out)).into_owned()),
            Err(_) => Err(SyncError(format!(
                "{} has no branch checked out (a detached HEAD): check one out, then sync again",
                shown_path(&self.dir)
            ))),
        }
    }

    fn config(&self, key: &str) -> Result<Option<String>, SyncError> {
        Ok(self
            .ok(["config", "--get", key])?
            .ok()
            .map(|out| String::from_utf8_lossy(trim_newline(&out)).into_owned())
            .filter(|v| !v.is_empty()))
    }

    /// The branch's upstream from git's config, else the only remote's (or origin's)
    /// branch of the same name.
    fn upstream(&self, branch: &str) -> Result<Upstream, SyncError> {
        let remote = self.config(&format!("branch.{branch}.remote"))?;
        let merge = self.config(&format!("branch.{branch}.merge"))?;
        if let (Some(remote), Some(merge)) = (remote, merge)
            && remote != "."
        {
            return Ok(Upstream {
                remote,
                merge,
                configured: true,
            });
        }
        let remotes = match self.ok(["remote"])? {
            Ok(out) => String::from_utf8_lossy(&out)
                .lines()
                .map(str::to_string)
                .filter(|r| !r.is_empty())
                .collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        };
        let remote = match remotes.as_slice() {
            [] => {
                return Err(SyncError(format!(
                    "{} has no remote to sync with: add the team's repository with `git remote add origin URL`",
                    shown_path(&self.dir)
                )));
            }
            [one] => one.clone(),
            _ if remotes.iter().any(|r| r == "origin") => "origin".to_string(),
            _ => {
                return Err(SyncError(format!(
                    "the branch {} has no upstream and there are several remotes: choose one with `git branch --set-upstream-to REMOTE/{}`",
                    shown(branch),
                    shown(branch)
                )));
            }
        };
        Ok(Upstream {
            remote,
            merge: format!("refs/heads/{branch}"),
            configured: false,
        })
    }

    /// The changed files of the work tree, relative to its top: the sidecars of
    /// `reviewers` in the inbox (`scope`), in any state, and every other tracked file
    /// that differs from HEAD. Untracked files that are not such sidecars are none
    /// of the sync's business (the lock files, articles not yet added).
    fn changes(
        &self,
        scope: &Path,
        reviewers: &[&str],
    ) -> Result<(Vec<PathBuf>, Vec<PathBuf>), SyncError> {
        let out = self
            .ok([
                "status",
                "--porcelain=v1",
                "-z",
                "--no-renames",
                "--untracked-files=all",
            ])?
            .map_err(|reason| SyncError(format!("git status failed ({reason})")))?;
        let (mut mine, mut others) = (Vec::new(), Vec::new());
        for record in out.split(|b| *b == 0).filter(|r| r.len() > 3) {
            let (code, path) = (&record[..2], path_of(&record[3..]));
            let unmerged = code.contains(&b'U') || code == b"AA" || code == b"DD";
            if !unmerged && self.is_mine(scope, &path, reviewers) {
                mine.push(path);
            } else if code != b"??" {
                others.push(path);
            }
        }
        mine.sort();
        others.sort();
        Ok((mine, others))
    }

    /// `path` (from the top) is a sidecar of one of `reviewers` in the inbox, read as
    /// the inbox reads it: the longest article name that exists wins.
    fn is_mine(&self, scope: &Path, path: &Path, reviewers: &[&str]) -> bool {
        let Ok(inside) = path.strip_prefix(scope) else {
            return false;
        };
        let hidden = inside.components().any(|c| match c {
            Component::Normal(name) => name.as_encoded_bytes().starts_with(b"."),
            _ => true,
        });
        let Some(name) = path.file_name() else {
            return false;
        };
        if hidden {
            return false;
        }
        let dir = self.dir.join(path.parent().unwrap_or(Path::new("")));
        let splits = sidecar_splits(name);
        let reviewer = splits
            .iter()
            .find(|(article, _)| std::fs::symlink_metadata(dir.join(article)).is_ok())
            .or(splits.first())
            .map(|(_, reviewer)| reviewer.as_str());
        reviewer.is_some_and(|r| reviewers.contains(&r))
    }

    /// One commit of exactly these paths, whatever else is staged.
    fn commit(&self, paths: &[PathBuf], reviewers: &[&str]) -> Result<(), SyncError> {
        let failed = |reason: String| {
            SyncError(format!(
                "git could not commit your decisions ({reason}); nothing was sent"
            ))
        };
        let mut add: Vec<OsString> = vec!["add".into(), "-A".into(), "--".into()];
        add.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
        self.ok(add)?.map_err(failed)?;
        let names: Vec<&str> = reviewers
            .iter()
            .copied()
            .filter(|r| paths.iter().any(|p| is_sidecar_of(p, r)))
            .collect();
        let names = if names.is_empty() {
            reviewers.first().copied().unwrap_or_default().to_string()
        } else {
            names.join(" and ")
        };
        let message = format!(
            "triage: {names}, {}",
            plural(paths.len(), "decision", "decisions")
        );
        let mut commit: Vec<OsString> = vec![
            "commit".into(),
            "--quiet".into(),
            "--no-edit".into(),
            "-m".into(),
            message.into(),
            "--only".into(),
            "--".into(),
        ];
        commit.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
        self.ok(commit)?.map(|_| ()).map_err(failed)
    }

    fn fetch(&self, remote: &str, committed: usize) -> Result<(), SyncError> {
        self.ok(["fetch", "--quiet", "--no-write-fetch-head", "--", remote])?
            .map(|_| ())
            .map_err(|reason| {
                SyncError(format!(
                    "cannot fetch from {} ({reason}): {}",
                    shown(remote),
                    kept(committed)
                ))
            })
    }

    /// The commit the remote's branch is at, once fetched; `None` when the remote
    /// does not have the branch yet (a new, empty repository).
    fn tracking(&self, branch: &str, upstream: &Upstream) -> Option<String> {
        let named = if upstream.configured {
            format!("{branch}@{{upstream}}")
        } else {
            let short = upstream
                .merge
                .strip_prefix("refs/heads/")
                .unwrap_or(&upstream.merge);
            format!("refs/remotes/{}/{short}", upstream.remote)
        };
        self.rev(&named).or_else(|| {
            // A configured upstream whose remote-tracking name git cannot work
            // out (an unusual fetch refspec): the usual place.
            let short = upstream.merge.strip_prefix("refs/heads/")?;
            self.rev(&format!("refs/remotes/{}/{short}", upstream.remote))
        })
    }

    fn rev(&self, name: &str) -> Option<String> {
        let spec = format!("{name}^{{commit}}");
        match self.ok([
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ]) {
            Ok(Ok(out)) => Some(String::from_utf8_lossy(trim_newline(&out)).into_owned()),
            _ => None,
        }
    }

    fn head(&self) -> Option<String> {
        self.rev("HEAD")
    }

    /// What the remote's commits changed since the last commit we share.
    fn incoming(&self, head: Option<&str>, theirs: &str) -> Result<Counted, SyncError> {
        let base = head.and_then(|head| match self.ok(["merge-base", head, theirs]) {
            Ok(Ok(out)) => Some(String::from_utf8_lossy(trim_newline(&out)).into_owned()),
            _ => None,
        });
        self.files_between(base.as_deref(), theirs)
    }

    /// What the push would carry.
    fn outgoing(&self, theirs: Option<&str>) -> Result<Counted, SyncError> {
        match self.head() {
            None => Ok(Counted::default()),
            Some(head) => self.files_between(theirs, &head),
        }
    }

    /// The files that differ from `from` to `to` (every file of `to` without `from`).
    fn files_between(&self, from: Option<&str>, to: &str) -> Result<Counted, SyncError> {
        let out = match from {
            Some(from) if from == to => return Ok(Counted::default()),
            Some(from) => self.ok([
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                "--no-ext-diff",
                from,
                to,
            ])?,
            None => self.ok(["ls-tree", "-r", "--name-only", "-z", to])?,
        }
        .map_err(|reason| SyncError(format!("git could not compare commits ({reason})")))?;
        let mut counted = Counted::default();
        for path in out.split(|b| *b == 0).filter(|p| !p.is_empty()) {
            let path = path_of(path);
            let sidecar = path
                .file_name()
                .is_some_and(|name| !sidecar_splits(name).is_empty());
            if sidecar {
                counted.decisions += 1;
            } else {
                counted.other += 1;
            }
        }
        Ok(counted)
    }

    /// Brings the remote's commits in under ours: a rebase, or a fast-forward when
    /// there is no commit here yet. A rebase that stops is aborted, so the work tree
    /// is left as it was, with our commit.
    fn integrate(&self, have_head: bool, theirs: &str, committed: usize) -> Result<(), SyncError> {
        if !have_head {
            return self
                .ok(["merge", "--ff-only", "--quiet", theirs])?
                .map(|_| ())
                .map_err(|reason| {
                    SyncError(format!(
                        "cannot take in the remote's commits ({reason}); nothing was changed"
                    ))
                });
        }
        let reason = match self.ok(["rebase", "--quiet", "--no-autostash", theirs])? {
            Ok(_) => return Ok(()),
            Err(reason) => reason,
        };
        let conflicted = match self.ok(["diff", "--name-only", "-z", "--diff-filter=U"])? {
            Ok(out) => out
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .map(path_of)
                .collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        };
        let state = match (self.abort_rebase(), committed) {
            (false, _) => "and the rebase could not be aborted: run `git rebase --abort`",
            (true, 0) => {
                "your commits are kept: settle it with git (git pull --rebase), then sync again"
            }
            (true, 1) => {
                "your decision is committed here: settle it with git (git pull --rebase), then sync again"
            }
            (true, _) => {
                "your decisions are committed here: settle it with git (git pull --rebase), then sync again"
            }
        };
        Err(match conflicted.first() {
            Some(first) => {
                let more = match conflicted.len() - 1 {
                    0 => String::new(),
                    n => format!(" (and {})", plural(n, "other file", "other files")),
                };
                SyncError(format!(
                    "the remote changed {}{more} too, so it conflicts (someone edited a sidecar that is not theirs, or one reviewer decided on two machines): nothing was merged, {state}",
                    shown(first)
                ))
            }
            None => SyncError(format!(
                "cannot rebase onto the remote's commits ({reason}): nothing was merged, {state}"
            )),
        })
    }

    /// Aborts a rebase left under way; true when none is left.
    fn abort_rebase(&self) -> bool {
        let under_way = || {
            ["rebase-merge", "rebase-apply"].iter().any(|name| {
                matches!(self.ok(["rev-parse", "--git-path", name]), Ok(Ok(out)) if {
                    let p = path_of(trim_newline(&out));
                    if p.is_relative() { self.dir.join(p) } else { p }.exists()
                })
            })
        };
        if under_way() {
            let _ = self.run(["rebase", "--abort"]);
        }
        !under_way()
    }

    fn push(&self, upstream: &Upstream) -> Result<(), Push> {
        let target = format!("HEAD:{}", upstream.merge);
        let mut args = vec!["push", "--quiet", "--porcelain"];
        if !upstream.configured {
            args.push("--set-upstream");
        }
        args.extend(["--", upstream.remote.as_str(), target.as_str()]);
        let out = self.run(&args).map_err(|e| Push::Failed(e.0))?;
        if out.status.success() {
            return Ok(());
        }
        let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        let text = String::from_utf8_lossy(&all);
        if text.contains("[rejected]")
            || text.contains("non-fast-forward")
            || text.contains("fetch first")
        {
            Err(Push::Raced)
        } else {
            Err(Push::Failed(reason(&out.stderr)))
        }
    }
}

/// The end of the sentences of a sync that stopped after its commit.
fn kept(committed: usize) -> String {
    match committed {
        0 => "nothing was changed here".to_string(),
        1 => "your decision is committed here and goes with the next sync".to_string(),
        n => format!("your {n} decisions are committed here and go with the next sync"),
    }
}

/// Whether `path` names a sidecar of `reviewer` (for the commit message).
fn is_sidecar_of(path: &Path, reviewer: &str) -> bool {
    path.file_name()
        .is_some_and(|name| sidecar_splits(name).iter().any(|(_, r)| r == reviewer))
}

/// The inbox, relative to the top of its work tree (empty when it is the top).
fn scope_of(inbox: &Path, top: &Path) -> PathBuf {
    let inbox = std::fs::canonicalize(inbox).unwrap_or_else(|_| inbox.to_path_buf());
    let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_path_buf());
    inbox
        .strip_prefix(&top)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The line of git's complaint worth showing: its first that is not a hint (ssh's
/// "Could not resolve hostname" comes before git's "Could not read from remote
/// repository", "Author identity unknown" before the advice); without escape sequences or control characters, and short.
fn reason(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = strip_sequences(&text);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .find(|l| !l.starts_with("hint:"))
        .copied()
        .unwrap_or("git gave no reason");
    let line = line
        .trim_start_matches("fatal:")
        .trim_start_matches("error:")
        .trim()
        .trim_end_matches('.');
    let mut line = sanitize(line).into_owned();
    if line.chars().count() > 200 {
        line = line.chars().take(199).collect::<String>() + "…";
    }
    line
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| *b != b'\n' && *b != b'\r')
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// A path git printed, as the bytes it is.
#[cfg(unix)]
fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

fn shown(text: &(impl AsRef<OsStr> + ?Sized)) -> String {
    sanitize(&text.as_ref().to_string_lossy()).into_owned()
}

fn shown_path(path: &Path) -> String {
    shown(path.as_os_str())
}

/// Starts the command in a session of its own: no controlling terminal.
#[cfg(unix)]
fn detach(command: &mut Command) {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: setsid is async-signal-safe and touches nothing of the parent; it is
    // the only call between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn detach(_command: &mut Command) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_went_and_what_came() {
        let report = |sent: (usize, usize), received: (usize, usize)| Report {
            committed: 0,
            sent: Counted {
                decisions: sent.0,
                other: sent.1,
            },
            received: Counted {
                decisions: received.0,
                other: received.1,
            },
        };
        assert_eq!(
            report((0, 0), (0, 0)).line(),
            "nothing to send; nothing received"
        );
        assert_eq!(
            report((12, 0), (3, 0)).line(),
            "sent 12 decisions; 3 decisions received"
        );
        assert_eq!(
            report((1, 0), (0, 2)).line(),
            "sent 1 decision; 2 other files received"
        );
        assert_eq!(
            report((0, 0), (2, 1)).line(),
            "nothing to send; 2 decisions and 1 other file received"
        );
    }

    #[test]
    fn git_reasons_are_one_clean_line() {
        assert_eq!(
            reason(b"hint: something\nfatal: unable to access 'x': Could not resolve host.\n"),
            "unable to access 'x': Could not resolve host"
        );
        assert_eq!(
            reason(b"ssh: Could not resolve hostname nowhere\nfatal: Could not read from remote repository.\n"),
            "ssh: Could not resolve hostname nowhere"
        );
        assert_eq!(
            reason(b"remote: \x1b]0;pwned\x07evil\x1b[31m text\r\n"),
            "remote: evil text"
        );
        assert_eq!(reason(b""), "git gave no reason");
        assert!(reason(&[b'x'; 500]).chars().count() <= 200);
    }

    #[test]
    fn stopping_after_a_commit_says_it_is_kept() {
        assert_eq!(kept(0), "nothing was changed here");
        assert_eq!(
            kept(1),
            "your decision is committed here and goes with the next sync"
        );
        assert_eq!(
            kept(3),
            "your 3 decisions are committed here and go with the next sync"
        );
    }
}
