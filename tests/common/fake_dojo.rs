//! A simulated Dojo: an in-process fake of the payment-intent endpoints of
//! Dojo's API, for tests that drive clients through requests, answers,
//! faults and retries.
//!
//! It is written from Dojo's rules 1–8 and the decisions in `docs/design.md`
//! and from the HTTP facts of the 2025-09-10 spec, like the reference model in
//! `tests/model.rs`: plain integers in minor units, every rule spelled out
//! where it applies, and nothing from the crate's ledger. The crate's wire
//! types are used only to read request bodies and write answers, so that the
//! bytes are the ones the spec describes.
//!
//! # Endpoints
//!
//! Every request needs a `version` header naming a version whose lifecycle
//! endpoints are the ones modelled (`2024-02-05` or `2025-09-10`); without
//! one the answer is 400. An unknown path is 404, a known path with another
//! method 405. An unknown intent is 404, and so is a `Canceled` one for every
//! operation (rule 4: "any operations will fail"), except a `GET` with
//! `?returnCanceled=true`.
//!
//! | request | 200 body | refusals |
//! |---|---|---|
//! | `POST …/captures` | `{"message","captureId"}` | 400: unreadable body, amount ≤ 0, tip < 0, `over_capture`; 409: not Manual, not paid, refunded, reversed, past the deadline |
//! | `POST …/refunds` | `{"paymentIntentId","refundId","message",…}` | 400 for all (the spec documents only 400): no or bad `idempotencyKey`, unreadable body, not captured, amount ≤ 0, key reused with another amount, `over_refund` |
//! | `POST …/reversal` | `{"message","reversalId"}` | 409: wrong state or mode, capture in flight, window closed |
//! | `DELETE /payment-intents/{id}` | the intent | 400: not `Created` |
//! | `POST …/amount` | the intent | 405: not `Created`, custom amounts not allowed; 400: unreadable body, other currency, zero |
//! | `POST …/tips-amount` | the intent | 405: not `Created`, tips not allowed; 400: unreadable body, other currency |
//! | `GET /payment-intents/{id}` | the intent | 404: unknown, or `Canceled` without `returnCanceled=true` |
//!
//! Every refusal is an RFC 7807 problem details body whose `type` is
//! `urn:fake-dojo:<code>`, the code being the crate's rule code where one
//! exists (`over_capture`, `idempotency_conflict`, …): [`Reply::problem_code`].
//!
//! Assumptions where the spec is silent: the status codes above; tips are
//! changed only while the intent is `Created` (the spec's only example answers
//! a `Created` intent, and after payment a tip travels with a capture's
//! `tipsAmount`); a zero tip removes the tip (D18); Dojo does not lapse an
//! authorisation by itself here (rule 7's deadline refuses captures and
//! reversals, but nothing is reversed or captured at expiry).
//!
//! # Faults
//!
//! A [`Fault`] applies to one request: the next one ([`FakeDojo::fail_next`]),
//! or the one at a position in a plan of the requests to come
//! ([`FakeDojo::schedule`]). See [`Fault`] for what each does.

use std::collections::{BTreeMap, VecDeque};

use dojo_capture::request::Request;
use dojo_capture::wire::{
    CaptureDetails, CaptureRequest, ChangeAmountRequest, IntentConfig, PaymentConfig,
    PaymentDetails, PaymentIntentResource, ProblemDetails, RefundRequest,
};
use dojo_capture::{
    AutoExpireAction, CaptureMode, CaptureStatus, Currency, Money, PaymentIntentStatus,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

/// Rule 7: an authorisation lapses seven days after the payment.
const AUTHORIZATION_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The API versions whose lifecycle endpoints are the ones modelled here.
pub const VERSIONS: [&str; 2] = ["2024-02-05", "2025-09-10"];

/// What the client receives for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// An HTTP answer.
    Http { status: u16, body: Vec<u8> },
    /// A transport failure: no answer reached the client.
    Timeout,
}

impl Reply {
    /// The reply as the crate records it: a timeout is a transport failure.
    pub fn answer(&self) -> dojo_capture::Answer<'_> {
        match self {
            Reply::Http { status, body } => dojo_capture::Answer::Http {
                status: *status,
                body,
            },
            Reply::Timeout => dojo_capture::Answer::TransportFailure,
        }
    }

    /// The status code, `None` for a timeout.
    pub fn status(&self) -> Option<u16> {
        match self {
            Reply::Http { status, .. } => Some(*status),
            Reply::Timeout => None,
        }
    }

    /// The body bytes (empty for a timeout).
    pub fn body(&self) -> &[u8] {
        match self {
            Reply::Http { body, .. } => body,
            Reply::Timeout => &[],
        }
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(self.body()).unwrap_or(serde_json::Value::Null)
    }

    /// The body as problem details, if it is one.
    pub fn problem(&self) -> Option<ProblemDetails> {
        serde_json::from_slice(self.body()).ok()
    }

    /// The code in a problem's `type` (`urn:fake-dojo:<code>`).
    pub fn problem_code(&self) -> Option<String> {
        self.problem()?
            .r#type?
            .strip_prefix("urn:fake-dojo:")
            .map(str::to_owned)
    }
}

/// A fault injected into one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Dojo receives the request and applies it (or refuses it) as usual, but
    /// the answer is lost: the client sees [`Reply::Timeout`]. The lost answer
    /// is still [`FakeDojo::last_reply`].
    TimeoutAfterApply,
    /// The request never reaches Dojo: nothing is applied, the client sees
    /// [`Reply::Timeout`].
    TimeoutBeforeApply,
    /// Dojo answers with this status (a 5xx) and a problem body
    /// (`server_error`) without applying anything.
    ServerError(u16),
    /// Dojo answers 409 with a problem body (`conflict`) without applying
    /// anything, as for a concurrent change of the intent.
    Conflict409,
    /// Dojo applies the request and answers; the same answer is delivered a
    /// second time later: a copy waits in the held answers ([`FakeDojo::take_held`]).
    Duplicate,
    /// Dojo applies the request, but its answer is delayed: the call returns
    /// [`Reply::Timeout`] as a placeholder ("no answer yet"), and the answer
    /// waits in the held answers until the test takes it, so that it can be
    /// delivered after answers to later requests (reordered).
    Hold,
}

/// An answer held back by [`Fault::Hold`] or [`Fault::Duplicate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The number of the request it answers (see [`Exchange::number`]).
    pub request: u64,
    pub reply: Reply,
}

/// What a request made at Dojo, when it made something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Made {
    Capture(String),
    Refund(String),
    Reversal(String),
}

/// One request as Dojo's log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Requests are numbered from 1 in the order they reach the fake.
    pub number: u64,
    pub method: String,
    pub path: String,
    /// The test's name for the logical operation this request belongs to
    /// ([`FakeDojo::handle_tagged`]): a first send and its retries share it.
    pub tag: Option<String>,
    pub fault: Option<Fault>,
    /// Whether Dojo processed the request (it may still have refused it).
    pub processed: bool,
    /// The status of the answer Dojo produced, if it produced one.
    pub status: Option<u16>,
    /// What the request created: a capture, a new refund (not a replay), a reversal.
    pub made: Option<Made>,
}

/// A capture as Dojo holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeCapture {
    pub id: String,
    pub amount: i64,
    /// Never zero: a zero tip is no tip (D18).
    pub tips: Option<i64>,
    pub status: CaptureStatus,
    pub created_at: Timestamp,
}

/// A refund as Dojo holds it, under its idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeRefund {
    pub id: String,
    pub amount: i64,
    /// How many times the key moved money: 1, always (the invariant).
    pub applied: u32,
    /// How many times the key came again with the same amount (answered, not applied).
    pub replayed: u32,
}

/// Where an intent is in its life; the amounts say the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Life {
    Created,
    Paid,
    Reversed,
    Canceled,
}

/// A payment intent as Dojo holds it. Amounts are minor units of `currency`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeIntent {
    pub id: String,
    pub mode: CaptureMode,
    pub life: Life,
    pub amount: i64,
    /// The amount at creation, reported as `requestedAmount` once changed.
    pub requested_amount: i64,
    pub currency: Currency,
    /// The intent's own tip (never zero, D18).
    pub tips: Option<i64>,
    pub tips_allowed: bool,
    pub custom_amount_allowed: bool,
    /// `autoExpireIn` in seconds, with its action.
    pub auto_expire: Option<(i64, AutoExpireAction)>,
    pub created_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    pub captures: Vec<FakeCapture>,
    pub refunded: i64,
    /// Refunds by idempotency key.
    pub refunds: BTreeMap<String, FakeRefund>,
}

impl FakeIntent {
    fn paid(&self) -> bool {
        self.paid_at.is_some()
    }

    /// What was taken: the whole amount once an Auto intent is paid (Dojo
    /// captures it itself), else the Successful captures.
    pub fn captured(&self) -> i64 {
        if self.mode == CaptureMode::Auto {
            return if self.paid() { self.amount } else { 0 };
        }
        self.sum_captures(CaptureStatus::Successful, |c| c.amount)
    }

    /// D1: captures in flight (`Created`) hold their amount.
    pub fn in_flight(&self) -> i64 {
        self.sum_captures(CaptureStatus::Created, |c| c.amount)
    }

    /// D14: the tips taken with the Successful captures, or the intent's own
    /// tip once an Auto intent is paid.
    pub fn captured_tips(&self) -> i64 {
        if self.mode == CaptureMode::Auto {
            return if self.paid() {
                self.tips.unwrap_or(0)
            } else {
                0
            };
        }
        self.sum_captures(CaptureStatus::Successful, |c| c.tips.unwrap_or(0))
    }

    /// D2, D14: what a refund may still return.
    pub fn refundable(&self) -> i64 {
        self.captured() + self.captured_tips() - self.refunded
    }

    fn sum_captures(&self, status: CaptureStatus, field: impl Fn(&FakeCapture) -> i64) -> i64 {
        self.captures
            .iter()
            .filter(|c| c.status == status)
            .map(field)
            .sum()
    }

    /// The status word Dojo reports, from the facts.
    pub fn status(&self) -> PaymentIntentStatus {
        match self.life {
            Life::Created => PaymentIntentStatus::Created,
            Life::Canceled => PaymentIntentStatus::Canceled,
            Life::Reversed => PaymentIntentStatus::Reversed,
            Life::Paid if self.refunded > 0 => PaymentIntentStatus::Refunded,
            Life::Paid if self.captured() > 0 => PaymentIntentStatus::Captured,
            Life::Paid => PaymentIntentStatus::Authorized,
        }
    }

    /// Rule 7, D12: payment + `autoExpireIn`, else + 7 days.
    pub fn deadline(&self) -> Option<Timestamp> {
        let lifetime = self
            .auto_expire
            .map_or(AUTHORIZATION_LIFETIME, |(seconds, _)| {
                SignedDuration::from_secs(seconds)
            });
        self.paid_at.map(|paid| paid + lifetime)
    }

    /// The intent as `GET /payment-intents/{id}` returns it.
    pub fn resource(&self) -> PaymentIntentResource {
        let money = |minor| Money::new(minor, self.currency);
        PaymentIntentResource {
            id: Some(self.id.clone()),
            capture_mode: Some(self.mode),
            status: self.status(),
            amount: Some(money(self.amount)),
            total_amount: Some(money(self.amount)),
            requested_amount: (self.requested_amount != self.amount)
                .then(|| money(self.requested_amount)),
            tips_amount: self.tips.map(money),
            refunded_amount: Some(self.refunded),
            created_at: Some(self.created_at),
            updated_at: None,
            expire_at: None,
            auto_expire_in: self.auto_expire.map(|(seconds, _)| time_span(seconds)),
            auto_expire_action: self.auto_expire.map(|(_, action)| action),
            payment_details: self.paid_at.map(|at| PaymentDetails {
                transaction_date_time: Some(at),
                message: Some("DEPOSITED".into()),
                ..PaymentDetails::default()
            }),
            config: Some(IntentConfig {
                payment: Some(PaymentConfig {
                    custom_amount_allowed: Some(self.custom_amount_allowed),
                    tips_allowed: Some(self.tips_allowed),
                }),
            }),
            reference: Some("Order 234".into()),
            description: None,
            captures: Some(
                self.captures
                    .iter()
                    .map(|c| CaptureDetails {
                        id: Some(c.id.clone()),
                        amount: c.amount,
                        tips_amount: c.tips,
                        status: c.status,
                        created_at: Some(c.created_at),
                    })
                    .collect(),
            ),
        }
    }
}

/// A .NET time span, `[d.]hh:mm:ss`, as Dojo writes `autoExpireIn`.
fn time_span(seconds: i64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let clock = format!("{:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60);
    if days > 0 {
        format!("{days}.{clock}")
    } else {
        clock
    }
}

/// The Europe/London calendar day of `at` (rule 6, D8).
pub fn london_day(at: Timestamp) -> Date {
    static LONDON: TimeZone = jiff::tz::get!("Europe/London");
    at.to_zoned_datetime(LONDON.clone()).date()
}

/// How a test creates an intent ([`FakeDojo::create`]).
#[derive(Clone, Debug)]
pub struct NewIntent {
    pub mode: CaptureMode,
    pub amount: i64,
    pub currency: Currency,
    pub custom_amount_allowed: bool,
    pub tips_allowed: bool,
    pub auto_expire: Option<(i64, AutoExpireAction)>,
}

impl NewIntent {
    /// A Manual (pre-authorised) GBP intent.
    pub fn manual(amount: i64) -> NewIntent {
        NewIntent {
            mode: CaptureMode::Manual,
            amount,
            currency: Currency::GBP,
            custom_amount_allowed: false,
            tips_allowed: false,
            auto_expire: None,
        }
    }

    /// An Auto GBP intent.
    pub fn auto(amount: i64) -> NewIntent {
        NewIntent {
            mode: CaptureMode::Auto,
            ..NewIntent::manual(amount)
        }
    }

    pub fn currency(self, currency: Currency) -> NewIntent {
        NewIntent { currency, ..self }
    }

    pub fn custom_amount(self) -> NewIntent {
        NewIntent {
            custom_amount_allowed: true,
            ..self
        }
    }

    pub fn tips_allowed(self) -> NewIntent {
        NewIntent {
            tips_allowed: true,
            ..self
        }
    }

    /// `autoExpireIn` of `seconds` (Dojo allows 30 s < t < 7 days).
    pub fn auto_expire(self, seconds: i64, action: AutoExpireAction) -> NewIntent {
        NewIntent {
            auto_expire: Some((seconds, action)),
            ..self
        }
    }
}

/// A refusal: status, code, detail.
struct Problem(u16, &'static str, String);

type Outcome = Result<(Vec<u8>, Option<Made>), Problem>;

/// The simulated Dojo.
#[derive(Debug)]
pub struct FakeDojo {
    now: Timestamp,
    intents: BTreeMap<String, FakeIntent>,
    /// Faults for the requests to come, first for the next one.
    plan: VecDeque<Option<Fault>>,
    held: Vec<Held>,
    last_reply: Option<Reply>,
    log: Vec<Exchange>,
    next_intent: u64,
    next_capture: u64,
    next_refund: u64,
    next_reversal: u64,
}

impl FakeDojo {
    /// An empty Dojo whose clock reads `now`.
    pub fn new(now: Timestamp) -> FakeDojo {
        FakeDojo {
            now,
            intents: BTreeMap::new(),
            plan: VecDeque::new(),
            held: Vec::new(),
            last_reply: None,
            log: Vec::new(),
            next_intent: 1,
            next_capture: 1,
            next_refund: 1,
            next_reversal: 1,
        }
    }

    // ---- the clock and Dojo's own events ---------------------------------------------

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Sets Dojo's clock (it may go backwards: the test owns time).
    pub fn set_now(&mut self, now: Timestamp) {
        self.now = now;
    }

    /// Creates an intent at the current time; its id is `pi_<n>`.
    pub fn create(&mut self, new: NewIntent) -> String {
        assert!(new.amount > 0, "D19: an intent's amount is more than zero");
        let id = format!("pi_{}", self.next_intent);
        self.next_intent += 1;
        let intent = FakeIntent {
            id: id.clone(),
            mode: new.mode,
            life: Life::Created,
            amount: new.amount,
            requested_amount: new.amount,
            currency: new.currency,
            tips: None,
            tips_allowed: new.tips_allowed,
            custom_amount_allowed: new.custom_amount_allowed,
            auto_expire: new.auto_expire,
            created_at: self.now,
            paid_at: None,
            captures: Vec::new(),
            refunded: 0,
            refunds: BTreeMap::new(),
        };
        self.intents.insert(id.clone(), intent);
        id
    }

    /// The customer pays at `at`: a Manual intent is authorised, an Auto one
    /// is captured in full by Dojo. Only a `Created` intent can be paid.
    pub fn authorize(&mut self, id: &str, at: Timestamp) -> Result<(), String> {
        let intent = self.intents.get_mut(id).ok_or("unknown intent")?;
        if intent.life != Life::Created {
            return Err(format!("{id} is {:?}, not Created", intent.life));
        }
        intent.life = Life::Paid;
        intent.paid_at = Some(at);
        Ok(())
    }

    /// A capture in flight becomes `Successful`, `Declined` or `Failed`. A
    /// settled capture does not change again.
    pub fn resolve_capture(
        &mut self,
        id: &str,
        capture_id: &str,
        status: CaptureStatus,
    ) -> Result<(), String> {
        if status == CaptureStatus::Created {
            return Err("a capture resolves to Successful, Declined or Failed".into());
        }
        let intent = self.intents.get_mut(id).ok_or("unknown intent")?;
        let capture = intent
            .captures
            .iter_mut()
            .find(|c| c.id == capture_id)
            .ok_or("unknown capture")?;
        if capture.status != CaptureStatus::Created {
            return Err(format!("{capture_id} is already {:?}", capture.status));
        }
        capture.status = status;
        Ok(())
    }

    // ---- faults ------------------------------------------------------------------------

    /// The next request not yet planned gets `fault`.
    pub fn fail_next(&mut self, fault: Fault) {
        self.plan.push_back(Some(fault));
    }

    /// Appends to the plan: one entry per request to come, in order (`None`:
    /// no fault).
    pub fn schedule(&mut self, plan: impl IntoIterator<Item = Option<Fault>>) {
        self.plan.extend(plan);
    }

    /// Drops the faults not yet used.
    pub fn clear_faults(&mut self) {
        self.plan.clear();
    }

    /// The answers held back, oldest first, and forgets them: deliver them in
    /// any order to reorder answers.
    pub fn take_held(&mut self) -> Vec<Held> {
        std::mem::take(&mut self.held)
    }

    /// The last answer Dojo produced, whether or not it reached the client
    /// (a duplicated, or late, delivery of it).
    pub fn last_reply(&self) -> Option<Reply> {
        self.last_reply.clone()
    }

    // ---- inspection ------------------------------------------------------------------

    pub fn intent(&self, id: &str) -> &FakeIntent {
        &self.intents[id]
    }

    pub fn intents(&self) -> impl Iterator<Item = &FakeIntent> {
        self.intents.values()
    }

    pub fn captured_total(&self, id: &str) -> i64 {
        self.intent(id).captured()
    }

    pub fn in_flight_total(&self, id: &str) -> i64 {
        self.intent(id).in_flight()
    }

    pub fn refunded_total(&self, id: &str) -> i64 {
        self.intent(id).refunded
    }

    /// How many times the refund `key` moved money (0 for an unknown key).
    pub fn refund_applied(&self, id: &str, key: &str) -> u32 {
        self.intent(id).refunds.get(key).map_or(0, |r| r.applied)
    }

    /// How many times the refund `key` came again with the same amount.
    pub fn refund_replayed(&self, id: &str, key: &str) -> u32 {
        self.intent(id).refunds.get(key).map_or(0, |r| r.replayed)
    }

    /// Every request so far, in order.
    pub fn log(&self) -> &[Exchange] {
        &self.log
    }

    /// How many captures the requests tagged `tag` created.
    pub fn captures_created_by_tag(&self, tag: &str) -> usize {
        self.log
            .iter()
            .filter(|e| e.tag.as_deref() == Some(tag) && matches!(e.made, Some(Made::Capture(_))))
            .count()
    }

    /// How many captures the requests tagged `tag` created that Dojo has
    /// not declined or failed: the captures that move, or may still move,
    /// money. A declined capture moved none, so an operation may be
    /// captured again after one.
    pub fn captures_standing_by_tag(&self, tag: &str) -> usize {
        self.log
            .iter()
            .filter(|e| e.tag.as_deref() == Some(tag))
            .filter_map(|e| match &e.made {
                Some(Made::Capture(id)) => Some(id),
                _ => None,
            })
            .filter(|id| {
                self.intents
                    .values()
                    .flat_map(|intent| &intent.captures)
                    .find(|capture| &capture.id == *id)
                    .is_some_and(|capture| {
                        !matches!(
                            capture.status,
                            CaptureStatus::Declined | CaptureStatus::Failed
                        )
                    })
            })
            .count()
    }

    /// How many captures request `number` created (0 or 1).
    pub fn captures_created_by_request(&self, number: u64) -> usize {
        self.log
            .iter()
            .filter(|e| e.number == number && matches!(e.made, Some(Made::Capture(_))))
            .count()
    }

    /// Dojo's own invariants, for a harness to check after every step.
    pub fn check_invariants(&self) -> Result<(), String> {
        for intent in self.intents.values() {
            let id = &intent.id;
            let (captured, in_flight) = (intent.captured(), intent.in_flight());
            if captured + in_flight > intent.amount {
                return Err(format!(
                    "{id}: captured {captured} + in flight {in_flight} > amount {}",
                    intent.amount
                ));
            }
            if intent.refunded > captured + intent.captured_tips() {
                return Err(format!("{id}: refunded {} > refundable", intent.refunded));
            }
            let refunds: i64 = intent.refunds.values().map(|r| r.amount).sum();
            if refunds != intent.refunded {
                return Err(format!(
                    "{id}: refunds {refunds} != refunded {}",
                    intent.refunded
                ));
            }
            if let Some((key, _)) = intent.refunds.iter().find(|(_, r)| r.applied != 1) {
                return Err(format!("{id}: refund key {key} applied other than once"));
            }
        }
        // An operation's captures that move money: one at most. One Dojo
        // declined or failed moved none, and may be captured again.
        let mut tags = std::collections::BTreeSet::<&str>::new();
        for exchange in &self.log {
            if let (Some(tag), Some(Made::Capture(_))) = (&exchange.tag, &exchange.made) {
                tags.insert(tag);
            }
        }
        match tags
            .into_iter()
            .map(|tag| (tag, self.captures_standing_by_tag(tag)))
            .find(|&(_, n)| n > 1)
        {
            Some((tag, n)) => Err(format!(
                "operation {tag} created {n} captures Dojo did not decline or fail"
            )),
            None => Ok(()),
        }
    }

    // ---- the HTTP side -----------------------------------------------------------------

    /// One request to Dojo.
    pub fn handle(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.exchange(None, method, path, headers, body)
    }

    /// As [`handle`](Self::handle), naming the logical operation the request
    /// belongs to (the first send and every retry share a tag).
    pub fn handle_tagged(
        &mut self,
        tag: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.exchange(Some(tag), method, path, headers, body)
    }

    /// A request the crate built.
    pub fn handle_request(&mut self, request: &Request) -> Reply {
        self.request_tagged(None, request)
    }

    /// A request the crate built, tagged as in [`handle_tagged`](Self::handle_tagged).
    pub fn handle_request_tagged(&mut self, tag: &str, request: &Request) -> Reply {
        self.request_tagged(Some(tag), request)
    }

    fn request_tagged(&mut self, tag: Option<&str>, request: &Request) -> Reply {
        let headers: Vec<(&str, &str)> = request.headers().collect();
        let body = request.body().unwrap_or_default();
        self.exchange(
            tag,
            request.method().as_str(),
            request.path(),
            &headers,
            body,
        )
    }

    fn exchange(
        &mut self,
        tag: Option<&str>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let number = self.log.len() as u64 + 1;
        let fault = self.plan.pop_front().flatten();
        let mut exchange = Exchange {
            number,
            method: method.into(),
            path: path.into(),
            tag: tag.map(str::to_owned),
            fault,
            processed: false,
            status: None,
            made: None,
        };
        let produced = match fault {
            Some(Fault::TimeoutBeforeApply) => None,
            Some(Fault::ServerError(status)) => Some(problem_reply(Problem(
                status,
                "server_error",
                "the server failed; nothing was applied".into(),
            ))),
            Some(Fault::Conflict409) => Some(problem_reply(Problem(
                409,
                "conflict",
                "the intent changed concurrently; nothing was applied".into(),
            ))),
            _ => {
                exchange.processed = true;
                Some(match self.process(method, path, headers, body) {
                    Ok((body, made)) => {
                        exchange.made = made;
                        Reply::Http { status: 200, body }
                    }
                    Err(problem) => problem_reply(problem),
                })
            }
        };
        exchange.status = produced.as_ref().and_then(Reply::status);
        self.log.push(exchange);
        let Some(reply) = produced else {
            return Reply::Timeout;
        };
        self.last_reply = Some(reply.clone());
        match fault {
            Some(Fault::TimeoutAfterApply) => Reply::Timeout,
            Some(Fault::Hold) => {
                self.held.push(Held {
                    request: number,
                    reply,
                });
                Reply::Timeout
            }
            Some(Fault::Duplicate) => {
                self.held.push(Held {
                    request: number,
                    reply: reply.clone(),
                });
                reply
            }
            _ => reply,
        }
    }

    fn process(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Outcome {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|&(_, v)| v)
        };
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (raw_id, endpoint) = match segments.as_slice() {
            ["payment-intents", id] => (*id, ""),
            ["payment-intents", id, endpoint] => (*id, *endpoint),
            _ => return Err(Problem(404, "not_found", format!("no endpoint at {path}"))),
        };
        let allowed = match endpoint {
            "" => ["GET", "DELETE"].contains(&method),
            "captures" | "refunds" | "reversal" | "amount" | "tips-amount" => method == "POST",
            _ => return Err(Problem(404, "not_found", format!("no endpoint at {path}"))),
        };
        if !allowed {
            return Err(Problem(
                405,
                "method_not_allowed",
                format!("{method} {path}"),
            ));
        }
        match header("version") {
            Some(v) if VERSIONS.contains(&v) => {}
            Some(v) => return Err(Problem(400, "invalid_version", format!("version {v:?}"))),
            None => return Err(Problem(400, "missing_version", "no version header".into())),
        }
        let id = percent_decode(raw_id)
            .ok_or_else(|| Problem(404, "not_found", format!("no payment intent {raw_id}")))?;
        let return_canceled = method == "GET"
            && query
                .split('&')
                .any(|pair| pair.eq_ignore_ascii_case("returnCanceled=true"));
        let now = self.now;
        let intent = match self.intents.get_mut(&id) {
            Some(intent) if intent.life != Life::Canceled || return_canceled => intent,
            _ => return Err(Problem(404, "not_found", format!("no payment intent {id}"))),
        };
        match (method, endpoint) {
            ("GET", "") => Ok((intent_json(intent), None)),
            ("DELETE", "") => cancel(intent),
            (_, "captures") => {
                let capture_id = format!("cp_{}", self.next_capture);
                let outcome = capture(intent, body, now, &capture_id);
                if outcome.is_ok() {
                    self.next_capture += 1;
                }
                outcome
            }
            (_, "refunds") => {
                let refund_id = format!("rfnd_{}", self.next_refund);
                let outcome = refund(intent, header("idempotencyKey"), body, &refund_id);
                if matches!(outcome, Ok((_, Some(_)))) {
                    self.next_refund += 1;
                }
                outcome
            }
            (_, "reversal") => {
                let reversal_id = format!("rvs_{}", self.next_reversal);
                let outcome = reverse(intent, now, &reversal_id);
                if outcome.is_ok() {
                    self.next_reversal += 1;
                }
                outcome
            }
            (_, "amount") => change_amount(intent, body),
            _ => change_tips(intent, body),
        }
    }
}

fn problem_reply(Problem(status, code, detail): Problem) -> Reply {
    let problem = ProblemDetails {
        r#type: Some(format!("urn:fake-dojo:{code}")),
        title: Some(code.replace('_', " ")),
        status: Some(i32::from(status)),
        detail: Some(detail),
        trace_id: Some("00-fake-dojo-00".into()),
        ..ProblemDetails::default()
    };
    Reply::Http {
        status,
        body: serde_json::to_vec(&problem).expect("problem details serialise"),
    }
}

fn intent_json(intent: &FakeIntent) -> Vec<u8> {
    serde_json::to_vec(&intent.resource()).expect("an intent serialises")
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("an answer serialises")
}

fn read<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| Problem(400, "invalid_body", e.to_string()))
}

/// `%XX` back to bytes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `POST /payment-intents/{id}/captures`: rules 1, 2, 3, 7; D1, D10, D12, D18.
fn capture(intent: &mut FakeIntent, body: &[u8], now: Timestamp, capture_id: &str) -> Outcome {
    let request: CaptureRequest = read(body)?;
    // Rules 3 and 4 and D3: the state first.
    match (intent.life, intent.refunded > 0) {
        (Life::Created, _) => return Err(Problem(409, "invalid_transition", "not paid".into())),
        (Life::Reversed, _) => {
            return Err(Problem(409, "capture_after_reversal", "reversed".into()));
        }
        (_, true) => return Err(Problem(409, "capture_after_refund", "refunded".into())),
        _ => {}
    }
    // Rule 1.
    if intent.mode != CaptureMode::Manual {
        return Err(Problem(
            409,
            "auto_capture_mode",
            "Dojo captures Auto intents".into(),
        ));
    }
    if request.amount <= 0 {
        return Err(Problem(
            400,
            "zero_amount",
            format!("amount {}", request.amount),
        ));
    }
    let tips = match request.tips_amount {
        Some(t) if t < 0 => return Err(Problem(400, "invalid_body", format!("tipsAmount {t}"))),
        Some(0) | None => None,
        Some(t) => Some(t),
    };
    // Rule 7, D12: strictly before the deadline.
    if intent.deadline().is_some_and(|deadline| now >= deadline) {
        return Err(Problem(
            409,
            "authorization_expired",
            "the authorisation lapsed".into(),
        ));
    }
    // Rule 2, D1: in-flight captures hold their amount; tips are not counted (D10).
    let capturable = intent.amount - intent.captured() - intent.in_flight();
    if request.amount > capturable {
        return Err(Problem(
            400,
            "over_capture",
            format!("{} > capturable {capturable}", request.amount),
        ));
    }
    intent.captures.push(FakeCapture {
        id: capture_id.into(),
        amount: request.amount,
        tips,
        status: CaptureStatus::Created,
        created_at: now,
    });
    let answer = serde_json::json!({"message": "Capture created", "captureId": capture_id});
    Ok((json(&answer), Some(Made::Capture(capture_id.into()))))
}

/// `POST /payment-intents/{id}/refunds`: rule 5; D2, D7, D13, D14.
fn refund(intent: &mut FakeIntent, key: Option<&str>, body: &[u8], refund_id: &str) -> Outcome {
    let key = match key {
        Some(k) if !k.is_empty() && k.chars().count() <= 100 => k,
        Some(_) => {
            return Err(Problem(
                400,
                "invalid_idempotency_key",
                "1 to 100 characters".into(),
            ));
        }
        None => {
            return Err(Problem(
                400,
                "missing_idempotency_key",
                "idempotencyKey is required".into(),
            ));
        }
    };
    let request: RefundRequest = read(body)?;
    let too_long =
        |field: &Option<String>, max| field.as_ref().is_some_and(|t| t.chars().count() > max);
    if too_long(&request.refund_reason, 1024) || too_long(&request.notes, 4096) {
        return Err(Problem(
            400,
            "invalid_body",
            "refundReason or notes too long".into(),
        ));
    }
    if intent.life != Life::Paid || intent.captured() == 0 {
        return Err(Problem(
            400,
            "invalid_transition",
            "nothing captured to refund".into(),
        ));
    }
    if request.amount <= 0 {
        return Err(Problem(
            400,
            "zero_amount",
            format!("amount {}", request.amount),
        ));
    }
    let answer = |refund_id: &str| {
        json(&serde_json::json!({
            "paymentIntentId": intent.id,
            "refundId": refund_id,
            "message": "Refund created",
            "refundReason": request.refund_reason,
            "notes": request.notes,
        }))
    };
    // D7: a key names one refund.
    if let Some(seen) = intent.refunds.get(key) {
        if seen.amount != request.amount {
            return Err(Problem(
                400,
                "idempotency_conflict",
                format!("key {key} was used for {}", seen.amount),
            ));
        }
        let body = answer(&seen.id);
        intent.refunds.get_mut(key).expect("seen").replayed += 1;
        return Ok((body, None));
    }
    let refundable = intent.refundable();
    if request.amount > refundable {
        return Err(Problem(
            400,
            "over_refund",
            format!("{} > refundable {refundable}", request.amount),
        ));
    }
    let body = answer(refund_id);
    intent.refunded += request.amount;
    intent.refunds.insert(
        key.into(),
        FakeRefund {
            id: refund_id.into(),
            amount: request.amount,
            applied: 1,
            replayed: 0,
        },
    );
    Ok((body, Some(Made::Refund(refund_id.into()))))
}

/// `POST /payment-intents/{id}/reversal`: rule 6; D5, D8, D12.
fn reverse(intent: &mut FakeIntent, now: Timestamp, reversal_id: &str) -> Outcome {
    let refuse = |code, detail: &str| Err(Problem(409, code, detail.into()));
    if intent.life != Life::Paid {
        return refuse("invalid_transition", "not paid, or reversed already");
    }
    if intent.refunded > 0 {
        return refuse("invalid_transition", "refunded");
    }
    let paid_at = intent.paid_at.expect("a paid intent has a payment time");
    match intent.mode {
        CaptureMode::Manual => {
            if intent.captured() > 0 {
                return refuse(
                    "invalid_transition",
                    "a captured Manual payment is refunded",
                );
            }
            if intent.in_flight() > 0 {
                return refuse("invalid_transition", "a capture is in flight");
            }
            if intent.deadline().is_some_and(|deadline| now >= deadline) {
                return refuse("reversal_window_closed", "the authorisation lapsed");
            }
        }
        CaptureMode::Auto => {
            if london_day(paid_at) != london_day(now) {
                return refuse("reversal_window_closed", "not the payment's London day");
            }
        }
    }
    intent.life = Life::Reversed;
    let answer = serde_json::json!({"message": "Reversal created", "reversalId": reversal_id});
    Ok((json(&answer), Some(Made::Reversal(reversal_id.into()))))
}

/// `DELETE /payment-intents/{id}`: rule 4.
fn cancel(intent: &mut FakeIntent) -> Outcome {
    if intent.life != Life::Created {
        return Err(Problem(
            400,
            "invalid_transition",
            "only a Created intent is canceled".into(),
        ));
    }
    intent.life = Life::Canceled;
    Ok((intent_json(intent), None))
}

/// `POST /payment-intents/{id}/amount`: rule 8; D6.
fn change_amount(intent: &mut FakeIntent, body: &[u8]) -> Outcome {
    let request: ChangeAmountRequest = read(body)?;
    if intent.life != Life::Created {
        return Err(Problem(405, "invalid_transition", "paid already".into()));
    }
    if !intent.custom_amount_allowed {
        return Err(Problem(
            405,
            "custom_amount_not_allowed",
            "customAmountAllowed is off".into(),
        ));
    }
    if request.amount.currency() != intent.currency {
        return Err(Problem(
            400,
            "currency_mismatch",
            request.amount.currency().code().into(),
        ));
    }
    if request.amount.minor_units() == 0 {
        return Err(Problem(400, "zero_amount", "amount 0".into()));
    }
    intent.amount = request.amount.minor_units();
    Ok((intent_json(intent), None))
}

/// Body of `POST /payment-intents/{id}/tips-amount` (spec schema `SetTipsAmountRequest`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TipsRequest {
    tips_amount: Money,
}

/// `POST /payment-intents/{id}/tips-amount`: only with `tipsAllowed`, and
/// (assumed) only while `Created`.
fn change_tips(intent: &mut FakeIntent, body: &[u8]) -> Outcome {
    let request: TipsRequest = read(body)?;
    if intent.life != Life::Created {
        return Err(Problem(405, "invalid_transition", "paid already".into()));
    }
    if !intent.tips_allowed {
        return Err(Problem(
            405,
            "tips_not_allowed",
            "tipsAllowed is off".into(),
        ));
    }
    let tips = request.tips_amount;
    if tips.currency() != intent.currency {
        return Err(Problem(
            400,
            "currency_mismatch",
            tips.currency().code().into(),
        ));
    }
    intent.tips = (tips.minor_units() > 0).then_some(tips.minor_units());
    Ok((intent_json(intent), None))
}
