//! Checking a receipt offline: the endpoint's signed statement that it received a
//! submission, verified against the awarding body's key sets as pinned when this computer
//! enrolled (any set of the chain: a receipt signed before a key rotation stays valid).

use std::path::Path;

use waymark_protocol::keys::{Fingerprint, verify_chain};
use waymark_protocol::receipt::{Receipt, verify_receipt};
use waymark_protocol::signed::Signed;

use crate::error::{Result, SyncError};
use crate::session::chain_of;
use crate::{Shared, lock};

/// Largest receipt file read (a receipt is a few hundred bytes).
const MAX_RECEIPT_FILE: u64 = 1024 * 1024;

/// Verifies the signed receipt in `path` (as `waymark receipt save` writes it).
pub fn verify_file(shared: &Shared, path: &Path) -> Result<Receipt> {
    let io = |e| SyncError::io("reading the receipt", path, e);
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_RECEIPT_FILE {
        return Err(SyncError::Usage(format!(
            "{} is {} bytes: too large to be a Waymark receipt",
            path.display(),
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let signed: Signed = serde_json::from_str(&text).map_err(|e| {
        SyncError::Usage(format!(
            "{} is not a Waymark receipt ({e}); save one with `waymark receipt save ID --out FILE`",
            path.display()
        ))
    })?;
    verify(shared, &signed)
}

/// Verifies a signed receipt against every key set of the pinned chain.
pub fn verify(shared: &Shared, signed: &Signed) -> Result<Receipt> {
    let enrollment = lock(shared).enrollment()?.ok_or(SyncError::NotEnrolled)?;
    let chain = chain_of(&enrollment)?;
    // The chain must still follow from the pin (nothing in the store was swapped).
    verify_chain(&Fingerprint::parse(&enrollment.fingerprint)?, &chain)
        .map_err(|e| SyncError::Refused(format!("the stored key sets do not verify: {e}")))?;
    let mut last_error = None;
    for set in &chain {
        let Ok(keys) = set.open_self_signed() else {
            continue;
        };
        match verify_receipt(signed, &keys, None) {
            Ok(receipt) => return Ok(receipt),
            Err(e) => last_error = Some(e),
        }
    }
    Err(SyncError::Refused(format!(
        "this receipt was not signed by {}'s keys ({}): it is not a genuine receipt from the awarding body",
        enrollment.awarding_body,
        last_error.map_or_else(|| "no key set".to_owned(), |e| e.to_string())
    )))
}
