#include "../support/check.h"
#include "teddy/encoding.h"
#include "teddy/json.h"
#include "teddy/token.h"

using namespace teddy;

// test/vectors/auth.json, embedded at build time (the rv32 run has no file system).
extern const char kAuthVectors[];

static JsonValue vectors() { return json_parse(Str(kAuthVectors)); }

static bool string_of(JsonValue v, char* out, size_t cap) { return v.to_string(out, cap); }

TEST(vectors_file_parses_and_has_cases) {
	JsonValue doc = vectors();
	CHECK(doc.valid());
	CHECK(doc.get("cases").count() >= 3);
	CHECK(doc.get("must_reject").count() >= 4);
}

TEST(device_key_matches_every_vector) {
	JsonValue doc = vectors();
	char secret[80], id[80], want[80], got[65];
	CHECK(string_of(doc.get("secret"), secret, sizeof secret));
	JsonValue cases = doc.get("cases");
	for (size_t i = 0; i < cases.count(); ++i) {
		CHECK(string_of(cases.at(i).get("device_id"), id, sizeof id));
		CHECK(string_of(cases.at(i).get("device_key_hex"), want, sizeof want));
		DeviceKey key;
		derive_device_key(Str(secret), Str(id), &key);
		hex_encode(key.bytes, 32, got);
		CHECK_STR(Str(got), Str(want));
	}
}

TEST(v2_token_matches_every_vector) {
	JsonValue doc = vectors();
	JsonValue cases = doc.get("cases");
	for (size_t i = 0; i < cases.count(); ++i) {
		JsonValue c = cases.at(i);
		char id[80], key_hex[80], nonce[40], want[kMaxTokenChars];
		CHECK(string_of(c.get("device_id"), id, sizeof id));
		CHECK(string_of(c.get("device_key_hex"), key_hex, sizeof key_hex));
		CHECK(string_of(c.path("v2.nonce"), nonce, sizeof nonce));
		CHECK(string_of(c.path("v2.token"), want, sizeof want));
		int64_t ts = 0;
		CHECK(c.path("v2.ts").to_int(&ts));
		DeviceKey key;
		CHECK(hex_decode(Str(key_hex), key.bytes, 32));
		char token[kMaxTokenChars];
		size_t n = make_v2_token(Str(id), key, static_cast<uint64_t>(ts), Str(nonce), token);
		CHECK_STR(Str(token, n), Str(want));
		CHECK(check_v2_token(Str(id), key, Str(want)));
	}
}

TEST(must_reject_vectors_are_rejected) {
	JsonValue doc = vectors();
	char secret[80];
	CHECK(string_of(doc.get("secret"), secret, sizeof secret));
	JsonValue bad = doc.get("must_reject");
	for (size_t i = 0; i < bad.count(); ++i) {
		char id[80], token[200], why[120];
		CHECK(string_of(bad.at(i).get("device_id"), id, sizeof id));
		CHECK(string_of(bad.at(i).get("token"), token, sizeof token));
		CHECK(string_of(bad.at(i).get("why"), why, sizeof why));
		DeviceKey key;
		derive_device_key(Str(secret), Str(id), &key);
		if (check_v2_token(Str(id), key, Str(token))) printf("  accepted although: %s\n", why);
		CHECK(!check_v2_token(Str(id), key, Str(token)));
	}
}

TEST(token_refuses_bad_ids_and_nonces) {
	DeviceKey key = {};
	char token[kMaxTokenChars];
	CHECK_EQ(make_v2_token("bad id", key, 1, "9f86d081884c7d65", token), 0);
	CHECK_EQ(make_v2_token("", key, 1, "9f86d081884c7d65", token), 0);
	CHECK_EQ(make_v2_token("toy", key, 1, "9f86d08", token), 0);             // nonce too short
	CHECK_EQ(make_v2_token("toy", key, 1, "9F86D081884C7D65", token), 0);    // not lowercase
	CHECK(make_v2_token("toy", key, 1, "9f86d081884c7d659f86d081884c7d65", token) > 0);  // 32 is the maximum
	CHECK_EQ(make_v2_token("toy", key, 1, "9f86d081884c7d659f86d081884c7d650", token), 0);
}

TEST(activation_hmac_is_hmac_of_the_challenge_with_the_device_key) {
	// Same construction the gateway checks at /xiaozhi/ota/activate (RFC 4231 case 2 as a known answer).
	DeviceKey key = {};
	memcpy(key.bytes, "Jefe", 4);  // zero-padded: HMAC pads short keys with zeros anyway
	char out[65];
	activation_hmac(key, "what do ya want for nothing?", out);
	CHECK_STR(Str(out), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_MAIN()
