use std::error::Error;
use std::fmt;

#[derive(Debug)]
struct Oops;

impl fmt::Display for Oops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oops")
    }
}

impl Error for Oops {}

async fn parse(s: &str) -> Result<i32, std::num::ParseIntError> {
    s.parse()
}

/// `?`, an early `return` that needs an unsizing coercion, and `.into()` all
/// work as in a plain `fn main`.
#[asyncio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let n = parse("42").await?;
    if n != 42 {
        return Err(Box::new(Oops));
    }
    if n == 0 {
        return Err("zero".into());
    }
    Ok(())
}
