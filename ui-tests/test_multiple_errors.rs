#[asyncio::test(debug, virtual_time = 0)]
#[should_panic]
#[test]
fn checks<'a>(x: &'a str) -> Result<(), String> {
    Err(x.to_owned())
}

fn main() {}
