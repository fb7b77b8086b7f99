//! `/console/login`: staff log in; a refusal says why (the same words for a wrong name, a
//! wrong password and a locked account).

use domain::routes::Route;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use ersal_server::console::{LoginForm, LoginProblem};

#[server(endpoint = "console/login")]
pub async fn operator_login(form: LoginForm) -> Result<(), ServerFnError> {
    use crate::server::{client_address, headers, set_header, state};
    use ersal_server::console::{login, set_cookie, typed_name_cookie, LoginOutcome};

    let state = state();
    let address = client_address().await;
    match login(&state, &headers().await?, address.as_deref(), &form).await? {
        LoginOutcome::Session(cookie) => {
            set_header(http::header::SET_COOKIE, &set_cookie(&state, Some(&cookie)));
            leptos_axum::redirect(Route::Console.path());
        }
        LoginOutcome::Problem(problem) => {
            // A form from elsewhere is not the operator's typing: nothing is kept for it.
            let typed = (problem != LoginProblem::Form)
                .then(|| typed_name_cookie(&state, form.username.trim()))
                .flatten();
            if let Some(cookie) = typed {
                set_header(http::header::SET_COOKIE, &cookie);
            }
            leptos_axum::redirect(&format!(
                "{}?e={}",
                Route::ConsoleLogin.path(),
                problem.key()
            ));
        }
    }
    Ok(())
}

/// The user name a refused login typed, read from the request this page answers.
fn typed_name() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| ersal_server::console::typed_name(&parts.headers))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let typed = typed_name();
    let focus_password = typed.is_some();
    let query = use_query_map();
    let login = ServerAction::<OperatorLogin>::new();
    let error = query.with_untracked(|q| {
        q.get("e").map(|e| {
            LoginProblem::parse(&e)
                .unwrap_or(LoginProblem::Refused)
                .label()
        })
    });
    view! {
        <section class="card" aria-labelledby="login-title">
            <h1 id="login-title">"ورود کارکنان"</h1>
            {error.map(|m| view! { <p class="error-summary" role="alert">{m}</p> })}
            <ActionForm action=login>
                <div class="field">
                    <label for="username">"نام کاربری"</label>
                    <input id="username" type="text" name="form[username]" autocomplete="username" required value=typed />
                </div>
                <div class="field">
                    <label for="password">"گذرواژه"</label>
                    <input id="password" type="password" name="form[password]" autocomplete="current-password" required autofocus=focus_password />
                </div>
                <button class="button" type="submit">"ورود"</button>
            </ActionForm>
        </section>
    }
}
