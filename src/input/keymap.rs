//! Keymap files: reading, merging a user's overrides, and refusing conflicts.
//!
//! A keymap is checked as a whole at start-up, because a conflict found only when the
//! key is pressed would silently do the wrong thing to someone's labels. Every binding
//! remembers the file and line it came from so that an error can point at both sides.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use crate::app::{Action, Context};
use crate::labels::{Axis, Taxonomy, line_of};

use super::key::{Key, parse_sequence, sequence_to_string};

/// The keymaps every binary carries, as `--keymap NAME` chooses them.
const BUILTINS: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// Contexts that are active at the same time (the focused pane plus `global`), so a key
/// may not mean two things across them.
const ACTIVE_TOGETHER: [(Context, Context); 2] = [
    (Context::List, Context::Global),
    (Context::Reader, Context::Global),
];

/// Contexts in which the taxonomy's reliability keys are pressed directly.
const RELIABILITY_CONTEXTS: [Context; 3] = [Context::Global, Context::List, Context::Reader];

/// One key sequence and what it does in its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The sequence to type: `g g` is `[g, g]`; most bindings are one key.
    pub keys: Vec<Key>,
    /// What the key asks the state to do.
    pub action: Action,
    /// What help and the status line say: the file's `desc`, else the action's own words.
    pub desc: String,
}

impl Binding {
    /// The sequence as help shows it (`g g`, `Ctrl-r`).
    pub fn keys_text(&self) -> String {
        sequence_to_string(&self.keys)
    }
}

/// A row of the help overlay: every key of one action with one description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry<'a> {
    /// Display strings of the sequences, in file order (`["j", "Down"]`).
    pub keys: Vec<String>,
    /// The action those keys share, so help can mark what is available right now.
    pub action: &'a Action,
    /// The binding's description.
    pub desc: &'a str,
}

/// Why a keymap was refused. Start-up stops on it, so the message has to tell the
/// reviewer exactly which line to change.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// `--keymap` named neither a built-in keymap nor an existing file.
    #[error(
        "there is no built-in keymap {name:?}; choose {}, or give the path of a keymap file",
        Keymap::BUILTIN_NAMES.join(" or ")
    )]
    NoSuchKeymap { name: String },
    /// The keymap or override file exists (or was named as a path) but cannot be read as text.
    #[error("cannot read keymap {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    /// The file was read but says something that cannot be used; `problem` names the
    /// context, the key and, for a conflict, both actions.
    #[error("{file}:{line}: {problem}")]
    Invalid {
        file: String,
        line: usize,
        problem: String,
    },
}

/// Where a binding came from, for messages and for deciding which side of a conflict
/// to blame (the user's file over the chosen keymap, a later line over an earlier one).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    File {
        file: String,
        line: usize,
        user: bool,
    },
    /// The taxonomy's reliability keys, with the file it was read from.
    Taxonomy(String),
}

impl Origin {
    fn rank(&self) -> (bool, usize) {
        match self {
            Origin::File { line, user, .. } => (*user, *line),
            Origin::Taxonomy(_) => (true, usize::MAX),
        }
    }

    fn file(&self) -> &str {
        match self {
            Origin::File { file, .. } => file,
            Origin::Taxonomy(file) => file,
        }
    }

    fn line(&self) -> usize {
        match self {
            Origin::File { line, .. } => *line,
            Origin::Taxonomy(_) => 0,
        }
    }

    /// "line 5" when the reader is already looking at this file, else "FILE line 5".
    fn describe_from(&self, blamed_file: &str) -> String {
        match self {
            Origin::File { file, line, .. } if file == blamed_file => format!("line {line}"),
            Origin::File { file, line, .. } => format!("{file} line {line}"),
            Origin::Taxonomy(file) => file.clone(),
        }
    }
}

/// A binding while the keymap is being assembled.
#[derive(Debug, Clone)]
struct Entry {
    binding: Binding,
    origin: Origin,
}

type Entries = [Vec<Entry>; Context::ALL.len()];

/// The bindings of every context, checked against each other and the taxonomy.
#[derive(Debug, Clone)]
pub struct Keymap {
    name: String,
    user_file: Option<String>,
    bindings: [Vec<Binding>; Context::ALL.len()],
    origins: [Vec<Origin>; Context::ALL.len()],
}

impl Keymap {
    /// Names `--keymap` accepts besides a path.
    pub const BUILTIN_NAMES: &'static [&'static str] = &["default", "vim"];

    /// The text of a built-in keymap, for `triage check` and for users who want a copy
    /// to start their own from.
    pub fn builtin(name: &str) -> Option<&'static str> {
        BUILTINS
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .map(|(_, text)| *text)
    }

    /// Loads the keymap the reviewer chose and their overrides.
    ///
    /// `choice` is a built-in name or a path to a keymap file; `user_file` is the
    /// override file when it exists (see [`user_keymap_path`]). The taxonomy's
    /// reliability keys become bindings in `global`, because they are pressed directly;
    /// a keymap that already uses one of them, or a picker binding that would shadow a
    /// region or theme key, is refused.
    pub fn load(
        choice: &str,
        user_file: Option<&Path>,
        taxonomy: &Taxonomy,
    ) -> Result<Keymap, KeymapError> {
        let mut keymap = match Keymap::builtin(choice) {
            Some(text) => {
                let mut keymap = Keymap::parse(&format!("keymaps/{choice}.toml"), text, taxonomy)?;
                keymap.name = choice.to_string();
                keymap
            }
            None => {
                let path = Path::new(choice);
                if !path.exists() && !choice.contains(['/', '\\', '.']) {
                    return Err(KeymapError::NoSuchKeymap {
                        name: choice.to_string(),
                    });
                }
                Keymap::parse(&path.display().to_string(), &read(path)?, taxonomy)?
            }
        };
        if let Some(user) = user_file {
            keymap = keymap.with_overrides(&user.display().to_string(), &read(user)?, taxonomy)?;
        }
        Ok(keymap)
    }

    /// Reads and checks a keymap's text; `file` names it in messages and becomes its
    /// [`name`](Keymap::name).
    pub fn parse(file: &str, text: &str, taxonomy: &Taxonomy) -> Result<Keymap, KeymapError> {
        let mut entries = parse_file(file, text, false, taxonomy)?;
        finish(&mut entries, taxonomy)?;
        Ok(Keymap::from_entries(file.to_string(), None, entries))
    }

    /// Applies a user's override file: each of its bindings replaces whatever its key
    /// sequence did in that context (and any binding of that context it would make
    /// untypeable, such as `g g` when the user binds `g`); the other keys of the
    /// replaced action stay. The result is checked again as a whole.
    pub fn with_overrides(
        self,
        file: &str,
        text: &str,
        taxonomy: &Taxonomy,
    ) -> Result<Keymap, KeymapError> {
        let overrides = parse_file(file, text, true, taxonomy)?;
        let name = self.name.clone();
        let mut entries = self.into_entries();
        for (slot, user_entries) in entries.iter_mut().zip(overrides) {
            slot.retain(|e| !matches!(e.origin, Origin::Taxonomy(_)));
            for user_entry in user_entries {
                let keys = &user_entry.binding.keys;
                // Only the chosen keymap's bindings give way; two of the user's own
                // that hide each other are a conflict reported in their file.
                let hides = |e: &Entry| {
                    matches!(e.origin, Origin::File { user: false, .. })
                        && (e.binding.keys.starts_with(keys) || keys.starts_with(&e.binding.keys))
                };
                let at = slot.iter().position(hides);
                slot.retain(|e| !hides(e));
                match at {
                    Some(at) => slot.insert(at.min(slot.len()), user_entry),
                    None => slot.push(user_entry),
                }
            }
        }
        finish(&mut entries, taxonomy)?;
        Ok(Keymap::from_entries(name, Some(file.to_string()), entries))
    }

    /// What the help title calls this keymap: `default`, `vim`, or the path it was read from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The override file applied on top, if any, so help can say where a key came from.
    pub fn user_file(&self) -> Option<&str> {
        self.user_file.as_deref()
    }

    /// The bindings of one context in file order (the taxonomy's reliability keys last
    /// in `global`), which is the order help lists them in.
    pub fn bindings(&self, context: Context) -> &[Binding] {
        &self.bindings[slot(context)]
    }

    /// Display strings of the key sequences bound to an action in a context
    /// (`["j", "Down"]`, `["g g"]`), so the status line names the keys that really work.
    pub fn keys_for(&self, context: Context, action: &Action) -> Vec<String> {
        self.bindings(context)
            .iter()
            .filter(|b| b.action == *action)
            .map(Binding::keys_text)
            .collect()
    }

    /// The help overlay's rows for a context: the bindings grouped by action and
    /// description, in the order they first appear.
    pub fn help_entries(&self, context: Context) -> Vec<HelpEntry<'_>> {
        let mut rows: Vec<HelpEntry<'_>> = Vec::new();
        for binding in self.bindings(context) {
            let keys = binding.keys_text();
            match rows
                .iter_mut()
                .find(|row| *row.action == binding.action && row.desc == binding.desc)
            {
                Some(row) => row.keys.push(keys),
                None => rows.push(HelpEntry {
                    keys: vec![keys],
                    action: &binding.action,
                    desc: &binding.desc,
                }),
            }
        }
        rows
    }

    fn from_entries(name: String, user_file: Option<String>, entries: Entries) -> Keymap {
        let mut bindings: [Vec<Binding>; Context::ALL.len()] = Default::default();
        let mut origins: [Vec<Origin>; Context::ALL.len()] = Default::default();
        for ((slot_entries, slot_bindings), slot_origins) in
            entries.into_iter().zip(&mut bindings).zip(&mut origins)
        {
            for entry in slot_entries {
                slot_bindings.push(entry.binding);
                slot_origins.push(entry.origin);
            }
        }
        Keymap {
            name,
            user_file,
            bindings,
            origins,
        }
    }

    fn into_entries(self) -> Entries {
        let mut entries: Entries = Default::default();
        for ((slot_entries, slot_bindings), slot_origins) in
            entries.iter_mut().zip(self.bindings).zip(self.origins)
        {
            slot_entries.extend(
                slot_bindings
                    .into_iter()
                    .zip(slot_origins)
                    .map(|(binding, origin)| Entry { binding, origin }),
            );
        }
        entries
    }
}

/// Where the reviewer's override file lives: `$XDG_CONFIG_HOME/triage/keymap.toml`, or
/// `~/.config/triage/keymap.toml` when that variable is unset or not absolute (as the XDG
/// spec asks). Whether the file exists is the caller's question.
pub fn user_keymap_path() -> Option<PathBuf> {
    user_keymap_path_from(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

fn user_keymap_path_from(
    xdg_config_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let config = xdg_config_home
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| {
            home.filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })?;
    Some(config.join("triage").join("keymap.toml"))
}

fn read(path: &Path) -> Result<String, KeymapError> {
    crate::files::read_config_file(path, crate::files::CONFIG_LIMIT).map_err(|source| {
        KeymapError::Read {
            file: path.display().to_string(),
            source,
        }
    })
}

fn slot(context: Context) -> usize {
    context as usize
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table holding bindings = [ { keys = [...], action = ... }, ... ]"
)]
struct RawContext {
    #[serde(default)]
    bindings: Vec<Spanned<RawBinding>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a binding such as { keys = [\"j\"], action = \"next\", desc = \"Next article\" }"
)]
struct RawBinding {
    keys: Spanned<Vec<Spanned<String>>>,
    action: Spanned<toml::Value>,
    #[serde(default)]
    desc: Option<String>,
}

/// Reads one file into per-context entries, refusing anything malformed and any key
/// sequence the file binds twice in one context.
fn parse_file(
    file: &str,
    text: &str,
    user: bool,
    taxonomy: &Taxonomy,
) -> Result<Entries, KeymapError> {
    let invalid = |offset: usize, problem: String| KeymapError::Invalid {
        file: file.to_string(),
        line: line_of(text, offset),
        problem,
    };
    let syntax = |e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        invalid(offset, e.message().trim().to_string())
    };
    // Table names first, so that a stray top-level key is reported as what it is.
    let tables: BTreeMap<Spanned<String>, IgnoredAny> = toml::from_str(text).map_err(syntax)?;
    for name in tables.keys() {
        if !Context::ALL.iter().any(|c| c.as_str() == name.get_ref()) {
            let known: Vec<&str> = Context::ALL.iter().map(|c| c.as_str()).collect();
            return Err(invalid(
                name.span().start,
                format!(
                    "unknown table [{}]; keymap tables are {}",
                    name.get_ref(),
                    known.join(", ")
                ),
            ));
        }
    }
    let raw: BTreeMap<Spanned<String>, RawContext> = toml::from_str(text).map_err(syntax)?;

    let mut entries: Entries = Default::default();
    for (name, raw_context) in raw {
        let Some(&context) = Context::ALL.iter().find(|c| c.as_str() == name.get_ref()) else {
            continue; // refused above
        };
        for raw_binding in raw_context.bindings {
            let raw_binding = raw_binding.into_inner();
            let keys_span = raw_binding.keys.span();
            let action_at = raw_binding.action.span().start;
            let action = parse_action(raw_binding.action.into_inner(), context)
                .map_err(|problem| invalid(action_at, problem))?;
            if let Action::SetReliability(id) = &action
                && taxonomy.label(Axis::Reliability, id).is_none()
            {
                let ids: Vec<&str> = taxonomy
                    .reliability
                    .labels
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect();
                return Err(invalid(
                    action_at,
                    format!(
                        "unknown reliability {id:?} in [{context}]; the reliability ids in {} are {}",
                        taxonomy.source,
                        ids.join(", "),
                        context = context.as_str()
                    ),
                ));
            }
            let desc = match raw_binding.desc {
                Some(desc) if !desc.trim().is_empty() => desc,
                _ => action.describe(),
            };
            let key_texts = raw_binding.keys.into_inner();
            if key_texts.is_empty() {
                return Err(invalid(
                    keys_span.start,
                    format!(
                        "a binding for {} in [{}] has no keys",
                        action_name(&action),
                        context.as_str()
                    ),
                ));
            }
            for key_text in key_texts {
                let at = key_text.span().start;
                let keys = parse_sequence(key_text.get_ref()).map_err(|problem| {
                    invalid(at, format!("{problem} (in [{}])", context.as_str()))
                })?;
                let entry = Entry {
                    binding: Binding {
                        keys,
                        action: action.clone(),
                        desc: desc.clone(),
                    },
                    origin: Origin::File {
                        file: file.to_string(),
                        line: line_of(text, at),
                        user,
                    },
                };
                let slot_entries = &mut entries[slot(context)];
                if let Some(earlier) = slot_entries
                    .iter()
                    .find(|e| e.binding.keys == entry.binding.keys)
                {
                    return Err(conflict((earlier, context), (&entry, context)));
                }
                slot_entries.push(entry);
            }
        }
    }
    Ok(entries)
}

/// Turns the `action` value into an [`Action`], explaining what is wrong when it is not one.
fn parse_action(value: toml::Value, context: Context) -> Result<Action, String> {
    if let Ok(action) = Action::deserialize(value.clone()) {
        return Ok(action);
    }
    let context = context.as_str();
    let (name, with_value) = match &value {
        toml::Value::String(name) => (name.clone(), false),
        toml::Value::Table(table) if table.len() == 1 => match table.keys().next() {
            Some(name) => (name.clone(), true),
            None => (String::new(), true),
        },
        _ => {
            return Err(format!(
                "the action in [{context}] must be a name such as \"next\" or a table such as {{ set_reliability = \"unreliable\" }}"
            ));
        }
    };
    let unit = Action::deserialize(toml::Value::String(name.clone())).is_ok();
    let mut probe = toml::map::Map::new();
    probe.insert(name.clone(), toml::Value::String(String::new()));
    let with_text = Action::deserialize(toml::Value::Table(probe)).is_ok();
    Err(match (unit, with_text, with_value) {
        (false, false, _) => format!("unknown action {name:?} in [{context}]"),
        (true, _, true) => {
            format!("action {name:?} in [{context}] takes no value; write action = {name:?}")
        }
        _ => format!(
            "action {name:?} in [{context}] needs a text value, as in {{ {name} = \"...\" }}"
        ),
    })
}

/// The action as a keymap file names it, for messages: `next`, `set_reliability "mixed"`.
fn action_name(action: &Action) -> String {
    match toml::Value::try_from(action) {
        Ok(toml::Value::String(name)) => name,
        Ok(toml::Value::Table(table)) => {
            let mut out = String::new();
            for (name, value) in &table {
                if !out.is_empty() {
                    out.push(' ');
                }
                let _ = write!(out, "{name} {value}");
            }
            out
        }
        _ => action.describe(),
    }
}

/// Checks the assembled keymap as a whole, then adds the taxonomy's reliability keys.
fn finish(entries: &mut Entries, taxonomy: &Taxonomy) -> Result<(), KeymapError> {
    check_sequences(entries)?;
    check_reliability_keys(entries, taxonomy)?;
    check_picker_keys(entries, taxonomy)?;
    let global = &mut entries[slot(Context::Global)];
    for label in &taxonomy.reliability.labels {
        let key = Key::char(label.key);
        let action = Action::SetReliability(label.id.to_string());
        if global
            .iter()
            .any(|e| e.binding.keys == [key] && e.binding.action == action)
        {
            continue; // the file already binds it, with its own description
        }
        global.push(Entry {
            binding: Binding {
                keys: vec![key],
                action,
                desc: label.name.clone(),
            },
            origin: Origin::Taxonomy(taxonomy.source.clone()),
        });
    }
    Ok(())
}

/// No key sequence may mean two things, or start another, among contexts that are
/// active at the same time.
fn check_sequences(entries: &Entries) -> Result<(), KeymapError> {
    let mut pairs: Vec<(Context, Context)> = Context::ALL.iter().map(|&c| (c, c)).collect();
    pairs.extend(ACTIVE_TOGETHER);
    for (a, b) in pairs {
        for (i, x) in entries[slot(a)].iter().enumerate() {
            let others = &entries[slot(b)];
            let start = if a == b { i + 1 } else { 0 };
            for y in others.iter().skip(start) {
                let (xs, ys) = (&x.binding.keys, &y.binding.keys);
                if xs.starts_with(ys) || ys.starts_with(xs) {
                    return Err(conflict((x, a), (y, b)));
                }
            }
        }
    }
    Ok(())
}

/// Describes two bindings that cannot live together, blaming the later one.
fn conflict(x: (&Entry, Context), y: (&Entry, Context)) -> KeymapError {
    let (earlier, later) = if x.0.origin.rank() <= y.0.origin.rank() {
        (x, y)
    } else {
        (y, x)
    };
    let ((e, e_ctx), (l, l_ctx)) = (earlier, later);
    let file = l.origin.file().to_string();
    let e_loc = e.origin.describe_from(&file);
    let l_loc = l.origin.describe_from(&file);
    let (e_keys, l_keys) = (e.binding.keys_text(), l.binding.keys_text());
    let (e_action, l_action) = (
        action_name(&e.binding.action),
        action_name(&l.binding.action),
    );
    let (e_ctx, l_ctx) = (e_ctx.as_str(), l_ctx.as_str());
    let problem = if e.binding.keys == l.binding.keys {
        if e_ctx == l_ctx {
            format!(
                "{l_keys:?} in [{l_ctx}] is bound to both {e_action} ({e_loc}) and {l_action} ({l_loc})"
            )
        } else {
            format!(
                "{l_keys:?} is bound to both {e_action} in [{e_ctx}] ({e_loc}) and {l_action} in [{l_ctx}] ({l_loc}), and [{e_ctx}] and [{l_ctx}] are active together"
            )
        }
    } else {
        let ((s_keys, s_action, s_ctx, s_loc), (g_keys, g_action, g_ctx, g_loc)) =
            if e.binding.keys.len() < l.binding.keys.len() {
                (
                    (e_keys, e_action, e_ctx, e_loc),
                    (l_keys, l_action, l_ctx, l_loc),
                )
            } else {
                (
                    (l_keys, l_action, l_ctx, l_loc),
                    (e_keys, e_action, e_ctx, e_loc),
                )
            };
        format!(
            "{s_keys:?} in [{s_ctx}] is bound to {s_action} ({s_loc}) but also starts {g_keys:?} in [{g_ctx}], bound to {g_action} ({g_loc}), which could then never be typed"
        )
    };
    KeymapError::Invalid {
        file,
        line: l.origin.line(),
        problem,
    }
}

/// Reliability keys are pressed directly, so nothing active next to them may use them.
fn check_reliability_keys(entries: &Entries, taxonomy: &Taxonomy) -> Result<(), KeymapError> {
    for label in &taxonomy.reliability.labels {
        let key = Key::char(label.key);
        let own = Action::SetReliability(label.id.to_string());
        for context in RELIABILITY_CONTEXTS {
            for entry in &entries[slot(context)] {
                let keys = &entry.binding.keys;
                if keys.first() != Some(&key) {
                    continue;
                }
                if context == Context::Global && keys.len() == 1 && entry.binding.action == own {
                    continue;
                }
                let file = entry.origin.file().to_string();
                return Err(KeymapError::Invalid {
                    line: entry.origin.line(),
                    problem: format!(
                        "{:?} in [{}] is bound to {} ({}) and is also the key of reliability {:?} in {}",
                        entry.binding.keys_text(),
                        context.as_str(),
                        action_name(&entry.binding.action),
                        entry.origin.describe_from(&file),
                        label.id,
                        taxonomy.source,
                    ),
                    file,
                });
            }
        }
    }
    Ok(())
}

/// In an open picker a label's key toggles it and its capital toggles and keeps the
/// picker open; a binding on either would take that label out of reach.
fn check_picker_keys(entries: &Entries, taxonomy: &Taxonomy) -> Result<(), KeymapError> {
    for entry in &entries[slot(Context::Picker)] {
        let Some(first) = entry.binding.keys.first() else {
            continue;
        };
        let crossterm::event::KeyCode::Char(c) = first.code else {
            continue;
        };
        if !first.mods.is_empty() {
            continue;
        }
        for axis in [Axis::Region, Axis::Theme] {
            for label in &taxonomy.axis(axis).labels {
                let capital = Key::new(
                    crossterm::event::KeyCode::Char(label.key),
                    crossterm::event::KeyModifiers::SHIFT,
                );
                let role = if c == label.key {
                    "the key"
                } else if *first == capital {
                    "the capital of the key"
                } else {
                    continue;
                };
                let file = entry.origin.file().to_string();
                return Err(KeymapError::Invalid {
                    line: entry.origin.line(),
                    problem: format!(
                        "{:?} in [picker] is bound to {} ({}) but is {role} of {axis} {:?} in {}; an open picker needs label keys and their capitals for the labels",
                        entry.binding.keys_text(),
                        action_name(&entry.binding.action),
                        entry.origin.describe_from(&file),
                        label.id,
                        taxonomy.source,
                    ),
                    file,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Keymap, String> {
        Keymap::parse("x.toml", text, &Taxonomy::default()).map_err(|e| e.to_string())
    }

    fn refused(text: &str) -> String {
        match parse(text) {
            Ok(keymap) => panic!("accepted: {:?}", keymap.bindings(Context::List)),
            Err(e) => e,
        }
    }

    fn default_keymap() -> Keymap {
        Keymap::load("default", None, &Taxonomy::default()).expect("default keymap loads")
    }

    fn keys(keymap: &Keymap, context: Context, action: Action) -> String {
        keymap.keys_for(context, &action).join(" / ")
    }

    #[test]
    fn every_builtin_keymap_loads_against_the_default_taxonomy() {
        let names: Vec<&str> = BUILTINS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, Keymap::BUILTIN_NAMES);
        for name in Keymap::BUILTIN_NAMES {
            let keymap = Keymap::load(name, None, &Taxonomy::default())
                .unwrap_or_else(|e| panic!("keymap {name}: {e}"));
            assert_eq!(keymap.name(), *name);
            for context in Context::ALL {
                assert!(
                    !keymap.bindings(context).is_empty(),
                    "{name} binds nothing in [{}]",
                    context.as_str()
                );
            }
        }
    }

    #[test]
    fn every_file_in_keymaps_is_built_in() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("keymaps/ is readable") {
            let path = entry.expect("keymaps/ entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                let text = std::fs::read_to_string(&path).expect("keymap file is text");
                assert_eq!(Keymap::builtin(&stem), Some(text.as_str()), "{stem}");
                found.push(stem);
            }
        }
        found.sort();
        let mut builtin = Keymap::BUILTIN_NAMES.to_vec();
        builtin.sort();
        assert_eq!(found, builtin);
    }

    #[test]
    fn default_keymap_is_the_product_table() {
        use Action::*;
        let k = default_keymap();
        let list = [
            (Next, "j / Down"),
            (Prev, "k / Up"),
            (First, "g / Home"),
            (Last, "G / End"),
            (ToggleFold, "z"),
            (ToggleAllFolds, "Z"),
            (SavedSearches, "b"),
        ];
        let global = [
            (ScrollDown, "J / PageDown"),
            (ScrollUp, "K / PageUp"),
            (PickRegion, "r"),
            (PickTheme, "t"),
            (Accept, "a"),
            (Done, "Enter"),
            (Skip, "x"),
            (Flag, "f"),
            (Note, "c"),
            (Undo, "u"),
            (Redo, "Ctrl-r"),
            (Search, "/"),
            (NextMatch, "n"),
            (PrevMatch, "N"),
            (Help, "?"),
            (NextTodo, "Space"),
            (CopyUrl, "y"),
            (OpenPager, "v"),
            (OpenBrowser, "O"),
            (ToggleOthers, "o"),
            (CycleOrder, "s"),
            (Review, "R"),
            (Stats, "S"),
            (Save, "Ctrl-s"),
            (Sync, "Ctrl-g"),
            (Mark, "m"),
            (MarkAll, "M"),
            (Repeat, "."),
            (Suspend, "Ctrl-z"),
            (Quit, "q / Ctrl-c"),
            (FocusNext, "Tab"),
            (Close, "Esc"),
            (SetReliability("reliable".into()), "1"),
            (SetReliability("mostly-reliable".into()), "2"),
            (SetReliability("mixed".into()), "3"),
            (SetReliability("unreliable".into()), "4"),
            (SetReliability("fabricated".into()), "5"),
        ];
        let reader = [
            (LineDown, "j / Down"),
            (LineUp, "k / Up"),
            (ScrollTop, "g / Home"),
            (ScrollBottom, "G / End"),
            (SavedSearches, "b"),
        ];
        let picker = [
            (Close, "Esc"),
            (Confirm, "Enter"),
            (Filter, "/"),
            (MenuDown, "Down"),
            (MenuUp, "Up"),
            (Toggle, "Space"),
            (Suspend, "Ctrl-z"),
        ];
        let search = [
            (Close, "Esc"),
            (Confirm, "Enter"),
            (MenuDown, "Ctrl-n"),
            (MenuUp, "Ctrl-p"),
            (HistoryPrev, "Up"),
            (HistoryNext, "Down"),
            (Suspend, "Ctrl-z"),
        ];
        let note = [(Close, "Esc"), (Confirm, "Enter"), (Suspend, "Ctrl-z")];
        let help = [
            (Close, "Esc / ? / q"),
            (MenuDown, "j / Down"),
            (MenuUp, "k / Up"),
            (Suspend, "Ctrl-z"),
        ];
        let conflict = [
            (Overwrite, "o"),
            (KeepTheirs, "k"),
            (Close, "Esc"),
            (MenuDown, "Down"),
            (MenuUp, "Up"),
            (Suspend, "Ctrl-z"),
        ];
        let saved_searches = [
            (Close, "Esc / b"),
            (Confirm, "Enter"),
            (MenuDown, "j / Down"),
            (MenuUp, "k / Up"),
            (Suspend, "Ctrl-z"),
        ];
        let tables: [(Context, &[(Action, &str)]); 9] = [
            (Context::List, &list),
            (Context::Global, &global),
            (Context::Reader, &reader),
            (Context::Picker, &picker),
            (Context::Search, &search),
            (Context::Note, &note),
            (Context::Help, &help),
            (Context::Conflict, &conflict),
            (Context::SavedSearches, &saved_searches),
        ];
        for (context, table) in tables {
            for (action, expected) in table {
                assert_eq!(
                    keys(&k, context, action.clone()),
                    *expected,
                    "{action:?} in [{}]",
                    context.as_str()
                );
            }
            let bound: usize = table
                .iter()
                .map(|(_, keys)| keys.split(" / ").count())
                .sum();
            assert_eq!(
                k.bindings(context).len(),
                bound,
                "[{}] binds only the product's keys",
                context.as_str()
            );
        }
    }

    #[test]
    fn every_binding_has_a_description() {
        for name in Keymap::BUILTIN_NAMES {
            let keymap = Keymap::load(name, None, &Taxonomy::default()).expect("loads");
            for context in Context::ALL {
                for binding in keymap.bindings(context) {
                    assert!(!binding.desc.trim().is_empty(), "{name}: {binding:?}");
                }
            }
        }
        let k = default_keymap();
        let four = k
            .bindings(Context::Global)
            .iter()
            .find(|b| b.keys == [Key::char('4')])
            .expect("4 is bound");
        assert_eq!(four.desc, "Unreliable");
    }

    #[test]
    fn missing_desc_falls_back_to_the_action_words() {
        let k =
            parse("[list]\nbindings = [{ keys = [\"j\"], action = \"next\" }]\n").expect("loads");
        assert_eq!(k.bindings(Context::List)[0].desc, "next article");
    }

    #[test]
    fn duplicate_key_in_one_context_names_file_line_and_both_actions() {
        let text = "[list]\nbindings = [\n  { keys = [\"j\", \"down\"], action = \"next\" },\n  { keys = [\"k\"], action = \"prev\" },\n  { keys = [\"j\"], action = \"last\" },\n]\n";
        assert_eq!(
            refused(text),
            "x.toml:5: \"j\" in [list] is bound to both next (line 3) and last (line 5)"
        );
        // Different spellings of one key are the same key.
        let text = "[list]\nbindings = [\n  { keys = [\"down\"], action = \"next\" },\n  { keys = [\"Down\"], action = \"prev\" },\n]\n";
        assert_eq!(
            refused(text),
            "x.toml:4: \"Down\" in [list] is bound to both next (line 3) and prev (line 4)"
        );
    }

    #[test]
    fn a_global_key_also_bound_in_list_or_reader_is_a_conflict() {
        let text = "[global]\nbindings = [\n  { keys = [\"q\"], action = \"quit\" },\n]\n[list]\nbindings = [\n  { keys = [\"q\"], action = \"next\" },\n]\n";
        let err = refused(text);
        assert!(err.starts_with("x.toml:7: \"q\" is bound to both quit in [global] (line 3) and next in [list] (line 7)"), "{err}");
        let text = "[reader]\nbindings = [{ keys = [\"q\"], action = \"line_down\" }]\n[global]\nbindings = [{ keys = [\"q\"], action = \"quit\" }]\n";
        let err = refused(text);
        assert!(err.starts_with("x.toml:4: \"q\" is bound to both line_down in [reader] (line 2) and quit in [global] (line 4)"), "{err}");
        // List and reader are never active together, nor are overlays with global.
        parse("[list]\nbindings = [{ keys = [\"j\"], action = \"next\" }]\n[reader]\nbindings = [{ keys = [\"j\"], action = \"line_down\" }]\n[help]\nbindings = [{ keys = [\"j\"], action = \"menu_down\" }]\n")
            .expect("same key in contexts never active together");
    }

    #[test]
    fn a_sequence_may_not_start_with_a_bound_key() {
        let text = "[list]\nbindings = [\n  { keys = [\"g\"], action = \"first\" },\n  { keys = [\"g g\"], action = \"last\" },\n]\n";
        let err = refused(text);
        assert!(err.starts_with("x.toml:4: \"g\" in [list] is bound to first (line 3) but also starts \"g g\" in [list]"), "{err}");
        let text = "[list]\nbindings = [{ keys = [\"g g\"], action = \"first\" }]\n[global]\nbindings = [{ keys = [\"g\"], action = \"quit\" }]\n";
        let err = refused(text);
        assert!(err.starts_with("x.toml:4: \"g\" in [global] is bound to quit (line 4) but also starts \"g g\" in [list]"), "{err}");
    }

    #[test]
    fn unknown_actions_are_refused_on_their_own_line() {
        let text = "[list]\nbindings = [\n  { keys = [\"j\"], action = \"next\" },\n  { keys = [\"z\"],\n    action = \"frobnicate\" },\n]\n";
        assert_eq!(
            refused(text),
            "x.toml:5: unknown action \"frobnicate\" in [list]"
        );
        // Actions the loop makes itself cannot be bound.
        for action in [
            "\"input\"",
            "{ input = \"x\" }",
            "\"backspace\"",
            "\"picker_key\"",
            "\"resize\"",
        ] {
            let text =
                format!("[note]\nbindings = [\n  {{ keys = [\"z\"], action = {action} }},\n]\n");
            let err = refused(&text);
            assert!(
                err.starts_with("x.toml:3: unknown action"),
                "{action}: {err}"
            );
        }
    }

    #[test]
    fn actions_written_in_the_wrong_form_say_how_to_write_them() {
        let err =
            refused("[global]\nbindings = [{ keys = [\"z\"], action = \"set_reliability\" }]\n");
        assert!(
            err.starts_with("x.toml:2: action \"set_reliability\" in [global] needs a text value"),
            "{err}"
        );
        let err =
            refused("[global]\nbindings = [{ keys = [\"z\"], action = { quit = \"now\" } }]\n");
        assert!(
            err.starts_with("x.toml:2: action \"quit\" in [global] takes no value"),
            "{err}"
        );
        let err = refused("[global]\nbindings = [{ keys = [\"z\"], action = 3 }]\n");
        assert!(
            err.starts_with("x.toml:2: the action in [global] must be a name"),
            "{err}"
        );
    }

    #[test]
    fn set_reliability_needs_a_label_of_the_taxonomy() {
        let err = refused(
            "[global]\nbindings = [\n  { keys = [\"z\"], action = { set_reliability = \"sure\" } },\n]\n",
        );
        assert_eq!(
            err,
            "x.toml:3: unknown reliability \"sure\" in [global]; the reliability ids in the built-in labels are reliable, mostly-reliable, mixed, unreliable, fabricated"
        );
    }

    /// The clash names the keymap file given and the taxonomy file in use, not a
    /// `labels.toml` that may not exist.
    #[test]
    fn a_clash_with_a_taxonomy_key_names_the_files_actually_given() {
        let taxonomy = Taxonomy {
            source: "team/my-labels.toml".to_string(),
            ..Taxonomy::default()
        };
        let dir = tempfile::TempDir::new().expect("temp dir");
        let path = dir.path().join("mine.toml");
        std::fs::write(
            &path,
            "[list]\nbindings = [{ keys = [\"1\"], action = \"next\" }]\n",
        )
        .expect("write the keymap");
        let choice = path.display().to_string();
        let err = Keymap::load(&choice, None, &taxonomy)
            .expect_err("the clash is refused")
            .to_string();
        assert_eq!(
            err,
            format!(
                "{choice}:2: \"1\" in [list] is bound to next (line 2) and is also the key of reliability \"reliable\" in team/my-labels.toml"
            )
        );
    }

    #[test]
    fn a_keymap_key_on_a_reliability_key_names_the_label() {
        let text = "[list]\nbindings = [\n  { keys = [\"j\"], action = \"next\" },\n]\n[global]\nbindings = [\n  { keys = [\"q\"], action = \"quit\" },\n  { keys = [\"x\"], action = \"skip\" },\n  { keys = [\"4\"], action = \"prev\" },\n]\n";
        assert_eq!(
            refused(text),
            "x.toml:9: \"4\" in [global] is bound to prev (line 9) and is also the key of reliability \"unreliable\" in the built-in labels"
        );
        let err = refused("[reader]\nbindings = [{ keys = [\"1 1\"], action = \"scroll_top\" }]\n");
        assert!(
            err.contains("\"1 1\" in [reader]") && err.contains("reliability \"reliable\""),
            "{err}"
        );
        // Reliability keys are not pressed in a picker, so a picker may use a digit.
        parse("[picker]\nbindings = [{ keys = [\"4\"], action = \"toggle\" }]\n")
            .expect("digit in picker");
    }

    #[test]
    fn a_file_may_bind_a_reliability_key_to_its_own_label() {
        let k = parse("[global]\nbindings = [{ keys = [\"4\"], action = { set_reliability = \"unreliable\" }, desc = \"Bad source\" }]\n")
            .expect("the taxonomy's own binding is no conflict");
        let fours: Vec<&Binding> = k
            .bindings(Context::Global)
            .iter()
            .filter(|b| b.keys == [Key::char('4')])
            .collect();
        assert_eq!(fours.len(), 1);
        assert_eq!(fours[0].desc, "Bad source");
        let err = refused(
            "[global]\nbindings = [{ keys = [\"3\"], action = { set_reliability = \"unreliable\" } }]\n",
        );
        assert!(err.contains("key of reliability \"mixed\""), "{err}");
    }

    #[test]
    fn reliability_keys_follow_the_inbox_taxonomy() {
        let text = Taxonomy::default();
        let mut taxonomy = text;
        for (label, key) in taxonomy
            .reliability
            .labels
            .iter_mut()
            .zip(['A', 'B', 'C', 'D', 'E'])
        {
            label.key = key;
        }
        let k = Keymap::load("default", None, &taxonomy).expect("loads");
        assert_eq!(
            keys(
                &k,
                Context::Global,
                Action::SetReliability("unreliable".into())
            ),
            "D"
        );
        assert!(
            k.keys_for(
                Context::Global,
                &Action::SetReliability("unreliable".into())
            )
            .iter()
            .all(|k| k != "4")
        );
        for (label, key) in taxonomy
            .reliability
            .labels
            .iter_mut()
            .zip(['a', 'b', 'c', 'd', 'e'])
        {
            label.key = key;
        }
        let err = Keymap::load("default", None, &taxonomy)
            .expect_err("a clashes with accept")
            .to_string();
        assert!(
            err.contains("\"a\" in [global] is bound to accept")
                && err.contains("reliability \"reliable\""),
            "{err}"
        );
    }

    #[test]
    fn a_picker_binding_on_a_label_key_or_its_capital_is_refused() {
        let err = refused(
            "[picker]\nbindings = [\n  { keys = [\"esc\"], action = \"close\" },\n  { keys = [\"m\"], action = \"toggle\" },\n]\n",
        );
        assert!(err.starts_with("x.toml:4: \"m\" in [picker] is bound to toggle (line 4) but is the key of region \"mena\" in the built-in labels"), "{err}");
        let err = refused("[picker]\nbindings = [{ keys = [\"W\"], action = \"close\" }]\n");
        assert!(err.starts_with("x.toml:2: \"W\" in [picker] is bound to close (line 2) but is the capital of the key of theme \"war-conflict\""), "{err}");
        parse("[picker]\nbindings = [{ keys = [\"ctrl-m\", \"z\", \"Z\"], action = \"close\" }]\n")
            .expect("keys no label uses are free");
    }

    #[test]
    fn malformed_bindings_name_their_line() {
        let err = refused("[list]\nbindings = [\n  { keys = [], action = \"next\" },\n]\n");
        assert_eq!(err, "x.toml:3: a binding for next in [list] has no keys");
        let err = refused(
            "[list]\nbindings = [\n  { keys = [\"j\",\n    \"pgdown\"], action = \"next\" },\n]\n",
        );
        assert!(
            err.starts_with("x.toml:4: \"pgdown\" is not a key name"),
            "{err}"
        );
        assert!(err.ends_with("(in [list])"), "{err}");
        let err = refused(
            "[list]\nbindings = [\n  { keys = [\"j\"], action = \"next\", dsc = \"typo\" },\n]\n",
        );
        assert!(err.starts_with("x.toml:3: unknown field `dsc`"), "{err}");
        let err = refused("[global]\nbindings = []\n\n[lizt]\nbindings = []\n");
        assert_eq!(
            err,
            "x.toml:4: unknown table [lizt]; keymap tables are global, list, reader, picker, search, note, help, conflict, saved_searches"
        );
        let err = refused("[list]\nbindings = [\n  { keys = [\"j\"], action = \"next\" \n");
        assert!(err.starts_with("x.toml:3: "), "{err}");
    }

    #[test]
    fn unknown_keymap_names_are_refused_and_paths_are_read() {
        let err = Keymap::load("emacs", None, &Taxonomy::default()).expect_err("no emacs");
        assert_eq!(
            err.to_string(),
            "there is no built-in keymap \"emacs\"; choose default or vim, or give the path of a keymap file"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mine.toml");
        std::fs::write(
            &path,
            "[list]\nbindings = [{ keys = [\"j\"], action = \"next\" }]\n",
        )
        .expect("write keymap");
        let path_text = path.display().to_string();
        let k = Keymap::load(&path_text, None, &Taxonomy::default()).expect("a path loads");
        assert_eq!(k.name(), path_text);
        let missing = dir.path().join("missing.toml");
        let err = Keymap::load(&missing.display().to_string(), None, &Taxonomy::default())
            .expect_err("missing file");
        assert!(
            err.to_string()
                .starts_with(&format!("cannot read keymap {}", missing.display())),
            "{err}"
        );
    }

    #[test]
    fn a_user_override_replaces_one_key_and_keeps_the_others() {
        let dir = tempfile::tempdir().expect("temp dir");
        let user = dir.path().join("keymap.toml");
        std::fs::write(
            &user,
            "[list]\nbindings = [\n  { keys = [\"j\"], action = \"last\", desc = \"Jump to the end\" },\n]\n[global]\nbindings = [{ keys = [\"F2\"], action = \"help\" }]\n",
        )
        .expect("write user keymap");
        let k = Keymap::load("default", Some(&user), &Taxonomy::default()).expect("loads");
        assert_eq!(keys(&k, Context::List, Action::Next), "Down");
        assert_eq!(keys(&k, Context::List, Action::Last), "j / G / End");
        assert_eq!(keys(&k, Context::Global, Action::Help), "? / F2");
        assert_eq!(keys(&k, Context::List, Action::Prev), "k / Up");
        assert_eq!(k.name(), "default");
        assert_eq!(k.user_file(), Some(user.display().to_string().as_str()));
        let j = k
            .bindings(Context::List)
            .iter()
            .find(|b| b.keys == [Key::char('j')])
            .expect("j");
        assert_eq!(j.desc, "Jump to the end");
        // The taxonomy's keys are still there, once.
        assert_eq!(
            keys(&k, Context::Global, Action::SetReliability("mixed".into())),
            "3"
        );
    }

    #[test]
    fn a_user_key_replaces_the_sequences_it_would_hide() {
        let k = Keymap::load("vim", None, &Taxonomy::default()).expect("vim loads");
        let k = k
            .with_overrides(
                "user.toml",
                "[list]\nbindings = [{ keys = [\"g\"], action = \"first\" }]\n",
                &Taxonomy::default(),
            )
            .expect("g replaces g g");
        assert_eq!(keys(&k, Context::List, Action::First), "g / Home");
        // The reader keeps its own "g g".
        assert_eq!(keys(&k, Context::Reader, Action::ScrollTop), "g g / Home");
    }

    #[test]
    fn a_duplicate_inside_the_user_file_names_the_user_file() {
        let err = default_keymap()
            .with_overrides(
                "~/.config/triage/keymap.toml",
                "[list]\nbindings = [\n  { keys = [\"z\"], action = \"next\" },\n  { keys = [\"z\"], action = \"prev\" },\n]\n",
                &Taxonomy::default(),
            )
            .expect_err("z twice")
            .to_string();
        assert_eq!(
            err,
            "~/.config/triage/keymap.toml:4: \"z\" in [list] is bound to both next (line 3) and prev (line 4)"
        );
    }

    #[test]
    fn user_bindings_that_hide_each_other_are_refused_in_the_user_file() {
        let err = default_keymap()
            .with_overrides(
                "user.toml",
                "[list]\nbindings = [\n  { keys = [\"z\"], action = \"next\" },\n  { keys = [\"z z\"], action = \"last\" },\n]\n",
                &Taxonomy::default(),
            )
            .expect_err("z starts z z")
            .to_string();
        assert!(
            err.starts_with(
                "user.toml:4: \"z\" in [list] is bound to next (line 3) but also starts \"z z\""
            ),
            "{err}"
        );
    }

    #[test]
    fn a_user_key_clashing_with_the_chosen_keymap_names_both_files() {
        let err = default_keymap()
            .with_overrides(
                "user.toml",
                "[list]\nbindings = [\n  { keys = [\"x\"], action = \"next\" },\n]\n",
                &Taxonomy::default(),
            )
            .expect_err("x is skip in global")
            .to_string();
        assert!(
            err.starts_with(
                "user.toml:3: \"x\" is bound to both skip in [global] (keymaps/default.toml line "
            ),
            "{err}"
        );
        assert!(err.contains("next in [list] (line 3)"), "{err}");
        let err = default_keymap()
            .with_overrides(
                "user.toml",
                "[global]\nbindings = [{ keys = [\"5\"], action = \"quit\" }]\n",
                &Taxonomy::default(),
            )
            .expect_err("5 is fabricated")
            .to_string();
        assert!(err.starts_with("user.toml:2: \"5\" in [global] is bound to quit (line 2) and is also the key of reliability \"fabricated\""), "{err}");
    }

    #[test]
    fn help_groups_the_keys_of_one_action() {
        let k = default_keymap();
        let rows = k.help_entries(Context::List);
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[0].keys, ["j", "Down"]);
        assert_eq!(*rows[0].action, Action::Next);
        assert_eq!(rows[0].desc, "Next article");
        let global = k.help_entries(Context::Global);
        let quit = global
            .iter()
            .find(|r| *r.action == Action::Quit)
            .expect("quit row");
        assert_eq!(quit.keys, ["q", "Ctrl-c"]);
    }

    #[test]
    fn the_override_file_follows_xdg_config_home() {
        let path = |xdg: Option<&str>, home: Option<&str>| {
            user_keymap_path_from(xdg.map(OsString::from), home.map(OsString::from))
        };
        assert_eq!(
            path(Some("/cfg"), Some("/home/a")),
            Some(PathBuf::from("/cfg/triage/keymap.toml"))
        );
        assert_eq!(
            path(None, Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/triage/keymap.toml"))
        );
        assert_eq!(
            path(Some("relative"), Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/triage/keymap.toml"))
        );
        assert_eq!(path(Some(""), None), None);
    }
}
