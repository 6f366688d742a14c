//! Consuming generators: comprehension helpers, async iterators, type
//! erasure, and the wider ecosystem (futures' `StreamExt`, tokio).

use asyncio::{AsyncGen, AsyncIterator, aiter, async_gen};

#[derive(Debug, Clone, PartialEq)]
struct Response {
    status: u16,
    url: String,
}

async_gen! {
    async fn download(urls: Vec<&'static str>) -> AsyncGen<Response> {
        for url in urls {
            asyncio::sleep(1).await;
            let status = if url.ends_with(".invalid") { 404 } else { 200 };
            yield Response { status, url: url.to_string() };
        }
    }
}

#[test]
fn the_seeds_comprehension_is_one_line() {
    let errors = crate::common::run_virtual(async {
        let urls = vec!["google.com", "nowhere.invalid", "bing.com", "gone.invalid"];
        // [r async for r in download(urls) if r['status'] != 200]
        download(urls)
            .filter(|r| r.status != 200)
            .collect::<Vec<_>>()
            .await
    });
    let urls: Vec<_> = errors.iter().map(|r| r.url.as_str()).collect();
    assert_eq!(urls, ["nowhere.invalid", "gone.invalid"]);
}

#[asyncio::test]
async fn adapters_chain_and_await_in_the_expression() {
    let numbers = async_gen! {
        for i in 1..=6u32 {
            yield i;
        }
        "numbers done"
    };
    // [await double(x) async for x in numbers if x % 2 == 0], then + 1
    let mut adapted = numbers
        .filter(|x| x % 2 == 0)
        .then(async |x| {
            asyncio::sleep(0).await;
            x * 2
        })
        .map(|x| x + 1);
    let mut seen = Vec::new();
    while let Some(x) = adapted.next().await {
        seen.push(x);
    }
    assert_eq!(seen, [5, 9, 13]);
    assert_eq!(
        adapted.take_return(),
        Some("numbers done"),
        "the return value passes through"
    );
}

#[asyncio::test]
async fn collect_into_any_extendable_collection() {
    let letters = async_gen! {
        for c in ['b', 'a', 'b', 'c'] {
            yield c;
        }
    };
    let set: std::collections::BTreeSet<char> = letters.collect().await;
    assert_eq!(set.into_iter().collect::<String>(), "abc");
}

/// The seeds' `EggBoiler`: `__anext__` hands out one boiling egg per call.
struct EggBoiler {
    eggs: std::ops::RangeInclusive<u32>,
}

impl AsyncIterator for EggBoiler {
    type Item = u32;

    async fn anext(&mut self) -> Option<u32> {
        let egg = self.eggs.next()?;
        asyncio::sleep(f64::from(egg)).await;
        Some(egg)
    }
}

#[test]
fn an_async_iterator_becomes_a_stream_without_pinning() {
    let (eggs, time, left) = crate::common::run_virtual(async {
        let mut boiler = aiter(EggBoiler { eggs: 1..=3 });
        let mut eggs = Vec::new();
        while let Some(egg) = boiler.next().await {
            eggs.push(egg);
        }
        let time = asyncio::get_running_loop().unwrap().time();
        // The generator returns the iterator once it is exhausted.
        let left = boiler.take_return().map(|b| b.eggs.count());
        (eggs, time, left)
    });
    assert_eq!(eggs, [1, 2, 3]);
    assert_eq!(time, 6.0, "one egg at a time: 1 + 2 + 3 s");
    assert_eq!(left, Some(0));
}

#[asyncio::test(virtual_time = true)]
async fn aiter_as_a_method_with_adapters() {
    let boiled: Vec<String> = EggBoiler { eggs: 4..=5 }
        .aiter()
        .map(|egg| format!("egg #{egg}"))
        .collect()
        .await;
    assert_eq!(boiled, ["egg #4", "egg #5"]);
}

#[asyncio::test]
async fn an_adapter_over_a_closed_generator_says_what_went_wrong() {
    let agen = async_gen! { yield 1; };
    agen.aclose().await.unwrap();
    let task = asyncio::create_task(agen.map(|x| x + 1).collect::<Vec<_>>());
    let error = task.await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("had no return value to pass on"),
        "{message}"
    );
}

struct Feed {
    items: AsyncGen<String>,
}

#[asyncio::test]
async fn erased_generators_fit_in_struct_fields() {
    let make = |prefix: &'static str| {
        async_gen! {
            for i in 0..2 {
                yield format!("{prefix}{i}");
            }
        }
        .boxed()
    };
    let mut feeds = vec![Feed { items: make("a") }, Feed { items: make("b") }];
    let mut out = Vec::new();
    for feed in &mut feeds {
        while let Some(item) = feed.items.next().await {
            out.push(item);
        }
    }
    assert_eq!(out, ["a0", "a1", "b0", "b1"]);
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn send_state_gives_a_send_generator_that_runs_on_tokio() {
    use futures::StreamExt;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let out = runtime.block_on(async {
        let agen = assert_send(async_gen! {
            for i in 0..4u64 {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                yield i;
            }
        });
        // tokio::spawn needs Send + 'static: the generator moves into a task.
        let handle = tokio::spawn(async move {
            // futures' combinators work on it as on any Stream.
            StreamExt::map(agen, |i| i * i).collect::<Vec<_>>().await
        });
        handle.await.unwrap()
    });
    assert_eq!(out, [0, 1, 4, 9]);
}

#[test]
fn erased_send_generators_keep_send() {
    let agen: AsyncGen<u8, (), (), dyn Future<Output = ()> + Send> =
        async_gen! { yield 1u8; }.boxed_send();
    let agen = assert_send(agen);
    let out = std::thread::spawn(move || {
        // Moved to another thread and driven there, on a loop of its own.
        asyncio::run(agen.collect::<Vec<_>>())
    })
    .join()
    .unwrap();
    assert_eq!(out, [1]);
}

#[asyncio::test]
async fn futures_stream_ext_works_alongside_our_methods() {
    use futures::StreamExt as _;
    let agen = async_gen! {
        yield 3;
        yield 1;
        yield 2;
    };
    // `zip`, `enumerate`, `fold` come from futures-util.
    let total = agen
        .enumerate()
        .fold(0, |acc, (i, x)| async move { acc + i * x })
        .await;
    assert_eq!(total, 1 + 2 * 2);
}
