#pragma once
// Test-side Ed25519 signing (the toy only verifies): builds signed and tampered OTA images.
#include <stddef.h>
#include <stdint.h>

namespace testing {
void ed25519_public_key(const uint8_t seed[32], uint8_t public_key[32]);
void ed25519_sign(const uint8_t seed[32], const uint8_t* message, size_t n, uint8_t signature[64]);
}  // namespace testing
