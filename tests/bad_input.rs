//! Bad input: an inbox holding every kind of file that really turns up — empty,
//! binary, huge, mis-encoded, hostile — run through the built binary the way a
//! reviewer runs it. None may crash the program, hide the rest of the inbox, or get
//! an escape sequence through to the terminal.
//!
//! Small cases are static files in `tests/fixtures/bad-inbox/`; big, binary and
//! oddly named ones are made at run time in a temporary folder. Waiting is done by
//! polling with a generous limit; nothing here measures time.

mod common;

use common::Tmux;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

const OSC_TITLE: &str = "\x1b]0;pwned\x07";
const OSC_CLIPBOARD: &str = "\x1b]52;c;ZXZpbA==\x07";
const CSI_RED: &str = "\x1b[31m";
const C1_CSI: &str = "\u{9b}2J";
const BIDI: &str = "\u{202e}";

/// A name no real article uses, placed past the 4 MiB reading cap of the big file.
const TAIL_MARKER: &str = "tailmarkerzebra";
const HEAD_MARKER: &str = "headmarkerzebra";

/// The assembled inbox: the temporary folder holds `inbox/` and the config folder.
struct BadInbox {
    dir: tempfile::TempDir,
    inbox: PathBuf,
    /// Every article file, relative to the inbox.
    articles: Vec<OsString>,
    /// False when `chmod 000` does not stop us reading (tests run as root).
    locked_is_readable: bool,
}

fn hostile_file_name() -> String {
    format!("{OSC_TITLE}{CSI_RED}hostile-name{C1_CSI}{BIDI}.txt")
}

fn long_file_name() -> String {
    format!("{}.txt", "l".repeat(246))
}

fn non_utf8_file_name() -> &'static OsStr {
    OsStr::from_bytes(b"bad\xff.txt")
}

impl BadInbox {
    fn new() -> BadInbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let inbox = dir.path().join("inbox");
        fs::create_dir(&inbox).expect("create the inbox");
        let mut articles = Vec::new();

        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-inbox");
        for entry in fs::read_dir(&fixtures).expect("read the fixtures") {
            let entry = entry.expect("a fixture");
            fs::copy(entry.path(), inbox.join(entry.file_name())).expect("copy a fixture");
            articles.push(entry.file_name());
        }

        let mut add = |name: &OsStr, bytes: &[u8]| {
            fs::write(inbox.join(name), bytes).expect("write an article");
            articles.push(name.to_os_string());
        };

        // Binary files with article extensions.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend((0..2048u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
        add(OsStr::new("x.txt"), &png);
        let mut state = 0x1234_5678u32;
        let noise: Vec<u8> = (0..16 * 1024)
            .map(|i| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                if i % 3 == 0 { 0 } else { (state >> 24) as u8 }
            })
            .collect();
        add(OsStr::new("y.md"), &noise);

        // A 20 MB article: a marker at the start and one past the reading cap.
        let paragraph =
            "The committee met again on Tuesday and adjourned without a vote. ".repeat(8);
        let mut big = format!("Twenty megabyte article\n\n{HEAD_MARKER} opens the story.\n\n");
        while big.len() < 20 * 1024 * 1024 {
            big.push_str(&paragraph);
            big.push_str("\n\n");
        }
        big.push_str(TAIL_MARKER);
        big.push('\n');
        add(OsStr::new("big.txt"), big.as_bytes());

        // A 3 MB article that is one single line.
        let mut line = String::from("onelinezebra ");
        while line.len() < 3 * 1024 * 1024 {
            line.push_str("word ");
        }
        add(OsStr::new("one-line.txt"), line.as_bytes());

        // Odd file names.
        add(
            non_utf8_file_name(),
            b"Name that is not UTF-8\n\nThe body is fine.\n",
        );
        add(
            OsStr::new(&long_file_name()),
            b"A very long file name\n\nThe body is fine.\n",
        );

        // Escape sequences in a title, a body and a file name.
        let hostile = format!(
            "Hostile {OSC_TITLE}title{OSC_CLIPBOARD} in {CSI_RED}red{C1_CSI} and {BIDI}reversed\n\n\
             Body {OSC_TITLE}with {CSI_RED}escapes{OSC_CLIPBOARD} and {C1_CSI}{BIDI}hostilebodyzebra.\n"
        );
        add(OsStr::new("hostile.txt"), hostile.as_bytes());
        add(
            OsStr::new(&hostile_file_name()),
            b"Plain title behind a hostile name\n\nThe body is fine.\n",
        );

        // An unreadable file.
        add(
            OsStr::new("locked.txt"),
            b"Locked article\n\nNobody may read this.\n",
        );
        let locked = inbox.join("locked.txt");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod 000");
        let locked_is_readable = fs::read(&locked).is_ok();

        // A folder with a link back to its parent: the scan must end.
        fs::create_dir(inbox.join("sub")).expect("create sub");
        fs::write(
            inbox.join("sub/inner.txt"),
            b"Inner article\n\nIn a subfolder.\n",
        )
        .expect("write inner");
        articles.push(OsString::from("sub/inner.txt"));
        symlink("..", inbox.join("sub/loop")).expect("symlink the parent");

        BadInbox {
            dir,
            inbox,
            articles,
            locked_is_readable,
        }
    }

    /// Runs the binary on this inbox to the end, with a generous limit so a hang is a
    /// failure rather than a stuck test run.
    fn run(&self, args: &[&str]) -> Output {
        let out_dir = tempfile::tempdir_in(self.dir.path()).expect("output dir");
        let stdout = out_dir.path().join("stdout");
        let stderr = out_dir.path().join("stderr");
        let mut child = common::binary_in(self.dir.path())
            .arg("--inbox")
            .arg(&self.inbox)
            .arg("--reviewer")
            .arg("alice")
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path())
            .env_remove("TRIAGE_INBOX")
            .env_remove("TRIAGE_REVIEWER")
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).expect("stdout file"))
            .stderr(fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("the binary runs");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the binary") {
                break status;
            }
            if start.elapsed() > LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("triage {args:?} did not finish on the bad inbox");
            }
            sleep(Duration::from_millis(20));
        };
        let output = Output {
            status,
            stdout: fs::read(&stdout).expect("read stdout"),
            stderr: fs::read(&stderr).expect("read stderr"),
        };
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(!err.contains("panicked"), "triage {args:?} panicked: {err}");
        output
    }

    fn json_rows(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["list", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", lossy(&out.stderr));
        let value: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("list --format json is valid JSON");
        value.as_array().expect("a JSON array").clone()
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn row<'a>(rows: &'a [serde_json::Value], file: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["file"] == file)
        .unwrap_or_else(|| panic!("{file} is not listed: {rows:#?}"))
}

/// The terminal controls an article must never get through: ESC, BEL, the C1
/// controls (U+0080–U+009F) and the bidi override.
fn terminal_control(c: char) -> bool {
    c == '\x1b' || c == '\x07' || ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{202e}'
}

fn assert_no_terminal_controls(what: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(terminal_control),
            "{what}, line {}: a terminal control got through: {line:?}",
            n + 1
        );
        assert!(
            !line.contains("]0;pwned") && !line.contains("]52;"),
            "{what}, line {}: the rest of an OSC sequence got through: {line:?}",
            n + 1
        );
    }
}

#[test]
fn bad_files_are_listed_not_hidden() {
    let bad = BadInbox::new();
    let out = bad.run(&["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", lossy(&out.stderr));
    let text = lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows.len(),
        bad.articles.len(),
        "one row per article:\n{text}"
    );
    assert!(
        rows.iter().all(|r| r.len() == 6),
        "no title adds or removes a column:\n{text}"
    );
    let files: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    for name in &bad.articles {
        if name.as_os_str() == OsStr::new(&hostile_file_name()) {
            continue; // its name is sanitized; found below
        }
        let shown = name.to_string_lossy();
        assert!(
            files.contains(&shown.as_ref()),
            "{shown} is not listed:\n{text}"
        );
    }
    assert!(
        files
            .iter()
            .any(|f| f.contains("hostile-name") && f.ends_with(".txt")),
        "the file with a hostile name is listed:\n{text}"
    );
    assert!(
        !files.iter().any(|f| f.contains("loop")),
        "the link back to the parent is not entered:\n{text}"
    );
}

#[test]
fn list_json_marks_binary_files_with_their_reason() {
    let bad = BadInbox::new();
    let rows = bad.json_rows();
    assert_eq!(rows.len(), bad.articles.len(), "{rows:#?}");

    let png = row(&rows, "x.txt")["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(png.contains("PNG"), "x.txt: {png:?}");
    let noise = row(&rows, "y.md")["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        noise.contains("binary") && noise.contains("NUL"),
        "y.md: {noise:?}"
    );

    let long = long_file_name();
    // The 250-byte name has its own (ignored) test below.
    let mut unreadable = vec!["x.txt", "y.md", long.as_str()];
    if !bad.locked_is_readable {
        unreadable.push("locked.txt");
    }
    for r in &rows {
        let file = r["file"].as_str().unwrap_or_default();
        if !unreadable.contains(&file) {
            assert!(r["error"].is_null(), "{file} is text and readable: {r:#}");
        }
    }
}

#[test]
fn messy_text_gets_the_right_titles() {
    let bad = BadInbox::new();
    let rows = bad.json_rows();
    let title = |file: &str| {
        row(&rows, file)["title"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };

    assert_eq!(title("crlf.txt"), "CRLF line endings title");
    assert_eq!(title("bom.txt"), "Byte order mark title");
    assert_eq!(title("nul.txt"), "Stray NUL title");
    let tabs = title("tabs.txt");
    assert!(
        tabs.starts_with("Tabbed") && tabs.ends_with("tabs"),
        "{tabs:?}"
    );
    let latin = title("latin1.txt");
    assert!(
        latin.starts_with("Caf") && latin.contains(" in Montr") && latin.ends_with("al"),
        "the lossily decoded title still shows: {latin:?}"
    );
    assert!(
        title("one-line.txt").starts_with("onelinezebra word"),
        "the 3 MB single line is read"
    );
    for r in &rows {
        let t = r["title"].as_str().unwrap_or_default();
        assert!(
            !t.contains('\r') && !t.contains('\u{feff}') && !t.contains('\0'),
            "{}: {t:?}",
            r["file"]
        );
        assert!(!t.is_empty(), "{}: every article has a title", r["file"]);
    }
}

#[test]
fn check_reports_each_problem_with_its_file() {
    let bad = BadInbox::new();
    let out = bad.run(&["check"]);
    let text = lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", lossy(&out.stderr));

    let lines_about =
        |prefix: &str| -> Vec<&str> { text.lines().filter(|l| l.starts_with(prefix)).collect() };
    let png = lines_about("problem: x.txt:");
    assert_eq!(png.len(), 1, "{text}");
    assert!(png[0].contains("PNG"), "{text}");
    let noise = lines_about("problem: y.md:");
    assert_eq!(noise.len(), 1, "{text}");
    assert!(noise[0].contains("binary"), "{text}");
    let locked = lines_about("problem: locked.txt:");
    assert_eq!(locked.len(), usize::from(!bad.locked_is_readable), "{text}");

    let latin = lines_about("warning: latin1.txt:");
    assert_eq!(latin.len(), 1, "{text}");
    assert!(latin[0].contains("UTF-8"), "{text}");
    let big = lines_about("warning: big.txt:");
    assert!(big.iter().any(|l| l.contains("MiB")), "{text}");
    assert!(
        !lines_about("warning: empty.txt:").is_empty(),
        "an empty file is worth a warning: {text}"
    );

    // The 250-byte name has its own (ignored) test below.
    let problems = text
        .lines()
        .filter(|l| l.starts_with("problem:") && !l.contains(&long_file_name()))
        .count();
    assert_eq!(problems, 2 + usize::from(!bad.locked_is_readable), "{text}");
    let summary = text.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with(&format!("checked {} articles", bad.articles.len())),
        "{text}"
    );
}

#[test]
fn hostile_titles_never_reach_list_or_check_output() {
    let bad = BadInbox::new();
    let list = bad.run(&["list"]);
    let list_text = lossy(&list.stdout);
    assert!(list_text.contains("Hostile"), "{list_text}");
    assert!(list_text.contains("hostile-name"), "{list_text}");
    assert_no_terminal_controls("triage list", &list_text);

    let check = bad.run(&["check"]);
    assert_no_terminal_controls("triage check", &lossy(&check.stdout));
}

/// JSON is read by programs but is also printed to terminals; serde_json escapes
/// only U+0000–U+001F, so C1 controls and bidi overrides need escaping by us.
#[test]

fn list_json_escapes_terminal_controls() {
    let bad = BadInbox::new();
    let out = bad.run(&["list", "--format", "json"]);
    let raw = out.stdout;
    for (name, bytes) in [
        ("ESC", &b"\x1b"[..]),
        ("BEL", b"\x07"),
        ("C1 CSI (U+009B)", b"\xc2\x9b"),
        ("bidi override (U+202E)", b"\xe2\x80\xae"),
    ] {
        assert!(
            !raw.windows(bytes.len()).any(|w| w == bytes),
            "{name} is written raw to stdout by list --format json"
        );
    }
}

/// A 250-byte article name is legal, but its sidecar name (`NAME.alice.toml`) is
/// longer than the 255 bytes a file name may have: the article is listed without an
/// error, and labeling it is refused with one sentence, writing nothing.
#[test]
fn a_250_byte_file_name_is_listed_and_a_label_is_refused_clearly() {
    let bad = BadInbox::new();
    let long = long_file_name();
    let rows = bad.json_rows();
    let r = row(&rows, &long);
    assert!(r["error"].is_null(), "{r:#}");
    let check = lossy(&bad.run(&["check"]).stdout);
    assert!(!check.contains(&long), "{check}");
    let out = bad.run(&["label", &long, "--status", "done"]);
    assert_eq!(out.status.code(), Some(1), "{}", lossy(&out.stderr));
    let err = lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("File name too long"), "{err}");
}

#[test]
fn large_articles_are_read_only_up_to_the_cap() {
    let bad = BadInbox::new();
    let head = bad.run(&["search", HEAD_MARKER]);
    assert!(
        lossy(&head.stdout)
            .lines()
            .any(|l| l.starts_with("big.txt\t")),
        "the start of the big article is read: {}",
        lossy(&head.stdout)
    );
    let tail = bad.run(&["search", TAIL_MARKER]);
    assert!(
        !lossy(&tail.stdout).contains("big.txt"),
        "the big article is not read past the cap: {}",
        lossy(&tail.stdout)
    );
}

#[test]
fn broken_front_matter_keeps_the_body() {
    let bad = BadInbox::new();
    let cases = [
        ("unclosed-front-matter.md", "unclosedbodyword"),
        ("yaml-error.md", "yamlbodyword"),
        ("nested-lists.md", "nestedlistbodyword"),
        ("nested-maps.md", "nestedmapbodyword"),
    ];
    // One search per body, run side by side: each run reads the whole inbox.
    std::thread::scope(|scope| {
        let runs: Vec<_> = cases
            .iter()
            .map(|(file, word)| (file, word, scope.spawn(|| bad.run(&["search", word]))))
            .collect();
        for (file, word, run) in runs {
            let out = run.join().expect("the search thread");
            let text = lossy(&out.stdout);
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{file}\t"))),
                "{file}: its body is read ({word}): {text}{}",
                lossy(&out.stderr)
            );
        }
    });
}

/// Starts the program with its output copied to `capture`, waits for the whole
/// inbox, then selects every row in turn with `j` (waiting until the reading
/// pane's title shows that row's article), returns to the top with `g` and quits
/// with `q`. `titles` are the rows' titles as `triage list` prints them.
fn walk_every_row(tmux: &Tmux, bad: &BadInbox, titles: &[String], capture: &Path) {
    let bin = env!("CARGO_BIN_EXE_triage");
    // Wait for an Enter first, so that the output is captured from the very first byte.
    tmux.start_shell(
        120,
        40,
        &format!(
            "read _ ; exec '{bin}' --inbox '{}' --reviewer alice",
            bad.inbox.display()
        ),
    );
    let pipe = format!("cat >> '{}'", capture.display());
    let out = tmux.cmd(&["pipe-pane", "-o", "-t", "main", &pipe]);
    assert!(out.status.success(), "pipe-pane: {}", lossy(&out.stderr));
    tmux.keys(&["Enter"]);

    let total = titles.len();
    // The reading pane's border, on the top line, carries the selected title.
    let shows = |s: &str, title: &str| {
        let head: String = title.chars().take(12).collect();
        s.lines()
            .next()
            .is_some_and(|top| top.contains(head.trim()))
    };
    tmux.wait_for_screen("the whole inbox", |s| {
        s.contains("Inbox")
            && s.contains(&format!("/{total}"))
            && !s.contains("loading")
            && shows(s, &titles[0])
    });
    for (row, title) in titles.iter().enumerate().skip(1) {
        tmux.keys(&["j"]);
        tmux.wait_for_screen(&format!("row {} ({title:.40})", row + 1), |s| {
            shows(s, title)
        });
    }
    tmux.keys(&["g"]);
    tmux.wait_for_screen("the first row again", |s| shows(s, &titles[0]));
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

/// The TUI starts on the bad inbox, draws every article in turn without crashing,
/// and none of the injected escape sequences is among the bytes it writes to the
/// terminal (copied with tmux `pipe-pane`, not read back from tmux's screen buffer).
#[test]
fn tui_walks_every_row_and_no_hostile_sequence_reaches_the_terminal() {
    let bad = BadInbox::new();
    let list = bad.run(&["list"]);
    let titles: Vec<String> = lossy(&list.stdout)
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(titles.len(), bad.articles.len());
    let capture = bad.dir.path().join("pane.out");
    let tmux = Tmux::new("walk");
    walk_every_row(&tmux, &bad, &titles, &capture);

    // The pane's copy is complete once the program has left the alternate screen.
    let start = Instant::now();
    let bytes = loop {
        let bytes = fs::read(&capture).unwrap_or_default();
        if bytes.windows(8).any(|w| w == b"\x1b[?1049l") {
            break bytes;
        }
        assert!(
            start.elapsed() < LIMIT,
            "the program never left the alternate screen ({} bytes captured)",
            bytes.len()
        );
        sleep(Duration::from_millis(30));
    };
    let text = lossy(&bytes);
    assert!(
        text.contains("Hostile"),
        "the hostile article was drawn at all"
    );
    for (name, needle) in [
        ("OSC 0 title change", &b"]0;pwned"[..]),
        ("OSC 52 clipboard write", b"]52;"),
        ("the article's CSI colour", CSI_RED.as_bytes()),
        ("C1 CSI (U+009B)", b"\xc2\x9b"),
        ("bidi override (U+202E)", b"\xe2\x80\xae"),
        ("BEL", b"\x07"),
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{name} reached the terminal"
        );
    }
}
