//! The README's first command: the offline tour runs, shows each flow's outcome, and prints no
//! credential.

use std::process::Command;

#[test]
fn the_offline_tour_runs_and_prints_no_secret() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sdk-tour"));

    // The tour switches a provider to its real sandbox when these are set; keep it offline.
    for name in [
        "IOPOLE_CLIENT_ID",
        "IOPOLE_TOKEN",
        "INVOICEXPRESS_ACCOUNT",
        "INVOICEXPRESS_API_KEY",
        "APPZEN_API_KEY",
    ] {
        command.env_remove(name);
    }
    let output = command.output().expect("the tour binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "demo failed:\n{stdout}\n{stderr}");

    for expected in [
        "accepted (204 No Content)",
        "created (201): INVOICE",
        "204 IN_HAND",
        "205 APPROVED",
        "handled and marked seen: 2, handler failures: 0",
        "invoice 1001 is final",
        "refused by the local guard, no request sent: true",
        "DebitNote 2002 (3/D) is now canceled",
        "correlation id c0ffee00-0000-4000-8000-000000000001",
        "(HTTP 404): Not Found",
        "credentials: Authorization: Bearer [REDACTED]",
        "api_key=[REDACTED]",
        "Tour complete",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}` in:\n{stdout}");
    }
    for secret in [
        "demo-client-secret-0001",
        "demo-access-token-0001",
        "demo-api-key-0001",
        "demo-x-api-key-0001",
        "demo-customer-key-0001",
        "100439",
    ] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "`{secret}` was printed"
        );
    }
}
