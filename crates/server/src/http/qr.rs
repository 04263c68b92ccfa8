//! QR codes as PNG, like the reference: error-correction level M, a quiet zone of 4 modules,
//! 4 pixels per module, black on white.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_DISPOSITION;
use qrcode::{Color, EcLevel, QrCode};

use super::error::ApiError;
use super::wire::TokenReferenceDto;

const QUIET_ZONE_MODULES: usize = 4;
const PIXELS_PER_MODULE: usize = 4;

/// Why no QR code could be drawn.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text does not fit in a QR code: {0}")]
    TooLong(#[from] qrcode::types::QrError),
    #[error("the PNG could not be encoded: {0}")]
    Png(#[from] png::EncodingError),
}

/// A grayscale PNG of `text` as a QR code.
///
/// # Errors
/// [`QrError::TooLong`] for text beyond QR capacity (references are far below it).
pub fn qr_png(text: &str) -> Result<Vec<u8>, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QUIET_ZONE_MODULES;
    let side = side_modules * PIXELS_PER_MODULE;
    let mut pixels = vec![u8::MAX; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = (
            index % modules + QUIET_ZONE_MODULES,
            index / modules + QUIET_ZONE_MODULES,
        );
        for row in y * PIXELS_PER_MODULE..(y + 1) * PIXELS_PER_MODULE {
            pixels[row * side + x * PIXELS_PER_MODULE..row * side + (x + 1) * PIXELS_PER_MODULE]
                .fill(0);
        }
    }
    let mut png = Vec::new();
    let side = u32::try_from(side).unwrap_or(u32::MAX);
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(png)
}

/// A reference's QR code answered as the Connector answers it: the url form (v7, or v6 with
/// `newQRCodeFormat`) or `nmshd://tr#<truncated>`, as the attachment `<id>.png`.
///
/// # Errors
/// 500 when the PNG cannot be drawn (references are far below QR capacity).
pub fn reference_qr_code(
    status: StatusCode,
    reference: &TokenReferenceDto,
    url_form: bool,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let text = if url_form {
        reference.url.clone()
    } else {
        format!("nmshd://tr#{}", reference.truncated)
    };
    let png = qr_png(&text).map_err(|error| {
        ApiError::unexpected().with_cause(format!("QR code rendering failed: {error}"))
    })?;
    Ok(HttpResponse::build(status)
        .content_type("image/png")
        .insert_header((CONTENT_DISPOSITION, format!("attachment;filename={id}.png")))
        .body(png))
}
