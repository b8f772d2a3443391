#include "teddy/crypto.h"

#include "mbedtls/sha512.h"
#include "monocypher.h"

// ? Mbed TLS 2.28 (vendored for host/rv32) names the calls *_ret; 3.x (ESP-IDF 5) dropped the suffix.
#if defined(TEDDY_MBEDTLS_2)
#define SHA256_STARTS mbedtls_sha256_starts_ret
#define SHA256_UPDATE mbedtls_sha256_update_ret
#define SHA256_FINISH mbedtls_sha256_finish_ret
#define SHA512_STARTS mbedtls_sha512_starts_ret
#define SHA512_UPDATE mbedtls_sha512_update_ret
#define SHA512_FINISH mbedtls_sha512_finish_ret
#else
#define SHA256_STARTS mbedtls_sha256_starts
#define SHA256_UPDATE mbedtls_sha256_update
#define SHA256_FINISH mbedtls_sha256_finish
#define SHA512_STARTS mbedtls_sha512_starts
#define SHA512_UPDATE mbedtls_sha512_update
#define SHA512_FINISH mbedtls_sha512_finish
#endif

namespace teddy {

Sha256::Sha256() {
	mbedtls_sha256_init(&ctx_);
	SHA256_STARTS(&ctx_, 0);
}

Sha256::~Sha256() { mbedtls_sha256_free(&ctx_); }

void Sha256::reset() { SHA256_STARTS(&ctx_, 0); }

void Sha256::update(const void* data, size_t n) { SHA256_UPDATE(&ctx_, static_cast<const unsigned char*>(data), n); }

void Sha256::finish(uint8_t out[kSha256Bytes]) { SHA256_FINISH(&ctx_, out); }

void sha256(const void* data, size_t n, uint8_t out[kSha256Bytes]) {
	Sha256 h;
	h.update(data, n);
	h.finish(out);
}

// RFC 2104 over the library's SHA-256.
void hmac_sha256(Bytes key, const Bytes* parts, size_t n_parts, uint8_t out[kSha256Bytes]) {
	constexpr size_t kBlock = 64;
	uint8_t k[kBlock] = {};
	if (key.size > kBlock) {
		sha256(key.data, key.size, k);
	} else if (key.size) {
		memcpy(k, key.data, key.size);
	}
	uint8_t pad[kBlock];
	Sha256 h;
	for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
	h.update(pad, kBlock);
	for (size_t i = 0; i < n_parts; ++i) h.update(parts[i].data, parts[i].size);
	uint8_t inner[kSha256Bytes];
	h.finish(inner);
	h.reset();
	for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
	h.update(pad, kBlock);
	h.update(inner, sizeof inner);
	h.finish(out);
	wipe(k, sizeof k);
	wipe(pad, sizeof pad);
}

bool ed25519_verify(const uint8_t signature[64], const uint8_t public_key[32], Bytes message) {
	// ? Monocypher's generic EdDSA check with SHA-512 as the hash is exactly Ed25519
	// (the same construction as its optional monocypher-ed25519.c).
	uint8_t hash[64];
	uint8_t h_ram[32];
	mbedtls_sha512_context ctx;
	mbedtls_sha512_init(&ctx);
	SHA512_STARTS(&ctx, 0);
	SHA512_UPDATE(&ctx, signature, 32);
	SHA512_UPDATE(&ctx, public_key, 32);
	SHA512_UPDATE(&ctx, message.data, message.size);
	SHA512_FINISH(&ctx, hash);
	mbedtls_sha512_free(&ctx);
	crypto_eddsa_reduce(h_ram, hash);
	return crypto_eddsa_check_equation(signature, public_key, h_ram) == 0;
}

bool equal_constant_time(const uint8_t* a, const uint8_t* b, size_t n) {
	uint8_t diff = 0;
	for (size_t i = 0; i < n; ++i) diff |= a[i] ^ b[i];
	return diff == 0;
}

void wipe(void* p, size_t n) { crypto_wipe(p, n); }

}  // namespace teddy
