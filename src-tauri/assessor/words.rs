//! The desk's failures as the app says them. The library speaks to the `waymark-assess` command
//! line in a few places (signing in, the keychain, impartiality, opening first); here those
//! become steps in the app. Chosen by the error's variant and stable code, never by its text.

use waymark_assess::Error;
use waymark_assess::keychain::KeychainError;
use waymark_assess::profile::Profile;
use waymark_core::ErrorCode;

use crate::error::CommandError;

/// The desk's failure as a [`CommandError`]: code [`ErrorCode::Assessment`], the desk's own
/// code in `detail` (e.g. `tampered`, `not_impartial`), the app's words in `message`.
pub fn assessment_error(e: &Error) -> CommandError {
    let mut out = CommandError::new(ErrorCode::Assessment, app_words(e));
    out.detail = Some(e.code());
    // A draft that cannot be sent: the UI shows the message beside the first field named.
    out.field = e.problems().first().map(|p| p.field.clone());
    out
}

/// Where the app's assessor sign-in is, for messages that send the assessor there.
const SIGN_IN_HERE: &str = "In Settings, under “Assessor workspace”, choose “Sign in as assessor” and enter the enrollment code the awarding body sent you";

/// The desk's message, in the app's words where the library's speak to the command line.
pub fn app_words(e: &Error) -> String {
    let text = match e {
        Error::NotSignedIn(_) => {
            format!("No assessor is signed in on this computer. {SIGN_IN_HERE}.")
        }
        Error::Keychain(KeychainError::Missing { .. } | KeychainError::Damaged { .. }) => {
            "The OS keychain no longer holds this assessor's credentials (or they are damaged), so submissions cannot be decrypted here. In Settings, under “Assessor workspace”, sign out, then sign in again with a new enrollment code from the awarding body.".to_owned()
        }
        Error::Keychain(KeychainError::Unavailable { why, .. }) => format!(
            "No OS keychain is available ({why}). Waymark keeps the assessor's token and private key only in the OS keychain, never in a plain file: use Waymark in a desktop session with a keyring (GNOME Keyring, KWallet, macOS Keychain or Windows Credential Manager)."
        ),
        Error::NotImpartial { named_in, .. } => format!(
            "This submission names you ({}), so you cannot record a decision on it. Tell the awarding body, which will assign someone else.",
            named_in.join("; ")
        ),
        Error::NotOpened(_) => "Open this submission on this computer first (the “Open” button in Assigned submissions): an assessor reads what the school sent before deciding on it.".to_owned(),
        Error::NotAssigned(_) => "This submission is not assigned to you, or no longer exists. Refresh the list of assigned submissions.".to_owned(),
        Error::NewerVersion { current, opened, .. } => format!(
            "The school has sent version {current} since you opened version {opened}. Open the new version (in Assigned submissions) before deciding."
        ),
        other => other.to_string(),
    };
    sentence(&text)
}

/// Signing in while someone is: the app's way out is Settings' sign-out.
pub(super) fn already_signed_in(existing: &Profile) -> CommandError {
    let mut out = CommandError::for_field(
        ErrorCode::Assessment,
        "code",
        format!(
            "An assessor is already signed in on this computer: {} <{}> at {}. Sign out in Settings, under “Assessor workspace”, first.",
            existing.name, existing.email, existing.endpoint
        ),
    );
    out.detail = Some("usage".into());
    out
}

/// Capitalised and ending with a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
