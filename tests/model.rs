//! Model-based test: random sequences of operations run against a reference
//! model and against `AnyPaymentIntent`, which must agree after every step
//! on accept or reject, the rule code, the state and every amount.
//!
//! The model is written from `docs/design.md` (Dojo's rules 1–8 with their
//! sources, and the crate's decisions), not from the crate's code: plain
//! integers, a few enums, no typestates, and every rule spelled out where it
//! applies. Where the rules leave an order open (which rule reports first when
//! two apply), the order is the one `docs/design.md` documents.
//!
//! A sequence starts from a new intent, or from a snapshot as Dojo would
//! report it (`GET /payment-intents/{id}`): the model draws what the intent
//! means (paid or not, what was captured, reserved and refunded, whether
//! Dojo captured it itself), then one of the ways the decisions let Dojo
//! spell that (a status word D4, D13 or D17 accepts, captures without ids,
//! zero tips, timestamps without offsets, a byte-order mark). The crate must
//! read the JSON to the same figures, and the sequence goes on from there.

mod common;
use common::Copied;

use common::invariants::{check_intent, check_round_trip, check_step};
use common::proptest_config;
use dojo_capture::{
    AnyPaymentIntent, AutoExpireAction, AutoExpiry, CaptureId, CaptureMode, CaptureOutcome,
    Currency, IdempotencyKey, IntentState, Money, Operation, PaymentIntent, Rejected,
};
use jiff::{
    SignedDuration, Timestamp,
    civil::Date,
    tz::{Offset, TimeZone},
};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::{Value, json};

// ---- the reference model ------------------------------------------------------------

const DAY: i64 = 86_400;
/// Rule 7: an authorisation lapses seven days after the payment.
const AUTHORIZATION_LIFETIME: i64 = 7 * DAY;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Auto,
    Manual,
}

/// Where the intent is in its life; the amounts refine `Paid` and `Released`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    Created,
    Paid,
    /// D17: Dojo reported a Manual intent `Reversed` after a Successful
    /// capture. It released the rest of the authorisation: nothing more is
    /// captured, what was captured is refunded as usual.
    Released,
    Reversed,
    Canceled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaptureState {
    InFlight,
    Successful,
    Declined,
    Failed,
}

/// An amount on an operation: in the intent's own currency or in another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Amount {
    foreign: bool,
    minor: i64,
}

#[derive(Clone, Debug)]
struct ModelCapture {
    /// `None` for a capture Dojo listed without an id (D16): it counts, but
    /// no operation can name it.
    id: Option<u8>,
    amount: i64,
    tips: Option<i64>,
    state: CaptureState,
}

#[derive(Clone, Debug)]
struct Model {
    currency: &'static str,
    mode: Mode,
    amount: i64,
    custom_amount_allowed: bool,
    auto_expire_after: Option<i64>,
    life: Life,
    paid_at: Option<i64>,
    now: i64,
    captures: Vec<ModelCapture>,
    refunds: Vec<(u8, i64)>,
    refunded: i64,
    /// The intent's own `tipsAmount` (never zero: D18).
    tips: Option<i64>,
    /// Dojo took the whole amount without a capture listed: an Auto intent
    /// once paid (or reported Captured, Refunded, Reversed), a Manual one
    /// captured at `autoExpireIn` (D17).
    dojo_captured: bool,
    /// What the last operation did: accepted, or the code of the rule that refused it.
    last: Result<(), &'static str>,
    /// The snapshot the sequence starts from, as Dojo reported it; `None`
    /// for a sequence that starts from a new intent.
    origin: Option<Snapshot>,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Authorize,
    Capture {
        id: u8,
        amount: Amount,
        tips: Option<Amount>,
    },
    Settle {
        id: u8,
        outcome: CaptureOutcome,
    },
    Refund {
        key: u8,
        amount: Amount,
    },
    Reverse,
    Cancel,
    ChangeAmount {
        amount: Amount,
    },
    Advance {
        seconds: i64,
    },
}

fn london_day(seconds: i64) -> Date {
    static LONDON: TimeZone = jiff::tz::get!("Europe/London");
    Timestamp::from_second(seconds)
        .expect("model time is in range")
        .to_zoned_datetime(LONDON.clone())
        .date()
}

impl Model {
    /// The Successful captures, or the whole amount when Dojo captured it
    /// itself, with no capture listed (Auto at payment; D17 for Manual).
    fn captured(&self) -> i64 {
        if self.dojo_captured {
            self.amount
        } else {
            self.sum(CaptureState::Successful)
        }
    }

    /// D1: a capture in flight reserves its amount.
    fn reserved(&self) -> i64 {
        self.sum(CaptureState::InFlight)
    }

    fn sum(&self, state: CaptureState) -> i64 {
        self.captures
            .iter()
            .filter(|c| c.state == state)
            .map(|c| c.amount)
            .sum()
    }

    fn state(&self) -> IntentState {
        match self.life {
            Life::Created => IntentState::Created,
            Life::Reversed => IntentState::Reversed,
            Life::Canceled => IntentState::Canceled,
            Life::Paid | Life::Released if self.refunded > 0 => IntentState::Refunded,
            Life::Paid | Life::Released if self.captured() > 0 => IntentState::Captured,
            Life::Paid | Life::Released => IntentState::Authorized,
        }
    }

    /// D1, and zero wherever the merchant cannot capture (rules 1 and 3, D3).
    fn capturable(&self) -> i64 {
        if self.life == Life::Paid && self.mode == Mode::Manual && self.refunded == 0 {
            self.amount - self.captured() - self.reserved()
        } else {
            0
        }
    }

    /// D14: the tips of Successful captures go back with a refund too; when
    /// Dojo captured the intent itself, the intent's own tip. Never cashback.
    fn captured_tips(&self) -> i64 {
        if self.dojo_captured {
            return self.tips.unwrap_or(0);
        }
        self.captures
            .iter()
            .filter(|c| c.state == CaptureState::Successful)
            .filter_map(|c| c.tips)
            .sum()
    }

    /// D2 and D14, and zero once the payment was reversed or never made.
    /// Exact arithmetic; and the refunded total is an int64 on the wire, so
    /// refunds together never pass `i64::MAX`.
    fn refundable(&self) -> i64 {
        if matches!(self.life, Life::Paid | Life::Released) {
            let left = i128::from(self.captured()) + i128::from(self.captured_tips())
                - i128::from(self.refunded);
            let room = i128::from(i64::MAX) - i128::from(self.refunded);
            i64::try_from(left.min(room)).unwrap_or(i64::MAX)
        } else {
            0
        }
    }

    /// D12: exclusive deadline for capture and Manual reversal.
    fn past_deadline(&self) -> bool {
        let lifetime = self.auto_expire_after.unwrap_or(AUTHORIZATION_LIFETIME);
        self.paid_at.is_some_and(|paid| self.now >= paid + lifetime)
    }

    fn authorize(&mut self) -> Result<(), &'static str> {
        if self.life != Life::Created {
            return Err("invalid_transition");
        }
        self.life = Life::Paid;
        self.paid_at = Some(self.now);
        // Dojo captures an Auto payment itself, as it is made.
        self.dojo_captured = self.mode == Mode::Auto;
        Ok(())
    }

    fn capture(
        &mut self,
        id: u8,
        amount: Amount,
        tips: Option<Amount>,
    ) -> Result<(), &'static str> {
        match self.state() {
            // D17: Dojo released what was not captured; capturing has ended.
            IntentState::Captured if self.life == Life::Released => {
                return Err("capture_after_reversal");
            }
            IntentState::Authorized | IntentState::Captured => {}
            IntentState::Refunded => return Err("capture_after_refund"),
            IntentState::Reversed => return Err("capture_after_reversal"),
            IntentState::Created | IntentState::Canceled => return Err("invalid_transition"),
        }
        if self.mode == Mode::Auto {
            return Err("auto_capture_mode");
        }
        if amount.foreign {
            return Err("currency_mismatch");
        }
        if amount.minor == 0 {
            return Err("zero_amount");
        }
        // The amount is judged before its tip (docs/design.md, rule precedence).
        if tips.is_some_and(|t| t.foreign) {
            return Err("currency_mismatch");
        }
        // D18: a zero tip is no tip.
        let tips = tips.map(|t| t.minor).filter(|t| *t != 0);
        // D7: the same capture id again is a replay or a conflict.
        if let Some(seen) = self.captures.iter().find(|c| c.id == Some(id)) {
            return if seen.amount == amount.minor && seen.tips == tips {
                Ok(())
            } else {
                Err("capture_conflict")
            };
        }
        if self.past_deadline() {
            return Err("authorization_expired");
        }
        if amount.minor > self.capturable() {
            return Err("over_capture");
        }
        self.captures.push(ModelCapture {
            id: Some(id),
            amount: amount.minor,
            tips,
            state: CaptureState::InFlight,
        });
        Ok(())
    }

    fn settle(&mut self, id: u8, outcome: CaptureOutcome) -> Result<(), &'static str> {
        let settled = match outcome {
            CaptureOutcome::Successful => CaptureState::Successful,
            CaptureOutcome::Declined => CaptureState::Declined,
            CaptureOutcome::Failed => CaptureState::Failed,
        };
        // Rules 4 and 6: nothing acts on a canceled or reversed intent. A
        // released one (D17) is not reversed in full: its captures still settle.
        if matches!(self.life, Life::Reversed | Life::Canceled) {
            return Err("invalid_transition");
        }
        // D16: a capture without an id cannot be named.
        let Some(capture) = self.captures.iter_mut().find(|c| c.id == Some(id)) else {
            return Err("unknown_capture");
        };
        if capture.state == CaptureState::InFlight {
            capture.state = settled;
            Ok(())
        } else if capture.state == settled {
            Ok(())
        } else {
            Err("unknown_capture")
        }
    }

    fn refund(&mut self, key: u8, amount: Amount) -> Result<(), &'static str> {
        if !matches!(self.state(), IntentState::Captured | IntentState::Refunded) {
            return Err("invalid_transition");
        }
        if amount.foreign {
            return Err("currency_mismatch");
        }
        if amount.minor == 0 {
            return Err("zero_amount");
        }
        // Rule 5 and D7: a key names one refund.
        if let Some(&(_, seen)) = self.refunds.iter().find(|(k, _)| *k == key) {
            return if seen == amount.minor {
                Ok(())
            } else {
                Err("idempotency_conflict")
            };
        }
        if amount.minor > self.refundable() {
            return Err("over_refund");
        }
        self.refunds.push((key, amount.minor));
        self.refunded += amount.minor;
        Ok(())
    }

    fn reverse(&mut self) -> Result<(), &'static str> {
        match (self.mode, self.state()) {
            // Rule 6 and D5: Manual only while Authorized, nothing reserved, within the deadline.
            (Mode::Manual, IntentState::Authorized) => {
                if self.reserved() > 0 {
                    return Err("invalid_transition");
                }
                if self.past_deadline() {
                    return Err("reversal_window_closed");
                }
            }
            // Rule 6 and D8: Auto only while Captured, on the payment's London day.
            (Mode::Auto, IntentState::Captured) => {
                let paid = self.paid_at.expect("a captured intent was paid");
                if london_day(paid) != london_day(self.now) {
                    return Err("reversal_window_closed");
                }
            }
            _ => return Err("invalid_transition"),
        }
        self.life = Life::Reversed;
        Ok(())
    }

    fn cancel(&mut self) -> Result<(), &'static str> {
        if self.life != Life::Created {
            return Err("invalid_transition");
        }
        self.life = Life::Canceled;
        Ok(())
    }

    fn change_amount(&mut self, amount: Amount) -> Result<(), &'static str> {
        // Rule 8 and D6.
        if self.life != Life::Created {
            return Err("invalid_transition");
        }
        if !self.custom_amount_allowed {
            return Err("custom_amount_not_allowed");
        }
        if amount.foreign {
            return Err("currency_mismatch");
        }
        if amount.minor == 0 {
            return Err("zero_amount");
        }
        self.amount = amount.minor;
        Ok(())
    }
}

// ---- a snapshot as Dojo reports it -------------------------------------------------

/// How Dojo wrote one of the timestamps the rules read (D15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stamp {
    /// RFC 3339 in UTC: `2024-07-25T08:49:20Z`.
    Utc(i64),
    /// RFC 3339 with an offset of this many minutes: the same instant.
    Offset(i64, i32),
    /// No offset at all, `2023-12-13T14:15:01`: UTC (D15).
    Bare(i64),
    /// An empty string: no time (D15).
    Empty,
}

/// How a capture's `id` is written (D16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WireId {
    Id(u8),
    Null,
    Absent,
}

#[derive(Clone, Debug)]
struct WireCapture {
    id: WireId,
    amount: i64,
    /// As written: `Some(0)` is no tip (D18).
    tips: Option<i64>,
    status: CaptureState,
    created_at: Option<Stamp>,
}

/// The fields of a snapshot that say more than the model keeps: how Dojo
/// spelled what the model means. The rest (amount, currency, expiry, custom
/// amounts) is the model's own.
#[derive(Clone, Debug)]
struct Snapshot {
    status: &'static str,
    /// `None`: no `captureMode`, which is Auto.
    capture_mode: Option<&'static str>,
    /// `None`: no `refundedAmount`, which is zero.
    refunded: Option<i64>,
    /// The intent's `tipsAmount` as written: `Some(0)` is no tip (D18).
    tips: Option<i64>,
    created_at: Option<Stamp>,
    transaction: Option<Stamp>,
    auto_expire_action: Option<&'static str>,
    custom_amount_allowed: Option<bool>,
    captures: Vec<WireCapture>,
    /// A UTF-8 byte-order mark before the JSON (D20).
    bom: bool,
    /// Fields no rule reads, written as no timestamp parser would take them
    /// (D15: never a reason to refuse).
    noise: bool,
}

/// What a snapshot means, as the decisions read it. The generator picks the
/// meaning first, then a spelling the decisions accept for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// `Created` or `Canceled`: never paid, whatever `createdAt` says (D15).
    Unpaid,
    /// Manual, paid, captures of every status (D1, D4, D13, D16, D18).
    ManualPaid,
    /// D17: Manual `Captured`/`Refunded`, no capture listed,
    /// `autoExpireAction: Capture`: Dojo captured the whole amount itself.
    ManualCapturedByDojo,
    /// D17: `Captured` whose only capture is in flight: reserved, nothing captured.
    CapturedInFlight,
    /// Auto, captured by Dojo at payment, with the intent's tip (D14).
    AutoCaptured,
    /// Auto reported `Authorized`: paid, not captured yet.
    AutoAuthorized,
    /// D17: Manual `Reversed` after Successful captures: released.
    Released,
    /// Manual `Reversed` with nothing captured or in flight.
    ManualReversed,
    /// Auto `Reversed`: returned in full.
    AutoReversed,
}

/// A figure picked inside `1..=cap`.
#[derive(Clone, Copy, Debug)]
enum Pick {
    All,
    Half,
    One,
    Part(u64),
}

impl Pick {
    /// `0` when there is nothing to pick from.
    fn resolve(self, cap: i64) -> i64 {
        if cap <= 0 {
            return 0;
        }
        match self {
            Pick::All => cap,
            Pick::Half => (cap / 2).max(1),
            Pick::One => 1,
            Pick::Part(n) => 1 + i64::try_from(n % cap.unsigned_abs()).unwrap_or(0),
        }
    }
}

fn pick() -> BoxedStrategy<Pick> {
    prop_oneof![
        2 => Just(Pick::All),
        1 => Just(Pick::Half),
        1 => Just(Pick::One),
        3 => any::<u64>().prop_map(Pick::Part),
    ]
    .boxed()
}

/// A tip as Dojo writes it: absent, zero (D18), or some minor units.
fn wire_tip(max: i64) -> BoxedStrategy<Option<i64>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(0)),
        2 => (1..=max).prop_map(Some),
    ]
    .boxed()
}

/// The style a present timestamp is written in; the instant comes later.
fn stamp_style() -> BoxedStrategy<fn(i64) -> Stamp> {
    prop_oneof![
        Just(Stamp::Utc as fn(i64) -> Stamp),
        Just((|at| Stamp::Offset(at, 120)) as fn(i64) -> Stamp),
        Just((|at| Stamp::Offset(at, -330)) as fn(i64) -> Stamp),
        Just(Stamp::Bare as fn(i64) -> Stamp),
    ]
    .boxed()
}

/// Which of `createdAt` and `paymentDetails.transactionDateTime` carry the
/// payment time (D11, D15).
#[derive(Clone, Copy, Debug)]
enum TimeSource {
    CreatedOnly,
    TransactionOnly,
    /// The transaction time, and `createdAt` this many seconds earlier.
    Both(i64),
    /// `transactionDateTime: ""`: absent, so `createdAt` it is.
    EmptyTransaction,
}

#[derive(Clone, Debug)]
struct RawCapture {
    id: u8,
    amount: Pick,
    tips: Option<i64>,
    status: CaptureState,
    created_at: Option<fn(i64) -> Stamp>,
}

fn raw_capture() -> BoxedStrategy<RawCapture> {
    (
        0_u8..8,
        pick(),
        wire_tip(1_000),
        prop_oneof![
            Just(CaptureState::InFlight),
            Just(CaptureState::Successful),
            Just(CaptureState::Declined),
            Just(CaptureState::Failed),
        ],
        proptest::option::of(stamp_style()),
    )
        .prop_map(|(id, amount, tips, status, created_at)| RawCapture {
            id,
            amount,
            tips,
            status,
            created_at,
        })
        .boxed()
}

/// Everything a snapshot is drawn from, before the decisions shape it.
#[derive(Clone, Debug)]
struct Draw {
    currency: &'static str,
    amount: i64,
    custom_amount_allowed: Option<bool>,
    expiry: Option<(i64, bool)>,
    now: i64,
    /// How long before `now` the payment was made.
    back: i64,
    family: Family,
    /// Manual rather than Auto, where the meaning leaves the mode open.
    manual: bool,
    captures: Vec<RawCapture>,
    /// Shifts the capture ids, which stay distinct.
    id_offset: u8,
    refund: Option<Pick>,
    status_choice: usize,
    canceled: bool,
    mode_written: bool,
    refunded_written: bool,
    tips: Option<i64>,
    time: TimeSource,
    created_style: fn(i64) -> Stamp,
    transaction_style: fn(i64) -> Stamp,
    bom: bool,
    noise: bool,
}

fn family() -> BoxedStrategy<Family> {
    prop_oneof![
        2 => Just(Family::Unpaid),
        6 => Just(Family::ManualPaid),
        2 => Just(Family::ManualCapturedByDojo),
        1 => Just(Family::CapturedInFlight),
        3 => Just(Family::AutoCaptured),
        1 => Just(Family::AutoAuthorized),
        3 => Just(Family::Released),
        1 => Just(Family::ManualReversed),
        1 => Just(Family::AutoReversed),
    ]
    .boxed()
}

fn draw() -> BoxedStrategy<Draw> {
    let base = (
        proptest::sample::select(vec!["GBP", "EUR", "JPY"]),
        prop_oneof![
            4 => 1_i64..=10_000,
            1 => Just(1),
            1 => Just(i64::MAX),
            2 => (i64::MAX / 2)..=i64::MAX,
        ],
        proptest::option::of(any::<bool>()),
        proptest::option::weighted(0.4, (31_i64..AUTHORIZATION_LIFETIME, any::<bool>())),
        1_704_067_200_i64..1_735_689_600,
        near(&[0, 3_600, DAY, AUTHORIZATION_LIFETIME]),
    );
    let shape = (
        family(),
        any::<bool>(),
        proptest::collection::vec(raw_capture(), 0..5),
        any::<u8>(),
        proptest::option::weighted(0.6, pick()),
        any::<usize>(),
    );
    let spelling = (
        any::<bool>(),
        proptest::bool::weighted(0.7),
        proptest::bool::weighted(0.7),
        wire_tip(5_000),
        prop_oneof![
            Just(TimeSource::CreatedOnly),
            Just(TimeSource::TransactionOnly),
            (1_i64..=3_600).prop_map(TimeSource::Both),
            Just(TimeSource::EmptyTransaction),
        ],
        stamp_style(),
        stamp_style(),
        proptest::bool::weighted(0.2),
        any::<bool>(),
    );
    (base, shape, spelling)
        .prop_map(
            |(
                (currency, amount, custom_amount_allowed, expiry, now, back),
                (family, manual, captures, id_offset, refund, status_choice),
                (
                    canceled,
                    mode_written,
                    refunded_written,
                    tips,
                    time,
                    created_style,
                    transaction_style,
                    bom,
                    noise,
                ),
            )| Draw {
                currency,
                amount,
                custom_amount_allowed,
                expiry,
                now,
                back,
                family,
                manual,
                captures,
                id_offset,
                refund,
                status_choice,
                canceled,
                mode_written,
                refunded_written,
                tips,
                time,
                created_style,
                transaction_style,
                bom,
                noise,
            },
        )
        .boxed()
}

impl Draw {
    /// The snapshot and the model's reading of it. Only what the decisions
    /// accept is built: the meaning decides the captures, the refunds and
    /// the status words allowed.
    fn into_model(self) -> Model {
        let family = self.family;
        let manual = matches!(
            family,
            Family::ManualPaid
                | Family::ManualCapturedByDojo
                | Family::CapturedInFlight
                | Family::Released
                | Family::ManualReversed
        ) || (family == Family::Unpaid && self.manual);
        let mode = if manual { Mode::Manual } else { Mode::Auto };

        // Which captures the meaning allows, and in which statuses.
        let mut raw = self.captures;
        match family {
            Family::ManualPaid => {}
            Family::CapturedInFlight => {
                raw.truncate(1);
                if raw.is_empty() {
                    raw.push(RawCapture {
                        id: 0,
                        amount: Pick::Half,
                        tips: None,
                        status: CaptureState::InFlight,
                        created_at: None,
                    });
                }
                raw[0].status = CaptureState::InFlight;
            }
            Family::Released => {
                for c in &mut raw {
                    if c.status == CaptureState::InFlight {
                        c.status = CaptureState::Successful;
                    }
                }
                if !raw.iter().any(|c| c.status == CaptureState::Successful) {
                    raw.push(RawCapture {
                        id: 1,
                        amount: Pick::All,
                        tips: Some(50),
                        status: CaptureState::Successful,
                        created_at: None,
                    });
                }
            }
            Family::ManualReversed => {
                for c in &mut raw {
                    c.status = match c.status {
                        CaptureState::InFlight | CaptureState::Declined => CaptureState::Declined,
                        CaptureState::Successful | CaptureState::Failed => CaptureState::Failed,
                    };
                }
            }
            // Dojo lists no capture for these.
            Family::Unpaid
            | Family::ManualCapturedByDojo
            | Family::AutoCaptured
            | Family::AutoAuthorized
            | Family::AutoReversed => raw.clear(),
        }

        let paid = self.now - self.back;
        // Captures made and in flight stay within the amount (rule 2).
        let mut budget = self.amount;
        let mut wire_captures = Vec::with_capacity(raw.len());
        for (index, c) in raw.iter().enumerate() {
            let mut status = c.status;
            let amount = if matches!(status, CaptureState::InFlight | CaptureState::Successful) {
                let taken = c.amount.resolve(budget);
                if taken == 0 {
                    status = CaptureState::Declined;
                    c.amount.resolve(self.amount)
                } else {
                    budget -= taken;
                    taken
                }
            } else {
                c.amount.resolve(self.amount)
            };
            let slot = u8::try_from(index).expect("a handful of captures");
            let id = match c.id {
                0..=5 => WireId::Id((slot + self.id_offset % 6) % 6),
                6 => WireId::Null,
                _ => WireId::Absent,
            };
            let at = paid + 60 * i64::from(slot);
            wire_captures.push(WireCapture {
                id,
                amount,
                tips: c.tips,
                status,
                created_at: c.created_at.map(|style| style(at)),
            });
        }
        let tips = self.tips;

        let life = match family {
            Family::Unpaid if self.canceled => Life::Canceled,
            Family::Unpaid => Life::Created,
            Family::Released => Life::Released,
            Family::ManualReversed | Family::AutoReversed => Life::Reversed,
            _ => Life::Paid,
        };
        let dojo_captured = matches!(
            family,
            Family::ManualCapturedByDojo | Family::AutoCaptured | Family::AutoReversed
        );
        let expiry = match family {
            // D17: only the action Capture says Dojo captured it itself.
            Family::ManualCapturedByDojo => {
                Some((self.expiry.map_or(3_600, |(after, _)| after), true))
            }
            _ => self.expiry,
        };
        let mut model = Model {
            currency: self.currency,
            mode,
            amount: self.amount,
            custom_amount_allowed: self.custom_amount_allowed.unwrap_or(false),
            auto_expire_after: expiry.map(|(after, _)| after),
            life,
            paid_at: match life {
                Life::Created | Life::Canceled => None,
                _ => Some(paid),
            },
            now: self.now,
            captures: wire_captures
                .iter()
                .map(|c| ModelCapture {
                    id: match c.id {
                        WireId::Id(n) => Some(n),
                        WireId::Null | WireId::Absent => None,
                    },
                    amount: c.amount,
                    tips: c.tips.filter(|t| *t != 0),
                    state: c.status,
                })
                .collect(),
            refunds: Vec::new(),
            refunded: 0,
            tips: tips.filter(|t| *t != 0),
            dojo_captured,
            last: Ok(()),
            origin: None,
        };
        // Refunds only where something was taken (D2, D14) and the meaning
        // allows them: a reversal returns everything, so nothing was refunded.
        let refundable = matches!(
            family,
            Family::ManualPaid
                | Family::ManualCapturedByDojo
                | Family::AutoCaptured
                | Family::Released
        );
        if refundable && let Some(refund) = self.refund {
            model.refunded = refund.resolve(model.refundable());
        }

        let statuses: &[&'static str] = match family {
            Family::Unpaid if self.canceled => &["Canceled"],
            Family::Unpaid => &["Created"],
            // D4 after a partial capture, D13 after a partial refund.
            Family::ManualPaid if model.refunded > 0 => &["Authorized", "Captured", "Refunded"],
            Family::ManualPaid if model.captured() > 0 => &["Authorized", "Captured"],
            Family::ManualPaid => &["Authorized"],
            // D17 (Dojo's capture at expiry), with D13 after a refund.
            Family::ManualCapturedByDojo | Family::AutoCaptured if model.refunded > 0 => {
                &["Captured", "Refunded"]
            }
            Family::ManualCapturedByDojo | Family::AutoCaptured => &["Captured"],
            Family::CapturedInFlight => &["Captured"],
            Family::AutoAuthorized => &["Authorized"],
            Family::Released | Family::ManualReversed | Family::AutoReversed => &["Reversed"],
        };
        let status = statuses[self.status_choice % statuses.len()];

        let (created_at, transaction) = match self.time {
            TimeSource::CreatedOnly => (Some((self.created_style)(paid)), None),
            TimeSource::TransactionOnly => (None, Some((self.transaction_style)(paid))),
            TimeSource::Both(earlier) => (
                Some((self.created_style)(paid - earlier)),
                Some((self.transaction_style)(paid)),
            ),
            TimeSource::EmptyTransaction => (Some((self.created_style)(paid)), Some(Stamp::Empty)),
        };
        model.origin = Some(Snapshot {
            status,
            capture_mode: match mode {
                Mode::Manual => Some("Manual"),
                Mode::Auto => self.mode_written.then_some("Auto"),
            },
            refunded: (model.refunded > 0 || self.refunded_written).then_some(model.refunded),
            tips,
            created_at,
            transaction,
            auto_expire_action: expiry
                .map(|(_, capture)| if capture { "Capture" } else { "Release" }),
            custom_amount_allowed: self.custom_amount_allowed,
            captures: wire_captures,
            bom: self.bom,
            noise: self.noise,
        });
        model
    }
}

/// A sequence's start from a snapshot.
fn snapshot_start() -> BoxedStrategy<Model> {
    draw().prop_map(Draw::into_model).boxed()
}

fn stamp_text(stamp: Stamp) -> String {
    let instant = |at: i64| Timestamp::from_second(at).expect("model time is in range");
    match stamp {
        Stamp::Utc(at) => instant(at).to_string(),
        Stamp::Offset(at, minutes) => {
            let offset = Offset::from_seconds(minutes * 60).expect("a real offset");
            instant(at)
                .to_zoned_datetime(TimeZone::fixed(offset))
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        }
        Stamp::Bare(at) => instant(at).strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        Stamp::Empty => String::new(),
    }
}

/// `autoExpireIn` as .NET writes a time span: `[d.]hh:mm:ss`.
fn time_span(seconds: i64) -> String {
    let (days, rest) = (seconds / DAY, seconds % DAY);
    let clock = format!("{:02}:{:02}:{:02}", rest / 3_600, rest / 60 % 60, rest % 60);
    if days > 0 {
        format!("{days}.{clock}")
    } else {
        clock
    }
}

/// The JSON Dojo would send for `model`, the start of a sequence, spelled
/// as `snapshot` says.
fn snapshot_json(model: &Model, snapshot: &Snapshot) -> Value {
    let money = |minor: i64| json!({ "value": minor, "currencyCode": model.currency });
    let captures: Vec<Value> = snapshot
        .captures
        .iter()
        .map(|c| {
            let status = match c.status {
                CaptureState::InFlight => "Created",
                CaptureState::Successful => "Successful",
                CaptureState::Declined => "Declined",
                CaptureState::Failed => "Failed",
            };
            let mut capture = json!({ "amount": c.amount, "status": status });
            match c.id {
                WireId::Id(n) => capture["id"] = json!(format!("cp_{n}")),
                WireId::Null => capture["id"] = Value::Null,
                WireId::Absent => {}
            }
            if let Some(tips) = c.tips {
                capture["tipsAmount"] = json!(tips);
            }
            if let Some(at) = c.created_at {
                capture["createdAt"] = json!(stamp_text(at));
            }
            capture
        })
        .collect();
    let mut intent = json!({
        "id": "pi_model",
        "status": snapshot.status,
        "amount": money(model.amount),
        "captures": captures,
    });
    if let Some(mode) = snapshot.capture_mode {
        intent["captureMode"] = json!(mode);
    }
    if let Some(refunded) = snapshot.refunded {
        intent["refundedAmount"] = json!(refunded);
    }
    if let Some(tips) = snapshot.tips {
        intent["tipsAmount"] = money(tips);
    }
    if let Some(at) = snapshot.created_at {
        intent["createdAt"] = json!(stamp_text(at));
    }
    if let Some(at) = snapshot.transaction {
        intent["paymentDetails"] =
            json!({ "transactionDateTime": stamp_text(at), "message": "AUTHORISED" });
    }
    if let (Some(after), Some(action)) = (model.auto_expire_after, snapshot.auto_expire_action) {
        intent["autoExpireIn"] = json!(time_span(after));
        intent["autoExpireAction"] = json!(action);
    }
    if let Some(allowed) = snapshot.custom_amount_allowed {
        intent["config"] = json!({ "payment": { "customAmountAllowed": allowed } });
    }
    if snapshot.noise {
        intent["updatedAt"] = json!("2024-07-25 08:49");
        intent["expireAt"] = json!("");
        intent["paymentEvents"] = json!([]);
    }
    intent
}

fn snapshot_bytes(json: &Value, bom: bool) -> Vec<u8> {
    let mut bytes = if bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    bytes.extend(serde_json::to_vec(json).expect("JSON encodes"));
    bytes
}

/// The shapes of D13-D20 a snapshot has, for the coverage test.
fn snapshot_shapes(model: &Model, snapshot: &Snapshot) -> Vec<&'static str> {
    let mut shapes = Vec::new();
    if matches!(snapshot.status, "Authorized" | "Captured") && model.refunded > 0 {
        shapes.push("D13");
    }
    if model.dojo_captured && model.tips.is_some() && model.life == Life::Paid {
        shapes.push("D14-intent-tips");
    }
    if model.mode == Mode::Manual && !model.dojo_captured && model.tips.is_some() {
        shapes.push("D14-intent-tips-ignored");
    }
    if matches!(snapshot.created_at, Some(Stamp::Bare(_))) {
        shapes.push("D15-bare-time");
    }
    if snapshot.transaction == Some(Stamp::Empty) && model.paid_at.is_some() {
        shapes.push("D15-empty-transaction");
    }
    if snapshot.created_at.is_some() && model.paid_at.is_none() {
        shapes.push("D15-unpaid-with-createdAt");
    }
    if snapshot.captures.iter().any(|c| c.id == WireId::Null) {
        shapes.push("D16-null-id");
    }
    if model.mode == Mode::Manual && model.dojo_captured {
        shapes.push("D17.1");
    }
    if snapshot.status == "Captured" && model.captured() == 0 && model.reserved() > 0 {
        shapes.push("D17.2");
    }
    if model.life == Life::Released {
        shapes.push("D17.3");
        if model.refunded > 0 {
            shapes.push("D17.3-refunded");
        }
    }
    if snapshot.tips == Some(0) || snapshot.captures.iter().any(|c| c.tips == Some(0)) {
        shapes.push("D18-zero-tip");
    }
    if snapshot.bom {
        shapes.push("D20-BOM");
    }
    for (state, shape) in [
        (CaptureState::InFlight, "capture-Created"),
        (CaptureState::Successful, "capture-Successful"),
        (CaptureState::Declined, "capture-Declined"),
        (CaptureState::Failed, "capture-Failed"),
    ] {
        if snapshot.captures.iter().any(|c| c.status == state) {
            shapes.push(shape);
        }
    }
    shapes
}

struct Reference;

fn near(values: &[i64]) -> BoxedStrategy<i64> {
    let picks: Vec<i64> = values
        .iter()
        .flat_map(|v| [v.saturating_sub(1), *v, v.saturating_add(1)])
        .filter(|v| *v >= 0)
        .collect();
    let top = values.iter().copied().max().unwrap_or(1).max(1);
    prop_oneof![
        3 => proptest::sample::select(picks),
        2 => 0..=top,
    ]
    .boxed()
}

fn amount(values: &[i64]) -> BoxedStrategy<Amount> {
    (proptest::bool::weighted(0.05), near(values))
        .prop_map(|(foreign, minor)| Amount { foreign, minor })
        .boxed()
}

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    /// A new intent, or (two sequences in five) a snapshot as Dojo reports it.
    fn init_state() -> BoxedStrategy<Model> {
        let new_intent = (
            proptest::sample::select(vec!["GBP", "EUR", "JPY"]),
            prop_oneof![Just(Mode::Manual), Just(Mode::Auto)],
            prop_oneof![1_i64..=10_000, Just(1), (i64::MAX / 2)..=i64::MAX],
            any::<bool>(),
            proptest::option::weighted(0.3, 31_i64..AUTHORIZATION_LIFETIME),
            // 2024: both clock changes in Europe/London and many midnights.
            1_704_067_200_i64..1_735_689_600,
        )
            .prop_map(
                |(currency, mode, amount, custom_amount_allowed, auto_expire_after, now)| Model {
                    currency,
                    mode,
                    amount,
                    custom_amount_allowed,
                    auto_expire_after,
                    life: Life::Created,
                    paid_at: None,
                    now,
                    captures: Vec::new(),
                    refunds: Vec::new(),
                    refunded: 0,
                    tips: None,
                    dojo_captured: false,
                    last: Ok(()),
                    origin: None,
                },
            );
        prop_oneof![
            3 => new_intent,
            2 => snapshot_start(),
        ]
        .boxed()
    }

    fn transitions(model: &Model) -> BoxedStrategy<Op> {
        // The amounts of recorded captures too, so that a capture is
        // recorded again (a replay or a conflict, D7, D18) often enough.
        let money: Vec<i64> = [
            model.amount,
            model.capturable(),
            model.refundable(),
            model.reserved(),
            1,
        ]
        .into_iter()
        .chain(model.captures.iter().take(3).map(|c| c.amount))
        .collect();
        let until_deadline = model.paid_at.map_or(DAY, |paid| {
            (paid + model.auto_expire_after.unwrap_or(AUTHORIZATION_LIFETIME) - model.now).max(0)
        });
        let outcome = prop_oneof![
            2 => Just(CaptureOutcome::Successful),
            1 => Just(CaptureOutcome::Declined),
            1 => Just(CaptureOutcome::Failed),
        ];
        let mut arms: Vec<(u32, BoxedStrategy<Op>)> = vec![
            (2, Just(Op::Authorize).boxed()),
            (
                6,
                (
                    0_u8..4,
                    amount(&money),
                    proptest::option::weighted(0.2, amount(&[0, 50])),
                )
                    .prop_map(|(id, amount, tips)| Op::Capture { id, amount, tips })
                    .boxed(),
            ),
            (
                5,
                (0_u8..7, outcome)
                    .prop_map(|(id, outcome)| Op::Settle { id, outcome })
                    .boxed(),
            ),
            (
                4,
                (0_u8..3, amount(&money))
                    .prop_map(|(key, amount)| Op::Refund { key, amount })
                    .boxed(),
            ),
            (2, Just(Op::Reverse).boxed()),
            (1, Just(Op::Cancel).boxed()),
            (
                1,
                amount(&money)
                    .prop_map(|amount| Op::ChangeAmount { amount })
                    .boxed(),
            ),
            (
                2,
                near(&[0, 3_600, DAY, until_deadline])
                    .prop_map(|seconds| Op::Advance { seconds })
                    .boxed(),
            ),
        ];
        // A recorded capture recorded again: with its tip (a replay, D7),
        // with a zero tip where it had none (still a replay, D18), or with
        // another tip (a conflict).
        let recorded: Vec<(u8, i64, Option<i64>)> = model
            .captures
            .iter()
            .filter_map(|c| c.id.map(|id| (id, c.amount, c.tips)))
            .collect();
        if !recorded.is_empty() {
            let mine = |minor| Amount {
                foreign: false,
                minor,
            };
            let again = (proptest::sample::select(recorded), 0_u8..3).prop_map(
                move |((id, amount, tips), spelling)| Op::Capture {
                    id,
                    amount: mine(amount),
                    tips: match (tips, spelling) {
                        (None, 1) => Some(mine(0)),
                        (None, 2) => Some(mine(1)),
                        (Some(tips), 1) => Some(mine(tips + 1)),
                        (Some(_), 2) => None,
                        (tips, _) => tips.map(mine),
                    },
                },
            );
            arms.push((2, again.boxed()));
        }
        proptest::strategy::Union::new_weighted(arms).boxed()
    }

    fn apply(mut model: Model, op: &Op) -> Model {
        model.last = match *op {
            Op::Authorize => model.authorize(),
            Op::Capture { id, amount, tips } => model.capture(id, amount, tips),
            Op::Settle { id, outcome } => model.settle(id, outcome),
            Op::Refund { key, amount } => model.refund(key, amount),
            Op::Reverse => model.reverse(),
            Op::Cancel => model.cancel(),
            Op::ChangeAmount { amount } => model.change_amount(amount),
            Op::Advance { seconds } => {
                model.now += seconds;
                Ok(())
            }
        };
        model
    }
}

// ---- the crate under test -----------------------------------------------------------

struct Crate {
    intent: AnyPaymentIntent,
    now: Timestamp,
    currency: Currency,
    other: Currency,
}

impl Crate {
    fn money(&self, amount: Amount) -> Money {
        let currency = if amount.foreign {
            self.other
        } else {
            self.currency
        };
        Money::new(amount.minor, currency)
    }
}

fn capture_id(id: u8) -> CaptureId {
    CaptureId::new(&format!("cp_{id}")).expect("valid capture id")
}

fn refund_key(key: u8) -> IdempotencyKey {
    IdempotencyKey::new(&format!("refund-{key}")).expect("valid key")
}

struct LifecycleTest;

impl StateMachineTest for LifecycleTest {
    type SystemUnderTest = Crate;
    type Reference = Reference;

    fn init_test(model: &Model) -> Crate {
        let currency = Currency::from_code(model.currency).expect("model currency");
        let other = if currency == Currency::GBP {
            Currency::EUR
        } else {
            Currency::GBP
        };
        let now = Timestamp::from_second(model.now).expect("model time in range");
        if let Some(snapshot) = &model.origin {
            let bytes = snapshot_bytes(&snapshot_json(model, snapshot), snapshot.bom);
            let shown = || String::from_utf8_lossy(&bytes).into_owned();
            let intent = AnyPaymentIntent::from_json(&bytes).unwrap_or_else(|e| {
                panic!(
                    "a snapshot the decisions accept is refused: {e:?}\n{}",
                    shown()
                )
            });
            if let Err(broken) = check_intent(&intent) {
                panic!("snapshot read: {broken}\n{}", shown());
            }
            if let Err(broken) = check_round_trip(&intent) {
                panic!("snapshot read: {broken}\n{}", shown());
            }
            return Crate {
                intent,
                now,
                currency,
                other,
            };
        }
        let mode = match model.mode {
            Mode::Auto => CaptureMode::Auto,
            Mode::Manual => CaptureMode::Manual,
        };
        let mut intent = PaymentIntent::new(Money::new(model.amount, currency), mode)
            .with_custom_amount_allowed(model.custom_amount_allowed);
        if let Some(after) = model.auto_expire_after {
            let expiry =
                AutoExpiry::new(SignedDuration::from_secs(after), AutoExpireAction::Release)
                    .expect("model expiry within rule 7's bounds");
            intent = intent.with_auto_expiry(expiry);
        }
        Crate {
            intent: intent.into_any(),
            now,
            currency,
            other,
        }
    }

    fn apply(mut sut: Crate, model: &Model, op: Op) -> Crate {
        let before = sut.intent.copied();
        let now = sut.now;
        // `check` judges without ids or keys, so it must agree with the
        // transition wherever no earlier capture or refund is named again.
        let checked = match op {
            Op::Capture {
                id,
                amount,
                tips: None,
            } if !before
                .captures()
                .iter()
                .any(|c| c.id() == Some(&capture_id(id))) =>
            {
                Some(before.check(Operation::Capture(sut.money(amount)), now))
            }
            Op::Refund { amount, .. } => {
                // No key was used yet when nothing has been refunded.
                before
                    .refunded()
                    .is_zero()
                    .then(|| before.check(Operation::Refund(sut.money(amount)), now))
            }
            Op::Reverse => Some(before.check(Operation::Reverse, now)),
            Op::Cancel => Some(before.check(Operation::Cancel, now)),
            Op::ChangeAmount { amount } => {
                Some(before.check(Operation::ChangeAmount(sut.money(amount)), now))
            }
            _ => None,
        };
        let intent = std::mem::replace(&mut sut.intent, before.copied());
        let result: Result<AnyPaymentIntent, Rejected<AnyPaymentIntent>> = match op {
            Op::Authorize => intent.authorize(now),
            Op::Capture { id, amount, tips } => {
                let tips = tips.map(|t| sut.money(t));
                intent.capture_with_tips(capture_id(id), sut.money(amount), tips, now)
            }
            Op::Settle { id, outcome } => intent.record_capture_outcome(&capture_id(id), outcome),
            Op::Refund { key, amount } => intent.refund(refund_key(key), sut.money(amount)),
            Op::Reverse => intent.reverse(now),
            Op::Cancel => intent.cancel(),
            Op::ChangeAmount { amount } => intent.change_amount(sut.money(amount)),
            Op::Advance { seconds } => {
                sut.now = (now + SignedDuration::from_secs(seconds)).max(now);
                Ok(intent)
            }
        };
        let (after, outcome) = match result {
            Ok(intent) => (intent, Ok(())),
            Err(rejected) => {
                let (intent, violation) = rejected.into_parts();
                assert_eq!(
                    violation.state(),
                    before.state(),
                    "a violation names the state the intent was in"
                );
                (intent, Err(violation.code()))
            }
        };
        assert_eq!(outcome, model.last, "crate and model disagree on {op:?}");
        if let Some(checked) = checked {
            assert_eq!(
                checked.map_err(|v| v.code()),
                outcome,
                "check() and the transition disagree on {op:?}"
            );
        }
        if let Err(broken) = check_step(&before, &after, outcome.is_ok()) {
            panic!("after {op:?}: {broken}");
        }
        sut.intent = after;
        sut
    }

    fn check_invariants(sut: &Crate, model: &Model) {
        let intent = &sut.intent;
        assert_eq!(intent.state(), model.state(), "state");
        assert_eq!(intent.amount().minor_units(), model.amount, "amount");
        assert_eq!(
            intent.captured().minor_units(),
            model.captured(),
            "captured"
        );
        assert_eq!(
            intent.in_flight().minor_units(),
            model.reserved(),
            "reserved"
        );
        assert_eq!(intent.refunded().minor_units(), model.refunded, "refunded");
        assert_eq!(
            intent.capturable().minor_units(),
            model.capturable(),
            "capturable"
        );
        assert_eq!(
            intent.refundable().minor_units(),
            model.refundable(),
            "refundable"
        );
        assert_eq!(
            intent.captured_tips().minor_units(),
            model.captured_tips(),
            "captured tips"
        );
        assert_eq!(
            intent.captures().len(),
            model.captures.len(),
            "captures recorded"
        );
        assert_eq!(
            intent.paid_at().map(|t| t.as_second()),
            model.paid_at,
            "payment time"
        );
        assert_eq!(sut.now.as_second(), model.now, "clock");
    }
}

prop_state_machine! {
    #![proptest_config(proptest_config("model", 4_000))]

    /// Thousands of random sequences per run; `PROPTEST_CASES` raises the count.
    #[test]
    fn the_crate_agrees_with_the_reference_model(sequential 1..40 => LifecycleTest);
}

/// The generator is only as good as what it reaches: over a few thousand
/// sequences the model must refuse with every rule the crate has, and accept
/// every kind of operation, or the agreement above proves little. The
/// snapshots must reach every shape of Dojo's JSON that D13-D20 decide.
#[test]
fn the_generated_sequences_reach_every_rule_and_every_state() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    use std::collections::{BTreeMap, BTreeSet};

    const SEQUENCES: usize = 3_000;
    let mut runner = TestRunner::new(Config::default());
    let strategy = Reference::sequential_strategy(1..40);
    let (mut codes, mut states) = (BTreeSet::new(), BTreeSet::new());
    let mut shapes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut snapshots = 0;
    for _ in 0..SEQUENCES {
        let (mut model, ops, _) = strategy.new_tree(&mut runner).unwrap().current();
        let origin = model.origin.clone();
        if let Some(snapshot) = &origin {
            snapshots += 1;
            for shape in snapshot_shapes(&model, snapshot) {
                *shapes.entry(shape).or_default() += 1;
            }
        }
        for op in &ops {
            // D18: a capture Dojo listed with `tipsAmount: 0`, recorded
            // again with no tip, is a replay.
            let zero_tip_replay = match (op, &origin) {
                (Op::Capture { id, amount, tips }, Some(snapshot)) => {
                    !amount.foreign
                        && tips.is_none_or(|t| !t.foreign && t.minor == 0)
                        && snapshot.captures.iter().any(|c| {
                            c.id == WireId::Id(*id) && c.tips == Some(0) && c.amount == amount.minor
                        })
                }
                _ => false,
            };
            model = Reference::apply(model, op);
            if let Err(code) = model.last {
                codes.insert(code);
            }
            if zero_tip_replay && model.last.is_ok() {
                *shapes.entry("D18-zero-tip-replay").or_default() += 1;
            }
            states.insert(model.state());
        }
    }
    println!("{snapshots} of {SEQUENCES} sequences start from a snapshot: {shapes:#?}");
    // The rules of preparing a request (outcome_unknown, operation_pending,
    // missing_intent_id) and changing the tip (tips_not_allowed) are not in
    // the model's operations yet: tests/capture_boundary.rs,
    // tests/refund_boundary.rs and tests/operations_boundary.rs reach them.
    let every_rule: BTreeSet<&str> = dojo_capture::Rule::ALL
        .iter()
        .map(|r| r.code())
        .filter(|code| {
            !matches!(
                *code,
                "outcome_unknown" | "operation_pending" | "missing_intent_id" | "tips_not_allowed"
            )
        })
        .collect();
    assert_eq!(codes, every_rule);
    assert_eq!(states, IntentState::ALL.into_iter().collect());
    assert!(
        (SEQUENCES / 4..SEQUENCES / 2).contains(&snapshots),
        "about two sequences in five start from a snapshot, not {snapshots} of {SEQUENCES}"
    );
    for shape in [
        "D13",
        "D14-intent-tips",
        "D14-intent-tips-ignored",
        "D15-bare-time",
        "D15-empty-transaction",
        "D15-unpaid-with-createdAt",
        "D16-null-id",
        "D17.1",
        "D17.2",
        "D17.3",
        "D17.3-refunded",
        "D18-zero-tip",
        "D18-zero-tip-replay",
        "D20-BOM",
        "capture-Created",
        "capture-Successful",
        "capture-Declined",
        "capture-Failed",
    ] {
        assert!(
            shapes.get(shape).is_some_and(|n| *n > 0),
            "no snapshot of shape {shape} in {SEQUENCES} sequences: {shapes:?}"
        );
    }
}

// ---- snapshots the decisions refuse ------------------------------------------------

/// The words each enum field knows (the spec's enums).
const KNOWN_WORDS: [(&str, &[&str]); 4] = [
    (
        "status",
        &[
            "Created",
            "Authorized",
            "Captured",
            "Reversed",
            "Refunded",
            "Canceled",
        ],
    ),
    ("captureMode", &["Auto", "Manual"]),
    ("autoExpireAction", &["Release", "Capture"]),
    (
        "captures[].status",
        &["Created", "Successful", "Declined", "Failed"],
    ),
];

proptest! {
    #![proptest_config(proptest_config("model-refusals", 500))]

    /// D20: an accepted snapshot with one enum field holding a word the
    /// spec does not list is refused as `unknown_enum_word`, naming the
    /// field and the word, BOM or not. D19: with amount 0 it is
    /// `zero_intent_amount`, and `PaymentIntent::try_new` refuses zero too.
    #[test]
    fn unknown_words_and_zero_amounts_are_refused(
        model in snapshot_start(),
        field in 0_usize..5,
        word in "[A-Za-z][A-Za-z0-9 _-]{0,11}",
        index in any::<proptest::sample::Index>(),
    ) {
        let snapshot = model.origin.as_ref().expect("a snapshot start");
        let mut json = snapshot_json(&model, snapshot);
        if field == 4 {
            json["amount"]["value"] = json!(0);
            let bytes = snapshot_bytes(&json, snapshot.bom);
            let refused = AnyPaymentIntent::from_json(&bytes).expect_err("amount 0 is refused");
            prop_assert_eq!(refused.code(), "zero_intent_amount");
            let currency = Currency::from_code(model.currency).expect("model currency");
            let created = PaymentIntent::try_new(Money::zero(currency), CaptureMode::Manual);
            prop_assert_eq!(created.map(drop).map_err(|v| v.code()), Err("zero_amount"));
            return Ok(());
        }
        let (name, known) = KNOWN_WORDS[field];
        prop_assume!(!known.contains(&word.as_str()));
        let named = match field {
            3 => {
                let captures = json["captures"].as_array_mut().expect("captures[]");
                if captures.is_empty() {
                    captures.push(json!({ "id": "cp_extra", "amount": 1, "status": "Created" }));
                }
                let at = index.index(captures.len());
                captures[at]["status"] = json!(word);
                format!("captures[{at}].status")
            }
            _ => {
                json[name] = json!(word);
                name.to_owned()
            }
        };
        let bytes = snapshot_bytes(&json, snapshot.bom);
        let refused = AnyPaymentIntent::from_json(&bytes).expect_err("an unknown word is refused");
        let message = refused.to_string();
        prop_assert_eq!(refused.code(), "unknown_enum_word", "{}", &message);
        prop_assert!(message.contains(&named), "{} names {}", message, named);
        prop_assert!(message.contains(&format!("{word:?}")), "{} names {:?}", message, word);
    }
}
