//! Checked rehydration: a payment intent as Dojo returns it becomes an
//! [`AnyPaymentIntent`] only when its money adds up.
//!
//! Dojo's JSON is trusted for facts (what was captured, what was refunded)
//! but not for consistency: every sum is re-checked, and a status the
//! amounts contradict is an error rather than a guess.

use jiff::SignedDuration;
use serde_json::Value;

use crate::any::AnyPaymentIntent;
use crate::ids::CaptureId;
use crate::ledger::{
    AutoExpiry, CaptureRecord, Ledger, Phase, RESERVED_RECORDS, Totals, no_zero_tip,
};
use crate::money::Money;
use crate::seen::Seen;
use crate::wire::intent::without_bom;
use crate::wire::{
    AutoExpireAction, CaptureMode, CaptureStatus, PaymentIntentResource, PaymentIntentStatus,
};

pub(crate) mod error;

use error::Kind;
pub use error::RehydrateError;

impl AnyPaymentIntent {
    /// Decodes a payment intent as `GET /payment-intents/{id}` returns it and
    /// rehydrates it.
    ///
    /// # Errors
    /// Malformed JSON, or any rehydration error.
    ///
    /// A UTF-8 byte-order mark before the JSON is ignored; a status, capture
    /// status, capture mode or auto-expire action the crate does not know is
    /// refused with an error naming the word and the field ([D20](crate::decisions#d20)).
    ///
    /// ```
    /// use dojo_capture::{AnyPaymentIntent, IntentState};
    ///
    /// let intent = AnyPaymentIntent::from_json(&std::fs::read("docs/examples/auto-captured.json")?)?;
    /// assert_eq!(intent.state(), IntentState::Captured);
    /// assert_eq!(intent.captured().minor_units(), 1000, "Dojo captured the whole amount");
    ///
    /// // Captures that pass the amount are refused, whatever the status says.
    /// let error = AnyPaymentIntent::from_json(br#"{"status": "Authorized", "captureMode": "Manual",
    ///     "amount": {"value": 1000, "currencyCode": "GBP"}, "createdAt": "2024-07-25T08:49:20Z",
    ///     "captures": [{"id": "cp_1", "amount": 1001, "status": "Created"}]}"#).unwrap_err();
    /// assert_eq!(error.code(), "captures_exceed_amount");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<AnyPaymentIntent, RehydrateError> {
        AnyPaymentIntent::try_from(&decode(bytes)?)
    }
}

/// Decodes a payment intent's JSON, naming the field when the cause is a
/// word its enum does not know ([D20](crate::decisions#d20)).
pub(crate) fn decode(bytes: &[u8]) -> Result<PaymentIntentResource, RehydrateError> {
    PaymentIntentResource::from_json(bytes).map_err(|e| {
        // The happy path decodes once; only a refusal pays for a second
        // look, to name the field when the cause is an unknown word.
        unknown_word(without_bom(bytes))
            .unwrap_or_else(|| RehydrateError::new(Kind::Json(e.to_string().into_boxed_str())))
    })
}

impl TryFrom<&PaymentIntentResource> for AnyPaymentIntent {
    type Error = RehydrateError;

    fn try_from(wire: &PaymentIntentResource) -> Result<Self, RehydrateError> {
        rehydrate(wire).map(|ledger| AnyPaymentIntent::from_ledger(Box::new(ledger)))
    }
}

/// The first enum field holding a word its wire enum does not list, if any
/// ([D20](crate::decisions#d20)). The lists are the ones the enums' `FromStr` matches against.
fn unknown_word(bytes: &[u8]) -> Option<RehydrateError> {
    fn unknown<'v>(value: Option<&'v Value>, words: &[&str]) -> Option<&'v str> {
        let word = value?.as_str()?;
        (!words.contains(&word)).then_some(word)
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let top_level = [
        ("status", PaymentIntentStatus::WORDS),
        ("captureMode", CaptureMode::WORDS),
        ("autoExpireAction", AutoExpireAction::WORDS),
    ];
    let (field, word, expected) = top_level
        .into_iter()
        .find_map(|(field, words)| {
            unknown(value.get(field), words).map(|word| (field.to_owned(), word, words))
        })
        .or_else(|| {
            value
                .get("captures")?
                .as_array()?
                .iter()
                .enumerate()
                .find_map(|(index, capture)| {
                    unknown(capture.get("status"), CaptureStatus::WORDS).map(|word| {
                        (
                            format!("captures[{index}].status"),
                            word,
                            CaptureStatus::WORDS,
                        )
                    })
                })
        })?;
    Some(RehydrateError::new(Kind::UnknownWord {
        field: field.into_boxed_str(),
        word: word.into(),
        expected,
    }))
}

pub(crate) fn non_negative(field: &str, value: i64) -> Result<i64, RehydrateError> {
    non_negative_at(value, || field.into())
}

/// [`non_negative`] for a field whose name is built (`captures[3].amount`):
/// only a refusal pays for building it.
pub(crate) fn non_negative_at(
    value: i64,
    field: impl FnOnce() -> String,
) -> Result<i64, RehydrateError> {
    if value < 0 {
        return Err(RehydrateError::new(Kind::NegativeAmount {
            field: field().into(),
            value,
        }));
    }
    Ok(value)
}

fn contradiction(status: PaymentIntentStatus, why: &'static str) -> RehydrateError {
    RehydrateError::new(Kind::StatusContradictsAmounts { status, why })
}

pub(crate) fn rehydrate(wire: &PaymentIntentResource) -> Result<Ledger, RehydrateError> {
    let amount = wire
        .amount
        .ok_or(RehydrateError::new(Kind::MissingAmount))?;
    // D19: with nothing to pay, the amounts could not tell the states apart.
    if amount.is_zero() {
        return Err(RehydrateError::new(Kind::ZeroAmount));
    }
    let currency = amount.currency();
    for (field, money) in [
        ("totalAmount", wire.total_amount),
        ("requestedAmount", wire.requested_amount),
        ("tipsAmount", wire.tips_amount),
    ] {
        if let Some(money) = money.filter(|m| m.currency() != currency) {
            return Err(RehydrateError::new(Kind::CurrencyMismatch {
                field,
                expected: currency,
                found: money.currency(),
            }));
        }
    }
    let status = wire.status;
    let mode = wire.capture_mode.unwrap_or_default();
    let refunded = Money::new(
        non_negative("refundedAmount", wire.refunded_amount.unwrap_or(0))?,
        currency,
    );

    let wire_captures = wire.captures.as_deref().unwrap_or_default();
    if status == PaymentIntentStatus::Created && !wire_captures.is_empty() {
        return Err(RehydrateError::new(Kind::CreatedWithCaptures {
            count: wire_captures.len(),
        }));
    }
    let mut captures: Vec<CaptureRecord> =
        Vec::with_capacity(wire_captures.len() + RESERVED_RECORDS);
    let mut taken: i128 = 0;
    // Not a scan of what is pushed so far: a hostile intent with many
    // captures must not make rehydration quadratic.
    let mut seen: Seen<&str> = Seen::expecting(wire_captures.len());
    for (index, capture) in wire_captures.iter().enumerate() {
        // D16: the spec lets `id` be null. Such a capture still counts; it
        // only cannot be resolved or replayed by id.
        let id = match capture.id.as_deref() {
            None => None,
            Some(raw_id) => {
                let id = CaptureId::new(raw_id).map_err(|e| {
                    RehydrateError::new(Kind::InvalidCaptureId(e.to_string().into_boxed_str()))
                })?;
                if seen.repeated(raw_id) {
                    return Err(RehydrateError::new(Kind::DuplicateCaptureId(raw_id.into())));
                }
                Some(id)
            }
        };
        let minor = non_negative_at(capture.amount, || format!("captures[{index}].amount"))?;
        if minor == 0 {
            let name = match &id {
                Some(id) => format!("capture {id}"),
                None => format!("captures[{index}]"),
            };
            return Err(RehydrateError::new(Kind::ZeroCapture { id: name.into() }));
        }
        let tips = match capture.tips_amount {
            Some(tips) => Some(Money::new(
                non_negative_at(tips, || format!("captures[{index}].tipsAmount"))?,
                currency,
            )),
            None => None,
        };
        if matches!(
            capture.status,
            CaptureStatus::Created | CaptureStatus::Successful
        ) {
            taken += i128::from(minor);
        }
        captures.push(CaptureRecord {
            id,
            amount: Money::new(minor, currency),
            tips: no_zero_tip(tips),
            status: capture.status,
            created_at: capture.created_at,
        });
    }
    if taken > i128::from(amount.minor_units()) {
        return Err(RehydrateError::new(Kind::CapturesExceedAmount {
            captures: taken,
            amount,
        }));
    }

    let auto_expiry = match wire.auto_expire_in.as_deref() {
        None => None,
        Some(text) => Some(parse_auto_expiry(text, wire.auto_expire_action)?),
    };
    let captured_anything = captures
        .iter()
        .any(|c| c.status == CaptureStatus::Successful);
    let phase = match status {
        PaymentIntentStatus::Created => Phase::Created,
        PaymentIntentStatus::Canceled => Phase::Canceled,
        // D17: a Manual intent reported Reversed after a Successful capture
        // was partly captured, then released at expiry: refundable, never
        // capturable again.
        PaymentIntentStatus::Reversed if mode == CaptureMode::Manual && captured_anything => {
            Phase::Released
        }
        PaymentIntentStatus::Reversed => Phase::Reversed,
        PaymentIntentStatus::Authorized
        | PaymentIntentStatus::Captured
        | PaymentIntentStatus::Refunded => Phase::Paid,
    };
    // Dojo captures an Auto intent itself and lists no capture for it: once it
    // reports the money taken, the whole amount is captured. A Manual intent
    // whose `autoExpireIn` runs out with the action Capture is captured by
    // Dojo the same way (D17).
    let captured_by_dojo = captures.is_empty()
        && match mode {
            CaptureMode::Auto => matches!(
                status,
                PaymentIntentStatus::Captured
                    | PaymentIntentStatus::Refunded
                    | PaymentIntentStatus::Reversed
            ),
            CaptureMode::Manual => {
                auto_expiry.is_some_and(|e| e.action() == AutoExpireAction::Capture)
                    && matches!(
                        status,
                        PaymentIntentStatus::Captured | PaymentIntentStatus::Refunded
                    )
            }
        };
    // D15: before payment there is no payment time, whatever createdAt says.
    let paid_at = match phase {
        Phase::Created | Phase::Canceled => None,
        Phase::Paid | Phase::Released | Phase::Reversed => wire
            .payment_details
            .as_ref()
            .and_then(|details| details.transaction_date_time)
            .or(wire.created_at),
    };
    if paid_at.is_none() && !matches!(phase, Phase::Created | Phase::Canceled) {
        return Err(RehydrateError::new(Kind::MissingPaymentTime { status }));
    }
    let custom_amount_allowed = wire
        .config
        .as_ref()
        .and_then(|c| c.payment.as_ref())
        .and_then(|p| p.custom_amount_allowed)
        .unwrap_or(false);
    let tips_allowed = wire
        .config
        .as_ref()
        .and_then(|c| c.payment.as_ref())
        .and_then(|p| p.tips_allowed)
        .unwrap_or(false);

    let mut ledger = Ledger {
        id: wire.id.as_deref().map(Into::into),
        mode,
        amount,
        tips: no_zero_tip(wire.tips_amount),
        custom_amount_allowed,
        tips_allowed,
        auto_expiry,
        paid_at,
        phase,
        captured_by_dojo,
        captures,
        refunded,
        refunds: Vec::with_capacity(RESERVED_RECORDS),
        released_refunds: Vec::new(),
        // Dojo's intent knows no capture this crate prepared.
        pending: Vec::new(),
        next_local_id: 0,
        pending_refunds: Vec::new(),
        pending_operation: None,
        updated_at: wire.updated_at.as_deref().map(Into::into),
        seen_events: Vec::new(),
        revision: 0,
        totals: Totals::default(),
    };
    ledger.recount();
    check_status(status, &ledger)?;
    Ok(ledger)
}

/// The status must be one the amounts allow. Where Dojo's docs leave the
/// status open, either reading is accepted when the amounts agree: after a
/// partial capture `Authorized` or `Captured` ([D4](crate::decisions#d4)), after a partial refund
/// `Authorized`, `Captured` or `Refunded` ([D13](crate::decisions#d13)), a capture in flight under
/// `Captured` ([D17](crate::decisions#d17)).
fn check_status(status: PaymentIntentStatus, ledger: &Ledger) -> Result<(), RehydrateError> {
    let captured = ledger.captured();
    let tips = ledger.captured_tips();
    let refunded = ledger.refunded;
    // D2, D14: what was taken, tips included, caps what went back.
    if i128::from(refunded.minor_units())
        > i128::from(captured.minor_units()) + i128::from(tips.minor_units())
    {
        return Err(RehydrateError::new(Kind::RefundedExceedsCaptured {
            refunded,
            captured,
            tips,
        }));
    }
    let in_flight = !ledger.in_flight().is_zero();
    match status {
        PaymentIntentStatus::Canceled if !ledger.captures.is_empty() => Err(contradiction(
            status,
            "a canceled intent was never paid, yet it lists captures",
        )),
        PaymentIntentStatus::Reversed if ledger.phase == Phase::Reversed && !refunded.is_zero() => {
            Err(contradiction(
                status,
                "a reversal returns the whole payment, so nothing can have been refunded",
            ))
        }
        PaymentIntentStatus::Captured if captured.is_zero() && !in_flight => Err(contradiction(
            status,
            "no capture is Successful or in flight, so nothing has been captured",
        )),
        PaymentIntentStatus::Refunded if refunded.is_zero() => Err(contradiction(
            status,
            "refundedAmount is zero, so nothing has been refunded",
        )),
        PaymentIntentStatus::Reversed if ledger.mode == CaptureMode::Manual && in_flight => {
            Err(contradiction(
                status,
                "a Manual intent is reversed only with no capture in flight (D5)",
            ))
        }
        _ => Ok(()),
    }
}

/// Parses `autoExpireIn`, a .NET time span: `[d.]hh:mm:ss[.fffffff]`.
fn parse_auto_expiry(
    text: &str,
    action: Option<crate::wire::AutoExpireAction>,
) -> Result<AutoExpiry, RehydrateError> {
    let invalid = |why| {
        RehydrateError::new(Kind::InvalidAutoExpireIn {
            text: text.into(),
            why,
        })
    };
    let after = parse_time_span(text).ok_or_else(|| invalid("expected dd.hh:MM:ss"))?;
    let action = action.ok_or_else(|| invalid("autoExpireAction is missing"))?;
    AutoExpiry::new(after, action)
        .map_err(|_| invalid("it must be more than 30 seconds and less than 7 days"))
}

fn parse_time_span(text: &str) -> Option<SignedDuration> {
    let number = |s: &str, max: i64| -> Option<i64> {
        // Digits only: `parse` alone would also take a sign. An empty field
        // passes this test and fails `parse`.
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<i64>().ok().filter(|n| *n <= max)
    };
    let mut parts = text.split(':');
    let (head, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match head.split_once('.') {
        Some((days, hours)) => (number(days, 10_000)?, number(hours, 23)?),
        None => (0, number(head, 23)?),
    };
    let (seconds, fraction) = match seconds.split_once('.') {
        Some((seconds, fraction)) if !fraction.is_empty() && fraction.len() <= 7 => {
            (seconds, fraction)
        }
        Some(_) => return None,
        None => (seconds, ""),
    };
    let nanos = if fraction.is_empty() {
        0
    } else {
        number(fraction, 9_999_999)? * 10_i64.pow(9 - u32::try_from(fraction.len()).ok()?)
    };
    let whole = days * 86_400 + hours * 3_600 + number(minutes, 59)? * 60 + number(seconds, 59)?;
    Some(SignedDuration::new(whole, i32::try_from(nanos).ok()?))
}
