//! The HTTP request a checked operation sends to Dojo: method, path,
//! headers and body bytes, built from the wire types.
//!
//! A [`Request`] has no public constructor: the only road to one is a passed
//! check, such as [`PaymentIntent::prepare_capture`](crate::PaymentIntent::prepare_capture).
//! The crate does no I/O: the request is handed to whatever HTTP client the
//! service uses, which adds the `Authorization` header (the secret key
//! belongs to the client, never to this crate).
//!
//! ```
//! use dojo_capture::request::{ApiVersion, Method};
//!
//! assert_eq!(ApiVersion::default(), ApiVersion::V2025_09_10);
//! assert_eq!("2024-02-05".parse::<ApiVersion>().unwrap().as_str(), "2024-02-05");
//! assert_eq!(Method::Post.as_str(), "POST");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::ids::IdempotencyKey;
use crate::ledger::PendingKind;
use crate::wire::{CaptureRequest, ChangeAmountRequest, ChangeTipsRequest, RefundRequest};

/// A version of Dojo's API, sent in the `version` header.
///
/// The lifecycle's endpoints are the same in both; the default is the newest.
///
/// ```
/// use dojo_capture::request::ApiVersion;
///
/// let version: ApiVersion = "2025-09-10".parse().unwrap();
/// assert_eq!(version.to_string(), "2025-09-10");
/// let error = "2023-01-01".parse::<ApiVersion>().unwrap_err();
/// assert_eq!(error.code(), "unknown_api_version");
/// assert_eq!(
///     error.to_string(),
///     "\"2023-01-01\" is not a Dojo API version the crate supports; expected one of 2024-02-05, 2025-09-10"
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `2024-02-05`.
    V2024_02_05,
    /// `2025-09-10`, the newest and the default.
    #[default]
    V2025_09_10,
}

impl ApiVersion {
    /// Every supported version, oldest first.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V2024_02_05, ApiVersion::V2025_09_10];

    /// The date Dojo expects in the `version` header, e.g. `"2025-09-10"`.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// assert_eq!(ApiVersion::V2024_02_05.as_str(), "2024-02-05");
    /// assert_eq!(ApiVersion::default().as_str(), "2025-09-10");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2024_02_05 => "2024-02-05",
            ApiVersion::V2025_09_10 => "2025-09-10",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiVersion {
    type Err = UnknownApiVersion;

    /// The one validator: exactly one of the dates [`ApiVersion::as_str`] gives.
    fn from_str(text: &str) -> Result<Self, UnknownApiVersion> {
        ApiVersion::ALL
            .into_iter()
            .find(|version| version.as_str() == text)
            .ok_or_else(|| UnknownApiVersion {
                kind: UnknownApiVersionKind::Unknown(text.into()),
            })
    }
}

/// A word that is not one of the [`ApiVersion`]s the crate supports.
///
/// ```
/// use dojo_capture::request::ApiVersion;
///
/// let error = "latest".parse::<ApiVersion>().unwrap_err();
/// assert_eq!(
///     format!("{error:?}"),
///     "UnknownApiVersion { code: \"unknown_api_version\", message: \"\\\"latest\\\" is not a Dojo API \
///      version the crate supports; expected one of 2024-02-05, 2025-09-10\" }"
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct UnknownApiVersion {
    kind: UnknownApiVersionKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum UnknownApiVersionKind {
    #[error(
        "{0:?} is not a Dojo API version the crate supports; expected one of 2024-02-05, 2025-09-10"
    )]
    Unknown(Box<str>),
}

impl UnknownApiVersion {
    /// A stable snake_case name for the error: always `unknown_api_version`.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// assert_eq!("".parse::<ApiVersion>().unwrap_err().code(), "unknown_api_version");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            UnknownApiVersionKind::Unknown(_) => "unknown_api_version",
        }
    }
}

crate::error::debug_code_and_message!(UnknownApiVersion);

/// The HTTP methods of Dojo's lifecycle endpoints.
///
/// ```
/// use dojo_capture::request::Method;
///
/// assert_eq!(Method::Delete.to_string(), "DELETE");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: read an intent.
    Get,
    /// `POST`: capture, refund, reverse, change the amount or the tips.
    Post,
    /// `DELETE`: cancel an intent.
    Delete,
}

impl Method {
    /// The method's name, e.g. `"POST"`.
    ///
    /// ```
    /// use dojo_capture::request::Method;
    ///
    /// assert_eq!(Method::Post.as_str(), "POST");
    /// assert_eq!(Method::Delete.as_str(), "DELETE");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request to Dojo's API, exactly as it is to be sent, without the
/// `Authorization` header.
///
/// There is no public constructor: a request comes only from a passed check
/// (for a capture, [`PreparedCapture::request`](crate::PreparedCapture::request)).
///
/// ```
/// use dojo_capture::request::{ApiVersion, Method};
/// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let paid_at = "2024-07-25T08:49:20Z".parse().unwrap();
/// let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1");
/// let Authorization::Manual(authorized) = intent.authorize(paid_at) else { unreachable!() };
/// let (_, prepared) = authorized
///     .prepare_capture(gbp(500), None, paid_at, ApiVersion::V2024_02_05)
///     .unwrap();
/// let request = prepared.request();
/// assert_eq!(request.method(), Method::Post);
/// assert_eq!(request.path(), "/payment-intents/pi_1/captures");
/// assert_eq!(request.header("version"), Some("2024-02-05"));
/// assert_eq!(request.body(), Some(&br#"{"amount":500}"#[..]));
/// assert_eq!(
///     request.url("https://api.dojo.tech/"),
///     "https://api.dojo.tech/payment-intents/pi_1/captures"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    method: Method,
    path: String,
    headers: Vec<(&'static str, Box<str>)>,
    body: Option<Vec<u8>>,
}

impl Request {
    /// `POST /payment-intents/{id}/captures` with `body`.
    pub(crate) fn capture(intent_id: &str, body: &CaptureRequest, version: ApiVersion) -> Request {
        Request::new(
            Method::Post,
            format!("/payment-intents/{}/captures", percent_encode(intent_id)),
            version,
            // A struct of two integers always serialises.
            Some(serde_json::to_vec(body).unwrap_or_default()),
        )
    }

    /// `POST /payment-intents/{id}/refunds` with `body`, under the idempotency `key`.
    pub(crate) fn refund(
        intent_id: &str,
        key: &IdempotencyKey,
        body: &RefundRequest,
        version: ApiVersion,
    ) -> Request {
        let mut request = Request::new(
            Method::Post,
            format!("/payment-intents/{}/refunds", percent_encode(intent_id)),
            version,
            // Integers and strings always serialise.
            Some(serde_json::to_vec(body).unwrap_or_default()),
        );
        // After `version`, before `content-type`: the order of the spec's parameters.
        request
            .headers
            .insert(1, ("idempotencyKey", key.as_str().into()));
        request
    }

    /// The request of a reversal (`POST …/reversal`, no body), a cancel
    /// (`DELETE /payment-intents/{id}`, no body), or a change of amount or
    /// tip (`POST …/amount`, `POST …/tips-amount`, with a `Money` body).
    pub(crate) fn operation(intent_id: &str, kind: PendingKind, version: ApiVersion) -> Request {
        let intent = format!("/payment-intents/{}", percent_encode(intent_id));
        // Money always serialises.
        let (method, path, body) = match kind {
            PendingKind::Reversal => (Method::Post, format!("{intent}/reversal"), None),
            PendingKind::Cancel => (Method::Delete, intent, None),
            PendingKind::ChangeAmount(amount) => (
                Method::Post,
                format!("{intent}/amount"),
                Some(serde_json::to_vec(&ChangeAmountRequest { amount }).unwrap_or_default()),
            ),
            PendingKind::ChangeTips(tips_amount) => (
                Method::Post,
                format!("{intent}/tips-amount"),
                Some(serde_json::to_vec(&ChangeTipsRequest { tips_amount }).unwrap_or_default()),
            ),
        };
        Request::new(method, path, version, body)
    }

    fn new(method: Method, path: String, version: ApiVersion, body: Option<Vec<u8>>) -> Request {
        let mut headers = vec![("version", version.as_str().into())];
        if body.is_some() {
            headers.push(("content-type", "application/json".into()));
        }
        Request {
            method,
            path,
            headers,
            body,
        }
    }

    /// The HTTP method.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi 1/a", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (_intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::V2024_02_05)?;
    /// # let request = prepared.request();
    ///
    /// use dojo_capture::request::Method;
    ///
    /// assert_eq!(request.method(), Method::Post);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path, starting with `/`, with the intent id percent-encoded:
    /// every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`)
    /// is written `%XX`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi 1/a", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (_intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::V2024_02_05)?;
    /// # let request = prepared.request();
    ///
    /// // The intent id "pi 1/a" cannot break out of its path segment.
    /// assert_eq!(request.path(), "/payment-intents/pi%201%2Fa/captures");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The headers: `version` always, `idempotencyKey` for a refund (as
    /// the spec spells it; HTTP compares names without regard to case),
    /// `content-type: application/json` when there is a body. Never `Authorization`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi 1/a", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (_intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::V2024_02_05)?;
    /// # let request = prepared.request();
    ///
    /// let headers: Vec<_> = request.headers().collect();
    /// assert_eq!(headers, [("version", "2024-02-05"), ("content-type", "application/json")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&'static str, &str)> + '_ {
        self.headers.iter().map(|(name, value)| (*name, &**value))
    }

    /// The value of the header `name` (compared without regard to case), if the request has it.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi 1/a", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (_intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::V2024_02_05)?;
    /// # let request = prepared.request();
    ///
    /// assert_eq!(request.header("Version"), Some("2024-02-05"));
    /// assert_eq!(request.header("authorization"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| &**value)
    }

    /// The JSON body, as the wire types serialise it; `None` for a request without one.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi 1/a", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (_intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::V2024_02_05)?;
    /// # let request = prepared.request();
    ///
    /// assert_eq!(request.body(), Some(&br#"{"amount":600}"#[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The full URL: `base` (such as `https://api.dojo.tech/`, with or
    /// without its final `/`) followed by the path.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi 1/a", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (_intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::V2024_02_05)?;
    /// # let request = prepared.request();
    ///
    /// let url = request.url("https://api.dojo.tech/");
    /// assert_eq!(url, "https://api.dojo.tech/payment-intents/pi%201%2Fa/captures");
    /// assert_eq!(request.url("https://api.dojo.tech"), url);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn url(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path)
    }
}

/// Every byte of `text` that is not an RFC 3986 unreserved character, as `%XX`.
fn percent_encode(text: &str) -> String {
    use fmt::Write as _;
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            // Writing to a String never fails.
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

#[cfg(feature = "http")]
impl From<&Request> for http::Request<Vec<u8>> {
    /// The request with a path-only URI (the HTTP client joins it to Dojo's
    /// base URL), its headers and its body (empty when it has none).
    fn from(request: &Request) -> Self {
        let method = match request.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let mut converted = http::Request::new(request.body.clone().unwrap_or_default());
        *converted.method_mut() = method;
        // The path is `/` and unreserved characters and `%XX` only: always a valid URI.
        if let Ok(uri) = http::Uri::try_from(request.path.as_str()) {
            *converted.uri_mut() = uri;
        }
        let headers = converted.headers_mut();
        for (name, value) in &request.headers {
            // Names are lower-case constants; values are visible ASCII (a
            // version date, a checked idempotency key, a media type).
            if let (Ok(name), Ok(value)) = (
                http::header::HeaderName::from_bytes(name.as_bytes()),
                http::header::HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        converted
    }
}

#[cfg(feature = "http")]
impl From<Request> for http::Request<Vec<u8>> {
    /// As the conversion from `&Request`.
    fn from(request: Request) -> Self {
        http::Request::from(&request)
    }
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("pi_AZaz09-._~"), "pi_AZaz09-._~");
        assert_eq!(percent_encode("a/b c?d#é%"), "a%2Fb%20c%3Fd%23%C3%A9%25");
    }
}
