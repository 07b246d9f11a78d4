//! Links the `phonely-outcomes` binary as a position-dependent executable on x86-64 Linux.
//!
//! With `phonenumber` (and the `regex` Unicode tables it brings), a position-independent binary
//! carries about 32,000 relative relocations that the dynamic loader applies at every start,
//! before `main`: about 1.5 ms, which took start-up from 1.43× to 1.5× a minimal ratatui app
//! (BENCHMARKS.md). A non-PIE binary has none. Only the binary is affected (`-bins`): the
//! library, tests, examples and proc-macros are linked as usual. Shared libraries, the heap and
//! the stack are still placed at random addresses; see ARCHITECTURE.md for the trade-off.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && arch == "x86_64" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
