//! The states of a payment intent: zero-sized markers for the typed API and
//! [`IntentState`] for state known only at run time.

use std::fmt;

// Crate-visible so that the typed API can call `FromIntent`; no other
// crate can name these traits, so none can implement the capabilities.
pub(crate) mod sealed {
    use crate::PaymentIntent;
    use crate::state::State;

    pub trait Sealed {}

    /// Builds what recording a capture's outcome yields, from the intent
    /// after the outcome was recorded (on an Authorized intent, its amounts
    /// may already say Captured). Private: only the crate builds one.
    pub trait FromIntent<S: State> {
        fn from_intent(intent: PaymentIntent<S>) -> Self;
    }
}

/// A state a [`PaymentIntent`](crate::PaymentIntent) can be in.
///
/// Sealed: the set of states is the crate's, so no other crate can add a
/// state that the rules know nothing about.
///
/// ```
/// use dojo_capture::state::{IntentState, Refunded, State};
/// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
///
/// /// The state of any typed intent, named at run time.
/// fn state_of<S: State>(_: &PaymentIntent<S>) -> IntentState {
///     S::STATE
/// }
///
/// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
/// assert_eq!(state_of(&created), IntentState::Created);
/// assert_eq!(<Refunded as State>::STATE.as_str(), "Refunded");
/// ```
pub trait State: sealed::Sealed + Send + Sync + Unpin + 'static {
    /// The runtime name of this state.
    const STATE: IntentState;
}

macro_rules! states {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub enum $name {}
            impl sealed::Sealed for $name {}
            impl State for $name {
                const STATE: IntentState = IntentState::$name;
            }
        )*
    };
}

states! {
    /// Created, not yet paid: can be canceled or have its amount changed.
    ///
    /// ```
    /// use dojo_capture::state::Created;
    /// use dojo_capture::{CaptureMode, Currency, IntentState, Money, PaymentIntent};
    ///
    /// let created: PaymentIntent<Created> =
    ///     PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    /// assert_eq!(created.state(), IntentState::Created);
    /// assert_eq!(created.paid_at(), None);
    /// ```
    Created,
    /// Paid and authorised, nothing captured yet (captures may be in flight).
    ///
    /// ```
    /// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    /// let Authorization::Manual(authorized) = created.authorize("2024-07-25T08:49:20Z".parse()?) else {
    ///     unreachable!("a Manual intent is authorised, not captured")
    /// };
    /// assert_eq!(authorized.capturable(), Money::new(1000, Currency::GBP));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Authorized,
    /// Some or all of the amount captured, nothing refunded.
    ///
    /// ```
    /// use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
    ///
    /// // Dojo captures an Auto intent itself, in full.
    /// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
    /// let Authorization::Auto(captured) = created.authorize("2024-07-25T08:49:20Z".parse()?) else {
    ///     unreachable!("an Auto intent is captured by Dojo")
    /// };
    /// assert_eq!(captured.captured(), Money::new(1000, Currency::GBP));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Captured,
    /// At least one refund made: capturing has ended for good ([D3](crate::decisions#d3)).
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, IntentState, Money};
    ///
    /// let json = std::fs::read("docs/examples/manual-refunded.json")?;
    /// let refunded = AnyPaymentIntent::from_json(&json)?;
    /// assert_eq!(refunded.state(), IntentState::Refunded);
    /// assert_eq!(refunded.capturable(), Money::zero(refunded.currency()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Refunded,
    /// Reversed: terminal.
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, IntentState};
    ///
    /// let json = std::fs::read("docs/examples/manual-reversed.json")?;
    /// let reversed = AnyPaymentIntent::from_json(&json)?;
    /// assert_eq!(reversed.state(), IntentState::Reversed);
    /// assert!(reversed.state().is_terminal());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Reversed,
    /// Canceled before payment: terminal.
    ///
    /// ```
    /// use dojo_capture::{CaptureMode, Currency, IntentState, Money, PaymentIntent};
    ///
    /// let canceled = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual).cancel();
    /// assert_eq!(canceled.state(), IntentState::Canceled);
    /// assert!(canceled.state().is_terminal());
    /// ```
    Canceled,
}

/// A state whose intent can be captured: `capture`, `capture_with_tips` and
/// `prepare_capture` on [`PaymentIntent`](crate::PaymentIntent).
///
/// [`Authorized`] and [`Captured`] only: a partial capture leaves the rest
/// of the amount capturable (rule 2), but nothing is captured before the
/// payment, after a refund (rule 3, [D3](crate::decisions#d3)), after a reversal (rule 3) or once
/// canceled (rule 4). Amount, mode and time rules are still checked at run time.
///
/// Sealed: only the crate's states implement it.
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
/// use dojo_capture::state::CanCapture;
/// use dojo_capture::{CaptureId, PaymentIntent, Rejected, Timestamp};
///
/// /// Captures what is left, in whichever state can be captured.
/// fn capture_the_rest<S: CanCapture>(
///     intent: PaymentIntent<S>,
///     id: CaptureId,
///     now: Timestamp,
/// ) -> Result<PaymentIntent<S>, Rejected<PaymentIntent<S>>> {
///     let rest = intent.capturable();
///     intent.capture(id, rest, now)
/// }
///
/// let authorized = capture_the_rest(authorized, CaptureId::new("cp_1")?, paid_at)?;
/// assert_eq!(authorized.in_flight(), gbp(1000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` intent cannot be captured",
    label = "`{Self}` does not implement `CanCapture`",
    note = "only an Authorized or Captured intent is captured (rules 3 and 4: never after a refund, a reversal or a cancel)"
)]
pub trait CanCapture: sealed::Sealed + State {}

/// A state in which Dojo's answer to a prepared capture can be recorded:
/// `record_capture_answer` on [`PaymentIntent`](crate::PaymentIntent).
///
/// [`Authorized`], [`Captured`] and [`Refunded`]: a capture is prepared only
/// where [`CanCapture`] holds, and a refund may be made while its request
/// is in flight, so the answer can arrive once the intent is Refunded.
/// Recording it re-runs no rule: Dojo has decided. A Reversed or Canceled
/// intent is never reached while a capture is pending (a reversal refuses
/// one in flight, rule 6; a cancel comes before payment, rule 4).
///
/// Sealed: only the crate's states implement it.
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
/// use dojo_capture::state::CanRecordCaptureAnswer;
/// use dojo_capture::{Answer, PaymentIntent, PreparedCapture};
///
/// /// Records a lost answer, in whichever state a capture can be pending.
/// fn answer_lost<S: CanRecordCaptureAnswer>(
///     intent: PaymentIntent<S>,
///     prepared: PreparedCapture,
/// ) -> PaymentIntent<S> {
///     match intent.record_capture_answer(prepared, Answer::TransportFailure) {
///         Ok((intent, _id)) => intent,
///         Err(error) => error.into_intent(),
///     }
/// }
///
/// let (authorized, prepared) = authorized.prepare_capture(gbp(500), None, paid_at, ApiVersion::default())?;
/// assert!(answer_lost(authorized, prepared).needs_read());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a capture answer cannot be recorded on a `{Self}` intent",
    label = "`{Self}` does not implement `CanRecordCaptureAnswer`",
    note = "only an Authorized, Captured or Refunded intent can have a capture pending"
)]
pub trait CanRecordCaptureAnswer: sealed::Sealed + State {}

/// A state in which a capture in flight can have its final status recorded:
/// `record_capture_outcome` on [`PaymentIntent`](crate::PaymentIntent).
///
/// [`Authorized`], [`Captured`] and [`Refunded`]: a capture recorded in
/// flight while the intent was Authorized or Captured may be resolved after
/// a later capture or a refund ([D1](crate::decisions#d1)). Reversed and Canceled intents have no
/// capture in flight (rules 4 and 6).
///
/// Sealed: only the crate's states implement it.
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
/// use dojo_capture::{CaptureId, CaptureOutcome, CaptureResolved};
///
/// let id = CaptureId::new("cp_1")?;
/// let authorized = authorized.capture(id.clone(), gbp(600), paid_at)?;
/// // On an Authorized intent the outcome decides the state: a `CaptureResolved`.
/// let resolved: CaptureResolved = authorized.record_capture_outcome(&id, CaptureOutcome::Declined)?;
/// assert!(matches!(resolved, CaptureResolved::Authorized(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a capture outcome cannot be recorded on a `{Self}` intent",
    label = "`{Self}` does not implement `CanRecordCaptureOutcome`",
    note = "only an Authorized, Captured or Refunded intent can have a capture in flight"
)]
pub trait CanRecordCaptureOutcome: sealed::Sealed + State + Sized {
    /// What the intent is once the outcome is recorded: on [`Authorized`], a
    /// [`CaptureResolved`](crate::CaptureResolved) (Successful moves it to
    /// Captured; Declined or Failed leave it Authorized); on [`Captured`] and
    /// [`Refunded`], the same state, since capturing more or releasing a
    /// an amount in flight changes neither.
    type Resolved: sealed::FromIntent<Self>;
}

/// A state whose intent can be refunded: `refund`, `prepare_refund` and
/// `record_refund_answer` on [`PaymentIntent`](crate::PaymentIntent); a
/// refund made yields a [`Refunded`] intent. A pending refund keeps the
/// state (Captured or Refunded) until its answer is recorded.
///
/// [`Captured`] and [`Refunded`]: refunds together never pass what was
/// captured (rule 5, [D2](crate::decisions#d2)), so there is nothing to refund before a capture; a
/// reversed payment has already been returned in full (rule 6); a canceled
/// intent accepts nothing (rule 4).
///
/// Sealed: only the crate's states implement it.
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
/// use dojo_capture::state::{CanRefund, Refunded};
/// use dojo_capture::{IdempotencyKey, PaymentIntent, Rejected};
///
/// /// Refunds everything left, from a Captured or a Refunded intent.
/// fn refund_all<S: CanRefund>(
///     intent: PaymentIntent<S>,
///     key: IdempotencyKey,
/// ) -> Result<PaymentIntent<Refunded>, Rejected<PaymentIntent<S>>> {
///     let rest = intent.refundable();
///     intent.refund(key, rest)
/// }
///
/// let refunded = refund_all(captured, IdempotencyKey::new("r_1")?)?;
/// assert_eq!(refunded.refunded(), gbp(600));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` intent cannot be refunded",
    label = "`{Self}` does not implement `CanRefund`",
    note = "only a Captured or Refunded intent is refunded (rule 5: never more than was captured)"
)]
pub trait CanRefund: sealed::Sealed + State {}

/// A state whose intent can be reversed: `reverse`, `prepare_reversal` and
/// `record_reversal_answer` on [`PaymentIntent`](crate::PaymentIntent); a
/// reversal made yields a [`Reversed`] intent.
///
/// [`Authorized`] (a Manual intent, with no capture in flight, within its
/// deadline) and [`Captured`] (an Auto intent, on the payment's day): rule 6.
/// A refunded payment can only be refunded further, a reversal cannot be
/// reversed, and an unpaid or canceled intent has nothing to return (rule 4).
/// The capture mode, captures in flight and the window are checked at run time.
///
/// Sealed: only the crate's states implement it.
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
/// use dojo_capture::state::CanReverse;
/// use dojo_capture::IntentState;
///
/// fn reversible<S: CanReverse>(_: &dojo_capture::PaymentIntent<S>) {}
/// reversible(&authorized);
/// let reversed = authorized.reverse(paid_at)?;
/// assert_eq!(reversed.state(), IntentState::Reversed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` intent cannot be reversed",
    label = "`{Self}` does not implement `CanReverse`",
    note = "only an Authorized (Manual) or Captured (Auto) intent is reversed (rule 6)"
)]
pub trait CanReverse: sealed::Sealed + State {}

/// A state whose intent can be canceled: `cancel`, `prepare_cancel` and
/// `record_cancel_answer` on [`PaymentIntent`](crate::PaymentIntent); a
/// cancel made yields a [`Canceled`] intent.
///
/// [`Created`] only: rule 4, cancel only an intent not yet paid.
///
/// Sealed: only the crate's states implement it.
///
/// ```
/// use dojo_capture::state::{CanCancel, Canceled};
/// use dojo_capture::{CaptureMode, Currency, IntentState, Money, PaymentIntent};
///
/// fn cancel<S: CanCancel>(intent: PaymentIntent<S>) -> PaymentIntent<Canceled> {
///     intent.cancel()
/// }
///
/// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto);
/// assert_eq!(cancel(created).state(), IntentState::Canceled);
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` intent cannot be canceled",
    label = "`{Self}` does not implement `CanCancel`",
    note = "only a Created intent is canceled (rule 4)"
)]
pub trait CanCancel: sealed::Sealed + State {}

/// A state whose intent can have its amount changed: `change_amount`,
/// `prepare_change_amount` and `record_change_amount_answer` on
/// [`PaymentIntent`](crate::PaymentIntent).
///
/// [`Created`] only: rule 8, the amount changes only before the payment
/// ([D6](crate::decisions#d6)); whether custom amounts are allowed is checked at run time.
///
/// Sealed: only the crate's states implement it.
///
/// ```
/// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent, Rule};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let created = PaymentIntent::new(gbp(1000), CaptureMode::Manual);
/// // The capability holds on Created; whether the intent allows it is checked at run time.
/// let refused = created.change_amount(gbp(900)).unwrap_err();
/// assert_eq!(refused.rule(), Rule::CustomAmountNotAllowed);
/// let changed = refused.into_intent().with_custom_amount_allowed(true).change_amount(gbp(900))?;
/// assert_eq!(changed.amount(), gbp(900));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` intent cannot have its amount changed",
    label = "`{Self}` does not implement `CanChangeAmount`",
    note = "only a Created intent has its amount changed (rule 8)"
)]
pub trait CanChangeAmount: sealed::Sealed + State {}

/// A state whose intent can have its tip changed: `prepare_change_tips` and
/// `record_change_tips_answer` on [`PaymentIntent`](crate::PaymentIntent)
/// (`POST /payment-intents/{id}/tips-amount`).
///
/// [`Created`] only. Dojo's own example of the endpoint answers with a
/// Created intent, and once the customer has paid, a tip travels with a
/// capture's `tipsAmount` ([D10](crate::decisions#d10)) rather than by changing the intent:
/// changing it after payment would move money the authorisation never
/// covered. Whether the intent allows tips (`config.payment.tipsAllowed`)
/// is checked at run time (`tips_not_allowed`).
///
/// Sealed: only the crate's states implement it.
///
/// ```
/// use dojo_capture::request::ApiVersion;
/// use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
///
/// let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
///     .with_id("pi_1")
///     .with_tips_allowed(true);
/// let (_created, prepared) = created.prepare_change_tips(Money::new(150, Currency::GBP), ApiVersion::default())?;
/// assert_eq!(prepared.request().path(), "/payment-intents/pi_1/tips-amount");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` intent cannot have its tip changed",
    label = "`{Self}` does not implement `CanChangeTips`",
    note = "only a Created intent has its tip changed; after payment a tip travels with a capture"
)]
pub trait CanChangeTips: sealed::Sealed + State {}

macro_rules! capabilities {
    ($($capability:ident: $($state:ident),*;)*) => {$($(
        impl $capability for $state {}
    )*)*};
}

capabilities! {
    CanCapture: Authorized, Captured;
    CanRecordCaptureAnswer: Authorized, Captured, Refunded;
    CanRefund: Captured, Refunded;
    CanReverse: Authorized, Captured;
    CanCancel: Created;
    CanChangeAmount: Created;
    CanChangeTips: Created;
}

impl<S: State> sealed::FromIntent<S> for crate::PaymentIntent<S> {
    fn from_intent(intent: crate::PaymentIntent<S>) -> Self {
        intent
    }
}

impl sealed::FromIntent<Authorized> for crate::CaptureResolved {
    fn from_intent(intent: crate::PaymentIntent<Authorized>) -> Self {
        intent.into_capture_resolved()
    }
}

impl CanRecordCaptureOutcome for Authorized {
    type Resolved = crate::CaptureResolved;
}

impl CanRecordCaptureOutcome for Captured {
    type Resolved = crate::PaymentIntent<Captured>;
}

impl CanRecordCaptureOutcome for Refunded {
    type Resolved = crate::PaymentIntent<Refunded>;
}

/// The state of an intent whose state is known only at run time.
///
/// It is derived from the intent's amounts, not copied from Dojo's status field: Dojo may report
/// `Authorized` or `Captured` after a partial capture ([D4](crate::decisions#d4)).
///
/// ```
/// use dojo_capture::{AnyPaymentIntent, IntentState};
///
/// // Dojo says Authorized; a capture is Successful, so the amounts say Captured (D4).
/// let json = std::fs::read("docs/examples/manual-authorized.json")?;
/// let intent = AnyPaymentIntent::from_json(&json)?;
/// assert_eq!(intent.state(), IntentState::Captured);
/// assert!(!intent.state().is_terminal());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntentState {
    /// See [`Created`].
    Created,
    /// See [`Authorized`].
    Authorized,
    /// See [`Captured`].
    Captured,
    /// See [`Refunded`].
    Refunded,
    /// See [`Reversed`].
    Reversed,
    /// See [`Canceled`].
    Canceled,
}

impl IntentState {
    /// Every state, in lifecycle order.
    pub const ALL: [IntentState; 6] = [
        IntentState::Created,
        IntentState::Authorized,
        IntentState::Captured,
        IntentState::Refunded,
        IntentState::Reversed,
        IntentState::Canceled,
    ];

    /// The state's name, as Dojo spells the matching status.
    ///
    /// ```
    /// use dojo_capture::IntentState;
    ///
    /// assert_eq!(IntentState::Authorized.as_str(), "Authorized");
    /// assert_eq!(IntentState::Canceled.to_string(), "Canceled");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            IntentState::Created => "Created",
            IntentState::Authorized => "Authorized",
            IntentState::Captured => "Captured",
            IntentState::Refunded => "Refunded",
            IntentState::Reversed => "Reversed",
            IntentState::Canceled => "Canceled",
        }
    }

    /// "an Authorized intent", "a Captured intent": messages share one rule.
    pub(crate) const fn article(self) -> &'static str {
        match self {
            IntentState::Authorized => "an",
            _ => "a",
        }
    }

    /// Whether no operation will ever apply again.
    ///
    /// ```
    /// use dojo_capture::IntentState;
    ///
    /// let terminal: Vec<_> = IntentState::ALL.into_iter().filter(|s| s.is_terminal()).collect();
    /// assert_eq!(terminal, [IntentState::Reversed, IntentState::Canceled]);
    /// ```
    pub const fn is_terminal(self) -> bool {
        matches!(self, IntentState::Reversed | IntentState::Canceled)
    }
}

impl fmt::Display for IntentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
