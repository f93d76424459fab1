//! The audit of recorded histories (`dojo_capture::audit`, `docs/audit.md`):
//! one test per finding kind, each of which fails if its check is taken
//! out; the shipped histories, clean and with every violation planted,
//! against the tables of `docs/audit.md`; the same findings from a history
//! split by intent id; and no panic, whatever the lines.

mod common;

use std::collections::BTreeMap;

use common::proptest_config;
use dojo_capture::audit::{
    Auditor, CODES, Finding, LineReader, MAX_AWAITING, MAX_LINE_BYTES, Summary, intent_id_of,
};
use dojo_capture::webhook::WebhookSecret;
use dojo_capture::{AnyPaymentIntent, Currency, IntentState, Money, Operation};
use proptest::prelude::*;
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The test secret the example histories are signed with (`scripts/histories.py`).
const SECRET: &str = "ws_history_example_only";
const PI: &str = "pi_audit_1";
const PAID: &str = "2024-07-25T09:00:00Z";
const VERSION: &str = "2025-09-10";

fn history(name: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/docs/examples/histories/{name}")).expect("example history")
}

fn secrets() -> Vec<WebhookSecret> {
    vec![WebhookSecret::new(SECRET).expect("the test secret")]
}

/// Every finding of `bytes`, read as the command line reads a file.
fn audit_bytes(bytes: &[u8], auditor: &mut Auditor) -> Vec<Finding> {
    let mut lines = LineReader::new(bytes);
    let mut findings = Vec::new();
    while let Some(line) = lines.next_line().expect("reading from memory") {
        findings.extend(auditor.feed(line));
    }
    findings
}

/// (line, intent, code) of each finding.
fn found(findings: &[Finding]) -> Vec<(u64, Option<String>, &'static str)> {
    findings
        .iter()
        .map(|f| (f.line(), f.intent_id().map(str::to_owned), f.code()))
        .collect()
}

/// (line, code) of each finding of `lines`, audited without secrets.
fn run(lines: &[Value]) -> Vec<(u64, &'static str)> {
    run_with(Auditor::new(), lines).0
}

fn run_with(mut auditor: Auditor, lines: &[Value]) -> (Vec<(u64, &'static str)>, Auditor) {
    let mut out = Vec::new();
    for line in lines {
        let text = match line {
            // A string is the line itself, not a JSON string.
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        out.extend(
            auditor
                .feed(text.as_bytes())
                .iter()
                .map(|f| (f.line(), f.code())),
        );
    }
    (out, auditor)
}

fn gbp(minor: i64) -> Value {
    json!({"value": minor, "currencyCode": "GBP"})
}

/// A payment intent as the API returns it.
fn intent(status: &str, mode: &str, amount: i64) -> Value {
    json!({"id": PI, "captureMode": mode, "status": status, "amount": gbp(amount),
           "refundedAmount": 0, "createdAt": PAID, "captures": []})
}

fn manual_authorized() -> Value {
    intent("Authorized", "Manual", 1000)
}

fn with(mut value: Value, key: &str, field: Value) -> Value {
    value[key] = field;
    value
}

fn captured(captures: Value) -> Value {
    with(intent("Captured", "Manual", 1000), "captures", captures)
}

fn path(endpoint: &str) -> String {
    if endpoint.is_empty() {
        format!("/payment-intents/{PI}")
    } else {
        format!("/payment-intents/{PI}/{endpoint}")
    }
}

/// A request line with the headers the crate sends.
fn request(method: &str, endpoint: &str, body: Option<Value>, at: &str) -> Value {
    let mut headers = json!({"version": VERSION});
    if body.is_some() {
        headers["content-type"] = json!("application/json");
    }
    let mut line = json!({"request": {"method": method, "path": path(endpoint), "headers": headers},
                          "at": at});
    if let Some(body) = body {
        line["request"]["body"] = body;
    }
    line
}

fn capture(amount: i64, at: &str) -> Value {
    request("POST", "captures", Some(json!({"amount": amount})), at)
}

fn refund(amount: i64, key: &str, at: &str) -> Value {
    let mut line = request("POST", "refunds", Some(json!({"amount": amount})), at);
    line["request"]["headers"]["idempotencyKey"] = json!(key);
    line
}

fn answer(status: Option<u16>, body: Value) -> Value {
    json!({"response": {"status": status, "body": body}, "paymentIntentId": PI})
}

fn cp(id: &str, amount: i64, status: &str, created: &str) -> Value {
    json!({"id": id, "amount": amount, "status": status, "createdAt": created})
}

/// A webhook event body about `PI`.
fn event(id: &str, status: &str, created: &str) -> String {
    json!({"id": id, "event": "payment_intent.status_updated", "createdAt": created,
           "data": {"paymentIntentId": PI, "paymentStatus": status}})
    .to_string()
}

/// A webhook delivery signed with the test secret.
fn delivery(body: &str) -> Value {
    let header = secrets()[0].sign(body.as_bytes());
    json!({"webhook": {"headers": {"dojo-signature": header}, "body": body}})
}

// ---- the shipped histories ----------------------------------------------------

#[test]
fn the_clean_history_has_no_finding_with_or_without_the_secret() {
    for auditor in [Auditor::new().with_secrets(secrets()), Auditor::new()] {
        let mut auditor = auditor;
        let findings = audit_bytes(&history("history.jsonl"), &mut auditor);
        assert_eq!(found(&findings), []);
        let summary = auditor.summary();
        assert_eq!((summary.lines(), summary.intents()), (42, 4));
        assert!(summary.is_clean());
    }
}

/// Every finding planted in `history-violations.jsonl`, audited with the secret.
const PLANTED: &[(u64, Option<&str>, &str)] = &[
    (1, None, "malformed_line"),
    (2, None, "unknown_line"),
    (3, None, "intent_id_missing"),
    (4, Some("pi_viol_bad"), "captures_exceed_amount"),
    (5, Some("pi_viol_never"), "unknown_intent"),
    (6, Some("pi_viol_manual_M"), "unknown_request"),
    (8, Some("pi_viol_manual_M"), "request_mismatch"),
    (10, Some("pi_viol_manual_M"), "over_capture"),
    (14, Some("pi_viol_manual_M"), "reconcile_answer_awaited"),
    (15, Some("pi_viol_manual_M"), "capture_id_already_recorded"),
    (16, Some("pi_viol_manual_M"), "outcome_unknown"),
    (18, Some("pi_viol_manual_M"), "reconcile_captured_shrank"),
    (20, Some("pi_viol_manual_M"), "refund_answer_unreadable"),
    (22, Some("pi_viol_manual_M"), "capture_after_refund"),
    (23, Some("pi_viol_manual_M"), "over_refund"),
    (24, Some("pi_viol_manual_M"), "reconcile_refunded_shrank"),
    (25, Some("pi_viol_manual_M"), "webhook_stale"),
    (
        29,
        Some("pi_viol_reversed_R"),
        "reconcile_state_unreachable",
    ),
    (30, Some("pi_viol_reversed_R"), "authorization_expired"),
    (33, Some("pi_viol_created_X"), "cancel_answer_contradicts"),
    (35, Some("pi_viol_created_X"), "webhook_impossible"),
    (36, None, "webhook_signature_mismatch"),
    (37, None, "webhook_signature_missing"),
    (38, None, "webhook_not_an_event"),
    (39, Some("pi_viol_created_X"), "answer_without_request"),
    (41, Some("pi_viol_auto_Y"), "negative_amount"),
    (42, Some("pi_viol_auto_Y"), "id_not_visible_ascii"),
    (43, Some("pi_viol_auto_Y"), "refund_reason_too_long"),
    (53, Some("pi_viol_auto_Z"), "answer_missing"),
    (57, Some("pi_viol_manual_C"), "capture_repeated"),
];

fn planted() -> Vec<(u64, Option<String>, &'static str)> {
    PLANTED
        .iter()
        .map(|(line, intent, code)| (*line, intent.map(str::to_owned), *code))
        .collect()
}

#[test]
fn the_violations_history_has_exactly_the_planted_findings() {
    let mut auditor = Auditor::new().with_secrets(secrets());
    let findings = audit_bytes(&history("history-violations.jsonl"), &mut auditor);
    assert_eq!(found(&findings), planted());
    let summary = auditor.summary();
    assert_eq!(summary.lines(), 57);
    assert_eq!(summary.findings(), PLANTED.len() as u64);
    // Every code of the auditor's own but line_too_long is planted.
    for code in CODES.iter().filter(|code| **code != "line_too_long") {
        assert_eq!(summary.count(code), 1, "{code} is planted once");
    }
}

#[test]
fn without_the_secret_the_forged_and_unsigned_deliveries_are_read() {
    let findings = audit_bytes(&history("history-violations.jsonl"), &mut Auditor::new());
    let mut expected = planted();
    for line in [36, 37] {
        let at = expected.iter().position(|f| f.0 == line).expect("planted");
        expected[at] = (
            line,
            Some("pi_viol_created_X".to_owned()),
            "webhook_impossible",
        );
    }
    assert_eq!(found(&findings), expected);
}

/// The rows of the table under `#### {title}` in docs/audit.md: (line,
/// intent, codes).
fn documented_rows(title: &str) -> Vec<(u64, Option<String>, Vec<String>)> {
    let text = std::fs::read_to_string(format!("{ROOT}/docs/audit.md")).expect("docs/audit.md");
    let start = text
        .find(&format!("#### {title}\n"))
        .unwrap_or_else(|| panic!("docs/audit.md has a table for {title}"));
    text[start..]
        .lines()
        .skip(1)
        .skip_while(|line| !line.starts_with("| line |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let line = cells[1].parse().expect("a line number");
            let intent = (cells[2] != "—").then(|| cells[2].to_owned());
            let codes = if cells[3] == "—" {
                Vec::new()
            } else {
                cells[3]
                    .split(", ")
                    .map(|code| code.trim_matches('`').to_owned())
                    .collect()
            };
            (line, intent, codes)
        })
        .collect()
}

#[test]
fn docs_audit_md_comments_every_line_of_both_histories_with_its_findings() {
    for name in ["history.jsonl", "history-violations.jsonl"] {
        let bytes = history(name);
        let rows = documented_rows(name);
        let lines = bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(rows.len(), lines, "{name}: one row per line");
        let mut auditor = Auditor::new().with_secrets(secrets());
        let findings = audit_bytes(&bytes, &mut auditor);
        for (index, (line, intent, codes)) in rows.iter().enumerate() {
            assert_eq!(*line, index as u64 + 1, "{name}: rows in line order");
            let at_line: Vec<&Finding> = findings.iter().filter(|f| f.line() == *line).collect();
            let actual: Vec<&str> = at_line.iter().map(|f| f.code()).collect();
            assert_eq!(actual, *codes, "{name} line {line}");
            // The intent column is the line's intent, where the audit names one.
            let named = bytes
                .split(|&b| b == b'\n')
                .nth(index)
                .and_then(intent_id_of);
            for finding in at_line {
                assert_eq!(
                    finding.intent_id().map(str::to_owned),
                    *intent,
                    "{name} line {line}"
                );
            }
            if intent.is_some() && !codes.iter().any(|c| c.starts_with("webhook_signature")) {
                assert_eq!(named, *intent, "{name} line {line}: the intent column");
            }
        }
    }
}

/// Whether `documented` is `message`, `…` standing for any text.
fn matches_example(documented: &str, message: &str) -> bool {
    documented == message
        || documented
            .split_once('…')
            .is_some_and(|(head, tail)| message.starts_with(head) && message.ends_with(tail))
}

#[test]
fn docs_audit_md_lists_the_auditor_s_codes_in_order_with_their_messages() {
    let text = std::fs::read_to_string(format!("{ROOT}/docs/audit.md")).expect("docs/audit.md");
    let start = text
        .find("| code | line | when | example message |")
        .expect("the codes table");
    let rows: Vec<(String, String)> = text[start..]
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").collect();
            let code = cells[0]
                .trim_start_matches("| ")
                .trim_matches('`')
                .to_owned();
            let message = cells[3].trim_end_matches(" |").trim_matches('`').to_owned();
            (code, message)
        })
        .collect();
    let codes: Vec<&str> = rows.iter().map(|(code, _)| code.as_str()).collect();
    assert_eq!(codes, CODES);

    // The messages, from the violations history and a line too long.
    let mut messages: BTreeMap<&str, String> = audit_bytes(
        &history("history-violations.jsonl"),
        &mut Auditor::new().with_secrets(secrets()),
    )
    .into_iter()
    .map(|f| (f.code(), f.message().to_owned()))
    .collect();
    let long = Auditor::new()
        .feed(&vec![b' '; MAX_LINE_BYTES + 1])
        .remove(0);
    messages.insert(long.code(), long.message().to_owned());
    for (code, example) in &rows {
        let message = &messages[code.as_str()];
        assert!(
            matches_example(example, message),
            "{code}: documented {example:?}, is {message:?}"
        );
    }
}

// ---- splitting a history by intent ------------------------------------------

/// The findings of `bytes` audited as parts, one per intent id (and one for
/// the lines of no intent), each line fed with its number in the whole.
fn audit_split(bytes: &[u8], with_secrets: bool) -> Vec<(u64, Option<String>, &'static str)> {
    let mut parts: BTreeMap<Option<String>, Vec<(u64, Vec<u8>)>> = BTreeMap::new();
    let mut lines = LineReader::new(bytes);
    let mut number = 0;
    while let Some(line) = lines.next_line().expect("reading from memory") {
        number += 1;
        parts
            .entry(intent_id_of(line))
            .or_default()
            .push((number, line.to_vec()));
    }
    assert!(parts.len() > 3, "the history holds several intents");
    let mut findings = Vec::new();
    // Audited in another order than the file's: the parts are independent.
    for part in parts.values().rev() {
        let mut auditor = if with_secrets {
            Auditor::new().with_secrets(secrets())
        } else {
            Auditor::new()
        };
        for (number, line) in part {
            findings.extend(auditor.feed_numbered(*number, line));
        }
    }
    let mut findings = found(&findings);
    findings.sort();
    findings
}

#[test]
fn a_history_split_by_intent_id_has_the_same_findings_as_the_whole() {
    for name in ["history.jsonl", "history-violations.jsonl"] {
        for with_secrets in [true, false] {
            let bytes = history(name);
            let mut auditor = if with_secrets {
                Auditor::new().with_secrets(secrets())
            } else {
                Auditor::new()
            };
            let whole = found(&audit_bytes(&bytes, &mut auditor));
            assert_eq!(audit_split(&bytes, with_secrets), whole, "{name}");
        }
    }
}

#[test]
fn interleaving_two_intents_differently_changes_no_finding() {
    // One intent's lines, then the other's; and the two shuffled together.
    let bytes = history("history.jsonl");
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut grouped: Vec<(u64, &[u8])> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| (i as u64 + 1, *line))
        .collect();
    grouped.sort_by_key(|(_, line)| intent_id_of(line));
    let mut auditor = Auditor::new().with_secrets(secrets());
    let findings: Vec<Finding> = grouped
        .iter()
        .flat_map(|(number, line)| auditor.feed_numbered(*number, line))
        .collect();
    assert_eq!(found(&findings), []);
}

// ---- one test per finding kind: the auditor's own codes ---------------------

#[test]
fn malformed_line_names_what_is_wrong_and_the_audit_goes_on() {
    let lines = [
        json!("not json"),
        json!("[1, 2]"),
        json!("42"),
        json!({"request": {"method": "GET", "path": "/payment-intents/pi_1"}, "response": {}, "at": PAID}),
        json!({"request": {"path": path("captures")}, "at": PAID}),
        json!({"request": {"method": "POST", "path": path("captures")}, "at": "tomorrow"}),
        json!({"request": {"method": "POST", "path": path("captures")}}),
        json!({"request": {"method": "POST", "path": path("captures"), "headers": {"version": 1}}, "at": PAID}),
        json!({"request": {"method": "POST", "path": path("captures"), "body": "{not json"}, "at": PAID}),
        json!({"response": {"status": "200"}}),
        json!({"response": {"status": 70000}}),
        json!({"response": "ok"}),
        json!({"webhook": {"body": {"id": "evt_1"}}}),
        json!({"webhook": {"headers": {}}}),
        manual_authorized(),
    ];
    let found = run(&lines);
    let expected: Vec<(u64, &str)> = (1..=14).map(|line| (line, "malformed_line")).collect();
    assert_eq!(found, expected);
    let mut auditor = Auditor::new();
    let message = auditor.feed(b"[]").remove(0);
    assert_eq!(message.message(), "the line is an array, not a JSON object");
    let both = auditor.feed(br#"{"request": {}, "webhook": {}}"#).remove(0);
    assert!(both.message().contains("request and webhook"), "{both}");
}

#[test]
fn unknown_line_is_an_object_of_no_known_kind() {
    assert_eq!(
        run(&[json!({"hello": "world"}), json!({"event": "x"})]),
        [(1, "unknown_line"), (2, "unknown_line")]
    );
    // Blank lines are skipped, a byte-order mark and a \r ignored.
    let mut auditor = Auditor::new();
    assert!(auditor.feed(b"").is_empty());
    assert!(auditor.feed(b"  \t ").is_empty());
    let line = format!("\u{feff}{}\r", manual_authorized());
    assert!(auditor.feed(line.as_bytes()).is_empty());
    assert_eq!(auditor.summary().lines(), 3);
}

#[test]
fn line_too_long_is_reported_without_reading_the_line() {
    let mut auditor = Auditor::new();
    let mut line = manual_authorized().to_string().into_bytes();
    line.resize(MAX_LINE_BYTES, b' ');
    assert!(auditor.feed(&line).is_empty(), "exactly the limit is read");
    line.push(b' ');
    let finding = auditor.feed(&line).remove(0);
    assert_eq!(
        (finding.code(), finding.intent_id()),
        ("line_too_long", None)
    );
    assert_eq!(intent_id_of(&line), None);
}

#[test]
fn the_line_reader_keeps_one_line_of_at_most_the_limit() {
    let mut input = vec![b'x'; 3 * MAX_LINE_BYTES];
    input.extend_from_slice(b"\r\n{}\r\n\nlast");
    let mut lines = LineReader::new(&input[..]);
    assert_eq!(
        lines.next_line().unwrap().map(<[u8]>::len),
        Some(MAX_LINE_BYTES + 1)
    );
    assert_eq!(lines.next_line().unwrap(), Some(&b"{}"[..]));
    assert_eq!(lines.next_line().unwrap(), Some(&b""[..]));
    assert_eq!(lines.next_line().unwrap(), Some(&b"last"[..]));
    assert_eq!(lines.next_line().unwrap(), None);
    assert_eq!(lines.bytes_read(), input.len() as u64);
}

#[test]
fn intent_id_missing_for_a_read_without_an_id() {
    let mut nameless = manual_authorized();
    nameless.as_object_mut().unwrap().remove("id");
    assert_eq!(run(&[nameless]), [(1, "intent_id_missing")]);
}

#[test]
fn unknown_intent_for_a_request_or_an_event_before_any_read() {
    let lines = [
        capture(100, PAID),
        json!(event("evt_1", "Authorized", PAID)),
        // Its answer is the request's, already reported.
        answer(Some(201), json!({"captureId": "cp_1"})),
    ];
    assert_eq!(run(&lines), [(1, "unknown_intent"), (2, "unknown_intent")]);
}

#[test]
fn a_get_before_any_read_is_how_an_intent_is_first_read() {
    let lines = [
        request("GET", "", None, PAID),
        answer(Some(200), manual_authorized()),
        capture(100, "2024-07-25T10:00:00Z"),
    ];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, []);
    assert_eq!(
        auditor.intent(PI).map(AnyPaymentIntent::in_flight),
        Some(Money::new(100, Currency::GBP))
    );
    // A GET answered with another intent reads nothing of it: one intent's
    // lines never change another's audit.
    let other = with(manual_authorized(), "id", json!("pi_other"));
    let lines = [request("GET", "", None, PAID), answer(Some(200), other)];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, [(2, "reconcile_different_intent")]);
    assert!(auditor.intent("pi_other").is_none() && auditor.intent(PI).is_none());
    // A GET answered with an error reads nothing.
    let lines = [
        request("GET", "", None, PAID),
        answer(Some(404), json!({"title": "Not Found"})),
    ];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, []);
    assert!(auditor.intent(PI).is_none());
}

#[test]
fn unknown_request_for_what_is_not_a_lifecycle_request() {
    let odd =
        |method: &str, path: &str| json!({"request": {"method": method, "path": path}, "at": PAID});
    let lines = [
        manual_authorized(),
        odd("PUT", &path("")),
        odd("POST", &path("capture")),
        odd("POST", "/customers/cu_1"),
        odd("POST", &format!("{}?expand=all", path("captures"))),
        // The answer to an unknown request names no intent: taken with it.
        json!({"response": {"status": 404}}),
    ];
    let found = run(&lines);
    assert_eq!(
        found,
        [
            (2, "unknown_request"),
            (3, "unknown_request"),
            (4, "unknown_request"),
            (5, "unknown_request")
        ]
    );
}

/// A change made to a request line.
type Change = dyn Fn(&mut Value);

#[test]
fn request_mismatch_for_each_difference_from_the_request_the_crate_builds() {
    let at = "2024-07-25T10:00:00Z";
    let mismatched = |change: &Change| {
        let mut line = capture(100, at);
        change(&mut line);
        run(&[manual_authorized(), line])
    };
    let cases: [(&str, &Change); 8] = [
        ("no version", &|l| {
            l["request"]["headers"]
                .as_object_mut()
                .unwrap()
                .remove("version");
        }),
        ("an unknown version", &|l| {
            l["request"]["headers"]["version"] = json!("2023-01-01")
        }),
        ("a version with a space", &|l| {
            l["request"]["headers"]["version"] = json!("2024-02-05 ")
        }),
        ("no content-type", &|l| {
            l["request"]["headers"]
                .as_object_mut()
                .unwrap()
                .remove("content-type");
        }),
        ("another method", &|l| l["request"]["method"] = json!("PUT")),
        ("an extra body field", &|l| {
            l["request"]["body"]["currency"] = json!("GBP")
        }),
        ("a body that is not an object", &|l| {
            l["request"]["body"] = json!([100])
        }),
        ("an amount that is not an integer", &|l| {
            l["request"]["body"]["amount"] = json!(1.5)
        }),
    ];
    for (what, change) in cases {
        assert_eq!(mismatched(change), [(2, "request_mismatch")], "{what}");
    }
    // A refund without its key, a capture without a body.
    let mut keyless = refund(100, "k", at);
    keyless["request"]["headers"]
        .as_object_mut()
        .unwrap()
        .remove("idempotencyKey");
    assert_eq!(
        run(&[intent("Captured", "Auto", 1000), keyless]),
        [(2, "request_mismatch")]
    );
    assert_eq!(
        run(&[manual_authorized(), request("POST", "captures", None, at)]),
        [(2, "request_mismatch")]
    );
    // Not differences: header names in any case, a charset, headers the
    // crate does not send, the body's key order and spaces.
    let same = json!({"request": {"method": "POST", "path": path("captures"),
        "headers": {"Version": VERSION, "Content-Type": "application/json; charset=utf-8",
                    "Authorization": "Basic x", "user-agent": "svc/1"},
        "body": "{ \"tipsAmount\": 10,  \"amount\": 100 }"}, "at": at});
    assert_eq!(run(&[manual_authorized(), same]), []);
    // The message names each difference.
    let mut auditor = Auditor::new();
    auditor.feed(manual_authorized().to_string().as_bytes());
    let mut line = capture(100, at);
    line["request"]["method"] = json!("PUT");
    line["request"]["headers"]["version"] = json!("2024-02-05");
    let finding = auditor.feed(line.to_string().as_bytes()).remove(0);
    assert_eq!(
        finding.message(),
        "the request differs from the one the crate prepares for it: method \"PUT\" instead of POST"
    );
}

#[test]
fn answer_without_request_when_none_awaits() {
    let lines = [
        manual_authorized(),
        answer(Some(201), json!({"captureId": "cp_1"})),
        capture(100, "2024-07-25T10:00:00Z"),
        answer(Some(201), json!({"captureId": "cp_1"})),
        answer(Some(201), json!({"captureId": "cp_2"})),
        json!({"response": {"status": 200}}),
    ];
    let found = run(&lines);
    assert_eq!(
        found,
        [
            (2, "answer_without_request"),
            (5, "answer_without_request"),
            (6, "answer_without_request")
        ]
    );
    // An answer that names another path than the request's matches nothing.
    let mut other = answer(Some(201), json!({"refundId": "rf"}));
    other["path"] = json!(path("refunds"));
    assert_eq!(
        run(&[
            manual_authorized(),
            capture(100, "2024-07-25T10:00:00Z"),
            other
        ]),
        [(3, "answer_without_request")]
    );
}

#[test]
fn an_answer_naming_no_intent_is_the_most_recent_request_s() {
    let lines = [
        manual_authorized(),
        capture(100, "2024-07-25T10:00:00Z"),
        json!({"response": {"status": 201, "body": {"captureId": "cp_1"}}}),
    ];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, []);
    let intent = auditor.intent(PI).expect("read");
    assert_eq!(intent.captures().len(), 1);
    assert!(intent.pending_captures().is_empty());
}

#[test]
fn an_answer_naming_its_path_is_told_from_another_request_in_flight() {
    let at = "2024-07-25T10:00:00Z";
    let mut first = answer(Some(201), json!({"captureId": "cp_1"}));
    first["path"] = json!(path("captures"));
    first["method"] = json!("POST");
    let lines = [
        captured(json!([cp("cp_0", 300, "Successful", PAID)])),
        capture(100, at),
        refund(50, "rf-1", at),
        // Without its path, it would be the refund's, the most recent.
        first,
        answer(Some(201), json!({"refundId": "rfnd_1"})),
    ];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, []);
    let intent = auditor.intent(PI).expect("read");
    assert_eq!(
        (intent.captures().len(), intent.refunded()),
        (2, Money::new(50, Currency::GBP))
    );
}

#[test]
fn answer_missing_past_the_requests_an_intent_may_await() {
    let mut lines = vec![intent("Captured", "Auto", 10_000)];
    for n in 0..=MAX_AWAITING {
        lines.push(refund(100, &format!("rf-{n}"), "2024-07-25T10:00:00Z"));
    }
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, [(MAX_AWAITING as u64 + 2, "answer_missing")]);
    // The oldest is of unknown outcome now, so a read settles it.
    let intent = auditor.intent(PI).expect("read");
    assert!(intent.pending_refunds()[0].outcome_unknown());
    assert!(!intent.pending_refunds()[1].outcome_unknown());
}

#[test]
fn webhook_impossible_and_webhook_stale_but_no_finding_for_a_duplicate() {
    let created = with(intent("Created", "Manual", 1000), "createdAt", json!(PAID));
    let canceled = with(created.clone(), "status", json!("Canceled"));
    let lines = [
        canceled,
        json!(event("evt_1", "Captured", PAID)),
        json!(event("evt_1", "Captured", PAID)),
    ];
    assert_eq!(
        run(&lines),
        [(2, "webhook_impossible")],
        "the duplicate is not judged again"
    );
    let lines = [
        manual_authorized(),
        json!(event("evt_2", "Created", PAID)),
        json!(event("evt_3", "Authorized", PAID)),
        json!(event("evt_4", "Captured", PAID)),
        json!(event("evt_4", "Captured", PAID)),
        json!(event("evt_5", "AuthChallenged", PAID)),
    ];
    // Stale; then already known, ahead (read again), a duplicate and a
    // status the lifecycle does not know: none of them a finding.
    assert_eq!(run(&lines), [(2, "webhook_stale")]);
    // Sent before Dojo's last update of the intent: stale too.
    let read = with(
        manual_authorized(),
        "updatedAt",
        json!("2024-07-25T12:00:00Z"),
    );
    assert_eq!(
        run(&[
            read,
            json!(event("evt_6", "Captured", "2024-07-25T11:00:00Z"))
        ]),
        [(2, "webhook_stale")]
    );
}

// ---- the crate's codes, line by line ----------------------------------------

#[test]
fn a_read_that_does_not_rehydrate_has_its_code_and_changes_nothing() {
    let bad = captured(json!([cp("cp_1", 1100, "Successful", PAID)]));
    let unknown_word = with(manual_authorized(), "status", json!("Pending"));
    let lines = [
        bad,
        manual_authorized(),
        unknown_word,
        json!({"status": "Created"}),
    ];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(
        found,
        [
            (1, "captures_exceed_amount"),
            (3, "unknown_enum_word"),
            (4, "missing_amount")
        ]
    );
    assert_eq!(
        auditor.intent(PI).map(AnyPaymentIntent::state),
        Some(IntentState::Authorized)
    );
}

#[test]
fn a_read_that_cannot_follow_is_reported_once_and_the_audit_goes_on_from_it() {
    let two = captured(json!([
        cp("cp_1", 300, "Successful", PAID),
        cp("cp_2", 200, "Successful", PAID)
    ]));
    let one = captured(json!([cp("cp_1", 300, "Successful", PAID)]));
    // Reported once: the third line is judged against the second, not the first.
    assert_eq!(
        run(&[two, one.clone(), one]),
        [(2, "reconcile_captured_shrank")]
    );
    let reversed = with(manual_authorized(), "status", json!("Reversed"));
    assert_eq!(
        run(&[reversed, manual_authorized()]),
        [(2, "reconcile_state_unreachable")]
    );
}

#[test]
fn a_read_while_an_answer_is_awaited_keeps_the_intent_for_that_answer() {
    let at = "2024-07-25T10:00:00Z";
    let lines = [
        manual_authorized(),
        capture(400, at),
        manual_authorized(),
        answer(Some(201), json!({"captureId": "cp_1"})),
        captured(json!([cp(
            "cp_1",
            400,
            "Successful",
            "2024-07-25T10:00:01Z"
        )])),
    ];
    assert_eq!(run(&lines), [(3, "reconcile_answer_awaited")]);
}

#[test]
fn a_request_refused_by_a_rule_has_the_rule_s_code_and_message_as_check_has() {
    let at: jiff::Timestamp = "2024-07-25T10:00:00Z".parse().unwrap();
    let read = manual_authorized();
    let local = AnyPaymentIntent::from_json(read.to_string().as_bytes()).unwrap();
    let violation = local
        .check(Operation::Capture(Money::new(1001, Currency::GBP)), at)
        .unwrap_err();
    let mut auditor = Auditor::new();
    auditor.feed(read.to_string().as_bytes());
    let finding = auditor
        .feed(capture(1001, &at.to_string()).to_string().as_bytes())
        .remove(0);
    assert_eq!(
        (finding.code(), finding.message()),
        (violation.code(), &*violation.to_string())
    );
    // Its answer, a refusal, is not a second finding; nothing changed.
    assert!(
        auditor
            .feed(
                answer(Some(409), json!({"title": "Conflict"}))
                    .to_string()
                    .as_bytes()
            )
            .is_empty()
    );
    assert_eq!(
        auditor.intent(PI).unwrap().in_flight(),
        Money::new(0, Currency::GBP)
    );
}

#[test]
fn requests_sent_without_a_passed_check_have_their_rule_codes() {
    let at = "2024-07-25T10:00:00Z";
    let refunded = with(
        captured(json!([cp("cp_1", 500, "Successful", PAID)])),
        "refundedAmount",
        json!(100),
    );
    let auto = intent("Captured", "Auto", 1000);
    let cases: [(Value, Value, &str); 6] = [
        (manual_authorized(), capture(1001, at), "over_capture"),
        (refunded.clone(), capture(100, at), "capture_after_refund"),
        (refunded, refund(401, "rf-2", at), "over_refund"),
        (auto.clone(), capture(100, at), "auto_capture_mode"),
        (
            manual_authorized(),
            capture(100, "2024-08-02T10:00:00Z"),
            "authorization_expired",
        ),
        (
            auto,
            request("POST", "reversal", None, "2024-07-26T10:00:00Z"),
            "reversal_window_closed",
        ),
    ];
    for (read, line, code) in cases {
        assert_eq!(run(&[read, line]), [(2, code)], "{code}");
    }
    // After a 5xx, another capture before a read.
    let lines = [
        manual_authorized(),
        capture(100, at),
        answer(Some(503), json!("")),
        capture(100, at),
    ];
    assert_eq!(run(&lines), [(4, "outcome_unknown")]);
}

#[test]
fn amounts_keys_and_texts_the_crate_would_not_send_have_their_codes() {
    let at = "2024-07-25T10:00:00Z";
    let auto = intent("Captured", "Auto", 1000);
    let mut long = refund(100, "rf-1", at);
    long["request"]["body"]["notes"] = json!("n".repeat(4097));
    let euros = request(
        "POST",
        "amount",
        Some(json!({"amount": {"value": 100, "currencyCode": "XAU"}})),
        at,
    );
    let created = with(
        intent("Created", "Manual", 1000),
        "config",
        json!({"payment": {"customAmountAllowed": true}}),
    );
    let cases: [(Value, Value, &str); 4] = [
        (auto.clone(), refund(-1, "rf-1", at), "negative_amount"),
        (auto.clone(), refund(100, "", at), "empty_id"),
        (auto, long, "refund_notes_too_long"),
        (created, euros, "no_minor_unit"),
    ];
    for (read, line, code) in cases {
        assert_eq!(run(&[read, line]), [(2, code)], "{code}");
    }
}

#[test]
fn answers_from_dojo_or_the_network_are_no_finding_but_contradictions_are() {
    let at = "2024-07-25T10:00:00Z";
    let quiet = [
        (Some(409), json!({"title": "Conflict"})),
        (Some(503), json!("")),
        (Some(302), json!("")),
        (None, Value::Null),
    ];
    for (status, body) in quiet {
        let lines = [manual_authorized(), capture(100, at), answer(status, body)];
        assert_eq!(run(&lines), [], "{status:?}");
    }
    let cases: [(Value, &str); 2] = [
        (
            answer(Some(201), json!({"message": "Capture created"})),
            "capture_answer_unreadable",
        ),
        (
            answer(Some(201), json!({"captureId": "cp_0"})),
            "capture_id_already_recorded",
        ),
    ];
    for (reply, code) in cases {
        let read = captured(json!([cp("cp_0", 300, "Successful", PAID)]));
        assert_eq!(run(&[read, capture(100, at), reply]), [(3, code)], "{code}");
    }
    let created = with(
        intent("Created", "Manual", 1000),
        "config",
        json!({"payment": {"customAmountAllowed": true}}),
    );
    let change = request("POST", "amount", Some(json!({"amount": gbp(1500)})), at);
    let lines = [created.clone(), change, answer(Some(200), created.clone())];
    assert_eq!(run(&lines), [(3, "change_amount_answer_contradicts")]);
    let lines = [
        created.clone(),
        request("DELETE", "", None, at),
        answer(Some(200), created),
    ];
    assert_eq!(run(&lines), [(3, "cancel_answer_contradicts")]);
}

#[test]
fn with_secrets_a_delivery_is_verified_before_its_body_is_read() {
    let body = event("evt_1", "Captured", PAID);
    let header =
        |value: &str| json!({"webhook": {"headers": {"dojo-signature": value}, "body": body}});
    let forged = secrets()[0].sign(b"another body");
    let lines = [
        manual_authorized(),
        delivery(&body),
        json!(body),
        header(""),
        header("sha1=00"),
        header("sha256=00-11"),
        header(&forged),
        delivery("{\"id\": \"evt_2\"}"),
        delivery("not json"),
    ];
    let (found, _) = run_with(Auditor::new().with_secrets(secrets()), &lines);
    assert_eq!(
        found,
        [
            (3, "webhook_signature_missing"),
            (4, "webhook_signature_missing"),
            (5, "webhook_unknown_scheme"),
            (6, "webhook_malformed_digest"),
            (7, "webhook_signature_mismatch"),
            (8, "webhook_not_an_event"),
            (9, "webhook_not_an_event"),
        ]
    );
    // The signature header's name in any case; and without secrets, the
    // forged body is read like any other.
    let mut upper = delivery(&body);
    let value = upper["webhook"]["headers"]["dojo-signature"].take();
    upper["webhook"]["headers"] = json!({"Dojo-Signature": value});
    let (found, _) = run_with(
        Auditor::new().with_secrets(secrets()),
        &[manual_authorized(), upper],
    );
    assert_eq!(found, []);
    let canceled = with(
        intent("Created", "Manual", 1000),
        "status",
        json!("Canceled"),
    );
    assert_eq!(
        run(&[canceled, header(&forged)]),
        [(2, "webhook_impossible")]
    );
}

// ---- summary and output -----------------------------------------------------

#[test]
fn the_summary_counts_lines_intents_and_findings_by_code() {
    let mut auditor = Auditor::new();
    audit_bytes(&history("history-violations.jsonl"), &mut auditor);
    let summary: Summary = auditor.summary();
    let json = summary.to_json();
    assert_eq!(json["summary"]["lines"], 57);
    assert_eq!(json["summary"]["intents"], 7);
    assert_eq!(json["summary"]["findings"], summary.findings());
    assert_eq!(json["summary"]["byCode"]["webhook_impossible"], 3);
    let text = summary.to_string();
    assert!(
        text.starts_with("summary: 57 lines, 7 intents, 30 findings\n  answer_missing: 1\n"),
        "{text}"
    );
}

#[test]
fn a_finding_prints_on_one_line_whatever_the_history_holds() {
    let mut auditor = Auditor::new();
    let line = json!({"id": "pi\n1\u{1b}", "status": "Canceled", "amount": gbp(100)});
    assert!(auditor.feed(line.to_string().as_bytes()).is_empty());
    let finding = auditor
        .feed(
            event("evt\n1", "Captured", PAID)
                .replace(PI, "pi\\n1\\u001b")
                .as_bytes(),
        )
        .remove(0);
    let text = finding.to_string();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("2  pi\\n1\\u{1b}  webhook_impossible  event \"evt\\n1\""),
        "{text}"
    );
    assert_eq!(finding.to_json()["intent"], "pi\n1\u{1b}");
}

// ---- no panic, whatever the lines -------------------------------------------

/// Lines to draw from: every line of both histories, and pieces of them.
fn pool() -> Vec<Vec<u8>> {
    let mut pool: Vec<Vec<u8>> = Vec::new();
    for name in ["history.jsonl", "history-violations.jsonl"] {
        for line in history(name)
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
        {
            pool.push(line.to_vec());
        }
    }
    pool
}

proptest! {
    #![proptest_config(proptest_config("audit", 256))]

    /// Any sequence of lines, each a history's line, cut, changed at one
    /// byte or replaced by bytes: no panic; every finding has a code, a
    /// message and a line number within the lines fed; the summary counts
    /// exactly the findings returned.
    #[test]
    fn any_sequence_of_lines_never_panics(
        picks in proptest::collection::vec(
            (any::<proptest::sample::Index>(), 0u8..4, any::<proptest::sample::Index>(), any::<u8>(),
             proptest::collection::vec(any::<u8>(), 0..40)),
            0..60),
        with_secrets in any::<bool>(),
    ) {
        let pool = pool();
        let mut auditor = if with_secrets { Auditor::new().with_secrets(secrets()) } else { Auditor::new() };
        let mut count: BTreeMap<&'static str, u64> = BTreeMap::new();
        for (number, (pick, how, at, byte, noise)) in picks.iter().enumerate() {
            let mut line = pool[pick.index(pool.len())].clone();
            match how {
                0 => {}
                1 => line.truncate(at.index(line.len() + 1)),
                2 => { let i = at.index(line.len()); line[i] = *byte; }
                _ => line = noise.clone(),
            }
            for finding in auditor.feed(&line) {
                prop_assert!(!finding.code().is_empty() && !finding.message().is_empty());
                prop_assert_eq!(finding.line(), number as u64 + 1);
                prop_assert_eq!(finding.to_string().lines().count(), 1);
                *count.entry(finding.code()).or_default() += 1;
            }
        }
        let summary = auditor.summary();
        prop_assert_eq!(summary.lines(), picks.len() as u64);
        prop_assert_eq!(summary.by_code().collect::<BTreeMap<_, _>>(), count);
    }
}

/// A capture request under the service's `reference`.
fn capture_for(reference: &str, amount: i64, at: &str) -> Value {
    with(capture(amount, at), "reference", json!(reference))
}

#[test]
fn capture_repeated_when_the_capture_sent_before_under_its_reference_was_made() {
    let at = "2024-07-25T10:00:00Z";
    // Made, as Dojo's answer says.
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        answer(Some(201), json!({"captureId": "cp_1"})),
        capture_for("order-1", 300, "2024-07-25T10:05:00Z"),
    ];
    let (found, auditor) = run_with(Auditor::new(), &lines);
    assert_eq!(found, [(4, "capture_repeated")]);
    assert_eq!(
        auditor.intent(PI).expect("read").in_flight(),
        Money::new(600, Currency::GBP),
        "the request is still judged and awaits its answer"
    );
    let mut auditor = Auditor::new();
    let findings: Vec<Finding> = lines
        .iter()
        .flat_map(|line| auditor.feed(line.to_string().as_bytes()))
        .collect();
    assert_eq!(
        findings[0].message(),
        "a capture under reference \"order-1\" is sent again, while the capture sent under it \
         before was made, \"cp_1\" (Created): the same money may be captured twice"
    );

    // Made, as a read bound it after the answer was lost.
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        answer(None, Value::Null),
        with(
            manual_authorized(),
            "captures",
            json!([cp("cp_1", 300, "Successful", at)]),
        ),
        capture_for("order-1", 300, "2024-07-25T10:05:00Z"),
    ];
    assert_eq!(run(&lines), [(5, "capture_repeated")]);

    // Another reference, or none, is another capture meant.
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        answer(Some(201), json!({"captureId": "cp_1"})),
        capture_for("order-2", 300, at),
        answer(Some(201), json!({"captureId": "cp_2"})),
        capture(300, at),
    ];
    assert_eq!(run(&lines), []);
}

#[test]
fn a_capture_sent_again_under_its_reference_after_a_refusal_a_decline_or_a_release_is_not_repeated()
{
    let at = "2024-07-25T10:00:00Z";
    let again = capture_for("order-1", 300, "2024-07-25T10:30:00Z");
    // Refused by Dojo.
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        answer(Some(409), json!({"title": "Conflict"})),
        again.clone(),
    ];
    assert_eq!(run(&lines), []);
    // Made, then declined.
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        answer(Some(201), json!({"captureId": "cp_1"})),
        with(
            manual_authorized(),
            "captures",
            json!([cp("cp_1", 300, "Declined", at)]),
        ),
        again.clone(),
    ];
    assert_eq!(run(&lines), []);
    // Lost, and released by a read that began after its horizon.
    let mut lost = answer(None, Value::Null);
    lost["at"] = json!("2024-07-25T10:00:30Z");
    let mut read = answer(Some(200), manual_authorized());
    read["method"] = json!("GET");
    read["path"] = json!(path(""));
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        lost.clone(),
        request("GET", "", None, "2024-07-25T10:20:00Z"),
        read,
        again.clone(),
    ];
    assert_eq!(run(&lines), []);
    // Lost and not settled: the rule refuses it, reported once.
    let lines = [
        manual_authorized(),
        capture_for("order-1", 300, at),
        lost,
        again,
    ];
    assert_eq!(run(&lines), [(4, "outcome_unknown")]);
}
