//! async_gen! basics: yields, return values, attribute form.
use asyncio::{AsyncGen, async_gen};

#[asyncio::test]
async fn yields_in_order_then_none() {
    let mut g = async_gen! {
        for i in 0..3u32 {
            yield i;
        }
        "done"
    };
    assert_eq!(g.next().await, Some(0));
    assert_eq!(g.next().await, Some(1));
    assert_eq!(g.next().await, Some(2));
    assert_eq!(g.next().await, None);
    assert_eq!(g.take_return(), Some("done"));
    assert_eq!(g.next().await, None);
}

async_gen! {
    async fn download(urls: Vec<&'static str>) -> AsyncGen<String> {
        for url in urls {
            asyncio::sleep(0).await;
            yield format!("content of {url}");
        }
    }
}

#[asyncio::test]
async fn attribute_form() {
    let got: Vec<String> = download(vec!["a", "b"]).collect().await;
    assert_eq!(got, ["content of a", "content of b"]);
}

#[asyncio::test]
async fn match_arm_yield_parses() {
    let mut g = async_gen! {
        for x in [1, 2, 3] {
            match x {
                2 => yield x * 100,
                _ => yield x,
            }
        }
    };
    let mut seen = Vec::new();
    while let Some(v) = g.next().await {
        seen.push(v);
    }
    assert_eq!(seen, [1, 200, 3]);
}

fn named() -> AsyncGen<u8, (), (), impl Future<Output = ()>> {
    async_gen! { yield 7u8; }
}

#[asyncio::test]
async fn nameable() {
    struct Holder {
        g: AsyncGen<u8>,
    }
    let mut h = Holder { g: named().boxed() };
    assert_eq!(h.g.next().await, Some(7));
}

#[asyncio::test]
async fn cfg_on_a_yield_and_on_a_statement_holding_one_is_kept() {
    let g = async_gen! {
        #[cfg(any())]
        yield 0u32;
        #[cfg(all())]
        yield 1;
        #[cfg(any())]
        let _unused = yield 2;
        #[cfg(all())]
        let _sent: () = yield 3;
        yield 4;
    };
    assert_eq!(g.collect::<Vec<_>>().await, [1, 3, 4]);
}

async_gen! {
    /// Elided lifetimes work as in a plain `async fn`: the generator
    /// borrows `text`.
    async fn words(text: &str) -> AsyncGen<&str> {
        for word in text.split_whitespace() {
            yield word;
        }
    }

    async fn longest<'a>(a: &'a str, b: &'a str) -> AsyncGen<&'a str> {
        yield if a.len() >= b.len() { a } else { b };
    }
}

#[asyncio::test]
async fn the_fn_form_takes_elided_and_named_lifetimes() {
    let text = String::from("to be or not");
    assert_eq!(
        words(&text).collect::<Vec<_>>().await,
        ["to", "be", "or", "not"]
    );
    assert_eq!(longest("ab", "abc").collect::<Vec<_>>().await, ["abc"]);
}
