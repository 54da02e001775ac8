//! `triage`: parse the command line, run the command or the TUI, report errors as one
//! sentence. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use triage::cli::{Cli, Failure, argument_error, run};
use triage::sanitize::sanitize;

fn main() -> ExitCode {
    triage::allocator::fewer_glibc_arenas();
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

#[global_allocator]
static ALLOCATOR: triage::allocator::Split = triage::allocator::Split;
