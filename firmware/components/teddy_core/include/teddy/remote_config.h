#pragma once
// GET /api/v1/esp32/config with If-None-Match (PROTOCOL.md §2): the gateway's settings for toys
// (WebSocket URL, audio parameters, NTP servers, limits), kept in Storage with its ETag so a 304
// costs no parsing and a toy that boots offline still has the last good copy.
#include "teddy/device_api.h"
#include "teddy/json.h"

namespace teddy {

enum class ConfigResult : uint8_t { Fresh, Unchanged, Cached, Failed };

class RemoteConfig {
public:
	static constexpr size_t kMaxBody = 2048;
	RemoteConfig(DeviceApi& api, Storage& storage) : api_(api), storage_(storage) {}

	// Fresh: a new body was stored; Unchanged: 304; Cached: the gateway could not be asked and the
	// stored copy is used; Failed: neither.
	ConfigResult fetch();
	JsonValue doc() const { return doc_; }
	Str etag() const { return Str(etag_); }
	// The WebSocket URL, under any of the names a config may use ("websocket.url", "websocket_url", "ws_url").
	bool websocket_url(char* out, size_t cap) const;

private:
	bool load_cached();
	DeviceApi& api_;
	Storage& storage_;
	char body_[kMaxBody + 1] = {};
	char etag_[96] = {};
	JsonValue doc_;
};

}  // namespace teddy
