//! Memory while reading hostile files stays bounded (issue 15): the binary is run on files
//! with no line breaks and its peak resident memory, as the kernel counted it, is checked.
//! This file holds one test on purpose: `getrusage(RUSAGE_CHILDREN)` reports the largest child
//! this process ever waited for, so no other test may start children here.

#![cfg(target_os = "linux")]

mod common;

use nix::sys::resource::{UsageWho, getrusage};

/// Peak memory allowed to one run of the binary on a file of 64 MiB.
const BOUND_KB: i64 = 64 * 1024;

#[test]
fn files_without_line_breaks_are_refused_in_bounded_memory() {
    let e = common::cli_env::start("memory-key-0b1e");
    let dir = tempfile::tempdir().unwrap();
    let big = |name: &str| {
        let path = dir.path().join(name);
        // Sparse: 64 MiB of zero bytes that take no disk space.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(64 * 1024 * 1024)
            .unwrap();
        path
    };
    let runs: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec!["batch".into(), big("big.csv").into(), "--dry-run".into()],
            "line 1 is longer than 1 MiB",
        ),
        (
            vec!["batch".into(), big("big.jsonl").into(), "--yes".into()],
            "line 1 is longer than 1 MiB",
        ),
        (
            vec![
                "send".into(),
                "--agent".into(),
                "agent123".into(),
                "--call".into(),
                "call456".into(),
                "--metadata".into(),
                format!("@{}", big("meta.json").display()).into(),
            ],
            "is larger than 256 KiB",
        ),
    ];
    for (args, says) in runs {
        let out = e.std_cmd().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            stderr.len() < 1000,
            "a short message: {} bytes",
            stderr.len()
        );
        // The largest child waited for so far (this one or an earlier run), in KB on Linux.
        let peak = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss();
        assert!(
            peak < BOUND_KB,
            "{args:?}: peak memory {peak} KB, bound {BOUND_KB} KB"
        );
    }
    assert!(e.sandbox.sandbox.received().is_empty());
}
