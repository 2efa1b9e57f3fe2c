//! The generated typed httpmock helpers (feature `mock`) work with the facade.
#![cfg(feature = "mock")]

mod common;

use common::*;
use httpmock::MockServer;
use sdk_iopole::mock::MockServerExt;
use sdk_iopole::types::{SendStatusCode, SendStatusResponse, StatusHistoryItem, StatusUpdate};
use sdk_iopole::{Environment, IopoleClient, SendOutcome, StatusUpdateBuilder, Tolerant, Uuid};

#[tokio::test]
async fn typed_mock_helpers_match_facade_requests() {
    let server = MockServer::start_async().await;
    let invoice: Uuid = SEED_000_INVOICE.parse().unwrap();
    let customer = Uuid::new_v4();
    let expected_body: StatusUpdate = StatusUpdateBuilder::new(SendStatusCode::InHand)
        .message("Invoice received !")
        .build()
        .unwrap();
    let response = SendStatusResponse {
        id: Some("abc".into()),
        type_: Some("INVOICE".into()),
    };
    let send = server.send_status(|when, then| {
        when.invoice_id(&invoice).customer_id(&customer).body(&expected_body);
        then.created(&response);
    });
    let item: StatusHistoryItem = serde_json::from_value(seed_001_value()).unwrap();
    let history = server.get_status_history(|when, then| {
        when.invoice_id(&invoice).customer_id(&customer);
        then.ok(&vec![item.clone().into()]);
    });

    let client = IopoleClient::builder(Environment::custom(server.base_url()))
        .bearer_token(CANARY_TOKEN)
        .customer_id(customer)
        .config(test_config())
        .build()
        .unwrap();
    let outcome = client
        .send_status(
            invoice,
            StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !"),
        )
        .await
        .unwrap()
        .value;
    assert_eq!(outcome, SendOutcome::Created(response));
    assert_eq!(
        client.status_history(invoice).await.unwrap().value,
        vec![Tolerant::Decoded(item)]
    );
    assert_eq!(send.calls_async().await, 1);
    assert_eq!(history.calls_async().await, 1);
}
