//! A quick look at a line before it is parsed: which of the keys that
//! decide its kind its top-level object has, and whether it is plain
//! enough for `serde_json`'s lenient skipping to accept it exactly when
//! parsing it into a `Value` would.
//!
//! `serde_json` skips what a typed parse does not keep (unknown fields,
//! `IgnoredAny`, `RawValue`) without checking three things a `Value` checks:
//! that a number fits an `f64`, that a `\u` escape is not half of a
//! surrogate pair, and how deep arrays and objects nest (128 levels). A
//! line whose numbers are all integers of at most 18 digits, whose escapes
//! name no surrogate and which nests less than 100 levels is *plain*: then
//! every typed parse that succeeds on it proves that the line is JSON as
//! `Value` reads it, and the auditor can read it once, typed, instead of
//! building a `Value` of it first. Anything else, including everything that
//! is not JSON at all, is read the reference way, which gives the exact
//! findings (`line::read_reference`).
//!
//! The scan assumes nothing of its input and never panics, but it checks
//! the JSON only as far as it needs to walk it: it is exact for JSON, and
//! for anything else the typed parse that follows it fails.

/// Which of the keys that decide a line's kind its top-level object has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Keys {
    pub(crate) request: bool,
    pub(crate) response: bool,
    pub(crate) webhook: bool,
    pub(crate) event: bool,
    pub(crate) data: bool,
    pub(crate) status: bool,
    /// Each of `request`, `response` and `webhook` the line has is an
    /// object (starts with `{`): a typed parse would also take an array
    /// for the struct it reads it into.
    pub(crate) wrappers_are_objects: bool,
    /// Where `response.body` is in the line, when it is an object with a
    /// string `status`: a payment intent, most likely, the answer to a
    /// `GET`, which can be decoded as the line is read.
    pub(crate) intent_body: Option<(usize, usize)>,
}

/// Deeper than this, the line is read the reference way (a `Value` stops
/// at 128 levels; skipping does not count them).
const MAX_DEPTH: usize = 100;
/// Integers of more digits may not fit a `u64`, which a `Value` then reads
/// as an `f64`: left to the reference way.
const MAX_DIGITS: usize = 18;

/// The keys of `line`'s top-level object, when `line` is a plain JSON
/// object whose keys have no escapes; `None` otherwise.
pub(crate) fn keys(line: &[u8]) -> Option<Keys> {
    let mut scan = Scan { bytes: line, at: 0 };
    let mut keys = Keys {
        wrappers_are_objects: true,
        ..Keys::default()
    };
    scan.skip_space();
    scan.object(0, |scan, key, first| {
        let slot = match key {
            b"request" => &mut keys.request,
            b"response" => &mut keys.response,
            b"webhook" => &mut keys.webhook,
            b"event" => &mut keys.event,
            b"data" => &mut keys.data,
            b"status" => &mut keys.status,
            _ => return scan.value(1),
        };
        *slot = true;
        if matches!(key, b"request" | b"response" | b"webhook") && first != b'{' {
            keys.wrappers_are_objects = false;
        }
        if key == b"response" && first == b'{' {
            // Its body, and whether that is a payment intent.
            return scan.object(1, |scan, key, first| {
                if key != b"body" || first != b'{' {
                    return scan.value(2);
                }
                let start = scan.at;
                let mut intent = false;
                scan.object(2, |scan, key, first| {
                    intent |= key == b"status" && first == b'"';
                    scan.value(3)
                })?;
                if intent {
                    keys.intent_body = Some((start, scan.at));
                }
                Some(())
            });
        }
        scan.value(1)
    })?;
    scan.skip_space();
    (scan.at == line.len()).then_some(keys)
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A key after its opening quote: its bytes, when it has no escape and
    /// no control character (the typed parse and `Value` would then read
    /// the same text).
    fn key(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        loop {
            match self.next()? {
                b'"' => return Some(&self.bytes[start..self.at - 1]),
                b'\\' => return None,
                byte if byte < 0x20 => return None,
                _ => {}
            }
        }
    }

    /// The object at `at`, nested `depth` levels down: `entry` is given
    /// each key (without escapes) and the first byte of its value, and
    /// reads that value.
    fn object(
        &mut self,
        depth: usize,
        mut entry: impl FnMut(&mut Self, &'a [u8], u8) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'{')?;
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        loop {
            self.expect(b'"')?;
            let key = self.key()?;
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            let first = self.peek()?;
            entry(self, key, first)?;
            self.skip_space();
            match self.next()? {
                b',' => self.skip_space(),
                b'}' => return (depth < MAX_DEPTH).then_some(()),
                _ => return None,
            }
        }
    }

    /// Skips one value, nested `depth` levels down, nested ones included;
    /// `None` when it is not plain.
    fn value(&mut self, depth: usize) -> Option<()> {
        self.at = skip_value(self.bytes, self.at, depth)?;
        Some(())
    }
}

/// The index after the value that starts at `at` (not at a space), nested
/// `base` levels down.
fn skip_value(bytes: &[u8], mut at: usize, base: usize) -> Option<usize> {
    let mut depth = base;
    loop {
        let byte = *bytes.get(at)?;
        at += 1;
        match byte {
            b'"' => at = skip_string(bytes, at)?,
            b'{' | b'[' => {
                depth += 1;
                if depth >= MAX_DEPTH {
                    return None;
                }
                continue;
            }
            b'}' | b']' => {
                if depth == base {
                    return None;
                }
                depth -= 1;
            }
            b'-' | b'0'..=b'9' => at = skip_number(bytes, at - 1)?,
            // Between the values of an array or object; a `,` or `:` is
            // never a value of its own.
            b',' | b':' if depth > base => continue,
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'a'..=b'z' => {
                // true, false, null: letters only, checked by the parse.
                while let Some(b'a'..=b'z') = bytes.get(at) {
                    at += 1;
                }
            }
            _ => return None,
        }
        if depth == base {
            return Some(at);
        }
    }
}

/// The index after the number that starts at `at`: plain when it is an
/// integer of at most [`MAX_DIGITS`] digits.
fn skip_number(bytes: &[u8], at: usize) -> Option<usize> {
    let start = at + usize::from(bytes[at] == b'-');
    let mut end = start;
    while let Some(byte) = bytes.get(end) {
        match byte {
            b'0'..=b'9' => end += 1,
            b'.' | b'e' | b'E' | b'+' | b'-' => return None,
            _ => break,
        }
    }
    (end - start <= MAX_DIGITS).then_some(end)
}

/// The index after the string whose content starts at `at`; `None` at an
/// escape `\u` of a surrogate, or at the end of the line.
fn skip_string(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += quote_or_backslash(bytes.get(at..)?)?;
        if bytes[at] == b'"' {
            return Some(at + 1);
        }
        // An escape: `\u` with four hexadecimal digits, or one character.
        at += 1;
        if *bytes.get(at)? == b'u' {
            let hex = bytes.get(at + 1..at + 5)?;
            let hex = std::str::from_utf8(hex).ok()?;
            let unit = u16::from_str_radix(hex, 16).ok()?;
            if (0xD800..=0xDFFF).contains(&unit) {
                return None;
            }
            at += 5;
        } else {
            at += 1;
        }
    }
}

/// The index of the first `"` or `\` in `bytes`, eight bytes at a time.
#[inline]
fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    // A byte of `word` is zero where it was the byte looked for; the
    // lowest byte flagged is exact (higher ones may be borrows).
    let zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let found = zero(word ^ QUOTES) | zero(word ^ BACKSLASHES);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&byte| byte == b'"' || byte == b'\\')
        .map(|found| at + found)
}

#[cfg(test)]
mod tests {
    use super::{Keys, keys, quote_or_backslash};

    #[test]
    fn finds_the_first_quote_or_backslash() {
        for text in [
            &b"abc\"def"[..],
            b"0123456789abcdef\\\"",
            b"\"",
            b"",
            b"no quote here at all, none",
            b"01234567\"",
            b"\xff\xfe\"\\",
        ] {
            let expected = text.iter().position(|&b| b == b'"' || b == b'\\');
            assert_eq!(quote_or_backslash(text), expected, "{text:?}");
        }
    }

    #[test]
    fn reads_the_keys_that_decide_a_kind() {
        let request = keys(br#" {"at": "x", "request": {"path": "/p", "n": [1, {"a": null}]}} "#);
        assert_eq!(
            request,
            Some(Keys {
                request: true,
                wrappers_are_objects: true,
                ..Keys::default()
            })
        );
        let array = keys(br#"{"response": [200]}"#).expect("plain");
        assert!(array.response && !array.wrappers_are_objects);
        let intent = keys(br#"{"id":"pi_1","status":"Created","amount":{"value":5}}"#);
        assert!(intent.is_some_and(|k| k.status && !k.request));
        assert_eq!(
            keys(b"{}"),
            Some(Keys {
                wrappers_are_objects: true,
                ..Keys::default()
            })
        );
    }

    #[test]
    fn leaves_what_is_not_plain_to_the_reference_way() {
        for line in [
            &br#"{"a": 1.5}"#[..],
            br#"{"a": 1e3}"#,
            br#"{"a": 1234567890123456789}"#,
            br#"{"a": "\ud800"}"#,
            br#"{"re\u0071uest": {}}"#,
            br#"{"a": 1} x"#,
            br#"[1]"#,
            br#"{"a": "unterminated}"#,
            br#"{"a" 1}"#,
            br#"{"a": ,}"#,
            b"",
        ] {
            assert_eq!(keys(line), None, "{}", String::from_utf8_lossy(line));
        }
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(120), "]".repeat(120));
        assert_eq!(keys(deep.as_bytes()), None);
        assert!(keys(br#"{"a": "\u00e9", "b": -12, "c": true}"#).is_some());
    }
}
