// A PreparedRefund is not Clone: recording consumes the one token, so an answer is recorded once.

use dojo_capture::request::ApiVersion;
use dojo_capture::{
    Authorization, CaptureMode, Currency, IdempotencyKey, Money, PaymentIntent, RefundDetails,
};
use jiff::Timestamp;

fn main() {
    let paid_at: Timestamp = "2024-07-25T08:49:20Z".parse().unwrap();
    let created = PaymentIntent::new(Money::new(1000, Currency::GBP), CaptureMode::Auto).with_id("pi_1");
    let Authorization::Auto(captured) = created.authorize(paid_at) else {
        unreachable!("an Auto intent is captured by Dojo");
    };
    let key = IdempotencyKey::new("rf-1").unwrap();
    let (_, prepared) = captured
        .prepare_refund(key, Money::new(100, Currency::GBP), RefundDetails::default(), ApiVersion::default())
        .unwrap();
    let _copy = prepared.clone();
}
