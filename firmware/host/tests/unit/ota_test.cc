#include <stdio.h>

#include "../support/base64.h"
#include "../support/check.h"
#include "../support/ed25519_sign.h"
#include "../support/fake_http.h"
#include "../support/fakes.h"
#include "teddy/crypto.h"
#include "teddy/encoding.h"
#include "teddy/ota.h"

using namespace teddy;

namespace {

constexpr size_t kImageSize = 150000;  // three ranged requests of 64 KiB
uint8_t g_image[kImageSize];
const uint8_t kSeed[32] = {42, 1, 2, 3};     // the release key (test only)
const uint8_t kOtherSeed[32] = {99, 9, 9};  // someone else's

struct Slot final : FirmwareSlot {
	uint8_t data[200000];
	uint64_t size = 0;
	bool begun = false, active = false, aborted = false;
	size_t capacity() const override { return sizeof data; }
	bool begin(uint64_t n) override {
		memset(data, 0xff, sizeof data);
		size = n;
		begun = true;
		return true;
	}
	bool write(uint64_t offset, Bytes b) override {
		if (offset + b.size > sizeof data) return false;
		memcpy(data + offset, b.data, b.size);
		return true;
	}
	bool activate() override { return active = true; }
	void abort() override { aborted = true; }
};

struct Rig {
	fakes::Http http;
	fakes::Clock clock;
	fakes::Random random;
	Identity id{"Teddy-ESP32-001", "c1", "teddy-s3", "1.4.0", {}};
	DeviceApi api{http, clock, random, id, "http://gw"};
	Slot slot;
	uint8_t pub[32];
	char manifest[700];
	OtaClient ota;

	Rig() : ota(api, slot, (testing::ed25519_public_key(kSeed, pub), pub)) {
		for (size_t i = 0; i < kImageSize; ++i) g_image[i] = static_cast<uint8_t>(i * 31 + (i >> 8));
		http.image = g_image;
		http.image_size = kImageSize;
		sign_manifest("2.0.0", kSeed, kImageSize);
		http.route("GET", "http://gw/api/v1/esp32/firmware?", 200, manifest);
	}

	void sign_manifest(const char* version, const uint8_t seed[32], size_t size) {
		uint8_t digest[32], sig[64];
		sha256(g_image, kImageSize, digest);
		testing::ed25519_sign(seed, digest, 32, sig);
		char digest_hex[65], sig_b64[100];
		hex_encode(digest, 32, digest_hex);
		testing::base64_encode(sig, 64, sig_b64);
		snprintf(manifest, sizeof manifest,
		         R"({"version":"%s","url":"%s","size":%u,"sha256":"%s","signature":"%s","force":false})", version,
		         http.image_url, static_cast<unsigned>(size), digest_hex, sig_b64);
	}

	OtaError check_and_install() {
		Manifest m;
		OtaError e = ota.check(&m);
		return e == OtaError::None ? ota.install(m) : e;
	}
};

}  // namespace

TEST(check_asks_with_version_model_and_a_device_token) {
	Rig r;
	Manifest m;
	CHECK(r.ota.check(&m) == OtaError::None);
	CHECK_STR(Str(r.http.log[0].url), "http://gw/api/v1/esp32/firmware?version=1.4.0&model=teddy-s3");
	CHECK(Str(r.http.log[0].authorization).starts_with("Bearer v2."));
	CHECK_STR(Str(m.version), "2.0.0");
	CHECK_EQ(m.size, kImageSize);
	CHECK(!m.force);
}

TEST(same_or_older_version_is_not_installed) {
	Rig r;
	r.sign_manifest("1.4.0", kSeed, kImageSize);
	Manifest m;
	CHECK(r.ota.check(&m) == OtaError::NoUpdate);
	r.sign_manifest("1.3.9", kSeed, kImageSize);
	CHECK(r.ota.check(&m) == OtaError::Downgrade);
	CHECK(r.ota.install(m) == OtaError::Downgrade);
	CHECK(!r.slot.begun);
}

TEST(good_image_downloads_in_ranges_verifies_and_activates) {
	Rig r;
	CHECK(r.check_and_install() == OtaError::None);
	CHECK(r.slot.active);
	CHECK(memcmp(r.slot.data, g_image, kImageSize) == 0);
	CHECK_EQ(r.http.count(".bin"), 3);
	CHECK_STR(Str(r.http.log[1].range), "bytes=0-65535");
	CHECK_STR(Str(r.http.log[3].range), "bytes=131072-149999");
}

TEST(tampered_image_is_refused_and_never_activated) {
	Rig r;
	g_image[77777] ^= 0x01;  // after the manifest was signed: one flipped bit in transit
	r.http.image = g_image;
	Manifest m;
	CHECK(r.ota.check(&m) == OtaError::None);
	g_image[77777] ^= 0x01;
	static uint8_t evil[kImageSize];
	memcpy(evil, g_image, kImageSize);
	evil[77777] ^= 0x01;
	r.http.image = evil;
	CHECK(r.ota.install(m) == OtaError::DigestMismatch);
	CHECK(!r.slot.active);
	CHECK(r.slot.aborted);
}

TEST(image_signed_by_another_key_is_refused) {
	Rig r;
	r.sign_manifest("2.0.0", kOtherSeed, kImageSize);  // digest right, signature not ours
	CHECK(r.check_and_install() == OtaError::BadSignature);
	CHECK(!r.slot.active);
	CHECK(r.slot.aborted);
}

TEST(dropped_connection_resumes_from_what_arrived) {
	Rig r;
	r.http.drop_after_bytes = 10000;  // the first piece breaks off
	CHECK(r.check_and_install() == OtaError::None);
	CHECK(r.slot.active);
	CHECK(memcmp(r.slot.data, g_image, kImageSize) == 0);
	CHECK_STR(Str(r.http.log[2].range), "bytes=10000-75535");
	CHECK_EQ(r.ota.downloaded(), kImageSize);  // nothing fetched twice
}

TEST(server_that_ignores_range_still_works) {
	Rig r;
	r.http.honour_range = false;
	CHECK(r.check_and_install() == OtaError::None);
	CHECK(r.slot.active);
	CHECK_EQ(r.http.count(".bin"), 1);
}

TEST(error_page_never_reaches_flash) {
	Rig r;
	r.http.image_status = 404;
	CHECK(r.check_and_install() == OtaError::Network);
	CHECK(!r.slot.active);
	CHECK_EQ(r.slot.data[0], 0xff);  // untouched since begin()
}

TEST(size_that_disagrees_or_does_not_fit_is_refused) {
	Rig r;
	r.sign_manifest("2.0.0", kSeed, kImageSize + 10);  // the image is shorter than announced
	CHECK(r.check_and_install() == OtaError::SizeMismatch);
	CHECK(!r.slot.active);
	Rig big;
	big.sign_manifest("2.0.0", kSeed, 300000);
	CHECK(big.check_and_install() == OtaError::TooLarge);
}

TEST(malformed_manifests_are_refused) {
	Manifest m;
	CHECK(parse_manifest(R"({"version":"2.0.0"})", &m) == OtaError::BadManifest);
	CHECK(parse_manifest(R"({"version":"2","url":"u","size":5,"sha256":"zz","signature":"AAAA"})", &m) == OtaError::BadManifest);
	CHECK(parse_manifest("not json", &m) == OtaError::BadManifest);
}

TEST(versions_compare_numerically) {
	CHECK(compare_versions("1.10.0", "1.9.9") > 0);
	CHECK(compare_versions("1.2", "1.2.0") == 0);
	CHECK(compare_versions("v2.0.0", "1.99") > 0);
	CHECK(compare_versions("1.2.3-rc1", "1.2.3") == 0);
	CHECK(compare_versions("0.9", "1.0") < 0);
}

TEST_MAIN()
