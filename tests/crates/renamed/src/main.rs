//! `#[aio::main]` with the dependency renamed: the `crate` option names it.

#[aio::main(crate = "aio", debug = false)]
async fn main() -> Result<(), aio::Error> {
    let task = aio::create_task(async { 6 * 7 });
    let answer = task.await?;
    let evens = asyncio_test_renamed::evens(5).collect::<Vec<_>>().await;
    println!("answer {answer}, evens {evens:?}");
    Ok(())
}
