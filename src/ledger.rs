//! The one place where every lifecycle rule is checked and applied.
//!
//! The typed API, the runtime enum, rehydration and the command line all go
//! through [`Ledger`], so they cannot disagree. Each operation is one method
//! that runs the operation's checks and, only when they pass and the
//! operation is not a replay, applies it: a refused operation leaves the
//! ledger untouched. The checks themselves are private functions that only
//! read and never allocate; [`Ledger::check`] runs them alone.

use jiff::{SignedDuration, Timestamp, civil::Date, tz::TimeZone};

use crate::any::Operation;
use crate::ids::{CaptureId, IdempotencyKey};
use crate::money::{Currency, Money};
use crate::prepared::{
    Answer, AnswerErrorKind, PreparedCapture, PreparedOperation, PreparedRefund, RefundDetails,
};
use crate::request::ApiVersion;
use crate::rule::{Detail, OperationKind, Rule, RuleViolation};
use crate::settle::SettleWindow;
use crate::state::IntentState;
use crate::wire::intent::without_bom;
use crate::wire::{
    AutoExpireAction, CaptureMode, CaptureResponse, CaptureStatus, PaymentIntentResource,
    PaymentIntentStatus, ProblemDetails, RefundResponse,
};

/// Rule 7: a Manual authorisation lapses after seven days unless `autoExpireIn` says otherwise.
pub(crate) const AUTHORIZATION_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Where the intent is in its life, before the amounts refine it into an [`IntentState`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Created,
    Paid,
    /// Dojo reported a Manual intent `Reversed` after a Successful partial
    /// capture: it released the rest of the authorisation at expiry ([D17](crate::decisions#d17)).
    /// Capturing has ended; what was captured can still be refunded.
    Released,
    Reversed,
    Canceled,
}

/// What `autoExpireIn` and `autoExpireAction` ask of a Manual intent (rule 7).
///
/// ```
/// use dojo_capture::{AnyPaymentIntent, AutoExpireAction, AutoExpiry, SignedDuration};
///
/// let json = std::fs::read("docs/examples/manual-auto-expire.json")?;
/// let intent = AnyPaymentIntent::from_json(&json)?;
/// let one_day = AutoExpiry::new(SignedDuration::from_hours(24), AutoExpireAction::Release)?;
/// assert_eq!(intent.auto_expiry(), Some(one_day));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoExpiry {
    after: SignedDuration,
    action: AutoExpireAction,
}

impl AutoExpiry {
    /// The shortest `autoExpireIn` Dojo accepts is more than this.
    pub const MIN_EXCLUSIVE: SignedDuration = SignedDuration::from_secs(30);
    /// The longest `autoExpireIn` Dojo accepts is less than this.
    pub const MAX_EXCLUSIVE: SignedDuration = AUTHORIZATION_LIFETIME;

    /// The resolution of `autoExpireIn`, a .NET time span: 100 nanoseconds.
    pub const RESOLUTION_NANOS: i32 = 100;

    /// An expiry after `after`, then `action`.
    ///
    /// # Errors
    /// `after` is not more than 30 seconds and less than 7 days (rule 7), or
    /// it is finer than 100 nanoseconds, which `autoExpireIn` cannot carry:
    /// re-encoding it would round it silently.
    ///
    /// ```
    /// use dojo_capture::{AutoExpireAction, AutoExpiry, SignedDuration};
    ///
    /// assert!(AutoExpiry::new(SignedDuration::from_mins(5), AutoExpireAction::Capture).is_ok());
    /// let week = SignedDuration::from_hours(24 * 7);
    /// assert_eq!(AutoExpiry::new(week, AutoExpireAction::Release).unwrap_err().code(), "auto_expiry_out_of_bounds");
    /// ```
    pub fn new(
        after: SignedDuration,
        action: AutoExpireAction,
    ) -> Result<AutoExpiry, AutoExpiryError> {
        if !(after > Self::MIN_EXCLUSIVE && after < Self::MAX_EXCLUSIVE) {
            return Err(AutoExpiryError {
                kind: AutoExpiryErrorKind::OutOfBounds(after),
            });
        }
        if after.subsec_nanos() % Self::RESOLUTION_NANOS != 0 {
            return Err(AutoExpiryError {
                kind: AutoExpiryErrorKind::TooFine(after),
            });
        }
        Ok(AutoExpiry { after, action })
    }

    /// How long after the payment the expiry happens.
    ///
    /// ```
    /// use dojo_capture::{AutoExpireAction, AutoExpiry, SignedDuration};
    ///
    /// let expiry = AutoExpiry::new(SignedDuration::from_hours(2), AutoExpireAction::Release)?;
    /// assert_eq!(expiry.after(), SignedDuration::from_hours(2));
    /// # Ok::<(), dojo_capture::AutoExpiryError>(())
    /// ```
    pub fn after(self) -> SignedDuration {
        self.after
    }

    /// Capture or release at expiry.
    ///
    /// ```
    /// use dojo_capture::{AutoExpireAction, AutoExpiry, SignedDuration};
    ///
    /// let expiry = AutoExpiry::new(SignedDuration::from_hours(2), AutoExpireAction::Capture)?;
    /// assert_eq!(expiry.action(), AutoExpireAction::Capture);
    /// # Ok::<(), dojo_capture::AutoExpiryError>(())
    /// ```
    pub fn action(self) -> AutoExpireAction {
        self.action
    }
}

/// An `autoExpireIn` outside Dojo's bounds, or finer than it can carry.
///
/// ```
/// use dojo_capture::{AutoExpireAction, AutoExpiry};
/// use jiff::SignedDuration;
///
/// let error = AutoExpiry::new(SignedDuration::from_secs(30), AutoExpireAction::Release)
///     .unwrap_err();
/// assert_eq!(error.code(), "auto_expiry_out_of_bounds");
/// assert_eq!(
///     error.to_string(),
///     "autoExpireIn of 30s is out of bounds: it must be more than 30 seconds and less than 7 days"
/// );
/// ```
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct AutoExpiryError {
    kind: AutoExpiryErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
enum AutoExpiryErrorKind {
    #[error(
        "autoExpireIn of {0:#} is out of bounds: it must be more than 30 seconds and less than 7 days"
    )]
    OutOfBounds(SignedDuration),
    #[error(
        "autoExpireIn of {0:#} is finer than 100 nanoseconds, the resolution of a .NET time span"
    )]
    TooFine(SignedDuration),
}

impl AutoExpiryError {
    /// A stable snake_case name for the problem: `auto_expiry_out_of_bounds`
    /// or `auto_expiry_too_fine`.
    ///
    /// ```
    /// use dojo_capture::{AutoExpireAction, AutoExpiry};
    /// use jiff::SignedDuration;
    ///
    /// let finer = SignedDuration::new(60, 1);
    /// let error = AutoExpiry::new(finer, AutoExpireAction::Capture).unwrap_err();
    /// assert_eq!(error.code(), "auto_expiry_too_fine");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            AutoExpiryErrorKind::OutOfBounds(_) => "auto_expiry_out_of_bounds",
            AutoExpiryErrorKind::TooFine(_) => "auto_expiry_too_fine",
        }
    }
}

crate::error::debug_code_and_message!(AutoExpiryError);

/// The final status of a capture that was in flight.
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
/// let CaptureResolved::Authorized(authorized) = authorized.record_capture_outcome(&id, CaptureOutcome::Failed)? else {
///     unreachable!("a Failed capture captures nothing")
/// };
/// assert_eq!(authorized.in_flight(), gbp(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaptureOutcome {
    /// Money moved: the amount in flight becomes captured.
    Successful,
    /// The acquirer refused: the amount in flight is released.
    Declined,
    /// The capture failed: the amount in flight is released.
    Failed,
}

impl CaptureOutcome {
    pub(crate) fn status(self) -> CaptureStatus {
        match self {
            CaptureOutcome::Successful => CaptureStatus::Successful,
            CaptureOutcome::Declined => CaptureStatus::Declined,
            CaptureOutcome::Failed => CaptureStatus::Failed,
        }
    }
}

/// One capture of the intent, as recorded.
///
/// ```
/// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
/// # let intent = dojo_capture::AnyPaymentIntent::from_json(
/// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
/// # let capture = &intent.captures()[0];
///
/// use dojo_capture::CaptureStatus;
///
/// assert_eq!(capture.id().map(|id| id.as_str()), Some("cp_sandbox_4nR8TqZ1UkWp0eJd7Lx2Vg"));
/// assert_eq!((capture.amount(), capture.status()), (gbp(400), CaptureStatus::Successful));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureRecord {
    /// `None` when Dojo listed the capture with `"id": null` ([D16](crate::decisions#d16)).
    pub(crate) id: Option<CaptureId>,
    pub(crate) amount: Money,
    pub(crate) tips: Option<Money>,
    pub(crate) status: CaptureStatus,
    pub(crate) created_at: Option<Timestamp>,
}

impl CaptureRecord {
    /// Dojo's id of the capture; `None` when Dojo listed it without one
    /// ([D16](crate::decisions#d16)). Such a capture counts in every total but cannot be resolved
    /// or replayed by id: a later snapshot tells what became of it.
    ///
    /// ```
    /// use dojo_capture::AnyPaymentIntent;
    ///
    /// // Dojo may list a capture with `"id": null` (D16): it still counts.
    /// let intent = AnyPaymentIntent::from_json(br#"{"status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": null, "amount": 300, "status": "Created"}]}"#)?;
    /// assert_eq!(intent.captures()[0].id(), None);
    /// assert_eq!(intent.in_flight().minor_units(), 300);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> Option<&CaptureId> {
        self.id.as_ref()
    }

    /// Whether this is the capture Dojo knows as `id`.
    fn has_id(&self, id: &CaptureId) -> bool {
        self.id.as_ref() == Some(id)
    }
    /// The amount captured or in flight, without tips.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    /// # let capture = &intent.captures()[0];
    ///
    /// assert_eq!(capture.amount(), gbp(400));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The tip carried with the capture; not counted against the amount
    /// ([D10](crate::decisions#d10)), refundable once the capture is Successful
    /// ([D14](crate::decisions#d14)). Never zero: a zero tip is no tip
    /// ([D18](crate::decisions#d18)).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    /// # let capture = &intent.captures()[0];
    ///
    /// // Dojo wrote `"tipsAmount": 0`: a zero tip is no tip (D18).
    /// assert_eq!(capture.tips(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tips(&self) -> Option<Money> {
        self.tips
    }
    /// Created (in flight), Successful, Declined or Failed.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    /// # let capture = &intent.captures()[0];
    ///
    /// use dojo_capture::CaptureStatus;
    ///
    /// assert_eq!(intent.captures()[1].status(), CaptureStatus::Created, "in flight");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self) -> CaptureStatus {
        self.status
    }
    /// When Dojo created the capture, when known.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(
    /// #     &std::fs::read("docs/examples/manual-authorized.json")?)?;
    /// # let capture = &intent.captures()[0];
    ///
    /// assert_eq!(capture.created_at(), Some("2024-07-25T10:02:11.120Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }
}

/// A capture prepared before its request was sent: its amount counts as in flight like a capture
/// Dojo accepted ([D1](crate::decisions#d1)), but Dojo has not given it an id yet.
///
/// It leaves the intent when Dojo's answer is recorded: as a capture in
/// flight (2xx) or released (4xx). When the answer was lost (a timeout, a
/// 5xx, an unreadable body), it stays, with [`outcome_unknown`](Self::outcome_unknown)
/// set, until the intent is read again from Dojo.
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
/// # let (authorized, _prepared) = authorized
/// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
/// # let pending = &authorized.pending_captures()[0];
///
/// assert_eq!((pending.amount(), pending.tips()), (gbp(600), Some(gbp(50))));
/// assert!(!pending.outcome_unknown());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCapture {
    pub(crate) local_id: u64,
    pub(crate) amount: Money,
    pub(crate) tips: Option<Money>,
    pub(crate) prepared_at: Timestamp,
    pub(crate) outcome_unknown: bool,
    /// When a read that starts later may release it ([D22](crate::decisions#d22)).
    pub(crate) settle_horizon: Option<Timestamp>,
}

impl PendingCapture {
    /// The intent's own number for the prepared capture (a counter, unique
    /// within the intent); Dojo never sees it.
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
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (authorized, first) = authorized.prepare_capture(gbp(100), None, paid_at, ApiVersion::default())?;
    /// let (authorized, second) = authorized.prepare_capture(gbp(100), None, paid_at, ApiVersion::default())?;
    /// let ids: Vec<u64> = authorized.pending_captures().iter().map(|p| p.local_id()).collect();
    /// assert_eq!(ids, [first.local_id(), second.local_id()]);
    /// assert_ne!(ids[0], ids[1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_id(&self) -> u64 {
        self.local_id
    }
    /// The amount in flight, without tips.
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
    /// # let (authorized, _prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &authorized.pending_captures()[0];
    ///
    /// assert_eq!(pending.amount(), gbp(600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The tip sent with the capture; never zero ([D18](crate::decisions#d18)).
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
    /// # let (authorized, _prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &authorized.pending_captures()[0];
    ///
    /// assert_eq!(pending.tips(), Some(gbp(50)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tips(&self) -> Option<Money> {
        self.tips
    }
    /// The `now` the capture was prepared at.
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
    /// # let (authorized, _prepared) = authorized
    /// #     .prepare_capture(gbp(600), Some(gbp(50)), paid_at, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &authorized.pending_captures()[0];
    ///
    /// assert_eq!(pending.prepared_at(), paid_at);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepared_at(&self) -> Timestamp {
        self.prepared_at
    }
    /// Whether Dojo's answer was lost: the capture may or may not have been
    /// made, and no other capture can be prepared until the intent is read again.
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
    /// use dojo_capture::Answer;
    /// use dojo_capture::request::ApiVersion;
    ///
    /// let (authorized, prepared) = authorized.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// let authorized = authorized
    ///     .record_capture_answer(prepared, Answer::TransportFailure)
    ///     .unwrap_err()
    ///     .into_intent();
    /// assert!(authorized.pending_captures()[0].outcome_unknown());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }
    /// The settle horizon of a capture of unknown outcome
    /// ([D22](crate::decisions#d22)): `None` until a read that started at a
    /// known time missed it; then the time after which a read that starts
    /// and still misses it releases its amount.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let paid_at: dojo_capture::Timestamp = "2024-07-25T08:49:20Z".parse()?;
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Authorized",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z"}"#)?;
    /// use dojo_capture::{Answer, ReadStart, request::ApiVersion};
    ///
    /// let (intent, prepared) = intent.prepare_capture(gbp(600), None, paid_at, ApiVersion::default())?;
    /// let intent = intent.record_capture_answer(prepared, Answer::TransportFailure).unwrap_err().into_intent();
    /// assert_eq!(intent.pending_captures()[0].settle_horizon(), None);
    /// let read: dojo_capture::Timestamp = "2024-07-25T09:00:00Z".parse()?;
    /// let fresh = br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z"}"#;
    /// let (intent, _) = intent.reconcile_read_json_started(fresh, ReadStart::at(read))?;
    /// assert_eq!(
    ///     intent.pending_captures()[0].settle_horizon(),
    ///     Some("2024-07-25T09:15:00Z".parse()?)
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle_horizon(&self) -> Option<Timestamp> {
        self.settle_horizon
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefundRecord {
    pub(crate) key: IdempotencyKey,
    pub(crate) amount: Money,
    /// Dojo's `refundId`, when the refund was recorded from its answer.
    pub(crate) refund_id: Option<Box<str>>,
}

/// A refund prepared before its request was sent: its amount is reserved
/// (what is refundable leaves it out) until Dojo's answer is recorded.
///
/// It leaves the intent when the answer is recorded: as a refund (2xx) or
/// released (4xx). When the answer was lost it stays, with
/// [`outcome_unknown`](Self::outcome_unknown) set; preparing the same key
/// and amount again is then the safe retry, which Dojo deduplicates.
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
/// # let details = dojo_capture::RefundDetails::new(Some("damaged"), None)?;
/// # let (captured, _prepared) = captured.prepare_refund(
/// #     key.clone(), gbp(200), details, dojo_capture::request::ApiVersion::default())?;
/// # let pending = &captured.pending_refunds()[0];
///
/// assert_eq!((pending.key(), pending.amount()), (&key, gbp(200)));
/// assert_eq!(captured.refundable(), gbp(400), "reserved");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRefund {
    pub(crate) key: IdempotencyKey,
    pub(crate) amount: Money,
    pub(crate) details: RefundDetails,
    pub(crate) outcome_unknown: bool,
    /// When a read that starts later may release it ([D22](crate::decisions#d22)).
    pub(crate) settle_horizon: Option<Timestamp>,
}

impl PendingRefund {
    /// The refund's idempotency key: unique among the intent's refunds.
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
    /// # let details = dojo_capture::RefundDetails::new(Some("damaged"), None)?;
    /// # let (captured, _prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), details, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &captured.pending_refunds()[0];
    ///
    /// assert_eq!(pending.key().as_str(), "r_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &IdempotencyKey {
        &self.key
    }
    /// The amount reserved.
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
    /// # let details = dojo_capture::RefundDetails::new(Some("damaged"), None)?;
    /// # let (captured, _prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), details, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &captured.pending_refunds()[0];
    ///
    /// assert_eq!(pending.amount(), gbp(200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The reason and notes sent with the request; a retry sends them again.
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
    /// # let details = dojo_capture::RefundDetails::new(Some("damaged"), None)?;
    /// # let (captured, _prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), details, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &captured.pending_refunds()[0];
    ///
    /// assert_eq!(pending.details().reason(), Some("damaged"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn details(&self) -> &RefundDetails {
        &self.details
    }
    /// Whether Dojo's answer was lost: the refund may or may not have been
    /// made. Retrying with the same key is safe; reading the intent tells.
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
    /// # let details = dojo_capture::RefundDetails::new(Some("damaged"), None)?;
    /// # let (captured, _prepared) = captured.prepare_refund(
    /// #     key.clone(), gbp(200), details, dojo_capture::request::ApiVersion::default())?;
    /// # let pending = &captured.pending_refunds()[0];
    ///
    /// assert!(!pending.outcome_unknown());
    /// let captured = captured.record_refund_answer_lost(&key);
    /// assert!(captured.pending_refunds()[0].outcome_unknown());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }
    /// The settle horizon of a refund of unknown outcome
    /// ([D22](crate::decisions#d22)): `None` until a read that started at a
    /// known time missed it, and again after a retry is prepared (the
    /// retried request may land later than the first).
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let intent = dojo_capture::AnyPaymentIntent::from_json(br#"{"id": "pi_1", "status": "Captured",
    /// #     "captureMode": "Manual", "amount": {"value": 1000, "currencyCode": "GBP"},
    /// #     "createdAt": "2024-07-25T08:49:20Z",
    /// #     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#)?;
    /// use dojo_capture::{IdempotencyKey, ReadStart, RefundDetails, request::ApiVersion};
    ///
    /// let key = IdempotencyKey::new("r_1")?;
    /// let (intent, _prepared) =
    ///     intent.prepare_refund(key.clone(), gbp(200), RefundDetails::default(), ApiVersion::default())?;
    /// let intent = intent.record_refund_answer_lost(&key);
    /// let fresh = br#"{"id": "pi_1", "status": "Captured", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 600, "status": "Successful"}]}"#;
    /// let (intent, _) = intent.reconcile_read_json_started(fresh, ReadStart::at("2024-07-25T09:00:00Z".parse()?))?;
    /// assert_eq!(intent.pending_refunds()[0].settle_horizon(), Some("2024-07-25T09:15:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle_horizon(&self) -> Option<Timestamp> {
        self.settle_horizon
    }
}

/// An operation on the whole intent prepared before its request was sent
/// (a reversal, a cancel, a change of amount or of tip), whose answer has
/// not been recorded or was lost.
///
/// At most one is pending at a time, and while it is, preparing any other
/// operation is refused with `operation_pending`: each of them changes
/// what the others would be checked against.
///
/// ```
/// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
/// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
/// #     .with_id("pi_1")
/// #     .with_custom_amount_allowed(true);
/// # let (created, _prepared) =
/// #     created.prepare_change_amount(gbp(1200), dojo_capture::request::ApiVersion::default())?;
/// # let pending = created.pending_operation().expect("a change is pending");
///
/// use dojo_capture::OperationKind;
///
/// assert_eq!(pending.operation(), OperationKind::ChangeAmount);
/// assert_eq!(pending.amount(), Some(gbp(1200)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingOperation {
    pub(crate) local_id: u64,
    pub(crate) kind: PendingKind,
    pub(crate) outcome_unknown: bool,
    /// When a read that starts later may release it ([D22](crate::decisions#d22)).
    pub(crate) settle_horizon: Option<Timestamp>,
}

/// What a [`PendingOperation`] asks of Dojo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PendingKind {
    Reversal,
    Cancel,
    ChangeAmount(Money),
    /// The tip as sent: zero takes the tip away ([D18](crate::decisions#d18)).
    ChangeTips(Money),
}

impl PendingKind {
    pub(crate) fn operation(self) -> OperationKind {
        match self {
            PendingKind::Reversal => OperationKind::Reverse,
            PendingKind::Cancel => OperationKind::Cancel,
            PendingKind::ChangeAmount(_) => OperationKind::ChangeAmount,
            PendingKind::ChangeTips(_) => OperationKind::ChangeTips,
        }
    }

    fn amount(self) -> Option<Money> {
        match self {
            PendingKind::Reversal | PendingKind::Cancel => None,
            PendingKind::ChangeAmount(amount) | PendingKind::ChangeTips(amount) => Some(amount),
        }
    }
}

impl PendingOperation {
    /// The operation: reverse, cancel, change-amount or change-tips.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1")
    /// #     .with_custom_amount_allowed(true);
    /// # let (created, _prepared) =
    /// #     created.prepare_change_amount(gbp(1200), dojo_capture::request::ApiVersion::default())?;
    /// # let pending = created.pending_operation().expect("a change is pending");
    ///
    /// assert_eq!(pending.operation().as_str(), "change-amount");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn operation(&self) -> OperationKind {
        self.kind.operation()
    }
    /// The new amount or tip asked for; `None` for a reversal or a cancel.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1")
    /// #     .with_custom_amount_allowed(true);
    /// # let (created, _prepared) =
    /// #     created.prepare_change_amount(gbp(1200), dojo_capture::request::ApiVersion::default())?;
    /// # let pending = created.pending_operation().expect("a change is pending");
    ///
    /// assert_eq!(pending.amount(), Some(gbp(1200)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn amount(&self) -> Option<Money> {
        self.kind.amount()
    }
    /// Whether Dojo's answer was lost: the operation may or may not have
    /// been made, and the intent must be read again.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1")
    /// #     .with_custom_amount_allowed(true);
    /// # let (created, _prepared) =
    /// #     created.prepare_change_amount(gbp(1200), dojo_capture::request::ApiVersion::default())?;
    /// # let pending = created.pending_operation().expect("a change is pending");
    ///
    /// assert!(!pending.outcome_unknown());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }
    /// The intent's own number for the prepared operation, from the same
    /// counter as the prepared captures': what
    /// [`record_answer_lost`](crate::AnyPaymentIntent::record_answer_lost)
    /// names after a crash.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1")
    /// #     .with_custom_amount_allowed(true);
    /// let (created, prepared) =
    ///     created.prepare_change_amount(gbp(1200), dojo_capture::request::ApiVersion::default())?;
    /// assert_eq!(created.pending_operation().map(|p| p.local_id()), Some(prepared.local_id()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_id(&self) -> u64 {
        self.local_id
    }
    /// The settle horizon of an operation of unknown outcome
    /// ([D22](crate::decisions#d22)); `None` until a read that started at a
    /// known time missed it.
    ///
    /// ```
    /// # let gbp = |minor| dojo_capture::Money::new(minor, dojo_capture::Currency::GBP);
    /// # let created = dojo_capture::PaymentIntent::new(gbp(1000), dojo_capture::CaptureMode::Manual)
    /// #     .with_id("pi_1")
    /// #     .with_custom_amount_allowed(true);
    /// let (created, _prepared) =
    ///     created.prepare_change_amount(gbp(1200), dojo_capture::request::ApiVersion::default())?;
    /// assert_eq!(created.pending_operation().and_then(|p| p.settle_horizon()), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn settle_horizon(&self) -> Option<Timestamp> {
        self.settle_horizon
    }
}

/// Whether an accepted operation changes the intent or repeats one already recorded
/// ([D7](crate::decisions#d7)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    /// The operation changes the intent.
    Applies,
    /// The same operation was already recorded: nothing changes.
    Replay,
}

/// The intent's facts: everything the rules read.
// Clone by hand: a derived one would keep only the records' length, so the
// next capture or refund on a clone would allocate.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Ledger {
    pub(crate) id: Option<Box<str>>,
    pub(crate) mode: CaptureMode,
    pub(crate) amount: Money,
    /// The intent's own `tipsAmount`: what Dojo took as a tip when it captured the intent itself
    /// ([D14](crate::decisions#d14)). Never zero ([D18](crate::decisions#d18)).
    pub(crate) tips: Option<Money>,
    pub(crate) custom_amount_allowed: bool,
    /// Dojo's `config.payment.tipsAllowed`: whether the tip can be changed.
    pub(crate) tips_allowed: bool,
    pub(crate) auto_expiry: Option<AutoExpiry>,
    pub(crate) paid_at: Option<Timestamp>,
    pub(crate) phase: Phase,
    /// The full amount captured by Dojo without a `captures[]` entry: an
    /// Auto intent, or a Manual one captured at `autoExpireIn` ([D17](crate::decisions#d17)).
    pub(crate) captured_by_dojo: bool,
    pub(crate) captures: Vec<CaptureRecord>,
    /// Total refunded, including refunds made before this ledger saw the intent.
    pub(crate) refunded: Money,
    pub(crate) refunds: Vec<RefundRecord>,
    /// Refund keys prepared whose refund Dojo refused or a read released,
    /// with their amounts: a key is remembered for the life of the intent
    /// ([D24](crate::decisions#d24)), so that reusing it with another
    /// amount is a conflict however its first refund ended.
    pub(crate) released_refunds: Vec<RefundRecord>,
    /// Captures prepared whose answer has not been recorded, or was lost.
    /// Not Dojo's facts: never written to the wire.
    pub(crate) pending: Vec<PendingCapture>,
    /// The local id of the next prepared capture.
    pub(crate) next_local_id: u64,
    /// Refunds prepared whose answer has not been recorded, or was lost.
    /// Not Dojo's facts: never written to the wire.
    pub(crate) pending_refunds: Vec<PendingRefund>,
    /// A reversal, cancel or change prepared whose answer has not been
    /// recorded, or was lost. Not Dojo's facts: never written to the wire.
    pub(crate) pending_operation: Option<PendingOperation>,
    /// Dojo's `updatedAt`, as Dojo wrote it ([D15](crate::decisions#d15)): no rule reads it; a
    /// webhook older than it is stale.
    pub(crate) updated_at: Option<Box<str>>,
    /// The ids of the last webhook events applied, oldest first, at most
    /// [`SEEN_EVENTS_LIMIT`]: a redelivery is recognised, not judged again.
    pub(crate) seen_events: Vec<Box<str>>,
    /// How many changes were applied to the intent since it was built or
    /// read from Dojo: a stored record is written back only over the
    /// revision it was loaded at (optimistic concurrency).
    pub(crate) revision: u64,
    /// The sums of the records above that the rules read, kept up to date
    /// by every change so that a check costs the same with 3 captures or
    /// 1,000. Derived data: [`Totals::of`] recomputes them, and every
    /// change asserts (in debug builds) that they still agree.
    pub(crate) totals: Totals,
}

/// `now - paid >= lifetime` to the nanosecond, exact in i128 for any two
/// timestamps: the deadline test when whole seconds cannot decide it.
#[cold]
fn past_to_the_nanosecond(now: Timestamp, paid: Timestamp, lifetime: SignedDuration) -> bool {
    now.as_nanosecond() - paid.as_nanosecond() >= lifetime.as_nanos()
}

impl Clone for Ledger {
    /// A copy with the same room for new captures and refunds as a new
    /// intent has, whatever the original's capacity: a clone (the `check`
    /// command's, a worker's copy) records its next captures and refunds
    /// without allocating. Every field is listed, so a new one cannot be
    /// forgotten.
    fn clone(&self) -> Self {
        fn with_room<T: Clone>(records: &[T]) -> Vec<T> {
            let mut copy = Vec::with_capacity(records.len() + RESERVED_RECORDS);
            copy.extend_from_slice(records);
            copy
        }
        Ledger {
            id: self.id.clone(),
            mode: self.mode,
            amount: self.amount,
            tips: self.tips,
            custom_amount_allowed: self.custom_amount_allowed,
            tips_allowed: self.tips_allowed,
            auto_expiry: self.auto_expiry,
            paid_at: self.paid_at,
            phase: self.phase,
            captured_by_dojo: self.captured_by_dojo,
            captures: with_room(&self.captures),
            refunded: self.refunded,
            refunds: with_room(&self.refunds),
            released_refunds: self.released_refunds.clone(),
            pending: self.pending.clone(),
            next_local_id: self.next_local_id,
            pending_refunds: self.pending_refunds.clone(),
            pending_operation: self.pending_operation.clone(),
            updated_at: self.updated_at.clone(),
            seen_events: self.seen_events.clone(),
            revision: self.revision,
            totals: self.totals,
        }
    }
}

/// Running totals of a ledger's records, in i128 so that adding and taking
/// away is exact (the sums the rules read are capped at `i64::MAX`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Amounts of Successful captures.
    successful: i128,
    /// Tips of Successful captures ([D14](crate::decisions#d14)).
    successful_tips: i128,
    /// Amounts of captures in flight at Dojo (status Created).
    created: i128,
    /// Amounts of captures prepared, answer not recorded.
    pending: i128,
    /// Amounts of refunds prepared, answer not recorded.
    pending_refunds: i128,
}

impl Totals {
    /// The totals of these records, summed afresh.
    pub(crate) fn of(
        captures: &[CaptureRecord],
        pending: &[PendingCapture],
        pending_refunds: &[PendingRefund],
    ) -> Totals {
        let mut totals = Totals::default();
        for capture in captures {
            totals.count(capture, 1);
        }
        for p in pending {
            totals.pending += i128::from(p.amount.minor_units());
        }
        for p in pending_refunds {
            totals.pending_refunds += i128::from(p.amount.minor_units());
        }
        totals
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) one capture record.
    fn count(&mut self, capture: &CaptureRecord, sign: i128) {
        let amount = sign * i128::from(capture.amount.minor_units());
        match capture.status {
            CaptureStatus::Created => self.created += amount,
            CaptureStatus::Successful => {
                self.successful += amount;
                self.successful_tips +=
                    sign * capture.tips.map_or(0, |t| i128::from(t.minor_units()));
            }
            CaptureStatus::Declined | CaptureStatus::Failed => {}
        }
    }
}

/// A running total as the rules read it: never past `i64::MAX`, as the
/// saturating sums it replaces.
fn capped(total: i128) -> i64 {
    i64::try_from(total).unwrap_or(i64::MAX)
}

/// How many webhook event ids an intent remembers. Dojo retries a failed
/// delivery a limited number of times, so a redelivery arrives among the
/// last events of its intent; an intent sees a few events in its life.
pub const SEEN_EVENTS_LIMIT: usize = 32;

// Reasons several operations give in the same state: one wording each.
const CANCELED: &str = "a canceled intent accepts no operation";
const NOT_PAID_YET: &str = "the payment has not been authorised yet";

// Room for the usual handful of partial captures and refunds, so that
// recording one does not allocate.
pub(crate) const RESERVED_RECORDS: usize = 4;

impl Ledger {
    pub(crate) fn new(amount: Money, mode: CaptureMode) -> Ledger {
        Ledger {
            id: None,
            mode,
            amount,
            tips: None,
            custom_amount_allowed: false,
            tips_allowed: false,
            auto_expiry: None,
            paid_at: None,
            phase: Phase::Created,
            captured_by_dojo: false,
            captures: Vec::with_capacity(RESERVED_RECORDS),
            refunded: Money::zero(amount.currency()),
            refunds: Vec::with_capacity(RESERVED_RECORDS),
            released_refunds: Vec::new(),
            pending: Vec::new(),
            next_local_id: 0,
            pending_refunds: Vec::new(),
            pending_operation: None,
            updated_at: None,
            seen_events: Vec::new(),
            revision: 0,
            totals: Totals::default(),
        }
    }

    /// Recomputes the running totals from the records: for a ledger built
    /// from records (rehydration, a stored record), not changed one by one.
    pub(crate) fn recount(&mut self) {
        self.totals = Totals::of(&self.captures, &self.pending, &self.pending_refunds);
    }

    /// Counts one applied change: every method that changes the ledger
    /// calls it once, after the change, and never on a refusal or a replay.
    pub(crate) fn changed(&mut self) {
        debug_assert_eq!(
            self.totals,
            Totals::of(&self.captures, &self.pending, &self.pending_refunds),
            "the running totals no longer agree with the records"
        );
        self.revision = self.revision.wrapping_add(1);
    }

    #[inline]
    pub(crate) fn currency(&self) -> Currency {
        self.amount.currency()
    }

    /// The state the amounts imply ([D4](crate::decisions#d4)).
    #[inline]
    pub(crate) fn state(&self) -> IntentState {
        match self.phase {
            Phase::Created => IntentState::Created,
            Phase::Reversed => IntentState::Reversed,
            Phase::Canceled => IntentState::Canceled,
            Phase::Paid | Phase::Released if !self.refunded.is_zero() => IntentState::Refunded,
            // Released only ever follows a Successful capture (D17).
            Phase::Paid | Phase::Released if !self.captured().is_zero() => IntentState::Captured,
            Phase::Paid | Phase::Released => IntentState::Authorized,
        }
    }

    /// Captured: Successful captures, or the whole amount when Dojo captured it (Auto).
    #[inline]
    pub(crate) fn captured(&self) -> Money {
        if self.captured_by_dojo {
            self.amount
        } else {
            Money::new(capped(self.totals.successful), self.currency())
        }
    }

    /// In flight: captures whose final status is not recorded yet, and captures prepared but not
    /// yet recorded, whatever became of their answer ([D1](crate::decisions#d1)).
    #[inline]
    pub(crate) fn in_flight(&self) -> Money {
        Money::new(
            capped(self.totals.created + self.totals.pending),
            self.currency(),
        )
    }

    /// Whether a capture's or a refund's outcome is unknown, so that the
    /// intent must be read again from Dojo before another capture is prepared.
    pub(crate) fn needs_read(&self) -> bool {
        self.pending.iter().any(|p| p.outcome_unknown)
            || self.pending_refunds.iter().any(|p| p.outcome_unknown)
            || self
                .pending_operation
                .as_ref()
                .is_some_and(|p| p.outcome_unknown)
    }

    /// Marks the prepared capture or operation numbered `local_id`, or the
    /// prepared refund under `key`, as of unknown outcome, when the answer
    /// to its request will never be recorded: the process that sent it
    /// crashed, or recorded it on a copy that lost the race to be written
    /// back. Its amount stays in flight or reserved until a fresh read
    /// settles it; nothing is sent. Whether anything changed.
    pub(crate) fn record_answer_lost(
        &mut self,
        local_id: Option<u64>,
        key: Option<&IdempotencyKey>,
    ) -> bool {
        let flag = if let Some(local_id) = local_id {
            self.pending
                .iter_mut()
                .find(|p| p.local_id == local_id)
                .map(|p| &mut p.outcome_unknown)
                .or_else(|| {
                    self.pending_operation
                        .as_mut()
                        .filter(|p| p.local_id == local_id)
                        .map(|p| &mut p.outcome_unknown)
                })
        } else {
            key.and_then(|key| {
                self.pending_refunds
                    .iter_mut()
                    .find(|p| p.key == *key)
                    .map(|p| &mut p.outcome_unknown)
            })
        };
        match flag {
            Some(flag) if !*flag => {
                *flag = true;
                self.changed();
                true
            }
            _ => false,
        }
    }

    /// Starts the settle window of every operation of unknown outcome at
    /// `lost_at`, the moment its answer was declared lost
    /// ([D22](crate::decisions#d22)): its horizon becomes `lost_at` plus
    /// `window`, or stays where it is when that is later. Whether anything
    /// changed.
    pub(crate) fn start_settling(&mut self, lost_at: Timestamp, window: SettleWindow) -> bool {
        let horizon = window.horizon(lost_at);
        let later = |unknown: bool, current: &mut Option<Timestamp>| {
            if unknown && current.is_none_or(|current| current < horizon) {
                *current = Some(horizon);
                return true;
            }
            false
        };
        let mut changed = false;
        for p in &mut self.pending {
            changed |= later(p.outcome_unknown, &mut p.settle_horizon);
        }
        for p in &mut self.pending_refunds {
            changed |= later(p.outcome_unknown, &mut p.settle_horizon);
        }
        if let Some(p) = &mut self.pending_operation {
            changed |= later(p.outcome_unknown, &mut p.settle_horizon);
        }
        if changed {
            self.changed();
        }
        changed
    }

    /// Refuses `op` while an operation on the whole intent is pending.
    #[inline]
    fn nothing_pending(&self, op: OperationKind) -> Result<(), RuleViolation> {
        match &self.pending_operation {
            Some(pending) => Err(self.violation(
                op,
                Detail::OperationPending {
                    operation: op,
                    pending: pending.kind.operation(),
                    amount: None,
                },
            )),
            None => Ok(()),
        }
    }

    /// Refuses `op` while a refund is pending: it would end capturing ([D3](crate::decisions#d3))
    /// and a reversal would return what it refunds.
    #[inline]
    fn no_refund_pending(&self, op: OperationKind) -> Result<(), RuleViolation> {
        let refunding = self.pending_refunded();
        if refunding.is_zero() {
            return Ok(());
        }
        Err(self.violation(
            op,
            Detail::OperationPending {
                operation: op,
                pending: OperationKind::Refund,
                amount: Some(refunding),
            },
        ))
    }

    // The rules of an operation applied at once (not prepared), with what is
    // pending: the direct methods and `check` share these, so they cannot
    // disagree. A replay changes nothing and so conflicts with nothing.

    fn check_refund_now(
        &self,
        key: Option<&IdempotencyKey>,
        amount: Money,
    ) -> Result<Effect, RuleViolation> {
        let effect = self.check_refund(key, amount)?;
        if effect == Effect::Applies {
            self.nothing_pending(OperationKind::Refund)?;
        }
        Ok(effect)
    }

    fn check_reverse_now(&self, now: Timestamp) -> Result<(), RuleViolation> {
        self.check_reverse(now)?;
        self.no_refund_pending(OperationKind::Reverse)?;
        self.nothing_pending(OperationKind::Reverse)
    }

    fn check_cancel_now(&self) -> Result<(), RuleViolation> {
        self.check_cancel()?;
        self.nothing_pending(OperationKind::Cancel)
    }

    fn check_change_amount_now(&self, amount: Money) -> Result<(), RuleViolation> {
        self.check_change_amount(amount)?;
        self.nothing_pending(OperationKind::ChangeAmount)
    }

    /// The amount of the pending refunds, reserved whatever became of their answer.
    #[inline]
    pub(crate) fn pending_refunded(&self) -> Money {
        Money::new(capped(self.totals.pending_refunds), self.currency())
    }

    /// amount − in flight − captured ([D1](crate::decisions#d1)); zero where the merchant cannot
    /// capture at all (Auto mode, before payment, after a refund, reversal or cancel).
    #[inline]
    pub(crate) fn capturable(&self) -> Money {
        if self.phase != Phase::Paid || !self.refunded.is_zero() || self.mode == CaptureMode::Auto {
            return Money::zero(self.currency());
        }
        // At most the amount, so within int64.
        Money::new(
            i64::try_from(self.uncaptured_exact().max(0)).unwrap_or(0),
            self.currency(),
        )
    }

    /// amount − captured − in flight, exact in i128 (the totals are sums of
    /// int64 amounts), whatever the state: the one formula of what capturing
    /// may still take, for [`Ledger::capturable`] and `check`'s shortcut.
    #[inline(always)]
    fn uncaptured_exact(&self) -> i128 {
        let amount = i128::from(self.amount.minor_units());
        let captured = if self.captured_by_dojo {
            amount
        } else {
            self.totals.successful
        };
        amount - captured - self.totals.created - self.totals.pending
    }

    /// The tips captured with the payment ([D14](crate::decisions#d14)): those of Successful
    /// captures, or the intent's own tip when Dojo captured it itself.
    /// Never cashback, which the customer received as cash. At most int64,
    /// like any amount; [`Ledger::refundable`] uses the exact sum.
    pub(crate) fn captured_tips(&self) -> Money {
        Money::new(
            i64::try_from(self.captured_tips_exact()).unwrap_or(i64::MAX),
            self.currency(),
        )
    }

    /// The captured tips in i128: several tips near int64 can pass its range.
    #[inline(always)]
    fn captured_tips_exact(&self) -> i128 {
        if self.captured_by_dojo {
            return self.tips.map_or(0, |tips| i128::from(tips.minor_units()));
        }
        self.totals.successful_tips
    }

    /// captured + captured tips − refunded − pending refunds ([D2](crate::decisions#d2),
    /// [D14](crate::decisions#d14)); zero once the whole payment went back (a reversal) or was
    /// never taken.
    #[inline]
    pub(crate) fn refundable(&self) -> Money {
        if !matches!(self.phase, Phase::Paid | Phase::Released) {
            return Money::zero(self.currency());
        }
        Money::new(
            i64::try_from(self.unrefunded_exact().max(0)).unwrap_or(i64::MAX),
            self.currency(),
        )
    }

    /// captured + captured tips − refunded − pending refunds, and no more than
    /// keeps refunds together within int64, whatever the state: the one
    /// formula of what refunds may still take, for [`Ledger::refundable`] and
    /// `check`'s shortcut.
    #[inline(always)]
    fn unrefunded_exact(&self) -> i128 {
        // Exact in i128: captured + tips can pass the int64 range before the
        // refunds are taken off, and capping that sum first would under-state
        // what is left. The refunded total is an int64 on the wire
        // (`refundedAmount`), so refunds together stop at `i64::MAX`.
        let refunding = i128::from(self.refunded.minor_units()) + self.totals.pending_refunds;
        let captured = if self.captured_by_dojo {
            i128::from(self.amount.minor_units())
        } else {
            self.totals.successful
        };
        let left = captured + self.captured_tips_exact() - refunding;
        left.min(i128::from(i64::MAX) - refunding)
    }

    /// The payment's deadline for capture and Manual reversal ([D12](crate::decisions#d12)).
    pub(crate) fn authorization_deadline(&self) -> Option<Timestamp> {
        self.paid_at
            .and_then(|paid| paid.checked_add(self.authorization_lifetime()).ok())
    }

    #[inline]
    fn authorization_lifetime(&self) -> SignedDuration {
        self.auto_expiry
            .map_or(AUTHORIZATION_LIFETIME, AutoExpiry::after)
    }

    /// Whether `now` is at or past the deadline: `now - paid >= lifetime`,
    /// the same as `now >= deadline` without building the deadline, whose
    /// checked addition is most of a check's cost. A deadline past the
    /// last instant jiff holds is never reached, and neither is this
    /// difference.
    #[inline(always)]
    fn past_deadline(&self, now: Timestamp) -> bool {
        let Some(paid) = self.paid_at else {
            return false;
        };
        // Whole seconds decide unless the two are within a second of each
        // other; only then are the nanoseconds multiplied out, out of line.
        let lifetime = self.authorization_lifetime();
        let elapsed = now.as_second() - paid.as_second();
        let limit = lifetime.as_secs();
        if elapsed < limit.saturating_sub(1) {
            return false;
        }
        if elapsed > limit.saturating_add(1) {
            return true;
        }
        past_to_the_nanosecond(now, paid, lifetime)
    }

    /// Whether `operation` would be accepted at `now`, without changing
    /// anything or allocating: the checks of the operation's method, with no
    /// id or key to replay. A capture is checked as [`Ledger::prepare_capture`]
    /// checks it, `outcome_unknown` included, but without Dojo's id of the intent;
    /// every operation is checked against what is pending as its `prepare_…` checks it.
    #[inline(always)]
    pub(crate) fn check(&self, operation: Operation, now: Timestamp) -> Result<(), RuleViolation> {
        // Most checks on a request path are a capture or a refund that is
        // accepted. Those are answered from the running totals with a few
        // comparisons; anything else, and every refusal, goes through the
        // full checks, which alone build a `RuleViolation`. The shortcut
        // never refuses, so it cannot change a refusal or its precedence; a
        // debug build asserts that the full checks accept what it accepts,
        // and `tests/check_shortcut.rs` compares both over reachable intents.
        // Always inlined, with the shortcuts and the deadline test, so that
        // a caller's check is a few comparisons without a call; the full
        // checks stay out of line.
        let accepted = match operation {
            Operation::Capture(amount) => self.capture_plainly_accepted(amount, now),
            Operation::Refund(amount) => self.refund_plainly_accepted(amount),
            Operation::Reverse | Operation::Cancel | Operation::ChangeAmount(_) => false,
        };
        if accepted {
            debug_assert_eq!(
                self.check_in_full(operation, now),
                Ok(()),
                "the shortcut accepted what the full checks refuse"
            );
            return Ok(());
        }
        self.check_in_full(operation, now)
    }

    /// Whether a capture of `amount` at `now` is accepted with nothing that
    /// could refuse it: a Manual intent paid and neither refunded nor
    /// released, nothing pending but captures of known outcome, the
    /// intent's currency, more than nothing, before the deadline, and at most
    /// what is neither captured nor in flight. `false` says only "ask the
    /// full checks".
    #[inline(always)]
    fn capture_plainly_accepted(&self, amount: Money, now: Timestamp) -> bool {
        let minor = amount.minor_units();
        self.phase == Phase::Paid
            && self.mode == CaptureMode::Manual
            && self.refunded.is_zero()
            && self.pending_operation.is_none()
            && self.pending_refunds.is_empty()
            && amount.currency() == self.currency()
            && minor > 0
            && i128::from(minor) <= self.uncaptured_exact()
            && !self.pending.iter().any(|p| p.outcome_unknown)
            && !self.past_deadline(now)
    }

    /// Whether a refund of `amount` is accepted with nothing that could
    /// refuse it: paid, nothing pending but other refunds, the intent's
    /// currency, more than nothing, and at most what is refundable. Being
    /// captured follows: with nothing captured there are no tips and
    /// nothing is refundable. `false` says only "ask the full checks".
    #[inline(always)]
    fn refund_plainly_accepted(&self, amount: Money) -> bool {
        let minor = amount.minor_units();
        matches!(self.phase, Phase::Paid | Phase::Released)
            && self.pending_operation.is_none()
            && amount.currency() == self.currency()
            && minor > 0
            && i128::from(minor) <= self.unrefunded_exact()
    }

    /// Every check of `operation`, refusals and their precedence included.
    #[inline(never)]
    pub(crate) fn check_in_full(
        &self,
        operation: Operation,
        now: Timestamp,
    ) -> Result<(), RuleViolation> {
        match operation {
            Operation::Capture(amount) => self.check_capture_request(amount, None, now),
            Operation::Refund(amount) => self.check_refund_now(None, amount).map(drop),
            Operation::Reverse => self.check_reverse_now(now),
            Operation::Cancel => self.check_cancel_now(),
            Operation::ChangeAmount(amount) => self.check_change_amount_now(amount),
        }
    }

    fn violation(&self, op: OperationKind, detail: Detail) -> RuleViolation {
        RuleViolation::new(op, self.state(), detail)
    }

    fn invalid(&self, op: OperationKind, reason: &'static str) -> RuleViolation {
        self.violation(
            op,
            Detail::InvalidTransition {
                operation: op,
                state: self.state(),
                reason,
            },
        )
    }

    #[inline]
    fn in_currency(&self, op: OperationKind, amount: Money) -> Result<(), RuleViolation> {
        if amount.currency() == self.currency() {
            return Ok(());
        }
        Err(self.violation(
            op,
            Detail::CurrencyMismatch {
                operation: op,
                expected: self.currency(),
                found: amount.currency(),
            },
        ))
    }

    #[inline]
    fn positive_in_currency(&self, op: OperationKind, amount: Money) -> Result<(), RuleViolation> {
        self.in_currency(op, amount)?;
        if amount.is_zero() {
            return Err(self.violation(op, Detail::ZeroAmount { operation: op }));
        }
        Ok(())
    }

    fn not_expired(&self, op: OperationKind, now: Timestamp) -> Result<(), RuleViolation> {
        if !self.past_deadline(now) {
            return Ok(());
        }
        match self.authorization_deadline() {
            Some(deadline) if now >= deadline => Err(self.violation(
                op,
                if op == OperationKind::Capture {
                    Detail::AuthorizationExpired {
                        expired_at: deadline,
                        now,
                    }
                } else {
                    Detail::ReversalWindowClosed {
                        closed_at: deadline,
                        now,
                    }
                },
            )),
            _ => Ok(()),
        }
    }

    // ---- create (D19) --------------------------------------------------------

    /// A new intent's ledger, waiting for payment.
    pub(crate) fn create(amount: Money, mode: CaptureMode) -> Result<Ledger, RuleViolation> {
        let ledger = Ledger::new(amount, mode);
        ledger.check_create()?;
        Ok(ledger)
    }

    /// An intent asks for more than nothing: with a zero amount, "nothing
    /// captured" and "everything captured" would be the same figures.
    fn check_create(&self) -> Result<(), RuleViolation> {
        if self.amount.is_zero() {
            return Err(self.violation(
                OperationKind::Create,
                Detail::ZeroAmount {
                    operation: OperationKind::Create,
                },
            ));
        }
        Ok(())
    }

    // ---- authorize ----------------------------------------------------------

    /// The customer paid at `at`: only a Created intent is paid.
    pub(crate) fn authorize(&mut self, at: Timestamp) -> Result<(), RuleViolation> {
        if self.phase != Phase::Created {
            return Err(self.invalid(OperationKind::Authorize, "only a Created intent is paid"));
        }
        self.phase = Phase::Paid;
        self.paid_at = Some(at);
        self.captured_by_dojo = self.mode == CaptureMode::Auto;
        self.changed();
        Ok(())
    }

    // ---- capture (rules 1-3, 7; D1, D3, D7, D12) ----------------------------

    /// Records a capture Dojo accepted, in flight under `id` ([D1](crate::decisions#d1)); the same
    /// id with the same amount and tip again is a replay and changes nothing
    /// ([D7](crate::decisions#d7)).
    pub(crate) fn capture(
        &mut self,
        id: CaptureId,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
    ) -> Result<(), RuleViolation> {
        if self.check_capture(Some(&id), amount, tips, now)? == Effect::Applies {
            // A new capture conflicts with a reversal, cancel or change in
            // progress, and with a refund in progress (D3); a replay does not.
            self.nothing_pending(OperationKind::Capture)?;
            self.no_refund_pending(OperationKind::Capture)?;
            self.captures.push(CaptureRecord {
                id: Some(id),
                amount,
                tips: no_zero_tip(tips),
                status: CaptureStatus::Created,
                created_at: Some(now),
            });
            self.totals.created += i128::from(amount.minor_units());
            self.changed();
        }
        Ok(())
    }

    fn check_capture(
        &self,
        id: Option<&CaptureId>,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
    ) -> Result<Effect, RuleViolation> {
        let op = OperationKind::Capture;
        match self.state() {
            // Dojo released the rest of a partly captured authorisation (D17).
            IntentState::Captured if self.phase == Phase::Released => {
                return Err(self.violation(op, Detail::CaptureAfterReversal));
            }
            IntentState::Authorized | IntentState::Captured => {}
            IntentState::Refunded => {
                return Err(self.violation(
                    op,
                    Detail::CaptureAfterRefund {
                        refunded: self.refunded,
                    },
                ));
            }
            IntentState::Reversed => return Err(self.violation(op, Detail::CaptureAfterReversal)),
            IntentState::Created => {
                return Err(self.invalid(op, NOT_PAID_YET));
            }
            IntentState::Canceled => {
                return Err(self.invalid(op, CANCELED));
            }
        }
        if self.mode == CaptureMode::Auto {
            return Err(self.violation(op, Detail::AutoCaptureMode));
        }
        self.positive_in_currency(op, amount)?;
        // Currencies never mix, even in a tip of zero (D9); after that check
        // a zero tip is no tip (D18).
        if let Some(tips) = tips {
            self.in_currency(op, tips)?;
        }
        let tips = no_zero_tip(tips);
        if let Some(recorded) = id.and_then(|id| self.captures.iter().find(|c| c.has_id(id))) {
            // The tip is part of what was recorded: the same id with another
            // tip is a different capture, not a retry.
            return if recorded.amount == amount && recorded.tips == tips {
                Ok(Effect::Replay)
            } else {
                Err(self.violation(
                    op,
                    Detail::CaptureConflict {
                        recorded: recorded.amount,
                        recorded_tips: recorded.tips,
                        requested: amount,
                        requested_tips: tips,
                    },
                ))
            };
        }
        self.not_expired(op, now)?;
        let capturable = self.capturable();
        if amount.minor_units() > capturable.minor_units() {
            return Err(self.violation(
                op,
                Detail::OverCapture {
                    requested: amount,
                    capturable,
                    authorized: self.amount,
                    captured: self.captured(),
                    in_flight: self.in_flight(),
                },
            ));
        }
        Ok(Effect::Applies)
    }

    // ---- prepare a capture; record Dojo's answer ----------------------------

    /// The rules a capture request is checked against before it is sent:
    /// those of [`Ledger::check_capture`] without an id (Dojo has not given
    /// one yet, so there is no replay or conflict to find), then no capture
    /// of unknown outcome: a capture is never prepared while another may or
    /// may not have been made.
    fn check_capture_request(
        &self,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
    ) -> Result<(), RuleViolation> {
        let checked = self.check_capture(None, amount, tips, now);
        // After the deadline, and before over-capture: the amounts are not
        // known while a capture's outcome is not, so `outcome_unknown` says
        // what to do (read the intent again) where `over_capture` would
        // judge against an amount in flight that may be released or captured.
        if let Err(violation) = checked
            && violation.rule() != Rule::OverCapture
        {
            return Err(violation);
        }
        // A pending reversal, or a pending refund, which ends capturing if
        // Dojo makes it (D3).
        self.nothing_pending(OperationKind::Capture)?;
        self.no_refund_pending(OperationKind::Capture)?;
        let unknown = self
            .pending
            .iter()
            .filter(|p| p.outcome_unknown)
            .fold(0_i64, |sum, p| sum.saturating_add(p.amount.minor_units()));
        if unknown > 0 {
            return Err(self.violation(
                OperationKind::Capture,
                Detail::OutcomeUnknown {
                    unknown: Money::new(unknown, self.currency()),
                },
            ));
        }
        checked.map(drop)
    }

    /// Checks a capture request and records it as pending, reserving its
    /// amount ([D1](crate::decisions#d1)); the prepared capture carries the request.
    pub(crate) fn prepare_capture(
        &mut self,
        amount: Money,
        tips: Option<Money>,
        now: Timestamp,
        version: ApiVersion,
    ) -> Result<PreparedCapture, RuleViolation> {
        self.check_capture_request(amount, tips, now)?;
        let Some(intent_id) = self.id.as_deref() else {
            return Err(self.violation(OperationKind::Capture, Detail::MissingIntentId));
        };
        let tips = no_zero_tip(tips);
        let local_id = self.next_local_id;
        let prepared = PreparedCapture::new(intent_id, local_id, amount, tips, now, version);
        self.next_local_id = local_id.wrapping_add(1);
        self.pending.push(PendingCapture {
            local_id,
            amount,
            tips,
            prepared_at: now,
            outcome_unknown: false,
            settle_horizon: None,
        });
        self.totals.pending += i128::from(amount.minor_units());
        self.changed();
        Ok(prepared)
    }

    /// Records Dojo's answer to a prepared capture, without re-running any
    /// rule: Dojo has decided. A 2xx with a new, valid `captureId` turns the
    /// pending capture into one in flight, created when it was prepared; a
    /// 4xx releases it; anything else leaves it in flight with its outcome
    /// unknown. A prepared capture not pending here changes nothing.
    pub(crate) fn record_capture_answer(
        &mut self,
        prepared: PreparedCapture,
        answer: Answer<'_>,
    ) -> Result<CaptureId, AnswerErrorKind> {
        let id = self.id.as_deref();
        let Some(index) = self
            .pending
            .iter()
            .position(|p| !p.outcome_unknown && prepared.matches(id, p))
        else {
            return Err(AnswerErrorKind::NotPending);
        };
        let (status, body) = match classify(answer) {
            Classified::Accepted { status, body } => (status, body),
            Classified::Refused(kind) => {
                let released = self.pending.remove(index);
                self.totals.pending -= i128::from(released.amount.minor_units());
                self.changed();
                return Err(kind);
            }
            Classified::Unknown(kind) => return Err(self.outcome_unknown(index, kind)),
        };
        let id = serde_json::from_slice::<CaptureResponse>(without_bom(body))
            .ok()
            .and_then(|response| response.capture_id)
            .and_then(|id| CaptureId::new(&id).ok());
        let unknown = match id {
            Some(id) if self.captures.iter().any(|c| c.has_id(&id)) => {
                AnswerErrorKind::IdAlreadyRecorded {
                    status,
                    id: id.as_str().into(),
                }
            }
            Some(id) => {
                let pending = self.pending.remove(index);
                let amount = i128::from(pending.amount.minor_units());
                self.captures.push(CaptureRecord {
                    id: Some(id.clone()),
                    amount: pending.amount,
                    tips: pending.tips,
                    status: CaptureStatus::Created,
                    created_at: Some(pending.prepared_at),
                });
                self.totals.pending -= amount;
                self.totals.created += amount;
                self.changed();
                return Ok(id);
            }
            None => AnswerErrorKind::Unreadable { status },
        };
        Err(self.outcome_unknown(index, unknown))
    }

    /// Marks the pending capture at `index` as of unknown outcome: its
    /// amount stays in flight until the intent is read again.
    fn outcome_unknown(&mut self, index: usize, kind: AnswerErrorKind) -> AnswerErrorKind {
        if !self.pending[index].outcome_unknown {
            self.pending[index].outcome_unknown = true;
            self.changed();
        }
        kind
    }

    // ---- record a capture's outcome (D1, D7) ---------------------------------

    /// Records a capture's final status, once Dojo reports it: Successful moves its amount from in
    /// flight to captured, Declined and Failed release it ([D1](crate::decisions#d1)). The same
    /// outcome again is a replay ([D7](crate::decisions#d7)).
    pub(crate) fn record_capture_outcome(
        &mut self,
        id: &CaptureId,
        outcome: CaptureOutcome,
    ) -> Result<(), RuleViolation> {
        if self.check_capture_outcome(id, outcome)? == Effect::Applies
            && let Some(record) = self.captures.iter_mut().rev().find(|c| c.has_id(id))
        {
            self.totals.count(record, -1);
            record.status = outcome.status();
            self.totals.count(record, 1);
            self.changed();
        }
        Ok(())
    }

    fn check_capture_outcome(
        &self,
        id: &CaptureId,
        outcome: CaptureOutcome,
    ) -> Result<Effect, RuleViolation> {
        let op = OperationKind::RecordCaptureOutcome;
        // Reversed and Canceled lack `CanRecordCaptureOutcome` in the typed API: the
        // payment went back in full, so no capture can add to what was taken.
        match self.phase {
            Phase::Reversed => {
                return Err(self.invalid(op, "a reversed intent accepts no operation"));
            }
            Phase::Canceled => {
                return Err(self.invalid(op, CANCELED));
            }
            Phase::Created | Phase::Paid | Phase::Released => {}
        }
        // From the end: the capture settled is usually the last one made.
        // Ids are unique, so the direction changes only the cost.
        let Some(record) = self.captures.iter().rev().find(|c| c.has_id(id)) else {
            return Err(self.violation(op, Detail::UnknownCapture));
        };
        match record.status {
            CaptureStatus::Created => Ok(Effect::Applies),
            recorded if recorded == outcome.status() => Ok(Effect::Replay),
            _ => Err(self.violation(op, Detail::UnknownCapture)),
        }
    }

    // ---- refund (rule 5; D2, D7) --------------------------------------------

    /// Records a refund under `key`; the same key with the same amount again
    /// is a replay and changes nothing ([D7](crate::decisions#d7)).
    pub(crate) fn refund(
        &mut self,
        key: IdempotencyKey,
        amount: Money,
    ) -> Result<(), RuleViolation> {
        if self.check_refund_now(Some(&key), amount)? == Effect::Applies {
            self.refunded = Money::new(
                self.refunded
                    .minor_units()
                    .saturating_add(amount.minor_units()),
                self.currency(),
            );
            self.refunds.push(RefundRecord {
                key,
                amount,
                refund_id: None,
            });
            self.changed();
        }
        Ok(())
    }

    /// Checks a refund request under the caller's `key` and reserves its
    /// amount as a pending refund; the prepared refund carries the request.
    ///
    /// The same key and amount while that refund is pending is the safe
    /// retry: another token for the same pending refund and the same request
    /// bytes, never a second reservation. A key already recorded with the
    /// same amount gives a replay token, which reserves nothing ([D7](crate::decisions#d7)).
    pub(crate) fn prepare_refund(
        &mut self,
        key: IdempotencyKey,
        amount: Money,
        details: RefundDetails,
        version: ApiVersion,
    ) -> Result<PreparedRefund, RuleViolation> {
        let op = OperationKind::Refund;
        if let Some(pending) = self.pending_refunds.iter().find(|p| p.key == key) {
            self.positive_in_currency(op, amount)?;
            if pending.amount != amount {
                return Err(self.violation(
                    op,
                    Detail::IdempotencyConflict {
                        recorded: pending.amount,
                        requested: amount,
                    },
                ));
            }
            let Some(intent_id) = self.id.as_deref() else {
                return Err(self.violation(op, Detail::MissingIntentId));
            };
            let prepared =
                PreparedRefund::new(intent_id, key, amount, &pending.details, false, version);
            // A retry is a new request that may land later than the first:
            // the window starts again from the next read that misses it (D22).
            if let Some(pending) = self
                .pending_refunds
                .iter_mut()
                .find(|p| p.key == *prepared.key())
                && pending.settle_horizon.take().is_some()
            {
                self.changed();
            }
            return Ok(prepared);
        }
        let effect = self.check_refund_now(Some(&key), amount)?;
        let Some(intent_id) = self.id.as_deref() else {
            return Err(self.violation(op, Detail::MissingIntentId));
        };
        let replay = effect == Effect::Replay;
        let prepared =
            PreparedRefund::new(intent_id, key.clone(), amount, &details, replay, version);
        if !replay {
            // A released key prepared again with its amount: pending once more.
            self.released_refunds.retain(|r| r.key != key);
            self.pending_refunds.push(PendingRefund {
                key,
                amount,
                details,
                outcome_unknown: false,
                settle_horizon: None,
            });
            self.totals.pending_refunds += i128::from(amount.minor_units());
            self.changed();
        }
        Ok(prepared)
    }

    /// Records Dojo's answer to a prepared refund, without re-running any
    /// rule. A 2xx with a `refundId` makes the pending refund a refund; a
    /// 4xx releases its reservation; anything else leaves it reserved with
    /// its outcome unknown. A replay token changes nothing whatever the answer.
    pub(crate) fn record_refund_answer(
        &mut self,
        prepared: PreparedRefund,
        answer: Answer<'_>,
    ) -> Result<String, AnswerErrorKind> {
        let id = self.id.as_deref();
        let index = if prepared.is_replay() {
            let recorded = id == Some(prepared.intent_id())
                && self
                    .refunds
                    .iter()
                    .any(|r| r.key == *prepared.key() && r.amount == prepared.amount());
            if !recorded {
                return Err(AnswerErrorKind::NotPending);
            }
            None
        } else {
            let Some(index) = self
                .pending_refunds
                .iter()
                .position(|p| prepared.matches(id, p))
            else {
                return Err(AnswerErrorKind::NotPending);
            };
            Some(index)
        };
        let (status, body) = match classify(answer) {
            Classified::Accepted { status, body } => (status, body),
            Classified::Refused(kind) => {
                // A refusal of a retry says nothing of the first request,
                // which may have landed (Dojo answers a key it is still
                // processing with a 409): the outcome stays unknown.
                if let Some(index) = index
                    && self.pending_refunds[index].outcome_unknown
                {
                    let AnswerErrorKind::Refused { status, problem } = kind else {
                        return Err(kind);
                    };
                    return Err(AnswerErrorKind::RetryRefused { status, problem });
                }
                if let Some(index) = index {
                    self.release_refund(index);
                    self.changed();
                }
                return Err(kind);
            }
            Classified::Unknown(kind) => return Err(self.refund_outcome_unknown(index, kind)),
        };
        let response = serde_json::from_slice::<RefundResponse>(without_bom(body)).ok();
        // An answer about another intent tells nothing of this one (D25).
        if let Some(named) = response
            .as_ref()
            .and_then(|r| r.payment_intent_id.as_deref())
            .filter(|named| Some(*named) != self.id.as_deref())
        {
            let kind = AnswerErrorKind::OtherIntent {
                status,
                named: named.into(),
            };
            return Err(self.refund_outcome_unknown(index, kind));
        }
        let refund_id = response
            .and_then(|response| response.refund_id)
            .filter(|id| !id.is_empty());
        let Some(refund_id) = refund_id else {
            return Err(self.refund_outcome_unknown(index, AnswerErrorKind::Unreadable { status }));
        };
        let Some(index) = index else {
            return Ok(refund_id);
        };
        if self
            .refunds
            .iter()
            .any(|r| r.refund_id.as_deref() == Some(refund_id.as_str()))
        {
            let kind = AnswerErrorKind::IdAlreadyRecorded {
                status,
                id: refund_id.into(),
            };
            return Err(self.refund_outcome_unknown(Some(index), kind));
        }
        let pending = self.pending_refunds.remove(index);
        self.totals.pending_refunds -= i128::from(pending.amount.minor_units());
        self.refunded = Money::new(
            self.refunded
                .minor_units()
                .saturating_add(pending.amount.minor_units()),
            self.currency(),
        );
        self.refunds.push(RefundRecord {
            key: pending.key,
            amount: pending.amount,
            refund_id: Some(refund_id.as_str().into()),
        });
        self.changed();
        Ok(refund_id)
    }

    /// Takes the pending refund at `index` out of the reservation and
    /// remembers its key with its amount ([D24](crate::decisions#d24)).
    pub(crate) fn release_refund(&mut self, index: usize) {
        let released = self.pending_refunds.remove(index);
        self.totals.pending_refunds -= i128::from(released.amount.minor_units());
        self.released_refunds.push(RefundRecord {
            key: released.key,
            amount: released.amount,
            refund_id: None,
        });
    }

    /// Marks the pending refund at `index`, if any, as of unknown outcome:
    /// its amount stays reserved until the intent is read again.
    fn refund_outcome_unknown(
        &mut self,
        index: Option<usize>,
        kind: AnswerErrorKind,
    ) -> AnswerErrorKind {
        if let Some(pending) = index.and_then(|index| self.pending_refunds.get_mut(index))
            && !pending.outcome_unknown
        {
            pending.outcome_unknown = true;
            self.changed();
        }
        kind
    }

    fn check_refund(
        &self,
        key: Option<&IdempotencyKey>,
        amount: Money,
    ) -> Result<Effect, RuleViolation> {
        let op = OperationKind::Refund;
        match self.state() {
            IntentState::Captured | IntentState::Refunded => {}
            IntentState::Created | IntentState::Authorized => {
                return Err(self.invalid(op, "nothing has been captured yet"));
            }
            IntentState::Reversed => {
                return Err(
                    self.invalid(op, "a reversed payment has already been returned in full")
                );
            }
            IntentState::Canceled => {
                return Err(self.invalid(op, CANCELED));
            }
        }
        self.positive_in_currency(op, amount)?;
        if let Some(recorded) = key.and_then(|key| self.refunds.iter().find(|r| r.key == *key)) {
            return if recorded.amount == amount {
                Ok(Effect::Replay)
            } else {
                Err(self.violation(
                    op,
                    Detail::IdempotencyConflict {
                        recorded: recorded.amount,
                        requested: amount,
                    },
                ))
            };
        }
        // A key whose refund was refused or released is still Dojo's key
        // for that amount (D24): its first request may yet land, and Dojo
        // would deduplicate another amount to the first one.
        if let Some(released) =
            key.and_then(|key| self.released_refunds.iter().find(|r| r.key == *key))
            && released.amount != amount
        {
            return Err(self.violation(
                op,
                Detail::IdempotencyConflict {
                    recorded: released.amount,
                    requested: amount,
                },
            ));
        }
        let refundable = self.refundable();
        if amount.minor_units() > refundable.minor_units() {
            return Err(self.violation(
                op,
                Detail::OverRefund {
                    requested: amount,
                    refundable,
                    captured: self.captured(),
                    captured_tips: self.captured_tips(),
                    refunded: self.refunded,
                },
            ));
        }
        Ok(Effect::Applies)
    }

    // ---- reverse (rule 6; D5, D8, D12) --------------------------------------

    /// Reverses the whole payment.
    pub(crate) fn reverse(&mut self, now: Timestamp) -> Result<(), RuleViolation> {
        self.check_reverse_now(now)?;
        self.phase = Phase::Reversed;
        self.changed();
        Ok(())
    }

    fn check_reverse(&self, now: Timestamp) -> Result<(), RuleViolation> {
        let op = OperationKind::Reverse;
        let state = self.state();
        match (self.mode, state) {
            (CaptureMode::Manual, IntentState::Authorized) => {
                if !self.in_flight().is_zero() {
                    return Err(self.invalid(
                        op,
                        "a capture is in flight; a Manual intent is reversed only with no capture in flight or made",
                    ));
                }
                self.not_expired(op, now)
            }
            (CaptureMode::Manual, IntentState::Captured) => Err(self.invalid(
                op,
                "a captured Manual payment can only be refunded, not reversed",
            )),
            (CaptureMode::Auto, IntentState::Captured) => {
                let Some(paid_at) = self.paid_at else {
                    return Err(self.invalid(op, "the time of the payment is unknown"));
                };
                let (paid_on, today) = (london_day(paid_at), london_day(now));
                if paid_on == today {
                    Ok(())
                } else {
                    Err(self.violation(op, Detail::SameDayReversalClosed { paid_on, today }))
                }
            }
            (CaptureMode::Auto, IntentState::Authorized) => Err(self.invalid(
                op,
                "an Auto payment is reversed only once Dojo has captured it",
            )),
            (_, IntentState::Created) => Err(self.invalid(op, NOT_PAID_YET)),
            (_, IntentState::Refunded) => Err(self.invalid(
                op,
                "a refunded payment can only be refunded further, not reversed",
            )),
            (_, IntentState::Reversed) => Err(self.invalid(op, "a reversal cannot be reversed")),
            (_, IntentState::Canceled) => Err(self.invalid(op, CANCELED)),
        }
    }

    // ---- prepare a reversal, cancel or change; record Dojo's answer ---------

    /// Records `kind` as the pending operation, once its rules passed, and
    /// builds its request; refused while another operation is pending or
    /// without Dojo's id of the intent.
    fn prepare_operation(
        &mut self,
        kind: PendingKind,
        version: ApiVersion,
    ) -> Result<PreparedOperation, RuleViolation> {
        let op = kind.operation();
        self.nothing_pending(op)?;
        let Some(intent_id) = self.id.as_deref() else {
            return Err(self.violation(op, Detail::MissingIntentId));
        };
        let local_id = self.next_local_id;
        let prepared = PreparedOperation::new(intent_id, local_id, kind, version);
        self.next_local_id = local_id.wrapping_add(1);
        self.pending_operation = Some(PendingOperation {
            local_id,
            kind,
            outcome_unknown: false,
            settle_horizon: None,
        });
        self.changed();
        Ok(prepared)
    }

    /// Checks a reversal (rule 6) and records it as pending: it blocks
    /// captures, refunds and another reversal until its answer is recorded.
    pub(crate) fn prepare_reversal(
        &mut self,
        now: Timestamp,
        version: ApiVersion,
    ) -> Result<PreparedOperation, RuleViolation> {
        self.check_reverse_now(now)?;
        self.prepare_operation(PendingKind::Reversal, version)
    }

    /// Checks a cancel (rule 4) and records it as pending.
    pub(crate) fn prepare_cancel(
        &mut self,
        version: ApiVersion,
    ) -> Result<PreparedOperation, RuleViolation> {
        self.check_cancel_now()?;
        self.prepare_operation(PendingKind::Cancel, version)
    }

    /// Checks a change of amount (rule 8) and records it as pending.
    pub(crate) fn prepare_change_amount(
        &mut self,
        amount: Money,
        version: ApiVersion,
    ) -> Result<PreparedOperation, RuleViolation> {
        self.check_change_amount_now(amount)?;
        self.prepare_operation(PendingKind::ChangeAmount(amount), version)
    }

    /// Checks a change of tip and records it as pending.
    pub(crate) fn prepare_change_tips(
        &mut self,
        tips: Money,
        version: ApiVersion,
    ) -> Result<PreparedOperation, RuleViolation> {
        self.check_change_tips(tips)?;
        self.prepare_operation(PendingKind::ChangeTips(tips), version)
    }

    /// Only a Created intent that allows tips has its tip changed; a tip of
    /// zero is allowed and takes the tip away ([D18](crate::decisions#d18)).
    fn check_change_tips(&self, tips: Money) -> Result<(), RuleViolation> {
        let op = OperationKind::ChangeTips;
        match self.state() {
            IntentState::Created => {}
            IntentState::Canceled => return Err(self.invalid(op, CANCELED)),
            _ => {
                return Err(self.invalid(
                    op,
                    "the tip changes only before the payment; after it, a tip travels with a capture",
                ));
            }
        }
        if !self.tips_allowed {
            return Err(self.violation(op, Detail::TipsNotAllowed));
        }
        self.in_currency(op, tips)
    }

    /// Records Dojo's answer to a prepared reversal, cancel or change,
    /// without re-running any rule. A 2xx applies the operation, unless the
    /// intent Dojo sends back (cancel, change of amount or tip) contradicts
    /// it, or the intent here was paid meanwhile (cancel, changes): then the
    /// outcome is unknown. A 4xx releases it; anything else leaves it
    /// pending with its outcome unknown.
    pub(crate) fn record_operation_answer(
        &mut self,
        prepared: PreparedOperation,
        answer: Answer<'_>,
    ) -> Result<(), AnswerErrorKind> {
        let id = self.id.as_deref();
        let Some(pending) = self
            .pending_operation
            .as_ref()
            .filter(|p| prepared.matches(id, p))
        else {
            return Err(AnswerErrorKind::NotPending);
        };
        let kind = pending.kind;
        let (status, body) = match classify(answer) {
            Classified::Accepted { status, body } => (status, body),
            Classified::Refused(error) => {
                self.pending_operation = None;
                self.changed();
                return Err(error);
            }
            Classified::Unknown(error) => return Err(self.operation_outcome_unknown(error)),
        };
        // The intent Dojo answers with, when the body reads as one.
        let answered = serde_json::from_slice::<PaymentIntentResource>(without_bom(body)).ok();
        // An answer about another intent tells nothing of this one (D25).
        // Read on its own, so that a body too short to be an intent still
        // cannot speak for another one.
        #[derive(serde::Deserialize)]
        struct Named {
            id: Option<String>,
        }
        // A reversal's answer is no intent: its `id`, when sent, is the
        // reversal's own (`rvs_…`).
        let named = serde_json::from_slice::<Named>(without_bom(body))
            .ok()
            .and_then(|named| named.id)
            .filter(|_| kind != PendingKind::Reversal);
        if let Some(named) = named
            .as_deref()
            .filter(|named| Some(*named) != self.id.as_deref())
        {
            let kind = AnswerErrorKind::OtherIntent {
                status,
                named: named.into(),
            };
            return Err(self.operation_outcome_unknown(kind));
        }
        // A change is made only to an intent still Created (D25): one Dojo
        // shows paid meanwhile contradicts it, whatever its amount says.
        let still_created =
            |intent: &PaymentIntentResource| intent.status == PaymentIntentStatus::Created;
        let agrees = match kind {
            PendingKind::Reversal => true,
            PendingKind::Cancel => {
                self.phase == Phase::Created
                    && answered
                        .as_ref()
                        .is_none_or(|intent| intent.status == PaymentIntentStatus::Canceled)
            }
            PendingKind::ChangeAmount(amount) => {
                self.phase == Phase::Created
                    && answered.as_ref().is_none_or(|intent| {
                        still_created(intent) && intent.amount.is_none_or(|found| found == amount)
                    })
            }
            PendingKind::ChangeTips(tips) => {
                self.phase == Phase::Created
                    && answered.as_ref().is_none_or(|intent| {
                        still_created(intent)
                            && no_zero_tip(intent.tips_amount) == no_zero_tip(Some(tips))
                    })
            }
        };
        if !agrees {
            return Err(self.operation_outcome_unknown(AnswerErrorKind::Contradicts { status }));
        }
        self.pending_operation = None;
        match kind {
            PendingKind::Reversal => self.phase = Phase::Reversed,
            PendingKind::Cancel => self.phase = Phase::Canceled,
            PendingKind::ChangeAmount(amount) => self.amount = amount,
            PendingKind::ChangeTips(tips) => self.tips = no_zero_tip(Some(tips)),
        }
        self.changed();
        Ok(())
    }

    /// Marks the pending operation as of unknown outcome.
    fn operation_outcome_unknown(&mut self, kind: AnswerErrorKind) -> AnswerErrorKind {
        if let Some(pending) = &mut self.pending_operation
            && !pending.outcome_unknown
        {
            pending.outcome_unknown = true;
            self.changed();
        }
        kind
    }

    // ---- cancel (rule 4) ----------------------------------------------------

    /// Cancels the intent.
    pub(crate) fn cancel(&mut self) -> Result<(), RuleViolation> {
        // Not `check_cancel_now`: the typed `cancel` cannot be refused (a
        // Created intent is always canceled), so a cancel recorded at once
        // is not blocked by a pending change; `check` and `prepare_cancel`
        // are, and a later reconcile settles the pending change.
        self.check_cancel()?;
        self.phase = Phase::Canceled;
        self.changed();
        Ok(())
    }

    fn check_cancel(&self) -> Result<(), RuleViolation> {
        match self.state() {
            IntentState::Created => Ok(()),
            IntentState::Canceled => Err(self.invalid(OperationKind::Cancel, CANCELED)),
            _ => Err(self.invalid(
                OperationKind::Cancel,
                "only a Created intent can be canceled",
            )),
        }
    }

    // ---- change amount (rule 8; D6) -----------------------------------------

    /// Changes the amount to be paid.
    pub(crate) fn change_amount(&mut self, amount: Money) -> Result<(), RuleViolation> {
        self.check_change_amount_now(amount)?;
        // The same amount again changes nothing, so it is not a revision.
        if self.amount != amount {
            self.amount = amount;
            self.changed();
        }
        Ok(())
    }

    fn check_change_amount(&self, amount: Money) -> Result<(), RuleViolation> {
        let op = OperationKind::ChangeAmount;
        if self.state() != IntentState::Created {
            return Err(self.invalid(op, "the amount changes only before the payment"));
        }
        if !self.custom_amount_allowed {
            return Err(self.violation(op, Detail::CustomAmountNotAllowed));
        }
        self.positive_in_currency(op, amount)
    }
}

/// Dojo's answer, sorted once for every operation: accepted (2xx, whose
/// body the operation reads), refused (4xx, with the problem details when
/// they read), or of unknown outcome (5xx, another status, no answer).
enum Classified<'a> {
    Accepted { status: u16, body: &'a [u8] },
    Refused(AnswerErrorKind),
    Unknown(AnswerErrorKind),
}

fn classify(answer: Answer<'_>) -> Classified<'_> {
    let (status, body) = match answer {
        Answer::Http { status, body } => (status, body),
        Answer::TransportFailure => return Classified::Unknown(AnswerErrorKind::NoAnswer),
    };
    match status {
        200..=299 => Classified::Accepted { status, body },
        400..=499 => {
            let problem = serde_json::from_slice::<ProblemDetails>(without_bom(body))
                .ok()
                .map(Box::new);
            Classified::Refused(AnswerErrorKind::Refused { status, problem })
        }
        500..=599 => Classified::Unknown(AnswerErrorKind::ServerError { status }),
        _ => Classified::Unknown(AnswerErrorKind::UnexpectedStatus { status }),
    }
}

/// A tip of zero is no tip ([D18](crate::decisions#d18)): one spelling, so that a capture recorded
/// with `tipsAmount: 0` and replayed without a tip is the same capture.
pub(crate) fn no_zero_tip(tips: Option<Money>) -> Option<Money> {
    tips.filter(|tips| !tips.is_zero())
}

/// The calendar day in Europe/London ([D8](crate::decisions#d8)). The zone's rules are compiled
/// into the crate, so the answer never depends on the host's zoneinfo.
pub(crate) fn london_day(at: Timestamp) -> Date {
    static LONDON: TimeZone = jiff::tz::get!("Europe/London");
    at.to_zoned_datetime(LONDON.clone()).date()
}

#[cfg(all(test, feature = "proptest"))]
mod tests {
    use proptest::prelude::*;

    use super::Totals;
    use crate::AnyPaymentIntent;

    proptest! {
        /// The running totals equal the sums over the records for intents
        /// reached through the operations, their clones, their Dojo JSON
        /// read back and their stored records read back. (Every change
        /// also asserts it in debug builds.)
        #[test]
        fn running_totals_equal_the_sums_over_the_records(
            intent in crate::strategy::intent(),
        ) {
            let stored = AnyPaymentIntent::from_stored_json(intent.to_stored_json().as_bytes())
                .expect("a stored intent reads back");
            let wire = serde_json::to_vec(&intent.to_resource()).expect("JSON");
            let read = AnyPaymentIntent::from_json(&wire).expect("Dojo's JSON reads back");
            for copy in [&intent, &intent.duplicate(), &stored, &read] {
                let ledger = copy.ledger();
                prop_assert_eq!(
                    ledger.totals,
                    Totals::of(&ledger.captures, &ledger.pending, &ledger.pending_refunds)
                );
            }
            let clone = intent.duplicate();
            prop_assert!(clone.ledger().captures.capacity() >= clone.ledger().captures.len() + super::RESERVED_RECORDS);
            prop_assert!(clone.ledger().refunds.capacity() >= clone.ledger().refunds.len() + super::RESERVED_RECORDS);
        }
    }
}
