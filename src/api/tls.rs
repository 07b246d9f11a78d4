//! The HTTP client's certificate check: the platform's verifier (what reqwest uses by default),
//! made when a certificate first needs checking rather than when the client is built.
//!
//! Making it reads the system's root certificates: on Linux the bundle and every file of
//! `/etc/ssl/certs`, half of a whole `send`'s CPU (BENCHMARKS.md). A client that only talks
//! `http://` (the sandbox, a loopback test server) needs them only behind an `https://`
//! proxy; a client for an `https://` account, or with a proxy configured, loads them while it
//! is built ([`Roots::load`], on the same blocking thread as before), so its first request does
//! not wait for them.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;

/// The platform's verifier, made on first use (or by [`Roots::load`]).
#[derive(Debug)]
pub struct Roots {
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<Verifier, rustls::Error>>,
}

impl Roots {
    pub fn new(provider: Arc<CryptoProvider>) -> Self {
        Self {
            provider,
            verifier: OnceLock::new(),
        }
    }

    /// Reads the system's roots now (once): for a client that will talk `https://`. Err when
    /// they cannot be (no certificate found): no https:// request could succeed.
    pub fn load(&self) -> Result<(), String> {
        self.verifier()
            .map(|_| ())
            .map_err(|e| format!("Could not set up HTTPS: {e}"))
    }

    /// Whether the system's roots have been read (tests, and the benchmark's claim).
    pub fn loaded(&self) -> bool {
        self.verifier.get().is_some()
    }

    fn verifier(&self) -> Result<&Verifier, rustls::Error> {
        self.verifier
            .get_or_init(|| Verifier::new(self.provider.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A rustls client configuration with this check, HTTP/2 or 1.1 offered (reqwest's own
    /// choice for a client that may use either).
    pub fn client_config(self: Arc<Self>) -> Result<rustls::ClientConfig, rustls::Error> {
        let mut config = rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(self)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl ServerCertVerifier for Roots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    // A handshake checks the certificate before its signatures, so the verifier is made by
    // then; without it (it could not be made) the handshake has already failed.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    /// Asked for the first message of a handshake, before any certificate: the provider's
    /// schemes, which are what the platform verifier answers on every platform.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match self.verifier.get() {
            Some(Ok(v)) => v.supported_verify_schemes(),
            _ => self
                .provider
                .signature_verification_algorithms
                .supported_schemes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject as _;

    /// A certificate for `test.phonely-outcomes.invalid` and 127.0.0.1 that no one issued
    /// (self-signed, not a CA), and its key: test fixtures, trusted by nothing. Not named
    /// `localhost`: Debian trusts its own "snakeoil" certificate of that name.
    const CERT: &str = include_str!("../../tests/fixtures/self-signed.pem");
    const KEY: &str = include_str!("../../tests/fixtures/test-server.key");

    fn roots() -> Arc<Roots> {
        Arc::new(Roots::new(Arc::new(
            rustls::crypto::ring::default_provider(),
        )))
    }

    #[test]
    fn the_roots_are_read_at_the_first_check_and_an_unknown_issuer_is_refused() {
        let roots = roots();
        let config = roots.clone().client_config().unwrap();
        assert!(!roots.loaded(), "building the configuration reads no roots");
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        let schemes_before = roots.supported_verify_schemes();
        assert!(!roots.loaded());
        let cert = CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap();
        let name = ServerName::try_from("test.phonely-outcomes.invalid").unwrap();
        let checked = roots.verify_server_cert(&cert, &[], &name, &[], UnixTime::now());
        assert!(roots.loaded());
        assert_eq!(
            checked.unwrap_err(),
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        );
        // What the first message offered is what the loaded verifier checks with.
        assert_eq!(schemes_before, roots.supported_verify_schemes());
    }

    /// A TLS server on 127.0.0.1 with the untrusted certificate: a client for an https://
    /// address built with this check refuses it (the configuration reqwest was given is the
    /// one in use), having read the roots before the request.
    #[tokio::test]
    async fn an_https_server_with_an_unknown_certificate_is_refused() {
        use crate::api::client::{Client, Completion};
        use std::io::{Read as _, Write as _};
        use std::time::Duration;
        let certs = vec![CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap()];
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap();
        let tls_config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // One connection: the handshake, then whatever the client says (nothing, if it refused).
        let served = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let conn = rustls::ServerConnection::new(tls_config).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut buf = [0u8; 1024];
            let read = tls.read(&mut buf);
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
            read.is_ok_and(|n| n > 0)
        });
        let base = format!("https://127.0.0.1:{port}");
        let client = Client::for_base(Duration::from_secs(5), &base).unwrap();
        assert!(client.roots_loaded(), "read while the client was built");
        let base = crate::api::request::BaseUrl::parse(&base).unwrap();
        let update = phonely_core::factory::update(&crate::api::update::UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "Sold",
            ..Default::default()
        });
        let request = crate::api::request::build(&update, &base);
        let key = crate::api::key::ApiKey::new("a-key-that-must-not-leave");
        let (completion, _) = client.send(&request, &key).await;
        let (Completion::NotSent(why) | Completion::NoAnswer(why)) = &completion else {
            panic!("the server's certificate was accepted: {completion:?}");
        };
        assert!(why.to_lowercase().contains("certificate"), "{why}");
        assert!(
            !served.join().unwrap(),
            "the request (and its key) reached a server the client could not trust"
        );
    }

    /// `send` and `batch` against the sandbox (http://) never read the roots; a client for an
    /// https:// account has them before its first request.
    #[tokio::test]
    async fn a_client_for_an_http_address_sends_without_reading_the_roots() {
        use crate::api::client::{Client, Completion};
        use std::time::Duration;
        let sb = crate::sandbox::start("127.0.0.1:0", crate::sandbox::DEFAULT_KEY)
            .await
            .unwrap();
        let base = crate::api::request::BaseUrl::parse(&sb.base_url()).unwrap();
        let client = Client::for_base(Duration::from_secs(5), base.as_str()).unwrap();
        let update = phonely_core::factory::update(&crate::api::update::UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: "Sold",
            ..Default::default()
        });
        let request = crate::api::request::build(&update, &base);
        let key = crate::api::key::ApiKey::new(crate::sandbox::DEFAULT_KEY);
        let (completion, _) = client.send(&request, &key).await;
        assert!(
            matches!(&completion, Completion::Answered(r) if r.status == 200),
            "{completion:?}"
        );
        assert_eq!(
            client.roots_loaded(),
            crate::api::client::proxy_configured()
        );
        let https = Client::for_base(Duration::from_secs(5), "https://app.phonely.ai").unwrap();
        assert!(https.roots_loaded());
        assert!(Client::new(Duration::from_secs(5)).unwrap().roots_loaded());
    }

    #[test]
    fn load_reads_them_at_once() {
        let roots = roots();
        // This machine has system roots (the tests' HTTPS checks need them too).
        roots.load().unwrap();
        assert!(roots.loaded());
    }
}
