//! PROTOCOL.md §1 test vectors (shared with the gateway and the firmware) plus
//! the edge cases around them.

use serde_json::Value;
use teddy_core::{TokenVerifier, Verified};

const VECTORS: &str = include_str!("../../../test/vectors/auth.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("auth.json parses")
}

fn verifier(v: &Value) -> TokenVerifier {
    TokenVerifier::new(v["secret"].as_str().unwrap()).unwrap()
}

fn cases(v: &Value) -> &Vec<Value> {
    let cases = v["cases"].as_array().unwrap();
    assert!(!cases.is_empty(), "auth.json has no cases");
    cases
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn token_accepts_every_legacy_vector() {
    let v = vectors();
    let tv = verifier(&v);
    for c in cases(&v) {
        let id = c["device_id"].as_str().unwrap();
        assert_eq!(
            tv.verify(id, c["legacy_token"].as_str().unwrap()),
            Some(Verified::Legacy),
            "{id}"
        );
    }
}

#[test]
fn token_accepts_every_v2_vector_with_its_ts_and_nonce() {
    let v = vectors();
    let tv = verifier(&v);
    for c in cases(&v) {
        let id = c["device_id"].as_str().unwrap();
        let want = Verified::V2 {
            ts: c["v2"]["ts"].as_i64().unwrap(),
            nonce: c["v2"]["nonce"].as_str().unwrap().to_owned(),
        };
        assert_eq!(
            tv.verify(id, c["v2"]["token"].as_str().unwrap()),
            Some(want),
            "{id}"
        );
    }
}

#[test]
fn token_device_key_matches_vectors() {
    let v = vectors();
    let tv = verifier(&v);
    for c in cases(&v) {
        let id = c["device_id"].as_str().unwrap();
        assert_eq!(
            hex(&tv.device_key(id)),
            c["device_key_hex"].as_str().unwrap(),
            "{id}"
        );
    }
}

#[test]
fn token_rejects_every_must_reject_vector() {
    let v = vectors();
    let tv = verifier(&v);
    let rejects = v["must_reject"].as_array().unwrap();
    assert!(!rejects.is_empty());
    for r in rejects {
        let (id, token) = (
            r["device_id"].as_str().unwrap(),
            r["token"].as_str().unwrap(),
        );
        assert_eq!(tv.verify(id, token), None, "{}", r["why"]);
    }
}

#[test]
fn token_rejects_legacy_token_of_another_device() {
    let v = vectors();
    let tv = verifier(&v);
    let cs = cases(&v);
    for (i, c) in cs.iter().enumerate() {
        let other = &cs[(i + 1) % cs.len()];
        let id = other["device_id"].as_str().unwrap();
        assert_eq!(tv.verify(id, c["legacy_token"].as_str().unwrap()), None);
    }
}

#[test]
fn token_rejects_wrong_secret() {
    let v = vectors();
    let tv = TokenVerifier::new("not-the-fleet-secret").unwrap();
    for c in cases(&v) {
        let id = c["device_id"].as_str().unwrap();
        assert_eq!(tv.verify(id, c["legacy_token"].as_str().unwrap()), None);
        assert_eq!(tv.verify(id, c["v2"]["token"].as_str().unwrap()), None);
    }
}

#[test]
fn token_rejects_wrong_lengths_and_uppercase() {
    let v = vectors();
    let tv = verifier(&v);
    let c = &cases(&v)[0];
    let id = c["device_id"].as_str().unwrap();
    let legacy = c["legacy_token"].as_str().unwrap();
    assert_eq!(tv.verify(id, &legacy[..63]), None);
    assert_eq!(tv.verify(id, &format!("{legacy}0")), None);
    assert_eq!(tv.verify(id, &format!("{legacy}00")), None);
    assert_eq!(tv.verify(id, &legacy.to_uppercase()), None);
    assert_eq!(tv.verify(id, ""), None);
    assert_eq!(tv.verify("", legacy), None);

    let v2 = c["v2"]["token"].as_str().unwrap();
    assert_eq!(tv.verify(id, &format!("{v2}0")), None, "long signature");
    assert_eq!(tv.verify(id, &format!("{v2}.00")), None, "extra field");
    assert_eq!(
        tv.verify(id, &v2.replacen("v2.", "V2.", 1)),
        None,
        "prefix case"
    );
    assert_eq!(
        tv.verify(id, &v2.replacen("v2.", "v3.", 1)),
        None,
        "other version"
    );
}

/// Signs a v2 token the way the firmware does, using the vector-checked device key.
fn sign_v2(tv: &TokenVerifier, id: &str, ts: &str, nonce: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&tv.device_key(id)).unwrap();
    mac.update(format!("v2|{id}|{ts}|{nonce}").as_bytes());
    format!("v2.{ts}.{nonce}.{}", hex(&mac.finalize().into_bytes()))
}

#[test]
fn token_nonce_length_bounds() {
    let v = vectors();
    let tv = verifier(&v);
    let id = "Teddy-ESP32-001";
    for (len, ok) in [(15, false), (16, true), (32, true), (33, false)] {
        let nonce = "a".repeat(len);
        let got = tv.verify(id, &sign_v2(&tv, id, "1767225600", &nonce));
        assert_eq!(got.is_some(), ok, "nonce of {len} chars");
    }
    assert_eq!(
        tv.verify(id, &sign_v2(&tv, id, "1767225600", &"A".repeat(16))),
        None,
        "uppercase nonce"
    );
    assert_eq!(
        tv.verify(id, &sign_v2(&tv, id, "1767225600", &"g".repeat(16))),
        None,
        "non-hex nonce"
    );
}

#[test]
fn token_ts_form() {
    let v = vectors();
    let tv = verifier(&v);
    let id = "Teddy-ESP32-001";
    let nonce = "9f86d081884c7d65";
    for (ts, want) in [
        ("0", Some(0)),
        ("999999999999", Some(999_999_999_999)),
        ("1767225600", Some(1_767_225_600)),
    ] {
        let got = tv.verify(id, &sign_v2(&tv, id, ts, nonce));
        assert_eq!(
            got,
            want.map(|ts| Verified::V2 {
                ts,
                nonce: nonce.into()
            }),
            "ts {ts}"
        );
    }
    for ts in ["", "1000000000000", "-1", "+1", " 1", "1e9", "１"] {
        assert_eq!(
            tv.verify(id, &sign_v2(&tv, id, ts, nonce)),
            None,
            "ts {ts:?}"
        );
    }
}

#[test]
fn token_verifier_takes_a_secret_of_any_length() {
    for secret in ["", "k", &"s".repeat(64), &"long".repeat(1000)] {
        let tv = TokenVerifier::new(secret).unwrap();
        assert_eq!(
            tv.verify("bear", "v2.1.00112233445566778899aabbccddeeff.00"),
            None
        );
    }
}
