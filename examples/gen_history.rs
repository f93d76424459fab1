//! Writes a generated history for `dojo-capture audit` on standard output:
//! realistic lives of many payment intents, interleaved by time, clean but
//! for one finding planted in every thousand intents.
//!
//! ```sh
//! cargo run --release --example gen_history -- --lines 1000000 --intents 10000 > history.jsonl
//! dojo-capture audit history.jsonl
//! ```
//!
//! Options: `--lines N` (exactly N lines), `--intents K`, `--seed S`
//! (default 1: the same options give the same bytes), `--webhooks
//! signed|unsigned|mixed` (default mixed: audit without secrets; signed:
//! audit with `DOJO_WEBHOOK_SECRETS=ws_generated_history_only` and
//! `--secrets-env DOJO_WEBHOOK_SECRETS`), `--plant-every M` (one planted
//! finding per M intents, 0 for none). What was written, and the findings
//! planted by code, go to standard error.

#[path = "support/history.rs"]
mod history;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use history::{Config, Webhooks};

const USAGE: &str = "usage: gen_history --lines N --intents K [--seed S] \
                     [--webhooks signed|unsigned|mixed] [--plant-every M]";

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("gen_history: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if config.intents > 0 && config.lines / config.intents > history::MAX_CLEAN_LINES {
        eprintln!(
            "gen_history: more than {} lines an intent: lives outlast an authorisation, and late \
             captures are refused (authorization_expired)",
            history::MAX_CLEAN_LINES
        );
    }
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    let stats = match history::generate(&config, &mut out).and_then(|stats| {
        out.flush()?;
        Ok(stats)
    }) {
        Ok(stats) => stats,
        Err(error) => {
            eprintln!("gen_history: cannot write the history: {error}");
            return ExitCode::FAILURE;
        }
    };
    let planted: Vec<String> = stats
        .planted
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    eprintln!(
        "{} lines, {} intents, {} bytes; planted findings: {}",
        stats.lines,
        stats.intents,
        stats.bytes,
        if planted.is_empty() {
            "none".to_owned()
        } else {
            planted.join(", ")
        }
    );
    ExitCode::SUCCESS
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
    let mut lines = None;
    let mut intents = None;
    let mut config = Config::new(0, 0);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: {text:?} is not a whole number"))
        };
        match flag.as_str() {
            "--lines" => lines = Some(number(value()?)?),
            "--intents" => intents = Some(number(value()?)?),
            "--seed" => config.seed = number(value()?)?,
            "--plant-every" => config.plant_every = number(value()?)?,
            "--webhooks" => {
                let name = value()?;
                config.webhooks = Webhooks::from_name(&name).ok_or_else(|| {
                    format!("--webhooks: {name:?} is none of signed, unsigned, mixed")
                })?;
            }
            "-h" | "--help" => return Err("help".to_owned()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    config.lines = lines.ok_or("--lines is required")?;
    config.intents = intents.ok_or("--intents is required")?;
    if config.intents == 0 && config.lines > 0 {
        return Err("--intents must be at least 1".to_owned());
    }
    Ok(config)
}
