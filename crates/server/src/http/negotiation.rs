//! `Accept` negotiation with Express's `req.accepts(["application/json", "image/png"])` rules
//! (the `negotiator` package): per offered type the most specific matching range decides its
//! q-value; the highest q wins, then specificity, then the range's position in the header, then
//! the offer order. A missing header accepts anything.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT;

use super::error::ApiError;

/// What the route can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    Json,
    Png,
}

const OFFERS: [(Representation, &str, &str); 2] = [
    (Representation::Json, "application", "json"),
    (Representation::Png, "image", "png"),
];

struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: f32,
    params: Vec<(&'a str, &'a str)>,
}

#[derive(Clone, Copy)]
struct Priority {
    q: f32,
    specificity: u8,
    order: usize,
}

/// The representation `request`'s `Accept` header asks for.
///
/// # Errors
/// 406 `error.connector.http.notAcceptable` when it accepts neither.
pub fn negotiate_request(request: &HttpRequest) -> Result<Representation, ApiError> {
    let accept = request
        .headers()
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok());
    negotiate(accept).ok_or_else(ApiError::not_acceptable)
}

/// The representation to answer, or `None` when the client accepts neither (406).
pub fn negotiate(accept: Option<&str>) -> Option<Representation> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Representation::Json);
    };
    let ranges: Vec<Range<'_>> = accept.split(',').filter_map(parse_range).collect();
    let mut best: Option<(Priority, usize, Representation)> = None;
    for (index, (representation, kind, subtype)) in OFFERS.into_iter().enumerate() {
        let Some(priority) = priority(kind, subtype, &ranges).filter(|p| p.q > 0.0) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some((current, current_index, _)) => {
                compare(&priority, index, current, *current_index).is_lt()
            }
        };
        if better {
            best = Some((priority, index, representation));
        }
    }
    best.map(|(_, _, representation)| representation)
}

/// negotiator's `compareSpecs`: higher q, then higher specificity, then earlier range, then
/// earlier offer.
fn compare(a: &Priority, a_index: usize, b: &Priority, b_index: usize) -> std::cmp::Ordering {
    b.q.total_cmp(&a.q)
        .then(b.specificity.cmp(&a.specificity))
        .then(a.order.cmp(&b.order))
        .then(a_index.cmp(&b_index))
}

fn parse_range(text: &str) -> Option<Range<'_>> {
    let mut parts = text.split(';').map(str::trim);
    let (kind, subtype) = parts.next()?.split_once('/')?;
    let mut q = 1.0;
    let mut params = Vec::new();
    for param in parts {
        let (name, value) = param.split_once('=')?;
        let value = value.trim().trim_matches('"');
        if name.trim().eq_ignore_ascii_case("q") {
            q = value.parse().ok().filter(|q: &f32| q.is_finite())?;
        } else {
            params.push((name.trim(), value));
        }
    }
    Some(Range {
        kind: kind.trim(),
        subtype: subtype.trim(),
        q,
        params,
    })
}

/// The most specific range matching `kind/subtype` (ties: higher q, then later position).
fn priority(kind: &str, subtype: &str, ranges: &[Range<'_>]) -> Option<Priority> {
    let mut best: Option<Priority> = None;
    for (order, range) in ranges.iter().enumerate() {
        let Some(specificity) = specificity(kind, subtype, range) else {
            continue;
        };
        let candidate = Priority {
            q: range.q,
            specificity,
            order,
        };
        let replace = match &best {
            None => true,
            Some(b) => {
                (b.specificity, b.q, b.order)
                    < (candidate.specificity, candidate.q, candidate.order)
            }
        };
        if replace {
            best = Some(candidate);
        }
    }
    best
}

fn specificity(kind: &str, subtype: &str, range: &Range<'_>) -> Option<u8> {
    let mut s = 0;
    if range.kind.eq_ignore_ascii_case(kind) {
        s |= 4;
    } else if range.kind != "*" {
        return None;
    }
    if range.subtype.eq_ignore_ascii_case(subtype) {
        s |= 2;
    } else if range.subtype != "*" {
        return None;
    }
    // Our offers carry no parameters, so a range that demands any cannot match.
    if !range.params.is_empty() {
        return None;
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::Representation::{Json, Png};
    use super::*;

    #[test]
    fn express_rules_pick_the_representation() {
        let cases: [(Option<&str>, Option<Representation>); 16] = [
            (None, Some(Json)),
            (Some(""), Some(Json)),
            (Some("*/*"), Some(Json)),
            (Some("application/json"), Some(Json)),
            (Some("image/png"), Some(Png)),
            (Some("IMAGE/PNG"), Some(Png)),
            (Some("image/*"), Some(Png)),
            (Some("text/html"), None),
            (Some("text/html, */*;q=0.1"), Some(Json)),
            (Some("image/png, application/json"), Some(Png)),
            (Some("application/json, image/png"), Some(Json)),
            (Some("application/json;q=0.5, image/png"), Some(Png)),
            (Some("*/*;q=0.8, image/png"), Some(Png)),
            (Some("image/png;q=0, */*"), Some(Json)),
            (Some("application/*;q=0.2, image/*;q=0.9"), Some(Png)),
            (Some("application/json;q=0"), None),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), expected, "{accept:?}");
        }
    }
}
