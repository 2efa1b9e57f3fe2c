//! `ensure_state` against a stateful mock of InvoiceXpress: a small HTTP/1.1 server on loopback
//! that keeps each document's status, enforces the providers' transition tables (written here
//! from the pages, independently of the SDK's tables), checks the family's wrapper key and the
//! cancel reason, and can answer a change only after the client gave up waiting.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{CANARY, fast_config, json_client_with};
use sdk_invoicexpress::types::DocumentStatus;
use sdk_invoicexpress::{
    ClientConfig, DocumentFamily, DocumentKind, ErrorExt, ErrorKind, InvoiceXpressClient, RequestOutcome, TargetState,
    Timeouts,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers the next change it receives.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    /// 200 with the document.
    Document,
    /// 200 with an empty body.
    Empty,
    /// Applies the change, then answers after the client's attempt timeout.
    LateAfterApplying,
    /// Answers after the client's attempt timeout without applying the change.
    LateWithoutApplying,
}

#[derive(Default)]
struct State {
    /// id -> (kind, status as the server writes it).
    documents: HashMap<i64, (DocumentKind, String)>,
    /// Answers for the next changes, in order; then [`Answer::Document`] and [`Answer::Empty`]
    /// alternate.
    script: Vec<Answer>,
    /// Every change applied: (id, state sent).
    applied: Vec<(i64, String)>,
    /// Every change refused: (id, status, state sent, why).
    refused: Vec<(i64, String, String, String)>,
    reads: u32,
    changes: u32,
}

/// The providers' tables: the status a `kind` document in `from` goes to with `state`.
fn table(kind: DocumentKind, from: &str, state: &str) -> Option<&'static str> {
    use DocumentKind::*;
    match kind.family() {
        DocumentFamily::Invoices => match (from, state) {
            ("draft", "finalized") if kind == InvoiceReceipts => Some("settled"),
            ("draft", "finalized") => Some("final"),
            ("draft", "deleted") => Some("deleted"),
            ("final", "canceled") => Some("canceled"),
            ("settled", "canceled") if kind == InvoiceReceipts => Some("canceled"),
            ("final", "settled") => Some("settled"),
            ("settled", "unsettled") if matches!(kind, CreditNotes | DebitNotes) => Some("final"),
            _ => None,
        },
        DocumentFamily::Estimates => match (from, state) {
            ("draft", "finalized") => Some("final"),
            ("draft", "deleted") => Some("deleted"),
            ("final" | "refused", "accepted") => Some("accepted"),
            ("final" | "accepted", "refused") => Some("refused"),
            ("final" | "accepted" | "refused", "canceled") => Some("canceled"),
            _ => None,
        },
        DocumentFamily::Guides => match (from, state) {
            ("draft", "finalized") => Some("final"),
            ("draft", "deleted") => Some("deleted"),
            ("final", "canceled") => Some("canceled"),
            _ => None,
        },
        DocumentFamily::Receipts => match (from, state) {
            ("final", "canceled") => Some("canceled"),
            _ => None,
        },
    }
}

/// How long a late answer waits: well past the client's attempt timeout.
const LATE: Duration = Duration::from_millis(1_500);

struct Server {
    state: Arc<Mutex<State>>,
    base_url: String,
}

impl Server {
    async fn start(documents: &[(i64, DocumentKind, &str)], script: &[Answer]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            documents: documents
                .iter()
                .map(|(id, kind, status)| (*id, (*kind, status.to_string())))
                .collect(),
            script: script.to_vec(),
            ..State::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self { state, base_url }
    }

    fn client(&self) -> InvoiceXpressClient {
        let config = ClientConfig {
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                attempt: Duration::from_millis(400),
                deadline: Duration::from_secs(10),
            },
            ..fast_config()
        };
        json_client_with(&self.base_url, config)
    }

    fn status(&self, id: i64) -> String {
        self.state.lock().expect("state").documents[&id].1.clone()
    }

    fn applied(&self) -> Vec<String> {
        let state = self.state.lock().expect("state");
        state.applied.iter().map(|(_, s)| s.clone()).collect()
    }

    fn refused(&self) -> Vec<(i64, String, String, String)> {
        self.state.lock().expect("state").refused.clone()
    }

    fn counts(&self) -> (u32, u32) {
        let state = self.state.lock().expect("state");
        (state.reads, state.changes)
    }
}

/// Reads one request (head and `Content-Length` body), answers it, and closes the connection.
async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buffer[head_end..head_end + length].to_vec();
    let mut request_line = head.lines().next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or_default().to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    assert_eq!(query, format!("api_key={CANARY}"), "the key travels as api_key");

    let (status, answer, delay) = handle(&state, &method, path, &body);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let text = answer.map(|value| value.to_string()).unwrap_or_default();
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn wrapped(id: i64, kind: DocumentKind, status: &str) -> Value {
    json!({ kind.wrapper_key(): { "id": id, "status": status, "type": kind.class_name() } })
}

fn invalid(message: &str) -> Value {
    json!({ "errors": [{ "error": message }] })
}

/// The answer to one request: status line, body, and how long to wait before sending it.
fn handle(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    body: &[u8],
) -> (&'static str, Option<Value>, Option<Duration>) {
    let mut state = state.lock().expect("state");
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let not_found = ("404 Not Found", None, None);
    match (method, segments.as_slice()) {
        ("GET", [plural, file]) => {
            state.reads += 1;
            let Some(id) = file.strip_suffix(".json").and_then(|id| id.parse::<i64>().ok()) else {
                return not_found;
            };
            match state.documents.get(&id) {
                Some((kind, status)) if kind.as_str() == *plural => ("200 OK", Some(wrapped(id, *kind, status)), None),
                _ => not_found,
            }
        }
        ("PUT", [plural, id, "change-state.json"]) => {
            state.changes += 1;
            let Some((id, (kind, from))) = id
                .parse::<i64>()
                .ok()
                .and_then(|id| Some((id, state.documents.get(&id)?.clone())))
            else {
                return not_found;
            };
            if kind.as_str() != *plural {
                return not_found;
            }
            let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let key = kind.family().request_key();
            let change = &request[key];
            let sent = change["state"].as_str().unwrap_or_default().to_string();
            let refuse = |state: &mut State, why: &str| {
                state.refused.push((id, from.clone(), sent.clone(), why.to_string()));
                ("422 Unprocessable Entity", Some(invalid(why)), None)
            };
            if request.as_object().map(|o| o.len()) != Some(1) || change.is_null() {
                return refuse(&mut state, "wrapper key");
            }
            if sent == "canceled" && change["message"].as_str().is_none_or(|m| m.trim().is_empty()) {
                return refuse(&mut state, "Cancel message can't be blank");
            }
            let answer = if state.script.is_empty() {
                if state.changes.is_multiple_of(2) {
                    Answer::Empty
                } else {
                    Answer::Document
                }
            } else {
                state.script.remove(0)
            };
            if answer == Answer::LateWithoutApplying {
                return ("200 OK", None, Some(LATE));
            }
            let Some(to) = table(kind, &from, &sent) else {
                return refuse(&mut state, "Invalid state");
            };
            state.applied.push((id, sent.clone()));
            if let Some(document) = state.documents.get_mut(&id) {
                document.1 = to.to_string();
            }
            match answer {
                Answer::Document => ("200 OK", Some(wrapped(id, kind, to)), None),
                Answer::Empty => ("200 OK", None, None),
                _ => ("200 OK", Some(wrapped(id, kind, to)), Some(LATE)),
            }
        }
        _ => not_found,
    }
}

#[tokio::test]
async fn a_draft_invoice_is_finalized_then_settled() {
    let server = Server::start(&[(1, DocumentKind::Invoices, "draft")], &[]).await;
    let reply = server
        .client()
        .ensure_state(DocumentKind::Invoices, 1, &TargetState::Settled)
        .await
        .expect("settled");
    let states: Vec<&str> = reply.value.steps.iter().map(|s| s.transition.state.as_str()).collect();
    assert_eq!(states, ["finalized", "settled"]);
    assert!(reply.value.steps.iter().all(|step| !step.confirmed_by_read));
    assert_eq!(reply.value.status, DocumentStatus::Settled);
    assert_eq!(reply.value.reads, 1);
    assert!(!reply.value.was_already_there());
    assert_eq!(server.status(1), "settled");
    assert_eq!(server.applied(), ["finalized", "settled"]);
    assert_eq!(server.counts(), (1, 2), "one read, two changes");
    assert!(server.refused().is_empty());
}

#[tokio::test]
async fn a_document_already_there_is_left_alone() {
    let server = Server::start(&[(2, DocumentKind::Invoices, "settled")], &[]).await;
    let reply = server
        .client()
        .ensure_state(DocumentKind::Invoices, 2, &TargetState::Settled)
        .await
        .expect("already settled");
    assert!(reply.value.was_already_there());
    assert_eq!(reply.value.document.as_ref().map(|d| d.id), Some(2));
    assert_eq!(server.counts(), (1, 0), "read once, changed nothing");
}

#[tokio::test]
async fn an_unreachable_target_is_a_typed_local_error() {
    let server = Server::start(
        &[
            (3, DocumentKind::Invoices, "settled"),
            (4, DocumentKind::InvoiceReceipts, "draft"),
        ],
        &[],
    )
    .await;
    let client = server.client();
    let error = client
        .ensure_state(DocumentKind::Invoices, 3, &TargetState::Final)
        .await
        .expect_err("an invoice cannot be unsettled");
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert_eq!(error.outcome(), RequestOutcome::NotSent);
    let unreachable = error.target_unreachable().expect("the reason");
    assert_eq!(unreachable.current, Some(DocumentStatus::Settled));
    assert_eq!(unreachable.target, DocumentStatus::Final);
    assert_eq!(unreachable.document_id, 3);
    let message = error.to_string();
    assert!(
        message.contains("`settled`") && message.contains("`final`"),
        "{message}"
    );
    assert!(error.transition_refused().is_none());
    // An invoice receipt is settled when finalized: `final` is never on its way.
    let error = client
        .ensure_state(DocumentKind::InvoiceReceipts, 4, &TargetState::Final)
        .await
        .expect_err("no way to final");
    assert!(error.target_unreachable().is_some(), "{error}");
    assert_eq!(server.counts(), (2, 0), "nothing was changed");
}

#[tokio::test]
async fn a_change_applied_before_a_timeout_is_read_back_not_sent_twice() {
    let server = Server::start(&[(5, DocumentKind::Invoices, "draft")], &[Answer::LateAfterApplying]).await;
    let reply = server
        .client()
        .ensure_state(DocumentKind::Invoices, 5, &TargetState::Settled)
        .await
        .expect("settled despite the timeout");
    assert_eq!(server.applied(), ["finalized", "settled"], "each change applied once");
    assert!(
        server.refused().is_empty(),
        "no change was sent twice: {:?}",
        server.refused()
    );
    assert_eq!(server.counts(), (2, 2), "a second read after the timeout, two changes");
    let steps: Vec<(&str, bool)> = reply
        .value
        .steps
        .iter()
        .map(|step| (step.transition.state.as_str(), step.confirmed_by_read))
        .collect();
    assert_eq!(steps, [("finalized", true), ("settled", false)]);
    assert_eq!(reply.value.reads, 2);
    assert_eq!(server.status(5), "settled");
}

#[tokio::test]
async fn a_change_lost_before_it_was_applied_is_sent_again_after_a_read() {
    let server = Server::start(&[(6, DocumentKind::Invoices, "final")], &[Answer::LateWithoutApplying]).await;
    let reply = server
        .client()
        .ensure_state(DocumentKind::Invoices, 6, &TargetState::Settled)
        .await
        .expect("settled on the second send");
    assert_eq!(server.applied(), ["settled"]);
    assert_eq!(
        server.counts(),
        (2, 2),
        "read, lost change, read (still final), change again"
    );
    assert_eq!(reply.value.steps.len(), 1);
}

#[tokio::test]
async fn a_change_that_keeps_timing_out_gives_up_with_its_error() {
    let script = [Answer::LateWithoutApplying; 4];
    let server = Server::start(&[(7, DocumentKind::Invoices, "final")], &script).await;
    let error = server
        .client()
        .ensure_state(DocumentKind::Invoices, 7, &TargetState::Settled)
        .await
        .expect_err("never applied");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert_eq!(error.outcome(), RequestOutcome::Unknown);
    let (_, changes) = server.counts();
    assert_eq!(changes, 1 + sdk_invoicexpress::MAX_UNCERTAIN_RETRIES);
    assert!(server.applied().is_empty());
}

#[tokio::test]
async fn every_family_reaches_its_targets() {
    use DocumentKind::*;
    let documents = [
        (10, Quotes, "draft"),
        (11, Proformas, "final"),
        (12, FeesNotes, "accepted"),
        (13, Shippings, "draft"),
        (14, Devolutions, "draft"),
        (15, Receipts, "final"),
        (16, CreditNotes, "settled"),
        (17, Transports, "final"),
    ];
    let server = Server::start(&documents, &[]).await;
    let client = server.client();
    let cancel = TargetState::canceled("Wrong totals.").expect("a reason");
    let cases = [
        (10, Quotes, TargetState::Refused, vec!["finalized", "refused"]),
        (11, Proformas, TargetState::Accepted, vec!["accepted"]),
        (12, FeesNotes, cancel.clone(), vec!["canceled"]),
        (13, Shippings, TargetState::Final, vec!["finalized"]),
        (14, Devolutions, cancel.clone(), vec!["finalized", "canceled"]),
        (15, Receipts, cancel.clone(), vec!["canceled"]),
        (16, CreditNotes, TargetState::Final, vec!["unsettled"]),
        (17, Transports, TargetState::Deleted, vec![]),
    ];
    for (id, kind, target, expected) in cases {
        let result = client.ensure_state(kind, id, &target).await;
        if expected.is_empty() {
            let error = result.expect_err("a final guide cannot be deleted");
            assert!(error.target_unreachable().is_some(), "{kind}: {error}");
            continue;
        }
        let reply = result.unwrap_or_else(|error| panic!("{kind} {id} to {target}: {error}"));
        let states: Vec<&str> = reply.value.steps.iter().map(|s| s.transition.state.as_str()).collect();
        assert_eq!(states, expected, "{kind}");
        assert_eq!(server.status(id), target.status().as_str(), "{kind}");
    }
    assert!(server.refused().is_empty(), "{:?}", server.refused());
}

#[tokio::test]
async fn a_status_in_the_other_reading_counts_as_reached() {
    // Older docs name the estimate change `accept`: a server answering with it as a status is
    // read as `accepted`.
    let server = Server::start(&[(20, DocumentKind::Quotes, "accept")], &[]).await;
    let reply = server
        .client()
        .ensure_state(DocumentKind::Quotes, 20, &TargetState::Accepted)
        .await
        .expect("already accepted");
    assert!(reply.value.was_already_there());
    assert_eq!(server.counts(), (1, 0));
}
