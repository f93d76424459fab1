//! A deterministic generator of realistic histories for `dojo-capture
//! audit`: many payment intents, each with its own life, their lines
//! interleaved by time as a service's logs interleave them.
//!
//! Shared by `examples/gen_history.rs` (the command), `benches/audit.rs`
//! (a history held in memory) and `tests/audit_generated.rs` (which audits
//! one and expects exactly the findings planted here).
//!
//! Each intent's life, in the order Dojo and a service would live it:
//!
//! * a first read: a payment intent line, or a `GET` and its answer;
//! * by kind: a card payment captured by Dojo (`Auto`), an authorisation
//!   captured in parts (`Manual`, some captures with a tip, a few
//!   reversed instead), or a pay-by-link intent (`Created`) whose amount
//!   and tip may change before it is paid, or canceled;
//! * requests as the crate prepares them (captures, refunds under
//!   idempotency keys with reasons and notes, reversals, cancels, changes
//!   of amount and tip), each followed by its answer; now and then a
//!   timeout or a 502 (a read binds a capture Dojo made; one Dojo did not
//!   make is released by a `GET` sent after its settle window) or a refund Dojo refuses
//!   (409) or a refund retried under the same key after a timeout;
//! * webhook deliveries, signed (`{"webhook": …}`) or bare event bodies,
//!   some delivered twice, and `send-receipt` events;
//! * later reads that reconcile: captures resolved, refunded totals.
//!
//! The history is clean but for the findings planted on purpose, one in
//! every `plant_every` intents (an over-refund, or a `payment_intent.created`
//! event delivered after the intent moved on): [`Stats::planted`] counts
//! them by code, which is what the audit must report, no more.
//!
//! Only `std` (a SplitMix64 generator), `serde_json` and the crate itself
//! (to sign deliveries): the same seed gives the same bytes.

// Each includer uses a part of it.
#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::io::{self, Write};

use dojo_capture::webhook::WebhookSecret;
use serde_json::{Map, Value, json};

/// The secret deliveries are signed with: a test secret, never a real one.
pub const SECRET: &str = "ws_generated_history_only";

const VERSION: &str = "2025-09-10";
/// 2024-07-01T00:00:00Z, in milliseconds.
const BASE_MS: i64 = 1_719_792_000_000;
/// One intent starts in each such slice of time: with lives of a few
/// hours, a few hundred intents are under way at any moment.
const START_GAP_MS: i64 = 20_000;
const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
/// The time between two lines of a life, on average, at the usual pace.
const STEP_MS: i64 = 6 * MINUTE + 30 * SECOND;
/// The longest a life lasts at most, about: well within the seven days a
/// Manual authorisation lasts, so that captures are never late. Lives of
/// more than [`MAX_CLEAN_LINES`] lines last longer, their steps being ten
/// seconds apart at least.
const LIFE_MS: i64 = 2 * 24 * 60 * MINUTE;
/// Lives longer than this many lines may outlast an authorisation.
pub const MAX_CLEAN_LINES: u64 = (LIFE_MS / (10 * SECOND)) as u64;

/// How webhook deliveries are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Webhooks {
    /// Every delivery wrapped with its `dojo-signature`: audit with the secret.
    Signed,
    /// Every delivery a bare event body: audit without secrets.
    Unsigned,
    /// Both, about three signed to one bare: audit without secrets.
    Mixed,
}

impl Webhooks {
    /// `signed`, `unsigned` or `mixed`.
    pub fn from_name(name: &str) -> Option<Webhooks> {
        match name {
            "signed" => Some(Webhooks::Signed),
            "unsigned" => Some(Webhooks::Unsigned),
            "mixed" => Some(Webhooks::Mixed),
            _ => None,
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Exactly this many lines, when there are at least as many as intents.
    pub lines: u64,
    /// This many distinct intents (at most `lines`).
    pub intents: u64,
    pub seed: u64,
    pub webhooks: Webhooks,
    /// One intent in this many gets a planted finding; 0 plants none.
    pub plant_every: u64,
}

impl Config {
    /// `lines` lines of `intents` intents, seed 1, mixed deliveries, one
    /// finding planted per 1,000 intents.
    pub fn new(lines: u64, intents: u64) -> Config {
        Config {
            lines,
            intents,
            seed: 1,
            webhooks: Webhooks::Mixed,
            plant_every: 1000,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub lines: u64,
    pub intents: u64,
    pub bytes: u64,
    /// The findings planted, by code: the audit must report exactly these.
    pub planted: BTreeMap<&'static str, u64>,
}

/// Writes the history of `config` to `out`, one line each, `\n`-terminated.
pub fn generate(config: &Config, out: &mut impl Write) -> io::Result<Stats> {
    let intents = config.intents.min(config.lines);
    let secret = WebhookSecret::new(SECRET).expect("the generator's secret is valid");
    let mut stats = Stats {
        intents,
        ..Stats::default()
    };
    if intents == 0 {
        return Ok(stats);
    }
    let per_intent = config.lines / intents;
    let extra = config.lines % intents;
    // Lives are rendered when their intent starts, and merged by time.
    let mut lives: Vec<Option<VecDeque<(i64, String)>>> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(i64, u64, u64)>> = BinaryHeap::new();
    let mut next_intent = 0_u64;
    let mut sequence = 0_u64;
    let mut planted_since = 0_u64;
    loop {
        // Start every intent due before the earliest pending line.
        while next_intent < intents
            && heap
                .peek()
                .is_none_or(|Reverse((time, _, _))| start_of(config.seed, next_intent) <= *time)
        {
            let budget = per_intent + u64::from(next_intent < extra);
            let plant = config.plant_every > 0 && {
                planted_since += 1;
                planted_since >= config.plant_every
            };
            let mut life = Life::new(config, &secret, next_intent, budget, plant);
            life.live();
            if let Some(code) = life.planted {
                *stats.planted.entry(code).or_default() += 1;
                planted_since = 0;
            }
            let lines: VecDeque<_> = life.lines.into();
            if let Some((time, _)) = lines.front() {
                heap.push(Reverse((*time, next_intent, sequence)));
                sequence += 1;
            }
            lives.push(Some(lines));
            next_intent += 1;
        }
        let Some(Reverse((_, index, _))) = heap.pop() else {
            break;
        };
        let slot = &mut lives[index as usize];
        let life = slot.as_mut().expect("an intent with lines left");
        let (_, line) = life.pop_front().expect("a line");
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        stats.lines += 1;
        stats.bytes += line.len() as u64 + 1;
        match life.front() {
            Some((time, _)) => {
                heap.push(Reverse((*time, index, sequence)));
                sequence += 1;
            }
            // Its lines are written: what it held is freed.
            None => *slot = None,
        }
    }
    Ok(stats)
}

fn start_of(seed: u64, intent: u64) -> i64 {
    let mut rng = Rng::new(seed, intent.wrapping_add(0x5EED_0000_0000));
    BASE_MS + intent as i64 * START_GAP_MS + rng.below(START_GAP_MS as u64) as i64
}

/// SplitMix64: small, fast and good enough to vary a history.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// `len` characters of `[0-9A-Za-z]`, as Dojo's ids are made of.
    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..len)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap_or('0'))
            .collect()
    }

    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-a{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            self.hex(3),
            self.hex(12)
        )
    }
}

/// Milliseconds since the epoch as RFC 3339, `2024-07-25T08:48:38.497Z`.
fn stamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Paid by card and captured by Dojo at once.
    Auto,
    /// Authorised, captured later in parts (or reversed).
    Manual,
    /// A pay-by-link intent, read before it is paid (captured by Dojo), or canceled.
    Link,
}

/// One capture as Dojo lists it.
struct Capture {
    id: String,
    amount: i64,
    tips: i64,
    created: i64,
}

/// The intent as Dojo knows it: what reads show.
struct Truth {
    id: String,
    mode: &'static str,
    status: &'static str,
    amount: i64,
    tips: i64,
    refunded: i64,
    created: i64,
    paid: Option<i64>,
    updated: i64,
    captures: Vec<Capture>,
    link: bool,
    reference: String,
    transaction: String,
    auth_code: String,
    card: String,
    trading_name: &'static str,
}

/// How long after its creation Dojo settles a capture.
const CAPTURE_SETTLES_MS: i64 = 4 * SECOND;

impl Truth {
    /// The intent as `GET /payment-intents/{id}` returns it at `now`.
    fn body(&self, now: i64) -> Value {
        let mut body = Map::new();
        let gbp = |minor: i64| json!({"value": minor, "currencyCode": "GBP"});
        body.insert("id".into(), json!(self.id));
        body.insert("captureMode".into(), json!(self.mode));
        body.insert("cardHolderNotPresent".into(), json!(self.link));
        if let Some(paid) = self.paid {
            body.insert(
                "paymentDetails".into(),
                json!({
                    "transactionId": self.transaction,
                    "transactionDateTime": stamp(paid),
                    "message": "AUTHORISED",
                    "authCode": self.auth_code,
                    "card": {
                        "cardNumber": self.card,
                        "cardName": "card holder",
                        "expiryDate": "2027-09-30",
                        "cardType": "VISA",
                        "cardFundingType": "Debit",
                        "entryMode": "Ecom",
                        "verificationMethod": "ThreeDS"
                    },
                    "avsResult": "ADDRESS_MATCH_POSTCODE_MATCH"
                }),
            );
        }
        body.insert("status".into(), json!(self.status));
        body.insert("paymentMethods".into(), json!(["Card"]));
        body.insert("amount".into(), gbp(self.amount));
        if self.tips > 0 {
            body.insert("tipsAmount".into(), gbp(self.tips));
        }
        body.insert("totalAmount".into(), gbp(self.amount + self.tips));
        body.insert("refundedAmount".into(), json!(self.refunded));
        body.insert("createdAt".into(), json!(stamp(self.created)));
        let settled = self
            .captures
            .iter()
            .map(|c| c.created + CAPTURE_SETTLES_MS)
            .filter(|settled| *settled <= now)
            .max()
            .unwrap_or(0);
        body.insert(
            "updatedAt".into(),
            json!(stamp(self.updated.max(settled).min(now))),
        );
        body.insert("reference".into(), json!(self.reference));
        body.insert("description".into(), json!("Order from the web shop"));
        let mut config = json!({"branding": {}, "tradingName": self.trading_name});
        if self.link {
            config["payment"] = json!({"customAmountAllowed": true, "tipsAllowed": true});
        }
        body.insert("config".into(), config);
        body.insert("paymentSource".into(), json!("api"));
        body.insert(
            "expireAt".into(),
            json!(stamp(self.created + 30 * 24 * 60 * MINUTE)),
        );
        body.insert(
            "paymentLink".into(),
            json!(format!("https://pay.dojo.tech:443/checkout/{}", self.id)),
        );
        let captures: Vec<Value> = self
            .captures
            .iter()
            .map(|c| {
                let status = if now >= c.created + CAPTURE_SETTLES_MS {
                    "Successful"
                } else {
                    "Created"
                };
                json!({
                    "id": c.id,
                    "amount": c.amount,
                    "tipsAmount": c.tips,
                    "status": status,
                    "createdAt": stamp(c.created),
                })
            })
            .collect();
        body.insert("captures".into(), Value::Array(captures));
        Value::Object(body)
    }

    fn captured(&self) -> i64 {
        if self.mode == "Auto" {
            // Dojo captured the intent itself: its amount, no capture listed.
            self.amount
        } else {
            self.captures.iter().map(|c| c.amount).sum()
        }
    }

    /// What the service refunds at most: the captured amounts (tips aside).
    fn refundable(&self) -> i64 {
        self.captured() - self.refunded
    }

    /// What Dojo refunds at most: the tips too, once captured.
    fn refundable_with_tips(&self) -> i64 {
        let tips = if self.mode == "Auto" {
            self.tips
        } else {
            self.captures.iter().map(|c| c.tips).sum()
        };
        self.captured() + tips - self.refunded
    }
}

/// An operation of the life, in order; each may be skipped when the
/// intent's budget of lines runs short.
#[derive(Clone, Copy, Debug)]
enum Op {
    ChangeAmount,
    ChangeTips,
    Pay,
    Cancel,
    Capture,
    Reversal,
    Refund,
}

impl Op {
    /// The fewest lines the operation takes: a request and its answer, and
    /// the read that settles an unknown outcome.
    fn min_lines(self) -> u64 {
        match self {
            // Dojo's doing: a read shows it.
            Op::Pay => 1,
            // A refund follows a read, so that it is judged against the
            // captures as settled.
            Op::Capture | Op::Refund => 3,
            _ => 2,
        }
    }
}

/// One intent's life, rendered as timed lines.
struct Life<'a> {
    rng: Rng,
    secret: &'a WebhookSecret,
    webhooks: Webhooks,
    truth: Truth,
    kind: Kind,
    now: i64,
    budget: u64,
    lines: Vec<(i64, String)>,
    /// The last event sent, while the intent is still as it tells: the one
    /// a redelivery repeats.
    last_event: Option<String>,
    events: u64,
    plant: bool,
    planted: Option<&'static str>,
    refunds: u64,
    /// Below 1 for a life of so many lines that, at the usual pace, it would
    /// last more than [`LIFE_MS`]: its steps are closer together.
    pace: f64,
}

impl<'a> Life<'a> {
    fn new(
        config: &Config,
        secret: &'a WebhookSecret,
        index: u64,
        budget: u64,
        plant: bool,
    ) -> Life<'a> {
        let mut rng = Rng::new(config.seed, index);
        let start = start_of(config.seed, index);
        let kind = match rng.below(100) {
            0..40 => Kind::Auto,
            40..85 => Kind::Manual,
            _ => Kind::Link,
        };
        let amount = match rng.below(4) {
            0 => rng.range(100, 2_000),
            1 | 2 => rng.range(1_000, 20_000),
            _ => rng.range(20_000, 250_000),
        };
        let paid = (kind != Kind::Link).then_some(start + rng.range(20, 90) * SECOND);
        let truth = Truth {
            id: format!("pi_sandbox_{}", rng.token(22)),
            mode: if kind == Kind::Manual {
                "Manual"
            } else {
                "Auto"
            },
            status: match kind {
                Kind::Auto => "Captured",
                Kind::Manual => "Authorized",
                Kind::Link => "Created",
            },
            amount,
            tips: 0,
            refunded: 0,
            created: start,
            paid,
            updated: paid.unwrap_or(start),
            captures: Vec::new(),
            link: kind == Kind::Link,
            reference: format!("Order {}", rng.range(1_000, 999_999)),
            transaction: rng.uuid(),
            auth_code: format!("{:06}", rng.below(1_000_000)),
            card: format!("{:04}30****{:04}", rng.range(4000, 4999), rng.below(10_000)),
            trading_name: rng.pick(&[
                "I DIM SUM",
                "The Corner Cafe",
                "Northern Hotels",
                "Bike Hire Ltd",
            ]),
        };
        let now = paid.unwrap_or(start) + rng.range(5, 120) * SECOND;
        Life {
            rng,
            secret,
            webhooks: config.webhooks,
            truth,
            kind,
            now,
            budget,
            lines: Vec::new(),
            last_event: None,
            events: 0,
            plant,
            planted: None,
            refunds: 0,
            pace: (LIFE_MS as f64 / (budget as f64 * STEP_MS as f64)).min(1.0),
        }
    }

    fn path(&self, endpoint: &str) -> String {
        if endpoint.is_empty() {
            format!("/payment-intents/{}", self.truth.id)
        } else {
            format!("/payment-intents/{}/{endpoint}", self.truth.id)
        }
    }

    fn emit(&mut self, line: String) {
        debug_assert!(self.budget > 0, "a line beyond the intent's budget");
        self.budget -= 1;
        self.lines.push((self.now, line));
    }

    /// Moves the clock on by `low..=high` milliseconds.
    /// Moves the clock on by `low..=high` milliseconds between two steps
    /// of the life, at the life's pace, never less than ten seconds.
    fn pause(&mut self, low: i64, high: i64) {
        let scaled = |ms: i64| ((ms as f64 * self.pace) as i64).max(10 * SECOND);
        let (low, high) = (scaled(low), scaled(high));
        self.wait(low, high.max(low));
    }

    fn wait(&mut self, low: i64, high: i64) {
        self.now += self.rng.range(low, high);
    }

    fn live(&mut self) {
        let ops = self.plan();
        // The first read, and three lines for the planted finding.
        if self.budget < 4 {
            self.plant = false;
        }
        let reserve = if self.plant { 3 } else { 0 };
        let mut core: u64 = ops.iter().map(|op| op.min_lines()).sum();
        let get = self.budget >= 2 + reserve && self.rng.chance(50);
        if get {
            self.get();
        } else {
            self.snapshot();
        }
        // Dojo's event for the state the service just read.
        if self.budget > core + reserve && self.rng.chance(60) {
            self.wait(SECOND, 30 * SECOND);
            match self.kind {
                Kind::Link => self.event("payment_intent.created", Some("Created")),
                _ => {
                    let status = self.truth.status;
                    self.event("payment_intent.status_updated", Some(status));
                }
            }
        }
        for (done, op) in ops.iter().enumerate() {
            if op.min_lines() + reserve > self.budget {
                break;
            }
            core -= op.min_lines();
            // The lines to spare before the next operation: extras (a
            // webhook, a redelivery, a read) and filler, spread over the life.
            let spare = self.budget.saturating_sub(core + reserve + op.min_lines());
            let gaps = (ops.len() - done) as u64;
            let share = if spare > 0 {
                self.rng.below(2 * spare / gaps + 1).min(spare)
            } else {
                0
            };
            self.pause(MINUTE, 12 * MINUTE);
            let before = self.budget;
            self.operation(*op, share);
            let used_extra = (before - self.budget).saturating_sub(op.min_lines());
            self.filler(share.saturating_sub(used_extra));
        }
        let rest = self.budget.saturating_sub(reserve);
        self.filler(rest);
        if self.plant {
            self.plant_finding();
        }
        // What a planted finding did not use.
        let rest = self.budget;
        self.filler(rest);
    }

    /// The operations of this intent's life, by kind.
    fn plan(&mut self) -> Vec<Op> {
        let mut ops = Vec::new();
        match self.kind {
            Kind::Auto => {
                for _ in 0..self.rng.range(0, 3) {
                    ops.push(Op::Refund);
                }
            }
            Kind::Manual => {
                if self.rng.chance(10) {
                    ops.push(Op::Reversal);
                } else {
                    for _ in 0..self.rng.range(1, 6) {
                        ops.push(Op::Capture);
                    }
                    for _ in 0..self.rng.range(0, 2) {
                        ops.push(Op::Refund);
                    }
                }
            }
            Kind::Link => {
                if self.rng.chance(50) {
                    ops.push(Op::ChangeAmount);
                }
                if self.rng.chance(30) {
                    ops.push(Op::ChangeTips);
                }
                if self.rng.chance(15) {
                    ops.push(Op::Cancel);
                } else {
                    ops.push(Op::Pay);
                    for _ in 0..self.rng.range(0, 2) {
                        ops.push(Op::Refund);
                    }
                }
            }
        }
        ops
    }

    /// Spends `lines` on what a life holds between its operations: reads
    /// (a payment intent line, or a `GET` and its answer), deliveries again
    /// and receipts.
    fn filler(&mut self, mut lines: u64) {
        while lines > 0 {
            self.pause(30 * SECOND, 20 * MINUTE);
            let roll = self.rng.below(100);
            if roll < 35 && lines >= 2 {
                self.get();
                lines -= 2;
                continue;
            }
            match roll {
                35..60 if self.last_event.is_some() => self.redeliver(),
                60..70 if self.truth.paid.is_some() => self.receipt(),
                _ => self.snapshot(),
            }
            lines -= 1;
        }
    }

    /// Up to `spare` lines of what follows an operation: its webhook,
    /// delivered once more now and then, and a read.
    fn after(&mut self, status: &'static str, event: &'static str, spare: &mut u64) {
        if *spare > 0 && self.rng.chance(85) {
            self.wait(SECOND, 5 * SECOND);
            self.event(event, Some(status));
            *spare -= 1;
            if *spare > 0 && self.rng.chance(25) {
                self.wait(10 * SECOND, 10 * MINUTE);
                self.redeliver();
                *spare -= 1;
            }
        }
        if *spare > 0 && self.rng.chance(60) {
            self.wait(20 * SECOND, 10 * MINUTE);
            self.snapshot();
            *spare -= 1;
        }
    }

    fn operation(&mut self, op: Op, mut spare: u64) {
        match op {
            Op::Pay => {
                self.pause(MINUTE, 3 * 60 * MINUTE);
                self.truth.paid = Some(self.now);
                self.truth.status = "Captured";
                self.truth.updated = self.now;
                self.last_event = None;
                self.wait(SECOND, 5 * SECOND);
                if spare > 0 {
                    self.event("payment_intent.status_updated", Some("Captured"));
                    spare -= 1;
                    if spare > 0 && self.rng.chance(25) {
                        self.wait(10 * SECOND, 5 * MINUTE);
                        self.redeliver();
                    }
                }
                self.wait(20 * SECOND, 10 * MINUTE);
                self.snapshot();
            }
            Op::ChangeAmount => {
                let amount = (self.truth.amount
                    + self.rng.range(-self.truth.amount / 2, self.truth.amount))
                .max(100);
                let body = json!({"amount": {"value": amount, "currencyCode": "GBP"}});
                self.request("POST", "amount", Some(body), None);
                self.truth.amount = amount;
                self.truth.updated = self.now;
                self.wait(100, 900);
                let answer = self.truth.body(self.now);
                self.answer("POST", "amount", Some(200), answer);
                self.after("Created", "payment_intent.updated", &mut spare);
            }
            Op::ChangeTips => {
                let tips = self.rng.range(1, 20) * 50;
                let body = json!({"tipsAmount": {"value": tips, "currencyCode": "GBP"}});
                self.request("POST", "tips-amount", Some(body), None);
                self.truth.tips = tips;
                self.truth.updated = self.now;
                self.wait(100, 900);
                let answer = self.truth.body(self.now);
                self.answer("POST", "tips-amount", Some(200), answer);
                self.after("Created", "payment_intent.updated", &mut spare);
            }
            Op::Cancel => {
                self.request("DELETE", "", None, None);
                self.truth.status = "Canceled";
                self.truth.updated = self.now;
                self.last_event = None;
                self.wait(100, 900);
                let answer = self.truth.body(self.now);
                self.answer("DELETE", "", Some(200), answer);
                self.after("Canceled", "payment_intent.status_updated", &mut spare);
            }
            Op::Reversal => {
                self.request("POST", "reversal", None, None);
                self.truth.status = "Reversed";
                self.truth.updated = self.now;
                self.last_event = None;
                self.wait(100, 900);
                let answer = json!({"message": "Reversal created", "reversalId": format!("rvs_{}", self.rng.token(22))});
                self.answer("POST", "reversal", Some(200), answer);
                self.after("Reversed", "payment_intent.status_updated", &mut spare);
            }
            Op::Capture => self.capture(spare),
            Op::Refund => self.refund(spare),
        }
    }

    fn capture(&mut self, mut spare: u64) {
        let left = self.truth.amount - self.truth.captured();
        if left <= 0 {
            // Nothing left to capture: a read instead, as a service would.
            self.snapshot();
            return self.filler(2);
        }
        let amount = if left <= 100 || self.rng.chance(30) {
            left
        } else {
            self.rng.range(left / 4, left).max(1)
        };
        let tips = if self.rng.chance(15) {
            self.rng.range(1, 10) * 50
        } else {
            0
        };
        let mut body = json!({"amount": amount});
        if tips > 0 {
            body["tipsAmount"] = json!(tips);
        }
        self.request("POST", "captures", Some(body), None);
        let unknown = self.rng.chance(4);
        // A capture Dojo did not make is released only by a `GET` that
        // began after its settle horizon (D22): one read needs the room of a
        // `GET`, or Dojo made it and any read binds it.
        let made = !unknown || spare == 0 || self.rng.chance(75);
        if made {
            self.truth.captures.push(Capture {
                id: format!("cp_sandbox_{}", self.rng.token(22)),
                amount,
                tips,
                created: self.now + 200,
            });
            self.truth.status = "Captured";
            self.truth.updated = self.now + 200;
            self.last_event = None;
        }
        self.wait(300, 1_500);
        if unknown {
            // No answer, or a 502: the outcome is unknown until a read.
            let status = if self.rng.chance(50) { None } else { Some(502) };
            let body = status.map_or(Value::Null, |_| json!("<html>502 Bad Gateway</html>"));
            self.answer("POST", "captures", status, body);
            if !made {
                // Past the 15 minutes a request may still land in.
                self.wait(16 * MINUTE, 30 * MINUTE);
                self.get();
                spare = spare.saturating_sub(1);
            } else {
                self.wait(10 * SECOND, 2 * MINUTE);
                if spare == 0 || self.rng.chance(50) {
                    self.snapshot();
                } else {
                    self.get();
                    spare = spare.saturating_sub(1);
                }
            }
            if made {
                self.after("Captured", "payment_intent.status_updated", &mut spare);
            }
            return;
        }
        let id = self
            .truth
            .captures
            .last()
            .map(|c| c.id.clone())
            .unwrap_or_default();
        self.answer(
            "POST",
            "captures",
            Some(201),
            json!({"message": "Capture created", "captureId": id}),
        );
        // The read a capture needs no more than the other operations.
        spare += 1;
        self.after("Captured", "payment_intent.status_updated", &mut spare);
        self.filler(spare.min(1));
    }

    fn refund(&mut self, mut spare: u64) {
        if spare > 0 && self.rng.chance(50) {
            self.get();
            spare -= 1;
        } else {
            self.snapshot();
        }
        self.wait(10 * SECOND, 5 * MINUTE);
        let refundable = self.truth.refundable();
        if refundable <= 0 || !matches!(self.truth.status, "Captured" | "Refunded") {
            return self.filler(2 + spare);
        }
        let amount = if self.rng.chance(40) {
            refundable
        } else {
            self.rng.range(1, refundable)
        };
        self.refunds += 1;
        let key = format!("rf-{}-{}", &self.truth.id[11..19], self.refunds);
        let mut body = json!({"amount": amount});
        if self.rng.chance(60) {
            body["refundReason"] = json!(self.rng.pick(&[
                "damaged",
                "customer request",
                "duplicate order",
                "late delivery"
            ]));
        }
        if self.rng.chance(20) {
            body["notes"] = json!(format!("ticket {}", self.rng.range(10_000, 99_999)));
        }
        self.request("POST", "refunds", Some(body.clone()), Some(&key));
        self.wait(300, 1_500);
        let roll = self.rng.below(100);
        if roll < 3 {
            // Refused: nothing changes at Dojo.
            let problem = json!({
                "type": "https://docs.dojo.tech/errors/conflict",
                "title": "Conflict",
                "status": 409,
                "detail": "The payment intent cannot be refunded at the moment",
                "traceId": self.rng.uuid(),
            });
            self.answer("POST", "refunds", Some(409), problem);
            return self.filler(spare);
        }
        let id = format!("rfnd_sandbox_{}", self.rng.token(20));
        if roll < 8 && spare >= 2 {
            // A timeout, then the safe retry under the same key.
            self.answer("POST", "refunds", None, Value::Null);
            self.wait(5 * SECOND, MINUTE);
            self.request("POST", "refunds", Some(body), Some(&key));
            self.wait(300, 1_500);
            spare -= 2;
        }
        self.truth.refunded += amount;
        self.truth.status = "Refunded";
        self.truth.updated = self.now;
        self.last_event = None;
        let answer = json!({"paymentIntentId": self.truth.id, "refundId": id});
        self.answer("POST", "refunds", Some(201), answer);
        self.after("Refunded", "payment_intent.status_updated", &mut spare);
        self.filler(spare);
    }

    /// The planted finding, at the end of the life: an over-refund Dojo
    /// refuses (after a read), or a `created` event delivered after the intent moved on.
    fn plant_finding(&mut self) {
        self.pause(MINUTE, 30 * MINUTE);
        if self.budget >= 3 && matches!(self.truth.status, "Captured" | "Refunded") {
            // Read first, so that the refund is judged against the
            // captures as settled.
            self.snapshot();
            self.wait(10 * SECOND, 5 * MINUTE);
            let amount = self.truth.refundable_with_tips() + self.rng.range(1, 500);
            self.refunds += 1;
            let key = format!("rf-{}-{}", &self.truth.id[11..19], self.refunds);
            self.request(
                "POST",
                "refunds",
                Some(json!({"amount": amount})),
                Some(&key),
            );
            self.wait(300, 1_500);
            let problem = json!({"title": "Bad Request", "status": 400, "detail": "The amount exceeds the refundable amount"});
            self.answer("POST", "refunds", Some(400), problem);
            self.planted = Some("over_refund");
        } else if self.budget >= 1 && self.truth.status != "Created" {
            let created = self.truth.created;
            let saved = std::mem::replace(&mut self.now, created);
            let body = self.event_body("payment_intent.created", Some("Created"));
            self.now = saved;
            self.deliver(body);
            self.planted = Some("webhook_stale");
        }
    }

    fn snapshot(&mut self) {
        let line = self.truth.body(self.now).to_string();
        self.emit(line);
    }

    /// A read through `GET`: the request and its answer.
    fn get(&mut self) {
        self.request("GET", "", None, None);
        self.wait(80, 600);
        let body = self.truth.body(self.now);
        self.answer("GET", "", Some(200), body);
    }

    /// A request as the crate prepares it, with what an HTTP client adds.
    fn request(&mut self, method: &str, endpoint: &str, body: Option<Value>, key: Option<&str>) {
        let mut headers = Map::new();
        headers.insert("version".into(), json!(VERSION));
        if let Some(key) = key {
            headers.insert("idempotencyKey".into(), json!(key));
        }
        if body.is_some() {
            let content_type = if self.rng.chance(20) {
                "application/json; charset=utf-8"
            } else {
                "application/json"
            };
            headers.insert("content-type".into(), json!(content_type));
        }
        headers.insert("Authorization".into(), json!("Basic <redacted>"));
        headers.insert("user-agent".into(), json!("checkout-service/4.2"));
        let mut request =
            json!({"method": method, "path": self.path(endpoint), "headers": headers});
        if let Some(body) = body {
            // Some services log the raw body they sent, as a string.
            request["body"] = if self.rng.chance(10) {
                json!(body.to_string())
            } else {
                body
            };
        }
        let line = json!({"request": request, "at": stamp(self.now)}).to_string();
        self.emit(line);
    }

    /// The answer to the last request; `status` `None` is none at all.
    fn answer(&mut self, method: &str, endpoint: &str, status: Option<u16>, body: Value) {
        let mut response = json!({"status": status});
        if !body.is_null() {
            response["body"] = if self.rng.chance(15) {
                json!(body.to_string())
            } else {
                body
            };
        }
        let mut line = json!({"response": response, "paymentIntentId": self.truth.id});
        if self.rng.chance(80) {
            line["method"] = json!(method);
            line["path"] = json!(self.path(endpoint));
        }
        line["at"] = json!(stamp(self.now));
        let line = line.to_string();
        self.emit(line);
    }

    fn event_body(&mut self, event: &str, status: Option<&str>) -> String {
        self.events += 1;
        let mut data = json!({"paymentIntentId": self.truth.id});
        if let Some(status) = status {
            data["paymentStatus"] = json!(status);
        }
        data["captureMode"] = json!(self.truth.mode);
        json!({
            "id": format!("evt_{}", self.rng.token(24)),
            "event": event,
            "accountId": "acc_generated_history",
            "createdAt": stamp(self.now - 1_000),
            "data": data,
        })
        .to_string()
    }

    /// An event Dojo sends now, remembered for redelivery.
    fn event(&mut self, event: &str, status: Option<&str>) {
        let body = self.event_body(event, status);
        self.last_event = Some(body.clone());
        self.deliver(body);
    }

    fn receipt(&mut self) {
        let body = self.event_body("payment_intent.send-receipt", None);
        self.deliver(body);
    }

    fn redeliver(&mut self) {
        if let Some(body) = self.last_event.clone() {
            self.deliver(body);
        } else {
            self.snapshot();
        }
    }

    fn deliver(&mut self, body: String) {
        let signed = match self.webhooks {
            Webhooks::Signed => true,
            Webhooks::Unsigned => false,
            Webhooks::Mixed => self.rng.chance(75),
        };
        let line = if signed {
            json!({
                "webhook": {
                    "headers": {
                        "dojo-signature": self.secret.sign(body.as_bytes()),
                        "content-type": "application/json",
                        "user-agent": "Dojo-Webhooks/1.0",
                    },
                    "body": body,
                },
                "at": stamp(self.now),
            })
            .to_string()
        } else {
            body
        };
        self.emit(line);
    }
}
