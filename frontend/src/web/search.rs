//! `GET /`: the search page. A plain GET form, so it works without
//! JavaScript; `app.js` adds search-as-you-type by fetching this same page
//! and swapping in its `#search-results` section.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::format;
use super::layout::{Layout, Page};
use crate::AppState;
use crate::params::{RawParams, SearchParams};
use crate::search_failure::SearchFailure;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchTemplate {
    layout: Layout,
    form: RawParams,
    categories: Vec<CategoryOption>,
    heading: String,
    results: Vec<ResultView>,
    /// Rank of the first result on this page (the list's `start`).
    first_rank: usize,
    error: Option<String>,
    empty_message: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
    page: usize,
}

struct CategoryOption {
    name: String,
    selected: bool,
}

struct ResultView {
    href: String,
    name: String,
    sku: String,
    category: String,
    price: String,
    excerpt: String,
    /// Cosine similarity, 3 decimals; none when browsing.
    score: Option<String>,
}

pub async fn search_page(
    State(state): State<AppState>,
    layout: Layout,
    RawQuery(query): RawQuery,
) -> Response {
    let raw = match RawParams::from_query(query.as_deref()) {
        Ok(raw) => raw,
        Err(e) => {
            return render(
                &state,
                layout,
                RawParams::default(),
                e.status,
                Err(e.message),
            )
            .await;
        }
    };
    let params = match raw.validate() {
        Ok(params) => params,
        Err(e) => return render(&state, layout, raw, e.status, Err(e.message)).await,
    };
    match state.searcher.search(&params.request()).await {
        Ok(page) => {
            let results = Ok((params, page));
            render(&state, layout, raw, StatusCode::OK, results).await
        }
        Err(e) => {
            let failure = SearchFailure::from(&e);
            render(&state, layout, raw, failure.status, Err(failure.message)).await
        }
    }
}

async fn render(
    state: &AppState,
    layout: Layout,
    form: RawParams,
    status: StatusCode,
    outcome: Result<(SearchParams, crate::search::SearchPage), String>,
) -> Response {
    // The filter's options are a nicety: without them the page still works.
    let categories = state.catalog.categories().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not list categories");
        Vec::new().into()
    });
    let selected = form.category.trim().to_owned();
    let mut categories: Vec<CategoryOption> = categories
        .iter()
        .map(|name| CategoryOption {
            selected: *name == selected,
            name: name.clone(),
        })
        .collect();
    if !selected.is_empty() && !categories.iter().any(|c| c.selected) {
        // Keep a category the list does not (yet) have selectable.
        categories.push(CategoryOption {
            name: selected,
            selected: true,
        });
    }
    let mut template = SearchTemplate {
        layout,
        heading: String::new(),
        categories,
        results: Vec::new(),
        first_rank: 1,
        error: None,
        empty_message: None,
        prev_href: None,
        next_href: None,
        page: 1,
        form,
    };
    match outcome {
        Err(message) => {
            template.heading = "Search failed".to_owned();
            template.error = Some(message);
        }
        Ok((params, page)) => fill(&mut template, &params, page),
    }
    Page(status, template).into_response()
}

fn fill(t: &mut SearchTemplate, params: &SearchParams, page: crate::search::SearchPage) {
    t.page = params.page;
    t.first_rank = params.offset() + 1;
    t.heading = if params.q.is_empty() {
        "Newest products".to_owned()
    } else {
        format!("Results for “{}”", params.q)
    };
    let link = |page_number: usize| {
        let page_text = page_number.to_string();
        let k_text = if t.form.k.trim().is_empty() {
            String::new()
        } else {
            params.k.to_string()
        };
        format::href_with_query(
            "/",
            &[
                ("q", params.q.as_str()),
                ("category", params.filter.category.as_deref().unwrap_or("")),
                ("min_price", t.form.min_price.trim()),
                ("max_price", t.form.max_price.trim()),
                ("k", &k_text),
                ("page", if page_number > 1 { &page_text } else { "" }),
            ],
        )
    };
    t.prev_href = (params.page > 1).then(|| link(params.page - 1));
    t.next_href = page.has_more.then(|| link(params.page + 1));
    if page.hits.is_empty() {
        t.empty_message = Some(empty_message(params));
    }
    t.results = page
        .hits
        .into_iter()
        .map(|hit| ResultView {
            href: format::product_href(&hit.sku),
            category: hit.category.unwrap_or_else(|| "uncategorised".to_owned()),
            price: format::price(hit.price),
            excerpt: format::excerpt(&hit.description),
            score: hit.score.map(|s| format!("{s:.3}")),
            name: hit.name,
            sku: hit.sku,
        })
        .collect();
}

/// Say exactly what found nothing, so the user knows what to change.
fn empty_message(params: &SearchParams) -> String {
    if params.page > 1 {
        return format!(
            "There are no results on page {}: the list ends earlier.",
            params.page
        );
    }
    let mut filters = Vec::new();
    if let Some(category) = &params.filter.category {
        filters.push(format!("in category “{category}”"));
    }
    match (params.filter.min_price, params.filter.max_price) {
        (Some(min), Some(max)) => filters.push(format!("priced ${min:.2} to ${max:.2}")),
        (Some(min), None) => filters.push(format!("priced from ${min:.2}")),
        (None, Some(max)) => filters.push(format!("priced up to ${max:.2}")),
        (None, None) => {}
    }
    let what = if params.q.is_empty() {
        "No products".to_owned()
    } else {
        format!("No products match “{}”", params.q)
    };
    if filters.is_empty() {
        format!("{what}.")
    } else {
        format!("{what} {}. Try removing a filter.", filters.join(" "))
    }
}
