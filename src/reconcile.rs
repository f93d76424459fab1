//! Reconcile: merging a fresh read of the intent (`GET /payment-intents/{id}`)
//! into the local intent, after Dojo's answer to an operation was lost.
//!
//! The fresh read is rehydrated with the checked rehydration first: it is
//! never trusted. Then what was pending with its outcome unknown is matched
//! to what Dojo shows, or released; what Dojo shows that the local intent
//! never saw is adopted; and anything the local intent cannot reach from
//! where it is refuses the reconcile, the intent handed back untouched.

use std::fmt;

use jiff::Timestamp;

use crate::any::AnyPaymentIntent;
use crate::ids::{CaptureId, IdempotencyKey};
use crate::intent::PaymentIntent;
use crate::ledger::{
    Ledger, PendingCapture, PendingKind, PendingOperation, PendingRefund, Phase, RefundRecord,
    no_zero_tip,
};
use crate::money::{Currency, Money};
use crate::rehydrate::{RehydrateError, decode, rehydrate};
use crate::rule::OperationKind;
use crate::settle::{ReadStart, Unseen, unseen};
use crate::state::IntentState;
use crate::state::State;
use crate::wire::{CaptureStatus, PaymentIntentResource, PaymentIntentStatus};

/// A capture's tip as a message tells it: ` with a tip of …`, or nothing.
struct Tip(Option<Money>);

impl fmt::Display for Tip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(tips) => write!(f, " with a tip of {tips}"),
            None => Ok(()),
        }
    }
}

/// What a reconcile changed in the local intent.
///
/// ```
/// # use dojo_capture::Reconciled;
/// let nothing = Reconciled::default();
/// assert!(!nothing.changed());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    adopted: Vec<CaptureId>,
    resolved: Vec<(CaptureId, CaptureStatus, CaptureStatus)>,
    bound: Vec<(u64, CaptureId)>,
    released: Vec<u64>,
    refunds_matched: Vec<IdempotencyKey>,
    refunds_released: Vec<IdempotencyKey>,
    refunded_elsewhere: Option<Money>,
    operation_applied: Option<OperationKind>,
    operation_released: Option<OperationKind>,
    settle_after: Option<Timestamp>,
}

impl Reconciled {
    /// Captures Dojo shows that the local intent never saw and no pending
    /// capture explains (another worker, the dashboard), now recorded.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// let fresh = br#"{"id": "pi_1", "status": "Captured", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_9", "amount": 300, "status": "Successful"}]}"#;
    ///
    /// // Captured from the dashboard: the local intent never saw it.
    /// let (intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert_eq!(reconciled.captures_adopted()[0].as_str(), "cp_9");
    /// assert_eq!(intent.captured(), gbp(300));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captures_adopted(&self) -> &[CaptureId] {
        &self.adopted
    }
    /// Known captures whose status moved: (id, old status, new status).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// use dojo_capture::{CaptureId, CaptureStatus};
    ///
    /// let intent = intent.capture(CaptureId::new("cp_1")?, gbp(600), now)?;
    /// let fresh = br#"{"id": "pi_1", "status": "Captured", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful", "createdAt": "2024-07-25T09:30:01Z"}]}"#;
    /// let (_intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// let (id, before, after) = &reconciled.captures_resolved()[0];
    /// assert_eq!((id.as_str(), *before, *after), ("cp_1", CaptureStatus::Created, CaptureStatus::Successful));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captures_resolved(&self) -> &[(CaptureId, CaptureStatus, CaptureStatus)] {
        &self.resolved
    }
    /// Pending captures of unknown outcome that Dojo did make: (the pending
    /// capture's local id, Dojo's id); each is now the capture Dojo shows.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::default())?;
    /// # let local_id = prepared.local_id();
    /// # let intent = intent
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Created", "createdAt": "2024-07-25T09:30:01Z"}]}"#;
    /// // The lost capture was made: it is bound to Dojo's capture, not made twice.
    /// let (intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert_eq!(reconciled.captures_bound()[0].0, local_id);
    /// assert_eq!(reconciled.captures_bound()[0].1.as_str(), "cp_1");
    /// assert_eq!(intent.capturable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captures_bound(&self) -> &[(u64, CaptureId)] {
        &self.bound
    }
    /// Pending captures of unknown outcome that Dojo did not make, by local
    /// id: their amount is no longer in flight.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::default())?;
    /// # let local_id = prepared.local_id();
    /// # let intent = intent
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// use dojo_capture::{ReadStart, SettleWindow};
    ///
    /// // The answer was given up on at `now`: the request may land until 09:45.
    /// let intent = intent.start_settling(now, SettleWindow::default());
    /// // A read sent at 10:00 shows no such capture: it was not made.
    /// let (intent, reconciled) =
    ///     intent.reconcile_read_json_started(fresh, ReadStart::at("2024-07-25T10:00:00Z".parse()?))?;
    /// assert_eq!(reconciled.captures_released(), [local_id]);
    /// assert_eq!(intent.capturable(), gbp(1000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captures_released(&self) -> &[u64] {
        &self.released
    }
    /// Pending refunds that Dojo's `refundedAmount` shows applied: now
    /// refunds, whose keys stay recorded so that a retry is a replay.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Captured",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z",
    /// #     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#)?;
    /// # let key = dojo_capture::IdempotencyKey::new("r_1")?;
    /// # let (intent, _prepared) = intent.prepare_refund(key.clone(), gbp(200),
    /// #     dojo_capture::RefundDetails::default(), dojo_capture::request::ApiVersion::default())?;
    /// # let intent = intent.record_refund_answer_lost(&key);
    /// let fresh = br#"{"id": "pi_1", "status": "Refunded", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "refundedAmount": 200,
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#;
    /// let (intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert_eq!(reconciled.refunds_matched(), [key]);
    /// assert_eq!(intent.refunded(), gbp(200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refunds_matched(&self) -> &[IdempotencyKey] {
        &self.refunds_matched
    }
    /// Pending refunds that Dojo's `refundedAmount` shows not applied:
    /// their amount is no longer reserved.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Captured",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z",
    /// #     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#)?;
    /// # let key = dojo_capture::IdempotencyKey::new("r_1")?;
    /// # let (intent, _prepared) = intent.prepare_refund(key.clone(), gbp(200),
    /// #     dojo_capture::RefundDetails::default(), dojo_capture::request::ApiVersion::default())?;
    /// # let intent = intent.record_refund_answer_lost(&key);
    /// let fresh = br#"{"id": "pi_1", "status": "Captured", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#;
    /// use dojo_capture::{ReadStart, SettleWindow};
    ///
    /// let lost_at: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// let intent = intent.start_settling(lost_at, SettleWindow::default());
    /// let (intent, reconciled) =
    ///     intent.reconcile_read_json_started(fresh, ReadStart::at("2024-07-25T10:00:00Z".parse()?))?;
    /// assert_eq!(reconciled.refunds_released(), [key]);
    /// assert_eq!(intent.refundable(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refunds_released(&self) -> &[IdempotencyKey] {
        &self.refunds_released
    }
    /// The growth of `refundedAmount` that no pending refund explains (a
    /// refund made elsewhere), when there is one.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Captured",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z",
    /// #     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#)?;
    /// let fresh = br#"{"id": "pi_1", "status": "Refunded", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "refundedAmount": 100,
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#;
    /// let (_intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert_eq!(reconciled.refunded_elsewhere(), Some(gbp(100)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refunded_elsewhere(&self) -> Option<Money> {
        self.refunded_elsewhere
    }
    /// The pending reversal, cancel or change that Dojo shows applied.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) = intent.prepare_reversal(now, dojo_capture::request::ApiVersion::default())?;
    /// # let intent = intent
    /// #     .record_reversal_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Reversed", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// use dojo_capture::{IntentState, OperationKind};
    ///
    /// let (intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert_eq!(reconciled.operation_applied(), Some(OperationKind::Reverse));
    /// assert_eq!(intent.state(), IntentState::Reversed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn operation_applied(&self) -> Option<OperationKind> {
        self.operation_applied
    }
    /// The pending reversal, cancel or change that Dojo shows not applied.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) = intent.prepare_reversal(now, dojo_capture::request::ApiVersion::default())?;
    /// # let intent = intent
    /// #     .record_reversal_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// use dojo_capture::{OperationKind, ReadStart, SettleWindow};
    ///
    /// let intent = intent.start_settling(now, SettleWindow::default());
    /// let (intent, reconciled) =
    ///     intent.reconcile_read_json_started(fresh, ReadStart::at("2024-07-25T10:00:00Z".parse()?))?;
    /// assert_eq!(reconciled.operation_released(), Some(OperationKind::Reverse));
    /// assert!(intent.pending_operation().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn operation_released(&self) -> Option<OperationKind> {
        self.operation_released
    }
    /// The earliest settle horizon of what is still of unknown outcome
    /// after this read ([D22](crate::decisions#d22)): a read that starts
    /// after it and still misses the operation releases it. `None` when
    /// nothing is left unsettled, or when no read with a known start has
    /// missed what is left.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::{Answer, ReadStart, request::ApiVersion};
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// let read_at: dojo_capture::Timestamp = "2024-07-25T09:31:00Z".parse()?;
    /// // The capture may still land: nothing is released, the window starts.
    /// let (intent, reconciled) = intent.reconcile_read_json_started(fresh, ReadStart::at(read_at))?;
    /// assert!(reconciled.captures_released().is_empty());
    /// assert_eq!(reconciled.settle_after(), Some("2024-07-25T09:46:00Z".parse()?));
    /// assert_eq!(intent.capturable(), gbp(400));
    /// // A read that starts after the horizon and still misses it releases it.
    /// let later: dojo_capture::Timestamp = "2024-07-25T09:46:01Z".parse()?;
    /// let (intent, reconciled) = intent.reconcile_read_json_started(fresh, ReadStart::at(later))?;
    /// assert_eq!(reconciled.captures_released().len(), 1);
    /// assert_eq!(intent.capturable(), gbp(1000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle_after(&self) -> Option<Timestamp> {
        self.settle_after
    }
    /// Whether the reconcile changed anything at all.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// // The same read again changes nothing.
    /// let (_intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert!(!reconciled.changed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn changed(&self) -> bool {
        *self != Reconciled::default()
    }
}

/// A reconcile refused: the fresh read does not rehydrate, shows something
/// the local intent cannot reach, or leaves a pending operation ambiguous.
/// The local intent comes back inside, untouched.
///
/// `Debug` prints the code and the message, not the intent.
///
/// ```
/// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
/// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
/// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
/// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
/// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
///
/// let other = br#"{"id": "pi_2", "status": "Authorized", "captureMode": "Manual",
///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
/// let before = intent.to_stored_json();
/// let error = intent.reconcile_read_json(other).unwrap_err();
/// assert_eq!(error.code(), "reconcile_different_intent");
/// assert_eq!(error.to_string(), "the fresh read is of intent pi_2, not of pi_1");
/// assert_eq!(error.into_intent().to_stored_json(), before, "untouched");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ReconcileError<I> {
    intent: I,
    kind: ReconcileErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReconcileErrorKind {
    #[error("the fresh read does not rehydrate: {0}")]
    Unreadable(RehydrateError),
    #[error("the fresh read is of intent {fresh}, not of {local}")]
    DifferentIntent { local: Box<str>, fresh: Box<str> },
    #[error("the fresh read is in {fresh}, but the intent is in {local}")]
    CurrencyChanged { local: Currency, fresh: Currency },
    #[error(
        "the fresh read's amount is {fresh}, but the intent's is {local} and no change of amount to it is pending"
    )]
    AmountChanged { local: Money, fresh: Money },
    #[error("the intent is {local} here, and Dojo's status {fresh:?} cannot follow from it")]
    StateUnreachable {
        local: IntentState,
        fresh: PaymentIntentStatus,
    },
    #[error("the captured total shrank from {local} to {fresh}")]
    CapturedShrank { local: Money, fresh: Money },
    #[error("the refunded total shrank from {local} to {fresh}")]
    RefundedShrank { local: Money, fresh: Money },
    #[error("capture {0} is recorded here but missing from the fresh read")]
    CaptureDisappeared(CaptureId),
    #[error(
        "capture {id} is recorded here for {local}{} but the fresh read shows {fresh}{}",
        Tip(*local_tips),
        Tip(*fresh_tips)
    )]
    CaptureChanged {
        id: CaptureId,
        local: Money,
        local_tips: Option<Money>,
        fresh: Money,
        fresh_tips: Option<Money>,
    },
    #[error("capture {id} is {local:?} here, a final status, but {fresh:?} in the fresh read")]
    CaptureStatusChanged {
        id: CaptureId,
        local: CaptureStatus,
        fresh: CaptureStatus,
    },
    #[error(
        "pending capture {local_id} of {amount} could be any of {candidates} new captures in the fresh read, or shares one with another pending capture; nothing is guessed"
    )]
    AmbiguousCapture {
        local_id: u64,
        amount: Money,
        candidates: usize,
    },
    #[error(
        "the refunded total grew by {growth}, which no one set of the pending refunds ({pending} in all) adds up to; nothing is guessed"
    )]
    AmbiguousRefund { growth: Money, pending: Money },
    #[error(
        "a prepared {0} awaits its answer: record it before reconciling, or the request could still arrive after the read"
    )]
    AnswerAwaited(&'static str),
}

impl<I> ReconcileError<I> {
    /// A stable snake_case name for the refusal, all starting `reconcile_`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// let error = intent.reconcile_read_json(b"not json").unwrap_err();
    /// assert_eq!(error.code(), "reconcile_unreadable");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            ReconcileErrorKind::Unreadable(_) => "reconcile_unreadable",
            ReconcileErrorKind::DifferentIntent { .. } => "reconcile_different_intent",
            ReconcileErrorKind::CurrencyChanged { .. } => "reconcile_currency_changed",
            ReconcileErrorKind::AmountChanged { .. } => "reconcile_amount_changed",
            ReconcileErrorKind::StateUnreachable { .. } => "reconcile_state_unreachable",
            ReconcileErrorKind::CapturedShrank { .. } => "reconcile_captured_shrank",
            ReconcileErrorKind::RefundedShrank { .. } => "reconcile_refunded_shrank",
            ReconcileErrorKind::CaptureDisappeared(_) => "reconcile_capture_disappeared",
            ReconcileErrorKind::CaptureChanged { .. } => "reconcile_capture_changed",
            ReconcileErrorKind::CaptureStatusChanged { .. } => "reconcile_capture_status_changed",
            ReconcileErrorKind::AmbiguousCapture { .. } => "reconcile_ambiguous_capture",
            ReconcileErrorKind::AmbiguousRefund { .. } => "reconcile_ambiguous_refund",
            ReconcileErrorKind::AnswerAwaited(_) => "reconcile_answer_awaited",
        }
    }

    /// Whether a pending operation could not be matched without guessing.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) =
    /// #     intent.prepare_capture(gbp(400), None, now, dojo_capture::request::ApiVersion::default())?;
    /// # let local_id = prepared.local_id();
    /// # let intent = intent
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 400, "status": "Created"},
    ///     {"id": "cp_2", "amount": 400, "status": "Created"}]}"#;
    /// // Two captures could each be the lost one: nothing is guessed.
    /// let error = intent.reconcile_read_json(fresh).unwrap_err();
    /// assert!(error.ambiguous());
    /// assert_eq!(error.code(), "reconcile_ambiguous_capture");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ambiguous(&self) -> bool {
        matches!(
            self.kind,
            ReconcileErrorKind::AmbiguousCapture { .. }
                | ReconcileErrorKind::AmbiguousRefund { .. }
        )
    }

    /// The intent, untouched.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// let before = intent.to_stored_json();
    /// let error = intent.reconcile_read_json(b"{}").unwrap_err();
    /// assert_eq!(error.intent().to_stored_json(), before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn intent(&self) -> &I {
        &self.intent
    }

    /// Takes the intent back.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::default())?;
    /// # let local_id = prepared.local_id();
    /// # let intent = intent
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    ///
    /// let error = intent.reconcile_read_json(b"{}").unwrap_err();
    /// let intent = error.into_intent();
    /// assert!(intent.needs_read(), "still waiting for a read that rehydrates");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_intent(self) -> I {
        self.intent
    }
}

impl<I> fmt::Display for ReconcileError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

// By hand rather than with `debug_code_and_message!`: the type is generic.
impl<I> fmt::Debug for ReconcileError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReconcileError")
            .field("code", &self.code())
            .field("message", &self.to_string())
            .finish()
    }
}

impl<I> std::error::Error for ReconcileError<I> {}

impl AnyPaymentIntent {
    /// After reading the intent again from Dojo: merges the fresh read into
    /// this intent (see the crate's "Around the HTTP call").
    ///
    /// # Errors
    /// The fresh read does not rehydrate, shows what this intent cannot
    /// reach, leaves a pending operation ambiguous, or a prepared operation
    /// still awaits its answer; the intent comes back untouched.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::default())?;
    /// # let local_id = prepared.local_id();
    /// # let intent = intent
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    ///
    /// use dojo_capture::wire::PaymentIntentResource;
    ///
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Created", "createdAt": "2024-07-25T09:30:01Z"}]}"#;
    /// let fresh = PaymentIntentResource::from_json(fresh)?;
    /// let (intent, reconciled) = intent.reconcile_read(&fresh)?;
    /// assert!(reconciled.changed());
    /// assert!(!intent.needs_read());
    /// assert_eq!(intent.in_flight(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile_read(
        self,
        fresh: &PaymentIntentResource,
    ) -> Result<(AnyPaymentIntent, Reconciled), ReconcileError<AnyPaymentIntent>> {
        self.reconcile_read_started(fresh, ReadStart::unknown())
    }

    /// After reading the intent again from Dojo, with the time the read
    /// began: [`reconcile_read`](Self::reconcile_read), and what the read
    /// does not show of an operation of unknown outcome is released once
    /// the read began after its settle horizon ([D22](crate::decisions#d22)).
    /// The first such read that misses it sets the horizon: its start plus
    /// the read's [`SettleWindow`](crate::SettleWindow).
    ///
    /// # Errors
    /// As `reconcile_read`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::wire::PaymentIntentResource;
    /// use dojo_capture::{Answer, ReadStart, request::ApiVersion};
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
    /// let fresh = PaymentIntentResource::from_json(br#"{"id": "pi_1", "status": "Authorized",
    ///     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    ///     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// let (intent, _) = intent.reconcile_read_started(&fresh, ReadStart::at("2024-07-25T09:31:00Z".parse()?))?;
    /// assert!(intent.needs_read(), "the capture may still land");
    /// let (intent, _) = intent.reconcile_read_started(&fresh, ReadStart::at("2024-07-25T10:00:00Z".parse()?))?;
    /// assert!(!intent.needs_read());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile_read_started(
        self,
        fresh: &PaymentIntentResource,
        read: ReadStart,
    ) -> Result<(AnyPaymentIntent, Reconciled), ReconcileError<AnyPaymentIntent>> {
        match reconcile(self.ledger(), fresh, read) {
            Ok(merged) => {
                let (ledger, report) = merged.complete(self.into_ledger());
                Ok((AnyPaymentIntent::from_ledger(ledger), report))
            }
            Err(kind) => Err(ReconcileError { intent: self, kind }),
        }
    }

    /// [`reconcile_read`](Self::reconcile_read) from the body of `GET
    /// /payment-intents/{id}`.
    ///
    /// # Errors
    /// As `reconcile_read`; malformed JSON is `reconcile_unreadable`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let (intent, prepared) =
    /// #     intent.prepare_capture(gbp(600), None, now, dojo_capture::request::ApiVersion::default())?;
    /// # let local_id = prepared.local_id();
    /// # let intent = intent
    /// #     .record_capture_answer(prepared, dojo_capture::Answer::TransportFailure)
    /// #     .unwrap_err()
    /// #     .into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// // When the read began is not known: it may have crossed the lost
    /// // request, so what it does not show is not released (D22).
    /// let (intent, reconciled) = intent.reconcile_read_json(fresh)?;
    /// assert!(reconciled.captures_released().is_empty());
    /// assert!(intent.needs_read());
    /// assert_eq!(intent.pending_captures()[0].local_id(), local_id);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile_read_json(
        self,
        bytes: &[u8],
    ) -> Result<(AnyPaymentIntent, Reconciled), ReconcileError<AnyPaymentIntent>> {
        self.reconcile_read_json_started(bytes, ReadStart::unknown())
    }

    /// [`reconcile_read_started`](Self::reconcile_read_started) from the
    /// body of `GET /payment-intents/{id}`, whose request was sent at
    /// `read`'s start or later.
    ///
    /// # Errors
    /// As `reconcile_read`; malformed JSON is `reconcile_unreadable`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::{Answer, ReadStart, request::ApiVersion};
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// let (intent, reconciled) =
    ///     intent.reconcile_read_json_started(fresh, ReadStart::at("2024-07-25T09:31:00Z".parse()?))?;
    /// assert!(reconciled.captures_released().is_empty());
    /// assert_eq!(intent.capturable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile_read_json_started(
        self,
        bytes: &[u8],
        read: ReadStart,
    ) -> Result<(AnyPaymentIntent, Reconciled), ReconcileError<AnyPaymentIntent>> {
        match decode(bytes) {
            Ok(fresh) => self.reconcile_read_started(&fresh, read),
            Err(error) => Err(ReconcileError {
                intent: self,
                kind: ReconcileErrorKind::Unreadable(error),
            }),
        }
    }
}

impl<S: State> PaymentIntent<S> {
    /// After reading the intent again from Dojo: merges the fresh read in,
    /// as [`AnyPaymentIntent::reconcile_read`] does; the state may change.
    ///
    /// # Errors
    /// As `AnyPaymentIntent::reconcile_read`; the typed intent comes back untouched.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::wire::PaymentIntentResource;
    /// use dojo_capture::{Answer, Authorization, CaptureMode, Currency, IntentState, Money, PaymentIntent};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// let paid_at = "2024-07-25T08:49:20Z".parse()?;
    /// let Authorization::Manual(authorized) =
    ///     PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1").authorize(paid_at)
    /// else {
    ///     unreachable!("a Manual intent is authorised, not captured")
    /// };
    /// let (authorized, prepared) = authorized.prepare_capture(gbp(1000), None, paid_at, ApiVersion::default())?;
    /// let authorized = authorized
    ///     .record_capture_answer(prepared, Answer::TransportFailure)
    ///     .unwrap_err()
    ///     .into_intent();
    /// let fresh = PaymentIntentResource::from_json(br#"{"id": "pi_1", "status": "Captured",
    ///     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    ///     "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 1000, "status": "Successful", "createdAt": "2024-07-25T08:49:21Z"}]}"#)?;
    /// // The state may change: the result is an `AnyPaymentIntent`.
    /// let (intent, _reconciled) = authorized.reconcile_read(&fresh)?;
    /// assert_eq!(intent.state(), IntentState::Captured);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile_read(
        self,
        fresh: &PaymentIntentResource,
    ) -> Result<(AnyPaymentIntent, Reconciled), ReconcileError<Self>> {
        self.reconcile_read_started(fresh, ReadStart::unknown())
    }

    /// After reading the intent again from Dojo, with the time the read
    /// began: as [`AnyPaymentIntent::reconcile_read_started`].
    ///
    /// # Errors
    /// As `AnyPaymentIntent::reconcile_read`; the typed intent comes back untouched.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::wire::PaymentIntentResource;
    /// use dojo_capture::{Answer, Authorization, CaptureMode, Currency, Money, PaymentIntent, ReadStart};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// let paid_at = "2024-07-25T08:49:20Z".parse()?;
    /// let Authorization::Manual(authorized) =
    ///     PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1").authorize(paid_at)
    /// else {
    ///     unreachable!("a Manual intent is authorised, not captured")
    /// };
    /// let (authorized, prepared) = authorized.prepare_capture(gbp(1000), None, paid_at, ApiVersion::default())?;
    /// let authorized = authorized
    ///     .record_capture_answer(prepared, Answer::TransportFailure)
    ///     .unwrap_err()
    ///     .into_intent();
    /// let fresh = PaymentIntentResource::from_json(br#"{"id": "pi_1", "status": "Authorized",
    ///     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    ///     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// let (intent, reconciled) =
    ///     authorized.reconcile_read_started(&fresh, ReadStart::at("2024-07-25T09:00:00Z".parse()?))?;
    /// assert!(reconciled.captures_released().is_empty() && intent.needs_read());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reconcile_read_started(
        self,
        fresh: &PaymentIntentResource,
        read: ReadStart,
    ) -> Result<(AnyPaymentIntent, Reconciled), ReconcileError<Self>> {
        match reconcile(self.ledger(), fresh, read) {
            Ok(merged) => {
                let (ledger, report) = merged.complete(self.into_ledger());
                Ok((AnyPaymentIntent::from_ledger(ledger), report))
            }
            Err(kind) => Err(ReconcileError { intent: self, kind }),
        }
    }
}

/// Whether Dojo can have moved an intent from `local` to `fresh`.
fn reachable(local: Phase, fresh: Phase) -> bool {
    local == fresh
        || local == Phase::Created
        || (local == Phase::Paid && matches!(fresh, Phase::Released | Phase::Reversed))
}

/// Which pending refunds (in order) a growth of `refundedAmount` by
/// `growth` shows landed: the one set whose amounts add up to it. `None`
/// when no set or more than one does: nothing is guessed. Past 16 pending
/// refunds only all or none are tried.
fn refunds_landed(pending: &[PendingRefund], growth: i64) -> Option<Vec<bool>> {
    let growth = i128::from(growth);
    let sum = |landed: &[bool]| -> i128 {
        pending
            .iter()
            .zip(landed)
            .filter(|(_, landed)| **landed)
            .map(|(p, _)| i128::from(p.amount.minor_units()))
            .sum()
    };
    let sets: Vec<Vec<bool>> = if pending.len() > 16 {
        vec![vec![false; pending.len()], vec![true; pending.len()]]
    } else {
        (0..1_u32 << pending.len())
            .map(|mask| (0..pending.len()).map(|i| mask & (1 << i) != 0).collect())
            .collect()
    };
    let mut matching = sets.into_iter().filter(|set| sum(set) == growth);
    let found = matching.next()?;
    matching.next().is_none().then_some(found)
}

fn awaited(local: &Ledger) -> Option<&'static str> {
    if local.pending.iter().any(|p| !p.outcome_unknown) {
        return Some("capture");
    }
    if local.pending_refunds.iter().any(|p| !p.outcome_unknown) {
        return Some("refund");
    }
    match local.pending_operation.as_ref() {
        Some(p) if !p.outcome_unknown => Some(match p.kind {
            PendingKind::Reversal => "reversal",
            PendingKind::Cancel => "cancel",
            PendingKind::ChangeAmount(_) => "change of amount",
            PendingKind::ChangeTips(_) => "change of tip",
        }),
        _ => None,
    }
}

/// The fresh read merged with `local`, or why it cannot be merged.
pub(crate) fn reconcile(
    local: &Ledger,
    fresh_wire: &PaymentIntentResource,
    read: ReadStart,
) -> Result<Merged, ReconcileErrorKind> {
    use ReconcileErrorKind as E;
    if let Some(what) = awaited(local) {
        return Err(E::AnswerAwaited(what));
    }
    let mut fresh = rehydrate(fresh_wire).map_err(E::Unreadable)?;
    if let (Some(local_id), Some(fresh_id)) = (&local.id, &fresh.id)
        && local_id != fresh_id
    {
        return Err(E::DifferentIntent {
            local: local_id.clone(),
            fresh: fresh_id.clone(),
        });
    }
    if fresh.currency() != local.currency() {
        return Err(E::CurrencyChanged {
            local: local.currency(),
            fresh: fresh.currency(),
        });
    }
    let pending_kind = local.pending_operation.as_ref().map(|p| p.kind);
    if fresh.amount != local.amount && pending_kind != Some(PendingKind::ChangeAmount(fresh.amount))
    {
        return Err(E::AmountChanged {
            local: local.amount,
            fresh: fresh.amount,
        });
    }
    if !reachable(local.phase, fresh.phase) {
        return Err(E::StateUnreachable {
            local: local.state(),
            fresh: fresh_wire.status,
        });
    }
    if fresh.captured().minor_units() < local.captured().minor_units() {
        return Err(E::CapturedShrank {
            local: local.captured(),
            fresh: fresh.captured(),
        });
    }
    if fresh.refunded.minor_units() < local.refunded.minor_units() {
        return Err(E::RefundedShrank {
            local: local.refunded,
            fresh: fresh.refunded,
        });
    }

    let mut report = Reconciled::default();
    // Known captures: the same amount and tip; a final status stays.
    for known in &local.captures {
        let Some(id) = &known.id else { continue };
        let Some(seen) = fresh.captures.iter().find(|c| c.id.as_ref() == Some(id)) else {
            return Err(E::CaptureDisappeared(id.clone()));
        };
        if seen.amount != known.amount || seen.tips != known.tips {
            return Err(E::CaptureChanged {
                id: id.clone(),
                local: known.amount,
                local_tips: known.tips,
                fresh: seen.amount,
                fresh_tips: seen.tips,
            });
        }
        if seen.status != known.status {
            if known.status != CaptureStatus::Created {
                return Err(E::CaptureStatusChanged {
                    id: id.clone(),
                    local: known.status,
                    fresh: seen.status,
                });
            }
            report
                .resolved
                .push((id.clone(), known.status, seen.status));
        }
    }

    // New captures: in the fresh read with an id the local intent does not know.
    let new: Vec<(usize, CaptureId)> = fresh
        .captures
        .iter()
        .enumerate()
        .filter_map(|(index, c)| {
            let id = c.id.as_ref()?;
            (!local.captures.iter().any(|k| k.id.as_ref() == Some(id))).then(|| (index, id.clone()))
        })
        .collect();
    // Amount and tip only: Dojo's `createdAt` and the service's clock are
    // never compared (D23), since either may be behind the other.
    let fits = |pending: &PendingCapture, index: usize| {
        let c = &fresh.captures[index];
        c.amount == pending.amount && c.tips == no_zero_tip(pending.tips)
    };
    let mut bound_new: Vec<usize> = Vec::new();
    let mut unseen_captures: Vec<&PendingCapture> = Vec::new();
    for pending in &local.pending {
        let candidates: Vec<&(usize, CaptureId)> =
            new.iter().filter(|(i, _)| fits(pending, *i)).collect();
        match candidates.as_slice() {
            [] => unseen_captures.push(pending),
            [(only, id)] if local.pending.iter().filter(|p| fits(p, *only)).count() == 1 => {
                bound_new.push(*only);
                report.bound.push((pending.local_id, id.clone()));
            }
            _ => {
                return Err(E::AmbiguousCapture {
                    local_id: pending.local_id,
                    amount: pending.amount,
                    candidates: candidates.len(),
                });
            }
        }
    }
    for (index, id) in new {
        if !bound_new.contains(&index) {
            report.adopted.push(id);
        }
    }
    // What the read does not show settles one way (D22): released once the
    // request can no longer land (the read began after its horizon, or Dojo
    // would now refuse it), else kept in flight with its horizon.
    let mut kept_captures = Vec::new();
    for pending in unseen_captures {
        let can_land = fresh.capturable().minor_units() >= pending.amount.minor_units();
        match (can_land, unseen(pending.settle_horizon, read)) {
            (true, Unseen::Keep(horizon)) => kept_captures.push(PendingCapture {
                settle_horizon: horizon,
                ..pending.clone()
            }),
            _ => report.released.push(pending.local_id),
        }
    }

    // Refunds: Dojo lists none, only the total; match conservatively.
    let growth = fresh.refunded.minor_units() - local.refunded.minor_units();
    // Only the refunds the read settles; the ones recorded before are the
    // local ledger's, moved over by `Merged::complete` rather than copied.
    let mut refunds = Vec::new();
    let mut kept_refunds = Vec::new();
    let mut released_refunds = Vec::new();
    if local.pending_refunds.is_empty() {
        if growth > 0 {
            report.refunded_elsewhere = Some(Money::new(growth, local.currency()));
        }
    } else {
        let Some(landed) = refunds_landed(&local.pending_refunds, growth) else {
            return Err(E::AmbiguousRefund {
                growth: Money::new(growth, local.currency()),
                pending: local.pending_refunded(),
            });
        };
        // Room left for the refunds still unseen once those that landed count.
        let mut room = fresh.refundable().minor_units();
        for (pending, landed) in local.pending_refunds.iter().zip(landed) {
            if landed {
                report.refunds_matched.push(pending.key.clone());
                refunds.push(RefundRecord {
                    key: pending.key.clone(),
                    amount: pending.amount,
                    refund_id: None,
                });
                continue;
            }
            let can_land = pending.amount.minor_units() <= room;
            match (can_land, unseen(pending.settle_horizon, read)) {
                (true, Unseen::Keep(horizon)) => {
                    room -= pending.amount.minor_units();
                    kept_refunds.push(PendingRefund {
                        settle_horizon: horizon,
                        ..pending.clone()
                    });
                }
                _ => {
                    report.refunds_released.push(pending.key.clone());
                    released_refunds.push(RefundRecord {
                        key: pending.key.clone(),
                        amount: pending.amount,
                        refund_id: None,
                    });
                }
            }
        }
    }

    // The pending reversal, cancel or change, from Dojo's status and amounts.
    let mut kept_operation = None;
    if let Some(pending) = &local.pending_operation {
        let kind = pending.kind;
        let applied = match kind {
            PendingKind::Reversal => fresh.phase == Phase::Reversed,
            PendingKind::Cancel => fresh.phase == Phase::Canceled,
            PendingKind::ChangeAmount(amount) => fresh.amount == amount,
            PendingKind::ChangeTips(tips) => fresh.tips == no_zero_tip(Some(tips)),
        };
        // Whether Dojo would still accept it, were it to land now.
        let can_land = match kind {
            PendingKind::Reversal => fresh.phase == Phase::Paid,
            PendingKind::Cancel | PendingKind::ChangeAmount(_) | PendingKind::ChangeTips(_) => {
                fresh.phase == Phase::Created
            }
        };
        if applied {
            report.operation_applied = Some(kind.operation());
        } else {
            match (can_land, unseen(pending.settle_horizon, read)) {
                (true, Unseen::Keep(horizon)) => {
                    kept_operation = Some(PendingOperation {
                        settle_horizon: horizon,
                        ..pending.clone()
                    });
                }
                _ => report.operation_released = Some(kind.operation()),
            }
        }
    }
    report.settle_after = kept_captures
        .iter()
        .map(|p| p.settle_horizon)
        .chain(kept_refunds.iter().map(|p| p.settle_horizon))
        .chain(kept_operation.iter().map(|p| p.settle_horizon))
        .flatten()
        .min();
    fresh.pending = kept_captures;
    fresh.pending_refunds = kept_refunds;
    fresh.pending_operation = kept_operation;
    fresh.recount();

    // Dojo's facts, with what only the local intent knows: its id when the
    // read has none, and its counter of prepared captures. Its refund keys
    // and the webhook events it remembers are moved over by `complete`.
    if fresh.id.is_none() {
        fresh.id = local.id.clone();
    }
    fresh.next_local_id = local.next_local_id;
    fresh.revision = local.revision;
    Ok(Merged {
        fresh,
        settled_refunds: refunds,
        released_refunds,
        report,
    })
}

/// A fresh read merged with the local ledger, but for what only the local
/// ledger holds in lists: its refunds (with their keys) and the webhook
/// events it remembers. [`Merged::complete`] moves those over from the local
/// ledger once nothing can refuse the read any more, so that a read copies
/// neither, and a refused read leaves the local ledger untouched.
pub(crate) struct Merged {
    /// Dojo's facts, with `refunds` and `seen_events` still empty.
    fresh: Ledger,
    /// Refunds the read settles, recorded after the local ones.
    settled_refunds: Vec<RefundRecord>,
    /// Refund keys the read releases, remembered after the local ones ([D24](crate::decisions#d24)).
    released_refunds: Vec<RefundRecord>,
    report: Reconciled,
}

impl Merged {
    /// The merged ledger, built in `local`'s allocation, and what changed.
    /// A read that changes anything, Dojo's `updatedAt` included, is one
    /// more revision.
    pub(crate) fn complete(self, mut local: Box<Ledger>) -> (Box<Ledger>, Reconciled) {
        let Merged {
            mut fresh,
            settled_refunds,
            released_refunds,
            report,
        } = self;
        // Compared without the lists the merged ledger takes as they are.
        // A refund the read settles or releases leaves the pending refunds,
        // so the ledgers differ then too.
        let mut refunds = std::mem::take(&mut local.refunds);
        let seen_events = std::mem::take(&mut local.seen_events);
        let mut released = std::mem::take(&mut local.released_refunds);
        let changed = fresh != *local;
        debug_assert!(changed || (settled_refunds.is_empty() && released_refunds.is_empty()));
        refunds.extend(settled_refunds);
        released.extend(released_refunds);
        fresh.released_refunds = released;
        fresh.refunds = refunds;
        fresh.seen_events = seen_events;
        if changed {
            fresh.revision = fresh.revision.wrapping_add(1);
        }
        *local = fresh;
        (local, report)
    }
}
