// The gateway's side of OTA and config (PROTOCOL.md §2): GET /api/v1/esp32/config with ETag/304,
// GET /api/v1/esp32/firmware?model=&version=, and GET /api/v1/esp32/firmware/{model}/{version}.bin
// with Range, against the real gateway process. The gateway is configured with the test release
// key (FIRMWARE_PUBLIC_KEYS) and a release is published the way an operator does it
// (test/support/publish-firmware.ts: an operator account, then PUT /api/v1/operator/firmware/…).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../../platform/board.h"
#include "../../platform/gateway_process.h"
#include "../../platform/http_client.h"
#include "../support/base64.h"
#include "../support/check.h"
#include "../support/ed25519_sign.h"
#include "teddy/crypto.h"
#include "teddy/encoding.h"
#include "teddy/ota.h"
#include "teddy/remote_config.h"

using namespace teddy;

namespace {

const std::string kRepo = TEDDY_REPO_ROOT;
const uint8_t kReleaseSeed[32] = {0x5e, 0xed, 7};  // test release key; its public half is "provisioned" below

struct MemorySlot final : FirmwareSlot {
	std::vector<uint8_t> data;
	bool active = false;
	size_t capacity() const override { return 4 << 20; }
	bool begin(uint64_t n) override {
		data.assign(n, 0xff);
		return true;
	}
	bool write(uint64_t off, Bytes b) override {
		if (off + b.size > data.size()) return false;
		std::copy(b.data, b.data + b.size, data.begin() + static_cast<long>(off));
		return true;
	}
	bool activate() override { return active = true; }
	void abort() override {}
};

// Makes `image` (signed: `signature_b64` over its SHA-256) the gateway's offer for `model` at
// `version`, to every toy (100 % rollout), through the operator API.
bool publish_firmware(host::GatewayProcess& gw, const std::string& model, const std::string& version,
                      const std::vector<uint8_t>& image, const std::string& signature_b64) {
	const std::string path = gw.data_dir() + "/upload-" + version + ".bin";
	{
		std::ofstream f(path, std::ios::binary);
		f.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
		if (!f) return false;
	}
	const std::string cmd = "cd '" + kRepo + "' && bun test/support/publish-firmware.ts '" + gw.http_url() + "' '" + gw.database_url() + "' '" +
	                        gw.data_dir() + "' '" + model + "' '" + version + "' '" + path + "' '" + signature_b64 + "'";
	int rc = std::system(cmd.c_str());
	std::remove(path.c_str());
	return rc == 0;
}

// The release key's public half in hex, for the gateway's FIRMWARE_PUBLIC_KEYS.
std::string release_public_key_hex() {
	uint8_t pub[32];
	testing::ed25519_public_key(kReleaseSeed, pub);
	char hex[65];
	hex_encode(pub, sizeof pub, hex);
	return std::string(hex, 64);
}

struct World {
	host::TestDatabase db;
	std::unique_ptr<host::GatewayProcess> gateway;
	host::HttpClient http;
	host::Clock clock;
	host::Random random;
	Identity id{"fw-ota-host", "c1", "teddy-host", "1.0.0", {}};
	std::unique_ptr<DeviceApi> api;

	bool up() {
		if (!db.ok()) return false;
		gateway = std::make_unique<host::GatewayProcess>(kRepo, db.url());
		gateway->add_env("FIRMWARE_PUBLIC_KEYS=" + release_public_key_hex());
		if (!gateway->start()) return false;
		derive_device_key(host::kTestSecret, id.device_id, &id.key);
		api = std::make_unique<DeviceApi>(http, clock, random, id, gateway->http_url().c_str());
		return true;
	}
};

}  // namespace

TEST(config_fetch_uses_the_etag) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	host::Storage storage;
	RemoteConfig cfg(*w.api, storage);
	CHECK(cfg.fetch() == ConfigResult::Fresh);
	CHECK(!cfg.etag().empty());
	char url[192];
	CHECK(cfg.websocket_url(url, sizeof url));
	CHECK(cfg.fetch() == ConfigResult::Unchanged);  // If-None-Match → 304
}

TEST(ota_update_served_by_the_gateway_installs_and_tampering_is_refused) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	std::vector<uint8_t> image(300 * 1024);
	for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(i * 7 + (i >> 10));
	uint8_t digest[32], sig[64], pub[32];
	sha256(image.data(), image.size(), digest);
	testing::ed25519_sign(kReleaseSeed, digest, 32, sig);
	testing::ed25519_public_key(kReleaseSeed, pub);
	char sig_b64[89];
	testing::base64_encode(sig, 64, sig_b64);
	CHECK(publish_firmware(*w.gateway, w.id.model, "2.0.0", image, sig_b64));

	MemorySlot slot;
	OtaClient ota(*w.api, slot, pub);
	Manifest m;
	CHECK(ota.check(&m) == OtaError::None);
	CHECK_STR(Str(m.version), "2.0.0");
	CHECK(ota.install(m) == OtaError::None);
	CHECK(slot.active);
	CHECK(slot.data == image);
	CHECK(ota.requests() >= 1 + image.size() / OtaClient::kChunkBytes);  // ranged, not one blob

	// The same release checked with another key is refused and never activated.
	uint8_t other[32];
	const uint8_t other_seed[32] = {1};
	testing::ed25519_public_key(other_seed, other);
	MemorySlot slot2;
	OtaClient wrong_key(*w.api, slot2, other);
	CHECK(wrong_key.check(&m) == OtaError::None);
	CHECK(wrong_key.install(m) == OtaError::BadSignature);
	CHECK(!slot2.active);
}

TEST_MAIN()
