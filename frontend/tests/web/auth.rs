//! Login, logout, the guard of the edit pages, CSRF on every form and on
//! session-authenticated API edits.

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{CATALOG, PASSWORD, USER, attribute_after, client, json, spawn};

fn location(response: &reqwest::Response) -> &str {
    response.headers()[LOCATION].to_str().unwrap()
}

#[tokio::test]
async fn editing_without_login_is_sent_to_login_or_refused() {
    let app = spawn().await;
    app.seed(&CATALOG[..1]).await;
    let page = app.get("/products/SOCK-001/edit").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&page), "/login?next=%2Fproducts%2FSOCK-001%2Fedit");
    let token = app.csrf_token("/").await;
    let post = app
        .client
        .post(app.url("/products/SOCK-001/edit"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Hacked"),
            ("description", ""),
            ("category", ""),
            ("price", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::SEE_OTHER);
    assert!(location(&post).starts_with("/login"));
    let api = app
        .client
        .patch(app.url("/api/products/SOCK-001"))
        .json(&json!({"name": "Hacked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert!(api.headers().contains_key("www-authenticate"));
    let product = json(app.get("/api/products/SOCK-001").await).await;
    assert_eq!(product["name"], CATALOG[0].name);
}

#[tokio::test]
async fn login_needs_the_right_password_and_csrf_token() {
    let app = spawn().await;
    let token = app.csrf_token("/login").await;
    let attempt = |csrf: String, password: &'static str| {
        app.client
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("username", USER),
                ("password", password),
                ("next", "/products/X/edit"),
            ])
            .send()
    };
    assert_eq!(
        attempt(token.clone(), "wrong").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attempt("forged".into(), PASSWORD).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // A token of another browser is no good either.
    let other = crate::helpers::TestApp::csrf_token_of_new_browser(&app).await;
    assert_eq!(
        attempt(other, PASSWORD).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let ok = attempt(token, PASSWORD).await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/products/X/edit");
    let cookie = ok.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains(&format!("Logged in as <strong>{USER}</strong>")));

    // Behind an https load balancer the cookie is Secure.
    let token = app.csrf_token("/login").await;
    let secure = app
        .client
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", USER),
            ("password", PASSWORD),
            ("next", "https://evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        secure.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    assert_eq!(location(&secure), "/", "no open redirect");
}

#[tokio::test]
async fn an_edit_needs_the_csrf_token_then_shows_indexing_until_indexed() {
    let app = spawn().await;
    let ids = app.seed(&CATALOG[..1]).await;
    assert_eq!(app.login().await.status(), StatusCode::SEE_OTHER);
    let form = app
        .get("/products/SOCK-001/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("id=\"product-form\""));
    let token = attribute_after(&form, "name=\"csrf_token\" value=\"").unwrap();
    let save = |csrf: String| {
        app.client
            .post(app.url("/products/SOCK-001/edit"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("version", "1"),
                ("name", "Merino wool hiking socks"),
                ("description", "Socks knitted from alpaca wool."),
                ("category", "Apparel"),
                ("price", "19.00"),
            ])
            .send()
    };
    assert_eq!(
        save("wrong".into()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save(String::new()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let unchanged = json(app.get("/api/products/SOCK-001").await).await;
    assert_eq!(unchanged["version"], 1);

    let saved = save(token.clone()).await.unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/products/SOCK-001");
    let page = app.get("/products/SOCK-001").await.text().await.unwrap();
    assert!(page.contains("data-state=\"indexing\""), "{page}");
    assert!(page.contains(">indexing…</span>"));
    assert!(page.contains("Socks knitted from alpaca wool."));
    app.index(ids[0]).await;
    let page = app.get("/products/SOCK-001").await.text().await.unwrap();
    assert!(page.contains("data-state=\"indexed\"") && page.contains(">indexed</span>"));

    // Saving again from the old form (version 1) is a conflict, not a lost update.
    assert_eq!(save(token).await.unwrap().status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_session_edits_through_the_api_only_with_the_csrf_header() {
    let app = spawn().await;
    app.seed(&CATALOG[..1]).await;
    app.login().await;
    let token = app.csrf_token("/").await;
    let patch = |header: Option<&str>| {
        let mut request = app
            .client
            .patch(app.url("/api/products/SOCK-001"))
            .json(&json!({"name": "Renamed"}));
        if let Some(value) = header {
            request = request.header("x-csrf-token", value);
        }
        request.send()
    };
    assert_eq!(patch(None).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        patch(Some("nope")).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(patch(Some(&token)).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_session_everywhere() {
    let app = spawn().await;
    app.seed(&CATALOG[..1]).await;
    let login = app.login().await;
    let session = login.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = app.csrf_token("/").await;
    let out = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    // A copy of the old cookie (another replica, a stolen cookie) is dead.
    let replay = client()
        .get(app.url("/products/SOCK-001/edit"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert!(location(&replay).starts_with("/login"));
}

#[tokio::test]
async fn password_guessing_is_throttled_per_user_name() {
    let app = spawn().await;
    let token = app.csrf_token("/login").await;
    let attempt = |username: &'static str, password: &'static str| {
        app.client
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", username),
                ("password", password),
            ])
            .send()
    };
    // FRONTEND_LOGIN_ATTEMPTS_PER_MINUTE defaults to 10.
    for _ in 0..10 {
        assert_eq!(
            attempt(USER, "guess").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now: guessing gains nothing.
    let throttled = attempt(USER, PASSWORD).await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&retry_after), "{retry_after}");
    assert!(
        throttled
            .text()
            .await
            .unwrap()
            .contains("Too many login attempts")
    );
    // Other user names are counted on their own.
    assert_eq!(
        attempt("someone-else", "guess").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
