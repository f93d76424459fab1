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
use crate::settle::SettleWindow;
use crate::state::{
    Authorized, Canceled, Captured, Created, IntentState, Refunded, Reversed, State,
};
use crate::wire::CaptureMode;

/// A payment intent in any state. `match` it to get the typed intent, or use
/// its methods, which apply the same rules as the typed ones and move the
/// intent to whatever state the amounts then imply.
///
/// ```
/// use dojo_capture::{AnyPaymentIntent, Currency, Money};
///
/// let json = std::fs::read("docs/examples/manual-authorized.json")?;
/// match AnyPaymentIntent::from_json(&json)? {
///     AnyPaymentIntent::Captured(captured) => {
///         assert_eq!(captured.captured(), Money::new(400, Currency::GBP));
///     }
///     other => panic!("expected Captured, got {}", other.state()),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, PartialEq, Eq)]
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
///
/// ```
/// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
/// # let intent = dojo_capture::AnyPaymentIntent::from_json(
/// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
///
/// use dojo_capture::Operation;
///
/// let now = "2024-07-26T10:00:00Z".parse()?;
/// assert!(intent.check(Operation::Capture(gbp(500)), now).is_ok());
/// assert_eq!(intent.check(Operation::Capture(gbp(501)), now).unwrap_err().code(), "over_capture");
/// assert_eq!(intent.check(Operation::Cancel, now).unwrap_err().code(), "invalid_transition");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
#[derive(PartialEq, Eq, thiserror::Error)]
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// use dojo_capture::IntentState;
    /// use dojo_capture::state::Refunded;
    ///
    /// let error = intent.try_into_state::<Refunded>().unwrap_err();
    /// assert_eq!(error.expected(), IntentState::Refunded);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expected(&self) -> IntentState {
        match self.kind {
            WrongStateKind::NotInState { expected, .. } => expected,
        }
    }

    /// The intent, unchanged.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// use dojo_capture::IntentState;
    /// use dojo_capture::state::Refunded;
    ///
    /// let back = intent.try_into_state::<Refunded>().unwrap_err().into_intent();
    /// assert_eq!(back.state(), IntentState::Captured);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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

    #[inline]
    /// A second intent with the same facts, for the crate's own dry runs
    /// (`check` applies an operation to it to show what would remain): never
    /// handed out, so that no two values can prepare the same money.
    pub(crate) fn duplicate(&self) -> AnyPaymentIntent {
        AnyPaymentIntent::from_ledger(Box::new(self.ledger().clone()))
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        dispatch!(self, intent => intent.ledger())
    }

    /// The ledger, for a change that keeps the state (the variant stays right).
    pub(crate) fn ledger_mut(&mut self) -> &mut Ledger {
        dispatch!(self, intent => intent.ledger_mut())
    }

    pub(crate) fn into_ledger(self) -> Box<Ledger> {
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// use dojo_capture::IntentState;
    ///
    /// // Dojo wrote "Authorized"; a Successful capture makes it Captured (D4).
    /// assert_eq!(intent.state(), IntentState::Captured);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state(&self) -> IntentState {
        self.ledger().state()
    }

    /// Dojo's id of the intent, when known.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.id(), Some("pi_sandbox_Mq7Yx2cVTJy0bDk4s9Hn3A"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> Option<&str> {
        dispatch!(self, intent => intent.id())
    }

    /// The authorised amount.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.amount(), gbp(1000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.ledger().amount
    }

    /// The intent's currency.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.currency(), dojo_capture::Currency::GBP);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn currency(&self) -> Currency {
        self.ledger().currency()
    }

    /// Auto or Manual.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.capture_mode(), dojo_capture::CaptureMode::Manual);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capture_mode(&self) -> CaptureMode {
        self.ledger().mode
    }

    /// When the customer paid ([D11](crate::decisions#d11)); `None` before payment.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// // paymentDetails.transactionDateTime, not createdAt (D11).
    /// assert_eq!(intent.paid_at(), Some("2024-07-25T08:49:20Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn paid_at(&self) -> Option<Timestamp> {
        self.ledger().paid_at
    }

    /// When capture and Manual reversal stop being possible ([D12](crate::decisions#d12)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.authorization_deadline(), Some("2024-08-01T08:49:20Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorization_deadline(&self) -> Option<Timestamp> {
        self.ledger().authorization_deadline()
    }

    /// The `autoExpireIn` settings, if any.
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, AutoExpireAction, SignedDuration};
    ///
    /// let json = std::fs::read("docs/examples/manual-auto-expire.json")?;
    /// let expiry = AnyPaymentIntent::from_json(&json)?.auto_expiry().expect("autoExpireIn is set");
    /// assert_eq!(expiry.after(), SignedDuration::from_hours(24));
    /// assert_eq!(expiry.action(), AutoExpireAction::Release);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auto_expiry(&self) -> Option<AutoExpiry> {
        self.ledger().auto_expiry
    }

    /// Whether the amount may be changed before payment (rule 8).
    ///
    /// ```
    /// use dojo_capture::AnyPaymentIntent;
    ///
    /// let json = std::fs::read("docs/examples/created-custom-amount.json")?;
    /// assert!(AnyPaymentIntent::from_json(&json)?.custom_amount_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn custom_amount_allowed(&self) -> bool {
        self.ledger().custom_amount_allowed
    }

    /// Captured so far.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.captured(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captured(&self) -> Money {
        self.ledger().captured()
    }

    /// In flight: captures Dojo accepted whose final status is not recorded
    /// yet, and captures prepared whose answer has not been recorded or was
    /// lost. Another capture cannot take it ([D1](crate::decisions#d1)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.in_flight(), gbp(100));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_flight(&self) -> Money {
        self.ledger().in_flight()
    }

    /// The captures prepared and not yet recorded, or whose outcome is
    /// unknown; see [`PaymentIntent::pending_captures`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (intent, _prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// assert_eq!(intent.pending_captures()[0].amount(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_captures(&self) -> &[PendingCapture] {
        &self.ledger().pending
    }

    /// The refunds prepared and not yet recorded, or whose outcome is
    /// unknown; see [`PaymentIntent::pending_refunds`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let intent = intent.capture(cp.clone(), gbp(600), now)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{IdempotencyKey, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (intent, _prepared) =
    ///     intent.prepare_refund(key.clone(), gbp(100), RefundDetails::default(), ApiVersion::default())?;
    /// assert_eq!(intent.pending_refunds()[0].key(), &key);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_refunds(&self) -> &[PendingRefund] {
        &self.ledger().pending_refunds
    }

    /// The reversal, cancel or change pending; see [`PaymentIntent::pending_operation`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::OperationKind;
    ///
    /// let (intent, _prepared) = intent.prepare_cancel(ApiVersion::default())?;
    /// assert_eq!(intent.pending_operation().map(|p| p.operation()), Some(OperationKind::Cancel));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_operation(&self) -> Option<&PendingOperation> {
        self.ledger().pending_operation.as_ref()
    }

    /// Whether the intent allows tips; see [`PaymentIntent::tips_allowed`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    ///
    /// assert!(intent.tips_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tips_allowed(&self) -> bool {
        self.ledger().tips_allowed
    }

    /// The intent's own tip; see [`PaymentIntent::tips`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.tips(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tips(&self) -> Option<Money> {
        self.ledger().tips
    }

    /// Whether a prepared operation's outcome is unknown; see
    /// [`PaymentIntent::needs_read`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let intent = intent
    ///     .record_capture_answer(prepared, Answer::Http { status: 503, body: b"" })
    ///     .unwrap_err()
    ///     .into_intent();
    /// assert!(intent.needs_read());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn needs_read(&self) -> bool {
        self.ledger().needs_read()
    }

    /// Refunded so far.
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, Currency, Money};
    ///
    /// let json = std::fs::read("docs/examples/manual-refunded.json")?;
    /// assert_eq!(AnyPaymentIntent::from_json(&json)?.refunded(), Money::new(250, Currency::GBP));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refunded(&self) -> Money {
        self.ledger().refunded
    }

    /// Every capture recorded, in order.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// use dojo_capture::CaptureStatus;
    ///
    /// let statuses: Vec<_> = intent.captures().iter().map(|c| c.status()).collect();
    /// assert_eq!(statuses, [CaptureStatus::Successful, CaptureStatus::Created]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captures(&self) -> &[CaptureRecord] {
        &self.ledger().captures
    }

    /// What another capture may still take ([D1](crate::decisions#d1)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// // 10.00 − 1.00 in flight − 4.00 captured.
    /// assert_eq!(intent.capturable(), gbp(500));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capturable(&self) -> Money {
        self.ledger().capturable()
    }

    /// The tips taken with the payment, which a refund may return ([D14](crate::decisions#d14)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// assert_eq!(intent.captured_tips(), gbp(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn captured_tips(&self) -> Money {
        self.ledger().captured_tips()
    }

    /// What another refund may still take: captured + captured tips −
    /// refunded ([D2](crate::decisions#d2), [D14](crate::decisions#d14)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// // What was captured; the 1.00 in flight is not refundable yet.
    /// assert_eq!(intent.refundable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// use dojo_capture::{Operation, Rule};
    ///
    /// let now = "2024-07-26T10:00:00Z".parse()?;
    /// assert!(intent.check(Operation::Refund(gbp(400)), now).is_ok());
    /// let refused = intent.check(Operation::Reverse, now).unwrap_err();
    /// assert_eq!(refused.rule(), Rule::InvalidTransition);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn check(&self, operation: Operation, now: Timestamp) -> Result<(), RuleViolation> {
        self.ledger().check(operation, now)
    }

    /// The customer paid at `paid_at` (only a Created intent).
    ///
    /// # Errors
    /// The intent is not Created.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    ///
    /// use dojo_capture::IntentState;
    ///
    /// let paid = intent.authorize("2024-07-25T08:49:20Z".parse()?)?;
    /// assert_eq!(paid.state(), IntentState::Authorized);
    /// assert_eq!(paid.authorize("2024-07-25T08:49:20Z".parse()?).unwrap_err().code(), "invalid_transition");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(self, paid_at: Timestamp) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.authorize(paid_at))
    }

    /// Records a capture in flight; see [`PaymentIntent::capture`].
    ///
    /// # Errors
    /// Any capture rule.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let intent = intent.capture(CaptureId::new("cp_1")?, gbp(600), now)?;
    /// assert_eq!(intent.in_flight(), gbp(600));
    /// let refused = intent.capture(CaptureId::new("cp_2")?, gbp(500), now).unwrap_err();
    /// assert_eq!(refused.code(), "over_capture");
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

    /// Records a capture in flight with a tip; see [`PaymentIntent::capture_with_tips`].
    ///
    /// # Errors
    /// Any capture rule.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// use dojo_capture::CaptureId;
    ///
    /// let intent = intent.capture_with_tips(CaptureId::new("cp_1")?, gbp(1000), Some(gbp(100)), now)?;
    /// assert_eq!(intent.in_flight(), gbp(1000));
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

    /// Before the HTTP call: checks a capture and records it as pending; see
    /// [`PaymentIntent::prepare_capture`].
    ///
    /// # Errors
    /// Any capture rule, `outcome_unknown` or `missing_intent_id`.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), Some(gbp(50)), now, ApiVersion::default())?;
    /// assert_eq!(prepared.request().body(), Some(&br#"{"amount":600,"tipsAmount":50}"#[..]));
    /// assert_eq!(intent.capturable(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let refused = intent
    ///     .record_capture_answer(prepared, Answer::Http { status: 409, body: b"{}" })
    ///     .unwrap_err();
    /// assert_eq!(refused.code(), "capture_refused");
    /// assert_eq!(refused.into_intent().capturable(), gbp(1000), "released");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let intent = intent.capture(cp.clone(), gbp(600), now)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{IdempotencyKey, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (intent, prepared) = intent.prepare_refund(key, gbp(600), RefundDetails::default(), ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/refunds");
    /// assert_eq!(intent.refundable(), gbp(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let intent = intent.capture(cp.clone(), gbp(600), now)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{Answer, IdempotencyKey, IntentState, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (intent, prepared) = intent.prepare_refund(key, gbp(600), RefundDetails::default(), ApiVersion::default())?;
    /// let body = br#"{"refundId":"rfnd_1"}"#;
    /// let (intent, refund_id) = intent.record_refund_answer(prepared, Answer::Http { status: 200, body })?;
    /// assert_eq!((intent.state(), refund_id.as_str()), (IntentState::Refunded, "rfnd_1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (intent, prepared) = intent.prepare_reversal(now, ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/reversal");
    /// assert!(intent.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{Answer, IntentState};
    ///
    /// let (intent, prepared) = intent.prepare_reversal(now, ApiVersion::default())?;
    /// let intent = intent.record_reversal_answer(prepared, Answer::Http { status: 200, body: b"{}" })?;
    /// assert_eq!(intent.state(), IntentState::Reversed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (intent, prepared) = intent.prepare_cancel(ApiVersion::default())?;
    /// assert_eq!(prepared.request().method().as_str(), "DELETE");
    /// assert!(intent.pending_operation().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{Answer, IntentState};
    ///
    /// let (intent, prepared) = intent.prepare_cancel(ApiVersion::default())?;
    /// // A 2xx whose intent reads and is not Canceled contradicts the cancel: unknown.
    /// let body = br#"{"status": "Created", "amount": {"value": 1000, "currencyCode": "GBP"}}"#;
    /// let unknown = intent.record_cancel_answer(prepared, Answer::Http { status: 200, body }).unwrap_err();
    /// assert_eq!(unknown.code(), "cancel_answer_contradicts");
    /// assert_eq!(unknown.intent().state(), IntentState::Created);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (intent, prepared) = intent.prepare_change_amount(gbp(1200), ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/amount");
    /// assert_eq!(intent.amount(), gbp(1000), "changed only once Dojo answers");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let (intent, prepared) = intent.prepare_change_amount(gbp(1200), ApiVersion::default())?;
    /// let intent = intent.record_change_amount_answer(prepared, Answer::Http { status: 200, body: b"" })?;
    /// assert_eq!(intent.amount(), gbp(1200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (_intent, prepared) = intent.prepare_change_tips(gbp(100), ApiVersion::default())?;
    /// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/tips-amount");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::Answer;
    ///
    /// let (intent, prepared) = intent.prepare_change_tips(gbp(100), ApiVersion::default())?;
    /// let intent = intent.record_change_tips_answer(prepared, Answer::Http { status: 200, body: b"" })?;
    /// assert_eq!(intent.tips(), Some(gbp(100)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// // Prepared and stored, then the process crashed: the answer will never be recorded.
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let intent = intent.record_answer_lost(prepared.local_id());
    /// assert!(intent.needs_read());
    /// assert_eq!(intent.in_flight(), gbp(600), "kept until a read settles it");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_answer_lost(mut self, local_id: u64) -> Self {
        self.ledger_mut().record_answer_lost(Some(local_id), None);
        self
    }

    /// After a lost answer, with the moment it was declared lost: starts
    /// the settle window of what is of unknown outcome; see
    /// [`PaymentIntent::start_settling`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::{Answer, SettleWindow, request::ApiVersion};
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, now, ApiVersion::default())?;
    /// let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
    /// let lost_at: dojo_capture::Timestamp = "2024-07-25T09:30:30Z".parse()?;
    /// let intent = intent.start_settling(lost_at, SettleWindow::default());
    /// assert_eq!(intent.pending_captures()[0].settle_horizon(), Some("2024-07-25T09:45:30Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_settling(mut self, lost_at: Timestamp, window: SettleWindow) -> Self {
        self.ledger_mut().start_settling(lost_at, window);
        self
    }

    /// After a lost answer: the refund prepared under `key` will never have
    /// its answer recorded; see [`PaymentIntent::record_refund_answer_lost`].
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let intent = intent.capture(cp.clone(), gbp(600), now)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// use dojo_capture::{IdempotencyKey, RefundDetails};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (intent, _prepared) =
    ///     intent.prepare_refund(key.clone(), gbp(100), RefundDetails::default(), ApiVersion::default())?;
    /// let intent = intent.record_refund_answer_lost(&key);
    /// assert!(intent.needs_read());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// use dojo_capture::{CaptureId, CaptureOutcome, IntentState};
    ///
    /// let id = CaptureId::new("cp_1")?;
    /// let intent = intent.capture(id.clone(), gbp(600), now)?;
    /// let intent = intent.record_capture_outcome(&id, CaptureOutcome::Successful)?;
    /// assert_eq!(intent.state(), IntentState::Captured);
    /// let unknown = CaptureId::new("cp_2")?;
    /// let refused = intent.record_capture_outcome(&unknown, CaptureOutcome::Failed).unwrap_err();
    /// assert_eq!(refused.code(), "unknown_capture");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// # let cp = dojo_capture::CaptureId::new("cp_1")?;
    /// # let intent = intent.capture(cp.clone(), gbp(600), now)?
    /// #     .record_capture_outcome(&cp, dojo_capture::CaptureOutcome::Successful)?;
    ///
    /// use dojo_capture::{IdempotencyKey, IntentState};
    ///
    /// let intent = intent.refund(IdempotencyKey::new("r_1")?, gbp(100))?;
    /// assert_eq!(intent.state(), IntentState::Refunded);
    /// let refused = intent.refund(IdempotencyKey::new("r_2")?, gbp(501)).unwrap_err();
    /// assert_eq!(refused.code(), "over_refund");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refund(self, key: IdempotencyKey, amount: Money) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.refund(key, amount))
    }

    /// Reverses the payment; see [`PaymentIntent::reverse`].
    ///
    /// # Errors
    /// Any reversal rule.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let now: dojo_capture::Timestamp = "2024-07-25T09:30:00Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    ///
    /// use dojo_capture::IntentState;
    ///
    /// assert_eq!(intent.reverse(now)?.state(), IntentState::Reversed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reverse(self, now: Timestamp) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.reverse(now))
    }

    /// Cancels the intent (rule 4).
    ///
    /// # Errors
    /// The intent is not Created.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    ///
    /// use dojo_capture::IntentState;
    ///
    /// let canceled = intent.cancel()?;
    /// assert_eq!(canceled.state(), IntentState::Canceled);
    /// assert_eq!(canceled.cancel().unwrap_err().code(), "invalid_transition");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel(self) -> Result<Self, Rejected<Self>> {
        self.run(Ledger::cancel)
    }

    /// Changes the amount (rule 8, [D6](crate::decisions#d6)).
    ///
    /// # Errors
    /// Any change-amount rule.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Created",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}}}"#)?;
    ///
    /// assert_eq!(intent.change_amount(gbp(1500))?.amount(), gbp(1500));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn change_amount(self, amount: Money) -> Result<Self, Rejected<Self>> {
        self.run(|ledger| ledger.change_amount(amount))
    }

    /// The typed intent, when it is in state `S`.
    ///
    /// # Errors
    /// It is in another state; the intent is handed back.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    ///
    /// use dojo_capture::PaymentIntent;
    /// use dojo_capture::state::Captured;
    ///
    /// let captured: PaymentIntent<Captured> = intent.try_into_state()?;
    /// assert_eq!(captured.capturable(), gbp(500));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
