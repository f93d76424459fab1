//! Money to text: `10.50 GBP`, `1500 JPY`, always every minor digit.

use std::fmt;

use super::Money;

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.currency.minor_unit_digits();
        let divisor = 10_i64.pow(digits);
        let whole = self.minor / divisor;
        if digits == 0 {
            write!(f, "{whole} {}", self.currency)
        } else {
            let fraction = self.minor % divisor;
            let width = digits as usize;
            write!(f, "{whole}.{fraction:0width$} {}", self.currency)
        }
    }
}
