//! TLS for pelican's Postgres session, with libpq's `sslmode` semantics.
//!
//! The sqlx pools of every service read `sslmode` and `sslrootcert` from
//! `DATABASE_URL` themselves; tokio-postgres (pelican's LISTEN/leader
//! session) only knows `disable`/`prefer`/`require` and never verifies
//! anything itself. This module gives the session the same reading of the
//! same URL, so one `DATABASE_URL` means one security level for every
//! connection a deployment opens:
//!
//! | sslmode          | encrypted        | server certificate checked        |
//! |------------------|------------------|-----------------------------------|
//! | disable          | no               | –                                 |
//! | prefer (default) | if offered       | no                                |
//! | require          | yes              | no (chain only if `sslrootcert`)  |
//! | verify-ca        | yes              | chain                             |
//! | verify-full      | yes              | chain and host name               |
//!
//! Roots come from `sslrootcert` (e.g. the RDS CA bundle), else from the
//! system store.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("DATABASE_URL: {0}")]
    Url(String),
    #[error("DATABASE_URL: sslrootcert {path}: {message}")]
    RootCert { path: String, message: String },
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// What `sslmode` asks of the server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verification {
    None,
    Chain,
    ChainAndHost,
}

/// The URL tokio-postgres can parse (without the parameters it does not
/// know), the mode to give it, and the connector that does the checks.
pub struct SessionTls {
    pub url: String,
    pub mode: SslMode,
    pub connector: MakeRustlsConnect,
}

/// Read `sslmode` / `sslrootcert` from a Postgres URL (libpq semantics).
pub fn from_url(url: &str) -> Result<SessionTls, TlsError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut sslmode = "prefer".to_owned();
    let mut rootcert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => sslmode = value.to_owned(),
            "sslrootcert" => rootcert = Some(percent_decode(value)),
            _ => kept.push(pair),
        }
    }
    let (mode, verification) = match sslmode.as_str() {
        "disable" => (SslMode::Disable, Verification::None),
        "allow" | "prefer" => (SslMode::Prefer, Verification::None),
        // libpq: with a root certificate, `require` also checks the chain.
        "require" if rootcert.is_some() => (SslMode::Require, Verification::Chain),
        "require" => (SslMode::Require, Verification::None),
        "verify-ca" => (SslMode::Require, Verification::Chain),
        "verify-full" => (SslMode::Require, Verification::ChainAndHost),
        other => return Err(TlsError::Url(format!("unknown sslmode {other:?}"))),
    };
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let config = client_config(verification, rootcert.as_deref())?;
    Ok(SessionTls {
        url,
        mode,
        connector: MakeRustlsConnect::new(config),
    })
}

fn client_config(
    verification: Verification,
    rootcert: Option<&str>,
) -> Result<ClientConfig, TlsError> {
    // An explicit provider: the dependency graph has both ring and aws-lc-rs,
    // and rustls refuses to guess between them.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let config = if verification == Verification::None {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth()
    } else {
        let roots = Arc::new(root_store(rootcert)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| TlsError::Config(rustls::Error::General(e.to_string())))?;
        let verifier: Arc<dyn ServerCertVerifier> = match verification {
            Verification::Chain => Arc::new(ChainOnly(webpki)),
            _ => webpki,
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth()
    };
    Ok(config)
}

fn root_store(rootcert: Option<&str>) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    match rootcert {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| TlsError::RootCert {
                    path: path.to_owned(),
                    message: e.to_string(),
                })?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(TlsError::RootCert {
                    path: path.to_owned(),
                    message: "no usable certificate in the file".into(),
                });
            }
        }
        None => {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    Ok(roots)
}

/// `sslmode=require` without a root certificate: encrypted, but any server
/// certificate is accepted (libpq's behaviour). Handshake signatures are
/// still checked, so the certificate's key must really be the server's.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

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
        verify_tls12_signature(
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
        verify_tls13_signature(
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

/// `sslmode=verify-ca`: the chain must lead to a trusted root; the name in
/// the certificate is not compared with the host connected to.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `%2F` → `/` in `sslrootcert=%2Fetc%2F...` (URL query encoding).
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parameters_tokio_postgres_does_not_know_are_removed() {
        let tls = from_url(
            "postgres://u:p@db:5432/catalog?sslmode=verify-full&sslrootcert=%2Fnope&application_name=x",
        );
        // The root certificate does not exist: the error names it.
        let Err(TlsError::RootCert { path, .. }) = tls else {
            panic!("expected a root certificate error");
        };
        assert_eq!(path, "/nope");

        let tls = from_url("postgres://u:p@db/catalog?sslmode=require&connect_timeout=3").unwrap();
        assert_eq!(tls.url, "postgres://u:p@db/catalog?connect_timeout=3");
        assert_eq!(tls.mode, SslMode::Require);

        let tls = from_url("postgres://u:p@db/catalog").unwrap();
        assert_eq!(tls.url, "postgres://u:p@db/catalog");
        assert_eq!(tls.mode, SslMode::Prefer);

        let tls = from_url("postgres://u:p@db/catalog?sslmode=disable").unwrap();
        assert_eq!(tls.mode, SslMode::Disable);
    }

    #[test]
    fn unknown_modes_are_rejected() {
        assert!(matches!(
            from_url("postgres://db/c?sslmode=maybe"),
            Err(TlsError::Url(_))
        ));
    }
}
