//! `triage`: parse the command line, run the command or the TUI, report errors as one
//! sentence. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use triage::cli::{Cli, Failure, run};

fn main() -> ExitCode {
    match run(Cli::parse()).map_err(anyhow::Error::from) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("triage: {err:#}");
            let code = err.downcast_ref::<Failure>().map_or(1, Failure::exit_code);
            ExitCode::from(code)
        }
    }
}
