//! Why a payment intent read from the wire cannot be used.

use crate::money::{Currency, Money};
use crate::wire::PaymentIntentStatus;

/// Why a payment intent read from the wire cannot be used: the field, the
/// value and the rule it breaks are in the message.
///
/// Opaque like every error of the crate: [`RehydrateError::code`] gives a
/// stable snake_case name, and `Debug` prints that code and the message.
///
/// ```
/// use dojo_capture::AnyPaymentIntent;
///
/// let json = br#"{"status": "Refunded", "captureMode": "Auto",
///                 "amount": {"value": 0, "currencyCode": "GBP"}}"#;
/// let error = AnyPaymentIntent::from_json(json).unwrap_err();
/// assert_eq!(error.code(), "zero_intent_amount");
/// assert_eq!(
///     error.to_string(),
///     "the payment intent's amount is zero; an intent always asks for more than nothing"
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct RehydrateError {
    kind: Kind,
}

#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub(crate) enum Kind {
    #[error("the payment intent JSON cannot be read: {0}")]
    Json(Box<str>),
    #[error(
        "{field} is {word:?}, which is not a word the crate knows (expected one of {}); \
         an intent in a state the rules do not know cannot be judged",
        .expected.join(", ")
    )]
    UnknownWord {
        field: Box<str>,
        word: Box<str>,
        expected: &'static [&'static str],
    },
    #[error("the payment intent has no amount")]
    MissingAmount,
    #[error("the payment intent's amount is zero; an intent always asks for more than nothing")]
    ZeroAmount,
    #[error("{field} is {value}; amounts are never negative")]
    NegativeAmount { field: Box<str>, value: i64 },
    #[error("{id} is for 0; a capture is always of more than zero")]
    ZeroCapture { id: Box<str> },
    #[error("{field} is in {found} but the intent's amount is in {expected}; currencies never mix")]
    CurrencyMismatch {
        field: &'static str,
        expected: Currency,
        found: Currency,
    },
    #[error("{0}")]
    InvalidCaptureId(Box<str>),
    #[error("capture id {0} appears twice in captures[]")]
    DuplicateCaptureId(Box<str>),
    #[error(
        "captures made and in flight total {captures} minor units, more than the amount {amount}"
    )]
    CapturesExceedAmount { captures: i128, amount: Money },
    #[error(
        "refundedAmount {refunded} is more than was captured ({captured}, with {tips} of tips)"
    )]
    RefundedExceedsCaptured {
        refunded: Money,
        captured: Money,
        tips: Money,
    },
    #[error(
        "status is Created but captures[] holds {count} capture(s); nothing is captured before payment"
    )]
    CreatedWithCaptures { count: usize },
    #[error("status {status} contradicts the amounts: {why}")]
    StatusContradictsAmounts {
        status: PaymentIntentStatus,
        why: &'static str,
    },
    #[error(
        "status {status} needs the time of the payment, but neither \
         paymentDetails.transactionDateTime nor createdAt is present"
    )]
    MissingPaymentTime { status: PaymentIntentStatus },
    #[error("autoExpireIn {text:?} is not usable: {why}")]
    InvalidAutoExpireIn { text: Box<str>, why: &'static str },
    // The stored record's own fields (`docs/storage.md`).
    #[error(
        "the stored intent is in format {found}, and this version of the crate reads format 1 only"
    )]
    UnsupportedFormat { found: u64 },
    #[error("{field} is 0; a stored refund or prepared operation is always of more than zero")]
    ZeroStoredAmount { field: Box<str> },
    #[error("{field} is not usable: {why}")]
    InvalidStoredField { field: Box<str>, why: Box<str> },
    #[error("idempotency key {0:?} is stored twice; a key names one refund of the intent")]
    DuplicateRefundKey(Box<str>),
    #[error(
        "the refunds recorded under their keys total {recorded} minor units, \
         more than refundedAmount {refunded}"
    )]
    RefundsExceedRefunded { recorded: i128, refunded: Money },
    #[error(
        "captures made, in flight and prepared total {reserved} minor units, more than the amount {amount}"
    )]
    PendingCapturesExceedAmount { reserved: i128, amount: Money },
    #[error(
        "refunds prepared reserve {reserved} minor units, which with refundedAmount {refunded} \
         is more than the {taken} minor units taken (captured and tips)"
    )]
    PendingRefundsExceedRefundable {
        reserved: i128,
        refunded: Money,
        taken: i128,
    },
    #[error("a {what} is stored as prepared, which the intent could not have prepared: {why}")]
    PendingNotPossible {
        what: &'static str,
        why: &'static str,
    },
    #[error(
        "local id {local_id} of a prepared capture or operation is used twice or is not below nextLocalId {next}"
    )]
    InvalidLocalId { local_id: u64, next: u64 },
    #[error("seenEvents is not usable: {0}")]
    InvalidSeenEvents(Box<str>),
}

impl RehydrateError {
    pub(crate) fn new(kind: Kind) -> Self {
        RehydrateError { kind }
    }

    /// A stable snake_case name for what is wrong, e.g.
    /// `"captures_exceed_amount"`; `docs/errors.md` lists them all.
    ///
    /// ```
    /// use dojo_capture::AnyPaymentIntent;
    ///
    /// let error = AnyPaymentIntent::from_json(br#"{"status": "Refunded", "captureMode": "Auto",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "refundedAmount": 1001}"#).unwrap_err();
    /// assert_eq!(error.code(), "refunded_exceeds_captured");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            Kind::Json(_) => "malformed_json",
            Kind::UnknownWord { .. } => "unknown_enum_word",
            Kind::MissingAmount => "missing_amount",
            Kind::ZeroAmount => "zero_intent_amount",
            // Not `negative_amount`, which is Money's own refusal.
            Kind::NegativeAmount { .. } => "negative_field",
            Kind::ZeroCapture { .. } => "zero_capture",
            // Not `currency_mismatch`, the rule an operation breaks.
            Kind::CurrencyMismatch { .. } => "field_currency_mismatch",
            Kind::InvalidCaptureId(_) => "invalid_capture_id",
            Kind::DuplicateCaptureId(_) => "duplicate_capture_id",
            Kind::CapturesExceedAmount { .. } => "captures_exceed_amount",
            Kind::RefundedExceedsCaptured { .. } => "refunded_exceeds_captured",
            Kind::CreatedWithCaptures { .. } => "created_with_captures",
            Kind::StatusContradictsAmounts { .. } => "status_contradicts_amounts",
            Kind::MissingPaymentTime { .. } => "missing_payment_time",
            Kind::InvalidAutoExpireIn { .. } => "invalid_auto_expire_in",
            Kind::UnsupportedFormat { .. } => "unsupported_storage_format",
            Kind::ZeroStoredAmount { .. } => "zero_stored_amount",
            Kind::InvalidStoredField { .. } => "invalid_stored_field",
            Kind::DuplicateRefundKey(_) => "duplicate_refund_key",
            Kind::RefundsExceedRefunded { .. } => "refunds_exceed_refunded",
            Kind::PendingCapturesExceedAmount { .. } => "pending_captures_exceed_amount",
            Kind::PendingRefundsExceedRefundable { .. } => "pending_refunds_exceed_refundable",
            Kind::PendingNotPossible { .. } => "pending_not_possible",
            Kind::InvalidLocalId { .. } => "invalid_local_id",
            Kind::InvalidSeenEvents(_) => "invalid_seen_events",
        }
    }
}

crate::error::debug_code_and_message!(RehydrateError);
