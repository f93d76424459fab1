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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAmountRequest {
    /// The new amount, with its currency, unlike capture and refund amounts.
    pub amount: Money,
}

/// Body of `POST /payment-intents/{id}/tips-amount` (spec schema `SetTipsAmountRequest`).
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
