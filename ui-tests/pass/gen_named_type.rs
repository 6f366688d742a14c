#![deny(warnings)]

// The generator's type can be named: in a struct field (erased with
// `.boxed()`) and as a function's return type with `impl Future`.
use asyncio::AsyncGen;

struct Feed {
    items: AsyncGen<u8>,
}

fn countdown(from: u8) -> AsyncGen<u8, (), (), impl Future<Output = ()>> {
    asyncio::async_gen! {
        for i in (1..=from).rev() {
            yield i;
        }
    }
}

fn main() {
    let feed = Feed {
        items: countdown(3).boxed(),
    };
    let also = Feed {
        items: asyncio::async_gen! {
            yield 7u8;
        }
        .boxed(),
    };
    asyncio::run(async move {
        assert_eq!(feed.items.collect::<Vec<_>>().await, [3, 2, 1]);
        assert_eq!(also.items.collect::<Vec<_>>().await, [7]);
    });
}
