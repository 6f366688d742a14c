// Each malformed `crate` option is reported at its own token.
#[asyncio::test(crate = "aio<T>")]
async fn generic_arguments() {}

#[asyncio::test(crate)]
async fn no_value() {}

#[asyncio::test(crate = )]
async fn empty_value() {}

#[asyncio::test(crate = "asyncio", crate = "aio")]
async fn given_twice() {}

fn main() {}
