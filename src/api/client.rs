//! The HTTP client: sends a `WireRequest` with the key, times it, reads at most a capped body,
//! and classifies what came back. Never panics; every failure becomes a `Completion`.

use std::time::{Duration, Instant};

use super::key::ApiKey;
pub use super::outcome::{BODY_CAP, Completion, HttpResponse, State, Verdict, classify, one_line};
use super::request::{AUTH_HEADER, WireRequest};

/// Default time allowed for a whole request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Logs one request by method, path and outcome: never headers (the key is one), never the body.
pub fn log_completion(request: &WireRequest, completion: &Completion, latency: Duration) {
    let path = request
        .url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let ms = latency.as_millis();
    match completion {
        Completion::Answered(r) => {
            tracing::info!(
                method = request.method,
                path,
                status = r.status,
                ms,
                "request answered"
            );
        }
        Completion::NotSent(why) => {
            tracing::warn!(method = request.method, path, ms, why, "request not sent");
        }
        Completion::NoAnswer(why) => {
            tracing::warn!(
                method = request.method,
                path,
                ms,
                why,
                "request got no answer"
            );
        }
        Completion::Cancelled => {
            tracing::info!(method = request.method, path, ms, "request cancelled");
        }
    }
}

/// Whether reqwest will send through a proxy from the environment (it reads these variables
/// by default; an `https://` proxy means a certificate to check even for an `http://` address).
pub(crate) fn proxy_configured() -> bool {
    ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// A reusable HTTP client (connection pool, TLS set-up).
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    timeout: Duration,
    roots: std::sync::Arc<super::tls::Roots>,
}

impl Client {
    /// Builds the client. TLS uses rustls with the ring provider and the platform's roots,
    /// read now (a few milliseconds: call it off the event loop).
    pub fn new(timeout: Duration) -> Result<Self, String> {
        let client = Self::lazy(timeout)?;
        client.roots.load()?;
        Ok(client)
    }

    /// The client for one account's address: the system's roots are read now for `https://`
    /// (or when a proxy is configured: it may be an `https://` one), and for `http://` (the
    /// sandbox) only if a certificate ever needs checking, which redirects (not followed)
    /// cannot cause.
    pub fn for_base(timeout: Duration, base_url: &str) -> Result<Self, String> {
        let client = Self::lazy(timeout)?;
        if !base_url.starts_with("http://") || proxy_configured() {
            client.roots.load()?;
        }
        Ok(client)
    }

    fn lazy(timeout: Duration) -> Result<Self, String> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let roots = std::sync::Arc::new(super::tls::Roots::new(provider));
        let tls = roots
            .clone()
            .client_config()
            .map_err(|e| format!("Could not set up HTTPS: {e}"))?;
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|e| format!("Could not set up HTTPS: {e}"))?;
        Ok(Self {
            http,
            timeout,
            roots,
        })
    }

    /// Whether the system's roots have been read (see [`super::tls`]).
    pub fn roots_loaded(&self) -> bool {
        self.roots.loaded()
    }

    /// The underlying HTTP client and the time allowed for a whole request, for the other
    /// endpoints' calls (`api::list`).
    pub(crate) fn parts(&self) -> (&reqwest::Client, Duration) {
        (&self.http, self.timeout)
    }

    /// Sends the request and returns how it ended and how long it took.
    pub async fn send(&self, request: &WireRequest, key: &ApiKey) -> (Completion, Duration) {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + self.timeout;
        let completion = self.exchange(request, key, deadline).await;
        (completion, started.elapsed())
    }

    async fn exchange(
        &self,
        request: &WireRequest,
        key: &ApiKey,
        deadline: tokio::time::Instant,
    ) -> Completion {
        let seconds = self.timeout.as_secs_f32();
        let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
            return Completion::NotSent(format!("Unknown method {}", request.method));
        };
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let Ok(mut auth) = reqwest::header::HeaderValue::from_str(key.expose()) else {
            return Completion::NotSent(
                "The API key contains characters that cannot go in a header; check that it was \
                 copied whole"
                    .to_string(),
            );
        };
        auth.set_sensitive(true);
        builder = builder.header(AUTH_HEADER, auth).body(request.body.clone());
        let mut response = match tokio::time::timeout_at(deadline, builder.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return classify_error(&e),
            Err(_) => {
                return Completion::NoAnswer(format!(
                    "No answer within {seconds} s: the update may or may not have been applied; \
                     check before resending"
                ));
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(|v| one_line(v, 40));
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, response.chunk()).await else {
                return Completion::NoAnswer(format!(
                    "The answer (HTTP {status}) started but did not finish within {seconds} s \
                     ({} KiB came): the update may or may not have been applied; check before \
                     resending",
                    body.len() / 1024
                ));
            };
            match next {
                Ok(Some(chunk)) => {
                    let room = BODY_CAP - body.len();
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Completion::NoAnswer(format!(
                        "The answer (HTTP {status}) broke off while it was being read: {}; the \
                         update may or may not have been applied",
                        error_chain(&e)
                    ));
                }
            }
        }
        Completion::Answered(HttpResponse {
            status,
            // An answer that echoes the request's headers would carry the key on to the
            // history, the team log and the screen.
            body: key.scrub(String::from_utf8_lossy(&body).into_owned()),
            truncated,
            retry_after: retry_after.map(|r| key.scrub(r)),
        })
    }
}

fn classify_error(e: &reqwest::Error) -> Completion {
    let detail = error_chain(e);
    if e.is_connect() {
        // No connection (refused, DNS, TLS handshake): the request never left.
        return Completion::NotSent(format!(
            "Could not connect ({detail}): nothing was sent; safe to try again"
        ));
    }
    if e.is_timeout() {
        return Completion::NoAnswer(format!(
            "Timed out waiting for an answer ({detail}): the update may or may not have been \
             applied; check before resending"
        ));
    }
    // Once connected, the client cannot tell whether the server read the request before the
    // connection broke (a reset looks the same either way), so it never claims it did not.
    let what = match io_error_kind(e) {
        Some(std::io::ErrorKind::ConnectionReset) => {
            "The connection was cut (reset) before an answer came"
        }
        Some(std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionAborted) => {
            "The connection was cut while the request was being sent"
        }
        _ if detail.contains("closed before message completed") => {
            "The server closed the connection without answering"
        }
        _ => "The connection failed before an answer came",
    };
    Completion::NoAnswer(format!(
        "{what}: the request may have reached the server, so the update may or may not have \
         been applied; check before resending ({detail})"
    ))
}

/// The kind of the first I/O error among the causes, if any.
fn io_error_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        current = err.source();
    }
    None
}

/// The error and its causes on one line. reqwest's messages name the URL, never headers.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    one_line(&parts.join(": "), 300)
}
