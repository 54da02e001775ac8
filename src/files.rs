//! Opening files that come from elsewhere without being fooled by what they are.
//!
//! A name in an inbox or a configuration folder can be a named pipe (opening it for
//! reading waits for a writer that never comes), a device (`/dev/zero` never ends), a
//! folder, or a symbolic link to any of those. Everything triage reads from such places
//! goes through here: the type is looked at before opening, so that nothing but a
//! regular file is ever opened; the file is opened without blocking and looked at again
//! through the open descriptor, so that swapping the file between the look and the open
//! cannot make triage wait; and configuration files are read only up to a limit.

use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The limit for `labels.toml`, keymaps and `config.toml`. The biggest real ones are a
/// few kilobytes (the built-in taxonomy is 4 KB); a megabyte is a taxonomy of several
/// thousand labels, and anything bigger is a mistake or a trap, not a configuration.
pub const CONFIG_LIMIT: u64 = 1024 * 1024;

/// The limit for an inbox's `sources.toml`, which `triage sources import` fills from
/// lists of news sites: 100,000 domains at some 40 bytes a line is 4 MiB, so 16 MiB
/// leaves room for the biggest lists in use while still refusing a runaway file.
pub const SOURCES_LIMIT: u64 = 16 * 1024 * 1024;

/// What a file that is not a regular file is, in words for a sentence
/// (`it is a named pipe (FIFO)`).
pub fn describe(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The error for a file that exists but is not a regular file: one clause that reads
/// after "cannot read PATH: ".
pub fn not_regular(file_type: &FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is {}, not a regular file, so triage does not open it",
            describe(file_type)
        ),
    )
}

/// Opens a regular file for reading, and nothing else.
///
/// `follow` says whether a symbolic link at `path` itself is followed; when it is not,
/// a link is refused (the caller decides first whether it may be followed). The type
/// is checked before opening, so a named pipe or a device is never opened, and again
/// on the open file, since the name may have been replaced in between; the open does
/// not block, so such a replacement cannot make the caller wait either.
pub fn open_regular(path: &Path, follow: bool) -> io::Result<File> {
    let before = if follow {
        std::fs::metadata(path)?
    } else {
        std::fs::symlink_metadata(path)?
    };
    if !before.is_file() {
        return Err(not_regular(&before.file_type()));
    }
    open_checked(path, follow)
}

/// The second half of [`open_regular`], for a caller that has already seen that
/// `path` is a regular file: opens it without blocking (and without following a link
/// at `path` unless `follow`) and checks again on the open file, which is what makes
/// a swap between the look and the open harmless.
pub fn open_checked(path: &Path, follow: bool) -> io::Result<File> {
    let file = open_nonblocking(path, follow)?;
    let after = file.metadata()?;
    if !after.is_file() {
        return Err(not_regular(&after.file_type()));
    }
    Ok(file)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path, follow: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    OpenOptions::new().read(true).custom_flags(flags).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, _follow: bool) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// Reads at most `limit` bytes of an open file; `Ok((bytes, true))` when there was more.
pub fn read_capped(file: File, limit: u64) -> io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let more = bytes.len() as u64 > limit;
    if more {
        bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok((bytes, more))
}

/// Reads a configuration file (a taxonomy, a keymap, `config.toml`, `sources.toml`)
/// when it is a regular file of at most `limit` bytes of UTF-8 text, following a
/// symbolic link (configuration folders are often assembled from links).
///
/// The error keeps the kind of the underlying failure (`NotFound` stays `NotFound`, so
/// a missing optional file can still mean "use the defaults") and its message reads
/// after "cannot read PATH: ".
pub fn read_config_file(path: &Path, limit: u64) -> io::Result<String> {
    let file = open_regular(path, true)?;
    let (bytes, more) = read_capped(file, limit)?;
    if more {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it is larger than {}, more than such a file ever needs",
                size_in_words(limit)
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {} is not)",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Whether something exists at `path`, whatever it is (a dangling link included), so
/// that a configuration file that is there but unusable is reported, not skipped.
pub fn exists(path: &Path) -> io::Result<Option<Metadata>> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn size_in_words(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Makes a named pipe, for the tests of everything that must never open one.
#[cfg(test)]
pub(crate) fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c_path =
        std::ffi::CString::new(path.as_os_str().as_bytes()).expect("no NUL in a temp path");
    // SAFETY: `c_path` is a valid NUL-terminated string for the call's duration.
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo {}", path.display());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = TempDir::new().expect("temp dir");
        let fifo = dir.path().join("labels.toml");
        mkfifo(&fifo);
        let err = read_config_file(&fifo, CONFIG_LIMIT).expect_err("a FIFO is refused");
        assert_eq!(
            err.to_string(),
            "it is a named pipe (FIFO), not a regular file, so triage does not open it"
        );
    }

    #[test]
    fn a_device_is_refused_and_never_read() {
        let err = read_config_file(Path::new("/dev/zero"), CONFIG_LIMIT)
            .expect_err("a device is refused");
        assert!(err.to_string().starts_with("it is a device, "), "{err}");
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = TempDir::new().expect("temp dir");
        let err = read_config_file(dir.path(), CONFIG_LIMIT).expect_err("a folder is refused");
        assert!(err.to_string().starts_with("it is a folder, "), "{err}");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = TempDir::new().expect("temp dir");
        let path = dir.path().join("big.toml");
        std::fs::write(&path, "x".repeat(11)).expect("write");
        let err = read_config_file(&path, 10).expect_err("over the limit");
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(err.to_string().contains("larger than 10 bytes"), "{err}");
        assert_eq!(read_config_file(&path, 11).expect("at the limit").len(), 11);
    }

    #[test]
    fn a_missing_file_stays_not_found_and_a_link_is_followed() {
        let dir = TempDir::new().expect("temp dir");
        let missing = dir.path().join("none.toml");
        let err = read_config_file(&missing, CONFIG_LIMIT).expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let real = dir.path().join("real.toml");
        std::fs::write(&real, "a = 1\n").expect("write");
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        assert_eq!(
            read_config_file(&link, CONFIG_LIMIT).expect("read through the link"),
            "a = 1\n"
        );
    }

    #[test]
    fn a_link_is_refused_when_not_followed() {
        let dir = TempDir::new().expect("temp dir");
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "x").expect("write");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let err = open_regular(&link, false).expect_err("the link is not followed");
        assert!(err.to_string().contains("a symbolic link"), "{err}");
    }
}
