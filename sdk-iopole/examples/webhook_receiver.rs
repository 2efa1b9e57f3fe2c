//! A webhook receiver on a real HTTP server (hyper): verifies each delivery, de-duplicates it and
//! answers as Iopole expects.
//!
//! ```sh
//! IOPOLE_WEBHOOK_SECRET=... cargo run -p sdk-iopole --example webhook_receiver -- --port 8080
//! ```
//!
//! It listens on 127.0.0.1 only (put your TLS reverse proxy in front of it) and accepts deliveries
//! on any path: the path signed is the path received. For each accepted status delivery it prints
//! one JSON line on standard output:
//! `{"statusId":"…","invoiceId":"…","code":"…","duplicate":false}` (`true` for a redelivery, which
//! is answered as received but not handled again); for an invoice delivery
//! `{"invoiceId":"…","fileBytes":1234,"senderAcceptStatus":true,"duplicate":false}`. A delivery
//! that fails verification is answered 401 and printed nowhere but standard error.

use std::convert::Infallible;
use std::error::Error;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sdk_iopole::feed::{FeedStatus, PushOutcome, StatusFeed};
use sdk_iopole::webhook::{Answer, ReceiverAuth, WebhookVerifier};
use serde_json::json;
use tokio::net::TcpListener;

/// Iopole delivers up to 100 MB.
const BODY_LIMIT: usize = 100 * 1024 * 1024;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut port: u16 = 8080;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            other => return Err(format!("unknown argument {other}; usage: --port PORT").into()),
        }
    }
    let secret = std::env::var("IOPOLE_WEBHOOK_SECRET").map_err(|_| "set IOPOLE_WEBHOOK_SECRET")?;
    let verifier = WebhookVerifier::new(ReceiverAuth::hmac(secret)?);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    serve(listener, verifier, |line| println!("{line}")).await?;
    Ok(())
}

/// What your application does with a new status: here, nothing more than the printed line.
async fn apply(_status: FeedStatus) -> Result<(), Infallible> {
    Ok(())
}

/// Serves deliveries on `listener` until it fails; `print` gets one JSON line per accepted
/// delivery.
pub async fn serve(
    listener: TcpListener,
    verifier: WebhookVerifier,
    print: impl Fn(String) + Send + Sync + 'static,
) -> std::io::Result<()> {
    let state = Arc::new((verifier, StatusFeed::new(apply), print));
    loop {
        let (stream, _) = listener.accept().await?;
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let state = state.clone();
                async move {
                    let (verifier, feed, print) = &*state;
                    let answer = receive(verifier, feed, print, request).await;
                    Ok::<_, Infallible>(answer.into_response().map(Full::new))
                }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {error}");
            }
        });
    }
}

async fn receive<H, Fut>(
    verifier: &WebhookVerifier,
    feed: &StatusFeed<H>,
    print: &impl Fn(String),
    request: hyper::Request<hyper::body::Incoming>,
) -> Answer
where
    H: Fn(FeedStatus) -> Fut,
    Fut: Future<Output = Result<(), Infallible>>,
{
    let (parts, body) = request.into_parts();
    let body: Bytes = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            eprintln!("body not read: {error}");
            return Answer::RetryLater;
        }
    };
    let delivery = match verifier.verify_http(&http::Request::from_parts(parts, body)) {
        Ok(delivery) => delivery,
        Err(error) => {
            eprintln!("refused: {error}");
            return Answer::Unauthorized;
        }
    };
    let outcome = feed.push(delivery).await;
    match &outcome {
        PushOutcome::Handled(summary) | PushOutcome::Duplicate(summary) => print(
            json!({
                "statusId": summary.status_id,
                "invoiceId": summary.invoice_id,
                "code": summary.code,
                "duplicate": matches!(outcome, PushOutcome::Duplicate(_)),
            })
            .to_string(),
        ),
        PushOutcome::Invoice(invoice) => print(
            json!({
                "invoiceId": invoice.invoice_id,
                "fileBytes": invoice.file.len(),
                "senderAcceptStatus": invoice.sender_accept_status,
                "duplicate": false,
            })
            .to_string(),
        ),
        PushOutcome::InFlight(_) | PushOutcome::Failed { .. } | PushOutcome::Unreadable(_) => {
            eprintln!("not handled now: {:?}", outcome.answer())
        }
    }
    outcome.answer()
}
