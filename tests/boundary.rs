//! The inbox is a boundary, and configuration files are bounded: the built binary on
//! a temporary inbox holding what a hostile colleague could commit or plant — links
//! out of the inbox, named pipes, a linked lock file — and configuration files that
//! are pipes, devices or folders.
//!
//! Nothing here measures time: a command that should finish promptly is given a
//! generous wait and killed if it has not ended, and the test asserts that it ended.

mod common;

use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_triage");

/// How long a command may take before it is taken to hang: generous, never a budget.
const LIMIT: Duration = Duration::from_secs(60);

/// What the outside file says: none of it may reach any output.
const SECRET: &str = "SECRETTITLE";
const SECRET_BODY: &str = "SECRETBODYWORD";

/// A temporary folder holding `inbox/`, `outside/` and `config/` (the
/// `XDG_CONFIG_HOME`, so the user's own files never change what a test sees).
struct Place {
    dir: tempfile::TempDir,
}

/// How a command ended.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        for folder in ["inbox", "outside", "config/triage"] {
            fs::create_dir_all(dir.path().join(folder)).expect("create a folder");
        }
        fs::write(
            dir.path().join("inbox/a.txt"),
            "Harbour pilots strike\n\nPilots walked out on Monday.\n",
        )
        .expect("write an article");
        fs::write(
            dir.path().join("outside/secret.txt"),
            format!("{SECRET}\n\nThe body says {SECRET_BODY}.\n"),
        )
        .expect("write the outside file");
        Place { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn inbox(&self) -> PathBuf {
        self.path("inbox")
    }

    /// Runs triage on the inbox as alice; waits at most [`LIMIT`], then kills it and
    /// fails: every command here must end by itself.
    fn run(&self, args: &[&str]) -> Ran {
        let mut command = common::binary_in(self.dir.path());
        command
            .arg("--inbox")
            .arg(self.inbox())
            .args(["--reviewer", "alice"])
            .args(args)
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("HOME", self.dir.path())
            .env_remove("TRIAGE_INBOX")
            .env_remove("TRIAGE_REVIEWER")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // A version that reads /dev/zero runs out of this much address space and
        // aborts, instead of taking the machine's memory with it.
        // SAFETY: setrlimit is async-signal-safe and touches no state of this process.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 4 << 30,
                    rlim_max: 4 << 30,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
        let mut child = command.spawn().expect("the binary runs");
        let _guard = common::KillOnDrop(child.id());
        let mut out = child.stdout.take().expect("piped stdout");
        let mut err = child.stderr.take().expect("piped stderr");
        let reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = out.read_to_end(&mut text);
            text
        });
        let err_reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = err.read_to_end(&mut text);
            text
        });
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for triage") {
                break status;
            }
            if start.elapsed() > LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("triage {args:?} did not finish: it hangs");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Ran {
            code: status.code(),
            stdout: String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned(),
            stderr: String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned(),
        }
    }

    /// `list --format json`, which must succeed.
    fn json_rows(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = extra.to_vec();
        args.extend(["list", "--format", "json"]);
        let ran = self.run(&args);
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        match serde_json::from_str(&ran.stdout) {
            Ok(serde_json::Value::Array(rows)) => rows,
            other => panic!("list --format json: {other:?}"),
        }
    }
}

fn row<'a>(rows: &'a [serde_json::Value], file: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["file"] == file)
        .unwrap_or_else(|| panic!("no row for {file}: {rows:#?}"))
}

fn mkfifo(path: &Path) {
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("no NUL in the path");
    // SAFETY: `c_path` is a valid NUL-terminated string for the call's duration.
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo {}", path.display());
}

// ---------------------------------------------------------------------------------
// Articles

#[test]
fn an_article_linked_out_of_the_inbox_is_listed_with_the_reason_and_never_read() {
    let place = Place::new();
    symlink(
        place.path("outside/secret.txt"),
        place.path("inbox/leak.txt"),
    )
    .expect("symlink");
    for args in [
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["export"],
        vec!["export", "--format", "jsonl"],
        vec!["search", SECRET_BODY],
        vec!["search", "leak"],
        vec!["check"],
    ] {
        let ran = place.run(&args);
        assert!(
            !ran.stdout.contains(SECRET) && !ran.stdout.contains(SECRET_BODY),
            "{args:?} showed the outside file:\n{}",
            ran.stdout
        );
        assert!(!ran.stderr.contains(SECRET), "{args:?}: {}", ran.stderr);
    }
    let rows = place.json_rows(&[]);
    let leak = row(&rows, "leak.txt");
    assert_eq!(leak["title"], "leak.txt", "{leak:#}");
    let error = leak["error"].as_str().unwrap_or_default();
    assert!(error.contains("outside the inbox"), "{leak:#}");
    assert_eq!(row(&rows, "a.txt")["title"], "Harbour pilots strike");
}

#[test]
fn follow_links_reads_an_article_linked_from_outside() {
    let place = Place::new();
    symlink(
        place.path("outside/secret.txt"),
        place.path("inbox/leak.txt"),
    )
    .expect("symlink");
    let rows = place.json_rows(&["--follow-links"]);
    let leak = row(&rows, "leak.txt");
    assert_eq!(leak["title"], SECRET, "{leak:#}");
    assert!(leak["error"].is_null(), "{leak:#}");
}

#[test]
fn an_article_linked_inside_the_inbox_is_read() {
    let place = Place::new();
    fs::create_dir(place.path("inbox/sub")).expect("sub folder");
    symlink("../a.txt", place.path("inbox/sub/again.txt")).expect("relative symlink");
    let rows = place.json_rows(&[]);
    let again = row(&rows, "sub/again.txt");
    assert_eq!(again["title"], "Harbour pilots strike", "{again:#}");
    assert!(again["error"].is_null(), "{again:#}");
    // And it can be labeled: the sidecar goes beside the link.
    let ran = place.run(&["label", "sub/again.txt", "--status", "done"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(place.path("inbox/sub/again.txt.alice.toml").is_file());
}

#[test]
fn a_named_pipe_article_is_listed_with_a_reason_and_never_opened() {
    let place = Place::new();
    mkfifo(&place.path("inbox/pipe.txt"));
    let ran = place.run(&["list"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stdout.contains("pipe.txt\t"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("Harbour pilots strike"),
        "{}",
        ran.stdout
    );
    let rows = place.json_rows(&[]);
    let pipe = row(&rows, "pipe.txt");
    let error = pipe["error"].as_str().unwrap_or_default();
    assert!(error.contains("named pipe"), "{pipe:#}");
    for args in [vec!["export"], vec!["check"], vec!["stats"]] {
        let ran = place.run(&args);
        assert!(!ran.stderr.contains("panicked"), "{args:?}: {}", ran.stderr);
    }
}

/// The TUI's background loader and its live watcher read articles too: a named pipe
/// must not hold the list back, and a link out of the inbox is shown by name only,
/// whether it was there at start or arrives while the program runs.
#[test]
fn the_tui_lists_pipes_and_outside_links_by_name_at_start_and_live() {
    let place = Place::new();
    let inbox = place.inbox();
    mkfifo(&inbox.join("pipe.txt"));
    symlink(place.path("outside/secret.txt"), inbox.join("leak.txt")).expect("symlink");
    let tmux = Tmux::new("boundary");
    tmux.start_shell(
        120,
        40,
        &format!(
            "exec '{BIN}' --inbox '{}' --reviewer alice --watch poll",
            inbox.display()
        ),
    );
    let screen = tmux.wait_for_screen("every article", |s| {
        s.contains("Harbour pilots strike") && s.contains("pipe.txt") && s.contains("leak.txt")
    });
    assert!(!screen.contains(SECRET), "{screen}");

    mkfifo(&inbox.join("live-pipe.txt"));
    symlink(
        place.path("outside/secret.txt"),
        inbox.join("live-leak.txt"),
    )
    .expect("symlink");
    fs::write(
        inbox.join("new.txt"),
        "Ferry timetable changes\n\nThe winter timetable starts.\n",
    )
    .expect("write a new article");
    let screen = tmux.wait_for_screen("the live arrivals", |s| {
        s.contains("live-pipe.txt") && s.contains("live-leak.txt") && s.contains("Ferry timetable")
    });
    assert!(!screen.contains(SECRET), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

// ---------------------------------------------------------------------------------
// Writes

#[test]
fn a_planted_lock_file_link_refuses_labeling_and_creates_nothing_outside() {
    let place = Place::new();
    let target = place.path("outside/pwned");
    symlink(&target, place.path("inbox/.triage.lock")).expect("symlink");
    let ran = place.run(&["label", "a.txt", "--status", "done"]);
    assert_ne!(ran.code, Some(0), "labeling went ahead: {}", ran.stdout);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains(".triage.lock"), "{}", ran.stderr);
    assert!(
        fs::symlink_metadata(&target).is_err(),
        "triage created a file through the planted link"
    );
    assert!(!place.path("inbox/a.txt.alice.toml").exists());
}

#[test]
fn label_refuses_a_file_outside_the_inbox() {
    let place = Place::new();
    let outside = place.path("outside/secret.txt");
    symlink(&outside, place.path("inbox/leak.txt")).expect("symlink");
    fs::create_dir(place.path("inbox/.git")).expect("a dot-folder");
    fs::write(place.path("inbox/.git/x.txt"), "x\n").expect("a file in it");
    let outside_arg = outside.display().to_string();
    for file in [
        outside_arg.as_str(),
        "../outside/secret.txt",
        "leak.txt",
        ".git/x.txt",
    ] {
        let ran = place.run(&["label", file, "--status", "done"]);
        assert_eq!(ran.code, Some(2), "{file}: {}{}", ran.stdout, ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{file}: {}", ran.stderr);
        assert!(ran.stderr.contains("outside the inbox"), "{}", ran.stderr);
    }
    assert_eq!(
        fs::read_dir(place.path("outside"))
            .expect("outside")
            .count(),
        1,
        "nothing written outside the inbox"
    );
    assert!(!place.path("inbox/leak.txt.alice.toml").exists());
    assert_eq!(
        fs::read_dir(place.path("inbox/.git"))
            .expect(".git")
            .count(),
        1,
        "nothing written inside a dot-folder"
    );
}

#[test]
fn a_sidecar_linked_out_of_the_inbox_is_not_read_nor_copied_in() {
    let place = Place::new();
    let outside = place.path("outside/decisions.toml");
    let secret_toml = format!("status = \"done\"\ntoken = \"{SECRET}\"\n");
    fs::write(&outside, &secret_toml).expect("write the outside TOML");
    symlink(&outside, place.path("inbox/a.txt.alice.toml")).expect("symlink");
    let rows = place.json_rows(&[]);
    let a = row(&rows, "a.txt");
    assert_ne!(a["status"], "done", "the outside file was read: {a:#}");
    let ran = place.run(&["label", "a.txt", "--note", "x"]);
    assert_ne!(ran.code, Some(0), "{}", ran.stdout);
    let link = fs::symlink_metadata(place.path("inbox/a.txt.alice.toml")).expect("still there");
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(fs::read_to_string(&outside).expect("outside"), secret_toml);
}

// ---------------------------------------------------------------------------------
// Configuration files

/// Each way a configuration file can be unusable, made at `path`.
#[derive(Debug, Clone, Copy)]
enum Bad {
    Pipe,
    Zero,
    Folder,
}

impl Bad {
    fn make(self, path: &Path) {
        match self {
            Bad::Pipe => mkfifo(path),
            Bad::Zero => symlink("/dev/zero", path).expect("symlink to /dev/zero"),
            Bad::Folder => fs::create_dir(path).expect("create a folder"),
        }
    }
}

/// Runs `args` with `file` made bad in each way: one sentence naming the file on
/// stderr, a non-zero exit, and an end (a hang fails in [`Place::run`]).
fn refused_in_every_way(file: &str, args: &[&str], follow: bool) {
    for bad in [Bad::Pipe, Bad::Zero, Bad::Folder] {
        let place = Place::new();
        let path = place.path(file);
        bad.make(&path);
        let path_text = path.display().to_string();
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "FILE" { path_text.as_str() } else { a })
            .collect();
        let mut all = Vec::new();
        if follow {
            all.push("--follow-links");
        }
        all.extend(args.iter().copied());
        let ran = place.run(&all);
        assert_ne!(ran.code, Some(0), "{file} as {bad:?} was accepted");
        assert_eq!(
            ran.stderr.lines().count(),
            1,
            "{file} as {bad:?}: {}",
            ran.stderr
        );
        assert!(
            ran.stderr.contains(&path_text) || ran.stderr.contains(file),
            "{file} as {bad:?}: the message names another file: {}",
            ran.stderr
        );
        assert!(
            !ran.stderr.contains("panicked"),
            "{file} as {bad:?}: {}",
            ran.stderr
        );
    }
}

#[test]
fn a_labels_option_that_is_a_pipe_a_device_or_a_folder_is_refused() {
    refused_in_every_way("labels-given.toml", &["--labels", "FILE", "list"], false);
}

#[test]
fn a_keymap_option_that_is_a_pipe_a_device_or_a_folder_is_refused() {
    // Without a command: the TUI loads the keymap before anything else.
    refused_in_every_way("keys.toml", &["--keymap", "FILE"], false);
}

#[test]
fn a_user_keymap_that_is_a_pipe_a_device_or_a_folder_stops_start_up() {
    refused_in_every_way("config/triage/keymap.toml", &[], false);
}

#[test]
fn a_config_file_that_is_a_pipe_a_device_or_a_folder_stops_start_up() {
    refused_in_every_way("config/triage/config.toml", &["list"], false);
}

/// The inbox's own files are read when they exist, so one that exists but cannot be
/// used stops start-up instead of being silently skipped. `--follow-links` lets the
/// link to /dev/zero through the boundary, to show that the device is refused too.
#[test]
fn an_inbox_labels_file_that_is_a_pipe_a_device_or_a_folder_stops_start_up() {
    refused_in_every_way("inbox/labels.toml", &["list"], false);
    refused_in_every_way("inbox/labels.toml", &["list"], true);
}

#[test]
fn an_inbox_sources_file_that_is_a_pipe_a_device_or_a_folder_stops_start_up() {
    refused_in_every_way("inbox/sources.toml", &["list"], false);
    refused_in_every_way("inbox/sources.toml", &["list"], true);
}

#[test]
fn a_configuration_file_too_big_is_refused_with_its_size() {
    let place = Place::new();
    let big = place.path("big-labels.toml");
    let mut text = String::from("# ");
    text.push_str(&"x".repeat(2 * 1024 * 1024));
    fs::write(&big, text).expect("write a big file");
    let ran = place.run(&["--labels", &big.display().to_string(), "list"]);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("larger than 1 MiB"), "{}", ran.stderr);
}

/// A keymap given with `--keymap PATH` that takes a reliability key is refused with
/// a message naming that file and the taxonomy file actually in use (`--labels`), not
/// a `labels.toml` that is not there.
#[test]
fn a_key_clash_names_the_files_actually_given() {
    let place = Place::new();
    let labels = place.path("team-labels.toml");
    fs::write(&labels, triage::labels::DEFAULT_LABELS).expect("write the labels");
    let keymap = place.path("my-keys.toml");
    fs::write(
        &keymap,
        "[list]\nbindings = [{ keys = [\"1\"], action = \"next\" }]\n",
    )
    .expect("write the keymap");
    let ran = place.run(&[
        "--labels",
        &labels.display().to_string(),
        "--keymap",
        &keymap.display().to_string(),
    ]);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&keymap.display().to_string()),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains(&format!("in {}", labels.display())),
        "{}",
        ran.stderr
    );
}
