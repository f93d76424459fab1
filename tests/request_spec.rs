//! Every request body the crate builds, held against the request schema of
//! Dojo's OpenAPI specs (the vendored copies in `tests/data/dojo-openapi/`):
//! the body is the schema's own example when built from the same values,
//! holds only properties the schema lists (`additionalProperties: false`),
//! every required one, and an integer wherever the schema says `int64`.

mod common;

use common::{gbp, key, paid};
use dojo_capture::request::{ApiVersion, Request};
use dojo_capture::{
    AnyPaymentIntent, Authorization, CaptureMode, CaptureOutcome, CaptureResolved, PaymentIntent,
    RefundDetails,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const SPECS: [(&str, ApiVersion); 2] = [
    ("2024-02-05.yaml", ApiVersion::V2024_02_05),
    ("2025-09-10.yaml", ApiVersion::V2025_09_10),
];

fn load_spec(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/dojo-openapi/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    // 2024-02-05 holds one Windows-1252 byte in its prose.
    let text = String::from_utf8_lossy(&bytes);
    serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

fn now() -> Timestamp {
    paid() + SignedDuration::from_hours(1)
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(request.body().expect("a body")).expect("the body is JSON")
}

/// The request schema of `method path`, resolved through its `$ref`.
fn request_schema<'s>(spec: &'s Value, path: &str, method: &str) -> &'s Value {
    let reference =
        spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has a request schema"));
    let name = reference.trim_start_matches("#/components/schemas/");
    &spec["components"]["schemas"][name]
}

/// The body holds only the schema's properties, every required one, and
/// an integer where the schema says int64.
fn fits(schema: &Value, body: &Value, what: &str) {
    let properties = schema["properties"].as_object().expect("properties");
    assert_eq!(schema["additionalProperties"], json!(false), "{what}");
    let fields = body.as_object().expect("an object body");
    for (name, value) in fields {
        let property = properties
            .get(name)
            .unwrap_or_else(|| panic!("{what}: {name} is not in the schema"));
        if property["format"] == json!("int64") {
            assert!(value.is_i64(), "{what}: {name} is {value}, not an int64");
        }
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let required = required.as_str().expect("a name");
        assert!(
            fields.contains_key(required),
            "{what}: {required} is missing"
        );
    }
}

fn manual_captured(minor: i64) -> PaymentIntent<dojo_capture::state::Captured> {
    let Authorization::Manual(authorized) = PaymentIntent::new(gbp(minor), CaptureMode::Manual)
        .with_id("pi_spec")
        .authorize(paid())
    else {
        panic!("a Manual intent is authorised");
    };
    let id = common::cid("cp_spec");
    let CaptureResolved::Captured(captured) = authorized
        .capture(id.clone(), gbp(minor), now())
        .unwrap()
        .record_capture_outcome(&id, CaptureOutcome::Successful)
        .unwrap()
    else {
        panic!("a Successful capture captures");
    };
    captured
}

#[test]
fn a_capture_body_is_the_spec_s_example() {
    for (name, version) in SPECS {
        let spec = load_spec(name);
        let schema = request_schema(&spec, "/payment-intents/{paymentIntentId}/captures", "post");
        let example = &schema["example"];
        assert_eq!(example, &json!({"amount": 2000}), "{name}");
        let authorized = PaymentIntent::new(gbp(5000), CaptureMode::Manual)
            .with_id("pi_spec")
            .authorize(paid());
        let Authorization::Manual(authorized) = authorized else {
            panic!("a Manual intent is authorised");
        };
        let (authorized, prepared) = authorized
            .prepare_capture(gbp(2000), None, now(), version)
            .unwrap();
        assert_eq!(&body(prepared.request()), example, "{name}");
        fits(schema, &body(prepared.request()), name);
        let (_, tipped) = authorized
            .prepare_capture(gbp(2000), Some(gbp(100)), now(), version)
            .unwrap();
        assert_eq!(
            body(tipped.request()),
            json!({"amount": 2000, "tipsAmount": 100})
        );
        fits(schema, &body(tipped.request()), name);
    }
}

#[test]
fn a_refund_body_is_the_spec_s_example() {
    for (name, version) in SPECS {
        let spec = load_spec(name);
        let schema = request_schema(&spec, "/payment-intents/{paymentIntentId}/refunds", "post");
        let example = &schema["example"];
        assert_eq!(
            example,
            &json!({"amount": 1000, "refundReason": "Demo refund"}),
            "{name}"
        );
        let details = RefundDetails::new(Some("Demo refund"), None).unwrap();
        let (captured, prepared) = manual_captured(2000)
            .prepare_refund(key("rf-spec"), gbp(1000), details, version)
            .unwrap();
        assert_eq!(&body(prepared.request()), example, "{name}");
        fits(schema, &body(prepared.request()), name);
        let notes = RefundDetails::new(Some("Demo refund"), Some("a note")).unwrap();
        let (_, with_notes) = captured
            .prepare_refund(key("rf-spec-2"), gbp(500), notes, version)
            .unwrap();
        fits(schema, &body(with_notes.request()), name);
        assert_eq!(body(with_notes.request())["notes"], json!("a note"));
    }
}

#[test]
fn a_change_of_amount_body_is_the_spec_s_example() {
    for (name, version) in SPECS {
        let spec = load_spec(name);
        let schema = request_schema(&spec, "/payment-intents/{paymentIntentId}/amount", "post");
        let example = &schema["example"];
        assert_eq!(
            example,
            &json!({"amount": {"value": 5500, "currencyCode": "GBP"}}),
            "{name}"
        );
        let (_, prepared) = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
            .with_id("pi_spec")
            .with_custom_amount_allowed(true)
            .prepare_change_amount(gbp(5500), version)
            .unwrap();
        assert_eq!(&body(prepared.request()), example, "{name}");
        fits(schema, &body(prepared.request()), name);
    }
}

#[test]
fn a_change_of_tips_body_fits_the_spec_s_schema() {
    for (name, version) in SPECS {
        let spec = load_spec(name);
        let Some(path) = spec["paths"]
            .get("/payment-intents/{paymentIntentId}/tips-amount")
            .map(|_| "/payment-intents/{paymentIntentId}/tips-amount")
        else {
            continue;
        };
        let schema = request_schema(&spec, path, "post");
        // The schema's example is the Money alone, not the body: the body
        // wraps it in `tipsAmount`, as the schema's properties say.
        assert_eq!(
            schema["example"],
            json!({"value": 500, "currencyCode": "GBP"}),
            "{name}"
        );
        let (_, prepared) = PaymentIntent::new(gbp(1000), CaptureMode::Manual)
            .with_id("pi_spec")
            .with_tips_allowed(true)
            .prepare_change_tips(gbp(500), version)
            .unwrap();
        assert_eq!(
            body(prepared.request()),
            json!({"tipsAmount": schema["example"].clone()})
        );
        fits(schema, &body(prepared.request()), name);
    }
}

#[test]
fn bodiless_requests_are_the_spec_s_operations_without_a_request_body() {
    for (name, version) in SPECS {
        let spec = load_spec(name);
        let reversal = &spec["paths"]["/payment-intents/{paymentIntentId}/reversal"]["post"];
        assert!(
            reversal.is_object() && reversal.get("requestBody").is_none(),
            "{name}"
        );
        let cancel = &spec["paths"]["/payment-intents/{paymentIntentId}"]["delete"];
        assert!(
            cancel.is_object() && cancel.get("requestBody").is_none(),
            "{name}"
        );

        let auto = PaymentIntent::new(gbp(1000), CaptureMode::Auto).with_id("pi_spec");
        let Authorization::Auto(captured) = auto.authorize(paid()) else {
            panic!("an Auto intent is captured by Dojo");
        };
        let (_, prepared) = captured.prepare_reversal(now(), version).unwrap();
        assert_eq!(prepared.request().body(), None);
        assert_eq!(prepared.request().header("content-type"), None);

        let created = PaymentIntent::new(gbp(1000), CaptureMode::Manual).with_id("pi_spec");
        let (_, prepared) = AnyPaymentIntent::from(created)
            .prepare_cancel(version)
            .unwrap();
        assert_eq!(prepared.request().body(), None);
        assert_eq!(prepared.request().path(), "/payment-intents/pi_spec");
    }
}
