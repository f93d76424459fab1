// capture on a Created intent: capture exists only on Authorized and Captured intents, so this must not compile.

use dojo_capture::{CaptureId, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let now: Timestamp = "2024-07-25T09:00:00Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let _ = created.capture(
        CaptureId::new("cp_2").unwrap(),
        Money::new(100, Currency::GBP),
        now,
    );
}
