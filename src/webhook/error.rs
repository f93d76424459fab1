//! Why a webhook delivery was refused.

/// A webhook delivery, secret or header that cannot be used: one code per
/// failure, checked in this order, so that the first problem found is the
/// one reported:
///
/// | code | when |
/// |---|---|
/// | `webhook_no_secrets` | no secret was given to verify with |
/// | `webhook_signature_missing` | the `dojo-signature` header is absent or empty |
/// | `webhook_unknown_scheme` | the header does not start with `sha256=` |
/// | `webhook_malformed_digest` | what follows `sha256=` is not 32 hexadecimal byte pairs joined by `-` |
/// | `webhook_signature_mismatch` | no secret signed the body to that digest |
/// | `webhook_not_an_event` | the body verified but is not an event (only checked after a match) |
/// | `webhook_secret_empty` | [`WebhookSecret::new`](super::WebhookSecret::new) was given an empty value |
///
/// Messages name the value and the rule it breaks. They never hold a
/// secret, nor the digest the body should have had: a log line must not
/// hand a forger the answer. Long header values are shortened.
///
/// ```
/// use dojo_capture::webhook::{self, WebhookSecret};
///
/// let secret = WebhookSecret::new("ws_OYsyzcrH70GpJfs8MMkKpg")?;
/// let error = webhook::verify(b"{}", "sha1=94-AC", &[secret]).unwrap_err();
/// assert_eq!(error.code(), "webhook_unknown_scheme");
/// assert_eq!(
///     error.to_string(),
///     "dojo-signature \"sha1=94-AC\" is not sha256=DIGEST: Dojo signs with HMAC-SHA256 \
///      and no other scheme"
/// );
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct WebhookError {
    kind: WebhookErrorKind,
}

#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub(crate) enum WebhookErrorKind {
    #[error(
        "no webhook secret to verify with: at least one of the subscription's secrets is needed"
    )]
    NoSecrets,
    #[error(
        "a webhook secret is never empty: an empty key is known to everyone, so it would \
         authenticate nothing"
    )]
    SecretEmpty,
    #[error("the dojo-signature header is missing or empty; Dojo signs every webhook delivery")]
    SignatureMissing,
    #[error(
        "dojo-signature {0} is not sha256=DIGEST: Dojo signs with HMAC-SHA256 and no other scheme"
    )]
    UnknownScheme(Box<str>),
    #[error(
        "the dojo-signature digest {0} is not 32 hexadecimal byte pairs joined by \"-\" \
         (64 hex digits, 31 hyphens)"
    )]
    MalformedDigest(Box<str>),
    #[error(
        "no webhook secret ({0} tried) signed this body: it was changed, signed with another \
         secret, or not sent by Dojo"
    )]
    SignatureMismatch(usize),
    #[error("the verified body is not a Dojo webhook event: {0}")]
    NotAnEvent(Box<str>),
}

impl WebhookErrorKind {
    fn code(&self) -> &'static str {
        match self {
            WebhookErrorKind::NoSecrets => "webhook_no_secrets",
            WebhookErrorKind::SecretEmpty => "webhook_secret_empty",
            WebhookErrorKind::SignatureMissing => "webhook_signature_missing",
            WebhookErrorKind::UnknownScheme(_) => "webhook_unknown_scheme",
            WebhookErrorKind::MalformedDigest(_) => "webhook_malformed_digest",
            WebhookErrorKind::SignatureMismatch(_) => "webhook_signature_mismatch",
            WebhookErrorKind::NotAnEvent(_) => "webhook_not_an_event",
        }
    }
}

impl WebhookError {
    pub(crate) fn new(kind: WebhookErrorKind) -> WebhookError {
        WebhookError { kind }
    }

    /// A stable snake_case name for the failure: `webhook_no_secrets`,
    /// `webhook_signature_missing`, `webhook_unknown_scheme`,
    /// `webhook_malformed_digest`, `webhook_signature_mismatch`,
    /// `webhook_not_an_event` or `webhook_secret_empty`.
    ///
    /// ```
    /// use dojo_capture::webhook::{self, WebhookSecret};
    ///
    /// let secret = WebhookSecret::new("ws_OYsyzcrH70GpJfs8MMkKpg")?;
    /// let error = webhook::verify(b"{}", "", &[secret]).unwrap_err();
    /// assert_eq!(error.code(), "webhook_signature_missing");
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Whether the failure is the receiver's own configuration
    /// (`webhook_no_secrets`, `webhook_secret_empty`) rather than the
    /// delivery: a server answers that with a 5xx, so that Dojo retries the
    /// delivery once the secrets are fixed, and any other failure with a 4xx.
    ///
    /// ```
    /// use dojo_capture::webhook;
    ///
    /// assert!(webhook::verify(b"{}", "sha256=00", &[]).unwrap_err().is_configuration());
    /// ```
    pub fn is_configuration(&self) -> bool {
        matches!(
            self.kind,
            WebhookErrorKind::NoSecrets | WebhookErrorKind::SecretEmpty
        )
    }
}

crate::error::debug_code_and_message!(WebhookError);

/// At most this many characters of a received value go into a message: a
/// hostile header must not make every log line as long as itself.
const SHOWN_CHARS: usize = 128;

/// `value` quoted and escaped as `{:?}` writes it, cut after
/// [`SHOWN_CHARS`] characters with `…` after the closing quote.
pub(crate) fn shown(value: &[u8]) -> Box<str> {
    let text = String::from_utf8_lossy(value);
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    if chars.next().is_some() {
        format!("{head:?}…").into()
    } else {
        format!("{head:?}").into()
    }
}
