//! Writes a deterministic corpus of made-up articles, for benchmarks and big-inbox tests.
//!
//! ```text
//! cargo run --release --example gen_corpus -- DIR N [--seed S]
//! ```
//!
//! The same N and seed always write the same files, so a benchmark's inbox can be
//! rebuilt anywhere instead of being shipped.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen_corpus DIR N [--seed S]";

/// The seed used when none is given, so that "the 100k corpus" means one thing.
const DEFAULT_SEED: u64 = 1;

struct Args {
    dir: PathBuf,
    n: usize,
    seed: u64,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut seed = DEFAULT_SEED;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            "--seed" => {
                let value = args.next().ok_or("--seed needs a number")?;
                seed = value
                    .parse()
                    .map_err(|_| format!("--seed {value:?} is not a whole number"))?;
            }
            _ if arg.starts_with("--seed=") => {
                let value = &arg["--seed=".len()..];
                seed = value
                    .parse()
                    .map_err(|_| format!("--seed {value:?} is not a whole number"))?;
            }
            _ if arg.starts_with('-') && arg.len() > 1 => {
                return Err(format!("unknown option {arg:?}\n{USAGE}"));
            }
            _ => positional.push(arg),
        }
    }
    let [dir, n] = <[String; 2]>::try_from(positional).map_err(|_| USAGE.to_string())?;
    let n = n
        .replace('_', "")
        .parse()
        .map_err(|_| format!("N {n:?} is not a number of articles\n{USAGE}"))?;
    Ok(Args {
        dir: PathBuf::from(dir),
        n,
        seed,
    })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match triage::corpus::write(&args.dir, args.n, args.seed) {
        Ok((files, bytes)) => {
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "wrote {files} files, {bytes} bytes ({:.1} MB) to {} (seed {}) in {seconds:.1} s",
                bytes as f64 / 1e6,
                args.dir.display(),
                args.seed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write the corpus into {}: {e}", args.dir.display());
            ExitCode::FAILURE
        }
    }
}
