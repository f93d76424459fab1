//! `dojo-capture`: asks the library whether an operation on a Dojo payment
//! intent would be allowed, before any request is sent.
//!
//! ```text
//! dojo-capture check INTENT.json OPERATION [AMOUNT] [--now RFC3339] [--json]
//! ```
//!
//! Exit status: 0 allowed, 1 refused by a rule (the rule's code starts the
//! line), 2 unusable input (the reason is on stderr). The verdict goes to
//! stdout, one line of text or, with `--json`, one JSON object.
//!
//! This is a thin shell over [`dojo_capture::check`]: it reads the file and
//! the clock, and every other piece of text is parsed by the library.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dojo_capture::check::{self, InputError};

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
    }
}

fn check_command(args: &CheckArgs) -> ExitCode {
    let now = match args.now.as_deref() {
        Some(text) => match check::parse_now(text) {
            Ok(now) => now,
            Err(error) => return input_error(&error.to_string(), &error),
        },
        // The only place the clock is read (D8): the library takes `now` as an argument.
        None => jiff::Timestamp::now(),
    };
    let bytes = match read_intent(&args.intent) {
        Ok(bytes) => bytes,
        Err(reason) => {
            let _ = writeln!(io::stderr().lock(), "dojo-capture: {reason}");
            return ExitCode::from(2);
        }
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
