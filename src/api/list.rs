//! `GET /api/calls/{agent}`: one page of an agent's calls (`calls::ListQuery`), with the key,
//! the client's timeout and the same 1 MiB body cap as the update. A look-up changes nothing on
//! Phonely, so every failure here is only "no list": it never says an update may have landed.

use std::time::Instant;

use super::calls::{CallPage, ListQuery, parse_page, refusal_message};
use super::client::{BODY_CAP, Client, error_chain};
use super::key::ApiKey;
use super::request::{AUTH_HEADER, BaseUrl};

/// Why there is no list. Every message is for a person, with server text made inert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListError {
    /// Phonely answered with an error status (400, 401, 403, 500 …).
    Refused { status: u16, message: String },
    /// No connection, no answer in time, or an answer cut off.
    NoAnswer(String),
    /// A 2xx answer that is not a page of calls (or larger than the cap).
    Unreadable(String),
    /// The request could not be made (a key that cannot go in a header).
    NotSent(String),
}

impl ListError {
    pub fn message(&self) -> &str {
        match self {
            ListError::Refused { message, .. }
            | ListError::NoAnswer(message)
            | ListError::Unreadable(message)
            | ListError::NotSent(message) => message,
        }
    }
}

impl std::fmt::Display for ListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Asks for one page of calls. Logged by method, path and status (never the key).
pub async fn list(
    client: &Client,
    base: &BaseUrl,
    query: &ListQuery,
    key: &ApiKey,
) -> Result<CallPage, ListError> {
    let started = Instant::now();
    let request = query.request(base);
    let result = fetch(client, &request.url, &request.headers, key).await;
    let ms = started.elapsed().as_millis();
    let path = query.path_and_query();
    let path = path.split('?').next().unwrap_or_default();
    match &result {
        Ok((status, _)) => tracing::info!(method = "GET", path, status, ms, "look-up answered"),
        Err(e) => tracing::warn!(
            method = "GET",
            path,
            ms,
            why = e.message(),
            "look-up failed"
        ),
    }
    let (status, body) = result?;
    if !(200..300).contains(&status) {
        return Err(ListError::Refused {
            status,
            message: refusal_message(status, &body),
        });
    }
    parse_page(&body).map_err(ListError::Unreadable)
}

async fn fetch(
    client: &Client,
    url: &str,
    headers: &[(&'static str, String)],
    key: &ApiKey,
) -> Result<(u16, String), ListError> {
    let (http, timeout) = client.parts();
    let seconds = timeout.as_secs_f32();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut builder = http.get(url);
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let Ok(mut auth) = reqwest::header::HeaderValue::from_str(key.expose()) else {
        return Err(ListError::NotSent(
            "The API key contains characters that cannot go in a header; check that it was \
             copied whole"
                .to_string(),
        ));
    };
    auth.set_sensitive(true);
    builder = builder.header(AUTH_HEADER, auth);
    let mut response = match tokio::time::timeout_at(deadline, builder.send()).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            let detail = error_chain(&e);
            return Err(ListError::NoAnswer(if e.is_connect() {
                format!("Could not connect to look the calls up ({detail})")
            } else {
                format!("The look-up of calls got no answer ({detail})")
            }));
        }
        Err(_) => return Err(no_answer_in(seconds)),
    };
    let status = response.status().as_u16();
    let mut body = Vec::new();
    loop {
        let Ok(next) = tokio::time::timeout_at(deadline, response.chunk()).await else {
            return Err(no_answer_in(seconds));
        };
        match next {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > BODY_CAP {
                    return Err(ListError::Unreadable(format!(
                        "Phonely's list of calls (HTTP {status}) is larger than {} KiB, more \
                         than a page of calls can be; it was not read",
                        BODY_CAP / 1024
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(ListError::NoAnswer(format!(
                    "The list of calls (HTTP {status}) broke off while it was being read: {}",
                    error_chain(&e)
                )));
            }
        }
    }
    // As for an update's answer: an echo of the request's headers never carries the key on.
    Ok((
        status,
        key.scrub(String::from_utf8_lossy(&body).into_owned()),
    ))
}

fn no_answer_in(seconds: f32) -> ListError {
    ListError::NoAnswer(format!(
        "No list of calls within {seconds} s (try again, or a longer --timeout)"
    ))
}

/// The most pages [`list_all`] reads (1,000 calls at 100 a page) before it gives up.
pub const MAX_PAGES: u64 = 10;

/// Every call matching `query` (its `limit` and `offset` are ignored): pages of 100 until the
/// answer's `total` is reached or a page comes back short. More than [`MAX_PAGES`] pages is
/// refused rather than guessed from part of the list.
pub async fn list_all(
    client: &Client,
    base: &BaseUrl,
    query: &ListQuery,
    key: &ApiKey,
) -> Result<Vec<super::calls::CallSummary>, ListError> {
    let mut query = query.clone();
    let _ = query.set_limit(u64::from(super::calls::MAX_LIMIT));
    query.offset = 0;
    let mut calls = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = list(client, base, &query, key).await?;
        let got = page.items.len() as u64;
        calls.extend(page.items);
        let done =
            got < u64::from(query.limit()) || page.total.is_some_and(|t| query.offset + got >= t);
        if done {
            return Ok(calls);
        }
        query.offset += got;
    }
    Err(ListError::Unreadable(format!(
        "More than {} calls match: too many to be sure which is first or last; narrow the \
         look-up",
        MAX_PAGES * u64::from(super::calls::MAX_LIMIT)
    )))
}
