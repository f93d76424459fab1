//! Around the HTTP call: a capture prepared before the request is sent, and
//! Dojo's answer recorded after it.
//!
//! Preparing checks the capture rules and puts the amount in flight as a *pending*
//! capture; recording takes the one [`PreparedCapture`] token and Dojo's
//! [`Answer`], and never re-runs the rules: Dojo has decided.

use std::fmt;

use jiff::Timestamp;

use crate::ids::CaptureId;
use crate::money::Money;
use crate::request::{ApiVersion, Request};
use crate::wire::{CaptureRequest, ProblemDetails};

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
    pub fn local_id(&self) -> u64 {
        self.local_id
    }

    /// Dojo's id of the intent the capture is for.
    pub fn intent_id(&self) -> &str {
        &self.intent_id
    }

    /// The amount to capture, without tips.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The tip sent with the capture; a zero tip is no tip (D18).
    pub fn tips(&self) -> Option<Money> {
        self.tips
    }

    /// The `now` the capture was prepared at; the capture Dojo creates is
    /// recorded as created then.
    pub fn prepared_at(&self) -> Timestamp {
        self.prepared_at
    }

    /// The request to send: `POST /payment-intents/{id}/captures`.
    pub fn request(&self) -> &Request {
        &self.request
    }
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
    kind: AnswerErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AnswerErrorKind {
    #[error(
        "this prepared capture is not pending in this intent: \
         its answer was recorded already, or it was prepared for another intent"
    )]
    NotPending,
    #[error("Dojo refused the capture with status {status}{}; its amount is released", Problem(.problem.as_deref()))]
    Refused {
        status: u16,
        problem: Option<Box<ProblemDetails>>,
    },
    #[error(
        "Dojo answered the capture with status {status}: \
         whether it captured is unknown until the intent is read again"
    )]
    ServerError { status: u16 },
    #[error(
        "Dojo answered the capture with status {status}, neither a success nor a refusal: \
         whether it captured is unknown until the intent is read again"
    )]
    UnexpectedStatus { status: u16 },
    #[error(
        "Dojo accepted the capture with status {status} but its body holds no valid captureId: \
         whether it captured is unknown until the intent is read again"
    )]
    Unreadable { status: u16 },
    #[error(
        "Dojo accepted the capture with status {status} as captureId {id}, which the intent already records: \
         whether it captured again is unknown until the intent is read again"
    )]
    IdAlreadyRecorded { status: u16, id: CaptureId },
    #[error(
        "the capture request got no answer from Dojo: \
         whether it captured is unknown until the intent is read again"
    )]
    NoAnswer,
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
    pub(crate) fn new(intent: I, kind: AnswerErrorKind) -> Self {
        AnswerError { intent, kind }
    }

    /// A stable snake_case name for what happened: `capture_refused` (4xx),
    /// `capture_server_error` (5xx), `capture_unexpected_status`,
    /// `capture_answer_unreadable` (a 2xx without a valid `captureId`),
    /// `capture_id_already_recorded`, `capture_no_answer` (a transport
    /// failure), or `capture_not_pending`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            AnswerErrorKind::NotPending => "capture_not_pending",
            AnswerErrorKind::Refused { .. } => "capture_refused",
            AnswerErrorKind::ServerError { .. } => "capture_server_error",
            AnswerErrorKind::UnexpectedStatus { .. } => "capture_unexpected_status",
            AnswerErrorKind::Unreadable { .. } => "capture_answer_unreadable",
            AnswerErrorKind::IdAlreadyRecorded { .. } => "capture_id_already_recorded",
            AnswerErrorKind::NoAnswer => "capture_no_answer",
        }
    }

    /// Whether the capture may or may not have been made: its amount stays
    /// in flight, and the intent must be read again from Dojo before another
    /// capture is prepared (`outcome_unknown`). `false` when Dojo refused
    /// (the amount is released) and when the prepared capture was not
    /// pending (nothing changed).
    pub fn outcome_unknown(&self) -> bool {
        self.kind.outcome_unknown()
    }

    /// The HTTP status Dojo answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            AnswerErrorKind::Refused { status, .. }
            | AnswerErrorKind::ServerError { status }
            | AnswerErrorKind::UnexpectedStatus { status }
            | AnswerErrorKind::Unreadable { status }
            | AnswerErrorKind::IdAlreadyRecorded { status, .. } => Some(status),
            AnswerErrorKind::NotPending | AnswerErrorKind::NoAnswer => None,
        }
    }

    /// The RFC 7807 problem details of a refusal, when its body could be read.
    pub fn problem(&self) -> Option<&ProblemDetails> {
        match &self.kind {
            AnswerErrorKind::Refused { problem, .. } => problem.as_deref(),
            _ => None,
        }
    }

    /// The intent, with the answer recorded: the amount released after
    /// a refusal, kept and marked unknown otherwise, untouched when the
    /// prepared capture was not pending.
    pub fn intent(&self) -> &I {
        &self.intent
    }

    /// Takes the intent back.
    pub fn into_intent(self) -> I {
        self.intent
    }
}

impl<I> fmt::Display for AnswerError<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
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
