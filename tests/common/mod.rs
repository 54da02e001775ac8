//! Shared by the integration tests: a private copy of the sample inbox.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use triage::app::AppState;
use triage::input::Keymap;
use triage::labels::Taxonomy;
use triage::runtime::Session;
use triage::store::Inbox;

/// The sample inbox shipped in the repository.
pub fn sample_inbox() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("inbox")
}

/// Copies the sample inbox (articles and labels.toml, no sidecars) into `dest`, so
/// tests write their sidecars into a throwaway folder and never into the repository.
pub fn copy_inbox(dest: &Path) -> PathBuf {
    let target = dest.join("inbox");
    copy_dir(&sample_inbox(), &target);
    target
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the copy's folder");
    for entry in fs::read_dir(from).expect("read the sample inbox") {
        let entry = entry.expect("read a folder entry");
        let path = entry.path();
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with('.') || (name_str.ends_with(".toml") && name_str != "labels.toml") {
            continue; // sidecars and lock files a developer's own run may have left
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            fs::copy(&path, to.join(&name)).expect("copy an article");
        }
    }
}

/// The seed article's file name.
pub const SEED: &str = "000_466bdefa64880cc0.txt";

/// The program on a fixed-size test terminal over a private copy of the sample inbox.
pub struct Screen {
    pub dir: tempfile::TempDir,
    pub session: Session,
    pub terminal: Terminal<TestBackend>,
}

impl Screen {
    pub fn new(width: u16, height: u16) -> Screen {
        Screen::prepared(width, height, |_| {})
    }

    /// A screen over an inbox copy that `prepare` changed first (other reviewers'
    /// sidecars, say).
    pub fn prepared(width: u16, height: u16, prepare: impl FnOnce(&Path)) -> Screen {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = copy_inbox(dir.path());
        prepare(&inbox);
        let taxonomy = Taxonomy::load(&inbox.join("labels.toml")).expect("labels load");
        let keymap = Keymap::load("default", None, &taxonomy).expect("keymap loads");
        let loaded = Inbox::load(&inbox, "alice").expect("inbox loads");
        let state = AppState::new(
            triage::domain::ReviewerName::parse("alice").expect("a valid name"),
            taxonomy,
            loaded.entries,
        );
        let mut session = Session::new(state, keymap, false);
        session.fix_clock("2026-11-24T20:01:02Z".parse().expect("a datetime"));
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        let mut screen = Screen {
            dir,
            session,
            terminal,
        };
        screen.event(Event::Resize(width, height));
        screen
    }

    pub fn event(&mut self, event: Event) {
        self.session.handle(event);
        self.session.draw(&mut self.terminal).expect("draw");
    }

    /// Types keys the way `tmux send-keys` names them: single characters, `C-s`
    /// for Ctrl-s, `M-b` for Alt-b, or `Enter`, `Esc`, `Tab`, `Down`, `Up`, `Left`,
    /// `Right`, `Home`, `End`, `DC` (Delete), `BSpace`, `Space`.
    pub fn keys(&mut self, keys: &[&str]) -> &mut Self {
        for k in keys {
            if let Some(c) = k.strip_prefix("C-").and_then(|c| c.chars().next()) {
                self.event(Event::Key(KeyEvent::new(
                    KeyCode::Char(c),
                    KeyModifiers::CONTROL,
                )));
                continue;
            }
            if let Some(c) = k.strip_prefix("M-").and_then(|c| c.chars().next()) {
                self.event(Event::Key(KeyEvent::new(
                    KeyCode::Char(c),
                    KeyModifiers::ALT,
                )));
                continue;
            }
            let code = match *k {
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Tab" => KeyCode::Tab,
                "Down" => KeyCode::Down,
                "Up" => KeyCode::Up,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "Home" => KeyCode::Home,
                "End" => KeyCode::End,
                "DC" => KeyCode::Delete,
                "BSpace" => KeyCode::Backspace,
                "Space" => KeyCode::Char(' '),
                other => KeyCode::Char(other.chars().next().expect("a key")),
            };
            let mods = match code {
                KeyCode::Char(c) if c.is_uppercase() => KeyModifiers::SHIFT,
                _ => KeyModifiers::NONE,
            };
            self.event(Event::Key(KeyEvent::new(code, mods)));
        }
        self
    }

    pub fn text(&self) -> String {
        let buffer = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            for x in 0..buffer.area.width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// How long a tmux test waits for something before failing. Generous, so a slow
/// machine is never a failure: tests poll for a condition, they never time anything.
pub const TMUX_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A private tmux server (its own socket, no user config) with one session, `main`,
/// killed when the test ends however it ends.
pub struct Tmux {
    socket: String,
    /// The `XDG_CONFIG_HOME` and `XDG_STATE_HOME` of the programs it starts: empty, so no user keymap or
    /// config file changes what the test sees.
    pub config: tempfile::TempDir,
}

impl Tmux {
    pub fn new(name: &str) -> Tmux {
        Tmux {
            socket: format!("triage-test-{name}-{}", std::process::id()),
            config: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The `XDG_STATE_HOME` of the programs it starts.
    pub fn state_home(&self) -> PathBuf {
        self.config.path().join("state")
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .expect("tmux runs (CI installs it; install tmux to run this test)")
    }

    /// Starts `command` under `sh -c` in a `width`×`height` session, with colour off.
    /// Its `XDG_STATE_HOME` is private to this server too (where a reviewer's place
    /// in an inbox is remembered), so one test's runs never move another's selection.
    pub fn start_shell(&self, width: u16, height: u16, command: &str) {
        let config = format!("XDG_CONFIG_HOME={}", self.config.path().display());
        // The search history and the remembered place go there too, never into the
        // home of whoever runs the tests.
        let state = format!("XDG_STATE_HOME={}", self.state_home().display());
        // And the index of the inbox (a cache) goes there as well.
        let cache = format!(
            "XDG_CACHE_HOME={}",
            self.config.path().join("cache").display()
        );
        let (w, h) = (width.to_string(), height.to_string());
        let out = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &w,
            "-y",
            &h,
            "-e",
            &config,
            "-e",
            &state,
            "-e",
            &cache,
            "-e",
            "NO_COLOR=1",
            "sh",
            "-c",
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the built `triage` on `inbox` as reviewer alice, 120×40.
    pub fn start(&self, inbox: &Path) {
        let bin = env!("CARGO_BIN_EXE_triage");
        self.start_shell(
            120,
            40,
            &format!(
                "exec '{bin}' --inbox '{}' --reviewer alice",
                inbox.display()
            ),
        );
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            let out = self.cmd(&["send-keys", "-t", "main", key]);
            assert!(out.status.success(), "send-keys {key}");
        }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// The screen with its SGR attributes (`capture-pane -e`), to see highlighting.
    pub fn screen_styled(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-e", "-t", "main"]).stdout)
            .into_owned()
    }

    pub fn running(&self) -> bool {
        self.cmd(&["has-session", "-t", "main"]).status.success()
    }

    /// Polls the screen until `ok` holds, and returns it; fails at once if the
    /// program ended. A capture can catch a frame half written, so a match is taken
    /// only when a second capture a moment later matches too, and that later (whole)
    /// screen is returned for the caller's further checks.
    pub fn wait_for_screen(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                std::thread::sleep(std::time::Duration::from_millis(40));
                let settled = self.screen();
                if ok(&settled) {
                    return settled;
                }
            }
            assert!(
                self.running(),
                "the program ended while waiting for {what}:\n{screen}"
            );
            assert!(
                start.elapsed() < TMUX_LIMIT,
                "screen never showed {what}:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }

    pub fn wait_for_exit(&self) {
        let start = std::time::Instant::now();
        while self.running() {
            assert!(
                start.elapsed() < TMUX_LIMIT,
                "triage did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// Every file under `root`, in sorted order (folders walked, not listed).
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read a folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The file name as text ("" when there is none).
pub fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The temporary files of interrupted writes (`.*.tmp`) under `root`.
pub fn temporaries(root: &Path) -> Vec<PathBuf> {
    files_under(root)
        .into_iter()
        .filter(|p| {
            let name = name_of(p);
            name.starts_with('.') && name.ends_with(".tmp")
        })
        .collect()
}

/// Sends `signal` to process `pid` directly (no `kill` program needed); false when
/// there is no such process.
pub fn send_signal(pid: &str, signal: i32) -> bool {
    let Ok(pid) = pid.trim().parse::<i32>() else {
        return false;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe { libc::kill(pid, signal) == 0 }
}

/// The running `triage` on `inbox`: the process whose executable is the built binary
/// and whose command line names the inbox. (A shell, an ssh client or the tmux server
/// that started it carries the same words in its command line, so the executable
/// decides.)
pub fn triage_pid(inbox: &Path) -> Option<u32> {
    let bin = Path::new(env!("CARGO_BIN_EXE_triage"));
    let canonical = fs::canonicalize(bin).ok()?;
    let inbox = inbox.to_string_lossy();
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let exe = fs::read_link(entry.path().join("exe")).unwrap_or_default();
        if exe != canonical && exe != bin {
            continue;
        }
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&*inbox) {
            return Some(pid);
        }
    }
    None
}

/// True while `pid` runs. A zombie counts as gone: it has exited, and its parent may
/// reap it only later.
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state is the first field after the command name, which is in parentheses
    // and may itself contain spaces or parentheses.
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].split_whitespace().next());
    !matches!(state, Some("Z") | Some("X") | None)
}

/// Kills a process with SIGKILL when the test ends, unless it is already gone, so a
/// failed test leaves nothing running (or spinning) behind.
pub struct KillOnDrop(pub u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if alive(self.0) {
            send_signal(&self.0.to_string(), libc::SIGKILL);
        }
    }
}

/// `triage label FILE ARGS…` as `reviewer`, which must succeed.
pub fn label_as(inbox: &Path, reviewer: &str, file: &str, args: &[&str]) {
    let mut label = vec!["label", file];
    label.extend_from_slice(args);
    let out = command_as(inbox, reviewer, &label)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "triage label: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The title of the reading pane in a side-by-side screen: the second pane on the
/// top line, whose corner is heavy when it has focus.
#[allow(dead_code)]
pub fn reader_title(screen: &str) -> String {
    let first = screen.lines().next().unwrap_or_default();
    first
        .rsplit(['┌', '┏'])
        .next()
        .unwrap_or_default()
        .trim_start()
        .trim_end_matches(['─', '━', '┐', '┓', ' '])
        .to_string()
}

/// Waits until the file at `path` exists and its text satisfies `ok`, and returns the
/// text; fails after [`TMUX_LIMIT`].
#[allow(dead_code)]
pub fn wait_for_file(path: &Path, ok: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && ok(&text)
        {
            return text;
        }
        assert!(
            start.elapsed() < TMUX_LIMIT,
            "{} never held what was expected",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
}

/// The bottom line of the screen that holds anything: messages, hints or a prompt.
#[allow(dead_code)]
pub fn status_line(screen: &str) -> String {
    screen
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

/// The built binary with its index (`XDG_CACHE_HOME`) in `private/cache`, where
/// `private` is the test's own temporary folder: never the cache of whoever runs the
/// tests. Every test that runs the binary goes through this, [`command_as`] or
/// [`Tmux::start_shell`] (which set the same), and `.ci/run` fails when a test run
/// leaves anything in the cache of the home it ran under.
#[allow(dead_code)]
pub fn binary_in(private: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_triage"));
    cmd.env("XDG_CACHE_HOME", private.join("cache"));
    cmd
}

/// The built binary on `inbox` as `reviewer`, with the arguments after them, as the
/// command tests run: a config folder of its own beside the inbox (so no user file
/// leaks in), no inbox or reviewer from the environment, and no standard input.
#[allow(dead_code)]
pub fn command_as(inbox: &Path, reviewer: &str, args: &[&str]) -> std::process::Command {
    let config = inbox.parent().unwrap_or(inbox).join("config");
    let mut cmd = binary_in(&config);
    cmd.arg("--inbox")
        .arg(inbox)
        .arg("--reviewer")
        .arg(reviewer)
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env_remove("TRIAGE_INBOX")
        .env_remove("TRIAGE_REVIEWER")
        .stdin(std::process::Stdio::null());
    cmd
}

/// [`command_as`] as alice, run to its end.
#[allow(dead_code)]
pub fn triage(inbox: &Path, args: &[&str]) -> std::process::Output {
    command_as(inbox, "alice", args)
        .output()
        .expect("the binary runs")
}

/// A finished command's standard output, as text.
#[allow(dead_code)]
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A finished command's standard error, as text.
#[allow(dead_code)]
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Sets every file under `dir` an hour into the past, so that the index trusts the
/// rows it writes from now on (a row written within a second or so of its file's
/// last change is read again next time; see tests/index.rs).
pub fn age(dir: &Path) {
    for file in files_under(dir) {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(when))
            .unwrap_or_else(|e| panic!("age {}: {e}", file.display()));
    }
}

/// Replaces the bodies the index file `index` holds for `files` by a few words of
/// their own, so that whatever groups them from the index's bodies finds them copies
/// of nothing: groups found anyway came from the grouping the index kept.
pub fn blank_bodies(index: &Path, files: &[&str]) {
    let conn = rusqlite::Connection::open(index).expect("open with SQLite");
    for file in files {
        let changed = conn
            .execute(
                "UPDATE texts SET body = printf('blank %08d', key), body_ends = X'0E000000'
                 WHERE key = (SELECT key FROM articles WHERE rel = ?1)",
                [file.as_bytes()],
            )
            .expect("blank a body");
        assert_eq!(changed, 1, "{file} has a body in the index");
    }
}
