//! Phonely's "set post call outcome" endpoint, free of any UI: typed updates and their
//! validation, the one request builder, the key, how a request ended (`outcome`), what the
//! history holds (`record`, `filter`) as plain data, and the HTTP client.

pub mod client;
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
