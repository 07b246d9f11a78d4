//! phonely-core: what every front end of phonely-outcomes shares, with no IO crate in sight
//! (no SQLite, HTTP client, terminal or async runtime: its Cargo.toml lists none, so the
//! compiler keeps it that way).
//!
//! - [`update`]: raw text → `validate` → a typed `OutcomeUpdate` (or every field's error);
//!   [`phone`] (E.164 and national numbers), [`exact`] (numbers that would arrive changed,
//!   metadata read key by key), [`invisible`] (characters ids may not hold), [`notes`] (warnings
//!   about a valid update, the documented labels).
//! - [`request`]: the one request builder (`build` → `WireRequest`, `BaseUrl`); [`curl`] and
//!   [`shell`] turn it into curl text; [`key`]: the masked `ApiKey` and where it came from.
//! - [`outcome`]: how a request ended (`Completion`, `classify` → `Verdict`, `State`).
//! - [`record`], [`filter`]: what the history holds and how it is searched, as plain data;
//!   [`factory`] builds records for tests without a database.
//! - [`calls`]: the look-up of an agent's calls (`ListQuery`, `parse_page`, `pick`).
//! - [`inert`]: text from a server or a file made safe to show on a terminal; [`time`]: a
//!   timestamp as people read it.

pub mod calls;
pub mod curl;
pub mod exact;
pub mod factory;
pub mod filter;
pub mod inert;
pub mod invisible;
pub mod key;
pub mod notes;
pub mod outcome;
pub mod phone;
pub mod record;
pub mod request;
pub mod shell;
pub mod time;
pub mod update;
