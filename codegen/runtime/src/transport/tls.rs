//! TLS settings both transports share: extra trust anchors (a private CA,
//! an emulator's certificate) and a client certificate (mutual TLS, as
//! AWS IoT's credentials provider asks for), given as PEM.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// What a transport's TLS trusts and presents, beyond the defaults (the
/// Mozilla root certificates, no client certificate).
///
/// Set through [`ConfigBuilder::add_trust_anchors_pem`](crate::ConfigBuilder::add_trust_anchors_pem)
/// and [`ConfigBuilder::client_certificate_pem`](crate::ConfigBuilder::client_certificate_pem).
/// `Debug` never shows the private key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    trust_anchors: Vec<Arc<[u8]>>,
    identity: Option<Identity>,
}

/// A client certificate chain and its key, as PEM.
#[derive(Clone, PartialEq, Eq)]
struct Identity {
    chain_pem: Arc<[u8]>,
    key_pem: Arc<[u8]>,
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("trust_anchors", &self.trust_anchors.len())
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}

/// A TLS setting that cannot be used: PEM without a certificate or key, a
/// certificate rustls does not accept, a key that does not match.
#[derive(Debug)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

impl TlsSettings {
    /// Trusts the certificates of `pem` (one or more `CERTIFICATE` blocks)
    /// as well as the Mozilla roots.
    pub fn add_trust_anchors_pem(&mut self, pem: impl Into<Vec<u8>>) {
        self.trust_anchors.push(pem.into().into());
    }

    /// Presents the certificate chain `chain_pem` (the client's certificate
    /// first) with its private key `key_pem` (PKCS #8, PKCS #1 or SEC1)
    /// when the server asks for one.
    pub fn set_client_certificate_pem(
        &mut self,
        chain_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) {
        self.identity = Some(Identity {
            chain_pem: chain_pem.into().into(),
            key_pem: key_pem.into().into(),
        });
    }

    /// Whether these are the defaults.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    fn extra_roots(&self) -> Result<Vec<CertificateDer<'static>>, TlsError> {
        let mut roots = Vec::new();
        for (index, pem) in self.trust_anchors.iter().enumerate() {
            let before = roots.len();
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots.push(
                    cert.map_err(|e| TlsError(format!("trust anchors PEM #{}: {e}", index + 1)))?,
                );
            }
            if roots.len() == before {
                return Err(TlsError(format!(
                    "trust anchors PEM #{} holds no CERTIFICATE block",
                    index + 1
                )));
            }
        }
        Ok(roots)
    }

    fn client_identity(
        &self,
    ) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>, TlsError> {
        let Some(Identity { chain_pem, key_pem }) = &self.identity else {
            return Ok(None);
        };
        let chain = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError(format!("client certificate PEM: {e}")))?;
        if chain.is_empty() {
            return Err(TlsError(
                "client certificate PEM holds no CERTIFICATE block".into(),
            ));
        }
        // The key's own error text could quote it: only its kind is said.
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| {
            TlsError(
                "client key PEM holds no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block"
                    .into(),
            )
        })?;
        Ok(Some((chain, key)))
    }

    /// The rustls client configuration (ring, TLS 1.2 and 1.3; the transport sets ALPN).
    pub fn rustls_config(&self) -> Result<rustls::ClientConfig, TlsError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for (index, root) in self.extra_roots()?.into_iter().enumerate() {
            roots
                .add(root)
                .map_err(|e| TlsError(format!("trust anchor #{}: {e}", index + 1)))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(e.to_string()))?
            .with_root_certificates(roots);
        let config = match self.client_identity()? {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| TlsError(format!("client certificate and key: {e}")))?,
            None => builder.with_no_client_auth(),
        };
        Ok(config)
    }

    /// The same settings for ureq (the blocking transport).
    #[cfg(feature = "https")]
    pub(crate) fn ureq_config(&self) -> Result<ureq::tls::TlsConfig, TlsError> {
        use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};
        let mut config = TlsConfig::builder();
        let extra = self.extra_roots()?;
        if !extra.is_empty() {
            // ureq takes either the Mozilla roots or a list: the list is
            // both, the Mozilla roots as certificates.
            let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .chain(extra.iter())
                .map(|der| Certificate::from_der(der.as_ref()).to_owned());
            config = config.root_certs(RootCerts::from(roots.collect::<Vec<_>>()));
        }
        if let Some((chain, key)) = self.client_identity()? {
            let chain: Vec<_> = chain
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()).to_owned())
                .collect();
            // Checked above; ureq reads the same PEM its own way.
            drop(key);
            let key_pem = self.identity.as_ref().map_or(&[][..], |id| &id.key_pem[..]);
            let key = PrivateKey::from_pem(key_pem)
                .map_err(|_| TlsError("client key PEM: ureq cannot read the key".into()))?;
            config = config.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        Ok(config.build())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::thread;
    use std::time::{Duration, Instant};

    use bytes::Bytes;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };

    use super::*;
    use crate::transport::{Cause, ConnectorError, HttpClient, HttpResponse, RequestTimeouts};

    /// A CA made now, a server certificate for 127.0.0.1 and a client
    /// certificate it signed, as PEM; and one more CA that signed nothing here.
    struct Pki {
        ca: String,
        server: (String, String),
        client: (String, String),
        stranger: (String, String),
    }

    fn ca(name: &str) -> (rcgen::Certificate, KeyPair) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        (params.self_signed(&key).unwrap(), key)
    }

    fn leaf(
        names: &[&str],
        usage: ExtendedKeyUsagePurpose,
        (issuer, issuer_key): &(rcgen::Certificate, KeyPair),
    ) -> (String, String) {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, issuer, issuer_key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn pki() -> Pki {
        let authority = ca("test CA");
        let other = ca("another CA");
        Pki {
            ca: authority.0.pem(),
            server: leaf(
                &["127.0.0.1", "device.example"],
                ExtendedKeyUsagePurpose::ServerAuth,
                &authority,
            ),
            client: leaf(
                &["thing-1"],
                ExtendedKeyUsagePurpose::ClientAuth,
                &authority,
            ),
            stranger: leaf(&["thing-2"], ExtendedKeyUsagePurpose::ClientAuth, &other),
        }
    }

    /// A TLS server on 127.0.0.1 that requires a client certificate from
    /// `pki`'s CA; answers `200` with the client certificate's count of
    /// bytes, closes each connection after one reply, stops after 20 s.
    fn serve(pki: &Pki) -> String {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pki.ca.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            roots.into(),
            provider.clone(),
        )
        .build()
        .unwrap();
        let chain = CertificateDer::pem_slice_iter(pki.server.0.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(pki.server.1.as_bytes()).unwrap();
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_client_cert_verifier(verifier)
                .with_single_cert(chain, key)
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("https://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        thread::spawn(move || {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                let Ok((stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut head = Vec::new();
                let mut byte = [0];
                while !head.ends_with(b"\r\n\r\n") && tls.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                if !head.ends_with(b"\r\n\r\n") {
                    continue; // the handshake failed
                }
                let seen = tls.conn.peer_certificates().map_or(0, |c| c.len());
                let body = format!("{seen}");
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        endpoint
    }

    fn request(endpoint: &str) -> crate::transport::HttpRequest {
        let mut request = http::Request::builder()
            .uri(format!("{endpoint}/things"))
            .body(Bytes::new())
            .unwrap();
        request.extensions_mut().insert(RequestTimeouts {
            connect: Some(Duration::from_secs(2)),
            attempt: Some(Duration::from_secs(5)),
        });
        request
    }

    /// Sends one request with each transport made for `tls` (ureq with
    /// `https`; hyper with `rt-tokio`, inside a runtime and from
    /// `block_on` on its own runtime): every outcome.
    fn send_both(
        tls: &TlsSettings,
        endpoint: &str,
    ) -> Vec<(&'static str, Result<HttpResponse, ConnectorError>)> {
        #[allow(unused_mut)]
        let mut outcomes = Vec::new();
        #[cfg(feature = "https")]
        {
            let blocking = crate::transport::https::UreqClient::with_tls(tls).unwrap();
            outcomes.push((
                "ureq",
                crate::block_on::block_on(blocking.send(request(endpoint))),
            ));
        }
        #[cfg(feature = "rt-tokio")]
        {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let client = crate::transport::async_https::HyperClient::with_tls(tls).unwrap();
            outcomes.push(("hyper", runtime.block_on(client.send(request(endpoint)))));
            outcomes.push((
                "hyper, blocking",
                crate::block_on::block_on(client.send(request(endpoint))),
            ));
        }
        outcomes
    }

    #[test]
    fn mutual_tls_with_a_ca_made_now() {
        let pki = pki();
        let endpoint = serve(&pki);

        let mut trusted = TlsSettings::default();
        trusted.add_trust_anchors_pem(pki.ca.clone());
        let mut identified = trusted.clone();
        identified.set_client_certificate_pem(pki.client.0.clone(), pki.client.1.clone());
        for (transport, outcome) in send_both(&identified, &endpoint) {
            let response = outcome.unwrap_or_else(|e| panic!("{transport}: {e}"));
            assert_eq!(response.status(), 200, "{transport}");
            assert_eq!(
                response.body().as_ref(),
                b"1",
                "{transport}: one client certificate"
            );
        }

        // No client certificate, or one from a CA the server does not
        // trust: the server refuses the handshake.
        let mut stranger = trusted.clone();
        stranger.set_client_certificate_pem(pki.stranger.0.clone(), pki.stranger.1.clone());
        for settings in [&trusted, &stranger] {
            for (transport, outcome) in send_both(settings, &endpoint) {
                let err = outcome.unwrap_err();
                assert!(
                    matches!(err.cause(), Some(Cause::Tls | Cause::ConnectionClosed)),
                    "{transport}: {err}"
                );
            }
        }

        // Without the CA among the trust anchors, the server is not trusted.
        let mut untrusting = TlsSettings::default();
        untrusting.set_client_certificate_pem(pki.client.0.clone(), pki.client.1.clone());
        for (transport, outcome) in send_both(&untrusting, &endpoint) {
            let err = outcome.unwrap_err();
            assert_eq!(err.cause(), Some(Cause::Tls), "{transport}: {err}");
        }
    }

    #[test]
    fn bad_pem_is_a_clear_error_that_never_shows_the_key() {
        let pki = pki();
        let mut settings = TlsSettings::default();
        settings.add_trust_anchors_pem("not a certificate");
        let err = settings.rustls_config().unwrap_err();
        assert_eq!(
            err.to_string(),
            "trust anchors PEM #1 holds no CERTIFICATE block"
        );

        let mut settings = TlsSettings::default();
        settings.set_client_certificate_pem(pki.client.0.clone(), "-----BEGIN NOTHING-----");
        let err = settings.rustls_config().unwrap_err();
        assert!(err.to_string().starts_with("client key PEM"), "{err}");

        // A key that is not the certificate's.
        let mut settings = TlsSettings::default();
        settings.set_client_certificate_pem(pki.client.0.clone(), pki.stranger.1.clone());
        let err = settings.rustls_config().unwrap_err();
        assert!(
            err.to_string().starts_with("client certificate and key"),
            "{err}"
        );
        let key_body: String = pki.stranger.1.lines().nth(1).unwrap().into();
        assert!(!err.to_string().contains(&key_body));
        assert!(!format!("{settings:?}").contains(&key_body));
    }

    /// A proxy for one tunnel: it reads a `CONNECT` head, answers 200 and
    /// joins the connection to `target` (whatever the head asked for).
    /// Returns its `127.0.0.1:<port>` and the head it read.
    #[cfg(feature = "rt-tokio")]
    fn tunnel_proxy(target: String) -> (String, std::sync::mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let (sender, heads) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let (mut client, _) = listener.accept().unwrap();
            client
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut head = Vec::new();
            let mut byte = [0];
            while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = sender.send(String::from_utf8_lossy(&head).into_owned());
            let mut server = std::net::TcpStream::connect(target).unwrap();
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
            let (mut client_in, mut server_out) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            thread::spawn(move || {
                let _ = std::io::copy(&mut client_in, &mut server_out);
            });
            let _ = std::io::copy(&mut server, &mut client);
        });
        (address, heads)
    }

    #[cfg(feature = "rt-tokio")]
    #[test]
    fn https_through_a_proxy_tunnel_verifies_the_host_it_asked_for() {
        use crate::transport::proxy::Proxies;
        let pki = pki();
        let endpoint = serve(&pki);
        let port = endpoint.rsplit(':').next().unwrap().to_owned();
        let (proxy, heads) = tunnel_proxy(endpoint.trim_start_matches("https://").to_owned());
        let proxies = Proxies::from_lookup(|name| (name == "HTTPS_PROXY").then(|| proxy.clone()));
        let mut tls = TlsSettings::default();
        tls.add_trust_anchors_pem(pki.ca.clone());
        tls.set_client_certificate_pem(pki.client.0.clone(), pki.client.1.clone());
        let client =
            crate::transport::async_https::HyperClient::with_proxies(&tls, proxies).unwrap();
        let response = crate::block_on::block_on(
            client.send(request(&format!("https://device.example:{port}"))),
        )
        .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.body().as_ref(),
            b"1",
            "the client certificate went through"
        );
        let head = heads.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(
            head.starts_with(&format!("CONNECT device.example:{port} HTTP/1.1\r\n")),
            "{head}"
        );
    }
}
