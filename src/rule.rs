//! The rules an operation can break, with stable codes, and the violation
//! that names the rule and the amounts involved.

use std::fmt;

use jiff::Timestamp;

use crate::money::{Currency, Money};
use crate::state::IntentState;

/// A lifecycle rule. [`Rule::code`] is the stable snake_case name used by the
/// command line's `--json` output and by embedding crates' logs.
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
/// use dojo_capture::{CaptureId, Rule};
///
/// let rejected = authorized
///     .capture(CaptureId::new("cp_1")?, gbp(1001), paid_at)
///     .unwrap_err();
/// assert_eq!(rejected.rule(), Rule::OverCapture);
/// assert_eq!(Rule::OverCapture.code(), "over_capture");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Captures, counting those in flight, would pass the authorised amount (rule 2,
    /// [D1](crate::decisions#d1)).
    OverCapture,
    /// Refunds would pass what was captured (rule 5, [D2](crate::decisions#d2)).
    OverRefund,
    /// The intent has been refunded; it can never be captured again (rule 3,
    /// [D3](crate::decisions#d3)).
    CaptureAfterRefund,
    /// The intent has been reversed; it can never be captured (rule 3).
    CaptureAfterReversal,
    /// The operation never applies in the intent's state (rules 4, 6, 8, [D5](crate::decisions#d5),
    /// [D6](crate::decisions#d6)).
    InvalidTransition,
    /// Only a Manual intent is captured by the merchant (rule 1).
    AutoCaptureMode,
    /// The amount is in another currency than the intent ([D9](crate::decisions#d9)).
    CurrencyMismatch,
    /// A capture, refund or new amount of zero (wire rules, [D6](crate::decisions#d6)).
    ZeroAmount,
    /// The time allowed for a reversal has passed (rule 6, [D12](crate::decisions#d12)).
    ReversalWindowClosed,
    /// The authorisation has expired; nothing more can be captured (rule 7,
    /// [D12](crate::decisions#d12)).
    AuthorizationExpired,
    /// A capture id already recorded with another amount ([D7](crate::decisions#d7)).
    CaptureConflict,
    /// A refund idempotency key already used with another amount ([D7](crate::decisions#d7)).
    IdempotencyConflict,
    /// The intent does not allow its amount to be changed (rule 8).
    CustomAmountNotAllowed,
    /// The outcome of a capture that was never recorded, or a second, different one
    /// ([D1](crate::decisions#d1)).
    UnknownCapture,
    /// Another capture's outcome is unknown (its answer was lost): no
    /// capture is prepared until the intent is read again from Dojo, or the
    /// money could be captured twice.
    OutcomeUnknown,
    /// A request is prepared for an intent without Dojo's id (`pi_…`), which its path needs.
    MissingIntentId,
    /// Another operation that conflicts with this one is pending: prepared,
    /// and its answer not recorded yet or lost (a pending refund ends
    /// capturing if Dojo makes it, [D3](crate::decisions#d3)).
    OperationPending,
    /// The intent does not allow tips (`config.payment.tipsAllowed`), so its tip cannot be changed.
    TipsNotAllowed,
}

impl Rule {
    /// Every rule, in the order of the design document's table.
    pub const ALL: [Rule; 18] = [
        Rule::OverCapture,
        Rule::OverRefund,
        Rule::CaptureAfterRefund,
        Rule::CaptureAfterReversal,
        Rule::InvalidTransition,
        Rule::AutoCaptureMode,
        Rule::CurrencyMismatch,
        Rule::ZeroAmount,
        Rule::ReversalWindowClosed,
        Rule::AuthorizationExpired,
        Rule::CaptureConflict,
        Rule::IdempotencyConflict,
        Rule::CustomAmountNotAllowed,
        Rule::UnknownCapture,
        Rule::OutcomeUnknown,
        Rule::MissingIntentId,
        Rule::OperationPending,
        Rule::TipsNotAllowed,
    ];

    /// The stable snake_case code, e.g. `"over_capture"`.
    ///
    /// ```
    /// use dojo_capture::Rule;
    ///
    /// assert_eq!(Rule::CaptureAfterRefund.code(), "capture_after_refund");
    /// assert_eq!(Rule::OperationPending.to_string(), "operation_pending");
    /// assert!(Rule::ALL.iter().all(|rule| !rule.code().is_empty()));
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Rule::OverCapture => "over_capture",
            Rule::OverRefund => "over_refund",
            Rule::CaptureAfterRefund => "capture_after_refund",
            Rule::CaptureAfterReversal => "capture_after_reversal",
            Rule::InvalidTransition => "invalid_transition",
            Rule::AutoCaptureMode => "auto_capture_mode",
            Rule::CurrencyMismatch => "currency_mismatch",
            Rule::ZeroAmount => "zero_amount",
            Rule::ReversalWindowClosed => "reversal_window_closed",
            Rule::AuthorizationExpired => "authorization_expired",
            Rule::CaptureConflict => "capture_conflict",
            Rule::IdempotencyConflict => "idempotency_conflict",
            Rule::CustomAmountNotAllowed => "custom_amount_not_allowed",
            Rule::UnknownCapture => "unknown_capture",
            Rule::OutcomeUnknown => "outcome_unknown",
            Rule::MissingIntentId => "missing_intent_id",
            Rule::OperationPending => "operation_pending",
            Rule::TipsNotAllowed => "tips_not_allowed",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An operation of the lifecycle, as named in messages and on the command line.
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
/// use dojo_capture::{Operation, OperationKind};
///
/// let violation = authorized.into_any().check(Operation::Cancel, paid_at).unwrap_err();
/// assert_eq!(violation.operation(), OperationKind::Cancel);
/// assert_eq!(OperationKind::ChangeAmount.as_str(), "change-amount");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// A new intent is built (`POST /payment-intents`).
    Create,
    /// Dojo records the customer's payment.
    Authorize,
    /// `POST /payment-intents/{id}/captures`.
    Capture,
    /// Dojo reports a capture's final status, which is recorded.
    RecordCaptureOutcome,
    /// `POST /payment-intents/{id}/refunds`.
    Refund,
    /// `POST /payment-intents/{id}/reversal`.
    Reverse,
    /// `DELETE /payment-intents/{id}`.
    Cancel,
    /// `POST /payment-intents/{id}/amount`.
    ChangeAmount,
    /// `POST /payment-intents/{id}/tips-amount`.
    ChangeTips,
}

impl OperationKind {
    /// The command line's word for the operation, e.g. `"change-amount"`.
    ///
    /// ```
    /// use dojo_capture::OperationKind;
    ///
    /// assert_eq!(OperationKind::Refund.as_str(), "refund");
    /// assert_eq!(OperationKind::RecordCaptureOutcome.to_string(), "record-capture-outcome");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            OperationKind::Create => "create",
            OperationKind::Authorize => "authorize",
            OperationKind::Capture => "capture",
            OperationKind::RecordCaptureOutcome => "record-capture-outcome",
            OperationKind::Refund => "refund",
            OperationKind::Reverse => "reverse",
            OperationKind::Cancel => "cancel",
            OperationKind::ChangeAmount => "change-amount",
            OperationKind::ChangeTips => "change-tips",
        }
    }

    /// The operation as a noun in a sentence: "a reversal", "a change of amount".
    pub(crate) const fn noun(self) -> &'static str {
        match self {
            OperationKind::Create => "creation",
            OperationKind::Authorize => "payment",
            OperationKind::Capture => "capture",
            OperationKind::RecordCaptureOutcome => "capture outcome",
            OperationKind::Refund => "refund",
            OperationKind::Reverse => "reversal",
            OperationKind::Cancel => "cancel",
            OperationKind::ChangeAmount => "change of amount",
            OperationKind::ChangeTips => "change of tip",
        }
    }
}

impl fmt::Display for OperationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an operation was refused: the rule, and the figures that broke it.
///
/// The message starts with the rule's code, and `Debug` prints that code and
/// the message. Building one never allocates, so checking an operation never does.
///
/// ```
/// use dojo_capture::{AnyPaymentIntent, CaptureMode, Currency, Money, Operation, PaymentIntent};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let intent = AnyPaymentIntent::from(PaymentIntent::new(gbp(1000), CaptureMode::Manual));
/// let now = "2024-07-25T09:30:00Z".parse().unwrap();
/// let violation = intent.check(Operation::ChangeAmount(gbp(500)), now).unwrap_err();
/// assert_eq!(violation.code(), "custom_amount_not_allowed");
/// assert_eq!(
///     violation.to_string(),
///     "custom_amount_not_allowed: the intent was not created with custom amounts allowed"
/// );
/// assert_eq!(
///     format!("{violation:?}"),
///     "RuleViolation { code: \"custom_amount_not_allowed\", \
///      message: \"custom_amount_not_allowed: the intent was not created with custom amounts allowed\" }"
/// );
/// ```
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", .kind.rule().code())]
pub struct RuleViolation {
    operation: OperationKind,
    state: IntentState,
    kind: Detail,
}

/// Why the ledger refused an operation, with every figure its message names.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub(crate) enum Detail {
    #[error(
        "capturing {requested} exceeds the capturable {capturable} \
         (authorised {authorized}, captured {captured}, in flight {in_flight})"
    )]
    OverCapture {
        requested: Money,
        capturable: Money,
        authorized: Money,
        captured: Money,
        in_flight: Money,
    },
    #[error(
        "refunding {requested} exceeds the refundable {refundable} \
         (captured {captured}, tips captured {captured_tips}, already refunded {refunded})"
    )]
    OverRefund {
        requested: Money,
        refundable: Money,
        captured: Money,
        captured_tips: Money,
        refunded: Money,
    },
    #[error(
        "the intent has been refunded ({refunded}); a refunded payment is never captured again"
    )]
    CaptureAfterRefund { refunded: Money },
    #[error("the intent has been reversed; a reversed payment is never captured")]
    CaptureAfterReversal,
    #[error("{operation} is not possible on {} {state} intent: {reason}", .state.article())]
    InvalidTransition {
        operation: OperationKind,
        state: IntentState,
        reason: &'static str,
    },
    #[error(
        "the intent's capture mode is Auto; Dojo captures it itself, \
         only Manual intents are captured by the merchant"
    )]
    AutoCaptureMode,
    #[error(
        "{operation} amount is in {found} but the intent is in {expected}; currencies never mix"
    )]
    CurrencyMismatch {
        operation: OperationKind,
        expected: Currency,
        found: Currency,
    },
    #[error("{operation} amount is zero; it must be greater than zero")]
    ZeroAmount { operation: OperationKind },
    #[error("the reversal window closed at {closed_at} and it is now {now}")]
    ReversalWindowClosed {
        closed_at: Timestamp,
        now: Timestamp,
    },
    #[error(
        "an Auto payment is reversed only on its own day \
         (paid on {paid_on}, today is {today} in Europe/London)"
    )]
    SameDayReversalClosed {
        paid_on: jiff::civil::Date,
        today: jiff::civil::Date,
    },
    #[error("the authorisation expired at {expired_at} and it is now {now}")]
    AuthorizationExpired {
        expired_at: Timestamp,
        now: Timestamp,
    },
    #[error(
        "this capture id is already recorded for {}, not {}",
        WithTip(*.recorded, *.recorded_tips),
        WithTip(*.requested, *.requested_tips)
    )]
    CaptureConflict {
        recorded: Money,
        recorded_tips: Option<Money>,
        requested: Money,
        requested_tips: Option<Money>,
    },
    #[error("this idempotency key was already used for a refund of {recorded}, not {requested}")]
    IdempotencyConflict { recorded: Money, requested: Money },
    #[error("the intent was not created with custom amounts allowed")]
    CustomAmountNotAllowed,
    #[error("no capture in flight has this id")]
    UnknownCapture,
    #[error(
        "whether Dojo captured {unknown} is unknown (its answer was lost); \
         the intent must be read again before another capture, or the money could be captured twice"
    )]
    OutcomeUnknown { unknown: Money },
    #[error("the intent has no id from Dojo, so no request path can name it")]
    MissingIntentId,
    #[error(
        "a {}{} is pending (its answer not recorded yet, or lost); \
         no {} until that answer is recorded or the intent is read again",
        .pending.noun(),
        Of(*.amount),
        .operation.noun()
    )]
    OperationPending {
        operation: OperationKind,
        pending: OperationKind,
        amount: Option<Money>,
    },
    #[error("the intent was not created with tips allowed, so its tip cannot be changed")]
    TipsNotAllowed,
}

impl Detail {
    fn rule(&self) -> Rule {
        use Detail as K;
        match self {
            K::OverCapture { .. } => Rule::OverCapture,
            K::OverRefund { .. } => Rule::OverRefund,
            K::CaptureAfterRefund { .. } => Rule::CaptureAfterRefund,
            K::CaptureAfterReversal => Rule::CaptureAfterReversal,
            K::InvalidTransition { .. } => Rule::InvalidTransition,
            K::AutoCaptureMode => Rule::AutoCaptureMode,
            K::CurrencyMismatch { .. } => Rule::CurrencyMismatch,
            K::ZeroAmount { .. } => Rule::ZeroAmount,
            K::ReversalWindowClosed { .. } | K::SameDayReversalClosed { .. } => {
                Rule::ReversalWindowClosed
            }
            K::AuthorizationExpired { .. } => Rule::AuthorizationExpired,
            K::CaptureConflict { .. } => Rule::CaptureConflict,
            K::IdempotencyConflict { .. } => Rule::IdempotencyConflict,
            K::CustomAmountNotAllowed => Rule::CustomAmountNotAllowed,
            K::UnknownCapture => Rule::UnknownCapture,
            K::OutcomeUnknown { .. } => Rule::OutcomeUnknown,
            K::MissingIntentId => Rule::MissingIntentId,
            K::OperationPending { .. } => Rule::OperationPending,
            K::TipsNotAllowed => Rule::TipsNotAllowed,
        }
    }
}

impl RuleViolation {
    pub(crate) fn new(operation: OperationKind, state: IntentState, detail: Detail) -> Self {
        RuleViolation {
            operation,
            state,
            kind: detail,
        }
    }

    /// The rule that was broken.
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
    /// use dojo_capture::{Operation, Rule};
    ///
    /// let violation = authorized.into_any().check(Operation::Capture(gbp(0)), paid_at).unwrap_err();
    /// assert_eq!(violation.rule(), Rule::ZeroAmount);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> Rule {
        self.kind.rule()
    }

    /// The rule's stable code, e.g. `"over_capture"`: a violation has no code
    /// of its own, so that `--json`'s `rule` and the message's prefix agree.
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
    /// use dojo_capture::Operation;
    ///
    /// let violation = authorized.into_any().check(Operation::Refund(gbp(1)), paid_at).unwrap_err();
    /// assert_eq!(violation.code(), "invalid_transition");
    /// assert!(violation.to_string().starts_with("invalid_transition: "));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn code(&self) -> &'static str {
        self.rule().code()
    }

    /// The operation that was refused.
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
    /// use dojo_capture::{Operation, OperationKind};
    ///
    /// let violation = authorized.into_any().check(Operation::Reverse, paid_at + dojo_capture::SignedDuration::from_hours(24 * 7)).unwrap_err();
    /// assert_eq!(violation.operation(), OperationKind::Reverse);
    /// assert_eq!(violation.code(), "reversal_window_closed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn operation(&self) -> OperationKind {
        self.operation
    }

    /// The state the intent was in.
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
    /// use dojo_capture::{IntentState, Operation};
    ///
    /// let violation = authorized.into_any().check(Operation::ChangeAmount(gbp(900)), paid_at).unwrap_err();
    /// assert_eq!(violation.state(), IntentState::Authorized);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state(&self) -> IntentState {
        self.state
    }

    /// The amount asked for, when the rule is about an amount.
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
    /// use dojo_capture::Operation;
    ///
    /// let violation = authorized.into_any().check(Operation::Capture(gbp(1200)), paid_at).unwrap_err();
    /// assert_eq!(violation.requested(), Some(gbp(1200)));
    /// assert_eq!(violation.available(), Some(gbp(1000)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requested(&self) -> Option<Money> {
        match self.kind {
            Detail::OverCapture { requested, .. }
            | Detail::OverRefund { requested, .. }
            | Detail::CaptureConflict { requested, .. }
            | Detail::IdempotencyConflict { requested, .. } => Some(requested),
            _ => None,
        }
    }

    /// What was still available (capturable or refundable), when the rule is about a cap.
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
    /// use dojo_capture::{CaptureId, CaptureResolved, CaptureOutcome, IdempotencyKey, Operation};
    ///
    /// let id = CaptureId::new("cp_1")?;
    /// let CaptureResolved::Captured(captured) = authorized
    ///     .capture(id.clone(), gbp(600), paid_at)?
    ///     .record_capture_outcome(&id, CaptureOutcome::Successful)?
    /// else {
    ///     unreachable!("a Successful capture captures")
    /// };
    /// let refunded = captured.refund(IdempotencyKey::new("r_1")?, gbp(100))?;
    /// let violation = refunded.into_any().check(Operation::Refund(gbp(501)), paid_at).unwrap_err();
    /// assert_eq!(violation.code(), "over_refund");
    /// assert_eq!(violation.available(), Some(gbp(500)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn available(&self) -> Option<Money> {
        match self.kind {
            Detail::OverCapture { capturable, .. } => Some(capturable),
            Detail::OverRefund { refundable, .. } => Some(refundable),
            _ => None,
        }
    }
}

crate::error::debug_code_and_message!(RuleViolation);

/// ` of 1.00 GBP` after an operation's noun, or nothing.
struct Of(Option<Money>);

impl fmt::Display for Of {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(amount) => write!(f, " of {amount}"),
            None => Ok(()),
        }
    }
}

/// A capture's amount and its tip, as a conflict names them: `10.00 GBP`,
/// or `10.00 GBP with a tip of 1.00 GBP`.
struct WithTip(Money, Option<Money>);

impl fmt::Display for WithTip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(tips) => write!(f, "{} with a tip of {tips}", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}
