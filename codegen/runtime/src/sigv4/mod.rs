//! AWS Signature Version 4: signs a request in its `Authorization` header.
//!
//! The algorithm, in the order [`Signer::sign`] runs it:
//!
//! 1. the **canonical request**: method; canonical URI (the path, normalized
//!    and percent-encoded once more for every service but S3); canonical
//!    query string (pairs sorted by encoded key, then value); canonical
//!    headers (lowercase names, sorted, values trimmed with inner runs of
//!    spaces collapsed, repeated headers joined with `,`); the signed header
//!    names; the hex SHA-256 of the body;
//! 2. the **string to sign**: algorithm, time, credential scope
//!    (`date/region/service/aws4_request`) and the hex SHA-256 of the
//!    canonical request;
//! 3. the **signature**: HMAC-SHA256 of the string to sign under a key
//!    derived from the secret, the date, the region and the service.
//!
//! A [`Signer`] caches derived keys, which change once a day, so signing is
//! two SHA-256 digests and one HMAC per request. The canonical request and
//! string to sign are written into one reused buffer.
//!
//! [`Signer::signing_output`] returns the intermediate strings, to compare
//! them with the official test suite (`codegen/tests/sigv4_suite.rs`).

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, HOST};
use sha2::{Digest, Sha256};

use crate::credentials::Credentials;
use crate::transport::HttpRequest;

type HmacSha256 = Hmac<Sha256>;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// Headers never signed: proxies and tracing layers add or rewrite them.
const UNSIGNED_HEADERS: [&str; 3] = ["authorization", "user-agent", "x-amzn-trace-id"];

/// How many derived keys a [`Signer`] keeps: one per date, region, service
/// and credentials in use at once.
const KEY_CACHE_SIZE: usize = 8;

/// Choices that differ between services.
///
/// The default suits every service but S3, which wants
/// `normalize_path: false`, `double_encode_path: false` and
/// `sign_payload_header: true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningSettings {
    /// Removes `.` and `..` segments and collapses duplicate slashes in the
    /// path before encoding it. Default: `true`.
    pub normalize_path: bool,
    /// Percent-encodes the path once more (so `%3A` in the request becomes
    /// `%253A` in the canonical request); otherwise the path is signed as it
    /// is. Default: `true`.
    pub double_encode_path: bool,
    /// Adds and signs an `x-amz-content-sha256` header carrying the payload
    /// hash. Default: `false`.
    pub sign_payload_header: bool,
    /// Signs the `x-amz-security-token` header of session credentials. When
    /// `false` the header is still added, but left out of the signature, as a
    /// few services require. Default: `true`.
    pub sign_session_token: bool,
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self {
            normalize_path: true,
            double_encode_path: true,
            sign_payload_header: false,
            sign_session_token: true,
        }
    }
}

/// What a request is signed with and for.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams<'a> {
    /// The credentials to sign with.
    pub credentials: &'a Credentials,
    /// The region the request is sent to (`us-east-1`).
    pub region: &'a str,
    /// The service's signing name (`iot-jobs-data`).
    pub service: &'a str,
    /// The signing time; the service rejects requests signed more than a few
    /// minutes away from its clock.
    pub time: SystemTime,
    /// Service-specific choices.
    pub settings: SigningSettings,
}

/// Why a request could not be signed.
#[derive(Debug)]
pub struct SigningError {
    kind: SigningErrorKind,
}

#[derive(Debug)]
enum SigningErrorKind {
    HeaderNotText {
        name: String,
    },
    NoAuthority {
        uri: String,
    },
    InvalidParam {
        what: &'static str,
        value: Option<String>,
    },
    InvalidSessionToken,
    TimeOutOfRange {
        before_1970: bool,
    },
}

impl SigningError {
    fn new(kind: SigningErrorKind) -> Self {
        Self { kind }
    }

    fn invalid_param(what: &'static str, value: Option<&str>) -> Self {
        Self::new(SigningErrorKind::InvalidParam {
            what,
            value: value.map(str::to_owned),
        })
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SigningErrorKind::HeaderNotText { name } => write!(
                f,
                "header `{name}` has a value that is not UTF-8 text, so it cannot be signed"
            ),
            SigningErrorKind::NoAuthority { uri } => write!(
                f,
                "request URI `{uri}` has no authority (host), so there is no host to sign; \
                 the request needs an absolute URI"
            ),
            SigningErrorKind::InvalidParam { what, value } => {
                match value {
                    Some(value) => write!(f, "{what} `{value}` cannot be signed")?,
                    None => write!(f, "the {what} cannot be signed")?,
                }
                f.write_str(": it must be non-empty printable ASCII without spaces or `/`")
            }
            SigningErrorKind::InvalidSessionToken => f.write_str(
                "the session token contains a character that an `x-amz-security-token` header cannot carry",
            ),
            SigningErrorKind::TimeOutOfRange { before_1970 } => write!(
                f,
                "the signing time is {}, which a SigV4 date cannot express",
                if *before_1970 {
                    "before 1970"
                } else {
                    "after the year 9999"
                }
            ),
        }
    }
}

impl std::error::Error for SigningError {}

/// A request as the signer reads it: borrowed parts, no transport types.
///
/// [`Signer::sign`] builds one from an [`HttpRequest`]. Built with
/// [`SignableRequest::new`], the URI is a string, so it can hold what an
/// `http::Uri` cannot, such as a raw space in the path (the official test
/// suite has such a request); the path is signed as given, so for a real
/// request it must be the path as sent.
#[derive(Clone)]
pub struct SignableRequest<'a> {
    method: &'a str,
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

impl<'a> SignableRequest<'a> {
    /// A request from its method, URI (absolute, `https://host/path?query`,
    /// or origin-form, `/path?query`), headers in order (names in any case)
    /// and body.
    pub fn new(
        method: &'a str,
        uri: &'a str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: &'a [u8],
    ) -> Self {
        let (scheme, rest) = match uri.split_once("://") {
            Some((scheme, rest))
                if !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
            {
                (Some(scheme), rest)
            }
            _ => (None, uri),
        };
        let (authority, rest) = match scheme {
            Some(_) => {
                let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                (Some(&rest[..end]), &rest[end..])
            }
            None => (None, rest),
        };
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Self {
            method,
            scheme,
            authority: authority.filter(|a| !a.is_empty()),
            path,
            query,
            headers: headers.into_iter().collect(),
            body,
        }
    }

    /// Borrows the parts of `request`; fails if a header value is not UTF-8.
    pub fn from_http(request: &'a HttpRequest) -> Result<Self, SigningError> {
        let uri = request.uri();
        let mut headers = Vec::with_capacity(request.headers().len() + 5);
        for (name, value) in request.headers() {
            let value = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                SigningError::new(SigningErrorKind::HeaderNotText {
                    name: name.as_str().to_owned(),
                })
            })?;
            headers.push((name.as_str(), value));
        }
        Ok(Self {
            method: request.method().as_str(),
            scheme: uri.scheme_str(),
            authority: uri.authority().map(|a| a.as_str()),
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            headers,
            body: request.body(),
        })
    }

    fn uri_for_error(&self) -> String {
        let mut uri = self.path.to_owned();
        if !self.query.is_empty() {
            uri.push('?');
            uri.push_str(self.query);
        }
        uri
    }

    /// The `host` value to add when the request has no `host` header: the
    /// authority without user info or the scheme's default port.
    fn host_to_add(&self) -> Result<Option<&'a str>, SigningError> {
        if self
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("host"))
        {
            return Ok(None);
        }
        let authority = self.authority.ok_or_else(|| {
            SigningError::new(SigningErrorKind::NoAuthority {
                uri: self.uri_for_error(),
            })
        })?;
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let default_port = match self.scheme {
            Some(s) if s.eq_ignore_ascii_case("https") => Some(":443"),
            Some(s) if s.eq_ignore_ascii_case("http") => Some(":80"),
            _ => None,
        };
        Ok(Some(
            default_port
                .and_then(|port| host.strip_suffix(port))
                .unwrap_or(host),
        ))
    }
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may hold tokens: show names only.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("scheme", &self.scheme)
            .field("authority", &self.authority)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What signing produced, with the intermediate strings; see
/// [`Signer::signing_output`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningOutput {
    canonical_request: String,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

impl SigningOutput {
    /// The canonical request (step 1).
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign (step 2).
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The signature, 64 lowercase hex digits (step 3).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The value of the `Authorization` header.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }
}

/// Signs requests, caching derived signing keys.
///
/// One signer serves any number of credentials, regions and services; share
/// it (a [`Config`](crate::Config) holds one for all its clones) so the cache
/// pays off. Signing takes `&self` and is safe from many threads.
#[derive(Default)]
pub struct Signer {
    keys: RwLock<Vec<CachedKey>>,
    keys_derived: AtomicU64,
}

struct CachedKey {
    date: Box<str>,
    region: Box<str>,
    service: Box<str>,
    credentials: Credentials,
    /// HMAC keyed with the signing key, ready to clone.
    mac: HmacSha256,
}

impl CachedKey {
    fn is_for(&self, credentials: &Credentials, region: &str, service: &str) -> bool {
        &*self.region == region
            && &*self.service == service
            && self.credentials.access_key_id() == credentials.access_key_id()
            && self.credentials.secret_access_key() == credentials.secret_access_key()
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("cached_keys", &self.read_keys().len())
            .field("keys_derived", &self.keys_derived())
            .finish()
    }
}

thread_local! {
    /// The buffer canonical requests are written into, reused between calls.
    static BUFFER: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// The positions of the parts of a signing in the buffer.
struct Computed<'r> {
    host_to_add: Option<&'r str>,
    amz_date: AmzDate,
    payload_hash: Hex64,
    canonical_request: Range<usize>,
    signed_headers: Range<usize>,
    string_to_sign: Range<usize>,
    signature: Hex64,
}

impl Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many signing keys this signer has derived (each cache miss adds
    /// one): a diagnostic, and how tests check the cache.
    pub fn keys_derived(&self) -> u64 {
        self.keys_derived.load(Ordering::Relaxed)
    }

    /// Signs `request`: sets `x-amz-date`, `host` (if absent, from the URI's
    /// authority), `x-amz-security-token` (session credentials),
    /// `x-amz-content-sha256` (if [`SigningSettings::sign_payload_header`])
    /// and `authorization`.
    ///
    /// Every header the request carries is signed, except `authorization`,
    /// `user-agent` and `x-amzn-trace-id`, which proxies may rewrite.
    pub fn sign(
        &self,
        request: &mut HttpRequest,
        params: &SigningParams<'_>,
    ) -> Result<(), SigningError> {
        let mut buf = take_buffer();
        let result = self.sign_with(request, params, &mut buf);
        put_back_buffer(buf);
        result
    }

    fn sign_with(
        &self,
        request: &mut HttpRequest,
        params: &SigningParams<'_>,
        buf: &mut String,
    ) -> Result<(), SigningError> {
        let (host, amz_date, content_sha256, authorization) = {
            let view = SignableRequest::from_http(request)?;
            let computed = self.compute(&view, params, buf)?;
            let host = match computed.host_to_add {
                Some(host) => Some(
                    HeaderValue::from_str(host)
                        .map_err(|_| SigningError::invalid_param("host", Some(host)))?,
                ),
                None => None,
            };
            let authorization = authorization(params, &computed, buf);
            let content_sha256 = params
                .settings
                .sign_payload_header
                .then_some(computed.payload_hash);
            (host, computed.amz_date, content_sha256, authorization)
        };
        let headers = request.headers_mut();
        if let Some(host) = host {
            headers.insert(HOST, host);
        }
        headers.insert(
            HeaderName::from_static(X_AMZ_DATE),
            header_value(amz_date.as_str())?,
        );
        if let Some(token) = params.credentials.session_token() {
            let mut value = HeaderValue::from_str(token)
                .map_err(|_| SigningError::new(SigningErrorKind::InvalidSessionToken))?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static(X_AMZ_SECURITY_TOKEN), value);
        }
        if let Some(hash) = content_sha256 {
            headers.insert(
                HeaderName::from_static(X_AMZ_CONTENT_SHA256),
                header_value(hash.as_str())?,
            );
        }
        let mut authorization = HeaderValue::from_maybe_shared(Bytes::from(authorization))
            .map_err(|_| SigningError::invalid_param("header value", None))?;
        authorization.set_sensitive(true);
        headers.insert(AUTHORIZATION, authorization);
        Ok(())
    }

    /// Signs `request` without changing it and returns the canonical
    /// request, the string to sign, the signature and the `Authorization`
    /// value: the intermediate steps, for tests and for debugging a
    /// signature the service rejects.
    pub fn signing_output(
        &self,
        request: &SignableRequest<'_>,
        params: &SigningParams<'_>,
    ) -> Result<SigningOutput, SigningError> {
        let mut buf = String::new();
        let computed = self.compute(request, params, &mut buf)?;
        let authorization = authorization(params, &computed, &buf);
        Ok(SigningOutput {
            canonical_request: buf[computed.canonical_request.clone()].to_owned(),
            string_to_sign: buf[computed.string_to_sign.clone()].to_owned(),
            signature: computed.signature.as_str().to_owned(),
            authorization,
        })
    }

    fn compute<'r>(
        &self,
        request: &SignableRequest<'r>,
        params: &SigningParams<'_>,
        buf: &mut String,
    ) -> Result<Computed<'r>, SigningError> {
        check_param("region", params.region, true)?;
        check_param("service", params.service, true)?;
        check_param("access key id", params.credentials.access_key_id(), false)?;
        let token = params.credentials.session_token();
        if token.is_some_and(|t| !is_header_text(t)) {
            return Err(SigningError::new(SigningErrorKind::InvalidSessionToken));
        }
        let amz_date = format_amz_date(params.time)?;
        let payload_hash = if request.body.is_empty() {
            EMPTY_SHA256
        } else {
            Hex64::of(&Sha256::digest(request.body).into())
        };
        let host_to_add = request.host_to_add()?;
        let settings = &params.settings;
        let (date_time, payload) = (amz_date.as_str(), payload_hash.as_str());

        // The headers to sign: the request's, less the unsigned ones and
        // those the signer sets, plus the signer's.
        let mut headers: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(request.headers.len() + 4);
        for &(name, value) in &request.headers {
            let name = lowercase(name);
            let replaced = match &*name {
                X_AMZ_DATE => true,
                X_AMZ_SECURITY_TOKEN => token.is_some(),
                X_AMZ_CONTENT_SHA256 => settings.sign_payload_header,
                other => UNSIGNED_HEADERS.contains(&other),
            };
            if !replaced {
                headers.push((name, value));
            }
        }
        if let Some(host) = host_to_add {
            headers.push((Cow::Borrowed("host"), host));
        }
        headers.push((Cow::Borrowed(X_AMZ_DATE), date_time));
        if let Some(token) = token.filter(|_| settings.sign_session_token) {
            headers.push((Cow::Borrowed(X_AMZ_SECURITY_TOKEN), token));
        }
        if settings.sign_payload_header {
            headers.push((Cow::Borrowed(X_AMZ_CONTENT_SHA256), payload));
        }
        // Stable: the values of a repeated header keep their order.
        headers.sort_by(|a, b| a.0.cmp(&b.0));

        // Step 1: the canonical request.
        buf.clear();
        buf.push_str(request.method);
        buf.push('\n');
        write_canonical_path(buf, request.path, settings);
        buf.push('\n');
        write_canonical_query(buf, request.query);
        buf.push('\n');
        write_canonical_headers(buf, &headers);
        buf.push('\n');
        let signed_start = buf.len();
        write_signed_headers(buf, &headers);
        let signed_headers = signed_start..buf.len();
        buf.push('\n');
        buf.push_str(payload);
        let canonical_request = 0..buf.len();
        let canonical_hash = Sha256::digest(buf.as_bytes());

        // Step 2: the string to sign.
        let sts_start = buf.len();
        let date = &date_time[..8];
        buf.push_str(ALGORITHM);
        buf.push('\n');
        buf.push_str(date_time);
        buf.push('\n');
        buf.push_str(date);
        buf.push('/');
        buf.push_str(params.region);
        buf.push('/');
        buf.push_str(params.service);
        buf.push_str("/aws4_request\n");
        buf.push_str(Hex64::of(&canonical_hash.into()).as_str());
        let string_to_sign = sts_start..buf.len();

        // Step 3: the signature.
        let mut mac = self.keyed_mac(params, date);
        mac.update(buf[string_to_sign.clone()].as_bytes());
        let signature = Hex64::of(&mac.finalize().into_bytes().into());

        Ok(Computed {
            host_to_add,
            amz_date,
            payload_hash,
            canonical_request,
            signed_headers,
            string_to_sign,
            signature,
        })
    }

    fn read_keys(&self) -> std::sync::RwLockReadGuard<'_, Vec<CachedKey>> {
        // Entries are replaced whole, so a poisoned lock holds valid data.
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// An HMAC keyed with the signing key for `date` (`YYYYMMDD`) and the
    /// params' credentials, region and service: from the cache, or derived.
    fn keyed_mac(&self, params: &SigningParams<'_>, date: &str) -> HmacSha256 {
        let (credentials, region, service) = (params.credentials, params.region, params.service);
        if let Some(hit) = self
            .read_keys()
            .iter()
            .find(|k| &*k.date == date && k.is_for(credentials, region, service))
        {
            return hit.mac.clone();
        }

        let key = derive_signing_key(credentials.secret_access_key(), date, region, service);
        self.keys_derived.fetch_add(1, Ordering::Relaxed);
        let mac = new_mac(&key);
        let entry = CachedKey {
            date: date.into(),
            region: region.into(),
            service: service.into(),
            credentials: credentials.clone(),
            mac: mac.clone(),
        };
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        // A key for another day with the same scope is stale: replace it.
        if let Some(stale) = keys
            .iter_mut()
            .find(|k| k.is_for(credentials, region, service))
        {
            *stale = entry;
        } else {
            if keys.len() >= KEY_CACHE_SIZE {
                keys.remove(0);
            }
            keys.push(entry);
        }
        mac
    }
}

fn take_buffer() -> String {
    BUFFER.with(|cell| cell.take())
}

fn put_back_buffer(mut buf: String) {
    // Keep the buffer for the next call unless one request made it huge.
    if buf.capacity() <= 16 * 1024 {
        buf.clear();
        BUFFER.with(|cell| cell.set(buf));
    }
}

fn header_value(value: &str) -> Result<HeaderValue, SigningError> {
    // Only called with ASCII the signer wrote.
    HeaderValue::from_str(value).map_err(|_| SigningError::invalid_param("header value", None))
}

/// `AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=hex`.
fn authorization(params: &SigningParams<'_>, computed: &Computed<'_>, buf: &str) -> String {
    let signed_headers = &buf[computed.signed_headers.clone()];
    let access_key_id = params.credentials.access_key_id();
    // The exact length: the header value then takes the buffer as it is.
    let mut out = String::with_capacity(
        ALGORITHM.len()
            + " Credential=".len()
            + access_key_id.len()
            + "/YYYYMMDD/".len()
            + params.region.len()
            + 1
            + params.service.len()
            + "/aws4_request, SignedHeaders=".len()
            + signed_headers.len()
            + ", Signature=".len()
            + 64,
    );
    out.push_str(ALGORITHM);
    out.push_str(" Credential=");
    out.push_str(access_key_id);
    out.push('/');
    out.push_str(computed.amz_date.date());
    out.push('/');
    out.push_str(params.region);
    out.push('/');
    out.push_str(params.service);
    out.push_str("/aws4_request, SignedHeaders=");
    out.push_str(signed_headers);
    out.push_str(", Signature=");
    out.push_str(computed.signature.as_str());
    debug_assert_eq!(out.len(), out.capacity());
    out
}

/// Region, service and access key id go into the credential scope and the
/// `Authorization` header: printable ASCII, no spaces, no `/`.
fn check_param(what: &'static str, value: &str, show: bool) -> Result<(), SigningError> {
    let valid = !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
    if valid {
        Ok(())
    } else {
        Err(SigningError::invalid_param(what, show.then_some(value)))
    }
}

/// What an HTTP header value may hold: no control characters but tab.
fn is_header_text(value: &str) -> bool {
    value
        .bytes()
        .all(|b| (b >= 0x20 && b != 0x7f) || b == b'\t')
}

fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn new_mac(key: &[u8]) -> HmacSha256 {
    // HMAC hashes long keys and pads short ones: every length is valid.
    HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = new_mac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The signing key: HMAC chain from `AWS4` + secret over date, region,
/// service and `aws4_request`.
fn derive_signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut first = Vec::with_capacity(4 + secret.len());
    first.extend_from_slice(b"AWS4");
    first.extend_from_slice(secret.as_bytes());
    let k_date = hmac(&first, date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// A SHA-256 digest or HMAC as 64 lowercase hex digits, on the stack.
#[derive(Clone, Copy)]
struct Hex64([u8; 64]);

/// The hex SHA-256 of an empty payload.
const EMPTY_SHA256: Hex64 =
    Hex64(*b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

impl Hex64 {
    fn of(bytes: &[u8; 32]) -> Self {
        let mut out = [0; 64];
        for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0xf)];
        }
        Self(out)
    }

    fn as_str(&self) -> &str {
        // Hex digits only.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// RFC 3986 unreserved characters, never percent-encoded.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn push_percent(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(b & 0xf)]));
}

/// Percent-encodes every byte but the unreserved ones (and `/` if `keep_slash`).
fn push_encoded(out: &mut String, bytes: impl IntoIterator<Item = u8>, keep_slash: bool) {
    for b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            push_percent(out, b);
        }
    }
}

/// [`push_encoded`] for a string: runs of bytes that stay as they are are
/// copied whole.
fn push_encoded_str(out: &mut String, s: &str, keep_slash: bool) {
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !(is_unreserved(b) || (keep_slash && b == b'/')) {
            // A run between encoded bytes is ASCII: its ends are char boundaries.
            if start < i {
                out.push_str(&s[start..i]);
            }
            push_percent(out, b);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push_str(&s[start..]);
    }
}

/// The bytes `s` stands for: each valid `%XY` escape decoded, anything else
/// (a `%` not followed by two hex digits included) taken literally.
fn percent_decoded(s: &str) -> impl Iterator<Item = u8> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|&h| char::from(h).to_digit(16));
            let lo = bytes.get(i + 2).and_then(|&l| char::from(l).to_digit(16));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                i += 3;
                // Two hex digits: at most 0xff.
                return u8::try_from(hi * 16 + lo).ok();
            }
        }
        i += 1;
        Some(b)
    })
}

/// Whether `path` has empty, `.` or `..` segments to normalize away.
fn needs_normalizing(path: &str) -> bool {
    has_pair(path, b'/') || path.split('/').any(|segment| matches!(segment, "." | ".."))
}

/// Whether `text` has `byte` twice in a row: a plain scan, cheaper on short
/// strings than a substring search, which prepares a searcher first.
fn has_pair(text: &str, byte: u8) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == byte && w[1] == byte)
}

/// Removes `.` and `..` segments and empty segments (duplicate slashes);
/// keeps a trailing slash, which a final `.` or `..` implies.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let trailing_slash = path.len() > 1 && matches!(last, "" | "." | "..");
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() || trailing_slash {
        out.push('/');
    }
    out
}

fn write_canonical_path(buf: &mut String, path: &str, settings: &SigningSettings) {
    let normalized;
    let mut path = if path.is_empty() { "/" } else { path };
    if settings.normalize_path && needs_normalizing(path) {
        normalized = normalize_path(path);
        path = &normalized;
    }
    if settings.double_encode_path {
        push_encoded_str(buf, path, true);
    } else {
        buf.push_str(path);
    }
}

/// Pairs decoded, re-encoded (RFC 3986), sorted by key then value, joined
/// with `&`; a key without value gets `=`.
fn write_canonical_query(buf: &mut String, query: &str) {
    if query.is_empty() {
        return;
    }
    if !query.contains('&') {
        // One pair: nothing to sort.
        let (key, value) = query.split_once('=').unwrap_or((query, ""));
        push_encoded(buf, percent_decoded(key), false);
        buf.push('=');
        push_encoded(buf, percent_decoded(value), false);
        return;
    }
    let mut encoded = String::with_capacity(query.len() + 16);
    let mut pairs: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key_start = encoded.len();
        push_encoded(&mut encoded, percent_decoded(key), false);
        let value_start = encoded.len();
        push_encoded(&mut encoded, percent_decoded(value), false);
        pairs.push((key_start..value_start, value_start..encoded.len()));
    }
    pairs.sort_by(|(ka, va), (kb, vb)| {
        encoded[ka.clone()]
            .cmp(&encoded[kb.clone()])
            .then_with(|| encoded[va.clone()].cmp(&encoded[vb.clone()]))
    });
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            buf.push('&');
        }
        buf.push_str(&encoded[key]);
        buf.push('=');
        buf.push_str(&encoded[value]);
    }
}

/// `name:value\n` per header name (sorted), repeated headers joined with `,`.
fn write_canonical_headers(buf: &mut String, headers: &[(Cow<'_, str>, &str)]) {
    let mut previous: Option<&str> = None;
    for (name, value) in headers {
        if previous == Some(&**name) {
            buf.push(',');
        } else {
            if previous.is_some() {
                buf.push('\n');
            }
            buf.push_str(name);
            buf.push(':');
            previous = Some(name);
        }
        push_trimmed(buf, value);
    }
    if previous.is_some() {
        buf.push('\n');
    }
}

/// The value without leading and trailing whitespace, inner runs of spaces
/// collapsed to one.
fn push_trimmed(buf: &mut String, value: &str) {
    let value = value.trim_matches([' ', '\t']);
    if !has_pair(value, b' ') {
        buf.push_str(value);
        return;
    }
    let mut last_was_space = false;
    for c in value.chars() {
        if c == ' ' {
            if !last_was_space {
                buf.push(' ');
            }
            last_was_space = true;
        } else {
            buf.push(c);
            last_was_space = false;
        }
    }
}

fn write_signed_headers(buf: &mut String, headers: &[(Cow<'_, str>, &str)]) {
    let mut previous: Option<&str> = None;
    for (name, _) in headers {
        if previous == Some(&**name) {
            continue;
        }
        if previous.is_some() {
            buf.push(';');
        }
        buf.push_str(name);
        previous = Some(name);
    }
}

/// A signing time, `YYYYMMDDTHHMMSSZ` in UTC, on the stack.
#[derive(Clone, Copy, Debug)]
struct AmzDate([u8; 16]);

impl AmzDate {
    fn as_str(&self) -> &str {
        // Digits, `T` and `Z` only.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `YYYYMMDD`, the date of the credential scope.
    fn date(&self) -> &str {
        &self.as_str()[..8]
    }
}

/// Writes the last two decimal digits of `value`.
fn two_digits(out: &mut [u8], value: u32) {
    // Both digits are below 10.
    out[0] = b'0' + (value / 10 % 10) as u8;
    out[1] = b'0' + (value % 10) as u8;
}

/// `YYYYMMDDTHHMMSSZ` in UTC; its first eight characters are the scope date.
fn format_amz_date(time: SystemTime) -> Result<AmzDate, SigningError> {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| SigningError::new(SigningErrorKind::TimeOutOfRange { before_1970: true }))?
        .as_secs();
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let (year, month, day, hour, minute, second) = crate::value::datetime::civil(secs);
    if year > 9999 {
        return Err(SigningError::new(SigningErrorKind::TimeOutOfRange {
            before_1970: false,
        }));
    }
    let mut out = *b"00000000T000000Z";
    // 1970..=9999: four digits.
    let year = year as u32;
    two_digits(&mut out[0..2], year / 100);
    two_digits(&mut out[2..4], year % 100);
    two_digits(&mut out[4..6], month);
    two_digits(&mut out[6..8], day);
    two_digits(&mut out[9..11], hour);
    two_digits(&mut out[11..13], minute);
    two_digits(&mut out[13..15], second);
    Ok(AmzDate(out))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// 2015-08-30T12:36:00Z, the suite's signing time.
    fn suite_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn params(credentials: &Credentials) -> SigningParams<'_> {
        SigningParams {
            credentials,
            region: "us-east-1",
            service: "service",
            time: suite_time(),
            settings: SigningSettings::default(),
        }
    }

    fn vanilla() -> HttpRequest {
        http::Request::builder()
            .uri("https://example.amazonaws.com/")
            .body(Bytes::new())
            .unwrap()
    }

    fn date_at(secs: u64) -> String {
        format_amz_date(UNIX_EPOCH + Duration::from_secs(secs))
            .unwrap()
            .as_str()
            .to_owned()
    }

    // The suite's get-vanilla case, written out.
    #[test]
    fn get_vanilla_vector() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None);
        let request = SignableRequest::new(
            "GET",
            "https://example.amazonaws.com/",
            [("Host", "example.amazonaws.com")],
            b"",
        );
        let out = Signer::new()
            .signing_output(&request, &params(&credentials))
            .unwrap();
        assert_eq!(
            out.canonical_request(),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            out.string_to_sign(),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            out.signature(),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(
            out.authorization(),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    // The suite's get-vanilla-with-session-token case, through `sign`.
    #[test]
    fn sign_sets_headers_and_signs_session_token() {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some(token.into()));
        let mut request = vanilla();
        Signer::new()
            .sign(&mut request, &params(&credentials))
            .unwrap();
        let headers = request.headers();
        assert_eq!(headers["host"], "example.amazonaws.com");
        assert_eq!(headers["x-amz-date"], "20150830T123600Z");
        assert_eq!(headers["x-amz-security-token"], token);
        assert!(headers.get("x-amz-content-sha256").is_none());
        assert_eq!(
            headers["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date;x-amz-security-token, \
             Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        );
        assert!(headers["authorization"].is_sensitive());
        assert!(headers["x-amz-security-token"].is_sensitive());
    }

    // The suite's post-x-www-form-urlencoded case: body hash in a header.
    #[test]
    fn payload_header_signs_the_body_hash() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None);
        let mut request = http::Request::builder()
            .method("POST")
            .uri("https://example.amazonaws.com/")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Content-Length", "13")
            .body(Bytes::from_static(b"Param1=value1"))
            .unwrap();
        let mut params = params(&credentials);
        params.settings.sign_payload_header = true;
        Signer::new().sign(&mut request, &params).unwrap();
        let hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
        assert_eq!(request.headers()["x-amz-content-sha256"], hash);
        assert!(request.headers()["authorization"]
            .to_str()
            .unwrap()
            .ends_with(
                "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, \
             Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
            ));
    }

    #[test]
    fn signing_twice_derives_the_key_once() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None);
        let signer = Signer::new();
        let mut first = vanilla();
        let mut second = vanilla();
        signer.sign(&mut first, &params(&credentials)).unwrap();
        signer.sign(&mut second, &params(&credentials)).unwrap();
        assert_eq!(signer.keys_derived(), 1);
        assert_eq!(
            first.headers()["authorization"],
            second.headers()["authorization"]
        );

        // Another day, region or secret needs another key.
        let mut next_day = params(&credentials);
        next_day.time += Duration::from_secs(86_400);
        signer.sign(&mut vanilla(), &next_day).unwrap();
        assert_eq!(signer.keys_derived(), 2);
        let mut other_region = params(&credentials);
        other_region.region = "eu-west-1";
        signer.sign(&mut vanilla(), &other_region).unwrap();
        assert_eq!(signer.keys_derived(), 3);
        let rotated = Credentials::new("AKIDEXAMPLE", "another secret", None);
        let mut request = vanilla();
        signer.sign(&mut request, &params(&rotated)).unwrap();
        assert_eq!(signer.keys_derived(), 4);
        assert_ne!(
            request.headers()["authorization"],
            first.headers()["authorization"]
        );
        // The next day's key replaced the first day's; both scopes still hit.
        signer.sign(&mut vanilla(), &next_day).unwrap();
        signer.sign(&mut vanilla(), &other_region).unwrap();
        assert_eq!(signer.keys_derived(), 4);
    }

    #[test]
    fn existing_signing_headers_are_replaced_and_unsigned_ones_skipped() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None);
        let mut request = http::Request::builder()
            .uri("https://example.amazonaws.com/")
            .header("x-amz-date", "19990101T000000Z")
            .header("authorization", "stale")
            .header("user-agent", "test/1.0")
            .header("x-amzn-trace-id", "Root=1")
            .body(Bytes::new())
            .unwrap();
        Signer::new()
            .sign(&mut request, &params(&credentials))
            .unwrap();
        assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
        assert_eq!(request.headers().get_all("authorization").iter().count(), 1);
        // Same signature as get-vanilla: the extra headers are not signed.
        assert!(request.headers()["authorization"]
            .to_str()
            .unwrap()
            .ends_with(
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            ));
    }

    #[test]
    fn string_encoding_matches_byte_encoding() {
        for s in ["", "/", "/a b/c", "é/ü~-._", "%2F%", "a/ሴ/b", "plain", "ሴ"] {
            for keep_slash in [false, true] {
                let (mut by_bytes, mut by_runs) = (String::new(), String::new());
                push_encoded(&mut by_bytes, s.bytes(), keep_slash);
                push_encoded_str(&mut by_runs, s, keep_slash);
                assert_eq!(by_runs, by_bytes, "{s:?}");
            }
        }
    }

    #[test]
    fn hex_and_dates_are_written_in_place() {
        assert_eq!(
            EMPTY_SHA256.as_str(),
            Hex64::of(&Sha256::digest(b"").into()).as_str()
        );
        assert_eq!(Hex64::of(&[0xab; 32]).as_str(), "ab".repeat(32));
        // 2024-02-29 23:59:59 and 9999-12-31 23:59:59.
        assert_eq!(date_at(1_709_251_199), "20240229T235959Z");
        assert_eq!(date_at(253_402_300_799), "99991231T235959Z");
    }

    #[test]
    fn host_comes_from_the_authority_without_default_port() {
        let cases = [
            ("https://example.com:443/", "example.com"),
            ("http://example.com:80/", "example.com"),
            ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
            ("https://example.com:80/", "example.com:80"),
        ];
        for (uri, host) in cases {
            let request = SignableRequest::new("GET", uri, [], b"");
            assert_eq!(request.host_to_add().unwrap(), Some(host), "{uri}");
        }
        let with_host = SignableRequest::new("GET", "/", [("Host", "h")], b"");
        assert_eq!(with_host.host_to_add().unwrap(), None);
    }

    #[test]
    fn canonical_headers_trim_collapse_and_join() {
        let headers = [
            (Cow::Borrowed("a"), "  one   two  "),
            (Cow::Borrowed("a"), "three"),
            (Cow::Borrowed("b"), "\t\"x   y\" "),
        ];
        let mut buf = String::new();
        write_canonical_headers(&mut buf, &headers);
        assert_eq!(buf, "a:one two,three\nb:\"x y\"\n");
        buf.clear();
        write_signed_headers(&mut buf, &headers);
        assert_eq!(buf, "a;b");
    }

    fn canonical_query(query: &str) -> String {
        let mut buf = String::new();
        write_canonical_query(&mut buf, query);
        buf
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("flag&x="), "flag=&x=");
        assert_eq!(canonical_query("k=a%20b+c"), "k=a%20b%2Bc");
        assert_eq!(canonical_query("%E1%88%B4=v&~-._=1"), "%E1%88%B4=v&~-._=1");
        assert_eq!(canonical_query("k=%zz%4"), "k=%25zz%254");
        assert_eq!(canonical_query("a=1&&b=2&"), "a=1&b=2");
        // Sorted by the encoded key: `%` (0x25) before letters.
        assert_eq!(canonical_query("z=1&%2F=2"), "%2F=2&z=1");
    }

    fn canonical_path(path: &str, normalize: bool, double_encode: bool) -> String {
        let settings = SigningSettings {
            normalize_path: normalize,
            double_encode_path: double_encode,
            ..SigningSettings::default()
        };
        let mut buf = String::new();
        write_canonical_path(&mut buf, path, &settings);
        buf
    }

    #[test]
    fn canonical_path_normalizes_and_encodes_again() {
        let cases = [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/a/b/../..", "/"),
            ("/../a", "/a"),
            ("//example//", "/example/"),
            ("/a/./b", "/a/b"),
            ("/a/b/.", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/a%2Fb/%2E", "/a%252Fb/%252E"),
            ("/things/a%20b/jobs", "/things/a%2520b/jobs"),
            ("/example space/", "/example%20space/"),
        ];
        for (path, canonical) in cases {
            assert_eq!(canonical_path(path, true, true), canonical, "{path}");
        }
        // S3: as sent.
        assert_eq!(canonical_path("//a/../b%20c", false, false), "//a/../b%20c");
        assert_eq!(canonical_path("//a/./b", false, true), "//a/./b");
    }

    #[test]
    fn needs_normalizing_spots_every_case() {
        for path in ["/", "/a", "/a/b/", "/a.b/c..d"] {
            assert!(!needs_normalizing(path), "{path}");
            assert_eq!(normalize_path(path), path);
        }
        for path in ["//", "/./", "/a/..", "/a//b", "/a/.", "//a"] {
            assert!(needs_normalizing(path), "{path}");
        }
    }

    #[test]
    fn dates_format_across_eras() {
        assert_eq!(date_at(0), "19700101T000000Z");
        assert_eq!(date_at(1_440_938_160), "20150830T123600Z");
        // Leap days: divisible by 4, by 400, and not by 100 alone.
        assert_eq!(date_at(951_782_400), "20000229T000000Z");
        assert_eq!(date_at(1_456_747_199), "20160229T115959Z");
        assert_eq!(date_at(1_709_164_800), "20240229T000000Z");
        assert_eq!(date_at(4_107_542_399), "21000228T235959Z");
        assert_eq!(date_at(4_107_542_400), "21000301T000000Z");
        assert_eq!(date_at(1_703_980_800 + 86_399), "20231231T235959Z");
        // Past a signed 32-bit time.
        assert_eq!(date_at(2_147_483_648), "20380119T031408Z");
        assert_eq!(date_at(253_402_300_799), "99991231T235959Z");
    }

    #[test]
    fn times_a_date_cannot_express_are_errors() {
        let before = UNIX_EPOCH - Duration::from_secs(1);
        let err = format_amz_date(before).unwrap_err();
        assert!(err.to_string().contains("before 1970"), "{err}");
        let after = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        let err = format_amz_date(after).unwrap_err();
        assert!(err.to_string().contains("after the year 9999"), "{err}");
    }

    #[test]
    fn bad_input_is_an_error_naming_what() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None);
        let signer = Signer::new();

        let mut no_authority = http::Request::builder()
            .uri("/things/t?x=1")
            .body(Bytes::new())
            .unwrap();
        let err = signer
            .sign(&mut no_authority, &params(&credentials))
            .unwrap_err();
        assert!(
            err.to_string().contains("`/things/t?x=1` has no authority"),
            "{err}"
        );

        let mut not_text = vanilla();
        not_text
            .headers_mut()
            .insert("x-custom", HeaderValue::from_bytes(&[0xff, 0xfe]).unwrap());
        let err = signer
            .sign(&mut not_text, &params(&credentials))
            .unwrap_err();
        assert!(err.to_string().contains("header `x-custom`"), "{err}");

        let mut bad_region = params(&credentials);
        bad_region.region = "us-east-1/evil";
        let err = signer.sign(&mut vanilla(), &bad_region).unwrap_err();
        assert!(err.to_string().contains("region `us-east-1/evil`"), "{err}");
        let mut empty_service = params(&credentials);
        empty_service.service = "";
        let err = signer.sign(&mut vanilla(), &empty_service).unwrap_err();
        assert!(err.to_string().contains("service ``"), "{err}");

        let bad_key = Credentials::new("AKID\nX", SECRET, None);
        let err = signer.sign(&mut vanilla(), &params(&bad_key)).unwrap_err();
        assert!(
            err.to_string().contains("access key id cannot be signed"),
            "{err}"
        );

        let bad_token = Credentials::new("AKID", SECRET, Some("TOKEN\r\nX-Injected: 1".into()));
        let err = signer
            .sign(&mut vanilla(), &params(&bad_token))
            .unwrap_err();
        assert!(err.to_string().contains("x-amz-security-token"), "{err}");
        assert!(!err.to_string().contains("TOKEN"), "{err}");
        assert_eq!(signer.keys_derived(), 0, "nothing was signed");
    }

    #[test]
    fn unsigned_session_token_is_sent_but_not_signed() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some("TOKEN".into()));
        let mut params = params(&credentials);
        params.settings.sign_session_token = false;
        let mut request = vanilla();
        Signer::new().sign(&mut request, &params).unwrap();
        assert_eq!(request.headers()["x-amz-security-token"], "TOKEN");
        let authorization = request.headers()["authorization"].to_str().unwrap();
        assert!(
            authorization.contains("SignedHeaders=host;x-amz-date,"),
            "{authorization}"
        );
    }

    #[test]
    fn debug_shows_no_secrets() {
        let credentials = Credentials::new("AKIDEXAMPLE", "TOPSECRET", Some("TOKENVALUE".into()));
        let signer = Signer::new();
        let mut request = vanilla();
        signer.sign(&mut request, &params(&credentials)).unwrap();
        let view = SignableRequest::from_http(&request).unwrap();
        let shown = format!("{signer:?} {:?} {view:?} {request:?}", params(&credentials));
        assert!(shown.contains("keys_derived: 1"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(!shown.contains("TOKENVALUE"), "{shown}");
    }
}
