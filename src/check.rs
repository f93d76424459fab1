//! The `check` command without the command line: text in, [`Verdict`] out.
//!
//! Everything that turns text into the library's types (the intent's JSON,
//! the operation word, the amount, the time) lives here rather than in the
//! binary, so that a fuzz target can drive exactly what the command line
//! drives. Nothing here judges an operation: that is
//! [`AnyPaymentIntent::check`]'s job, and the figures after an allowed
//! operation come from applying it, through the library's own transitions,
//! to a copy of the intent.
//!
//! ```
//! # fn main() -> Result<(), dojo_capture::check::InputError> {
//! let intent = br#"{
//!     "id": "pi_sandbox_doc", "captureMode": "Manual", "status": "Authorized",
//!     "amount": {"value": 1000, "currencyCode": "GBP"},
//!     "createdAt": "2024-07-25T08:48:38Z", "captures": []
//! }"#;
//! let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
//!
//! let verdict = dojo_capture::check::run(intent, "capture", Some("7.50"), now)?;
//! assert!(verdict.allowed);
//! assert_eq!(verdict.exit_code(), 0);
//!
//! let verdict = dojo_capture::check::run(intent, "capture", Some("10.01"), now)?;
//! assert_eq!(verdict.rule.map(|rule| rule.code()), Some("over_capture"));
//! assert_eq!(verdict.exit_code(), 1);
//! # Ok(())
//! # }
//! ```

use std::collections::HashSet;
use std::fmt;

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::any::{AnyPaymentIntent, Operation};
use crate::ids::{CaptureId, IdError, IdempotencyKey};
use crate::money::{Currency, Money, MoneyError};
use crate::rehydrate::RehydrateError;
use crate::request::UnknownApiVersion;
use crate::rule::{OperationKind, Rule, RuleViolation};
use crate::state::IntentState;

/// The operations `check` accepts, in the order the usage text lists them,
/// each with whether it takes an amount.
const OPERATIONS: [(OperationKind, Shape); 5] = [
    (
        OperationKind::Capture,
        Shape::WithAmount(Operation::Capture),
    ),
    (OperationKind::Refund, Shape::WithAmount(Operation::Refund)),
    (OperationKind::Reverse, Shape::Bare(Operation::Reverse)),
    (OperationKind::Cancel, Shape::Bare(Operation::Cancel)),
    (
        OperationKind::ChangeAmount,
        Shape::WithAmount(Operation::ChangeAmount),
    ),
];

#[derive(Clone, Copy)]
enum Shape {
    WithAmount(fn(Money) -> Operation),
    Bare(Operation),
}

/// An operation whose amount cannot be parsed before the intent's currency is known.
enum Pending<'a> {
    Ready(Operation),
    NeedsAmount(fn(Money) -> Operation, &'a str),
}

/// Judges `operation` on the payment intent `intent_json` at `now`.
///
/// `intent_json` is the body of `GET /payment-intents/{id}`. `operation` is
/// one of `capture`, `refund`, `reverse`, `cancel`, `change-amount`.
/// `amount` is required by capture, refund and change-amount and refused by
/// the others: a decimal in major units (`7.50`, in the intent's currency)
/// or a decimal, one space and a currency code (`7.50 GBP`). An amount in
/// another currency than the intent's is not an input error: it is for the
/// rules to refuse, as `currency_mismatch`.
///
/// # Errors
/// The input cannot be judged: the JSON is malformed or does not add up
/// (see [`RehydrateError`]), the operation is unknown, the amount is
/// missing, superfluous or not an amount.
///
/// ```
/// # let json = std::fs::read("docs/examples/manual-authorized.json")?;
/// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
///
/// use dojo_capture::check;
///
/// let verdict = check::run(&json, "refund", Some("4.00 GBP"), now)?;
/// assert!(verdict.allowed);
/// let error = check::run(&json, "refund", None, now).unwrap_err();
/// assert_eq!(error.code(), "amount_required");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    intent_json: &[u8],
    operation: &str,
    amount: Option<&str>,
    now: Timestamp,
) -> Result<Verdict, InputError> {
    // The arguments are checked before the intent so that a typo on the
    // command line is reported as such, whatever the file holds.
    let (kind, shape) = parse_operation(operation)?;
    let pending = match (shape, amount) {
        (Shape::Bare(operation), None) => Pending::Ready(operation),
        (Shape::WithAmount(make), Some(text)) => Pending::NeedsAmount(make, text),
        (Shape::WithAmount(_), None) => {
            return Err(InputError::new(InputErrorKind::AmountRequired(kind)));
        }
        (Shape::Bare(_), Some(text)) => {
            return Err(InputError::new(InputErrorKind::UnexpectedAmount(
                kind,
                text.into(),
            )));
        }
    };
    let intent = AnyPaymentIntent::from_json(intent_json)
        .map_err(|e| InputError::new(InputErrorKind::Intent(e)))?;
    let (operation, requested) = match pending {
        Pending::Ready(operation) => (operation, None),
        Pending::NeedsAmount(make, text) => {
            let amount = parse_amount(text, intent.amount().currency())?;
            (make(amount), Some(amount))
        }
    };
    Ok(judge(&intent, kind, operation, requested, now))
}

/// Parses the `--now` option: an RFC 3339 time such as `2024-07-25T12:00:00Z`.
///
/// jiff's parser takes a superset (ISO 8601 forms such as a bracketed zone
/// name after the offset), but always requires the offset, so the instant
/// never depends on the host's time zone.
///
/// # Errors
/// The text is not such a time; the message names it.
///
/// ```
/// use dojo_capture::check;
///
/// let now = check::parse_now("2024-07-26T10:00:00+01:00")?;
/// assert_eq!(now.to_string(), "2024-07-26T09:00:00Z");
/// assert_eq!(check::parse_now("2024-07-26 10:00").unwrap_err().code(), "invalid_time");
/// # Ok::<(), dojo_capture::check::InputError>(())
/// ```
pub fn parse_now(text: &str) -> Result<Timestamp, InputError> {
    text.parse::<Timestamp>().map_err(|e| {
        InputError::new(InputErrorKind::Now(
            text.into(),
            e.to_string().into_boxed_str(),
        ))
    })
}

fn parse_operation(text: &str) -> Result<(OperationKind, Shape), InputError> {
    // The library's own words, so the command line cannot drift from messages.
    OPERATIONS
        .into_iter()
        .find(|(kind, _)| kind.as_str() == text)
        .ok_or_else(|| {
            InputError::new(InputErrorKind::UnknownOperation(
                text.into(),
                operation_words(),
            ))
        })
}

/// Parses the command line's AMOUNT in the intent's currency, or in the
/// currency it names; shared by `check` and `request`.
pub(crate) fn parse_amount(text: &str, intent_currency: Currency) -> Result<Money, InputError> {
    // Both parsers are Money's own, so the command line accepts exactly the
    // text that Money's Display writes, and nothing is guessed.
    let parsed = if text.contains(' ') {
        text.parse::<Money>()
    } else {
        Money::parse_in(text, intent_currency)
    };
    parsed.map_err(|e| InputError::new(InputErrorKind::Amount(text.into(), e)))
}

fn judge(
    intent: &AnyPaymentIntent,
    kind: OperationKind,
    operation: Operation,
    requested: Option<Money>,
    now: Timestamp,
) -> Verdict {
    // Should a transition ever refuse what the check allowed, the refusal
    // wins: the verdict must never be more permissive than the library.
    let outcome = intent
        .check(operation, now)
        .and_then(|()| apply(intent, operation, now));
    let before = Amounts {
        requested,
        amount: intent.amount(),
        captured: intent.captured(),
        in_flight: intent.in_flight(),
        refunded: intent.refunded(),
        captured_tips: intent.captured_tips(),
        capturable: intent.capturable(),
        refundable: intent.refundable(),
        capturable_after: None,
        refundable_after: None,
    };
    let state = intent.state();
    match outcome {
        Ok(after) => {
            let amounts = Amounts {
                capturable_after: after.as_ref().map(AnyPaymentIntent::capturable),
                refundable_after: after.as_ref().map(AnyPaymentIntent::refundable),
                ..before
            };
            Verdict {
                allowed: true,
                rule: None,
                state,
                operation: kind,
                message: allowed_message(kind, state, &amounts),
                amounts,
            }
        }
        Err(violation) => Verdict {
            allowed: false,
            rule: Some(violation.rule()),
            state,
            operation: kind,
            message: violation.to_string(),
            amounts: before,
        },
    }
}

/// The intent as it would be after `operation`, through the same
/// transitions a caller would use.
///
/// `None` only if no synthetic capture id or refund key could be built,
/// which the ids' own rules make impossible; the verdict then simply
/// reports no figures after the operation rather than failing.
fn apply(
    intent: &AnyPaymentIntent,
    operation: Operation,
    now: Timestamp,
) -> Result<Option<AnyPaymentIntent>, RuleViolation> {
    let copy = intent.duplicate();
    let result = match operation {
        // A capture is only recorded in flight here, its outcome never recorded:
        // until Dojo reports it Successful its amount is in flight and nothing is captured (D1).
        Operation::Capture(amount) => match unused_capture_id(intent) {
            Some(id) => copy.capture(id, amount, now),
            None => return Ok(None),
        },
        // A rehydrated intent carries no idempotency keys (the wire has
        // none), so any key is a new refund rather than a replay (D7).
        Operation::Refund(amount) => match IdempotencyKey::new("check") {
            Ok(key) => copy.refund(key, amount),
            Err(_) => return Ok(None),
        },
        Operation::Reverse => copy.reverse(now),
        Operation::Cancel => copy.cancel(),
        Operation::ChangeAmount(amount) => copy.change_amount(amount),
    };
    result.map(Some).map_err(|rejected| *rejected.violation())
}

/// A capture id no recorded capture has: a recorded one would turn the
/// capture into a replay or a conflict ([D7](crate::decisions#d7)) and hide what a new one does.
fn unused_capture_id(intent: &AnyPaymentIntent) -> Option<CaptureId> {
    let recorded = intent.captures();
    // A set, so that an intent whose ids are exactly the candidates costs
    // linear time rather than quadratic.
    let taken: HashSet<&str> = recorded
        .iter()
        .filter_map(|capture| capture.id().map(CaptureId::as_str))
        .collect();
    // Among `recorded.len() + 1` distinct candidates at least one is unused.
    (0..=recorded.len())
        .map(|n| format!("cp_check_{n}"))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .and_then(|candidate| CaptureId::new(&candidate).ok())
}

fn allowed_message(kind: OperationKind, state: IntentState, amounts: &Amounts) -> String {
    let requested = amounts
        .requested
        .map_or_else(String::new, |amount| format!(" {amount}"));
    let after = match (amounts.capturable_after, amounts.refundable_after) {
        (Some(capturable), Some(refundable)) => {
            format!("; capturable after: {capturable}, refundable after: {refundable}")
        }
        _ => String::new(),
    };
    format!(
        "allowed: {kind}{requested} on {} {state} intent{after}",
        state.article()
    )
}

/// The answer to `check`: whether the operation is allowed, the rule that
/// refuses it if not, and the intent's figures.
///
/// ```
/// # let json = std::fs::read("docs/examples/manual-authorized.json")?;
/// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
///
/// use dojo_capture::{IntentState, OperationKind, Rule, check};
///
/// let verdict = check::run(&json, "reverse", None, now)?;
/// assert!(!verdict.allowed);
/// assert_eq!(verdict.rule, Some(Rule::InvalidTransition));
/// assert_eq!((verdict.operation, verdict.state), (OperationKind::Reverse, IntentState::Captured));
/// assert!(verdict.message.starts_with("invalid_transition: "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// Whether the library would accept the operation.
    pub allowed: bool,
    /// The rule that refuses it; `None` exactly when `allowed`.
    pub rule: Option<Rule>,
    /// The state the library derives from the intent's amounts ([D4](crate::decisions#d4)), which
    /// may differ from the `status` field, e.g. `Captured` for an
    /// `Authorized` intent with a Successful partial capture.
    pub state: IntentState,
    /// The operation judged.
    pub operation: OperationKind,
    /// One line: `allowed: …` with the figures after the operation, or the
    /// rule violation, which starts with the rule's code.
    pub message: String,
    /// The intent's figures, and those after the operation when allowed.
    pub amounts: Amounts,
}

/// The figures a [`Verdict`] reports, all in the intent's currency except
/// possibly `requested`.
///
/// ```
/// # let json = std::fs::read("docs/examples/manual-authorized.json")?;
/// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
///
/// use dojo_capture::{Currency, Money, check};
///
/// let gbp = |minor| Money::new(minor, Currency::GBP);
/// let amounts = check::run(&json, "capture", Some("2.00"), now)?.amounts;
/// assert_eq!((amounts.captured, amounts.in_flight, amounts.capturable), (gbp(400), gbp(100), gbp(500)));
/// assert_eq!(amounts.requested, Some(gbp(200)));
/// assert_eq!(amounts.capturable_after, Some(gbp(300)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Amounts {
    /// The amount given on the command line; `None` for reverse and cancel.
    pub requested: Option<Money>,
    /// The authorised amount.
    pub amount: Money,
    /// Captured so far.
    pub captured: Money,
    /// In flight: captures Dojo accepted whose final status is not known yet
    /// ([D1](crate::decisions#d1)).
    pub in_flight: Money,
    /// Refunded so far.
    pub refunded: Money,
    /// The tips taken with the payment, which a refund may return ([D14](crate::decisions#d14)).
    pub captured_tips: Money,
    /// The ledger's capturable figure: amount − in flight − captured ([D1](crate::decisions#d1)).
    pub capturable: Money,
    /// The ledger's refundable figure: captured + captured tips − refunded
    /// ([D2](crate::decisions#d2), [D14](crate::decisions#d14)).
    pub refundable: Money,
    /// When allowed, what a further capture could take right after the operation, at the same time:
    /// the ledger's figure if the ledger would accept a capture of it, else zero. A capture's
    /// amount is only in flight until its outcome is recorded ([D1](crate::decisions#d1)), so it
    /// lowers this, not `refundable_after`.
    pub capturable_after: Option<Money>,
    /// When allowed, what a further refund could take right after the
    /// operation, likewise confirmed by the ledger.
    pub refundable_after: Option<Money>,
}

impl Verdict {
    /// The process exit code: 0 when allowed, 1 when a rule refuses.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-authorized.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::check;
    ///
    /// assert_eq!(check::run(&json, "capture", Some("5.00"), now)?.exit_code(), 0);
    /// assert_eq!(check::run(&json, "capture", Some("5.01"), now)?.exit_code(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exit_code(&self) -> u8 {
        if self.allowed { 0 } else { 1 }
    }

    /// The verdict as the command line's `--json` prints it.
    ///
    /// Money is written as Dojo's wire writes it, `{"value": 750,
    /// "currencyCode": "GBP"}`, so scripts read one shape everywhere;
    /// `rule` is [`Rule::code`]. Every key is always present, `null` when
    /// it does not apply.
    ///
    /// ```
    /// # let json = std::fs::read("docs/examples/manual-authorized.json")?;
    /// # let now = dojo_capture::check::parse_now("2024-07-26T10:00:00Z")?;
    ///
    /// use dojo_capture::check;
    ///
    /// let json = check::run(&json, "capture", Some("5.01"), now)?.to_json();
    /// assert_eq!(json["rule"], "over_capture");
    /// assert_eq!(json["amounts"]["capturable"], serde_json::json!({"value": 500, "currencyCode": "GBP"}));
    /// assert_eq!(json["amounts"]["capturableAfter"], serde_json::Value::Null);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Value {
        let a = &self.amounts;
        json!({
            "allowed": self.allowed,
            "rule": self.rule.map(Rule::code),
            "state": self.state.as_str(),
            "operation": self.operation.as_str(),
            "message": self.message,
            "amounts": {
                "requested": a.requested,
                "amount": a.amount,
                "captured": a.captured,
                "inFlight": a.in_flight,
                "refunded": a.refunded,
                "capturedTips": a.captured_tips,
                "capturable": a.capturable,
                "refundable": a.refundable,
                "capturableAfter": a.capturable_after,
                "refundableAfter": a.refundable_after,
            },
        })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Input the `check` or the `request` command cannot use: the intent, the
/// operation, the amount, the time or (for `request`) the key, the version or
/// the base URL is unusable. The message starts with [`InputError::code`] and names
/// the value and what is wrong with it.
///
/// When the cause is a [`RehydrateError`], a [`MoneyError`], an [`IdError`]
/// or an [`UnknownApiVersion`], the message
/// includes the cause's own message and `source()` is `None`, so an error
/// chain prints that text once.
///
/// ```
/// use dojo_capture::check;
///
/// let now = check::parse_now("2024-07-26T10:00:00Z").unwrap();
/// let error = check::run(b"{}", "settle", None, now).unwrap_err();
/// assert_eq!(error.code(), "unknown_operation");
/// assert_eq!(
///     error.to_string(),
///     "unknown_operation: \"settle\" is not an operation; \
///      expected one of capture, refund, reverse, cancel, change-amount"
/// );
/// assert_eq!(error.exit_code(), 2);
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", .kind.code())]
pub struct InputError {
    kind: InputErrorKind,
}

// Values from the command line are printed with `{:?}`: quoted, and with
// control characters escaped, so an odd argument stays visible.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub(crate) enum InputErrorKind {
    #[error("{0}")]
    Intent(RehydrateError),
    #[error("{0:?} is not an operation; expected one of {1}")]
    UnknownOperation(Box<str>, String),
    #[error("{0} needs an AMOUNT in major units, e.g. 7.50 or 7.50 GBP")]
    AmountRequired(OperationKind),
    #[error("{0} takes no AMOUNT, yet {1:?} was given")]
    UnexpectedAmount(OperationKind, Box<str>),
    #[error("AMOUNT {0:?} is not usable: {1}")]
    Amount(Box<str>, MoneyError),
    #[error("--now {0:?} is not an RFC 3339 time such as 2024-07-25T12:00:00Z: {1}")]
    Now(Box<str>, Box<str>),
    #[error("refund needs --key, the idempotency key Dojo deduplicates the refund by")]
    KeyRequired,
    #[error("{0} takes no --key, yet {1:?} was given; only a refund carries an idempotency key")]
    UnexpectedKey(OperationKind, Box<str>),
    #[error("--key {0}")]
    Key(IdError),
    #[error("--version {0}")]
    Version(UnknownApiVersion),
    #[error(
        "--base-url {0:?} is not usable: expected http:// or https:// and a host, in visible \
         ASCII, without a query or a fragment"
    )]
    BaseUrl(Box<str>),
}

/// The operation words in the usage text's order, for the message.
fn operation_words() -> String {
    let words: Vec<&str> = OPERATIONS.iter().map(|(kind, _)| kind.as_str()).collect();
    words.join(", ")
}

impl InputErrorKind {
    fn code(&self) -> &'static str {
        match self {
            InputErrorKind::Intent(e) => e.code(),
            InputErrorKind::UnknownOperation(..) => "unknown_operation",
            InputErrorKind::AmountRequired(_) => "amount_required",
            InputErrorKind::UnexpectedAmount(..) => "unexpected_amount",
            InputErrorKind::Amount(_, e) => e.code(),
            InputErrorKind::Now(..) => "invalid_time",
            InputErrorKind::KeyRequired => "key_required",
            InputErrorKind::UnexpectedKey(..) => "unexpected_key",
            InputErrorKind::Key(e) => e.code(),
            InputErrorKind::Version(e) => e.code(),
            InputErrorKind::BaseUrl(_) => "invalid_base_url",
        }
    }
}

impl InputError {
    pub(crate) fn new(kind: InputErrorKind) -> Self {
        InputError { kind }
    }

    /// A stable snake_case name for what is wrong: the [`RehydrateError`],
    /// [`MoneyError`], [`IdError`] or [`UnknownApiVersion`] code when one of
    /// those is the cause, else `unknown_operation`, `amount_required`,
    /// `unexpected_amount`, `invalid_time`, or, for the `request` command
    /// ([`crate::request_command`]), `key_required`, `unexpected_key` or
    /// `invalid_base_url`.
    ///
    /// ```
    /// use dojo_capture::check;
    ///
    /// let error = check::parse_now("tomorrow").unwrap_err();
    /// assert_eq!(error.code(), "invalid_time");
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Whether the payment intent itself is unusable, rather than one of the
    /// arguments: a caller that read the intent from a file names the file then.
    ///
    /// ```
    /// use dojo_capture::check;
    ///
    /// let now = check::parse_now("2024-07-26T10:00:00Z")?;
    /// assert!(check::run(b"not json", "cancel", None, now).unwrap_err().concerns_intent());
    /// assert!(!check::run(b"not json", "settle", None, now).unwrap_err().concerns_intent());
    /// # Ok::<(), dojo_capture::check::InputError>(())
    /// ```
    pub fn concerns_intent(&self) -> bool {
        matches!(self.kind, InputErrorKind::Intent(_))
    }

    /// The process exit code for unusable input: always 2.
    ///
    /// ```
    /// use dojo_capture::check;
    ///
    /// assert_eq!(check::parse_now("yesterday").unwrap_err().exit_code(), 2);
    /// ```
    pub fn exit_code(&self) -> u8 {
        2
    }
}

crate::error::debug_code_and_message!(InputError);
