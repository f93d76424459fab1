//! Reading a history: its lines, one at a time, and what kind each is.

use std::io::{self, BufRead};

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::finding::shown;
use crate::wire::intent::without_bom;

/// The longest line the auditor reads: a payment intent is a few
/// kilobytes, a webhook delivery less. A longer line is the finding
/// `line_too_long`, and [`LineReader`] keeps no more of it than this and
/// one byte, so a file without newlines cannot exhaust memory.
///
/// ```
/// use dojo_capture::audit::{Auditor, MAX_LINE_BYTES};
///
/// let line = vec![b' '; MAX_LINE_BYTES + 1];
/// assert_eq!(Auditor::new().feed(&line)[0].code(), "line_too_long");
/// ```
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Reads a history's lines from any [`BufRead`] one at a time, into one
/// buffer that is reused: memory holds one line, however long the history.
///
/// A line ends at `\n` (a `\r` before it is dropped) or at the end of the
/// input. Of a line longer than [`MAX_LINE_BYTES`], only the first
/// `MAX_LINE_BYTES + 1` bytes are kept, which is enough for the auditor to
/// report it as `line_too_long`; the rest is skipped up to its newline.
///
/// ```
/// use dojo_capture::audit::LineReader;
///
/// let mut lines = LineReader::new(&b"{\"a\": 1}\r\n\nlast"[..]);
/// assert_eq!(lines.next_line()?, Some(&b"{\"a\": 1}"[..]));
/// assert_eq!(lines.next_line()?, Some(&b""[..]));
/// assert_eq!(lines.next_line()?, Some(&b"last"[..]));
/// assert_eq!(lines.next_line()?, None);
/// assert_eq!(lines.bytes_read(), 15);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct LineReader<R> {
    reader: R,
    line: Vec<u8>,
    bytes_read: u64,
}

impl<R: BufRead> LineReader<R> {
    /// Lines from `reader`.
    ///
    /// ```
    /// let lines = dojo_capture::audit::LineReader::new(std::io::empty());
    /// assert_eq!(lines.bytes_read(), 0);
    /// ```
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            line: Vec::new(),
            bytes_read: 0,
        }
    }

    /// The next line, without its line ending; `None` at the end of the input.
    ///
    /// # Errors
    /// The reader's own errors (an unreadable file, a broken pipe); an
    /// interrupted read is retried.
    ///
    /// ```
    /// use dojo_capture::audit::{LineReader, MAX_LINE_BYTES};
    ///
    /// let mut input = vec![b'x'; MAX_LINE_BYTES + 10];
    /// input.extend_from_slice(b"\nnext");
    /// let mut lines = LineReader::new(&input[..]);
    /// assert_eq!(lines.next_line()?.map(<[u8]>::len), Some(MAX_LINE_BYTES + 1));
    /// assert_eq!(lines.next_line()?, Some(&b"next"[..]));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        self.line.clear();
        let mut any = false;
        loop {
            let buffer = match self.reader.fill_buf() {
                Ok(buffer) => buffer,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if buffer.is_empty() {
                break;
            }
            any = true;
            let (taken, end) = match buffer.iter().position(|&byte| byte == b'\n') {
                Some(at) => (at, true),
                None => (buffer.len(), false),
            };
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.line.len());
            self.line.extend_from_slice(&buffer[..taken.min(room)]);
            let consumed = if end { taken + 1 } else { taken };
            self.reader.consume(consumed);
            self.bytes_read = self.bytes_read.saturating_add(consumed as u64);
            if end {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if self.line.last() == Some(&b'\r') && self.line.len() <= MAX_LINE_BYTES {
            self.line.pop();
        }
        Ok(Some(&self.line))
    }

    /// How many bytes of the input were consumed so far, line endings
    /// included: the position for a progress bar.
    ///
    /// ```
    /// use dojo_capture::audit::LineReader;
    ///
    /// let mut lines = LineReader::new(&b"ab\ncd"[..]);
    /// lines.next_line()?;
    /// assert_eq!(lines.bytes_read(), 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

/// A line that cannot be read as any kind: `malformed_line` or `unknown_line`.
#[derive(Debug)]
pub(crate) struct Unreadable {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

fn malformed(message: impl Into<String>) -> Unreadable {
    Unreadable {
        code: "malformed_line",
        message: message.into(),
    }
}

/// What a line of a history is.
#[derive(Debug)]
pub(crate) enum Line<'a> {
    /// Nothing but whitespace: skipped.
    Blank,
    /// A payment intent as the API returns it; `id` when the line has one
    /// as a string.
    Snapshot { id: Option<String>, bytes: &'a [u8] },
    /// A webhook delivery: its body's raw bytes and, when the line carries
    /// it, the `dojo-signature` header.
    Webhook {
        signature: Option<String>,
        body: Body<'a>,
    },
    /// A request a service sent.
    Request(RequestLine),
    /// An answer a service got.
    Answer(AnswerLine),
}

/// Bytes borrowed from the line, or made from it.
#[derive(Debug)]
pub(crate) enum Body<'a> {
    Line(&'a [u8]),
    Owned(Vec<u8>),
}

impl Body<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Body::Line(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

/// `{"request": {"method", "path", "headers", "body"}, "at"}`.
#[derive(Debug)]
pub(crate) struct RequestLine {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Name and value, in the line's order.
    pub(crate) headers: Vec<(String, String)>,
    /// The body as JSON; `None` when the request had none.
    pub(crate) body: Option<Value>,
    pub(crate) at: Timestamp,
}

impl RequestLine {
    /// The value of the header `name`, compared without regard to case.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// `{"response": {"status", "body"}, "at"?, "paymentIntentId"?, "method"?, "path"?}`.
#[derive(Debug)]
pub(crate) struct AnswerLine {
    /// `None`: no answer came (a timeout, a reset connection).
    pub(crate) status: Option<u16>,
    pub(crate) body: Vec<u8>,
    pub(crate) intent_id: Option<String>,
    pub(crate) method: Option<String>,
    pub(crate) path: Option<String>,
}

/// The keys that make a line a request, an answer or a wrapped delivery:
/// a line has at most one of them.
const WRAPPERS: [&str; 3] = ["request", "response", "webhook"];

/// Reads one line: its kind and what the auditor needs of it.
pub(crate) fn read(bytes: &[u8]) -> Result<Line<'_>, Unreadable> {
    let bytes = without_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Line::Blank);
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|error| malformed(format!("the line is not JSON: {error}")))?;
    let Value::Object(object) = value else {
        return Err(malformed(format!(
            "the line is {}, not a JSON object",
            kind_of(&value)
        )));
    };
    let wrappers: Vec<&str> = WRAPPERS
        .into_iter()
        .filter(|key| object.contains_key(*key))
        .collect();
    match wrappers.as_slice() {
        ["request"] => request(&object).map(Line::Request),
        ["response"] => answer(&object).map(Line::Answer),
        ["webhook"] => wrapped_webhook(&object),
        [] if object.contains_key("event") && object.contains_key("data") => Ok(Line::Webhook {
            signature: None,
            body: Body::Line(bytes),
        }),
        [] if object.contains_key("status") => Ok(Line::Snapshot {
            id: object.get("id").and_then(Value::as_str).map(str::to_owned),
            bytes,
        }),
        [] => Err(Unreadable {
            code: "unknown_line",
            message: "the line is none of a payment intent (no \"status\"), a webhook event (no \
                      \"event\" and \"data\"), a request, an answer or a webhook delivery"
                .to_owned(),
        }),
        several => Err(malformed(format!(
            "the line has {}: a line is one request, one answer or one delivery",
            several.join(" and ")
        ))),
    }
}

/// The intent a line is about, as the auditor routes it; see
/// [`intent_id_of`](super::intent_id_of).
pub(crate) fn route(bytes: &[u8]) -> Option<String> {
    match read(bytes).ok()? {
        Line::Blank => None,
        Line::Snapshot { id, .. } => id,
        Line::Request(request) => super::request::parse_path(&request.path).map(|(id, _)| id),
        Line::Answer(answer) => answer.intent_id.or_else(|| {
            answer
                .path
                .as_deref()
                .and_then(super::request::parse_path)
                .map(|(id, _)| id)
        }),
        Line::Webhook { body, .. } => {
            // Routing only: the auditor judges a delivery after its
            // signature, but a splitter must send it somewhere first.
            let value: Value = serde_json::from_slice(without_bom(body.bytes())).ok()?;
            value
                .get("data")?
                .get("paymentIntentId")?
                .as_str()
                .map(str::to_owned)
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `object[key]` as a string: `None` when absent or `null`.
fn optional_text(
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, Unreadable> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(malformed(format!(
            "{path} is {}, not a string",
            kind_of(other)
        ))),
    }
}

fn required_text(object: &Map<String, Value>, key: &str, path: &str) -> Result<String, Unreadable> {
    optional_text(object, key, path)?.ok_or_else(|| malformed(format!("{path} is missing")))
}

fn inner<'v>(
    object: &'v Map<String, Value>,
    key: &str,
) -> Result<&'v Map<String, Value>, Unreadable> {
    match object.get(key) {
        Some(Value::Object(inner)) => Ok(inner),
        Some(other) => Err(malformed(format!(
            "{key} is {}, not an object",
            kind_of(other)
        ))),
        None => Err(malformed(format!("{key} is missing"))),
    }
}

/// Headers as an object of strings; absent or `null` is none.
fn headers(object: &Map<String, Value>, path: &str) -> Result<Vec<(String, String)>, Unreadable> {
    match object.get("headers") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(headers)) => headers
            .iter()
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name.clone(), text.clone())),
                other => Err(malformed(format!(
                    "{path}.headers.{} is {}, not a string",
                    shown(name),
                    kind_of(other)
                ))),
            })
            .collect(),
        Some(other) => Err(malformed(format!(
            "{path}.headers is {}, not an object",
            kind_of(other)
        ))),
    }
}

fn request(object: &Map<String, Value>) -> Result<RequestLine, Unreadable> {
    let request = inner(object, "request")?;
    let method = required_text(request, "method", "request.method")?;
    let path = required_text(request, "path", "request.path")?;
    let headers = headers(request, "request")?;
    let body = match request.get("body") {
        None | Some(Value::Null) => None,
        // The raw body as text: it is the JSON that was sent.
        Some(Value::String(text)) => Some(serde_json::from_str(text).map_err(|error| {
            malformed(format!(
                "request.body is a string that is not JSON: {error}"
            ))
        })?),
        Some(body) => Some(body.clone()),
    };
    // The rules that depend on time take it from the line, as the service
    // took it from its clock when it prepared the request.
    let at = required_text(object, "at", "at")?;
    let at = at.parse::<Timestamp>().map_err(|error| {
        malformed(format!(
            "at {} is not an RFC 3339 time: {error}",
            shown(&at)
        ))
    })?;
    Ok(RequestLine {
        method,
        path,
        headers,
        body,
        at,
    })
}

fn answer(object: &Map<String, Value>) -> Result<AnswerLine, Unreadable> {
    let response = inner(object, "response")?;
    let status = match response.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => match number.as_u64().and_then(|n| u16::try_from(n).ok()) {
            Some(status) => Some(status),
            None => {
                return Err(malformed(format!(
                    "response.status {number} is not an HTTP status code"
                )));
            }
        },
        Some(other) => {
            return Err(malformed(format!(
                "response.status is {}, not a number",
                kind_of(other)
            )));
        }
    };
    let body = match response.get("body") {
        None | Some(Value::Null) => Vec::new(),
        // The raw body, byte for byte, as the service received it.
        Some(Value::String(text)) => text.as_bytes().to_vec(),
        // A JSON value serialises; the map has no non-string keys.
        Some(body) => serde_json::to_vec(body).unwrap_or_default(),
    };
    Ok(AnswerLine {
        status,
        body,
        intent_id: optional_text(object, "paymentIntentId", "paymentIntentId")?,
        method: optional_text(object, "method", "method")?,
        path: optional_text(object, "path", "path")?,
    })
}

fn wrapped_webhook<'a>(object: &Map<String, Value>) -> Result<Line<'a>, Unreadable> {
    let webhook = inner(object, "webhook")?;
    let signature = headers(webhook, "webhook")?
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(crate::webhook::SIGNATURE_HEADER))
        .map(|(_, value)| value);
    // The signature covers the raw bytes, which a JSON value re-encoded
    // would not reproduce: the body travels as a string.
    let body = match webhook.get("body") {
        Some(Value::String(text)) => text.as_bytes().to_vec(),
        Some(other) => {
            return Err(malformed(format!(
                "webhook.body is {}, not a string: the raw body is carried as a JSON string, \
                 because its signature covers its bytes",
                kind_of(other)
            )));
        }
        None => return Err(malformed("webhook.body is missing")),
    };
    Ok(Line::Webhook {
        signature,
        body: Body::Owned(body),
    })
}
