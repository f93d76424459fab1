//! `dojo-capture`: asks the library whether an operation on a Dojo payment
//! intent would be allowed, before any request is sent.
//!
//! ```text
//! dojo-capture check INTENT.json OPERATION [AMOUNT] [--now RFC3339] [--json]
//! dojo-capture request INTENT.json OPERATION [AMOUNT] [--key KEY] [--version V]
//!     [--now RFC3339] [--base-url URL] [--curl | --json]
//! dojo-capture webhook verify BODY_FILE --signature HEADER --secrets-env NAME [--json]
//! dojo-capture audit FILE.jsonl [--json] [--secrets-env NAME]
//! dojo-capture diagram [--format mermaid|dot]
//! ```
//!
//! Exit status: 0 allowed (or verified, a clean history, the diagram
//! printed), 1 refused by a rule (or a webhook refused, or findings; the
//! code is on the line), 2 unusable input (the reason is on stderr). The
//! verdict, the request, the event or the diagram goes to stdout; with
//! `--json`, one JSON object (`audit`: one per finding, then the summary).
//!
//! This is a thin shell over [`dojo_capture::check`],
//! [`dojo_capture::request_command`], [`dojo_capture::webhook`],
//! [`dojo_capture::audit`] and [`dojo_capture::lifecycle`]: it reads the
//! files, the environment and the clock, and every other piece of text is
//! parsed by the library.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use dojo_capture::audit::{Auditor, LineReader};
use dojo_capture::check::{self, InputError};
use dojo_capture::lifecycle::{self, Format};
use dojo_capture::request_command;
use dojo_capture::webhook::{self, WebhookSecret};

/// Checks the capture lifecycle rules of a Dojo payment intent.
#[derive(Parser)]
#[command(name = "dojo-capture", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Says whether OPERATION is allowed on the intent, or which rule refuses it.
    ///
    /// Exit status: 0 allowed, 1 refused by a rule, 2 unusable input.
    Check(CheckArgs),
    /// Prints the request OPERATION would send to Dojo, or the rule that refuses it.
    ///
    /// The request is printed without its Authorization header; `--curl`
    /// adds one that reads the secret key from $DOJO_SECRET_KEY.
    /// Exit status: 0 request printed, 1 refused by a rule, 2 unusable input.
    Request(RequestArgs),
    /// Dojo's webhooks: `webhook verify` checks a delivery's signature.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Prints the lifecycle's states and transitions, each edge labelled
    /// with its operation (or Dojo's event) and its guard.
    ///
    /// Drawn from the table the library decides with
    /// (dojo_capture::lifecycle::TRANSITIONS), never from a copy: Mermaid
    /// for a ```mermaid block, DOT for Graphviz (`| dot -Tsvg`).
    /// Exit status: 0.
    Diagram(DiagramArgs),
    /// Audits a recorded history (JSON Lines) with the library's rules.
    ///
    /// Each line is a payment intent as the API returns it, a webhook
    /// delivery, a request a service sent or the answer it got; lines of
    /// many intents may be interleaved. Prints one line per finding (LINE,
    /// INTENT, CODE, MESSAGE, separated by two spaces), then a summary.
    /// The file is read as a stream, one line at a time.
    ///
    /// Exit status: 0 no finding, 1 findings, 2 a history that cannot be
    /// read at all (an unreadable file, an unset or empty variable).
    Audit(AuditArgs),
}

#[derive(Args)]
struct DiagramArgs {
    /// The text format of the diagram.
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = Format::ALL[0].name(),
        value_parser = PossibleValuesParser::new(Format::ALL.map(Format::name)),
    )]
    format: String,
}

#[derive(Args)]
struct AuditArgs {
    /// The history, one JSON object a line; `-` reads stdin.
    #[arg(value_name = "FILE.jsonl")]
    file: PathBuf,

    /// Print each finding as one JSON object a line, then the summary as
    /// one JSON object ({"summary": {...}}).
    #[arg(long)]
    json: bool,

    /// The name of the environment variable holding the webhook secrets,
    /// as for `webhook verify`: each delivery's dojo-signature is then
    /// checked. Without it, deliveries are read unverified.
    #[arg(long, value_name = "NAME")]
    secrets_env: Option<String>,
}

#[derive(Subcommand)]
enum WebhookCommand {
    /// Verifies a webhook delivery's dojo-signature and prints its event.
    ///
    /// The secrets are read from the environment variable named by
    /// --secrets-env, never from the command line, where other users and
    /// the shell's history could see them. The variable holds one or more of
    /// the subscription's secrets separated by commas or whitespace (empty
    /// entries are ignored), e.g. DOJO_WEBHOOK_SECRETS="ws_old,ws_new"
    /// during a rotation: a delivery any of them signed is accepted.
    ///
    /// Exit status: 0 verified (the event's id, name, intent and status are
    /// printed), 1 refused (the code and the reason are printed), 2 unusable
    /// input (an unreadable file, an unset or empty variable).
    Verify(WebhookVerifyArgs),
}

#[derive(Args)]
struct WebhookVerifyArgs {
    /// The delivery's body, the raw bytes as received; `-` reads stdin.
    #[arg(value_name = "BODY_FILE")]
    body: PathBuf,

    /// The value of the delivery's dojo-signature header, e.g. sha256=94-AC-…
    #[arg(long, value_name = "HEADER", allow_hyphen_values = true)]
    signature: String,

    /// The name of the environment variable holding the secrets (not the
    /// secrets themselves), separated by commas or whitespace.
    #[arg(long, value_name = "NAME")]
    secrets_env: String,

    /// Print the event, or the refusal, as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct RequestArgs {
    /// The payment intent as `GET /payment-intents/{id}` returns it; `-` reads stdin.
    #[arg(value_name = "INTENT")]
    intent: PathBuf,

    /// capture, refund, reverse, cancel, change-amount or change-tips.
    #[arg(value_name = "OPERATION")]
    operation: String,

    /// In major units, for capture, refund, change-amount and change-tips:
    /// `7.50` (the intent's currency) or `7.50 GBP`, quoted or as two words.
    #[arg(value_name = "AMOUNT", num_args = 0.., allow_negative_numbers = true)]
    amount: Vec<String>,

    /// The refund's idempotency key (refund only, required there).
    #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
    key: Option<String>,

    /// The Dojo API version: 2024-02-05 or 2025-09-10 (the default).
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    version: Option<String>,

    /// Check at this time instead of the system clock, e.g. 2024-07-26T10:00:00Z.
    #[arg(long, value_name = "RFC3339", allow_hyphen_values = true)]
    now: Option<String>,

    /// The API's base URL [default: https://api.dojo.tech].
    #[arg(long, value_name = "URL", allow_hyphen_values = true)]
    base_url: Option<String>,

    /// Print the request as one curl command line.
    #[arg(long, conflicts_with = "json")]
    curl: bool,

    /// Print the request as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct CheckArgs {
    /// The payment intent as `GET /payment-intents/{id}` returns it; `-` reads stdin.
    #[arg(value_name = "INTENT")]
    intent: PathBuf,

    /// capture, refund, reverse, cancel or change-amount.
    #[arg(value_name = "OPERATION")]
    operation: String,

    /// In major units, for capture, refund and change-amount: `7.50` (the
    /// intent's currency) or `7.50 GBP`, quoted or as two words.
    // Negative numbers are taken as values so that the library, not clap,
    // says what is wrong with `-7.50`.
    #[arg(value_name = "AMOUNT", num_args = 0.., allow_negative_numbers = true)]
    amount: Vec<String>,

    /// Judge at this time instead of the system clock, e.g. 2024-07-26T10:00:00Z.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,

    /// Print the verdict as one JSON object.
    #[arg(long)]
    json: bool,
}

/// A payment intent is a few kilobytes and a webhook body less; the cap
/// keeps `/dev/zero`, a mistaken huge file or a hostile one from exhausting
/// memory or time.
const MAX_INPUT_BYTES: u64 = 1024 * 1024;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version exit 0, usage errors 2: clap's own codes.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match cli.command {
        Command::Check(args) => check_command(&args),
        Command::Request(args) => request_command(&args),
        Command::Webhook(WebhookCommand::Verify(args)) => webhook_verify_command(&args),
        Command::Diagram(args) => diagram_command(&args),
        Command::Audit(args) => audit_command(&args),
    }
}

fn audit_command(args: &AuditArgs) -> ExitCode {
    // The secrets first, as for `webhook verify`: a history cannot be
    // judged with a configuration that is wrong, whatever it holds.
    let secrets = match args.secrets_env.as_deref().map(secrets_from_env) {
        Some(Ok(secrets)) => secrets,
        Some(Err(reason)) => return unusable(&reason),
        None => Vec::new(),
    };
    let name = input_name(&args.file);
    // A stream, never the whole file: memory holds one line and what the
    // auditor keeps per intent.
    let (reader, size): (Box<dyn BufRead>, Option<u64>) = if is_stdin(&args.file) {
        (Box::new(io::stdin().lock()), None)
    } else {
        match std::fs::File::open(&args.file) {
            Ok(file) => {
                let size = file.metadata().ok().map(|metadata| metadata.len());
                (Box::new(io::BufReader::with_capacity(1 << 16, file)), size)
            }
            Err(error) => {
                return unusable(&format!("{name}: cannot open the history: {error}"));
            }
        }
    };
    let bar = progress_bar(size);
    // Asked once: moving a hidden bar still reads the clock, line after line.
    let shown = !bar.is_hidden();
    let mut auditor = Auditor::new().with_secrets(secrets);
    let mut lines = LineReader::new(reader);
    let mut stdout = io::stdout().lock();
    let mut found = 0_u64;
    loop {
        let findings = match lines.next_line() {
            Ok(Some(line)) => auditor.feed(line),
            Ok(None) => break,
            Err(error) => {
                bar.finish_and_clear();
                return unusable(&format!("{name}: cannot read the history: {error}"));
            }
        };
        if shown {
            bar.set_position(lines.bytes_read());
        }
        if !findings.is_empty() {
            found += findings.len() as u64;
            bar.set_message(format!("{found} findings"));
            // The bar is hidden while stdout is written, so that the two
            // never share a line of the terminal.
            bar.suspend(|| {
                for finding in &findings {
                    // A closed pipe is not worth a panic; the exit status still tells.
                    let _ = if args.json {
                        writeln!(stdout, "{}", finding.to_json())
                    } else {
                        writeln!(stdout, "{finding}")
                    };
                }
            });
        }
    }
    bar.finish_and_clear();
    let summary = auditor.summary();
    let _ = if args.json {
        writeln!(stdout, "{}", summary.to_json())
    } else {
        writeln!(stdout, "{summary}")
    };
    ExitCode::from(if summary.is_clean() { 0 } else { 1 })
}

/// A progress bar on standard error when it is a terminal, of the file's
/// bytes when its size is known; hidden otherwise, so that nothing but the
/// findings reaches a pipe or a log.
fn progress_bar(size: Option<u64>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressStyle};
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match size {
        Some(size) => (
            ProgressBar::new(size),
            "{bar:40} {bytes}/{total_bytes} {elapsed} {msg}",
        ),
        None => (
            ProgressBar::new_spinner(),
            "{spinner} {bytes} {elapsed} {msg}",
        ),
    };
    match ProgressStyle::with_template(template) {
        Ok(style) => bar.with_style(style),
        Err(_) => bar,
    }
}

fn diagram_command(args: &DiagramArgs) -> ExitCode {
    // clap accepted only the names of `Format::ALL`.
    let format = Format::from_name(&args.format).unwrap_or(Format::ALL[0]);
    // The text ends with a newline. A closed pipe is not worth a panic.
    let _ = io::stdout()
        .lock()
        .write_all(lifecycle::render(format).as_bytes());
    ExitCode::SUCCESS
}

/// The time to judge at and the intent's bytes, which both commands read
/// the same way; an unusable `--now` or file is the exit code to return.
fn now_and_intent(
    now: Option<&str>,
    intent: &Path,
) -> Result<(jiff::Timestamp, Vec<u8>), ExitCode> {
    let now = match now {
        Some(text) => {
            check::parse_now(text).map_err(|error| input_error(&error.to_string(), &error))?
        }
        // The only place the clock is read (D8): the library takes `now` as an argument.
        None => jiff::Timestamp::now(),
    };
    match read_input(intent, INTENT) {
        Ok(bytes) => Ok((now, bytes)),
        Err(reason) => Err(unusable(&reason)),
    }
}

/// Prints why the input cannot be used and returns exit code 2.
fn unusable(reason: &str) -> ExitCode {
    let _ = writeln!(io::stderr().lock(), "dojo-capture: {reason}");
    ExitCode::from(2)
}

fn webhook_verify_command(args: &WebhookVerifyArgs) -> ExitCode {
    // The secrets first: without them no delivery can be judged, whatever
    // the file holds.
    let secrets = match secrets_from_env(&args.secrets_env) {
        Ok(secrets) => secrets,
        Err(reason) => return unusable(&reason),
    };
    let body = match read_input(&args.body, WEBHOOK_BODY) {
        Ok(body) => body,
        Err(reason) => return unusable(&reason),
    };
    let outcome = webhook::verify(&body, &args.signature, &secrets)
        .and_then(|verified| Ok((verified.secret_index(), verified.event()?)));
    let (line, code) = match outcome {
        Ok((index, event)) => {
            let line = if args.json {
                let mut json = event.to_json();
                json["verified"] = true.into();
                json["secretIndex"] = index.into();
                json.to_string()
            } else {
                let status = event.status().map_or_else(
                    || "no paymentStatus".to_owned(),
                    |s| format!("paymentStatus {}", one_line(s.as_str())),
                );
                format!(
                    "verified {}: {} for {}, {status} (secret {} of {})",
                    one_line(event.id()),
                    one_line(event.name().as_str()),
                    one_line(event.payment_intent_id()),
                    index + 1,
                    secrets.len()
                )
            };
            (line, 0)
        }
        Err(error) => {
            let line = if args.json {
                format!(
                    "{{\"verified\":false,\"code\":{},\"message\":{}}}",
                    json_string(error.code()),
                    json_string(&error.to_string())
                )
            } else {
                format!("{}: {error}", error.code())
            };
            (line, 1)
        }
    };
    // A closed pipe is not worth a panic; the exit status still tells.
    let _ = writeln!(io::stdout().lock(), "{line}");
    ExitCode::from(code)
}

/// `text` as it is, or quoted and escaped when it holds a control
/// character: the line stays one line whatever the signed body holds.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        format!("{text:?}").into()
    } else {
        text.into()
    }
}

/// The secrets in the environment variable `name`: entries separated by
/// commas or whitespace, empty ones ignored. The reason for a failure names
/// the variable, never its value.
fn secrets_from_env(name: &str) -> Result<Vec<WebhookSecret>, String> {
    // `var_os` is not meant for such names (it may panic on some platforms).
    if name.is_empty() || name.contains(['=', '\0']) {
        return Err(format!(
            "--secrets-env {name:?} is not an environment variable name"
        ));
    }
    let Some(value) = std::env::var_os(name) else {
        return Err(format!(
            "--secrets-env {name}: the variable is not set; it must hold the webhook secrets"
        ));
    };
    let Some(value) = value.to_str() else {
        return Err(format!("--secrets-env {name}: the variable is not UTF-8"));
    };
    let secrets: Vec<WebhookSecret> = value
        .split(|c: char| c == ',' || c.is_whitespace())
        // Every entry left is non-empty, so `new` cannot refuse it.
        .filter_map(|entry| WebhookSecret::new(entry).ok())
        .collect();
    if secrets.is_empty() {
        return Err(format!(
            "--secrets-env {name}: the variable holds no secret; expected secrets separated by \
             commas or whitespace"
        ));
    }
    Ok(secrets)
}

/// `text` as a JSON string: the one JSON value the binary writes itself,
/// because the library's JSON forms are of what it verified, and a refusal
/// has none.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn request_command(args: &RequestArgs) -> ExitCode {
    let (now, bytes) = match now_and_intent(args.now.as_deref(), &args.intent) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let amount = (!args.amount.is_empty()).then(|| args.amount.join(" "));
    let mut request_args = request_command::Args::new(&args.operation);
    request_args.amount = amount.as_deref();
    request_args.key = args.key.as_deref();
    request_args.version = args.version.as_deref();
    request_args.base_url = args.base_url.as_deref();
    match request_command::run(&bytes, &request_args, now) {
        Ok(outcome) => {
            let text = if args.json {
                outcome.to_json().to_string()
            } else if args.curl {
                outcome.curl()
            } else {
                outcome.text()
            };
            // A closed pipe is not worth a panic; the exit status still tells.
            let _ = writeln!(io::stdout().lock(), "{text}");
            ExitCode::from(outcome.exit_code())
        }
        Err(error) => {
            let context = if error.concerns_intent() {
                format!("{}: {error}", input_name(&args.intent))
            } else {
                error.to_string()
            };
            input_error(&context, &error)
        }
    }
}

fn check_command(args: &CheckArgs) -> ExitCode {
    let (now, bytes) = match now_and_intent(args.now.as_deref(), &args.intent) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let amount = (!args.amount.is_empty()).then(|| args.amount.join(" "));
    match check::run(&bytes, &args.operation, amount.as_deref(), now) {
        Ok(verdict) => {
            let line = if args.json {
                verdict.to_json().to_string()
            } else {
                verdict.message.clone()
            };
            // A closed pipe (`| head`) is not worth a panic or a second
            // message; the exit status still carries the verdict.
            let _ = writeln!(io::stdout().lock(), "{line}");
            ExitCode::from(verdict.exit_code())
        }
        Err(error) => {
            let context = if error.concerns_intent() {
                format!("{}: {error}", input_name(&args.intent))
            } else {
                error.to_string()
            };
            input_error(&context, &error)
        }
    }
}

fn input_error(message: &str, error: &InputError) -> ExitCode {
    let _ = writeln!(io::stderr().lock(), "dojo-capture: {message}");
    ExitCode::from(error.exit_code())
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == OsStr::new("-")
}

/// How messages name an input's source.
fn input_name(path: &Path) -> String {
    if is_stdin(path) {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

/// What a file is, for messages: its name and its usual size.
struct Input {
    what: &'static str,
    usual_size: &'static str,
}

const INTENT: Input = Input {
    what: "the payment intent",
    usual_size: "a payment intent is a few kilobytes",
};

const WEBHOOK_BODY: Input = Input {
    what: "the webhook body",
    usual_size: "a webhook body is a few hundred bytes",
};

fn read_input(path: &Path, input: Input) -> Result<Vec<u8>, String> {
    let name = input_name(path);
    let what = input.what;
    let result = if is_stdin(path) {
        read_capped(io::stdin().lock(), &input)
    } else {
        match std::fs::File::open(path) {
            Ok(file) => read_capped(file, &input),
            Err(error) => return Err(format!("{name}: cannot open {what}: {error}")),
        }
    };
    result.map_err(|error| format!("{name}: cannot read {what}: {error}"))
}

fn read_capped(reader: impl Read, input: &Input) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(io::Error::other(format!(
            "it is larger than {} MiB; {}",
            MAX_INPUT_BYTES / (1024 * 1024),
            input.usual_size
        )));
    }
    Ok(bytes)
}
