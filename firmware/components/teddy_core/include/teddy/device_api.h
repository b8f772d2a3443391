#pragma once
// The toy's REST calls to its gateway (PROTOCOL.md §2): every request carries `Device-Id`,
// `Client-Id` and a fresh v2 token as `Authorization: Bearer`, so the fleet secret is never needed.
#include "teddy/hal.h"
#include "teddy/token.h"

namespace teddy {

struct Identity {
	const char* device_id;
	const char* client_id;
	const char* model;             // board model, e.g. "teddy-s3"
	const char* firmware_version;  // the running image's version
	DeviceKey key;
};

// Unix time before which the toy's clock counts as never set (2024-01-01).
constexpr uint64_t kClockSetAfter = 1704067200;

// Collects a response body into a fixed buffer; too large a body fails the request.
class BufferSink final : public HttpBody {
public:
	BufferSink(char* buf, size_t cap) : buf_(buf), cap_(cap) { buf_[0] = '\0'; }
	bool on_body(Bytes chunk) override;
	Str text() const { return Str(buf_, len_); }

private:
	char* buf_;
	size_t cap_;
	size_t len_ = 0;
};

class DeviceApi {
public:
	// `base_url`: http(s)://host:port of the gateway, no trailing slash.
	DeviceApi(Http& http, Clock& clock, Random& random, const Identity& identity, const char* base_url)
	    : http_(http), clock_(clock), random_(random), id_(identity), base_(base_url) {}

	// `path_or_url` is a path on the gateway ("/api/...") or an absolute URL. `extra` headers are added.
	bool request(const char* method, Str path_or_url, Str body, const Header* extra, size_t n_extra, HttpBody& sink,
	             HttpResponse* response);
	// A GET/POST whose JSON reply fits in `buf`.
	bool json(const char* method, Str path, Str body, char* buf, size_t cap, HttpResponse* response, Str* reply);

	const Identity& identity() const { return id_; }
	Clock& clock() { return clock_; }
	const char* base_url() const { return base_; }

private:
	Http& http_;
	Clock& clock_;
	Random& random_;
	const Identity& id_;
	const char* base_;
};

// "1.10.2" > "1.9.7": numeric dot-separated parts; a missing part counts as 0; anything after '-' or '+' is ignored.
int compare_versions(Str a, Str b);

}  // namespace teddy
