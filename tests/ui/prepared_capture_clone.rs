// A prepared capture is not Clone: a copy could record a second answer for
// one request. This must not compile.

use dojo_capture::request::ApiVersion;
use dojo_capture::{Authorization, CaptureMode, Currency, Money, PaymentIntent};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let intent = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Manual)
        .with_id("pi_1");
    let Authorization::Manual(authorized) = intent.authorize(paid_at) else {
        return;
    };
    let (_, prepared) = authorized
        .prepare_capture(Money::new(500, Currency::GBP), None, paid_at, ApiVersion::default())
        .unwrap();
    let _copy = prepared.clone();
}
