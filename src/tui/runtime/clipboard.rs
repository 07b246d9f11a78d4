//! Where copied text goes: the terminal's clipboard (OSC 52) and the desktop's own tool, or a
//! list in memory for tests.

use std::sync::{Arc, Mutex};

/// Where copied text goes.
#[derive(Clone, Debug)]
pub enum Clipboard {
    /// The terminal's clipboard, through the OSC 52 escape sequence (works over SSH too).
    Terminal,
    /// A list in memory, for tests.
    Memory(Arc<Mutex<Vec<String>>>),
}

impl Clipboard {
    /// Copies `text`; says where it went (for the "Copied …" message).
    pub(super) fn copy(&self, text: &str) -> Result<&'static str, String> {
        match self {
            Clipboard::Terminal => {
                use std::io::Write as _;
                let mut out = std::io::stdout();
                let terminal = crossterm::execute!(
                    out,
                    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                )
                .and_then(|()| out.flush());
                // OSC 52 reaches the clipboard of the terminal in front of the person (also
                // over SSH) when the terminal allows it; a desktop's own clipboard tool is used
                // as well where there is one.
                match (native_copy(text), terminal) {
                    (Ok(tool), _) => Ok(tool),
                    (Err(()), Ok(())) => Ok("the terminal's clipboard"),
                    (Err(()), Err(e)) => Err(e.to_string()),
                }
            }
            Clipboard::Memory(list) => {
                list.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(text.to_string());
                Ok("the clipboard")
            }
        }
    }
}

/// The desktop's clipboard tool, when this session has one: pbcopy on macOS, wl-copy on
/// Wayland, xclip or xsel on X11. The text goes in on stdin, never on a command line.
fn native_copy(text: &str) -> Result<&'static str, ()> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let tools: &[(&str, &[&str], &'static str)] = if cfg!(target_os = "macos") {
        &[("pbcopy", &[], "the clipboard (pbcopy)")]
    } else if env("WAYLAND_DISPLAY") {
        &[("wl-copy", &[], "the clipboard (wl-copy)")]
    } else if env("DISPLAY") {
        &[
            (
                "xclip",
                &["-selection", "clipboard"],
                "the clipboard (xclip)",
            ),
            ("xsel", &["--clipboard", "--input"], "the clipboard (xsel)"),
        ]
    } else {
        &[]
    };
    for (program, args, name) in tools {
        let Ok(mut child) = Command::new(program)
            .args(*args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            continue;
        };
        let written = child
            .stdin
            .take()
            .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
        // These tools keep running to serve the selection: reap them off the loop.
        std::thread::spawn(move || child.wait());
        if written {
            return Ok(name);
        }
    }
    Err(())
}
