// PaymentIntent's fields are private: a Captured intent cannot be forged by
// stamping a state marker on a struct literal, only reached by transitions,
// so this must not compile.

use std::marker::PhantomData;

use dojo_capture::PaymentIntent;
use dojo_capture::state::Captured;

fn main() {
    let _forged: PaymentIntent<Captured> = PaymentIntent { state: PhantomData };
}
