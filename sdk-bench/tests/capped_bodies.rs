//! The capped-body calls come to what the runtime promises (the premise of the memory rows), with
//! small bodies and limits so that the test is quick. No memory or time is measured or asserted.

use sdk_bench::capped::{self, Kept};
use sdk_bench::server::{BigBody, Server};
use sdk_iopole::BodyLimits;

#[tokio::test]
async fn bodies_over_the_limits_fail_or_succeed_as_documented() {
    let server = Server::start_with_big_body(3 * 1024 * 1024).expect("the loopback server starts");
    let limits = BodyLimits {
        success: 1024 * 1024,
        error: 16 * 1024,
    };
    let client = capped::client(&server.base_url(), limits.clone()).expect("the client builds");
    for big in BigBody::ALL {
        // Twice: the second call opens a new connection after the first left its own unusable.
        for _ in 0..2 {
            let kept = capped::call(&client, big).await;
            let outcome = capped::check(big, &kept, &limits).unwrap_or_else(|error| panic!("{error}"));
            assert!(!outcome.is_empty());
        }
    }
}

#[tokio::test]
async fn the_big_history_decodes_whole_under_a_large_enough_limit() {
    let server = Server::start_with_big_body(2 * 1024 * 1024).expect("the loopback server starts");
    let limits = BodyLimits {
        success: 4 * 1024 * 1024,
        ..BodyLimits::default()
    };
    let client = capped::client(&server.base_url(), limits.clone()).expect("the client builds");
    let Kept::History(Ok(reply)) = capped::call(&client, BigBody::History).await else {
        panic!("the history under the limit is read");
    };
    assert!(reply.value.len() > 16);
    assert!(reply.value.iter().all(|item| item.is_decoded()));
    // Under the limit, the check that wants `BodyTooLarge` refuses the success.
    assert!(capped::check(BigBody::History, &Kept::History(Ok(reply)), &limits).is_err());
}
