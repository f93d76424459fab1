// reverse on a Canceled intent: reverse exists only on Authorized and Captured intents, so this must not compile.

use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let now: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let canceled = created.cancel();
    let _ = canceled.reverse(now);
}
