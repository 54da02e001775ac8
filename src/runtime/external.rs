//! Programs the reviewer runs from the program on its terminal: the pager on an
//! article file, the browser on its URL. What to run is decided here; running it (the
//! screen given up meanwhile) is the terminal's part, in [`crate::tui`].

/// A program the reviewer runs from the program on its terminal: the pager on an
/// article file, the browser on its URL. The file name and the URL come from the
/// inbox, so they are passed as single arguments, never through a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// What it is, for messages ("The pager").
    pub what: &'static str,
    pub program: std::ffi::OsString,
    pub args: Vec<std::ffi::OsString>,
    /// What to say when it ends well, if anything.
    pub done: Option<String>,
}

/// The words of a command in an environment variable (`less -R`), split like a
/// shell splits them but without running one. `None` when unset or blank.
fn command_words(
    what: &str,
    value: Option<&std::ffi::OsStr>,
) -> Result<Option<Vec<String>>, String> {
    let Some(value) = value else { return Ok(None) };
    let Some(text) = value.to_str() else {
        return Err(format!(
            "{what} is not valid UTF-8; set it to a command such as less"
        ));
    };
    match shlex::split(text) {
        Some(words) if words.is_empty() => Ok(None),
        Some(words) => Ok(Some(words)),
        None => Err(format!("{what} has an unclosed quote: {text}")),
    }
}

/// The reviewer's pager (`$PAGER`, `less` when unset) on an article file. A path
/// that could read as an option (`-…`) is made relative to `.` explicitly.
pub fn pager_command(
    pager: Option<&std::ffi::OsStr>,
    path: &std::path::Path,
) -> Result<External, String> {
    let words = command_words("PAGER", pager)?.unwrap_or_else(|| vec!["less".to_string()]);
    let mut args: Vec<std::ffi::OsString> = words[1..].iter().map(Into::into).collect();
    if path.as_os_str().as_encoded_bytes().starts_with(b"-") {
        args.push(std::path::Path::new(".").join(path).into_os_string());
    } else {
        args.push(path.as_os_str().to_owned());
    }
    Ok(External {
        what: "The pager",
        program: words[0].clone().into(),
        args,
        done: None,
    })
}

/// The reviewer's browser (`$BROWSER`) on a web address, which the caller has
/// checked is http or https. A `%s` in the command is replaced by the address, as
/// the old BROWSER convention has it; otherwise the address is the last argument.
/// `None` when BROWSER is not set.
pub fn browser_command(
    browser: Option<&std::ffi::OsStr>,
    url: &str,
) -> Result<Option<External>, String> {
    let Some(words) = command_words("BROWSER", browser)? else {
        return Ok(None);
    };
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    let mut placed = false;
    for word in &words[1..] {
        if word.contains("%s") {
            placed = true;
            args.push(word.replace("%s", url).into());
        } else {
            args.push(word.into());
        }
    }
    if !placed {
        args.push(url.into());
    }
    Ok(Some(External {
        what: "The browser",
        program: words[0].clone().into(),
        args,
        done: Some(format!("Opened in {}: {url}", words[0])),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(words: &[&str]) -> Vec<std::ffi::OsString> {
        words.iter().map(Into::into).collect()
    }

    #[test]
    fn the_pager_gets_the_file_as_one_argument_never_through_a_shell() {
        use std::ffi::OsStr;
        use std::path::Path;
        let odd = Path::new("inbox/a b;$(rm -rf x)'.txt");
        let less = pager_command(None, odd).expect("a command");
        assert_eq!(less.program, "less", "less when PAGER is unset");
        assert_eq!(less.args, os(&["inbox/a b;$(rm -rf x)'.txt"]));
        let blank = pager_command(Some(OsStr::new("  ")), odd).expect("a command");
        assert_eq!(blank.program, "less");
        let more = pager_command(Some(OsStr::new("less -R '+G'")), odd).expect("a command");
        assert_eq!(more.program, "less");
        assert_eq!(more.args, os(&["-R", "+G", "inbox/a b;$(rm -rf x)'.txt"]));
        // A path that could pass for an option is made plainly a path.
        let dashed = pager_command(None, Path::new("-inbox/x.txt")).expect("a command");
        assert_eq!(dashed.args, os(&["./-inbox/x.txt"]));
        let broken = pager_command(Some(OsStr::new("less 'unclosed")), odd);
        assert_eq!(
            broken,
            Err("PAGER has an unclosed quote: less 'unclosed".to_string())
        );
    }

    #[test]
    fn the_browser_gets_the_url_as_one_argument_and_is_optional() {
        use std::ffi::OsStr;
        let url = "https://example.org/?a=1&b=$(x)";
        assert_eq!(browser_command(None, url), Ok(None));
        assert_eq!(browser_command(Some(OsStr::new("")), url), Ok(None));
        let firefox = browser_command(Some(OsStr::new("firefox --new-tab")), url)
            .expect("a command")
            .expect("set");
        assert_eq!(firefox.program, "firefox");
        assert_eq!(firefox.args, os(&["--new-tab", url]));
        let placed = browser_command(Some(OsStr::new("w3m -o x=1 %s")), url)
            .expect("a command")
            .expect("set");
        assert_eq!(placed.args, os(&["-o", "x=1", url]));
    }
}
