// new exists only on PaymentIntent<Created>: an intent starts waiting for
// payment, so asking for a brand-new Captured intent must not compile.

use dojo_capture::state::Captured;
use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};

fn main() {
    let _ = PaymentIntent::<Captured>::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
}
