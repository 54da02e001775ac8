//! End to end over a real SSH connection: a private `sshd` on 127.0.0.1, the `ssh`
//! client inside tmux, `triage` on the far side of the link. The link is then cut the
//! way a dropped connection cuts it (the client dies without a goodbye), and the test
//! checks the promise of the "terminal link" point: the remote program goes away on
//! its own and every decision the screen showed as saved is on disk, intact.
//!
//! It checks behaviour only (the process ended, the files are whole), not how the
//! program notices the hang-up, so it holds whether SIGHUP's default action or an
//! explicit handler ends it. Waiting is polling with generous limits; nothing is timed.

mod common;

use std::fs;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::Tmux;
use triage::store::{Status, read_sidecar};

/// Where Debian and Ubuntu install the server; sshd refuses to run from a relative path.
const SSHD: &str = "/usr/sbin/sshd";

/// How long the remote program may take to go away once its link is cut. The promise
/// is "within a second"; five leave room for a slow machine, so this checks that it
/// exits at all rather than how fast.
const EXIT_LIMIT: Duration = Duration::from_secs(5);

/// How many free ports to try if another process takes ours between finding it and
/// sshd binding it.
const PORT_ATTEMPTS: usize = 5;

/// A private sshd, killed when the test ends however it ends. Its log is kept in a
/// file and printed if the test fails, since most SSH failures only explain themselves
/// on the server side.
struct Sshd {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        // Killing the listener does not end sessions already forked from it; those
        // end with their client (tmux kills it) or were ended by the test itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- sshd log ({}) ---\n{log}", self.log.display());
        }
    }
}

/// Prints the terminal as the reviewer saw it when the test fails.
struct ScreenOnFailure<'a>(&'a Tmux);

impl Drop for ScreenOnFailure<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- tmux screen ---\n{}", self.0.screen());
        }
    }
}

/// True when the ssh tools are installed. On CI they must be (`.ci/run` installs
/// them), so their absence fails there instead of passing silently.
fn ssh_available() -> bool {
    let client = Command::new("ssh")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let installed = Path::new(SSHD).exists() && client;
    assert!(
        installed || std::env::var_os("CI").is_none(),
        "sshd and ssh must be installed on CI (.ci/run installs openssh-server and openssh-client)"
    );
    installed
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn keygen(path: &Path) {
    let path = path.to_str().expect("a UTF-8 temp path");
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "triage-test",
            "-f",
            path,
        ],
    );
}

/// The login to use: the current user, whoever runs the tests. `USER` is unset on
/// some CI machines, so ask the system.
fn current_user() -> String {
    run("id", &["-un"])
}

/// A port nobody listens on right now. Another process may take it before sshd binds
/// it; `start_sshd` retries when that happens.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("the bound address").port()
}

/// Starts sshd with its own host key, authorized key and configuration in `dir`, and
/// returns it once it accepts connections, with the client key to log in with.
fn start_sshd(dir: &Path) -> (Sshd, PathBuf) {
    let host_key = dir.join("host_ed25519");
    let client_key = dir.join("client_ed25519");
    keygen(&host_key);
    keygen(&client_key);
    let authorized = dir.join("authorized_keys");
    fs::copy(client_key.with_extension("pub"), &authorized).expect("write authorized_keys");

    // sshd running as root insists on its privilege separation directory, which a
    // container's /run usually lacks until the init scripts create it.
    if !Path::new("/run/sshd").is_dir() {
        let _ = fs::create_dir_all("/run/sshd");
    }

    for _ in 0..PORT_ATTEMPTS {
        let port = free_port();
        let config = dir.join("sshd_config");
        // Everything sshd needs is here, so the machine's /etc/ssh is never read. It
        // must work as root in a CI container: key login only, no PAM (containers
        // lack what pam_loginuid needs), and no ownership checks on the temp folder.
        let text = format!(
            "ListenAddress 127.0.0.1:{port}\n\
             HostKey {host}\n\
             PidFile {pid}\n\
             AuthorizedKeysFile {auth}\n\
             PermitRootLogin prohibit-password\n\
             PubkeyAuthentication yes\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             UsePAM no\n\
             StrictModes no\n\
             PrintMotd no\n\
             PrintLastLog no\n",
            host = host_key.display(),
            pid = dir.join("sshd.pid").display(),
            auth = authorized.display(),
        );
        fs::write(&config, text).expect("write sshd_config");
        let log = dir.join(format!("sshd-{port}.log"));
        let log_file = fs::File::create(&log).expect("create the sshd log");
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("start sshd");
        let mut sshd = Sshd { child, port, log };
        if wait_until_listening(&mut sshd) {
            return (sshd, client_key);
        }
        // It exited: most likely the port was taken meanwhile. Show why, try another.
        eprintln!(
            "sshd did not start on port {port}:\n{}",
            fs::read_to_string(&sshd.log).unwrap_or_default()
        );
    }
    panic!("sshd did not start on any of {PORT_ATTEMPTS} free ports (see its logs above)");
}

/// Polls until sshd accepts connections on its port (true) or exits (false).
fn wait_until_listening(sshd: &mut Sshd) -> bool {
    let start = Instant::now();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, sshd.port));
    loop {
        if let Ok(Some(_)) = sshd.child.try_wait() {
            return false;
        }
        // Its own log line tells it is our sshd that listens, not a stranger that
        // took the port; the connection tells it accepts.
        let log = fs::read_to_string(&sshd.log).unwrap_or_default();
        if log.contains("Server listening on")
            && let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1))
        {
            // Read its version banner so the probe is a real exchange, then hang up.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut banner = [0u8; 4];
            if stream.read_exact(&mut banner).is_ok() && &banner == b"SSH-" {
                return true;
            }
        }
        assert!(
            start.elapsed() < common::TMUX_LIMIT,
            "sshd never accepted connections on port {}:\n{log}",
            sshd.port
        );
        sleep(Duration::from_millis(50));
    }
}

/// True for `<article>.<reviewer>.toml` beside an existing article: a sidecar, as
/// opposed to the inbox's own configuration files such as labels.toml.
fn is_sidecar(path: &Path) -> bool {
    let Some(decision) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(article) = decision
        .strip_suffix(".toml")
        .and_then(|rest| rest.rsplit_once('.'))
        .map(|(article, _reviewer)| article)
    else {
        return false;
    };
    path.with_file_name(article).is_file()
}

/// Polls `check` until it gives a value, failing after `limit` with `what`.
fn wait_for<T>(what: &str, limit: Duration, check: impl Fn() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < limit, "{what}");
        sleep(Duration::from_millis(50));
    }
}

#[test]
fn dropped_ssh_link_ends_the_remote_session_and_keeps_every_decision() {
    if !ssh_available() {
        eprintln!("skipping: sshd is not installed (install openssh-server and openssh-client)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = common::copy_inbox(dir.path());
    let keys = dir.path().join("ssh");
    fs::create_dir(&keys).expect("create the ssh folder");
    let (sshd, client_key) = start_sshd(&keys);
    let user = current_user();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_triage"));

    let tmux = Tmux::new("ssh");
    let _screen_on_failure = ScreenOnFailure(&tmux);
    // The remote side gets the same empty config folder as local tmux tests, so no
    // config or keymap of whoever runs the tests changes the keys, and the same
    // private cache and state folders: sshd starts the login with the HOME of the
    // user's passwd entry, not the test's, so without them the index and the place
    // remembered would land in the real home of whoever runs the tests. `exec` makes
    // the pane's process the ssh client itself, so the test can kill exactly it.
    let remote = format!(
        "exec env TERM=xterm-256color NO_COLOR=1 XDG_CONFIG_HOME='{config}' \
         XDG_CACHE_HOME='{cache}' XDG_STATE_HOME='{state}' \
         '{bin}' --inbox '{inbox}' --reviewer alice",
        config = tmux.config.path().display(),
        cache = tmux.config.path().join("cache").display(),
        state = tmux.state_home().display(),
        bin = bin.display(),
        inbox = inbox.display(),
    );
    let command = format!(
        "exec ssh -tt -p {port} -i '{key}' -o StrictHostKeyChecking=no \
         -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
         {user}@127.0.0.1 \"{remote}\"",
        port = sshd.port,
        key = client_key.display(),
    );
    tmux.start_shell(120, 40, &command);
    tmux.wait_for_screen("the inbox over ssh", |s| {
        s.contains("Inbox") && s.contains("Russia Backs Syria")
    });

    // Label the selected article through the link: unreliable, then done.
    tmux.keys(&["4", "Enter"]);
    let sidecar = wait_for(
        "the decision made over ssh never reached the disk",
        common::TMUX_LIMIT,
        || {
            let found = common::files_under(&inbox)
                .into_iter()
                .filter(|p| common::name_of(p).ends_with(".alice.toml"))
                .collect::<Vec<_>>();
            found
                .into_iter()
                .find(|p| fs::read_to_string(p).is_ok_and(|t| t.contains("status = \"done\"")))
        },
    );
    let decided = read_sidecar(&sidecar)
        .expect("the sidecar parses")
        .expect("the sidecar exists");
    assert_eq!(decided.decision.reliability.as_deref(), Some("unreliable"));
    assert_eq!(decided.decision.status, Status::Done);

    let remote_pid = wait_for(
        "no triage process runs on the server side of the link",
        common::TMUX_LIMIT,
        || common::triage_pid(&inbox),
    );
    let _remote_guard = common::KillOnDrop(remote_pid);
    assert!(
        common::alive(remote_pid),
        "the remote triage runs before the drop"
    );

    // Cut the link: the client dies at once, as when a laptop lid closes or a network
    // goes away, and the server only sees the connection close.
    let out = tmux.cmd(&["display-message", "-p", "-t", "main", "#{pane_pid}"]);
    let client_pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let client_pid: u32 = client_pid
        .parse()
        .unwrap_or_else(|_| panic!("tmux gave the pane's pid: {client_pid:?}"));
    let client_exe = fs::read_link(format!("/proc/{client_pid}/exe")).expect("the pane's exe");
    assert!(
        client_exe.ends_with("ssh"),
        "the pane runs the ssh client, not {}",
        client_exe.display()
    );
    common::send_signal(&client_pid.to_string(), libc::SIGKILL);

    wait_for(
        "the server-side triage still runs after its ssh link was dropped",
        EXIT_LIMIT,
        || (!common::alive(remote_pid)).then_some(()),
    );

    // Every sidecar is whole, the decision made over the link is among them, and no
    // temporary file of an interrupted write is left behind.
    let sidecars = common::files_under(&inbox);
    let sidecars: Vec<&PathBuf> = sidecars.iter().filter(|p| is_sidecar(p)).collect();
    assert!(sidecars.contains(&&sidecar), "{sidecars:?}");
    for path in &sidecars {
        let parsed = read_sidecar(path)
            .unwrap_or_else(|e| panic!("{} is torn: {e}", path.display()))
            .unwrap_or_else(|| panic!("{} vanished", path.display()));
        if *path == &sidecar {
            assert_eq!(parsed.decision.reliability.as_deref(), Some("unreliable"));
            assert_eq!(parsed.decision.status, Status::Done);
        }
    }
    let temporaries = common::temporaries(&inbox);
    assert!(temporaries.is_empty(), "left behind: {temporaries:?}");
}
