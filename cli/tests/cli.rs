//! The real `dojo-capture` binary: exit codes, the one line on stdout or
//! stderr, `--json`, stdin, and hostile input that must never make it panic.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The repository root: the README and the shipped examples are there, and a
/// user types the README's commands from there.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

const NOW: &str = "2024-07-26T10:00:00Z";
const MANUAL_DEADLINE: &str = "2024-08-01T08:49:20Z";
const JUST_BEFORE_MANUAL_DEADLINE: &str = "2024-08-01T08:49:19Z";

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dojo-capture"));
    // Relative example paths, as a user would type them from the repository root.
    command.current_dir(ROOT);
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn finish(output: Output) -> Run {
    let run = Run {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "the binary panicked: {}",
        run.stderr
    );
    run
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    finish(bin().args(args).output().expect("run the binary"))
}

fn run_stdin<S: AsRef<std::ffi::OsStr>>(args: &[S], input: &[u8]) -> Run {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from another thread so that a child that stops reading early
    // cannot deadlock the test; a broken pipe here is the child's business.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for the binary");
    writer.join().expect("writer thread");
    finish(output)
}

fn example(name: &str) -> String {
    format!("docs/examples/{name}")
}

fn example_bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{ROOT}/docs/examples/{name}")).expect("example")
}

#[track_caller]
fn assert_one_line(text: &str) {
    assert!(text.ends_with('\n'), "ends with a newline: {text:?}");
    assert_eq!(text.lines().count(), 1, "exactly one line: {text:?}");
}

#[track_caller]
fn assert_input_error(run: &Run, code: &str) {
    assert_eq!(run.code, 2, "stdout: {} stderr: {}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "", "nothing on stdout for unusable input");
    assert_one_line(&run.stderr);
    assert!(
        run.stderr.starts_with("dojo-capture: ") && run.stderr.contains(code),
        "expected {code}: {}",
        run.stderr
    );
}

/// One row per rule code `check` can produce, each with an allowed neighbour.
/// `capture_conflict`, `idempotency_conflict` and `unknown_capture` need ids
/// or keys, which `check` never takes.
const RULES: &[(&str, &[&str], &[&str])] = &[
    (
        "over_capture",
        &["manual-authorized.json", "capture", "5.01", "--now", NOW],
        &["manual-authorized.json", "capture", "5.00", "--now", NOW],
    ),
    (
        "over_refund",
        &["manual-authorized.json", "refund", "4.01", "--now", NOW],
        &["manual-authorized.json", "refund", "4.00", "--now", NOW],
    ),
    (
        "capture_after_refund",
        &["manual-refunded.json", "capture", "1.00", "--now", NOW],
        &["manual-refunded.json", "refund", "7.50", "--now", NOW],
    ),
    (
        "capture_after_reversal",
        &["manual-reversed.json", "capture", "1.00", "--now", NOW],
        &["manual-fresh.json", "capture", "1.00", "--now", NOW],
    ),
    (
        "invalid_transition",
        &["manual-fresh.json", "cancel", "--now", NOW],
        &["created-fixed-amount.json", "cancel", "--now", NOW],
    ),
    (
        "currency_mismatch",
        &["manual-fresh.json", "capture", "1.00", "EUR", "--now", NOW],
        &["manual-fresh.json", "capture", "1.00", "GBP", "--now", NOW],
    ),
    (
        "currency_mismatch",
        &["manual-fresh.json", "capture", "1.00 EUR", "--now", NOW],
        &["manual-fresh.json", "capture", "1.00 GBP", "--now", NOW],
    ),
    (
        "zero_amount",
        &["manual-fresh.json", "capture", "0.00", "--now", NOW],
        &["manual-fresh.json", "capture", "0.01", "--now", NOW],
    ),
    (
        "reversal_window_closed",
        &["manual-fresh.json", "reverse", "--now", MANUAL_DEADLINE],
        &[
            "manual-fresh.json",
            "reverse",
            "--now",
            JUST_BEFORE_MANUAL_DEADLINE,
        ],
    ),
    (
        // Midnight in London (BST) is 23:00 UTC.
        "reversal_window_closed",
        &[
            "auto-captured.json",
            "reverse",
            "--now",
            "2024-07-25T23:00:00Z",
        ],
        &[
            "auto-captured.json",
            "reverse",
            "--now",
            "2024-07-25T22:59:59Z",
        ],
    ),
    (
        "authorization_expired",
        &[
            "manual-fresh.json",
            "capture",
            "1.00",
            "--now",
            MANUAL_DEADLINE,
        ],
        &[
            "manual-fresh.json",
            "capture",
            "1.00",
            "--now",
            JUST_BEFORE_MANUAL_DEADLINE,
        ],
    ),
    (
        "auto_capture_mode",
        &["auto-captured.json", "capture", "1.00", "--now", NOW],
        &["auto-captured.json", "refund", "10.00", "--now", NOW],
    ),
    (
        "custom_amount_not_allowed",
        &[
            "created-fixed-amount.json",
            "change-amount",
            "12.00",
            "--now",
            NOW,
        ],
        &[
            "created-custom-amount.json",
            "change-amount",
            "12.00",
            "--now",
            NOW,
        ],
    ),
];

fn check_args(args: &[&str]) -> Vec<String> {
    let mut full = vec!["check".to_owned(), example(args[0])];
    full.extend(args[1..].iter().map(|s| (*s).to_owned()));
    full
}

#[test]
fn every_rule_exits_1_with_its_code_and_its_neighbour_exits_0() {
    for (code, refused, allowed) in RULES {
        let run_refused = run(&check_args(refused));
        assert_eq!(
            run_refused.code, 1,
            "{refused:?}: {}{}",
            run_refused.stdout, run_refused.stderr
        );
        assert_one_line(&run_refused.stdout);
        assert!(
            run_refused.stdout.starts_with(&format!("{code}: ")),
            "{refused:?}: {}",
            run_refused.stdout
        );
        assert_eq!(run_refused.stderr, "");

        let run_allowed = run(&check_args(allowed));
        assert_eq!(
            run_allowed.code, 0,
            "{allowed:?}: {}{}",
            run_allowed.stdout, run_allowed.stderr
        );
        assert_one_line(&run_allowed.stdout);
        assert!(
            run_allowed.stdout.starts_with("allowed: "),
            "{allowed:?}: {}",
            run_allowed.stdout
        );
        assert_eq!(run_allowed.stderr, "");
    }
}

#[test]
fn every_rule_in_json_names_its_code() {
    for (code, refused, allowed) in RULES {
        let mut args = check_args(refused);
        args.push("--json".to_owned());
        let result = run(&args);
        assert_eq!(result.code, 1);
        assert_one_line(&result.stdout);
        let value: Value = serde_json::from_str(&result.stdout).expect("JSON on stdout");
        assert_eq!(value["allowed"], Value::Bool(false));
        assert_eq!(value["rule"], Value::String((*code).to_owned()));
        assert!(
            value["message"]
                .as_str()
                .expect("message")
                .starts_with(code)
        );

        let mut args = check_args(allowed);
        args.push("--json".to_owned());
        let result = run(&args);
        assert_eq!(result.code, 0);
        let value: Value = serde_json::from_str(&result.stdout).expect("JSON on stdout");
        assert_eq!(value["allowed"], Value::Bool(true));
        assert_eq!(value["rule"], Value::Null);
    }
}

#[test]
fn json_output_has_exactly_the_documented_keys() {
    let result = run(&[
        "check",
        &example("manual-authorized.json"),
        "capture",
        "5.00",
        "--now",
        NOW,
        "--json",
    ]);
    assert_eq!(result.code, 0);
    let value: Value = serde_json::from_str(&result.stdout).expect("JSON");
    let mut keys: Vec<&String> = value.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "allowed",
            "amounts",
            "message",
            "operation",
            "rule",
            "state"
        ]
    );
    let mut amount_keys: Vec<&String> = value["amounts"]
        .as_object()
        .expect("amounts")
        .keys()
        .collect();
    amount_keys.sort();
    assert_eq!(
        amount_keys,
        [
            "amount",
            "capturable",
            "capturableAfter",
            "captured",
            "capturedTips",
            "inFlight",
            "refundable",
            "refundableAfter",
            "refunded",
            "requested",
        ]
    );
    assert_eq!(value["state"], "Captured");
    assert_eq!(value["operation"], "capture");
    assert_eq!(
        value["amounts"]["capturable"],
        serde_json::json!({"value": 500, "currencyCode": "GBP"})
    );
    assert_eq!(
        value["amounts"]["capturableAfter"],
        serde_json::json!({"value": 0, "currencyCode": "GBP"})
    );
    assert_eq!(
        value["amounts"]["refundableAfter"],
        serde_json::json!({"value": 400, "currencyCode": "GBP"})
    );
    assert_eq!(
        value["message"],
        "allowed: capture 5.00 GBP on a Captured intent; capturable after: 0.00 GBP, refundable after: 4.00 GBP"
    );
}

#[test]
fn the_readme_s_first_command_exits_0_with_one_line() {
    const COMMAND: &str = "cargo run -q -- check docs/examples/manual-authorized.json capture 5.00 --now 2024-07-26T10:00:00Z";
    // The README is the contract: if it shows a command, it is this one.
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).expect("the README");
    let first = readme
        .lines()
        .find(|line| line.trim_start().starts_with("cargo run"))
        .expect("the README shows a `cargo run` command");
    assert_eq!(first.trim(), COMMAND);
    let args: Vec<&str> = COMMAND
        .split_once(" -- ")
        .expect("cargo run --")
        .1
        .split(' ')
        .collect();
    let result = run(&args);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.stderr, "");
    assert_eq!(
        result.stdout,
        "allowed: capture 5.00 GBP on a Captured intent; capturable after: 0.00 GBP, refundable after: 4.00 GBP\n"
    );
}

#[test]
fn an_amount_in_one_word_or_two_is_the_same_amount() {
    let one = run(&[
        "check",
        &example("manual-fresh.json"),
        "capture",
        "7.50 GBP",
        "--now",
        NOW,
    ]);
    let two = run(&[
        "check",
        &example("manual-fresh.json"),
        "capture",
        "7.50",
        "GBP",
        "--now",
        NOW,
    ]);
    let bare = run(&[
        "check",
        &example("manual-fresh.json"),
        "capture",
        "7.50",
        "--now",
        NOW,
    ]);
    // Options may also come before the positional arguments.
    let flag_first = run(&[
        "check",
        "--now",
        NOW,
        &example("manual-fresh.json"),
        "capture",
        "7.50",
    ]);
    for result in [&one, &two, &bare, &flag_first] {
        assert_eq!(result.code, 0, "{}", result.stderr);
        assert_eq!(
            result.stdout,
            "allowed: capture 7.50 GBP on an Authorized intent; capturable after: 2.50 GBP, refundable after: 0.00 GBP\n"
        );
    }
}

#[test]
fn a_dash_reads_the_intent_from_stdin() {
    let result = run_stdin(
        &["check", "-", "capture", "5.00", "--now", NOW],
        &example_bytes("manual-authorized.json"),
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(result.stdout.starts_with("allowed: capture 5.00 GBP"));

    let result = run_stdin(
        &["check", "-", "capture", "5.01", "--now", NOW],
        &example_bytes("manual-authorized.json"),
    );
    assert_eq!(result.code, 1);
    assert!(result.stdout.starts_with("over_capture: "));

    let result = run_stdin(&["check", "-", "cancel", "--now", NOW], b"not json");
    assert_input_error(&result, "malformed_json");
    assert!(
        result.stderr.starts_with("dojo-capture: stdin: "),
        "{}",
        result.stderr
    );
}

#[test]
fn an_unreadable_intent_exits_2_naming_the_path() {
    let result = run(&[
        "check",
        "docs/examples/no-such-intent.json",
        "cancel",
        "--now",
        NOW,
    ]);
    assert_input_error(&result, "docs/examples/no-such-intent.json");
    let result = run(&["check", "docs/examples", "cancel", "--now", NOW]);
    assert_input_error(&result, "docs/examples");
}

#[test]
fn garbage_bytes_exit_2() {
    let dir = std::env::temp_dir().join(format!("dojo-capture-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("garbage.json");
    std::fs::write(&path, b"\x00\x01\x02\xff\xfe garbage \x80").expect("write");
    let result = run(&[
        std::ffi::OsStr::new("check"),
        path.as_os_str(),
        std::ffi::OsStr::new("capture"),
        std::ffi::OsStr::new("1.00"),
        std::ffi::OsStr::new("--now"),
        std::ffi::OsStr::new(NOW),
    ]);
    assert_input_error(&result, "malformed_json");
    assert!(
        result.stderr.contains("garbage.json"),
        "names the file: {}",
        result.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_intent_larger_than_a_mebibyte_exits_2() {
    let mut body = b"{\"status\":\"Created\",\"reference\":\"".to_vec();
    body.resize(1024 * 1024 + 1, b'x');
    let result = run_stdin(&["check", "-", "cancel", "--now", NOW], &body);
    assert_input_error(&result, "larger than 1 MiB");
    #[cfg(unix)]
    {
        let result = run(&["check", "/dev/zero", "cancel", "--now", NOW]);
        assert_input_error(&result, "larger than 1 MiB");
    }
}

#[test]
fn intents_that_do_not_add_up_exit_2_with_the_reason() {
    let intent = br#"{"captureMode":"Manual","status":"Authorized","amount":{"value":1000,"currencyCode":"GBP"},
        "createdAt":"2024-07-25T08:48:38Z",
        "captures":[{"id":"cp_a","amount":600,"status":"Successful"},{"id":"cp_b","amount":401,"status":"Created"}]}"#;
    let result = run_stdin(&["check", "-", "capture", "1.00", "--now", NOW], intent);
    assert_input_error(&result, "captures_exceed_amount");
}

#[test]
fn unusable_arguments_exit_2_with_the_reason_on_stderr() {
    let fresh = example("manual-fresh.json");
    let cases: &[(&[&str], &str)] = &[
        (&["capture", "-7.50"], "negative_amount"),
        (&["capture", "10.001"], "too_precise"),
        (&["capture", "abc"], "malformed_amount"),
        (&["capture", "1.00", "XYZ"], "unknown_currency"),
        (&["capture", "10", "XAU"], "no_minor_unit"),
        (&["capture", ""], "malformed_amount"),
        (&["capture"], "amount_required"),
        (&["refund"], "amount_required"),
        (&["change-amount"], "amount_required"),
        (&["reverse", "1.00"], "unexpected_amount"),
        (&["cancel", "1.00", "GBP"], "unexpected_amount"),
        (&["frob"], "unknown_operation"),
        (&["Capture", "1.00"], "unknown_operation"),
    ];
    for (args, code) in cases {
        let mut full = vec!["check", fresh.as_str()];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--now", NOW]);
        let result = run(&full);
        assert_input_error(&result, code);
        // The same with --json: still nothing on stdout.
        full.push("--json");
        assert_input_error(&run(&full), code);
    }
    let result = run(&["check", &fresh, "cancel", "--now", "yesterday"]);
    assert_input_error(&result, "invalid_time");
    assert!(result.stderr.contains("\"yesterday\""), "{}", result.stderr);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for args in [
        &[][..],
        &["check"][..],
        &["check", "docs/examples/manual-fresh.json"][..],
        &["frobnicate"][..],
        &[
            "check",
            "docs/examples/manual-fresh.json",
            "cancel",
            "--frobnicate",
        ][..],
        &[
            "check",
            "docs/examples/manual-fresh.json",
            "cancel",
            "--now",
        ][..],
    ] {
        let result = run(args);
        assert_eq!(result.code, 2, "{args:?}: {}", result.stderr);
        assert_eq!(result.stdout, "");
        assert!(!result.stderr.is_empty());
    }
    for args in [
        &["--help"][..],
        &["check", "--help"][..],
        &["--version"][..],
    ] {
        let result = run(args);
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        assert!(!result.stdout.is_empty());
    }
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_exit_2() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let bad = OsStr::from_bytes(b"\xff\xfe");
    let fresh = example("manual-fresh.json");
    let fresh = OsStr::new(&fresh);
    let now = [OsStr::new("--now"), OsStr::new(NOW)];
    for args in [
        vec![OsStr::new("check"), fresh, bad],
        vec![OsStr::new("check"), fresh, OsStr::new("capture"), bad],
        vec![
            OsStr::new("check"),
            fresh,
            OsStr::new("cancel"),
            OsStr::new("--now"),
            bad,
        ],
        vec![
            OsStr::new("check"),
            bad,
            OsStr::new("cancel"),
            now[0],
            now[1],
        ],
    ] {
        let result = run(&args);
        assert_eq!(result.code, 2, "{args:?}: {}", result.stderr);
        assert_eq!(result.stdout, "");
    }
}

#[test]
fn hostile_intents_never_panic() {
    let deep_array = "[".repeat(100_000);
    let deep_object = "{\"a\":".repeat(100_000);
    let long_id = format!(
        r#"{{"status":"Authorized","captureMode":"Manual","amount":{{"value":1000,"currencyCode":"GBP"}},"createdAt":"2024-07-25T08:48:38Z","captures":[{{"id":"{}","amount":1,"status":"Created"}}]}}"#,
        "c".repeat(1_000_000)
    );
    let many_captures = format!(
        r#"{{"status":"Authorized","captureMode":"Manual","amount":{{"value":9223372036854775807,"currencyCode":"GBP"}},"createdAt":"2024-07-25T08:48:38Z","captures":[{}]}}"#,
        (0..5_000)
            .map(|i| format!(
                r#"{{"id":"cp_{i}","amount":461168601842738790,"status":"Successful"}}"#
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"[]".to_vec(),
        b"{}".to_vec(),
        b"null".to_vec(),
        b"\"Authorized\"".to_vec(),
        b"\xff\xfe\xfd".to_vec(),
        b"\x00".to_vec(),
        br#"{"status":"Authorized","amount":{"value":99999999999999999999999999,"currencyCode":"GBP"}}"#.to_vec(),
        br#"{"status":"Authorized","amount":{"value":1e400,"currencyCode":"GBP"}}"#.to_vec(),
        br#"{"status":"Authorized","amount":{"value":-9223372036854775808,"currencyCode":"GBP"}}"#.to_vec(),
        br#"{"status":"Refunded","amount":{"value":1000,"currencyCode":"GBP"},"refundedAmount":-5,"createdAt":"2024-07-25T08:48:38Z"}"#.to_vec(),
        br#"{"status":"Captured","captureMode":"Manual","amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:48:38Z","captures":[{"id":"cp_a","amount":-1,"status":"Successful"}]}"#.to_vec(),
        br#"{"status":"Authorized","captureMode":"Manual","amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"2024-07-25T08:48:38Z","autoExpireIn":"99999999.23:59:59","autoExpireAction":"Capture"}"#.to_vec(),
        br#"{"status":"Authorized","captureMode":"Manual","amount":{"value":1000,"currencyCode":"GBP"},"createdAt":"+009999-12-30T21:00:00Z","autoExpireIn":"06.23:59:59.9999999","autoExpireAction":"Capture"}"#.to_vec(),
        b"{\"status\":\"Authorized\",\"id\":\"pi_\xff\xfe\",\"amount\":{\"value\":1000,\"currencyCode\":\"GBP\"}}".to_vec(),
        deep_array.into_bytes(),
        deep_object.into_bytes(),
        long_id.into_bytes(),
        many_captures.into_bytes(),
    ];
    let operations: &[&[&str]] = &[
        &["capture", "1.00"],
        &["refund", "1.00"],
        &["reverse"],
        &["cancel"],
        &["change-amount", "1.00"],
    ];
    for input in &inputs {
        for operation in operations {
            let mut args = vec!["check", "-"];
            args.extend_from_slice(operation);
            args.extend_from_slice(&["--now", NOW]);
            let result = run_stdin(&args, input);
            assert!(
                matches!(result.code, 0..=2),
                "{}: exit {}: {}",
                String::from_utf8_lossy(&input[..input.len().min(80)]),
                result.code,
                result.stderr
            );
            if result.code == 2 {
                assert_eq!(result.stdout, "");
                assert_one_line(&result.stderr);
            }
        }
    }
}

#[test]
fn hostile_amounts_and_times_never_panic() {
    let fresh = example("manual-fresh.json");
    let long_digits = "9".repeat(100_000);
    let long_zeros = format!("1.{}", "0".repeat(100_000));
    let long_junk = "x".repeat(100_000);
    let long_code = format!("1.00 {}", "G".repeat(100_000));
    for amount in [
        long_digits.as_str(),
        long_zeros.as_str(),
        long_junk.as_str(),
        long_code.as_str(),
        "-0",
        "-1",
        "--1",
        "92233720368547758.07",
        "92233720368547758.08",
        "0.0000000000000000000000001",
        "\u{202e}1.00",
        "１.００",
        "1.00 GBP GBP",
    ] {
        let result = run(&["check", &fresh, "capture", amount, "--now", NOW]);
        assert!(
            matches!(result.code, 0..=2),
            "{amount:.40}: {}",
            result.stderr
        );
    }
    // Trailing zeros are not precision: 1.000… GBP is 1.00 GBP.
    assert_eq!(
        run(&["check", &fresh, "capture", &long_zeros, "--now", NOW]).code,
        0
    );
    assert_eq!(
        run(&["check", &fresh, "capture", &long_digits, "--now", NOW]).code,
        2
    );
    let long_time = "2".repeat(100_000);
    for now in [
        long_time.as_str(),
        "-009999-01-01T00:00:00Z",
        "9999-12-30T22:00:00Z",
        "9999-12-31T23:59:59Z",
        "2024-02-30T00:00:00Z",
        "2024-07-25T24:00:00Z",
    ] {
        let result = run(&["check", &fresh, "reverse", "--now", now]);
        assert!(matches!(result.code, 0..=2), "{now:.40}: {}", result.stderr);
    }
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let mut child = bin()
        .args([
            "check",
            &example("manual-fresh.json"),
            "capture",
            "1.00",
            "--now",
            NOW,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Closing the read end first makes the child's write fail with EPIPE.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

// The `request` command.

fn request_args(args: &[&str]) -> Vec<String> {
    let mut full = vec!["request".to_owned(), example(args[0])];
    full.extend(args[1..].iter().map(|s| (*s).to_owned()));
    if args.get(1) == Some(&"refund") {
        full.extend(["--key".to_owned(), "r_cli".to_owned()]);
    }
    full
}

#[test]
fn request_refuses_as_check_does_and_prints_the_allowed_request() {
    for (code, refused, allowed) in RULES {
        let checked = run(&check_args(refused));
        let requested = run(&request_args(refused));
        assert_eq!(requested.code, 1, "{refused:?}: {}", requested.stderr);
        assert_one_line(&requested.stdout);
        assert!(requested.stdout.starts_with(&format!("{code}: ")));
        assert_eq!(requested.stdout, checked.stdout, "{refused:?}");
        assert_eq!(requested.stderr, "");

        let mut json = request_args(refused);
        json.push("--json".to_owned());
        let result = run(&json);
        assert_eq!(result.code, 1);
        assert_one_line(&result.stdout);
        let value: Value = serde_json::from_str(&result.stdout).expect("JSON on stdout");
        assert_eq!(value["allowed"], Value::Bool(false));
        assert_eq!(value["rule"], Value::String((*code).to_owned()));

        let requested = run(&request_args(allowed));
        assert_eq!(requested.code, 0, "{allowed:?}: {}", requested.stderr);
        assert!(
            requested
                .stdout
                .starts_with("POST https://api.dojo.tech/payment-intents/")
                || requested
                    .stdout
                    .starts_with("DELETE https://api.dojo.tech/payment-intents/"),
            "{allowed:?}: {}",
            requested.stdout
        );
        assert_eq!(requested.stderr, "");
    }
}

#[test]
fn request_prints_text_curl_and_json_word_for_word() {
    let args = ["manual-fresh.json", "capture", "1.00", "--now", NOW];
    let text = run(&request_args(&args));
    assert_eq!(text.code, 0);
    assert_eq!(
        text.stdout,
        "POST https://api.dojo.tech/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/captures\n\
         version: 2025-09-10\n\
         content-type: application/json\n\
         \n\
         {\"amount\":100}\n"
    );

    let mut curl = request_args(&args);
    curl.extend([
        "--curl".to_owned(),
        "--version".to_owned(),
        "2024-02-05".to_owned(),
    ]);
    // The secret stays in the environment: the command line names the variable only.
    let result = finish(
        bin()
            .args(&curl)
            .env("DOJO_SECRET_KEY", "sk_sandbox_not_to_be_printed")
            .output()
            .expect("run the binary"),
    );
    assert_eq!(result.code, 0);
    assert_one_line(&result.stdout);
    assert_eq!(
        result.stdout,
        "curl -X POST \
         'https://api.dojo.tech/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/captures' \
         -H 'version: 2024-02-05' -H 'content-type: application/json' \
         -H \"Authorization: Basic $DOJO_SECRET_KEY\" --data-binary '{\"amount\":100}'\n"
    );
    assert!(!result.stdout.contains("sk_sandbox"));

    let mut json = request_args(&args);
    json.push("--json".to_owned());
    let result = run(&json);
    assert_eq!(result.code, 0);
    assert_one_line(&result.stdout);
    let value: Value = serde_json::from_str(&result.stdout).expect("JSON on stdout");
    assert_eq!(
        value,
        serde_json::json!({
            "allowed": true,
            "operation": "capture",
            "method": "POST",
            "url": "https://api.dojo.tech/payment-intents/pi_sandbox_Fr3shAuth0rIz3dK2pLm9Q/captures",
            "headers": {"version": "2025-09-10", "content-type": "application/json"},
            "body": {"amount": 100},
        })
    );
}

#[test]
fn request_reads_stdin() {
    let result = run_stdin(
        &[
            "request", "-", "refund", "1.00", "--key", "r_1", "--now", NOW,
        ],
        &example_bytes("manual-authorized.json"),
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stdout.contains("\nidempotencyKey: r_1\n"),
        "{}",
        result.stdout
    );
}

#[test]
fn request_input_errors_exit_2_with_their_codes() {
    let fresh = example("manual-fresh.json");
    let cases: &[(&[&str], &str)] = &[
        (&["settle"], "unknown_operation"),
        (&["refund", "1.00"], "key_required"),
        (&["capture", "1.00", "--key", "k"], "unexpected_key"),
        (&["refund", "1.00", "--key", "a b"], "id_not_visible_ascii"),
        (&["refund", "1.00", "--key", ""], "empty_id"),
        (
            &["reverse", "--version", "2023-01-01"],
            "unknown_api_version",
        ),
        (&["reverse", "--base-url", "ftp://x"], "invalid_base_url"),
        (&["change-tips"], "amount_required"),
        (&["cancel", "1.00"], "unexpected_amount"),
        (&["capture", "-1"], "negative_amount"),
        (&["reverse", "--now", "tomorrow"], "invalid_time"),
    ];
    for (args, code) in cases {
        let mut full = vec!["request", fresh.as_str()];
        full.extend_from_slice(args);
        assert_input_error(&run(&full), code);
    }
    let missing = run(&["request", "docs/examples/missing.json", "reverse"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("docs/examples/missing.json"));
    let garbage = run_stdin(&["request", "-", "reverse"], b"\xff{");
    assert_input_error(&garbage, "malformed_json");
    assert!(garbage.stderr.starts_with("dojo-capture: stdin: "));
    // --curl and --json are one or the other.
    let both = run(&["request", fresh.as_str(), "reverse", "--curl", "--json"]);
    assert_eq!(both.code, 2);
}

#[test]
fn request_with_odd_arguments_never_panics() {
    let fresh = example("manual-fresh.json");
    let odd: &[&[&str]] = &[
        &["capture", "99999999999999999999999"],
        &["capture", "1e3"],
        &["capture", "1.00", "XXX"],
        &["change-tips", "0"],
        &["refund", "1", "--key", &"k".repeat(101)],
        &["refund", "1", "--key", "k\u{7f}"],
        &["refund", "1", "--key", "-"],
        &["reverse", "--version", "\u{1b}[31m"],
        &["reverse", "--base-url", "https://x\n"],
        &["reverse", "--base-url", "https://'$(rm -rf /)'"],
        &["\u{202e}"],
        &[""],
    ];
    for args in odd {
        let mut full = vec!["request", fresh.as_str(), "--now", NOW];
        full.extend_from_slice(args);
        let result = run(&full);
        assert!(matches!(result.code, 0..=2), "{args:?}: {}", result.stderr);
    }
}

#[test]
fn the_readme_s_request_examples_print_what_it_shows() {
    // Each `$ dojo-capture request …` line of the README, then the lines it
    // shows up to the next command or the end of the block.
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).expect("the README");
    let mut examples: Vec<(Vec<String>, String)> = Vec::new();
    let mut in_example = false;
    for line in readme.lines() {
        if let Some(command) = line.strip_prefix("$ dojo-capture request ") {
            let args = std::iter::once("request")
                .chain(command.split(' '))
                .map(str::to_owned)
                .collect();
            examples.push((args, String::new()));
            in_example = true;
        } else if line.starts_with("```") {
            in_example = false;
        } else if in_example {
            let shown = &mut examples.last_mut().expect("a command").1;
            shown.push_str(line);
            shown.push('\n');
        }
    }
    assert_eq!(examples.len(), 2, "the README shows text and --curl");
    for (args, shown) in examples {
        let result = run(&args);
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        assert_eq!(result.stdout, shown, "{args:?}");
    }
}

// ---- webhook verify ---------------------------------------------------------

/// Dojo's published webhook example: this body, signed with this secret,
/// carries this header.
const DOJO_BODY: &str = r#"{"id":"evt_hnnHxIKR_Uy6bhZCusCltw","event":"payment_intent.created","accountId":"acc_test","createdAt":"2022-02-01T13:07:41.8667859Z","data":{"paymentIntentId":"pi_vpwd4ooAPEqyNAQe4z89WQ","paymentStatus":"Created","captureMode":"Auto"}}"#;
const DOJO_SECRET: &str = "ws_OYsyzcrH70GpJfs8MMkKpg";
const DOJO_HEADER: &str = "sha256=94-AC-93-67-D6-8B-69-6D-15-A2-C2-45-40-98-B5-E7-64-72-38-C5-1F-6D-32-D0-5F-CB-91-20-A9-20-64-F4";
const OTHER_SECRET: &str = "ws_0therSecretOfTheSubscription";
/// The variable the tests name with `--secrets-env`.
const SECRETS_VAR: &str = "DOJO_CAPTURE_TEST_WEBHOOK_SECRETS";

/// Runs `webhook verify` on `body` from stdin, with `secrets` (or no such
/// variable at all) in the environment, and checks that no secret given
/// appears on stdout or stderr.
fn verify_run(body: &[u8], header: &str, secrets: Option<&str>, extra: &[&str]) -> Run {
    let mut args = vec![
        "webhook",
        "verify",
        "-",
        "--signature",
        header,
        "--secrets-env",
        SECRETS_VAR,
    ];
    args.extend_from_slice(extra);
    let mut command = bin();
    command
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match secrets {
        Some(value) => command.env(SECRETS_VAR, value),
        None => command.env_remove(SECRETS_VAR),
    };
    let mut child = command.spawn().expect("spawn the binary");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = body.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for the binary");
    writer.join().expect("writer thread");
    let result = finish(output);
    for secret in [DOJO_SECRET, OTHER_SECRET] {
        assert!(
            !result.stdout.contains(secret) && !result.stderr.contains(secret),
            "a secret was printed: {} {}",
            result.stdout,
            result.stderr
        );
    }
    result
}

#[test]
fn webhook_verify_exits_0_and_prints_the_event() {
    let result = verify_run(DOJO_BODY.as_bytes(), DOJO_HEADER, Some(DOJO_SECRET), &[]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.stderr, "");
    assert_eq!(
        result.stdout,
        "verified evt_hnnHxIKR_Uy6bhZCusCltw: payment_intent.created for \
         pi_vpwd4ooAPEqyNAQe4z89WQ, paymentStatus Created (secret 1 of 1)\n"
    );

    let result = verify_run(
        DOJO_BODY.as_bytes(),
        DOJO_HEADER,
        Some(DOJO_SECRET),
        &["--json"],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_one_line(&result.stdout);
    let json: Value = serde_json::from_str(&result.stdout).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({
            "verified": true,
            "secretIndex": 0,
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
}

#[test]
fn webhook_verify_prints_one_line_whatever_the_signed_body_holds() {
    let body = br#"{"id":"evt\n1","event":"payment_intent.status_updated","data":{"paymentIntentId":"pi_1\u001b[31m","paymentStatus":"Settled\r"}}"#;
    let result = verify_run(body, &signed(body), Some(DOJO_SECRET), &[]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(
        result.stdout,
        "verified \"evt\\n1\": payment_intent.status_updated for \"pi_1\\u{1b}[31m\", \
         paymentStatus \"Settled\\r\" (secret 1 of 1)\n"
    );
}

#[test]
fn webhook_verify_reads_a_file_and_every_secret_of_the_variable() {
    let path =
        std::env::temp_dir().join(format!("dojo-capture-webhook-{}.json", std::process::id()));
    std::fs::write(&path, DOJO_BODY).expect("write the body");
    // Commas, spaces, newlines and empty entries, as the help describes.
    for secrets in [
        format!("{OTHER_SECRET},{DOJO_SECRET}"),
        format!(" {OTHER_SECRET} ,, {DOJO_SECRET}\n"),
        format!("{OTHER_SECRET}\n{DOJO_SECRET}"),
        format!("{OTHER_SECRET}\t{DOJO_SECRET},"),
    ] {
        let output = bin()
            .args(["webhook", "verify"])
            .arg(&path)
            .args(["--signature", DOJO_HEADER, "--secrets-env", SECRETS_VAR])
            .env(SECRETS_VAR, &secrets)
            .output()
            .expect("run the binary");
        let result = finish(output);
        assert_eq!(result.code, 0, "{secrets:?}: {}", result.stderr);
        assert!(
            result.stdout.ends_with("(secret 2 of 2)\n"),
            "{}",
            result.stdout
        );
        assert!(!result.stdout.contains(DOJO_SECRET) && !result.stdout.contains(OTHER_SECRET));
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn webhook_refusals_exit_1_with_their_code() {
    let tampered = DOJO_BODY.replace("Created", "Captured");
    let digest = &DOJO_HEADER["sha256=".len()..];
    let not_an_event = br#"{"id":"evt_1","event":"payment_intent.created","data":{}}"#;
    let cases: Vec<(Vec<u8>, String, &str)> = vec![
        (DOJO_BODY.into(), String::new(), "webhook_signature_missing"),
        (
            DOJO_BODY.into(),
            format!("sha1={digest}"),
            "webhook_unknown_scheme",
        ),
        (
            DOJO_BODY.into(),
            digest.to_owned(),
            "webhook_unknown_scheme",
        ),
        (
            DOJO_BODY.into(),
            DOJO_HEADER[..DOJO_HEADER.len() - 3].to_owned(),
            "webhook_malformed_digest",
        ),
        (
            tampered.into(),
            DOJO_HEADER.to_owned(),
            "webhook_signature_mismatch",
        ),
        (
            not_an_event.to_vec(),
            signed(not_an_event),
            "webhook_not_an_event",
        ),
    ];
    for (body, header, code) in cases {
        let result = verify_run(&body, &header, Some(DOJO_SECRET), &[]);
        assert_eq!(result.code, 1, "{header}: {}", result.stderr);
        assert_eq!(result.stderr, "");
        assert_one_line(&result.stdout);
        assert!(
            result.stdout.starts_with(&format!("{code}: ")),
            "{}",
            result.stdout
        );

        let result = verify_run(&body, &header, Some(DOJO_SECRET), &["--json"]);
        assert_eq!(result.code, 1, "{header}: {}", result.stderr);
        assert_one_line(&result.stdout);
        let json: Value = serde_json::from_str(&result.stdout).expect("JSON");
        assert_eq!(json["verified"], false);
        assert_eq!(json["code"], code);
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(json.as_object().map(|o| o.len()), Some(3), "{json}");
    }
    // The refusal quotes the header as it came, escaped, in valid JSON.
    let result = verify_run(b"{}", "sha256=\"\\\u{1}", Some(DOJO_SECRET), &["--json"]);
    let json: Value = serde_json::from_str(&result.stdout).expect("JSON");
    assert_eq!(json["code"], "webhook_malformed_digest");
    assert!(
        json["message"].as_str().unwrap().contains(r#""\"\\\u{1}""#),
        "{json}"
    );
}

/// The header Dojo would send with `body`, signed with [`DOJO_SECRET`], by
/// the library's `sign` (which `tests/webhook.rs` holds to Dojo's example).
fn signed(body: &[u8]) -> String {
    dojo_capture::webhook::WebhookSecret::new(DOJO_SECRET)
        .expect("the secret")
        .sign(body)
}

#[test]
fn webhook_unusable_input_exits_2() {
    let body = DOJO_BODY.as_bytes();
    let cases: &[(Option<&str>, &str)] = &[
        (None, "is not set"),
        (Some(""), "holds no secret"),
        (Some(" , \n,"), "holds no secret"),
    ];
    for (secrets, reason) in cases {
        let result = verify_run(body, DOJO_HEADER, *secrets, &[]);
        assert_input_error(&result, reason);
        assert!(result.stderr.contains(SECRETS_VAR), "{}", result.stderr);
        let result = verify_run(body, DOJO_HEADER, *secrets, &["--json"]);
        assert_input_error(&result, reason);
    }
    // An unreadable body file.
    let result = run(&[
        "webhook",
        "verify",
        "docs/examples/no-such-body.json",
        "--signature",
        DOJO_HEADER,
        "--secrets-env",
        "PATH",
    ]);
    assert_input_error(&result, "cannot open the webhook body");
    // A name no variable can have.
    for name in ["", "A=B"] {
        let result = run(&[
            "webhook",
            "verify",
            "-",
            "--signature",
            DOJO_HEADER,
            "--secrets-env",
            name,
        ]);
        assert_input_error(&result, "is not an environment variable name");
    }
    // A body too large to be a delivery.
    let mut large = DOJO_BODY.as_bytes().to_vec();
    large.resize(1024 * 1024 + 1, b' ');
    let result = verify_run(&large, DOJO_HEADER, Some(DOJO_SECRET), &[]);
    assert_input_error(&result, "larger than 1 MiB");
    // The options are required.
    for args in [
        &["webhook", "verify", "-", "--secrets-env", SECRETS_VAR][..],
        &["webhook", "verify", "-", "--signature", DOJO_HEADER][..],
        &[
            "webhook",
            "verify",
            "--signature",
            DOJO_HEADER,
            "--secrets-env",
            SECRETS_VAR,
        ][..],
        &["webhook"][..],
    ] {
        let result = run(args);
        assert_eq!(result.code, 2, "{args:?}");
        assert_eq!(result.stdout, "");
    }
}

#[cfg(unix)]
#[test]
fn webhook_secrets_that_are_not_utf8_exit_2() {
    use std::os::unix::ffi::OsStrExt;
    let output = bin()
        .args([
            "webhook",
            "verify",
            "-",
            "--signature",
            DOJO_HEADER,
            "--secrets-env",
            SECRETS_VAR,
        ])
        .env(SECRETS_VAR, std::ffi::OsStr::from_bytes(b"ws_\xff"))
        .stdin(Stdio::null())
        .output()
        .expect("run the binary");
    assert_input_error(&finish(output), "is not UTF-8");
}

#[test]
fn webhook_help_names_the_variable_and_its_format() {
    let result = run(&["webhook", "verify", "--help"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    for words in [
        "--secrets-env <NAME>",
        "environment variable",
        "never from the command line",
        "separated by commas or whitespace",
        "Exit status",
    ] {
        assert!(result.stdout.contains(words), "{words}: {}", result.stdout);
    }
    let result = run(&["--help"]);
    assert!(result.stdout.contains("webhook"), "{}", result.stdout);
}

// The `diagram` command.

#[test]
fn diagram_prints_the_library_s_mermaid_by_default_and_dot_on_request() {
    use dojo_capture::lifecycle;
    for (args, expected) in [
        (&["diagram"][..], lifecycle::mermaid()),
        (
            &["diagram", "--format", "mermaid"][..],
            lifecycle::mermaid(),
        ),
        (&["diagram", "--format", "dot"][..], lifecycle::dot()),
        (&["diagram", "--format=dot"][..], lifecycle::dot()),
    ] {
        let result = run(args);
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        assert_eq!(result.stderr, "", "{args:?}");
        assert_eq!(result.stdout, expected, "{args:?}");
    }
}

#[test]
fn diagram_prints_what_the_committed_drawings_hold() {
    // docs/lifecycle.dot is checked against the library by the library's
    // own tests; here, against what a user types.
    let dot = std::fs::read_to_string(format!("{ROOT}/docs/lifecycle.dot")).expect("lifecycle.dot");
    assert_eq!(run(&["diagram", "--format", "dot"]).stdout, dot);
    let markdown =
        std::fs::read_to_string(format!("{ROOT}/docs/lifecycle.md")).expect("lifecycle.md");
    let block = format!("```mermaid\n{}```\n", run(&["diagram"]).stdout);
    assert!(
        markdown.contains(&block),
        "docs/lifecycle.md: run scripts/diagram.sh"
    );
}

#[test]
fn diagram_refuses_an_unknown_format_or_argument_with_exit_2() {
    for args in [
        &["diagram", "--format", "svg"][..],
        &["diagram", "--format", "MERMAID"][..],
        &["diagram", "--format"][..],
        &["diagram", "extra"][..],
        &["diagram", "--json"][..],
    ] {
        let result = run(args);
        assert_eq!(result.code, 2, "{args:?}: {}", result.stderr);
        assert_eq!(result.stdout, "", "{args:?}");
        assert!(!result.stderr.is_empty(), "{args:?}");
    }
    let result = run(&["diagram", "--format", "svg"]);
    for words in ["svg", "mermaid", "dot"] {
        assert!(result.stderr.contains(words), "{words}: {}", result.stderr);
    }
}

#[test]
fn diagram_help_names_the_formats_and_the_table() {
    let result = run(&["diagram", "--help"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    for words in [
        "--format <FORMAT>",
        "mermaid",
        "dot",
        "default: mermaid",
        "TRANSITIONS",
    ] {
        assert!(result.stdout.contains(words), "{words}: {}", result.stdout);
    }
    let result = run(&["--help"]);
    assert!(result.stdout.contains("diagram"), "{}", result.stdout);
}

#[test]
fn diagram_into_a_closed_stdout_is_not_a_panic() {
    let mut child = bin()
        .args(["diagram", "--format", "dot"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

// ---- audit ------------------------------------------------------------------

/// The test secret the example histories are signed with.
const HISTORY_SECRET: &str = "ws_history_example_only";
const CLEAN_HISTORY: &str = "docs/examples/histories/history.jsonl";
const VIOLATIONS_HISTORY: &str = "docs/examples/histories/history-violations.jsonl";

/// Runs `audit` with `args`, `input` on stdin, and `secrets` (or no such
/// variable) in the environment.
fn audit_run(args: &[&str], input: &[u8], secrets: Option<&str>) -> Run {
    let mut command = bin();
    command
        .arg("audit")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match secrets {
        Some(value) => command.env(SECRETS_VAR, value),
        None => command.env_remove(SECRETS_VAR),
    };
    let mut child = command.spawn().expect("spawn the binary");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for the binary");
    writer.join().expect("writer thread");
    finish(output)
}

#[test]
fn audit_of_the_clean_history_exits_0_with_its_summary() {
    let result = audit_run(
        &[CLEAN_HISTORY, "--secrets-env", SECRETS_VAR],
        b"",
        Some(HISTORY_SECRET),
    );
    assert_eq!(result.code, 0, "{}{}", result.stdout, result.stderr);
    assert_eq!(result.stdout, "summary: 42 lines, 4 intents, 0 findings\n");
    // Not a terminal: no progress bar, nothing at all on stderr.
    assert_eq!(result.stderr, "");
}

#[test]
fn audit_of_the_violations_exits_1_with_one_line_per_finding_then_the_summary() {
    let result = audit_run(
        &[VIOLATIONS_HISTORY, "--secrets-env", SECRETS_VAR],
        b"",
        Some(HISTORY_SECRET),
    );
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert_eq!(result.stderr, "");
    let lines: Vec<&str> = result.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "1  -  malformed_line  the line is not JSON: expected ident at line 1 column 2"
    );
    assert!(
        lines[7]
            .starts_with("10  pi_viol_manual_M  over_capture  over_capture: capturing 5.00 GBP"),
        "{}",
        lines[7]
    );
    let summary = lines
        .iter()
        .position(|line| line.starts_with("summary: "))
        .expect("a summary");
    assert_eq!(summary, 30, "30 findings before the summary");
    assert_eq!(lines[summary], "summary: 57 lines, 7 intents, 30 findings");
    assert!(
        lines[summary + 1..]
            .iter()
            .all(|line| line.starts_with("  "))
    );
    assert!(lines.contains(&"  webhook_signature_mismatch: 1"));
    assert!(!result.stdout.contains(HISTORY_SECRET));
}

#[test]
fn audit_json_prints_findings_as_json_lines_then_the_summary() {
    let result = audit_run(
        &[VIOLATIONS_HISTORY, "--json", "--secrets-env", SECRETS_VAR],
        b"",
        Some(HISTORY_SECRET),
    );
    assert_eq!(result.code, 1, "{}", result.stderr);
    let values: Vec<Value> = result
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let (summary, findings) = values.split_last().expect("lines");
    assert_eq!(findings.len(), 30);
    for finding in findings {
        let keys: Vec<&str> = finding
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["code", "intent", "line", "message"]);
    }
    assert_eq!(findings[3]["line"], 4);
    assert_eq!(findings[3]["intent"], "pi_viol_bad");
    assert_eq!(findings[3]["code"], "captures_exceed_amount");
    assert_eq!(findings[0]["intent"], Value::Null);
    assert_eq!(summary["summary"]["lines"], 57);
    assert_eq!(summary["summary"]["intents"], 7);
    assert_eq!(summary["summary"]["findings"], 30);
    assert_eq!(summary["summary"]["byCode"]["request_mismatch"], 1);
}

#[test]
fn audit_reads_stdin_and_reads_deliveries_unverified_without_secrets() {
    let history = example_bytes("histories/history-violations.jsonl");
    let result = audit_run(&["-"], &history, None);
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result
            .stdout
            .contains("\n36  pi_viol_created_X  webhook_impossible  ")
    );
    assert!(!result.stdout.contains("webhook_signature"));
    let clean = example_bytes("histories/history.jsonl");
    let result = audit_run(&["-", "--json"], &clean, None);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_one_line(&result.stdout);
    let summary: Value = serde_json::from_str(&result.stdout).expect("JSON");
    assert_eq!(summary["summary"]["findings"], 0);
}

#[test]
fn audit_reports_a_malformed_or_too_long_line_and_goes_on() {
    let intent = r#"{"id":"pi_1","status":"Created","amount":{"value":100,"currencyCode":"GBP"}}"#;
    let mut input = format!("\u{feff}{intent}\r\n\nnot json\n").into_bytes();
    input.extend(vec![b'x'; 1024 * 1024 + 5]);
    input.extend_from_slice(b"\n\xff\xfe\n");
    input.extend_from_slice(intent.as_bytes());
    let result = audit_run(&["-"], &input, None);
    assert_eq!(result.code, 1, "{}", result.stderr);
    let codes: Vec<(&str, &str)> = result
        .stdout
        .lines()
        .take_while(|line| !line.starts_with("summary"))
        .map(|line| {
            let mut parts = line.split("  ");
            (parts.next().unwrap(), parts.nth(1).unwrap())
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("3", "malformed_line"),
            ("4", "line_too_long"),
            ("5", "malformed_line")
        ]
    );
    assert!(
        result
            .stdout
            .contains("summary: 6 lines, 1 intent, 3 findings\n"),
        "{}",
        result.stdout
    );
}

#[test]
fn audit_of_input_that_cannot_be_read_exits_2() {
    let result = audit_run(&["docs/examples/histories/no-such.jsonl"], b"", None);
    assert_input_error(&result, "cannot open the history");
    let result = audit_run(&["docs/examples"], b"", None);
    assert_input_error(&result, "cannot read the history");
    // The secrets are checked first, whatever the file.
    for (secrets, reason) in [(None, "is not set"), (Some(" ,"), "holds no secret")] {
        let result = audit_run(&[CLEAN_HISTORY, "--secrets-env", SECRETS_VAR], b"", secrets);
        assert_input_error(&result, reason);
        let result = audit_run(
            &[
                "docs/examples/histories/no-such.jsonl",
                "--secrets-env",
                SECRETS_VAR,
            ],
            b"",
            secrets,
        );
        assert_input_error(&result, reason);
    }
    // FILE is required.
    let result = audit_run(&[], b"", None);
    assert_eq!(result.code, 2);
    assert_eq!(result.stdout, "");
}

#[test]
fn audit_never_panics_on_hostile_lines() {
    let mut input = Vec::new();
    for line in [
        &b"{}"[..],
        b"{\"request\": null}",
        b"{\"response\": {\"status\": -1}}",
        b"{\"request\": {\"method\": \"POST\", \"path\": \"/payment-intents/%ZZ/captures\"}, \"at\": \"2024-07-25T09:00:00Z\"}",
        b"{\"webhook\": {\"headers\": {\"dojo-signature\": \"sha256=\"}, \"body\": \"\"}}",
        b"{\"id\": \"pi_1\", \"status\": \"Authorized\", \"amount\": {\"value\": 9223372036854775807, \"currencyCode\": \"GBP\"}}",
        b"{\"request\": {\"method\": \"POST\", \"path\": \"/payment-intents/pi_1/captures\", \"body\": {\"amount\": 9223372036854775807}}, \"at\": \"2024-07-25T09:00:00Z\"}",
        b"{\"response\": {\"status\": 201, \"body\": \"\\u0000\"}, \"paymentIntentId\": \"pi_1\"}",
        b"\0\0\0",
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let result = audit_run(&["-", "--json"], &input, Some(HISTORY_SECRET));
    assert_eq!(result.code, 1, "{}", result.stderr);
    let result = audit_run(
        &["-", "--secrets-env", SECRETS_VAR],
        &input,
        Some(HISTORY_SECRET),
    );
    assert_eq!(result.code, 1, "{}", result.stderr);
}

#[test]
fn audit_help_names_the_exit_codes_and_the_formats() {
    let result = run(&["audit", "--help"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    for words in [
        "FILE.jsonl",
        "--json",
        "--secrets-env <NAME>",
        "Exit status",
        "stdin",
    ] {
        assert!(result.stdout.contains(words), "{words}: {}", result.stdout);
    }
    assert!(run(&["--help"]).stdout.contains("audit"));
}
