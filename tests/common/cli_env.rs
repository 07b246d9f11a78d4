//! The binary's surroundings for command-line tests: a sandbox on 127.0.0.1 (kept alive by its
//! own runtime) and a private home and data folder, so no test sees the developer's files.

use assert_cmd::Command;
use phonely_outcomes::sandbox::{self, RunningSandbox};

pub struct CliEnv {
    pub sandbox: RunningSandbox,
    pub data: tempfile::TempDir,
    pub key: &'static str,
    // Keeps the sandbox serving while the binary talks to it.
    _rt: tokio::runtime::Runtime,
}

/// A sandbox that accepts `key`, and an empty data folder.
pub fn start(key: &'static str) -> CliEnv {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt.block_on(sandbox::start("127.0.0.1:0", key)).unwrap();
    // A data folder as the tool makes one (0700): a looser one is tightened with a note.
    let data = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(
        data.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    CliEnv {
        sandbox,
        data,
        key,
        _rt: rt,
    }
}

impl CliEnv {
    /// Only these variables reach the binary: the sandbox, its key and the private folders.
    fn vars(&self) -> Vec<(&'static str, String)> {
        let data = self.data.path().display().to_string();
        vec![
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", data.clone()),
            ("PHONELY_API_KEY", self.key.to_string()),
            ("PHONELY_BASE_URL", self.sandbox.base_url()),
            ("PHONELY_OUTCOMES_DATA", data),
        ]
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("phonely-outcomes").unwrap();
        c.env_clear().envs(self.vars());
        c
    }

    /// The same, for a process the test manages itself (to kill it).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("phonely-outcomes"));
        c.env_clear().envs(self.vars());
        c
    }
}

/// A fresh database on the throwaway cluster `pg` (its superuser URL), and a runtime to read it
/// with.
pub fn team_database(pg: &phonely_team::testing::Cluster) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(pg.create_database());
    let url = pg.superuser_url(&db);
    (rt, url)
}

/// [`team_database`], the sandbox and data folder ([`start`]), and the schema made by the tool
/// itself (`team migrate`).
pub fn team_env(
    pg: &phonely_team::testing::Cluster,
    key: &'static str,
) -> (tokio::runtime::Runtime, String, CliEnv) {
    let (rt, url) = team_database(pg);
    let env = start(key);
    let migrate = env
        .cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .args(["team", "migrate"])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    (rt, url, env)
}
