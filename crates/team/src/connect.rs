//! Connecting to the team log: TLS with rustls (ring) as `sslmode` asks, a short connect timeout,
//! and errors people can act on, with the URL's password taken out of every one.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::TeamError;
use crate::url::{SslMode, Target};

/// How long reaching the server may take before the team log counts as offline.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a connection (the connection task runs on the current tokio runtime). Does not check
/// the schema: [`crate::TeamLog::open`] does.
pub async fn connect(target: &Target) -> Result<tokio_postgres::Client, TeamError> {
    let url = &target.url;
    let mode = target.mode().map_err(TeamError::Config)?;
    let mut config: tokio_postgres::Config = url.without_sslmode().parse().map_err(|e| {
        TeamError::Config(url.scrub(&format!(
            "the team database URL {} cannot be read: {e} (expected \
             postgres://user:password@host:5432/database)",
            url.shown()
        )))
    })?;
    config.connect_timeout(CONNECT_TIMEOUT);
    if config.get_application_name().is_none() {
        config.application_name("phonely-outcomes");
    }
    let shown = url.shown();
    let fail = |e: tokio_postgres::Error| TeamError::from_driver(&e, url, &shown);
    let client = if mode == SslMode::Disable {
        config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        let (client, conn) = config.connect(tokio_postgres::NoTls).await.map_err(fail)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    } else {
        config.ssl_mode(tokio_postgres::config::SslMode::Require);
        let tls = tls_config(mode, target.ca_file.as_deref())?;
        let make = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
        let (client, conn) = config.connect(make).await.map_err(fail)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    };
    Ok(client)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_config(
    mode: SslMode,
    ca_file: Option<&std::path::Path>,
) -> Result<rustls::ClientConfig, TeamError> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TeamError::Config(format!("TLS could not be set up: {e}")))?;
    if mode == SslMode::Require {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider())))
            .with_no_client_auth());
    }
    let mut roots = rustls::RootCertStore::empty();
    if let Some(path) = ca_file {
        let shown = path.display();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| {
                TeamError::Config(format!("the team CA file {shown} cannot be read: {e}"))
            })?
            .collect::<Result<_, _>>()
            .map_err(|e| {
                TeamError::Config(format!(
                    "the team CA file {shown} is not PEM certificates: {e}"
                ))
            })?;
        if certs.is_empty() {
            return Err(TeamError::Config(format!(
                "the team CA file {shown} holds no certificate (expected -----BEGIN CERTIFICATE-----)"
            )));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                TeamError::Config(format!(
                    "a certificate in the team CA file {shown} is refused: {e}"
                ))
            })?;
        }
    } else {
        let found = rustls_native_certs::load_native_certs();
        for cert in found.certs {
            let _ = roots.add(cert);
        }
        if roots.is_empty() {
            return Err(TeamError::Config(
                "no system certificates were found to check the team database's certificate: set \
                 ca_file in [team], or sslmode = \"require\""
                    .to_string(),
            ));
        }
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

/// `sslmode=require`: encrypted, any certificate accepted (libpq's meaning). Signatures are still
/// checked, so the handshake is sound; only who signed the certificate is not.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::TeamUrl;

    /// A server that answers PostgreSQL's TLS request with "N" (no TLS), as one without
    /// certificates does: the error says to use sslmode = "disable", and shows no password.
    #[tokio::test]
    async fn a_server_without_tls_is_explained() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{Read as _, Write as _};
            let (mut s, _) = listener.accept().unwrap();
            let mut request = [0_u8; 8];
            s.read_exact(&mut request).unwrap();
            // SSLRequest: length 8, code 80877103.
            assert_eq!(request, [0, 0, 0, 8, 4, 210, 22, 47]);
            s.write_all(b"N").unwrap();
        });
        let target = Target {
            url: TeamUrl::new(format!("postgres://ana:Pw-9x@127.0.0.1:{port}/team")),
            sslmode: Some(SslMode::Require),
            ca_file: None,
        };
        let e = connect(&target).await.unwrap_err();
        server.join().unwrap();
        let text = e.to_string();
        assert!(matches!(e, TeamError::Config(_)), "{e:?}");
        assert!(
            text.contains("does not offer TLS") && text.contains("sslmode = \"disable\""),
            "{text}"
        );
        assert!(!text.contains("Pw-9x"), "{text}");
        // One sentence, not the source's indentation.
        assert!(!text.contains("  "), "{text}");
    }
}
