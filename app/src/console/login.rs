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
    use ersal_server::console::{login, set_cookie, LoginOutcome};

    let state = state();
    let address = client_address().await;
    match login(&state, &headers().await?, address.as_deref(), &form).await? {
        LoginOutcome::Session(cookie) => {
            set_header(http::header::SET_COOKIE, &set_cookie(&state, Some(&cookie)));
            leptos_axum::redirect(Route::Console.path());
        }
        LoginOutcome::Problem(problem) => {
            leptos_axum::redirect(&format!(
                "{}?e={}",
                Route::ConsoleLogin.path(),
                problem.key()
            ));
        }
    }
    Ok(())
}

#[component]
pub fn LoginPage() -> impl IntoView {
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
                    <input id="username" type="text" name="form[username]" autocomplete="username" required />
                </div>
                <div class="field">
                    <label for="password">"گذرواژه"</label>
                    <input id="password" type="password" name="form[password]" autocomplete="current-password" required />
                </div>
                <button class="button" type="submit">"ورود"</button>
            </ActionForm>
        </section>
    }
}
