//! The one shape of the crate's public error types.
//!
//! Each public error is an opaque struct around a private `…Kind` enum.
//! `thiserror` derives the kind's `Display` from its `#[error("…")]`
//! attributes, and the public type delegates to it (`#[error(transparent)]`
//! when the kind is its only field). `code()` names the kind with a stable
//! snake_case code that no other failure of the crate shares (the table is
//! `docs/errors.md`), and `Debug` prints that code and the message, nothing
//! else: never a whole payment intent.
//!
//! An error that wraps another and repeats its text in its own message
//! (`InputError` around a `MoneyError`) does not also return it from
//! `source()`, so walking an error chain never prints the same text twice.

/// `Debug` as `Name { code: "…", message: "…" }`, from the type's `code()`
/// and `Display`.
macro_rules! debug_code_and_message {
    ($($ty:ident),+ $(,)?) => {$(
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("code", &self.code())
                    .field("message", &self.to_string())
                    .finish()
            }
        }
    )+};
}
pub(crate) use debug_code_and_message;

/// What a JSON value is, as a message names it: "is a number, not a string".
pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
