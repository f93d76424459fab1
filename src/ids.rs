//! Identifiers the rules compare: capture ids and refund idempotency keys.

use std::fmt;

/// The id Dojo gives a capture (`cp_…`), used to record its outcome and to recognise
/// a capture recorded twice ([D7](crate::decisions#d7)).
///
/// ```
/// use dojo_capture::CaptureId;
///
/// let id = CaptureId::new("cp_sandbox_4nR8TqZ1UkWp0eJd7Lx2Vg")?;
/// assert_eq!(id.to_string(), "cp_sandbox_4nR8TqZ1UkWp0eJd7Lx2Vg");
/// assert_eq!(CaptureId::new("cp 1").unwrap_err().code(), "id_not_visible_ascii");
/// # Ok::<(), dojo_capture::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaptureId(Text);

/// The `idempotencyKey` header of a refund: at most 100 visible ASCII
/// characters, unique for each new refund of an intent (rule 5, [D7](crate::decisions#d7)).
///
/// ```
/// use dojo_capture::IdempotencyKey;
///
/// let key = IdempotencyKey::new("refund-order-1234-1")?;
/// assert_eq!(key.as_str(), "refund-order-1234-1");
/// assert_eq!(IdempotencyKey::new(&"k".repeat(101)).unwrap_err().code(), "id_too_long");
/// # Ok::<(), dojo_capture::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(Text);

/// An id's text, with its last eight bytes kept beside it. The rules
/// compare a new id with every one recorded on the intent, and an intent's
/// ids mostly share a prefix and differ at their end (a counter, a random
/// tail): the length and those bytes, held in the record itself, tell most
/// ids apart without following the pointer to the text.
#[derive(Clone)]
struct Text {
    text: Box<str>,
    /// The last (up to) eight bytes, little-endian, zero-padded.
    tail: u64,
}

/// The last (up to) eight bytes of `text`, little-endian, zero-padded: where
/// the ids of one intent differ (a counter, a random tail). Ids keep it
/// beside their text, and rehydration's repeat check (`seen.rs`) compares
/// it before the texts.
#[inline]
pub(crate) fn tail_of(text: &str) -> u64 {
    let bytes = text.as_bytes();
    if let Some(tail) = bytes.last_chunk::<8>() {
        return u64::from_le_bytes(*tail);
    }
    let mut tail = [0_u8; 8];
    for (slot, byte) in tail.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    u64::from_le_bytes(tail)
}

impl Text {
    fn new(text: Box<str>) -> Text {
        Text {
            tail: tail_of(&text),
            text,
        }
    }

    fn as_str(&self) -> &str {
        &self.text
    }
}

// Equality, hashing and order are the text's alone; the tail only answers
// "different" sooner.
impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.text.len() == other.text.len() && self.tail == other.tail && self.text == other.text
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

/// An id or key that cannot be used: empty, too long, or with characters an
/// HTTP header or a URL path cannot carry as they are. The message names the
/// value and what it was meant to be; [`IdError::code`] names the problem.
///
/// ```
/// use dojo_capture::CaptureId;
///
/// let error = CaptureId::new("cp 1").unwrap_err();
/// assert_eq!(error.code(), "id_not_visible_ascii");
/// assert_eq!(
///     error.to_string(),
///     "\"cp 1\" is not a valid capture id: only visible ASCII characters, without spaces, are allowed"
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct IdError {
    kind: IdErrorKind,
}

#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
enum IdErrorKind {
    #[error("{value:?} is not a valid {what}: it is empty")]
    Empty { what: &'static str, value: Box<str> },
    #[error("{value:?} is not a valid {what}: it is longer than 100 characters")]
    TooLong { what: &'static str, value: Box<str> },
    #[error(
        "{value:?} is not a valid {what}: only visible ASCII characters, without spaces, are allowed"
    )]
    NotVisibleAscii { what: &'static str, value: Box<str> },
}

impl IdError {
    /// A stable snake_case name for the problem: `empty_id`, `id_too_long`
    /// or `id_not_visible_ascii`.
    ///
    /// ```
    /// use dojo_capture::IdempotencyKey;
    ///
    /// assert_eq!(IdempotencyKey::new("").unwrap_err().code(), "empty_id");
    /// ```
    pub fn code(&self) -> &'static str {
        match self.kind {
            IdErrorKind::Empty { .. } => "empty_id",
            IdErrorKind::TooLong { .. } => "id_too_long",
            IdErrorKind::NotVisibleAscii { .. } => "id_not_visible_ascii",
        }
    }
}

crate::error::debug_code_and_message!(IdError);

// The spec caps the idempotency key at 100 characters; capture ids have no
// documented cap, so the same bound keeps hostile input from growing a ledger.
const MAX_LEN: usize = 100;

/// Whether every byte is visible ASCII. Every byte is looked at, without
/// stopping at the first bad one, so that the loop runs on whole vectors:
/// an id is at most [`MAX_LEN`] bytes, and almost always good.
fn visible_ascii(value: &str) -> bool {
    value
        .bytes()
        .fold(true, |visible, b| visible & b.is_ascii_graphic())
}

fn validate(what: &'static str, value: &str) -> Result<Box<str>, IdError> {
    let id: Box<str> = value.into();
    let kind = if id.is_empty() {
        IdErrorKind::Empty { what, value: id }
    } else if id.len() > MAX_LEN {
        IdErrorKind::TooLong { what, value: id }
    } else if !visible_ascii(&id) {
        IdErrorKind::NotVisibleAscii { what, value: id }
    } else {
        return Ok(id);
    };
    Err(IdError { kind })
}

impl CaptureId {
    /// A capture id as Dojo returned it.
    ///
    /// # Errors
    /// Empty, longer than 100 characters, or not visible ASCII.
    ///
    /// ```
    /// use dojo_capture::CaptureId;
    ///
    /// assert!(CaptureId::new("cp_1").is_ok());
    /// assert_eq!(CaptureId::new("").unwrap_err().code(), "empty_id");
    /// ```
    pub fn new(id: &str) -> Result<CaptureId, IdError> {
        validate("capture id", id).map(|id| CaptureId(Text::new(id)))
    }

    /// The id as text.
    ///
    /// ```
    /// use dojo_capture::CaptureId;
    ///
    /// assert_eq!(CaptureId::new("cp_1")?.as_str(), "cp_1");
    /// # Ok::<(), dojo_capture::IdError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl IdempotencyKey {
    /// A refund idempotency key.
    ///
    /// # Errors
    /// Empty, longer than 100 characters, or not visible ASCII.
    ///
    /// ```
    /// use dojo_capture::IdempotencyKey;
    ///
    /// assert!(IdempotencyKey::new("refund-1").is_ok());
    /// assert_eq!(IdempotencyKey::new("refund 1").unwrap_err().code(), "id_not_visible_ascii");
    /// ```
    pub fn new(key: &str) -> Result<IdempotencyKey, IdError> {
        validate("idempotency key", key).map(|key| IdempotencyKey(Text::new(key)))
    }

    /// The key as text.
    ///
    /// ```
    /// use dojo_capture::IdempotencyKey;
    ///
    /// assert_eq!(IdempotencyKey::new("refund-1")?.as_str(), "refund-1");
    /// # Ok::<(), dojo_capture::IdError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

macro_rules! text_impls {
    ($($ty:ident),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.0.as_str(), f)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $ty::new(s)
            }
        }
    )*};
}
text_impls!(CaptureId, IdempotencyKey);
