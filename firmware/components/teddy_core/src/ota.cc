#include "teddy/ota.h"

#include <stdio.h>

#include "teddy/crypto.h"
#include "teddy/encoding.h"
#include "teddy/json.h"

namespace teddy {
namespace {

bool decode_fixed(JsonValue v, uint8_t* out, size_t n) {
	char text[200];
	size_t len = 0;
	if (!v.to_string(text, sizeof text, &len)) return false;
	if (len == 2 * n) return hex_decode(Str(text, len), out, n);
	uint8_t tmp[96];
	return base64_decode(Str(text, len), tmp, sizeof tmp) == static_cast<int>(n) && (memcpy(out, tmp, n), true);
}

// Streams one ranged piece of the image into the slot and the hash. Only a 206 for the offset we
// asked (or a 200 for the whole image when we asked from 0) is written: an error page or a
// misplaced range must never reach flash.
class SlotSink final : public HttpBody {
public:
	SlotSink(FirmwareSlot& slot, Sha256& hash, uint64_t offset, uint64_t limit)
	    : slot_(slot), hash_(hash), offset_(offset), limit_(limit) {}
	bool on_response(const HttpResponse& r) override {
		accepted_ = (r.status == 206 && r.range_start == offset_) || (r.status == 200 && offset_ == 0);
		return accepted_;
	}
	bool on_body(Bytes chunk) override {
		if (!accepted_) return false;
		if (offset_ + chunk.size > limit_) {
			overflow_ = true;
			return false;
		}
		if (!slot_.write(offset_, chunk)) {
			flash_error_ = true;
			return false;
		}
		hash_.update(chunk.data, chunk.size);
		offset_ += chunk.size;
		return true;
	}
	uint64_t offset() const { return offset_; }
	bool accepted() const { return accepted_; }
	bool overflow_ = false;
	bool flash_error_ = false;

private:
	FirmwareSlot& slot_;
	Sha256& hash_;
	uint64_t offset_;
	uint64_t limit_;
	bool accepted_ = false;
};

}  // namespace

const char* ota_error_name(OtaError e) {
	static const char* const kNames[] = {"none",          "no update",        "network",       "bad manifest",  "downgrade",
	                                     "too large",     "size mismatch",    "digest mismatch", "bad signature", "flash"};
	return kNames[static_cast<int>(e)];
}

OtaError parse_manifest(Str json, Manifest* m) {
	*m = Manifest{};
	JsonValue doc = json_parse(json);
	int64_t size = 0;
	if (doc.kind != JsonKind::Object || !doc.get("version").to_string(m->version, sizeof m->version) ||
	    !doc.get("url").to_string(m->url, sizeof m->url) || !doc.get("size").to_int(&size) || size <= 0 ||
	    !decode_fixed(doc.get("sha256"), m->sha256, 32) || !decode_fixed(doc.get("signature"), m->signature, 64)) {
		return OtaError::BadManifest;
	}
	m->size = static_cast<uint64_t>(size);
	doc.get("force").to_bool(&m->force);
	return OtaError::None;
}

OtaClient::OtaClient(DeviceApi& api, FirmwareSlot& slot, const uint8_t public_key[32]) : api_(api), slot_(slot) {
	memcpy(key_, public_key, 32);
}

OtaError OtaClient::check(Manifest* out) {
	const Identity& id = api_.identity();
	char path[160];
	int n = snprintf(path, sizeof path, "/api/v1/esp32/firmware?version=%s&model=%s", id.firmware_version, id.model);
	if (n <= 0 || static_cast<size_t>(n) >= sizeof path) return OtaError::BadManifest;
	char buf[1024];
	HttpResponse resp;
	Str reply;
	++requests_;
	if (!api_.json("GET", Str(path), Str(), buf, sizeof buf, &resp, &reply)) return OtaError::Network;
	if (resp.status == 204 || resp.status == 304 || resp.status == 404) return OtaError::NoUpdate;
	if (resp.status != 200) return OtaError::Network;
	OtaError e = parse_manifest(reply, out);
	if (e != OtaError::None) return e;
	int cmp = compare_versions(Str(out->version), Str(id.firmware_version));
	if (cmp == 0) return OtaError::NoUpdate;
	if (cmp < 0) return OtaError::Downgrade;
	return OtaError::None;
}

OtaError OtaClient::install(const Manifest& m) {
	if (compare_versions(Str(m.version), Str(api_.identity().firmware_version)) <= 0) return OtaError::Downgrade;
	if (m.size > slot_.capacity()) return OtaError::TooLarge;
	if (!slot_.begin(m.size)) return OtaError::Flash;
	Sha256 hash;
	uint64_t offset = 0;
	int failures = 0;
	downloaded_ = 0;
	OtaError e = OtaError::None;
	while (offset < m.size) {
		uint64_t last = offset + kChunkBytes - 1;
		if (last >= m.size) last = m.size - 1;
		char range[48];
		snprintf(range, sizeof range, "bytes=%llu-%llu", static_cast<unsigned long long>(offset), static_cast<unsigned long long>(last));
		Header h = {"Range", Str(range)};
		SlotSink sink(slot_, hash, offset, m.size);
		HttpResponse resp;
		++requests_;
		bool ok = api_.request("GET", Str(m.url), Str(), &h, 1, sink, &resp);
		uint64_t got = sink.offset() - offset;
		downloaded_ += got;
		offset = sink.offset();
		if (sink.flash_error_) {
			e = OtaError::Flash;
			break;
		}
		if (sink.overflow_) {
			e = OtaError::SizeMismatch;
			break;
		}
		if (ok && sink.accepted() && resp.status == 200) break;  // the server sent the whole image at once
		if (ok && sink.accepted() && offset == last + 1) {
			failures = 0;
			continue;
		}
		if (resp.status == 416) {  // the image ends before the manifest's size
			e = OtaError::SizeMismatch;
			break;
		}
		// A refusal that retrying cannot fix (gone, forbidden); otherwise keep what arrived and resume.
		if (resp.status >= 400 && resp.status < 500 && resp.status != 408 && resp.status != 429) {
			e = OtaError::Network;
			break;
		}
		failures = got ? 0 : failures + 1;
		if (failures > kRetries) {
			e = OtaError::Network;
			break;
		}
	}
	if (e == OtaError::None && offset != m.size) e = OtaError::SizeMismatch;
	if (e == OtaError::None) {
		uint8_t digest[32];
		hash.finish(digest);
		e = verify(m, digest);
	}
	if (e != OtaError::None) {
		slot_.abort();
		return e;
	}
	return slot_.activate() ? OtaError::None : OtaError::Flash;
}

OtaError OtaClient::verify(const Manifest& m, const uint8_t digest[32]) const {
	if (!equal_constant_time(digest, m.sha256, 32)) return OtaError::DigestMismatch;
	// The signature covers the digest we computed ourselves, not the manifest's claim about it.
	if (!ed25519_verify(m.signature, key_, Bytes(digest, 32))) return OtaError::BadSignature;
	return OtaError::None;
}

}  // namespace teddy
