//! The raw baseline calls send exactly the SDK's requests (the benchmark's premise), and the server
//! answers what each SDK expects. No timing is measured or asserted here.

use sdk_bench::ops::{Clients, Operation, same_requests};
use sdk_bench::server::Server;

#[tokio::test]
async fn raw_calls_send_the_sdk_requests() {
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
