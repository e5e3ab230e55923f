//! Page tokens: base64 of `{"offset": N}`, byte for byte what MLflow's own stores hand out, so a token from
//! either passes through clients unchanged. Opaque to callers; checked with a clear error when garbage.

use super::error::{Result, TrackingError};

/// Standard alphabet; padding optional (some clients strip it), trailing bits ignored.
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The token for the page that starts at `offset`.
pub fn encode(offset: u64) -> String {
    base64(format!("{{\"offset\": {offset}}}").as_bytes())
}

/// The offset a token points at; no token (or an empty one) is the first page.
pub fn decode(token: Option<&str>) -> Result<u64> {
    let Some(token) = token.filter(|t| !t.is_empty()) else { return Ok(0) };
    let bad = |reason: &str| TrackingError::InvalidPageToken { token: token.chars().take(60).collect(), reason: reason.to_string() };
    let bytes = unbase64(token.trim()).ok_or_else(|| bad("it is not base64"))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad("it does not hold JSON"))?;
    let offset = json.get("offset").ok_or_else(|| bad("it has no offset"))?;
    let n = match offset {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    n.ok_or_else(|| bad("its offset is not a whole number"))
}

fn base64(input: &[u8]) -> String {
    base64::Engine::encode(&B64, input)
}

/// None for anything that is not base64.
fn unbase64(input: &str) -> Option<Vec<u8>> {
    base64::Engine::decode(&B64, input).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_mlflow() {
        // base64.b64encode(json.dumps({"offset": 1000}).encode()) in Python.
        assert_eq!(encode(1000), "eyJvZmZzZXQiOiAxMDAwfQ==");
        for n in [0, 1, 7, 99, 1000, 123_456_789] {
            assert_eq!(decode(Some(&encode(n))).ok(), Some(n));
        }
        assert_eq!(decode(None).ok(), Some(0));
        assert!(decode(Some("not a token!")).is_err());
        assert!(decode(Some("aGVsbG8=")).is_err()); // "hello"
        assert!(decode(Some("e30=")).is_err()); // "{}"
    }
}
