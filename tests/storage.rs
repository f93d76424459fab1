//! The crate's own storage format (`docs/storage.md`): a committed golden
//! record per state, encoded byte for byte the same and read back to the
//! same intent; every record the crate writes is valid against
//! `docs/storage.schema.json`; and every record that does not add up is
//! refused with the code of the rule it breaks.
//!
//! `DOJO_CAPTURE_BLESS=1 cargo test --test storage` rewrites the golden
//! files after a deliberate change of the format; a change of format also
//! changes its number.

mod common;
use common::Copied;

use common::invariants::{check_intent, check_stored};
use common::reachable::reachable;
use common::{gbp, key, paid, proptest_config};
use dojo_capture::request::ApiVersion;
use dojo_capture::state::{Authorized, Captured};
use dojo_capture::{
    Answer, AnyPaymentIntent, AutoExpireAction, AutoExpiry, CaptureMode, CaptureOutcome,
    IntentState, PaymentIntent, ReadStart, RefundDetails,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

const V: ApiVersion = ApiVersion::V2025_09_10;

fn later(minutes: i64) -> Timestamp {
    paid() + SignedDuration::from_mins(minutes)
}

fn created() -> AnyPaymentIntent {
    PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id("pi_golden")
        .with_custom_amount_allowed(true)
        .with_tips_allowed(true)
        .into_any()
}

fn authorized_manual() -> AnyPaymentIntent {
    let expiry = AutoExpiry::new(SignedDuration::from_hours(50), AutoExpireAction::Release)
        .expect("expiry within bounds");
    PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id("pi_golden")
        .with_auto_expiry(expiry)
        .into_any()
        .authorize(paid())
        .expect("a Created intent is paid")
}

fn created_answer(id: &str) -> Vec<u8> {
    format!(r#"{{"message":"Created","captureId":"{id}"}}"#).into_bytes()
}

/// The intents of the golden files, one per state, each carrying as many
/// of the record's fields as its state can hold.
fn golden() -> Vec<(&'static str, AnyPaymentIntent)> {
    // Created, with a change of amount prepared and its answer not recorded.
    let (created_pending, _) = created()
        .prepare_change_amount(gbp(1200), V)
        .expect("a change of amount is prepared");

    // Authorized, a capture with a tip in flight at Dojo, another prepared
    // whose answer was lost.
    let (intent, first) = authorized_manual()
        .prepare_capture(gbp(300), Some(gbp(50)), later(5), V)
        .expect("capture prepared");
    let (intent, _) = intent
        .record_capture_answer(
            first,
            Answer::Http {
                status: 201,
                body: &created_answer("cp_1"),
            },
        )
        .expect("capture recorded");
    let (intent, second) = intent
        .prepare_capture(gbp(200), None, later(6), V)
        .expect("capture prepared");
    let authorized = intent
        .record_capture_answer(second, Answer::TransportFailure)
        .expect_err("a lost answer")
        .into_intent();

    // Captured: the first capture Successful, a refund prepared with a reason.
    let (captured, _) = authorized_manual()
        .prepare_capture(gbp(300), Some(gbp(50)), later(5), V)
        .map(|(intent, prepared)| {
            intent
                .record_capture_answer(
                    prepared,
                    Answer::Http {
                        status: 201,
                        body: &created_answer("cp_1"),
                    },
                )
                .expect("capture recorded")
        })
        .expect("capture prepared");
    let captured = captured
        .record_capture_outcome(&"cp_1".parse().expect("id"), CaptureOutcome::Successful)
        .expect("outcome recorded");
    let details = RefundDetails::new(Some("damaged"), Some("box crushed")).expect("details");
    let (captured_pending, _) = captured
        .copied()
        .prepare_refund(key("rf_1"), gbp(100), details.clone(), V)
        .expect("refund prepared");

    // Refunded: one refund recorded from Dojo's answer, one recorded at once.
    let (intent, prepared) = captured
        .prepare_refund(key("rf_1"), gbp(100), details, V)
        .expect("refund prepared");
    let (intent, _) = intent
        .record_refund_answer(
            prepared,
            Answer::Http {
                status: 200,
                body:
                    br#"{"paymentIntentId":"pi_golden","refundId":"rfnd_1","message":"Refunded"}"#,
            },
        )
        .expect("refund recorded");
    let mut refunded = intent.refund(key("rf_2"), gbp(50)).expect("refund");
    // A webhook event applied: its id is remembered.
    let secrets = [dojo_capture::WebhookSecret::new("ws_golden").expect("secret")];
    let body = br#"{"id":"evt_golden","event":"payment_intent.status_updated","createdAt":"2024-07-25T09:10:00Z","data":{"paymentIntentId":"pi_golden","paymentStatus":"Refunded"}}"#;
    let event = dojo_capture::webhook::verify_event(body, secrets[0].sign(body), &secrets)
        .expect("a signed event");
    assert_eq!(
        refunded.apply_webhook(&event),
        dojo_capture::WebhookVerdict::AlreadyKnown
    );

    // Reversed: an Auto payment reversed on its own day.
    let reversed = PaymentIntent::new(gbp(1000), CaptureMode::Auto)
        .with_id("pi_golden")
        .into_any()
        .authorize(paid())
        .expect("paid")
        .reverse(later(60))
        .expect("reversed the same day");

    let canceled = created().cancel().expect("a Created intent is canceled");

    // Dojo's own JSON: partly captured, then released at expiry (D17).
    let released = AnyPaymentIntent::from_json(
        br#"{"id":"pi_golden","status":"Reversed","captureMode":"Manual",
            "amount":{"value":1000,"currencyCode":"GBP"},"refundedAmount":0,
            "createdAt":"2024-07-25T08:49:20Z","updatedAt":"2024-08-01T08:49:21.1234567Z",
            "captures":[{"id":"cp_1","amount":400,"status":"Successful","createdAt":"2024-07-25T09:00:00Z"}]}"#,
    )
    .expect("Dojo's JSON");

    vec![
        ("created", created_pending),
        ("authorized", authorized),
        ("captured", captured_pending),
        ("refunded", refunded),
        ("reversed", reversed),
        ("canceled", canceled),
        ("released", released),
    ]
}

fn golden_path(name: &str) -> String {
    format!(
        "{}/tests/data/storage/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_encoding_of_every_state_is_stable_and_reads_back_to_the_same_intent() {
    let bless = std::env::var_os("DOJO_CAPTURE_BLESS").is_some();
    let mut states = Vec::new();
    for (name, intent) in golden() {
        let stored = intent.to_stored_json() + "\n";
        let path = golden_path(name);
        if bless {
            std::fs::write(&path, &stored).expect("write golden file");
        }
        let committed = std::fs::read_to_string(&path).expect("golden file");
        assert_eq!(stored, committed, "{name}: the encoding changed");
        let read = AnyPaymentIntent::from_stored_json(committed.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read, intent, "{name}");
        check_intent(&read).unwrap_or_else(|e| panic!("{name}: {e}"));
        states.push(read.state());
    }
    for state in [
        IntentState::Created,
        IntentState::Authorized,
        IntentState::Captured,
        IntentState::Refunded,
        IntentState::Reversed,
        IntentState::Canceled,
    ] {
        assert!(states.contains(&state), "no golden file in state {state}");
    }
}

fn schema() -> jsonschema::Validator {
    let text = include_str!("../docs/storage.schema.json");
    let schema: Value = serde_json::from_str(text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn schema_errors(validator: &jsonschema::Validator, record: &Value) -> Vec<String> {
    validator
        .iter_errors(record)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn every_golden_record_is_valid_against_the_schema() {
    let validator = schema();
    for (name, intent) in golden() {
        let record: Value = serde_json::from_str(&intent.to_stored_json()).expect("JSON");
        assert_eq!(
            schema_errors(&validator, &record),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

#[test]
fn the_schema_refuses_what_the_format_does_not_have() {
    let validator = schema();
    let (_, intent) = &golden()[2];
    let record: Value = serde_json::from_str(&intent.to_stored_json()).expect("JSON");
    let broken = [
        ("an unknown field", edit(&record, |r| r["extra"] = json!(1))),
        ("format 2", edit(&record, |r| r["format"] = json!(2))),
        (
            "no revision",
            edit(&record, |r| {
                r.as_object_mut().map(|o| o.remove("revision"));
            }),
        ),
        (
            "a negative refund",
            edit(&record, |r| r["refundedAmount"] = json!(-1)),
        ),
        (
            "a paid intent without paidAt",
            edit(&record, |r| {
                r.as_object_mut().map(|o| o.remove("paidAt"));
            }),
        ),
        (
            "a status Dojo does not have",
            edit(&record, |r| r["status"] = json!("Pending")),
        ),
    ];
    for (what, record) in broken {
        assert!(!validator.is_valid(&record), "the schema accepts {what}");
        assert!(
            AnyPaymentIntent::from_stored_json(record.to_string().as_bytes()).is_err(),
            "the decoder accepts {what}"
        );
    }
}

fn edit(record: &Value, change: impl FnOnce(&mut Value)) -> Value {
    let mut record = record.clone();
    change(&mut record);
    record
}

/// The record of `intent` with `change` applied, read back.
fn refused(intent: &AnyPaymentIntent, change: impl FnOnce(&mut Value)) -> (String, String) {
    let mut record: Value = serde_json::from_str(&intent.to_stored_json()).expect("JSON");
    change(&mut record);
    let error = AnyPaymentIntent::from_stored_json(record.to_string().as_bytes())
        .expect_err("a record that does not add up is refused");
    (error.code().to_owned(), error.to_string())
}

fn golden_named(name: &str) -> AnyPaymentIntent {
    golden()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, intent)| intent)
        .expect("golden intent")
}

#[test]
fn a_record_of_another_format_is_named_as_such() {
    let intent = golden_named("captured");
    let (code, message) = refused(&intent, |r| {
        r["format"] = json!(2);
        r["somethingNew"] = json!(true);
    });
    assert_eq!(code, "unsupported_storage_format");
    assert_eq!(
        message,
        "the stored intent is in format 2, and this version of the crate reads format 1 only"
    );
    let (code, _) = refused(&intent, |r| r["format"] = json!(0));
    assert_eq!(code, "unsupported_storage_format");
}

#[test]
fn unknown_and_missing_fields_are_refused() {
    let intent = golden_named("captured");
    let (code, message) = refused(&intent, |r| r["pendingRefunds"][0]["extra"] = json!(1));
    assert_eq!(code, "malformed_json");
    assert!(message.contains("unknown field `extra`"), "{message}");
    let (code, message) = refused(&intent, |r| {
        r.as_object_mut().map(|o| o.remove("nextLocalId"));
    });
    assert_eq!(code, "malformed_json");
    assert!(message.contains("missing field `nextLocalId`"), "{message}");
}

#[test]
fn dojo_facts_in_a_record_are_checked_as_dojo_json_is() {
    let intent = golden_named("captured");
    let (code, message) = refused(&intent, |r| r["captures"][0]["amount"] = json!(1001));
    assert_eq!(code, "captures_exceed_amount");
    assert_eq!(
        message,
        "captures made and in flight total 1001 minor units, more than the amount 10.00 GBP"
    );
    let (code, _) = refused(&intent, |r| r["refundedAmount"] = json!(351));
    assert_eq!(code, "refunded_exceeds_captured");
    let (code, _) = refused(&intent, |r| {
        r["status"] = json!("Created");
        r.as_object_mut().map(|o| o.remove("paidAt"));
    });
    assert_eq!(code, "created_with_captures");
    let (code, message) = refused(&golden_named("created"), |r| {
        r["paidAt"] = json!("2024-07-25T08:49:20Z")
    });
    assert_eq!(code, "status_contradicts_amounts");
    assert_eq!(
        message,
        "status Created contradicts the amounts: an intent not paid yet has no payment time, yet paidAt is set"
    );
    let (code, _) = refused(&intent, |r| r["autoExpireIn"] = json!("soon"));
    assert_eq!(code, "invalid_auto_expire_in");
}

#[test]
fn refund_records_are_checked_against_the_refunded_total() {
    let intent = golden_named("refunded");
    let (code, message) = refused(&intent, |r| r["refunds"][1]["amount"] = json!(51));
    assert_eq!(code, "refunds_exceed_refunded");
    assert_eq!(
        message,
        "the refunds recorded under their keys total 151 minor units, more than refundedAmount 1.50 GBP"
    );
    let (code, message) = refused(&intent, |r| {
        r["refunds"][1]["idempotencyKey"] = json!("rf_1")
    });
    assert_eq!(code, "duplicate_refund_key");
    assert_eq!(
        message,
        r#"idempotency key "rf_1" is stored twice; a key names one refund of the intent"#
    );
    let (code, message) = refused(&intent, |r| r["refunds"][0]["amount"] = json!(0));
    assert_eq!(code, "zero_stored_amount");
    assert_eq!(
        message,
        "refunds[0].amount is 0; a stored refund or prepared operation is always of more than zero"
    );
    let (code, message) = refused(&intent, |r| r["refunds"][0]["amount"] = json!(-5));
    assert_eq!(code, "negative_field");
    assert_eq!(
        message,
        "refunds[0].amount is -5; amounts are never negative"
    );
    let (code, message) = refused(&intent, |r| {
        r["refunds"][0]["idempotencyKey"] = json!("rf 1")
    });
    assert_eq!(code, "invalid_stored_field");
    assert!(
        message.starts_with("refunds[0].idempotencyKey is not usable: "),
        "{message}"
    );
    let (code, message) = refused(&intent, |r| r["refunds"][1]["refundId"] = json!("rfnd_1"));
    assert_eq!(code, "invalid_stored_field");
    assert_eq!(
        message,
        "refunds[1].refundId is not usable: a refund id is Dojo's, not empty and not shared by two refunds"
    );
}

#[test]
fn pending_captures_never_reserve_more_than_the_amount() {
    let intent = golden_named("authorized");
    let (code, message) = refused(&intent, |r| r["pendingCaptures"][0]["amount"] = json!(701));
    assert_eq!(code, "pending_captures_exceed_amount");
    assert_eq!(
        message,
        "captures made, in flight and prepared total 1001 minor units, more than the amount 10.00 GBP"
    );
    let (code, _) = refused(&intent, |r| r["pendingCaptures"][0]["amount"] = json!(0));
    assert_eq!(code, "zero_stored_amount");
    let (code, message) = refused(&intent, |r| r["captureMode"] = json!("Auto"));
    assert_eq!(code, "pending_not_possible");
    assert_eq!(
        message,
        "a capture is stored as prepared, which the intent could not have prepared: only a paid Manual intent, not released, reversed or canceled, has captures prepared"
    );
}

#[test]
fn pending_refunds_never_reserve_more_than_is_refundable() {
    let intent = golden_named("captured");
    // Captured 300 with a tip of 50: 350 can go back.
    let (code, message) = refused(&intent, |r| r["pendingRefunds"][0]["amount"] = json!(351));
    assert_eq!(code, "pending_refunds_exceed_refundable");
    assert_eq!(
        message,
        "refunds prepared reserve 351 minor units, which with refundedAmount 0.00 GBP is more than the 350 minor units taken (captured and tips)"
    );
    let (code, _) = refused(&intent, |r| {
        let pending = r["pendingRefunds"][0].clone();
        r["refunds"] = json!([{"idempotencyKey": "rf_1", "amount": 10}]);
        r["refundedAmount"] = json!(10);
        r["pendingRefunds"] = json!([pending]);
    });
    assert_eq!(code, "duplicate_refund_key");
    let (code, message) = refused(&intent, |r| {
        r["pendingRefunds"][0]["refundReason"] = json!("x".repeat(1025))
    });
    assert_eq!(code, "invalid_stored_field");
    assert!(
        message.starts_with("pendingRefunds[0] is not usable: "),
        "{message}"
    );
    // Nothing captured: nothing can be prepared for refund.
    let pending =
        serde_json::from_str::<Value>(&intent.to_stored_json()).expect("JSON")["pendingRefunds"]
            .clone();
    let (code, message) = refused(&golden_named("authorized"), |r| {
        r["pendingRefunds"] = pending
    });
    assert_eq!(code, "pending_not_possible");
    assert_eq!(
        message,
        "a refund is stored as prepared, which the intent could not have prepared: only a captured or refunded intent has refunds prepared"
    );
}

#[test]
fn a_pending_operation_is_alone_and_one_the_state_allows() {
    let intent = golden_named("created");
    let (code, message) = refused(&intent, |r| {
        r["status"] = json!("Authorized");
        r["paidAt"] = json!("2024-07-25T08:49:20Z");
    });
    assert_eq!(code, "pending_not_possible");
    assert_eq!(
        message,
        "a change of amount is stored as prepared, which the intent could not have prepared: a reversal is prepared only on a paid intent, a cancel or change only before payment"
    );
    let (code, _) = refused(&intent, |r| {
        r["pendingOperation"]
            .as_object_mut()
            .map(|o| o.remove("amount"));
    });
    assert_eq!(code, "pending_not_possible");
    let (code, _) = refused(&intent, |r| {
        r["pendingOperation"]["operation"] = json!("cancel");
    });
    assert_eq!(code, "pending_not_possible", "a cancel carries no amount");
    let captured = golden_named("captured");
    let (code, message) = refused(&captured, |r| {
        r["pendingOperation"] =
            json!({"localId": 0, "operation": "reverse", "outcomeUnknown": false});
        r["nextLocalId"] = json!(2);
    });
    assert_eq!(code, "pending_not_possible");
    assert!(message.contains("(operation_pending)"), "{message}");
}

#[test]
fn local_ids_are_below_the_counter_and_used_once() {
    let intent = golden_named("authorized");
    let (code, message) = refused(&intent, |r| r["nextLocalId"] = json!(1));
    assert_eq!(code, "invalid_local_id");
    assert_eq!(
        message,
        "local id 1 of a prepared capture or operation is used twice or is not below nextLocalId 1"
    );
    let created = golden_named("created");
    let (code, _) = refused(&created, |r| r["pendingOperation"]["localId"] = json!(7));
    assert_eq!(code, "invalid_local_id");
}

#[test]
fn seen_webhook_events_are_few_and_each_once() {
    let intent = golden_named("captured");
    let many: Vec<String> = (0..=dojo_capture::SEEN_EVENTS_LIMIT)
        .map(|n| format!("evt_{n}"))
        .collect();
    let (code, message) = refused(&intent, |r| r["seenEvents"] = json!(many));
    assert_eq!(code, "invalid_seen_events");
    assert_eq!(
        message,
        "seenEvents is not usable: 33 event ids, more than the 32 an intent remembers"
    );
    let (code, message) = refused(&intent, |r| r["seenEvents"] = json!(["evt_1", "evt_1"]));
    assert_eq!(code, "invalid_seen_events");
    assert_eq!(
        message,
        r#"seenEvents is not usable: event id "evt_1" appears twice"#
    );
    let (code, _) = refused(&intent, |r| r["seenEvents"] = json!([""]));
    assert_eq!(code, "invalid_seen_events");
}

#[test]
fn a_refund_key_survives_a_restart_so_a_retry_is_a_replay() {
    // The record is what a worker that restarts reads back: the key it used
    // is still known, so the retried refund is recognised, not made again.
    let refunded = golden_named("refunded");
    let stored = refunded.to_stored_json();
    let restarted = AnyPaymentIntent::from_stored_json(stored.as_bytes()).expect("stored");
    let (after, prepared) = restarted
        .prepare_refund(key("rf_1"), gbp(100), RefundDetails::default(), V)
        .expect("a retry of a recorded refund");
    assert!(after.pending_refunds().is_empty(), "nothing reserved again");
    assert_eq!(after.refunded(), refunded.refunded());
    drop(prepared);
    assert_eq!(
        after.revision(),
        refunded.revision(),
        "a replay changes nothing"
    );

    // Dojo's JSON has no place for the key: the same retry would be judged
    // as a new refund, reserving the amount again.
    let through_dojo_json =
        AnyPaymentIntent::from_json(&serde_json::to_vec(&refunded.to_resource()).expect("JSON"))
            .expect("Dojo's JSON");
    let (after, prepared) = through_dojo_json
        .prepare_refund(key("rf_1"), gbp(100), RefundDetails::default(), V)
        .expect("judged as a new refund");
    assert_eq!(after.pending_refunds().len(), 1, "reserved again");
    drop(prepared);
}

#[test]
fn serde_reads_and_writes_the_same_record_and_a_typed_intent_checks_its_state() {
    let captured = golden_named("captured");
    let text = serde_json::to_string(&captured).expect("serialize");
    assert_eq!(text, captured.to_stored_json());
    let read: AnyPaymentIntent = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(read, captured);

    let typed: PaymentIntent<Captured> = serde_json::from_str(&text).expect("a Captured record");
    assert_eq!(serde_json::to_string(&typed).expect("serialize"), text);
    let error = serde_json::from_str::<PaymentIntent<Authorized>>(&text).unwrap_err();
    assert!(error.to_string().starts_with("wrong_state: "), "{error}");

    let mut broken: Value = serde_json::from_str(&text).expect("JSON");
    broken["refundedAmount"] = json!(1000);
    let error = serde_json::from_value::<AnyPaymentIntent>(broken).unwrap_err();
    assert!(
        error.to_string().starts_with("refunded_exceeds_captured: "),
        "{error}"
    );
}

#[test]
fn any_bytes_are_read_or_refused_never_a_panic() {
    for bytes in [
        &b""[..],
        b"null",
        b"[]",
        b"{}",
        b"\xEF\xBB\xBF{}",
        b"{\"format\":1}",
        b"{\"format\":18446744073709551616}",
        b"\xff\xfe",
    ] {
        assert!(AnyPaymentIntent::from_stored_json(bytes).is_err());
    }
}

proptest! {
    #![proptest_config(proptest_config("storage", 512))]

    /// Any intent the crate reaches, with prepared operations and lost
    /// answers, is stored and read back exactly, and valid against the schema.
    #[test]
    fn every_reachable_intent_round_trips_and_matches_the_schema(
        intent in reachable(),
    ) {
        check_stored(&intent).map_err(TestCaseError::fail)?;
        let record: Value = serde_json::from_str(&intent.to_stored_json()).expect("JSON");
        let errors = schema_errors(&SCHEMA.with(Clone::clone), &record);
        prop_assert!(errors.is_empty(), "{errors:?}\n{record}");
    }
}

thread_local! {
    static SCHEMA: jsonschema::Validator = schema();
}

/// A worker stored a prepared capture, then crashed before Dojo's answer
/// was recorded: the token died with it. The worker that takes over marks
/// the answer lost, which keeps the amount in flight and asks for a read;
/// the read's reconcile then binds the capture Dojo made, or releases it.
#[test]
fn a_capture_prepared_before_a_crash_is_settled_by_a_read_after_its_answer_is_marked_lost() {
    let (intent, prepared) = authorized_manual()
        .prepare_capture(gbp(400), None, later(5), V)
        .expect("capture prepared");
    let local_id = prepared.local_id();
    let stored = intent.to_stored_json();
    drop(prepared);

    let restarted = AnyPaymentIntent::from_stored_json(stored.as_bytes()).expect("stored");
    let read = |captures: &str| {
        format!(
            r#"{{"id":"pi_golden","status":"Authorized","captureMode":"Manual",
                "amount":{{"value":1000,"currencyCode":"GBP"}},"createdAt":"2024-07-25T08:49:20Z",
                "autoExpireIn":"02.02:00:00","autoExpireAction":"Release","captures":[{captures}]}}"#
        )
    };
    // The answer is still awaited: a read cannot settle it yet.
    let awaited = restarted
        .copied()
        .reconcile_read_json(read("").as_bytes())
        .unwrap_err();
    assert_eq!(awaited.code(), "reconcile_answer_awaited");
    assert!(!restarted.needs_read());

    let recovering = restarted.copied().record_answer_lost(local_id);
    assert!(recovering.needs_read());
    assert_eq!(
        recovering.in_flight(),
        gbp(400),
        "nothing released on a guess"
    );
    assert_eq!(recovering.revision(), restarted.revision() + 1);
    check_stored(&recovering).expect("stored");
    // Marking again, or another id, changes nothing.
    assert_eq!(recovering.copied().record_answer_lost(local_id), recovering);
    assert_eq!(
        recovering.copied().record_answer_lost(local_id + 7),
        recovering
    );

    // Dojo made the capture: it is bound to what was prepared.
    let made =
        read(r#"{"id":"cp_9","amount":400,"status":"Created","createdAt":"2024-07-25T08:54:21Z"}"#);
    let (settled, report) = recovering
        .copied()
        .reconcile_read_json(made.as_bytes())
        .expect("reconciled");
    assert_eq!(report.captures_bound().len(), 1);
    assert!(settled.pending_captures().is_empty() && !settled.needs_read());
    assert_eq!(settled.in_flight(), gbp(400));
    // Dojo shows nothing: the request may still land, so a read with no
    // known start releases nothing, and neither does one before the
    // horizon (D22); one that starts after it does.
    let (kept, report) = recovering
        .reconcile_read_json(read("").as_bytes())
        .expect("reconciled");
    assert!(report.captures_released().is_empty());
    assert!(kept.needs_read() && kept.in_flight() == gbp(400));
    let first: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let (kept, report) = kept
        .reconcile_read_json_started(read("").as_bytes(), ReadStart::at(first))
        .expect("reconciled");
    assert!(report.captures_released().is_empty());
    let horizon = report.settle_after().expect("the window started");
    assert_eq!(horizon, first + SignedDuration::from_mins(15));
    // The horizon is stored, and read back.
    let kept = AnyPaymentIntent::from_stored_json(kept.to_stored_json().as_bytes()).unwrap();
    assert_eq!(kept.pending_captures()[0].settle_horizon(), Some(horizon));
    let (settled, report) = kept
        .reconcile_read_json_started(
            read("").as_bytes(),
            ReadStart::at(horizon + SignedDuration::from_secs(1)),
        )
        .expect("reconciled");
    assert_eq!(report.captures_released(), &[local_id]);
    assert_eq!(settled.capturable(), gbp(1000));
}

#[test]
fn a_refund_prepared_before_a_crash_is_marked_lost_by_its_key() {
    let captured = golden_named("captured");
    let restarted =
        AnyPaymentIntent::from_stored_json(captured.to_stored_json().as_bytes()).expect("stored");
    let recovering = restarted.copied().record_refund_answer_lost(&key("rf_1"));
    assert!(recovering.needs_read());
    assert_eq!(recovering.revision(), restarted.revision() + 1);
    assert_eq!(
        recovering.refundable(),
        restarted.refundable(),
        "still reserved"
    );
    assert_eq!(
        recovering
            .copied()
            .record_refund_answer_lost(&key("rf_other")),
        recovering
    );
}
