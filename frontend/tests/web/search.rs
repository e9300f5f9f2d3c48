//! Ranking, pagination, filters and exact lookups, through the page and the API.

use rust_decimal::Decimal;

use crate::helpers::{CATALOG, api_skus, json, result_skus, spawn};

#[tokio::test]
async fn pages_continue_the_ranking_without_gaps_or_repeats() {
    let app = spawn().await;
    app.seed(CATALOG).await;
    let whole = json(app.get("/api/search?q=warm+socks+for+winter&k=20").await).await;
    let ranked = api_skus(&whole);
    assert_eq!(ranked.len(), CATALOG.len());
    // Scores are cosine similarities; the order is the fused ranking of
    // frontend::search, which every page must keep as it is.
    assert!(whole["results"][0]["score"].as_f64().is_some());
    assert!(
        ranked[..2].iter().all(|s| s.starts_with("SOCK-00")),
        "{ranked:?}"
    );

    let mut paged = Vec::new();
    for page in 1..=4 {
        let body = json(
            app.get(&format!(
                "/api/search?q=warm+socks+for+winter&k=5&page={page}"
            ))
            .await,
        )
        .await;
        assert_eq!(body["has_more"], page < 4, "page {page}");
        paged.extend(api_skus(&body));
    }
    assert_eq!(paged, ranked);

    // The page shows the same order as the API, page 2 included.
    let html = app
        .get("/?q=warm+socks+for+winter&k=5&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(result_skus(&html), ranked[5..10]);
    assert!(
        html.contains("<ol id=\"results\" start=\"6\">"),
        "ranks continue"
    );
    assert!(html.contains("rel=\"prev\"") && html.contains("rel=\"next\""));
}

#[tokio::test]
async fn filters_restrict_every_result() {
    let app = spawn().await;
    app.seed(CATALOG).await;
    let body = json(
        app.get("/api/search?q=something+warm&category=Outdoor")
            .await,
    )
    .await;
    let skus = api_skus(&body);
    assert_eq!(skus.len(), 3, "{skus:?}");
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["category"] == "Outdoor")
    );

    let body = json(
        app.get("/api/search?q=kitchen+tools&min_price=20&max_price=50&k=50")
            .await,
    )
    .await;
    let prices: Vec<Decimal> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["price"].as_str().unwrap().parse().unwrap())
        .collect();
    let expected = CATALOG
        .iter()
        .filter(|p| {
            p.price
                .parse::<Decimal>()
                .is_ok_and(|d| d >= Decimal::from(20) && d <= Decimal::from(50))
        })
        .count();
    assert_eq!(prices.len(), expected);
    assert!(
        prices
            .iter()
            .all(|p| *p >= Decimal::from(20) && *p <= Decimal::from(50))
    );

    // Browsing applies filters too; the page says when nothing matches.
    let html = app
        .get("/?category=Kitchen&max_price=40")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(result_skus(&html), ["MUG-001", "KET-001"], "newest first");
    let html = app
        .get("/?q=socks&category=Garden&min_price=1000")
        .await
        .text()
        .await
        .unwrap();
    assert!(result_skus(&html).is_empty());
    assert!(
        html.contains("No products match “socks” in category “Garden” priced from $1000.00"),
        "{html}"
    );
}

#[tokio::test]
async fn a_sku_or_an_exact_name_puts_that_product_first() {
    let app = spawn().await;
    app.seed(CATALOG).await;
    for (query, expected) in [
        ("GLV-001", "GLV-001"),
        ("glv-001", "GLV-001"),
        ("Compact umbrella", "UMB-001"),
        ("Electric kettle", "KET-001"),
    ] {
        let body = json(
            app.get(&format!("/api/search?q={}", query.replace(' ', "+")))
                .await,
        )
        .await;
        assert_eq!(
            api_skus(&body).first().map(String::as_str),
            Some(expected),
            "API {query}"
        );
        let html = app
            .get(&format!("/?q={}", query.replace(' ', "+")))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            result_skus(&html).first().map(String::as_str),
            Some(expected),
            "page {query}"
        );
    }
    // A semantic query is still ranked by meaning.
    let body = json(
        app.get("/api/search?q=something+to+boil+water+for+tea")
            .await,
    )
    .await;
    assert_eq!(api_skus(&body)[0], "KET-001");
}

#[tokio::test]
async fn an_empty_query_browses_the_newest_products() {
    let app = spawn().await;
    app.seed(CATALOG).await;
    let body = json(app.get("/api/search?q=&k=3").await).await;
    assert_eq!(api_skus(&body), ["WAL-001", "UMB-001", "YGA-001"]);
    assert!(body["results"][0]["score"].is_null());
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("Newest products"));
    assert_eq!(result_skus(&html).len(), 10);
    assert!(
        !html.contains("class=\"result-score\""),
        "no score when browsing"
    );
}
