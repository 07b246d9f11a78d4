//! `phonely-outcomes`: parse the command line and hand over to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    phonely_outcomes::cli::main(phonely_outcomes::cli::args::Cli::parse_checked())
}
