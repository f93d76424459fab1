//! A set for telling an id seen before, without allocating while the ids
//! are few.
//!
//! Reading an intent checks that no capture id, refund key, refund id,
//! local id or webhook event id appears twice. An intent holds a handful of
//! each, so a scan of a small array beats hashing into a heap-allocated set;
//! past [`FEW`] the ids move to a `HashSet`, so a hostile record with
//! thousands of captures is still read in linear time.
//!
//! The scan compares a [`Fingerprint`] of each id first, a `u64` held in
//! the array itself, and the ids themselves only when their fingerprints
//! agree: an intent's ids mostly share their length and a prefix and
//! differ at their end, so comparing the texts one by one would call
//! `memcmp` for each pair.

use std::collections::HashSet;
use std::hash::Hash;

/// How many ids are scanned before they move to a hash set. A scan of
/// fingerprints costs about a nanosecond for each id already seen, a hash
/// of an id some tens: up to 32 ids, the scan is the cheaper
/// (`benches/decode.rs`, `twenty-captures`).
const FEW: usize = 32;

/// A cheap summary of an id: equal ids have equal fingerprints, and
/// different ids of one intent rarely do.
pub(crate) trait Fingerprint {
    fn fingerprint(&self) -> u64;
}

impl Fingerprint for &str {
    /// The length and the last (up to) eight bytes, where an intent's ids
    /// differ: their counter or random tail.
    #[inline]
    fn fingerprint(&self) -> u64 {
        // The length in the top byte, where the tail of a short id is zero;
        // only a hint, so a length past 255 may wrap.
        crate::ids::tail_of(self) ^ ((self.len() as u64) << 56)
    }
}

impl Fingerprint for u64 {
    #[inline]
    fn fingerprint(&self) -> u64 {
        *self
    }
}

pub(crate) struct Seen<T> {
    few: [Option<T>; FEW],
    /// The fingerprints of `few[..len]`, compared before the ids.
    prints: [u64; FEW],
    len: usize,
    many: Option<HashSet<T>>,
    /// How many ids the caller expects, so that the set, once needed, is
    /// allocated once.
    expected: usize,
}

impl<T: Copy + Eq + Hash + Fingerprint> Seen<T> {
    pub(crate) fn new() -> Seen<T> {
        Seen::expecting(0)
    }

    /// A set for about `expected` ids.
    pub(crate) fn expecting(expected: usize) -> Seen<T> {
        Seen {
            few: [None; FEW],
            prints: [0; FEW],
            len: 0,
            many: None,
            expected,
        }
    }

    /// Whether `item` was seen before; it is remembered either way.
    #[inline]
    pub(crate) fn repeated(&mut self, item: T) -> bool {
        if let Some(many) = &mut self.many {
            return !many.insert(item);
        }
        let print = item.fingerprint();
        // First whether any fingerprint agrees, looking at all of them
        // without stopping so that the loop runs on whole vectors; the ids
        // are compared only then, which a new id almost never needs.
        let prints = &self.prints[..self.len];
        if prints.iter().fold(false, |any, p| any | (*p == print))
            && prints
                .iter()
                .zip(&self.few[..self.len])
                .any(|(p, few)| *p == print && *few == Some(item))
        {
            return true;
        }
        if self.len < FEW {
            self.prints[self.len] = print;
            self.few[self.len] = Some(item);
            self.len += 1;
            return false;
        }
        let mut many = HashSet::with_capacity(self.expected.max(2 * FEW));
        many.extend(self.few.iter().flatten().copied());
        many.insert(item);
        self.many = Some(many);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn repeats_are_found_below_and_above_the_scan_limit() {
        for n in [0_u64, 1, 31, 32, 33, 100] {
            let mut seen = Seen::new();
            for i in 0..n {
                assert!(!seen.repeated(i), "{i} of {n} is new");
            }
            for i in 0..n {
                assert!(seen.repeated(i), "{i} of {n} was seen");
            }
            assert!(!seen.repeated(n), "{n} is new");
        }
    }

    #[test]
    fn ids_alike_but_for_their_head_are_told_apart() {
        // Same length and the same last eight bytes: the fingerprints
        // agree, the texts decide.
        let ids = ["a_12345678", "b_12345678", "12345678", "x"];
        let mut seen = Seen::new();
        for id in ids {
            assert!(!seen.repeated(id), "{id} is new");
        }
        for id in ids {
            assert!(seen.repeated(id), "{id} was seen");
        }
    }
}
