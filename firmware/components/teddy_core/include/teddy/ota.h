#pragma once
// Firmware updates (PROTOCOL.md §2): ask the gateway for a manifest, download the image in ranged
// pieces into the passive OTA slot (resuming after a dropped connection), hash it on the way,
// and make it bootable only if its SHA-256 and the Ed25519 signature over that digest check out
// with the public key provisioned into the toy (never fetched). No downgrades.
#include "teddy/device_api.h"

namespace teddy {

struct Manifest {
	char version[32] = {};
	char url[256] = {};
	uint64_t size = 0;
	uint8_t sha256[32] = {};
	uint8_t signature[64] = {};
	bool force = false;  // install now, even mid-conversation (else the toy waits until it is idle)
};

enum class OtaError : uint8_t {
	None,
	NoUpdate,          // nothing newer
	Network,           // the gateway could not be reached or broke off (after retries)
	BadManifest,       // missing or malformed fields
	Downgrade,         // older than the running image: refused (anti-rollback)
	TooLarge,          // does not fit the OTA slot
	SizeMismatch,      // the image was not as long as the manifest said
	DigestMismatch,    // the bytes do not hash to the manifest's sha256
	BadSignature,      // the digest is not signed by our key
	Flash,             // the slot could not be written or activated
};

const char* ota_error_name(OtaError e);

// Where the image goes: ESP-IDF's esp_ota_* on the passive partition; memory in tests.
class FirmwareSlot {
public:
	virtual size_t capacity() const = 0;
	virtual bool begin(uint64_t size) = 0;
	virtual bool write(uint64_t offset, Bytes data) = 0;
	// Makes the written image the one to boot next (ESP-IDF: esp_ota_end + set_boot_partition).
	virtual bool activate() = 0;
	virtual void abort() = 0;

protected:
	~FirmwareSlot() = default;
};

// Parses a manifest; sha256 as 64 hex chars (or base64), signature as base64 (or 128 hex chars).
OtaError parse_manifest(Str json, Manifest* out);

class OtaClient {
public:
	static constexpr size_t kChunkBytes = 64 * 1024;  // one Range request
	static constexpr int kRetries = 4;                // per chunk, then give up (the next check resumes from scratch)

	OtaClient(DeviceApi& api, FirmwareSlot& slot, const uint8_t public_key[32]);
	// GET /api/v1/esp32/firmware?version=<running>&model=<model>
	OtaError check(Manifest* out);
	// Downloads, verifies and activates. On any error the slot is left unbootable.
	OtaError install(const Manifest& m);
	uint64_t downloaded() const { return downloaded_; }
	uint32_t requests() const { return requests_; }

private:
	OtaError verify(const Manifest& m, const uint8_t digest[32]) const;
	DeviceApi& api_;
	FirmwareSlot& slot_;
	uint8_t key_[32];
	uint64_t downloaded_ = 0;
	uint32_t requests_ = 0;
};

}  // namespace teddy
