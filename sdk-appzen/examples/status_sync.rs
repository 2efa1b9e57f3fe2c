//! Sync an invoice's status with AppZen, against a mock made from the generated typed helpers:
//! `cargo run -p sdk-appzen --example status_sync --features mock`.
//!
//! The ERP tells AppZen an invoice was created, then that another one failed; an invoice AppZen
//! does not know comes back as a typed 404. Against the real sandbox, build the client with
//! `AppZenClient::from_env()` instead (`APPZEN_REGION`, `APPZEN_API_KEY`, `APPZEN_CUSTOMER_ID`,
//! `APPZEN_CUSTOMER_KEY`).

use httpmock::MockServer;
use sdk_appzen::mock::MockServerExt;
use sdk_appzen::types::AppzenError;
use sdk_appzen::{AppZenClient, AppZenCredentials, ErrorDetails, ErrorKind, Region, StatusSync, Uuid};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let known: Uuid = "75823296-4af2-4475-aafd-461c60c284e7".parse()?;
    let unknown: Uuid = "00000000-0000-4000-8000-00000000dead".parse()?;

    // AppZen, played by a mock: 200 for the known invoice, 404 with AppZen's envelope otherwise.
    let server = MockServer::start_async().await;
    let synced = server.status_sync(|when, then| {
        when.uuid(&known);
        then.ok();
    });
    server.status_sync(|when, then| {
        when.uuid(&unknown);
        then.not_found(&AppzenError {
            error: Some("Not Found".into()),
            message: Some("Invoice not found".into()),
            path: None,
            status: Some(404.into()),
            timestamp: Some("2026-12-01T10:00:00.000+0000".into()),
        });
    });

    let client = AppZenClient::builder(Region::Custom(server.base_url()))
        .credentials(AppZenCredentials::new("demo-api-key", "100439", "demo-customer-key"))
        .build()?;

    let created = client
        .status_sync(known, StatusSync::created("INV-2026-0042", "open"))
        .await?;
    println!("CREATED synced: HTTP {}", created.status.as_u16());

    let failed = StatusSync::error(ErrorDetails::new("Vendor not found").status("VALIDATION"));
    client.status_sync(known, failed).await?;
    println!("ERROR synced");
    assert_eq!(synced.calls_async().await, 2);

    match client.status_sync(unknown, StatusSync::created("INV-0", "open")).await {
        Err(error) if error.kind() == ErrorKind::Api => println!(
            "unknown invoice: HTTP {:?}, AppZen says {:?} (retryable: {})",
            error.status().map(|s| s.as_u16()),
            error.body().and_then(|body| body.message.as_deref()),
            error.is_retryable()
        ),
        other => return Err(format!("expected a 404, got {other:?}").into()),
    }
    Ok(())
}
