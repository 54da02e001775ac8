//! End to end in tmux, the way a reviewer works through a day: the program opens
//! where the work is, says something for every key, and has the article's URL and
//! file at hand (clipboard, pager, browser).
//!
//! Waiting is done by polling the screen or the disk until a condition holds; nothing
//! here measures time.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{SEED, Tmux};

/// An article with a URL, first in inbox order.
const PORT: &str = "0000_port_strike.txt";
const PORT_TITLE: &str = "Harbour cranes idle as port strike";
const PORT_URL: &str = "https://example.org/news/port-strike?id=7";

/// A private copy of the sample inbox with [`PORT`] added.
fn inbox_with_url(dir: &Path) -> PathBuf {
    let inbox = common::copy_inbox(dir);
    std::fs::write(
        inbox.join(PORT),
        format!(
            "Harbour cranes idle as port strike enters third week\n\nURL: {PORT_URL}\nPublished: 2025-03-01\n\nDock workers at the harbour walked out again on Monday.\n"
        ),
    )
    .expect("write an article");
    inbox
}

/// Starts the built binary on `inbox` as alice, 120×40, with `env` set first.
fn start(tmux: &Tmux, inbox: &Path, env: &str, args: &str) {
    let bin = env!("CARGO_BIN_EXE_triage");
    tmux.start_shell(
        120,
        40,
        &format!(
            "{env} exec '{bin}' --inbox '{}' --reviewer alice {args}",
            inbox.display()
        ),
    );
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    common::files_under(root)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read a file");
            (p, bytes)
        })
        .collect()
}

#[test]
fn a_restart_opens_where_the_reviewer_left_off_and_writes_nothing_in_the_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("resume");
    tmux.start(&inbox);
    tmux.wait_for_screen("the first article", |s| {
        common::reader_title(s).contains("Russia Backs Syria")
    });
    let before = snapshot(&inbox);
    // Browse to the fourth article and leave.
    tmux.keys(&["j", "j", "j"]);
    tmux.wait_for_screen("the fourth article", |s| {
        common::reader_title(s).contains("SHOCKING")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
    assert_eq!(
        snapshot(&inbox),
        before,
        "browsing and leaving wrote nothing in the inbox"
    );

    tmux.start(&inbox);
    tmux.wait_for_screen("the article the reviewer left", |s| {
        common::reader_title(s).contains("SHOCKING")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();

    // Without a remembered place (a fresh state folder), the first article still
    // to do: the seed article is decided from the command line.
    std::fs::remove_dir_all(tmux.state_home()).expect("forget the place");
    common::label_as(&inbox, "alice", SEED, &["--status", "done"]);
    tmux.start(&inbox);
    tmux.wait_for_screen("the first article still to do", |s| {
        common::reader_title(s).contains("Central banks hold rates")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn a_broken_or_unwritable_state_folder_is_never_fatal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("resume-broken");
    // The state folder is a file: nothing can be remembered, and nothing fails.
    std::fs::write(tmux.state_home(), "not a folder").expect("a file in the way");
    tmux.start(&inbox);
    tmux.wait_for_screen("the first article", |s| {
        common::reader_title(s).contains("Russia Backs Syria")
    });
    tmux.keys(&["j", "q"]);
    tmux.wait_for_exit();
    tmux.start(&inbox);
    let screen = tmux.wait_for_screen("the first article again", |s| {
        common::reader_title(s).contains("Russia Backs Syria")
    });
    assert!(
        common::status_line(&screen).contains("? help"),
        "no message about the state folder: {screen}"
    );
}

#[test]
fn every_key_says_something_in_the_vim_keymap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let tmux = Tmux::new("feedback");
    start(&tmux, &inbox, "", "--keymap vim");
    tmux.wait_for_screen("the list", |s| {
        common::reader_title(s).contains("Russia Backs Syria")
    });

    // A pending prefix shows, with what may follow.
    tmux.keys(&["g"]);
    let screen = tmux.wait_for_screen("the pending g", |s| common::status_line(s).contains("g…"));
    assert!(
        common::status_line(&screen).contains("g first article"),
        "{screen}"
    );
    tmux.keys(&["g"]);
    tmux.wait_for_screen("the hints again", |s| {
        common::status_line(s).contains("? help")
    });

    // A key bound to nothing points to help.
    tmux.keys(&["h"]);
    tmux.wait_for_screen("the help hint", |s| {
        common::status_line(s).contains("h does nothing here · ? for help")
    });

    // Enter without labels is done, and says so.
    tmux.keys(&["Enter"]);
    tmux.wait_for_screen("done without labels", |s| {
        common::status_line(s).contains("done without labels · u undoes")
    });
    // Undo says what it took back.
    tmux.keys(&["u"]);
    tmux.wait_for_screen("what undo took back", |s| {
        common::status_line(s).contains("undid: status done")
    });
    tmux.keys(&["r", "e"]);
    tmux.keys(&["u"]);
    tmux.wait_for_screen("what undo took back", |s| {
        common::status_line(s).contains("undid: region europe")
    });
    tmux.keys(&["C-r"]);
    tmux.wait_for_screen("what redo put back", |s| {
        common::status_line(s).contains("redid: region europe")
    });
    // No colleagues: o says so.
    tmux.keys(&["o"]);
    tmux.wait_for_screen("no colleagues", |s| {
        common::status_line(s).contains("No other reviewer has labeled anything")
    });
}

#[test]
fn space_goes_to_the_next_to_do_without_deciding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    common::label_as(
        &inbox,
        "alice",
        "001_central_banks_hold_rates.txt",
        &["--status", "done"],
    );
    let tmux = Tmux::new("next-todo");
    tmux.start(&inbox);
    tmux.wait_for_screen("the first article", |s| {
        common::reader_title(s).contains("Russia Backs Syria")
    });
    tmux.keys(&["Space"]);
    tmux.wait_for_screen("the next to do, past the done one", |s| {
        common::reader_title(s).contains("Lithium")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
    assert!(
        !inbox.join(format!("{SEED}.alice.toml")).exists(),
        "the article passed over was not decided"
    );
}

#[test]
fn y_puts_the_url_on_the_clipboard_with_osc_52() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = inbox_with_url(dir.path());
    let tmux = Tmux::new("osc52");
    tmux.start(&inbox);
    // tmux takes OSC 52 from a program only with set-clipboard on.
    let out = tmux.cmd(&["set-option", "-g", "set-clipboard", "on"]);
    assert!(out.status.success(), "set-clipboard");
    tmux.wait_for_screen("the article with a URL", |s| {
        common::reader_title(s).contains(PORT_TITLE)
    });
    tmux.keys(&["y"]);
    tmux.wait_for_screen("the copy said", |s| {
        common::status_line(s).contains(&format!("Copied (OSC 52): {PORT_URL}"))
    });
    let start = Instant::now();
    loop {
        let buffer = tmux.cmd(&["show-buffer"]);
        if String::from_utf8_lossy(&buffer.stdout) == PORT_URL {
            break;
        }
        assert!(
            start.elapsed() < common::TMUX_LIMIT,
            "the tmux buffer never held the URL: {:?}",
            String::from_utf8_lossy(&buffer.stdout)
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    // An article without a URL says so and copies nothing.
    tmux.keys(&["j", "y"]);
    tmux.wait_for_screen("no URL", |s| {
        common::status_line(s).contains("This article has no URL")
    });
}

/// A shell script at `path` that writes its arguments, one a line, to `record`.
fn recorder(path: &Path, record: &Path, then: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(
        path,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\n{then}\n",
            record.display()
        ),
    )
    .expect("write a script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn v_reads_the_article_in_the_pager_which_gets_the_keys_and_the_screen_comes_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let record = dir.path().join("pager-args");
    let pager = dir.path().join("pager.sh");
    // The pager shows a line, reads a line from the terminal (the reviewer's keys
    // must reach it, not the program underneath), records it, and ends.
    recorder(
        &pager,
        &record,
        &format!(
            "echo PAGER-IS-OPEN; read line; printf 'typed:%s\\n' \"$line\" >> '{}'",
            record.display()
        ),
    );
    let tmux = Tmux::new("pager");
    start(&tmux, &inbox, &format!("PAGER='{}'", pager.display()), "");
    tmux.wait_for_screen("the first article", |s| {
        common::reader_title(s).contains("Russia Backs Syria")
    });
    tmux.keys(&["j", "v"]);
    tmux.wait_for_screen("the pager", |s| s.contains("PAGER-IS-OPEN"));
    // q would quit the program if it read it; the pager gets it.
    tmux.keys(&["q", "j", "Enter"]);
    let text = common::wait_for_file(&record, |t| t.contains("typed:"));
    let expected = inbox.join("001_central_banks_hold_rates.txt");
    assert_eq!(
        text,
        format!("{}\ntyped:qj\n", expected.display()),
        "the pager got the file as one argument and every key"
    );
    let screen = tmux.wait_for_screen("the program drawn again", |s| {
        common::reader_title(s).contains("Central banks hold rates") && s.contains("Inbox")
    });
    assert!(!screen.contains("PAGER-IS-OPEN"), "{screen}");
    // Keys work again.
    tmux.keys(&["j"]);
    tmux.wait_for_screen("the next article", |s| {
        common::reader_title(s).contains("Lithium")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

#[test]
fn capital_o_opens_the_url_in_the_browser_or_says_browser_is_not_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = inbox_with_url(dir.path());
    let record = dir.path().join("browser-args");
    let browser = dir.path().join("browser.sh");
    recorder(&browser, &record, "");
    let tmux = Tmux::new("browser");
    start(
        &tmux,
        &inbox,
        &format!("BROWSER='{}'", browser.display()),
        "",
    );
    tmux.wait_for_screen("the article with a URL", |s| {
        common::reader_title(s).contains(PORT_TITLE)
    });
    tmux.keys(&["O"]);
    let text = common::wait_for_file(&record, |t| t.ends_with('\n'));
    assert_eq!(text, format!("{PORT_URL}\n"));
    tmux.wait_for_screen("the open said", |s| {
        common::status_line(s).contains(&format!("Opened in {}", browser.display()))
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();

    let unset = Tmux::new("no-browser");
    start(&unset, &inbox, "unset BROWSER;", "");
    unset.wait_for_screen("the article with a URL", |s| {
        common::reader_title(s).contains(PORT_TITLE)
    });
    unset.keys(&["O"]);
    unset.wait_for_screen("browser not set", |s| {
        common::status_line(s).contains("BROWSER is not set; y copies the URL")
    });
}

#[test]
fn a_restart_lands_on_the_remembered_article_when_its_batch_arrives() {
    // Big enough that the list loads in several batches behind the first screen.
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("inbox");
    triage::corpus::write(&inbox, 3000, 7).expect("write a corpus");
    let tmux = Tmux::new("resume-big");
    tmux.start(&inbox);
    let screen = tmux.wait_for_screen("the whole inbox", |s| s.contains("0/3000"));
    let first = common::reader_title(&screen);
    // The last article arrives in the last batch.
    tmux.keys(&["G"]);
    let screen = tmux.wait_for_screen("the last article", |s| common::reader_title(s) != first);
    let last = common::reader_title(&screen);
    tmux.keys(&["q"]);
    tmux.wait_for_exit();

    tmux.start(&inbox);
    tmux.wait_for_screen("the article the reviewer left off at", |s| {
        common::reader_title(s) == last
    });
}
