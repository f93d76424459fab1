//! What the audit reports: one [`Finding`] per problem, and a [`Summary`]
//! at the end.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Value, json};

/// One problem at one line of a history: where (the line, the intent when
/// known), what (a stable snake_case code) and why (the crate's message).
///
/// The code is the auditor's own (`docs/audit.md` lists them, and
/// [`CODES`](super::CODES)) or the code of the crate's error or rule that
/// the line broke, exactly as `check`, `request` and the error types report
/// it (`over_capture`, `reconcile_captured_shrank`, `webhook_signature_mismatch`, …).
///
/// It displays as the command line prints it: `LINE  INTENT  CODE  MESSAGE`,
/// separated by two spaces, `-` for an unknown intent, on one line whatever
/// the history holds (control characters in the intent id or the message
/// are escaped).
///
/// ```
/// use dojo_capture::audit::Auditor;
///
/// let mut auditor = Auditor::new();
/// let findings = auditor.feed(b"{not json");
/// let finding = &findings[0];
/// assert_eq!((finding.line(), finding.intent_id(), finding.code()), (1, None, "malformed_line"));
/// assert!(finding.to_string().starts_with("1  -  malformed_line  the line is not JSON"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    line: u64,
    intent: Option<Box<str>>,
    code: &'static str,
    message: Box<str>,
}

impl Finding {
    pub(crate) fn new(
        line: u64,
        intent: Option<&str>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            line,
            intent: intent.map(Into::into),
            code,
            message: message.into().into_boxed_str(),
        }
    }

    /// The line's number in the history, counted from 1.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let mut auditor = Auditor::new();
    /// assert!(auditor.feed(b"").is_empty());
    /// assert_eq!(auditor.feed(b"[]")[0].line(), 2);
    /// ```
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Dojo's id of the intent the line is about, when the line names one
    /// the auditor could read (never from a webhook body that failed its
    /// signature: that body is not read).
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let mut auditor = Auditor::new();
    /// let findings = auditor.feed(
    ///     br#"{"request": {"method": "POST", "path": "/payment-intents/pi_1/reversal"},
    ///          "at": "2024-07-25T09:00:00Z"}"#,
    /// );
    /// assert_eq!(findings[0].intent_id(), Some("pi_1"));
    /// assert_eq!(findings[0].code(), "unknown_intent");
    /// ```
    pub fn intent_id(&self) -> Option<&str> {
        self.intent.as_deref()
    }

    /// A stable snake_case name for the problem: one of the auditor's
    /// [`CODES`](super::CODES), or the code of the crate's rule or error
    /// the line broke.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// assert_eq!(Auditor::new().feed(br#"{"hello": "world"}"#)[0].code(), "unknown_line");
    /// ```
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What happened, in the crate's words: a rule violation's or an
    /// error's own message, or the auditor's.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let finding = &Auditor::new().feed(br#"{"hello": "world"}"#)[0];
    /// assert!(finding.message().starts_with("the line is none of"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The finding as one JSON object, a line of `audit --json`:
    /// `{"line", "intent", "code", "message"}`, `intent` being `null`
    /// when unknown.
    ///
    /// ```
    /// use dojo_capture::audit::Auditor;
    ///
    /// let json = Auditor::new().feed(b"42")[0].to_json();
    /// assert_eq!(json["line"], 1);
    /// assert_eq!(json["intent"], serde_json::Value::Null);
    /// assert_eq!(json["code"], "malformed_line");
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "line": self.line,
            "intent": self.intent.as_deref(),
            "code": self.code,
            "message": &*self.message,
        })
    }
}

impl fmt::Display for Finding {
    /// `LINE  INTENT  CODE  MESSAGE` on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}  {}  {}  {}",
            self.line,
            OneLine(self.intent.as_deref().unwrap_or("-")),
            self.code,
            OneLine(&self.message)
        )
    }
}

/// Text as it is, but with control characters escaped, so that a value
/// from the history cannot break the one-line output.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// At most this many characters of a value from the history go into a
/// message: a line of a mebibyte must not make a finding as long.
const SHOWN_CHARS: usize = 96;

/// `text` as it is, cut after [`SHOWN_CHARS`] characters with `…`: for
/// words a message names, such as a method or a path (the finding's
/// `Display` escapes control characters).
pub(crate) fn clipped(text: &str) -> String {
    let mut chars = text.chars();
    let mut head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    if chars.next().is_some() {
        head.push('…');
    }
    head
}

/// `text` quoted as `{:?}` writes it, cut after [`SHOWN_CHARS`] characters
/// with `…` after the closing quote.
pub(crate) fn shown(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    if chars.next().is_some() {
        format!("{head:?}…")
    } else {
        format!("{head:?}")
    }
}

/// What a whole audit found: the lines read, the intents followed, and the
/// findings counted by code.
///
/// It displays as the command line's summary: a first line with the three
/// counts, then one `  CODE: N` line per code that was found, in code order.
///
/// ```
/// use dojo_capture::audit::Auditor;
///
/// let mut auditor = Auditor::new();
/// auditor.feed(b"not json");
/// auditor.feed(b"");
/// let summary = auditor.summary();
/// assert_eq!((summary.lines(), summary.intents(), summary.findings()), (2, 0, 1));
/// assert_eq!(summary.count("malformed_line"), 1);
/// assert!(!summary.is_clean());
/// assert_eq!(summary.to_string(), "summary: 2 lines, 0 intents, 1 finding\n  malformed_line: 1");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    lines: u64,
    intents: u64,
    by_code: BTreeMap<&'static str, u64>,
}

impl Summary {
    pub(crate) fn new(lines: u64, intents: u64, by_code: BTreeMap<&'static str, u64>) -> Summary {
        Summary {
            lines,
            intents,
            by_code,
        }
    }

    /// How many lines were read, blank ones included.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// let mut auditor = Auditor::new();
    /// auditor.feed(b"");
    /// assert_eq!(auditor.summary().lines(), 1);
    /// ```
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// How many intents the auditor followed: read at least once, or named
    /// by a request.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// let mut auditor = Auditor::new();
    /// auditor.feed(br#"{"id": "pi_1", "status": "Created", "amount": {"value": 100, "currencyCode": "GBP"}}"#);
    /// assert_eq!(auditor.summary().intents(), 1);
    /// ```
    pub fn intents(&self) -> u64 {
        self.intents
    }

    /// How many findings, of every code.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// let mut auditor = Auditor::new();
    /// auditor.feed(b"[1]");
    /// auditor.feed(b"[2]");
    /// assert_eq!(auditor.summary().findings(), 2);
    /// ```
    pub fn findings(&self) -> u64 {
        self.by_code.values().sum()
    }

    /// How many findings had `code`.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// let mut auditor = Auditor::new();
    /// auditor.feed(b"{}");
    /// assert_eq!(auditor.summary().count("unknown_line"), 1);
    /// assert_eq!(auditor.summary().count("over_capture"), 0);
    /// ```
    pub fn count(&self, code: &str) -> u64 {
        self.by_code.get(code).copied().unwrap_or(0)
    }

    /// Each code found, with how many times, in code order.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// let mut auditor = Auditor::new();
    /// auditor.feed(b"{}");
    /// auditor.feed(b"x");
    /// let codes: Vec<_> = auditor.summary().by_code().collect();
    /// assert_eq!(codes, [("malformed_line", 1), ("unknown_line", 1)]);
    /// ```
    pub fn by_code(&self) -> impl ExactSizeIterator<Item = (&'static str, u64)> + '_ {
        self.by_code.iter().map(|(code, count)| (*code, *count))
    }

    /// Whether nothing was found.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// assert!(Auditor::new().summary().is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.by_code.is_empty()
    }

    /// The summary as the last line of `audit --json`:
    /// `{"summary": {"lines", "intents", "findings", "byCode": {CODE: N}}}`,
    /// wrapped so that a reader tells it from the findings before it.
    ///
    /// ```
    /// # use dojo_capture::audit::Auditor;
    /// let mut auditor = Auditor::new();
    /// auditor.feed(b"{}");
    /// let json = auditor.summary().to_json();
    /// assert_eq!(json["summary"]["findings"], 1);
    /// assert_eq!(json["summary"]["byCode"]["unknown_line"], 1);
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "summary": {
                "lines": self.lines,
                "intents": self.intents,
                "findings": self.findings(),
                "byCode": self.by_code,
            }
        })
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        write!(
            f,
            "summary: {}, {}, {}",
            plural(self.lines, "line"),
            plural(self.intents, "intent"),
            plural(self.findings(), "finding")
        )?;
        for (code, count) in &self.by_code {
            write!(f, "\n  {code}: {count}")?;
        }
        Ok(())
    }
}
