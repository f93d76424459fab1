//! The wire types against hand-written JSON: errors that name the bad value,
//! unknown fields ignored, camelCase keys, and lossless round trips,
//! including the Manual-mode intents the spec has no example of.

use std::collections::BTreeSet;

use dojo_capture::money::{Currency, Money};
use dojo_capture::wire::{
    AutoExpireAction, CaptureDetails, CaptureMode, CaptureRequest, CaptureResponse, CaptureStatus,
    ChangeAmountRequest, IntentConfig, PaymentConfig, PaymentDetails, PaymentIntentResource,
    PaymentIntentStatus, ProblemDetails, RefundRequest, RefundResponse, ReversalResponse,
};
use jiff::Timestamp;
use serde_json::{Value, json};

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn decode(body: Value) -> Result<PaymentIntentResource, String> {
    serde_json::from_value(body).map_err(|e| e.to_string())
}

fn decode_err(body: Value) -> String {
    decode(body).expect_err("must be rejected")
}

// ---- enums ----

#[test]
fn unknown_status_error_names_the_value_and_the_choices() {
    let error = "Pending".parse::<PaymentIntentStatus>().unwrap_err();
    assert_eq!(error.value(), "Pending");
    assert_eq!(
        error.to_string(),
        "\"Pending\" is not a payment intent status; \
         expected one of Created, Authorized, Captured, Reversed, Refunded, Canceled"
    );

    // Serde goes through the same validator, so the message is the same.
    let message = decode_err(json!({"status": "Pending"}));
    assert!(message.contains("\"Pending\""), "{message}");
    assert!(
        message.contains("expected one of Created, Authorized, Captured"),
        "{message}"
    );
}

#[test]
fn each_enum_names_itself_in_its_error() {
    let cases = [
        (
            "Sideways".parse::<CaptureMode>().unwrap_err().to_string(),
            "\"Sideways\" is not a capture mode; expected one of Auto, Manual",
        ),
        (
            "Pending".parse::<CaptureStatus>().unwrap_err().to_string(),
            "\"Pending\" is not a capture status; expected one of Created, Successful, Declined, Failed",
        ),
        (
            "Void".parse::<AutoExpireAction>().unwrap_err().to_string(),
            "\"Void\" is not an auto-expire action; expected one of Release, Capture",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn enum_words_are_case_sensitive() {
    // The spec's words are exact; accepting "captured" would accept what
    // Dojo never sends and hide a broken client.
    assert!("captured".parse::<PaymentIntentStatus>().is_err());
    assert!("AUTO".parse::<CaptureMode>().is_err());
    assert!(" Created".parse::<CaptureStatus>().is_err());
    assert!("".parse::<AutoExpireAction>().is_err());
}

#[test]
fn enum_of_wrong_json_type_is_rejected() {
    let message = decode_err(json!({"status": 1}));
    assert!(message.contains("a payment intent status"), "{message}");
}

#[test]
fn enums_round_trip_through_text_and_json() {
    fn check<T>(all: &[T])
    where
        T: Copy
            + std::fmt::Debug
            + std::fmt::Display
            + std::str::FromStr
            + PartialEq
            + serde::Serialize
            + serde::de::DeserializeOwned,
        T::Err: std::fmt::Debug,
    {
        for &variant in all {
            let word = variant.to_string();
            assert_eq!(word.parse::<T>().unwrap(), variant);
            let json = serde_json::to_value(variant).unwrap();
            assert_eq!(json, Value::String(word.clone()));
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), variant);
        }
    }
    check(PaymentIntentStatus::ALL);
    check(CaptureMode::ALL);
    check(CaptureStatus::ALL);
    check(AutoExpireAction::ALL);

    let words: Vec<_> = PaymentIntentStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        words,
        [
            "Created",
            "Authorized",
            "Captured",
            "Reversed",
            "Refunded",
            "Canceled"
        ]
    );
    let words: Vec<_> = CaptureStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(words, ["Created", "Successful", "Declined", "Failed"]);
    assert_eq!(CaptureMode::Manual.as_str(), "Manual");
    assert_eq!(AutoExpireAction::Release.as_str(), "Release");
}

#[test]
fn capture_mode_defaults_to_auto_as_the_spec_says() {
    assert_eq!(CaptureMode::default(), CaptureMode::Auto);
}

#[test]
fn display_honours_padding() {
    assert_eq!(format!("[{:<10}]", CaptureStatus::Failed), "[Failed    ]");
}

// ---- money inside the intent ----

#[test]
fn unknown_currency_is_rejected_by_name() {
    let message = decode_err(json!({
        "status": "Created",
        "amount": {"value": 1000, "currencyCode": "ABC"},
    }));
    assert!(message.contains("ABC"), "{message}");
}

#[test]
fn currency_without_minor_unit_is_rejected() {
    let message = decode_err(json!({
        "status": "Created",
        "totalAmount": {"value": 1, "currencyCode": "XAU"},
    }));
    assert!(message.contains("XAU"), "{message}");
}

#[test]
fn negative_money_is_rejected() {
    let message = decode_err(json!({
        "status": "Created",
        "amount": {"value": -1, "currencyCode": "GBP"},
    }));
    assert!(message.contains("-1"), "{message}");
    assert!(message.contains("negative"), "{message}");
}

#[test]
fn money_without_currency_is_rejected() {
    let message = decode_err(json!({
        "status": "Created",
        "amount": {"value": 1000},
    }));
    assert!(message.contains("currencyCode"), "{message}");
}

#[test]
fn missing_status_is_rejected() {
    let message = decode_err(json!({"id": "pi_1"}));
    assert!(message.contains("status"), "{message}");
}

#[test]
fn bare_integer_amounts_are_kept_raw() {
    // The wire layer reports, the lifecycle core judges: a negative capture
    // amount must reach the core to be rejected there with its capture id.
    let pi = decode(json!({
        "status": "Authorized",
        "refundedAmount": -5,
        "captures": [{"id": "cp_1", "amount": -1, "status": "Created"}],
    }))
    .unwrap();
    assert_eq!(pi.refunded_amount, Some(-5));
    assert_eq!(pi.captures.unwrap()[0].amount, -1);
}

// ---- unknown and null fields ----

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let pi = decode(json!({
        "status": "Captured",
        "paymentEvents": [{"eventType": "Captured"}],
        "paymentSource": "api",
        "somethingNew": {"deeply": ["nested"]},
        "paymentDetails": {
            "transactionDateTime": "2024-07-25T08:49:20.973410318Z",
            "card": {"cardNumber": "44565300****1096"},
            "avsResult": "ADDRESS_MATCH_POSTCODE_MATCH",
        },
        "config": {
            "branding": {},
            "tradingName": "Cam Test Ltd",
            "payment": {"customAmountAllowed": false, "newFlag": true},
        },
        "captures": [{"amount": 10, "status": "Successful", "extra": 1}],
    }))
    .unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::Captured);
    assert_eq!(
        pi.payment_details.unwrap().transaction_date_time,
        Some(ts("2024-07-25T08:49:20.973410318Z"))
    );
    assert_eq!(
        pi.config.unwrap().payment.unwrap().custom_amount_allowed,
        Some(false)
    );
    assert_eq!(pi.captures.unwrap()[0].status, CaptureStatus::Successful);
}

#[test]
fn nulls_read_as_absent() {
    let pi = decode(json!({
        "id": null,
        "captureMode": null,
        "status": "Created",
        "amount": null,
        "refundedAmount": null,
        "expireAt": null,
        "autoExpireIn": null,
        "autoExpireAction": null,
        "paymentDetails": null,
        "config": null,
        "captures": null,
    }))
    .unwrap();
    assert_eq!(pi, minimal(PaymentIntentStatus::Created));
}

#[test]
fn from_json_reads_bytes() {
    let pi =
        PaymentIntentResource::from_json(br#"{"status":"Refunded","refundedAmount":250}"#).unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::Refunded);
    assert_eq!(pi.refunded_amount, Some(250));
    assert!(PaymentIntentResource::from_json(b"not json").is_err());
}

#[test]
fn timestamps_of_every_precision_in_the_spec_parse() {
    for text in [
        "2024-07-25T08:49:20.973410318Z",
        "2024-05-07T23:25:44.8023189Z",
        "2024-04-07T23:25:44.802258Z",
        "2024-07-25T08:48:38.497Z",
        "2024-02-13T02:25:34.17Z",
        "2024-07-25T09:19:10Z",
    ] {
        let pi = decode(json!({"status": "Created", "createdAt": text})).unwrap();
        assert_eq!(pi.created_at, Some(ts(text)), "{text}");
    }
}

// ---- encoding ----

fn minimal(status: PaymentIntentStatus) -> PaymentIntentResource {
    PaymentIntentResource {
        id: None,
        capture_mode: None,
        status,
        amount: None,
        total_amount: None,
        requested_amount: None,
        tips_amount: None,
        refunded_amount: None,
        created_at: None,
        updated_at: None,
        expire_at: None,
        auto_expire_in: None,
        auto_expire_action: None,
        payment_details: None,
        config: None,
        reference: None,
        description: None,
        captures: None,
    }
}

/// A Manual intent partly captured, with every field the type has set and
/// every capture status present: the spec has no Manual example past creation.
fn full_manual_intent() -> PaymentIntentResource {
    PaymentIntentResource {
        id: Some("pi_sandbox_manual".into()),
        capture_mode: Some(CaptureMode::Manual),
        status: PaymentIntentStatus::Authorized,
        amount: Some(gbp(10_000)),
        total_amount: Some(gbp(10_000)),
        requested_amount: Some(gbp(9_000)),
        tips_amount: Some(gbp(300)),
        refunded_amount: Some(0),
        created_at: Some(ts("2024-07-25T08:48:38.497Z")),
        updated_at: Some("2024-07-25T09:00:00.1234567Z".into()),
        expire_at: Some("2024-08-24T08:48:38.498Z".into()),
        auto_expire_in: Some("02.00:00:00".into()),
        auto_expire_action: Some(AutoExpireAction::Release),
        payment_details: Some(PaymentDetails {
            transaction_id: Some("19e4535e-ef6e-48e2-90be-d2b313c1cefd".into()),
            transaction_date_time: Some(ts("2024-07-25T08:49:20.973410318Z")),
            message: Some("AUTHORISED".into()),
            auth_code: Some("123456".into()),
        }),
        config: Some(IntentConfig {
            payment: Some(PaymentConfig {
                custom_amount_allowed: Some(true),
                tips_allowed: Some(false),
            }),
        }),
        reference: Some("Order 235".into()),
        description: Some("Manual demo".into()),
        captures: Some(vec![
            CaptureDetails {
                id: Some("cp_1".into()),
                amount: 4_000,
                tips_amount: Some(200),
                status: CaptureStatus::Successful,
                created_at: Some(ts("2024-07-25T10:00:00Z")),
            },
            CaptureDetails {
                id: Some("cp_2".into()),
                amount: 1_000,
                tips_amount: None,
                status: CaptureStatus::Created,
                created_at: Some(ts("2024-07-25T11:00:00.5Z")),
            },
            CaptureDetails {
                id: Some("cp_3".into()),
                amount: 500,
                tips_amount: None,
                status: CaptureStatus::Declined,
                created_at: None,
            },
            CaptureDetails {
                id: None,
                amount: 700,
                tips_amount: Some(0),
                status: CaptureStatus::Failed,
                created_at: None,
            },
        ]),
    }
}

#[test]
fn full_manual_intent_round_trips() {
    let intent = full_manual_intent();
    let text = serde_json::to_string(&intent).unwrap();
    let back = PaymentIntentResource::from_json(text.as_bytes()).unwrap();
    assert_eq!(back, intent);
    // Through a `Value` too, the path the spec tests take.
    let value = serde_json::to_value(&intent).unwrap();
    assert_eq!(
        serde_json::from_value::<PaymentIntentResource>(value).unwrap(),
        intent
    );
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn serialized_keys_are_dojos_camel_case() {
    let value = serde_json::to_value(full_manual_intent()).unwrap();
    assert_eq!(
        keys(&value),
        BTreeSet::from([
            "id",
            "captureMode",
            "status",
            "amount",
            "totalAmount",
            "requestedAmount",
            "tipsAmount",
            "refundedAmount",
            "createdAt",
            "updatedAt",
            "expireAt",
            "autoExpireIn",
            "autoExpireAction",
            "paymentDetails",
            "config",
            "reference",
            "description",
            "captures",
        ])
    );
    assert_eq!(
        keys(&value["paymentDetails"]),
        BTreeSet::from([
            "transactionId",
            "transactionDateTime",
            "message",
            "authCode"
        ])
    );
    assert_eq!(
        value["config"],
        json!({"payment": {"customAmountAllowed": true, "tipsAllowed": false}})
    );
    assert_eq!(
        value["captures"][0],
        json!({
            "id": "cp_1",
            "amount": 4000,
            "tipsAmount": 200,
            "status": "Successful",
            "createdAt": "2024-07-25T10:00:00Z",
        })
    );
    assert_eq!(
        value["amount"],
        json!({"value": 10000, "currencyCode": "GBP"})
    );
    assert_eq!(value["captureMode"], json!("Manual"));
    assert_eq!(value["autoExpireAction"], json!("Release"));
    // Nanoseconds are written back as they came.
    assert_eq!(
        value["paymentDetails"]["transactionDateTime"],
        json!("2024-07-25T08:49:20.973410318Z")
    );
}

#[test]
fn absent_fields_are_left_out_not_null() {
    let value = serde_json::to_value(minimal(PaymentIntentStatus::Created)).unwrap();
    assert_eq!(value, json!({"status": "Created"}));
}

// ---- operations ----

#[test]
fn capture_request_body() {
    let with_tip = CaptureRequest {
        amount: 1000,
        tips_amount: Some(100),
    };
    assert_eq!(
        serde_json::to_value(&with_tip).unwrap(),
        json!({"amount": 1000, "tipsAmount": 100})
    );
    let without = CaptureRequest {
        amount: 1000,
        tips_amount: None,
    };
    assert_eq!(
        serde_json::to_string(&without).unwrap(),
        r#"{"amount":1000}"#
    );
}

#[test]
fn capture_response_reads_old_and_new_shapes() {
    let new: CaptureResponse =
        serde_json::from_value(json!({"message": "Demo capture", "captureId": "cp_1"})).unwrap();
    assert_eq!(new.capture_id.as_deref(), Some("cp_1"));
    assert_eq!(new.status, None);
    let old: CaptureResponse = serde_json::from_value(
        json!({"message": "Demo capture", "captureId": "cp_1", "status": "Created"}),
    )
    .unwrap();
    assert_eq!(old.status, Some(CaptureStatus::Created));
    let bad = serde_json::from_value::<CaptureResponse>(json!({"status": "Done"})).unwrap_err();
    assert!(bad.to_string().contains("\"Done\""), "{bad}");
}

#[test]
fn refund_request_body() {
    let request = RefundRequest {
        amount: 1000,
        refund_reason: Some("Demo refund".into()),
        notes: None,
        previous_transaction_id: Some("tx_1".into()),
    };
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"amount": 1000, "refundReason": "Demo refund", "previousTransactionId": "tx_1"})
    );
}

#[test]
fn refund_and_reversal_responses() {
    let refund: RefundResponse = serde_json::from_value(json!({
        "paymentIntentId": "pi_1",
        "refundId": "rfnd_1",
        "refundReason": null,
        "notes": "n",
        "unknown": true,
    }))
    .unwrap();
    assert_eq!(
        refund,
        RefundResponse {
            payment_intent_id: Some("pi_1".into()),
            refund_id: Some("rfnd_1".into()),
            refund_reason: None,
            notes: Some("n".into()),
        }
    );
    let reversal: ReversalResponse =
        serde_json::from_value(json!({"message": "Reversed", "reversalId": "rvs_1"})).unwrap();
    assert_eq!(reversal.reversal_id.as_deref(), Some("rvs_1"));
    assert_eq!(reversal.message.as_deref(), Some("Reversed"));
}

#[test]
fn change_amount_request_carries_money() {
    let request = ChangeAmountRequest { amount: gbp(5500) };
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value,
        json!({"amount": {"value": 5500, "currencyCode": "GBP"}})
    );
    assert_eq!(
        serde_json::from_value::<ChangeAmountRequest>(value).unwrap(),
        request
    );
    let negative = serde_json::from_value::<ChangeAmountRequest>(
        json!({"amount": {"value": -5, "currencyCode": "GBP"}}),
    )
    .unwrap_err();
    assert!(negative.to_string().contains("-5"), "{negative}");
}

#[test]
fn problem_details_decode() {
    let problem: ProblemDetails = serde_json::from_value(json!({
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "traceId": "00-abc-def-00",
        "errors": {"amount": ["The amount must be greater than 0."]},
        "extensions": {},
    }))
    .unwrap();
    assert_eq!(
        problem.r#type.as_deref(),
        Some("https://tools.ietf.org/html/rfc7231#section-6.5.1")
    );
    assert_eq!(problem.status, Some(400));
    assert_eq!(problem.trace_id.as_deref(), Some("00-abc-def-00"));
    assert_eq!(problem.detail, None);
    assert_eq!(
        problem.errors,
        Some(json!({"amount": ["The amount must be greater than 0."]}))
    );
    let value = serde_json::to_value(&problem).unwrap();
    assert_eq!(
        keys(&value),
        BTreeSet::from(["type", "title", "status", "traceId", "errors"])
    );
}
