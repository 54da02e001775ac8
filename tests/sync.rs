//! `triage sync` with real git: a bare repository as the team's remote and clones
//! as the reviewers' machines, each in a temporary folder. git runs with no user or
//! system config and a made-up identity, so the tests behave the same on a machine
//! that has never configured git.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Tmux, command_as, label_as, stderr, stdout};

/// What every git the tests run, and every triage they start, sees: no config of
/// whoever runs the tests, an identity, no prompts.
const GIT_ENV: [(&str, &str); 7] = [
    ("GIT_AUTHOR_NAME", "Test Reviewer"),
    ("GIT_AUTHOR_EMAIL", "reviewer@example.org"),
    ("GIT_COMMITTER_NAME", "Test Reviewer"),
    ("GIT_COMMITTER_EMAIL", "reviewer@example.org"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_TERMINAL_PROMPT", "0"),
];

fn with_git_env(cmd: &mut Command) -> &mut Command {
    for (key, value) in GIT_ENV {
        cmd.env(key, value);
    }
    cmd
}

/// Runs git in `dir`, which must succeed; its standard output.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = with_git_env(Command::new("git").arg("-C").arg(dir).args(args))
        .output()
        .expect("git runs (CI installs it)");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `triage sync` in `clone` as `reviewer`.
fn sync(clone: &Path, reviewer: &str) -> Output {
    with_git_env(&mut command_as(clone, reviewer, &["sync"]))
        .output()
        .expect("the binary runs")
}

/// `sync` that must succeed; its one line.
fn synced(clone: &Path, reviewer: &str) -> String {
    let out = sync(clone, reviewer);
    assert!(
        out.status.success(),
        "sync in {} as {reviewer}: {}",
        clone.display(),
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "a sync that works says nothing on stderr");
    stdout(&out)
}

/// A sync that must stop: exit status 1 and one sentence on stderr, returned.
fn refused(clone: &Path, reviewer: &str) -> String {
    let out = sync(clone, reviewer);
    assert_eq!(
        out.status.code(),
        Some(1),
        "sync should stop: {}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "", "a sync that stops prints no report");
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "one sentence: {text:?}");
    assert!(text.starts_with("triage: "), "{text}");
    text
}

fn head(clone: &Path) -> String {
    git(clone, &["rev-parse", "HEAD"]).trim().to_string()
}

fn subject(clone: &Path, rev: &str) -> String {
    git(clone, &["log", "-1", "--format=%s", rev])
        .trim()
        .to_string()
}

/// Files of a commit, one per line, sorted.
fn files_of(clone: &Path, rev: &str) -> Vec<String> {
    let mut files: Vec<String> = git(clone, &["show", "--name-only", "--format=", rev])
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    files.sort();
    files
}

/// `git status`, short; empty when the work tree is clean (the lock file is ignored
/// by the team's .gitignore).
fn status(clone: &Path) -> String {
    git(clone, &["status", "--porcelain", "--untracked-files=all"])
}

/// No rebase, merge or cherry-pick left half done.
fn nothing_under_way(clone: &Path) {
    for name in [
        "rebase-merge",
        "rebase-apply",
        "MERGE_HEAD",
        "CHERRY_PICK_HEAD",
    ] {
        let path = git(clone, &["rev-parse", "--git-path", name]);
        let path = clone.join(path.trim());
        assert!(!path.exists(), "{} is left behind", path.display());
    }
    let long = git(clone, &["status"]);
    assert!(!long.contains("rebase"), "{long}");
}

/// A team: a bare remote holding two articles (and a .gitignore for the lock
/// files), and two clones of it, `a` and `b`.
struct Team {
    dir: tempfile::TempDir,
}

impl Team {
    fn new() -> Team {
        let team = Team::empty();
        let lead = team.clone_as("lead");
        std::fs::write(
            lead.join("one.txt"),
            "Floods in the north\n\nRivers rose across the region overnight.\n",
        )
        .expect("write the team's files");
        std::fs::write(
            lead.join("two.txt"),
            "Elections called early\n\nThe prime minister dissolved parliament.\n",
        )
        .expect("write the team's files");
        std::fs::write(lead.join(".gitignore"), ".triage.lock\n").expect("write the team's files");
        git(&lead, &["add", "."]);
        git(&lead, &["commit", "-q", "-m", "two articles"]);
        git(&lead, &["push", "-q", "origin", "HEAD"]);
        team.clone_as("a");
        team.clone_as("b");
        team
    }

    /// A bare remote with no commit yet.
    fn empty() -> Team {
        let dir = tempfile::tempdir().expect("a temporary folder");
        git(
            dir.path(),
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        Team { dir }
    }

    fn remote(&self) -> PathBuf {
        self.dir.path().join("remote.git")
    }

    fn clone_as(&self, name: &str) -> PathBuf {
        let remote = self.remote();
        git(
            self.dir.path(),
            &[
                "clone",
                "-q",
                remote.to_str().expect("a UTF-8 temporary path"),
                name,
            ],
        );
        self.path(name)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn two_reviewers_sync_in_turn_and_both_clones_hold_both_decisions() {
    let team = Team::new();
    let (a, b) = (team.path("a"), team.path("b"));
    label_as(
        &a,
        "alice",
        "one.txt",
        &[
            "--region",
            "europe",
            "--reliability",
            "reliable",
            "--status",
            "done",
        ],
    );
    label_as(
        &b,
        "bob",
        "one.txt",
        &[
            "--region",
            "asia",
            "--reliability",
            "reliable",
            "--status",
            "done",
        ],
    );

    assert_eq!(
        synced(&a, "alice"),
        "triage: sent 1 decision; nothing received\n"
    );
    assert_eq!(subject(&a, "HEAD"), "triage: alice, 1 decision");
    assert_eq!(files_of(&a, "HEAD"), ["one.txt.alice.toml"]);

    assert_eq!(
        synced(&b, "bob"),
        "triage: sent 1 decision; 1 decision received\n"
    );
    assert_eq!(subject(&b, "HEAD"), "triage: bob, 1 decision");
    // Rebased, not merged: bob's commit sits on alice's.
    assert_eq!(subject(&b, "HEAD~1"), "triage: alice, 1 decision");

    assert_eq!(
        synced(&a, "alice"),
        "triage: nothing to send; 1 decision received\n"
    );
    assert_eq!(head(&a), head(&b));
    for clone in [&a, &b] {
        for reviewer in ["alice", "bob"] {
            let sidecar = clone.join(format!("one.txt.{reviewer}.toml"));
            assert!(sidecar.is_file(), "{} is missing", sidecar.display());
        }
        assert_eq!(status(clone), "", "{} is clean", clone.display());
        nothing_under_way(clone);
    }
    assert_eq!(
        std::fs::read(a.join("one.txt.bob.toml")).unwrap(),
        std::fs::read(b.join("one.txt.bob.toml")).unwrap()
    );

    // Both clones compare the two reviewers alike.
    let agree = |clone: &Path, me: &str| {
        let out = command_as(clone, me, &["agree"]).output().unwrap();
        assert!(out.status.success(), "agree: {}", stderr(&out));
        stdout(&out)
    };
    let (in_a, in_b) = (agree(&a, "alice"), agree(&b, "bob"));
    assert!(in_a.contains("alice · bob"), "{in_a}");
    assert!(in_a.contains("over 2 units from 1 article"), "{in_a}");
    assert_eq!(in_a, in_b);
}

#[test]
fn a_sync_commits_only_my_own_sidecars() {
    let team = Team::new();
    let a = team.path("a");
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    label_as(&a, "alice", "two.txt", &["--status", "flagged"]);
    // Someone else's decision in this clone, a new article, and a changed article:
    // none of them is alice's to send.
    label_as(&a, "carol", "one.txt", &["--region", "asia"]);
    std::fs::write(a.join("three.txt"), "A third story\n\nBody.\n").unwrap();
    let before = head(&a);

    assert_eq!(
        synced(&a, "alice"),
        "triage: sent 2 decisions; nothing received\n"
    );
    assert_eq!(subject(&a, "HEAD"), "triage: alice, 2 decisions");
    assert_eq!(
        files_of(&a, "HEAD"),
        ["one.txt.alice.toml", "two.txt.alice.toml"]
    );
    assert_eq!(git(&a, &["rev-parse", "HEAD~1"]).trim(), before);
    assert_eq!(
        status(&a),
        "?? one.txt.carol.toml\n?? three.txt\n",
        "the others' files are left as they were"
    );
    // The remote has exactly the commit.
    assert_eq!(git(&team.remote(), &["rev-parse", "main"]).trim(), head(&a));
}

#[test]
fn a_second_sync_changes_nothing() {
    let team = Team::new();
    let a = team.path("a");
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    synced(&a, "alice");
    let (mine, theirs) = (head(&a), git(&team.remote(), &["rev-parse", "main"]));
    assert_eq!(
        synced(&a, "alice"),
        "triage: nothing to send; nothing received\n"
    );
    assert_eq!(head(&a), mine, "no new commit");
    assert_eq!(git(&team.remote(), &["rev-parse", "main"]), theirs);
    assert_eq!(status(&a), "");
}

#[test]
fn a_changed_decision_is_sent_again() {
    let team = Team::new();
    let a = team.path("a");
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    synced(&a, "alice");
    label_as(&a, "alice", "one.txt", &["--region", "asia"]);
    assert_eq!(
        synced(&a, "alice"),
        "triage: sent 1 decision; nothing received\n"
    );
    assert_eq!(files_of(&a, "HEAD"), ["one.txt.alice.toml"]);
    assert_eq!(
        git(&team.remote(), &["show", "main:one.txt.alice.toml"]),
        std::fs::read_to_string(a.join("one.txt.alice.toml")).unwrap()
    );
}

#[test]
fn a_conflict_stops_cleanly_and_keeps_the_local_commit() {
    let team = Team::new();
    let (a, b) = (team.path("a"), team.path("b"));
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    synced(&a, "alice");
    synced(&b, "bob");
    // In b, someone edits alice's sidecar by hand and commits it; alice meanwhile
    // changes her decision in a and sends it.
    let theirs = b.join("one.txt.alice.toml");
    let edited = std::fs::read_to_string(&theirs)
        .unwrap()
        .replace("europe", "oceania");
    std::fs::write(&theirs, &edited).unwrap();
    git(&b, &["commit", "-q", "-a", "-m", "fix alice's region"]);
    label_as(&a, "alice", "one.txt", &["--region", "africa"]);
    synced(&a, "alice");
    // bob's own decision goes into a commit before the rebase meets the conflict.
    label_as(&b, "bob", "two.txt", &["--region", "asia"]);
    let remote_before = git(&team.remote(), &["rev-parse", "main"]);

    let said = refused(&b, "bob");
    assert!(said.contains("one.txt.alice.toml"), "{said}");
    assert!(said.contains("conflict"), "{said}");
    assert!(said.contains("committed here"), "{said}");

    nothing_under_way(&b);
    assert_eq!(status(&b), "", "the work tree is clean");
    assert_eq!(subject(&b, "HEAD"), "triage: bob, 1 decision");
    assert_eq!(files_of(&b, "HEAD"), ["two.txt.bob.toml"]);
    assert_eq!(subject(&b, "HEAD~1"), "fix alice's region");
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), edited);
    assert_eq!(
        git(&team.remote(), &["rev-parse", "main"]),
        remote_before,
        "nothing was pushed"
    );
    // Asking again stops the same way, and still changes nothing.
    let head_before = head(&b);
    refused(&b, "bob");
    assert_eq!(head(&b), head_before);
    nothing_under_way(&b);
}

#[test]
fn changes_that_are_not_my_decisions_stop_the_sync_before_anything() {
    let team = Team::new();
    let a = team.path("a");
    std::fs::write(
        a.join("two.txt"),
        "Elections called early\n\nEdited by hand.\n",
    )
    .unwrap();
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    let before = head(&a);
    let said = refused(&a, "alice");
    assert!(said.contains("two.txt"), "{said}");
    assert!(said.contains("not a decision of yours"), "{said}");
    assert_eq!(head(&a), before, "nothing committed");
    assert_eq!(status(&a), " M two.txt\n?? one.txt.alice.toml\n");
}

#[test]
fn offline_the_decisions_are_committed_and_go_with_the_next_sync() {
    let team = Team::new();
    let a = team.path("a");
    let url = team.remote();
    git(
        &a,
        &["remote", "set-url", "origin", "/nonexistent/remote.git"],
    );
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);

    let said = refused(&a, "alice");
    assert!(said.contains("cannot fetch from origin"), "{said}");
    assert!(said.contains("committed here"), "{said}");
    assert_eq!(subject(&a, "HEAD"), "triage: alice, 1 decision");
    assert_eq!(status(&a), "");
    nothing_under_way(&a);

    git(&a, &["remote", "set-url", "origin", url.to_str().unwrap()]);
    assert_eq!(
        synced(&a, "alice"),
        "triage: sent 1 decision; nothing received\n"
    );
    assert_eq!(git(&url, &["rev-parse", "main"]).trim(), head(&a));
}

#[test]
fn without_a_remote_nothing_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    git(&inbox, &["init", "-q", "-b", "main"]);
    std::fs::write(inbox.join("one.txt"), "A story\n\nBody.\n").unwrap();
    std::fs::write(inbox.join(".gitignore"), ".triage.lock\n").unwrap();
    git(&inbox, &["add", "."]);
    git(&inbox, &["commit", "-q", "-m", "articles"]);
    label_as(&inbox, "alice", "one.txt", &["--region", "europe"]);
    let before = head(&inbox);

    let said = refused(&inbox, "alice");
    assert!(said.contains("no remote"), "{said}");
    assert!(said.contains("git remote add"), "{said}");
    assert_eq!(head(&inbox), before);
    assert_eq!(status(&inbox), "?? one.txt.alice.toml\n");
}

#[test]
fn outside_git_sync_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(inbox.join("one.txt"), "A story\n\nBody.\n").unwrap();
    label_as(&inbox, "alice", "one.txt", &["--region", "europe"]);
    let out = with_git_env(
        command_as(&inbox, "alice", &["sync"]).env("GIT_CEILING_DIRECTORIES", dir.path()),
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("is not in a git work tree"), "{said}");
    assert!(!inbox.join(".git").exists());
}

#[test]
fn sync_takes_no_arguments() {
    let team = Team::new();
    let out = with_git_env(&mut command_as(&team.path("a"), "alice", &["sync", "now"]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn the_first_sync_of_an_empty_repository_starts_its_branch() {
    let team = Team::empty();
    let a = team.clone_as("a");
    assert_eq!(
        synced(&a, "alice"),
        "triage: nothing to send; nothing received\n"
    );
    std::fs::write(a.join("one.txt"), "A story\n\nBody.\n").unwrap();
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    assert_eq!(
        synced(&a, "alice"),
        "triage: sent 1 decision; nothing received\n"
    );
    let b = team.clone_as("b");
    assert!(b.join("one.txt.alice.toml").is_file());
}

#[test]
fn an_inbox_in_a_folder_of_the_repository_syncs_its_own_sidecars() {
    let team = Team::empty();
    let lead = team.clone_as("lead");
    std::fs::create_dir_all(lead.join("inbox/world")).unwrap();
    std::fs::write(lead.join("inbox/world/one.txt"), "A story\n\nBody.\n").unwrap();
    git(&lead, &["add", "."]);
    git(&lead, &["commit", "-q", "-m", "articles"]);
    git(&lead, &["push", "-q", "origin", "HEAD"]);
    let a = team.clone_as("a");
    let inbox = a.join("inbox");
    label_as(&inbox, "alice", "world/one.txt", &["--region", "europe"]);
    assert_eq!(
        synced(&inbox, "alice"),
        "triage: sent 1 decision; nothing received\n"
    );
    assert_eq!(files_of(&a, "HEAD"), ["inbox/world/one.txt.alice.toml"]);
}

/// The TUI's sync key: the status line says what happened, the title when, and
/// what arrived shows in the list.
#[test]
fn the_sync_key_syncs_and_what_arrives_shows() {
    let team = Team::new();
    let (a, b) = (team.path("a"), team.path("b"));
    label_as(&a, "alice", "one.txt", &["--region", "europe"]);
    let lead = team.path("lead");
    git(&lead, &["pull", "-q", "--rebase"]);
    std::fs::write(
        lead.join("three.txt"),
        "Harvest breaks records\n\nFarmers brought in the largest crop.\n",
    )
    .unwrap();
    git(&lead, &["add", "three.txt"]);
    git(&lead, &["commit", "-q", "-m", "a third article"]);
    git(&lead, &["push", "-q", "origin", "HEAD"]);

    let tmux = Tmux::new("sync-key");
    let env: String = GIT_ENV.iter().map(|(k, v)| format!("{k}='{v}' ")).collect();
    tmux.start_shell(
        120,
        30,
        &format!(
            "exec env {env}'{}' --inbox '{}' --reviewer alice",
            env!("CARGO_BIN_EXE_triage"),
            a.display()
        ),
    );
    tmux.wait_for_screen("the list", |s| s.contains("Floods in the north"));
    assert!(!tmux.screen().contains("Harvest breaks records"));
    tmux.keys(&["C-g"]);
    let screen = tmux.wait_for_screen("the sync's outcome", |s| s.contains("Synced:"));
    let status = common::status_line(&screen);
    assert!(
        status.contains("Synced: sent 1 decision; 1 other file received."),
        "{status}"
    );
    tmux.wait_for_screen("the new article", |s| s.contains("Harvest breaks records"));
    let screen = tmux.wait_for_screen("when it synced", |s| s.contains("synced just now"));
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or_default()
            .contains("synced just now"),
        "{screen}"
    );
    assert_eq!(subject(&a, "HEAD~1"), "a third article");
    assert_eq!(subject(&a, "HEAD"), "triage: alice, 1 decision");
    assert_eq!(
        git(&team.remote(), &["rev-parse", "main"]),
        git(&a, &["rev-parse", "HEAD"])
    );

    // Stopped by a conflict-free failure: the sentence is on the status line.
    git(
        &a,
        &["remote", "set-url", "origin", "/nonexistent/remote.git"],
    );
    tmux.keys(&["C-g"]);
    let screen = tmux.wait_for_screen("why it stopped", |s| s.contains("Sync stopped:"));
    assert!(
        common::status_line(&screen).contains("cannot fetch from origin"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
    drop(b);
}
