#include "teddy/device_api.h"

#include "teddy/crypto.h"
#include "teddy/encoding.h"

namespace teddy {

bool BufferSink::on_body(Bytes chunk) {
	if (len_ + chunk.size >= cap_) return false;
	memcpy(buf_ + len_, chunk.data, chunk.size);
	len_ += chunk.size;
	buf_[len_] = '\0';
	return true;
}

bool DeviceApi::request(const char* method, Str path_or_url, Str body, const Header* extra, size_t n_extra, HttpBody& sink,
                        HttpResponse* response) {
	char url[384];
	if (path_or_url.starts_with("http://") || path_or_url.starts_with("https://")) {
		if (!copy_str(path_or_url, url, sizeof url)) return false;
	} else {
		size_t base_len = strlen(base_);
		if (base_len + path_or_url.size >= sizeof url) return false;
		memcpy(url, base_, base_len);
		memcpy(url + base_len, path_or_url.data, path_or_url.size);
		url[base_len + path_or_url.size] = '\0';
	}
	uint8_t nonce[16];
	char nonce_hex[33];
	random_.fill(nonce, sizeof nonce);
	hex_encode(nonce, sizeof nonce, nonce_hex);
	char auth[7 + kMaxTokenChars] = "Bearer ";
	size_t n = make_v2_token(Str(id_.device_id), id_.key, clock_.unix_seconds(), Str(nonce_hex, 32), auth + 7);
	if (!n) return false;
	Header headers[8] = {{"Device-Id", Str(id_.device_id)}, {"Client-Id", Str(id_.client_id)}, {"Authorization", Str(auth, 7 + n)}};
	// ! A toy whose clock was never set cannot sign a token the gateway would accept (±120 s): it asks
	// without one (the check-in then sets the clock; gateways that require auth need SNTP first).
	size_t count = clock_.unix_seconds() < kClockSetAfter ? 2 : 3;
	for (size_t i = 0; i < n_extra && count < 8; ++i) headers[count++] = extra[i];
	bool ok = http_.request(method, Str(url), headers, count, body, sink, response);
	wipe(auth, sizeof auth);
	return ok;
}

bool DeviceApi::json(const char* method, Str path, Str body, char* buf, size_t cap, HttpResponse* response, Str* reply) {
	BufferSink sink(buf, cap);
	bool ok = request(method, path, body, nullptr, 0, sink, response);
	*reply = sink.text();
	return ok;
}

int compare_versions(Str a, Str b) {
	auto next = [](Str* s, uint64_t* part) {
		uint64_t v = 0;
		size_t i = 0;
		while (i < s->size && s->data[i] >= '0' && s->data[i] <= '9') v = v * 10 + static_cast<uint64_t>(s->data[i++] - '0');
		*part = v;
		if (i < s->size && s->data[i] == '.') ++i;
		else i = s->size;  // '-' / '+' suffixes and anything else end the comparison
		*s = s->sub(i);
	};
	if (a.size && a.data[0] == 'v') a = a.sub(1);
	if (b.size && b.data[0] == 'v') b = b.sub(1);
	while (!a.empty() || !b.empty()) {
		uint64_t pa = 0, pb = 0;
		if (!a.empty()) next(&a, &pa);
		if (!b.empty()) next(&b, &pb);
		if (pa != pb) return pa < pb ? -1 : 1;
	}
	return 0;
}

}  // namespace teddy
