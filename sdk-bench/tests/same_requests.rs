//! The raw baseline calls send exactly the SDK's requests, and the plain progenitor calls send
//! them too apart from the headers progenitor adds (the benchmark's premise); the server answers
//! what each client expects. Loopback only; no timing is measured or asserted here.

use sdk_bench::ops::{Clients, Operation, PLAIN_EXTRA_HEADERS, same_requests};
use sdk_bench::server::Server;

#[tokio::test]
async fn raw_and_plain_calls_send_the_sdk_requests() {
    let server = Server::start().expect("the loopback server starts");
    let clients = Clients::new(&server.base_url()).expect("the clients build");
    for operation in Operation::ALL {
        let request = same_requests(&server, &clients, operation)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(
            request.headers.iter().any(|(name, _)| name == "user-agent"),
            "{operation}: {request:?}"
        );
    }
}

#[tokio::test]
async fn plain_progenitor_calls_succeed_except_the_legacy_xml_one() {
    let server = Server::start().expect("the loopback server starts");
    let clients = Clients::new(&server.base_url()).expect("the clients build");
    for operation in Operation::ALL {
        let outcome = clients.plain(operation).await;
        match operation.plain_progenitor_gap() {
            None => outcome.unwrap_or_else(|error| panic!("{operation}: {error}")),
            Some(reason) => assert_eq!(outcome, Err(reason.to_string()), "{operation}"),
        }
    }
    // Only `api-version` is expected on top of the SDK's request: a new difference is a decision.
    assert_eq!(PLAIN_EXTRA_HEADERS, ["api-version"]);
}
