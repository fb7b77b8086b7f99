use super::*;
use secrecy::ExposeSecret;
use std::collections::HashMap;

fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

const PROD: &[(&str, &str)] = &[
    ("ERSAL_MODE", "prod"),
    ("ERSAL_PUBLIC_URL", "https://ersal.example.ir"),
    (
        "DIVAR_IDENTIFICATION_KEYS",
        "first-identification-key-123, second-identification-key-456",
    ),
    ("KENAR_APP_SLUG", "ersal"),
    ("KENAR_API_KEY", "a-real-looking-api-key"),
    ("KENAR_OAUTH_CLIENT_SECRET", "a-real-looking-client-secret"),
    ("ERSAL_SECRET_KEY", "0123456789abcdef0123456789abcdef-prod"),
    ("ERSAL_SUPPORT_PHONE", "+98 21 9100 0000"),
    (
        "ERSAL_PROCESSORS",
        "شرکت حمل نمونه=جابه‌جایی مرسوله;ابر نمونه=میزبانی",
    ),
];

const DEV: (&str, &str) = ("ERSAL_MODE", "dev");

#[test]
fn nothing_set_is_prod_and_names_what_is_missing() {
    let err = load(&[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration: ERSAL_PUBLIC_URL is required in prod"
    );
}

#[test]
fn without_a_mode_dev_values_are_refused() {
    for (var, dev_value) in [
        ("DIVAR_IDENTIFICATION_KEYS", kenar::dev::IDENTIFICATION_KEY),
        ("KENAR_API_KEY", kenar::dev::API_KEY),
        ("KENAR_OAUTH_CLIENT_SECRET", kenar::dev::CLIENT_SECRET),
        ("KENAR_APP_SLUG", kenar::dev::APP_SLUG),
        ("ERSAL_SECRET_KEY", DEV_SECRET_KEY),
    ] {
        let mut vars: Vec<(&str, &str)> = PROD
            .iter()
            .copied()
            .filter(|(k, _)| *k != var && *k != "ERSAL_MODE")
            .collect();
        vars.push((var, dev_value));
        assert_eq!(load(&vars).unwrap_err().var, var);
    }
}

#[test]
fn dev_serves_only_loopback() {
    for public in [
        "http://localhost:3000",
        "http://[::1]:3000",
        "http://ersal.test",
    ] {
        assert!(
            load(&[DEV, ("ERSAL_PUBLIC_URL", public)]).is_ok(),
            "{public}"
        );
    }
    let err = load(&[DEV, ("ERSAL_PUBLIC_URL", "https://ersal.example.ir")]).unwrap_err();
    assert_eq!(err.var, "ERSAL_PUBLIC_URL");
    let config = load(&[DEV]).unwrap();
    assert!(config
        .check_listen_addr("127.0.0.1:3000".parse().unwrap())
        .is_ok());
    let open = config.check_listen_addr("0.0.0.0:3000".parse().unwrap());
    assert_eq!(open.unwrap_err().var, "LEPTOS_SITE_ADDR");
    let prod = load(PROD).unwrap();
    assert!(prod
        .check_listen_addr("0.0.0.0:3000".parse().unwrap())
        .is_ok());
}

#[test]
fn metrics_have_their_own_private_address() {
    assert_eq!(
        load(PROD).unwrap().metrics_addr,
        None,
        "off unless asked for"
    );
    let with = |addr| [PROD, &[("ERSAL_METRICS_ADDR", addr)]].concat();
    let prod = load(&with("10.0.0.5:9464")).unwrap();
    assert_eq!(prod.metrics_addr, Some("10.0.0.5:9464".parse().unwrap()));
    let shared = prod.check_listen_addr("0.0.0.0:9464".parse().unwrap());
    assert_eq!(shared.unwrap_err().var, "ERSAL_METRICS_ADDR");
    assert_eq!(
        load(&with("metrics.local")).unwrap_err().var,
        "ERSAL_METRICS_ADDR"
    );
    let dev_open = load(&[DEV, ("ERSAL_METRICS_ADDR", "0.0.0.0:9464")]);
    assert_eq!(dev_open.unwrap_err().var, "ERSAL_METRICS_ADDR");
    for public in [
        "0.0.0.0:9464",
        "[::]:9464",
        "203.0.113.5:9464",
        "[2001:db8::1]:9464",
    ] {
        assert_eq!(
            load(&with(public)).unwrap_err().var,
            "ERSAL_METRICS_ADDR",
            "{public}"
        );
    }
    assert!(load(&with("[fd00::5]:9464")).is_ok());
    assert!(load(&with("127.0.0.1:9464")).is_ok());
}

#[test]
fn the_outbox_lease_outlasts_an_attempt() {
    assert_eq!(load(PROD).unwrap().outbox_lease.as_secs(), 120);
    let lease = |secs, wait| {
        load(
            &[
                PROD,
                &[
                    ("ERSAL_OUTBOX_LEASE_SECS", secs),
                    ("ERSAL_DB_ACQUIRE_TIMEOUT_SECS", wait),
                ],
            ]
            .concat(),
        )
    };
    assert_eq!(lease("45", "5").unwrap().outbox_lease.as_secs(), 45);
    assert_eq!(
        lease("44", "5").unwrap_err().var,
        "ERSAL_OUTBOX_LEASE_SECS",
        "four waits of five seconds for the database, 25 s of the rest of an attempt"
    );
    assert_eq!(lease("28", "1").unwrap_err().var, "ERSAL_OUTBOX_LEASE_SECS");
    assert_eq!(lease("29", "1").unwrap().outbox_lease.as_secs(), 29);
    let slow_hooks = [PROD, &[("ERSAL_WEBHOOK_TIMEOUT_SECS", "15")]].concat();
    let err = load(&[&slow_hooks[..], &[("ERSAL_OUTBOX_LEASE_SECS", "49")]].concat());
    assert_eq!(
        err.unwrap_err().var,
        "ERSAL_OUTBOX_LEASE_SECS",
        "six waits of five seconds, a webhook's 15 s and 5 s to spare"
    );
    let ok = load(&[&slow_hooks[..], &[("ERSAL_OUTBOX_LEASE_SECS", "50")]].concat());
    assert_eq!(ok.unwrap().outbox_lease.as_secs(), 50);
}

#[test]
fn dev_works_with_only_the_mode_set() {
    let config = load(&[DEV]).unwrap();
    assert!(config.is_dev());
    assert_eq!(config.public_url("/l/x"), "http://127.0.0.1:3000/l/x");
    assert_eq!(config.identification_keys().count(), 1);
    assert_eq!(
        config.oauth_base_url.as_str(),
        "http://127.0.0.1:3100/",
        "dev talks to the sandbox"
    );
    assert_eq!(
        config.completion_url.as_str(),
        "http://127.0.0.1:3100/completion"
    );
}

#[test]
fn prod_talks_to_divar_and_never_to_a_sandbox() {
    let config = load(PROD).unwrap();
    assert_eq!(config.sandbox_addr, None);
    assert_eq!(config.oauth_base_url.as_str(), "https://oauth.divar.ir/");
    assert_eq!(
        config.kenar_api_base_url.as_str(),
        "https://open-api.divar.ir/"
    );
    assert_eq!(
        config.completion_url.as_str(),
        kenar::ret::DIVAR_COMPLETION_URL
    );
    let mut vars = PROD.to_vec();
    vars.push(("DIVAR_SANDBOX_ADDR", "127.0.0.1:3100"));
    assert_eq!(load(&vars).unwrap_err().var, "DIVAR_SANDBOX_ADDR");
}

#[test]
fn prod_loads_a_complete_environment() {
    let config = load(PROD).unwrap();
    assert_eq!(config.identification_keys().count(), 2);
    assert_eq!(config.landing_ttl, Duration::from_secs(1800));
    assert_eq!(config.public_origin(), "https://ersal.example.ir");
    let mut vars = PROD.to_vec();
    vars.push(("ERSAL_PUBLIC_URL", "https://example.ir/ersal/"));
    let under_a_path = load(&vars).unwrap();
    assert_eq!(
        under_a_path.public_origin(),
        "https://example.ir",
        "browsers send no path"
    );
}

static PREVIOUS_DEV: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("2:{DEV_SECRET_KEY}"));

#[test]
fn previous_root_secrets_are_read_with_their_ids() {
    let old = "0123456789abcdef0123456789abcdef-old1";
    let config = load(
        &[
            PROD,
            &[
                ("ERSAL_SECRET_KEY_ID", "3"),
                ("ERSAL_PREVIOUS_SECRET_KEYS", &format!("1:{old}, 2:{old}x")),
            ],
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(config.secret_key.id, 3);
    let ids: Vec<u8> = config.previous_secret_keys.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 2]);
    assert_eq!(config.previous_secret_keys[0].secret.expose_secret(), old);
    for bad in [
        format!("3:{old}"),
        format!("1:{old},1:{old}"),
        format!("0:{old}"),
        old.to_owned(),
    ] {
        let vars = [
            PROD,
            &[
                ("ERSAL_SECRET_KEY_ID", "3"),
                ("ERSAL_PREVIOUS_SECRET_KEYS", &bad),
            ],
        ]
        .concat();
        assert_eq!(
            load(&vars).unwrap_err().var,
            "ERSAL_PREVIOUS_SECRET_KEYS",
            "{bad}"
        );
    }
    let vars = [PROD, &[("ERSAL_SECRET_KEY_ID", "256")]].concat();
    assert_eq!(load(&vars).unwrap_err().var, "ERSAL_SECRET_KEY_ID");
}

#[test]
fn prod_names_each_missing_or_weak_secret() {
    for (var, bad) in [
        ("ERSAL_SECRET_KEY", None),
        ("ERSAL_SECRET_KEY", Some("too-short")),
        ("ERSAL_SECRET_KEY", Some(DEV_SECRET_KEY)),
        ("KENAR_API_KEY", None),
        ("KENAR_OAUTH_CLIENT_SECRET", Some("short")),
        ("DIVAR_IDENTIFICATION_KEYS", Some("short")),
        ("DIVAR_IDENTIFICATION_KEYS", None),
        ("ERSAL_PUBLIC_URL", Some("http://ersal.example.ir")),
        ("KENAR_APP_SLUG", None),
        ("ERSAL_SUPPORT_PHONE", None),
        ("ERSAL_SUPPORT_PHONE", Some("call us")),
        ("ERSAL_PROCESSORS", None),
        ("ERSAL_PROCESSORS", Some("no role given")),
        ("ERSAL_PREVIOUS_SECRET_KEYS", Some("2:too-short")),
        ("ERSAL_PREVIOUS_SECRET_KEYS", Some(&PREVIOUS_DEV)),
    ] {
        let mut vars: Vec<(&str, &str)> = PROD.iter().copied().filter(|(k, _)| *k != var).collect();
        if let Some(value) = bad {
            vars.push((var, value));
        }
        let err = load(&vars).unwrap_err();
        assert_eq!(err.var, var);
        if let Some(value) = bad {
            // For `id:secret` pairs, the secret alone.
            let secret = value.split_once(':').map_or(value, |(_, secret)| secret);
            assert!(
                !err.to_string().contains(secret),
                "the message must not echo the value"
            );
        }
    }
}

#[test]
fn secrets_never_print() {
    let config = load(PROD).unwrap();
    let printed = format!("{config:?} {}", config.summary());
    for (_, value) in PROD
        .iter()
        .filter(|(k, _)| k.contains("KEY") || k.contains("SECRET"))
    {
        for part in value.split(", ") {
            assert!(!printed.contains(part), "{part} leaked");
        }
    }
}

#[test]
fn bad_numbers_and_modes_are_named() {
    assert_eq!(
        load(&[("ERSAL_MODE", "staging")]).unwrap_err().var,
        "ERSAL_MODE"
    );
    for ttl in ["soon", "5"] {
        let err = load(&[DEV, ("ERSAL_LANDING_TTL_SECS", ttl)]).unwrap_err();
        assert_eq!(err.var, "ERSAL_LANDING_TTL_SECS");
    }
    for (var, bad) in [
        ("KENAR_OAUTH_PKCE", "yes"),
        ("ERSAL_RATE_LIMITS", "login=0"),
        ("ERSAL_MAX_CONNECTIONS", "0"),
        ("ERSAL_HEADER_READ_SECS", "0"),
        ("ERSAL_TRUSTED_PROXIES", "proxy.local"),
    ] {
        assert!(
            load(&[DEV, (var, bad)]).unwrap_err().var.contains(var),
            "{var}"
        );
    }
    let defaults = load(&[DEV]).unwrap();
    assert!(!defaults.oauth_pkce, "PKCE is off unless asked for");
    assert!(
        defaults.trusted_proxies.is_empty(),
        "no proxy is trusted unless named"
    );
}

#[test]
fn the_database_pool_and_migrations_are_configurable() {
    let config = load(&[DEV]).unwrap();
    assert!(config.migrate_on_start);
    assert_eq!(config.db_pool.max_connections, 10);
    let config = load(&[
        DEV,
        ("ERSAL_MIGRATE", "manual"),
        ("ERSAL_DB_MAX_CONNECTIONS", "40"),
        ("ERSAL_DB_ACQUIRE_TIMEOUT_SECS", "2"),
    ])
    .unwrap();
    assert!(!config.migrate_on_start);
    assert_eq!(config.db_pool.max_connections, 40);
    assert_eq!(config.db_pool.acquire_timeout.as_secs(), 2);
    for (var, value) in [
        ("ERSAL_MIGRATE", "sometimes"),
        ("ERSAL_DB_MAX_CONNECTIONS", "0"),
    ] {
        let err = load(&[DEV, (var, value)]).unwrap_err();
        assert_eq!(err.var, var);
    }
}

#[test]
fn support_hours_are_two_hours_in_order() {
    let hours = |raw: &str| load(&[DEV, ("ERSAL_SUPPORT_HOURS", raw)]);
    assert_eq!(
        load(&[DEV]).unwrap().contact.hours,
        SupportHours { from: 9, to: 21 }
    );
    assert_eq!(
        hours("8-24").unwrap().contact.hours,
        SupportHours { from: 8, to: 24 }
    );
    for bad in ["21-9", "9", "9-25", "a-b", "9-9"] {
        assert_eq!(hours(bad).unwrap_err().var, "ERSAL_SUPPORT_HOURS", "{bad}");
    }
}

#[test]
fn the_prefill_wait_is_bounded() {
    assert_eq!(load(&[DEV]).unwrap().prefill_budget.as_millis(), 300);
    let config = load(&[DEV, ("ERSAL_PREFILL_MS", "1200")]).unwrap();
    assert_eq!(config.prefill_budget.as_millis(), 1200);
    for value in ["0", "49", "5001", "0.3", "fast"] {
        let err = load(&[DEV, ("ERSAL_PREFILL_MS", value)]).unwrap_err();
        assert_eq!(err.var, "ERSAL_PREFILL_MS", "{value}");
    }
}

#[test]
fn the_support_phone_and_the_processors_read_as_people_need_them() {
    let contact = load(PROD).unwrap().contact;
    assert_eq!(contact.phone_for_people(), "+۹۸-۲۱-۹۱۰۰-۰۰۰۰");
    assert_eq!(contact.phone_link(), "tel:+982191000000");
    let names: Vec<&str> = contact.processors.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["شرکت حمل نمونه", "ابر نمونه"]);
    assert_eq!(contact.processors[1].role, "میزبانی");
}

#[test]
fn webhooks_reach_public_https_addresses_only_in_prod() {
    let prod = load(PROD).unwrap().webhooks;
    assert_eq!(prod.addresses, Addresses::Public);
    assert_eq!(prod.timeout.as_secs(), 10);
    let with = |value: &'static str| {
        let mut vars = PROD.to_vec();
        vars.push(("ERSAL_WEBHOOK_ADDRESSES", value));
        load(&vars)
    };
    assert_eq!(with("any").unwrap_err().var, "ERSAL_WEBHOOK_ADDRESSES");
    assert_eq!(with("all").unwrap_err().var, "ERSAL_WEBHOOK_ADDRESSES");
    assert_eq!(load(&[DEV]).unwrap().webhooks.addresses, Addresses::Any);
    let strict = load(&[DEV, ("ERSAL_WEBHOOK_ADDRESSES", "public")]).unwrap();
    assert_eq!(strict.webhooks.addresses, Addresses::Public);
    let err = load(&[DEV, ("ERSAL_WEBHOOK_TIMEOUT_SECS", "16")]).unwrap_err();
    assert_eq!(err.var, "ERSAL_WEBHOOK_TIMEOUT_SECS");
}
