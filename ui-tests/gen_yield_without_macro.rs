// `yield` in a plain fn, without `async_gen!`: rustc's own error (`yield`
// is unstable), pinned so a change in it is noticed.
fn numbers() {
    yield 1u32;
}

fn main() {
    numbers();
}
