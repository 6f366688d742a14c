//! hyper 1.x on this loop: a hyper server and hyper clients over our
//! sockets, the clients limited by a `Semaphore` inside `async_with!`.

use std::cell::Cell;
use std::convert::Infallible;
use std::rc::Rc;

use asyncio::compat::hyper::HyperIo;
use asyncio::net::{TcpListener, TcpStream};
use asyncio::{Semaphore, async_with, gather, sleep};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

#[test]
fn hyper_server_and_clients_with_a_limit() {
    asyncio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let in_flight = Rc::new(Cell::new(0));
        let peak = Rc::new(Cell::new(0));
        let (f, p) = (in_flight.clone(), peak.clone());
        asyncio::create_task(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (f, p) = (f.clone(), p.clone());
                asyncio::create_task(async move {
                    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                        let (f, p) = (f.clone(), p.clone());
                        async move {
                            f.set(f.get() + 1);
                            p.set(p.get().max(f.get()));
                            sleep(0.02).await;
                            f.set(f.get() - 1);
                            let body = format!("you asked for {}", request.uri().path());
                            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
                        }
                    });
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(HyperIo::new(stream), service)
                        .await
                        .unwrap();
                });
            }
        });
        let sem = Semaphore::new(2);
        let fetches = (0..8).map(|i| {
            let sem = sem.clone();
            async move {
                async_with!(&sem => {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (mut sender, connection) =
                        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(HyperIo::new(stream))
                            .await
                            .unwrap();
                    asyncio::create_task(connection);
                    let request = Request::get(format!("/{i}")).body(Empty::new()).unwrap();
                    let response = sender.send_request(request).await.unwrap();
                    assert_eq!(response.status(), 200);
                    response.into_body().collect().await.unwrap().to_bytes()
                })
            }
        });
        let bodies = gather(fetches).await.unwrap();
        for (i, body) in bodies.iter().enumerate() {
            assert_eq!(body.as_ref(), format!("you asked for /{i}").as_bytes());
        }
        assert_eq!(
            peak.get(),
            2,
            "the semaphore held the clients to two at a time"
        );
    });
}
