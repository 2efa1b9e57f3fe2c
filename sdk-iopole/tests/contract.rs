//! The SDK against `specs/iopole.yaml`, through `sdk-contract`: every request the facade sends
//! satisfies the spec (method and path template, path and `customer-id` parameters, bearer
//! credentials, the `StatusUpdate` body schema), a gate fails naming any operation no contract case
//! exercised, every spec example satisfies its schema and decodes into the type the facade returns,
//! and every documented response status maps to the intended outcome.

mod common;

use std::convert::Infallible;
use std::path::Path;

use common::*;
use httpmock::prelude::*;
use sdk_contract::{ContractSpec, Coverage, Recorder, describe};
use sdk_iopole::types::{
    Attachment, ConfigResourceId, IopoleError, IopoleErrorDetails, NotSeenInvoiceStatuses, RejectionReason,
    RetryStrategy, SendStatusCode, SendStatusResponse, StatusHistoryItem, StatusUpdate, Webhook, WebhookRegistration,
};
use sdk_iopole::webhook::{ReceiverAuth, WebhookRegistrationBuilder};
use sdk_iopole::{
    Environment, Error, ErrorKind, IopoleClient, IopoleClientBuilder, SendOutcome, StatusUpdateBuilder, SuccessBody,
    Tolerant, Uuid,
};
use serde_json::{Value, json};

/// The sub-account the `customer-id` clients act for.
const CUSTOMER_ID: &str = "0b8c2f7e-8f57-4a5a-9f3d-2a9c1d3e4f50";
/// The status of `markStatusAsSeen`'s path example.
const STATUS_ID: &str = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
/// The webhook of the config operations' path examples.
const WEBHOOK_ID: &str = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
/// An HMAC secret of 40 characters.
const HMAC_SECRET: &str = "canary-hmac-secret-0123456789abcdef-Q7w2";
/// `%PDF-1.4\n`, base64-encoded.
const PDF_BASE64: &str = "JVBERi0xLjQK";

fn spec() -> ContractSpec {
    ContractSpec::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/iopole.yaml")).expect("the spec loads")
}

/// The spec's example for an operation's request (`role` "request") or response status.
fn example(spec: &ContractSpec, operation: &str, role: &str) -> Option<Value> {
    spec.examples()
        .into_iter()
        .find(|e| e.operation == operation && e.role == role)
        .map(|e| e.value)
}

/// `value` with the object members holding an empty array left out: the generated types write an
/// empty optional array (for example `documentStatusCharacteristic: []`) as an absent member.
fn without_empty_arrays(value: Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(_, v)| v.as_array().is_none_or(|items| !items.is_empty()))
                .map(|(k, v)| (k, without_empty_arrays(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_empty_arrays).collect()),
        other => other,
    }
}

fn uuid(text: &str) -> Uuid {
    text.parse().expect("a UUID")
}

/// One call of the facade.
#[derive(Clone, Debug)]
enum Call {
    Send(Uuid, StatusUpdateBuilder),
    History(Uuid),
    NotSeen,
    MarkSeen(Uuid),
    /// `drain_not_seen`: `getNotSeenStatuses`, then `markStatusAsSeen` per status handled.
    Drain,
    RegisterWebhook(WebhookRegistrationBuilder),
    Webhooks,
    Webhook(Uuid),
    DeleteWebhook(Uuid),
    SetRetryStrategy(RetryStrategy),
    RetryStrategy,
    DeleteRetryStrategy,
}

impl Call {
    /// The path the call must hit, when it has a single one.
    fn path(&self) -> Option<String> {
        match self {
            Self::Send(invoice, _) => Some(format!("/v1/invoice/{invoice}/status")),
            Self::History(invoice) => Some(format!("/v1/invoice/{invoice}/status-history")),
            Self::NotSeen => Some("/v1/invoice/status/notSeen".into()),
            Self::MarkSeen(status) => Some(format!("/v1/invoice/status/{status}/markAsSeen")),
            Self::Drain => None,
            Self::RegisterWebhook(_) | Self::Webhooks => Some("/v1/config/webhook".into()),
            Self::Webhook(id) | Self::DeleteWebhook(id) => Some(format!("/v1/config/webhook/{id}")),
            Self::SetRetryStrategy(_) | Self::RetryStrategy | Self::DeleteRetryStrategy => {
                Some("/v1/config/retry/strategy".into())
            }
        }
    }
}

/// What a facade call returned.
#[derive(Debug, PartialEq)]
enum Outcome {
    Sent(SendOutcome),
    History(Vec<Tolerant<StatusHistoryItem>>),
    NotSeen(Vec<Tolerant<NotSeenInvoiceStatuses>>),
    Seen,
    /// The statuses `drain_not_seen` handled and marked seen.
    Drained(Vec<Uuid>),
    /// A configuration write (`operationId`) and its answer.
    Configured(&'static str, SuccessBody<ConfigResourceId>),
    Webhooks(Vec<Webhook>),
    Webhook(Box<Webhook>),
    RetryStrategy(RetryStrategy),
}

impl Outcome {
    /// The operations the call sent, in order.
    fn operations(&self) -> Vec<&'static str> {
        match self {
            Self::Sent(_) => vec!["sendStatus"],
            Self::History(_) => vec!["getStatusHistory"],
            Self::NotSeen(_) => vec!["getNotSeenStatuses"],
            Self::Seen => vec!["markStatusAsSeen"],
            Self::Drained(handled) => std::iter::once("getNotSeenStatuses")
                .chain(handled.iter().map(|_| "markStatusAsSeen"))
                .collect(),
            Self::Configured(operation, _) => vec![*operation],
            Self::Webhooks(_) => vec!["listWebhooks"],
            Self::Webhook(_) => vec!["getWebhook"],
            Self::RetryStrategy(_) => vec!["getRetryStrategy"],
        }
    }
}

async fn run(client: &IopoleClient, call: &Call) -> Result<Outcome, Error> {
    Ok(match call {
        Call::Send(invoice, update) => Outcome::Sent(client.send_status(*invoice, update.clone()).await?.value),
        Call::History(invoice) => Outcome::History(client.status_history(*invoice).await?.value),
        Call::NotSeen => Outcome::NotSeen(client.not_seen().await?.value),
        Call::MarkSeen(status) => {
            client.mark_as_seen(*status).await?;
            Outcome::Seen
        }
        Call::Drain => {
            let report = client
                .drain_not_seen(|_status| async { Ok::<(), Infallible>(()) })
                .await?;
            assert!(report.is_complete(), "{report:?}");
            Outcome::Drained(report.handled)
        }
        Call::RegisterWebhook(registration) => {
            Outcome::Configured("createWebhook", client.register_webhook(registration).await?.value)
        }
        Call::Webhooks => Outcome::Webhooks(client.webhooks().await?.value),
        Call::Webhook(id) => Outcome::Webhook(Box::new(client.webhook(*id).await?.value)),
        Call::DeleteWebhook(id) => Outcome::Configured("deleteWebhook", client.delete_webhook(*id).await?.value),
        Call::SetRetryStrategy(strategy) => Outcome::Configured(
            "createRetryStrategy",
            client.set_retry_strategy(strategy.clone()).await?.value,
        ),
        Call::RetryStrategy => Outcome::RetryStrategy(client.retry_strategy().await?.value),
        Call::DeleteRetryStrategy => {
            Outcome::Configured("deleteRetryStrategy", client.delete_retry_strategy().await?.value)
        }
    })
}

/// A contract case: a facade call and, for `sendStatus`, the exact JSON body it must send.
struct Case {
    name: String,
    call: Call,
    body: Option<Value>,
}

fn send(name: impl Into<String>, update: impl Into<StatusUpdateBuilder>, body: Value) -> Case {
    Case {
        name: name.into(),
        call: Call::Send(uuid(SEED_000_INVOICE), update.into()),
        body: Some(body),
    }
}

/// Every contract case, one table: each operation, every `sendStatus` variant.
fn cases(spec: &ContractSpec) -> Vec<Case> {
    let request_example = example(spec, "sendStatus", "request").expect("sendStatus has a request example");
    let from_example: StatusUpdate = serde_json::from_value(request_example.clone()).expect("the example decodes");
    let attachment = Attachment {
        content: PDF_BASE64.into(),
        file_name: "proof-of-payment.pdf".into(),
        mime_type: "application/pdf".into(),
    };
    let mut cases = vec![
        send("the spec's request example", from_example, request_example),
        send(
            "IN_HAND with a message",
            StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !"),
            json!({"code": "IN_HAND", "message": "Invoice received !"}),
        ),
        send(
            "REFUSED with a rejection reason and messages",
            StatusUpdateBuilder::new(SendStatusCode::Refused)
                .rejection(RejectionReason::DuplicateInvoice, Some("Invoice F-2024-001 again"))
                .message("Already invoiced"),
            json!({
                "code": "REFUSED",
                "message": "Already invoiced",
                "rejectionDetail": {"reason": "DUPLICATE_INVOICE", "message": "Invoice F-2024-001 again"}
            }),
        ),
        send(
            "DISPUTED with a rejection reason only",
            StatusUpdateBuilder::disputed(RejectionReason::PricesIncorrect),
            json!({"code": "DISPUTED", "rejectionDetail": {"reason": "PRICES_INCORRECT"}}),
        ),
        send(
            "PAYMENT_SENT with a payment",
            StatusUpdateBuilder::new(SendStatusCode::PaymentSent).payment("EUR", 1250.50),
            json!({"code": "PAYMENT_SENT", "payment": {"currency": "EUR", "amount": 1250.5}}),
        ),
        send(
            "PAYMENT_RECEIVED with a payment and a message",
            StatusUpdateBuilder::new(SendStatusCode::PaymentReceived)
                .payment("CHF", 99.0)
                .message("Paid by transfer"),
            json!({"code": "PAYMENT_RECEIVED", "message": "Paid by transfer", "payment": {"currency": "CHF", "amount": 99.0}}),
        ),
        send(
            "APPROVED with an attachment",
            StatusUpdateBuilder::new(SendStatusCode::Approved).attachment(attachment.clone()),
            json!({
                "code": "APPROVED",
                "attachments": [{"mimeType": "application/pdf", "fileName": "proof-of-payment.pdf", "content": PDF_BASE64}]
            }),
        ),
        send(
            "PAYMENT_SENT with a payment, a message and two attachments",
            StatusUpdateBuilder::new(SendStatusCode::PaymentSent)
                .payment("EUR", 0.01)
                .message("Partial payment")
                .attachment(attachment.clone())
                .attachment(attachment),
            json!({
                "code": "PAYMENT_SENT",
                "message": "Partial payment",
                "payment": {"currency": "EUR", "amount": 0.01},
                "attachments": [
                    {"mimeType": "application/pdf", "fileName": "proof-of-payment.pdf", "content": PDF_BASE64},
                    {"mimeType": "application/pdf", "fileName": "proof-of-payment.pdf", "content": PDF_BASE64}
                ]
            }),
        ),
    ];
    // Every code the SDK lists, with the rejection detail REFUSED and DISPUTED need.
    for code in SendStatusCode::KNOWN_VALUES {
        let builder = StatusUpdateBuilder::new(*code);
        let (builder, body) = if matches!(*code, "REFUSED" | "DISPUTED") {
            (
                builder.rejection(RejectionReason::Other, None::<String>),
                json!({"code": code, "rejectionDetail": {"reason": "OTHER"}}),
            )
        } else {
            (builder, json!({"code": code}))
        };
        cases.push(send(format!("code {code}"), builder, body));
    }
    // Every rejection reason the SDK lists.
    for reason in RejectionReason::KNOWN_VALUES {
        cases.push(send(
            format!("REFUSED for {reason}"),
            StatusUpdateBuilder::refused(*reason),
            json!({"code": "REFUSED", "rejectionDetail": {"reason": reason}}),
        ));
    }
    cases.extend([
        Case {
            name: "status history".into(),
            call: Call::History(uuid(SEED_001_INVOICE)),
            body: None,
        },
        Case {
            name: "not-seen statuses".into(),
            call: Call::NotSeen,
            body: None,
        },
        Case {
            name: "mark a status as seen".into(),
            call: Call::MarkSeen(uuid(STATUS_ID)),
            body: None,
        },
        Case {
            name: "drain the not-seen statuses".into(),
            call: Call::Drain,
            body: None,
        },
    ]);
    cases.extend(config_cases(spec));
    cases
}

/// The webhook and retry-strategy configuration cases.
fn config_cases(spec: &ContractSpec) -> Vec<Case> {
    let registration = WebhookRegistrationBuilder::new()
        .status_callback("https://erp.example.com/iopole/status")
        .invoice_callback("https://erp.example.com/iopole/invoice")
        .label("ERP push")
        .auth(ReceiverAuth::hmac(HMAC_SECRET).expect("a valid secret"));
    let basic = WebhookRegistrationBuilder::new()
        .status_callback("https://erp.example.com/iopole/status")
        .direction(sdk_iopole::types::StreamDirection::Inbound)
        .adapter_code("standardAdapter")
        .auth(ReceiverAuth::basic("iopole", "a-strong-password-42").expect("valid credentials"));
    let strategy_example = example(spec, "createRetryStrategy", "request").expect("a request example");
    // Sent as the type writes it (delays as `240.0`: the same numbers as the example's `240`).
    let strategy: RetryStrategy = serde_json::from_value(strategy_example).expect("the example decodes");
    vec![
        Case {
            name: "register a webhook with an HMAC secret".into(),
            call: Call::RegisterWebhook(registration),
            body: Some(json!({
                "label": "ERP push",
                "interopData": {"endpoints": {
                    "status": {"callbackUrl": "https://erp.example.com/iopole/status"},
                    "invoice": {"callbackUrl": "https://erp.example.com/iopole/invoice"},
                    "authentication": {"hmac": {"secretKey": HMAC_SECRET}}
                }}
            })),
        },
        Case {
            name: "register an inbound webhook with basic auth".into(),
            call: Call::RegisterWebhook(basic),
            body: Some(json!({
                "adapterCode": "standardAdapter",
                "filterStreamDirection": "INBOUND",
                "interopData": {"endpoints": {
                    "status": {"callbackUrl": "https://erp.example.com/iopole/status"},
                    "authentication": {"basic": {"username": "iopole", "password": "a-strong-password-42"}}
                }}
            })),
        },
        Case {
            name: "list the webhooks".into(),
            call: Call::Webhooks,
            body: None,
        },
        Case {
            name: "read a webhook".into(),
            call: Call::Webhook(uuid(WEBHOOK_ID)),
            body: None,
        },
        Case {
            name: "delete a webhook".into(),
            call: Call::DeleteWebhook(uuid(WEBHOOK_ID)),
            body: None,
        },
        Case {
            name: "the spec's retry strategy".into(),
            body: Some(serde_json::to_value(&strategy).expect("serializes")),
            call: Call::SetRetryStrategy(strategy),
        },
        Case {
            name: "the default retry strategy".into(),
            call: Call::SetRetryStrategy(RetryStrategy {
                active: true,
                network_retry_on: None,
                retry_delays: vec![],
                retry_on: vec![],
            }),
            body: Some(json!({"active": true})),
        },
        Case {
            name: "read the retry strategy".into(),
            call: Call::RetryStrategy,
            body: None,
        },
        Case {
            name: "delete the retry strategy".into(),
            call: Call::DeleteRetryStrategy,
            body: None,
        },
    ]
}

/// A client builder as the contract cases use it: no retries, short timeouts, and `customer-id`
/// when given. Credentials are the caller's.
fn client(environment: Environment, customer_id: Option<&str>) -> IopoleClientBuilder {
    let builder = IopoleClient::builder(environment).config(test_config());
    match customer_id {
        Some(id) => builder.customer_id(uuid(id)),
        None => builder,
    }
}

/// Serves each operation's documented success, with the spec's example as the body.
async fn success_server(spec: &ContractSpec, recorder: &Recorder) -> MockServer {
    let created = example(spec, "sendStatus", "201").expect("201 example").to_string();
    let history = example(spec, "getStatusHistory", "200")
        .expect("200 example")
        .to_string();
    let not_seen = example(spec, "getNotSeenStatuses", "200")
        .expect("200 example")
        .to_string();
    let webhook_created = example(spec, "createWebhook", "201").expect("201 example").to_string();
    let webhooks = example(spec, "listWebhooks", "200").expect("200 example").to_string();
    let webhook = example(spec, "getWebhook", "200").expect("200 example").to_string();
    let webhook_deleted = example(spec, "deleteWebhook", "200").expect("200 example").to_string();
    let strategy = example(spec, "getRetryStrategy", "200")
        .expect("200 example")
        .to_string();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            recorder.record(when);
            then.respond_with(move |request: &HttpMockRequest| {
                let uri = request.uri_str();
                let config = uri.contains("/v1/config/");
                let (status, body) = match request.method_str() {
                    "POST" if uri.contains("/retry/strategy") => (201, String::new()),
                    "POST" if config => (201, webhook_created.clone()),
                    "POST" => (201, created.clone()),
                    "GET" if uri.contains("/retry/strategy") => (200, strategy.clone()),
                    "GET" if uri.ends_with("/v1/config/webhook") => (200, webhooks.clone()),
                    "GET" if config => (200, webhook.clone()),
                    "GET" if uri.contains("/status-history") => (200, history.clone()),
                    "GET" => (200, not_seen.clone()),
                    "DELETE" if uri.contains("/retry/strategy") => (201, String::new()),
                    "DELETE" => (200, webhook_deleted.clone()),
                    _ => (204, String::new()),
                };
                let response = HttpMockResponse::builder().status(status);
                if body.is_empty() {
                    response.build()
                } else {
                    response.header("content-type", "application/json").body(body).build()
                }
            });
        })
        .await;
    server
}

/// Every contract case, through three clients (static bearer token without `customer-id`, static
/// bearer token with it, OAuth2 client credentials with it); each request is checked against the
/// spec, and the gate fails naming every operation no case exercised.
#[tokio::test]
async fn every_request_the_sdk_sends_satisfies_the_spec_and_every_operation_is_covered() {
    let spec = spec();
    let coverage = Coverage::new();
    let recorder = Recorder::new();
    let server = success_server(&spec, &recorder).await;

    // The token endpoint on its own server, so the recorder sees API calls only.
    let keycloak = MockServer::start_async().await;
    keycloak
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .json_body(json!({"access_token": CANARY_ACCESS_TOKEN, "expires_in": 600, "token_type": "Bearer"}));
        })
        .await;
    let clients = [
        (
            "bearer token",
            client(Environment::custom(server.base_url()), None).bearer_token(CANARY_TOKEN),
            CANARY_TOKEN,
            None,
        ),
        (
            "bearer token + customer-id",
            client(Environment::custom(server.base_url()), Some(CUSTOMER_ID)).bearer_token(CANARY_TOKEN),
            CANARY_TOKEN,
            Some(CUSTOMER_ID),
        ),
        (
            "client credentials + customer-id",
            client(
                Environment::custom_with_token_url(server.base_url(), keycloak.url(TOKEN_PATH)),
                Some(CUSTOMER_ID),
            )
            .client_credentials(CLIENT_ID, CANARY_SECRET),
            CANARY_ACCESS_TOKEN,
            Some(CUSTOMER_ID),
        ),
    ];

    let created: SendStatusResponse =
        serde_json::from_value(example(&spec, "sendStatus", "201").unwrap()).expect("201 example decodes");
    let history: Vec<StatusHistoryItem> =
        serde_json::from_value(example(&spec, "getStatusHistory", "200").unwrap()).expect("200 example decodes");
    let not_seen: Vec<NotSeenInvoiceStatuses> =
        serde_json::from_value(example(&spec, "getNotSeenStatuses", "200").unwrap()).expect("200 example decodes");
    let config_id: ConfigResourceId =
        serde_json::from_value(example(&spec, "createWebhook", "201").unwrap()).expect("201 example decodes");
    let webhooks: Vec<Webhook> =
        serde_json::from_value(example(&spec, "listWebhooks", "200").unwrap()).expect("200 example decodes");
    let webhook: Webhook =
        serde_json::from_value(example(&spec, "getWebhook", "200").unwrap()).expect("200 example decodes");
    let strategy: RetryStrategy =
        serde_json::from_value(example(&spec, "getRetryStrategy", "200").unwrap()).expect("200 example decodes");
    let not_seen_ids: Vec<Uuid> = not_seen
        .iter()
        .flat_map(|group| {
            group
                .new_status
                .iter()
                .map(|s| s.decoded().expect("the example's statuses decode").status_id)
        })
        .collect();
    assert!(!not_seen_ids.is_empty(), "the not-seen example lists a status");

    let cases = cases(&spec);
    let mut checked = 0;
    for (label, builder, token, customer_id) in clients {
        let client = builder.build().expect("client builds");
        for case in &cases {
            let at = format!("{label}: {}", case.name);
            let before = recorder.requests().len();
            let outcome = run(&client, &case.call).await.unwrap_or_else(|e| panic!("{at}: {e:?}"));
            let expected_outcome = match &case.call {
                Call::Send(..) => Outcome::Sent(SendOutcome::Created(created.clone())),
                Call::History(_) => Outcome::History(history.iter().cloned().map(Tolerant::Decoded).collect()),
                Call::NotSeen => Outcome::NotSeen(not_seen.iter().cloned().map(Tolerant::Decoded).collect()),
                Call::MarkSeen(_) => Outcome::Seen,
                Call::Drain => Outcome::Drained(not_seen_ids.clone()),
                Call::RegisterWebhook(_) => {
                    Outcome::Configured("createWebhook", SuccessBody::Decoded(config_id.clone()))
                }
                Call::DeleteWebhook(_) => Outcome::Configured("deleteWebhook", SuccessBody::Decoded(config_id.clone())),
                Call::SetRetryStrategy(_) => Outcome::Configured("createRetryStrategy", SuccessBody::Empty),
                Call::DeleteRetryStrategy => Outcome::Configured("deleteRetryStrategy", SuccessBody::Empty),
                Call::Webhooks => Outcome::Webhooks(webhooks.clone()),
                Call::Webhook(_) => Outcome::Webhook(Box::new(webhook.clone())),
                Call::RetryStrategy => Outcome::RetryStrategy(strategy.clone()),
            };
            assert_eq!(outcome, expected_outcome, "{at}");

            let requests = recorder.requests().split_off(before);
            let operations = outcome.operations();
            assert_eq!(requests.len(), operations.len(), "{at}: one request per operation");
            for (request, expected) in requests.iter().zip(operations) {
                let at = format!("{at}: {} {}", request.method, request.path);
                let operation = spec.check_request(request).map_err(|v| describe(&v));
                assert_eq!(operation.as_deref(), Ok(expected), "{at}");
                coverage.exercised(expected);
                checked += 1;

                if let Some(path) = case.call.path() {
                    assert_eq!(request.path, path, "{at}: the identifier given is in the path");
                }
                assert_eq!(request.header("authorization"), Some(bearer(token).as_str()), "{at}");
                assert_eq!(request.header("customer-id"), customer_id, "{at}");
                assert!(request.query.is_empty(), "{at}: no query parameters");
                match &case.body {
                    Some(body) => {
                        assert_eq!(request.header("content-type"), Some("application/json"), "{at}");
                        let sent: Value = serde_json::from_slice(&request.body).expect(&at);
                        assert_eq!(&sent, body, "{at}");
                    }
                    None => assert_eq!(request.body, b"", "{at}: no body"),
                }
            }
        }
    }
    assert!(checked >= 3 * cases.len(), "{checked} requests checked");

    // The gate: every operation of the spec has a contract case.
    let missing = coverage.missing(&spec);
    assert!(
        missing.is_empty(),
        "spec operations no contract test exercised: {}",
        missing.join(", ")
    );
}

/// Every example (request and responses) satisfies its own schema and decodes into the type the
/// facade returns for it, without losing anything (it serializes back to the same JSON).
#[test]
fn every_example_of_the_spec_satisfies_its_schema_and_decodes() {
    let spec = spec();
    let examples = spec.examples();
    assert!(examples.len() >= 9, "{} examples", examples.len());
    for example in &examples {
        let at = example.location();
        assert_eq!(spec.check_example(example).map_err(|v| describe(&v)), Ok(()), "{at}");
        let value = &example.value;
        let round_trip = match (example.operation.as_str(), example.role.as_str()) {
            ("sendStatus", "request") => {
                let update: StatusUpdate = serde_json::from_value(value.clone()).expect(&at);
                assert!(update.code.is_known(), "{at}");
                // The facade takes it as it is.
                assert_eq!(
                    StatusUpdateBuilder::from(update.clone()).build(),
                    Ok(update.clone()),
                    "{at}"
                );
                serde_json::to_value(update)
            }
            ("sendStatus", "201") => {
                let created: SendStatusResponse = serde_json::from_value(value.clone()).expect(&at);
                let outcome = SendOutcome::Created(created.clone());
                assert!(outcome.resource_id().is_some() && created.type_.is_some(), "{at}");
                serde_json::to_value(created)
            }
            ("getStatusHistory", "200") => {
                let history: Vec<StatusHistoryItem> = serde_json::from_value(value.clone()).expect(&at);
                assert!(!history.is_empty(), "{at}");
                assert!(history.iter().all(|item| item.json.is_some()), "{at}");
                serde_json::to_value(history)
            }
            ("getNotSeenStatuses", "200") => {
                let groups: Vec<NotSeenInvoiceStatuses> = serde_json::from_value(value.clone()).expect(&at);
                assert!(
                    groups.iter().all(|g| g.invoice_id.is_some()
                        && !g.new_status.is_empty()
                        && g.new_status.iter().all(Tolerant::is_decoded)),
                    "{at}"
                );
                serde_json::to_value(groups)
            }
            ("createWebhook", "request") => {
                let registration: WebhookRegistration = serde_json::from_value(value.clone()).expect(&at);
                assert!(registration.interop_data.endpoints.authentication.is_some(), "{at}");
                serde_json::to_value(registration)
            }
            ("createWebhook", "201") | ("deleteWebhook", "200") => {
                let id: ConfigResourceId = serde_json::from_value(value.clone()).expect(&at);
                assert!(id.type_.as_ref().is_some_and(|t| t.is_known()), "{at}");
                serde_json::to_value(id)
            }
            ("listWebhooks", "200") => {
                let webhooks: Vec<Webhook> = serde_json::from_value(value.clone()).expect(&at);
                assert!(!webhooks.is_empty(), "{at}");
                serde_json::to_value(webhooks)
            }
            ("getWebhook", "200") => serde_json::to_value(serde_json::from_value::<Webhook>(value.clone()).expect(&at)),
            ("createRetryStrategy", "request") | ("getRetryStrategy", "200") => {
                let strategy: RetryStrategy = serde_json::from_value(value.clone()).expect(&at);
                assert!(strategy.active && !strategy.retry_delays.is_empty(), "{at}");
                // Delays are numbers of seconds: `240` comes back as `240.0`, the same number.
                let delays: Vec<f64> = value["retryDelays"]
                    .as_array()
                    .expect(&at)
                    .iter()
                    .filter_map(Value::as_f64)
                    .collect();
                assert_eq!(strategy.retry_delays, delays, "{at}");
                let mut written = serde_json::to_value(strategy).expect(&at);
                written["retryDelays"] = value["retryDelays"].clone();
                Ok(written)
            }
            (_, status) if status.starts_with('4') || status.starts_with('5') => {
                let error: IopoleError = serde_json::from_value(value.clone()).expect(&at);
                assert!(error.status_message.is_some(), "{at}: {error:?}");
                if let Some(details) = &error.details {
                    // `details` keeps the shape it has: the object or the array.
                    match (details, &value["details"]) {
                        (IopoleErrorDetails::Object(_), Value::Object(_))
                        | (IopoleErrorDetails::Array(_), Value::Array(_)) => {}
                        (decoded, sent) => panic!("{at}: {sent} decoded as {decoded:?}"),
                    }
                }
                serde_json::to_value(error)
            }
            _ => panic!("{at}: no SDK type is known for this example; add it here"),
        };
        assert_eq!(
            round_trip.expect(&at),
            without_empty_arrays(value.clone()),
            "{at}: decoding loses nothing"
        );
    }
}

/// Every documented status of every operation, served from the mock (with the spec's example as
/// the body, or no body), comes back as the intended outcome: success values for the success
/// statuses, `ErrorKind::Api` with the status, raw text and typed body for the others.
#[tokio::test]
async fn every_documented_response_status_maps_to_the_intended_outcome() {
    let spec = spec();
    let examples = spec.examples();
    let mut served = 0;
    for operation in spec.operation_ids() {
        let call = match operation {
            "sendStatus" => Call::Send(
                uuid(SEED_000_INVOICE),
                StatusUpdateBuilder::new(SendStatusCode::InHand).message("Invoice received !"),
            ),
            "getStatusHistory" => Call::History(uuid(SEED_001_INVOICE)),
            "getNotSeenStatuses" => Call::NotSeen,
            "markStatusAsSeen" => Call::MarkSeen(uuid(STATUS_ID)),
            "createWebhook" => Call::RegisterWebhook(
                WebhookRegistrationBuilder::new()
                    .status_callback("https://erp.example.com/iopole/status")
                    .auth(ReceiverAuth::hmac(HMAC_SECRET).expect("a valid secret")),
            ),
            "listWebhooks" => Call::Webhooks,
            "getWebhook" => Call::Webhook(uuid(WEBHOOK_ID)),
            "deleteWebhook" => Call::DeleteWebhook(uuid(WEBHOOK_ID)),
            "createRetryStrategy" => Call::SetRetryStrategy(RetryStrategy {
                active: true,
                network_retry_on: None,
                retry_delays: vec![60.0],
                retry_on: vec![503],
            }),
            "getRetryStrategy" => Call::RetryStrategy,
            "deleteRetryStrategy" => Call::DeleteRetryStrategy,
            other => panic!("no facade call is known for `{other}`; add it here"),
        };
        let statuses = spec.response_statuses(operation);
        assert!(
            statuses.iter().any(|s| s.starts_with('2')) && statuses.iter().any(|s| s.starts_with('4')),
            "{operation}: {statuses:?}"
        );
        for status in statuses {
            let case = format!("{operation} HTTP {status}");
            let example = examples
                .iter()
                .find(|e| e.operation == operation && e.role == status)
                .map(|e| e.value.clone());
            let body = example.as_ref().map(Value::to_string).unwrap_or_default();
            let code: u16 = status.parse().expect("a numeric status");

            let server = MockServer::start_async().await;
            let recorder = Recorder::new();
            server
                .mock_async(|when, then| {
                    recorder.record(when);
                    let then = then.status(code).header("x-request-id", "req-contract-1");
                    if !body.is_empty() {
                        then.header("content-type", "application/json").body(&body);
                    }
                })
                .await;
            let client = client(Environment::custom(server.base_url()), Some(CUSTOMER_ID))
                .bearer_token(CANARY_TOKEN)
                .build()
                .expect("client builds");
            let result = run(&client, &call).await;

            let requests = recorder.requests();
            assert_eq!(requests.len(), 1, "{case}: one attempt, no retry");
            let checked = spec.check_request(&requests[0]).map_err(|v| describe(&v));
            assert_eq!(checked.as_deref(), Ok(operation), "{case}");

            let decoded = |what: &str| -> Value {
                example
                    .clone()
                    .unwrap_or_else(|| panic!("{case}: {what} has no example"))
            };
            match (operation, code) {
                ("sendStatus", 201) => {
                    let created: SendStatusResponse = serde_json::from_value(decoded("201")).unwrap();
                    assert_eq!(
                        result.expect(&case),
                        Outcome::Sent(SendOutcome::Created(created)),
                        "{case}"
                    );
                }
                ("sendStatus", 204) => {
                    assert_eq!(result.expect(&case), Outcome::Sent(SendOutcome::Accepted), "{case}");
                }
                ("getStatusHistory", 200) => {
                    let history: Vec<StatusHistoryItem> = serde_json::from_value(decoded("200")).unwrap();
                    let history = history.into_iter().map(Tolerant::Decoded).collect();
                    assert_eq!(result.expect(&case), Outcome::History(history), "{case}");
                }
                ("getNotSeenStatuses", 200) => {
                    let groups: Vec<NotSeenInvoiceStatuses> = serde_json::from_value(decoded("200")).unwrap();
                    let groups = groups.into_iter().map(Tolerant::Decoded).collect();
                    assert_eq!(result.expect(&case), Outcome::NotSeen(groups), "{case}");
                }
                ("markStatusAsSeen", 204) => {
                    assert_eq!(result.expect(&case), Outcome::Seen, "{case}");
                }
                ("createWebhook" | "deleteWebhook" | "createRetryStrategy" | "deleteRetryStrategy", 200..=299) => {
                    let body = match &example {
                        Some(value) => SuccessBody::Decoded(serde_json::from_value(value.clone()).unwrap()),
                        None => SuccessBody::Empty,
                    };
                    let operation: &'static str = match operation {
                        "createWebhook" => "createWebhook",
                        "deleteWebhook" => "deleteWebhook",
                        "createRetryStrategy" => "createRetryStrategy",
                        _ => "deleteRetryStrategy",
                    };
                    assert_eq!(result.expect(&case), Outcome::Configured(operation, body), "{case}");
                }
                ("listWebhooks", 200) => {
                    let webhooks: Vec<Webhook> = serde_json::from_value(decoded("200")).unwrap();
                    assert_eq!(result.expect(&case), Outcome::Webhooks(webhooks), "{case}");
                }
                ("getWebhook", 200) => {
                    let webhook: Webhook = serde_json::from_value(decoded("200")).unwrap();
                    assert_eq!(result.expect(&case), Outcome::Webhook(Box::new(webhook)), "{case}");
                }
                ("getRetryStrategy", 200) => {
                    let strategy: RetryStrategy = serde_json::from_value(decoded("200")).unwrap();
                    assert_eq!(result.expect(&case), Outcome::RetryStrategy(strategy), "{case}");
                }
                (_, 200..=299) => panic!("{case}: no intended outcome is known for this success; add it here"),
                _ => {
                    let error = result.expect_err(&case);
                    assert_eq!(error.kind(), ErrorKind::Api, "{case}: {error:?}");
                    assert_eq!(error.status().map(|s| s.as_u16()), Some(code), "{case}");
                    assert_eq!(error.operation_id(), operation, "{case}");
                    assert_eq!(error.provider(), "iopole", "{case}");
                    assert_eq!(error.attempts(), 1, "{case}");
                    assert_eq!(error.request_id(), Some("req-contract-1"), "{case}");
                    assert_eq!(
                        error.is_retryable(),
                        matches!(code, 408 | 429 | 502 | 503 | 504),
                        "{case}"
                    );
                    assert_eq!(
                        error.raw_body().unwrap_or_default(),
                        body,
                        "{case}: the raw text is kept"
                    );
                    let typed = example.map(|e| serde_json::from_value::<IopoleError>(e).expect(&case));
                    assert_eq!(error.body(), typed.as_ref(), "{case}: the typed body");
                    assert!(error.to_string().contains(&status), "{case}: {error}");
                }
            }
            served += 1;
        }
    }
    assert!(served >= 28, "{served} documented statuses served");
}

/// The checks above are not vacuous: a request the facade really sent passes, and each way of
/// breaking it that the spec forbids is reported at its place.
#[tokio::test]
async fn the_contract_check_rejects_what_the_spec_forbids() {
    let spec = spec();
    let recorder = Recorder::new();
    let server = success_server(&spec, &recorder).await;
    let client = client(Environment::custom(server.base_url()), Some(CUSTOMER_ID))
        .bearer_token(CANARY_TOKEN)
        .build()
        .expect("client builds");
    client
        .send_status(
            uuid(SEED_000_INVOICE),
            StatusUpdateBuilder::refused(RejectionReason::DuplicateInvoice),
        )
        .await
        .expect("201");
    let sent = recorder.requests().pop().expect("one request");
    assert_eq!(
        spec.check_request(&sent).map_err(|v| describe(&v)).as_deref(),
        Ok("sendStatus")
    );

    let with_header = |name: &str, value: Option<&str>| {
        let mut request = sent.clone();
        request.headers.retain(|(k, _)| k != name);
        if let Some(value) = value {
            request.headers.push((name.into(), value.into()));
        }
        request
    };
    let with_body = |body: Value| {
        let mut request = sent.clone();
        request.body = body.to_string().into_bytes();
        request
    };
    let mut wrong_method = sent.clone();
    wrong_method.method = "PUT".into();
    let mut wrong_id = sent.clone();
    wrong_id.path = "/v1/invoice/INV-42/status".into();
    let broken = [
        ("no credentials", with_header("authorization", None), "/credentials"),
        (
            "Basic credentials",
            with_header("authorization", Some("Basic dXNlcjpwYXNz")),
            "/credentials",
        ),
        (
            "a customer-id that is not a UUID",
            with_header("customer-id", Some("customer-7")),
            "/header/customer-id",
        ),
        ("an invoice id that is not a UUID", wrong_id, "/path/invoiceId"),
        (
            "an unknown status code",
            with_body(json!({"code": "in_hand"})),
            "/body/code",
        ),
        ("no status code", with_body(json!({"message": "hello"})), "/body"),
        (
            "a lower-case currency",
            with_body(json!({"code": "PAYMENT_SENT", "payment": {"currency": "eur", "amount": 1}})),
            "/body/payment/currency",
        ),
        (
            "an unknown rejection reason",
            with_body(json!({"code": "REFUSED", "rejectionDetail": {"reason": "NOPE"}})),
            "/body/rejectionDetail/reason",
        ),
        (
            "an attachment without content",
            with_body(
                json!({"code": "APPROVED", "attachments": [{"mimeType": "application/pdf", "fileName": "a.pdf"}]}),
            ),
            "/body/attachments/0",
        ),
        ("PUT on the send path", wrong_method, "/path"),
    ];
    for (what, request, pointer) in broken {
        let violations = spec.check_request(&request).expect_err(what);
        assert!(
            violations.iter().any(|v| v.pointer == pointer),
            "{what}: expected a violation at {pointer}, got\n{}",
            describe(&violations)
        );
    }
}
