//! OAuth2 and log-capture helpers shared by the auth and log tests.

use super::*;
use httpmock::prelude::*;
use sdk_iopole::Uuid;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

pub const HISTORY_PATH: &str = "/v1/invoice/32c9aec1-e6d6-4ddf-82a0-42dfa29268f8/status-history";

pub fn invoice() -> Uuid {
    SEED_001_INVOICE.parse().unwrap()
}

pub async fn token_mock<'a>(server: &'a MockServer, token: &str, expires_in: u64) -> httpmock::Mock<'a> {
    let token = token.to_string();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("content-type", "application/x-www-form-urlencoded")
                .body_includes("grant_type=client_credentials")
                .body_includes(format!("client_id={CLIENT_ID}"))
                .body_includes(format!("client_secret={CANARY_SECRET}"));
            then.status(200).json_body(json!({
                "access_token": token,
                "expires_in": expires_in,
                "token_type": "Bearer"
            }));
        })
        .await
}

pub async fn history_mock<'a>(server: &'a MockServer, token: &str, status: u16) -> httpmock::Mock<'a> {
    let authorization = bearer(token);
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(HISTORY_PATH)
                .header("authorization", authorization);
            if status == 200 {
                then.status(200).json_body(json!([]));
            } else {
                then.status(status).json_body(json!({"statusMessage": "Unauthorized"}));
            }
        })
        .await
}

#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
