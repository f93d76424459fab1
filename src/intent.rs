//! `PaymentIntent<S>`: an intent whose state is known at compile time.
//!
//! Each operation is written once, in an `impl` block bounded by its
//! capability trait ([`CanCapture`], [`CanRefund`], …), which only the states
//! where it can ever be legal implement, so `intent.capture(..)` on a
//! refunded intent does not compile and the error names the missing
//! capability. Amount and time rules are still checked at run time, by the
//! same [`Ledger`] methods the runtime enum uses; a refused transition hands
//! the intent back inside [`Rejected`].

use std::fmt;
use std::marker::PhantomData;

use jiff::Timestamp;

use crate::any::AnyPaymentIntent;
use crate::ids::{CaptureId, IdempotencyKey};
use crate::ledger::{
    AutoExpiry, CaptureOutcome, CaptureRecord, Ledger, PendingCapture, PendingOperation,
    PendingRefund,
};
use crate::money::{Currency, Money};
use crate::prepared::{
    Answer, AnswerError, Answered, PreparedAmountChange, PreparedCancel, PreparedCapture,
    PreparedRefund, PreparedReversal, PreparedTipsChange, RefundDetails,
};
use crate::request::ApiVersion;
use crate::rule::{Rule, RuleViolation};
use crate::settle::SettleWindow;
use crate::state::sealed::FromIntent;
use crate::state::{
    Authorized, CanCancel, CanCapture, CanChangeAmount, CanChangeTips, CanRecordCaptureAnswer,
    CanRecordCaptureOutcome, CanRefund, CanReverse, Canceled, Captured, Created, IntentState,
    Refunded, Reversed, State,
};
use crate::wire::CaptureMode;

/// A Dojo payment intent in state `S`.
///
/// Fields are private: a typed intent comes only from [`PaymentIntent::new`],
/// from a transition, or from a checked conversion of an
/// [`AnyPaymentIntent`] (for instance one rehydrated from the API).
///
/// ```
/// use dojo_capture::state::{Authorized, Refunded};
/// use dojo_capture::{
///     Authorization, CaptureId, CaptureMode, CaptureOutcome, CaptureResolved, Currency,
///     IdempotencyKey, Money, PaymentIntent,
/// };
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let paid_at = "2024-07-25T08:49:20Z".parse()?;
/// let Authorization::Manual(authorized) =
///     PaymentIntent::new(gbp(1000), CaptureMode::Manual).authorize(paid_at)
/// else {
///     unreachable!("a Manual intent is authorised, not captured")
/// };
/// let authorized: PaymentIntent<Authorized> = authorized;
/// let id = CaptureId::new("cp_1")?;
/// let CaptureResolved::Captured(captured) = authorized
///     .capture(id.clone(), gbp(1000), paid_at)?
///     .record_capture_outcome(&id, CaptureOutcome::Successful)?
/// else {
///     unreachable!("a Successful capture captures")
/// };
/// let refunded: PaymentIntent<Refunded> = captured.refund(IdempotencyKey::new("r_1")?, gbp(250))?;
/// assert_eq!(refunded.refundable(), gbp(750));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
// Clone and equality by hand: derived ones would ask `S` for them too,
// which generic code over `S: State` cannot name.
pub struct PaymentIntent<S: State> {
    // Boxed so that a transition moves one pointer, and a refused one hands
    // back a small error, whatever the number of captures.
    ledger: Box<Ledger>,
    state: PhantomData<S>,
}

/// A refused transition: the rule that refused it, and the intent, unchanged.
///
/// It displays as its [`RuleViolation`] and has the rule's code; its
/// `source()` is the violation's own (none), so an error chain prints the
/// violation once. `Debug` prints the code and the message, not the intent.
///
/// ```
/// use dojo_capture::{Authorization, CaptureId, CaptureMode, Currency, Money, PaymentIntent};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let paid_at = "2024-07-25T08:49:20Z".parse().unwrap();
/// let Authorization::Manual(authorized) =
///     PaymentIntent::new(gbp(1000), CaptureMode::Manual).authorize(paid_at)
/// else {
///     unreachable!("a Manual intent is authorised, not captured")
/// };
/// let rejected = authorized
///     .capture(CaptureId::new("cp_1").unwrap(), gbp(0), paid_at)
///     .unwrap_err();
/// assert_eq!(rejected.code(), "zero_amount");
/// assert_eq!(
///     format!("{rejected:?}"),
///     r#"Rejected { code: "zero_amount", message: "zero_amount: capture amount is zero; it must be greater than zero" }"#
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Rejected<I> {
    intent: I,
    violation: RuleViolation,
}

impl<I> Rejected<I> {
    pub(crate) fn new(intent: I, violation: RuleViolation) -> Self {
        Rejected { intent, violation }
    }

    /// The rule and figures that refused the operation.
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let rejected = authorized.capture(CaptureId::new("cp_1")?, gbp(1500), paid_at).unwrap_err();
    /// assert_eq!(rejected.violation().available(), Some(gbp(1000)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn violation(&self) -> &RuleViolation {
        &self.violation
    }

    /// The rule that refused the operation.
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
    ///
    /// use dojo_capture::{CaptureId, Rule};
    ///
    /// let rejected = authorized.capture(CaptureId::new("cp_1")?, gbp(1500), paid_at).unwrap_err();
    /// assert_eq!(rejected.rule(), Rule::OverCapture);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> Rule {
        self.violation.rule()
    }

    /// The rule's stable code, as [`RuleViolation::code`] gives it, e.g. `"over_capture"`.
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let late = paid_at + dojo_capture::SignedDuration::from_hours(24 * 7);
    /// let rejected = authorized.capture(CaptureId::new("cp_1")?, gbp(100), late).unwrap_err();
    /// assert_eq!(rejected.code(), "authorization_expired");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn code(&self) -> &'static str {
        self.violation.code()
    }

    /// The intent, exactly as it was before the operation.
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let before = authorized.to_stored_json();
    /// let rejected = authorized.capture(CaptureId::new("cp_1")?, gbp(0), paid_at).unwrap_err();
    /// assert_eq!(rejected.intent().to_stored_json(), before, "untouched");
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let rejected = authorized.capture(CaptureId::new("cp_1")?, gbp(1500), paid_at).unwrap_err();
    /// // Refused, but the intent is not lost: capture less.
    /// let authorized = rejected.into_intent().capture(CaptureId::new("cp_1")?, gbp(1000), paid_at)?;
    /// assert_eq!(authorized.in_flight(), gbp(1000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_intent(self) -> I {
        self.intent
    }

    /// Takes the intent and the violation apart.
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let rejected = authorized.capture(CaptureId::new("cp_1")?, gbp(1500), paid_at).unwrap_err();
    /// let (intent, violation) = rejected.into_parts();
    /// assert_eq!(violation.code(), "over_capture");
    /// assert_eq!(intent.capturable(), gbp(1000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_parts(self) -> (I, RuleViolation) {
        (self.intent, self.violation)
    }
}

// By hand rather than with `debug_code_and_message!`: the type is generic.
impl<I> fmt::Debug for Rejected<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("code", &self.code())
            .field("message", &self.to_string())
            .finish()
    }
}

impl<I> fmt::Display for Rejected<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.violation, f)
    }
}

// No `source()`: `Rejected` already displays as the violation, which has
// no source of its own, and a chain must not print the violation twice.
impl<I> std::error::Error for Rejected<I> {}

/// What authorising a Created intent yields: a Manual intent waits for the
/// merchant's captures, an Auto one is captured in full by Dojo (rule 1).
///
/// ```
/// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
///
/// let paid_at = "2024-07-25T08:49:20Z".parse()?;
/// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
/// match intent.authorize(paid_at) {
///     Authorization::Auto(captured) => assert_eq!(captured.captured().minor_units(), 1000),
///     Authorization::Manual(_) => unreachable!("an Auto intent is captured by Dojo"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum Authorization {
    /// Manual capture mode: nothing captured yet.
    Manual(PaymentIntent<Authorized>),
    /// Auto capture mode: the whole amount captured.
    Auto(PaymentIntent<Captured>),
}

/// What recording a capture's outcome on an Authorized intent yields
/// ([`PaymentIntent::record_capture_outcome`]).
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
///
/// use dojo_capture::{CaptureId, CaptureOutcome, CaptureResolved};
///
/// let id = CaptureId::new("cp_1")?;
/// let authorized = authorized.capture(id.clone(), gbp(400), paid_at)?;
/// match authorized.record_capture_outcome(&id, CaptureOutcome::Successful)? {
///     CaptureResolved::Captured(captured) => assert_eq!(captured.captured(), gbp(400)),
///     CaptureResolved::Authorized(_) => unreachable!("a Successful capture captures"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum CaptureResolved {
    /// Declined or Failed (or an in-flight capture among others): still nothing captured.
    Authorized(PaymentIntent<Authorized>),
    /// Successful: the capture's amount is captured.
    Captured(PaymentIntent<Captured>),
}

impl<S: State> PartialEq for PaymentIntent<S> {
    fn eq(&self, other: &Self) -> bool {
        self.ledger == other.ledger
    }
}

impl<S: State> Eq for PaymentIntent<S> {}

impl<S: State> PaymentIntent<S> {
    pub(crate) fn from_ledger(ledger: Box<Ledger>) -> Self {
        debug_assert_eq!(
            ledger.state(),
            S::STATE,
            "typed state disagrees with the amounts"
        );
        PaymentIntent {
            ledger,
            state: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub(crate) fn into_ledger(self) -> Box<Ledger> {
        self.ledger
    }

    /// The ledger, for a change that keeps the state: marking an answer
    /// lost, remembering a webhook event.
    pub(crate) fn ledger_mut(&mut self) -> &mut Ledger {
        &mut self.ledger
    }

    /// After a lost answer: the capture, or the reversal, cancel or change,
    /// prepared under `local_id` ([`PreparedCapture::local_id`](crate::PreparedCapture::local_id))
    /// will never have its answer recorded, because the process that sent
    /// it crashed, or recorded the answer on a copy that then lost the race
    /// to be written back. It is marked of unknown outcome, like an answer
    /// that never came: its amount stays in flight and
    /// [`needs_read`](Self::needs_read) says to read the intent again, whose
    /// reconcile settles it. Nothing is sent and nothing is released on a
    /// guess. A `local_id` not pending, or already of unknown outcome,
    /// changes nothing.
    ///
    /// Only a worker that knows no other one still waits for that answer
    /// should call it (a lease on the prepared request, say): see
    /// `docs/storage.md`.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// let now = "2024-07-25T08:49:20Z".parse().unwrap();
    /// let Authorization::Manual(intent) = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
    ///     .with_id("pi_1")
    ///     .authorize(now)
    /// else {
    ///     unreachable!()
    /// };
    /// let (intent, prepared) = intent
    ///     .prepare_capture(gbp(400), None, now, ApiVersion::V2025_09_10)
    ///     .unwrap();
    /// let local_id = prepared.local_id();
    /// drop(prepared); // the process that held it is gone
    /// let intent = intent.record_answer_lost(local_id);
    /// assert!(intent.needs_read());
    /// assert_eq!(intent.in_flight(), gbp(400));
    /// ```
    pub fn record_answer_lost(mut self, local_id: u64) -> Self {
        self.ledger.record_answer_lost(Some(local_id), None);
        self
    }

    /// After a lost answer, with the moment it was declared lost (the
    /// caller's clock: the crate reads none): starts the settle window of
    /// every operation of unknown outcome ([D22](crate::decisions#d22)).
    /// Its horizon becomes `lost_at` plus `window` (or stays, when already
    /// later); a read that begins after it and does not show the operation
    /// releases it. Without this call the first read with a known start
    /// that misses the operation starts the window instead, a little later.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{Answer, Authorization, CaptureMode, Currency, Money, PaymentIntent, SettleWindow};
    ///
    /// let gbp = |minor| Money::new(minor, Currency::GBP);
    /// let now = "2024-07-25T08:49:20Z".parse().unwrap();
    /// let Authorization::Manual(intent) = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
    ///     .with_id("pi_1")
    ///     .authorize(now)
    /// else {
    ///     unreachable!()
    /// };
    /// let (intent, prepared) = intent.prepare_capture(gbp(400), None, now, ApiVersion::default()).unwrap();
    /// let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
    /// let intent = intent.start_settling(now, SettleWindow::default());
    /// assert_eq!(intent.pending_captures()[0].settle_horizon(), Some("2024-07-25T09:04:20Z".parse().unwrap()));
    /// ```
    pub fn start_settling(mut self, lost_at: Timestamp, window: SettleWindow) -> Self {
        self.ledger.start_settling(lost_at, window);
        self
    }

    /// After a lost answer: the refund prepared under `key` will never have
    /// its answer recorded; it is marked of unknown outcome, its amount
    /// stays reserved, and a fresh read settles it. Preparing the same key
    /// and amount again, the safe retry, is the other way out. A key not
    /// pending changes nothing.
    ///
    /// ```
    /// use dojo_capture::request::ApiVersion;
    /// use dojo_capture::{AnyPaymentIntent, IdempotencyKey, RefundDetails};
    ///
    /// let json = br#"{"id": "pi_1", "status": "Captured", "captureMode": "Auto",
    ///                 "amount": {"value": 1000, "currencyCode": "GBP"},
    ///                 "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// let Ok(AnyPaymentIntent::Captured(intent)) = AnyPaymentIntent::from_json(json) else {
    ///     unreachable!()
    /// };
    /// let key = IdempotencyKey::new("rf_1").unwrap();
    /// let amount = intent.amount();
    /// let (intent, _lost) = intent
    ///     .prepare_refund(key.clone(), amount, RefundDetails::default(), ApiVersion::V2025_09_10)
    ///     .unwrap();
    /// let intent = intent.record_refund_answer_lost(&key);
    /// assert!(intent.needs_read());
    /// ```
    pub fn record_refund_answer_lost(mut self, key: &IdempotencyKey) -> Self {
        self.ledger.record_answer_lost(None, Some(key));
        self
    }

    /// The same ledger under another state marker, without reallocating.
    fn retype<T: State>(self) -> PaymentIntent<T> {
        PaymentIntent::from_ledger(self.ledger)
    }

    /// Runs one of the ledger's operations, which checks and applies it, or
    /// hands the intent back, untouched, with the violation.
    fn run(
        mut self,
        operation: impl FnOnce(&mut Ledger) -> Result<(), RuleViolation>,
    ) -> Result<Self, Rejected<Self>> {
        match operation(&mut self.ledger) {
            Ok(()) => Ok(self),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }

    /// The state, at run time.
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
    ///
    /// use dojo_capture::IntentState;
    ///
    /// assert_eq!(authorized.state(), IntentState::Authorized);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state(&self) -> IntentState {
        S::STATE
    }

    /// Dojo's id of the intent (`pi_…`), when known.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    ///
    /// assert_eq!(created.id(), Some("pi_1"));
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.ledger.id.as_deref()
    }

    /// The authorised amount (before payment: the amount to be paid).
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
    ///
    /// assert_eq!(authorized.amount(), gbp(1000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.ledger.amount
    }

    /// The intent's currency.
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
    ///
    /// assert_eq!(authorized.currency(), dojo_capture::Currency::GBP);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn currency(&self) -> Currency {
        self.ledger.currency()
    }

    /// Auto or Manual.
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
    ///
    /// assert_eq!(authorized.capture_mode(), dojo_capture::CaptureMode::Manual);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capture_mode(&self) -> CaptureMode {
        self.ledger.mode
    }

    /// Captured so far: Successful captures, or the whole amount of a captured Auto intent.
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
    ///
    /// assert_eq!(captured.captured(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captured(&self) -> Money {
        self.ledger.captured()
    }

    /// In flight: captures Dojo accepted whose final status is not recorded
    /// yet, and captures prepared whose answer has not been recorded or was
    /// lost. Another capture cannot take it ([D1](crate::decisions#d1)).
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let authorized = authorized.capture(CaptureId::new("cp_1")?, gbp(600), paid_at)?;
    /// assert_eq!(authorized.in_flight(), gbp(600));
    /// assert_eq!(authorized.capturable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_flight(&self) -> Money {
        self.ledger.in_flight()
    }

    /// The captures prepared and not yet recorded, or whose outcome is
    /// unknown, in the order they were prepared. They are not Dojo's
    /// captures: [`captures`](Self::captures) does not list them and
    /// [`to_resource`](Self::to_resource) does not write them.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (authorized, _prepared) = authorized.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// assert_eq!(authorized.pending_captures().len(), 1);
    /// assert_eq!(authorized.pending_captures()[0].amount(), gbp(600));
    /// assert!(authorized.captures().is_empty(), "not Dojo's capture yet");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_captures(&self) -> &[PendingCapture] {
        &self.ledger.pending
    }

    /// The refunds prepared and not yet recorded, or whose outcome is
    /// unknown, in the order they were prepared. Their amounts are reserved:
    /// [`refundable`](Self::refundable) leaves them out.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{IdempotencyKey, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (captured, _prepared) =
    ///     captured.prepare_refund(key, gbp(200), RefundDetails::default(), ApiVersion::default())?;
    /// assert_eq!(captured.pending_refunds()[0].amount(), gbp(200));
    /// assert_eq!(captured.refundable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_refunds(&self) -> &[PendingRefund] {
        &self.ledger.pending_refunds
    }

    /// The reversal, cancel or change prepared and not yet recorded, or
    /// whose outcome is unknown: while there is one, no other operation is
    /// prepared (`operation_pending`).
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::OperationKind;
    ///
    /// let (authorized, _prepared) = authorized.prepare_reversal(paid_at, ApiVersion::default())?;
    /// let pending = authorized.pending_operation().expect("a reversal is pending");
    /// assert_eq!(pending.operation(), OperationKind::Reverse);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_operation(&self) -> Option<&PendingOperation> {
        self.ledger.pending_operation.as_ref()
    }

    /// Whether the outcome of a prepared operation is unknown (its answer
    /// was lost), so that the intent must be read again from Dojo; no other
    /// capture is prepared meanwhile (`outcome_unknown`).
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let (authorized, prepared) = authorized.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// assert!(!authorized.needs_read());
    /// let authorized = authorized
    ///     .record_capture_answer(prepared, Answer::TransportFailure)
    ///     .unwrap_err()
    ///     .into_intent();
    /// assert!(authorized.needs_read());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn needs_read(&self) -> bool {
        self.ledger.needs_read()
    }

    /// Refunded so far.
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
    ///
    /// use dojo_capture::IdempotencyKey;
    ///
    /// let refunded = captured.refund(IdempotencyKey::new("r_1")?, gbp(250))?;
    /// assert_eq!(refunded.refunded(), gbp(250));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refunded(&self) -> Money {
        self.ledger.refunded
    }

    /// What another capture may still take: amount − in flight − captured
    /// ([D1](crate::decisions#d1)).
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
    ///
    /// assert_eq!(captured.capturable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capturable(&self) -> Money {
        self.ledger.capturable()
    }

    /// The tips taken with the payment, which a refund may return ([D14](crate::decisions#d14)):
    /// those of Successful captures, or the intent's own tip when Dojo
    /// captured it itself.
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
    ///
    /// use dojo_capture::{CaptureId, CaptureOutcome, CaptureResolved};
    ///
    /// let id = CaptureId::new("cp_1")?;
    /// let CaptureResolved::Captured(captured) = authorized
    ///     .capture_with_tips(id.clone(), gbp(1000), Some(gbp(150)), paid_at)?
    ///     .record_capture_outcome(&id, CaptureOutcome::Successful)?
    /// else {
    ///     unreachable!("a Successful capture captures")
    /// };
    /// assert_eq!(captured.captured_tips(), gbp(150));
    /// assert_eq!(captured.refundable(), gbp(1150));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captured_tips(&self) -> Money {
        self.ledger.captured_tips()
    }

    /// What another refund may still take: captured + captured tips −
    /// refunded − pending refunds ([D2](crate::decisions#d2), [D14](crate::decisions#d14)).
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
    ///
    /// use dojo_capture::IdempotencyKey;
    ///
    /// assert_eq!(captured.refundable(), gbp(600), "what was captured, not the 1000 authorised");
    /// let refunded = captured.refund(IdempotencyKey::new("r_1")?, gbp(100))?;
    /// assert_eq!(refunded.refundable(), gbp(500));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refundable(&self) -> Money {
        self.ledger.refundable()
    }

    /// When the customer paid ([D11](crate::decisions#d11)); `None` before payment.
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
    ///
    /// assert_eq!(authorized.paid_at(), Some(paid_at));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn paid_at(&self) -> Option<Timestamp> {
        self.ledger.paid_at
    }

    /// When capture and Manual reversal stop being possible ([D12](crate::decisions#d12)).
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
    ///
    /// let deadline: dojo_capture::Timestamp = "2024-08-01T08:49:20Z".parse()?;
    /// assert_eq!(authorized.authorization_deadline(), Some(deadline), "seven days after payment");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorization_deadline(&self) -> Option<Timestamp> {
        self.ledger.authorization_deadline()
    }

    /// The `autoExpireIn` settings, if any.
    ///
    /// ```
    /// use dojo_capture::{AutoExpireAction, AutoExpiry, CaptureMode, Currency, Money, PaymentIntent, SignedDuration};
    ///
    /// let expiry = AutoExpiry::new(SignedDuration::from_hours(24), AutoExpireAction::Release)?;
    /// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
    ///     .with_auto_expiry(expiry);
    /// assert_eq!(created.auto_expiry(), Some(expiry));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auto_expiry(&self) -> Option<AutoExpiry> {
        self.ledger.auto_expiry
    }

    /// Whether the amount may be changed before payment (rule 8).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    ///
    /// assert!(!created.custom_amount_allowed());
    /// assert!(created.with_custom_amount_allowed(true).custom_amount_allowed());
    /// ```
    pub fn custom_amount_allowed(&self) -> bool {
        self.ledger.custom_amount_allowed
    }

    /// Whether the intent allows tips (Dojo's `config.payment.tipsAllowed`),
    /// so that its tip may be changed before payment.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    ///
    /// assert!(!created.tips_allowed());
    /// assert!(created.with_tips_allowed(true).tips_allowed());
    /// ```
    pub fn tips_allowed(&self) -> bool {
        self.ledger.tips_allowed
    }

    /// The intent's own tip (`tipsAmount`); never zero: a zero tip is no tip
    /// ([D18](crate::decisions#d18)).
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, Currency, Money};
    ///
    /// let intent = AnyPaymentIntent::from_json(br#"{"status": "Captured", "captureMode": "Auto",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"},
    ///     "tipsAmount": {"value": 200, "currencyCode": "GBP"},
    ///     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// assert_eq!(intent.tips(), Some(Money::new(200, Currency::GBP)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tips(&self) -> Option<Money> {
        self.ledger.tips
    }

    /// Every capture recorded, in order.
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
    ///
    /// use dojo_capture::{CaptureId, CaptureStatus};
    ///
    /// let authorized = authorized.capture(CaptureId::new("cp_1")?, gbp(600), paid_at)?;
    /// let capture = &authorized.captures()[0];
    /// assert_eq!(capture.id().map(CaptureId::as_str), Some("cp_1"));
    /// assert_eq!(capture.status(), CaptureStatus::Created);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captures(&self) -> &[CaptureRecord] {
        &self.ledger.captures
    }

    /// Forgets the compile-time state.
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
    ///
    /// use dojo_capture::IntentState;
    ///
    /// let stored = authorized.to_stored_json();
    /// let any = authorized.into_any();
    /// assert_eq!(any.state(), IntentState::Authorized);
    /// assert_eq!(any.to_stored_json(), stored, "the same facts");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_any(self) -> AnyPaymentIntent {
        AnyPaymentIntent::from_ledger(self.ledger)
    }
}

impl PaymentIntent<Created> {
    /// A new intent for a literal `amount`, waiting for payment.
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    /// assert_eq!(intent.amount().minor_units(), 1000);
    /// ```
    ///
    /// # Panics
    /// When `amount` is zero: an intent always asks for more than nothing
    /// ([D19](crate::decisions#d19)). Use [`PaymentIntent::try_new`] for amounts that are not
    /// literals in your own code.
    #[track_caller]
    pub fn new(amount: Money, capture_mode: CaptureMode) -> Self {
        match PaymentIntent::try_new(amount, capture_mode) {
            Ok(intent) => intent,
            Err(violation) => panic!("PaymentIntent::new: {violation}"),
        }
    }

    /// A new intent for `amount`, waiting for payment.
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent, Rule};
    ///
    /// let zero = PaymentIntent::try_new(Money::zero(Currency::GBP), CaptureMode::Manual);
    /// assert_eq!(zero.unwrap_err().rule(), Rule::ZeroAmount);
    /// ```
    ///
    /// # Errors
    /// `amount` is zero ([`Rule::ZeroAmount`]): with nothing to pay, the
    /// intent's amounts would say nothing about its state ([D19](crate::decisions#d19)).
    pub fn try_new(amount: Money, capture_mode: CaptureMode) -> Result<Self, RuleViolation> {
        let ledger = Ledger::create(amount, capture_mode)?;
        Ok(PaymentIntent::from_ledger(Box::new(ledger)))
    }

    /// Sets Dojo's id of the intent.
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
    ///     .with_id("pi_sandbox_1");
    /// assert_eq!(created.id(), Some("pi_sandbox_1"));
    /// ```
    #[must_use]
    pub fn with_id(mut self, id: &str) -> Self {
        self.ledger.id = Some(id.into());
        self
    }

    /// Allows [`change_amount`](Self::change_amount) (Dojo's `customAmountAllowed`).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    ///
    /// let changed = created.with_custom_amount_allowed(true).change_amount(gbp(1200))?;
    /// assert_eq!(changed.amount(), gbp(1200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_custom_amount_allowed(mut self, allowed: bool) -> Self {
        self.ledger.custom_amount_allowed = allowed;
        self
    }

    /// Allows [`prepare_change_tips`](Self::prepare_change_tips) (Dojo's
    /// `config.payment.tipsAllowed`).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let refused = created.prepare_change_tips(gbp(100), ApiVersion::default()).unwrap_err();
    /// assert_eq!(refused.code(), "tips_not_allowed");
    /// let created = refused.into_intent().with_tips_allowed(true);
    /// assert!(created.prepare_change_tips(gbp(100), ApiVersion::default()).is_ok());
    /// ```
    #[must_use]
    pub fn with_tips_allowed(mut self, allowed: bool) -> Self {
        self.ledger.tips_allowed = allowed;
        self
    }

    /// Sets `autoExpireIn` and `autoExpireAction` (rule 7).
    ///
    /// ```
    /// use dojo_capture::{
    ///     AutoExpireAction, AutoExpiry, Authorization, CaptureMode, Currency, Money, PaymentIntent,
    ///     SignedDuration, Timestamp,
    /// };
    ///
    /// let expiry = AutoExpiry::new(SignedDuration::from_hours(1), AutoExpireAction::Capture)?;
    /// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
    ///     .with_auto_expiry(expiry);
    /// let paid_at: Timestamp = "2024-07-25T08:00:00Z".parse()?;
    /// let Authorization::Manual(authorized) = created.authorize(paid_at) else { unreachable!() };
    /// assert_eq!(authorized.authorization_deadline(), Some("2024-07-25T09:00:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_auto_expiry(mut self, expiry: AutoExpiry) -> Self {
        self.ledger.auto_expiry = Some(expiry);
        self
    }

    /// The customer paid at `paid_at`.
    ///
    /// ```
    /// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let paid_at = "2024-07-25T08:49:20Z".parse()?;
    /// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    /// let Authorization::Manual(authorized) = created.authorize(paid_at) else {
    ///     unreachable!("a Manual intent is authorised, not captured")
    /// };
    /// assert_eq!(authorized.paid_at(), Some(paid_at));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(mut self, paid_at: Timestamp) -> Authorization {
        // Only a Created intent is paid: the ledger's one check always passes here.
        let paid = self.ledger.authorize(paid_at);
        debug_assert!(paid.is_ok(), "a Created intent is always paid");
        match self.ledger.mode {
            CaptureMode::Manual => Authorization::Manual(self.retype()),
            CaptureMode::Auto => Authorization::Auto(self.retype()),
        }
    }
}

impl<S: CanCancel> PaymentIntent<S> {
    /// Cancels the intent (rule 4: only a Created intent can be canceled).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    ///
    /// use dojo_capture::IntentState;
    ///
    /// let canceled = created.cancel();
    /// assert_eq!(canceled.state(), IntentState::Canceled);
    /// ```
    pub fn cancel(mut self) -> PaymentIntent<Canceled> {
        // `CanCancel` holds for Created only, which the ledger always cancels.
        let canceled = self.ledger.cancel();
        debug_assert!(canceled.is_ok(), "a Created intent is always canceled");
        self.retype()
    }

    /// Before the HTTP call: records a cancel as pending and builds
    /// `DELETE /payment-intents/{id}` (no body) for API `version`.
    ///
    /// # Errors
    /// `operation_pending` while another operation is pending;
    /// `missing_intent_id` when the intent has no Dojo id.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::request::Method;
    ///
    /// let (created, prepared) = created.prepare_cancel(ApiVersion::default())?;
    /// assert_eq!(prepared.request().method(), Method::Delete);
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1");
    /// assert!(created.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_cancel(
        mut self,
        version: ApiVersion,
    ) -> Result<(Self, PreparedCancel), Rejected<Self>> {
        match self.ledger.prepare_cancel(version) {
            Ok(prepared) => Ok((self, PreparedCancel(prepared))),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }

    /// After Dojo's answer: a 2xx cancels the intent, unless the intent it
    /// answers with reads and is not Canceled.
    ///
    /// # Errors
    /// A 4xx: refused, the cancel is no longer pending. A contradicting 2xx,
    /// a 5xx, another status or no answer: the outcome is unknown and the
    /// intent [`needs_read`](Self::needs_read). A `prepared` cancel not
    /// pending here: nothing changes.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{Answer, IntentState};
    ///
    /// let (created, prepared) = created.prepare_cancel(ApiVersion::default())?;
    /// let canceled = created.record_cancel_answer(prepared, Answer::Http { status: 200, body: b"" })?;
    /// assert_eq!(canceled.state(), IntentState::Canceled);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_cancel_answer(
        mut self,
        prepared: PreparedCancel,
        answer: Answer<'_>,
    ) -> Result<PaymentIntent<Canceled>, AnswerError<Self>> {
        match self.ledger.record_operation_answer(prepared.0, answer) {
            Ok(()) => Ok(self.retype()),
            Err(kind) => Err(AnswerError::new(self, Answered::Cancel, kind)),
        }
    }
}

impl<S: CanChangeAmount> PaymentIntent<S> {
    /// Changes the amount to be paid (rule 8, [D6](crate::decisions#d6)).
    ///
    /// # Errors
    /// Custom amounts not allowed, another currency, or zero.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    ///
    /// let created = created.with_custom_amount_allowed(true);
    /// let created = created.change_amount(gbp(1500))?;
    /// assert_eq!(created.amount(), gbp(1500));
    /// assert_eq!(created.change_amount(gbp(0)).unwrap_err().code(), "zero_amount");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn change_amount(self, amount: Money) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.change_amount(amount))
    }

    /// Before the HTTP call: checks a change of amount (rule 8, [D6](crate::decisions#d6)) and
    /// records it as pending; builds `POST /payment-intents/{id}/amount`
    /// with `{"amount":{"value":…,"currencyCode":…}}` for API `version`.
    ///
    /// # Errors
    /// Any change-amount rule, `operation_pending`, `missing_intent_id`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let created = created.with_custom_amount_allowed(true);
    /// let (_created, prepared) = created.prepare_change_amount(gbp(1500), ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/amount");
    /// assert_eq!(prepared.request().body(), Some(&br#"{"amount":{"value":1500,"currencyCode":"GBP"}}"#[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_change_amount(
        mut self,
        amount: Money,
        version: ApiVersion,
    ) -> Result<(Self, PreparedAmountChange), Rejected<Self>> {
        match self.ledger.prepare_change_amount(amount, version) {
            Ok(prepared) => Ok((self, PreparedAmountChange(prepared))),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }

    /// After Dojo's answer: a 2xx changes the amount, unless the intent it
    /// answers with reads and has another amount.
    ///
    /// # Errors
    /// As [`record_cancel_answer`](Self::record_cancel_answer).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let created = created.with_custom_amount_allowed(true);
    /// let (created, prepared) = created.prepare_change_amount(gbp(1500), ApiVersion::default())?;
    /// let changed = created.record_change_amount_answer(prepared, Answer::Http { status: 200, body: b"" })?;
    /// assert_eq!(changed.amount(), gbp(1500));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_change_amount_answer(
        mut self,
        prepared: PreparedAmountChange,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        match self.ledger.record_operation_answer(prepared.0, answer) {
            Ok(()) => Ok(self),
            Err(kind) => Err(AnswerError::new(self, Answered::ChangeAmount, kind)),
        }
    }
}

impl<S: CanChangeTips> PaymentIntent<S> {
    /// Before the HTTP call: checks a change of the intent's tip and records
    /// it as pending; builds `POST /payment-intents/{id}/tips-amount` with
    /// `{"tipsAmount":{"value":…,"currencyCode":…}}` for API `version`. A
    /// tip of zero takes the tip away ([D18](crate::decisions#d18)).
    ///
    /// # Errors
    /// `tips_not_allowed` when the intent does not allow tips,
    /// `currency_mismatch`, `operation_pending`, `missing_intent_id`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let created = created.with_tips_allowed(true);
    /// let (_created, prepared) = created.prepare_change_tips(gbp(150), ApiVersion::default())?;
    /// assert_eq!(prepared.request().body(), Some(&br#"{"tipsAmount":{"value":150,"currencyCode":"GBP"}}"#[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_change_tips(
        mut self,
        tips: Money,
        version: ApiVersion,
    ) -> Result<(Self, PreparedTipsChange), Rejected<Self>> {
        match self.ledger.prepare_change_tips(tips, version) {
            Ok(prepared) => Ok((self, PreparedTipsChange(prepared))),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }

    /// After Dojo's answer: a 2xx sets the intent's tip, unless the intent
    /// it answers with reads and has another tip.
    ///
    /// # Errors
    /// As [`record_cancel_answer`](Self::record_cancel_answer).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1");
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let created = created.with_tips_allowed(true);
    /// let (created, prepared) = created.prepare_change_tips(gbp(150), ApiVersion::default())?;
    /// let tipped = created.record_change_tips_answer(prepared, Answer::Http { status: 200, body: b"" })?;
    /// assert_eq!(tipped.tips(), Some(gbp(150)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_change_tips_answer(
        mut self,
        prepared: PreparedTipsChange,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        match self.ledger.record_operation_answer(prepared.0, answer) {
            Ok(()) => Ok(self),
            Err(kind) => Err(AnswerError::new(self, Answered::ChangeTips, kind)),
        }
    }
}

impl<S: CanCapture> PaymentIntent<S> {
    /// Records a capture Dojo accepted as in flight: its amount is in flight
    /// ([D1](crate::decisions#d1)) until [`record_capture_outcome`](Self::record_capture_outcome).
    /// Recording the same id with the same amount again changes nothing
    /// ([D7](crate::decisions#d7)).
    ///
    /// # Errors
    /// Auto capture mode, another currency, zero, past the authorisation
    /// deadline, more than is capturable, or the id recorded with another amount.
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let id = CaptureId::new("cp_1")?;
    /// let authorized = authorized.capture(id.clone(), gbp(600), paid_at)?;
    /// // Recorded again (a webhook, a retry): a replay, nothing changes.
    /// let authorized = authorized.capture(id, gbp(600), paid_at)?;
    /// assert_eq!(authorized.in_flight(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capture(
        self,
        id: CaptureId,
        amount: Money,
        now: Timestamp,
    ) -> Result<Self, Rejected<Self>> {
        self.capture_with_tips(id, amount, None, now)
    }

    /// [`capture`](Self::capture) with a tip, which is carried and not
    /// counted against the amount ([D10](crate::decisions#d10)).
    ///
    /// # Errors
    /// As [`capture`](Self::capture), and a tip in another currency.
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
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// // The tip rides on top: a capture of the whole amount with a tip is allowed (D10).
    /// let authorized = authorized.capture_with_tips(CaptureId::new("cp_1")?, gbp(1000), Some(gbp(200)), paid_at)?;
    /// assert_eq!(authorized.in_flight(), gbp(1000));
    /// assert_eq!(authorized.captures()[0].tips(), Some(gbp(200)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capture_with_tips(
        self,
        id: CaptureId,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
    ) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.capture(id, amount, tips, now))
    }

    /// Before the HTTP call: checks a capture of `amount` (and `tips`,
    /// carried on top of it, [D10](crate::decisions#d10)) at `now` and records it as pending, its
    /// amount in flight ([D1](crate::decisions#d1)) until Dojo's answer is recorded with
    /// [`record_capture_answer`](Self::record_capture_answer). The
    /// [`PreparedCapture`] holds the request to send for API `version`.
    ///
    /// The rules are those of [`capture_with_tips`](Self::capture_with_tips),
    /// without a capture id (Dojo gives it in its answer).
    ///
    /// # Errors
    /// Any capture rule; `outcome_unknown` while another capture's
    /// outcome is unknown (only a fresh read of the intent clears it);
    /// `missing_intent_id` when the intent has no Dojo id for the path.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (authorized, prepared) = authorized.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/captures");
    /// assert_eq!(prepared.request().body(), Some(&br#"{"amount":600}"#[..]));
    /// assert_eq!(authorized.capturable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_capture(
        mut self,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
        version: ApiVersion,
    ) -> Result<(Self, PreparedCapture), Rejected<Self>> {
        match self.ledger.prepare_capture(amount, tips, now, version) {
            Ok(prepared) => Ok((self, prepared)),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }
}

impl<S: CanRecordCaptureAnswer> PaymentIntent<S> {
    /// After Dojo's answer: records it for the `prepared` capture,
    /// without re-running any rule (Dojo has decided, even if the
    /// deadline has passed since).
    ///
    /// A 2xx with a valid `captureId` makes the pending capture one in
    /// flight (`Created`, created at the time it was prepared) under Dojo's
    /// id, whose final status [`record_capture_outcome`](Self::record_capture_outcome)
    /// records later.
    ///
    /// # Errors
    /// A 4xx: Dojo refused, the amount is no longer in flight and the error
    /// carries the problem details. A 5xx, another status, a 2xx
    /// without a valid new `captureId`, or no answer at all: the
    /// outcome is unknown, the amount stays in flight and the intent
    /// [`needs_read`](Self::needs_read). A `prepared` capture not pending
    /// in this intent: nothing changes. The intent is in the error.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let (authorized, prepared) = authorized.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// let body = br#"{"message":"Capture created","captureId":"cp_1"}"#;
    /// let (authorized, id) = authorized.record_capture_answer(prepared, Answer::Http { status: 201, body })?;
    /// assert_eq!(id.as_str(), "cp_1");
    /// assert_eq!(authorized.in_flight(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_capture_answer(
        mut self,
        prepared: PreparedCapture,
        answer: Answer<'_>,
    ) -> Result<(Self, CaptureId), AnswerError<Self>> {
        match self.ledger.record_capture_answer(prepared, answer) {
            Ok(id) => Ok((self, id)),
            Err(kind) => Err(AnswerError::new(self, Answered::Capture, kind)),
        }
    }
}

impl<S: CanRecordCaptureOutcome> PaymentIntent<S> {
    /// After Dojo reports a capture's final status: records it. Successful moves its amount from in
    /// flight to captured; Declined and Failed release it ([D1](crate::decisions#d1)). The same
    /// outcome again changes nothing ([D7](crate::decisions#d7)).
    ///
    /// On an Authorized intent it yields a [`CaptureResolved`]: Captured
    /// once a capture is Successful, Authorized otherwise. On a Captured or
    /// Refunded intent the state stays the same.
    ///
    /// # Errors
    /// No capture has this id, or its final status is already another outcome.
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
    ///
    /// use dojo_capture::{CaptureId, CaptureOutcome, CaptureResolved};
    ///
    /// let id = CaptureId::new("cp_1")?;
    /// let authorized = authorized.capture(id.clone(), gbp(600), paid_at)?;
    /// let CaptureResolved::Authorized(authorized) =
    ///     authorized.record_capture_outcome(&id, CaptureOutcome::Declined)?
    /// else {
    ///     unreachable!("a Declined capture captures nothing")
    /// };
    /// assert_eq!(authorized.capturable(), gbp(1000), "released");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_capture_outcome(
        self,
        id: &CaptureId,
        outcome: CaptureOutcome,
    ) -> Result<S::Resolved, Rejected<Self>> {
        let recorded = self.run(|ledger| ledger.record_capture_outcome(id, outcome))?;
        Ok(S::Resolved::from_intent(recorded))
    }
}

impl PaymentIntent<Authorized> {
    /// An Authorized intent after a capture's outcome was recorded, in the
    /// state its amounts now imply.
    pub(crate) fn into_capture_resolved(self) -> CaptureResolved {
        if self.ledger.captured().is_zero() {
            CaptureResolved::Authorized(self.retype())
        } else {
            CaptureResolved::Captured(self.retype())
        }
    }
}

impl<S: CanRefund> PaymentIntent<S> {
    /// Records a refund under `key`. The refunds together never pass what
    /// was captured ([D2](crate::decisions#d2)); the same key with the same amount is a replay
    /// and changes nothing ([D7](crate::decisions#d7)).
    ///
    /// # Errors
    /// Another currency, zero, more than is refundable, or the key used
    /// with another amount.
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
    ///
    /// use dojo_capture::IdempotencyKey;
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let refunded = captured.refund(key.clone(), gbp(600))?;
    /// assert_eq!(refunded.refundable(), gbp(0));
    /// // The same key and amount again: a replay, not a second refund.
    /// assert_eq!(refunded.refund(key, gbp(600))?.refunded(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refund(
        self,
        key: IdempotencyKey,
        amount: Money,
    ) -> Result<PaymentIntent<Refunded>, Rejected<Self>> {
        self.run(|ledger| ledger.refund(key, amount))
            .map(PaymentIntent::retype)
    }

    /// Before the HTTP call: checks a refund of `amount` under the caller's
    /// idempotency `key` and reserves it as pending (what is refundable
    /// leaves it out) until Dojo's answer is recorded with
    /// [`record_refund_answer`](Self::record_refund_answer). The
    /// [`PreparedRefund`] holds `POST /payment-intents/{id}/refunds` for API
    /// `version`, with `details` in its body.
    ///
    /// Preparing the same `key` and `amount` again while that refund is
    /// pending (its answer lost or not recorded yet) is the safe retry: a
    /// new token for the same pending refund and the same request bytes
    /// (the first `details` are sent again), never a second reservation;
    /// Dojo deduplicates by key. A key already recorded with `amount` gives
    /// a replay token that reserves nothing ([D7](crate::decisions#d7)).
    ///
    /// # Errors
    /// Any refund rule (another currency, zero, more than is refundable),
    /// `idempotency_conflict` for a key pending or recorded with another
    /// amount, `missing_intent_id` when the intent has no Dojo id.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{IdempotencyKey, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let details = RefundDetails::new(Some("damaged"), None)?;
    /// let (captured, prepared) = captured.prepare_refund(key.clone(), gbp(200), details, ApiVersion::default())?;
    /// assert_eq!(prepared.request().header("idempotencyKey"), Some("r_1"));
    /// // The safe retry: the same key and amount, the same request, one reservation.
    /// let (captured, again) = captured.prepare_refund(key, gbp(200), RefundDetails::default(), ApiVersion::default())?;
    /// assert_eq!(again.request().body(), prepared.request().body());
    /// assert_eq!(captured.refundable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_refund(
        mut self,
        key: IdempotencyKey,
        amount: Money,
        details: RefundDetails,
        version: ApiVersion,
    ) -> Result<(Self, PreparedRefund), Rejected<Self>> {
        match self.ledger.prepare_refund(key, amount, details, version) {
            Ok(prepared) => Ok((self, prepared)),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }

    /// After Dojo's answer: records it for the `prepared` refund, without
    /// re-running any rule. A 2xx with a `refundId` adds the amount to what
    /// is refunded and yields Dojo's refund id (for a replay token, nothing
    /// changes).
    ///
    /// # Errors
    /// A 4xx: Dojo refused, the reservation is released and the error
    /// carries the problem details. A 5xx, another status, a 2xx without a
    /// `refundId`, or no answer: the outcome is unknown, the amount stays
    /// reserved and the intent [`needs_read`](Self::needs_read); preparing
    /// the same key and amount again is the safe retry. A `prepared` refund
    /// not pending here: nothing changes.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{Answer, IdempotencyKey, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (captured, prepared) = captured.prepare_refund(key, gbp(200), RefundDetails::default(), ApiVersion::default())?;
    /// let body = br#"{"paymentIntentId":"pi_1","refundId":"rfnd_1"}"#;
    /// let (refunded, refund_id) = captured.record_refund_answer(prepared, Answer::Http { status: 200, body })?;
    /// assert_eq!(refund_id, "rfnd_1");
    /// assert_eq!(refunded.refunded(), gbp(200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_refund_answer(
        mut self,
        prepared: PreparedRefund,
        answer: Answer<'_>,
    ) -> Result<(PaymentIntent<Refunded>, String), AnswerError<Self>> {
        match self.ledger.record_refund_answer(prepared, answer) {
            Ok(id) => Ok((self.retype(), id)),
            Err(kind) => Err(AnswerError::new(self, Answered::Refund, kind)),
        }
    }
}

impl<S: CanReverse> PaymentIntent<S> {
    /// Reverses the whole payment (rule 6): a Manual intent while
    /// authorised with no capture in flight or made, within its deadline;
    /// an Auto intent once captured, on the payment's day in Europe/London.
    ///
    /// # Errors
    /// The wrong capture mode for this state, a capture in flight, or the
    /// reversal window closed.
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
    ///
    /// use dojo_capture::IntentState;
    ///
    /// let late = paid_at + dojo_capture::SignedDuration::from_hours(24 * 7);
    /// let refused = authorized.reverse(late).unwrap_err();
    /// assert_eq!(refused.code(), "reversal_window_closed");
    /// let reversed = refused.into_intent().reverse(paid_at)?;
    /// assert_eq!(reversed.state(), IntentState::Reversed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reverse(self, now: Timestamp) -> Result<PaymentIntent<Reversed>, Rejected<Self>> {
        self.run(|ledger| ledger.reverse(now))
            .map(PaymentIntent::retype)
    }

    /// Before the HTTP call: checks a reversal (rule 6) at `now` and records
    /// it as pending; builds `POST /payment-intents/{id}/reversal` (no body)
    /// for API `version`. While it is pending, captures, refunds and another
    /// reversal are refused with `operation_pending`.
    ///
    /// # Errors
    /// Any reversal rule; `operation_pending` while a refund or another
    /// operation is pending; `missing_intent_id`.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (authorized, prepared) = authorized.prepare_reversal(paid_at, ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/reversal");
    /// assert_eq!(prepared.request().body(), None);
    /// // While it is pending, nothing else is prepared.
    /// let refused = authorized.prepare_capture(gbp(1), None, paid_at, ApiVersion::default()).unwrap_err();
    /// assert_eq!(refused.code(), "operation_pending");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_reversal(
        mut self,
        now: Timestamp,
        version: ApiVersion,
    ) -> Result<(Self, PreparedReversal), Rejected<Self>> {
        match self.ledger.prepare_reversal(now, version) {
            Ok(prepared) => Ok((self, PreparedReversal(prepared))),
            Err(violation) => Err(Rejected::new(self, violation)),
        }
    }

    /// After Dojo's answer: a 2xx reverses the intent (whatever the body:
    /// the spec's own example names the id `id`, not `reversalId`).
    ///
    /// # Errors
    /// A 4xx: refused, the reversal is no longer pending. A 5xx, another
    /// status or no answer: the outcome is unknown and the intent
    /// [`needs_read`](Self::needs_read). A `prepared` reversal not pending
    /// here: nothing changes.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{Answer, IntentState};
    ///
    /// let (authorized, prepared) = authorized.prepare_reversal(paid_at, ApiVersion::default())?;
    /// let body = br#"{"message":"Reversal created","id":"rvs_1"}"#;
    /// let reversed = authorized.record_reversal_answer(prepared, Answer::Http { status: 200, body })?;
    /// assert_eq!(reversed.state(), IntentState::Reversed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_reversal_answer(
        mut self,
        prepared: PreparedReversal,
        answer: Answer<'_>,
    ) -> Result<PaymentIntent<Reversed>, AnswerError<Self>> {
        match self.ledger.record_operation_answer(prepared.0, answer) {
            Ok(()) => Ok(self.retype()),
            Err(kind) => Err(AnswerError::new(self, Answered::Reversal, kind)),
        }
    }
}

impl<S: State> fmt::Debug for PaymentIntent<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentIntent")
            .field("state", &S::STATE)
            .field("id", &self.ledger.id)
            .field("capture_mode", &self.ledger.mode)
            .field("amount", &self.ledger.amount)
            .field("captured", &self.captured())
            .field("in_flight", &self.in_flight())
            .field("refunded", &self.ledger.refunded)
            .finish_non_exhaustive()
    }
}
