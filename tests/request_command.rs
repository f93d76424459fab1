//! The `request` command's library form: each operation's request word for
//! word in the three forms, refusals with `check`'s rule codes, input errors
//! with their codes, and odd arguments that never panic.

mod common;

use dojo_capture::Timestamp;
use dojo_capture::check;
use dojo_capture::request_command::{self, Args, Outcome};
use proptest::prelude::*;
use serde_json::{Value, json};

const NOW: &str = "2024-07-26T10:00:00Z";

fn now() -> Timestamp {
    check::parse_now(NOW).unwrap()
}

/// Manual, Authorized, 10.00 GBP, nothing captured, id `pi_req`.
fn authorized() -> Vec<u8> {
    intent(json!({}))
}

/// The authorised intent with `extra` fields merged in.
fn intent(extra: Value) -> Vec<u8> {
    let mut intent = json!({
        "id": "pi_req",
        "captureMode": "Manual",
        "status": "Authorized",
        "amount": {"value": 1000, "currencyCode": "GBP"},
        "createdAt": "2024-07-25T08:48:38Z",
        "captures": [],
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut intent, extra) {
        base.extend(extra);
    }
    serde_json::to_vec(&intent).unwrap()
}

/// Manual, Captured: 6.00 GBP of 10.00 GBP captured by `cp_1`.
fn captured() -> Vec<u8> {
    intent(json!({
        "status": "Captured",
        "captures": [{
            "captureId": "cp_1", "amount": 600, "status": "Successful",
            "createdAt": "2024-07-25T09:00:00Z",
        }],
    }))
}

/// Created, custom amounts and tips allowed.
fn created() -> Vec<u8> {
    intent(json!({
        "status": "Created",
        "config": {"payment": {"customAmountAllowed": true, "tipsAllowed": true}},
    }))
}

fn run(intent: &[u8], args: Args<'_>) -> Outcome {
    request_command::run(intent, &args, now()).unwrap()
}

fn input_code(intent: &[u8], args: Args<'_>) -> &'static str {
    let error = request_command::run(intent, &args, now()).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: ", error.code())),
        "{error}"
    );
    error.code()
}

#[test]
fn capture_in_three_forms() {
    let outcome = run(&authorized(), Args::new("capture").amount("7.50"));
    assert_eq!(outcome.exit_code(), 0);
    assert_eq!(outcome.rule(), None);
    assert_eq!(
        outcome.text(),
        "POST https://api.dojo.tech/payment-intents/pi_req/captures\n\
         version: 2025-09-10\n\
         content-type: application/json\n\
         \n\
         {\"amount\":750}"
    );
    assert_eq!(
        outcome.curl(),
        "curl -X POST 'https://api.dojo.tech/payment-intents/pi_req/captures' \
         -H 'version: 2025-09-10' -H 'content-type: application/json' \
         -H \"Authorization: Basic $DOJO_SECRET_KEY\" --data-binary '{\"amount\":750}'"
    );
    assert_eq!(
        outcome.to_json(),
        json!({
            "allowed": true,
            "operation": "capture",
            "method": "POST",
            "url": "https://api.dojo.tech/payment-intents/pi_req/captures",
            "headers": {"version": "2025-09-10", "content-type": "application/json"},
            "body": {"amount": 750},
        })
    );
}

#[test]
fn refund_carries_its_key_quoted_for_the_shell() {
    let outcome = run(
        &captured(),
        Args::new("refund").amount("1.00 GBP").key("r'1"),
    );
    assert_eq!(outcome.exit_code(), 0);
    assert_eq!(
        outcome.text(),
        "POST https://api.dojo.tech/payment-intents/pi_req/refunds\n\
         version: 2025-09-10\n\
         idempotencyKey: r'1\n\
         content-type: application/json\n\
         \n\
         {\"amount\":100}"
    );
    assert_eq!(
        outcome.curl(),
        "curl -X POST 'https://api.dojo.tech/payment-intents/pi_req/refunds' \
         -H 'version: 2025-09-10' -H 'idempotencyKey: r'\\''1' \
         -H 'content-type: application/json' \
         -H \"Authorization: Basic $DOJO_SECRET_KEY\" --data-binary '{\"amount\":100}'"
    );
    assert_eq!(
        outcome.to_json(),
        json!({
            "allowed": true,
            "operation": "refund",
            "method": "POST",
            "url": "https://api.dojo.tech/payment-intents/pi_req/refunds",
            "headers": {
                "version": "2025-09-10",
                "idempotencyKey": "r'1",
                "content-type": "application/json",
            },
            "body": {"amount": 100},
        })
    );
}

#[test]
fn reverse_has_no_body_and_honours_version_and_base_url() {
    let outcome = run(
        &authorized(),
        Args::new("reverse")
            .version("2024-02-05")
            .base_url("http://localhost:8080/"),
    );
    assert_eq!(outcome.exit_code(), 0);
    assert_eq!(
        outcome.text(),
        "POST http://localhost:8080/payment-intents/pi_req/reversal\nversion: 2024-02-05"
    );
    assert_eq!(
        outcome.curl(),
        "curl -X POST 'http://localhost:8080/payment-intents/pi_req/reversal' \
         -H 'version: 2024-02-05' -H \"Authorization: Basic $DOJO_SECRET_KEY\""
    );
    assert_eq!(
        outcome.to_json(),
        json!({
            "allowed": true,
            "operation": "reverse",
            "method": "POST",
            "url": "http://localhost:8080/payment-intents/pi_req/reversal",
            "headers": {"version": "2024-02-05"},
            "body": null,
        })
    );
}

#[test]
fn cancel_is_a_delete() {
    let outcome = run(&created(), Args::new("cancel"));
    assert_eq!(
        outcome.text(),
        "DELETE https://api.dojo.tech/payment-intents/pi_req\nversion: 2025-09-10"
    );
    assert_eq!(
        outcome.curl(),
        "curl -X DELETE 'https://api.dojo.tech/payment-intents/pi_req' \
         -H 'version: 2025-09-10' -H \"Authorization: Basic $DOJO_SECRET_KEY\""
    );
    assert_eq!(
        outcome.to_json(),
        json!({
            "allowed": true,
            "operation": "cancel",
            "method": "DELETE",
            "url": "https://api.dojo.tech/payment-intents/pi_req",
            "headers": {"version": "2025-09-10"},
            "body": null,
        })
    );
}

#[test]
fn change_amount_and_change_tips_send_money() {
    let outcome = run(&created(), Args::new("change-amount").amount("20"));
    assert_eq!(
        outcome.text(),
        "POST https://api.dojo.tech/payment-intents/pi_req/amount\n\
         version: 2025-09-10\n\
         content-type: application/json\n\
         \n\
         {\"amount\":{\"value\":2000,\"currencyCode\":\"GBP\"}}"
    );
    assert_eq!(
        outcome.curl(),
        "curl -X POST 'https://api.dojo.tech/payment-intents/pi_req/amount' \
         -H 'version: 2025-09-10' -H 'content-type: application/json' \
         -H \"Authorization: Basic $DOJO_SECRET_KEY\" \
         --data-binary '{\"amount\":{\"value\":2000,\"currencyCode\":\"GBP\"}}'"
    );
    assert_eq!(
        outcome.to_json()["body"],
        json!({"amount": {"value": 2000, "currencyCode": "GBP"}})
    );

    let outcome = run(&created(), Args::new("change-tips").amount("1.50"));
    assert_eq!(
        outcome.text(),
        "POST https://api.dojo.tech/payment-intents/pi_req/tips-amount\n\
         version: 2025-09-10\n\
         content-type: application/json\n\
         \n\
         {\"tipsAmount\":{\"value\":150,\"currencyCode\":\"GBP\"}}"
    );
    assert_eq!(
        outcome.curl(),
        "curl -X POST 'https://api.dojo.tech/payment-intents/pi_req/tips-amount' \
         -H 'version: 2025-09-10' -H 'content-type: application/json' \
         -H \"Authorization: Basic $DOJO_SECRET_KEY\" \
         --data-binary '{\"tipsAmount\":{\"value\":150,\"currencyCode\":\"GBP\"}}'"
    );
    assert_eq!(
        outcome.to_json(),
        json!({
            "allowed": true,
            "operation": "change-tips",
            "method": "POST",
            "url": "https://api.dojo.tech/payment-intents/pi_req/tips-amount",
            "headers": {"version": "2025-09-10", "content-type": "application/json"},
            "body": {"tipsAmount": {"value": 150, "currencyCode": "GBP"}},
        })
    );
}

#[test]
fn the_intent_id_is_percent_encoded() {
    let outcome = run(
        &intent(json!({"id": "pi/a b'c"})),
        Args::new("capture").amount("1"),
    );
    assert_eq!(
        outcome.url(),
        Some("https://api.dojo.tech/payment-intents/pi%2Fa%20b%27c/captures")
    );
}

/// `check`'s verdict on the same question.
fn check_rule(intent: &[u8], operation: &str, amount: Option<&str>) -> Option<&'static str> {
    check::run(intent, operation, amount, now())
        .unwrap()
        .rule
        .map(|rule| rule.code())
}

#[test]
fn refusals_exit_1_with_checks_rule_code() {
    let cases: [(Vec<u8>, Args<'_>, &str); 6] = [
        (
            authorized(),
            Args::new("capture").amount("10.01"),
            "over_capture",
        ),
        (
            authorized(),
            Args::new("capture").amount("1 EUR"),
            "currency_mismatch",
        ),
        (
            authorized(),
            Args::new("capture").amount("0"),
            "zero_amount",
        ),
        (
            captured(),
            Args::new("refund").amount("6.01").key("r_1"),
            "over_refund",
        ),
        (captured(), Args::new("reverse"), "invalid_transition"),
        (
            authorized(),
            Args::new("change-amount").amount("5"),
            "invalid_transition",
        ),
    ];
    for (intent, args, code) in cases {
        let outcome = run(&intent, args);
        assert_eq!(outcome.exit_code(), 1, "{args:?}");
        assert_eq!(outcome.rule().map(|rule| rule.code()), Some(code));
        assert_eq!(check_rule(&intent, args.operation, args.amount), Some(code));
        let violation = outcome.violation().unwrap().to_string();
        assert!(violation.starts_with(&format!("{code}: ")), "{violation}");
        // Every form prints the refusal, not a request.
        assert_eq!(outcome.text(), violation);
        assert_eq!(outcome.curl(), violation);
        assert_eq!(
            outcome.to_json(),
            json!({
                "allowed": false,
                "operation": args.operation,
                "rule": code,
                "message": violation,
            })
        );
    }
    // A refusal check does not know: a tip on an intent without tips.
    let outcome = run(
        &intent(json!({"status": "Created"})),
        Args::new("change-tips").amount("1"),
    );
    assert_eq!(
        outcome.rule().map(|rule| rule.code()),
        Some("tips_not_allowed")
    );
}

#[test]
fn an_intent_without_an_id_cannot_name_a_path() {
    let mut without = serde_json::from_slice::<Value>(&authorized()).unwrap();
    without.as_object_mut().unwrap().remove("id");
    let without = serde_json::to_vec(&without).unwrap();
    let outcome = run(&without, Args::new("capture").amount("1"));
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        outcome.rule().map(|rule| rule.code()),
        Some("missing_intent_id")
    );
    assert!(outcome.text().starts_with("missing_intent_id: "));
}

#[test]
fn input_errors_exit_2_with_their_codes() {
    let good = authorized();
    let cases: [(&[u8], Args<'_>, &str); 14] = [
        (&good, Args::new("settle"), "unknown_operation"),
        (&good, Args::new("capture"), "amount_required"),
        (&good, Args::new("change-tips"), "amount_required"),
        (&good, Args::new("cancel").amount("1"), "unexpected_amount"),
        (&good, Args::new("refund").amount("1"), "key_required"),
        (
            &good,
            Args::new("capture").amount("1").key("k"),
            "unexpected_key",
        ),
        (&good, Args::new("refund").amount("1").key(""), "empty_id"),
        (
            &good,
            Args::new("refund").amount("1").key("a b"),
            "id_not_visible_ascii",
        ),
        (
            &good,
            Args::new("reverse").version("2023-01-01"),
            "unknown_api_version",
        ),
        (
            &good,
            Args::new("reverse").base_url("ftp://x"),
            "invalid_base_url",
        ),
        (
            &good,
            Args::new("capture").amount("ten"),
            "malformed_amount",
        ),
        (&good, Args::new("capture").amount("1.001"), "too_precise"),
        (b"{", Args::new("capture").amount("1"), "malformed_json"),
        // The arguments are judged before the intent.
        (b"{", Args::new("settle"), "unknown_operation"),
    ];
    for (intent, args, code) in cases {
        assert_eq!(input_code(intent, args), code, "{args:?}");
    }
    let error = request_command::run(&good, &Args::new("settle"), now()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown_operation: \"settle\" is not an operation; \
         expected one of capture, refund, reverse, cancel, change-amount, change-tips"
    );
    let error = request_command::run(&good, &Args::new("refund").amount("1"), now()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "key_required: refund needs --key, the idempotency key Dojo deduplicates the refund by"
    );
    let error = request_command::run(&good, &Args::new("refund").amount("1").key("a b"), now())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "id_not_visible_ascii: --key \"a b\" is not a valid idempotency key: \
         only visible ASCII characters, without spaces, are allowed"
    );
    let error =
        request_command::run(&good, &Args::new("reverse").version("latest"), now()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown_api_version: --version \"latest\" is not a Dojo API version the crate \
         supports; expected one of 2024-02-05, 2025-09-10"
    );
    assert!(!error.concerns_intent());
    let error = request_command::run(b"{", &Args::new("reverse"), now()).unwrap_err();
    assert!(error.concerns_intent());
}

proptest! {
    #![proptest_config(common::proptest_config("request_command", 256))]

    /// Odd operations, amounts, keys, versions and base URLs are an
    /// outcome or an input error, never a panic.
    #[test]
    fn odd_arguments_never_panic(
        operation in prop_oneof![
            Just("capture".to_owned()), Just("refund".to_owned()), Just("reverse".to_owned()),
            Just("cancel".to_owned()), Just("change-amount".to_owned()),
            Just("change-tips".to_owned()), any::<String>(),
        ],
        amount in proptest::option::of(prop_oneof!["[0-9]{0,20}(\\.[0-9]{0,4})?( [A-Z]{3})?", any::<String>()]),
        key in proptest::option::of(any::<String>()),
        version in proptest::option::of(prop_oneof![Just("2024-02-05".to_owned()), any::<String>()]),
        base_url in proptest::option::of(prop_oneof!["https?://[ -~]{0,20}", any::<String>()]),
    ) {
        let mut args = Args::new(&operation);
        args.amount = amount.as_deref();
        args.key = key.as_deref();
        args.version = version.as_deref();
        args.base_url = base_url.as_deref();
        for intent in [authorized(), captured(), created()] {
            match request_command::run(&intent, &args, now()) {
                Ok(outcome) => {
                    let _ = (outcome.text(), outcome.curl(), outcome.to_json());
                }
                Err(error) => prop_assert_eq!(error.exit_code(), 2),
            }
        }
    }

    /// For any amount, `request` and `check` agree on allowed or refused and
    /// on the rule that refuses.
    #[test]
    fn request_and_check_agree(
        minor in 0i64..1500,
        operation in prop_oneof![
            Just("capture"), Just("refund"), Just("change-amount"),
            Just("reverse"), Just("cancel"),
        ],
        which in 0usize..3,
    ) {
        let intent = [authorized(), captured(), created()][which].clone();
        let amount = format!("{}.{:02}", minor / 100, minor % 100);
        let takes_amount = matches!(operation, "capture" | "refund" | "change-amount");
        let amount = takes_amount.then_some(amount.as_str());
        let verdict = check::run(&intent, operation, amount, now()).unwrap();
        let mut args = Args::new(operation);
        args.amount = amount;
        if operation == "refund" {
            args.key = Some("r_prop");
        }
        let outcome = request_command::run(&intent, &args, now()).unwrap();
        prop_assert_eq!(outcome.exit_code(), verdict.exit_code());
        prop_assert_eq!(outcome.rule(), verdict.rule);
    }
}
