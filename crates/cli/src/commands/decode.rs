//! `decode`: the QR code payloads found in image files, printed as they are
//! (a control character in one shown as an escape, see `terminal`).

use crate::error::CliError;
use watchword_core::payload::{self, QrPayload};
use watchword_core::qr;

/// Decodes every image; each one's failure is reported and the rest go on.
pub fn decode(images: &[std::path::PathBuf], json: bool) -> Result<(), CliError> {
    let mut results = Vec::new();
    let mut failed = 0usize;
    for path in images {
        let shown = path.display().to_string();
        match qr::decode_file(path) {
            Ok(payloads) => {
                if !json {
                    for text in &payloads {
                        out!("{text}");
                    }
                }
                let payloads: Vec<_> = payloads
                    .iter()
                    .map(|text| serde_json::json!({"text": text, "kind": payload_kind(text)}))
                    .collect();
                results
                    .push(serde_json::json!({"file": shown, "payloads": payloads, "error": null}));
            }
            Err(error) => {
                failed += 1;
                if !json && images.len() > 1 {
                    err!("watchword-cli: {shown}: {error}");
                }
                results.push(serde_json::json!({
                    "file": shown,
                    "payloads": [],
                    "error": {"code": error.code(), "message": error.to_string()},
                }));
            }
        }
    }
    if json {
        crate::terminal::print_json(&results, true);
    }
    match (failed, &results[..]) {
        (0, _) => Ok(()),
        // One image: its own error is the message.
        (_, [only]) => Err(CliError::Decode {
            file: only["file"].as_str().unwrap_or_default().to_owned(),
            message: only["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        }),
        (failed, all) => Err(CliError::DecodeSome {
            failed,
            total: all.len(),
        }),
    }
}

/// `otpauth`, `otpauth-migration`, or what else the payload holds
/// (`web_link`, `wifi`, …).
fn payload_kind(text: &str) -> &'static str {
    match payload::classify(text) {
        QrPayload::Account(_) => "otpauth",
        QrPayload::Migration(_) => "otpauth-migration",
        QrPayload::NotOtp(kind) => kind.code().as_str(),
    }
}
