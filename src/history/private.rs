//! The files that hold customers' data (the history, journals, locks, logs, batch reports) are
//! private to the person who runs the tool: folders 0700, files 0600. New ones are made so;
//! looser ones are tightened when they are opened, and what was tightened is said once
//! ([`take_note`]). Elsewhere than Unix, the platform's own rules apply and nothing is changed.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A folder's mode: only its owner may list or enter it.
pub const DIR_MODE: u32 = 0o700;
/// A file's mode: only its owner may read or write it.
pub const FILE_MODE: u32 = 0o600;

/// What was tightened since the last [`take_note`], in this process.
static TIGHTENED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Creates `dir` (and any missing parent) as 0700, or tightens it if it exists and others
/// could read it.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)?;
    tighten(dir, DIR_MODE).map(drop)
}

/// Options that create a file as 0600 (an existing one keeps its mode: [`tighten`] it).
pub fn file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Takes away what `mode` does not allow (group and others' bits) from `path`, if it exists;
/// remembers it for [`take_note`] and returns true. A path that does not exist is no error.
pub fn tighten(path: &Path, mode: u32) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        // A link is left alone: its target may be anything.
        if meta.file_type().is_symlink() {
            return Ok(false);
        }
        let current = meta.permissions().mode() & 0o7777;
        if current & !mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
            TIGHTENED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(path.to_path_buf());
            return Ok(true);
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(false)
}

/// Tightens `dir` and every file directly in it (best effort: a file that vanishes meanwhile,
/// as a lock of a process that ends, is skipped). Returns how many were tightened.
pub fn tighten_tree(dir: &Path) -> io::Result<usize> {
    let mut n = usize::from(tighten(dir, DIR_MODE)?);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(n);
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            n += usize::from(tighten(&entry.path(), FILE_MODE).unwrap_or(false));
        }
    }
    Ok(n)
}

/// One sentence about what was tightened since the last call, or `None`: said once, by
/// whoever shows messages (stderr on the command line, the log in the workbench).
pub fn take_note() -> Option<String> {
    let paths = std::mem::take(
        &mut *TIGHTENED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    note(&paths)
}

fn note(paths: &[PathBuf]) -> Option<String> {
    let first = paths.first()?;
    let more = match paths.len() - 1 {
        0 => String::new(),
        1 => " and 1 more file or folder".to_string(),
        n => format!(" and {n} more files or folders"),
    };
    Some(format!(
        "{}{more} could be read by other users of this computer; made private (folders 0700, \
         files 0600): they hold customers' phone numbers and Phonely's answers",
        first.display()
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_folders_and_files_are_private_and_loose_ones_are_tightened_once() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("f");
        file_options().write(true).create(true).open(&file).unwrap();
        assert_eq!(mode(&file), 0o600);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(tighten_tree(&dir).unwrap(), 2);
        assert_eq!((mode(&dir), mode(&file)), (0o700, 0o600));
        assert_eq!(tighten_tree(&dir).unwrap(), 0, "nothing more to do");
    }

    #[test]
    fn the_note_names_the_first_and_counts_the_rest() {
        assert_eq!(note(&[]), None);
        let one = note(&[PathBuf::from("/d/history.sqlite3")]).unwrap();
        assert!(one.starts_with("/d/history.sqlite3 could be read"), "{one}");
        let three = note(&[PathBuf::from("/d"), "/d/a".into(), "/d/b".into()]).unwrap();
        assert!(
            three.starts_with("/d and 2 more files or folders"),
            "{three}"
        );
    }
}
