//! `triage`: parse the command line, run the command or the TUI, report errors as one
//! sentence. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use triage::cli::{Cli, Failure, run};
use triage::sanitize::sanitize;

fn main() -> ExitCode {
    match run(Cli::parse()).map_err(anyhow::Error::from) {
        Ok(code) => code,
        Err(err) => {
            // Messages can quote file names and values from the inbox: sanitize them too.
            eprintln!("triage: {}", sanitize(&format!("{err:#}")));
            let code = err.downcast_ref::<Failure>().map_or(1, Failure::exit_code);
            ExitCode::from(code)
        }
    }
}
