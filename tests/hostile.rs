//! A hostile inbox through every command that prints: a colleague's committed sidecar,
//! an article, its title, authors and file name, each carrying OSC 0 (window title),
//! OSC 52 (clipboard), CSI 2J (clear screen), an 8-bit CSI and OSC, a bidi override, a
//! zero-width space, a tab, a newline and a carriage return in every field. Whatever
//! the command, its stdout and stderr bytes hold no escape, no BEL, no C1 control, no
//! bidi or zero-width character, nothing of the sequences' payloads, and no value adds
//! a column or a row.

mod common;

use std::fs;
use std::io::Read as _;
use std::os::fd::{FromRawFd as _, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Articles in the sample inbox, plus the three planted here.
const ARTICLES: usize = 15 + 3;

/// A value for `field` carrying every kind of hostile text. The payloads all contain
/// `PWN` (the clipboard's is `PWN52` in base64), so that any of them showing is seen.
fn hostile(field: &str) -> String {
    format!(
        "{field}<\x1b]0;PWN-{field}\x07\x1b]52;c;UFdONTI=\x07\x1b[2J\u{9b}31m\u{9d}0;PWN9D-{field}\u{9c}\u{202e}\u{200b}A\tB\nC\r\nD>"
    )
}

/// [`hostile`] without line breaks, for a line inside an article, where a line
/// break would end the line.
fn hostile_line(field: &str) -> String {
    hostile(field).replace(['\n', '\r'], " ")
}

/// The hostile text article's file name.
fn hostile_file() -> String {
    format!("00-{}.txt", hostile("file"))
}

/// A sidecar of `reviewer` with a hostile value in every field; `status` as given.
fn hostile_sidecar(reviewer: &str, status: &str) -> String {
    let mut t = toml::Table::new();
    let s = |v: String| toml::Value::String(v);
    t.insert("schema".into(), toml::Value::Integer(1));
    t.insert("article".into(), s(hostile("article")));
    t.insert(
        "reviewer".into(),
        s(hostile(&format!("reviewer-{reviewer}"))),
    );
    t.insert("article_sha256".into(), s(hostile("sha")));
    t.insert("status".into(), s(status.to_string()));
    t.insert(
        "region".into(),
        toml::Value::Array(vec![
            s(hostile(&format!("region1-{reviewer}"))),
            s(hostile("region2")),
            // A sequence never closed: sanitized after joining, it would swallow the
            // ids after it.
            s("open\x1b]0;PWN-unterminated".to_string()),
            s(format!("after-open-{reviewer}")),
        ]),
    );
    t.insert(
        "theme".into(),
        toml::Value::Array(vec![s(hostile(&format!("theme-{reviewer}")))]),
    );
    t.insert(
        "reliability".into(),
        s(hostile(&format!("reliability-{reviewer}"))),
    );
    t.insert("note".into(), s(hostile("note")));
    t.insert(
        "decided_at".into(),
        toml::Value::Datetime("2026-01-02T03:04:05Z".parse().expect("a datetime")),
    );
    t.insert("seconds".into(), toml::Value::Float(5.0));
    t.insert(hostile("key"), s(hostile("value")));
    toml::to_string(&t).expect("a sidecar renders")
}

/// Plants the hostile articles and sidecars in `inbox`:
/// - a text article with a hostile file name, title, author, source and body, and
///   hostile sidecars of alice (done) and bob (done, other labels);
/// - a Markdown article whose front matter spells the sequences as YAML escapes, with
///   a hostile sidecar of bob;
/// - an HTML page spelling them as character references, whose sidecar of alice has a
///   hostile status (so it cannot be read, and its problem is shown).
fn plant(inbox: &Path) {
    let file = hostile_file();
    fs::write(
        inbox.join(&file),
        format!(
            "{}\nAuthor: Ana Ruiz; {}\nSource: {}\nRegion: {}\nDate: 2024-01-02\n\nThe harbour {} closes.\n\nSecond {} paragraph.\n",
            hostile_line("title"),
            hostile_line("author"),
            hostile_line("source"),
            hostile_line("aregion"),
            hostile("body"),
            hostile("body2"),
        ),
    )
    .expect("write the hostile article");
    fs::write(
        inbox.join(format!("{file}.alice.toml")),
        hostile_sidecar("alice", "done"),
    )
    .expect("write alice's sidecar");
    fs::write(
        inbox.join(format!("{file}.bob.toml")),
        hostile_sidecar("bob", "done"),
    )
    .expect("write bob's sidecar");

    fs::write(
        inbox.join("00-front.md"),
        "---\ntitle: \"Front \\e]0;PWN-ftitle\\a title\\t\\u202e\\x9b31m\"\nauthor: \"Ana Ruiz; \\e]0;PWN-fauthor; x\\aTom Lee\"\nsource: \"\\e]52;c;UFdONTI=\\aWire\"\n---\n\nThe harbour story.\n",
    )
    .expect("write the front matter article");
    fs::write(
        inbox.join("00-front.md.bob.toml"),
        hostile_sidecar("bob", "flagged"),
    )
    .expect("write bob's sidecar");

    fs::write(
        inbox.join("00-page.html"),
        "<title>Page &#27;]0;PWN-htitle&#7; title</title>\
         <meta name=\"author\" content=\"Ana Ruiz, &#27;]0;PWN-hauthor, x&#7;Tom Lee\">\
         <p>The harbour \u{9b}31m page&#x202e; &#27;]52;c;UFdONTI=&#7;here.</p>",
    )
    .expect("write the HTML article");
    let status = format!("\x1b]0;PWN-status\x07done\t\n{}", hostile("status"));
    fs::write(
        inbox.join("00-page.html.alice.toml"),
        hostile_sidecar("alice", &status),
    )
    .expect("write the broken sidecar");
}

/// A private copy of the sample inbox with the hostile files planted.
fn hostile_inbox() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    plant(&inbox);
    (dir, inbox)
}

fn command(inbox: &Path, args: &[&str]) -> Command {
    common::command_as(inbox, "alice", args)
}

fn triage(inbox: &Path, args: &[&str]) -> Output {
    command(inbox, args).output().expect("the binary runs")
}

/// The characters that must never reach a terminal from the inbox: C0 controls but
/// line ends and the tab between columns, DEL, C1, bidi controls, zero-width marks.
fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200b}'..='\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2060}'
                | '\u{feff}'
        )
}

/// Asserts that `bytes` (one stream of one command) are UTF-8 holding no forbidden
/// character and, unless `payload_allowed` (JSON, which keeps the data exact in
/// `\u` escapes), nothing of any sequence's payload.
#[track_caller]
fn assert_clean(what: &str, bytes: &[u8], payload_allowed: bool) {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => panic!(
            "{what}: not UTF-8 ({e}): {:?}",
            String::from_utf8_lossy(bytes)
        ),
    };
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| forbidden(c)) {
        panic!("{what}: {c:?} at byte {at}:\n{text:?}");
    }
    if !payload_allowed {
        for payload in ["PWN", "UFdONTI", "]0;", "]52;", "[2J", "31m"] {
            assert!(
                !text.contains(payload),
                "{what}: a payload ({payload}) shows:\n{text}"
            );
        }
    }
}

/// Asserts that every line of `text` has exactly `tabs` tabs and that there are
/// `rows` lines.
#[track_caller]
fn assert_rows(what: &str, text: &str, rows: usize, tabs: usize) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rows, "{what}: rows\n{text}");
    for line in &lines {
        assert_eq!(
            line.matches('\t').count(),
            tabs,
            "{what}: columns of {line:?}"
        );
    }
}

#[test]
fn list_tsv_prints_every_column_sanitized_one_row_per_article() {
    let (_dir, inbox) = hostile_inbox();
    let out = triage(&inbox, &["list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("list stdout", &out.stdout, false);
    assert_clean("list stderr", &out.stderr, false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_rows("list", &text, ARTICLES, 5);
    // The hostile article's row keeps the visible text of every field.
    let row = text
        .lines()
        .find(|l| l.starts_with("00-file<"))
        .unwrap_or_else(|| panic!("no row for the hostile file:\n{text}"));
    let cols: Vec<&str> = row.split('\t').collect();
    assert_eq!(cols[1], "done");
    assert!(cols[2].starts_with("region1-alice<A"), "{row:?}");
    assert!(cols[2].contains(";region2<A"), "{row:?}");
    assert!(cols[2].ends_with(";open;after-open-alice"), "{row:?}");
    assert!(cols[3].starts_with("theme-alice<A"), "{row:?}");
    assert!(cols[4].starts_with("reliability-alice<A"), "{row:?}");
    assert!(cols[5].starts_with("title<A"), "{row:?}");
}

#[test]
fn list_json_escapes_everything_and_keeps_the_data() {
    let (_dir, inbox) = hostile_inbox();
    let out = triage(&inbox, &["list", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("list json", &out.stdout, true);
    assert_clean("list json stderr", &out.stderr, false);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list prints JSON");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), ARTICLES);
    let mine = rows
        .iter()
        .find(|r| r["file"].as_str().is_some_and(|f| f == hostile_file()))
        .expect("the hostile file, exact");
    assert_eq!(mine["region"][0], hostile("region1-alice"));
    assert_eq!(mine["note"], hostile("note"));
    // Authors are whole names, never a piece of a sequence.
    for r in rows {
        for author in r["authors"].as_array().into_iter().flatten() {
            let author = author.as_str().unwrap_or_default();
            assert!(!author.contains("PWN"), "author {author:?}");
        }
    }
}

#[test]
fn check_prints_problems_with_values_sanitized_one_line_each() {
    let (_dir, inbox) = hostile_inbox();
    let out = triage(&inbox, &["check"]);
    assert_clean("check stdout", &out.stdout, false);
    assert_clean("check stderr", &out.stderr, false);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(
            ["warning: ", "problem: ", "checked "]
                .iter()
                .any(|p| line.starts_with(p)),
            "a line that is not a finding: {line:?}\n{text}"
        );
        assert!(!line.contains('\t'), "{line:?}");
    }
    // The unknown ids, the reviewer mismatch and the unreadable status are all named.
    assert!(text.contains("region id \"region1-alice<"), "{text}");
    assert!(text.contains("00-page.html.alice.toml"), "{text}");
}

#[test]
fn stats_and_agree_print_values_sanitized_as_text_and_escaped_as_json() {
    let (_dir, inbox) = hostile_inbox();
    for command in ["stats", "agree"] {
        let out = triage(&inbox, &[command]);
        assert_clean(&format!("{command} stdout"), &out.stdout, false);
        assert_clean(&format!("{command} stderr"), &out.stderr, false);
        let out = triage(&inbox, &[command, "--format", "json"]);
        assert_clean(&format!("{command} json"), &out.stdout, true);
        assert_clean(&format!("{command} json stderr"), &out.stderr, false);
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{command} prints JSON: {e}"));
    }
    let text = String::from_utf8_lossy(&triage(&inbox, &["agree"]).stdout).into_owned();
    // Each reviewer's ids are shown whole: bob's first id did not swallow the second.
    assert!(text.contains("region1-bob<A"), "{text}");
    assert!(text.contains("region2<A"), "{text}");
    assert!(text.contains("open, after-open-bob"), "{text}");
}

#[test]
fn search_prints_values_sanitized_one_row_per_hit() {
    let (_dir, inbox) = hostile_inbox();
    for query in ["harbour", "title", "Ana", "region:mena"] {
        let json = triage(&inbox, &["search", query, "--format", "json"]);
        assert!(
            json.status.success(),
            "{}",
            String::from_utf8_lossy(&json.stderr)
        );
        assert_clean("search json", &json.stdout, true);
        let hits: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
        let hits = hits.as_array().map_or(0, Vec::len);
        let out = triage(&inbox, &["search", query]);
        assert_clean(&format!("search {query}"), &out.stdout, false);
        assert_clean(&format!("search {query} stderr"), &out.stderr, false);
        assert_rows(
            &format!("search {query}"),
            &String::from_utf8_lossy(&out.stdout),
            hits,
            4,
        );
    }
}

#[test]
fn label_prints_the_sidecar_path_sanitized() {
    let (_dir, inbox) = hostile_inbox();
    let out = triage(&inbox, &["label", &hostile_file(), "--status", "skipped"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("label stdout", &out.stdout, false);
    assert_clean("label stderr", &out.stderr, false);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn error_messages_print_values_sanitized() {
    let (dir, inbox) = hostile_inbox();
    let file = hostile_file();
    let missing = format!("missing-{}.txt", hostile("missing"));
    let bad_status = hostile("badstatus");
    let bad_region = hostile("badregion");
    let bad_labels = inbox.join(format!("{}.toml", hostile("labels")));
    let cases: Vec<Vec<&str>> = vec![
        vec!["label", &missing, "--status", "done"],
        vec!["label", &file, "--status", &bad_status],
        vec!["label", &file, "--region", &bad_region],
        vec!["--labels", bad_labels.to_str().unwrap_or_default(), "list"],
        vec!["search", "is:\x1b]0;PWN-query\x07x"],
    ];
    for args in cases {
        let out = triage(&inbox, &args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert_clean(&format!("{args:?} stdout"), &out.stdout, false);
        assert_clean(&format!("{args:?} stderr"), &out.stderr, false);
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{args:?}: one sentence\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A reviewer name is checked before anything else.
    let out = common::binary_in(dir.path())
        .arg("--inbox")
        .arg(&inbox)
        .args(["--reviewer", &hostile("reviewer"), "list"])
        .env_remove("TRIAGE_REVIEWER")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert_clean("bad reviewer stderr", &out.stderr, false);
}

#[test]
fn sources_import_reports_rows_sanitized() {
    let (dir, inbox) = hostile_inbox();
    let csv = dir.path().join(format!("{}.csv", hostile("csvname")));
    fs::write(
        &csv,
        format!(
            "url,type\n\"{}\",news\nexample.com,\"{}\"\n\"https://{}.org/\",news\nok.example.org,news\n",
            hostile("domain").replace('"', "\"\""),
            hostile("type").replace('"', "\"\""),
            hostile("host").replace('"', "\"\""),
        ),
    )
    .expect("write the CSV");
    let out = triage(
        &inbox,
        &[
            "sources",
            "import",
            csv.to_str().unwrap_or_default(),
            "--map",
            "news=reliable",
        ],
    );
    assert_clean("import stdout", &out.stdout, false);
    assert_clean("import stderr", &out.stderr, false);
    let text = String::from_utf8_lossy(&out.stderr);
    // Each skipped row is one line (the CSV's quoted line breaks do not show).
    let skipped: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("skipped line "))
        .collect();
    assert_eq!(skipped.len(), 3, "{text}");
    assert!(skipped[0].contains("no domain in \"domain<A"), "{text}");
    assert!(skipped[1].contains("type \"type<A"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
    // An unreadable CSV's name is shown sanitized too.
    let out = triage(
        &inbox,
        &[
            "sources",
            "import",
            &format!("{}", csv.with_extension("gone").display()),
            "--map",
            "news=reliable",
        ],
    );
    assert!(!out.status.success());
    assert_clean("import error", &out.stderr, false);
}

#[test]
fn export_jsonl_escapes_everything_one_line_per_row() {
    let (_dir, inbox) = hostile_inbox();
    let out = triage(&inbox, &["export", "--format", "jsonl"]);
    assert_clean("export jsonl", &out.stdout, true);
    assert_clean("export jsonl stderr", &out.stderr, false);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("one object per line ({e}): {line:?}"));
    }
}

/// Runs triage with stdout on a pseudo-terminal, as a user runs it, and returns what
/// it wrote there and on stderr (a pipe, kept apart so warnings are not counted as
/// rows).
fn on_a_terminal(inbox: &Path, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors into the integers given; the other
    // arguments may be null.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // Not inherited by the children other tests start meanwhile, which would keep the
    // terminal open and the read below waiting for them.
    for fd in [master, slave] {
        // SAFETY: fcntl on descriptors this function just opened.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: both descriptors were just opened and are owned by nothing else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = command(inbox, args);
    cmd.stdout(Stdio::from(slave)).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    // The parent's copy of the terminal's end goes with the command, so that reading
    // ends when the child exits.
    drop(cmd);
    let mut master = fs::File::from(master);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break, // EIO once the child's end is closed
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    let mut err = Vec::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_end(&mut err);
    }
    child.wait().expect("the child ends");
    (out, err)
}

#[test]
fn export_csv_on_a_terminal_prints_values_sanitized_one_line_per_row() {
    let (_dir, inbox) = hostile_inbox();
    let piped = triage(&inbox, &["export", "--format", "jsonl"]);
    let rows = String::from_utf8_lossy(&piped.stdout).lines().count();
    let (out, err) = on_a_terminal(&inbox, &["export"]);
    assert_clean("export csv on a terminal", &out, false);
    assert_clean("export csv stderr", &err, false);
    let text = String::from_utf8_lossy(&out);
    // The header, then one line per row; no value opened a quoted line break.
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), rows + 1, "{text}");
}

#[test]
fn list_on_a_terminal_prints_values_sanitized() {
    let (_dir, inbox) = hostile_inbox();
    let (out, err) = on_a_terminal(&inbox, &["list"]);
    assert_clean("list on a terminal", &out, false);
    assert_clean("list stderr", &err, false);
    assert_eq!(String::from_utf8_lossy(&out).lines().count(), ARTICLES);
}

/// The TUI: the list's label column, the reader's authors, labels, note and others
/// never show a payload or a control character.
#[test]
fn tui_list_labels_and_reader_authors_show_no_payload() {
    let mut screen = common::Screen::prepared(240, 50, plant);
    let mut seen = Vec::new();
    // Rows: the hostile text article, then the Markdown page, then the HTML page.
    for keys in [&[][..], &["o"][..], &["j"][..], &["j"][..]] {
        screen.keys(keys);
        let text = screen.text();
        assert_clean("the screen", text.as_bytes(), false);
        seen.push(text);
    }
    let all = seen.join("\n");
    // What should be there is: the label ids (cut to their first word for themes),
    // the authors as whole names, bob's labels once shown.
    assert!(all.contains("region1-alice<A"), "{all}");
    assert!(all.contains("Ana Ruiz"), "{all}");
    assert!(all.contains("Tom Lee"), "{all}");
    assert!(all.contains("region1-bob<A"), "{all}");
    assert!(all.contains("open, after-open-alice"), "{all}");
    assert!(all.contains("open, after-open-bob"), "{all}");
}

/// A private tmux that records what a terminal would do with the bytes it gets: the
/// pane's title (OSC 0/2) and, with `set-clipboard on`, the clipboard (OSC 52) as a
/// paste buffer. `command` starts only once that option is set.
fn watching_tmux(name: &str, dir: &Path, command: &str) -> common::Tmux {
    let tmux = common::Tmux::new(name);
    let go = dir.join("go");
    tmux.start_shell(
        120,
        40,
        &format!(
            "while [ ! -e '{}' ]; do sleep 0.05; done; {command}",
            go.display()
        ),
    );
    let out = tmux.cmd(&["set-option", "-g", "set-clipboard", "on"]);
    assert!(out.status.success(), "tmux set-option");
    fs::write(&go, b"").expect("start the command");
    tmux
}

/// Asserts that nothing set the pane's title or the clipboard.
#[track_caller]
fn assert_terminal_untouched(tmux: &common::Tmux) {
    let title = String::from_utf8_lossy(
        &tmux
            .cmd(&["display-message", "-p", "-t", "main", "#{pane_title}"])
            .stdout,
    )
    .into_owned();
    assert!(!title.contains("PWN"), "the title was set: {title:?}");
    let buffers = String::from_utf8_lossy(&tmux.cmd(&["list-buffers"]).stdout).into_owned();
    assert!(
        buffers.trim().is_empty(),
        "the clipboard was written: {buffers}"
    );
}

#[test]
fn every_command_on_a_real_terminal_sets_no_title_and_no_clipboard() {
    let (dir, inbox) = hostile_inbox();
    let bin = env!("CARGO_BIN_EXE_triage");
    let run = |args: &str| {
        format!(
            "'{bin}' --inbox '{}' --reviewer alice {args}",
            inbox.display()
        )
    };
    let commands = [
        "list",
        "list --format json",
        "check",
        "stats",
        "agree",
        "search harbour",
        "export",
        "export --format jsonl",
        "--labels /nonexistent/labels.toml list",
    ]
    .map(run)
    .join("; ");
    let tmux = watching_tmux(
        "hostile-commands",
        dir.path(),
        &format!("{commands}; echo ALL-DONE; sleep 600"),
    );
    tmux.wait_for_screen("the commands to finish", |s| s.contains("ALL-DONE"));
    assert_terminal_untouched(&tmux);
}

#[test]
fn the_tui_on_a_real_terminal_shows_no_payload_and_sets_no_title_or_clipboard() {
    let (dir, inbox) = hostile_inbox();
    let bin = env!("CARGO_BIN_EXE_triage");
    let tmux = watching_tmux(
        "hostile-tui",
        dir.path(),
        &format!(
            "exec '{bin}' --inbox '{}' --reviewer alice",
            inbox.display()
        ),
    );
    let screen = tmux.wait_for_screen("the hostile article", |s| s.contains("title<A"));
    assert!(!screen.contains("PWN"), "{screen}");
    // Others' labels, then the Markdown and the HTML article.
    for (key, shows) in [("o", "region1-bob<A"), ("j", "Front"), ("j", "Page")] {
        tmux.keys(&[key]);
        let screen = tmux.wait_for_screen(shows, |s| s.contains(shows));
        assert!(!screen.contains("PWN"), "{screen}");
        assert!(!screen.contains("]0;"), "{screen}");
    }
    assert_terminal_untouched(&tmux);
}
