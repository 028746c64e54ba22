//! An account's key, as a QR code or as text: only on the user's explicit
//! request, after the page asked them to confirm.

use super::parse_id;
use crate::state::{blocking, IpcError};
use tauri::AppHandle;
use watchword_core::qr::{self, EncodedQr};
use watchword_core::uri;
use watchword_core::ErrorCode;

/// The account as a QR code (its otpauth URI), for a phone to scan. Holds
/// the secret: the page asks the user to confirm first.
#[tauri::command]
pub async fn account_qr(app: AppHandle, id: String) -> Result<EncodedQr, IpcError> {
    blocking(app, move |_, state| {
        let id = parse_id(&id)?;
        let uri = zeroize::Zeroizing::new(
            state.with_store(|store| Ok(uri::format(&store.current_account(&id)?)))?,
        );
        qr::encode(&uri).ok_or_else(|| {
            IpcError::new(
                ErrorCode::Internal,
                "This account is too long for a QR code",
            )
        })
    })
    .await
}

/// The account's key in base32, in groups of four as sites show it. Only
/// on the user's explicit request, after the page asked them to confirm.
#[tauri::command]
pub async fn reveal_key(app: AppHandle, id: String) -> Result<String, IpcError> {
    blocking(app, move |_, state| {
        let id = parse_id(&id)?;
        let key = zeroize::Zeroizing::new(
            state.with_store(|store| Ok(store.account(&id)?.secret.to_base32()))?,
        );
        let groups: Vec<&str> = key
            .as_bytes()
            .chunks(4)
            .map(|chunk| std::str::from_utf8(chunk).expect("base32 is ASCII"))
            .collect();
        Ok(groups.join(" "))
    })
    .await
}
