//! The Backbone's paging of list routes (`PaginationFilter`, `ApiControllerBase.Paged`):
//! `pageNumber` from 1, `pageSize` up to the configured maximum, and a `pagination` member
//! only when there is more than one page.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::first_param;
use crate::envelope::{self, ApiError};

/// `Pagination.DefaultPageSize` and `MaxPageSize` of the Backbone's configuration.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 50;
pub(crate) const MAX_PAGE_SIZE: usize = 200;

/// The page a list request asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    number: usize,
    size: usize,
}

impl Page {
    /// Reads `pageNumber` and `pageSize` (any case; numbers below 1 mean page 1).
    ///
    /// # Errors
    /// `inputCannotBeParsed` for a value that is not a number, `invalidPageSize` above the
    /// maximum.
    pub(crate) fn of(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let size = param(pairs, "pageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
        if size > MAX_PAGE_SIZE {
            return Err(ApiError::invalid_page_size(MAX_PAGE_SIZE));
        }
        let number = param(pairs, "pageNumber")?.filter(|n| *n >= 1).unwrap_or(1);
        Ok(Self {
            number,
            size: size.max(1),
        })
    }

    /// 200 with this page of `items`.
    pub(crate) fn respond(self, items: &[Value]) -> HttpResponse {
        let total_records = items.len();
        let total_pages = total_records.div_ceil(self.size);
        let page: Vec<Value> = items
            .iter()
            .skip((self.number - 1).saturating_mul(self.size))
            .take(self.size)
            .cloned()
            .collect();
        if total_pages <= 1 {
            return envelope::result(StatusCode::OK, page);
        }
        HttpResponse::Ok().json(json!({
            "result": page,
            "pagination": {
                "pageNumber": self.number,
                "pageSize": self.size,
                "totalPages": total_pages,
                "totalRecords": total_records,
            }
        }))
    }
}

fn param(pairs: &[(String, String)], name: &str) -> Result<Option<usize>, ApiError> {
    match first_param(pairs, name).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            ApiError::cannot_be_parsed(format!(
                "'{name}': The value '{text}' is not valid for {name}."
            ))
        }),
    }
}
