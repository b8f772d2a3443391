#include "../support/check.h"
#include "../support/ed25519_sign.h"
#include "teddy/crypto.h"
#include "teddy/encoding.h"

using namespace teddy;

static Str hex_of(const uint8_t* b, size_t n, char* buf) {
	hex_encode(b, n, buf);
	return Str(buf, 2 * n);
}

TEST(sha256_matches_fips_180_vectors) {
	uint8_t d[32];
	char buf[65];
	sha256("abc", 3, d);
	CHECK_STR(hex_of(d, 32, buf), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256("", 0, d);
	CHECK_STR(hex_of(d, 32, buf), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	// Streaming in odd pieces gives the one-shot digest.
	const char* m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	Sha256 h;
	for (size_t i = 0; i < strlen(m); i += 7) h.update(m + i, strlen(m) - i < 7 ? strlen(m) - i : 7);
	h.finish(d);
	CHECK_STR(hex_of(d, 32, buf), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(hmac_sha256_matches_rfc_4231) {
	uint8_t key[20];
	memset(key, 0x0b, sizeof key);
	uint8_t mac[32];
	char buf[65];
	hmac_sha256(Bytes(key, sizeof key), Str("Hi There").bytes(), mac);
	CHECK_STR(hex_of(mac, 32, buf), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	// Case 6: a key longer than the block is hashed first.
	uint8_t long_key[131];
	memset(long_key, 0xaa, sizeof long_key);
	hmac_sha256(Bytes(long_key, sizeof long_key), Str("Test Using Larger Than Block-Size Key - Hash Key First").bytes(), mac);
	CHECK_STR(hex_of(mac, 32, buf), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	// Parts concatenate.
	Bytes parts[2] = {Str("Hi ").bytes(), Str("There").bytes()};
	hmac_sha256(Bytes(key, sizeof key), parts, 2, mac);
	CHECK_STR(hex_of(mac, 32, buf), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(ed25519_verifies_rfc_8032_vectors) {
	uint8_t pub[32], sig[64];
	CHECK(hex_decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pub, 32));
	CHECK(hex_decode("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", sig, 64));
	CHECK(ed25519_verify(sig, pub, Bytes()));
	CHECK(hex_decode("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", pub, 32));
	CHECK(hex_decode("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", sig, 64));
	uint8_t msg[1] = {0x72};
	CHECK(ed25519_verify(sig, pub, Bytes(msg, 1)));
	msg[0] ^= 1;
	CHECK(!ed25519_verify(sig, pub, Bytes(msg, 1)));
}

TEST(ed25519_test_signer_matches_rfc_8032) {
	uint8_t seed[32], pub[32], sig[64];
	char buf[129];
	CHECK(hex_decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", seed, 32));
	testing::ed25519_public_key(seed, pub);
	CHECK_STR(hex_of(pub, 32, buf), "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
	uint8_t msg[1] = {0x72};
	testing::ed25519_sign(seed, msg, 1, sig);
	CHECK_STR(hex_of(sig, 64, buf), "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
}

TEST(ed25519_rejects_a_signature_with_a_flipped_bit_anywhere) {
	uint8_t seed[32] = {7}, pub[32], sig[64];
	testing::ed25519_public_key(seed, pub);
	const char* m = "firmware digest";
	testing::ed25519_sign(seed, reinterpret_cast<const uint8_t*>(m), strlen(m), sig);
	CHECK(ed25519_verify(sig, pub, Str(m).bytes()));
	for (int byte = 0; byte < 64; byte += 9) {
		sig[byte] ^= 0x10;
		CHECK(!ed25519_verify(sig, pub, Str(m).bytes()));
		sig[byte] ^= 0x10;
	}
}

TEST_MAIN()
