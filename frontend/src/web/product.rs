//! `/products/{sku}` (anyone) and `/products/{sku}/edit` (logged in).
//! After a save the product page shows "indexing…" until the vector store
//! holds the new version; `app.js` polls `/api/products/{sku}` to switch it
//! to "indexed" without a reload.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::format;
use super::layout::{Layout, Page, PageError};
use super::login::{LoggedIn, check_csrf};
use crate::AppState;
use crate::auth::BrowserId;
use crate::catalog::{EditOutcome, IndexStatus, Product};
use crate::edit::{
    EditForm, FieldError, MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS,
};

#[derive(Template)]
#[template(path = "product.html")]
struct ProductTemplate {
    layout: Layout,
    sku: String,
    name: String,
    description: String,
    category: String,
    price: String,
    version: i64,
    updated_at: String,
    edit_href: String,
    index_state: &'static str,
    index_label: &'static str,
}

#[derive(Template)]
#[template(path = "product_edit.html")]
struct EditTemplate {
    layout: Layout,
    sku: String,
    product_href: String,
    action: String,
    form: EditForm,
    errors: Vec<FieldError>,
    /// A message about the whole form (a conflicting edit).
    notice: Option<String>,
    max_name: usize,
    max_description: usize,
    max_category: usize,
}

impl EditTemplate {
    /// The error of one field, shown beside it.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn find(state: &AppState, sku: &str) -> Result<Product, PageError> {
    state
        .catalog
        .product(sku)
        .await
        .map_err(|e| PageError::unavailable("The product database", &e))?
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                format!("There is no product with SKU “{sku}”."),
            )
        })
}

pub async fn product_page(
    State(state): State<AppState>,
    layout: Layout,
    Path(sku): Path<String>,
) -> Result<Response, PageError> {
    let product = find(&state, &sku).await?;
    let IndexStatus { state: index, .. } = state.catalog.index_status(&product).await;
    Ok(Page(
        StatusCode::OK,
        ProductTemplate {
            layout,
            edit_href: format::edit_href(&product.sku),
            category: product
                .category
                .unwrap_or_else(|| "uncategorised".to_owned()),
            price: format::price(product.price),
            version: product.version,
            updated_at: product
                .updated_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            index_state: index.as_str(),
            index_label: index.label(),
            sku: product.sku,
            name: product.name,
            description: product.description,
        },
    )
    .into_response())
}

fn edit_page(layout: Layout, sku: &str, form: EditForm) -> EditTemplate {
    EditTemplate {
        layout,
        sku: sku.to_owned(),
        product_href: format::product_href(sku),
        action: format::edit_href(sku),
        form,
        errors: Vec::new(),
        notice: None,
        max_name: MAX_NAME_CHARS,
        max_description: MAX_DESCRIPTION_CHARS,
        max_category: MAX_CATEGORY_CHARS,
    }
}

fn form_of(product: &Product) -> EditForm {
    EditForm {
        csrf_token: String::new(),
        version: product.version.to_string(),
        name: product.name.clone(),
        description: product.description.clone(),
        category: product.category.clone().unwrap_or_default(),
        price: product.price.map(|p| format!("{p:.2}")).unwrap_or_default(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    _user: LoggedIn,
    layout: Layout,
    Path(sku): Path<String>,
) -> Result<Response, PageError> {
    let product = find(&state, &sku).await?;
    Ok(Page(
        StatusCode::OK,
        edit_page(layout, &product.sku, form_of(&product)),
    )
    .into_response())
}

pub async fn save_edit(
    State(state): State<AppState>,
    LoggedIn(user): LoggedIn,
    layout: Layout,
    browser: Option<axum::Extension<BrowserId>>,
    Path(sku): Path<String>,
    form: Result<Form<EditForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|e| PageError::new(e.status(), e.body_text()))?;
    check_csrf(&state, browser.as_deref(), &form.csrf_token)?;
    let edit = match form.validate() {
        Ok(edit) => edit,
        Err(errors) => {
            let mut page = edit_page(layout, &sku, form);
            page.errors = errors;
            return Ok(Page(StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let outcome = state
        .catalog
        .edit(&sku, &edit, form.expected_version())
        .await
        .map_err(|e| PageError::unavailable("The product database", &e))?;
    match outcome {
        EditOutcome::Saved(product) => {
            tracing::info!(sku = %product.sku, version = product.version, editor = %user, "product edited");
            Ok(Redirect::to(&format::product_href(&product.sku)).into_response())
        }
        EditOutcome::NotFound => Err(PageError::new(
            StatusCode::NOT_FOUND,
            format!("There is no product with SKU “{sku}” (any more)."),
        )),
        EditOutcome::Conflict { current_version } => {
            let mut page = edit_page(layout, &sku, form);
            page.notice = Some(format!(
                "Someone else saved this product meanwhile (it is now at version {current_version}). \
                 Your text is below: open the product again to see their change, then re-apply yours."
            ));
            Ok(Page(StatusCode::CONFLICT, page).into_response())
        }
    }
}
