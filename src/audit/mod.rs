//! Auditing a recorded history: intents read from the API, webhook
//! deliveries, the requests services sent and the answers they got, checked
//! line by line with the crate's own rules.
//!
//! An [`Auditor`] is fed a history's lines one at a time, as bytes
//! ([`Auditor::feed`]), and returns the [`Finding`]s of each line; a
//! [`Summary`] counts them at the end. For each intent it keeps the latest
//! state it knows (an [`AnyPaymentIntent`]) and the requests awaiting their
//! answers, and judges every new line through the functions a service
//! uses: rehydration, `prepare_…`, `record_…_answer`, the reconcile of a
//! fresh read and [`apply_webhook`](AnyPaymentIntent::apply_webhook). So a
//! history is judged by exactly the rules that guard a request.
//!
//! ```
//! use dojo_capture::audit::Auditor;
//!
//! let mut auditor = Auditor::new();
//! let history: [&[u8]; 3] = [
//!     br#"{"id": "pi_1", "status": "Captured", "captureMode": "Auto",
//!          "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T09:00:00Z"}"#,
//!     br#"{"request": {"method": "POST", "path": "/payment-intents/pi_1/refunds",
//!          "headers": {"version": "2025-09-10", "idempotencyKey": "rf-1", "content-type": "application/json"},
//!          "body": {"amount": 1500}}, "at": "2024-07-25T10:00:00Z"}"#,
//!     br#"{"id": "pi_1", "status": "Authorized", "captureMode": "Auto",
//!          "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T09:00:00Z"}"#,
//! ];
//! let findings: Vec<_> = history.iter().flat_map(|line| auditor.feed(line)).collect();
//! let found: Vec<(u64, &str)> = findings.iter().map(|f| (f.line(), f.code())).collect();
//! assert_eq!(found, [(2, "over_refund"), (3, "reconcile_captured_shrank")]);
//! assert_eq!(auditor.summary().findings(), 2);
//! ```
//!
//! # Lines
//!
//! A history is JSON Lines: one JSON object a line. A line is recognised by
//! its top-level keys, in this order (`docs/audit.md` has the details):
//!
//! * `"request"`: a request a service sent,
//!   `{"request": {"method", "path", "headers", "body"}, "at": RFC3339}`;
//! * `"response"`: an answer it got, `{"response": {"status", "body"},
//!   "paymentIntentId"?, "method"?, "path"?, "at"?}`; no `status` (or
//!   `null`) is no answer at all (a timeout);
//! * `"webhook"`: a webhook delivery with its header, `{"webhook":
//!   {"headers": {"dojo-signature"}, "body": "<the raw body, as a JSON
//!   string>"}, "at"?}`;
//! * `"event"` and `"data"`: a webhook event body alone, unsigned;
//! * `"status"`: a payment intent as the API returns it (`GET`, or the
//!   answer to `DELETE`).
//!
//! A line with more than one of the first three keys, one that is not a JSON
//! object, or a known kind with a field of the wrong shape is
//! `malformed_line`; an object of none of these kinds is `unknown_line`. A
//! blank line is skipped. The audit goes on after every finding.
//!
//! # Findings
//!
//! Each finding carries the line's number, the intent when known, a code and
//! the crate's message. The code is one of the auditor's own ([`CODES`]) or
//! the code the crate's rule or error gives for the same problem: the rule
//! that refuses a request (`over_capture`, the codes `check` and `request`
//! report), the `RehydrateError` of a read that does not rehydrate, the
//! `ReconcileError` of a read that cannot follow the last one, the
//! `AnswerError` of an answer that contradicts the intent, the
//! `WebhookError` of a forged or unreadable delivery, and the `MoneyError`,
//! `IdError` or `RefundDetailsError` of a request's amount, key or text.
//!
//! # Memory, time, and splitting a history
//!
//! The auditor keeps, per intent, the intent itself (its captures and
//! refunds, as Dojo's JSON lists them), at most [`MAX_AWAITING`] requests
//! awaiting answers, and the last 32 webhook event ids; besides, it keeps the
//! findings' counts by code. So memory grows with the number of distinct
//! intents, never with the number of lines, and each line costs time in
//! proportion to its length and to its intent's size.
//!
//! **The audit of one intent never depends on another intent's lines.** So a
//! history can be split by intent id ([`intent_id_of`] gives the key) and
//! the parts audited in parallel, on as many machines as there are parts:
//! that is how an audit scales past one machine, inside whatever stream
//! processor the logs already live in. Lines that name no intent (malformed
//! ones) can go to any part. The one exception is an answer line that names
//! neither its intent (`paymentIntentId`) nor its request's `path`: it is
//! taken as the answer to the most recent request line of the file, which
//! only the order of the whole file tells. Log the intent id with answers
//! to split a history.

mod finding;
mod intent;
mod line;
mod request;
mod scan;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

pub use finding::{Finding, Summary};
pub use intent::MAX_AWAITING;
pub use line::{LineReader, MAX_LINE_BYTES};

use crate::any::AnyPaymentIntent;
use crate::prepared::Answer;
use crate::rehydrate::{RehydrateError, decode};
use crate::settle::ReadStart;
use crate::webhook::{self, WebhookEvent, WebhookSecret};
use crate::wire::PaymentIntentResource;
use intent::{Found, Tracked};
use line::{AnswerLine, Intent, Line, RequestLine};
use request::{Token, asked, parse_path};

/// The auditor's own finding codes, in the order `docs/audit.md` lists them.
/// Every other finding code is the code of one of the crate's rules or
/// errors (`docs/errors.md`).
///
/// ```
/// use dojo_capture::audit::CODES;
///
/// assert!(CODES.contains(&"request_mismatch"));
/// assert!(!CODES.contains(&"over_capture"), "a rule's code is the rule's");
/// ```
pub const CODES: [&str; 12] = [
    "malformed_line",
    "unknown_line",
    "line_too_long",
    "intent_id_missing",
    "unknown_intent",
    "unknown_request",
    "request_mismatch",
    "capture_repeated",
    "answer_without_request",
    "answer_missing",
    "webhook_impossible",
    "webhook_stale",
];

/// Audits a history fed one line at a time; see the [module](self).
///
/// ```
/// use dojo_capture::audit::Auditor;
/// use dojo_capture::webhook::WebhookSecret;
///
/// let secret = WebhookSecret::new("ws_test")?;
/// let mut auditor = Auditor::new().with_secrets(vec![secret]);
/// // An event without its signature, while the secrets are known.
/// let findings = auditor.feed(
///     br#"{"id": "evt_1", "event": "payment_intent.created", "data": {"paymentIntentId": "pi_1"}}"#,
/// );
/// assert_eq!(findings[0].code(), "webhook_signature_missing");
/// # Ok::<(), dojo_capture::WebhookError>(())
/// ```
#[derive(Debug, Default)]
pub struct Auditor {
    /// Empty: deliveries are read unverified.
    secrets: Vec<WebhookSecret>,
    /// Per intent id: all the audit keeps that grows with the history.
    intents: HashMap<Box<str>, Tracked>,
    lines: u64,
    /// The intent of the most recent request line, for an answer that
    /// names none: the one state shared between intents, which is why such
    /// answers keep a history from being split. Its text is kept when it
    /// changes (`None`), so that each request line does not allocate.
    last_request: Option<String>,
    /// The most recent request line named no lifecycle endpoint, and was
    /// reported: an answer that names no intent is taken as its.
    last_request_unrouted: bool,
    by_code: BTreeMap<&'static str, u64>,
}

impl Auditor {
    /// An auditor that reads webhook deliveries without checking their
    /// signatures (the history is trusted for them).
    ///
    /// ```
    /// let auditor = dojo_capture::audit::Auditor::new();
    /// assert!(auditor.summary().is_clean());
    /// ```
    pub fn new() -> Auditor {
        Auditor::default()
    }

    /// Checks every webhook delivery's `dojo-signature` against `secrets`
    /// (any of them may have signed, as during a rotation) before reading
    /// its body: a delivery without a header, or whose header no secret
    /// produced, is a finding with its `WebhookError` code, and its body is
    /// not read. An empty list checks nothing, as [`Auditor::new`].
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    /// use dojo_capture::webhook::WebhookSecret;
    ///
    /// let secret = WebhookSecret::new("ws_test")?;
    /// let body = r#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#;
    /// let line = serde_json::json!({
    ///     "webhook": {"headers": {"dojo-signature": secret.sign(b"forged")}, "body": body}
    /// });
    /// let mut auditor = Auditor::new().with_secrets(vec![secret]);
    /// let findings = auditor.feed(line.to_string().as_bytes());
    /// assert_eq!(findings[0].code(), "webhook_signature_mismatch");
    /// assert_eq!(findings[0].intent_id(), None, "a forged body is not read");
    /// # Ok::<(), dojo_capture::WebhookError>(())
    /// ```
    #[must_use]
    pub fn with_secrets(self, secrets: Vec<WebhookSecret>) -> Auditor {
        Auditor { secrets, ..self }
    }

    /// Judges the next line of the history (its number is one more than the
    /// last) and returns its findings, none for a line that passes.
    ///
    /// The line is the bytes between two newlines; a `\r` or spaces around
    /// the JSON do not matter. Never panics, whatever the bytes.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let mut auditor = Auditor::new();
    /// let intent = br#"{"id": "pi_1", "status": "Created", "amount": {"value": 500, "currencyCode": "GBP"}}"#;
    /// assert!(auditor.feed(intent).is_empty());
    /// assert_eq!(auditor.feed(b"\xff")[0].code(), "malformed_line");
    /// ```
    pub fn feed(&mut self, line: &[u8]) -> Vec<Finding> {
        let number = self.lines.saturating_add(1);
        self.feed_numbered(number, line)
    }

    /// Judges a line whose number in the history is `number`: for an
    /// auditor fed only part of a history (the lines of some intents, see
    /// [`intent_id_of`]), so that its findings name the lines of the whole.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let mut auditor = Auditor::new();
    /// assert_eq!(auditor.feed_numbered(120, b"[]")[0].line(), 120);
    /// assert_eq!(auditor.summary().lines(), 1);
    /// ```
    pub fn feed_numbered(&mut self, number: u64, line: &[u8]) -> Vec<Finding> {
        self.lines = self.lines.saturating_add(1);
        let mut found = Found::new(number);
        self.judge(&mut found, line);
        let findings = found.into_findings();
        for finding in &findings {
            *self.by_code.entry(finding.code()).or_default() += 1;
        }
        findings
    }

    /// The intent `id` as the history has it so far: the latest read,
    /// changed by the requests and answers since.
    ///
    /// ```
    /// use dojo_capture::IntentState;
    /// use dojo_capture::audit::Auditor;
    ///
    /// let mut auditor = Auditor::new();
    /// auditor.feed(br#"{"id": "pi_1", "status": "Created", "amount": {"value": 500, "currencyCode": "GBP"}}"#);
    /// assert_eq!(auditor.intent("pi_1").map(|i| i.state()), Some(IntentState::Created));
    /// assert!(auditor.intent("pi_2").is_none());
    /// ```
    pub fn intent(&self, id: &str) -> Option<&AnyPaymentIntent> {
        self.intents.get(id)?.intent.as_ref()
    }

    /// The lines read so far, the intents followed and the findings by code.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let mut auditor = Auditor::new();
    /// auditor.feed(b"{}");
    /// assert_eq!(auditor.summary().count("unknown_line"), 1);
    /// ```
    pub fn summary(&self) -> Summary {
        Summary::new(self.lines, self.intents.len() as u64, self.by_code.clone())
    }

    fn judge(&mut self, found: &mut Found, bytes: &[u8]) {
        if bytes.len() > MAX_LINE_BYTES {
            found.push(
                None,
                "line_too_long",
                format!(
                    "the line is longer than {MAX_LINE_BYTES} bytes; a payment intent or a webhook \
                     delivery is a few kilobytes"
                ),
            );
            return;
        }
        match line::read(bytes) {
            Err(unreadable) => found.push(None, unreadable.code, unreadable.message),
            Ok(Line::Blank) => {}
            Ok(Line::Snapshot(Intent::Decoded(resource))) => {
                self.snapshot(found, None, None, Ok(*resource));
            }
            Ok(Line::Snapshot(Intent::Bytes { id, bytes })) => {
                self.snapshot(found, id.as_deref(), None, decode(bytes));
            }
            Ok(Line::Webhook { signature, body }) => {
                self.webhook(found, signature.as_deref(), body.bytes());
            }
            Ok(Line::Request(request)) => self.request(found, &request),
            Ok(Line::Answer(answer)) => self.answer(found, answer),
        }
    }

    /// A read of an intent: `decoded` is its JSON decoded. `id` is the id
    /// the line names: a payment intent line's own (its JSON's, when it
    /// decoded), or for the answer to a `GET`, the intent the request's
    /// path read (`get_sent` is when that `GET` was sent: when the read
    /// began, [D22](crate::decisions#d22); a payment intent line's read
    /// began at a time the history does not tell, so it releases nothing).
    fn snapshot(
        &mut self,
        found: &mut Found,
        id: Option<&str>,
        get_sent: Option<Timestamp>,
        decoded: Result<PaymentIntentResource, RehydrateError>,
    ) {
        let of_get = get_sent.is_some();
        let resource = match decoded {
            Ok(resource) => resource,
            Err(error) => return found.push(id, error.code(), error.to_string()),
        };
        if let (true, Some(asked), Some(read)) = (of_get, id, resource.id.as_deref())
            && asked != read
        {
            // Judged as the reconcile judges it, and kept from the other
            // intent: one intent's lines never change another's audit.
            return found.push(
                Some(asked),
                "reconcile_different_intent",
                format!(
                    "the fresh read is of intent {}, not of {asked}",
                    finding::clipped(read)
                ),
            );
        }
        let id = resource.id.as_deref().or(id);
        // A later read goes to the reconcile, which rehydrates it first:
        // rehydrated alone only when it is the first, or when the
        // reconcile refuses it (the finding then depends on whether it
        // rehydrates at all).
        if let Some(id) = id
            && let Some(tracked) = self.intents.get_mut(id)
            && tracked.intent.is_some()
        {
            let read = get_sent.map_or(ReadStart::unknown(), ReadStart::at);
            return tracked.reread(found, id, &resource, read);
        }
        let fresh = match AnyPaymentIntent::try_from(&resource) {
            Ok(fresh) => fresh,
            Err(error) => return found.push(id, error.code(), error.to_string()),
        };
        let Some(id) = id else {
            return found.push(
                None,
                "intent_id_missing",
                "the payment intent has no id, so no later line can be matched to it",
            );
        };
        self.tracked(id).intent = Some(fresh);
    }

    /// What the audit keeps of intent `id`, new when it knows none yet.
    fn tracked(&mut self, id: &str) -> &mut Tracked {
        // Looked up first: the key is allocated only for a new intent.
        if !self.intents.contains_key(id) {
            self.intents.insert(id.into(), Tracked::default());
        }
        self.intents
            .get_mut(id)
            .expect("inserted above when it was missing")
    }

    fn webhook(&mut self, found: &mut Found, signature: Option<&str>, body: &[u8]) {
        let event = if self.secrets.is_empty() {
            WebhookEvent::parse(body)
        } else {
            // Verified first: a forged body reaches no parser, and names no intent.
            match webhook::verify(body, signature.unwrap_or(""), &self.secrets) {
                Ok(verified) => verified.event(),
                Err(error) => return found.push(None, error.code(), error.to_string()),
            }
        };
        let event = match event {
            Ok(event) => event,
            Err(error) => return found.push(None, error.code(), error.to_string()),
        };
        match self.intents.get_mut(event.payment_intent_id()) {
            Some(tracked) => tracked.webhook(found, &event),
            None => Tracked::default().webhook(found, &event),
        }
    }

    fn request(&mut self, found: &mut Found, request: &RequestLine<'_>) {
        let routed = parse_path(&request.path)
            .and_then(|(id, endpoint)| Some((id, asked(endpoint, &request.method)?)));
        let Some((id, asked)) = routed else {
            self.last_request = None;
            self.last_request_unrouted = true;
            let intent = parse_path(&request.path).map(|(id, _)| id);
            return found.push(
                intent.as_deref(),
                "unknown_request",
                format!(
                    "{} {} is not a request of the payment intent lifecycle (GET or DELETE \
                     /payment-intents/{{id}}, POST …/captures, …/refunds, …/reversal, …/amount, \
                     …/tips-amount)",
                    finding::clipped(&request.method),
                    finding::clipped(&request.path)
                ),
            );
        };
        match &mut self.last_request {
            Some(last) => {
                last.clear();
                last.push_str(&id);
            }
            None => self.last_request = Some(id.clone().into_owned()),
        }
        self.last_request_unrouted = false;
        self.tracked(&id).request(found, &id, asked, request);
    }

    fn answer(&mut self, found: &mut Found, answer: AnswerLine<'_>) {
        let named = answer.intent_id.clone().or_else(|| {
            let path = answer.path.as_deref()?;
            parse_path(path).map(|(id, _)| id)
        });
        let id: Cow<'_, str> = match named {
            Some(id) => id,
            None if self.last_request_unrouted => {
                // The answer to a request already reported as unknown.
                self.last_request_unrouted = false;
                return;
            }
            None => match self.last_request.as_deref() {
                Some(id) => Cow::Owned(id.to_owned()),
                None => {
                    return found.push(
                        None,
                        "answer_without_request",
                        "no request awaits an answer, and the line names no intent \
                         (paymentIntentId) or path",
                    );
                }
            },
        };
        let awaited = self.intents.get_mut(&*id).and_then(|tracked| {
            let token = tracked.take_awaiting(
                answer.method.as_deref(),
                answer.path.as_deref(),
                answer.request_id.as_deref(),
            )?;
            Some((tracked, token))
        });
        let Some((tracked, token)) = awaited else {
            return found.push(
                Some(&id),
                "answer_without_request",
                "no request of this intent awaits an answer (with this method and path, when \
                 the line names them)",
            );
        };
        match token {
            Token::Read(sent) => {
                // Only a successful read carries the intent.
                if let Some(200..=299) = answer.status {
                    self.snapshot(found, Some(&id), Some(sent), answer.body.intent());
                }
            }
            token => {
                let at = answer.at;
                let body = answer.body.bytes();
                let answer = match answer.status {
                    Some(status) => Answer::Http {
                        status,
                        body: &body,
                    },
                    None => Answer::TransportFailure,
                };
                tracked.record(found, &id, token, answer, at);
            }
        }
    }
}

/// The intent a line of a history is about, as the auditor routes it: the
/// key to split a history by, so that each part holds all of its intents'
/// lines and can be audited alone (see the [module](self)).
///
/// `None` for a line about no intent (blank, malformed, unknown, an intent
/// without an id), which any part can take, and for an answer that names
/// neither `paymentIntentId` nor `path`, which only the order of the whole
/// file routes. A webhook delivery is routed by its event's
/// `data.paymentIntentId`, read for routing only: the auditor judges the
/// delivery after its signature.
///
/// ```
/// use dojo_capture::audit::intent_id_of;
///
/// let request = br#"{"request": {"method": "POST", "path": "/payment-intents/pi_1/captures"},
///                    "at": "2024-07-25T09:00:00Z"}"#;
/// assert_eq!(intent_id_of(request).as_deref(), Some("pi_1"));
/// assert_eq!(intent_id_of(br#"{"response": {"status": 500}}"#), None);
/// ```
pub fn intent_id_of(line: &[u8]) -> Option<String> {
    if line.len() > MAX_LINE_BYTES {
        return None;
    }
    line::route(line)
}
