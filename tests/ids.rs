//! Capture ids and idempotency keys are equal, ordered and hashed by their
//! text alone. Their equality looks at the length and the last eight bytes
//! first, held beside the text; these tests hold it to the text's own
//! equality on ids built to share lengths, prefixes and tails.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use common::proptest_config;
use dojo_capture::{CaptureId, IdempotencyKey};
use proptest::prelude::*;

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Two ids that often agree in length and in their last eight bytes: a
/// shared prefix or tail, with one of them changed in one byte or not.
fn pair() -> impl Strategy<Value = (String, String)> {
    let text = "[!-~]{1,99}";
    (text, any::<prop::sample::Index>(), 0_u8..4, "[!-~]").prop_map(|(a, at, how, byte)| {
        let mut b = a.clone().into_bytes();
        let at = at.index(b.len());
        match how {
            // The same text.
            0 => {}
            // One byte changed: anywhere, often before the last eight.
            1 => b[at] = byte.as_bytes()[0],
            // The first byte changed: same length, same tail.
            2 => b[0] = if b[0] == b'!' { b'~' } else { b'!' },
            // One byte longer.
            _ => b.push(byte.as_bytes()[0]),
        }
        (a, String::from_utf8(b).expect("ASCII"))
    })
}

/// `x` and `y`, made from the texts `a` and `b`, compare, order and hash as
/// those texts do; the hash is the text's, as the derived one was.
fn compares_as_text<T: Eq + Ord + Hash>(
    x: &T,
    y: &T,
    a: &str,
    b: &str,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(x == y, a == b);
    prop_assert_eq!(x.cmp(y), a.cmp(b));
    prop_assert_eq!(x.partial_cmp(y), a.partial_cmp(b));
    prop_assert_eq!(hash_of(x), hash_of(&a));
    if x == y {
        prop_assert_eq!(hash_of(x), hash_of(y));
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config("ids", 2048))]

    #[test]
    fn capture_ids_compare_as_their_text((a, b) in pair()) {
        let (x, y) = (CaptureId::new(&a).expect("id"), CaptureId::new(&b).expect("id"));
        compares_as_text(&x, &y, &a, &b)?;
    }

    #[test]
    fn idempotency_keys_compare_as_their_text((a, b) in pair()) {
        let (x, y) = (IdempotencyKey::new(&a).expect("key"), IdempotencyKey::new(&b).expect("key"));
        compares_as_text(&x, &y, &a, &b)?;
    }
}

#[test]
fn ids_that_differ_only_before_their_last_eight_bytes_differ() {
    let a = CaptureId::new("cp_a_12345678").expect("id");
    let b = CaptureId::new("cp_b_12345678").expect("id");
    assert_ne!(a, b);
    assert_eq!(a, CaptureId::new("cp_a_12345678").expect("id"));
    let short = IdempotencyKey::new("k1").expect("key");
    assert_ne!(short, IdempotencyKey::new("k2").expect("key"));
    assert_ne!(short, IdempotencyKey::new("k1x").expect("key"));
}
