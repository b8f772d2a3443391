use napi_derive::napi;
use teddy_core::Verified;

#[napi(string_enum = "lowercase")]
pub enum TokenKind {
    Legacy,
    V2,
}

/// What a token proved. `ts`/`nonce` are set for v2 tokens; the caller checks
/// the ±120 s window and nonce replay.
#[napi(object)]
pub struct VerifiedToken {
    pub kind: TokenKind,
    pub ts: Option<i64>,
    pub nonce: Option<String>,
}

/// HMAC token checks for one fleet secret (keyed state precomputed once).
#[napi]
pub struct TokenVerifier {
    inner: teddy_core::TokenVerifier,
}

#[napi]
impl TokenVerifier {
    #[napi(constructor, catch_unwind)]
    pub fn new(secret: String) -> napi::Result<Self> {
        let inner = teddy_core::TokenVerifier::new(&secret)
            .map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
        Ok(Self { inner })
    }

    /// Returns what the token proves for `deviceId`, or `null`. Constant-time compare.
    #[napi(catch_unwind)]
    pub fn verify(&self, device_id: String, token: String) -> Option<VerifiedToken> {
        Some(match self.inner.verify(&device_id, &token)? {
            Verified::Legacy => VerifiedToken {
                kind: TokenKind::Legacy,
                ts: None,
                nonce: None,
            },
            Verified::V2 { ts, nonce } => VerifiedToken {
                kind: TokenKind::V2,
                ts: Some(ts),
                nonce: Some(nonce),
            },
        })
    }
}
