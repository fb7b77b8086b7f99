//! Every path Ersal answers, in one table: what answers it (a page of the landing app or the
//! console, a plain endpoint for browsers or for machines, a server function), the rate-limit
//! budget a browser's request spends, and whether a response may be kept. The router, the
//! limiter, the caching layer, links and redirects all read it; a test checks that every route
//! the apps serve is in it, and that everything in it is served.

/// What answers a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A page of the landing app (Leptos).
    Page,
    /// A page of the console (Leptos, its own app).
    ConsolePage,
    /// A plain handler browsers reach, behind the browsers' layers.
    Endpoint,
    /// A plain handler machines call (Divar, the probes): no browser layers, no rate limit.
    Machine,
    /// A server function with a budget of its own (the others share [`Budget::Functions`]).
    Function,
    /// The operator API: JSON for the shipping company's own systems, by Bearer token, behind
    /// the browsers' layers.
    Api,
}

/// The per-address budget a browser's request spends (the counts: the server's `limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    /// Each request may start a landing session or spend a get-post call from Ersal's quota.
    Fallback,
    /// Opening a landing link.
    Landing,
    /// The console's login (it also has its own counts in the database).
    Login,
    /// Every other server function (`/api/…`).
    Functions,
    /// Every other page.
    Pages,
    /// The operator API (each token has a budget of its own besides).
    Api,
}

/// Whether a response may be kept by the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// A public page: no session, no personal data; kept if revalidated (`no-cache`).
    Public,
    /// Anything that may show a session or a person's data (`no-store`).
    Never,
}

impl Cache {
    /// The `Cache-Control` value.
    pub fn header(self) -> &'static str {
        match self {
            Self::Public => "no-cache",
            Self::Never => "no-store",
        }
    }
}

macro_rules! routes {
    ($($(#[$doc:meta])* $route:ident = ($path:literal, $kind:ident, $budget:expr, $cache:ident)),+ $(,)?) => {
        /// A path Ersal answers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Route {
            $($(#[$doc])* $route),+
        }

        impl Route {
            /// Every route, in the table's order.
            pub const ALL: &'static [Self] = &[$(Self::$route),+];

            /// Its path, as axum writes it (`{id}` for a segment).
            pub fn path(self) -> &'static str {
                match self {
                    $(Self::$route => $path),+
                }
            }

            pub fn kind(self) -> Kind {
                match self {
                    $(Self::$route => Kind::$kind),+
                }
            }

            /// The budget a browser's request spends; `None` where no per-address limit
            /// applies (machines).
            pub fn budget(self) -> Option<Budget> {
                match self {
                    $(Self::$route => $budget),+
                }
            }

            pub fn cache(self) -> Cache {
                match self {
                    $(Self::$route => Cache::$cache),+
                }
            }
        }
    };
}

use Budget::{Api, Fallback, Functions, Landing, Login, Pages};

routes! {
    Home = ("/", Page, Some(Pages), Public),
    /// The landing flow.
    Request = ("/request", Page, Some(Pages), Never),
    /// A shipment's tracking page.
    Track = ("/t/{id}", Page, Some(Pages), Never),
    Privacy = ("/privacy", Page, Some(Pages), Public),
    /// The seller's page for Ersal's widgets on their post (it may spend a get-post call).
    Offer = ("/offer", Page, Some(Fallback), Never),
    /// The buyer's price from a post's widget.
    Price = ("/price", Page, Some(Pages), Never),
    Console = ("/console", ConsolePage, Some(Pages), Never),
    ConsoleLogin = ("/console/login", ConsolePage, Some(Pages), Never),
    ConsoleShipment = ("/console/s/{id}", ConsolePage, Some(Pages), Never),
    ConsoleSupport = ("/console/support", ConsolePage, Some(Pages), Never),
    ConsoleThread = ("/console/support/{id}", ConsolePage, Some(Pages), Never),
    /// The courier's page: find a shipment, confirm a handover with its code.
    ConsoleCourier = ("/console/courier", ConsolePage, Some(Pages), Never),
    /// A shipment's printable label.
    ConsoleLabel = ("/console/s/{id}/label", ConsolePage, Some(Pages), Never),
    /// A day's pickups: the manifest and their labels.
    ConsoleLabels = ("/console/labels", ConsolePage, Some(Pages), Never),
    /// The operator API's tokens: issue (shown once), list, revoke.
    ConsoleTokens = ("/console/tokens", ConsolePage, Some(Pages), Never),
    /// Webhook endpoints: register (the secret shown once), list.
    ConsoleWebhooks = ("/console/webhooks", ConsolePage, Some(Pages), Never),
    /// One webhook endpoint: its log of attempts; rotate, turn off or on, replay, delete.
    ConsoleWebhook = ("/console/webhooks/{id}", ConsolePage, Some(Pages), Never),
    /// A landing link, exchanged for a browser session.
    Landing = ("/l/{id}", Endpoint, Some(Landing), Never),
    /// Divar's Fallback URL (the direct link with a post token).
    Fallback = ("/divar/fallback", Endpoint, Some(Fallback), Never),
    OAuthStart = ("/oauth/start", Endpoint, Some(Pages), Never),
    /// The redirect URI registered with Divar.
    OAuthCallback = ("/oauth/callback", Endpoint, Some(Pages), Never),
    OAuthSkip = ("/oauth/skip", Endpoint, Some(Pages), Never),
    OfferAdd = ("/offer/add", Endpoint, Some(Fallback), Never),
    OfferRemove = ("/offer/remove", Endpoint, Some(Pages), Never),
    /// The seller turns the shipping assistant on for their post (it spends a get-post call).
    AssistantOn = ("/offer/assistant/on", Endpoint, Some(Fallback), Never),
    AssistantOff = ("/offer/assistant/off", Endpoint, Some(Pages), Never),
    /// Divar's session-initialization call.
    Init = ("/divar/init", Machine, None, Never),
    /// Divar's events (the support bot's messages, revocations).
    Events = ("/divar/events", Machine, None, Never),
    /// Divar's dynamic action (a tapped quick reply).
    Action = ("/divar/action", Machine, None, Never),
    Healthz = ("/healthz", Machine, None, Never),
    Readyz = ("/readyz", Machine, None, Never),
    /// The console's login form.
    ConsoleLoginFunction = ("/api/console/login", Function, Some(Login), Never),
    /// The seller's page's data (it may spend a get-post call).
    OfferLoadFunction = ("/api/offer/load", Function, Some(Fallback), Never),
    /// The operator API (`docs/api.md`): shipments, by cursor.
    ApiShipments = ("/api/v1/shipments", Api, Some(Api), Never),
    /// One shipment with its timeline.
    ApiShipment = ("/api/v1/shipments/{id}", Api, Some(Api), Never),
    /// A shipment's move to another status.
    ApiMoves = ("/api/v1/shipments/{id}/moves", Api, Some(Api), Never),
    /// The statuses, their Persian labels and the moves each allows.
    ApiStatuses = ("/api/v1/statuses", Api, Some(Api), Never),
    /// Webhook endpoints: list, register.
    ApiWebhooks = ("/api/v1/webhooks", Api, Some(Api), Never),
    /// One webhook endpoint: delete.
    ApiWebhook = ("/api/v1/webhooks/{id}", Api, Some(Api), Never),
    /// A webhook endpoint's new signing secret.
    ApiWebhookSecret = ("/api/v1/webhooks/{id}/secret", Api, Some(Api), Never),
    /// The API's OpenAPI 3.1 document.
    ApiDocument = ("/api/v1/openapi.json", Api, Some(Api), Public),
}

impl Route {
    /// Its path with `id` in its one `{id}` segment (a route without one is returned as is).
    pub fn with(self, id: &str) -> String {
        self.path().replace("{id}", id)
    }

    /// The route a request's path names, if any.
    pub fn matching(path: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|route| fits(route.path(), path))
    }
}

/// Whether `path` fits `pattern`, a `{…}` segment standing for any one non-empty segment.
fn fits(pattern: &str, path: &str) -> bool {
    let (mut pattern, mut path) = (pattern.split('/'), path.split('/'));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with('{') => {
                if got.is_empty() {
                    return false;
                }
            }
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

/// The budget of a browser's request to `path` (a path in no route: a server function's, or
/// any other page's); `None` for machines.
pub fn budget_of(path: &str) -> Option<Budget> {
    match Route::matching(path) {
        Some(route) => route.budget(),
        None if path.starts_with("/api/") => Some(Functions),
        None => Some(Pages),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_their_routes_and_segments_stand_for_one_segment() {
        for route in Route::ALL {
            assert_eq!(Route::matching(&route.with("abc")), Some(*route));
        }
        assert_eq!(Route::matching("/t/"), None);
        assert_eq!(Route::matching("/t/a/b"), None);
        assert_eq!(Route::matching("/nowhere"), None);
        assert_eq!(Route::Track.with("SHPX234567"), "/t/SHPX234567");
    }

    #[test]
    fn budgets_follow_the_table_and_default_by_prefix() {
        assert_eq!(budget_of("/divar/fallback"), Some(Fallback));
        assert_eq!(budget_of("/offer/add"), Some(Fallback));
        assert_eq!(budget_of("/l/abc"), Some(Landing));
        assert_eq!(budget_of("/api/console/login"), Some(Login));
        assert_eq!(budget_of("/api/flow/quote"), Some(Functions));
        assert_eq!(budget_of("/request"), Some(Pages));
        assert_eq!(budget_of("/somewhere/else"), Some(Pages));
        assert_eq!(budget_of("/divar/init"), None);
    }
}
