//! A set for telling an id seen before, without allocating while the ids
//! are few.
//!
//! Reading an intent checks that no capture id, refund key, refund id,
//! local id or webhook event id appears twice. An intent holds a handful of
//! each, so a scan of a small array beats hashing into a heap-allocated set;
//! past [`FEW`] the ids move to a `HashSet`, so a hostile record with
//! thousands of captures is still read in linear time.

use std::collections::HashSet;
use std::hash::Hash;

/// How many ids are scanned before they move to a hash set.
const FEW: usize = 16;

pub(crate) struct Seen<T> {
    few: [Option<T>; FEW],
    len: usize,
    many: Option<HashSet<T>>,
    /// How many ids the caller expects, so that the set, once needed, is
    /// allocated once.
    expected: usize,
}

impl<T: Copy + Eq + Hash> Seen<T> {
    pub(crate) fn new() -> Seen<T> {
        Seen::expecting(0)
    }

    /// A set for about `expected` ids.
    pub(crate) fn expecting(expected: usize) -> Seen<T> {
        Seen {
            few: [None; FEW],
            len: 0,
            many: None,
            expected,
        }
    }

    /// Whether `item` was seen before; it is remembered either way.
    pub(crate) fn repeated(&mut self, item: T) -> bool {
        if let Some(many) = &mut self.many {
            return !many.insert(item);
        }
        if self.few[..self.len].contains(&Some(item)) {
            return true;
        }
        if self.len < FEW {
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
        for n in [0_u64, 1, 15, 16, 17, 100] {
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
}
