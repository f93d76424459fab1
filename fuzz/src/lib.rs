//! The properties the fuzz targets assert, one public function per target.
//!
//! They live here rather than in the targets so that the main crate's
//! `tests/fuzz_replay.rs` can include this file by path and run the
//! committed corpus and every minimised crash through exactly the same
//! checks under a plain `cargo test`, without a fuzzing toolchain. Each
//! function panics, with a message naming the property, when one fails: a
//! fuzzer only reports panics, so a property that merely returned `false`
//! would never be seen.
//!
//! Structured targets take `arbitrary` inputs; [`decode`] turns bytes into
//! them the way `libfuzzer-sys` does, so a corpus file replays as the input
//! the fuzzer saw.

#![forbid(unsafe_code)]

// The step invariants are the property tests' own, so that fuzzing and the
// property tests can never disagree on what "valid" means.
#[path = "../../tests/common/invariants.rs"]
mod invariants;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::str::FromStr;

use arbitrary::{Arbitrary, Unstructured};
use dojo_capture::audit::{self, Auditor};
use dojo_capture::check::{self, Verdict};
use dojo_capture::webhook::{self, WebhookSecret};
use dojo_capture::wire::PaymentIntentResource;
use dojo_capture::{
    AnyPaymentIntent, AutoExpireAction, AutoExpiry, CaptureId, CaptureMode, CaptureOutcome,
    Currency, IdempotencyKey, IntentState, Money, Operation, OperationKind, PaymentIntent,
    PaymentIntentStatus, RehydrateError, Rejected, Rule, RuleViolation,
};
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

/// A second intent with the same facts, through the stored record: intents
/// are not `Clone`, so that no two live values can prepare the same money.
trait Copied {
    fn copied(&self) -> Self;
}

impl Copied for AnyPaymentIntent {
    fn copied(&self) -> Self {
        AnyPaymentIntent::from_stored_json(self.to_stored_json().as_bytes())
            .expect("property violated: a stored record reads back")
    }
}
use serde_json::{Value, json};

/// Decodes a structured input from raw bytes as `libfuzzer-sys`'s
/// `fuzz_target!(|input: T| …)` does (`arbitrary_take_rest` on the whole
/// buffer), so that a corpus file means the same input in a replay as it
/// did to the fuzzer. `None` where the fuzzer would skip the input too.
pub fn decode<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    if data.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(data)).ok()
}

/// Panics with the property's message and what it was checked on.
#[track_caller]
fn holds(result: Result<(), String>, on: &dyn Debug) {
    if let Err(problem) = result {
        panic!("property violated: {problem}\n  on: {on:?}");
    }
}

/// Asserts `condition`, panicking with `property` and the value it was
/// checked on; `property` states what should hold, not what went wrong.
#[track_caller]
fn ensure(condition: bool, property: &str, on: &dyn Debug) {
    if !condition {
        panic!("property violated: {property}\n  on: {on:?}");
    }
}

fn minor(amount: i64, currency: Currency) -> Money {
    // Callers pass non-negative values; zero is the harmless fallback,
    // so that a harness slip cannot pass for a library failure.
    Money::try_new(amount.max(0), currency).unwrap_or(Money::zero(currency))
}

// ---- a. wire_rehydrate ------------------------------------------------------

/// `wire_rehydrate`: any bytes as the body of `GET /payment-intents/{id}`.
///
/// * decoding never panics;
/// * [`AnyPaymentIntent::from_json`] agrees with decoding a
///   [`PaymentIntentResource`] and converting it with `TryFrom`, error for
///   error;
/// * a decoded resource re-encodes to JSON that decodes to the same resource;
/// * an accepted intent satisfies the step invariants (`check_intent`), comes
///   back with the same facts from its own wire form (`check_round_trip`),
///   and its capturable and refundable figures are exact (see
///   [`check_figures`]).
pub fn wire_rehydrate(data: &[u8]) {
    let direct = AnyPaymentIntent::from_json(data);
    match PaymentIntentResource::from_json(data) {
        Err(_) => match &direct {
            Ok(intent) => panic!(
                "property violated: from_json accepts only what PaymentIntentResource::from_json decodes\n  accepted: {intent:?}"
            ),
            // D20: JSON that only holds a word no enum lists names it.
            Err(e) => ensure(
                (e.code() == "malformed_json"
                    || (e.code() == "unknown_enum_word" && is_json(data)))
                    && !e.to_string().is_empty(),
                "undecodable JSON is reported as malformed_json, or as unknown_enum_word when it is JSON, with a message",
                e,
            ),
        },
        Ok(resource) => {
            let converted = AnyPaymentIntent::try_from(&resource);
            ensure(
                converted == direct,
                "from_json equals PaymentIntentResource::from_json then AnyPaymentIntent::try_from",
                &(&converted, &direct),
            );
            match serde_json::to_vec(&resource) {
                Ok(bytes) => ensure(
                    PaymentIntentResource::from_json(&bytes).ok().as_ref() == Some(&resource),
                    "a decoded resource re-encodes to JSON that decodes to the same resource",
                    &resource,
                ),
                Err(e) => panic!("property violated: a decoded resource encodes: {e}"),
            }
        }
    }
    if let Err(e) = &direct {
        ensure(
            !e.code().is_empty() && !e.to_string().is_empty(),
            "a rehydration error has a code and a message",
            e,
        );
    }
    reconcile_any_read(data);
    if let Ok(intent) = direct {
        holds(invariants::check_intent(&intent), &intent);
        holds(invariants::check_round_trip(&intent), &intent);
        check_figures(&intent);
        // The read the intent came from changes nothing when reconciled.
        match intent.copied().reconcile_read_json(data) {
            Ok((again, report)) => ensure(
                again == intent && !report.changed(),
                "reconciling an intent with its own read changes nothing",
                &(&again, &report),
            ),
            Err(e) => panic!("property violated: an intent reconciles with its own read: {e}"),
        }
    }
}

/// `bytes` reconciled as two reads: one that began at a fixed time, which
/// releases nothing it does not show while that may still land (D22), then
/// the same read again, begun a day later, past every settle horizon. The
/// report is the two reports' sum of releases (the second's, with the
/// first's changes). A refusal of either read hands back the intent given.
fn read_twice(
    intent: dojo_capture::AnyPaymentIntent,
    bytes: &[u8],
) -> Result<
    (dojo_capture::AnyPaymentIntent, dojo_capture::Reconciled),
    dojo_capture::ReconcileError<dojo_capture::AnyPaymentIntent>,
> {
    use dojo_capture::ReadStart;
    let first_at: Timestamp = "2024-07-26T08:00:00Z".parse().expect("a timestamp");
    let (merged, first) = intent.reconcile_read_json_started(bytes, ReadStart::at(first_at))?;
    if let Some(horizon) = first.settle_after() {
        ensure(
            horizon > first_at,
            "the settle horizon of a read comes after the read began",
            &first,
        );
    }
    let later = first_at + SignedDuration::from_hours(24);
    match merged.reconcile_read_json_started(bytes, ReadStart::at(later)) {
        Ok((merged, second)) => Ok((merged, if second.changed() { second } else { first })),
        Err(e) => panic!(
            "property violated: a read accepted once is accepted again a day later: {}",
            e
        ),
    }
}

/// Any read reconciled with a Manual intent whose capture's answer was
/// lost either refuses, handing the intent back untouched, or gives an
/// intent that holds the invariants and needs no read.
fn reconcile_any_read(data: &[u8]) {
    use dojo_capture::request::ApiVersion;
    use dojo_capture::{Answer, Authorization};
    let gbp = |minor| Money::new(minor, Currency::GBP);
    let paid: Timestamp = "2024-07-25T08:49:20Z".parse().expect("a timestamp");
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_1");
    let Authorization::Manual(authorized) = intent.authorize(paid) else {
        panic!("a Manual intent is authorised");
    };
    let Ok((authorized, prepared)) =
        authorized.prepare_capture(gbp(600), None, paid, ApiVersion::default())
    else {
        panic!("a capture of 6.00 GBP of 10.00 GBP is prepared");
    };
    let local = match authorized.record_capture_answer(prepared, Answer::TransportFailure) {
        Ok(_) => panic!("a transport failure binds no capture"),
        Err(e) => e.into_intent().into_any(),
    };
    match read_twice(local.copied(), data) {
        Ok((merged, _)) => {
            holds(invariants::check_intent(&merged), &merged);
            ensure(
                !merged.needs_read(),
                "after a read that began past the settle horizon nothing needs a read",
                &merged,
            );
        }
        Err(e) => ensure(
            e.intent() == &local && e.code().starts_with("reconcile_"),
            "a refused reconcile hands the intent back untouched, with a reconcile_ code",
            &e,
        ),
    }
}

/// Whether `data` is JSON (after a byte-order mark, which D20 ignores).
fn is_json(data: &[u8]) -> bool {
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    serde_json::from_slice::<Value>(body).is_ok()
}

/// The figures an intent reports are exactly what its rules allow, at the
/// payment time (before any deadline): capturing `capturable()` is
/// allowed and one minor unit more is `over_capture`; likewise refunding
/// `refundable()` and `over_refund`. A figure that is merely "no more than"
/// would pass the invariants yet mislead every caller that trusts it.
///
/// A Manual intent Dojo reported `Reversed` after a Successful capture
/// (D17) re-encodes as `Reversed` while its state is Captured or Refunded:
/// it refuses every capture, as `capture_after_reversal` while nothing is
/// refunded.
fn check_figures(intent: &AnyPaymentIntent) {
    let Some(at) = intent.paid_at() else {
        return;
    };
    let currency = intent.currency();
    let capturable = intent.capturable();
    let released = intent.capture_mode() == CaptureMode::Manual
        && matches!(
            intent.state(),
            IntentState::Captured | IntentState::Refunded
        )
        && intent.to_resource().status == PaymentIntentStatus::Reversed;
    if released {
        let refused = intent.check(Operation::Capture(minor(1, currency)), at);
        let expected = if intent.state() == IntentState::Captured {
            Rule::CaptureAfterReversal
        } else {
            Rule::CaptureAfterRefund
        };
        ensure(
            capturable.is_zero() && refused.map_err(|v| v.rule()) == Err(expected),
            "an intent Dojo released after a capture has nothing capturable and refuses a capture (D17)",
            &(intent, refused),
        );
    }
    let can_capture = matches!(
        intent.state(),
        IntentState::Authorized | IntentState::Captured
    ) && intent.capture_mode() == CaptureMode::Manual
        && !released;
    if !capturable.is_zero() {
        let allowed = intent.check(Operation::Capture(capturable), at);
        ensure(
            allowed.is_ok(),
            "capturing exactly capturable() at the payment time is allowed",
            &(intent, allowed),
        );
    }
    if can_capture && let Some(more) = capturable.minor_units().checked_add(1) {
        let refused = intent.check(Operation::Capture(minor(more, currency)), at);
        ensure(
            refused.map_err(|v| v.rule()) == Err(Rule::OverCapture),
            "capturing one minor unit more than capturable() is over_capture",
            &(intent, refused),
        );
    }
    let refundable = intent.refundable();
    if !refundable.is_zero() {
        let allowed = intent.check(Operation::Refund(refundable), at);
        ensure(
            allowed.is_ok(),
            "refunding exactly refundable() is allowed",
            &(intent, allowed),
        );
        if let Some(more) = refundable.minor_units().checked_add(1) {
            let refused = intent.check(Operation::Refund(minor(more, currency)), at);
            ensure(
                refused.map_err(|v| v.rule()) == Err(Rule::OverRefund),
                "refunding one minor unit more than refundable() is over_refund",
                &(intent, refused),
            );
        }
    }
}

// ---- b. money_parse -------------------------------------------------------

/// Currencies every amount text is tried in: one for each minor-unit size
/// (2, 0, 3, 4), so decimal-place rules are met whatever the text says.
const PROBE_CODES: [&str; 4] = ["GBP", "JPY", "BHD", "CLF"];

/// `money_parse`: the bytes as text (lossily decoded), fed to every way in:
/// `Money::from_str`, `Money::parse_in`, `Money::from_decimal` (from the
/// text and from raw bytes), `Money::try_new`, `Currency::from_code` and
/// serde's `{"value", "currencyCode"}`.
///
/// * nothing panics;
/// * every accepted amount round-trips exactly (see [`money_round_trips`]);
/// * the parsers agree: `from_str` with its two halves, `parse_in` with
///   `from_decimal` on the same number, serde with `try_new`;
/// * serde accepts an integer `value` only, never a float.
pub fn money_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let (amount_text, code_text) = text.split_once(' ').unwrap_or((text, ""));

    if let Ok(money) = Money::from_str(text) {
        money_round_trips(money);
        let parts = Currency::from_code(code_text).and_then(|c| Money::parse_in(amount_text, c));
        ensure(
            parts == Ok(money),
            "\"AMOUNT CODE\" parses as parse_in(AMOUNT, from_code(CODE))",
            &(text, parts, money),
        );
    }

    let mut currencies = Vec::with_capacity(PROBE_CODES.len() + 1);
    for code in [text, amount_text, code_text] {
        if let Some(currency) = currency_from_code(code) {
            currencies.push(currency);
        }
    }
    currencies.extend(
        PROBE_CODES
            .iter()
            .filter_map(|code| currency_from_code(code)),
    );

    let decimal = Decimal::from_str(amount_text).ok();
    for &currency in &currencies {
        let parsed = Money::parse_in(amount_text, currency);
        if let Ok(money) = parsed {
            ensure(
                money.currency() == currency,
                "parse_in keeps the currency it was given",
                &(amount_text, money),
            );
            money_round_trips(money);
            // The same number read by rust_decimal must mean the same
            // money: two readers of one text never disagree on its value.
            if let Some(decimal) = decimal {
                let from_decimal = Money::from_decimal(decimal, currency);
                ensure(
                    from_decimal == Ok(money),
                    "from_decimal(Decimal::from_str(t)) equals parse_in(t)",
                    &(amount_text, decimal, from_decimal, money),
                );
            }
        }
        if let Some(decimal) = decimal {
            decimal_agrees_with_text(decimal, currency);
        }
        if let Ok(n) = amount_text.parse::<i64>() {
            minor_units_round_trip(n, currency);
        }
    }

    // Raw bytes as a decimal's parts and as minor units, so the numeric
    // constructors see values no text would spell.
    if let Some(currency) = currencies.first().copied() {
        if let Some(head) = data.get(..16).and_then(|b| <[u8; 16]>::try_from(b).ok()) {
            let mantissa = i128::from_le_bytes(head) >> 32;
            let scale = u32::from(data.get(16).copied().unwrap_or(0) % 29);
            if let Ok(decimal) = Decimal::try_from_i128_with_scale(mantissa, scale) {
                decimal_agrees_with_text(decimal, currency);
            }
        }
        if let Some(head) = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            minor_units_round_trip(i64::from_le_bytes(head), currency);
        }
    }

    serde_money(data, text, amount_text, code_text);
}

/// `Currency::from_code`, checked: an accepted code is the three upper-case
/// letters it was given, has a minor unit of at most four digits, and
/// converts back and forth through `iso_currency` and serde unchanged.
fn currency_from_code(code: &str) -> Option<Currency> {
    match Currency::from_code(code) {
        Ok(currency) => {
            ensure(
                currency.code() == code && code.len() == 3,
                "an accepted code is the currency's own three-letter code",
                &(code, currency),
            );
            ensure(
                code.bytes().all(|b| b.is_ascii_uppercase()),
                "only upper-case codes are accepted",
                &code,
            );
            ensure(
                currency.minor_unit_digits() <= 4,
                "ISO 4217 minor units have at most four digits",
                &currency,
            );
            ensure(
                Currency::from_iso(currency.iso()) == Ok(currency),
                "from_iso(c.iso()) gives c back",
                &currency,
            );
            let json = serde_json::to_string(&currency).unwrap_or_default();
            ensure(
                serde_json::from_str::<Currency>(&json).ok() == Some(currency),
                "a currency round-trips through serde",
                &(currency, json),
            );
            Some(currency)
        }
        Err(e) => {
            ensure(
                matches!(e.code(), "unknown_currency" | "no_minor_unit"),
                "a refused code is unknown or has no minor unit",
                &(code, e),
            );
            None
        }
    }
}

/// `from_decimal(d)` and `parse_in(d.to_string())` are two doors to the
/// same value: for a non-negative decimal they accept and refuse together
/// (with the same reason) and agree on the amount.
fn decimal_agrees_with_text(decimal: Decimal, currency: Currency) {
    let from_decimal = Money::from_decimal(decimal, currency);
    if let Ok(money) = from_decimal {
        money_round_trips(money);
        ensure(
            money.to_decimal() == decimal,
            "from_decimal keeps the value exactly",
            &(decimal, money),
        );
    }
    if decimal.is_sign_negative() {
        // `-0` is zero to from_decimal but a minus sign to the text parser,
        // which refuses every sign: not the same question.
        if !decimal.is_zero() {
            ensure(
                from_decimal.as_ref().map_err(|e| e.code()) == Err("negative_amount"),
                "a negative decimal is negative_amount",
                &(decimal, &from_decimal),
            );
        }
        return;
    }
    let text = decimal.to_string();
    let from_text = Money::parse_in(&text, currency);
    ensure(
        from_decimal.as_ref().map_err(|e| e.code()) == from_text.as_ref().map_err(|e| e.code()),
        "from_decimal(d) and parse_in(d.to_string()) agree",
        &(decimal, text, &from_decimal, &from_text),
    );
}

/// `try_new(n)` accepts exactly the non-negative counts, and what it
/// accepts round-trips.
fn minor_units_round_trip(n: i64, currency: Currency) {
    match Money::try_new(n, currency) {
        Ok(money) => {
            ensure(
                n >= 0 && money.minor_units() == n,
                "try_new accepts only non-negative counts and keeps them",
                &(n, money),
            );
            money_round_trips(money);
        }
        Err(e) => ensure(
            n < 0 && e.code() == "negative_amount",
            "try_new refuses only negative counts",
            &(n, e),
        ),
    }
}

/// serde's `Money`: the input itself as JSON, and the amount and code
/// texts spliced into Dojo's shape. Whatever decodes has an integer
/// `value` equal to its minor units: never a float, never rounded.
fn serde_money(data: &[u8], text: &str, amount_text: &str, code_text: &str) {
    if let Ok(money) = serde_json::from_slice::<Money>(data) {
        money_round_trips(money);
        // serde_json's `Value` refuses numbers past f64 that `Money` skips
        // in fields it ignores; such a document has no `Value` to compare.
        if let Ok(document) = serde_json::from_slice::<Value>(data) {
            let value = document.get("value");
            let equal = value.and_then(Value::as_i64) == Some(money.minor_units())
                || (money.is_zero() && value.and_then(Value::as_f64) == Some(0.0));
            ensure(
                equal,
                "decoded money came from an integer value equal to its minor units",
                &(text, value, money),
            );
        }
    }
    for (value, code) in [(amount_text, code_text), (text, "GBP")] {
        let spliced = format!(r#"{{"value":{value},"currencyCode":"{code}"}}"#);
        let Ok(money) = serde_json::from_str::<Money>(&spliced) else {
            continue;
        };
        money_round_trips(money);
        // Only when the spliced text is one JSON number is it the value;
        // otherwise it smuggled in other fields, checked by the raw case.
        if let Ok(Value::Number(number)) = serde_json::from_str::<Value>(value) {
            let integer = !value.contains(['.', 'e', 'E']);
            // serde_json reads `-0` as the float -0.0 but decodes it into
            // an i64 as 0: an integer literal all the same.
            let equal = number.as_i64() == Some(money.minor_units())
                || (money.is_zero() && number.as_f64() == Some(0.0));
            ensure(
                integer && equal,
                "serde accepts an integer value only, equal to the minor units",
                &(spliced, money),
            );
        }
    }
}

/// Every representation of an accepted amount gives the same amount back:
/// Display → FromStr, to_decimal → from_decimal, minor units → try_new,
/// serde JSON → serde, and the major-unit text alone → parse_in. Display
/// always writes every minor digit, and serde writes an integer.
pub fn money_round_trips(money: Money) {
    let currency = money.currency();
    let shown = money.to_string();
    ensure(
        shown.parse::<Money>() == Ok(money),
        "Display then FromStr gives the same money",
        &(money, &shown),
    );
    let (number, code) = shown.split_once(' ').unwrap_or((&shown, ""));
    let digits = currency.minor_unit_digits() as usize;
    let fraction_len = number.split_once('.').map_or(0, |(_, f)| f.len());
    ensure(
        code == currency.code() && fraction_len == digits,
        "Display writes every minor digit, one space and the code",
        &(money, &shown),
    );
    ensure(
        Money::parse_in(number, currency) == Ok(money),
        "the major-unit text alone parses back in its currency",
        &(money, &shown),
    );
    ensure(
        Money::from_decimal(money.to_decimal(), currency) == Ok(money),
        "to_decimal then from_decimal gives the same money",
        &money,
    );
    ensure(
        Money::try_new(money.minor_units(), currency) == Ok(money),
        "minor_units then try_new gives the same money",
        &money,
    );
    let json = serde_json::to_string(&money).unwrap_or_default();
    let expected = format!(
        r#"{{"value":{},"currencyCode":"{}"}}"#,
        money.minor_units(),
        currency.code()
    );
    ensure(
        json == expected,
        "serde writes Dojo's shape with an integer value",
        &(money, &json),
    );
    ensure(
        serde_json::from_str::<Money>(&json).ok() == Some(money),
        "serde JSON decodes to the same money",
        &(money, &json),
    );
}

// ---- c. op_sequence -------------------------------------------------------

/// How many steps of one input are run: enough to reach every state and
/// pile up captures and refunds, few enough to keep each run fast.
const MAX_STEPS: usize = 64;

/// The ids and keys steps draw from: a pool this small makes replays and
/// conflicts (D7) happen in most sequences.
const ID_POOL: [&str; 4] = ["cp_a", "cp_b", "cp_c", "cp_d"];
const KEY_POOL: [&str; 3] = ["refund-1", "refund-2", "refund-3"];

/// A new intent and what is then done to it.
#[derive(Arbitrary, Debug)]
pub struct OpSequence {
    /// Seconds after 2024-01-01T00:00:00Z (modulo two years) at which the
    /// clock starts: any season, so London's DST changes are crossed.
    pub start: u32,
    /// The amount the intent is created with.
    pub amount: Money,
    /// Manual rather than Auto capture.
    pub manual: bool,
    /// `customAmountAllowed`.
    pub custom_amount_allowed: bool,
    /// `autoExpireIn` as seconds and nanoseconds, and `Capture` rather than
    /// `Release`; out-of-bounds values are refused and left unset.
    pub expiry: Option<(u32, u32, bool)>,
    /// Dojo's id of the intent: any text, since the crate carries it as is.
    pub id: Option<String>,
    /// Start from this intent as Dojo would report it, when it rehydrates,
    /// instead of a new one: some states (an Auto intent still Authorized,
    /// captures listed on an Auto intent) exist only on the wire, and the
    /// operations must hold there too.
    pub from_wire: Option<BuiltIntent>,
    /// The operations, in order.
    pub steps: Vec<Step>,
}

/// One thing that can happen to an intent.
#[derive(Arbitrary, Debug)]
pub enum Step {
    /// The customer pays now.
    Authorize,
    /// A capture is recorded in flight.
    Capture {
        /// Which capture id.
        id: IdPick,
        /// How much.
        amount: AmountPick,
        /// The tip, if any.
        tips: Option<AmountPick>,
    },
    /// A capture's final status arrives.
    Settle {
        /// Which capture id.
        id: IdPick,
        /// Its outcome.
        outcome: CaptureOutcome,
    },
    /// A refund.
    Refund {
        /// Which idempotency key.
        key: KeyPick,
        /// How much.
        amount: AmountPick,
    },
    /// A reversal now.
    Reverse,
    /// A cancellation.
    Cancel,
    /// A change of amount.
    ChangeAmount(AmountPick),
    /// Time passes.
    Advance(Clock),
    /// The intent is stored and read back through the wire format, as a
    /// service does between two webhooks.
    Rehydrate,
    /// `AnyPaymentIntent::check` is asked, then the operation is performed
    /// on a copy with a fresh id or key.
    Check(Operation),
}

/// A capture id: usually from the small pool, sometimes any valid one.
#[derive(Arbitrary, Debug)]
pub enum IdPick {
    /// `ID_POOL[n % len]`.
    Pool(u8),
    /// Any valid id.
    Any(CaptureId),
}

/// An idempotency key: usually from the small pool, sometimes any valid one.
#[derive(Arbitrary, Debug)]
pub enum KeyPick {
    /// `KEY_POOL[n % len]`.
    Pool(u8),
    /// Any valid key.
    Any(IdempotencyKey),
}

/// An amount, mostly relative to the intent's figures, where the rules
/// change their answer.
#[derive(Arbitrary, Debug)]
pub enum AmountPick {
    /// What may still be captured.
    Capturable,
    /// One minor unit more than that.
    CapturablePlusOne,
    /// What may still be refunded.
    Refundable,
    /// One minor unit more than that.
    RefundablePlusOne,
    /// Half the intent's amount.
    Half,
    /// The intent's amount.
    Amount,
    /// A small number of minor units in the intent's currency.
    Minor(u16),
    /// Any amount, often in another currency.
    Any(Money),
}

impl AmountPick {
    fn resolve(&self, intent: &AnyPaymentIntent) -> Money {
        let currency = intent.currency();
        let plus_one = |m: Money| minor(m.minor_units().saturating_add(1), currency);
        match self {
            AmountPick::Capturable => intent.capturable(),
            AmountPick::CapturablePlusOne => plus_one(intent.capturable()),
            AmountPick::Refundable => intent.refundable(),
            AmountPick::RefundablePlusOne => plus_one(intent.refundable()),
            AmountPick::Half => minor(intent.amount().minor_units() / 2, currency),
            AmountPick::Amount => intent.amount(),
            AmountPick::Minor(n) => minor(i64::from(*n), currency),
            AmountPick::Any(money) => *money,
        }
    }
}

/// How the clock moves: by small and large steps, and onto the edges the
/// time rules turn on.
#[derive(Arbitrary, Debug)]
pub enum Clock {
    /// Seconds.
    Seconds(u16),
    /// Hours.
    Hours(u8),
    /// Days (up to ten, so across the 7-day window).
    Days(u8),
    /// One nanosecond before, at, or after the authorisation deadline.
    Deadline(i8),
    /// Onto the next whole UTC hour, or a nanosecond before it: London's
    /// midnight is one of them in every season.
    NextHour(bool),
    /// Past the seven days after payment.
    PastSevenDays,
}

/// `op_sequence`: a sequence of operations on one intent, through
/// `AnyPaymentIntent`.
///
/// After every step:
/// * `check_step` holds (invariants, a refusal hands the intent back
///   unchanged, captured and refunded never go down, the amount is fixed
///   after payment, records are never rewritten, the wire round trip);
/// * the figures are exact (see [`check_figures`]);
/// * a refusal names the operation and the state it was refused in, its
///   message starts with the rule's code, and an over-capture or
///   over-refund names what was still available;
/// * an accepted operation that changes the intent is one the typed API has
///   in the intent's state (so nothing changes a Reversed or Canceled one);
/// * `AnyPaymentIntent::check` gives the same answer, violation for
///   violation, as the transition, wherever the id or key is new (check
///   ignores ids and keys, so a replay or conflict is not its question);
/// * a replay (a known capture id or refund key with the same amount, a
///   settlement repeated) is accepted and changes nothing.
pub fn op_sequence(input: &OpSequence) {
    let base = Timestamp::from_second(1_704_067_200).unwrap_or(Timestamp::UNIX_EPOCH);
    let mut now = base + SignedDuration::from_secs(i64::from(input.start % (2 * 366 * 86_400)));
    let mode = if input.manual {
        CaptureMode::Manual
    } else {
        CaptureMode::Auto
    };
    // D19: a zero amount is refused by the checked constructor, never built.
    let created = match PaymentIntent::try_new(input.amount, mode) {
        Ok(created) => created,
        Err(violation) => {
            ensure(
                input.amount.is_zero() && violation.rule() == dojo_capture::Rule::ZeroAmount,
                "only a zero amount is refused when an intent is created, as zero_amount",
                &violation,
            );
            return;
        }
    };
    let mut created = created.with_custom_amount_allowed(input.custom_amount_allowed);
    if let Some((secs, nanos, capture)) = input.expiry {
        let after = SignedDuration::new(
            i64::from(secs % (8 * 86_400)),
            i32::try_from(nanos % 1_000_000_000).unwrap_or(0),
        );
        let action = if capture {
            AutoExpireAction::Capture
        } else {
            AutoExpireAction::Release
        };
        let expiry = AutoExpiry::new(after, action);
        let in_bounds = after > AutoExpiry::MIN_EXCLUSIVE
            && after < AutoExpiry::MAX_EXCLUSIVE
            && after.subsec_nanos() % AutoExpiry::RESOLUTION_NANOS == 0;
        ensure(
            expiry.is_ok() == in_bounds,
            "AutoExpiry::new accepts exactly 30 s < t < 7 days in whole 100 ns ticks",
            &(after, expiry),
        );
        if let Ok(expiry) = expiry {
            created = created.with_auto_expiry(expiry);
        }
    }
    if let Some(id) = &input.id {
        created = created.with_id(id);
    }
    if let Some(built) = &input.from_wire {
        spellings_agree(built);
    }
    let wire = input
        .from_wire
        .as_ref()
        .and_then(|built| AnyPaymentIntent::from_json(&built.to_json()).ok());
    let mut intent = wire.unwrap_or_else(|| created.into_any());
    holds(invariants::check_intent(&intent), &intent);
    holds(invariants::check_round_trip(&intent), &intent);

    // Refund keys the intent has recorded, with their amounts: the ledger
    // keeps them privately, and a rehydration forgets them (the wire has none).
    let mut keys: HashMap<String, Money> = HashMap::new();
    for (index, step) in input.steps.iter().take(MAX_STEPS).enumerate() {
        let before = intent.copied();
        let at = now;
        let context = || format!("step {index}: {step:?} at {at}\n  before: {before:?}");
        let (result, expected): (
            Result<AnyPaymentIntent, Rejected<AnyPaymentIntent>>,
            Option<_>,
        ) = match step {
            Step::Authorize => (before.copied().authorize(now), None),
            Step::Capture { id, amount, tips } => {
                let id = capture_id(id);
                let amount = amount.resolve(&before);
                let tips = tips.as_ref().map(|t| t.resolve(&before));
                let recorded = before
                    .captures()
                    .iter()
                    .find(|c| c.id() == Some(&id))
                    .cloned();
                let result = before.copied().capture_with_tips(id, amount, tips, now);
                if let (Some(record), Ok(after)) = (&recorded, &result) {
                    ensure(
                        record.amount() == amount
                            && record.tips() == tips.filter(|t| !t.is_zero())
                            && *after == before,
                        "a capture accepted for a recorded id is a replay of the same amount and tip (a zero tip is no tip), and changes nothing",
                        &context(),
                    );
                }
                // Check takes no tip: it judges the same question only
                // when the tip cannot be refused for its currency.
                let same_question =
                    recorded.is_none() && tips.is_none_or(|t| t.currency() == before.currency());
                let expected = same_question.then(|| {
                    (
                        OperationKind::Capture,
                        before.check(Operation::Capture(amount), now),
                    )
                });
                (result, expected)
            }
            Step::Settle { id, outcome } => {
                let id = capture_id(id);
                let settled_already = before.captures().iter().any(|c| {
                    c.id() == Some(&id) && c.status() != dojo_capture::CaptureStatus::Created
                });
                let result = before.copied().record_capture_outcome(&id, *outcome);
                if let (true, Ok(after)) = (settled_already, &result) {
                    ensure(
                        *after == before,
                        "settling a settled capture again with its outcome changes nothing",
                        &context(),
                    );
                }
                (result, None)
            }
            Step::Refund { key, amount } => {
                let key = refund_key(key);
                let amount = amount.resolve(&before);
                let recorded = keys.get(key.as_str()).copied();
                let result = before.copied().refund(key.clone(), amount);
                match (&recorded, &result) {
                    (Some(recorded), Ok(after)) => ensure(
                        *recorded == amount && *after == before,
                        "a refund accepted for a used key is a replay of the same amount, and changes nothing",
                        &context(),
                    ),
                    (None, Ok(_)) => {
                        keys.insert(key.as_str().to_owned(), amount);
                    }
                    (_, Err(_)) => {}
                }
                let expected = recorded.is_none().then(|| {
                    (
                        OperationKind::Refund,
                        before.check(Operation::Refund(amount), now),
                    )
                });
                (result, expected)
            }
            Step::Reverse => (
                before.copied().reverse(now),
                Some((
                    OperationKind::Reverse,
                    before.check(Operation::Reverse, now),
                )),
            ),
            Step::Cancel => (
                before.copied().cancel(),
                Some((OperationKind::Cancel, before.check(Operation::Cancel, now))),
            ),
            Step::ChangeAmount(amount) => {
                let amount = amount.resolve(&before);
                (
                    before.copied().change_amount(amount),
                    Some((
                        OperationKind::ChangeAmount,
                        before.check(Operation::ChangeAmount(amount), now),
                    )),
                )
            }
            Step::Advance(clock) => {
                now = advance(now, clock, &before);
                continue;
            }
            Step::Rehydrate => {
                intent = rehydrate(&before);
                keys.clear();
                continue;
            }
            Step::Check(operation) => {
                check_agrees_with_transition(&before, *operation, now, &keys);
                continue;
            }
        };

        let (after, violation) = match result {
            Ok(after) => (after, None),
            Err(rejected) => {
                let (after, violation) = rejected.into_parts();
                (after, Some(violation))
            }
        };
        holds(
            invariants::check_step(&before, &after, violation.is_none()),
            &context(),
        );
        check_figures(&after);
        if let Some(violation) = &violation {
            violation_is_consistent(violation, &before, &context);
        } else if after != before {
            ensure(
                typed_api_has(before.state(), step),
                "the runtime enum changes an intent only by an operation its typed state has",
                &context(),
            );
        }
        if let Some((kind, checked)) = expected {
            if let Some(violation) = &violation {
                ensure(
                    violation.operation() == kind,
                    "a refusal names the operation refused",
                    &(violation, context()),
                );
            }
            ensure(
                checked.as_ref().err() == violation.as_ref(),
                "AnyPaymentIntent::check gives the transition's answer",
                &(checked, violation, context()),
            );
        }
        intent = after;
    }
}

/// Whether `PaymentIntent<S>` for `state` has the method `step` performs
/// (docs/design.md, "States"). The runtime enum promises the typed rules,
/// so it may change an intent only where the typed API could have; that
/// also makes Reversed and Canceled final.
fn typed_api_has(state: IntentState, step: &Step) -> bool {
    use IntentState as S;
    match step {
        Step::Authorize | Step::Cancel | Step::ChangeAmount(_) => state == S::Created,
        Step::Capture { .. } | Step::Reverse => matches!(state, S::Authorized | S::Captured),
        Step::Settle { .. } => matches!(state, S::Authorized | S::Captured | S::Refunded),
        Step::Refund { .. } => matches!(state, S::Captured | S::Refunded),
        Step::Advance(_) | Step::Rehydrate | Step::Check(_) => false,
    }
}

/// A refusal describes the intent it refused: its state, its figures, and
/// a message that starts with the rule's code, as the command prints it.
fn violation_is_consistent(
    violation: &RuleViolation,
    before: &AnyPaymentIntent,
    context: &dyn Fn() -> String,
) {
    ensure(
        violation.state() == before.state(),
        "a refusal names the state the intent was in",
        &(violation, context()),
    );
    let message = violation.to_string();
    ensure(
        violation.code() == violation.rule().code()
            && message.starts_with(&format!("{}: ", violation.code())),
        "a refusal's message starts with its rule's code",
        &(violation, &message, context()),
    );
    let available = match violation.rule() {
        Rule::OverCapture => Some(before.capturable()),
        Rule::OverRefund => Some(before.refundable()),
        _ => None,
    };
    ensure(
        violation.available() == available,
        "an over-capture or over-refund names what was still available",
        &(violation, context()),
    );
}

fn capture_id(pick: &IdPick) -> CaptureId {
    match pick {
        IdPick::Pool(n) => pool_id(ID_POOL[usize::from(*n) % ID_POOL.len()]),
        IdPick::Any(id) => id.clone(),
    }
}

fn refund_key(pick: &KeyPick) -> IdempotencyKey {
    match pick {
        KeyPick::Pool(n) => IdempotencyKey::new(KEY_POOL[usize::from(*n) % KEY_POOL.len()])
            .unwrap_or_else(|e| panic!("harness: pool key is valid: {e}")),
        KeyPick::Any(key) => key.clone(),
    }
}

fn pool_id(text: &str) -> CaptureId {
    CaptureId::new(text).unwrap_or_else(|e| panic!("harness: pool id is valid: {e}"))
}

fn advance(now: Timestamp, clock: &Clock, intent: &AnyPaymentIntent) -> Timestamp {
    let by = |d: SignedDuration| now.checked_add(d).unwrap_or(now);
    match clock {
        Clock::Seconds(s) => by(SignedDuration::from_secs(i64::from(*s))),
        Clock::Hours(h) => by(SignedDuration::from_hours(i64::from(*h))),
        Clock::Days(d) => by(SignedDuration::from_hours(24 * i64::from(*d % 11))),
        Clock::Deadline(offset) => intent
            .authorization_deadline()
            .and_then(|d| {
                d.checked_add(SignedDuration::from_nanos(i64::from(*offset % 2)))
                    .ok()
            })
            .filter(|t| *t > now)
            .unwrap_or(now),
        Clock::NextHour(just_before) => {
            let next = (now.as_second().div_euclid(3_600) + 1) * 3_600;
            let at = Timestamp::from_second(next).unwrap_or(now);
            let at = if *just_before {
                at.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(at)
            } else {
                at
            };
            at.max(now)
        }
        Clock::PastSevenDays => intent
            .paid_at()
            .unwrap_or(now)
            .checked_add(SignedDuration::from_hours(7 * 24) + SignedDuration::from_secs(1))
            .unwrap_or(now)
            .max(now),
    }
}

/// The intent through its own wire form, as a service stores and reloads
/// it; `check_round_trip` has proved the facts survive, this also carries
/// on with the reloaded intent, which has forgotten its refund keys.
fn rehydrate(intent: &AnyPaymentIntent) -> AnyPaymentIntent {
    holds(invariants::check_round_trip(intent), intent);
    let bytes = serde_json::to_vec(&intent.to_resource()).unwrap_or_default();
    match AnyPaymentIntent::from_json(&bytes) {
        Ok(again) => again,
        Err(e) => {
            panic!("property violated: an intent's own wire form rehydrates: {e}\n  on: {intent:?}")
        }
    }
}

/// `check(operation)` on `intent`, against the transition performed on a
/// copy with an id or key the intent has never seen.
fn check_agrees_with_transition(
    intent: &AnyPaymentIntent,
    operation: Operation,
    now: Timestamp,
    keys: &HashMap<String, Money>,
) {
    let checked = intent.check(operation, now);
    let copy = intent.copied();
    let performed = match operation {
        Operation::Capture(amount) => {
            let fresh = (0..=intent.captures().len())
                .map(|n| format!("cp_fresh_{n}"))
                .find(|id| {
                    intent
                        .captures()
                        .iter()
                        .all(|c| c.id().map(|c| c.as_str()) != Some(id.as_str()))
                });
            match fresh {
                Some(id) => copy.capture(pool_id(&id), amount, now),
                None => return,
            }
        }
        Operation::Refund(amount) => {
            let fresh = (0..=keys.len())
                .map(|n| format!("refund-fresh-{n}"))
                .find(|key| !keys.contains_key(key));
            match fresh.and_then(|key| IdempotencyKey::new(&key).ok()) {
                Some(key) => copy.refund(key, amount),
                None => return,
            }
        }
        Operation::Reverse => copy.reverse(now),
        Operation::Cancel => copy.cancel(),
        Operation::ChangeAmount(amount) => copy.change_amount(amount),
    };
    let performed: Result<(), RuleViolation> = performed.map(drop).map_err(|r| *r.violation());
    ensure(
        checked == performed,
        "AnyPaymentIntent::check(op) answers as performing op with a new id or key",
        &(operation, checked, performed, intent),
    );
}

/// Decodes `data` as an [`OpSequence`] and runs [`op_sequence`] on it.
pub fn op_sequence_bytes(data: &[u8]) {
    if let Some(input) = decode::<OpSequence>(data) {
        op_sequence(&input);
    }
}

// ---- d. check_command -----------------------------------------------------

/// The documented examples, so most inputs start from a real intent.
const EXAMPLES: [&[u8]; 9] = [
    include_bytes!("../../docs/examples/auto-captured.json"),
    include_bytes!("../../docs/examples/canceled.json"),
    include_bytes!("../../docs/examples/created-custom-amount.json"),
    include_bytes!("../../docs/examples/created-fixed-amount.json"),
    include_bytes!("../../docs/examples/manual-authorized.json"),
    include_bytes!("../../docs/examples/manual-auto-expire.json"),
    include_bytes!("../../docs/examples/manual-fresh.json"),
    include_bytes!("../../docs/examples/manual-refunded.json"),
    include_bytes!("../../docs/examples/manual-reversed.json"),
];

/// The command's words, as `dojo-capture check` takes them.
const OPERATION_WORDS: [&str; 5] = ["capture", "refund", "reverse", "cancel", "change-amount"];

/// What `dojo-capture check` is given, as text: the intent's bytes, the
/// operation, the amount and `--now`.
#[derive(Arbitrary, Debug)]
pub struct CheckInput {
    /// The intent file's bytes.
    pub intent: IntentSource,
    /// The OPERATION argument.
    pub operation: OperationText,
    /// The AMOUNT argument, if given.
    pub amount: Option<AmountText>,
    /// The `--now` argument.
    pub now: NowText,
}

/// Where the intent's bytes come from.
#[derive(Arbitrary, Debug)]
pub enum IntentSource {
    /// One of `docs/examples/`.
    Example(u8),
    /// An intent built field by field, often inconsistent.
    Built(BuiltIntent),
    /// Any bytes.
    Raw(Vec<u8>),
}

/// A payment intent's lifecycle fields, each free to contradict the others.
///
/// Every shape D13-D20 decide can be spelled: a refund under `Authorized`
/// or `Captured` (`refunded` with any status), the intent's own tip,
/// captures without an id or with a zero tip, a Manual intent `Reversed`
/// after a Successful capture or `Captured` with no capture and
/// `autoExpireAction: Capture`, timestamps without an offset, an empty
/// `transactionDateTime`, a byte-order mark and unknown enum words.
#[derive(Arbitrary, Clone, Debug)]
pub struct BuiltIntent {
    /// Index into the six statuses (a seventh spelling is unknown).
    pub status: u8,
    /// `Manual`, `Auto`, or absent.
    pub manual: Option<bool>,
    /// The amount.
    pub amount: Money,
    /// `refundedAmount`, raw.
    pub refunded: Option<i64>,
    /// `captures[]`.
    pub captures: Vec<BuiltCapture>,
    /// Seconds after 2024-07-25T08:49:20Z of the payment, if present:
    /// `paymentDetails.transactionDateTime`.
    pub paid: Option<i32>,
    /// Index into a few `autoExpireIn` texts, with an action or not.
    pub auto_expire: Option<(u8, Option<bool>)>,
    /// `config.payment.customAmountAllowed`.
    pub custom_amount_allowed: Option<bool>,
    /// The intent's own `tipsAmount` in its currency (D14; zero is no tip, D18).
    pub tips: Option<u16>,
    /// Seconds after 2024-07-25T08:49:20Z of `createdAt`, if present.
    pub created: Option<i32>,
    /// How the JSON is written.
    pub spelling: Spelling,
}

/// How a [`BuiltIntent`] is written out, where Dojo's real JSON varies.
#[derive(Arbitrary, Clone, Debug)]
pub struct Spelling {
    /// A UTF-8 byte-order mark before the JSON (D20).
    pub bom: bool,
    /// Every timestamp without an offset, `2024-07-25T08:49:20` (D15: UTC).
    pub bare_times: bool,
    /// `transactionDateTime` written as `""` (D15: absent, so the payment
    /// time is `createdAt`).
    pub empty_transaction: bool,
    /// Each capture carries a `createdAt`.
    pub capture_times: bool,
    /// One enum field holds a word the spec does not list (D20): the
    /// status, the capture mode, the auto-expire action or the first
    /// capture's status, by this index.
    pub unknown_word: Option<u8>,
}

/// One `captures[]` entry.
#[derive(Arbitrary, Clone, Debug)]
pub struct BuiltCapture {
    /// Index into the id pool; just past its end no id, then `"id": null` (D16).
    pub id: u8,
    /// Minor units, raw.
    pub amount: i64,
    /// Tip in minor units, raw (zero is no tip, D18).
    pub tips: Option<i64>,
    /// Index into the capture statuses.
    pub status: u8,
}

const STATUSES: [&str; 7] = [
    "Created",
    "Authorized",
    "Captured",
    "Refunded",
    "Reversed",
    "Canceled",
    "Paid",
];
const CAPTURE_STATUSES: [&str; 4] = ["Created", "Successful", "Declined", "Failed"];
const AUTO_EXPIRE_TEXTS: [&str; 6] = [
    "00:00:30",
    "00:00:30.0000001",
    "01:00:00",
    "06.23:59:59.9999999",
    "07.00:00:00",
    "1.2:3",
];

/// The paid time [`BuiltIntent`] counts from, the examples' own.
const PAID: i64 = 1_721_897_360;

/// Words no enum of the spec lists, one per field [`Spelling::unknown_word`] picks.
const UNKNOWN_WORDS: [(&str, &str); 4] = [
    ("status", "Pending"),
    ("captureMode", "Deferred"),
    ("autoExpireAction", "Extend"),
    ("captures", "Settled"),
];

impl BuiltIntent {
    fn to_json(&self) -> Vec<u8> {
        let spelling = &self.spelling;
        let time = |offset: i32| {
            Timestamp::from_second(PAID + i64::from(offset))
                .ok()
                .map(|t| {
                    if spelling.bare_times {
                        t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
                    } else {
                        t.to_string()
                    }
                })
        };
        let captures: Vec<Value> = self
            .captures
            .iter()
            .take(8)
            .enumerate()
            .map(|(index, c)| {
                let mut capture = json!({
                    "amount": c.amount % 100_000,
                    "status": CAPTURE_STATUSES[usize::from(c.status) % CAPTURE_STATUSES.len()],
                });
                match usize::from(c.id) % (ID_POOL.len() + 2) {
                    n if n < ID_POOL.len() => capture["id"] = json!(ID_POOL[n]),
                    n if n == ID_POOL.len() => {}
                    _ => capture["id"] = Value::Null,
                }
                if let Some(tips) = c.tips {
                    capture["tipsAmount"] = json!(tips % 1_000);
                }
                if spelling.capture_times {
                    let offset = i32::try_from(index).unwrap_or(0) * 60;
                    capture["createdAt"] = json!(time(offset));
                }
                capture
            })
            .collect();
        let mut intent = json!({
            "status": STATUSES[usize::from(self.status) % STATUSES.len()],
            "amount": self.amount,
            "captures": captures,
        });
        if let Some(manual) = self.manual {
            intent["captureMode"] = json!(if manual { "Manual" } else { "Auto" });
        }
        if let Some(refunded) = self.refunded {
            intent["refundedAmount"] = json!(refunded % 100_000);
        }
        if let Some(tips) = self.tips {
            intent["tipsAmount"] =
                json!({ "value": tips, "currencyCode": self.amount.currency().code() });
        }
        if let Some(created) = self.created {
            intent["createdAt"] = json!(time(created));
        }
        if spelling.empty_transaction {
            intent["paymentDetails"] = json!({ "transactionDateTime": "" });
        } else if let Some(paid) = self.paid {
            intent["paymentDetails"] = json!({ "transactionDateTime": time(paid) });
        }
        if let Some((text, action)) = self.auto_expire {
            intent["autoExpireIn"] =
                json!(AUTO_EXPIRE_TEXTS[usize::from(text) % AUTO_EXPIRE_TEXTS.len()]);
            if let Some(capture) = action {
                intent["autoExpireAction"] = json!(if capture { "Capture" } else { "Release" });
            }
        }
        if let Some(allowed) = self.custom_amount_allowed {
            intent["config"] = json!({ "payment": { "customAmountAllowed": allowed } });
        }
        if let Some(pick) = spelling.unknown_word {
            match UNKNOWN_WORDS[usize::from(pick) % UNKNOWN_WORDS.len()] {
                ("captures", word) => {
                    if let Some(first) = intent["captures"].get_mut(0) {
                        first["status"] = json!(word);
                    }
                }
                (field, word) => intent[field] = json!(word),
            }
        }
        let mut bytes = if spelling.bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(serde_json::to_vec(&intent).unwrap_or_default());
        bytes
    }
}

impl BuiltIntent {
    /// The same intent in the plainest spelling: no byte-order mark,
    /// timestamps with an offset, no empty `transactionDateTime`, no zero
    /// tip and no `"id": null`.
    fn plain(&self) -> BuiltIntent {
        let mut plain = self.clone();
        plain.spelling.bom = false;
        plain.spelling.bare_times = false;
        if plain.spelling.empty_transaction {
            plain.spelling.empty_transaction = false;
            plain.paid = None;
        }
        plain.tips = plain.tips.filter(|tips| *tips != 0);
        let absent = u8::try_from(ID_POOL.len()).unwrap_or(0);
        for capture in &mut plain.captures {
            capture.tips = capture.tips.filter(|tips| tips % 1_000 != 0);
            if usize::from(capture.id) % (ID_POOL.len() + 2) > ID_POOL.len() {
                capture.id = absent;
            }
        }
        plain
    }

    /// The field and word of the first enum field written with a word the
    /// spec does not list, in the order the crate reports them.
    fn unknown_word(&self) -> Option<(String, &'static str)> {
        let status = STATUSES[usize::from(self.status) % STATUSES.len()];
        let pick = self
            .spelling
            .unknown_word
            .map(|pick| UNKNOWN_WORDS[usize::from(pick) % UNKNOWN_WORDS.len()]);
        match pick {
            Some(("status", word)) => Some(("status".to_owned(), word)),
            _ if !STATUSES[..6].contains(&status) => Some(("status".to_owned(), status)),
            Some(("captures", _)) if self.captures.is_empty() => None,
            Some(("captures", word)) => Some(("captures[0].status".to_owned(), word)),
            Some((field, word)) => Some((field.to_owned(), word)),
            None => None,
        }
    }
}

/// D15, D16, D18, D20: how Dojo spells an intent never changes what it is.
/// A byte-order mark, a timestamp without an offset (UTC), an empty
/// `transactionDateTime` (absent), a zero tip (no tip) and `"id": null`
/// (no id) read exactly as the plainest spelling does; an unknown enum word
/// is refused as `unknown_enum_word`, naming the field and the word.
fn spellings_agree(built: &BuiltIntent) {
    let as_sent = AnyPaymentIntent::from_json(&built.to_json());
    let plain = AnyPaymentIntent::from_json(&built.plain().to_json());
    match (&as_sent, &plain) {
        (Ok(sent), Ok(plain)) => ensure(
            sent == plain,
            "an intent reads the same in any spelling the decisions allow",
            &(built, sent, plain),
        ),
        _ => ensure(
            as_sent.as_ref().err().map(RehydrateError::code)
                == plain.as_ref().err().map(RehydrateError::code),
            "an intent is refused for the same reason in any spelling the decisions allow",
            &(built, &as_sent, &plain),
        ),
    }
    if let Some((field, word)) = built.unknown_word() {
        let message = as_sent.as_ref().err().map(ToString::to_string);
        ensure(
            as_sent.as_ref().err().map(RehydrateError::code) == Some("unknown_enum_word")
                && message
                    .as_ref()
                    .is_some_and(|m| m.contains(&field) && m.contains(&format!("{word:?}"))),
            "an unknown enum word is refused as unknown_enum_word, naming the field and the word",
            &(built, &as_sent, field, word),
        );
    }
}

impl IntentSource {
    fn bytes(&self) -> Vec<u8> {
        match self {
            IntentSource::Example(n) => EXAMPLES[usize::from(*n) % EXAMPLES.len()].to_vec(),
            IntentSource::Built(built) => built.to_json(),
            IntentSource::Raw(bytes) => bytes.clone(),
        }
    }
}

/// The OPERATION argument.
#[derive(Arbitrary, Debug)]
pub enum OperationText {
    /// One of the five words.
    Word(u8),
    /// Any text.
    Any(String),
}

/// The AMOUNT argument.
#[derive(Arbitrary, Debug)]
pub enum AmountText {
    /// A figure of the intent, written as a bare decimal (`7.50`).
    Plain(AmountPick),
    /// A figure of the intent, written with its code (`7.50 GBP`).
    WithCode(AmountPick),
    /// Any text.
    Any(String),
}

/// The `--now` argument.
#[derive(Arbitrary, Debug)]
pub enum NowText {
    /// Seconds after the intent's payment (or the examples' payment time).
    Offset(i32),
    /// Any text.
    Any(String),
}

/// `check_command`: the `check` command's library entry point,
/// [`check::run`], on arbitrary text, as `dojo-capture check` calls it.
///
/// * `parse_now` and `run` never panic; unusable input is exit code 2 with a
///   message that starts with its code;
/// * a verdict is exit code 0 exactly when allowed and 1 otherwise, names a
///   rule exactly when refused, starts its message with `allowed:` or the
///   rule's code, and its JSON is valid and says the same;
/// * `run` fails exactly when the intent does not rehydrate or the
///   arguments are not an operation on it, and blames the right one;
/// * the verdict is `AnyPaymentIntent::check`'s on the rehydrated intent,
///   rule for rule, and reports that intent's state and figures.
pub fn check_command(input: &CheckInput) {
    let json = input.intent.bytes();
    let rehydrated = AnyPaymentIntent::from_json(&json);
    let operation = match &input.operation {
        OperationText::Word(n) => OPERATION_WORDS[usize::from(*n) % OPERATION_WORDS.len()],
        OperationText::Any(text) => text.as_str(),
    };
    let amount = input.amount.as_ref().map(|a| match a {
        AmountText::Plain(pick) => match &rehydrated {
            Ok(intent) => pick.resolve(intent).to_decimal().to_string(),
            Err(_) => "1.00".to_owned(),
        },
        AmountText::WithCode(pick) => match &rehydrated {
            Ok(intent) => pick.resolve(intent).to_string(),
            Err(_) => "1.00 GBP".to_owned(),
        },
        AmountText::Any(text) => text.clone(),
    });
    let now_text = match &input.now {
        NowText::Offset(secs) => {
            let paid = rehydrated
                .as_ref()
                .ok()
                .and_then(AnyPaymentIntent::paid_at)
                .unwrap_or(Timestamp::from_second(PAID).unwrap_or(Timestamp::UNIX_EPOCH));
            paid.checked_add(SignedDuration::from_secs(i64::from(*secs)))
                .unwrap_or(paid)
                .to_string()
        }
        NowText::Any(text) => text.clone(),
    };
    let now = match check::parse_now(&now_text) {
        Ok(now) => now,
        Err(e) => {
            ensure(
                e.exit_code() == 2 && e.code() == "invalid_time",
                "an unusable --now is exit code 2, invalid_time",
                &(&now_text, &e),
            );
            ensure(
                e.to_string().starts_with("invalid_time: "),
                "an input error's message starts with its code",
                &e,
            );
            return;
        }
    };

    let result = check::run(&json, operation, amount.as_deref(), now);
    let expected_operation = rehydrated
        .as_ref()
        .ok()
        .and_then(|intent| parse_operation(operation, amount.as_deref(), intent.currency()));
    let on = || format!("{operation:?} {amount:?} at {now}\n  intent: {rehydrated:?}");
    match result {
        Err(e) => {
            let message = e.to_string();
            ensure(
                e.exit_code() == 2 && !e.code().is_empty() && message.starts_with(e.code()),
                "an input error is exit code 2 with a message that starts with its code",
                &(&e, on()),
            );
            if e.concerns_intent() {
                ensure(
                    rehydrated.as_ref().err().map(|r| r.code()) == Some(e.code()),
                    "an error blamed on the intent is the intent's rehydration error",
                    &(&e, on()),
                );
            } else {
                ensure(
                    expected_operation.is_none(),
                    "an error blamed on the arguments comes with arguments that are not an operation",
                    &(&e, on()),
                );
            }
        }
        Ok(verdict) => {
            let Ok(intent) = &rehydrated else {
                panic!(
                    "property violated: a verdict comes only for an intent that rehydrates\n  on: {}",
                    on()
                );
            };
            let Some(operation) = expected_operation else {
                panic!(
                    "property violated: a verdict comes only for arguments that are an operation\n  on: {}",
                    on()
                );
            };
            verdict_is_consistent(&verdict, &on());
            let checked = intent.check(operation, now);
            ensure(
                verdict.allowed == checked.is_ok()
                    && verdict.rule == checked.as_ref().err().map(RuleViolation::rule),
                "the verdict is AnyPaymentIntent::check's on the rehydrated intent",
                &(&verdict, checked, on()),
            );
            let a = &verdict.amounts;
            ensure(
                verdict.state == intent.state()
                    && a.amount == intent.amount()
                    && a.captured == intent.captured()
                    && a.in_flight == intent.in_flight()
                    && a.refunded == intent.refunded()
                    && a.capturable == intent.capturable()
                    && a.refundable == intent.refundable(),
                "the verdict reports the rehydrated intent's state and figures",
                &(&verdict, on()),
            );
        }
    }
}

/// What the command's arguments mean, read as the README documents them:
/// an operation word, an amount exactly when the operation takes one,
/// written `7.50` (the intent's currency) or `7.50 GBP`.
fn parse_operation(word: &str, amount: Option<&str>, currency: Currency) -> Option<Operation> {
    let money = |text: &str| {
        if text.contains(' ') {
            Money::from_str(text).ok()
        } else {
            Money::parse_in(text, currency).ok()
        }
    };
    match (word, amount) {
        ("capture", Some(text)) => money(text).map(Operation::Capture),
        ("refund", Some(text)) => money(text).map(Operation::Refund),
        ("change-amount", Some(text)) => money(text).map(Operation::ChangeAmount),
        ("reverse", None) => Some(Operation::Reverse),
        ("cancel", None) => Some(Operation::Cancel),
        _ => None,
    }
}

fn verdict_is_consistent(verdict: &Verdict, on: &str) {
    ensure(
        verdict.exit_code() == if verdict.allowed { 0 } else { 1 },
        "a verdict's exit code is 0 when allowed, 1 when refused",
        &(verdict, on),
    );
    ensure(
        verdict.rule.is_none() == verdict.allowed,
        "a verdict names a rule exactly when it refuses",
        &(verdict, on),
    );
    let starts = match verdict.rule {
        None => verdict.message.starts_with("allowed: "),
        Some(rule) => verdict.message.starts_with(rule.code()),
    };
    ensure(
        starts,
        "a verdict's message starts with `allowed:` or the rule's code",
        &(verdict, on),
    );
    ensure(
        verdict.amounts.capturable_after.is_some() == verdict.allowed
            && verdict.amounts.refundable_after.is_some() == verdict.allowed,
        "the figures after the operation are reported exactly when it is allowed",
        &(verdict, on),
    );
    let text = verdict.to_json().to_string();
    let parsed: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => panic!("property violated: --json prints valid JSON: {e}\n  {text}"),
    };
    ensure(
        parsed.get("allowed") == Some(&Value::Bool(verdict.allowed))
            && parsed.get("rule") == Some(&verdict.rule.map_or(Value::Null, |r| json!(r.code())))
            && parsed.get("state") == Some(&json!(verdict.state.as_str()))
            && parsed.get("message") == Some(&json!(verdict.message)),
        "--json says what the verdict says",
        &(verdict, &text),
    );
}

/// Decodes `data` as a [`CheckInput`] and runs [`check_command`] on it.
pub fn check_command_bytes(data: &[u8]) {
    if let Some(input) = decode::<CheckInput>(data) {
        check_command(&input);
    }
}

// ---- e. record_answer -------------------------------------------------------

/// The most steps and outstanding prepared operations one input drives.
const ANSWER_MAX_STEPS: usize = 32;
const ANSWER_MAX_TOKENS: usize = 8;

/// Capture, refund and reversal ids answers draw from: a pool this small
/// makes an id Dojo already gave come back in most sequences.
const ANSWER_ID_POOL: [&str; 4] = ["cp_a", "cp_b", "rf_1", "rv_1"];

/// The id fields a 2xx body may carry, by [`BodyPick::Id`]'s `field`.
const ANSWER_ID_FIELDS: [&str; 3] = ["captureId", "refundId", "reversalId"];

/// Dojo's id of every intent `record_answer` builds: prepared operations
/// need one.
const ANSWER_INTENT_ID: &str = "pi_1";

/// An intent, prepared operations on it, Dojo's answers to them (any status,
/// any body, or none) and fresh reads.
#[derive(Arbitrary, Debug)]
pub struct RecordAnswerInput {
    /// The intent the steps start from.
    pub intent: AnswerIntent,
    /// What then happens, in order.
    pub steps: Vec<AnswerStep>,
}

/// Where the intent comes from.
#[derive(Arbitrary, Debug)]
pub enum AnswerIntent {
    /// Built through the typed API, with id `pi_1`, in GBP.
    Typed {
        /// The amount in pence (zero is taken as one penny).
        amount: u16,
        /// Manual rather than Auto capture.
        manual: bool,
        /// `customAmountAllowed`.
        custom_amount_allowed: bool,
        /// Tips allowed.
        tips_allowed: bool,
        /// Paid at 2024-07-25T08:49:20Z (an Auto intent is then captured).
        paid: bool,
    },
    /// As Dojo would report it, with `"id": "pi_1"` set; skipped when it
    /// does not rehydrate.
    Wire(BuiltIntent),
}

/// One thing that happens around the HTTP call.
#[derive(Arbitrary, Debug)]
pub enum AnswerStep {
    /// An operation is prepared, `seconds` after the payment (or after
    /// 2024-07-25T08:49:20Z when unpaid).
    Prepare {
        /// Which operation.
        op: PrepareOp,
        /// When.
        seconds: u16,
    },
    /// Dojo's answer to one outstanding prepared operation
    /// (`token % outstanding`), recorded; the token is consumed.
    Answer {
        /// Which outstanding token.
        token: u8,
        /// The answer.
        answer: AnswerPick,
    },
    /// A fresh read of the intent is reconciled.
    Reconcile(ReadPick),
}

/// The operation prepared.
#[derive(Arbitrary, Debug)]
pub enum PrepareOp {
    /// A capture, with a tip or not.
    Capture {
        /// How much.
        amount: AmountPick,
        /// The tip.
        tips: Option<AmountPick>,
    },
    /// A refund under `KEY_POOL[key % len]`.
    Refund {
        /// Which key.
        key: u8,
        /// How much.
        amount: AmountPick,
    },
    /// A reversal.
    Reversal,
    /// A cancel.
    Cancel,
    /// A change of amount.
    ChangeAmount(AmountPick),
    /// A change of tip.
    ChangeTips(AmountPick),
}

/// Dojo's answer.
#[derive(Arbitrary, Debug)]
pub enum AnswerPick {
    /// An HTTP answer.
    Http {
        /// The status code.
        status: StatusPick,
        /// The body.
        body: BodyPick,
        /// A UTF-8 byte-order mark before the body (D20).
        bom: bool,
    },
    /// No answer: a timeout, a reset connection.
    TransportFailure,
}

/// A status code: mostly in the classes that decide, sometimes any.
#[derive(Arbitrary, Debug)]
pub enum StatusPick {
    /// `200 + n % 100`.
    Success(u8),
    /// `400 + n % 100`.
    ClientError(u8),
    /// `500 + n % 100`.
    ServerError(u8),
    /// Any `u16`, even no HTTP status at all.
    Any(u16),
}

impl StatusPick {
    fn code(&self) -> u16 {
        match self {
            StatusPick::Success(n) => 200 + u16::from(*n) % 100,
            StatusPick::ClientError(n) => 400 + u16::from(*n) % 100,
            StatusPick::ServerError(n) => 500 + u16::from(*n) % 100,
            StatusPick::Any(n) => *n,
        }
    }
}

/// An answer's body.
#[derive(Arbitrary, Debug)]
pub enum BodyPick {
    /// `{"<field>": "<id>"}`: the field the operation expects when `field`
    /// is 0, else `ANSWER_ID_FIELDS[(field - 1) % 3]`.
    Id {
        /// Which field.
        field: u8,
        /// The id.
        id: IdText,
    },
    /// The intent as it stands here, as JSON; with the operation applied
    /// (a cancel's status, a change's amount or tip) when `agrees`.
    Intent {
        /// The operation applied.
        agrees: bool,
    },
    /// RFC 7807 problem details.
    Problem {
        /// `title`.
        title: Option<String>,
        /// `detail`.
        detail: Option<String>,
    },
    /// No body.
    Empty,
    /// Any bytes.
    Raw(Vec<u8>),
}

/// An id in an answer or a read.
#[derive(Arbitrary, Debug)]
pub enum IdText {
    /// `ANSWER_ID_POOL[n % len]`.
    Pool(u8),
    /// Any text.
    Any(String),
}

impl IdText {
    fn text(&self) -> &str {
        match self {
            IdText::Pool(n) => ANSWER_ID_POOL[usize::from(*n) % ANSWER_ID_POOL.len()],
            IdText::Any(text) => text,
        }
    }
}

/// A fresh read of the intent.
#[derive(Arbitrary, Debug)]
pub enum ReadPick {
    /// The intent's own `to_resource()` JSON.
    Own,
    /// That, with one more capture listed.
    OwnWithCapture {
        /// Its id.
        id: IdText,
        /// Its amount.
        amount: AmountPick,
        /// `CAPTURE_STATUSES[status % len]`.
        status: u8,
        /// `createdAt`, seconds after the payment (or 2024-07-25T08:49:20Z).
        created: Option<u16>,
    },
    /// Any bytes.
    Raw(Vec<u8>),
}

/// A prepared operation awaiting its answer.
enum Token {
    Capture(dojo_capture::PreparedCapture),
    Refund(dojo_capture::PreparedRefund),
    Reversal(dojo_capture::PreparedReversal),
    Cancel(dojo_capture::PreparedCancel),
    ChangeAmount(dojo_capture::PreparedAmountChange, Money),
    ChangeTips(dojo_capture::PreparedTipsChange, Money),
}

impl Token {
    /// The id field a 2xx body carries for this operation.
    fn id_field(&self) -> &'static str {
        match self {
            Token::Capture(_) => "captureId",
            Token::Refund(_) => "refundId",
            _ => "reversalId",
        }
    }
}

/// What an intent holds apart from its pending operations: a recorded
/// answer that does not apply may change only those.
#[derive(Debug, PartialEq)]
struct Settled {
    resource: PaymentIntentResource,
    state: IntentState,
    id: Option<String>,
    amount: Money,
    capture_mode: CaptureMode,
    paid_at: Option<Timestamp>,
    deadline: Option<Timestamp>,
    auto_expiry: Option<AutoExpiry>,
    custom_amount_allowed: bool,
    tips_allowed: bool,
    tips: Option<Money>,
    captured: Money,
    captured_tips: Money,
    refunded: Money,
    captures: Vec<dojo_capture::CaptureRecord>,
}

fn settled(intent: &AnyPaymentIntent) -> Settled {
    Settled {
        resource: intent.to_resource(),
        state: intent.state(),
        id: intent.id().map(str::to_owned),
        amount: intent.amount(),
        capture_mode: intent.capture_mode(),
        paid_at: intent.paid_at(),
        deadline: intent.authorization_deadline(),
        auto_expiry: intent.auto_expiry(),
        custom_amount_allowed: intent.custom_amount_allowed(),
        tips_allowed: intent.tips_allowed(),
        tips: intent.tips(),
        captured: intent.captured(),
        captured_tips: intent.captured_tips(),
        refunded: intent.refunded(),
        captures: intent.captures().to_vec(),
    }
}

/// The pending operations, in a form a property can edit.
#[derive(Clone, Debug, PartialEq)]
struct Pending {
    captures: Vec<(u64, Money, Option<Money>, Timestamp, bool)>,
    refunds: Vec<(IdempotencyKey, Money, bool)>,
    operation: Option<(OperationKind, Option<Money>, bool)>,
}

fn pending(intent: &AnyPaymentIntent) -> Pending {
    Pending {
        captures: intent
            .pending_captures()
            .iter()
            .map(|p| {
                (
                    p.local_id(),
                    p.amount(),
                    p.tips(),
                    p.prepared_at(),
                    p.outcome_unknown(),
                )
            })
            .collect(),
        refunds: intent
            .pending_refunds()
            .iter()
            .map(|p| (p.key().clone(), p.amount(), p.outcome_unknown()))
            .collect(),
        operation: intent
            .pending_operation()
            .map(|p| (p.operation(), p.amount(), p.outcome_unknown())),
    }
}

fn nothing_pending(intent: &AnyPaymentIntent) -> bool {
    intent.pending_captures().is_empty()
        && intent.pending_refunds().is_empty()
        && intent.pending_operation().is_none()
}

/// Which pending entry a token answers, as `src/ledger.rs` matches it.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Capture(usize),
    Refund(usize),
    Operation,
}

/// What a recorded answer that did not apply may change, exactly
/// (`src/ledger.rs`, `record_*_answer`):
///
/// * `…_not_pending` (the token answers nothing pending here): nothing;
/// * a 4xx, `…_refused`: the matched pending entry is removed (its amount
///   released), nothing else;
/// * anything else (5xx, another status, a transport failure, a 2xx
///   without a usable id, an id already recorded, a 2xx whose intent
///   contradicts): the matched entry's `outcome_unknown` becomes true,
///   nothing else, and the intent needs a read.
///
/// `slot` is the entry the token matched before the answer, if any.
fn refusal_changes_only_what_it_may(
    before: &AnyPaymentIntent,
    error: &dojo_capture::AnswerError<AnyPaymentIntent>,
    slot: Option<Slot>,
    status: Option<u16>,
    on: &dyn Debug,
) {
    let after = error.intent();
    let code = error.code();
    let on = &(code, on);
    ensure(
        error.status() == status.filter(|_| !code.ends_with("_not_pending")),
        "an answer error carries the status Dojo answered with",
        on,
    );
    let Some(slot) = slot else {
        ensure(
            code.ends_with("_not_pending") && !error.outcome_unknown() && after == before,
            "an answer to nothing pending is `…_not_pending` and changes nothing",
            on,
        );
        return;
    };
    ensure(
        settled(after) == settled(before),
        "an answer that does not apply changes nothing but the pending operation",
        &(settled(before), settled(after), on),
    );
    let mut expected = pending(before);
    let client_error = status.is_some_and(|s| (400..=499).contains(&s));
    // A 4xx to a refund already of unknown outcome refuses the retry, not
    // the first request, which may have landed (D22): nothing is released.
    let retry_refused = client_error
        && matches!(slot, Slot::Refund(i) if before.pending_refunds()[i].outcome_unknown());
    if retry_refused {
        ensure(
            code == "refund_retry_refused" && error.outcome_unknown() && after.needs_read(),
            "a 4xx to a refund of unknown outcome is `refund_retry_refused`, its outcome still unknown",
            on,
        );
    } else if client_error {
        ensure(
            code.ends_with("_refused") && !error.outcome_unknown(),
            "a 4xx is `…_refused`, of known outcome",
            on,
        );
        match slot {
            Slot::Capture(i) => drop(expected.captures.remove(i)),
            Slot::Refund(i) => drop(expected.refunds.remove(i)),
            Slot::Operation => expected.operation = None,
        }
    } else {
        ensure(
            error.outcome_unknown() && !code.ends_with("_refused") && after.needs_read(),
            "an answer other than a 2xx with a usable id or a 4xx leaves the outcome unknown and the intent needing a read",
            on,
        );
        match slot {
            Slot::Capture(i) => expected.captures[i].4 = true,
            Slot::Refund(i) => expected.refunds[i].2 = true,
            Slot::Operation => {
                if let Some(operation) = &mut expected.operation {
                    operation.2 = true;
                }
            }
        }
    }
    ensure(
        pending(after) == expected,
        "a refusal releases exactly the prepared entry; an unknown outcome only marks it unknown",
        &(pending(before), pending(after), on),
    );
    let released = match slot {
        Slot::Capture(i) if client_error => before.pending_captures()[i].amount().minor_units(),
        _ => 0,
    };
    ensure(
        after.in_flight().minor_units() == before.in_flight().minor_units() - released,
        "a 4xx releases exactly the prepared capture's amount; any other answer keeps it in flight",
        on,
    );
}

/// The body's bytes, its string `field` if it is a JSON object holding one.
fn body_field(body: &[u8], field: &str) -> Option<String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice::<Value>(body)
        .ok()?
        .get(field)?
        .as_str()
        .map(str::to_owned)
}

fn answer_body(body: &BodyPick, bom: bool, token: &Token, intent: &AnyPaymentIntent) -> Vec<u8> {
    let mut bytes = if bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    let json = match body {
        BodyPick::Id { field, id } => {
            let name = match field {
                0 => token.id_field(),
                n => ANSWER_ID_FIELDS[usize::from(n - 1) % ANSWER_ID_FIELDS.len()],
            };
            json!({ name: id.text() })
        }
        BodyPick::Intent { agrees } => {
            let mut resource = intent.to_resource();
            if *agrees {
                match token {
                    Token::Cancel(_) => resource.status = PaymentIntentStatus::Canceled,
                    Token::ChangeAmount(_, amount) => resource.amount = Some(*amount),
                    Token::ChangeTips(_, tips) => resource.tips_amount = Some(*tips),
                    _ => {}
                }
            }
            serde_json::to_value(&resource).unwrap_or(Value::Null)
        }
        BodyPick::Problem { title, detail } => json!({
            "type": "https://docs.dojo.tech/problem",
            "title": title,
            "status": 400,
            "detail": detail,
            "traceId": "00-trace-01",
        }),
        BodyPick::Empty => return bytes,
        BodyPick::Raw(raw) => {
            bytes.extend_from_slice(raw);
            return bytes;
        }
    };
    bytes.extend(serde_json::to_vec(&json).unwrap_or_default());
    bytes
}

fn answer_intent(source: &AnswerIntent) -> Option<AnyPaymentIntent> {
    let paid = Timestamp::from_second(PAID).ok()?;
    match source {
        AnswerIntent::Typed {
            amount,
            manual,
            custom_amount_allowed,
            tips_allowed,
            paid: is_paid,
        } => {
            let amount = Money::new(i64::from((*amount).max(1)), Currency::GBP);
            let mode = if *manual {
                CaptureMode::Manual
            } else {
                CaptureMode::Auto
            };
            let intent = PaymentIntent::new(amount, mode)
                .with_id(ANSWER_INTENT_ID)
                .with_custom_amount_allowed(*custom_amount_allowed)
                .with_tips_allowed(*tips_allowed)
                .into_any();
            if *is_paid {
                intent.authorize(paid).ok()
            } else {
                Some(intent)
            }
        }
        AnswerIntent::Wire(built) => {
            let json = built.to_json();
            let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&json);
            let mut value: Value = serde_json::from_slice(json).ok()?;
            value["id"] = json!(ANSWER_INTENT_ID);
            AnyPaymentIntent::from_json(&serde_json::to_vec(&value).ok()?).ok()
        }
    }
}

/// `record_answer`: operations prepared around the HTTP call, any answer
/// Dojo (or the network) could give recorded, and fresh reads reconciled,
/// through `AnyPaymentIntent`.
///
/// * nothing panics, and after every step the intent holds the step
///   invariants (`check_intent`);
/// * a refused prepare hands the intent back unchanged;
/// * a recorded answer that does not apply changes exactly what
///   [`refusal_changes_only_what_it_may`] allows: nothing for a token not
///   pending, the prepared entry released for a 4xx, the entry marked of
///   unknown outcome (and the intent needing a read) for anything else;
/// * a 2xx with a new, valid `captureId` binds exactly one capture, with
///   that id and the prepared amount and tip, in flight (`Created`); an
///   accepted answer is a 2xx whose body names the id returned;
/// * a 2xx with a `refundId` refunds exactly the prepared amount; a
///   replayed refund's answer changes nothing;
/// * an accepted reversal, cancel or change applies exactly that;
/// * a refused reconcile hands the intent back unchanged, with a
///   `reconcile_` code; an accepted one leaves nothing needing a read;
/// * reconciling an intent with its own read when nothing is pending
///   changes nothing.
pub fn record_answer(input: &RecordAnswerInput) {
    let Some(mut intent) = answer_intent(&input.intent) else {
        return;
    };
    holds(invariants::check_intent(&intent), &intent);
    let base = Timestamp::from_second(PAID).unwrap_or(Timestamp::UNIX_EPOCH);
    let version = dojo_capture::request::ApiVersion::default();
    let mut tokens: Vec<Token> = Vec::new();
    for step in input.steps.iter().take(ANSWER_MAX_STEPS) {
        match step {
            AnswerStep::Prepare { op, seconds } => {
                if tokens.len() >= ANSWER_MAX_TOKENS {
                    continue;
                }
                let now = intent.paid_at().unwrap_or(base)
                    + SignedDuration::from_secs(i64::from(*seconds));
                let before = intent.copied();
                let prepared = match op {
                    PrepareOp::Capture { amount, tips } => {
                        let amount = amount.resolve(&before);
                        let tips = tips.as_ref().map(|t| t.resolve(&before));
                        intent
                            .prepare_capture(amount, tips, now, version)
                            .map(|(i, p)| (i, Token::Capture(p)))
                    }
                    PrepareOp::Refund { key, amount } => {
                        let key = refund_key(&KeyPick::Pool(*key));
                        let amount = amount.resolve(&before);
                        intent
                            .prepare_refund(
                                key,
                                amount,
                                dojo_capture::RefundDetails::default(),
                                version,
                            )
                            .map(|(i, p)| (i, Token::Refund(p)))
                    }
                    PrepareOp::Reversal => intent
                        .prepare_reversal(now, version)
                        .map(|(i, p)| (i, Token::Reversal(p))),
                    PrepareOp::Cancel => intent
                        .prepare_cancel(version)
                        .map(|(i, p)| (i, Token::Cancel(p))),
                    PrepareOp::ChangeAmount(amount) => {
                        let amount = amount.resolve(&before);
                        intent
                            .prepare_change_amount(amount, version)
                            .map(|(i, p)| (i, Token::ChangeAmount(p, amount)))
                    }
                    PrepareOp::ChangeTips(tips) => {
                        let tips = tips.resolve(&before);
                        intent
                            .prepare_change_tips(tips, version)
                            .map(|(i, p)| (i, Token::ChangeTips(p, tips)))
                    }
                };
                intent = match prepared {
                    Ok((after, token)) => {
                        tokens.push(token);
                        after
                    }
                    Err(rejected) => {
                        ensure(
                            rejected.intent() == &before,
                            "a refused prepare hands the intent back unchanged",
                            &(op, rejected.violation()),
                        );
                        rejected.into_intent()
                    }
                };
            }
            AnswerStep::Answer { token, answer } => {
                if tokens.is_empty() {
                    continue;
                }
                let token = tokens.remove(usize::from(*token) % tokens.len());
                intent = record_one(intent, token, answer);
            }
            AnswerStep::Reconcile(read) => {
                intent = reconcile_one(intent, read);
            }
        }
        holds(invariants::check_intent(&intent), &intent);
    }
}

/// Records `answer` for `token` and checks what it did; the intent after.
fn record_one(intent: AnyPaymentIntent, token: Token, answer: &AnswerPick) -> AnyPaymentIntent {
    let before = intent.copied();
    let (status, body) = match answer {
        AnswerPick::Http { status, body, bom } => (
            Some(status.code()),
            answer_body(body, *bom, &token, &before),
        ),
        AnswerPick::TransportFailure => (None, Vec::new()),
    };
    let answered = match status {
        Some(status) => dojo_capture::Answer::Http {
            status,
            body: &body,
        },
        None => dojo_capture::Answer::TransportFailure,
    };
    let success = status.is_some_and(|s| (200..=299).contains(&s));
    let on = &(&answer, String::from_utf8_lossy(&body));
    let id_body = matches!(
        answer,
        AnswerPick::Http {
            body: BodyPick::Id { .. },
            ..
        }
    );
    match token {
        Token::Capture(prepared) => {
            let (amount, tips, at) = (prepared.amount(), prepared.tips(), prepared.prepared_at());
            let slot = before.pending_captures().iter().position(|p| {
                p.local_id() == prepared.local_id()
                    && p.amount() == amount
                    && p.tips() == tips
                    && p.prepared_at() == at
                    && !p.outcome_unknown()
            });
            // The id a 2xx must bind: a valid captureId the intent does not hold.
            let new_id = body_field(&body, "captureId")
                .and_then(|id| CaptureId::new(&id).ok())
                .filter(|id| !before.captures().iter().any(|c| c.id() == Some(id)));
            match before.copied().record_capture_answer(prepared, answered) {
                Ok((after, id)) => {
                    let Some(i) = slot else {
                        panic!("property violated: only a pending capture binds\n  on: {on:?}");
                    };
                    ensure(
                        success && new_id.as_ref() == Some(&id),
                        "a capture binds only on a 2xx naming a new captureId, and binds that id",
                        &(&id, on),
                    );
                    let mut captures = before.captures().to_vec();
                    let mut pending_after = pending(&before);
                    pending_after.captures.remove(i);
                    let bound: Vec<_> = after
                        .captures()
                        .iter()
                        .filter(|c| !captures.contains(c))
                        .collect();
                    ensure(
                        bound.len() == 1
                            && after.captures().len() == captures.len() + 1
                            && bound[0].id() == Some(&id)
                            && bound[0].amount() == amount
                            && bound[0].tips() == tips
                            && bound[0].status() == dojo_capture::CaptureStatus::Created
                            && bound[0].created_at() == Some(at),
                        "a 2xx with a valid id binds exactly one capture of the prepared amount and tip, in flight, created when prepared",
                        &(&before, &after, on),
                    );
                    captures.push(bound[0].clone());
                    ensure(
                        after.captures() == captures.as_slice()
                            && pending(&after) == pending_after
                            && after.in_flight() == before.in_flight()
                            && after.captured() == before.captured()
                            && after.refunded() == before.refunded()
                            && after.state() == before.state(),
                        "binding a capture moves it from pending to in flight and changes nothing else",
                        &(&before, &after, on),
                    );
                    after
                }
                Err(error) => {
                    if success && slot.is_some() && id_body {
                        ensure(
                            new_id.is_none(),
                            "a 2xx naming a new, valid captureId binds the pending capture",
                            &(&error, on),
                        );
                    }
                    refusal_changes_only_what_it_may(
                        &before,
                        &error,
                        slot.map(Slot::Capture),
                        status,
                        on,
                    );
                    error.into_intent()
                }
            }
        }
        Token::Refund(prepared) => {
            let (key, amount) = (prepared.key().clone(), prepared.amount());
            let slot = before
                .pending_refunds()
                .iter()
                .position(|p| *p.key() == key && p.amount() == amount);
            let refund_id = body_field(&body, "refundId").filter(|id| !id.is_empty());
            match before.copied().record_refund_answer(prepared, answered) {
                Ok((after, id)) => {
                    ensure(
                        success && refund_id.as_deref() == Some(id.as_str()),
                        "a refund is recorded only on a 2xx, with the refundId it names",
                        &(&id, on),
                    );
                    match slot {
                        // A replayed refund: Dojo deduplicates, nothing changes.
                        None => ensure(
                            after == before,
                            "the answer to a replayed refund changes nothing",
                            on,
                        ),
                        Some(i) => {
                            let mut pending_after = pending(&before);
                            pending_after.refunds.remove(i);
                            ensure(
                                after.refunded().minor_units()
                                    == before.refunded().minor_units() + amount.minor_units()
                                    && pending(&after) == pending_after
                                    && after.captures() == before.captures(),
                                "a 2xx with a refundId refunds exactly the prepared amount and changes nothing else",
                                &(&before, &after, on),
                            );
                        }
                    }
                    after
                }
                Err(error) => {
                    if slot.is_none() {
                        // A replay token, or one whose refund is no longer pending.
                        ensure(
                            error.intent() == &before,
                            "the answer to a refund not pending changes nothing",
                            &(&error, on),
                        );
                    } else {
                        if success && id_body && refund_id.is_some() {
                            ensure(
                                error.code() == "refund_id_already_recorded",
                                "a 2xx naming a refundId binds the pending refund unless the id is recorded already",
                                &(&error, on),
                            );
                        }
                        refusal_changes_only_what_it_may(
                            &before,
                            &error,
                            slot.map(Slot::Refund),
                            status,
                            on,
                        );
                    }
                    error.into_intent()
                }
            }
        }
        Token::Reversal(prepared) => {
            let slot = pending_slot(&before, OperationKind::Reverse);
            let recorded = before.copied().record_reversal_answer(prepared, answered);
            operation_recorded(&before, recorded, slot, status, on, |after| {
                after.state() == IntentState::Reversed
            })
        }
        Token::Cancel(prepared) => {
            let slot = pending_slot(&before, OperationKind::Cancel);
            let recorded = before.copied().record_cancel_answer(prepared, answered);
            operation_recorded(&before, recorded, slot, status, on, |after| {
                after.state() == IntentState::Canceled
            })
        }
        Token::ChangeAmount(prepared, amount) => {
            let slot = pending_slot(&before, OperationKind::ChangeAmount);
            let recorded = before
                .copied()
                .record_change_amount_answer(prepared, answered);
            operation_recorded(&before, recorded, slot, status, on, |after| {
                after.amount() == amount
            })
        }
        Token::ChangeTips(prepared, tips) => {
            let slot = pending_slot(&before, OperationKind::ChangeTips);
            let recorded = before
                .copied()
                .record_change_tips_answer(prepared, answered);
            operation_recorded(&before, recorded, slot, status, on, |after| {
                after.tips() == Some(tips).filter(|t| !t.is_zero())
            })
        }
    }
}

/// The pending operation slot, when the pending operation is of `kind`.
fn pending_slot(intent: &AnyPaymentIntent, kind: OperationKind) -> Option<Slot> {
    intent
        .pending_operation()
        .filter(|p| p.operation() == kind)
        .map(|_| Slot::Operation)
}

fn operation_recorded(
    before: &AnyPaymentIntent,
    recorded: Result<AnyPaymentIntent, dojo_capture::AnswerError<AnyPaymentIntent>>,
    slot: Option<Slot>,
    status: Option<u16>,
    on: &dyn Debug,
    applied: impl FnOnce(&AnyPaymentIntent) -> bool,
) -> AnyPaymentIntent {
    match recorded {
        Ok(after) => {
            ensure(
                slot.is_some() && status.is_some_and(|s| (200..=299).contains(&s)),
                "an operation is applied only when pending and answered with a 2xx",
                &(before, &after, on),
            );
            ensure(
                after.pending_operation().is_none()
                    && applied(&after)
                    && after.captures() == before.captures()
                    && after.refunded() == before.refunded()
                    && pending(&after).captures == pending(before).captures
                    && pending(&after).refunds == pending(before).refunds,
                "an accepted reversal, cancel or change applies exactly that",
                &(before, &after, on),
            );
            after
        }
        Err(error) => {
            refusal_changes_only_what_it_may(before, &error, slot, status, on);
            error.into_intent()
        }
    }
}

/// Reconciles `read` into `intent` and checks what it did; the intent after.
fn reconcile_one(intent: AnyPaymentIntent, read: &ReadPick) -> AnyPaymentIntent {
    let base = intent
        .paid_at()
        .unwrap_or(Timestamp::from_second(PAID).unwrap_or(Timestamp::UNIX_EPOCH));
    let bytes = match read {
        ReadPick::Own => serde_json::to_vec(&intent.to_resource()).unwrap_or_default(),
        ReadPick::OwnWithCapture {
            id,
            amount,
            status,
            created,
        } => {
            let mut value = serde_json::to_value(intent.to_resource()).unwrap_or(Value::Null);
            let mut capture = json!({
                "id": id.text(),
                "amount": amount.resolve(&intent).minor_units(),
                "status": CAPTURE_STATUSES[usize::from(*status) % CAPTURE_STATUSES.len()],
            });
            if let Some(seconds) = created {
                capture["createdAt"] =
                    json!((base + SignedDuration::from_secs(i64::from(*seconds))).to_string());
            }
            match value.get_mut("captures").and_then(Value::as_array_mut) {
                Some(captures) => captures.push(capture),
                None => value["captures"] = json!([capture]),
            }
            serde_json::to_vec(&value).unwrap_or_default()
        }
        ReadPick::Raw(raw) => raw.clone(),
    };
    let own = matches!(read, ReadPick::Own);
    let idle = nothing_pending(&intent);
    match read_twice(intent.copied(), &bytes) {
        Ok((merged, report)) => {
            holds(invariants::check_intent(&merged), &merged);
            ensure(
                !merged.needs_read(),
                "after a read that began past the settle horizon nothing needs a read",
                &(&merged, &report),
            );
            if own && idle {
                ensure(
                    merged == intent && !report.changed(),
                    "reconciling an intent with its own read when nothing is pending changes nothing",
                    &(&intent, &merged, &report),
                );
            }
            merged
        }
        Err(error) => {
            ensure(
                error.intent() == &intent && error.code().starts_with("reconcile_"),
                "a refused reconcile hands the intent back untouched, with a reconcile_ code",
                &(&error, String::from_utf8_lossy(&bytes)),
            );
            if own && idle {
                panic!(
                    "property violated: an intent with nothing pending reconciles with its own read\n  on: {error:?}\n  intent: {intent:?}"
                );
            }
            error.into_intent()
        }
    }
}

/// Decodes `data` as a [`RecordAnswerInput`] and runs [`record_answer`] on it.
pub fn record_answer_bytes(data: &[u8]) {
    if let Some(input) = decode::<RecordAnswerInput>(data) {
        record_answer(&input);
    }
}

/// `stored_intent`: any bytes read as the crate's own stored record
/// (`docs/storage.md`). The record is never trusted:
/// * reading never panics, and a refusal has a code and a message;
/// * an accepted record gives an intent that satisfies the step invariants,
///   whose stored form reads back to the very same intent and bytes
///   (`check_stored`), and, with nothing prepared, whose Dojo JSON
///   rehydrates to the same facts;
/// * an accepted record written again reads back the same through `serde`.
pub fn stored_intent(data: &[u8]) {
    match AnyPaymentIntent::from_stored_json(data) {
        Err(e) => ensure(
            !e.code().is_empty() && !e.to_string().is_empty(),
            "a refused record has a code and a message",
            &e,
        ),
        Ok(intent) => {
            holds(invariants::check_intent(&intent), &intent);
            holds(invariants::check_stored(&intent), &intent);
            // Dojo's JSON carries Dojo's facts only: without anything
            // prepared, it keeps every figure too.
            if intent.pending_captures().is_empty()
                && intent.pending_refunds().is_empty()
                && intent.pending_operation().is_none()
            {
                holds(invariants::check_round_trip(&intent), &intent);
            }
            let through_serde = serde_json::to_vec(&intent)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<AnyPaymentIntent>(&bytes).ok());
            ensure(
                through_serde.as_ref() == Some(&intent),
                "an accepted record reads back the same through serde",
                &intent,
            );
        }
    }
}

// ---- f. webhook_verify ------------------------------------------------------

/// The secret `webhook_verify` signs and verifies with: the one of Dojo's
/// published example, so that the example is a seed that verifies.
const WEBHOOK_SECRET: &str = "ws_OYsyzcrH70GpJfs8MMkKpg";

/// The `dojo-signature` value Dojo sends with `body`, computed with the
/// hmac crate directly, not through the library under test.
fn dojo_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
    else {
        panic!("HMAC takes a key of any length");
    };
    mac.update(body);
    let pairs: Vec<String> = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    format!("sha256={}", pairs.join("-"))
}

/// `webhook_verify`: the bytes up to the first newline are a
/// `dojo-signature` header, the rest is a body.
///
/// * the header verifies the body with the fixed secret exactly when it is
///   the header Dojo computes, its hexadecimal digits in either case; a
///   refusal has one of the documented codes;
/// * `WebhookSecret::sign` writes the header Dojo computes;
/// * the body signed correctly always verifies, whichever place the secret
///   has among two, and reading it gives an event with its required fields
///   or `webhook_not_an_event`, never a panic.
pub fn webhook_verify(data: &[u8]) {
    let (header, body) = match data.iter().position(|&byte| byte == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let secrets = match (
        WebhookSecret::new(WEBHOOK_SECRET),
        WebhookSecret::new("ws_another"),
    ) {
        (Ok(fixed), Ok(other)) => [fixed, other],
        _ => panic!("property violated: a non-empty secret is accepted"),
    };
    let correct = dojo_signature(WEBHOOK_SECRET, body);
    let shown = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    ensure(
        secrets[0].sign(body) == correct,
        "sign writes the header Dojo computes",
        &shown(body),
    );

    let scheme = "sha256=".len();
    let is_correct = header.len() == correct.len()
        && header[..scheme] == correct.as_bytes()[..scheme]
        && header[scheme..].eq_ignore_ascii_case(&correct.as_bytes()[scheme..]);
    let result = webhook::verify(body, header, &secrets[..1]);
    ensure(
        result.is_ok() == is_correct,
        "a header verifies exactly when it is Dojo's, its digits in either case",
        &(
            shown(header),
            shown(body),
            result.as_ref().map(|v| v.secret_index()),
        ),
    );
    if let Err(error) = result {
        ensure(
            [
                "webhook_signature_missing",
                "webhook_unknown_scheme",
                "webhook_malformed_digest",
                "webhook_signature_mismatch",
            ]
            .contains(&error.code()),
            "a refused header has a header's code",
            &(shown(header), error),
        );
    }

    let [fixed, other] = secrets;
    for (secrets, index) in [([fixed.clone(), other.clone()], 0), ([other, fixed], 1)] {
        let verified = webhook::verify(body, &correct, &secrets);
        ensure(
            verified.as_ref().map(|v| v.secret_index()) == Ok(index),
            "a body signed with one of the secrets verifies, at that secret's place",
            &(shown(body), index),
        );
        let Ok(verified) = verified else { continue };
        match verified.event() {
            Ok(event) => ensure(
                !event.id().is_empty()
                    && !event.name().as_str().is_empty()
                    && !event.payment_intent_id().is_empty()
                    && event.to_json()["paymentIntentId"] == event.payment_intent_id(),
                "an accepted event has its id, name and intent id",
                &(shown(body), event),
            ),
            Err(error) => ensure(
                error.code() == "webhook_not_an_event",
                "a verified body that is not an event is webhook_not_an_event",
                &(shown(body), error),
            ),
        }
    }
}

// ---- g. audit_line ----------------------------------------------------------

/// The test secret the example histories are signed with
/// (`scripts/histories.py`), so that their deliveries, as seeds, verify.
const HISTORY_SECRET: &str = "ws_history_example_only";

/// Whether `line` is an answer that names neither its intent nor its
/// request's path: the auditor routes it by the order of the whole file.
fn answer_routed_by_order(line: &[u8]) -> bool {
    let json = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
    serde_json::from_slice::<Value>(json).is_ok_and(|value| value.get("response").is_some())
        && audit::intent_id_of(line).is_none()
}

/// `audit_line`: the input, split on newlines, is a history; it is audited
/// without secrets and with the histories' test secret.
///
/// * feeding any lines never panics;
/// * every finding has a non-empty code and message, the number of the
///   line it was fed with, one line of text and the same JSON;
/// * the summary counts the lines fed and exactly the findings returned;
/// * the history split by [`audit::intent_id_of`], each part audited on its
///   own with the lines' numbers in the whole, has the same findings as the
///   whole (unless an answer names no intent, which only the whole file's
///   order routes): one intent's audit never depends on another's lines.
pub fn audit_line(data: &[u8]) {
    let lines: Vec<&[u8]> = data.split(|&byte| byte == b'\n').collect();
    let Ok(secret) = WebhookSecret::new(HISTORY_SECRET) else {
        panic!("property violated: a non-empty secret is accepted");
    };
    let shown = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    for secrets in [Vec::new(), vec![secret]] {
        let mut auditor = Auditor::new().with_secrets(secrets.clone());
        let mut whole = Vec::new();
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for (index, line) in lines.iter().enumerate() {
            for finding in auditor.feed(line) {
                ensure(
                    !finding.code().is_empty() && !finding.message().is_empty(),
                    "a finding has a code and a message",
                    &(shown(line), &finding),
                );
                ensure(
                    finding.line() == index as u64 + 1,
                    "a finding has the number of the line it was fed with",
                    &(shown(line), &finding),
                );
                ensure(
                    finding.to_string().lines().count() == 1
                        && finding.to_json()["code"] == finding.code()
                        && finding.to_json()["line"] == finding.line(),
                    "a finding prints on one line and as its JSON",
                    &(shown(line), &finding),
                );
                *counts.entry(finding.code()).or_default() += 1;
                whole.push(finding);
            }
        }
        let summary = auditor.summary();
        ensure(
            summary.lines() == lines.len() as u64
                && summary.by_code().collect::<BTreeMap<_, _>>() == counts,
            "the summary counts the lines fed and exactly the findings returned",
            &(&summary, &counts),
        );
        if lines.iter().any(|line| answer_routed_by_order(line)) {
            continue;
        }
        let mut parts: BTreeMap<Option<String>, Vec<(u64, &[u8])>> = BTreeMap::new();
        for (index, line) in lines.iter().enumerate() {
            parts
                .entry(audit::intent_id_of(line))
                .or_default()
                .push((index as u64 + 1, line));
        }
        let mut split = Vec::new();
        for part in parts.values() {
            let mut auditor = Auditor::new().with_secrets(secrets.clone());
            for (number, line) in part {
                split.extend(auditor.feed_numbered(*number, line));
            }
        }
        let key = |f: &audit::Finding| (f.line(), f.intent_id().map(str::to_owned), f.code());
        whole.sort_by_key(key);
        split.sort_by_key(key);
        ensure(
            whole == split,
            "a history split by intent id has the same findings as the whole",
            &(shown(data), &whole, &split),
        );
    }
}
