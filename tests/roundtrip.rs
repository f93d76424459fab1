//! Re-encoding to the wire: every intent the crate holds rehydrates to the
//! same state, amounts and captures.

mod common;
use common::Copied;

use common::invariants::check_round_trip;
use common::{cid, gbp, key, paid};
use dojo_capture::{
    AnyPaymentIntent, AutoExpireAction, AutoExpiry, CaptureMode, CaptureOutcome, PaymentIntent,
    PaymentIntentStatus,
};
use jiff::SignedDuration;

fn round_trip(intent: &AnyPaymentIntent) -> AnyPaymentIntent {
    let bytes = serde_json::to_vec(&intent.to_resource()).expect("encode");
    AnyPaymentIntent::from_json(&bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
}

#[test]
fn every_shipped_example_survives_a_round_trip() {
    let mut seen = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples")).unwrap() {
        let path = entry.unwrap().path();
        // The intents; docs/examples/histories/ holds the audit's JSON Lines.
        if path.extension().is_none_or(|extension| extension != "json") {
            continue;
        }
        let intent = AnyPaymentIntent::from_json(&std::fs::read(&path).unwrap()).unwrap();
        // Same facts, and a second encoding identical to the first.
        check_round_trip(&intent).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seen += 1;
    }
    assert_eq!(seen, 9);
}

#[test]
fn the_status_is_the_one_the_amounts_imply() {
    // D4: Dojo may still say Authorized after a partial capture; the encoding
    // says what the crate derived.
    let body = br#"{"status":"Authorized","captureMode":"Manual","amount":{"value":1000,"currencyCode":"GBP"},
        "createdAt":"2024-07-25T08:49:20Z","captures":[{"id":"cp_1","amount":400,"status":"Successful"}]}"#;
    let intent = AnyPaymentIntent::from_json(body).unwrap();
    assert_eq!(intent.to_resource().status, PaymentIntentStatus::Captured);
}

#[test]
fn a_typed_intent_encodes_its_captures_payment_time_and_expiry() {
    let expiry = AutoExpiry::new(
        SignedDuration::new(86_400 + 3_723, 4_500),
        AutoExpireAction::Release,
    )
    .unwrap();
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
        .with_id("pi_1")
        .with_auto_expiry(expiry);
    let dojo_capture::Authorization::Manual(intent) = intent.authorize(paid()) else {
        panic!("a Manual intent authorises as Manual");
    };
    let intent = intent.capture(cid("cp_1"), gbp(300), paid()).unwrap();
    let wire = intent.to_resource();
    assert_eq!(wire.auto_expire_in.as_deref(), Some("01.01:02:03.0000045"));
    assert_eq!(wire.auto_expire_action, Some(AutoExpireAction::Release));
    assert_eq!(wire.id.as_deref(), Some("pi_1"));
    assert_eq!(
        wire.payment_details.and_then(|d| d.transaction_date_time),
        Some(paid())
    );
    let json = serde_json::to_value(intent.to_resource()).unwrap();
    assert_eq!(
        json["captures"],
        serde_json::json!([{"id":"cp_1","amount":300,"status":"Created","createdAt":"2024-07-25T08:49:20Z"}])
    );
    let any = intent.into_any();
    check_round_trip(&any).unwrap();
}

#[test]
fn time_spans_under_a_day_have_no_day_field_and_whole_seconds_no_fraction() {
    let expiry = AutoExpiry::new(SignedDuration::from_secs(55), AutoExpireAction::Capture).unwrap();
    let intent = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_auto_expiry(expiry);
    // The spec's own example value.
    assert_eq!(
        intent.to_resource().auto_expire_in.as_deref(),
        Some("00:00:55")
    );
}

#[test]
fn an_expiry_finer_than_a_time_span_tick_is_refused_rather_than_rounded() {
    let err = AutoExpiry::new(SignedDuration::new(60, 150), AutoExpireAction::Capture).unwrap_err();
    assert_eq!(
        err.to_string(),
        "autoExpireIn of 1m 150ns is finer than 100 nanoseconds, the resolution of a .NET time span"
    );
    assert!(AutoExpiry::new(SignedDuration::new(60, 200), AutoExpireAction::Capture).is_ok());
}

#[test]
fn refunds_and_reversals_round_trip() {
    let dojo_capture::Authorization::Auto(auto) =
        PaymentIntent::new(gbp(1000), CaptureMode::Auto).authorize(paid())
    else {
        panic!("an Auto intent authorises as Auto");
    };
    let refunded = auto.copied().refund(key("k1"), gbp(250)).unwrap();
    let any = AnyPaymentIntent::from(refunded);
    check_round_trip(&any).unwrap();
    assert_eq!(round_trip(&any).refunded(), gbp(250));

    let reversed = AnyPaymentIntent::from(auto.reverse(paid()).unwrap());
    check_round_trip(&reversed).unwrap();

    let manual = PaymentIntent::new(gbp(1000), CaptureMode::Manual).into_any();
    let manual = manual.authorize(paid()).unwrap();
    let manual = manual.capture(cid("cp_1"), gbp(500), paid()).unwrap();
    let manual = manual
        .record_capture_outcome(&cid("cp_1"), CaptureOutcome::Declined)
        .unwrap();
    let reversed = manual.reverse(paid()).unwrap();
    check_round_trip(&reversed).unwrap();
}

proptest::proptest! {
    #![proptest_config(common::proptest_config("roundtrip", 512))]

    /// Money ↔ decimal ↔ string ↔ wire JSON, exactly, in every currency the
    /// strategies draw (0, 2 and 3 minor-unit digits).
    #[test]
    fn money_round_trips_through_every_representation(money in dojo_capture::strategy::money()) {
        use dojo_capture::Money;
        let currency = money.currency();
        let decimal = money.to_decimal();
        proptest::prop_assert_eq!(decimal.scale(), currency.minor_unit_digits());
        proptest::prop_assert_eq!(Money::from_decimal(decimal, currency).unwrap(), money);
        let text = money.to_string();
        proptest::prop_assert_eq!(text.parse::<Money>().unwrap(), money);
        proptest::prop_assert_eq!(Money::parse_in(&decimal.to_string(), currency).unwrap(), money);
        // Trailing zeros add no precision, so they are not rounding.
        let padded = if decimal.scale() == 0 { format!("{decimal}.0") } else { format!("{decimal}0") };
        proptest::prop_assert_eq!(Money::parse_in(&padded, currency).unwrap(), money);
        let json = serde_json::to_string(&money).unwrap();
        proptest::prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
        proptest::prop_assert_eq!(
            json,
            format!(r#"{{"value":{},"currencyCode":"{}"}}"#, money.minor_units(), currency.code())
        );
    }
}
