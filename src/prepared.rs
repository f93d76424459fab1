//! Around the HTTP call: a capture prepared before the request is sent, and
//! Dojo's answer recorded after it.
//!
//! Preparing checks the capture rules and puts the amount in flight as a *pending*
//! capture; recording takes the one [`PreparedCapture`] token and Dojo's
//! [`Answer`], and never re-runs the rules: Dojo has decided.

use std::fmt;

use jiff::Timestamp;

use crate::ids::IdempotencyKey;
use crate::ledger::{PendingKind, PendingOperation};
use crate::money::Money;
use crate::request::{ApiVersion, Request};
use crate::wire::{CaptureRequest, ProblemDetails, RefundRequest};

/// A capture checked and in flight, whose request is ready to be sent: the
/// one token that can record Dojo's answer.
///
/// It is not `Clone`: recording consumes it, so an answer is recorded at
/// most once. It comes only from `prepare_capture`
/// ([`PaymentIntent::prepare_capture`](crate::PaymentIntent::prepare_capture)
/// or [`AnyPaymentIntent::prepare_capture`](crate::AnyPaymentIntent::prepare_capture)),
/// so the only road to a capture [`Request`] is a passed check.
///
/// ```
/// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let paid_at = "2024-07-25T08:49:20Z".parse().unwrap();
/// let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1");
/// let Authorization::Manual(authorized) = intent.authorize(paid_at) else { unreachable!() };
/// let (authorized, prepared) = authorized
///     .prepare_capture(gbp(500), Some(gbp(50)), paid_at, Default::default())
///     .unwrap();
/// assert_eq!((prepared.amount(), prepared.tips()), (gbp(500), Some(gbp(50))));
/// assert_eq!(prepared.request().body(), Some(&br#"{"amount":500,"tipsAmount":50}"#[..]));
/// assert_eq!(authorized.in_flight(), gbp(500));
/// assert_eq!(authorized.pending_captures()[0].local_id(), prepared.local_id());
/// ```
#[derive(Debug, PartialEq, Eq)]
#[must_use = "the prepared capture is the only way to record Dojo's answer"]
pub struct PreparedCapture {
    intent_id: Box<str>,
    local_id: u64,
    amount: Money,
    tips: Option<Money>,
    prepared_at: Timestamp,
    request: Request,
}

impl PreparedCapture {
    pub(crate) fn new(
        intent_id: &str,
        local_id: u64,
        amount: Money,
        tips: Option<Money>,
        prepared_at: Timestamp,
        version: ApiVersion,
    ) -> PreparedCapture {
        let body = CaptureRequest {
            amount: amount.minor_units(),
            tips_amount: tips.map(Money::minor_units),
        };
        PreparedCapture {
            intent_id: intent_id.into(),
            local_id,
            amount,
            tips,
            prepared_at,
            request: Request::capture(intent_id, &body, version),
        }
    }

    /// Whether this is the token of `pending`, prepared for the intent `intent_id`.
    pub(crate) fn matches(
        &self,
        intent_id: Option<&str>,
        pending: &crate::ledger::PendingCapture,
    ) -> bool {
        intent_id == Some(&*self.intent_id)
            && pending.local_id == self.local_id
            && pending.amount == self.amount
            && pending.tips == self.tips
            && pending.prepared_at == self.prepared_at
    }

    /// The pending capture's number within its intent: the
    /// [`PendingCapture::local_id`](crate::PendingCapture::local_id) it reserves under.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.local_id(), authorized.pending_captures()[0].local_id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_id(&self) -> u64 {
        self.local_id
    }

    /// Dojo's id of the intent the capture is for.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.intent_id(), "pi_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn intent_id(&self) -> &str {
        &self.intent_id
    }

    /// The amount to capture, without tips.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.amount(), gbp(600), "without the tip");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The tip sent with the capture; a zero tip is no tip ([D18](crate::decisions#d18)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.tips(), Some(gbp(50)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tips(&self) -> Option<Money> {
        self.tips
    }

    /// The `now` the capture was prepared at; the capture Dojo creates is
    /// recorded as created then.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.prepared_at(), paid_at);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepared_at(&self) -> Timestamp {
        self.prepared_at
    }

    /// The request to send: `POST /payment-intents/{id}/captures`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// use dojo_capture::request::Method;
    ///
    /// let request = prepared.request();
    /// assert_eq!((request.method(), request.path()), (Method::Post, "/payment-intents/pi_1/captures"));
    /// assert_eq!(request.header("content-type"), Some("application/json"));
    /// assert_eq!(request.header("Authorization"), None, "the HTTP client adds it");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request(&self) -> &Request {
        &self.request
    }
}

/// The optional text a refund request carries: `refundReason` (at most
/// 1024 characters) and `notes` (at most 4096), checked once here.
///
/// ```
/// use dojo_capture::RefundDetails;
///
/// let details = RefundDetails::new(Some("damaged"), None).unwrap();
/// assert_eq!(details.reason(), Some("damaged"));
/// let error = RefundDetails::new(Some(&"x".repeat(1025)), None).unwrap_err();
/// assert_eq!(error.code(), "refund_reason_too_long");
/// assert_eq!(
///     error.to_string(),
///     "the refund reason is 1025 characters long; Dojo accepts at most 1024"
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RefundDetails {
    reason: Option<Box<str>>,
    notes: Option<Box<str>>,
}

impl RefundDetails {
    /// The most characters `refundReason` may hold.
    pub const MAX_REASON_CHARS: usize = 1024;
    /// The most characters `notes` may hold.
    pub const MAX_NOTES_CHARS: usize = 4096;

    /// A reason and notes, each optional.
    ///
    /// # Errors
    /// The reason is longer than 1024 characters, or the notes longer than 4096.
    ///
    /// ```
    /// use dojo_capture::RefundDetails;
    ///
    /// let details = RefundDetails::new(Some("damaged"), Some("ticket 42"))?;
    /// assert_eq!((details.reason(), details.notes()), (Some("damaged"), Some("ticket 42")));
    /// assert!(RefundDetails::new(Some(&"r".repeat(1025)), None).is_err());
    /// # Ok::<(), dojo_capture::RefundDetailsError>(())
    /// ```
    pub fn new(
        reason: Option<&str>,
        notes: Option<&str>,
    ) -> Result<RefundDetails, RefundDetailsError> {
        let length = |text: Option<&str>| text.map_or(0, |text| text.chars().count());
        let (reason_chars, notes_chars) = (length(reason), length(notes));
        if reason_chars > Self::MAX_REASON_CHARS {
            return Err(RefundDetailsError {
                kind: RefundDetailsErrorKind::ReasonTooLong(reason_chars),
            });
        }
        if notes_chars > Self::MAX_NOTES_CHARS {
            return Err(RefundDetailsError {
                kind: RefundDetailsErrorKind::NotesTooLong(notes_chars),
            });
        }
        Ok(RefundDetails {
            reason: reason.map(Into::into),
            notes: notes.map(Into::into),
        })
    }

    /// The `refundReason`, if any.
    ///
    /// ```
    /// use dojo_capture::RefundDetails;
    ///
    /// assert_eq!(RefundDetails::new(Some("damaged"), None)?.reason(), Some("damaged"));
    /// assert_eq!(RefundDetails::default().reason(), None);
    /// # Ok::<(), dojo_capture::RefundDetailsError>(())
    /// ```
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The `notes`, if any.
    ///
    /// ```
    /// use dojo_capture::RefundDetails;
    ///
    /// assert_eq!(RefundDetails::new(None, Some("ticket 42"))?.notes(), Some("ticket 42"));
    /// # Ok::<(), dojo_capture::RefundDetailsError>(())
    /// ```
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
}

/// A refund reason or notes longer than Dojo accepts.
///
/// ```
/// use dojo_capture::RefundDetails;
///
/// let error = RefundDetails::new(None, Some(&"n".repeat(4097))).unwrap_err();
/// assert_eq!(error.code(), "refund_notes_too_long");
/// assert_eq!(error.to_string(), "the refund notes are 4097 characters long; Dojo accepts at most 4096");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct RefundDetailsError {
    kind: RefundDetailsErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
enum RefundDetailsErrorKind {
    #[error("the refund reason is {0} characters long; Dojo accepts at most 1024")]
    ReasonTooLong(usize),
    #[error("the refund notes are {0} characters long; Dojo accepts at most 4096")]
    NotesTooLong(usize),
}

impl RefundDetailsError {
    /// A stable snake_case name for the problem: `refund_reason_too_long`
    /// or `refund_notes_too_long`.
    ///
    /// ```
    /// use dojo_capture::RefundDetails;
    ///
    /// let error = RefundDetails::new(Some(&"r".repeat(1025)), None).unwrap_err();
    /// assert_eq!(error.code(), "refund_reason_too_long");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            RefundDetailsErrorKind::ReasonTooLong(_) => "refund_reason_too_long",
            RefundDetailsErrorKind::NotesTooLong(_) => "refund_notes_too_long",
        }
    }
}

crate::error::debug_code_and_message!(RefundDetailsError);

/// A refund checked and reserved, whose request is ready to be sent: the
/// one token that can record Dojo's answer.
///
/// Like [`PreparedCapture`], it is not `Clone` and comes only from
/// `prepare_refund` ([`PaymentIntent::prepare_refund`](crate::PaymentIntent::prepare_refund)
/// or [`AnyPaymentIntent::prepare_refund`](crate::AnyPaymentIntent::prepare_refund)).
/// Preparing the same key and amount again while the refund is pending
/// gives another token for the same pending refund, with the same request
/// bytes: that is the safe retry, since Dojo deduplicates refunds by key.
///
/// ```
/// use dojo_capture::{
///     Authorization, CaptureMode, Currency, IdempotencyKey, Money, PaymentIntent, RefundDetails,
/// };
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let paid_at = "2024-07-25T08:49:20Z".parse().unwrap();
/// let intent = PaymentIntent::new(gbp(1000), CaptureMode::Auto).with_id("pi_1");
/// let Authorization::Auto(captured) = intent.authorize(paid_at) else { unreachable!() };
/// let key = IdempotencyKey::new("rf-1").unwrap();
/// let (captured, prepared) = captured
///     .prepare_refund(key, gbp(300), RefundDetails::default(), Default::default())
///     .unwrap();
/// assert_eq!(prepared.request().header("idempotencyKey"), Some("rf-1"));
/// assert_eq!(prepared.request().body(), Some(&br#"{"amount":300}"#[..]));
/// assert_eq!(captured.refundable(), gbp(700));
/// ```
#[derive(Debug, PartialEq, Eq)]
#[must_use = "the prepared refund is the only way to record Dojo's answer"]
pub struct PreparedRefund {
    intent_id: Box<str>,
    key: IdempotencyKey,
    amount: Money,
    /// The key was already recorded with this amount: the request is a
    /// replay that Dojo deduplicates, and recording its answer changes nothing.
    replay: bool,
    request: Request,
}

impl PreparedRefund {
    pub(crate) fn new(
        intent_id: &str,
        key: IdempotencyKey,
        amount: Money,
        details: &RefundDetails,
        replay: bool,
        version: ApiVersion,
    ) -> PreparedRefund {
        let body = RefundRequest {
            amount: amount.minor_units(),
            refund_reason: details.reason.as_deref().map(Into::into),
            notes: details.notes.as_deref().map(Into::into),
            previous_transaction_id: None,
        };
        let request = Request::refund(intent_id, &key, &body, version);
        PreparedRefund {
            intent_id: intent_id.into(),
            key,
            amount,
            replay,
            request,
        }
    }

    /// Whether this is the token of the pending refund `pending`, for the intent `intent_id`.
    pub(crate) fn matches(
        &self,
        intent_id: Option<&str>,
        pending: &crate::ledger::PendingRefund,
    ) -> bool {
        intent_id == Some(&*self.intent_id)
            && pending.key == self.key
            && pending.amount == self.amount
    }

    pub(crate) fn is_replay(&self) -> bool {
        self.replay
    }

    /// Dojo's id of the intent the refund is for.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let dojo_capture::CaptureResolved::Captured(captured) = authorized
    /// #     .capture(cp.clone(), gbp(600), paid_at)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?
    /// # else {
    /// #     unreachable!("a Successful capture captures")
    /// # };
    /// # let key = dojo_capture::IdempotencyKey::new("r_1")?;
    /// # let (captured, prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), dojo_capture::RefundDetails::default(),
    /// #     dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.intent_id(), "pi_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn intent_id(&self) -> &str {
        &self.intent_id
    }

    /// The refund's idempotency key, sent in the `idempotencyKey` header.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let dojo_capture::CaptureResolved::Captured(captured) = authorized
    /// #     .capture(cp.clone(), gbp(600), paid_at)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?
    /// # else {
    /// #     unreachable!("a Successful capture captures")
    /// # };
    /// # let key = dojo_capture::IdempotencyKey::new("r_1")?;
    /// # let (captured, prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), dojo_capture::RefundDetails::default(),
    /// #     dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.key(), &key);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &IdempotencyKey {
        &self.key
    }

    /// The amount to refund.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let dojo_capture::CaptureResolved::Captured(captured) = authorized
    /// #     .capture(cp.clone(), gbp(600), paid_at)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?
    /// # else {
    /// #     unreachable!("a Successful capture captures")
    /// # };
    /// # let key = dojo_capture::IdempotencyKey::new("r_1")?;
    /// # let (captured, prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), dojo_capture::RefundDetails::default(),
    /// #     dojo_capture::request::ApiVersion::default())?;
    ///
    /// assert_eq!(prepared.amount(), gbp(200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The request to send: `POST /payment-intents/{id}/refunds`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let dojo_capture::CaptureResolved::Captured(captured) = authorized
    /// #     .capture(cp.clone(), gbp(600), paid_at)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?
    /// # else {
    /// #     unreachable!("a Successful capture captures")
    /// # };
    /// # let key = dojo_capture::IdempotencyKey::new("r_1")?;
    /// # let (captured, prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), dojo_capture::RefundDetails::default(),
    /// #     dojo_capture::request::ApiVersion::default())?;
    ///
    /// let request = prepared.request();
    /// assert_eq!(request.path(), "/payment-intents/pi_1/refunds");
    /// assert_eq!(request.header("idempotencyKey"), Some("r_1"));
    /// assert_eq!(request.body(), Some(&br#"{"amount":200}"#[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request(&self) -> &Request {
        &self.request
    }
}

/// A reversal, cancel or change prepared: what the four tokens share.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PreparedOperation {
    intent_id: Box<str>,
    local_id: u64,
    kind: PendingKind,
    request: Request,
}

impl PreparedOperation {
    pub(crate) fn new(
        intent_id: &str,
        local_id: u64,
        kind: PendingKind,
        version: ApiVersion,
    ) -> PreparedOperation {
        PreparedOperation {
            intent_id: intent_id.into(),
            local_id,
            kind,
            request: Request::operation(intent_id, kind, version),
        }
    }

    /// Whether this is the token of `pending`, prepared for the intent `intent_id`.
    pub(crate) fn matches(&self, intent_id: Option<&str>, pending: &PendingOperation) -> bool {
        intent_id == Some(&*self.intent_id)
            && pending.local_id == self.local_id
            && pending.kind == self.kind
    }
}

macro_rules! prepared_operations {
    ($(
        $(#[$doc:meta])* $name:ident, $must_use:literal, $endpoint:literal;
        intent_id: $(#[$intent_id_doc:meta])*;
        request: $(#[$request_doc:meta])*;
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, PartialEq, Eq)]
        #[must_use = $must_use]
        pub struct $name(pub(crate) PreparedOperation);

        impl $name {
            /// Dojo's id of the intent the operation is for.
            $(#[$intent_id_doc])*
            pub fn intent_id(&self) -> &str {
                &self.0.intent_id
            }

            /// The intent's own number for the operation: its
            /// [`PendingOperation::local_id`](crate::PendingOperation::local_id).
            $(#[$intent_id_doc])*
            pub fn local_id(&self) -> u64 {
                self.0.local_id
            }

            #[doc = concat!("The request to send: `", $endpoint, "`.")]
            $(#[$request_doc])*
            pub fn request(&self) -> &Request {
                &self.0.request
            }
        }
    )*};
}

// The examples prepare each operation on an intent whose id is `pi_1`.
prepared_operations! {
    /// A reversal checked and pending, whose request is ready to be sent:
    /// the one token that can record Dojo's answer (not `Clone`; it comes
    /// only from `prepare_reversal`). While it is pending, captures, refunds
    /// and another reversal are refused with `operation_pending`.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let now = "2024-07-25T09:30:00Z".parse()?;
    /// let (intent, prepared) = intent.prepare_reversal(now, ApiVersion::default())?;
    /// assert!(intent.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    PreparedReversal, "the prepared reversal is the only way to record Dojo's answer",
    "POST /payment-intents/{id}/reversal";
    intent_id:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let now = "2024-07-25T09:30:00Z".parse()?;
    /// let (intent, prepared) = intent.prepare_reversal(now, ApiVersion::default())?;
    /// assert_eq!(prepared.intent_id(), "pi_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    request:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let now = "2024-07-25T09:30:00Z".parse()?;
    /// let (intent, prepared) = intent.prepare_reversal(now, ApiVersion::default())?;
    /// let request = prepared.request();
    /// assert_eq!((request.method().as_str(), request.path()), ("POST", "/payment-intents/pi_1/reversal"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    /// A cancel checked and pending, whose request is ready to be sent: the
    /// one token that can record Dojo's answer (not `Clone`; it comes only
    /// from `prepare_cancel`).
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let (intent, prepared) = intent.prepare_cancel(ApiVersion::default())?;
    /// assert!(intent.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    PreparedCancel, "the prepared cancel is the only way to record Dojo's answer",
    "DELETE /payment-intents/{id}";
    intent_id:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let (intent, prepared) = intent.prepare_cancel(ApiVersion::default())?;
    /// assert_eq!(prepared.intent_id(), "pi_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    request:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let (intent, prepared) = intent.prepare_cancel(ApiVersion::default())?;
    /// let request = prepared.request();
    /// assert_eq!((request.method().as_str(), request.path()), ("DELETE", "/payment-intents/pi_1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    /// A change of amount checked and pending, whose request is ready to be
    /// sent: the one token that can record Dojo's answer (not `Clone`; it
    /// comes only from `prepare_change_amount`).
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Currency, Money};
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let new_amount = Money::new(1200, Currency::GBP);
    /// let (intent, prepared) = intent.prepare_change_amount(new_amount, ApiVersion::default())?;
    /// assert!(intent.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    PreparedAmountChange, "the prepared change is the only way to record Dojo's answer",
    "POST /payment-intents/{id}/amount";
    intent_id:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Currency, Money};
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let new_amount = Money::new(1200, Currency::GBP);
    /// let (intent, prepared) = intent.prepare_change_amount(new_amount, ApiVersion::default())?;
    /// assert_eq!(prepared.intent_id(), "pi_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    request:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Currency, Money};
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let new_amount = Money::new(1200, Currency::GBP);
    /// let (intent, prepared) = intent.prepare_change_amount(new_amount, ApiVersion::default())?;
    /// let request = prepared.request();
    /// assert_eq!((request.method().as_str(), request.path()), ("POST", "/payment-intents/pi_1/amount"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    /// A change of tip checked and pending, whose request is ready to be
    /// sent: the one token that can record Dojo's answer (not `Clone`; it
    /// comes only from `prepare_change_tips`).
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Currency, Money};
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let tip = Money::new(150, Currency::GBP);
    /// let (intent, prepared) = intent.prepare_change_tips(tip, ApiVersion::default())?;
    /// assert!(intent.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    PreparedTipsChange, "the prepared change is the only way to record Dojo's answer",
    "POST /payment-intents/{id}/tips-amount";
    intent_id:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Currency, Money};
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let tip = Money::new(150, Currency::GBP);
    /// let (intent, prepared) = intent.prepare_change_tips(tip, ApiVersion::default())?;
    /// assert_eq!(prepared.intent_id(), "pi_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
    request:
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Currency, Money};
    ///
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// let tip = Money::new(150, Currency::GBP);
    /// let (intent, prepared) = intent.prepare_change_tips(tip, ApiVersion::default())?;
    /// let request = prepared.request();
    /// assert_eq!((request.method().as_str(), request.path()), ("POST", "/payment-intents/pi_1/tips-amount"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ;
}

/// What came back from Dojo for a request: an HTTP answer, or none.
///
/// ```
/// use dojo_capture::Answer;
///
/// let accepted = Answer::Http { status: 200, body: br#"{"captureId":"cp_1"}"# };
/// assert_ne!(accepted, Answer::TransportFailure);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer<'a> {
    /// Dojo answered with this status code and body.
    Http {
        /// The HTTP status code.
        status: u16,
        /// The body's bytes, as received.
        body: &'a [u8],
    },
    /// No answer: a timeout, a reset connection, a failure after the request
    /// may have reached Dojo.
    TransportFailure,
}

#[cfg(feature = "http")]
impl<'a> From<&'a http::Response<Vec<u8>>> for Answer<'a> {
    /// The response's status code and body.
    fn from(response: &'a http::Response<Vec<u8>>) -> Self {
        Answer::Http {
            status: response.status().as_u16(),
            body: response.body(),
        }
    }
}

/// Dojo's answer did not bind a capture: Dojo refused it (its amount is
/// released), its outcome is unknown (its amount stays in flight and the
/// intent must be read again), or the prepared capture was not pending in
/// this intent. The intent comes back inside, in either case.
///
/// `Debug` prints the code and the message, not the intent.
///
/// ```
/// use dojo_capture::{Answer, Authorization, CaptureMode, Currency, Money, PaymentIntent};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let paid_at = "2024-07-25T08:49:20Z".parse().unwrap();
/// let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1");
/// let Authorization::Manual(authorized) = intent.authorize(paid_at) else { unreachable!() };
/// let (authorized, prepared) = authorized
///     .prepare_capture(gbp(500), None, paid_at, Default::default())
///     .unwrap();
/// let error = authorized
///     .record_capture_answer(prepared, Answer::Http { status: 503, body: b"" })
///     .unwrap_err();
/// assert_eq!(error.code(), "capture_server_error");
/// assert!(error.outcome_unknown());
/// assert_eq!(
///     format!("{error:?}"),
///     "AnswerError { code: \"capture_server_error\", message: \"Dojo answered the capture with \
///      status 503: whether it captured is unknown until the intent is read again\" }"
/// );
/// assert!(error.into_intent().needs_read());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AnswerError<I> {
    intent: I,
    op: Answered,
    kind: AnswerErrorKind,
}

/// The operation whose answer is recorded: it names the operation in an
/// [`AnswerError`]'s code and message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answered {
    Capture,
    Refund,
    Reversal,
    Cancel,
    ChangeAmount,
    ChangeTips,
}

impl Answered {
    /// The operation, as a message names it: "the capture".
    fn noun(self) -> &'static str {
        match self {
            Answered::Capture => "capture",
            Answered::Refund => "refund",
            Answered::Reversal => "reversal",
            Answered::Cancel => "cancel",
            Answered::ChangeAmount => "change of amount",
            Answered::ChangeTips => "change of tip",
        }
    }

    /// What Dojo may or may not have done: "whether it captured".
    fn did(self) -> &'static str {
        match self {
            Answered::Capture => "captured",
            Answered::Refund => "refunded",
            Answered::Reversal => "reversed",
            Answered::Cancel => "canceled",
            Answered::ChangeAmount => "changed the amount",
            Answered::ChangeTips => "changed the tip",
        }
    }

    /// The id field a 2xx body carries.
    fn id_field(self) -> &'static str {
        match self {
            Answered::Capture => "captureId",
            Answered::Refund => "refundId",
            Answered::Reversal => "reversalId",
            Answered::Cancel | Answered::ChangeAmount | Answered::ChangeTips => "intent",
        }
    }

    /// What a refusal releases.
    fn released(self) -> &'static str {
        match self {
            Answered::Capture => "its amount is released",
            Answered::Refund => "its amount is no longer reserved",
            Answered::Reversal
            | Answered::Cancel
            | Answered::ChangeAmount
            | Answered::ChangeTips => "it is no longer pending",
        }
    }

    /// The codes of [`AnswerErrorKind`]'s variants, in declaration order.
    fn codes(self) -> &'static [&'static str; 10] {
        macro_rules! codes {
            ($prefix:literal) => {
                &[
                    concat!($prefix, "_not_pending"),
                    concat!($prefix, "_refused"),
                    concat!($prefix, "_server_error"),
                    concat!($prefix, "_unexpected_status"),
                    concat!($prefix, "_answer_unreadable"),
                    concat!($prefix, "_id_already_recorded"),
                    concat!($prefix, "_no_answer"),
                    concat!($prefix, "_answer_contradicts"),
                    concat!($prefix, "_answer_other_intent"),
                    concat!($prefix, "_retry_refused"),
                ]
            };
        }
        match self {
            Answered::Capture => codes!("capture"),
            Answered::Refund => codes!("refund"),
            Answered::Reversal => codes!("reversal"),
            Answered::Cancel => codes!("cancel"),
            Answered::ChangeAmount => codes!("change_amount"),
            Answered::ChangeTips => codes!("change_tips"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AnswerErrorKind {
    NotPending,
    Refused {
        status: u16,
        problem: Option<Box<ProblemDetails>>,
    },
    ServerError {
        status: u16,
    },
    UnexpectedStatus {
        status: u16,
    },
    Unreadable {
        status: u16,
    },
    IdAlreadyRecorded {
        status: u16,
        id: Box<str>,
    },
    NoAnswer,
    /// A 2xx whose intent contradicts the operation (a cancel answered with
    /// another status, a change with another amount), or an intent here that
    /// was paid since the operation was prepared.
    Contradicts {
        status: u16,
    },
    /// A 4xx to a retry of a request whose first answer was lost: the
    /// first may have landed, so nothing is released.
    RetryRefused {
        status: u16,
        problem: Option<Box<ProblemDetails>>,
    },
    /// A 2xx whose body names another intent than the one asked
    /// ([D25](crate::decisions#d25)).
    OtherIntent {
        status: u16,
        named: Box<str>,
    },
}

/// An [`AnswerErrorKind`] told of one operation.
struct Told<'a>(Answered, &'a AnswerErrorKind);

impl fmt::Display for Told<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Told(op, kind) = *self;
        let (noun, did) = (op.noun(), op.did());
        let unknown = format_args!("whether it {did} is unknown until the intent is read again");
        match kind {
            AnswerErrorKind::NotPending => write!(
                f,
                "this prepared {noun} is not pending in this intent: \
                 its answer was recorded already, or it was prepared for another intent"
            ),
            AnswerErrorKind::Refused { status, problem } => write!(
                f,
                "Dojo refused the {noun} with status {status}{}; {}",
                Problem(problem.as_deref()),
                op.released()
            ),
            AnswerErrorKind::ServerError { status } => {
                write!(
                    f,
                    "Dojo answered the {noun} with status {status}: {unknown}"
                )
            }
            AnswerErrorKind::UnexpectedStatus { status } => write!(
                f,
                "Dojo answered the {noun} with status {status}, neither a success nor a refusal: {unknown}"
            ),
            AnswerErrorKind::Unreadable { status } => write!(
                f,
                "Dojo accepted the {noun} with status {status} but its body holds no valid {}: {unknown}",
                op.id_field()
            ),
            AnswerErrorKind::IdAlreadyRecorded { status, id } => write!(
                f,
                "Dojo accepted the {noun} with status {status} as {} {id}, which the intent already records: \
                 whether it {did} again is unknown until the intent is read again",
                op.id_field()
            ),
            AnswerErrorKind::NoAnswer => {
                write!(f, "the {noun} request got no answer from Dojo: {unknown}")
            }
            AnswerErrorKind::Contradicts { status } => write!(
                f,
                "Dojo accepted the {noun} with status {status} but the intent it answered with, \
                 or the intent here, says otherwise: {unknown}"
            ),
            AnswerErrorKind::RetryRefused { status, problem } => write!(
                f,
                "Dojo refused the retried {noun} with status {status}{}, but the first request's \
                 answer was lost and it may have landed: {unknown}",
                Problem(problem.as_deref())
            ),
            AnswerErrorKind::OtherIntent { status, named } => write!(
                f,
                "Dojo accepted the {noun} with status {status} but its answer is about the \
                 intent {named:?}, not the one asked: {unknown}"
            ),
        }
    }
}

/// The problem details a refusal names: `: title: detail (trace …)`, each part when present.
struct Problem<'a>(Option<&'a ProblemDetails>);

impl fmt::Display for Problem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(problem) = self.0 else {
            return Ok(());
        };
        for text in [&problem.title, &problem.detail].into_iter().flatten() {
            write!(f, ": {text}")?;
        }
        if let Some(trace) = &problem.trace_id {
            write!(f, " (trace {trace})")?;
        }
        Ok(())
    }
}

impl AnswerErrorKind {
    /// Whether the capture may or may not have been made.
    fn outcome_unknown(&self) -> bool {
        !matches!(
            self,
            AnswerErrorKind::NotPending | AnswerErrorKind::Refused { .. }
        )
    }
}

impl<I> AnswerError<I> {
    pub(crate) fn new(intent: I, op: Answered, kind: AnswerErrorKind) -> Self {
        AnswerError { intent, op, kind }
    }

    /// A stable snake_case name for what happened, prefixed with the
    /// operation (`capture_…`, `refund_…`, `reversal_…`, `cancel_…`,
    /// `change_amount_…`, `change_tips_…`): `…_refused` (4xx),
    /// `…_server_error` (5xx), `…_unexpected_status`, `…_answer_unreadable`
    /// (a 2xx without a valid `captureId` or `refundId`),
    /// `…_id_already_recorded`, `…_no_answer` (a transport failure),
    /// `…_answer_contradicts` (a 2xx whose intent says otherwise), or
    /// `…_not_pending`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let error = authorized
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::Http {
    /// #         status: 409,
    /// #         body: br#"{"title":"Conflict","status":409,"detail":"The payment intent cannot be captured"}"#,
    /// #     })
    /// #     .unwrap_err();
    ///
    /// assert_eq!(error.code(), "capture_refused");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn code(&self) -> &'static str {
        let index = match self.kind {
            AnswerErrorKind::NotPending => 0,
            AnswerErrorKind::Refused { .. } => 1,
            AnswerErrorKind::ServerError { .. } => 2,
            AnswerErrorKind::UnexpectedStatus { .. } => 3,
            AnswerErrorKind::Unreadable { .. } => 4,
            AnswerErrorKind::IdAlreadyRecorded { .. } => 5,
            AnswerErrorKind::NoAnswer => 6,
            AnswerErrorKind::Contradicts { .. } => 7,
            AnswerErrorKind::OtherIntent { .. } => 8,
            AnswerErrorKind::RetryRefused { .. } => 9,
        };
        self.op.codes()[index]
    }

    /// Whether the capture may or may not have been made: its amount stays
    /// in flight, and the intent must be read again from Dojo before another
    /// capture is prepared (`outcome_unknown`). `false` when Dojo refused
    /// (the amount is released) and when the prepared capture was not
    /// pending (nothing changed).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let error = authorized.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err();
    /// assert!(error.outcome_unknown());
    /// assert_eq!(error.code(), "capture_no_answer");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        self.kind.outcome_unknown()
    }

    /// The HTTP status Dojo answered with, when it answered.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let error = authorized
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::Http {
    /// #         status: 409,
    /// #         body: br#"{"title":"Conflict","status":409,"detail":"The payment intent cannot be captured"}"#,
    /// #     })
    /// #     .unwrap_err();
    ///
    /// assert_eq!(error.status(), Some(409));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            AnswerErrorKind::Refused { status, .. }
            | AnswerErrorKind::ServerError { status }
            | AnswerErrorKind::UnexpectedStatus { status }
            | AnswerErrorKind::Unreadable { status }
            | AnswerErrorKind::IdAlreadyRecorded { status, .. }
            | AnswerErrorKind::Contradicts { status }
            | AnswerErrorKind::OtherIntent { status, .. }
            | AnswerErrorKind::RetryRefused { status, .. } => Some(status),
            AnswerErrorKind::NotPending | AnswerErrorKind::NoAnswer => None,
        }
    }

    /// The RFC 7807 problem details of a refusal, when its body could be read.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let error = authorized
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::Http {
    /// #         status: 409,
    /// #         body: br#"{"title":"Conflict","status":409,"detail":"The payment intent cannot be captured"}"#,
    /// #     })
    /// #     .unwrap_err();
    ///
    /// let problem = error.problem().expect("the body is RFC 7807 problem details");
    /// assert_eq!(problem.detail.as_deref(), Some("The payment intent cannot be captured"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn problem(&self) -> Option<&ProblemDetails> {
        match &self.kind {
            AnswerErrorKind::Refused { problem, .. }
            | AnswerErrorKind::RetryRefused { problem, .. } => problem.as_deref(),
            _ => None,
        }
    }

    /// The intent, with the answer recorded: the amount released after
    /// a refusal, kept and marked unknown otherwise, untouched when the
    /// prepared capture was not pending.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let error = authorized
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::Http {
    /// #         status: 409,
    /// #         body: br#"{"title":"Conflict","status":409,"detail":"The payment intent cannot be captured"}"#,
    /// #     })
    /// #     .unwrap_err();
    ///
    /// assert_eq!(error.intent().capturable(), gbp(1000), "refused: released");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn intent(&self) -> &I {
        &self.intent
    }

    /// Takes the intent back.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let dojo_capture::Authorization::Manual(authorized) =
    /// #     dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #         .with_id("pi_1")
    /// #         .authorize(paid_at)
    /// # else {
    /// #     unreachable!("a Manual intent is authorised, not captured")
    /// # };
    /// # let (authorized, prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let error = authorized
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::Http {
    /// #         status: 409,
    /// #         body: br#"{"title":"Conflict","status":409,"detail":"The payment intent cannot be captured"}"#,
    /// #     })
    /// #     .unwrap_err();
    ///
    /// let authorized = error.into_intent();
    /// assert!(authorized.pending_captures().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_intent(self) -> I {
        self.intent
    }

    /// What happened, for the audit to tell an answer that contradicts the
    /// intent from one Dojo or the network may give.
    pub(crate) fn kind(&self) -> &AnswerErrorKind {
        &self.kind
    }
}

impl<I> fmt::Display for AnswerError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Told(self.op, &self.kind), f)
    }
}

// By hand rather than with `debug_code_and_message!`: the type is generic.
impl<I> fmt::Debug for AnswerError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerError")
            .field("code", &self.code())
            .field("message", &self.to_string())
            .finish()
    }
}

impl<I> std::error::Error for AnswerError<I> {}
