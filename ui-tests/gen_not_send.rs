// A generator holding an `Rc` across a `yield` is not `Send`.
use std::rc::Rc;

fn assert_send<T: Send>(_: T) {}

fn main() {
    let shared = asyncio::async_gen! {
        let counter = Rc::new(1u32);
        yield *counter;
        yield *counter + 1;
    };
    assert_send(shared);
}
