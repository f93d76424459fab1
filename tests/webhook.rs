//! Webhook deliveries: Dojo's published example verifies, every way of
//! spoiling its signature is refused with its own code, rotation accepts any
//! valid secret, and a verified body is read as an event without refusing
//! the words the crate does not know.

mod common;

use dojo_capture::webhook::{
    self, EventName, PaymentStatus, SIGNATURE_HEADER, VerifiedBody, WebhookSecret,
};
use dojo_capture::{CaptureMode, PaymentIntentStatus, Timestamp, WebhookError};
use hmac::{KeyInit, Mac};
use proptest::prelude::*;

/// Dojo's webhook guide: this body, signed with this secret, carries this header.
const DOJO_BODY: &str = r#"{"id":"evt_hnnHxIKR_Uy6bhZCusCltw","event":"payment_intent.created","accountId":"acc_test","createdAt":"2022-02-01T13:07:41.8667859Z","data":{"paymentIntentId":"pi_vpwd4ooAPEqyNAQe4z89WQ","paymentStatus":"Created","captureMode":"Auto"}}"#;
const DOJO_SECRET: &str = "ws_OYsyzcrH70GpJfs8MMkKpg";
const DOJO_HEADER: &str = "sha256=94-AC-93-67-D6-8B-69-6D-15-A2-C2-45-40-98-B5-E7-64-72-38-C5-1F-6D-32-D0-5F-CB-91-20-A9-20-64-F4";

fn secret(value: &str) -> WebhookSecret {
    WebhookSecret::new(value).expect("a test secret")
}

fn dojo_secret() -> WebhookSecret {
    secret(DOJO_SECRET)
}

fn other_secret() -> WebhookSecret {
    secret("ws_another_secret_of_the_subscription")
}

fn refusal(body: &[u8], header: impl AsRef<[u8]>, secrets: &[WebhookSecret]) -> WebhookError {
    webhook::verify(body, header, secrets).expect_err("refused")
}

/// A signed body's event, or its refusal.
fn event_of(body: &str) -> Result<webhook::WebhookEvent, WebhookError> {
    let secret = dojo_secret();
    webhook::verify_event(body.as_bytes(), secret.sign(body.as_bytes()), &[secret])
}

#[test]
fn dojo_s_published_example_verifies_and_reads() {
    let verified = webhook::verify(DOJO_BODY.as_bytes(), DOJO_HEADER, &[dojo_secret()]).unwrap();
    assert_eq!(verified.bytes(), DOJO_BODY.as_bytes());
    assert_eq!(verified.secret_index(), 0);
    let event = verified.event().unwrap();
    assert_eq!(event.id(), "evt_hnnHxIKR_Uy6bhZCusCltw");
    assert_eq!(event.name(), &EventName::Created);
    assert_eq!(event.account_id(), Some("acc_test"));
    assert_eq!(
        event.created_at(),
        Some("2022-02-01T13:07:41.8667859Z".parse::<Timestamp>().unwrap())
    );
    assert_eq!(event.payment_intent_id(), "pi_vpwd4ooAPEqyNAQe4z89WQ");
    assert_eq!(event.status(), Some(&PaymentStatus::Created));
    assert_eq!(event.intent_status(), Some(PaymentIntentStatus::Created));
    assert_eq!(event.capture_mode(), Some(CaptureMode::Auto));
    assert_eq!(event.capture_mode_word(), Some("Auto"));
}

#[test]
fn sign_writes_dojo_s_header_for_dojo_s_example() {
    assert_eq!(dojo_secret().sign(DOJO_BODY.as_bytes()), DOJO_HEADER);
}

#[test]
fn the_header_name_matches_either_spelling() {
    assert_eq!(SIGNATURE_HEADER, "dojo-signature");
    assert!(SIGNATURE_HEADER.eq_ignore_ascii_case("Dojo-Signature"));
}

#[test]
fn a_tampered_body_is_a_mismatch() {
    let mut body = DOJO_BODY.as_bytes().to_vec();
    // "Created" becomes "Captured": the change a forger would want.
    let text = DOJO_BODY.replace(
        "\"paymentStatus\":\"Created\"",
        "\"paymentStatus\":\"Captured\"",
    );
    assert_ne!(text, DOJO_BODY);
    let error = refusal(text.as_bytes(), DOJO_HEADER, &[dojo_secret()]);
    assert_eq!(error.code(), "webhook_signature_mismatch");
    assert_eq!(
        error.to_string(),
        "no webhook secret (1 tried) signed this body: it was changed, signed with another \
         secret, or not sent by Dojo"
    );
    // One more byte, one byte fewer, a BOM in front: each changes the signed bytes.
    body.push(b' ');
    assert_eq!(
        refusal(&body, DOJO_HEADER, &[dojo_secret()]).code(),
        "webhook_signature_mismatch"
    );
    body.truncate(DOJO_BODY.len() - 1);
    assert_eq!(
        refusal(&body, DOJO_HEADER, &[dojo_secret()]).code(),
        "webhook_signature_mismatch"
    );
    let with_bom = [&b"\xEF\xBB\xBF"[..], DOJO_BODY.as_bytes()].concat();
    assert_eq!(
        refusal(&with_bom, DOJO_HEADER, &[dojo_secret()]).code(),
        "webhook_signature_mismatch"
    );
}

#[test]
fn every_nibble_of_the_header_matters() {
    let digest_start = "sha256=".len();
    for (at, digit) in DOJO_HEADER.char_indices().skip(digest_start) {
        if digit == '-' {
            continue;
        }
        let flipped = if digit == '0' { '1' } else { '0' };
        let mut header = DOJO_HEADER.to_owned();
        header.replace_range(at..=at, &flipped.to_string());
        let error = refusal(DOJO_BODY.as_bytes(), &header, &[dojo_secret()]);
        assert_eq!(error.code(), "webhook_signature_mismatch", "{header}");
    }
}

#[test]
fn hexadecimal_digits_of_either_case_verify() {
    let body = DOJO_BODY.as_bytes();
    let lower = format!("sha256={}", DOJO_HEADER["sha256=".len()..].to_lowercase());
    assert!(webhook::verify(body, &lower, &[dojo_secret()]).is_ok());
    // Mixed case too: the comparison is of the decoded bytes.
    let mixed: String = DOJO_HEADER
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    assert!(mixed.starts_with("sha256="));
    assert_ne!(mixed, DOJO_HEADER);
    assert!(webhook::verify(body, &mixed, &[dojo_secret()]).is_ok());
}

#[test]
fn the_header_may_be_bytes_or_text() {
    let body = DOJO_BODY.as_bytes();
    assert!(webhook::verify(body, DOJO_HEADER.as_bytes(), &[dojo_secret()]).is_ok());
    let text: String = DOJO_HEADER.into();
    assert!(webhook::verify(body, text, &[dojo_secret()]).is_ok());
    let bytes: Vec<u8> = DOJO_HEADER.into();
    assert!(webhook::verify(body, bytes, &[dojo_secret()]).is_ok());
}

#[test]
fn another_scheme_or_no_equals_sign_is_an_unknown_scheme() {
    let digest = &DOJO_HEADER["sha256=".len()..];
    for header in [
        format!("sha1={digest}"),
        format!("SHA256={digest}"),
        format!("sha512={digest}"),
        format!(" sha256={digest}"),
        format!("sha256 {digest}"),
        digest.to_owned(),
        "sha256".to_owned(),
    ] {
        let error = refusal(DOJO_BODY.as_bytes(), &header, &[dojo_secret()]);
        assert_eq!(error.code(), "webhook_unknown_scheme", "{header}");
    }
    let error = refusal(DOJO_BODY.as_bytes(), "v1,abc", &[dojo_secret()]);
    assert_eq!(
        error.to_string(),
        "dojo-signature \"v1,abc\" is not sha256=DIGEST: Dojo signs with HMAC-SHA256 and no \
         other scheme"
    );
}

#[test]
fn a_digest_that_is_not_32_pairs_is_malformed() {
    let header = DOJO_HEADER;
    let cases = [
        // Truncated: one pair, then one digit, missing.
        header[..header.len() - 3].to_owned(),
        header[..header.len() - 1].to_owned(),
        // An extra pair.
        format!("{header}-00"),
        // Spaces around or inside.
        format!("{header} "),
        header.replace("94-AC", "94 AC"),
        // The hyphens left out, or another separator.
        header.replace('-', ""),
        header.replace('-', ":"),
        // Not hexadecimal.
        header.replace("94", "9G"),
        header.replace("94", "+9"),
        // Nothing after the scheme.
        "sha256=".to_owned(),
        // Base64, as other services write their digests.
        "sha256=lKyTZ9aLaW0VosJFQJi152RyOMUfbTLQX8uRIKkgZPQ=".to_owned(),
        // The right length, one pair shifted by a hyphen.
        format!("sha256=-{}", &header["sha256=".len()..header.len() - 1]),
        // Non-ASCII where a digit should be.
        header.replacen('4', "é", 1),
    ];
    for header in cases {
        let error = refusal(DOJO_BODY.as_bytes(), &header, &[dojo_secret()]);
        assert_eq!(error.code(), "webhook_malformed_digest", "{header}");
    }
    let error = refusal(DOJO_BODY.as_bytes(), "sha256=94-AC", &[dojo_secret()]);
    assert_eq!(
        error.to_string(),
        "the dojo-signature digest \"94-AC\" is not 32 hexadecimal byte pairs joined by \"-\" \
         (64 hex digits, 31 hyphens)"
    );
}

#[test]
fn an_absent_or_empty_header_is_missing() {
    let error = refusal(DOJO_BODY.as_bytes(), "", &[dojo_secret()]);
    assert_eq!(error.code(), "webhook_signature_missing");
    assert_eq!(
        error.to_string(),
        "the dojo-signature header is missing or empty; Dojo signs every webhook delivery"
    );
    // A caller whose header lookup finds nothing passes the empty value.
    let headers = std::collections::HashMap::from([("x-signature", DOJO_HEADER)]);
    let absent = headers.get(SIGNATURE_HEADER).copied();
    let error = refusal(
        DOJO_BODY.as_bytes(),
        absent.unwrap_or_default(),
        &[dojo_secret()],
    );
    assert_eq!(error.code(), "webhook_signature_missing");
}

#[test]
fn no_secrets_is_its_own_code_and_comes_first() {
    for header in ["", "md5=1", "sha256=xx", DOJO_HEADER] {
        let error = refusal(DOJO_BODY.as_bytes(), header, &[]);
        assert_eq!(error.code(), "webhook_no_secrets", "{header}");
        assert!(error.is_configuration());
        assert_eq!(
            error.to_string(),
            "no webhook secret to verify with: at least one of the subscription's secrets is needed"
        );
    }
}

#[test]
fn an_empty_secret_is_refused() {
    let error = WebhookSecret::new("").unwrap_err();
    assert_eq!(error.code(), "webhook_secret_empty");
    assert!(error.is_configuration());
    assert_eq!(
        error.to_string(),
        "a webhook secret is never empty: an empty key is known to everyone, so it would \
         authenticate nothing"
    );
    // One space is a key like any other: nothing is trimmed.
    let space = secret(" ");
    assert!(webhook::verify(b"{}", space.sign(b"{}"), &[space]).is_ok());
}

#[test]
fn the_codes_are_checked_in_order() {
    // Each header is wrong in every way from its own one on; the first is reported.
    let tampered = b"tampered";
    let secrets = [dojo_secret()];
    assert_eq!(
        refusal(tampered, "", &secrets).code(),
        "webhook_signature_missing"
    );
    assert_eq!(
        refusal(tampered, "md5=zz", &secrets).code(),
        "webhook_unknown_scheme"
    );
    assert_eq!(
        refusal(tampered, "sha256=zz", &secrets).code(),
        "webhook_malformed_digest"
    );
    assert_eq!(
        refusal(tampered, DOJO_HEADER, &secrets).code(),
        "webhook_signature_mismatch"
    );
    let other = other_secret();
    let header = other.sign(tampered);
    let verified = webhook::verify(tampered, &header, &[other]).unwrap();
    assert_eq!(verified.event().unwrap_err().code(), "webhook_not_an_event");
}

#[test]
fn rotation_accepts_any_valid_secret_in_either_order() {
    let body = DOJO_BODY.as_bytes();
    let (old, new) = (dojo_secret(), other_secret());
    let signed_old = DOJO_HEADER.to_owned();
    let signed_new = new.sign(body);
    for (header, secrets, index) in [
        (&signed_old, vec![old.clone(), new.clone()], 0),
        (&signed_old, vec![new.clone(), old.clone()], 1),
        (&signed_new, vec![old.clone(), new.clone()], 1),
        (&signed_new, vec![new.clone(), old.clone()], 0),
        (&signed_old, vec![old.clone()], 0),
        (&signed_new, vec![new.clone()], 0),
    ] {
        let verified = webhook::verify(body, header, &secrets).unwrap();
        assert_eq!(verified.secret_index(), index);
    }
    // Only the old secret: a delivery signed with the new one is refused, and back.
    assert_eq!(
        refusal(body, &signed_new, std::slice::from_ref(&old)).code(),
        "webhook_signature_mismatch"
    );
    assert_eq!(
        refusal(body, &signed_old, std::slice::from_ref(&new)).code(),
        "webhook_signature_mismatch"
    );
    let error = refusal(body, new.sign(b"another body"), &[old, new]);
    assert_eq!(
        error.to_string(),
        "no webhook secret (2 tried) signed this body: it was changed, signed with another \
         secret, or not sent by Dojo"
    );
}

#[test]
fn the_same_secret_twice_matches_at_its_first_place() {
    let body = DOJO_BODY.as_bytes();
    let secrets = [other_secret(), dojo_secret(), dojo_secret()];
    assert_eq!(
        webhook::verify(body, DOJO_HEADER, &secrets)
            .unwrap()
            .secret_index(),
        1
    );
}

#[test]
fn a_body_that_verifies_but_is_not_an_event_is_refused_naming_the_field() {
    let cases = [
        (
            "",
            "it is not JSON (EOF while parsing a value at line 1 column 0)",
        ),
        (
            "not json",
            "it is not JSON (expected ident at line 1 column 2)",
        ),
        ("[]", "it is not a JSON object"),
        ("{}", "data is missing"),
        (
            r#"{"id":"evt_1","event":"payment_intent.created"}"#,
            "data is missing",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","data":null}"#,
            "data is missing",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","data":[]}"#,
            "data is not an object",
        ),
        (
            r#"{"event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#,
            "id is missing",
        ),
        (
            r#"{"id":"","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#,
            "id is empty",
        ),
        (
            r#"{"id":7,"event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#,
            "id is a number, not a string",
        ),
        (
            r#"{"id":"evt_1","data":{"paymentIntentId":"pi_1"}}"#,
            "event is missing",
        ),
        (
            r#"{"id":"evt_1","event":null,"data":{"paymentIntentId":"pi_1"}}"#,
            "event is missing",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","data":{}}"#,
            "data.paymentIntentId is missing",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":["pi_1"]}}"#,
            "data.paymentIntentId is an array, not a string",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1","paymentStatus":3}}"#,
            "data.paymentStatus is a number, not a string",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1","captureMode":true}}"#,
            "data.captureMode is a boolean, not a string",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","accountId":{},"data":{"paymentIntentId":"pi_1"}}"#,
            "accountId is an object, not a string",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","createdAt":"yesterday","data":{"paymentIntentId":"pi_1"}}"#,
            "createdAt \"yesterday\" is not a timestamp; expected RFC 3339, e.g. 2024-07-25T08:49:20Z, or a date and time without an offset, read as UTC",
        ),
        (
            r#"{"id":"evt_1","event":"payment_intent.created","createdAt":"2024-07-25","data":{"paymentIntentId":"pi_1"}}"#,
            "createdAt \"2024-07-25\" is not a timestamp; expected RFC 3339, e.g. 2024-07-25T08:49:20Z, or a date and time without an offset, read as UTC",
        ),
    ];
    for (body, reason) in cases {
        let error = event_of(body).unwrap_err();
        assert_eq!(error.code(), "webhook_not_an_event", "{body}");
        assert_eq!(
            error.to_string(),
            format!("the verified body is not a Dojo webhook event: {reason}"),
            "{body}"
        );
    }
}

#[test]
fn every_known_event_name_is_read_and_an_unknown_one_kept() {
    for (word, name) in [
        ("payment_intent.created", EventName::Created),
        ("payment_intent.status_updated", EventName::StatusUpdated),
        ("payment_intent.send-receipt", EventName::SendReceipt),
        ("payment_intent.updated", EventName::Updated),
        (
            "payment_intent.refunded",
            EventName::Other("payment_intent.refunded".into()),
        ),
        // Words are exact, as everywhere else in the crate.
        (
            "Payment_intent.created",
            EventName::Other("Payment_intent.created".into()),
        ),
    ] {
        let body =
            format!(r#"{{"id":"evt_1","event":"{word}","data":{{"paymentIntentId":"pi_1"}}}}"#);
        let event = event_of(&body).unwrap();
        assert_eq!(event.name(), &name);
        assert_eq!(event.name().as_str(), word);
        assert_eq!(event.name().to_string(), word);
    }
}

#[test]
fn every_status_word_is_read_and_an_unknown_one_kept() {
    let lifecycle = [
        (
            "Created",
            PaymentStatus::Created,
            Some(PaymentIntentStatus::Created),
        ),
        (
            "Authorized",
            PaymentStatus::Authorized,
            Some(PaymentIntentStatus::Authorized),
        ),
        (
            "Captured",
            PaymentStatus::Captured,
            Some(PaymentIntentStatus::Captured),
        ),
        (
            "Reversed",
            PaymentStatus::Reversed,
            Some(PaymentIntentStatus::Reversed),
        ),
        (
            "Refunded",
            PaymentStatus::Refunded,
            Some(PaymentIntentStatus::Refunded),
        ),
        (
            "Canceled",
            PaymentStatus::Canceled,
            Some(PaymentIntentStatus::Canceled),
        ),
        ("AuthChallenged", PaymentStatus::AuthChallenged, None),
        ("Declined", PaymentStatus::Declined, None),
        ("ManualAuthReady", PaymentStatus::ManualAuthReady, None),
        ("Error", PaymentStatus::Error, None),
        ("Unknown", PaymentStatus::Unknown, None),
        (
            "PartiallyCaptured",
            PaymentStatus::Other("PartiallyCaptured".into()),
            None,
        ),
        ("captured", PaymentStatus::Other("captured".into()), None),
        ("", PaymentStatus::Other(String::new()), None),
    ];
    for (word, status, intent_status) in lifecycle {
        let body = format!(
            r#"{{"id":"evt_1","event":"payment_intent.status_updated","data":{{"paymentIntentId":"pi_1","paymentStatus":"{word}"}}}}"#
        );
        let event = event_of(&body).unwrap();
        assert_eq!(event.status(), Some(&status), "{word}");
        assert_eq!(event.status().unwrap().as_str(), word);
        assert_eq!(event.intent_status(), intent_status, "{word}");
        assert_eq!(status.intent_status(), intent_status);
    }
    // Every lifecycle status has its webhook word.
    for status in PaymentIntentStatus::ALL {
        assert_eq!(
            PaymentStatus::from(status.as_str()).intent_status(),
            Some(*status)
        );
    }
}

#[test]
fn an_unknown_capture_mode_is_kept_as_its_word() {
    let body = r#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1","captureMode":"manual"}}"#;
    let event = event_of(body).unwrap();
    assert_eq!(event.capture_mode(), None);
    assert_eq!(event.capture_mode_word(), Some("manual"));
    assert_eq!(event.to_json()["captureMode"], "manual");
}

#[test]
fn optional_fields_may_be_absent_or_null() {
    for body in [
        r#"{"id":"evt_1","event":"payment_intent.created","data":{"paymentIntentId":"pi_1"}}"#,
        r#"{"id":"evt_1","event":"payment_intent.created","accountId":null,"createdAt":null,"data":{"paymentIntentId":"pi_1","paymentStatus":null,"captureMode":null}}"#,
        r#"{"id":"evt_1","event":"payment_intent.created","createdAt":"","data":{"paymentIntentId":"pi_1"}}"#,
    ] {
        let event = event_of(body).unwrap();
        assert_eq!(event.account_id(), None);
        assert_eq!(event.created_at(), None);
        assert_eq!(event.status(), None);
        assert_eq!(event.intent_status(), None);
        assert_eq!(event.capture_mode(), None);
        assert_eq!(event.capture_mode_word(), None);
    }
}

#[test]
fn a_created_at_without_an_offset_is_utc() {
    let body = r#"{"id":"evt_1","event":"payment_intent.created","createdAt":"2023-12-13T14:15:01","data":{"paymentIntentId":"pi_1"}}"#;
    let event = event_of(body).unwrap();
    assert_eq!(
        event.created_at(),
        Some("2023-12-13T14:15:01Z".parse().unwrap())
    );
    let body = r#"{"id":"evt_1","event":"payment_intent.created","createdAt":"2023-12-13T15:15:01.5+01:00","data":{"paymentIntentId":"pi_1"}}"#;
    let event = event_of(body).unwrap();
    assert_eq!(
        event.created_at(),
        Some("2023-12-13T14:15:01.5Z".parse().unwrap())
    );
}

#[test]
fn unknown_fields_are_ignored_and_a_bom_is_skipped() {
    let body = "\u{FEFF}{\"id\":\"evt_1\",\"event\":\"payment_intent.created\",\"livemode\":false,\
                \"data\":{\"paymentIntentId\":\"pi_1\",\"amount\":{\"value\":1}},\"extra\":[1,2]}";
    let event = event_of(body).unwrap();
    assert_eq!(event.id(), "evt_1");
    assert_eq!(event.payment_intent_id(), "pi_1");
}

#[test]
fn the_json_form_has_every_key() {
    let event = webhook::verify_event(DOJO_BODY.as_bytes(), DOJO_HEADER, &[dojo_secret()]).unwrap();
    assert_eq!(
        event.to_json(),
        serde_json::json!({
            "id": "evt_hnnHxIKR_Uy6bhZCusCltw",
            "event": "payment_intent.created",
            "accountId": "acc_test",
            "createdAt": "2022-02-01T13:07:41.8667859Z",
            "paymentIntentId": "pi_vpwd4ooAPEqyNAQe4z89WQ",
            "paymentStatus": "Created",
            "intentStatus": "Created",
            "captureMode": "Auto",
        })
    );
    let event = event_of(r#"{"id":"evt_1","event":"x","data":{"paymentIntentId":"pi_1","paymentStatus":"Declined"}}"#).unwrap();
    let json = event.to_json();
    assert_eq!(json["paymentStatus"], "Declined");
    assert!(json["intentStatus"].is_null());
    assert!(
        json["accountId"].is_null() && json["createdAt"].is_null() && json["captureMode"].is_null()
    );
}

#[test]
fn no_message_or_debug_holds_a_secret_or_the_expected_digest() {
    let secrets = [dojo_secret(), other_secret()];
    assert_eq!(format!("{:?}", secrets[0]), "WebhookSecret(<redacted>)");
    assert_eq!(
        format!("{secrets:?}"),
        "[WebhookSecret(<redacted>), WebhookSecret(<redacted>)]"
    );
    let expected_digest = &DOJO_HEADER["sha256=".len()..];
    let headers = [
        String::new(),
        "sha1=00".to_owned(),
        "sha256=00".to_owned(),
        format!("sha256={}", "00-".repeat(31) + "00"),
    ];
    for header in &headers {
        for body in [DOJO_BODY.as_bytes(), b"{}"] {
            let error = refusal(body, header, &secrets);
            for text in [error.to_string(), format!("{error:?}")] {
                assert!(!text.contains(DOJO_SECRET), "{text}");
                assert!(!text.contains("ws_another"), "{text}");
                assert!(!text.contains(expected_digest), "{text}");
                assert!(!text.contains(&expected_digest.to_lowercase()), "{text}");
                assert!(!text.contains(&expected_digest[..8]), "{text}");
            }
        }
    }
}

#[test]
fn a_long_header_is_shortened_in_the_message() {
    let header = format!("x{}", "A".repeat(10_000));
    let message = refusal(b"{}", &header, &[dojo_secret()]).to_string();
    assert!(message.len() < 300, "{message}");
    assert!(
        message.contains(&format!("\"x{}\"…", "A".repeat(127))),
        "{message}"
    );
    let header = format!("sha256={}", "B".repeat(500));
    let message = refusal(b"{}", &header, &[dojo_secret()]).to_string();
    assert!(message.len() < 300, "{message}");
}

#[test]
fn control_characters_in_a_header_are_escaped_in_the_message() {
    let error = refusal(b"{}", "sha256=\n\u{1b}[31m", &[dojo_secret()]);
    assert_eq!(
        error.to_string(),
        "the dojo-signature digest \"\\n\\u{1b}[31m\" is not 32 hexadecimal byte pairs joined \
         by \"-\" (64 hex digits, 31 hyphens)"
    );
    let error = refusal(b"{}", b"\xff\xfe=1".as_slice(), &[dojo_secret()]);
    assert_eq!(error.code(), "webhook_unknown_scheme");
    assert!(
        error
            .to_string()
            .starts_with("dojo-signature \"\u{FFFD}\u{FFFD}=1\"")
    );
}

#[test]
fn a_verified_body_is_copy_and_its_event_can_be_read_twice() {
    let verified: VerifiedBody<'_> =
        webhook::verify(DOJO_BODY.as_bytes(), DOJO_HEADER, &[dojo_secret()]).unwrap();
    let copy = verified;
    assert_eq!(verified.event().unwrap(), copy.event().unwrap());
}

#[cfg(feature = "http")]
#[test]
fn a_header_map_is_searched_without_regard_to_case() {
    use http::{HeaderMap, HeaderName, HeaderValue};
    let body = DOJO_BODY.as_bytes();
    for name in ["dojo-signature", "Dojo-Signature", "DOJO-SIGNATURE"] {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_static(DOJO_HEADER),
        );
        let verified = webhook::verify_headers(body, &headers, &[dojo_secret()]).unwrap();
        assert_eq!(verified.event().unwrap().id(), "evt_hnnHxIKR_Uy6bhZCusCltw");
    }
    let mut headers = HeaderMap::new();
    headers.insert("x-signature", HeaderValue::from_static(DOJO_HEADER));
    let error = webhook::verify_headers(body, &headers, &[dojo_secret()]).unwrap_err();
    assert_eq!(error.code(), "webhook_signature_missing");
    headers.insert("dojo-signature", HeaderValue::from_static(""));
    let error = webhook::verify_headers(body, &headers, &[dojo_secret()]).unwrap_err();
    assert_eq!(error.code(), "webhook_signature_missing");
    // Of two values, the first is the one checked.
    let mut headers = HeaderMap::new();
    headers.append("dojo-signature", HeaderValue::from_static(DOJO_HEADER));
    headers.append("dojo-signature", HeaderValue::from_static("sha256=00"));
    assert!(webhook::verify_headers(body, &headers, &[dojo_secret()]).is_ok());
}

/// The header as Dojo would compute it, with the hmac crate directly rather
/// than through the library, so that `sign` and `verify` are checked against
/// an independent computation.
fn independent_header(secret: &str, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let pairs: Vec<String> = digest.iter().map(|byte| format!("{byte:02X}")).collect();
    format!("sha256={}", pairs.join("-"))
}

#[test]
fn the_independent_computation_agrees_with_dojo_s_example() {
    assert_eq!(
        independent_header(DOJO_SECRET, DOJO_BODY.as_bytes()),
        DOJO_HEADER
    );
}

proptest! {
    #![proptest_config(common::proptest_config("webhook", 256))]

    #[test]
    fn a_random_header_never_verifies_a_fixed_body(header in any::<Vec<u8>>()) {
        let result = webhook::verify(DOJO_BODY.as_bytes(), &header, &[dojo_secret()]);
        prop_assert!(result.is_err());
    }

    #[test]
    fn a_random_well_formed_digest_never_verifies_a_fixed_body(digest in any::<[u8; 32]>()) {
        let pairs: Vec<String> = digest.iter().map(|byte| format!("{byte:02X}")).collect();
        let header = format!("sha256={}", pairs.join("-"));
        prop_assume!(header != DOJO_HEADER);
        let error = webhook::verify(DOJO_BODY.as_bytes(), &header, &[dojo_secret()]).unwrap_err();
        prop_assert_eq!(error.code(), "webhook_signature_mismatch");
    }

    #[test]
    fn a_random_body_signed_correctly_verifies_and_parsing_never_panics(
        body in prop_oneof![
            any::<Vec<u8>>(),
            "\\PC*".prop_map(String::into_bytes),
            (
                "[a-zA-Z0-9_.-]{0,12}",
                "[a-zA-Z0-9_.-]{0,12}",
                "[a-zA-Z0-9_.-]{0,12}",
                proptest::option::of("[A-Za-z]{0,12}"),
                proptest::option::of("[0-9T:.+-]{0,25}"),
            )
                .prop_map(|(id, event, pi, status, at)| {
                    let mut data = serde_json::json!({"paymentIntentId": pi});
                    if let Some(status) = status {
                        data["paymentStatus"] = status.into();
                    }
                    let mut body = serde_json::json!({"id": id, "event": event, "data": data});
                    if let Some(at) = at {
                        body["createdAt"] = at.into();
                    }
                    body.to_string().into_bytes()
                }),
        ],
        secret_text in "[ -~]{1,40}",
    ) {
        let secret = secret(&secret_text);
        let header = secret.sign(&body);
        prop_assert_eq!(&header, &independent_header(&secret_text, &body));
        let verified = webhook::verify(&body, &header, &[other_secret(), secret]).unwrap();
        prop_assert_eq!(verified.secret_index(), 1);
        match verified.event() {
            Ok(event) => {
                prop_assert!(!event.id().is_empty());
                prop_assert!(!event.payment_intent_id().is_empty());
                let json = event.to_json();
                prop_assert_eq!(json["id"].as_str(), Some(event.id()));
            }
            Err(error) => prop_assert_eq!(error.code(), "webhook_not_an_event"),
        }
    }
}
