//! Device token checks (PROTOCOL.md §1): form and HMAC only.
//!
//! Freshness (the ±120 s window, nonce replay, whether legacy tokens are
//! allowed) is policy and lives in the gateway, which knows the clock and Redis.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const SIG_HEX_LEN: usize = 64;
const TS_MAX_DIGITS: usize = 12;
const NONCE_MIN: usize = 16;
const NONCE_MAX: usize = 32;

/// What a token proved about the device. The caller decides whether that is
/// enough (legacy tokens are static and replayable; v2 needs a freshness check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    Legacy,
    V2 { ts: i64, nonce: String },
}

/// The fleet secret could not key HMAC-SHA256 (HMAC takes keys of any length: not seen in practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSecret;

impl std::fmt::Display for InvalidSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the fleet secret cannot key HMAC-SHA256")
    }
}

impl std::error::Error for InvalidSecret {}

/// Verifies tokens against the fleet secret. Build once per secret: the keyed
/// HMAC state (inner/outer pads) is computed here and cloned per check.
#[derive(Clone)]
pub struct TokenVerifier {
    keyed: HmacSha256,
}

impl TokenVerifier {
    /// `secret` is used as the HMAC key as its UTF-8 text (the 64 hex characters
    /// themselves, not their decoded bytes), as the seed firmware does.
    ///
    /// HMAC takes keys of any length, so the error is never seen in practice; it is returned rather
    /// than unwrapped because this is called with whatever text JS hands the binding.
    pub fn new(secret: &str) -> Result<Self, InvalidSecret> {
        let keyed = HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| InvalidSecret)?;
        Ok(Self { keyed })
    }

    /// The per-device key burned into each toy: HMAC(secret, "teddy-device-key|" + id).
    pub fn device_key(&self, device_id: &str) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(b"teddy-device-key|");
        mac.update(device_id.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Checks the token's form and signature for `device_id`; `None` on any mismatch.
    /// The signature comparison is constant time (`Mac::verify_slice`).
    pub fn verify(&self, device_id: &str, token: &str) -> Option<Verified> {
        // An empty id would give every deployment one shared, guessable identity.
        if device_id.is_empty() {
            return None;
        }
        match token.strip_prefix("v2.") {
            Some(rest) => self.verify_v2(device_id, rest),
            None => self.verify_legacy(device_id, token),
        }
    }

    fn verify_legacy(&self, device_id: &str, token: &str) -> Option<Verified> {
        let sig = decode_lower_hex_32(token)?;
        let mut mac = self.keyed.clone();
        mac.update(device_id.as_bytes());
        mac.verify_slice(&sig).ok().map(|()| Verified::Legacy)
    }

    fn verify_v2(&self, device_id: &str, rest: &str) -> Option<Verified> {
        let mut parts = rest.split('.');
        let (ts_text, nonce, sig_hex) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let ts = parse_ts(ts_text)?;
        if !(NONCE_MIN..=NONCE_MAX).contains(&nonce.len()) || !is_lower_hex(nonce) {
            return None;
        }
        let sig = decode_lower_hex_32(sig_hex)?;

        let device_key = self.device_key(device_id);
        let mut mac = HmacSha256::new_from_slice(&device_key).ok()?;
        // The signed text is exactly the token's own ts/nonce text, so the
        // signer and this check never disagree about number formatting.
        for piece in [
            b"v2|".as_slice(),
            device_id.as_bytes(),
            b"|",
            ts_text.as_bytes(),
            b"|",
            nonce.as_bytes(),
        ] {
            mac.update(piece);
        }
        mac.verify_slice(&sig).ok()?;
        Some(Verified::V2 {
            ts,
            nonce: nonce.to_owned(),
        })
    }
}

/// 1..=12 ASCII digits (unix seconds until the year 33658); no sign, no spaces.
fn parse_ts(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > TS_MAX_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Lowercase is the only canonical form; accepting uppercase would make two
/// spellings of one token, which breaks nonce/token de-duplication downstream.
fn is_lower_hex(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn decode_lower_hex_32(text: &str) -> Option<[u8; 32]> {
    if text.len() != SIG_HEX_LEN {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

fn nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}
