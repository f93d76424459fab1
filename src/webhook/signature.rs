//! The `dojo-signature` header: its syntax, and the constant-time check of
//! its digest against every secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::error::{WebhookError, WebhookErrorKind, shown};
use super::event::WebhookEvent;
use super::secret::WebhookSecret;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// What precedes the digest in the header value.
pub(crate) const SCHEME: &str = "sha256=";

/// The digest's bytes: SHA-256's output.
const DIGEST_BYTES: usize = 32;

/// The digest's length as text: 32 pairs and the 31 hyphens between them.
const DIGEST_CHARS: usize = DIGEST_BYTES * 3 - 1;

/// Appends `digest` as .NET's `BitConverter.ToString` writes it:
/// upper-case hexadecimal pairs joined by `-`.
pub(crate) fn write_digest(out: &mut String, digest: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, byte) in digest.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
}

/// A body whose signature one of the secrets produced. Only
/// [`verify`](super::verify) makes one, so holding it is the proof that the
/// body was checked; [`VerifiedBody::event`] is the only way to read it as a
/// [`WebhookEvent`], so no event is ever parsed from bytes nobody verified.
///
/// ```
/// use dojo_capture::webhook::{self, WebhookSecret};
///
/// let secrets = [WebhookSecret::new("ws_old")?, WebhookSecret::new("ws_new")?];
/// let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
/// let header = secrets[1].sign(body);
///
/// let verified = webhook::verify(body, &header, &secrets)?;
/// assert_eq!(verified.secret_index(), 1);
/// assert_eq!(verified.event()?.payment_intent_id(), "pi_1");
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedBody<'a> {
    bytes: &'a [u8],
    secret_index: usize,
}

impl<'a> VerifiedBody<'a> {
    /// The raw body, exactly as it was verified.
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    ///
    /// let secret = WebhookSecret::new("ws_test")?;
    /// let verified = webhook::verify(b"{}", &secret.sign(b"{}"), &[secret])?;
    /// assert_eq!(verified.bytes(), b"{}");
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The position, in the slice given to [`verify`](super::verify), of
    /// the first secret that signed the body. During a rotation it tells
    /// when the old secret stops being used, and so when it can be deleted.
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    ///
    /// let old = WebhookSecret::new("ws_old")?;
    /// let header = old.sign(b"{}");
    /// let verified = webhook::verify(b"{}", &header, &[WebhookSecret::new("ws_new")?, old])?;
    /// assert_eq!(verified.secret_index(), 1);
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }

    /// The body read as an event (see [`WebhookEvent`] for what is
    /// required and what is kept as data).
    ///
    /// # Errors
    /// `webhook_not_an_event`: the body is not JSON, or lacks `id`, `event`
    /// or `data.paymentIntentId`, or holds a value of the wrong type; the
    /// message names the field.
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    ///
    /// let secret = WebhookSecret::new("ws_test")?;
    /// let verified = webhook::verify(b"[]", &secret.sign(b"[]"), &[secret])?;
    /// assert_eq!(verified.event().unwrap_err().code(), "webhook_not_an_event");
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn event(&self) -> Result<WebhookEvent, WebhookError> {
        WebhookEvent::parse(self.bytes)
    }
}

/// Checks the header's syntax, then the digest against every secret, as
/// [`verify`](super::verify) documents.
pub(crate) fn verify<'a>(
    body: &'a [u8],
    header: &[u8],
    secrets: &[WebhookSecret],
) -> Result<VerifiedBody<'a>, WebhookError> {
    let fail = |kind| Err(WebhookError::new(kind));
    if secrets.is_empty() {
        return fail(WebhookErrorKind::NoSecrets);
    }
    if header.is_empty() {
        return fail(WebhookErrorKind::SignatureMissing);
    }
    let Some(digest) = header.strip_prefix(SCHEME.as_bytes()) else {
        return fail(WebhookErrorKind::UnknownScheme(shown(header)));
    };
    let Some(digest_bytes) = decode_digest(digest) else {
        return fail(WebhookErrorKind::MalformedDigest(shown(digest)));
    };
    // Every secret is tried, whatever the earlier ones gave, and each
    // comparison is `verify_slice`'s constant-time one: the time taken
    // depends on the number of secrets and the body's length, never on how
    // much of the digest is right, which a forger could otherwise measure.
    let mut matched = None;
    for (index, secret) in secrets.iter().enumerate() {
        let ok = secret.mac(body).verify_slice(&digest_bytes).is_ok();
        if ok && matched.is_none() {
            matched = Some(index);
        }
    }
    match matched {
        Some(secret_index) => Ok(VerifiedBody {
            bytes: body,
            secret_index,
        }),
        None => fail(WebhookErrorKind::SignatureMismatch(secrets.len())),
    }
}

/// The 32 bytes of `XX-XX-…-XX`, each `X` a hexadecimal digit of either
/// case; `None` for anything else, including spaces around it.
fn decode_digest(text: &[u8]) -> Option<[u8; DIGEST_BYTES]> {
    if text.len() != DIGEST_CHARS {
        return None;
    }
    let mut digest = [0; DIGEST_BYTES];
    for (i, byte) in digest.iter_mut().enumerate() {
        let at = i * 3;
        if i > 0 && text[at - 1] != b'-' {
            return None;
        }
        *byte = (nibble(text[at])? << 4) | nibble(text[at + 1])?;
    }
    Some(digest)
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}
