//! Identifiers the rules compare: capture ids and refund idempotency keys.

use std::fmt;

/// The id Dojo gives a capture (`cp_…`), used to settle it and to recognise
/// a capture recorded twice (D7).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaptureId(Box<str>);

/// The `idempotencyKey` header of a refund: at most 100 visible ASCII
/// characters, unique for each new refund of an intent (rule 5, D7).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(Box<str>);

/// An id or key that cannot be used: empty, too long, or with characters an
/// HTTP header or a URL path cannot carry as they are.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IdError {
    what: &'static str,
    value: Box<str>,
    problem: &'static str,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a valid {}: {}",
            self.value, self.what, self.problem
        )
    }
}

impl std::error::Error for IdError {}

// The spec caps the idempotency key at 100 characters; capture ids have no
// documented cap, so the same bound keeps hostile input from growing a ledger.
const MAX_LEN: usize = 100;

fn validate(what: &'static str, value: &str) -> Result<Box<str>, IdError> {
    let problem = if value.is_empty() {
        Some("it is empty")
    } else if value.len() > MAX_LEN {
        Some("it is longer than 100 characters")
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        Some("only visible ASCII characters, without spaces, are allowed")
    } else {
        None
    };
    match problem {
        None => Ok(value.into()),
        Some(problem) => Err(IdError {
            what,
            value: value.into(),
            problem,
        }),
    }
}

impl CaptureId {
    /// A capture id as Dojo returned it.
    ///
    /// # Errors
    /// Empty, longer than 100 characters, or not visible ASCII.
    pub fn new(id: &str) -> Result<CaptureId, IdError> {
        validate("capture id", id).map(CaptureId)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl IdempotencyKey {
    /// A refund idempotency key.
    ///
    /// # Errors
    /// Empty, longer than 100 characters, or not visible ASCII.
    pub fn new(key: &str) -> Result<IdempotencyKey, IdError> {
        validate("idempotency key", key).map(IdempotencyKey)
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_impls {
    ($($ty:ident),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
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
