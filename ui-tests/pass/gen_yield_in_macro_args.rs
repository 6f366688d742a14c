#![deny(warnings)]

// A `yield` inside macro arguments is the generator's: in `println!` and
// `format!` arguments, `vec!`, `assert_eq!`, and in a macro with its own
// grammar (rewritten token by token), including inside a match arm there.
macro_rules! twice {
    ($e:expr => $f:expr) => {{
        $e;
        $f
    }};
}

fn main() {
    let agen = asyncio::async_gen! {
        println!("resumed with {:?}", yield 1u32);
        let s = format!("{:?}{:?}", yield 2, yield 3);
        assert_eq!(s, "()()");
        let v = vec![yield 4, yield 5];
        assert_eq!(v.len(), 2);
        assert_eq!(yield 6, ());
        twice!(yield 7 => match 8u32 { n => yield n, });
        let flag = true;
        twice!(yield 9 => if flag || !flag { yield 10 });
    };
    asyncio::run(async move {
        assert_eq!(agen.collect::<Vec<_>>().await, (1..=10).collect::<Vec<_>>());
    });
}
