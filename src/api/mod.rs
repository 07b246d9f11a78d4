//! Phonely's "set post call outcome" endpoint, free of any UI: typed updates and their
//! validation, the one request builder, the key, and the HTTP client with its classification.

pub mod client;
pub mod curl;
pub mod exact;
pub mod inert;
pub mod invisible;
pub mod key;
pub mod notes;
pub mod phone;
pub mod request;
pub mod shell;
pub mod time;
pub mod update;
