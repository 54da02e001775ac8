//! The command line: options, where settings come from, and the non-interactive
//! commands. Every command goes through the same code as the TUI — the same inbox
//! loading, the same write (`runtime::Writes`) — so `triage label` writes byte for
//! byte the sidecar a keystroke would.

use std::io::{self, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory as _, Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Order};
use crate::article::{Format, Suggestions};
use crate::domain::{Decision, Edit, LabelId, ReviewerName, Status};
use crate::input::{Keymap, user_keymap_path};
use crate::labels::guidelines::{self, Guidelines};
use crate::labels::sources::{self, Sources};
use crate::labels::{Axis, Taxonomy};
use crate::sanitize::{quote, sanitize};
use crate::search::saved::SavedQueries;
use crate::store::boundary::inbox_file;
use crate::store::{Entry, Inbox, SidecarState};
use crate::team::suggest::Suggester;
use crate::words::count;

mod assign;
mod bulk;
pub mod groups;

/// Classify news articles from the terminal, one keystroke per label.
#[derive(Debug, Parser)]
#[command(name = "triage", version, about, max_term_width = 100)]
pub struct Cli {
    /// The inbox folder [default: ./inbox]
    #[arg(long, global = true, env = "TRIAGE_INBOX", value_name = "DIR")]
    pub inbox: Option<PathBuf>,
    /// Your reviewer name: letters, digits, '.', '_' and '-' [default: config file, then login name]
    #[arg(long, global = true, env = "TRIAGE_REVIEWER", value_name = "NAME")]
    pub reviewer: Option<String>,
    /// A built-in keymap (default, vim) or a keymap file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// The taxonomy [default: the inbox's labels.toml, else the built-in one]
    #[arg(long, global = true, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Read articles and sidecars through symbolic links that lead outside the inbox
    /// (for an inbox assembled from links); without it they are listed, not read
    #[arg(long, global = true)]
    pub follow_links: bool,
    /// How to notice changes to the inbox while the TUI runs: auto (native, but
    /// polling on network file systems), native, poll, or off
    #[arg(long, env = "TRIAGE_WATCH", value_enum, default_value_t = WatchChoice::Auto)]
    pub watch: WatchChoice,
    /// Open the review of disagreements and settle them. The settled labels are saved
    /// under the adjudicator's name (--final-name), never in your own sidecars
    #[arg(long)]
    pub review: bool,
    /// The adjudicator's name, which the review (--review, or R) saves settled labels
    /// under and `agree` leaves out; it must not be a reviewer whose decisions are
    /// compared [default: final]
    #[arg(long, global = true, value_name = "NAME")]
    pub final_name: Option<String>,
    /// The list's order: the inbox's, the articles to do the learned model is least
    /// sure about first (uncertain), or surest about first (confident); `s` cycles it
    #[arg(long, global = true, value_enum, default_value_t = Order::Inbox)]
    pub order: Order,
    /// Sync with the team (as `triage sync`) at start and every MINUTES while the
    /// TUI runs; the sync key does it at any time
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub sync_every: Option<u64>,
    /// Read every article from its file and keep bodies in memory, neither using nor
    /// writing the index (kept under $XDG_CACHE_HOME/triage; see `triage index`)
    #[arg(long, global = true, env = "TRIAGE_NO_INDEX")]
    pub no_index: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One sentence for command-line arguments clap refused, ending with the `--help`
/// of the command they were for. clap's own report spans several lines (the error,
/// tips, the usage, the hint); every other error of triage is one line. `args` are
/// the arguments as given, program name first, to name the subcommand when clap's
/// error does not.
pub fn argument_error(err: &clap::Error, args: &[String]) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let one = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(" "),
        _ => String::new(),
    };
    let many = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    };
    let quoted = |items: Vec<String>| -> Vec<String> {
        items.into_iter().map(|s| format!("'{s}'")).collect()
    };
    // `--format <FORMAT>` → `--format`: the placeholder is for the help page.
    let arg = || {
        let a = one(ContextKind::InvalidArg);
        match a.split_once(' ') {
            Some((name, _)) if name.starts_with('-') => name.to_string(),
            _ => a,
        }
    };
    let did_you_mean = |kind| {
        let similar = quoted(many(kind));
        if similar.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", or_list(&similar))
        }
    };
    let command = err
        .get(ContextKind::Usage)
        .and_then(|usage| command_of_usage(&usage.to_string()))
        .unwrap_or_else(|| command_of_args(args));
    // What needs something: `label`, `sources import` (the program's name is said
    // already, at the start of every error).
    let subject = command
        .strip_prefix("triage ")
        .unwrap_or(&command)
        .to_string();
    let sentence = match err.kind() {
        ErrorKind::UnknownArgument => format!(
            "unexpected argument '{}'{}",
            one(ContextKind::InvalidArg),
            did_you_mean(ContextKind::SuggestedArg)
        ),
        ErrorKind::InvalidSubcommand => format!(
            "unknown command '{}'{}",
            one(ContextKind::InvalidSubcommand),
            did_you_mean(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => {
            let needed: Vec<String> = many(ContextKind::InvalidArg)
                .iter()
                .map(|a| readable_arg(a))
                .collect();
            format!("{subject} needs {}", and_list(&needed))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let commands: Vec<String> = Cli::command()
                .find_subcommand(command.split(' ').nth(1).unwrap_or_default())
                .map(|c| {
                    c.get_subcommands()
                        .map(|s| s.get_name().to_string())
                        .collect()
                })
                .unwrap_or_default();
            if commands.is_empty() {
                format!("{subject} needs a command")
            } else {
                format!("{subject} needs a command: {}", or_list(&commands))
            }
        }
        ErrorKind::InvalidValue => {
            let value = one(ContextKind::InvalidValue);
            let valid = many(ContextKind::ValidValue);
            match (value.is_empty(), valid.is_empty()) {
                (true, true) => format!("{} needs a value", arg()),
                (true, false) => format!("{} needs a value: {}", arg(), or_list(&valid)),
                (false, true) => format!("invalid value '{value}' for {}", arg()),
                (false, false) => format!("{} takes {}, not '{value}'", arg(), or_list(&valid)),
            }
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(err)
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            format!(
                "invalid value '{}' for {}{why}",
                one(ContextKind::InvalidValue),
                arg()
            )
        }
        ErrorKind::ArgumentConflict => match one(ContextKind::PriorArg) {
            prior if prior.is_empty() || prior == one(ContextKind::InvalidArg) => {
                format!("{} can be given only once", arg())
            }
            prior => format!(
                "{} cannot be used with {}",
                readable_arg(&one(ContextKind::InvalidArg)),
                readable_arg(&prior)
            ),
        },
        // Anything else: clap's own first line, which is a sentence.
        _ => err
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
    };
    sanitize(&format!("{sentence}; see '{command} --help'")).into_owned()
}

/// An argument as a sentence names it: `--format <FORMAT>` → `--format` (the
/// placeholder is for the help page), `[FILE]` and `[FILES]...` → `<FILE>` and
/// `<FILES>`, and a group clap writes
/// `<FILE|--query <QUERY>>` → `<FILE> or --query`.
fn readable_arg(arg: &str) -> String {
    let one = |a: &str| match a.split_once(' ') {
        Some((name, _)) if name.starts_with('-') => name.to_string(),
        _ => match a
            .trim_end_matches("...")
            .strip_prefix('[')
            .and_then(|a| a.strip_suffix(']'))
        {
            Some(inner) => format!("<{inner}>"),
            None => a.to_string(),
        },
    };
    match arg
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .filter(|inner| inner.contains('|'))
    {
        Some(inner) => or_list(
            &inner
                .split('|')
                .map(|a| {
                    if a.starts_with('-') {
                        one(a)
                    } else {
                        format!("<{a}>")
                    }
                })
                .collect::<Vec<_>>(),
        ),
        None => one(arg),
    }
}

/// `triage label` from clap's `Usage: triage label [OPTIONS] <FILE>`.
fn command_of_usage(usage: &str) -> Option<String> {
    let words: Vec<&str> = usage
        .lines()
        .next()?
        .strip_prefix("Usage: ")?
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The command that `args` name: `triage`, then each subcommand as given.
fn command_of_args(args: &[String]) -> String {
    let mut command = Cli::command();
    let mut path = vec!["triage".to_string()];
    for arg in args.iter().skip(1) {
        match command.find_subcommand(arg) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                command = sub.clone();
            }
            None => continue,
        }
    }
    path.join(" ")
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    joined(items, "or")
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    joined(items, "and")
}

fn joined(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// `--watch`: see [`crate::store::watch::Prefer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WatchChoice {
    Auto,
    Native,
    Poll,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every article: file, status, region, theme, reliability, title
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Tsv)]
        format: ListFormat,
    },
    /// Label one article without the TUI, or every article a search matches
    /// (--query): add, remove or clear labels, set the status or the note (the same
    /// sidecar the TUI writes)
    #[command(group(clap::ArgGroup::new("target").required(true).args(["file", "query"])))]
    Label {
        /// The article, as a path or relative to the inbox
        file: Option<PathBuf>,
        /// Label every article this search matches instead of one FILE: the language
        /// of `triage search` (terms, 'exact ^prefix suffix$ !not, is: region: theme:
        /// rel: sug: src: by: changed:). A query that matches nothing is refused, and
        /// so is one that matches every article unless --all is given
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        /// With --query: print the articles that would change (as `triage search`
        /// prints them) and write nothing
        #[arg(long)]
        dry_run: bool,
        /// With --query: label every article even when the query matches them all
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        changes: LabelChanges,
    },
    /// The TUI's search, ranked: best match first
    Search {
        /// The query: terms that must all match, 'exact ^prefix suffix$ !not, and
        /// filters is: region: theme: rel: sug: src: by: changed:
        query: String,
        /// At most this many results
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t = ListFormat::Tsv)]
        format: ListFormat,
    },
    /// Stories with more than one copy (reprints), each copy's file, format, date,
    /// source, publisher and title, in inbox order
    Groups {
        #[arg(long, value_enum, default_value_t = ListFormat::Tsv)]
        format: ListFormat,
    },
    /// Validate labels.toml, the keymaps and every sidecar; exit 1 if anything is wrong
    Check,
    /// Every decision: one row per article and reviewer (file, title, source, date,
    /// status, region, theme, reliability, note, reviewer, decided_at, seconds)
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Add what the tool suggested next to what was chosen, to audit the model:
        /// for a decided article, what a model that had not seen it suggests
        /// (cross-fitting over 5 folds)
        #[arg(long)]
        suggestions: bool,
    },
    /// Suggestions: how good they are (--evaluate), or what they are for articles
    Suggest {
        /// Cross-validate on the inbox's done decisions: per axis micro-F1, precision
        /// and recall, how often `a` alone is exactly right, and keys per article
        #[arg(long)]
        evaluate: bool,
        /// Folds of the cross-validation (2 to 20)
        #[arg(long, value_name = "K", default_value_t = 5, requires = "evaluate")]
        folds: usize,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Articles to show the suggestions of (paths, or relative to the inbox)
        #[arg(conflicts_with = "evaluate")]
        files: Vec<PathBuf>,
    },
    /// Progress, label counts per axis, and per reviewer: decisions and median seconds
    Stats {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Agreement between reviewers per axis (Cohen's kappa per pair, Krippendorff's
    /// alpha), and every disagreement; the adjudicator (`final`, or --final-name) is not
    /// a rater. Hundreds of reviewers are summarized; --format json has every pair
    Agree {
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Who labels what: give each article without an assignment OVERLAP of the
    /// REVIEWERS, chosen by a hash of its path and balanced (counts differ by at most
    /// one), in the inbox's assignments.toml; earlier assignments are kept as they are
    Assign {
        /// The reviewers, separated by commas: alice,bob,carol
        #[arg(long, value_name = "A,B,C", value_delimiter = ',', required = true)]
        reviewers: Vec<String>,
        /// How many of them label each article
        #[arg(long, value_name = "N", default_value_t = 1)]
        overlap: usize,
    },
    /// The inbox's source list (sources.toml): domain → reliability
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Send my decisions to the team and take theirs, when the inbox is in a git work
    /// tree: commit my own new and changed sidecars (only those), fetch, rebase onto
    /// the upstream branch, push. Stops with one sentence, leaving the repository
    /// clean, outside git, without a remote, offline, or on a conflict
    Sync,
    /// Bring the inbox's index up to date and say where it is; every command and the
    /// TUI use it (under $XDG_CACHE_HOME/triage, else ~/.cache/triage). It is a cache:
    /// deleting it loses nothing
    Index {
        /// Remove the index and make it again from every article
        #[arg(long)]
        rebuild: bool,
    },
}

/// What `triage label` changes. Applied in this order: `--clear`, the removals, the
/// additions, then reliability, status and note; so `--clear region --region europe`
/// replaces the regions with Europe.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LabelChanges {
    /// Add a region label id (repeatable)
    #[arg(long, value_name = "ID")]
    pub region: Vec<String>,
    /// Add a theme label id (repeatable)
    #[arg(long, value_name = "ID")]
    pub theme: Vec<String>,
    /// Remove a region label id (repeatable)
    #[arg(long, value_name = "ID")]
    pub remove_region: Vec<String>,
    /// Remove a theme label id (repeatable)
    #[arg(long, value_name = "ID")]
    pub remove_theme: Vec<String>,
    /// Remove every label of an axis: region, theme or reliability (repeatable)
    #[arg(long, value_enum, value_name = "AXIS")]
    pub clear: Vec<ClearAxis>,
    /// Set the reliability label id
    #[arg(long, value_name = "ID")]
    pub reliability: Option<String>,
    /// todo, done, skipped or flagged
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// Set the note ("" removes it)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// `label --clear`: an axis, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClearAxis {
    Region,
    Theme,
    Reliability,
}

impl ClearAxis {
    fn axis(self) -> Axis {
        match self {
            ClearAxis::Region => Axis::Region,
            ClearAxis::Theme => Axis::Theme,
            ClearAxis::Reliability => Axis::Reliability,
        }
    }
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 4180, a header row, label ids joined with `;`
    Csv,
    /// One JSON object per line, labels as arrays
    Jsonl,
}

/// `--format` of the reports (`stats`, `agree`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Add the domains of a CSV (columns such as url,type) to the inbox's sources.toml
    Import {
        /// The CSV file, with a header row
        file: PathBuf,
        /// How the CSV's types map to reliability ids: TYPE=ID,TYPE=ID,…
        #[arg(long, value_name = "TYPE=ID,...")]
        map: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Tsv,
    Json,
}

/// Why a command stopped. Usage problems exit 2, problems found exit 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Problem(String),
    /// Whoever read our output stopped reading (`triage list | head`): their choice,
    /// not an error, so it ends the command quietly and successfully.
    #[error("the output was closed")]
    ClosedPipe,
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Problem(_) => 1,
            Failure::ClosedPipe => 0,
        }
    }
}

/// `$XDG_CONFIG_HOME/triage/config.toml`: defaults below the flags and environment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    reviewer: Option<String>,
    inbox: Option<PathBuf>,
    keymap: Option<String>,
}

/// The folder that holds triage's user files (`config.toml`, `keymap.toml`).
pub fn config_dir() -> Option<PathBuf> {
    match std::env::var_os("XDG_CONFIG_HOME") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join("triage")),
        _ => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/triage")),
    }
}

fn load_config() -> Result<Config, Failure> {
    let Some(path) = config_dir().map(|d| d.join("config.toml")) else {
        return Ok(Config::default());
    };
    match crate::files::read_config_file(&path, crate::files::CONFIG_LIMIT) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| Failure::Problem(format!("{}: {}", path.display(), e.message().trim()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Failure::Problem(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Everything a command needs, resolved from flags, environment, config and defaults.
pub struct Setup {
    pub inbox: PathBuf,
    pub reviewer: ReviewerName,
    pub taxonomy: Taxonomy,
    /// Where the taxonomy came from, for messages.
    pub labels_source: String,
    pub keymap_choice: String,
    /// The inbox's source list; empty without a `sources.toml`.
    pub sources: Sources,
    /// `--order`, for the TUI's list and `triage list`.
    pub order: Order,
    /// The adjudicator, whose done decisions the model learns from first.
    pub final_name: ReviewerName,
    /// Whether to read through the index (not `--no-index`).
    pub use_index: bool,
}

impl Setup {
    pub fn resolve(cli: &Cli) -> Result<Setup, Failure> {
        let config = load_config()?;
        let inbox = cli
            .inbox
            .clone()
            .or(config.inbox)
            .unwrap_or_else(|| PathBuf::from("inbox"));
        let reviewer = cli
            .reviewer
            .clone()
            .or(config.reviewer)
            // The login name from the system's user database: USER is often unset
            // in containers and root shells, where triage must still start.
            .or_else(|| whoami::username().ok().filter(|u| !u.is_empty()))
            .ok_or_else(|| {
                Failure::Usage(
                    "no reviewer name: pass --reviewer NAME or set TRIAGE_REVIEWER".into(),
                )
            })?;
        let reviewer = ReviewerName::parse(&reviewer).map_err(|problem| {
            Failure::Usage(format!("reviewer name {} {problem}", quote(&reviewer)))
        })?;
        // An inbox file that is there but cannot be used (a folder, a pipe, a link out
        // of the inbox) stops start-up: silently using the built-in labels instead
        // would store decisions against the wrong taxonomy.
        let labels_path = match cli.labels.clone() {
            Some(p) => Some(p),
            None => inbox_file(&inbox, "labels.toml").map_err(Failure::Problem)?,
        };
        let (taxonomy, labels_source) = match labels_path {
            Some(p) => (
                Taxonomy::load(&p).map_err(|e| Failure::Problem(e.to_string()))?,
                p.display().to_string(),
            ),
            None => (Taxonomy::default(), BUILT_IN_LABELS.to_string()),
        };
        let keymap_choice = cli
            .keymap
            .clone()
            .or(config.keymap)
            .unwrap_or_else(|| "default".to_string());
        let sources = match inbox_file(&inbox, sources::FILE_NAME).map_err(Failure::Problem)? {
            Some(path) => {
                Sources::load(&path, &taxonomy).map_err(|e| Failure::Problem(e.to_string()))?
            }
            None => Sources::default(),
        };
        Ok(Setup {
            inbox,
            reviewer,
            taxonomy,
            labels_source,
            keymap_choice,
            sources,
            order: cli.order,
            final_name: adjudicator_name(cli)?,
            use_index: !cli.no_index,
        })
    }

    /// The inbox's `guidelines.md`, for the help overlay; a file that is there but
    /// may not be read (a link out of the inbox, a folder) says why instead.
    pub fn guidelines(&self) -> Guidelines {
        match inbox_file(&self.inbox, guidelines::FILE_NAME) {
            Ok(Some(path)) => Guidelines::read(&path),
            Ok(None) => Guidelines::Absent,
            Err(why) => Guidelines::Unreadable(why),
        }
    }

    /// The saved searches: the inbox's `queries.toml`, then the reviewer's own in the
    /// folder of `keymap.toml`, which wins by name.
    pub fn saved_queries(&self) -> SavedQueries {
        let file = crate::search::saved::FILE_NAME;
        SavedQueries::load(
            inbox_file(&self.inbox, file),
            self.inbox.join(file),
            user_keymap_path().map(|p| p.with_file_name(file)),
        )
    }

    pub fn keymap(&self) -> Result<Keymap, Failure> {
        // There but unusable (a folder, a pipe) is an error, not "no overrides".
        let user = user_keymap_path().filter(|p| std::fs::symlink_metadata(p).is_ok());
        Keymap::load(&self.keymap_choice, user.as_deref(), &self.taxonomy)
            .map_err(|e| Failure::Problem(e.to_string()))
    }

    /// Every article, through the index unless `--no-index` (see [`Setup::open_index`]):
    /// then articles unchanged since they were indexed come without their bodies,
    /// which `inbox.texts` reads. The rows of articles read from their files are
    /// written before this returns, so the next command finds them.
    pub fn load_inbox(&self) -> Result<Inbox, Failure> {
        let mut entries = Vec::new();
        let mut inbox = self.load_inbox_each(&mut |read| entries.extend(read))?;
        inbox.entries = entries;
        Ok(inbox)
    }

    /// [`Setup::load_inbox`] handing the entries to `take` a batch at a time, as
    /// they are read (see [`Inbox::load_opening_each`]).
    pub fn load_inbox_each(&self, take: &mut dyn FnMut(Vec<Entry>)) -> Result<Inbox, Failure> {
        if !self.inbox.is_dir() {
            return Err(self.missing_inbox());
        }
        // The index is opened (its rows read) while the walk of the inbox goes on.
        let (mut inbox, cache) =
            Inbox::load_opening_each(&self.inbox, &self.reviewer, || self.open_index(), take)
                .map_err(|e| {
                    Failure::Problem(format!(
                        "cannot read the inbox {}: {e}",
                        self.inbox.display()
                    ))
                })?;
        if let Some(cache) = cache {
            finish_index(self, &cache);
            inbox.texts = Some(Arc::clone(&cache.texts));
        }
        Ok(inbox)
    }

    /// [`Setup::load_inbox`] with every body in memory, for the commands that read
    /// them all (the model's suggestions, its evaluation).
    pub fn load_inbox_whole(&self) -> Result<Inbox, Failure> {
        let mut inbox = self.load_inbox()?;
        inbox.hydrate();
        Ok(inbox)
    }

    /// The inbox's index, unless `--no-index`; `None`, with one line on stderr
    /// saying why, when it cannot be used (the program then reads every file). A
    /// line too when an index was found damaged or of another version and is made
    /// again.
    pub fn open_index(&self) -> Option<crate::store::Cache> {
        let (cache, note) = self.open_index_noting();
        if let Some(note) = note {
            eprintln!("triage: {}", sanitize(&note));
        }
        cache
    }

    /// [`Setup::open_index`] leaving the note, if any, to the caller: the TUI shows it
    /// on its status line (stderr is hidden behind the screen).
    pub fn open_index_noting(&self) -> (Option<crate::store::Cache>, Option<String>) {
        if !self.use_index {
            return (None, None);
        }
        match crate::store::Cache::open(&self.inbox) {
            Ok((cache, note)) => (Some(cache), note),
            Err(reason) => (None, Some(reason)),
        }
    }

    /// The inbox's decisions without its articles, for the commands that count them.
    pub fn load_decisions(&self) -> Result<Inbox, Failure> {
        self.read_inbox(Inbox::load_decisions)
    }

    /// The one sentence for an inbox that is not there: the TUI and every command
    /// say the same, and say how to name another.
    pub fn missing_inbox(&self) -> Failure {
        Failure::Problem(format!(
            "the inbox {} is not a folder (give --inbox DIR or set TRIAGE_INBOX)",
            self.inbox.display()
        ))
    }

    fn read_inbox(&self, load: fn(&Path, &str) -> io::Result<Inbox>) -> Result<Inbox, Failure> {
        if !self.inbox.is_dir() {
            return Err(self.missing_inbox());
        }
        load(&self.inbox, &self.reviewer).map_err(|e| {
            Failure::Problem(format!(
                "cannot read the inbox {}: {e}",
                self.inbox.display()
            ))
        })
    }
}

/// Waits for the index's writer, saying on stderr what it is doing when that takes a
/// while (the first run on a big inbox), and why it stopped if it did. An index whose
/// rows turned out damaged as they were read (it is then set aside) is made again
/// now, so that the next command finds it whole, and stderr says so in one line.
fn finish_index(setup: &Setup, cache: &crate::store::Cache) {
    if let Some(why) = cache.damaged() {
        cache.finish();
        if let Ok((again, _)) = crate::store::Cache::open(&setup.inbox) {
            let _ = Inbox::index_through(&setup.inbox, &setup.reviewer, &again);
            again.finish();
        }
        eprintln!(
            "triage: {}",
            sanitize(&format!(
                "the index {} is made again: it could not be read ({why})",
                cache.path().display()
            ))
        );
        return;
    }
    let pending = cache.pending();
    if pending >= 2000 {
        eprintln!(
            "triage: writing {pending} articles into the index for the next runs \
             (interrupting loses nothing; --no-index skips it)"
        );
    }
    cache.finish();
    if let Some(failure) = cache.failure() {
        eprintln!("triage: {}", sanitize(&failure));
    }
}

/// `triage index`: brings the inbox's index up to date (made anew with `--rebuild`)
/// and says where it is and what it holds.
fn index(setup: &Setup, rebuild: bool) -> Result<ExitCode, Failure> {
    if !setup.inbox.is_dir() {
        return Err(setup.missing_inbox());
    }
    if !setup.use_index {
        return Err(Failure::Usage(
            "`triage index` with --no-index (or TRIAGE_NO_INDEX) has nothing to do".into(),
        ));
    }
    if rebuild {
        crate::index::remove(&setup.inbox).map_err(Failure::Problem)?;
    }
    let started = std::time::Instant::now();
    let Some(cache) = setup.open_index() else {
        return Ok(ExitCode::from(1));
    };
    let (articles, _) =
        Inbox::index_through(&setup.inbox, &setup.reviewer, &cache).map_err(|e| {
            Failure::Problem(format!(
                "cannot read the inbox {}: {e}",
                setup.inbox.display()
            ))
        })?;
    let read = cache.asked.load(std::sync::atomic::Ordering::Relaxed);
    finish_index(setup, &cache);
    let path = cache
        .texts
        .with(|i| i.path().to_path_buf())
        .unwrap_or_default();
    let (rows, _) = cache
        .texts
        .with(|i| i.count().unwrap_or_default())
        .unwrap_or_default();
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(p).ok().map(|m| m.len())
        })
        .sum();
    let shown = sanitize(&path.to_string_lossy()).into_owned();
    quiet_pipe(
        writeln!(
            io::stdout(),
            "{shown}: {rows} articles of {} in the inbox, {} read from their files now, {:.1} MiB, {:.1} s",
            articles,
            read,
            size as f64 / 1_048_576.0,
            started.elapsed().as_secs_f64()
        )
        .map_err(io_failure),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Who settles disagreements in the review: `--final-name`, else `final`. It becomes
/// part of sidecar names, so it is checked like a reviewer name.
fn adjudicator_name(cli: &Cli) -> Result<ReviewerName, Failure> {
    let name = cli
        .final_name
        .as_deref()
        .unwrap_or(crate::app::review::FINAL);
    ReviewerName::parse(name)
        .map_err(|problem| Failure::Usage(format!("--final-name {} {problem}", quote(name))))
}

/// Runs the command the user asked for, or the TUI.
pub fn run(cli: Cli) -> Result<ExitCode, Failure> {
    crate::store::boundary::set_follow_links(cli.follow_links);
    let setup = Setup::resolve(&cli)?;
    let final_name = adjudicator_name(&cli)?;
    match &cli.command {
        None => {
            let keymap = setup.keymap()?;
            if !setup.inbox.is_dir() {
                return Err(setup.missing_inbox());
            }
            // The review writes only as the adjudicator, never as the reviewer who
            // runs it: a session started with --review is the adjudicator from the
            // start, and R switches to it. A name that is one of the reviewers being
            // compared is refused before anything is shown or written.
            if final_name != crate::app::review::FINAL {
                let decisions = setup.load_decisions()?;
                if let Some(refusal) = crate::app::review::adjudicator_refusal(
                    &decisions.entries,
                    &setup.reviewer,
                    &final_name,
                ) {
                    return Err(Failure::Usage(refusal));
                }
            }
            let reviewer = if cli.review {
                final_name.clone()
            } else {
                setup.reviewer.clone()
            };
            let prefer = match cli.watch {
                WatchChoice::Auto => Some(crate::store::watch::Prefer::Auto),
                WatchChoice::Native => Some(crate::store::watch::Prefer::Native),
                WatchChoice::Poll => Some(crate::store::watch::Prefer::Poll),
                WatchChoice::Off => None,
            };
            // The watch starts before the scan, so that a file arriving while the
            // inbox loads is seen by one or the other (or both: a reload is harmless).
            let watching = prefer.map(|prefer| {
                crate::runtime::start_watch(setup.inbox.clone(), reviewer.to_string(), prefer)
            });
            let (cache, index_note) = setup.open_index_noting();
            let cache = cache.map(Arc::new);
            let loader = crate::store::load_in_background_through(
                setup.inbox.clone(),
                reviewer.to_string(),
                cache.clone(),
            );
            let reviewer_name = reviewer.clone();
            let mut state = AppState::empty(reviewer, setup.taxonomy.clone());
            state.review.adjudicator = final_name.clone();
            if cli.review {
                state.start_review(setup.reviewer.clone());
            }
            state.sources = setup.sources.clone();
            state.inbox = setup.inbox.clone();
            state.guidelines = setup.guidelines();
            state.saved = setup.saved_queries();
            state.learned.order = setup.order;
            state.learned.open_at_top = setup.order != Order::Inbox;
            let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut session = crate::runtime::Session::loading(state, keymap, color, loader);
            // Read beside the first articles, so that the first screen never waits
            // for a big file; a damaged one is said on the status line and the
            // session goes on without assignments.
            session.load_assignments(setup.inbox.clone());
            session.resume(crate::store::resume::Place::find(
                &setup.inbox,
                &reviewer_name,
            ));
            if let Some(watching) = watching {
                session.watch_inbox(setup.inbox.clone(), watching);
            }
            if let Some(cache) = cache {
                session.use_index(cache);
            }
            if let Some(minutes) = cli.sync_every {
                session.sync_every(minutes);
            }
            if let Some(note) = index_note {
                // Made again, or working without it: nothing is lost either way.
                session.state.info(format!("The index is a cache: {note}"));
            }
            let ending = crate::tui::run(session)
                .map_err(|e| Failure::Problem(format!("the terminal failed: {e}")))?;
            Ok(ExitCode::from(ending.exit_code()))
        }
        Some(Command::List { format }) => list(&setup, *format),
        Some(Command::Label {
            query: Some(query),
            dry_run,
            all,
            changes,
            ..
        }) => bulk::label_matching(
            &setup,
            query,
            changes,
            bulk::Mode {
                dry_run: *dry_run,
                all: *all,
            },
        ),
        Some(Command::Label {
            file: Some(_),
            dry_run,
            all,
            ..
        }) if *dry_run || *all => Err(Failure::Usage(format!(
            "{} works only with --query; see 'triage label --help'",
            if *dry_run { "--dry-run" } else { "--all" }
        ))),
        Some(Command::Label {
            file: Some(file),
            changes,
            ..
        }) => match label(&setup, file, changes, None)? {
            Some(path) => {
                let shown = sanitize(&path.to_string_lossy()).into_owned();
                quiet_pipe(writeln!(io::stdout(), "{shown}").map_err(io_failure))
            }
            None => {
                eprintln!(
                    "triage: nothing changed: {} has no decision yet, so there is nothing to remove",
                    sanitize(&file.to_string_lossy())
                );
                Ok(ExitCode::SUCCESS)
            }
        },
        // clap requires one of FILE and --query.
        Some(Command::Label { .. }) => Err(Failure::Usage(
            "label needs <FILE> or --query; see 'triage label --help'".into(),
        )),
        Some(Command::Groups { format }) => quiet_pipe(groups::print(&setup, *format)),
        Some(Command::Search {
            query,
            limit,
            format,
        }) => quiet_pipe(search(&setup, query, *limit, *format)),
        Some(Command::Check) => check(&setup),
        Some(Command::Export {
            format,
            suggestions,
        }) => export(&setup, &final_name, *format, *suggestions),
        Some(Command::Suggest {
            evaluate,
            folds,
            format,
            files,
        }) => suggest_command(&setup, &final_name, *evaluate, *folds, *format, files),
        Some(Command::Stats { format }) => stats(&setup, *format),
        Some(Command::Index { rebuild }) => index(&setup, *rebuild),
        Some(Command::Agree { format }) => agree(&setup, &final_name, *format),
        Some(Command::Assign { reviewers, overlap }) => assign::run(&setup, reviewers, *overlap),
        Some(Command::Sources(SourcesCommand::Import { file, map })) => {
            import_sources(&setup, file, map)
        }
        Some(Command::Sync) => sync(&setup, &final_name),
    }
}

/// `triage sync`: the reviewer's sidecars, and those they settled as the
/// adjudicator, go to the team's repository; the team's come back (see
/// [`crate::team::sync`]).
fn sync(setup: &Setup, final_name: &ReviewerName) -> Result<ExitCode, Failure> {
    if !setup.inbox.is_dir() {
        return Err(setup.missing_inbox());
    }
    let reviewers = [setup.reviewer.as_ref(), final_name.as_ref()];
    let report = crate::team::sync::sync(
        &setup.inbox,
        &reviewers,
        crate::team::sync::Terminal::Attached,
    )
    .map_err(|e| Failure::Problem(e.0))?;
    quiet_pipe(writeln!(io::stdout(), "triage: {}", report.line()).map_err(io_failure))
}

fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::ClosedPipe
    } else {
        Failure::Problem(format!("cannot write the output: {e}"))
    }
}

/// `triage list | head` closes the pipe early; that is the reader's choice, not an error.
fn quiet_pipe(result: Result<(), Failure>) -> Result<ExitCode, Failure> {
    match result {
        Err(Failure::ClosedPipe) => Ok(ExitCode::SUCCESS),
        other => other.map(|()| ExitCode::SUCCESS),
    }
}

/// After a team command's output: one warning on stderr per sidecar it had to leave
/// out because it cannot be read, and exit status 1, so that neither a person nor a
/// script takes the figures for the whole team's.
fn warn_broken(
    result: Result<ExitCode, Failure>,
    broken: &[String],
    command: &str,
) -> Result<ExitCode, Failure> {
    if broken.is_empty() {
        return result;
    }
    let mut err = io::stderr().lock();
    for problem in broken {
        let _ = writeln!(err, "warning: left out of {command}: {}", sanitize(problem));
    }
    result.map(|_| ExitCode::from(1))
}

impl LabelChanges {
    /// The edits `triage label` makes: the very [`Edit`]s the TUI's keys make, so
    /// the sidecar is the same byte for byte. Ids to add must be in the taxonomy;
    /// ids to remove must be in it or on the article (a sidecar may hold an id the
    /// taxonomy has since dropped). `current` is the decision the edits apply to,
    /// which `--clear` empties label by label, as toggling each off in a picker does.
    pub fn edits(&self, taxonomy: &Taxonomy, current: &Decision) -> Result<Vec<Edit>, Failure> {
        let unknown = |axis: Axis, id: &str| {
            let ids: Vec<&str> = taxonomy
                .axis(axis)
                .labels
                .iter()
                .map(|l| l.id.as_str())
                .collect();
            Failure::Usage(format!(
                "unknown {axis} id {}; known: {}",
                quote(id),
                ids.join(", ")
            ))
        };
        // Both hand back the id as a `LabelId` only once it was checked: the
        // taxonomy knows it, or (for a removal) the sidecar already holds it.
        let known = |axis: Axis, id: &str| {
            if taxonomy.label(axis, id).is_some() {
                Ok(LabelId::from(id))
            } else {
                Err(unknown(axis, id))
            }
        };
        let removable = |axis: Axis, id: &str| {
            if taxonomy.label(axis, id).is_some() || current.has(axis, id) {
                Ok(LabelId::from(id))
            } else {
                Err(unknown(axis, id))
            }
        };
        let mut edits = Vec::new();
        for axis in &self.clear {
            match axis.axis() {
                Axis::Reliability => {
                    if current.reliability.is_some() {
                        edits.push(Edit::SetReliability(None));
                    }
                }
                axis => edits.extend(
                    current
                        .labels(axis)
                        .into_iter()
                        .map(|id| Edit::Remove(axis, LabelId::from(id))),
                ),
            }
        }
        for (axis, remove, add) in [
            (Axis::Region, &self.remove_region, &self.region),
            (Axis::Theme, &self.remove_theme, &self.theme),
        ] {
            for id in remove {
                let checked = removable(axis, id)?;
                if add.contains(id) {
                    return Err(Failure::Usage(format!(
                        "--{axis} {id} and --remove-{axis} {id} contradict each other",
                        id = sanitize(id)
                    )));
                }
                edits.push(Edit::Remove(axis, checked));
            }
            for id in add {
                edits.push(Edit::Add(axis, known(axis, id)?));
            }
        }
        if let Some(id) = &self.reliability {
            edits.push(Edit::SetReliability(Some(known(Axis::Reliability, id)?)));
        }
        if let Some(s) = &self.status {
            let status = Status::parse(s).ok_or_else(|| {
                Failure::Usage(format!(
                    "unknown status {}; use todo, done, skipped or flagged",
                    quote(s)
                ))
            })?;
            edits.push(Edit::SetStatus(status));
        }
        if let Some(n) = &self.note {
            edits.push(Edit::SetNote(Some(n.clone())));
        }
        if self.is_empty() {
            return Err(Failure::Usage(
                "nothing to change: give --region, --theme, --remove-region, --remove-theme, --clear, --reliability, --status or --note".into(),
            ));
        }
        Ok(edits)
    }

    fn is_empty(&self) -> bool {
        self.region.is_empty()
            && self.theme.is_empty()
            && self.remove_region.is_empty()
            && self.remove_theme.is_empty()
            && self.clear.is_empty()
            && self.reliability.is_none()
            && self.status.is_none()
            && self.note.is_none()
    }
}

/// Applies `changes` to one article's sidecar and returns the sidecar's path, or
/// `None` when the article has no sidecar and the changes would not make one worth
/// writing (removing what was never there). `now` fixes the clock (tests compare
/// this with the TUI's bytes); `None` is the real time.
pub fn label(
    setup: &Setup,
    file: &Path,
    changes: &LabelChanges,
    now: Option<toml::value::Datetime>,
) -> Result<Option<PathBuf>, Failure> {
    label_file(setup, file, changes, now).map(Labeled::sidecar)
}

/// What [`label_file`] did to one article's sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Labeled {
    /// The sidecar was written: the decision changed.
    Written(PathBuf),
    /// The sidecar already held that decision and was left byte for byte as it was.
    Unchanged(PathBuf),
    /// There is no sidecar, and the changes would not make one worth writing.
    Nothing,
}

impl Labeled {
    /// The sidecar's path, when there is one.
    pub fn sidecar(self) -> Option<PathBuf> {
        match self {
            Labeled::Written(p) | Labeled::Unchanged(p) => Some(p),
            Labeled::Nothing => None,
        }
    }
}

/// [`label`], saying whether the sidecar changed: `triage label --query` counts the
/// articles that already had the decision, and writes each through this, so each
/// sidecar is the one `triage label FILE` (and the TUI) would write.
pub fn label_file(
    setup: &Setup,
    file: &Path,
    changes: &LabelChanges,
    now: Option<toml::value::Datetime>,
) -> Result<Labeled, Failure> {
    if changes.is_empty() {
        // Said before looking for the file: it is the first thing to fix.
        return changes
            .edits(&setup.taxonomy, &Decision::default())
            .map(|_| Labeled::Nothing);
    }
    let path = if file.is_file() {
        file.to_path_buf()
    } else {
        setup.inbox.join(file)
    };
    if !path.is_file() {
        if !setup.inbox.is_dir() {
            return Err(setup.missing_inbox());
        }
        return Err(Failure::Usage(format!(
            "no article {} (looked for it as given and in the inbox {})",
            sanitize(&file.to_string_lossy()),
            sanitize(&setup.inbox.to_string_lossy())
        )));
    }
    if Format::from_path(&path).is_none() {
        return Err(Failure::Usage(format!(
            "{} is not an article (.txt, .md, .markdown, .html, .htm)",
            sanitize(&file.to_string_lossy())
        )));
    }
    // The inbox is a boundary for writes too: no sidecar beside a file elsewhere, and
    // no article read through a link out of the inbox.
    let rel = match crate::store::boundary::article_in_inbox(&setup.inbox, &path) {
        Ok(Some(rel)) => rel,
        Ok(None) => {
            return Err(Failure::Usage(format!(
                "{} is outside the inbox {} (or hidden in it, under a name starting with '.'); triage label only labels the inbox's articles",
                file.display(),
                setup.inbox.display()
            )));
        }
        Err(e) => {
            return Err(Failure::Problem(format!(
                "cannot tell whether {} is inside the inbox {}: {e}",
                file.display(),
                setup.inbox.display()
            )));
        }
    };
    // The same loading as the TUI, from the inbox, so the hash written is the same.
    let entry = Entry::load(
        &std::sync::Arc::from(setup.inbox.as_path()),
        &rel,
        &[],
        &setup.reviewer,
    );
    if let Some(why) = unlabelable(&entry, &path) {
        return Err(Failure::Problem(why));
    }
    let current = entry
        .mine(&setup.reviewer)
        .sidecar()
        .map(|s| s.decision.clone())
        .unwrap_or_default();
    let edits = changes.edits(&setup.taxonomy, &current)?;
    if matches!(entry.mine(&setup.reviewer), SidecarState::Missing) {
        let mut after = current.clone();
        edits.iter().for_each(|e| after.apply(e));
        if after.same_choices(&current) && changes.status.is_none() {
            return Ok(Labeled::Nothing);
        }
    }
    // The same write as a keystroke's (see `runtime::writes`).
    let written = crate::runtime::Writes::at(now)
        .attempt(&path, entry.sha256_hex(), &setup.reviewer, &edits)
        .map_err(|e| Failure::Problem(e.to_string()))?;
    let sidecar = crate::store::sidecar_path(&path, &setup.reviewer);
    // A write that changes no decision leaves the file as it was read (see
    // `store::write_edits`), and hands back what it read.
    Ok(if entry.mine(&setup.reviewer).sidecar() == Some(&written) {
        Labeled::Unchanged(sidecar)
    } else {
        Labeled::Written(sidecar)
    })
}

/// One article as `triage list --format json` shows it.
#[derive(Debug, Serialize)]
pub struct ListRow<'a> {
    pub file: String,
    pub status: &'a str,
    pub region: Vec<&'a str>,
    pub theme: Vec<&'a str>,
    pub reliability: Option<&'a str>,
    pub note: Option<&'a str>,
    pub title: &'a str,
    pub authors: &'a [String],
    pub publisher: Option<&'a str>,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub date: Option<&'a str>,
    pub suggestions: Suggestions,
    pub changed: bool,
    /// The story's id when the article has copies (see [`groups::group_id`]); `null`
    /// when it is alone. Filled in for the JSON only.
    pub group: Option<String>,
    /// Why the article or its sidecar cannot be read, when it cannot.
    pub error: Option<String>,
}

fn row<'a>(
    e: &'a Entry,
    me: &str,
    taxonomy: &Taxonomy,
    sources: &Sources,
    suggester: &Suggester,
) -> ListRow<'a> {
    let mine = e.mine(me);
    let d = mine.sidecar().map(|s| &s.decision);
    let a = e.article.as_ref().ok();
    let error = match (&e.article, mine) {
        (Err(reason), SidecarState::Broken(problem)) => Some(format!("{reason}; {problem}")),
        (Err(reason), _) => Some(reason.clone()),
        (_, SidecarState::Broken(problem)) => Some(problem.clone()),
        _ => None,
    };
    // A decision that cannot be read is not "todo": it may well be done.
    let status = match mine {
        SidecarState::Broken(_) => "error",
        _ => d.map_or("todo", |d| d.status.as_str()),
    };
    ListRow {
        file: e.rel.to_string_lossy().into_owned(),
        status,
        region: d.map(|d| d.labels(Axis::Region)).unwrap_or_default(),
        theme: d.map(|d| d.labels(Axis::Theme)).unwrap_or_default(),
        reliability: d.and_then(|d| d.reliability.as_deref()),
        note: d.and_then(|d| d.note.as_deref()),
        title: e.title(),
        authors: a.map_or(&[], |a| a.authors.as_slice()),
        publisher: a.and_then(|a| a.publisher.as_deref()),
        source: a.and_then(|a| a.source.as_deref()),
        url: a.and_then(|a| a.url.as_deref()),
        date: a.and_then(|a| a.date.as_deref()),
        suggestions: a
            .map(|a| suggester.suggest(a, taxonomy, sources))
            .unwrap_or_default(),
        changed: e.changed(me),
        group: None,
        error,
    }
}

/// `triage list`: the rows, then a warning on stderr for each of the reviewer's
/// sidecars that cannot be read (its row says `error`; the JSON carries the reason).
fn list(setup: &Setup, format: ListFormat) -> Result<ExitCode, Failure> {
    // Suggestions and the model's order read every body; the plain list reads none.
    let inbox = if format == ListFormat::Tsv && setup.order == Order::Inbox {
        setup.load_inbox()?
    } else {
        setup.load_inbox_whole()?
    };
    let result = quiet_pipe(print_list(setup, &inbox, format));
    let mut err = io::stderr().lock();
    for e in &inbox.entries {
        if let SidecarState::Broken(problem) = e.mine(&setup.reviewer) {
            let _ = writeln!(err, "warning: {}", sanitize(problem));
        }
    }
    result
}

fn print_list(setup: &Setup, inbox: &Inbox, format: ListFormat) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    // The model learns from every done decision first, as the TUI's would.
    let suggester = match format {
        ListFormat::Json => Suggester::learn(&inbox.entries, &setup.taxonomy, &setup.final_name),
        ListFormat::Tsv if setup.order == Order::Inbox => Suggester::default(),
        ListFormat::Tsv => Suggester::learn(&inbox.entries, &setup.taxonomy, &setup.final_name),
    };
    let order = list_order(setup, inbox, &suggester);
    let entries = order.iter().map(|&i| &inbox.entries[i]);
    let row = |e| {
        row(
            e,
            &setup.reviewer,
            &setup.taxonomy,
            &setup.sources,
            &suggester,
        )
    };
    match format {
        ListFormat::Json => {
            // Only the JSON has the stories: the plain list stays a scan.
            let stories = groups::Stories::find(&inbox.entries, inbox.texts.as_deref());
            let rows: Vec<ListRow> = order
                .iter()
                .map(|&i| ListRow {
                    group: stories.id_of(i).map(str::to_string),
                    ..row(&inbox.entries[i])
                })
                .collect();
            write_json(&mut out, &rows)?;
        }
        ListFormat::Tsv => {
            for e in entries {
                let r = row(e);
                // Every field from a file is sanitized (the status is one of four
                // fixed words), each id on its own before the ids are joined: no
                // value can add a column, a row or an escape.
                let fields = [
                    sanitize(&r.file).into_owned(),
                    r.status.to_string(),
                    sanitized_ids(&r.region),
                    sanitized_ids(&r.theme),
                    sanitize(r.reliability.unwrap_or("")).into_owned(),
                    sanitize(r.title).into_owned(),
                ];
                writeln!(out, "{}", fields.join("\t")).map_err(io_failure)?;
            }
        }
    }
    out.flush().map_err(io_failure)
}

/// The entries in `--order`: the inbox's, or (with a model) the articles still to
/// do by how sure the model is, then the rest; the same rule as the TUI's list.
fn list_order(setup: &Setup, inbox: &Inbox, suggester: &Suggester) -> Vec<usize> {
    let all: Vec<usize> = (0..inbox.entries.len()).collect();
    let Some(model) = suggester
        .model
        .as_deref()
        .filter(|_| setup.order != Order::Inbox)
    else {
        return all;
    };
    let todo = |i: usize| match inbox.entries[i].mine(&setup.reviewer) {
        SidecarState::Missing => true,
        state => state
            .sidecar()
            .is_some_and(|s| s.decision.status == Status::Todo),
    };
    // Scored the way the TUI's learner scores them.
    let scoring = crate::runtime::learner::Scoring {
        entries: inbox.entries.len(),
        todo: (0..inbox.entries.len())
            .filter(|&i| todo(i))
            .filter_map(|i| {
                Some((
                    i,
                    std::sync::Arc::clone(inbox.entries[i].article.as_ref().ok()?),
                ))
            })
            .collect(),
    };
    let margins = crate::runtime::learner::margins(Some(model), scoring);
    crate::app::learned::ordered(all, setup.order, &margins, todo)
}

/// Label ids for one TSV field: each sanitized whole, then joined with `;`. Joined
/// first, a sequence left open in one id would swallow the ids after it.
fn sanitized_ids(ids: &[&str]) -> String {
    let clean: Vec<std::borrow::Cow<str>> = ids.iter().map(|id| sanitize(id)).collect();
    clean.join(";")
}

/// Writes JSON for terminals as well as programs: serde_json escapes only C0
/// controls, so C1 controls (a one-byte CSI), bidirectional overrides and zero-width
/// characters from articles are written as `\uXXXX` escapes too. Such characters can
/// only occur inside JSON strings, where the escape means the same character.
fn write_json(out: &mut impl io::Write, value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| io_failure(e.into()))?;
    let safe = crate::sanitize::escape_json_hidden(&text);
    writeln!(out, "{safe}").map_err(io_failure)
}

/// `triage export`: the rows to stdout. Files and pipes get the text exactly as
/// decided; a terminal gets it cleaned like everything else drawn on it.
fn export(
    setup: &Setup,
    final_name: &str,
    format: ExportFormat,
    suggestions: bool,
) -> Result<ExitCode, Failure> {
    let inbox = if suggestions {
        setup.load_inbox_whole()?
    } else {
        setup.load_inbox()?
    };
    let suggested = suggestions.then(|| {
        crate::team::suggest::held_out(&inbox.entries, &setup.taxonomy, &setup.sources, final_name)
    });
    let result = quiet_pipe(print_export(setup, &inbox, format, suggested));
    let broken = crate::team::broken_sidecars(&inbox.entries, &setup.reviewer);
    warn_broken(result, &broken, "the export")
}

fn print_export(
    setup: &Setup,
    inbox: &Inbox,
    format: ExportFormat,
    suggested: Option<Vec<Suggestions>>,
) -> Result<(), Failure> {
    use crate::team::export;
    let mut rows = export::rows(&inbox.entries, &setup.reviewer, suggested.as_deref());
    let stdout = io::stdout();
    if stdout.is_terminal() {
        rows = rows.iter().map(export::Row::for_screen).collect();
    }
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        ExportFormat::Csv => export::write_csv(&rows, &mut out),
        ExportFormat::Jsonl => export::write_jsonl(&rows, &mut out),
    }
    .and_then(|()| out.flush())
    .map_err(io_failure)
}

/// `triage suggest`: the cross-validated evaluation of the suggestions (`--evaluate`),
/// or the suggestions for some articles, from a model trained on every decision.
fn suggest_command(
    setup: &Setup,
    final_name: &str,
    evaluate: bool,
    folds: usize,
    format: ReportFormat,
    files: &[PathBuf],
) -> Result<ExitCode, Failure> {
    if evaluate {
        return evaluate_suggestions(setup, final_name, folds, format);
    }
    if files.is_empty() {
        return Err(Failure::Usage(
            "suggest needs --evaluate or the articles to suggest labels for".into(),
        ));
    }
    let inbox = setup.load_inbox_whole()?;
    let mut chosen = Vec::with_capacity(files.len());
    for file in files {
        let path = if file.is_file() {
            file.to_path_buf()
        } else {
            setup.inbox.join(file)
        };
        let rel = crate::store::boundary::article_in_inbox(&setup.inbox, &path)
            .ok()
            .flatten();
        match rel.and_then(|rel| inbox.entries.iter().find(|e| e.rel == rel)) {
            Some(e) => chosen.push(e),
            None => {
                return Err(Failure::Usage(format!(
                    "no article {} in the inbox {}",
                    quote(&file.to_string_lossy()),
                    quote(&setup.inbox.to_string_lossy())
                )));
            }
        }
    }
    let suggester = Suggester::learn(&inbox.entries, &setup.taxonomy, final_name);
    let rows: Vec<SuggestRow> = chosen
        .into_iter()
        .map(|e| SuggestRow {
            file: e.rel.to_string_lossy().into_owned(),
            suggestions: e
                .article
                .as_ref()
                .map(|a| suggester.suggest(a, &setup.taxonomy, &setup.sources))
                .unwrap_or_default(),
        })
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let result = match format {
        ReportFormat::Json => write_json(&mut out, &rows),
        ReportFormat::Text => {
            let text: String = rows.iter().map(SuggestRow::text).collect();
            out.write_all(text.as_bytes()).map_err(io_failure)
        }
    }
    .and_then(|()| out.flush().map_err(io_failure));
    quiet_pipe(result)
}

/// One article's suggestions, as `triage suggest FILE` prints them.
#[derive(Debug, Serialize)]
struct SuggestRow {
    file: String,
    suggestions: Suggestions,
}

impl SuggestRow {
    /// The file, then one line per suggestion (`region mena 0.93  ← dateline BEIRUT`),
    /// the weaker ones marked, everything sanitized.
    fn text(&self) -> String {
        let mut out = format!("{}\n", sanitize(&self.file));
        let s = &self.suggestions;
        let mut line = |kind: &str, axis: Axis, x: &crate::article::Suggestion| {
            out.push_str(&format!(
                "  {kind}{axis} {} {:.2}  ← {}\n",
                sanitize(&x.id),
                x.score,
                sanitize(&x.from)
            ));
        };
        for (kind, region, theme, reliability) in [
            ("", &s.region, &s.theme, &s.reliability),
            (
                "weaker: ",
                &s.weaker.region,
                &s.weaker.theme,
                &s.weaker.reliability,
            ),
        ] {
            region.iter().for_each(|x| line(kind, Axis::Region, x));
            theme.iter().for_each(|x| line(kind, Axis::Theme, x));
            reliability
                .iter()
                .for_each(|x| line(kind, Axis::Reliability, x));
        }
        if s.is_empty() && s.weaker.is_empty() {
            out.push_str("  nothing to suggest\n");
        }
        out
    }
}

/// `triage suggest --evaluate`: K-fold cross-validation of the suggestions over the
/// inbox's done decisions, with the TUI's own rules (places, threshold). Broken
/// sidecars are left out and named, as in the other team commands.
fn evaluate_suggestions(
    setup: &Setup,
    final_name: &str,
    folds: usize,
    format: ReportFormat,
) -> Result<ExitCode, Failure> {
    use crate::learn::EvaluateError;
    use crate::team::suggest::{SourceRecord, accepted, suggest, training_set};
    let inbox = setup.load_inbox_whole()?;
    let examples: Vec<crate::learn::Example> = training_set(&inbox.entries, final_name)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let (taxonomy, sources) = (&setup.taxonomy, &setup.sources);
    // Reliability is not evaluated, so the source record plays no part.
    let no_record = SourceRecord::default();
    let evaluation = crate::learn::evaluate(&examples, taxonomy, folds, |model, article| {
        accepted(&suggest(
            article,
            taxonomy,
            sources,
            Some(model),
            &no_record,
        ))
    })
    .map_err(|e| match e {
        EvaluateError::Folds(_) => Failure::Usage(e.to_string().trim_end_matches('.').into()),
        EvaluateError::TooFew { .. } => {
            Failure::Problem(e.to_string().trim_end_matches('.').into())
        }
    })?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let result = match format {
        ReportFormat::Json => write_json(&mut out, &evaluation),
        ReportFormat::Text => out
            .write_all(evaluation_text(&evaluation, taxonomy.suggestions.threshold).as_bytes())
            .map_err(io_failure),
    }
    .and_then(|()| out.flush().map_err(io_failure));
    let broken = crate::team::broken_sidecars(&inbox.entries, &setup.reviewer);
    warn_broken(quiet_pipe(result), &broken, "the evaluation")
}

/// The evaluation as a team lead reads it.
fn evaluation_text(e: &crate::learn::Evaluation, threshold: f32) -> String {
    let mut text = format!(
        "{}-fold cross-validation over {} (threshold {threshold:.2})\n",
        e.folds,
        count(e.examples, "done article", "done articles")
    );
    text.push_str("axis     precision  recall  micro-F1   right  wrong  missed\n");
    for (name, a) in [("region", &e.region), ("theme", &e.theme)] {
        if a.true_positives + a.false_positives + a.false_negatives == 0 {
            text.push_str(&format!("{name:<8} no labels decided or suggested\n"));
            continue;
        }
        text.push_str(&format!(
            "{name:<8} {:>9.3} {:>7.3} {:>9.3} {:>7} {:>6} {:>7}\n",
            a.precision, a.recall, a.f1, a.true_positives, a.false_positives, a.false_negatives
        ));
    }
    text.push_str(&format!(
        "a alone exactly right: {} of {} ({:.1}%)\n",
        e.exactly_right,
        count(e.examples, "article", "articles"),
        e.exactly_right_share * 100.0
    ));
    text.push_str(&format!(
        "keys per article: {:.2} with suggestions, {:.2} by hand\n",
        e.keys_with_suggestions, e.keys_by_hand
    ));
    text
}

/// `triage stats`: the report as text or JSON.
fn stats(setup: &Setup, format: ReportFormat) -> Result<ExitCode, Failure> {
    let inbox = setup.load_decisions()?;
    // A damaged assignments.toml leaves out only the progress per assignee.
    let (assignments, damaged) = match crate::team::assign::Assignments::load(&setup.inbox) {
        Ok(a) => (a, None),
        Err(problem) => (None, Some(problem)),
    };
    let result = quiet_pipe(print_stats(setup, &inbox, assignments.as_ref(), format));
    let mut broken = crate::team::broken_sidecars(&inbox.entries, &setup.reviewer);
    broken.extend(damaged);
    warn_broken(result, &broken, "the stats")
}

fn print_stats(
    setup: &Setup,
    inbox: &Inbox,
    assignments: Option<&crate::team::assign::Assignments>,
    format: ReportFormat,
) -> Result<(), Failure> {
    let mut stats = crate::team::stats::stats(&inbox.entries, &setup.reviewer, &setup.taxonomy);
    if let Some(a) = assignments {
        stats = crate::team::stats::with_assignments(stats, &inbox.entries, a);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        ReportFormat::Text => out
            .write_all(crate::team::stats::render_text(&stats).as_bytes())
            .map_err(io_failure)?,
        ReportFormat::Json => write_json(&mut out, &stats)?,
    }
    out.flush().map_err(io_failure)
}

/// `triage agree`: agreement per axis and the disagreements, as text or JSON.
fn agree(setup: &Setup, final_name: &str, format: ReportFormat) -> Result<ExitCode, Failure> {
    let inbox = setup.load_decisions()?;
    let result = quiet_pipe(print_agree(setup, &inbox, final_name, format));
    let broken = crate::team::broken_sidecars(&inbox.entries, &setup.reviewer);
    warn_broken(result, &broken, "the agreement")
}

fn print_agree(
    setup: &Setup,
    inbox: &Inbox,
    final_name: &str,
    format: ReportFormat,
) -> Result<(), Failure> {
    use crate::team::agree;
    // The adjudicator's labels are the settled answer, not one more rater's.
    let mut exclude = vec![crate::app::review::FINAL];
    if final_name != crate::app::review::FINAL {
        exclude.push(final_name);
    }
    let agreement = agree::agreement(&inbox.entries, &setup.reviewer, &setup.taxonomy, &exclude);
    let disagreements = agree::disagreements(&inbox.entries, &setup.reviewer, &exclude);
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        ReportFormat::Text => out
            .write_all(agree::render_text(&agreement, &disagreements, &inbox.entries).as_bytes())
            .map_err(io_failure)?,
        ReportFormat::Json => write_json(
            &mut out,
            &agree::report(&agreement, &disagreements, &inbox.entries),
        )?,
    }
    out.flush().map_err(io_failure)
}

/// One result of `triage search --format json`.
#[derive(Debug, Serialize)]
pub struct SearchRow<'a> {
    pub file: String,
    /// How well the title side matched; `None` (empty in TSV, `null` in JSON) when a
    /// term matched only in the body: those rank after every title-side match.
    pub score: Option<i64>,
    pub status: &'a str,
    pub title: &'a str,
    /// Character indices of the title's matched characters.
    pub title_matches: &'a [usize],
    /// The best matching paragraph of the body, when a term matched there.
    pub body_line: Option<&'a str>,
}

/// The articles a query matches, ranked: what `triage search` prints and
/// `triage label --query` labels.
pub(crate) struct Matches {
    /// The loaded inbox as the TUI holds it (entries, search records, decisions).
    pub state: AppState,
    /// The matches, best first; ties keep inbox order.
    pub hits: Vec<crate::search::Hit>,
    /// Where the bodies of articles loaded from the index are.
    pub texts: Option<Arc<crate::index::Shared>>,
    query: crate::search::Query,
}

impl Matches {
    /// Adds each shown hit's best matching body line where a term matched only in a
    /// body the index holds (those in memory have it already).
    fn fill_body_lines(&mut self) {
        let Some(bodies) = self.texts.as_deref() else {
            return;
        };
        // A second connection, for a second thread: half the bodies each.
        let second = bodies
            .with(|i| crate::index::Index::reopen(i.path()).ok())
            .flatten()
            .map(crate::index::Shared::new);
        let mut indexes: Vec<&dyn crate::search::BodyIndex> = vec![bodies];
        if let Some(second) = &second {
            indexes.push(second);
        }
        crate::search::fill_all_body_lines(
            &self.state.catalog.docs,
            &self.state.catalog.facets,
            &self.query,
            &mut self.hits,
            &indexes,
        );
    }

    /// One hit as `triage search` shows it.
    fn row<'a>(&'a self, hit: &'a crate::search::Hit) -> SearchRow<'a> {
        SearchRow {
            file: self.state.entries[hit.entry]
                .rel
                .to_string_lossy()
                .into_owned(),
            score: hit.shown_score(),
            status: self.state.status(hit.entry).as_str(),
            title: &self.state.catalog.docs[hit.entry].title,
            title_matches: &hit.title_chars,
            body_line: hit.body_line.as_deref(),
        }
    }

    /// Ends the command without freeing the inbox: 100,000 entries and their
    /// documents take longer to free than the search took; the process ends now,
    /// and the system takes the memory back at once.
    fn leak(self) {
        std::mem::forget(self);
    }
}

/// Loads the inbox (through the index unless `--no-index`) and ranks it for
/// `text`, with the same parsing, index and ranking as the TUI's `/`. A query that
/// does not parse is bad usage.
pub(crate) fn find_matches(setup: &Setup, text: &str) -> Result<Matches, Failure> {
    let query = crate::search::parse(text)
        .map_err(|e| Failure::Usage(format!("bad query: {e}")))?
        .with_labels(std::sync::Arc::new(crate::search::Labels::new(
            &setup.taxonomy,
        )));
    // The source list first: the index records what it suggests as articles arrive.
    let mut state = AppState::empty(setup.reviewer.clone(), setup.taxonomy.clone());
    state.sources = setup.sources.clone();
    // For `is:mine` (only then): a damaged file is a problem, not "every article
    // is mine".
    if query.filters.contains(&crate::search::Filter::Mine) {
        state.assignments = crate::team::assign::Assignments::load(&setup.inbox)
            .map_err(Failure::Problem)?
            .map(Arc::new);
    }
    // Each batch's search records made while the walk goes on.
    let inbox = setup.load_inbox_each(&mut |read| {
        state.add_entries(read);
    })?;
    let bodies = inbox
        .texts
        .as_deref()
        .map(|t| t as &dyn crate::search::BodyIndex);
    let hits = crate::search::search_with(
        &state.catalog.docs,
        &state.catalog.facets,
        &query,
        None,
        true,
        bodies,
        &|| false,
    )
    .unwrap_or_default();
    Ok(Matches {
        state,
        hits,
        texts: inbox.texts,
        query,
    })
}

/// One result as `triage search` prints it in TSV: file, status, score (empty for a
/// body-only match), title, best body line. Every field from a file is sanitized:
/// no value can add a column, a row or an escape.
fn search_tsv(row: &SearchRow) -> String {
    let fields = [
        sanitize(&row.file).into_owned(),
        row.status.to_string(),
        row.score.map(|s| s.to_string()).unwrap_or_default(),
        sanitize(row.title).into_owned(),
        sanitize(row.body_line.unwrap_or("")).into_owned(),
    ];
    fields.join("\t")
}

/// `triage search`: the same parsing, index and ranking as the TUI's `/`.
fn search(
    setup: &Setup,
    text: &str,
    limit: Option<usize>,
    format: ListFormat,
) -> Result<(), Failure> {
    let mut matches = find_matches(setup, text)?;
    matches.hits.truncate(limit.unwrap_or(usize::MAX));
    matches.fill_body_lines();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let rows: Vec<SearchRow> = matches.hits.iter().map(|h| matches.row(h)).collect();
    match format {
        ListFormat::Json => {
            write_json(&mut out, &rows)?;
        }
        ListFormat::Tsv => {
            for r in &rows {
                writeln!(out, "{}", search_tsv(r)).map_err(io_failure)?;
            }
        }
    }
    let flushed = out.flush().map_err(io_failure);
    drop(rows);
    matches.leak();
    flushed
}

/// `triage sources import`: merges a CSV into the inbox's `sources.toml`, written
/// atomically like a sidecar, and reports every row it could not use.
fn import_sources(setup: &Setup, file: &Path, map: &str) -> Result<ExitCode, Failure> {
    let map = sources::parse_map(map).map_err(|e| Failure::Usage(e.to_string()))?;
    if !setup.inbox.is_dir() {
        return Err(setup.missing_inbox());
    }
    let name = sanitize(&file.to_string_lossy()).into_owned();
    let csv = std::fs::File::open(file)
        .map_err(|e| Failure::Problem(format!("cannot read {name}: {e}")))?;
    let (merged, report) =
        sources::import_csv(csv, &name, &map, &setup.taxonomy, setup.sources.clone()).map_err(
            |e| match e {
                sources::SourcesError::Map { .. } => Failure::Usage(e.to_string()),
                _ => Failure::Problem(e.to_string()),
            },
        )?;
    let target = setup.inbox.join(sources::FILE_NAME);
    // Under the folder's lock like every write, so the start-up clean-up of crashed
    // writes never takes this one's temporary file for a leftover.
    crate::store::sidecar::lock_folder(&setup.inbox)
        .and_then(|_lock| {
            crate::store::sidecar::write_atomically(
                &setup.inbox,
                &target,
                merged.to_toml().as_bytes(),
            )
        })
        .map_err(|e| Failure::Problem(e.to_string()))?;
    let mut err = io::stderr().lock();
    for line in &report.skipped {
        let _ = writeln!(err, "skipped {}", sanitize(line));
    }
    let _ = writeln!(
        err,
        "imported {} into {} ({} in all); {} skipped",
        count(report.added, "source", "sources"),
        sanitize(&target.to_string_lossy()),
        merged.len(),
        count(report.skipped.len(), "row", "rows"),
    );
    Ok(ExitCode::SUCCESS)
}

/// `triage check`: every problem on its own line, naming its file.
fn check(setup: &Setup) -> Result<ExitCode, Failure> {
    let mut problems: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    for name in Keymap::BUILTIN_NAMES {
        if let Err(e) = Keymap::load(name, None, &setup.taxonomy) {
            problems.push(e.to_string());
        }
    }
    if let Err(e) = setup.keymap() {
        problems.push(e.to_string());
    }
    // A team's own labels.toml is its codebook: a label without a description leaves
    // the picker with nothing to say about it. Worth a warning, not a failure.
    if setup.labels_source != BUILT_IN_LABELS {
        warnings.extend(undescribed(&setup.taxonomy, &setup.labels_source));
    }
    if let Guidelines::Unreadable(why) = setup.guidelines() {
        problems.push(why);
    }
    problems.extend(setup.saved_queries().problems);
    let inbox = setup.load_inbox()?;
    problems.extend(inbox.problems.iter().cloned());
    let mut sidecars = 0;
    for e in &inbox.entries {
        // Each value is sanitized whole where it enters a line (the whole line is
        // sanitized again when printed, which then changes nothing).
        let file = sanitize(&e.rel.to_string_lossy()).into_owned();
        match &e.article {
            Err(reason) => problems.push(format!("{file}: {reason}")),
            Ok(a) => warnings.extend(a.warnings.iter().map(|w| format!("{file}: {w}"))),
        }
        for (reviewer, state) in e.mine_first(&setup.reviewer) {
            let sidecar_file = format!("{file}.{reviewer}.toml");
            match state {
                SidecarState::Missing => {}
                SidecarState::Broken(problem) => {
                    sidecars += 1;
                    problems.push(problem.clone());
                }
                SidecarState::Saved(s) => {
                    sidecars += 1;
                    for axis in Axis::ALL {
                        for id in s.decision.labels(axis) {
                            if setup.taxonomy.label(axis, id).is_none() {
                                problems.push(format!(
                                    "{sidecar_file}: {axis} id {} is not in {}",
                                    quote(id),
                                    sanitize(&setup.labels_source)
                                ));
                            }
                        }
                    }
                    if let Some(problem) = s.decision.seconds_problem() {
                        problems.push(format!("{sidecar_file}: {problem}"));
                    }
                    if s.reviewer != reviewer {
                        problems.push(format!(
                            "{sidecar_file}: says reviewer {} but its name says {reviewer:?}",
                            quote(&s.reviewer)
                        ));
                    }
                }
            }
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    // Every path inside the inbox is written relative to it, as the articles are:
    // the store's messages name full paths.
    let mut emit = |line: String| writeln!(out, "{}", sanitize(&relative_to(&setup.inbox, &line)));
    for w in &warnings {
        let _ = emit(format!("warning: {w}"));
    }
    for p in &problems {
        let _ = emit(format!("problem: {p}"));
    }
    let _ = emit(format!(
        "checked {}, {}, {}, keymap {}: {}",
        count(inbox.entries.len(), "article", "articles"),
        count(sidecars, "sidecar", "sidecars"),
        sanitize(&setup.labels_source),
        sanitize(&setup.keymap_choice),
        count(problems.len(), "problem", "problems"),
    ));
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What `Setup::labels_source` says when no labels.toml is in use.
const BUILT_IN_LABELS: &str = "built-in labels";

/// One warning per axis that has labels without a description, listing their ids.
fn undescribed(taxonomy: &Taxonomy, source: &str) -> Vec<String> {
    taxonomy
        .undescribed()
        .into_iter()
        .map(|(axis, labels)| {
            let ids: Vec<&str> = labels.iter().map(|l| l.id.as_str()).collect();
            format!(
                "{}: {} without a description: {}",
                sanitize(source),
                count(
                    ids.len(),
                    &format!("{axis} label"),
                    &format!("{axis} labels")
                ),
                ids.join(", ")
            )
        })
        .collect()
}

/// `text` with every path that starts with the inbox folder written relative to it.
/// A path counts where it starts the text or follows a space, a quote or a bracket,
/// so the inbox's name inside a longer path or word is left alone.
fn relative_to(inbox: &Path, text: &str) -> String {
    if inbox.as_os_str().is_empty() {
        return text.to_string();
    }
    let prefix = format!("{}{}", inbox.display(), std::path::MAIN_SEPARATOR);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&prefix) {
        let before = rest[..at]
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back());
        let starts_path = before.is_none_or(|c| c.is_whitespace() || "\"'`([{".contains(c));
        out.push_str(&rest[..at]);
        if !starts_path {
            out.push_str(&prefix);
        }
        rest = &rest[at + prefix.len()..];
    }
    out.push_str(rest);
    out
}

/// Why an article cannot be labeled, when it cannot: a decision is about the bytes it
/// was made on; without them there is nothing to record in `article_sha256`, and no
/// way to tell later whether the article changed.
pub(crate) fn unlabelable(entry: &Entry, path: &std::path::Path) -> Option<String> {
    if entry.sha256.is_some() {
        return None;
    }
    let reason = entry
        .article
        .as_ref()
        .err()
        .map_or("it cannot be read", String::as_str);
    Some(format!(
        "{}: {reason}, so it cannot be labeled",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match Cli::try_parse_from(&args) {
            Ok(_) => panic!("{args:?} parsed"),
            Err(err) => argument_error(&err, &args),
        }
    }

    #[test]
    fn argument_errors_are_one_sentence_with_the_commands_help() {
        let cases = [
            (
                vec!["triage", "--bogus"],
                "unexpected argument '--bogus'; see 'triage --help'",
            ),
            (
                vec!["triage", "label"],
                "label needs <FILE> or --query; see 'triage label --help'",
            ),
            (
                vec!["triage", "label", "a.txt", "--query", "x"],
                "<FILE> cannot be used with --query; see 'triage label --help'",
            ),
            (
                vec!["triage", "suggest", "--evaluate", "a.txt"],
                "--evaluate cannot be used with <FILES>; see 'triage suggest --help'",
            ),
            (
                vec!["triage", "list", "--format", "xml"],
                "--format takes tsv or json, not 'xml'; see 'triage list --help'",
            ),
            (
                vec!["triage", "--reviwer", "ann"],
                "unexpected argument '--reviwer' (did you mean '--reviewer'?); see 'triage --help'",
            ),
            (
                vec!["triage", "lst"],
                "unknown command 'lst' (did you mean 'list'?); see 'triage --help'",
            ),
            (
                vec!["triage", "sources"],
                "sources needs a command: import; see 'triage sources --help'",
            ),
            (
                vec!["triage", "label", "a.txt", "--clear", "all"],
                "--clear takes region, theme or reliability, not 'all'; see 'triage label --help'",
            ),
        ];
        for (args, said) in cases {
            let sentence = parse_error(&args);
            assert_eq!(sentence, said, "{args:?}");
            assert!(!sentence.contains('\n'), "{args:?}");
        }
    }

    #[test]
    fn check_writes_paths_in_the_inbox_relative_to_it() {
        let inbox = Path::new("/data/inbox");
        assert_eq!(
            relative_to(inbox, "/data/inbox/europe/a.md.bob.toml:2: unclosed array"),
            "europe/a.md.bob.toml:2: unclosed array"
        );
        assert_eq!(
            relative_to(
                inbox,
                "a.txt: region id \"x\" is not in /data/inbox/labels.toml"
            ),
            "a.txt: region id \"x\" is not in labels.toml"
        );
        // Only where a path starts: another folder that ends the same way stays whole.
        assert_eq!(
            relative_to(inbox, "see /x/data/inbox/a.txt and /data/inbox/b.txt"),
            "see /x/data/inbox/a.txt and b.txt"
        );
        assert_eq!(
            relative_to(Path::new("inbox"), "inbox/a.txt, myinbox/b.txt"),
            "a.txt, myinbox/b.txt"
        );
    }
}
