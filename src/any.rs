//! [`AnyPaymentIntent`]: an intent whose state is known only at run time
//! (read back from the API, a database or a webhook).

use jiff::Timestamp;

use crate::ids::{CaptureId, IdempotencyKey};
use crate::intent::{PaymentIntent, Rejected};
use crate::ledger::{
    AutoExpiry, CaptureOutcome, CaptureRecord, Ledger, PendingCapture, PendingOperation,
    PendingRefund,
};
use crate::money::{Currency, Money};
use crate::prepared::{
    Answer, AnswerError, Answered, PreparedAmountChange, PreparedCancel, PreparedCapture,
    PreparedOperation, PreparedRefund, PreparedReversal, PreparedTipsChange, RefundDetails,
};
use crate::request::ApiVersion;
use crate::rule::RuleViolation;
use crate::state::{
    Authorized, Canceled, Captured, Created, IntentState, Refunded, Reversed, State,
};
use crate::wire::CaptureMode;

/// A payment intent in any state. `match` it to get the typed intent, or use
/// its methods, which apply the same rules as the typed ones and move the
/// intent to whatever state the amounts then imply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnyPaymentIntent {
    /// Waiting for payment.
    Created(PaymentIntent<Created>),
    /// Paid, nothing captured.
    Authorized(PaymentIntent<Authorized>),
    /// Captured in part or in full, nothing refunded.
    Captured(PaymentIntent<Captured>),
    /// Refunded at least once.
    Refunded(PaymentIntent<Refunded>),
    /// Reversed.
    Reversed(PaymentIntent<Reversed>),
    /// Canceled.
    Canceled(PaymentIntent<Canceled>),
}

/// An operation whose legality [`AnyPaymentIntent::check`] can judge without
/// ids or keys: what the `check` command asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Capture this amount.
    Capture(Money),
    /// Refund this amount.
    Refund(Money),
    /// Reverse the whole payment.
    Reverse,
    /// Cancel the intent.
    Cancel,
    /// Change the amount to this.
    ChangeAmount(Money),
}

/// Asks a typed intent back from an [`AnyPaymentIntent`] in another state.
///
/// It hands the intent back with [`WrongState::into_intent`]; its `Debug`
/// prints only the code and the message, not the intent.
///
/// ```
/// use dojo_capture::state::Authorized;
/// use dojo_capture::{AnyPaymentIntent, CaptureMode, Currency, Money, PaymentIntent};
///
/// let intent = AnyPaymentIntent::from(PaymentIntent::new(
///     Money::new(1000, Currency::GBP),
///     CaptureMode::Manual,
/// ));
/// let error = intent.try_into_state::<Authorized>().unwrap_err();
/// assert_eq!(error.code(), "wrong_state");
/// assert_eq!(error.to_string(), "the intent is Created, not Authorized");
/// assert_eq!(
///     format!("{error:?}"),
///     r#"WrongState { code: "wrong_state", message: "the intent is Created, not Authorized" }"#
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct WrongState {
    intent: AnyPaymentIntent,
    kind: WrongStateKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
enum WrongStateKind {
    #[error("the intent is {actual}, not {expected}")]
    NotInState {
        actual: IntentState,
        expected: IntentState,
    },
}

impl WrongState {
    /// The state that was asked for.
    pub fn expected(&self) -> IntentState {
        match self.kind {
            WrongStateKind::NotInState { expected, .. } => expected,
        }
    }

    /// The intent, unchanged.
    pub fn into_intent(self) -> AnyPaymentIntent {
        self.intent
    }

    /// A stable snake_case name for the error: always `wrong_state`.
    ///
    /// ```
    /// use dojo_capture::state::Created;
    /// use dojo_capture::{AnyPaymentIntent, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let canceled = PaymentIntent::new(Money::new(1, Currency::GBP), CaptureMode::Auto).cancel();
    /// let error = AnyPaymentIntent::from(canceled)
    ///     .try_into_state::<Created>()
    ///     .unwrap_err();
    /// assert_eq!(error.code(), "wrong_state");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            WrongStateKind::NotInState { .. } => "wrong_state",
        }
    }
}

crate::error::debug_code_and_message!(WrongState);

macro_rules! dispatch {
    ($self:expr, $intent:ident => $body:expr) => {
        match $self {
            AnyPaymentIntent::Created($intent) => $body,
            AnyPaymentIntent::Authorized($intent) => $body,
            AnyPaymentIntent::Captured($intent) => $body,
            AnyPaymentIntent::Refunded($intent) => $body,
            AnyPaymentIntent::Reversed($intent) => $body,
            AnyPaymentIntent::Canceled($intent) => $body,
        }
    };
}

impl AnyPaymentIntent {
    /// Wraps the ledger in the variant its amounts imply: the one place the
    /// runtime state is chosen.
    pub(crate) fn from_ledger(ledger: Box<Ledger>) -> Self {
        match ledger.state() {
            IntentState::Created => AnyPaymentIntent::Created(PaymentIntent::from_ledger(ledger)),
            IntentState::Authorized => {
                AnyPaymentIntent::Authorized(PaymentIntent::from_ledger(ledger))
            }
            IntentState::Captured => AnyPaymentIntent::Captured(PaymentIntent::from_ledger(ledger)),
            IntentState::Refunded => AnyPaymentIntent::Refunded(PaymentIntent::from_ledger(ledger)),
            IntentState::Reversed => AnyPaymentIntent::Reversed(PaymentIntent::from_ledger(ledger)),
            IntentState::Canceled => AnyPaymentIntent::Canceled(PaymentIntent::from_ledger(ledger)),
        }
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        dispatch!(self, intent => intent.ledger())
    }

    /// The ledger, for a change that keeps the state (the variant stays right).
    pub(crate) fn ledger_mut(&mut self) -> &mut Ledger {
        dispatch!(self, intent => intent.ledger_mut())
    }

    fn into_ledger(self) -> Box<Ledger> {
        dispatch!(self, intent => intent.into_ledger())
    }

    /// Runs one of the ledger's operations, which checks and applies it, and
    /// wraps the ledger in the variant its amounts then imply; a refused
    /// operation hands the intent back untouched, in the same variant.
    fn run(
        self,
        operation: impl FnOnce(&mut Ledger) -> Result<(), RuleViolation>,
    ) -> Result<Self, Rejected<Self>> {
        let mut ledger = self.into_ledger();
        let ran = operation(&mut ledger);
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match ran {
            Ok(()) => Ok(intent),
            Err(violation) => Err(Rejected::new(intent, violation)),
        }
    }

    /// The state.
    pub fn state(&self) -> IntentState {
        self.ledger().state()
    }

    /// Dojo's id of the intent, when known.
    pub fn id(&self) -> Option<&str> {
        dispatch!(self, intent => intent.id())
    }

    /// The authorised amount.
    pub fn amount(&self) -> Money {
        self.ledger().amount
    }

    /// The intent's currency.
    pub fn currency(&self) -> Currency {
        self.ledger().currency()
    }

    /// Auto or Manual.
    pub fn capture_mode(&self) -> CaptureMode {
        self.ledger().mode
    }

    /// When the customer paid (D11); `None` before payment.
    pub fn paid_at(&self) -> Option<Timestamp> {
        self.ledger().paid_at
    }

    /// When capture and Manual reversal stop being possible (D12).
    pub fn authorization_deadline(&self) -> Option<Timestamp> {
        self.ledger().authorization_deadline()
    }

    /// The `autoExpireIn` settings, if any.
    pub fn auto_expiry(&self) -> Option<AutoExpiry> {
        self.ledger().auto_expiry
    }

    /// Whether the amount may be changed before payment (rule 8).
    pub fn custom_amount_allowed(&self) -> bool {
        self.ledger().custom_amount_allowed
    }

    /// Captured so far.
    pub fn captured(&self) -> Money {
        self.ledger().captured()
    }

    /// In flight: captures Dojo accepted whose final status is not recorded
    /// yet, and captures prepared whose answer has not been recorded or was
    /// lost. Another capture cannot take it (D1).
    pub fn in_flight(&self) -> Money {
        self.ledger().in_flight()
    }

    /// The captures prepared and not yet recorded, or whose outcome is
    /// unknown; see [`PaymentIntent::pending_captures`].
    pub fn pending_captures(&self) -> &[PendingCapture] {
        &self.ledger().pending
    }

    /// The refunds prepared and not yet recorded, or whose outcome is
    /// unknown; see [`PaymentIntent::pending_refunds`].
    pub fn pending_refunds(&self) -> &[PendingRefund] {
        &self.ledger().pending_refunds
    }

    /// The reversal, cancel or change pending; see [`PaymentIntent::pending_operation`].
    pub fn pending_operation(&self) -> Option<&PendingOperation> {
        self.ledger().pending_operation.as_ref()
    }

    /// Whether the intent allows tips; see [`PaymentIntent::tips_allowed`].
    pub fn tips_allowed(&self) -> bool {
        self.ledger().tips_allowed
    }

    /// The intent's own tip; see [`PaymentIntent::tips`].
    pub fn tips(&self) -> Option<Money> {
        self.ledger().tips
    }

    /// Whether a prepared operation's outcome is unknown; see
    /// [`PaymentIntent::needs_read`].
    pub fn needs_read(&self) -> bool {
        self.ledger().needs_read()
    }

    /// Refunded so far.
    pub fn refunded(&self) -> Money {
        self.ledger().refunded
    }

    /// Every capture recorded, in order.
    pub fn captures(&self) -> &[CaptureRecord] {
        &self.ledger().captures
    }

    /// What another capture may still take (D1).
    pub fn capturable(&self) -> Money {
        self.ledger().capturable()
    }

    /// The tips taken with the payment, which a refund may return (D14).
    pub fn captured_tips(&self) -> Money {
        self.ledger().captured_tips()
    }

    /// What another refund may still take: captured + captured tips −
    /// refunded (D2, D14).
    pub fn refundable(&self) -> Money {
        self.ledger().refundable()
    }

    /// Whether `operation` would be accepted at `now`, without changing anything.
    ///
    /// A capture is judged as [`prepare_capture`](Self::prepare_capture)
    /// judges it, `outcome_unknown` included, but without needing Dojo's id
    /// of the intent.
    ///
    /// # Errors
    /// The rule that would refuse it.
    pub fn check(&self, operation: Operation, now: Timestamp) -> Result<(), RuleViolation> {
        self.ledger().check(operation, now)
    }

    /// The customer paid at `paid_at` (only a Created intent).
    ///
    /// # Errors
    /// The intent is not Created.
    pub fn authorize(self, paid_at: Timestamp) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.authorize(paid_at))
    }

    /// Records a capture in flight; see [`PaymentIntent::capture`].
    ///
    /// # Errors
    /// Any capture rule.
    pub fn capture(
        self,
        id: CaptureId,
        amount: Money,
        now: Timestamp,
    ) -> Result<Self, Rejected<Self>> {
        self.capture_with_tips(id, amount, None, now)
    }

    /// Records a capture in flight with a tip; see [`PaymentIntent::capture_with_tips`].
    ///
    /// # Errors
    /// Any capture rule.
    pub fn capture_with_tips(
        self,
        id: CaptureId,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
    ) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.capture(id, amount, tips, now))
    }

    /// Before the HTTP call: checks a capture and records it as pending; see
    /// [`PaymentIntent::prepare_capture`].
    ///
    /// # Errors
    /// Any capture rule, `outcome_unknown` or `missing_intent_id`.
    pub fn prepare_capture(
        self,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
        version: ApiVersion,
    ) -> Result<(Self, PreparedCapture), Rejected<Self>> {
        let mut ledger = self.into_ledger();
        let prepared = ledger.prepare_capture(amount, tips, now, version);
        // A pending capture changes no state: the variant is the same.
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match prepared {
            Ok(prepared) => Ok((intent, prepared)),
            Err(violation) => Err(Rejected::new(intent, violation)),
        }
    }

    /// After Dojo's answer: records it for the `prepared` capture, without
    /// re-running any rule; see [`PaymentIntent::record_capture_answer`].
    ///
    /// # Errors
    /// Dojo refused, the outcome is unknown, or `prepared` is not pending in
    /// this intent; the intent is in the error.
    pub fn record_capture_answer(
        self,
        prepared: PreparedCapture,
        answer: Answer<'_>,
    ) -> Result<(Self, CaptureId), AnswerError<Self>> {
        let mut ledger = self.into_ledger();
        let recorded = ledger.record_capture_answer(prepared, answer);
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match recorded {
            Ok(id) => Ok((intent, id)),
            Err(kind) => Err(AnswerError::new(intent, Answered::Capture, kind)),
        }
    }

    /// Before the HTTP call: checks a refund under `key` and reserves it as
    /// pending; see [`PaymentIntent::prepare_refund`], whose retry it shares.
    ///
    /// # Errors
    /// Any refund rule, `idempotency_conflict` or `missing_intent_id`.
    pub fn prepare_refund(
        self,
        key: IdempotencyKey,
        amount: Money,
        details: RefundDetails,
        version: ApiVersion,
    ) -> Result<(Self, PreparedRefund), Rejected<Self>> {
        let mut ledger = self.into_ledger();
        let prepared = ledger.prepare_refund(key, amount, details, version);
        // A pending refund changes no state: the variant is the same.
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match prepared {
            Ok(prepared) => Ok((intent, prepared)),
            Err(violation) => Err(Rejected::new(intent, violation)),
        }
    }

    /// After Dojo's answer: records it for the `prepared` refund, without
    /// re-running any rule; see [`PaymentIntent::record_refund_answer`].
    ///
    /// # Errors
    /// Dojo refused, the outcome is unknown, or `prepared` is not pending in
    /// this intent; the intent is in the error.
    pub fn record_refund_answer(
        self,
        prepared: PreparedRefund,
        answer: Answer<'_>,
    ) -> Result<(Self, String), AnswerError<Self>> {
        let mut ledger = self.into_ledger();
        let recorded = ledger.record_refund_answer(prepared, answer);
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match recorded {
            Ok(id) => Ok((intent, id)),
            Err(kind) => Err(AnswerError::new(intent, Answered::Refund, kind)),
        }
    }

    /// Prepares `prepare` on the ledger and wraps the token with `wrap`.
    fn prepare_with<T>(
        self,
        prepare: impl FnOnce(&mut Ledger) -> Result<PreparedOperation, RuleViolation>,
        wrap: impl FnOnce(PreparedOperation) -> T,
    ) -> Result<(Self, T), Rejected<Self>> {
        let mut ledger = self.into_ledger();
        let prepared = prepare(&mut ledger);
        // A pending operation changes no state: the variant is the same.
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match prepared {
            Ok(prepared) => Ok((intent, wrap(prepared))),
            Err(violation) => Err(Rejected::new(intent, violation)),
        }
    }

    /// Records an answer to a prepared reversal, cancel or change.
    fn record_operation(
        self,
        prepared: PreparedOperation,
        answered: Answered,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        let mut ledger = self.into_ledger();
        let recorded = ledger.record_operation_answer(prepared, answer);
        let intent = AnyPaymentIntent::from_ledger(ledger);
        match recorded {
            Ok(()) => Ok(intent),
            Err(kind) => Err(AnswerError::new(intent, answered, kind)),
        }
    }

    /// Before the HTTP call: checks a reversal and records it as pending;
    /// see [`PaymentIntent::prepare_reversal`].
    ///
    /// # Errors
    /// Any reversal rule, `operation_pending` or `missing_intent_id`.
    pub fn prepare_reversal(
        self,
        now: Timestamp,
        version: ApiVersion,
    ) -> Result<(Self, PreparedReversal), Rejected<Self>> {
        self.prepare_with(|l| l.prepare_reversal(now, version), PreparedReversal)
    }

    /// After Dojo's answer to a reversal; see [`PaymentIntent::record_reversal_answer`].
    ///
    /// # Errors
    /// Refused, outcome unknown, or not pending; the intent is in the error.
    pub fn record_reversal_answer(
        self,
        prepared: PreparedReversal,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        self.record_operation(prepared.0, Answered::Reversal, answer)
    }

    /// Before the HTTP call: checks a cancel and records it as pending; see
    /// [`PaymentIntent::prepare_cancel`].
    ///
    /// # Errors
    /// The intent is not Created, `operation_pending` or `missing_intent_id`.
    pub fn prepare_cancel(
        self,
        version: ApiVersion,
    ) -> Result<(Self, PreparedCancel), Rejected<Self>> {
        self.prepare_with(|l| l.prepare_cancel(version), PreparedCancel)
    }

    /// After Dojo's answer to a cancel; see [`PaymentIntent::record_cancel_answer`].
    ///
    /// # Errors
    /// Refused, outcome unknown, or not pending; the intent is in the error.
    pub fn record_cancel_answer(
        self,
        prepared: PreparedCancel,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        self.record_operation(prepared.0, Answered::Cancel, answer)
    }

    /// Before the HTTP call: checks a change of amount and records it as
    /// pending; see [`PaymentIntent::prepare_change_amount`].
    ///
    /// # Errors
    /// Any change-amount rule, `operation_pending` or `missing_intent_id`.
    pub fn prepare_change_amount(
        self,
        amount: Money,
        version: ApiVersion,
    ) -> Result<(Self, PreparedAmountChange), Rejected<Self>> {
        self.prepare_with(
            |l| l.prepare_change_amount(amount, version),
            PreparedAmountChange,
        )
    }

    /// After Dojo's answer to a change of amount; see
    /// [`PaymentIntent::record_change_amount_answer`].
    ///
    /// # Errors
    /// Refused, outcome unknown, or not pending; the intent is in the error.
    pub fn record_change_amount_answer(
        self,
        prepared: PreparedAmountChange,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        self.record_operation(prepared.0, Answered::ChangeAmount, answer)
    }

    /// Before the HTTP call: checks a change of tip and records it as
    /// pending; see [`PaymentIntent::prepare_change_tips`].
    ///
    /// # Errors
    /// The intent is not Created, `tips_not_allowed`, `currency_mismatch`,
    /// `operation_pending` or `missing_intent_id`.
    pub fn prepare_change_tips(
        self,
        tips: Money,
        version: ApiVersion,
    ) -> Result<(Self, PreparedTipsChange), Rejected<Self>> {
        self.prepare_with(|l| l.prepare_change_tips(tips, version), PreparedTipsChange)
    }

    /// After Dojo's answer to a change of tip; see
    /// [`PaymentIntent::record_change_tips_answer`].
    ///
    /// # Errors
    /// Refused, outcome unknown, or not pending; the intent is in the error.
    pub fn record_change_tips_answer(
        self,
        prepared: PreparedTipsChange,
        answer: Answer<'_>,
    ) -> Result<Self, AnswerError<Self>> {
        self.record_operation(prepared.0, Answered::ChangeTips, answer)
    }

    /// After a lost answer: the capture or the reversal, cancel or change
    /// prepared under `local_id` will never have its answer recorded; see
    /// [`PaymentIntent::record_answer_lost`].
    pub fn record_answer_lost(mut self, local_id: u64) -> Self {
        self.ledger_mut().record_answer_lost(Some(local_id), None);
        self
    }

    /// After a lost answer: the refund prepared under `key` will never have
    /// its answer recorded; see [`PaymentIntent::record_refund_answer_lost`].
    pub fn record_refund_answer_lost(mut self, key: &IdempotencyKey) -> Self {
        self.ledger_mut().record_answer_lost(None, Some(key));
        self
    }

    /// After Dojo reports a capture's final status: records it; see
    /// [`PaymentIntent::record_capture_outcome`].
    ///
    /// # Errors
    /// No capture in flight has this id, or its final status is already
    /// another outcome.
    pub fn record_capture_outcome(
        self,
        id: &CaptureId,
        outcome: CaptureOutcome,
    ) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.record_capture_outcome(id, outcome))
    }

    /// Records a refund; see [`PaymentIntent::refund`].
    ///
    /// # Errors
    /// Any refund rule.
    pub fn refund(self, key: IdempotencyKey, amount: Money) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.refund(key, amount))
    }

    /// Reverses the payment; see [`PaymentIntent::reverse`].
    ///
    /// # Errors
    /// Any reversal rule.
    pub fn reverse(self, now: Timestamp) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.reverse(now))
    }

    /// Cancels the intent (rule 4).
    ///
    /// # Errors
    /// The intent is not Created.
    pub fn cancel(self) -> Result<Self, Rejected<Self>> {
        self.run(Ledger::cancel)
    }

    /// Changes the amount (rule 8, D6).
    ///
    /// # Errors
    /// Any change-amount rule.
    pub fn change_amount(self, amount: Money) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.change_amount(amount))
    }

    /// The typed intent, when it is in state `S`.
    ///
    /// # Errors
    /// It is in another state; the intent is handed back.
    pub fn try_into_state<S: State>(self) -> Result<PaymentIntent<S>, WrongState> {
        if self.state() == S::STATE {
            Ok(PaymentIntent::from_ledger(self.into_ledger()))
        } else {
            Err(WrongState {
                kind: WrongStateKind::NotInState {
                    actual: self.state(),
                    expected: S::STATE,
                },
                intent: self,
            })
        }
    }
}

macro_rules! conversions {
    ($($state:ident),*) => {$(
        impl From<PaymentIntent<$state>> for AnyPaymentIntent {
            fn from(intent: PaymentIntent<$state>) -> Self {
                AnyPaymentIntent::$state(intent)
            }
        }
        impl TryFrom<AnyPaymentIntent> for PaymentIntent<$state> {
            type Error = WrongState;
            fn try_from(intent: AnyPaymentIntent) -> Result<Self, WrongState> {
                intent.try_into_state()
            }
        }
    )*};
}
conversions!(Created, Authorized, Captured, Refunded, Reversed, Canceled);
