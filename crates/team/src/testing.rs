//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, `pg_ctl start` on a
//! free loopback port (its socket in that folder too), run as the `postgres` user when the tests
//! run as root. [`shared`] starts one per test binary; each test takes a database of its own
//! ([`Cluster::create_database`]) so tests run side by side. An owned [`Cluster::start`] is
//! stopped and removed on drop (also when a test panics); the shared one by a watchdog process
//! that waits for the test binary's end (a pipe that closes when it exits, however it exits).
//!
//! No PostgreSQL here: [`shared`] prints one line saying the tests were skipped and how to
//! install it, and returns `None`; with `PHONELY_REQUIRE_POSTGRES=1` (CI) it panics instead.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A pending row for tests and benchmarks: `agent`/`target` sold at 299 by `operator`, recorded at
/// `created_ms`, with a fresh UUID.
pub fn pending_row(operator: &str, agent: &str, target: &str, created_ms: i64) -> crate::TeamRow {
    crate::TeamRow {
        uuid: crate::Uuid::new_v4(),
        operator: operator.to_string(),
        session: "s-1".to_string(),
        profile: "default".to_string(),
        base_url: "http://127.0.0.1:8787".to_string(),
        agent: agent.to_string(),
        target: target.to_string(),
        target_kind: "call".to_string(),
        preference: None,
        outcome: Some("Sold".to_string()),
        value: Some("299".to_string()),
        metadata: None,
        method: "PATCH".to_string(),
        url: format!("http://127.0.0.1:8787/v1/agents/{agent}/calls/{target}/outcome"),
        body: r#"{"outcome":"Sold","value":299}"#.to_string(),
        state: "pending".to_string(),
        created_ms,
        sent_ms: None,
        completed_ms: None,
        http_status: None,
        latency_ms: None,
        verified: false,
        resolved_call_id: None,
        message: None,
        response_body: None,
        response_truncated: false,
        response_cap: None,
        batch_line: None,
        pinned_call: None,
    }
}

/// The environment variable that makes a missing PostgreSQL a failure, not a skip.
pub const REQUIRE_ENV: &str = "PHONELY_REQUIRE_POSTGRES";
/// Where to look for `initdb` and `pg_ctl` first.
pub const BINDIR_ENV: &str = "PHONELY_PG_BINDIR";
/// The test superuser's password.
const SUPERUSER_PASSWORD: &str = "phonely-test-superuser";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The folder holding `initdb` and `pg_ctl`: `$PHONELY_PG_BINDIR`, else `pg_config --bindir`,
/// else Debian's /usr/lib/postgresql/<version>/bin (newest first).
pub fn bindir() -> Option<PathBuf> {
    let has_tools = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(d) = std::env::var_os(BINDIR_ENV).map(PathBuf::from) {
        return has_tools(&d).then_some(d);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_tools(&d) {
            return Some(d);
        }
    }
    for v in ["17", "16", "15", "14"] {
        let d = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
        if has_tools(&d) {
            return Some(d);
        }
    }
    None
}

/// The cluster every test of this binary shares, started on first use; `None` (after one line
/// on stderr) when PostgreSQL is not installed and not required.
pub fn shared() -> Option<&'static Cluster> {
    static SHARED: OnceLock<Option<Cluster>> = OnceLock::new();
    SHARED.get_or_init(own).as_ref()
}

/// An owned cluster (for a test that stops and restarts the server), or `None` as [`shared`].
pub fn own() -> Option<Cluster> {
    let Some(dir) = bindir() else {
        missing();
        return None;
    };
    Some(Cluster::start_in(&dir))
}

fn missing() {
    static ONCE: OnceLock<()> = OnceLock::new();
    let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1");
    assert!(
        !required,
        "PostgreSQL was not found ({REQUIRE_ENV}=1 makes the team log tests required): install \
         it with  apt install postgresql-15  (or set {BINDIR_ENV} to the folder holding initdb)"
    );
    ONCE.get_or_init(|| {
        // Straight to stderr: the test harness captures eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "team log tests skipped: PostgreSQL was not found (install it with  apt install \
             postgresql-15)"
        );
    });
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The uid and gid of `postgres` from /etc/passwd.
fn postgres_ids() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.first() == Some(&"postgres") && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running throwaway cluster.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    port: u16,
    as_postgres: bool,
    watchdog: Option<Child>,
    /// TLS is on when `openssl` could make a CA and a server certificate for 127.0.0.1.
    tls: bool,
}

impl Cluster {
    fn start_in(bindir: &Path) -> Cluster {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("phonely-pg-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder for the test cluster");
        let as_postgres = is_root();
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD).expect("the password file");
        if as_postgres {
            let (uid, gid) = postgres_ids()
                .expect("we run as root, so the cluster runs as user postgres, which is missing");
            for p in [&dir, &pwfile] {
                std::os::unix::fs::chown(p, Some(uid), Some(gid)).expect("chown to postgres");
            }
        }
        let mut cluster = Cluster {
            dir,
            bindir: bindir.to_path_buf(),
            port: 0,
            as_postgres,
            watchdog: None,
            tls: false,
        };
        // From here on, a panic drops `cluster`, which removes the folder.
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                &format!("--pwfile={}", pwfile.display()),
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        cluster.tls = cluster.make_certificates();
        cluster.watchdog = Some(cluster.spawn_watchdog());
        let mut last = String::new();
        for _ in 0..3 {
            cluster.port = free_port();
            match cluster.try_start() {
                Ok(()) => return cluster,
                Err(e) => last = e,
            }
        }
        panic!("the test cluster did not start: {last}");
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bindir.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        c.current_dir(&self.dir).stdin(Stdio::null());
        c
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{tool} could not be run: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A test CA and a server certificate it signed for 127.0.0.1 (`ca.crt`, `server.crt`,
    /// `server.key` in the folder), made with `openssl`. False when openssl is missing or fails.
    fn make_certificates(&self) -> bool {
        let d = &self.dir;
        let ext = d.join("server.ext");
        if std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .is_err()
        {
            return false;
        }
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let steps: [Vec<&str>; 3] = [
            [
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.crt",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=phonely test CA",
                ],
            ]
            .concat(),
            [
                &["req"][..],
                &ec,
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=127.0.0.1",
                ],
            ]
            .concat(),
            vec![
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        ];
        for args in steps {
            let ok = Command::new("openssl")
                .args(&args)
                .current_dir(d)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return false;
            }
        }
        let key = d.join("server.key");
        {
            use std::os::unix::fs::PermissionsExt as _;
            if std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).is_err() {
                return false;
            }
        }
        if self.as_postgres {
            let Some((uid, gid)) = postgres_ids() else {
                return false;
            };
            for f in ["server.key", "server.crt"] {
                if std::os::unix::fs::chown(d.join(f), Some(uid), Some(gid)).is_err() {
                    return false;
                }
            }
        }
        true
    }

    /// The CA that signed the server's certificate, when TLS is on.
    pub fn tls_ca(&self) -> Option<PathBuf> {
        self.tls.then(|| self.dir.join("ca.crt"))
    }

    /// `pg_ctl start -w` (it waits until the server accepts connections).
    fn try_start(&self) -> Result<(), String> {
        let log = self.dir.join("server.log");
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200{}",
            self.port,
            self.dir.display(),
            if self.tls {
                format!(
                    " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                    self.dir.join("server.crt").display(),
                    self.dir.join("server.key").display()
                )
            } else {
                String::new()
            }
        );
        // The server inherits stdout; it must not hold a pipe we wait on: to the log instead.
        let status = self
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D", &self.data(), "-l"])
            .arg(&log)
            .args(["-o", &options])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("pg_ctl could not be run: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(8).collect();
            Err(tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
        }
    }

    /// A shell that waits for its stdin to close (this process's end), then stops the server
    /// and removes the folder.
    fn spawn_watchdog(&self) -> Child {
        let pg_ctl = self.bindir.join("pg_ctl");
        let prefix = if self.as_postgres {
            "runuser -u postgres -- "
        } else {
            ""
        };
        let script = format!(
            "cat >/dev/null; {prefix}'{}' stop -D '{}' -m immediate >/dev/null 2>&1; rm -rf '{}'",
            pg_ctl.display(),
            self.data(),
            self.dir.display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster's watchdog shell")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server (`pg_ctl stop -m fast -w`): connections break, new ones are refused.
    pub fn stop(&self) {
        self.run("pg_ctl", &["stop", "-w", "-m", "fast", "-D", &self.data()]);
    }

    /// Starts it again on the same port.
    pub fn restart(&self) {
        if let Err(e) = self.try_start() {
            panic!("the test cluster did not start again: {e}");
        }
    }

    /// A URL for `user` on `database` without an `sslmode` (for the TLS tests).
    pub fn url_without_sslmode(&self, user: &str, password: &str, database: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// A URL for `user` on `database` (plain TCP on loopback).
    pub fn url(&self, user: &str, password: &str, database: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// A URL for `user` on `database` through the cluster's Unix socket, the socket folder as
    /// the URL's host (percent-encoded) and no `sslmode` (a socket goes without TLS).
    pub fn socket_url(&self, user: &str, password: &str, database: &str) -> String {
        let folder: String =
            url::form_urlencoded::byte_serialize(self.dir.display().to_string().as_bytes())
                .collect();
        format!(
            "postgresql://{user}:{password}@{folder}:{}/{database}",
            self.port
        )
    }

    /// The same through a `host=` parameter (the URL's host left empty), as libpq's manual
    /// writes it.
    pub fn socket_param_url(&self, user: &str, password: &str, database: &str) -> String {
        format!(
            "postgresql://{user}:{password}@/{database}?host={}&port={}",
            self.dir.display(),
            self.port
        )
    }

    /// The superuser's password (the socket tests log in with it, as a person would).
    pub fn superuser_password(&self) -> &'static str {
        SUPERUSER_PASSWORD
    }

    /// The superuser's URL for `database`.
    pub fn superuser_url(&self, database: &str) -> String {
        self.url("postgres", SUPERUSER_PASSWORD, database)
    }

    /// Runs SQL as the superuser on `database`.
    pub async fn admin(&self, database: &str, sql: &str) {
        let (client, conn) =
            tokio_postgres::connect(&self.superuser_url(database), tokio_postgres::NoTls)
                .await
                .expect("the superuser connects to the test cluster");
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("admin SQL failed: {e:?}\n{sql}"));
    }

    /// A new, empty database of its own; returns its name.
    pub async fn create_database(&self) -> String {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{}_{n}", std::process::id());
        self.admin("postgres", &format!("CREATE DATABASE {name}"))
            .await;
        name
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        if self.port != 0 {
            let _ = self
                .command("pg_ctl")
                .args(["stop", "-w", "-m", "immediate", "-D", &self.data()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
