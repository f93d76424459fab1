//! Dojo's own OpenAPI examples, read from the specs at test time, must decode
//! as the wire types (and the malformed 2022-04-07 ones must not).
//!
//! The counts are pinned: a spec update that drops or adds an example fails
//! here, so someone looks at what changed instead of the test silently
//! checking less.

use std::collections::BTreeMap;

use dojo_capture::money::{Currency, Money};
use dojo_capture::wire::{
    AutoExpireAction, CaptureMode, CaptureRequest, CaptureResponse, ChangeAmountRequest,
    PaymentIntentResource, PaymentIntentStatus, RefundRequest, RefundResponse, ReversalResponse,
};
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Dojo's specs, vendored byte for byte (see the README there).
const SPEC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dojo-openapi/");

/// The keys of a path item that are operations; the others (`parameters`,
/// `summary`, …) are not, and `/receipt` really has a path-level `parameters`.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const PAYMENT_INTENT: &str = "#/components/schemas/PaymentIntent";
const PAGED_PAYMENT_INTENT: &str = "#/components/schemas/PagedPaymentIntent";

/// Reads a spec into JSON. `lossy` is for 2024-02-05, which holds a
/// Windows-1252 byte (0x97) in its prose; the others must stay valid UTF-8,
/// so that a new encoding problem is noticed rather than papered over.
fn load_spec(name: &str, lossy: bool) -> Value {
    let path = format!("{SPEC_DIR}{name}");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let text = if lossy {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{path} is not UTF-8: {e}"))
    };
    serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// One example body, with where it came from for failure messages and lookups.
struct Example {
    /// e.g. `get /payment-intents/{paymentIntentId} 200 example`.
    location: String,
    body: Value,
}

/// Every payment-intent example in a spec's responses: the `example` and each
/// `examples.*.value` of every `application/json` response whose schema is
/// `PaymentIntent`, plus each `data[]` item of `PagedPaymentIntent` ones.
/// The second list holds the paged items.
fn payment_intent_examples(spec: &Value) -> (Vec<Example>, Vec<Example>) {
    let mut single = Vec::new();
    let mut paged = Vec::new();
    let paths = spec["paths"].as_object().expect("spec has paths");
    for (path, item) in paths {
        for method in METHODS {
            let Some(responses) = item[method]["responses"].as_object() else {
                continue;
            };
            for (code, response) in responses {
                let content = &response["content"]["application/json"];
                let schema = content["schema"]["$ref"].as_str();
                if schema != Some(PAYMENT_INTENT) && schema != Some(PAGED_PAYMENT_INTENT) {
                    continue;
                }
                let mut bodies = Vec::new();
                if let Some(example) = content.get("example") {
                    bodies.push((format!("{method} {path} {code} example"), example.clone()));
                }
                if let Some(examples) = content["examples"].as_object() {
                    for (name, example) in examples {
                        let value = example.get("value").unwrap_or_else(|| {
                            panic!("{method} {path} {code} examples.{name} has no value")
                        });
                        bodies.push((format!("{method} {path} {code} {name}"), value.clone()));
                    }
                }
                for (location, body) in bodies {
                    if schema == Some(PAYMENT_INTENT) {
                        single.push(Example { location, body });
                    } else {
                        let data = body["data"].as_array().cloned().unwrap_or_default();
                        for (i, item) in data.into_iter().enumerate() {
                            let location = format!("{location} data[{i}]");
                            paged.push(Example {
                                location,
                                body: item,
                            });
                        }
                    }
                }
            }
        }
    }
    (single, paged)
}

/// Decodes every example, failing with the example's location on the first
/// that does not decode.
fn decode_all(examples: &[Example]) -> BTreeMap<String, PaymentIntentResource> {
    examples
        .iter()
        .map(|example| {
            let decoded = serde_json::from_value::<PaymentIntentResource>(example.body.clone())
                .unwrap_or_else(|e| panic!("{}: {e}", example.location));
            (example.location.clone(), decoded)
        })
        .collect()
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn gbp(minor: i64) -> Money {
    Money::new(minor, Currency::GBP)
}

fn get<'a>(
    decoded: &'a BTreeMap<String, PaymentIntentResource>,
    location: &str,
) -> &'a PaymentIntentResource {
    decoded.get(location).unwrap_or_else(|| {
        panic!(
            "no example at {location}; have {:?}",
            decoded.keys().collect::<Vec<_>>()
        )
    })
}

/// The 2024-02-05 and 2025-09-10 payment-intent examples are identical in
/// the fields the crate reads, so one set of checks serves both.
fn check_current_payment_intent_examples(name: &str, lossy: bool) {
    let spec = load_spec(name, lossy);
    let (single, paged) = payment_intent_examples(&spec);

    // 7 = create (Auto, Manual), get, delete, refresh-client-session-secret,
    // tips-amount, amount.
    assert_eq!(
        single.len(),
        7,
        "{name}: payment-intent examples: {:?}",
        single.iter().map(|e| &e.location).collect::<Vec<_>>()
    );
    // The search endpoint (`PagedPaymentIntent`) carries no example in
    // either spec; pinned at zero so that one appearing gets decoded and noticed.
    assert_eq!(paged.len(), 0, "{name}: paged payment-intent examples");

    let decoded = decode_all(&single);
    assert_eq!(decoded.len(), 7, "{name}: example locations are not unique");
    decode_all(&paged);

    // Every example in these specs is an Auto intent (see the spec README).
    let modes: Vec<_> = decoded.values().map(|pi| pi.capture_mode).collect();
    assert_eq!(
        modes
            .iter()
            .filter(|m| **m == Some(CaptureMode::Manual))
            .count(),
        1,
        "{name}: only the create example named Manual is Manual: {modes:?}"
    );

    // The GET example: a captured Auto payment, the crate's model case of
    // "captured in full although captures[] is empty".
    let read = get(
        &decoded,
        "get /payment-intents/{paymentIntentId} 200 example",
    );
    assert_eq!(
        read.id.as_deref(),
        Some("pi_sandbox_S_zeCMipQkSG9fFmqS-ceQ")
    );
    assert_eq!(read.status, PaymentIntentStatus::Captured);
    assert_eq!(read.capture_mode, Some(CaptureMode::Auto));
    assert_eq!(read.amount, Some(gbp(1000)));
    assert_eq!(read.total_amount, Some(gbp(1000)));
    assert_eq!(read.requested_amount, None);
    assert_eq!(read.tips_amount, None);
    assert_eq!(read.refunded_amount, Some(0));
    assert_eq!(read.captures, Some(vec![]));
    assert_eq!(read.created_at, Some(ts("2024-07-25T08:48:38.497Z")));
    assert_eq!(read.updated_at.as_deref(), Some("2024-07-25T08:49:24.761Z"));
    assert_eq!(read.expire_at.as_deref(), Some("2024-08-24T08:48:38.498Z"));
    assert_eq!(read.auto_expire_in, None);
    assert_eq!(read.auto_expire_action, None);
    assert_eq!(read.reference.as_deref(), Some("Order 234"));
    assert_eq!(read.description.as_deref(), Some("Demo payment intent"));
    // `config` is present but has no `payment` part.
    assert_eq!(read.config.as_ref().map(|c| c.payment.clone()), Some(None));
    let details = read
        .payment_details
        .as_ref()
        .expect("GET example has paymentDetails");
    assert_eq!(
        details.transaction_id.as_deref(),
        Some("19e4535e-ef6e-48e2-90be-d2b313c1cefd")
    );
    assert_eq!(details.message.as_deref(), Some("DEPOSITED"));
    assert_eq!(details.auth_code.as_deref(), Some("123456"));
    // Nanosecond precision must survive, not be rounded to micro- or milliseconds.
    let paid = details.transaction_date_time.expect("transactionDateTime");
    assert_eq!(paid, ts("2024-07-25T08:49:20.973410318Z"));
    assert_eq!(paid.subsec_nanosecond(), 973_410_318);

    // The Manual create example carries the auto-expiry fields, and a
    // seven-digit fraction (.NET's tick precision) in `expireAt`.
    let manual = get(&decoded, "post /payment-intents 200 Manual");
    assert_eq!(manual.status, PaymentIntentStatus::Created);
    assert_eq!(manual.capture_mode, Some(CaptureMode::Manual));
    assert_eq!(manual.auto_expire_action, Some(AutoExpireAction::Capture));
    assert_eq!(manual.auto_expire_in.as_deref(), Some("00:00:55"));
    assert_eq!(
        manual.expire_at.as_deref(),
        Some("2024-05-07T23:24:53.3771391Z")
    );
    assert_eq!(manual.captures, None);
    assert_eq!(manual.payment_details, None);

    let auto = get(&decoded, "post /payment-intents 200 Auto");
    assert_eq!(auto.capture_mode, Some(CaptureMode::Auto));
    assert_eq!(
        auto.expire_at.as_deref(),
        Some("2024-05-07T23:25:44.8023189Z")
    );
    assert_eq!(auto.auto_expire_action, None);

    let canceled = get(
        &decoded,
        "delete /payment-intents/{paymentIntentId} 200 example",
    );
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);

    // After a change of amount: the new amount, the original one kept as
    // `requestedAmount`, and the config flag that allowed the change.
    let changed = get(
        &decoded,
        "post /payment-intents/{paymentIntentId}/amount 200 example",
    );
    assert_eq!(changed.status, PaymentIntentStatus::Created);
    assert_eq!(changed.amount, Some(gbp(5500)));
    assert_eq!(changed.total_amount, Some(gbp(5500)));
    assert_eq!(changed.requested_amount, Some(gbp(1000)));
    let payment = changed
        .config
        .as_ref()
        .and_then(|c| c.payment.as_ref())
        .expect("amount example has config.payment");
    assert_eq!(payment.custom_amount_allowed, Some(true));
    assert_eq!(payment.tips_allowed, Some(true));

    for location in [
        "post /payment-intents/{paymentIntentId}/refresh-client-session-secret 200 example",
        "post /payment-intents/{paymentIntentId}/tips-amount 200 example",
    ] {
        let pi = get(&decoded, location);
        assert_eq!(pi.status, PaymentIntentStatus::Created, "{location}");
        assert_eq!(pi.amount, Some(gbp(1000)), "{location}");
    }
}

#[test]
fn payment_intent_examples_2025_09_10_decode() {
    check_current_payment_intent_examples("2025-09-10.yaml", false);
}

#[test]
fn payment_intent_examples_2024_02_05_decode() {
    check_current_payment_intent_examples("2024-02-05.yaml", true);
}

/// The bytes of 2024-02-05 that are not UTF-8, all Windows-1252 punctuation
/// in prose: the README mentions only the first (0x97 at 1907), but the
/// whole file is Windows-1252.
const WINDOWS_1252_IN_2024: [(u8, char, usize); 4] = [
    (0x92, '\u{2019}', 2),
    (0x96, '\u{2013}', 1),
    (0x97, '\u{2014}', 16),
    (0xA3, '\u{a3}', 16),
];

#[test]
fn lossy_decoding_of_2024_02_05_loses_nothing_the_tests_read() {
    let bytes = std::fs::read(format!("{SPEC_DIR}2024-02-05.yaml")).expect("read spec");
    let error = String::from_utf8(bytes.clone()).expect_err("2024-02-05 is not UTF-8");
    assert_eq!(error.utf8_error().valid_up_to(), 1907);

    // Decode properly, as Windows-1252, counting each non-UTF-8 byte; a byte
    // outside the pinned set means the file changed and needs a fresh look.
    let mut seen = BTreeMap::new();
    let mut proper = String::new();
    for chunk in bytes.utf8_chunks() {
        proper.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            let &(_, decoded, _) = WINDOWS_1252_IN_2024
                .iter()
                .find(|(b, _, _)| *b == byte)
                .unwrap_or_else(|| panic!("unexpected byte {byte:#04x} in 2024-02-05"));
            proper.push(decoded);
            *seen.entry(byte).or_insert(0_usize) += 1;
        }
    }
    let pinned: BTreeMap<u8, usize> = WINDOWS_1252_IN_2024
        .iter()
        .map(|&(byte, _, count)| (byte, count))
        .collect();
    assert_eq!(seen, pinned);

    // Whatever the tests decode is identical under either reading, so the
    // replacement characters of the lossy read sit only in prose and receipts.
    let lossy = load_spec("2024-02-05.yaml", true);
    let proper: Value = serde_saphyr::from_str(&proper).expect("parse Windows-1252 reading");
    let bodies = |spec: &Value| {
        let (single, paged) = payment_intent_examples(spec);
        single
            .into_iter()
            .chain(paged)
            .map(|e| (e.location, e.body))
            .collect::<Vec<_>>()
    };
    assert!(
        bodies(&lossy) == bodies(&proper),
        "payment-intent examples differ"
    );
    for schema in OPERATION_SCHEMAS {
        let example = |spec: &Value| spec["components"]["schemas"][schema]["example"].clone();
        assert!(
            example(&lossy) == example(&proper),
            "{schema} example differs"
        );
    }
}

/// The component schemas whose examples are decoded as request and response types.
const OPERATION_SCHEMAS: [&str; 6] = [
    "CreateCaptureRequest",
    "Capture",
    "CreateRefundRequest",
    "Refund",
    "Reversal",
    "SetAmountRequest",
];

/// A component schema's `example`, decoded as `T`.
fn schema_example<T: DeserializeOwned>(spec: &Value, schema: &str) -> T {
    let example = spec["components"]["schemas"][schema]
        .get("example")
        .unwrap_or_else(|| panic!("schema {schema} has no example"))
        .clone();
    serde_json::from_value(example).unwrap_or_else(|e| panic!("schema {schema} example: {e}"))
}

fn check_current_operation_examples(name: &str, lossy: bool) {
    let spec = load_spec(name, lossy);

    let capture: CaptureRequest = schema_example(&spec, "CreateCaptureRequest");
    assert_eq!(
        capture,
        CaptureRequest {
            amount: 2000,
            tips_amount: None
        },
        "{name}"
    );

    let captured: CaptureResponse = schema_example(&spec, "Capture");
    assert_eq!(
        captured,
        CaptureResponse {
            message: Some("Demo capture".into()),
            capture_id: Some("cp_itIiJMEAvES3ynYF_Yhs2g".into()),
            status: None,
        },
        "{name}"
    );

    let refund: RefundRequest = schema_example(&spec, "CreateRefundRequest");
    assert_eq!(
        refund,
        RefundRequest {
            amount: 1000,
            refund_reason: Some("Demo refund".into()),
            notes: None,
            previous_transaction_id: None,
        },
        "{name}"
    );

    let refunded: RefundResponse = schema_example(&spec, "Refund");
    assert_eq!(
        refunded,
        RefundResponse {
            payment_intent_id: Some("pi_sandbox_RBMHTJ4fIkmSppDILZVCGw".into()),
            refund_id: Some("rfnd_127usj".into()),
            refund_reason: Some("Demo refund".into()),
            // `notes: null` in the example.
            notes: None,
        },
        "{name}"
    );

    // The spec's Reversal example is `{id: rvs_127usj}`, although the schema
    // names the field `reversalId` (and 2022-04-07's example used
    // `reversalId`). Decoding must not fail on it, since unknown fields are
    // ignored; but the id is not guessed from `id` either: the schema is the
    // contract, and what real responses send is for a live test to settle.
    let reversal_example = &spec["components"]["schemas"]["Reversal"]["example"];
    assert_eq!(reversal_example, &serde_json::json!({"id": "rvs_127usj"}));
    let reversed: ReversalResponse = schema_example(&spec, "Reversal");
    assert_eq!(
        reversed,
        ReversalResponse {
            message: None,
            reversal_id: None,
        },
        "{name}"
    );

    let change: ChangeAmountRequest = schema_example(&spec, "SetAmountRequest");
    assert_eq!(change, ChangeAmountRequest { amount: gbp(5500) }, "{name}");
}

#[test]
fn operation_examples_2025_09_10_decode() {
    check_current_operation_examples("2025-09-10.yaml", false);
}

#[test]
fn operation_examples_2024_02_05_decode() {
    check_current_operation_examples("2024-02-05.yaml", true);
}

#[test]
fn operation_examples_2022_04_07_decode() {
    // The older API's component examples are well formed, and its Reversal
    // example still uses the schema's own key.
    let spec = load_spec("2022-04-07.yaml", false);
    let reversed: ReversalResponse = schema_example(&spec, "Reversal");
    assert_eq!(reversed.reversal_id.as_deref(), Some("rvs_127usj"));
    assert_eq!(reversed.message, None);
    let capture: CaptureRequest = schema_example(&spec, "CreateCaptureRequest");
    assert_eq!(
        capture,
        CaptureRequest {
            amount: 1000,
            tips_amount: None
        }
    );
    let change: ChangeAmountRequest = schema_example(&spec, "SetAmountRequest");
    assert_eq!(change, ChangeAmountRequest { amount: gbp(1000) });
}

/// Removes the stray trailing quote from every object key, recursively.
fn fix_misspelled_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                fix_misspelled_keys(&mut item);
                map.insert(key.trim_end_matches('"').to_owned(), item);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_misspelled_keys),
        _ => {}
    }
}

#[test]
fn payment_intent_examples_2022_04_07_are_rejected() {
    let spec = load_spec("2022-04-07.yaml", false);
    let (single, paged) = payment_intent_examples(&spec);
    // create, get, delete, refresh-client-session-secret, tips-amount, amount.
    assert_eq!(
        single.len(),
        6,
        "{:?}",
        single.iter().map(|e| &e.location).collect::<Vec<_>>()
    );
    assert_eq!(paged.len(), 0);

    for example in &single {
        // Each example's `amount` reads `currencyCode": GBP`, so the money
        // object has no currency: a strict reader must refuse it rather than
        // assume GBP.
        let error = serde_json::from_value::<PaymentIntentResource>(example.body.clone())
            .expect_err(&example.location);
        let message = error.to_string();
        assert!(
            message.contains("currencyCode"),
            "{}: {message}",
            example.location
        );

        // With the stray quotes removed the same example decodes, so the
        // misspelling is the only reason for the rejection.
        let mut fixed = example.body.clone();
        fix_misspelled_keys(&mut fixed);
        let decoded = serde_json::from_value::<PaymentIntentResource>(fixed)
            .unwrap_or_else(|e| panic!("{} once fixed: {e}", example.location));
        assert_eq!(decoded.amount, Some(gbp(1000)), "{}", example.location);
        // 2022-04-07 predates `captures[]` on the intent.
        assert_eq!(decoded.captures, None, "{}", example.location);
    }
}
