//! `docs/wire.md` names every field the crate decodes from a payment
//! intent and from a problem details body: a field added to the wire types
//! fails here until the page says what the crate does with it.

use dojo_capture::wire::{
    AutoExpireAction, CaptureDetails, CaptureMode, CaptureStatus, IntentConfig, PaymentConfig,
    PaymentDetails, PaymentIntentResource, PaymentIntentStatus, ProblemDetails,
};
use dojo_capture::{Currency, Money};
use serde_json::Value;

fn page() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/wire.md");
    std::fs::read_to_string(path).expect("docs/wire.md")
}

/// The dotted paths of every leaf of `value` (`captures[].id`), a `Money`
/// object counting as a leaf.
fn leaves(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(fields)
            if !(fields.contains_key("value") && fields.contains_key("currencyCode")) =>
        {
            for (key, field) in fields {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaves(field, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                leaves(item, &format!("{prefix}[]"), out);
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

fn every_field_set() -> PaymentIntentResource {
    let gbp = |minor| Money::new(minor, Currency::GBP);
    let at = "2024-07-25T08:49:20Z".parse().ok();
    PaymentIntentResource {
        id: Some("pi_1".into()),
        capture_mode: Some(CaptureMode::Manual),
        status: PaymentIntentStatus::Captured,
        amount: Some(gbp(1000)),
        total_amount: Some(gbp(1000)),
        requested_amount: Some(gbp(1000)),
        tips_amount: Some(gbp(100)),
        refunded_amount: Some(0),
        created_at: at,
        updated_at: Some("2024-07-25T08:49:20Z".into()),
        expire_at: Some("2024-08-24T08:49:20Z".into()),
        auto_expire_in: Some("01.00:00:00".into()),
        auto_expire_action: Some(AutoExpireAction::Release),
        payment_details: Some(PaymentDetails {
            transaction_id: Some("t".into()),
            transaction_date_time: at,
            message: Some("DEPOSITED".into()),
            auth_code: Some("123".into()),
        }),
        config: Some(IntentConfig {
            payment: Some(PaymentConfig {
                custom_amount_allowed: Some(true),
                tips_allowed: Some(true),
            }),
        }),
        reference: Some("Order 1".into()),
        description: Some("Tea".into()),
        captures: Some(vec![CaptureDetails {
            id: Some("cp_1".into()),
            amount: 500,
            tips_amount: Some(50),
            status: CaptureStatus::Successful,
            created_at: at,
        }]),
    }
}

#[test]
fn wire_md_names_every_field_of_the_payment_intent_the_crate_decodes() {
    let page = page();
    let mut fields = Vec::new();
    leaves(
        &serde_json::to_value(every_field_set()).unwrap(),
        "",
        &mut fields,
    );
    assert!(fields.len() > 25, "{fields:?}");
    for field in fields {
        assert!(
            page.contains(&format!("`{field}`")),
            "docs/wire.md does not name `{field}`"
        );
    }
}

#[test]
fn wire_md_names_every_field_of_problem_details_the_crate_decodes() {
    let page = page();
    let every = ProblemDetails {
        r#type: Some("t".into()),
        title: Some("t".into()),
        status: Some(400),
        detail: Some("d".into()),
        instance: Some("i".into()),
        trace_id: Some("00-1".into()),
        errors: Some(serde_json::json!({"amount": ["too large"]})),
    };
    let Value::Object(fields) = serde_json::to_value(every).unwrap() else {
        panic!("an object")
    };
    assert_eq!(fields.len(), 7);
    for field in fields.keys() {
        assert!(
            page.contains(&format!("`{field}`")),
            "docs/wire.md does not name `{field}`"
        );
    }
}
