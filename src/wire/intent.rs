//! The payment intent as `GET /payment-intents/{id}` returns it.
//!
//! Only the fields the capture lifecycle reads are kept; every other field
//! is skipped on decode. The spec declares `additionalProperties: false`, yet
//! its own examples carry `paymentEvents` and `paymentSource`, so rejecting
//! unknown fields would reject Dojo's real responses.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::status::{AutoExpireAction, CaptureMode, CaptureStatus, PaymentIntentStatus};
use crate::money::Money;

/// A payment intent as Dojo sends it (spec schema `PaymentIntent`).
///
/// Raw data: nothing here checks that the amounts agree with each other or
/// with `status`. Fields the spec marks nullable or optional are `Option`, so
/// a response that leaves them out still decodes and the lifecycle core
/// decides what their absence means.
///
/// ```
/// use dojo_capture::wire::{CaptureStatus, PaymentIntentResource, PaymentIntentStatus};
///
/// let json = std::fs::read("docs/examples/manual-authorized.json")?;
/// let resource = PaymentIntentResource::from_json(&json)?;
/// assert_eq!(resource.status, PaymentIntentStatus::Authorized);
/// assert_eq!(resource.amount.map(|a| a.minor_units()), Some(1000));
/// let captures = resource.captures.unwrap_or_default();
/// assert_eq!(captures[1].status, CaptureStatus::Created);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntentResource {
    /// Dojo's identifier, `pi_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Nullable in the spec; Dojo's default when absent is `Auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_mode: Option<CaptureMode>,
    /// The only field every lifecycle decision needs, hence not optional.
    pub status: PaymentIntentStatus,
    /// The amount to collect, excluding tips, service charge and cashback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// The amount after discounts and taxes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    /// The amount first requested; differs from `amount` after a change of amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_amount: Option<Money>,
    /// The tip on the intent as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips_amount: Option<Money>,
    /// Bare minor units in the intent's currency: the spec types it as an
    /// integer, not a `Money` object, so no currency arrives with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<i64>,
    /// When the intent was created: the time of payment when
    /// `paymentDetails.transactionDateTime` is absent ([D11](crate::decisions#d11)). Read as
    /// [the rules' timestamps](crate::wire#timestamps) are.
    #[serde(
        default,
        deserialize_with = "super::time::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<Timestamp>,
    /// When the intent last changed, as Dojo wrote it: no rule reads it, so
    /// it is carried as text and never a reason to refuse an intent ([D15](crate::decisions#d15)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When an unpaid intent is voided, as Dojo wrote it (text, [D15](crate::decisions#d15));
    /// `None` means 30 days after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_at: Option<String>,
    /// The `dd.hh:MM:ss` text as sent: kept raw so that a malformed value
    /// is reported by the code that gives it meaning, with the rule it breaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_expire_in: Option<String>,
    /// What happens to a `Manual` intent when `auto_expire_in` runs out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_expire_action: Option<AutoExpireAction>,
    /// Filled in once the payment is finalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_details: Option<PaymentDetails>,
    /// The intent's configuration (spec schema `PaymentIntentConfigResponse`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<IntentConfig>,
    /// The merchant's reference, e.g. `Order 234`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The merchant's description of the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The captures made so far. Empty for an `Auto` intent even once it is
    /// captured, because Dojo captures those without a capture request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captures: Option<Vec<CaptureDetails>>,
}

impl PaymentIntentResource {
    /// Decodes a response body.
    ///
    /// # Errors
    /// The body is not JSON, lacks `status`, or holds a value of the wrong
    /// shape (an unknown status, a money object without `currencyCode`, …);
    /// the message names the offending value.
    ///
    /// A UTF-8 byte-order mark before the JSON is ignored ([D20](crate::decisions#d20)).
    ///
    /// ```
    /// use dojo_capture::wire::{PaymentIntentResource, PaymentIntentStatus};
    ///
    /// // Unknown fields are ignored; a byte-order mark is skipped (D20).
    /// let body = b"\xEF\xBB\xBF{\"status\": \"Created\", \"paymentSource\": \"api\"}";
    /// assert_eq!(PaymentIntentResource::from_json(body)?.status, PaymentIntentStatus::Created);
    /// let error = PaymentIntentResource::from_json(br#"{"status": "Pending"}"#).unwrap_err();
    /// assert!(error.to_string().contains("\"Pending\" is not a payment intent status"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let bytes = without_bom(bytes);
        // UTF-8 checked once, in bulk: `from_slice` checks it string by
        // string as it parses, which is slower. Invalid UTF-8 goes to
        // `from_slice` for its error, which says where.
        match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(bytes),
        }
    }
}

/// The bytes after a UTF-8 byte-order mark, if there is one ([D20](crate::decisions#d20)): some
/// tools write one before JSON, and it says nothing about the intent.
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// One capture of a `Manual` intent (spec schema `CaptureDetails`).
///
/// ```
/// use dojo_capture::wire::{CaptureDetails, CaptureStatus};
///
/// let capture: CaptureDetails = serde_json::from_str(
///     r#"{"id": "cp_1", "amount": 600, "tipsAmount": 50, "status": "Successful",
///         "createdAt": "2024-07-25T10:02:11Z"}"#,
/// )?;
/// assert_eq!((capture.amount, capture.tips_amount), (600, Some(50)));
/// assert_eq!(capture.status, CaptureStatus::Successful);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureDetails {
    /// Dojo's identifier, `cp_…`; the key for recognising a capture seen twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Bare minor units in the intent's currency. Kept as the raw integer so
    /// that a negative value reaches the lifecycle core and is reported
    /// there, with the capture it belongs to.
    pub amount: i64,
    /// The tip taken with this capture, not counted in `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips_amount: Option<i64>,
    /// Whether the capture went through.
    pub status: CaptureStatus,
    /// When the capture was requested.
    #[serde(
        default,
        deserialize_with = "super::time::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<Timestamp>,
}

/// The outcome of the payment (spec schema `PaymentDetails`), reduced to the
/// fields the lifecycle reads; card and AVS details are skipped.
///
/// ```
/// use dojo_capture::wire::PaymentDetails;
///
/// let details: PaymentDetails = serde_json::from_str(
///     r#"{"transactionDateTime": "2024-07-25T08:49:20Z", "message": "AUTHORISED", "card": {}}"#,
/// )?;
/// assert_eq!(details.transaction_date_time.map(|t| t.to_string()).as_deref(), Some("2024-07-25T08:49:20Z"));
/// assert_eq!(details.message.as_deref(), Some("AUTHORISED"));
/// // An empty transaction time is no time (D15).
/// let empty: PaymentDetails = serde_json::from_str(r#"{"transactionDateTime": ""}"#)?;
/// assert_eq!(empty.transaction_date_time, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    /// The acquirer's transaction identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// When the payment was made. Preferred over `createdAt` as the time of
    /// payment, which the reversal and capture deadlines count from. An
    /// empty string is no time ([D15](crate::decisions#d15)).
    #[serde(
        default,
        deserialize_with = "super::time::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub transaction_date_time: Option<Timestamp>,
    /// The acquirer's description of the outcome, e.g. `DEPOSITED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The acquirer's authorisation code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
}

/// The intent's configuration (spec schema `PaymentIntentConfigResponse`),
/// reduced to the part that gates changing the amount.
///
/// ```
/// use dojo_capture::wire::IntentConfig;
///
/// let config: IntentConfig = serde_json::from_str(
///     r#"{"tradingName": "I DIM SUM", "payment": {"customAmountAllowed": true}}"#,
/// )?;
/// assert_eq!(config.payment.and_then(|p| p.custom_amount_allowed), Some(true));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentConfig {
    /// Payment options; absent on most intents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentConfig>,
}

/// Payment options set when the intent was created (spec schema `PaymentConfigDetails`).
///
/// ```
/// use dojo_capture::wire::PaymentConfig;
///
/// let payment: PaymentConfig = serde_json::from_str(r#"{"tipsAllowed": true}"#)?;
/// assert_eq!((payment.custom_amount_allowed, payment.tips_allowed), (None, Some(true)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentConfig {
    /// Whether the amount may be changed; change-amount is refused without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_amount_allowed: Option<bool>,
    /// Whether a tip may be added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips_allowed: Option<bool>,
}
