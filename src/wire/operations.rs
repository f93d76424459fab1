//! Bodies of the lifecycle's requests and responses: capture, refund,
//! reversal, change of amount, and the RFC 7807 error body.
//!
//! Responses ignore fields they do not know, because Dojo's responses and
//! examples already carry more than the schemas list (the spec's `Reversal`
//! example uses `id` where the schema says `reversalId`).

use serde::{Deserialize, Serialize};

use super::status::CaptureStatus;
use crate::money::Money;

/// Body of `POST /payment-intents/{id}/captures` (spec schema `CreateCaptureRequest`).
///
/// ```
/// use dojo_capture::wire::CaptureRequest;
///
/// let body = CaptureRequest { amount: 600, tips_amount: None };
/// assert_eq!(serde_json::to_string(&body)?, r#"{"amount":600}"#);
/// let tipped = CaptureRequest { amount: 600, tips_amount: Some(50) };
/// assert_eq!(serde_json::to_string(&tipped)?, r#"{"amount":600,"tipsAmount":50}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRequest {
    /// Minor units in the intent's currency; the spec has no currency here.
    pub amount: i64,
    /// A tip taken with this capture, on top of `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips_amount: Option<i64>,
}

/// Response to a capture request (spec schema `Capture`).
///
/// ```
/// use dojo_capture::wire::{CaptureResponse, CaptureStatus};
///
/// let new: CaptureResponse = serde_json::from_str(r#"{"message": "Capture created", "captureId": "cp_1"}"#)?;
/// assert_eq!(new.capture_id.as_deref(), Some("cp_1"));
/// let old: CaptureResponse = serde_json::from_str(r#"{"captureId": "cp_1", "status": "Created"}"#)?;
/// assert_eq!(old.status, Some(CaptureStatus::Created));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureResponse {
    /// Dojo's description of the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The new capture's identifier, `cp_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
    /// Absent from the current schema but shown in older docs
    /// (`"status": "Created"`); read when present rather than dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CaptureStatus>,
}

/// Body of `POST /payment-intents/{id}/refunds` (spec schema `CreateRefundRequest`).
///
/// The idempotency key travels in a header, not here.
///
/// ```
/// use dojo_capture::wire::RefundRequest;
///
/// let body = RefundRequest {
///     amount: 250,
///     refund_reason: Some("damaged".into()),
///     notes: None,
///     previous_transaction_id: None,
/// };
/// assert_eq!(serde_json::to_string(&body)?, r#"{"amount":250,"refundReason":"damaged"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    /// Minor units in the intent's currency.
    pub amount: i64,
    /// Why the money goes back; at most 1024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<String>,
    /// Free text; at most 4096 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The transaction being refunded, when it is not the intent's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_transaction_id: Option<String>,
}

/// Response to a refund request, and to `GET /payment-intents/refunds/{id}`
/// (spec schema `Refund`).
///
/// ```
/// use dojo_capture::wire::RefundResponse;
///
/// let refund: RefundResponse = serde_json::from_str(
///     r#"{"paymentIntentId": "pi_1", "refundId": "rfnd_1", "refundReason": "damaged"}"#,
/// )?;
/// assert_eq!(refund.refund_id.as_deref(), Some("rfnd_1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundResponse {
    /// The intent refunded, `pi_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_intent_id: Option<String>,
    /// The refund's identifier, `rfnd_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// The reason sent with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<String>,
    /// The notes sent with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Response to `POST /payment-intents/{id}/reversal` (spec schema `Reversal`).
///
/// ```
/// use dojo_capture::wire::ReversalResponse;
///
/// let reversal: ReversalResponse = serde_json::from_str(r#"{"message": "Reversed", "reversalId": "rvs_1"}"#)?;
/// assert_eq!(reversal.reversal_id.as_deref(), Some("rvs_1"));
/// // The spec's own example says `id`, which is not read.
/// let example: ReversalResponse = serde_json::from_str(r#"{"id": "rvs_1"}"#)?;
/// assert_eq!(example.reversal_id, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReversalResponse {
    /// Dojo's description of the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The reversal's identifier, `rvs_…`. Optional because the spec's own
    /// example sends it as `id` instead, which this type does not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversal_id: Option<String>,
}

/// Body of `POST /payment-intents/{id}/amount` (spec schema `SetAmountRequest`).
///
/// The schema also allows item and tax lines; the lifecycle never sends them.
///
/// ```
/// use dojo_capture::wire::ChangeAmountRequest;
/// use dojo_capture::{Currency, Money};
///
/// let body = ChangeAmountRequest { amount: Money::new(5500, Currency::GBP) };
/// assert_eq!(serde_json::to_string(&body)?, r#"{"amount":{"value":5500,"currencyCode":"GBP"}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAmountRequest {
    /// The new amount, with its currency, unlike capture and refund amounts.
    pub amount: Money,
}

/// Body of `POST /payment-intents/{id}/tips-amount` (spec schema `SetTipsAmountRequest`).
///
/// ```
/// use dojo_capture::wire::ChangeTipsRequest;
/// use dojo_capture::{Currency, Money};
///
/// let body = ChangeTipsRequest { tips_amount: Money::new(150, Currency::GBP) };
/// assert_eq!(serde_json::to_string(&body)?, r#"{"tipsAmount":{"value":150,"currencyCode":"GBP"}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeTipsRequest {
    /// The new tip, with its currency; zero takes the tip away.
    pub tips_amount: Money,
}

/// An error body in the RFC 7807 format (spec schema `ProblemDetails`).
///
/// Every field is optional because RFC 7807 makes them all optional, and an
/// error body that decodes partly is more useful than a second error.
///
/// ```
/// use dojo_capture::wire::ProblemDetails;
///
/// let problem: ProblemDetails = serde_json::from_str(
///     r#"{"type": "https://tools.ietf.org/html/rfc7231#section-6.5.8", "title": "Conflict",
///         "status": 409, "detail": "The payment intent cannot be captured", "traceId": "00-abc"}"#,
/// )?;
/// assert_eq!(problem.status, Some(409));
/// assert_eq!(problem.trace_id.as_deref(), Some("00-abc"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDetails {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// A short summary of the problem kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The HTTP status code, repeated in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i32>,
    /// What went wrong this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A URI reference to this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Dojo's trace identifier, the thing to quote to Dojo support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Validation errors by field. Kept as raw JSON because the spec does
    /// not give their shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Value>,
}
