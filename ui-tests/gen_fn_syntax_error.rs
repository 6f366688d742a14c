// A syntax error in a fn-form generator is reported where it is, and only
// there: the broken fn keeps its signature, so its callers and the other
// fns of the macro still compile.
use asyncio::AsyncGen;

asyncio::async_gen! {
    async fn numbers(limit: u32) -> AsyncGen<u32, &'static str> {
        yield limit;
        let x = ;
        yield x;
        "done"
    }

    async fn fine() -> AsyncGen<u32> {
        yield 1;
    }
}

fn main() {
    asyncio::run(async {
        let mut n = numbers(3);
        while let Some(x) = n.next().await {
            let _: u32 = x;
        }
        let _: Option<&str> = n.take_return();
        let _ = fine();
    });
}
