//! Shell text: POSIX single-quoting for the curl commands and key expressions people copy.

/// POSIX single-quoting: everything literal, `'` written as `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
