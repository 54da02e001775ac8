//! The one place that touches the terminal: set it up, run the loop that draws it,
//! and put it back on every way out; read its keys and the process's signals on
//! threads of their own; give it up and take it back around a stop (`Ctrl-Z`) and a
//! program run on it (the pager, a text browser).
//!
//! Everything else is the [`crate::runtime`]'s: the key and signal threads hand their
//! events to the session's one channel, the loop blocks on that channel and hands
//! each event to [`Session::handle`], and a frame is drawn only when something
//! changed (ratatui sends only the cells that differ, in one buffered write).
//!
//! The loop never depends on the terminal to wake up. When an SSH link drops, the
//! terminal reads end-of-file or fails forever, and crossterm's reader can spin on it
//! without returning; the hang-up signal, or the loop's own check of the terminal
//! (the one thing it wakes for while idle), still ends the program at once, after
//! saving whatever is unsaved.

use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crossterm::event;
use signal_hook::consts::signal::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGWINCH};

use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::app::Action;
use crate::runtime::{Ending, Event, External, Redraw, Session, unsaved_report};

/// Restores the terminal when dropped, so an early return or an error cannot leave
/// the user's shell in raw mode on the alternate screen. (ratatui's own panic hook
/// covers panics.)
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// If the loop does not end within this long of a terminating signal (stuck on a
/// hung network file system, say), the signal thread ends the process itself. Writes
/// are atomic, so even that loses nothing that was shown as saved.
const SIGNAL_GRACE: Duration = Duration::from_millis(900);

/// How often the loop checks that the terminal is still there: the only reason an
/// idle loop wakes.
const HANG_UP_CHECK: Duration = Duration::from_millis(250);

/// At most this many events are handled between frames, so that a stream of
/// batches from the loader still shows on screen as it arrives.
const EVENTS_PER_FRAME: usize = 8;

/// While a big inbox loads, its batches arrive every few milliseconds; a frame for
/// each cost a warm start on 100,000 articles about a tenth of its time (a frame
/// counts the list's progress over every article). Frames that only show more of the
/// inbox come at most this often; anything else (a key, a message, the end of
/// loading) is drawn at once.
const LOADING_FRAME: Duration = Duration::from_millis(100);

/// Runs the interactive program until the reviewer quits, a signal ends it, or the
/// terminal goes away. The first frame is drawn at once; the inbox fills in behind it
/// while keys already work. Unsaved changes are retried on every way out; those the
/// disk still refuses are listed on stderr once the terminal is restored, and a quit
/// that leaves them ends as [`Ending::QuitUnsaved`] (exit status
/// [`crate::runtime::UNSAVED_EXIT`]).
/// Nothing else is written on the way out.
pub fn run(session: Session) -> io::Result<Ending> {
    let mut session = session;
    session.load_history();
    install_panic_message();
    let mut terminal = ratatui::try_init()?;
    let _restore = Restore;
    spawn_signals(session.sender())?;
    let gate = Arc::new(InputGate::default());
    spawn_input(session.sender(), Arc::clone(&gate));
    let tty = Tty::open();
    // A hook for the test that a panic restores the terminal, only in builds for tests.
    let panic_on_key = cfg!(feature = "testing") && std::env::var_os("TRIAGE_TEST_PANIC").is_some();
    let size = terminal.size()?;
    session.apply(Action::Resize(size.width, size.height));
    let mut dirty = true;
    // Whether what waits to be drawn is only more of the inbox (see LOADING_FRAME),
    // and when the last frame showing articles was drawn: the first is never held.
    let mut only_batches = false;
    let mut drawn: Option<Instant> = None;
    let mut handled = 0;
    let mut checked = Instant::now();
    let ending = loop {
        // A frame once the events already waiting are handled, and now and then
        // while a huge inbox streams in.
        let held = only_batches && drawn.is_some_and(|at| at.elapsed() < LOADING_FRAME);
        if dirty && !held && (handled >= EVENTS_PER_FRAME || !session.waiting()) {
            if session.draw(&mut terminal).is_err() {
                break Ending::TerminalLost;
            }
            dirty = false;
            only_batches = false;
            drawn = session.has_articles().then(Instant::now);
            handled = 0;
        }
        if checked.elapsed() >= HANG_UP_CHECK {
            checked = Instant::now();
            if tty.hung_up() {
                break Ending::TerminalLost;
            }
        }
        // The one wait: for the next event, for the next check of the terminal, or
        // for the frame held back.
        let wait = match drawn {
            Some(at) if dirty => LOADING_FRAME
                .saturating_sub(at.elapsed())
                .min(HANG_UP_CHECK),
            _ => HANG_UP_CHECK,
        };
        let Some(event) = session.next_event(wait) else {
            continue;
        };
        handled += 1;
        let batch = matches!(
            event,
            Event::Loaded(crate::store::Loaded::Batch(_) | crate::store::Loaded::Late(_))
        );
        if panic_on_key && matches!(event, Event::Terminal(event::Event::Key(_))) {
            panic!("TRIAGE_TEST_PANIC asked for a panic");
        }
        match session.handle(event) {
            Redraw::No => {}
            Redraw::Yes => {
                only_batches = batch && (only_batches || !dirty);
                dirty = true;
            }
            Redraw::Everything => {
                // Continued after someone else stopped us: the screen may hold
                // anything now, so draw all of it again.
                let _ = resume(&mut terminal);
                dirty = true;
                only_batches = false;
            }
            Redraw::End(ending) => break ending,
        }
        if session.take_suspend() {
            // A stopped program may never be continued: remember the place now.
            session.remember();
            suspend(&mut terminal)?;
            dirty = true;
            only_batches = false;
        }
        let output = session.take_output();
        if !output.is_empty() {
            let mut out = io::stdout();
            let _ = io::Write::write_all(&mut out, &output);
            let _ = io::Write::flush(&mut out);
        }
        if let Some(external) = session.take_external() {
            let result = run_external(&mut terminal, &gate, &external);
            session.external_finished(&external, result);
            let size = terminal.size()?;
            session.apply(Action::Resize(size.width, size.height));
            dirty = true;
            only_batches = false;
        }
    };
    let unsaved = session.finish();
    session.remember();
    drop(_restore);
    if let Err(e) = session.save_history()
        && (ending != Ending::TerminalLost || !io::stderr().is_terminal())
    {
        let _ = io::Write::write_all(
            &mut io::stderr(),
            format!("triage: {}\n", crate::sanitize::sanitize(&e)).as_bytes(),
        );
    }
    if unsaved.is_empty() {
        return Ok(ending);
    }
    // After a lost terminal, a stderr on that terminal is gone too (or hung: a write
    // could block), so the list goes only to a stderr that is a file or a pipe.
    if ending != Ending::TerminalLost || !io::stderr().is_terminal() {
        let report = unsaved_report(unsaved.len(), &session.state.unsaved_articles());
        let _ = io::Write::write_all(&mut io::stderr(), report.as_bytes());
    }
    Ok(match ending {
        Ending::Quit => Ending::QuitUnsaved,
        other => other,
    })
}

/// Reads terminal events on their own thread. It ends when the terminal fails or
/// the loop is gone; on a dead terminal crossterm may never return, which is why the
/// loop does not wait on this thread alone.
///
/// It blocks in crossterm until the terminal has something, and so never wakes while
/// nothing happens. To take it off the terminal (see [`run_external`]), the loop
/// sets the gate and raises `SIGWINCH`, which crossterm answers with a resize event.
fn spawn_input(tx: Sender<Event>, gate: Arc<InputGate>) {
    std::thread::spawn(move || {
        loop {
            if gate.paused.load(Ordering::SeqCst) {
                gate.parked.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            let event = match event::read() {
                Ok(event) => Event::Terminal(event),
                Err(_) => Event::TerminalLost,
            };
            let lost = matches!(event, Event::TerminalLost);
            if tx.send(event).is_err() || lost {
                return;
            }
        }
    });
}

/// Takes the key-reading thread off the terminal while another program (the pager,
/// a text browser) reads it, so that no keystroke meant for that program is taken.
#[derive(Default)]
struct InputGate {
    /// The loop asks the thread to stop reading.
    paused: AtomicBool,
    /// The thread has stopped reading.
    parked: AtomicBool,
}

/// True while a program run from the program has the terminal: an interrupt typed
/// there (Ctrl-C in the pager) reaches the whole process group and is that
/// program's, not a request to end this one.
static EXTERNAL_RUNNING: AtomicBool = AtomicBool::new(false);

/// Runs a pager or browser on the terminal the way `Ctrl-Z` hands it to the shell:
/// the screen and raw mode are given back, keys are left to it, and when it ends the
/// whole screen is drawn again. Returns its exit status (-1 for a signal).
fn run_external<B: Backend>(
    terminal: &mut Terminal<B>,
    gate: &InputGate,
    external: &External,
) -> io::Result<i32> {
    gate.parked.store(false, Ordering::SeqCst);
    gate.paused.store(true, Ordering::SeqCst);
    let start = Instant::now();
    let mut nudged = None;
    while !gate.parked.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(2) {
        // The key thread waits in crossterm for the terminal; a resize signal is what
        // wakes it without a key (again now and then, should one go unnoticed).
        if nudged.is_none_or(|at: Instant| at.elapsed() >= Duration::from_millis(100)) {
            let _ = signal_hook::low_level::raise(SIGWINCH);
            nudged = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    ratatui::restore();
    EXTERNAL_RUNNING.store(true, Ordering::SeqCst);
    let status = std::process::Command::new(&external.program)
        .args(&external.args)
        .status();
    EXTERNAL_RUNNING.store(false, Ordering::SeqCst);
    let resumed = resume(terminal);
    gate.paused.store(false, Ordering::SeqCst);
    resumed?;
    status.map(|s| s.code().unwrap_or(-1))
}

/// Receives signals on their own thread and hands them to the loop. A terminating
/// one also starts a deadline: if the loop has not ended the process by then, this
/// thread restores the terminal and ends it.
fn spawn_signals(tx: Sender<Event>) -> io::Result<()> {
    let mut signals =
        signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGCONT])?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            if matches!(sig, SIGINT | SIGQUIT) && EXTERNAL_RUNNING.load(Ordering::SeqCst) {
                continue;
            }
            let _ = tx.send(Event::Signal(sig));
            if sig != SIGCONT {
                std::thread::sleep(SIGNAL_GRACE);
                ratatui::restore();
                std::process::exit(128 + sig);
            }
        }
    });
    Ok(())
}

/// Gives the terminal back to the shell and stops, as `Ctrl-Z` does in any program;
/// `fg` continues here and the whole screen is drawn again. The stop is the default
/// action of SIGTSTP, which the system ignores when no shell could ever continue the
/// program (an orphaned process group), so it cannot leave the program stopped for good.
fn suspend<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()> {
    ratatui::restore();
    signal_hook::low_level::raise(SIGTSTP)?;
    resume(terminal)
}

/// Takes the terminal back after a stop and makes the next frame draw every cell.
/// (ratatui's `clear` would ask the terminal for the cursor position, an answer that
/// arrives on the key-reading thread and so never to it; an empty frame resets the
/// drawing just as well.)
fn resume<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()> {
    use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        Clear(ClearType::All),
        crossterm::cursor::Hide
    )?;
    terminal
        .draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))
        .map(|_| ())
        .map_err(|e| io::Error::other(e.to_string()))
}

/// The terminal the program reads, watched for a hang-up between keystrokes.
struct Tty {
    fd: Option<std::os::fd::RawFd>,
    /// Keeps `/dev/tty` open when standard input is not the terminal.
    _file: Option<std::fs::File>,
}

impl Tty {
    fn open() -> Tty {
        use std::os::fd::AsRawFd;
        if io::stdin().is_terminal() {
            return Tty {
                fd: Some(io::stdin().as_raw_fd()),
                _file: None,
            };
        }
        match std::fs::File::open("/dev/tty") {
            Ok(file) => Tty {
                fd: Some(file.as_raw_fd()),
                _file: Some(file),
            },
            Err(_) => Tty {
                fd: None,
                _file: None,
            },
        }
    }

    /// True once the other end of the terminal has gone (the SSH client or terminal
    /// emulator closed it): polling it then reports a hang-up or an error.
    fn hung_up(&self) -> bool {
        let Some(fd) = self.fd else { return false };
        let mut pollfd = libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd, a zero timeout; poll only writes `revents`.
        let ready = unsafe { libc::poll(&mut pollfd, 1, 0) };
        ready > 0 && pollfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
}

/// A panic is a bug: after ratatui's hook has restored the terminal, say so in one
/// readable sentence instead of a backtrace dump, and end the whole program, since a
/// panic on a helper thread would otherwise leave a screen nobody draws.
fn install_panic_message() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unknown problem".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "triage: internal error{at}: {}. Decisions shown as saved are on disk; please report this.",
            crate::sanitize::sanitize(&what)
        );
        std::process::exit(101);
    }));
}
