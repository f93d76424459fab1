//! The edges of reading a stored record back that tests/storage.rs leaves
//! open: refunds prepared that reserve exactly what was taken or one more,
//! exactly int64's largest value or one more; seen event ids of exactly the
//! longest length or one more; and the smallest amounts a stored change of
//! amount or of tip may carry. Each record is a committed golden record
//! (tests/data/storage/) with one edit; a refusal is asserted by its code
//! and its whole message.

use dojo_capture::{AnyPaymentIntent, Currency, Money, OperationKind};
use serde_json::{Value, json};

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

/// The golden record `name` with `change` applied.
fn record(name: &str, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/storage/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("golden record");
    let mut record: Value = serde_json::from_str(&text).expect("JSON");
    change(&mut record);
    record.to_string().into_bytes()
}

/// The record read back; it must be accepted, and stored again the same.
fn read(bytes: &[u8]) -> AnyPaymentIntent {
    let intent = AnyPaymentIntent::from_stored_json(bytes)
        .unwrap_or_else(|e| panic!("refused: {e}\n{}", String::from_utf8_lossy(bytes)));
    let again = AnyPaymentIntent::from_stored_json(intent.to_stored_json().as_bytes())
        .expect("its own record is read back");
    assert_eq!(again, intent);
    intent
}

/// The refusal of the record: its code and its message.
fn refused(bytes: &[u8]) -> (String, String) {
    let error = AnyPaymentIntent::from_stored_json(bytes).expect_err("the record is refused");
    (error.code().to_owned(), error.to_string())
}

/// Refunds prepared may reserve all that was taken, captured and tips,
/// with what was refunded already, and not one minor unit more.
#[test]
fn refunds_prepared_may_reserve_all_that_was_taken() {
    // Captured 300 with a tip of 50, nothing refunded.
    let all = read(&record("captured", |r| {
        r["pendingRefunds"][0]["amount"] = json!(350)
    }));
    assert_eq!(all.refundable(), gbp(0));

    // The same, 1.50 refunded already.
    let reserving = |amount: i64| {
        record("refunded", |r| {
            r["pendingRefunds"] = json!([
                {"idempotencyKey": "rf_3", "amount": amount, "outcomeUnknown": false}
            ]);
        })
    };
    let rest = read(&reserving(200));
    assert_eq!(rest.refundable(), gbp(0));
    let (code, message) = refused(&reserving(201));
    assert_eq!(code, "pending_refunds_exceed_refundable");
    assert_eq!(
        message,
        "refunds prepared reserve 201 minor units, which with refundedAmount 1.50 GBP is more than the 350 minor units taken (captured and tips)"
    );
}

/// The Captured golden record (300 captured with a tip of 50, nothing
/// refunded) with a tip of int64's largest value instead, so that what was
/// taken passes int64, and the refunds prepared `amounts` instead of its one.
fn captured_with_huge_tip(amounts: &[i64]) -> Vec<u8> {
    record("captured", |r| {
        r["captures"][0]["tipsAmount"] = json!(i64::MAX);
        let pending: Vec<Value> = amounts
            .iter()
            .enumerate()
            .map(|(n, amount)| {
                json!({"idempotencyKey": format!("rf_{n}"), "amount": amount, "outcomeUnknown": false})
            })
            .collect();
        r["pendingRefunds"] = json!(pending);
    })
}

/// What was taken may pass int64 (a tip is not bounded by the amount), but
/// refunded and reserved together are one int64 figure: up to its largest
/// value, not one minor unit more.
#[test]
fn refunds_prepared_reserve_up_to_int64_s_largest_value_and_no_more() {
    let taken = 300 + i128::from(i64::MAX);

    let intent = read(&captured_with_huge_tip(&[i64::MAX]));
    let reserved: Vec<Money> = intent
        .pending_refunds()
        .iter()
        .map(|p| p.amount())
        .collect();
    assert_eq!(reserved, [gbp(i64::MAX)]);
    assert_eq!(intent.captured_tips(), gbp(i64::MAX));

    let intent = read(&captured_with_huge_tip(&[i64::MAX - 1, 1]));
    assert_eq!(intent.pending_refunds().len(), 2);

    let (code, message) = refused(&captured_with_huge_tip(&[i64::MAX, 1]));
    assert_eq!(code, "pending_refunds_exceed_refundable");
    assert_eq!(
        message,
        format!(
            "refunds prepared reserve {} minor units, which with refundedAmount 0.00 GBP is more than the {taken} minor units taken (captured and tips)",
            i128::from(i64::MAX) + 1
        )
    );
    assert_eq!(
        message,
        "refunds prepared reserve 9223372036854775808 minor units, which with refundedAmount 0.00 GBP is more than the 9223372036854776107 minor units taken (captured and tips)"
    );
}

/// The same limit counts what was refunded already.
#[test]
fn refunded_and_reserved_together_stay_within_int64() {
    let with_refunded = |refunded: i64, reserve: i64| {
        record("refunded", |r| {
            r["captures"][0]["tipsAmount"] = json!(i64::MAX);
            r["pendingRefunds"] = json!([
                {"idempotencyKey": "rf_3", "amount": reserve, "outcomeUnknown": false}
            ]);
            r["refundedAmount"] = json!(refunded);
        })
    };
    // The golden record's refunds total 150.
    let intent = read(&with_refunded(150, i64::MAX - 150));
    assert_eq!(intent.refunded(), gbp(150));
    assert_eq!(intent.pending_refunds()[0].amount(), gbp(i64::MAX - 150));

    let (code, message) = refused(&with_refunded(150, i64::MAX - 149));
    assert_eq!(code, "pending_refunds_exceed_refundable");
    assert_eq!(
        message,
        "refunds prepared reserve 9223372036854775658 minor units, which with refundedAmount 1.50 GBP is more than the 9223372036854776107 minor units taken (captured and tips)"
    );
}

/// A seen event id of 100 characters (not bytes) is read back; one of 101
/// is refused by name.
#[test]
fn a_seen_event_id_is_at_most_one_hundred_characters() {
    for id in ["e".repeat(100), "é".repeat(100)] {
        let intent = read(&record("captured", |r| r["seenEvents"] = json!([id])));
        assert!(
            intent
                .to_stored_json()
                .contains(&format!(r#""seenEvents":["{id}"]"#)),
            "{id}"
        );
    }
    for id in ["e".repeat(101), "é".repeat(101)] {
        let (code, message) = refused(&record("captured", |r| {
            r["seenEvents"] = json!(["evt_1", id])
        }));
        assert_eq!(code, "invalid_seen_events");
        assert_eq!(
            message,
            format!(
                "seenEvents is not usable: event id \"{id}\" is empty or longer than 100 characters"
            )
        );
    }
    let (_, message) = refused(&record("captured", |r| r["seenEvents"] = json!([""])));
    assert_eq!(
        message,
        r#"seenEvents is not usable: event id "" is empty or longer than 100 characters"#
    );
}

/// The Created golden record with its pending operation made `operation`
/// with `amount`.
fn created_pending(operation: &str, amount: i64) -> Vec<u8> {
    record("created", |r| {
        r["pendingOperation"]["operation"] = json!(operation);
        r["pendingOperation"]["amount"] = json!(amount);
    })
}

const NO_CHANGE: &str = "a change is stored as prepared, which the intent could not have prepared: its amount is missing, negative, or zero for a change of amount";

/// A change of amount is of at least one minor unit.
#[test]
fn a_stored_change_of_amount_is_of_more_than_zero() {
    let intent = read(&created_pending("change-amount", 1));
    let pending = intent.pending_operation().expect("a change is pending");
    assert_eq!(pending.operation(), OperationKind::ChangeAmount);
    assert_eq!(pending.amount(), Some(gbp(1)));

    for amount in [0, -1, i64::MIN] {
        let (code, message) = refused(&created_pending("change-amount", amount));
        assert_eq!(code, "pending_not_possible", "{amount}");
        assert_eq!(message, NO_CHANGE, "{amount}");
    }
}

/// A change of tip may be to zero, which takes the tip away (D18), but is
/// never negative.
#[test]
fn a_stored_change_of_tip_is_of_zero_or_more() {
    for amount in [0, 1, 250] {
        let intent = read(&created_pending("change-tips", amount));
        let pending = intent.pending_operation().expect("a change is pending");
        assert_eq!(pending.operation(), OperationKind::ChangeTips);
        assert_eq!(pending.amount(), Some(gbp(amount)), "{amount}");
    }

    for amount in [-1, i64::MIN] {
        let (code, message) = refused(&created_pending("change-tips", amount));
        assert_eq!(code, "pending_not_possible", "{amount}");
        assert_eq!(message, NO_CHANGE, "{amount}");
    }
}
