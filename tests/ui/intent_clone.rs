// An intent that can prepare is not Clone: two copies could each prepare
// the same 6.00 and each hold a token for an identical POST (issue: "one
// live handle"). A copy goes through the stored record, whose revision
// lets only one of them be written back. This must not compile.

use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
        .with_id("pi_1");
    let Authorization::Manual(authorized) = intent.authorize(paid_at) else {
        return;
    };
    let _typed = authorized.clone();
    let _any = authorized.into_any().clone();
}
