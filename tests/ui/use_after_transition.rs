// Transitions consume the intent: once a Created intent is canceled, the
// Created value is gone and cannot be authorised, so this must not compile.

use dojo_capture::{CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual);
    let canceled = created.cancel();
    println!("{:?}", canceled.state());
    let _ = created.authorize(paid_at);
}
