//! WebDriver client: bounded HTTP requests to tauri-driver and the errors
//! they give.

use crate::ELEMENT_KEY;
use serde_json::{json, Value};
use std::fmt;
use std::time::Duration;

pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A failed WebDriver command.
#[derive(Clone, Debug)]
pub struct WebDriverError {
    /// The command, e.g. "POST /element".
    pub command: String,
    /// HTTP status; 0 when the request did not get an answer.
    pub status: u16,
    /// The W3C error code ("no such element", "stale element reference", …).
    pub error: String,
    pub message: String,
}

impl fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {} ({}): {}",
            self.command, self.error, self.status, self.message
        )
    }
}

impl std::error::Error for WebDriverError {}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

/// Sends one WebDriver command and returns its `value`.
pub(crate) fn command(
    agent: &ureq::Agent,
    url: &str,
    method: Method,
    name: &str,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let fail = |status: u16, error: &str, message: String| WebDriverError {
        command: name.to_owned(),
        status,
        error: error.to_owned(),
        message,
    };
    let response = match method {
        Method::Get => agent.get(url).call(),
        Method::Delete => agent.delete(url).call(),
        Method::Post => agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
    };
    let mut response = response.map_err(|e| fail(0, "no answer", e.to_string()))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| fail(status, "unreadable answer", e.to_string()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| fail(status, "answer is not JSON", format!("{e}: {text:.300}")))?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let error = value
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown error");
    let message = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Err(fail(status, error, message))
}

pub(crate) fn element_id(value: &Value) -> Option<String> {
    value
        .get(ELEMENT_KEY)
        .and_then(Value::as_str)
        .map(str::to_owned)
}
