//! `dojo-capture`: asks the library whether an operation on a Dojo payment
//! intent would be allowed, before any request is sent.
//!
//! ```text
//! dojo-capture check INTENT.json OPERATION [AMOUNT] [--now RFC3339] [--json]
//! dojo-capture request INTENT.json OPERATION [AMOUNT] [--key KEY] [--version V]
//!     [--now RFC3339] [--base-url URL] [--curl | --json]
//! ```
//!
//! Exit status: 0 allowed, 1 refused by a rule (the rule's code starts the
//! line), 2 unusable input (the reason is on stderr). The verdict or the
//! request goes to stdout; with `--json`, one JSON object.
//!
//! This is a thin shell over [`dojo_capture::check`] and
//! [`dojo_capture::request_command`]: it reads the file and the clock, and
//! every other piece of text is parsed by the library.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dojo_capture::check::{self, InputError};
use dojo_capture::request_command;

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

/// A payment intent is a few kilobytes; the cap keeps `/dev/zero`, a
/// mistaken huge file or a hostile one from exhausting memory or time.
const MAX_INTENT_BYTES: u64 = 1024 * 1024;

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
    }
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
    match read_intent(intent) {
        Ok(bytes) => Ok((now, bytes)),
        Err(reason) => {
            let _ = writeln!(io::stderr().lock(), "dojo-capture: {reason}");
            Err(ExitCode::from(2))
        }
    }
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
                format!("{}: {error}", intent_name(&args.intent))
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
                format!("{}: {error}", intent_name(&args.intent))
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

/// How messages name the intent's source.
fn intent_name(path: &Path) -> String {
    if is_stdin(path) {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

fn read_intent(path: &Path) -> Result<Vec<u8>, String> {
    let name = intent_name(path);
    let result = if is_stdin(path) {
        read_capped(io::stdin().lock())
    } else {
        match std::fs::File::open(path) {
            Ok(file) => read_capped(file),
            Err(error) => return Err(format!("{name}: cannot open the payment intent: {error}")),
        }
    };
    result.map_err(|error| format!("{name}: cannot read the payment intent: {error}"))
}

fn read_capped(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_INTENT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INTENT_BYTES {
        return Err(io::Error::other(format!(
            "it is larger than {} MiB; a payment intent is a few kilobytes",
            MAX_INTENT_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}
