//! The signature header from an `http::HeaderMap` (feature `http`).

use super::SIGNATURE_HEADER;
use super::error::WebhookError;
use super::secret::WebhookSecret;
use super::signature::{self, VerifiedBody};

/// [`verify`](super::verify) with the `dojo-signature` header taken from
/// `headers`, whatever case the sender wrote its name in (`HeaderMap`
/// compares names without regard to case). An absent header is
/// `webhook_signature_missing`; of several, the first is used, as
/// `HeaderMap::get` gives it.
///
/// # Errors
/// Those of [`verify`](super::verify).
///
/// ```
/// use dojo_capture::webhook::{self, WebhookSecret};
///
/// let secrets = [WebhookSecret::new("ws_test")?];
/// let mut headers = http::HeaderMap::new();
/// let error = webhook::verify_headers(b"{}", &headers, &secrets).unwrap_err();
/// assert_eq!(error.code(), "webhook_signature_missing");
///
/// let value = http::HeaderValue::from_str(&secrets[0].sign(b"{}")).unwrap();
/// headers.insert(http::HeaderName::from_static("dojo-signature"), value);
/// assert!(webhook::verify_headers(b"{}", &headers, &secrets).is_ok());
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
pub fn verify_headers<'a>(
    body: &'a [u8],
    headers: &http::HeaderMap,
    secrets: &[WebhookSecret],
) -> Result<VerifiedBody<'a>, WebhookError> {
    let value = headers
        .get(SIGNATURE_HEADER)
        .map_or(&[][..], http::HeaderValue::as_bytes);
    signature::verify(body, value, secrets)
}
