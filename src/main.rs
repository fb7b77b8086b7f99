//! The Ersal server: loads the configuration, opens and migrates the database, starts the
//! background workers and serves the app (`ersal::server`); `ersal operator …` manages the
//! console's accounts, `ersal api-token …` the operator API's tokens, `ersal migrate` applies pending migrations and `ersal backup <file>`
//! copies an SQLite database while it serves. `ersal --help` lists them; anything else is
//! refused with the usage.

/// mimalloc, not the system's allocator: Divar's init answers about a tenth more requests per
/// second with it (`make bench`), and a long-running server fragments its memory less.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Ersal, the shipping add-on for Divar chat. Every command reads the same environment
/// (docs/configuration.md).
#[cfg(feature = "ssr")]
#[derive(clap::Parser)]
#[command(name = "ersal", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[cfg(feature = "ssr")]
#[derive(clap::Subcommand)]
enum Command {
    /// Serve Ersal (what `ersal` alone does).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Copy an SQLite database to FILE while Ersal serves (never overwrites FILE).
    Backup { file: std::path::PathBuf },
    /// Delete every user's data, after typing DELETE: the step when the contract with Divar
    /// ends (deploy/README.md). Operators' accounts stay.
    Purge {
        /// Everything (the only scope there is: required, so that it is never implied).
        #[arg(long, required = true)]
        all: bool,
    },
    /// Manage the console's operator accounts.
    Operator {
        #[command(subcommand)]
        action: OperatorAction,
    },
    /// Manage the operator API's tokens (docs/api.md).
    ApiToken {
        #[command(subcommand)]
        action: ApiTokenAction,
    },
}

#[cfg(feature = "ssr")]
#[derive(clap::Subcommand)]
enum ApiTokenAction {
    /// Issue a token and print it, once: it is stored only as a digest.
    Add {
        name: String,
        /// Comma-separated: shipments:read, shipments:move, personal:read, webhooks:manage.
        #[arg(long, required = true)]
        scopes: String,
    },
    /// Revoke a token: its next call is refused.
    Revoke { name: String },
    /// List the tokens, with their scopes and last use.
    List,
}

#[cfg(feature = "ssr")]
#[derive(clap::Subcommand)]
enum OperatorAction {
    /// Add an operator; the password comes from ERSAL_OPERATOR_PASSWORD, else from the first
    /// line of standard input.
    Add { username: String },
    /// Disable an operator and end their sessions.
    Disable { username: String },
}

/// Parses the command line: an unknown word, or a missing one, prints the usage and exits
/// non-zero before anything starts.
#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use clap::Parser;
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Migrate => database_command(None).await,
        Command::Backup { file } => database_command(Some(&file)).await,
        Command::Operator { action } => operator_command(action).await,
        Command::ApiToken { action } => api_token_command(action).await,
        Command::Purge { .. } => purge_all().await,
    }
}

/// `ersal purge --all`: says what goes, deletes it only after the word DELETE on standard
/// input, and prints how many rows went from each table.
#[cfg(feature = "ssr")]
async fn purge_all() -> anyhow::Result<()> {
    use anyhow::{bail, Context};
    use store::{db, purge};

    let config = ersal_server::Config::from_env()?;
    let database = db::open(&config.database_url, config.db_pool, false)
        .await
        .context("opening the database")?;
    println!(
        "This deletes every user's data: {}.",
        purge::USERS_DATA.join(", ")
    );
    println!("Operators' accounts and the keys stay. Type DELETE to go on:");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("reading the confirmation")?;
    if answer.trim() != "DELETE" {
        bail!("not confirmed: nothing was deleted");
    }
    for (table, rows) in purge::everything(&database).await? {
        println!("{table}: {rows}");
    }
    database.close().await;
    Ok(())
}

/// Serves Ersal until Ctrl-C or SIGTERM.
#[cfg(feature = "ssr")]
async fn serve() -> anyhow::Result<()> {
    use anyhow::Context;
    use ersal_server::{AppState, Config};
    use leptos::prelude::get_configuration;

    // Written off the request threads; flushed when the guard goes at exit.
    let _log = ersal_server::telemetry::logs::install();

    let config = Config::from_env()?;
    tracing::info!(config = %config.summary(), "starting");
    if config.is_dev() {
        tracing::warn!(
            "DEVELOPMENT MODE: public dev secrets, Divar played by the sandbox, loopback only; \
             never serve users like this (unset ERSAL_MODE or set ERSAL_MODE=prod)"
        );
    }
    #[cfg(feature = "sandbox")]
    start_sandbox(&config)?;
    let leptos = get_configuration(Some("Leptos.toml")).context("reading Leptos.toml")?;
    let options = leptos.leptos_options;
    let addr = options.site_addr;
    config.check_listen_addr(addr)?;
    let state = AppState::connect(config)
        .await
        .context("opening the database")?;

    // The name this process's claims on chat messages carry in the database (the two-instance
    // fault tests find an instance by it: end2end/instances/support.ts).
    tracing::info!(instance = %state.instance, "database open");
    if let Some(metrics) = state.config.metrics_addr {
        ersal_server::telemetry::start(metrics, state.clone()).await?;
    }
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let worker = ersal_server::delivery::spawn_worker(state.clone(), stopping.clone());
    let events = ersal_server::support::events::spawn_worker(state.clone(), stopping);
    ersal_server::jobs::spawn_housekeeping(state.clone());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{addr}");
    ersal::server::serve(listener, state.clone(), options, shutdown_signal()).await?;
    // The requests are answered; the outbox worker finishes its send and gives back its claims,
    // and the events worker its event.
    let _ = stop.send(true);
    let _ = worker.await;
    let _ = events.await;
    state.db.close().await;
    Ok(())
}

/// In dev, plays Divar on its own origin (`DIVAR_SANDBOX_ADDR`, default 127.0.0.1:3100). A
/// production configuration has no sandbox address, and the sandbox refuses it anyway.
#[cfg(feature = "sandbox")]
fn start_sandbox(config: &ersal_server::Config) -> anyhow::Result<()> {
    let addr = match (config.mode, config.sandbox_addr) {
        (ersal_server::config::Mode::Dev, Some(addr)) => addr,
        _ => {
            tracing::info!("Divar sandbox not started: production configuration");
            return Ok(());
        }
    };
    let sandbox = ersal::server::sandbox_config(config, &format!("http://{addr}"));
    tokio::spawn(async move {
        if let Err(cause) = divar_sandbox::serve(sandbox, addr).await {
            tracing::error!(error = %cause, "the Divar sandbox stopped");
        }
    });
    Ok(())
}

/// `ersal operator add <username>` (the password is read from `ERSAL_OPERATOR_PASSWORD`, or
/// else from the first line of standard input) and `ersal operator disable <username>`.
#[cfg(feature = "ssr")]
async fn operator_command(action: OperatorAction) -> anyhow::Result<()> {
    use anyhow::Context;
    use store::operators;

    let (config, db, now) = command_db().await?;
    match action {
        OperatorAction::Add { username } => {
            let password = match std::env::var("ERSAL_OPERATOR_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            operators::add(&db, &username, &password, now).await?;
            println!(
                "operator {username} can log in at {}",
                config.public_url("/console")
            );
        }
        OperatorAction::Disable { username } => {
            operators::disable(&db, &username).await?;
            println!("operator {username} is disabled and logged out");
        }
    }
    Ok(())
}

/// `ersal api-token add <name> --scopes …` (prints the token once), `revoke <name>`, `list`.
#[cfg(feature = "ssr")]
async fn api_token_command(action: ApiTokenAction) -> anyhow::Result<()> {
    use anyhow::{bail, Context};
    use ersal_server::api::tokens;

    let (config, db, now) = command_db().await?;
    match action {
        ApiTokenAction::Add { name, scopes } => {
            let Some(scopes) = domain::api::parse_scopes(&scopes) else {
                bail!("--scopes: one or more of shipments:read, shipments:move, personal:read, webhooks:manage, each once");
            };
            let token = tokens::issue(&db, &name, &scopes, "cli", now)
                .await
                .context("issuing the token")?;
            println!("{token}");
            eprintln!(
                "token {name} issued; it is shown only now. Call {} with `Authorization: Bearer <token>`.",
                config.public_url("/api/v1/shipments")
            );
        }
        ApiTokenAction::Revoke { name } => {
            if !tokens::revoke(&db, &name, now).await? {
                bail!("no live token is named {name}");
            }
            println!("token {name} is revoked");
        }
        ApiTokenAction::List => {
            for token in tokens::list(&db).await? {
                let state = if token.revoked_at.is_some() {
                    "revoked"
                } else {
                    "live"
                };
                let used = token
                    .last_used_at
                    .map_or("never".to_owned(), |at| at.to_string());
                println!(
                    "{}\t{state}\t{}\tlast used: {used}\tby {}",
                    token.name, token.scopes, token.created_by
                );
            }
        }
    }
    Ok(())
}

/// The configuration, the database and the time now, for a command that is not the server.
#[cfg(feature = "ssr")]
async fn command_db() -> anyhow::Result<(ersal_server::Config, store::db::Db, i64)> {
    use anyhow::Context;

    let config = ersal_server::Config::from_env()?;
    let db = store::db::connect(
        &config.database_url,
        config.db_pool,
        config.migrate_on_start,
    )
    .await
    .context("opening the database")?;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs(),
    )?;
    Ok((config, db, now))
}

/// `ersal migrate` (apply pending migrations, then exit: a deployment runs it before starting
/// the new build's instances) and `ersal backup <file>` (an online SQLite backup; `backup`
/// names its file).
#[cfg(feature = "ssr")]
async fn database_command(backup: Option<&std::path::Path>) -> anyhow::Result<()> {
    use anyhow::Context;
    use ersal_server::Config;
    use store::db;

    let config = Config::from_env()?;
    // A backup never creates the database it copies (a mistyped URL would copy nothing).
    let database = db::open(&config.database_url, config.db_pool, backup.is_none())
        .await
        .context("opening the database")?;
    match backup {
        None => {
            database.migrate().await.context("migrating")?;
            println!("the database is up to date");
        }
        Some(file) => {
            database.backup(file).await?;
            println!("backed up to {}", file.display());
        }
    }
    database.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before the process exits.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {}
