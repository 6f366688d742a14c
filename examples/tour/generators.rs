//! Sections 18–20 of the tour: async generators (`async def` with `yield`),
//! async comprehensions, async iterators and the generator protocol. They
//! run on a virtual clock, like sections 10–16.

use std::cell::Cell;
use std::rc::Rc;

use asyncio::generator::{Co, from_fn};
use asyncio::{AsyncGen, AsyncIterator, aiter, async_gen, sleep};

use super::header;

pub(crate) fn tour() {
    asyncio::Runner::new().virtual_time(true).run(async {
        generators_section().await;
        comprehensions_section().await;
        protocol_section().await;
    });
}

// ---------------------------------------------------------------------------
// 18. Async generators (seed 003)
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    data: String,
}

// async def download(urls):
//     for url in urls:
//         await asyncio.sleep(1)
//         response = {'status': 200, 'data': f'content of {url}'}
//         yield response
// (Unlike the seed's, a url on the reserved `.invalid` domain answers 404,
// so that the comprehension in section 19 finds an error.)
async_gen! {
    async fn download(urls: Vec<&'static str>) -> AsyncGen<Response> {
        for url in urls {
            sleep(1).await;
            let status = if url.ends_with(".invalid") { 404 } else { 200 };
            yield Response { status, data: format!("content of {url}") };
        }
    }
}

async fn generators_section() {
    header("18. Async generators: async_gen! and `yield`");
    // async for value in download(urls):
    //     print(value)
    let mut agen = download(vec!["google.com", "bing.com"]);
    println!("{agen:?}"); // nothing runs until the first next()
    while let Some(value) = agen.next().await {
        println!("{value:?}");
    }

    // The expression form; unlike Python, a generator may also return a
    // value, read with take_return() once it is over.
    let mut countdown = async_gen! {
        for i in (1..=3).rev() {
            sleep(0.5).await;
            yield i;
        }
        "liftoff"
    };
    while let Some(i) = countdown.next().await {
        print!("{i}.. ");
    }
    println!("{}", countdown.take_return().unwrap());

    // Without macros: an async closure yields through a `Co` handle.
    let squares = from_fn(async |co: &Co<u64>| {
        for i in 1..=4 {
            co.yield_(i * i).await;
        }
    });
    println!("squares: {:?}", squares.collect::<Vec<_>>().await);
}

// ---------------------------------------------------------------------------
// 19. Async comprehensions and async iterators (seed 003)
// ---------------------------------------------------------------------------

// async def handle(err_response):
//     print('logging error response for', err_response)
async fn handle(err_response: &Response) {
    println!("logging error response for {err_response:?}");
}

// class Countdown:                  # __aiter__ / __anext__
//     def __init__(self, n): self.n = n
//     def __aiter__(self): return self
//     async def __anext__(self):
//         if self.n == 0: raise StopAsyncIteration
//         await asyncio.sleep(0.1)
//         self.n -= 1
//         return self.n + 1
struct Countdown(u32);

impl AsyncIterator for Countdown {
    type Item = u32;

    async fn anext(&mut self) -> Option<u32> {
        if self.0 == 0 {
            return None; // raise StopAsyncIteration
        }
        sleep(0.1).await;
        self.0 -= 1;
        Some(self.0 + 1)
    }
}

async fn comprehensions_section() {
    header("19. Async comprehensions, __aiter__/__anext__");
    let urls = vec!["google.com", "example.invalid", "bing.com"];

    // errors = [r async for r in download(urls) if r['status'] != 200]
    let errors = download(urls.clone())
        .filter(|r| r.status != 200)
        .collect::<Vec<_>>()
        .await;
    println!("{errors:?}");
    // [await handle(e) for e in errors]
    for e in &errors {
        handle(e).await;
    }

    // sizes = [len(r['data']) async for r in download(urls)]
    let sizes = download(urls)
        .map(|r| r.data.len())
        .collect::<Vec<_>>()
        .await;
    println!("sizes: {sizes:?}");

    // [x async for x in Countdown(3)]   -- aiter() makes a generator of it
    let items: Vec<u32> = aiter(Countdown(3)).collect().await;
    println!("Countdown(3): {items:?}");

    // [await double(x) async for x in Countdown(3)]
    let doubled = Countdown(3)
        .aiter()
        .then(async |x| {
            sleep(0.1).await;
            x * 2
        })
        .collect::<Vec<_>>()
        .await;
    println!("doubled: {doubled:?}");
}

// ---------------------------------------------------------------------------
// 20. The generator protocol: anext, asend, aclose (PEP 525)
// ---------------------------------------------------------------------------

// async def accumulator():
//     total = 0
//     try:
//         while True:
//             value = yield total
//             if value is not None:
//                 total += value
//     finally:
//         await asyncio.sleep(0.1)
//         print('closed at', total)
async_gen! {
    // AsyncGen<yields, returns, is sent>: `yield` evaluates to an Option<i64>.
    async fn accumulator() -> AsyncGen<i64, (), Option<i64>> {
        let total = Rc::new(Cell::new(0));
        let seen = total.clone();
        let _cleanup = asyncio::finally(async move {
            sleep(0.1).await; // cleanup may await
            println!("finally: closed at {}", seen.get());
        });
        loop {
            if let Some(value) = yield total.get() {
                total.set(total.get() + value);
            }
        }
    }
}

async fn protocol_section() {
    header("20. anext / asend / aclose");
    let acc = accumulator();
    // Errors are values: asend before the first anext is refused.
    println!("asend(Some(1)) first -> {:?}", acc.asend(Some(1)).await);
    println!("anext(acc) -> {:?}", acc.anext().await); // await anext(acc)
    println!("asend(Some(5)) -> {:?}", acc.asend(Some(5)).await); // await acc.asend(5)
    println!("asend(Some(10)) -> {:?}", acc.asend(Some(10)).await);
    // await acc.aclose(): ends the body at its yield, runs its cleanup
    acc.aclose().await.unwrap();
    println!("after aclose, anext(acc) -> {:?}", acc.anext().await);
    // athrow(e) needs a generator sent Result<_, E>: see
    // examples/generator_protocol.rs.
}
