//! `triage`: parse the command line, run the command or the TUI, report errors as one
//! sentence. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use triage::cli::{Cli, Failure, argument_error, run};
use triage::sanitize::sanitize;

fn main() -> ExitCode {
    prompt_purge();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version are not errors: clap prints them as usual.
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            let args: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            eprintln!("triage: {}", argument_error(&err, &args));
            return ExitCode::from(2);
        }
    };
    match run(cli).map_err(anyhow::Error::from) {
        Ok(code) => code,
        Err(err) => {
            // Messages can quote file names and values from the inbox: sanitize them too.
            eprintln!("triage: {}", sanitize(&format!("{err:#}")));
            let code = err.downcast_ref::<Failure>().map_or(1, Failure::exit_code);
            ExitCode::from(code)
        }
    }
}

/// mimalloc, not glibc's malloc. The loader's reader threads allocate what other
/// threads keep and free, and glibc's arenas then either fight over one lock (a
/// third of `triage search`'s time at 100,000 articles went to malloc and its futex)
/// or each hold their own free space. Measured in BENCHMARKS.md, "The allocator".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, mimalloc.h): how
/// long freed memory stays with the process before it goes back to the system.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back at once: a start frees much of what it read while it
/// builds what it keeps, and mimalloc's default of 1 s of delay lets a 100,000-article
/// session peak some 20 MiB higher. (Transparent huge pages are off for the same
/// reason, through the `no_thp` feature in Cargo.toml.)
fn prompt_purge() {
    // mimalloc's own variable, when set, still decides (for measuring).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets one of the allocator's options; any value is allowed, and the
    // option is read again at each purge.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}
