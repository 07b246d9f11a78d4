//! Session locks: a running process holds an exclusive lock on its own file in the data
//! directory, so another process can tell a crashed session's `pending` rows from live ones
//! without guessing from clocks.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The folder of lock files, in the data folder.
pub(super) const DIR: &str = "sessions";

/// Held for the life of a process that sends updates; released (and the file removed) on drop.
#[derive(Debug)]
pub struct SessionLock {
    id: String,
    path: PathBuf,
    file: File,
}

impl SessionLock {
    /// Creates a fresh session id and locks its file.
    pub fn acquire(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join(DIR);
        super::private::create_dir(&dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let id = format!("{}-{:x}", std::process::id(), nanos);
        let path = dir.join(format!("{id}.lock"));
        let file = super::private::file_options()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)?;
        file.try_lock().map_err(std::io::Error::other)?;
        Ok(Self { id, path, file })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// True while some process holds `session`'s lock.
    pub fn is_alive(data_dir: &Path, session: &str) -> bool {
        let path = lock_path(data_dir, session);
        let Ok(file) = OpenOptions::new().write(true).open(&path) else {
            return false;
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                false
            }
            Err(_) => true,
        }
    }

    /// Removes a dead session's lock file (best effort).
    pub fn remove_stale(data_dir: &Path, session: &str) {
        let _ = std::fs::remove_file(lock_path(data_dir, session));
    }
}

fn lock_path(data_dir: &Path, session: &str) -> PathBuf {
    // Session ids are ours (`pid-hex`), but a database could be edited by hand: keep the path
    // inside the sessions folder whatever the id says.
    let safe: String = session
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    data_dir.join(DIR).join(format!("{safe}.lock"))
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alive_while_held() {
        let dir = tempfile::tempdir().unwrap();
        let lock = SessionLock::acquire(dir.path()).unwrap();
        let id = lock.id().to_string();
        assert!(SessionLock::is_alive(dir.path(), &id));
        drop(lock);
        assert!(!SessionLock::is_alive(dir.path(), &id));
        assert!(!SessionLock::is_alive(dir.path(), "never-existed"));
    }
}
