//! Reading a batch file with bounded memory: every line (the header too) of at most
//! [`MAX_LINE_BYTES`], and at most a given size in all. A file with no line breaks, or a device
//! that never ends (`/dev/zero`), is refused after its first mebibyte instead of being read
//! whole, and the refusal quotes only a short, marked excerpt.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

/// The longest line a batch file may have, in bytes (a row with metadata is a few hundred).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// The largest batch file `batch` reads: two million rows or more (a million rows with
/// metadata are about 50 MB). Every row is checked and kept before the first is sent, at
/// several hundred bytes a row, so this cap is what bounds the memory a file can take.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;
/// How many characters of a line an error quotes.
pub const EXCERPT_CHARS: usize = 60;

/// Why a batch file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// Line `line` (1-based) is longer than [`MAX_LINE_BYTES`]; `start` is its excerpt.
    LineTooLong {
        line: usize,
        start: String,
    },
    /// The file holds more than `max` bytes.
    TooLarge {
        max: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::LineTooLong { line, start } => write!(
                f,
                "line {line} is longer than {} MiB (it starts {start}): a batch file has one \
                 row per line, of a few hundred characters; is this the right file?",
                MAX_LINE_BYTES / (1024 * 1024)
            ),
            ReadError::TooLarge { max } => write!(
                f,
                "the file is larger than {} MiB: split it into smaller files and send each.",
                max / (1024 * 1024)
            ),
        }
    }
}

/// `text` for a message: at most [`EXCERPT_CHARS`] characters on one line, in quotes, with
/// "…" when it was cut, and control characters made visible.
pub fn excerpt(text: &str) -> String {
    format!("“{}”", crate::api::client::one_line(text, EXCERPT_CHARS))
}

/// The bytes of the file at `path`, read a block at a time: refused as soon as a line runs
/// past [`MAX_LINE_BYTES`] or the whole past `max` bytes, so memory stays within about the
/// cap (never the size of a file with no line breaks).
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let mut file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes: Vec<u8> = Vec::new();
    let mut block = vec![0u8; 64 * 1024];
    // The line being read: its number and where it starts in `bytes`.
    let (mut line, mut start) = (1usize, 0usize);
    let too_long = |bytes: &[u8], line: usize, start: usize| {
        let head = &bytes[start..bytes.len().min(start + 4 * EXCERPT_CHARS)];
        ReadError::LineTooLong {
            line,
            start: excerpt(&String::from_utf8_lossy(head)),
        }
    };
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        let from = bytes.len();
        bytes.extend_from_slice(&block[..n]);
        for at in memchr::memchr_iter(b'\n', &bytes[from..]).map(|i| from + i) {
            if at - start > MAX_LINE_BYTES {
                return Err(too_long(&bytes, line, start));
            }
            (line, start) = (line + 1, at + 1);
        }
        if bytes.len() - start > MAX_LINE_BYTES {
            return Err(too_long(&bytes, line, start));
        }
        if bytes.len() as u64 > max {
            return Err(ReadError::TooLarge { max });
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_past_the_cap_are_named_with_a_short_excerpt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        std::fs::write(&path, format!("agent_id,outcome\na,Sold\n{long}\nb,Sold\n")).unwrap();
        let e = read_file(&path, MAX_FILE_BYTES).unwrap_err().to_string();
        assert!(e.starts_with("line 3 is longer than 1 MiB"), "{e}");
        assert!(e.contains(&format!("“{}…”", "x".repeat(60))), "{e}");
        assert!(e.len() < 400, "{e}");
        // A line of exactly the cap is fine, with or without a line break after it.
        let exact = "y".repeat(MAX_LINE_BYTES);
        std::fs::write(&path, format!("h\n{exact}\n{exact}")).unwrap();
        assert_eq!(
            read_file(&path, MAX_FILE_BYTES).unwrap().len(),
            2 + 2 * MAX_LINE_BYTES + 1
        );
        // The last line, unterminated, is checked too.
        std::fs::write(&path, format!("h\n{exact}z")).unwrap();
        let e = read_file(&path, MAX_FILE_BYTES).unwrap_err().to_string();
        assert!(e.starts_with("line 2 is longer"), "{e}");
    }

    /// Error messages about a header quote short excerpts, however long its names.
    #[test]
    fn a_long_header_gives_a_short_message() {
        let long = "q".repeat(500_000);
        for header in [
            format!("agent_id,call_id,outcome,{long}"),
            format!("agent_id,{long},{long}"),
            format!("agent_id,call_id,{long},{}", "r,".repeat(50)),
        ] {
            let (_, errors) = crate::batch::parse("f.csv", format!("{header}\na,b,c\n").as_bytes());
            let message = errors[0].to_string();
            assert!(
                message.len() < 1500,
                "{} bytes: {}",
                message.len(),
                &message[..200]
            );
            assert!(message.contains("qqq…"), "{message}");
        }
    }

    #[test]
    fn a_file_past_its_size_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, "a,b\n".repeat(1000)).unwrap();
        let e = read_file(&path, 1000).unwrap_err().to_string();
        assert!(
            e.contains("larger than 0 MiB") || e.contains("split it"),
            "{e}"
        );
        assert_eq!(read_file(&path, 4000).unwrap().len(), 4000);
        assert!(matches!(
            read_file(&dir.path().join("none"), 10),
            Err(ReadError::Io(_))
        ));
    }
}
