#include "teddy/remote_config.h"

namespace teddy {
namespace {
const char kBodyKey[] = "cfg.body";
const char kEtagKey[] = "cfg.etag";
}  // namespace

bool RemoteConfig::load_cached() {
	int n = storage_.get(kBodyKey, reinterpret_cast<uint8_t*>(body_), kMaxBody);
	if (n <= 0) return false;
	body_[n] = '\0';
	int e = storage_.get(kEtagKey, reinterpret_cast<uint8_t*>(etag_), sizeof etag_ - 1);
	etag_[e > 0 ? e : 0] = '\0';
	doc_ = json_parse(Str(body_, static_cast<size_t>(n)));
	return doc_.kind == JsonKind::Object;
}

ConfigResult RemoteConfig::fetch() {
	bool cached = doc_.valid() || load_cached();
	char fresh[kMaxBody + 1];
	BufferSink sink(fresh, sizeof fresh);
	Header h = {"If-None-Match", Str(etag_)};
	HttpResponse resp;
	bool ok = api_.request("GET", "/api/v1/esp32/config", Str(), &h, cached && etag_[0] ? 1 : 0, sink, &resp);
	if (ok && resp.status == 304 && cached) return ConfigResult::Unchanged;
	if (ok && resp.status == 200) {
		JsonValue v = json_parse(sink.text());
		if (v.kind == JsonKind::Object) {
			memcpy(body_, fresh, sink.text().size + 1);
			doc_ = json_parse(Str(body_, sink.text().size));
			copy_str(Str(resp.etag), etag_, sizeof etag_);
			storage_.set(kBodyKey, sink.text().bytes());
			if (etag_[0]) storage_.set(kEtagKey, Str(etag_).bytes());
			else storage_.erase(kEtagKey);
			return ConfigResult::Fresh;
		}
	}
	// ? A bad or missing answer keeps the last good config rather than leaving the toy without one.
	return cached ? ConfigResult::Cached : ConfigResult::Failed;
}

bool RemoteConfig::websocket_url(char* out, size_t cap) const {
	const char* const kPaths[] = {"websocket.url", "websocket_url", "ws_url"};
	for (const char* p : kPaths) {
		if (doc_.path(Str(p)).to_string(out, cap)) return true;
	}
	return false;
}

}  // namespace teddy
