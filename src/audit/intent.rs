//! What the audit keeps of one intent, and how each kind of line changes it.
//!
//! Nothing here reads another intent's state: the lines of one intent are
//! judged against that intent alone, which is what lets a history be split
//! by intent id and audited in parallel.

use jiff::Timestamp;

use super::finding::{Finding, clipped, shown};
use super::line::RequestLine;
use super::request::{Asked, Token, differences, prepare, version, wanted};
use crate::any::AnyPaymentIntent;
use crate::ids::CaptureId;
use crate::prepared::{Answer, AnswerError, AnswerErrorKind};
use crate::settle::{ReadStart, SettleWindow};
use crate::webhook::{WebhookEvent, WebhookVerdict};
use crate::wire::CaptureStatus;
use crate::wire::PaymentIntentResource;

/// The most requests of one intent that await their answers at once.
///
/// A service rarely has more than one request of an intent in flight; a
/// history where more pile up has lost answers. Past this many, the oldest
/// is taken as never answered (finding `answer_missing`): its outcome
/// becomes unknown, so that the next read settles it, and what the auditor
/// keeps per intent stays bounded whatever the history holds.
///
/// ```
/// assert_eq!(dojo_capture::audit::MAX_AWAITING, 8);
/// ```
pub const MAX_AWAITING: usize = 8;

/// The most capture references the audit keeps per intent: the latest, a
/// capture under an older one is judged as under a new one. An intent is
/// captured a few times at most; this bounds what a history of one intent
/// with endless references can make the auditor keep.
const MAX_REFERENCES: usize = 32;

/// The findings of one line, numbered.
pub(crate) struct Found {
    line: u64,
    findings: Vec<Finding>,
}

impl Found {
    pub(crate) fn new(line: u64) -> Found {
        Found {
            line,
            findings: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        intent: Option<&str>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.findings
            .push(Finding::new(self.line, intent, code, message));
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// A request sent and not answered yet, as the history logged it.
#[derive(Debug)]
struct Awaiting {
    method: Method,
    path: Box<str>,
    request_id: Option<Box<str>>,
    token: Token,
}

/// A request's method as logged: the lifecycle's words without an
/// allocation, any other as written.
#[derive(Debug)]
enum Method {
    Get,
    Post,
    Delete,
    Other(Box<str>),
}

impl Method {
    fn new(method: &str) -> Method {
        match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            other => Method::Other(other.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Other(method) => method,
        }
    }
}

/// One intent as the audit knows it: the latest state (`None` until a read
/// shows it) and the requests awaiting their answers, at most
/// [`MAX_AWAITING`].
#[derive(Debug, Default)]
pub(crate) struct Tracked {
    pub(crate) intent: Option<AnyPaymentIntent>,
    awaiting: Vec<Awaiting>,
    /// The capture last sent under each reference the history gave, and
    /// what became of it, latest last; at most [`MAX_REFERENCES`].
    references: Vec<(Box<str>, Meant)>,
}

/// What became of the capture sent under a reference, as the audit knows it.
#[derive(Debug)]
enum Meant {
    /// Prepared as this local capture, neither made nor released yet.
    Pending(u64),
    /// Dojo made it: the capture with this id.
    Made(CaptureId),
}

impl Tracked {
    /// A later read of the intent, a snapshot line or the answer to a
    /// `GET` (`self.intent` is known): a legal successor of what the audit
    /// knows, merged by the reconcile of a fresh read.
    pub(crate) fn reread(
        &mut self,
        found: &mut Found,
        id: &str,
        resource: &PaymentIntentResource,
        read: ReadStart,
    ) {
        let Some(local) = self.intent.take() else {
            return;
        };
        let error = match local.reconcile_read_started(resource, read) {
            Ok((merged, report)) => {
                for (local_id, capture) in report.captures_bound() {
                    self.made(*local_id, capture);
                }
                self.intent = Some(merged);
                return;
            }
            Err(error) => error,
        };
        // The reconcile rehydrates the read first; refused, the read is
        // judged alone: one that does not rehydrate is reported as such,
        // and the intent stays as it was.
        let fresh = match AnyPaymentIntent::try_from(resource) {
            Ok(fresh) => fresh,
            Err(unreadable) => {
                self.intent = Some(error.into_intent());
                return found.push(Some(id), unreadable.code(), unreadable.to_string());
            }
        };
        found.push(Some(id), error.code(), error.to_string());
        if error.code() == "reconcile_answer_awaited" {
            // The read came before an answer the history still owes: the
            // intent stays as it was, so that the answer, when it comes, is
            // recorded against it.
            self.intent = Some(error.into_intent());
        } else {
            // Reported once, here: the audit goes on from Dojo's read, as a
            // person settling the finding would rebuild the intent from it,
            // rather than judging every later line against a state Dojo
            // contradicted.
            self.intent = Some(fresh);
            for awaiting in &mut self.awaiting {
                if !matches!(awaiting.token, Token::Read(_)) {
                    awaiting.token = Token::Unjudged;
                }
            }
        }
    }

    /// A request for an operation on this intent (`asked` is not a read):
    /// prepared through the intent's own method at the line's time, the
    /// refusal or the difference from the logged request reported, and
    /// kept to await its answer.
    pub(crate) fn request(
        &mut self,
        found: &mut Found,
        id: &str,
        asked: Asked,
        request: &RequestLine<'_>,
    ) {
        let token = if asked == Asked::Read {
            Token::Read(request.at)
        } else {
            match self.intent.take() {
                None => {
                    found.push(
                        Some(id),
                        "unknown_intent",
                        "no read of this intent comes before this request: the audit judges a \
                         request against the intent as last read",
                    );
                    Token::Unjudged
                }
                Some(intent) => {
                    let (intent, token) = judge_request(found, id, intent, asked, request);
                    if let (Token::Capture(prepared), Some(reference)) =
                        (&token, request.reference.as_deref())
                    {
                        self.capture_under(found, id, &intent, reference, prepared.local_id());
                    }
                    self.intent = Some(intent);
                    token
                }
            }
        };
        self.await_answer(
            found,
            id,
            Awaiting {
                method: Method::new(&request.method),
                path: request.path.as_ref().into(),
                request_id: request.request_id.as_deref().map(Into::into),
                token,
            },
        );
    }

    /// A capture the crate accepted, sent under `reference`: a finding when
    /// the capture sent before under it may have been made, since a
    /// reference names what is meant to be captured once. The one sent
    /// before may be captured again once Dojo refused, declined or failed
    /// it, or a read released it.
    fn capture_under(
        &mut self,
        found: &mut Found,
        id: &str,
        intent: &AnyPaymentIntent,
        reference: &str,
        local_id: u64,
    ) {
        let before = self
            .references
            .iter()
            .position(|(known, _)| &**known == reference);
        if let Some(index) = before {
            let (_, meant) = self.references.remove(index);
            let made = match &meant {
                Meant::Pending(earlier) => intent
                    .pending_captures()
                    .iter()
                    .any(|pending| pending.local_id() == *earlier)
                    .then(|| "may still be made: its outcome is not known".to_owned()),
                Meant::Made(capture) => intent
                    .captures()
                    .iter()
                    .find(|made| made.id() == Some(capture))
                    .filter(|made| {
                        !matches!(
                            made.status(),
                            CaptureStatus::Declined | CaptureStatus::Failed
                        )
                    })
                    .map(|made| {
                        format!("was made, {} ({})", shown(capture.as_str()), made.status())
                    }),
            };
            if let Some(made) = made {
                found.push(
                    Some(id),
                    "capture_repeated",
                    format!(
                        "a capture under reference {} is sent again, while the capture sent \
                         under it before {made}: the same money may be captured twice",
                        shown(reference)
                    ),
                );
            }
        } else if self.references.len() >= MAX_REFERENCES {
            self.references.remove(0);
        }
        self.references
            .push((reference.into(), Meant::Pending(local_id)));
    }

    /// The local capture `local_id` is Dojo's `capture`.
    fn made(&mut self, local_id: u64, capture: &CaptureId) {
        for (_, meant) in &mut self.references {
            if matches!(meant, Meant::Pending(pending) if *pending == local_id) {
                *meant = Meant::Made(capture.clone());
            }
        }
    }

    fn await_answer(&mut self, found: &mut Found, id: &str, awaiting: Awaiting) {
        if self.awaiting.len() >= MAX_AWAITING {
            let oldest = self.awaiting.remove(0);
            if let Some(intent) = self.intent.take() {
                self.intent = Some(answer_lost(intent, &oldest.token));
            }
            found.push(
                Some(id),
                "answer_missing",
                format!(
                    "more than {MAX_AWAITING} requests of this intent await their answers: the \
                     oldest, {} {}, is taken as never answered, its outcome unknown until the \
                     intent is read again",
                    clipped(oldest.method.as_str()),
                    clipped(&oldest.path)
                ),
            );
        }
        self.awaiting.push(awaiting);
    }

    /// The request an answer is for: the most recent one awaiting whose
    /// method, path and request id are those given (each when given).
    pub(crate) fn take_awaiting(
        &mut self,
        method: Option<&str>,
        path: Option<&str>,
        request_id: Option<&str>,
    ) -> Option<Token> {
        let index = self.awaiting.iter().rposition(|awaiting| {
            method.is_none_or(|method| method == awaiting.method.as_str())
                && path.is_none_or(|path| path == &*awaiting.path)
                && request_id.is_none_or(|id| Some(id) == awaiting.request_id.as_deref())
        })?;
        Some(self.awaiting.remove(index).token)
    }

    /// Records `answer` for a prepared operation's `token` (not a read).
    /// `at` is when the answer came or was given up on: where it leaves the
    /// outcome unknown, the settle window starts then ([D22](crate::decisions#d22)).
    pub(crate) fn record(
        &mut self,
        found: &mut Found,
        id: &str,
        token: Token,
        answer: Answer<'_>,
        at: Option<Timestamp>,
    ) {
        let Some(intent) = self.intent.take() else {
            // A token comes only from an intent that was read; nothing to record on.
            return;
        };
        let (intent, finding, unknown) = match token {
            Token::Read(_) | Token::Unjudged => (intent, None, false),
            Token::Capture(prepared) => {
                let local_id = prepared.local_id();
                judged(
                    intent
                        .record_capture_answer(prepared, answer)
                        .map(|(intent, capture)| {
                            self.made(local_id, &capture);
                            intent
                        }),
                )
            }
            Token::Refund(prepared) => judged(
                intent
                    .record_refund_answer(prepared, answer)
                    .map(|(intent, _)| intent),
            ),
            Token::Reversal(prepared) => judged(intent.record_reversal_answer(prepared, answer)),
            Token::Cancel(prepared) => judged(intent.record_cancel_answer(prepared, answer)),
            Token::ChangeAmount(prepared) => {
                judged(intent.record_change_amount_answer(prepared, answer))
            }
            Token::ChangeTips(prepared) => {
                judged(intent.record_change_tips_answer(prepared, answer))
            }
        };
        let intent = match at {
            Some(lost_at) if unknown => intent.start_settling(lost_at, SettleWindow::default()),
            _ => intent,
        };
        self.intent = Some(intent);
        if let Some((code, message)) = finding {
            found.push(Some(id), code, message);
        }
    }

    /// A webhook event about this intent, once its signature (when secrets
    /// were given) matched.
    pub(crate) fn webhook(&mut self, found: &mut Found, event: &WebhookEvent) {
        let id = event.payment_intent_id();
        let Some(intent) = self.intent.as_mut() else {
            found.push(
                Some(id),
                "unknown_intent",
                format!(
                    "no read of this intent comes before event {}: the audit judges an event \
                     against the intent as last read",
                    shown(event.id())
                ),
            );
            return;
        };
        let state = intent.state();
        // For a finding's message only.
        let status = || event.status().map_or("no status", |status| status.as_str());
        match intent.apply_webhook(event) {
            WebhookVerdict::Impossible => found.push(
                Some(id),
                "webhook_impossible",
                format!(
                    "event {} reports the intent {}, which the lifecycle leads neither to \
                     nor from its state here, {state}",
                    shown(event.id()),
                    status()
                ),
            ),
            WebhookVerdict::Stale => found.push(
                Some(id),
                "webhook_stale",
                format!(
                    "event {} reports the intent {}, behind its state here, {state}, or \
                     sent before Dojo's last update of it: a late delivery",
                    shown(event.id()),
                    status()
                ),
            ),
            // Delivered again (at least once, by design), known already, or
            // news for which the service reads the intent: nothing wrong.
            // Another intent cannot be: events are routed by their intent id.
            WebhookVerdict::Duplicate
            | WebhookVerdict::AlreadyKnown
            | WebhookVerdict::ReadAgain
            | WebhookVerdict::OtherIntent => {}
        }
    }
}

/// Prepares the operation a request asks for, and reports its refusal or
/// how it differs from the request the crate builds.
fn judge_request(
    found: &mut Found,
    id: &str,
    intent: AnyPaymentIntent,
    asked: Asked,
    request: &RequestLine<'_>,
) -> (AnyPaymentIntent, Token) {
    let wanted = match wanted(asked, request, intent.currency()) {
        Ok(wanted) => wanted,
        Err((code, message)) => {
            found.push(Some(id), code, message);
            return (intent, Token::Unjudged);
        }
    };
    let (intent, prepared) = prepare(intent, wanted, request.at, version(request));
    match prepared {
        // Sent without a passed check: the rule's own code and message.
        Err(violation) => {
            found.push(Some(id), violation.code(), violation.to_string());
            (intent, Token::Unjudged)
        }
        Ok(token) => {
            let differences = differences(&token, request);
            if !differences.is_empty() {
                found.push(
                    Some(id),
                    "request_mismatch",
                    format!(
                        "the request differs from the one the crate prepares for it: {}",
                        differences.join("; ")
                    ),
                );
            }
            (intent, token)
        }
    }
}

/// The intent with `token`'s operation marked as of unknown outcome: its
/// answer will never be recorded.
fn answer_lost(intent: AnyPaymentIntent, token: &Token) -> AnyPaymentIntent {
    match token {
        Token::Capture(prepared) => intent.record_answer_lost(prepared.local_id()),
        Token::Refund(prepared) => intent.record_refund_answer_lost(prepared.key()),
        Token::Reversal(_) | Token::Cancel(_) | Token::ChangeAmount(_) | Token::ChangeTips(_) => {
            // One operation is pending at a time, and this token's is
            // still awaiting its answer: it is the one pending.
            match intent.pending_operation().map(|pending| pending.local_id) {
                Some(local_id) => intent.record_answer_lost(local_id),
                None => intent,
            }
        }
        Token::Read(_) | Token::Unjudged => intent,
    }
}

/// The intent after an answer, and the finding when the answer contradicts
/// what the intent knows.
///
/// A refusal (4xx) is Dojo's decision, and a 5xx, an unexpected status or
/// no answer at all leave the outcome unknown, which the crate handles (the
/// next read settles it, and a capture prepared before that read is refused
/// with `outcome_unknown`): none of them is a finding. An answer that
/// cannot be Dojo's to this request is: a 2xx without the id Dojo sends, an
/// id the intent already records, an intent that says otherwise, or a
/// request no longer pending.
fn judged(
    result: Result<AnyPaymentIntent, AnswerError<AnyPaymentIntent>>,
) -> (AnyPaymentIntent, Option<(&'static str, String)>, bool) {
    match result {
        Ok(intent) => (intent, None, false),
        Err(error) => {
            let finding = match error.kind() {
                AnswerErrorKind::NotPending
                | AnswerErrorKind::Unreadable { .. }
                | AnswerErrorKind::IdAlreadyRecorded { .. }
                | AnswerErrorKind::Contradicts { .. }
                | AnswerErrorKind::OtherIntent { .. } => Some((error.code(), error.to_string())),
                AnswerErrorKind::Refused { .. }
                | AnswerErrorKind::ServerError { .. }
                | AnswerErrorKind::UnexpectedStatus { .. }
                | AnswerErrorKind::RetryRefused { .. }
                | AnswerErrorKind::NoAnswer => None,
            };
            let unknown = error.outcome_unknown();
            (error.into_intent(), finding, unknown)
        }
    }
}
