#include "ed25519_sign.h"

#include <string.h>

#include "mbedtls/sha512.h"
#include "monocypher.h"

// The signing half of RFC 8032 with Monocypher's EdDSA primitives and Mbed TLS SHA-512, the
// same construction as Monocypher's optional monocypher-ed25519.c.
namespace testing {
namespace {

void sha512_parts(uint8_t out[64], const uint8_t* a, size_t an, const uint8_t* b, size_t bn, const uint8_t* c, size_t cn) {
	mbedtls_sha512_context ctx;
	mbedtls_sha512_init(&ctx);
	mbedtls_sha512_starts_ret(&ctx, 0);
	mbedtls_sha512_update_ret(&ctx, a, an);
	if (bn) mbedtls_sha512_update_ret(&ctx, b, bn);
	if (cn) mbedtls_sha512_update_ret(&ctx, c, cn);
	mbedtls_sha512_finish_ret(&ctx, out);
	mbedtls_sha512_free(&ctx);
}

void expand(const uint8_t seed[32], uint8_t a[64]) {
	sha512_parts(a, seed, 32, nullptr, 0, nullptr, 0);
	crypto_eddsa_trim_scalar(a, a);
}

}  // namespace

void ed25519_public_key(const uint8_t seed[32], uint8_t public_key[32]) {
	uint8_t a[64];
	expand(seed, a);
	crypto_eddsa_scalarbase(public_key, a);
}

void ed25519_sign(const uint8_t seed[32], const uint8_t* message, size_t n, uint8_t signature[64]) {
	uint8_t a[64], hash[64], r[32], h[32], R[32], pub[32];
	expand(seed, a);
	crypto_eddsa_scalarbase(pub, a);
	sha512_parts(hash, a + 32, 32, message, n, nullptr, 0);
	crypto_eddsa_reduce(r, hash);
	crypto_eddsa_scalarbase(R, r);
	sha512_parts(hash, R, 32, pub, 32, message, n);
	crypto_eddsa_reduce(h, hash);
	memcpy(signature, R, 32);
	crypto_eddsa_mul_add(signature + 32, h, a, r);
}

}  // namespace testing
