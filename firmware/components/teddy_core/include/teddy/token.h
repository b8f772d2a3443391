#pragma once
// Device identity and v2 tokens (PROTOCOL.md §1). The toy holds only its own 32-byte device key
// (provisioned into encrypted NVS at the factory); the fleet secret never leaves the server.
#include "teddy/view.h"

namespace teddy {

constexpr size_t kDeviceKeyBytes = 32;
constexpr size_t kMaxDeviceIdChars = 64;
// "v2." + ts (≤ 20 digits) + "." + nonce (≤ 32) + "." + sig (64) + NUL
constexpr size_t kMaxTokenChars = 3 + 20 + 1 + 32 + 1 + 64 + 1;

struct DeviceKey {
	uint8_t bytes[kDeviceKeyBytes];
};

// 1–64 characters of A–Z a–z 0–9 : _ . -
bool valid_device_id(Str id);

// device_key = HMAC_SHA256(key = secret as text, msg = "teddy-device-key|" + device_id).
// For the factory tool and tests: a toy never sees the secret.
void derive_device_key(Str fleet_secret, Str device_id, DeviceKey* out);

// "v2.<ts>.<nonce>.<sig>" into `out` (kMaxTokenChars), NUL-terminated; returns its length, or 0
// when the id or the nonce (16–32 lowercase hex) is invalid.
size_t make_v2_token(Str device_id, const DeviceKey& key, uint64_t unix_seconds, Str nonce_hex, char* out);

// Canonical form and signature, checked the way the gateway checks them (not the time window or
// replay, which only the server can judge). Lets a toy self-test its provisioned key.
bool check_v2_token(Str device_id, const DeviceKey& key, Str token);

// The activation answer to a check-in challenge: hex(HMAC_SHA256(device_key, challenge)), 64 chars + NUL.
void activation_hmac(const DeviceKey& key, Str challenge, char out[65]);

}  // namespace teddy
