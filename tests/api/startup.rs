//! The server binary itself, started as an operator would: production is the default, and it
//! refuses development values before it opens anything; its database commands.

use std::path::Path;
use std::process::Command;

/// Runs `ersal args…` in `dir` with only `vars` set; its exit and its errors.
fn run_in(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ersal"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(vars.iter().copied())
        .output()
        .expect("the server binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `ersal` in an empty folder (no `.env`) with only `vars` set; its exit and its errors.
fn start(vars: &[(&str, &str)]) -> (bool, String) {
    run_in(tempfile::tempdir().unwrap().path(), &[], vars)
}

#[test]
fn migrate_then_back_up_while_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("ERSAL_MODE", "dev"),
        ("DATABASE_URL", "sqlite://data/ersal.db"),
    ];
    assert_eq!(
        run_in(dir.path(), &["migrate"], &vars),
        (true, String::new())
    );
    let (ok, errors) = run_in(dir.path(), &["backup", "copy.db"], &vars);
    assert!(ok, "{errors}");
    let copy = std::fs::read(dir.path().join("copy.db")).unwrap();
    assert!(copy.starts_with(b"SQLite format 3\0"));
    let (ok, errors) = run_in(dir.path(), &["backup", "copy.db"], &vars);
    assert!(!ok && errors.contains("exists already"), "{errors}");
    assert_eq!(std::fs::read(dir.path().join("copy.db")).unwrap(), copy);
}

#[test]
fn without_a_mode_the_binary_refuses_dev_secrets() {
    let (ok, errors) = start(&[
        ("ERSAL_PUBLIC_URL", "https://ersal.example.ir"),
        ("DIVAR_IDENTIFICATION_KEYS", kenar::dev::IDENTIFICATION_KEY),
        ("KENAR_APP_SLUG", "ersal"),
        ("KENAR_API_KEY", kenar::dev::API_KEY),
        ("KENAR_OAUTH_CLIENT_SECRET", kenar::dev::CLIENT_SECRET),
    ]);
    assert!(!ok);
    assert!(errors.contains("DIVAR_IDENTIFICATION_KEYS"), "{errors}");
    assert!(
        !errors.contains(kenar::dev::IDENTIFICATION_KEY),
        "the value is never echoed"
    );
}

#[test]
fn dev_mode_refuses_a_public_address() {
    let (ok, errors) = start(&[
        ("ERSAL_MODE", "dev"),
        ("ERSAL_PUBLIC_URL", "https://ersal.example.ir"),
    ]);
    assert!(!ok);
    assert!(errors.contains("ERSAL_PUBLIC_URL"), "{errors}");
}

/// A typo in a deploy script must not start a server: an unknown word, or a command missing
/// its argument, prints the usage and exits non-zero, with nothing created.
#[test]
fn an_unknown_command_prints_the_usage_and_starts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("ERSAL_MODE", "dev"),
        ("DATABASE_URL", "sqlite://data/ersal.db"),
    ];
    for args in [&["migrte"][..], &["backup"], &["operator", "ad", "x"]] {
        let (ok, errors) = run_in(dir.path(), args, &vars);
        assert!(!ok, "{args:?} must fail");
        assert!(errors.contains("Usage: ersal"), "{args:?}: {errors}");
    }
    let (_, typo) = run_in(dir.path(), &["migrte"], &vars);
    assert!(
        typo.contains("'migrate'"),
        "the likely command is suggested: {typo}"
    );
    assert!(!dir.path().join("data").exists(), "no database was opened");
}
