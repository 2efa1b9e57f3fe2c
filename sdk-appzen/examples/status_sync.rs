//! Syncs a CREATED and an ERROR status for an AppZen invoice and prints the typed results.
//!
//! By default it runs against a local mock server (httpmock on 127.0.0.1), which prints each
//! request it receives with the credentials redacted:
//!
//! ```sh
//! cargo run -p sdk-appzen --example status_sync
//! ```
//!
//! With `APPZEN_API_KEY`, `APPZEN_CUSTOMER_ID` and `APPZEN_CUSTOMER_KEY` set it targets AppZen
//! instead: the US sandbox, or `APPZEN_BASE_URL` when set. `APPZEN_INVOICE_UUID` names the
//! invoice to sync (without it, the seed page's sample uuid, which AppZen will likely not know).
//! `RUST_LOG=sdk_runtime=debug` shows the runtime's traces.

use std::error::Error as _;

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use sdk_appzen::{
    AppZenClient, AppZenCredentials, Error, ErrorDetails, ErrorKind, Region, StatusSync, SyncReceipt, Uuid,
};

/// The seed page's sample invoice uuid.
const SAMPLE_UUID: &str = "75823296-4af2-4475-aafd-461c60c284e7";
/// An invoice the mock server does not know: it answers with the seed page's 404 sample.
const UNKNOWN_UUID: &str = "00000000-0000-4000-8000-000000000404";
const CREDENTIAL_HEADERS: [&str; 3] = ["x-api-key", "customer-id", "customer-key"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    if std::env::var_os(AppZenCredentials::API_KEY_ENV).is_some() {
        live().await
    } else {
        mock().await
    }
}

/// Against AppZen, with the credentials from the environment.
async fn live() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = AppZenCredentials::from_env()?;
    let region = Region::from_env()?.unwrap_or(Region::UsSandbox);
    let client = AppZenClient::builder(region, credentials).build()?;
    let uuid: Uuid = std::env::var("APPZEN_INVOICE_UUID")
        .as_deref()
        .unwrap_or(SAMPLE_UUID)
        .parse()?;
    println!("Live mode: {client:?}\n");

    for sync in syncs() {
        println!(
            "> POST {}/dictionary-data-services/invoice/{uuid}/status-sync ({}: [REDACTED])",
            client.base_url(),
            CREDENTIAL_HEADERS.join(", ")
        );
        let body = sdk_appzen::types::StatusSyncRequest::try_from(sync.clone())?;
        println!("> {}", serde_json::to_string(&body)?);
        report(client.status_sync(uuid, sync).await);
    }
    Ok(())
}

/// Against a local mock server that knows one invoice.
async fn mock() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path_prefix("/dictionary-data-services/invoice/");
            then.respond_with(answer);
        })
        .await;
    println!(
        "Mock mode: AppZen played by {} (set APPZEN_API_KEY etc. to call AppZen)\n",
        server.base_url()
    );

    let client = AppZenClient::builder(
        Region::Custom(server.base_url()),
        AppZenCredentials::new("demo-api-key", "100439", "demo-customer-key"),
    )
    .build()?;
    let known: Uuid = SAMPLE_UUID.parse()?;
    for sync in syncs() {
        report(client.status_sync(known, sync).await);
    }

    println!("-- an invoice AppZen does not know");
    report(
        client
            .status_sync(UNKNOWN_UUID.parse()?, StatusSync::created("INV-2024-0043", "POSTED"))
            .await,
    );

    println!("-- an empty invoice id");
    report(client.status_sync(known, StatusSync::created("", "POSTED")).await);
    Ok(())
}

/// A CREATED and an ERROR sync.
fn syncs() -> [StatusSync; 2] {
    [
        StatusSync::created("INV-2024-0042", "POSTED"),
        StatusSync::error(
            ErrorDetails::new("Supplier 10042 is not active in the ERP")
                .status("400")
                .exception("SupplierInactiveException"),
        ),
    ]
}

/// The mock server's side: prints the request with the credentials redacted, then answers 200 for
/// the known invoice and the seed page's 404 sample for any other.
fn answer(request: &HttpMockRequest) -> HttpMockResponse {
    println!("server received: {} {}", request.method_str(), request.uri().path());
    for (name, value) in request.headers_vec() {
        let shown = if CREDENTIAL_HEADERS.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            "[REDACTED]"
        } else {
            value
        };
        println!("  {name}: {shown}");
    }
    println!("  body: {}", request.body_string());

    let response = HttpMockResponse::builder().header("x-correlation-id", "demo-correlation-7f3a");
    if request.uri().path().contains(SAMPLE_UUID) {
        response.status(200).build()
    } else {
        response
            .status(404)
            .header("content-type", "application/json")
            .body(
                r#"{"timestamp":"2019-01-17T16:12:45.977+0000","status":404,"error":"Not Found","message":"Error code : 17e3338d - The resource you specified cannot be not found"}"#,
            )
            .build()
    }
}

fn report(result: Result<SyncReceipt, Error>) {
    match result {
        Ok(receipt) => println!("=> synced: {receipt:?}\n"),
        Err(error) => {
            println!("=> {error}");
            match error.kind() {
                ErrorKind::Api => {
                    println!("   x-correlation-id: {:?}", error.request_id());
                    println!("   typed body: {:?}", error.body());
                    println!("   error code: {:?}", error.body().and_then(|body| body.error_code()));
                    println!("   raw body: {:?}\n", error.raw_body());
                }
                ErrorKind::InvalidRequest => {
                    println!(
                        "   nothing was sent; reason: {:?}\n",
                        error.source().map(ToString::to_string)
                    );
                }
                _ => println!("   {error:?}\n"),
            }
        }
    }
}
