//! The `waymark-assess` binary.

fn main() {}
