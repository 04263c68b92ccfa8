//! The runtime's rules after the schema, in its order, with its messages (future expiry, PIN
//! digits, location indicator), and the address checksum this service checks before the
//! Backbone would refuse it.

use domain::{IdentityAddress, PasswordLocationIndicator, PasswordType};

use super::error::ValidationError;
use super::request::{LocationIndicatorInput, PasswordInput};

pub const PIN_MESSAGE: &str = "'passwordProtection.passwordIsPin' is true, hence 'passwordProtection.password' must consist of 4 to 16 digits from 0 to 9.";
pub const INDICATOR_MESSAGE: &str = "must be a number from 50 to 99 or one of the following strings: Self, Letter, RegistrationLetter, Email, SMS, Website";

/// A password that passed every rule.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ValidPassword {
    pub password: String,
    pub password_type: PasswordType,
    pub location_indicator: Option<PasswordLocationIndicator>,
}

pub(crate) use crate::rules::future_expiry;

/// A PIN of 4 to 16 digits, then the indicator: a free number 50–99 or one of the six names.
pub(crate) fn valid_password(input: PasswordInput) -> Result<ValidPassword, ValidationError> {
    let password_type = PasswordType::of(&input.password, input.is_pin)
        .map_err(|_| ValidationError::new(PIN_MESSAGE))?;
    let location_indicator = input
        .location_indicator
        .map(|indicator| {
            match indicator {
                LocationIndicatorInput::Name(name) => PasswordLocationIndicator::from_name(&name),
                LocationIndicatorInput::Whole(number) => u8::try_from(number)
                    .ok()
                    .and_then(PasswordLocationIndicator::from_free_number),
                LocationIndicatorInput::Other => None,
            }
            .ok_or_else(|| ValidationError::new(INDICATOR_MESSAGE))
        })
        .transpose()?;
    Ok(ValidPassword {
        password: input.password,
        password_type,
        location_indicator,
    })
}

/// The whole address with its checksum; the schema's pattern is unanchored and checks neither.
pub(crate) fn recipient(text: &str) -> Result<IdentityAddress, ValidationError> {
    IdentityAddress::parse(text).map_err(|e| ValidationError::new(format!("forIdentity {e}")))
}
