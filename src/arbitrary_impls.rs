//! `arbitrary::Arbitrary` for the crate's value types (feature `arbitrary`).
