//! The commented config file that `config init` writes: every setting, its default and an
//! example. README's settings table says the same.

/// The template. Everything is commented out except a sandbox-safe choice, so the file written
/// by `config init` changes nothing until it is edited.
pub const TEMPLATE: &str = r#"# phonely-outcomes configuration (TOML). Every setting is optional.
# `phonely-outcomes config show` prints what is in effect; `config path` where files live.
# The API key is never written here: each profile says where to read it from.

# Profile used when --profile / $PHONELY_PROFILE is not given. With several profiles and no
# default_profile, `send` refuses to guess and the workbench opens on the sandbox.
# default_profile = "staging"

# Ask before each send in the workbench (a production profile always asks for its name).
# confirm_before_send = true

# Seconds to wait for Phonely's whole answer, 0.1 to 600 (send --timeout overrides it).
# request_timeout_secs = 15

# Sending exactly what already went through (✓) to the same call under the same profile within
# this many hours asks twice. 0 turns the warning off.
# duplicate_window_hours = 24

# Phone numbers typed without +country code are read as numbers of this country
# (two-letter code): with "US", (415) 555-1234 becomes +14155551234.
# default_region = "US"

# Colours for a "dark" or "light" terminal background. NO_COLOR=1 turns colour off.
# theme = "dark"

# The Outcome field's pick-list (labels used before are added after these). The default is
# Phonely's documented labels.
# outcome_presets = ["Sold", "No Sale", "Appointment Completed", "Appointment No-Show",
#                    "Qualified Lead", "Follow-Up Required", "Escalated Successfully"]

# After a successful send the form keeps the agent and the outcome and clears the call and
# the value, ready for the next call. true keeps the metadata as well.
# keep_metadata_after_send = false

# Metadata templates, inserted in the workbench with Ctrl+T (each must be a JSON object).
# [metadata_templates]
# callback = '{"rep_id": "", "notes": ""}'

# One [profiles.NAME] per Phonely account. `sandbox` is built in (the bundled sandbox) and
# cannot be redefined. Each profile has a base_url and at most ONE key source:
#   api_key_env = "NAME"                 an environment variable (default: PHONELY_API_KEY)
#   api_key_command = ["prog", "arg"]    a command whose first line of output is the key,
#                                        run once per session (60 s timeout)
#   api_key_keyring = true               the OS keyring: store it with
#                                        `phonely-outcomes key set --profile NAME`
#   api_key_file = "~/.config/phonely-outcomes/prod.key"
#                                        a file readable by you only (chmod 600)
# production = true shows the profile in the warning colour and asks you to type the profile's
# name before each send.

# [profiles.production]
# base_url = "https://app.phonely.ai"
# production = true
# api_key_command = ["pass", "show", "phonely/prod"]

# [profiles.staging]
# base_url = "https://app.phonely.ai"
# api_key_env = "PHONELY_STAGING_KEY"

# The team log: every update also recorded in the team's PostgreSQL database (README, "For a
# team"). On when this section is here or $PHONELY_TEAM_DATABASE_URL is set. At most ONE source
# for the database URL (it holds a password; never written here, never shown):
#   database_url_env = "NAME"             an environment variable (default:
#                                         PHONELY_TEAM_DATABASE_URL)
#   database_url_command = ["prog", "arg"]  a command whose first line of output is the URL
#   database_url_keyring = true           the OS keyring (service phonely-outcomes,
#                                         user team-database-url)
#   database_url_file = "~/.config/phonely-outcomes/team.url"   a file readable by you only
# operator: the name recorded with each of your updates (default: your user name).
# sslmode: "disable", "require" (encrypted, certificate not checked) or "verify-full"
# (the default: the certificate checked against the system's roots, or ca_file).

# [team]
# database_url_env = "PHONELY_TEAM_DATABASE_URL"
# operator = "Ana"
# sslmode = "verify-full"
# ca_file = "/etc/ssl/certs/company-ca.pem"
"#;

/// Every setting: (name, type, default, meaning). README and `config show` agree with it.
pub const SETTINGS: &[(&str, &str, &str, &str)] = &[
    (
        "default_profile",
        "string",
        "none",
        "profile used without --profile/$PHONELY_PROFILE",
    ),
    (
        "confirm_before_send",
        "bool",
        "true",
        "ask before each send in the workbench",
    ),
    (
        "request_timeout_secs",
        "number",
        "15",
        "seconds to wait for Phonely's answer",
    ),
    (
        "duplicate_window_hours",
        "number",
        "24",
        "hours in which sending the same update again asks twice",
    ),
    (
        "default_region",
        "string",
        "US",
        "country of phone numbers typed without +country code",
    ),
    (
        "theme",
        "string",
        "dark",
        "dark or light terminal background; NO_COLOR turns colour off",
    ),
    (
        "outcome_presets",
        "list of strings",
        "Phonely's labels",
        "the Outcome pick-list",
    ),
    (
        "keep_metadata_after_send",
        "bool",
        "false",
        "keep the metadata in the form after a successful send",
    ),
    (
        "metadata_templates",
        "table of strings",
        "none",
        "JSON objects inserted into Metadata with Ctrl+T",
    ),
    (
        "profiles.NAME.base_url",
        "URL",
        "required",
        "where this account's requests go",
    ),
    (
        "profiles.NAME.production",
        "bool",
        "false",
        "warning colour and typed confirmation",
    ),
    (
        "profiles.NAME.api_key_env",
        "string",
        "PHONELY_API_KEY",
        "key from this variable",
    ),
    (
        "profiles.NAME.api_key_command",
        "list of strings",
        "none",
        "key from a command's output",
    ),
    (
        "profiles.NAME.api_key_keyring",
        "bool",
        "false",
        "key from the OS keyring",
    ),
    (
        "profiles.NAME.api_key_file",
        "path",
        "none",
        "key from an owner-only (0600) file",
    ),
    (
        "team.database_url_env",
        "string",
        "PHONELY_TEAM_DATABASE_URL",
        "team log database URL from this environment variable",
    ),
    (
        "team.database_url_command",
        "list",
        "none",
        "team log database URL from a command's first line",
    ),
    (
        "team.database_url_keyring",
        "bool",
        "false",
        "team log database URL from the OS keyring",
    ),
    (
        "team.database_url_file",
        "path",
        "none",
        "team log database URL from an owner-only (0600) file",
    ),
    (
        "team.operator",
        "string",
        "your user name",
        "the name recorded with your updates in the team log",
    ),
    (
        "team.sslmode",
        "string",
        "verify-full",
        "disable, require or verify-full",
    ),
    (
        "team.ca_file",
        "path",
        "system roots",
        "CA certificate(s) (PEM) for verify-full",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_without_errors_or_warnings() {
        let c = super::super::parse(std::path::Path::new("t.toml"), TEMPLATE);
        assert!(c.errors.is_empty() && c.warnings.is_empty(), "{c:?}");
        // Uncommented, the examples are valid too.
        let live: String = TEMPLATE
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with("[profiles")
                    || l.starts_with("base_url")
                    || *l == "production = true"
                    || l.starts_with("api_key_command")
                    || l.starts_with("api_key_env =")
                    || l.starts_with("default_profile =")
            })
            .flat_map(|l| [l, "\n"])
            .collect();
        let c = super::super::parse(std::path::Path::new("t.toml"), &live);
        assert!(
            c.errors.is_empty() && c.warnings.is_empty(),
            "{live}\n{c:?}"
        );
        assert_eq!(c.names(), ["production", "staging", "sandbox"]);
    }

    #[test]
    fn every_setting_is_in_the_template() {
        for (name, ..) in SETTINGS {
            let last = name.rsplit('.').next().unwrap();
            assert!(TEMPLATE.contains(last), "{name} is not in the template");
        }
    }
}
