//! The real binary in a pseudo-terminal of 120×32: keys in, the screen parsed by vt100, and
//! every byte kept for checks on escape sequences. Waits are on conditions with deadlines.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub const WAIT: Duration = Duration::from_secs(30);

pub struct Tty {
    // Kept open while the child runs: closing it hangs up the terminal.
    pub master: Box<dyn portable_pty::MasterPty + Send>,
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the program wrote.
    pub raw: Arc<Mutex<Vec<u8>>>,
    /// Set when the reader has seen the end of the terminal's output (the program and every
    /// process it started have closed it): only then is the screen the program's last.
    drained: Arc<AtomicBool>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tty {
    /// Runs `cmd` (the caller sets its arguments and environment) in a new pseudo-terminal.
    pub fn launch(mut cmd: CommandBuilder) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 32,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(32, 120, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (p, r) = (parser.clone(), raw.clone());
        let drained = Arc::new(AtomicBool::new(false));
        let done = drained.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            done.store(true, Ordering::Release);
        });
        let writer = pty.master.take_writer().unwrap();
        Self {
            master: pty.master,
            parser,
            raw,
            drained,
            writer,
            child,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn keys(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn wait_for(&self, needle: &str) {
        super::wait_until(&format!("{needle:?} on screen"), WAIT, || {
            self.screen().contains(needle)
        });
    }

    /// Waits for the program to exit and for everything it wrote to be read, so the screen
    /// is its last one (a program's last lines can still be in the terminal when it exits).
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let mut status = None;
        super::wait_until("the program to exit", WAIT, || {
            status = self.child.try_wait().unwrap();
            status.is_some()
        });
        super::wait_until("the program's last output to be read", WAIT, || {
            self.drained.load(Ordering::Acquire)
        });
        status.unwrap()
    }

    /// Ctrl+Q, and the program has ended.
    pub fn quit(mut self) {
        self.keys("\x11");
        self.wait_exit();
    }
}
