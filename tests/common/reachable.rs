//! Intents as workers leave them: any state from the public strategies,
//! then a few prepared operations: some answered, some refused, some lost,
//! some never sent.

use dojo_capture::request::ApiVersion;
use dojo_capture::{Answer, AnyPaymentIntent, CaptureOutcome, RefundDetails};
use jiff::SignedDuration;
use proptest::prelude::*;

use super::{key, paid};

const V: ApiVersion = ApiVersion::V2025_09_10;

/// An intent in any state from the public strategies, then a few prepared
/// operations, some answered, some lost.
pub fn reachable() -> impl Strategy<Value = AnyPaymentIntent> {
    let steps = proptest::collection::vec((0_u8..8, 1_i64..400, 0_u8..3), 0..6);
    (dojo_capture::strategy::intent(), steps).prop_map(|(intent, steps)| {
        let mut intent = intent;
        for (n, (op, minor, answer)) in steps.into_iter().enumerate() {
            intent = step(intent, n, op, minor, answer);
        }
        intent
    })
}

fn step(intent: AnyPaymentIntent, n: usize, op: u8, minor: i64, answer: u8) -> AnyPaymentIntent {
    let currency = intent.currency();
    let money = dojo_capture::Money::new(minor, currency);
    let now = intent.paid_at().unwrap_or_else(paid) + SignedDuration::from_mins(1);
    let reply = |status: u16, body: &'static [u8]| match answer {
        0 => Answer::Http { status, body },
        1 => Answer::Http {
            status: 400,
            body: b"{}",
        },
        _ => Answer::TransportFailure,
    };
    let capture_body: &'static [u8] = Box::leak(
        format!(r#"{{"captureId":"cp_prop_{n}_{minor}"}}"#)
            .into_bytes()
            .into_boxed_slice(),
    );
    match op {
        0 => match intent.prepare_capture(money, None, now, V) {
            Ok((intent, prepared)) => {
                match intent.record_capture_answer(prepared, reply(201, capture_body)) {
                    Ok((intent, _)) => intent,
                    Err(e) => e.into_intent(),
                }
            }
            Err(rejected) => rejected.into_intent(),
        },
        1 => match intent.prepare_refund(
            key(&format!("rf_prop_{n}")),
            money,
            RefundDetails::default(),
            V,
        ) {
            Ok((intent, prepared)) => match intent
                .record_refund_answer(prepared, reply(200, br#"{"refundId":"rfnd_prop"}"#))
            {
                Ok((intent, _)) => intent,
                Err(e) => e.into_intent(),
            },
            Err(rejected) => rejected.into_intent(),
        },
        2 => {
            let ids: Vec<_> = intent
                .captures()
                .iter()
                .filter_map(|c| c.id().cloned())
                .collect();
            match ids.first() {
                Some(id) => match intent.record_capture_outcome(id, CaptureOutcome::Successful) {
                    Ok(intent) => intent,
                    Err(rejected) => rejected.into_intent(),
                },
                None => intent,
            }
        }
        3 => match intent.prepare_reversal(now, V) {
            Ok((intent, _)) => intent,
            Err(rejected) => rejected.into_intent(),
        },
        4 => match intent.prepare_change_amount(money, V) {
            Ok((intent, _)) => intent,
            Err(rejected) => rejected.into_intent(),
        },
        // Prepared, and the worker stopped before the request was sent: the
        // amount stays reserved, its outcome known (nothing was sent).
        6 => match intent.prepare_capture(money, None, now, V) {
            Ok((intent, _)) => intent,
            Err(rejected) => rejected.into_intent(),
        },
        7 => match intent.prepare_refund(
            key(&format!("rf_unsent_{n}")),
            money,
            RefundDetails::default(),
            V,
        ) {
            Ok((intent, _)) => intent,
            Err(rejected) => rejected.into_intent(),
        },
        _ => match intent.refund(key(&format!("rf_direct_{n}")), money) {
            Ok(intent) => intent,
            Err(rejected) => rejected.into_intent(),
        },
    }
}
