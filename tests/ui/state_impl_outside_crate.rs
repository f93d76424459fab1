// State is sealed: a crate outside dojo-capture cannot add a state that the
// rules know nothing about, so this impl must not compile.

use dojo_capture::IntentState;
use dojo_capture::state::State;

pub enum Disputed {}

impl State for Disputed {
    const STATE: IntentState = IntentState::Captured;
}

fn main() {}
