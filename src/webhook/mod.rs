//! Dojo's webhooks: the signature of a delivery, checked before anything
//! else, and the event its body carries.
//!
//! Dojo signs each delivery with a secret of the webhook subscription and
//! sends the signature in the `dojo-signature` header: `sha256=` followed by
//! the HMAC-SHA256 of the **raw body bytes**, keyed with the secret's value
//! (UTF-8), written as .NET's `BitConverter.ToString` writes bytes, 32
//! upper-case hexadecimal pairs joined by `-`:
//!
//! ```text
//! dojo-signature: sha256=94-AC-93-67-D6-8B-69-6D-15-A2-C2-45-40-98-B5-E7-64-72-38-C5-1F-6D-32-D0-5F-CB-91-20-A9-20-64-F4
//! ```
//!
//! # Verify, then parse
//!
//! [`verify`] checks the header against the body and returns a
//! [`VerifiedBody`]; only a `VerifiedBody` can be read as a [`WebhookEvent`]
//! ([`VerifiedBody::event`]), and [`verify_event`] does both, in that
//! order. So no JSON from an unverified body is ever parsed: a forger's
//! body reaches no parser, and an event in hand was signed. The body must be
//! the bytes as received, before any JSON parsing or re-encoding, which
//! would change them.
//!
//! ```
//! use dojo_capture::webhook::{self, EventName, WebhookSecret};
//!
//! // Dojo's own example.
//! let body = br#"{"id":"evt_hnnHxIKR_Uy6bhZCusCltw","event":"payment_intent.created","accountId":"acc_test","createdAt":"2022-02-01T13:07:41.8667859Z","data":{"paymentIntentId":"pi_vpwd4ooAPEqyNAQe4z89WQ","paymentStatus":"Created","captureMode":"Auto"}}"#;
//! let header = "sha256=94-AC-93-67-D6-8B-69-6D-15-A2-C2-45-40-98-B5-E7-64-72-38-C5-1F-6D-32-D0-5F-CB-91-20-A9-20-64-F4";
//! let secrets = [WebhookSecret::new("ws_OYsyzcrH70GpJfs8MMkKpg")?];
//!
//! let event = webhook::verify_event(body, header, &secrets)?;
//! assert_eq!(event.name(), &EventName::Created);
//! assert_eq!(event.payment_intent_id(), "pi_vpwd4ooAPEqyNAQe4z89WQ");
//!
//! let mut forged = body.to_vec();
//! forged[10] ^= 1;
//! let refused = webhook::verify_event(&forged, header, &secrets).unwrap_err();
//! assert_eq!(refused.code(), "webhook_signature_mismatch");
//! # Ok::<(), dojo_capture::WebhookError>(())
//! ```
//!
//! # What the header may hold
//!
//! Exactly `sha256=` (that case) and 32 pairs joined by `-`, nothing around
//! them: HTTP libraries strip the whitespace around a field value, which is
//! not part of it (RFC 9110). Each hexadecimal digit may be upper- or
//! lower-case. Dojo writes upper case; lower case is accepted because the
//! comparison is of the 32 decoded bytes, not of text, so accepting it gives
//! a forger nothing, while refusing it would turn a relay that lower-cases
//! header values into lost deliveries.
//!
//! # Rotation
//!
//! A subscription can hold several secrets, and during a rotation more than
//! one is valid: [`verify`] takes them all and accepts a delivery that any
//! of them signed. Every secret is tried every time, each with the
//! constant-time comparison of [`hmac::Mac::verify_slice`], so the time
//! taken says nothing about the digest. [`VerifiedBody::secret_index`]
//! tells which one matched. An empty list has a code of its own,
//! `webhook_no_secrets`, rather than being a mismatch: the receiver's
//! configuration is wrong, not the delivery, so it is reported first,
//! whatever the delivery holds ([`WebhookError::is_configuration`]).
//!
//! # Errors
//!
//! One [`WebhookError`], one code per failure, checked in this order:
//! `webhook_no_secrets`, `webhook_signature_missing`,
//! `webhook_unknown_scheme`, `webhook_malformed_digest`,
//! `webhook_signature_mismatch`, then, only for a verified body,
//! `webhook_not_an_event`. No message holds a secret or the digest the
//! body should have had.
//!
//! # Applying an event to a stored intent
//!
//! An event says that an intent changed, not what changed: it carries no
//! capture id and no amount. So it never changes the intent's figures.
//! [`AnyPaymentIntent::apply_webhook`](crate::AnyPaymentIntent::apply_webhook)
//! judges it against the intent and says what to do ([`WebhookVerdict`]):
//! nothing (an event applied before, by its id, or a status the intent
//! already has), read the intent again (`GET /payment-intents/{id}`, then
//! [`reconcile_read_json`](crate::AnyPaymentIntent::reconcile_read_json)),
//! ignore a stale event, or report an impossible one. It remembers the
//! event's id, so a redelivery is a duplicate, and that is a change of the
//! stored record: its revision moves, and it is written back like any other.
//!
//! ```
//! use dojo_capture::webhook::{self, WebhookSecret};
//! use dojo_capture::{AnyPaymentIntent, WebhookVerdict};
//!
//! let mut intent = AnyPaymentIntent::from_json(
//!     br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
//!          "amount": {"value": 1000, "currencyCode": "GBP"},
//!          "createdAt": "2024-07-25T08:49:20Z"}"#,
//! )?;
//! let secrets = [WebhookSecret::new("ws_test")?];
//! let body = br#"{"id": "evt_1", "event": "payment_intent.status_updated",
//!                 "createdAt": "2024-07-25T09:00:00Z",
//!                 "data": {"paymentIntentId": "pi_1", "paymentStatus": "Captured"}}"#;
//! let event = webhook::verify_event(body, secrets[0].sign(body), &secrets)?;
//!
//! assert_eq!(intent.apply_webhook(&event), WebhookVerdict::ReadAgain);
//! // Delivered again: recognised by its id.
//! assert_eq!(intent.apply_webhook(&event), WebhookVerdict::Duplicate);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod error;
mod event;
#[cfg(feature = "http")]
mod header_map;
mod secret;
mod signature;

pub use apply::WebhookVerdict;
pub use error::WebhookError;
pub use event::{EventName, PaymentStatus, WebhookEvent};
#[cfg(feature = "http")]
pub use header_map::verify_headers;
pub use secret::WebhookSecret;
pub use signature::VerifiedBody;

/// The header that carries the signature, as HTTP/2 writes it (lower case);
/// Dojo's .NET client spells it `Dojo-Signature`, and header names are
/// compared without regard to case.
///
/// ```
/// assert!(dojo_capture::webhook::SIGNATURE_HEADER.eq_ignore_ascii_case("Dojo-Signature"));
/// ```
pub const SIGNATURE_HEADER: &str = "dojo-signature";

/// Checks that one of `secrets` signed `body` to the digest in `header`, the
/// value of the `dojo-signature` header (found by the caller, whose HTTP
/// library compares header names without regard to case; an absent header
/// is passed as an empty value). `header` is text or bytes: `&str`,
/// `String`, `&[u8]` or an `http::HeaderValue`.
///
/// Nothing of `body` is read but its bytes: parse it with
/// [`VerifiedBody::event`] once this has returned.
///
/// # Errors
/// In this order: `webhook_no_secrets` (an empty `secrets`),
/// `webhook_signature_missing` (an empty header), `webhook_unknown_scheme`
/// (not `sha256=…`), `webhook_malformed_digest` (not 32 hexadecimal pairs
/// joined by `-`), `webhook_signature_mismatch` (no secret signed the body).
///
/// ```
/// use dojo_capture::webhook::{self, WebhookSecret};
///
/// let secrets = [WebhookSecret::new("ws_test")?];
/// let header = secrets[0].sign(b"{}");
/// assert!(webhook::verify(b"{}", &header, &secrets).is_ok());
/// assert!(webhook::verify(b"{}", header.to_lowercase(), &secrets).is_ok());
///
/// let truncated = &header[..header.len() - 3];
/// let error = webhook::verify(b"{}", truncated, &secrets).unwrap_err();
/// assert_eq!(error.code(), "webhook_malformed_digest");
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
pub fn verify<'a>(
    body: &'a [u8],
    header: impl AsRef<[u8]>,
    secrets: &[WebhookSecret],
) -> Result<VerifiedBody<'a>, WebhookError> {
    signature::verify(body, header.as_ref(), secrets)
}

/// [`verify`], then [`VerifiedBody::event`]: the body is parsed only once
/// its signature matched.
///
/// # Errors
/// Those of [`verify`], then `webhook_not_an_event`.
///
/// ```
/// use dojo_capture::webhook::{self, WebhookSecret};
///
/// let secrets = [WebhookSecret::new("ws_test")?];
/// let body = br#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
/// let event = webhook::verify_event(body, secrets[0].sign(body), &secrets)?;
/// assert_eq!(event.id(), "evt_1");
///
/// // Not JSON, but the header is checked first, and the body is never parsed.
/// let error = webhook::verify_event(b"not json", "sha256=00-00", &secrets).unwrap_err();
/// assert_eq!(error.code(), "webhook_malformed_digest");
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
pub fn verify_event(
    body: &[u8],
    header: impl AsRef<[u8]>,
    secrets: &[WebhookSecret],
) -> Result<WebhookEvent, WebhookError> {
    verify(body, header, secrets)?.event()
}
