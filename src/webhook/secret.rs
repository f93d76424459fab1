//! The subscription secret a delivery is signed with.

use std::fmt;

use hmac::{KeyInit, Mac};

use super::error::{WebhookError, WebhookErrorKind};
use super::signature::{HmacSha256, SCHEME, write_digest};

/// One secret of a Dojo webhook subscription (`ws_…`), the key of the
/// HMAC-SHA256 that signs each delivery.
///
/// Its `Debug` prints `WebhookSecret(<redacted>)` and it has no `Display`,
/// so that no log line, error or panic message can carry the value. It is
/// not compared with `==` either: the only comparison is the constant-time
/// one inside [`verify`](super::verify).
///
/// ```
/// use dojo_capture::webhook::WebhookSecret;
///
/// let secret = WebhookSecret::new("ws_OYsyzcrH70GpJfs8MMkKpg")?;
/// assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted>)");
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
#[derive(Clone)]
pub struct WebhookSecret {
    // Keyed once, here: each verification clones this state instead of
    // hashing the key again, and the value itself is not kept at all.
    keyed: HmacSha256,
}

impl WebhookSecret {
    /// The secret from its value, exactly as Dojo shows it: the key is its
    /// UTF-8 bytes, so nothing is trimmed or changed.
    ///
    /// # Errors
    /// `webhook_secret_empty` for an empty value: HMAC accepts an empty key,
    /// but everyone knows it, so a receiver configured with one would accept
    /// anybody's deliveries.
    ///
    /// ```
    /// use dojo_capture::webhook::WebhookSecret;
    ///
    /// assert_eq!(WebhookSecret::new("").unwrap_err().code(), "webhook_secret_empty");
    /// ```
    pub fn new(value: &str) -> Result<WebhookSecret, WebhookError> {
        let empty = || WebhookError::new(WebhookErrorKind::SecretEmpty);
        if value.is_empty() {
            return Err(empty());
        }
        // HMAC takes a key of any length (a long one is hashed first), so
        // the length error cannot happen; it is mapped rather than unwrapped
        // to keep every path free of panics.
        let keyed =
            <HmacSha256 as KeyInit>::new_from_slice(value.as_bytes()).map_err(|_| empty())?;
        Ok(WebhookSecret { keyed })
    }

    /// The `dojo-signature` header value Dojo sends with `body` when it
    /// signs with this secret: `sha256=` and the HMAC-SHA256 of the raw
    /// bytes as upper-case hexadecimal byte pairs joined by `-`. For tests
    /// and for services that relay deliveries; a receiver calls
    /// [`verify`](super::verify) instead, which compares in constant time.
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    ///
    /// let secret = WebhookSecret::new("ws_test")?;
    /// let header = secret.sign(b"{}");
    /// assert!(header.starts_with("sha256="));
    /// assert_eq!(header.len(), "sha256=".len() + 32 * 3 - 1);
    /// assert!(webhook::verify(b"{}", &header, &[secret]).is_ok());
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn sign(&self, body: &[u8]) -> String {
        let digest = self.mac(body).finalize().into_bytes();
        let mut header = String::with_capacity(SCHEME.len() + 32 * 3);
        header.push_str(SCHEME);
        write_digest(&mut header, &digest);
        header
    }

    /// The HMAC keyed with this secret, after `body`.
    pub(crate) fn mac(&self, body: &[u8]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(body);
        mac
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}
