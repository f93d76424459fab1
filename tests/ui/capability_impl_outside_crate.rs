// The capabilities are sealed: a crate outside dojo-capture cannot give a
// state of its own a capability (here, to be captured), so this impl must not compile.

use dojo_capture::state::CanCapture;

pub enum Disputed {}

impl CanCapture for Disputed {}

fn main() {}
