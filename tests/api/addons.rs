//! Shipping offered on the seller's post, over real HTTP with the sandbox: the seller puts the
//! widgets on their post from its management page (`MY_POST`) and removes them; a buyer who taps
//! them gets the price to their city; another user's consent, an unknown post and altered
//! widget data change nothing.

use std::time::Duration;

use domain::size::SizeClass;
use ersal_server::addons;
use kenar::addon::PostAddon;
use serde_json::{json, Value};
use store::addons::AddonState;

use crate::chat::schema;
use crate::journey::{consent_and_return, location, Journey};
use crate::support::{exec, scalar};

/// The sandbox's post of the first demo seller (Tehran).
const POST: &str = "QpR7x2Lm";

fn post() -> kenar::PostToken {
    kenar::PostToken::parse(POST).unwrap()
}

/// Where the widgets on [`POST`] stand, as the store keeps them.
async fn widgets_state(j: &Journey) -> Option<AddonState> {
    let stored = store::addons::get(&j.state.db, &post()).await.unwrap();
    stored.map(|(state, _)| state)
}

/// Opens Ersal from the post's management page as its seller (the sandbox's `MY_POST` entry,
/// Ersal's Fallback URL) and returns the seller's page.
pub(crate) async fn seller_opens(j: &Journey, post: &str) -> String {
    let manage = j.page(&format!("{}/post/{post}/manage", j.sandbox)).await;
    let entry = manage
        .split(r#"<a class="button" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the MY_POST entry")
        .replace("&amp;", "&");
    assert_eq!(
        entry,
        direct_link(j, post),
        "the MY_POST entry is Ersal's Fallback URL"
    );
    j.enter(&j.client, &entry).await;
    j.page(&format!("{}/offer", j.ersal)).await
}

/// Ersal's Fallback URL for `post`, as Divar's `MY_POST` entry opens it.
fn direct_link(j: &Journey, post: &str) -> String {
    format!("{}/divar/fallback?post_token={post}", j.ersal)
}

/// The create calls the sandbox received for [`POST`], oldest first.
async fn creates(j: &Journey) -> Vec<Value> {
    let path = format!("/v2/open-platform/addons/post/{POST}");
    j.journal()
        .await
        .into_iter()
        .filter(|e| e["direction"] == "in" && e["path"] == path)
        .collect()
}

/// The widgets on `post` in the sandbox, once `want` says they are as expected.
async fn widgets_on(
    j: &Journey,
    post: &str,
    want: impl Fn(&Option<Value>) -> bool,
) -> Option<Value> {
    let mut seen = None;
    for _ in 0..80 {
        seen = j.sandbox_world.world().addons.get(post).cloned();
        if want(&seen) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    seen
}

#[tokio::test]
async fn a_seller_offers_shipping_on_the_post_a_buyer_gets_a_price_and_the_seller_takes_it_off() {
    let j = Journey::start().await;
    let page = seller_opens(&j, POST).await;
    for shown in [
        "ارسال این کالا به شهر شما",
        "ارسال از",
        "تهران",
        "هزینهٔ ارسال به شهر من",
    ] {
        assert!(page.contains(shown), "{shown} on the seller's page");
    }
    assert!(page.contains("روی آگهی نیست"));

    let consent = location(
        &j.post(&format!("{}/offer/add", j.ersal), &[("size", "small")])
            .await,
    );
    assert!(consent.contains("POST_ADDON_CREATE.QpR7x2Lm"), "{consent}");
    let back = consent_and_return(&j, &consent).await;
    assert_eq!(location(&back), "/offer");
    // The post is read from Divar once, for the page; "add" finds it in the shared cache, and
    // the consent's answer reads it no more (the origin city came back with the state).
    let reads = j
        .journal()
        .await
        .iter()
        .filter(|e| e["path"] == format!("/v1/open-platform/finder/post/{POST}"))
        .count();
    assert_eq!(reads, 1, "get-post calls for one add");
    let on = widgets_on(&j, POST, Option::is_some)
        .await
        .expect("the widgets reach the post");
    assert_eq!(on.as_array().unwrap().len(), 3);
    assert_eq!(widgets_state(&j).await, Some(AddonState::On));

    // The body Divar got is valid against its schema.
    let validator = schema("AddonsCreatePostAddonV2Body");
    let created = creates(&j).await;
    assert_eq!(created.len(), 1, "one create");
    let errors: Vec<String> = validator
        .iter_errors(&created[0]["body"])
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // A tariff change: the widgets are posted again, with the new price.
    exec(&j.state.db, "update post_addons set tariff = 'older'").await;
    assert_eq!(addons::publish::refresh_prices(&j.state).await.unwrap(), 1);
    let mut state = None;
    for _ in 0..80 {
        state = widgets_state(&j).await;
        if state == Some(AddonState::On) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(state, Some(AddonState::On), "posted again and on");
    let again = creates(&j).await;
    assert_eq!(again.len(), 2, "posted again");
    assert_eq!(
        again[1]["body"], created[0]["body"],
        "the same widgets, priced anew"
    );
    let tariff: String = scalar(&j.state.db, "select tariff from post_addons").await;
    assert_eq!(tariff, &*j.state.catalog.tariff_fingerprint);
    assert_eq!(addons::publish::refresh_prices(&j.state).await.unwrap(), 0);

    // A buyer taps the button on the post: the price to their city, and how to ship.
    let buyer = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let price = buyer
        .post(format!("{}/post/{POST}/tap", j.sandbox))
        .form(&[("widget", "2")])
        .send()
        .await
        .unwrap();
    assert!(price.url().path().ends_with("/price"), "{}", price.url());
    let buyer_sees = |query: &'static str| {
        let request = buyer.get(format!("{}/price?{query}", j.ersal)).send();
        async move { request.await.unwrap().text().await.unwrap() }
    };
    let priced = buyer_sees("form%5Bcity%5D=isfahan").await;
    let expected = addons::price::quotes(&j.state, "tehran", "isfahan", SizeClass::Small);
    assert_eq!(expected.len(), 2, "economy and express");
    for quote in expected {
        let shown = format!("<dd>{}</dd>", quote.total.display_tomans());
        assert!(priced.contains(&shown), "{shown} to Isfahan");
    }
    // The buyer may price another size class.
    let larger = buyer_sees("form%5Bcity%5D=isfahan&size=large").await;
    let large = addons::price::quotes(&j.state, "tehran", "isfahan", SizeClass::Large);
    let shown = format!("<dd>{}</dd>", large[0].total.display_tomans());
    assert!(larger.contains(&shown), "{shown} for a large parcel");
    assert!(
        priced.contains("گفتگو با فروشنده را باز کنید"),
        "no chat: how to ship"
    );

    // Data altered on the way (another size, the same signature), or the post's data sent with
    // another post, is refused.
    let data = on[2]["button_bar"]["action"]["open_server_link"]["data"].clone();
    let mut altered = data.clone();
    altered["z"] = json!("large");
    for (post, data) in [(POST, altered), ("Xk29LmPq", data)] {
        let init: Value = j
            .client
            .post(format!("{}/divar/init", j.ersal))
            .header("authorization", &j.key)
            .header("API_VERSION", "2")
            .json(&json!({"source": "POST_ADDON", "post_token": post, "user_side": "DEMAND", "extra_data": data}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let refused = reqwest::get(init["url"].as_str().unwrap()).await.unwrap();
        assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN, "{post}");
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("به این آگهی تعلق ندارد"));
    }

    // Anyone can open the Fallback URL with this post's token: a stranger asking to take the
    // widgets off is sent to Divar's consent, which only the owner can give.
    let stranger = Journey::client();
    j.enter(&stranger, &direct_link(&j, POST)).await;
    let asked = stranger
        .post(format!("{}/offer/remove", j.ersal))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(location(&asked).starts_with(&format!("{}/oauth2/auth?", j.sandbox)));
    assert!(
        j.sandbox_world.world().addons.contains_key(POST),
        "still on the post"
    );

    // The seller takes it off (confirming with Divar): gone from the post, the grant dropped.
    let asked = location(&j.post(&format!("{}/offer/remove", j.ersal), &[]).await);
    assert!(asked.contains("POST_ADDON_CREATE.QpR7x2Lm"), "{asked}");
    let removed = consent_and_return(&j, &asked).await;
    assert_eq!(location(&removed), "/offer");
    assert!(
        widgets_on(&j, POST, Option::is_none).await.is_none(),
        "removed"
    );
    assert_eq!(widgets_state(&j).await, None, "nothing of the post is kept");
    let grant = kenar::Grant::PostAddon(kenar::PostToken::parse(POST).unwrap());
    let kept = store::grants::read(&j.state.db, &j.state.keys, &grant).await;
    assert!(kept.unwrap().is_none(), "nor its grant");
}

#[tokio::test]
async fn another_users_consent_and_an_unknown_post_put_nothing_on_a_post() {
    let j = Journey::start().await;
    // The buyer of the post's chat opens the seller's entry: Divar does not grant them the post.
    j.get(&format!(
        "{}/chat/0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10?as=buyer",
        j.sandbox
    ))
    .await;
    j.enter(&j.client, &direct_link(&j, POST)).await;
    let consent = location(
        &j.post(&format!("{}/offer/add", j.ersal), &[("size", "small")])
            .await,
    );
    let answer = consent_and_return(&j, &consent).await;
    assert_eq!(answer.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(answer.text().await.unwrap().contains("فقط صاحب آگهی"));

    // A post Divar does not know: caught before any add-on call.
    j.enter(&j.client, &direct_link(&j, "Zz99Zz99")).await;
    let page = j.page(&format!("{}/offer", j.ersal)).await;
    assert!(page.contains("آگهی پیدا نشد"));
    let add = j
        .post(&format!("{}/offer/add", j.ersal), &[("size", "small")])
        .await;
    assert_eq!(
        location(&add),
        "/offer",
        "no consent for a post Divar does not know"
    );

    let calls = j
        .journal()
        .await
        .iter()
        .filter(|e| e["path"].as_str().unwrap_or("").contains("/addons/"))
        .count();
    assert_eq!(calls, 0, "no add-on call");
    assert_eq!(widgets_state(&j).await, None);
}

/// Every city Ersal serves and every size class give widgets within Divar's limits.
#[tokio::test]
async fn the_widgets_keep_within_divars_limits_from_every_city() {
    let j = Journey::start().await;
    let places = &j.state.catalog.places;
    for province in &places.provinces {
        for city in &province.cities {
            let origin = domain::places::Place { province, city };
            for size in SizeClass::ALL {
                let addon: PostAddon = addons::widgets(&j.state, &post(), origin, size);
                assert_eq!(addon.check(), Ok(()), "{} {size:?}", city.id);
            }
        }
    }
}
