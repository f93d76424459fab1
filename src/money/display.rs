//! Money to text: `10.50 GBP`, `1500 JPY`, always every minor digit.

use std::fmt;

use super::Money;

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A Decimal keeps its scale when printed, so 1000 minor units of GBP
        // print as 10.00, never 10.
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}
