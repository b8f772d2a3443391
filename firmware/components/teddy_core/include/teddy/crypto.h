#pragma once
// Hashes, HMAC and Ed25519 verification. SHA-256/512 are Mbed TLS (ESP-IDF's own, hardware
// accelerated, on the device; the same library's portable C on the host and in the rv32 tests);
// Ed25519 is Monocypher's curve code over that SHA-512. Nothing here allocates.
#include "mbedtls/sha256.h"
#include "teddy/view.h"

namespace teddy {

constexpr size_t kSha256Bytes = 32;

class Sha256 {
public:
	Sha256();
	~Sha256();
	Sha256(const Sha256&) = delete;
	Sha256& operator=(const Sha256&) = delete;
	void reset();
	void update(const void* data, size_t n);
	void finish(uint8_t out[kSha256Bytes]);

private:
	mbedtls_sha256_context ctx_;
};

void sha256(const void* data, size_t n, uint8_t out[kSha256Bytes]);

// HMAC-SHA256 of the concatenation of `parts` (so callers need not join them into a buffer).
void hmac_sha256(Bytes key, const Bytes* parts, size_t n_parts, uint8_t out[kSha256Bytes]);
inline void hmac_sha256(Bytes key, Bytes msg, uint8_t out[kSha256Bytes]) { hmac_sha256(key, &msg, 1, out); }

// Ed25519 (RFC 8032) signature check.
bool ed25519_verify(const uint8_t signature[64], const uint8_t public_key[32], Bytes message);

// Compares without an early exit, so timing says nothing about where two MACs differ.
bool equal_constant_time(const uint8_t* a, const uint8_t* b, size_t n);

// Overwrites secrets so they do not linger on the stack.
void wipe(void* p, size_t n);

}  // namespace teddy
