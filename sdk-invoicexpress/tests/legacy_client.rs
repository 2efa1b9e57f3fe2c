//! The legacy XML client against an httpmock server on loopback, and its XML bodies.

mod common;

use std::time::Duration;

use common::{
    CANARY, answer_every_request, assert_api_error, assert_debug_hides_the_key, assert_no_canary,
    assert_refused_locally, assert_retried_503, assert_unauthorized_hides_the_key, fast_config, legacy_client,
    legacy_client_with, no_retries,
};
use httpmock::prelude::*;
use quick_xml::events::Event;
use sdk_invoicexpress::legacy::{LegacyClient, LocalRefusal, XmlBodyError, encode_state_change};
use sdk_invoicexpress::types::{DocumentStatus, LegacyState, LegacyStateChange};
use sdk_invoicexpress::{
    Account, ApiError, BodyProblem, ClientConfig, ConfigError, DocumentKind, ErrorExt, ErrorKind, StateChange, Timeouts,
};

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// Seed 004's example request, verbatim.
const SEED_004_CANCEL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<invoice>
 <state>canceled</state>
 <message>Canceled due to amount of money</message>
</invoice>"#;

/// Seed 004's documented 422 bodies, verbatim.
const SEED_004_ERRORS: [(&str, &str); 3] = [
    (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n <error>No content type or wrongly specified.</error>\n</errors>",
        "No content type or wrongly specified.",
    ),
    (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n <error>Invalid state</error>\n</errors>",
        "Invalid state",
    ),
    (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors>\n <error>Cancel message can't be blank</error>\n</errors>",
        "Cancel message can't be blank",
    ),
];

/// The element names of an XML document, in order.
fn element_names(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) | Event::Empty(start) => names.push(start.name().into_inner().to_string()),
            Event::Eof => return names,
            _ => {}
        }
    }
}

#[test]
fn seed_004_request_example_round_trips() {
    let cancel = StateChange::cancel("Canceled due to amount of money").expect("reason");
    let ours = encode_state_change(&cancel).expect("encodes");
    assert_eq!(
        ours,
        format!(
            "{DECLARATION}<invoice><state>canceled</state><message>Canceled due to amount of money</message></invoice>"
        )
    );
    let seed: LegacyStateChange = quick_xml::de::from_str(SEED_004_CANCEL).expect("the seed's example parses");
    let parsed: LegacyStateChange = quick_xml::de::from_str(&ours).expect("ours parses");
    assert_eq!(parsed, seed);
    assert_eq!(seed.state, LegacyState::Canceled);
    assert_eq!(element_names(&ours), element_names(SEED_004_CANCEL));

    let finalize = encode_state_change(&StateChange::Finalize).expect("encodes");
    assert_eq!(
        finalize,
        format!("{DECLARATION}<invoice><state>finalized</state></invoice>")
    );
    let seed_finalize: LegacyStateChange = quick_xml::de::from_str("<invoice>\n <state>finalized</state>\n</invoice>")
        .expect("the seed's second example parses");
    assert_eq!(
        quick_xml::de::from_str::<LegacyStateChange>(&finalize).expect("parses"),
        seed_finalize
    );
}

#[test]
fn every_change_has_its_state_and_only_cancel_has_a_message() {
    let changes = [
        (StateChange::Finalize, "finalized"),
        (StateChange::Delete, "deleted"),
        (StateChange::SecondCopy, "second_copy"),
        (StateChange::Settle, "settled"),
        (StateChange::Unsettle, "unsettled"),
        (StateChange::cancel("r").expect("reason"), "canceled"),
    ];
    for (change, state) in changes {
        let xml = encode_state_change(&change).expect("encodes");
        let parsed: LegacyStateChange = quick_xml::de::from_str(&xml).expect("parses");
        assert_eq!(parsed.state.as_str(), state);
        assert_eq!(parsed.message.is_some(), state == "canceled", "{xml}");
        let expected_elements = if state == "canceled" { 3 } else { 2 };
        assert_eq!(element_names(&xml).len(), expected_elements, "{xml}");
    }
}

#[test]
fn hostile_messages_round_trip_and_cannot_add_elements() {
    let messages = [
        "Totals < expected & wrong",
        r#"He said "cancel" and it's done"#,
        "]]>",
        "<![CDATA[x]]>",
        "</message><state>deleted</state><message>",
        "<message>nested</message>",
        "&amp; already escaped &lt;",
        "&#60;state&#62;",
        "tab\tand\nnewline",
        "Ação anulada — €12,30 ✓ 🧾",
        "<!-- comment --><?pi x?>",
    ];
    for message in messages {
        let change = StateChange::cancel(message).expect("non-empty");
        let xml = encode_state_change(&change).expect("encodes");
        assert!(xml.starts_with(DECLARATION), "{xml}");
        assert_eq!(
            element_names(&xml),
            ["invoice", "state", "message"],
            "{message:?} added elements: {xml}"
        );
        let parsed: LegacyStateChange = quick_xml::de::from_str(&xml).expect("parses back");
        assert_eq!(parsed.state, LegacyState::Canceled, "{xml}");
        assert_eq!(parsed.message.as_deref(), Some(message), "{xml}");
    }
}

#[test]
fn characters_xml_cannot_carry_are_refused() {
    for message in ["bell\u{7}", "nul\u{0}", "\u{FFFF}"] {
        let change = StateChange::cancel(message).expect("non-empty");
        assert!(
            matches!(encode_state_change(&change), Err(XmlBodyError::InvalidCharacter(_))),
            "{message:?}"
        );
    }
}

#[tokio::test]
async fn cancel_sends_the_seed_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/debit_notes/77/change-state.xml")
                .query_param("api_key", CANARY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/xml; charset=utf-8")
                .header_prefix("user-agent", "sdk-invoicexpress/")
                .body(format!(
                    "{DECLARATION}<invoice><state>canceled</state><message>Canceled due to amount of money</message></invoice>"
                ));
            then.status(200);
        })
        .await;
    let client = legacy_client(&server.base_url());
    let cancel = StateChange::cancel("Canceled due to amount of money").expect("reason");
    let reply = client
        .change_state(DocumentKind::DebitNotes, 77, &cancel, Some(&DocumentStatus::SecondCopy))
        .await
        .expect("canceled");
    mock.assert_calls_async(1).await;
    assert_eq!(reply.value.document, None, "an empty 200 is success without a document");
    assert_eq!(reply.value.status(), Some(&DocumentStatus::Canceled));
}

#[tokio::test]
async fn a_hostile_message_reaches_the_server_escaped() {
    let server = MockServer::start_async().await;
    let message = "</message><state>deleted</state> & ]]>";
    let expected = encode_state_change(&StateChange::cancel(message).expect("reason")).expect("encodes");
    assert!(
        expected.contains("&lt;/message&gt;&lt;state&gt;deleted&lt;/state&gt; &amp; ]]&gt;"),
        "{expected}"
    );
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT).path("/invoices/5/change-state.xml").body(expected);
            then.status(200);
        })
        .await;
    let client = legacy_client(&server.base_url());
    client
        .change_state(
            DocumentKind::Invoices,
            5,
            &StateChange::cancel(message).expect("reason"),
            None,
        )
        .await
        .expect("sent");
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn success_bodies_decode_into_the_typed_result() {
    let server = MockServer::start_async().await;
    let bodies = [
        (
            1,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<invoice>\n <id>1</id>\n <type>DebitNote</type>\n <sequence_number>7/B</sequence_number>\n <state>final</state>\n</invoice>",
        ),
        (
            2,
            "<debit_note><id>2</id><type>DebitNote</type><sequence_number>8/B</sequence_number><state>settled</state><extra>x</extra></debit_note>",
        ),
        (3, "<debit_note><id>3</id><state>archived_by_robot</state></debit_note>"),
    ];
    for (id, body) in bodies {
        server
            .mock_async(|when, then| {
                when.method(PUT).path(format!("/debit_notes/{id}/change-state.xml"));
                then.status(200).header("content-type", "application/xml").body(body);
            })
            .await;
    }
    let client = legacy_client(&server.base_url());

    let first = client
        .change_state(
            DocumentKind::DebitNotes,
            1,
            &StateChange::Finalize,
            Some(&DocumentStatus::Draft),
        )
        .await
        .expect("ok");
    let doc = first.value.document.as_ref().expect("a document");
    assert_eq!(
        (doc.id, doc.type_.as_deref(), doc.sequence_number.as_deref()),
        (Some(1), Some("DebitNote"), Some("7/B"))
    );
    assert_eq!(doc.state, Some(DocumentStatus::Final));
    assert_eq!(first.value.expected_status(), Some(&DocumentStatus::Final));

    let second = client
        .change_state(DocumentKind::DebitNotes, 2, &StateChange::Settle, None)
        .await
        .expect("ok");
    let doc = second.value.document.expect("root <debit_note> is accepted");
    assert_eq!((doc.id, doc.state.clone()), (Some(2), Some(DocumentStatus::Settled)));
    assert_eq!(doc.kind(), Some(DocumentKind::DebitNotes));

    let third = client
        .change_state(DocumentKind::DebitNotes, 3, &StateChange::Settle, None)
        .await
        .expect("ok");
    assert_eq!(
        third.value.document.and_then(|d| d.state),
        Some(DocumentStatus::Unknown("archived_by_robot".into()))
    );
}

#[tokio::test]
async fn a_malformed_success_body_is_kept_and_the_change_reported_done() {
    let server = MockServer::start_async().await;
    let bodies = [
        (1, "<invoice><id>1</id>"),
        (2, "<html><body>Maintenance</body></html>"),
        (3, "{\"invoice\":{\"id\":3}}"),
        (4, "<invoice><id>four</id></invoice>"),
    ];
    for (id, body) in bodies {
        server
            .mock_async(|when, then| {
                when.method(PUT).path(format!("/debit_notes/{id}/change-state.xml"));
                then.status(200).body(body);
            })
            .await;
    }
    let client = legacy_client(&server.base_url());
    for (id, body) in bodies {
        // A 200 means the change happened: the body that cannot be read is kept, not an error.
        let reply = client
            .change_state(DocumentKind::DebitNotes, id, &StateChange::Settle, None)
            .await
            .unwrap_or_else(|error| panic!("{body}: {error:?}"));
        assert_eq!(reply.status.as_u16(), 200);
        assert_eq!(reply.value.document, None, "{body}");
        let unreadable = reply.value.unreadable_body.expect("kept");
        assert_eq!(unreadable.raw_text(), Some(body));
        assert!(
            matches!(unreadable.problem(), BodyProblem::NotDecodable(_)),
            "{body}: {unreadable:?}"
        );
    }
}

#[tokio::test]
async fn error_bodies_decode_into_messages() {
    let server = MockServer::start_async().await;
    let mut cases: Vec<(i64, u16, String, Vec<&str>, ApiError)> = SEED_004_ERRORS
        .iter()
        .zip(1..)
        .map(|((body, message), id)| (id, 422, body.to_string(), vec![*message], ApiError::UnprocessableEntity))
        .collect();
    cases.push((
        4,
        401,
        "<errors><error>Access denied</error></errors>".into(),
        vec!["Access denied"],
        ApiError::Unauthorized,
    ));
    cases.push((5, 404, String::new(), vec![], ApiError::NotFound));
    cases.push((
        6,
        422,
        "<errors><error>Invalid state</error><error>Cancel message can't be blank</error></errors>".into(),
        vec!["Invalid state", "Cancel message can't be blank"],
        ApiError::UnprocessableEntity,
    ));
    for (id, status, body, _, _) in &cases {
        server
            .mock_async(|when, then| {
                when.method(PUT).path(format!("/debit_notes/{id}/change-state.xml"));
                then.status(*status)
                    .header("content-type", "application/xml")
                    .body(body.clone());
            })
            .await;
    }
    let client = legacy_client(&server.base_url());
    for (id, status, body, messages, api_error) in cases {
        let error = client
            .change_state(DocumentKind::DebitNotes, id, &StateChange::Finalize, None)
            .await
            .expect_err("an error status");
        assert_api_error(&error, status, api_error, &messages, &body, &format!("case {id}"));
    }
}

#[tokio::test]
async fn the_legacy_guard_refuses_locally() {
    let server = MockServer::start_async().await;
    let mock = answer_every_request(&server).await;
    let client = legacy_client(&server.base_url());
    let error = client
        .change_state(
            DocumentKind::DebitNotes,
            1,
            &StateChange::SecondCopy,
            Some(&DocumentStatus::Draft),
        )
        .await
        .expect_err("no second copy of a draft");
    let refused = assert_refused_locally(
        &error,
        DocumentKind::DebitNotes,
        &DocumentStatus::Draft,
        &["finalized", "deleted"],
    );
    assert_eq!(refused.api, "legacy XML API");
    assert!(matches!(error.local_refusal(), Some(LocalRefusal::Transition(_))));

    // A reason XML cannot carry is refused too, before sending.
    let error = client
        .change_state(
            DocumentKind::DebitNotes,
            1,
            &StateChange::cancel("bell\u{7}").expect("reason"),
            None,
        )
        .await
        .expect_err("not XML");
    assert!(
        matches!(
            error.local_refusal(),
            Some(LocalRefusal::Xml(XmlBodyError::InvalidCharacter(7)))
        ),
        "{error:?}"
    );
    mock.assert_calls_async(0).await;
}

#[tokio::test]
async fn other_document_types_use_the_same_shape_and_the_server_decides() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/invoices/3/change-state.xml")
                .query_param("api_key", CANARY)
                .body(format!("{DECLARATION}<invoice><state>second_copy</state></invoice>"));
            then.status(200)
                .body("<invoice><id>3</id><state>second_copy</state></invoice>");
        })
        .await;
    let client = legacy_client(&server.base_url());
    // Seed 004's table covers debit notes only, so a known status does not block an invoice.
    let reply = client
        .change_state(
            DocumentKind::Invoices,
            3,
            &StateChange::SecondCopy,
            Some(&DocumentStatus::Final),
        )
        .await
        .expect("sent");
    mock.assert_calls_async(1).await;
    assert_eq!(reply.value.transition, None);
    assert_eq!(reply.value.status(), Some(&DocumentStatus::SecondCopy));
}

#[tokio::test]
async fn retries_and_timeouts_come_from_the_runtime() {
    let server = MockServer::start_async().await;
    let flaky = server
        .mock_async(|when, then| {
            // Every attempt must be the whole request again (it is built again, not copied).
            when.method(PUT)
                .path("/debit_notes/1/change-state.xml")
                .query_param("api_key", CANARY)
                .header("content-type", "application/xml; charset=utf-8")
                .header("accept", "application/xml")
                .body_includes("<state>finalized</state>");
            then.status(503).body("<errors><error>Busy</error></errors>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT).path("/debit_notes/2/change-state.xml");
            then.status(200).delay(Duration::from_millis(800));
        })
        .await;
    let client = legacy_client(&server.base_url());
    let error = client
        .change_state(DocumentKind::DebitNotes, 1, &StateChange::Finalize, None)
        .await
        .expect_err("503");
    assert_retried_503(&error, &flaky).await;
    assert_eq!(error.messages(), ["Busy"]);

    let impatient = legacy_client_with(
        &server.base_url(),
        ClientConfig {
            timeouts: Timeouts {
                attempt: Duration::from_millis(100),
                ..fast_config().timeouts
            },
            ..no_retries()
        },
    );
    let error = impatient
        .change_state(DocumentKind::DebitNotes, 2, &StateChange::Finalize, None)
        .await
        .expect_err("too slow");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert_no_canary("timeout", &error);

    // A change that timed out may have been applied: with retries on, it is still sent once, and
    // the error says so instead of inviting a resend.
    let slow = server
        .mock_async(|when, then| {
            when.method(PUT).path("/debit_notes/3/change-state.xml");
            then.status(200).delay(Duration::from_millis(800));
        })
        .await;
    let retrying = legacy_client_with(
        &server.base_url(),
        ClientConfig {
            timeouts: Timeouts {
                attempt: Duration::from_millis(100),
                ..fast_config().timeouts
            },
            ..fast_config()
        },
    );
    let error = retrying
        .change_state(DocumentKind::DebitNotes, 3, &StateChange::Finalize, None)
        .await
        .expect_err("too slow");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert_eq!(error.outcome(), sdk_invoicexpress::RequestOutcome::Unknown);
    assert!(!error.is_retryable());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(slow.calls_async().await, 1, "not resent");
}

#[tokio::test]
async fn the_api_key_never_shows() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/debit_notes/1/change-state.xml")
                .query_param("api_key", CANARY);
            then.status(401)
                .body(format!("<errors><error>Bad api_key {CANARY}</error></errors>"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT).path("/debit_notes/2/change-state.xml");
            then.status(200).body(format!("<oops>{CANARY}</oops>"));
        })
        .await;
    let client = legacy_client(&server.base_url());
    assert_debug_hides_the_key(&client, &LegacyClient::builder(Account::name("acme")).api_key(CANARY));
    let unauthorized = client
        .change_state(DocumentKind::DebitNotes, 1, &StateChange::Finalize, None)
        .await
        .expect_err("401");
    assert_unauthorized_hides_the_key(&unauthorized);
    let malformed = client
        .change_state(DocumentKind::DebitNotes, 2, &StateChange::Finalize, None)
        .await
        .expect("a 200 is a success");
    let unreadable = malformed.value.unreadable_body.expect("kept");
    assert_no_canary("malformed body echoing the key", &unreadable);
    assert_eq!(unreadable.raw_text(), Some("<oops>[REDACTED]</oops>"));
}

#[test]
fn configuration() {
    let client = LegacyClient::builder(Account::name("Acme"))
        .api_key(CANARY)
        .build()
        .expect("valid");
    assert_eq!(client.base_url(), "https://acme.invoicexpress.net");
    let custom = LegacyClient::builder(Account::custom("https://acme.app.invoicexpress.com/"))
        .api_key(CANARY)
        .build()
        .expect("valid");
    assert_eq!(custom.base_url(), "https://acme.app.invoicexpress.com");
    assert!(matches!(
        LegacyClient::builder(Account::name("acme.evil"))
            .api_key(CANARY)
            .build(),
        Err(ConfigError::InvalidName { .. })
    ));
    assert_eq!(
        LegacyClient::builder(Account::name("acme"))
            .build()
            .expect_err("no key"),
        ConfigError::MissingCredentials { expected: "an API key" }
    );
}

/// What quick-xml's writer writes for a state change, as events: the reference the body's bytes
/// must equal (the client writes the fixed parts itself).
fn written_by_quick_xml(state: &str, message: Option<&str>) -> String {
    use quick_xml::events::{BytesDecl, BytesText, Event};
    let mut writer = quick_xml::Writer::new(Vec::new());
    writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("declaration");
    writer
        .create_element("invoice")
        .write_inner_content(|writer| {
            writer
                .create_element("state")
                .write_text_content(BytesText::new(state))?;
            if let Some(message) = message {
                let text = BytesText::from_escaped(quick_xml::escape::partial_escape(message));
                writer.create_element("message").write_text_content(text)?;
            }
            Ok(())
        })
        .expect("elements");
    String::from_utf8(writer.into_inner()).expect("UTF-8")
}

#[test]
fn the_body_is_byte_for_byte_what_quick_xml_writes() {
    let messages = [
        "Totals < expected & wrong",
        r#"He said "cancel" and it's done"#,
        "</message><state>deleted</state><message>",
        "&amp; already escaped &lt;",
        "Ação anulada — €12,30 ✓ 🧾",
    ];
    for message in messages {
        let change = StateChange::cancel(message).expect("non-empty");
        let ours = encode_state_change(&change).expect("encodes");
        assert_eq!(ours, written_by_quick_xml("canceled", change.reason()), "{message:?}");
    }
    for (change, state) in [
        (StateChange::Finalize, "finalized"),
        (StateChange::SecondCopy, "second_copy"),
    ] {
        assert_eq!(
            encode_state_change(&change).expect("encodes"),
            written_by_quick_xml(state, None)
        );
    }
}
