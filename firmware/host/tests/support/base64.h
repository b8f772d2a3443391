#pragma once
// Test-side base64 encoding (the toy only decodes): signatures in OTA manifests.
#include <stddef.h>
#include <stdint.h>

namespace testing {

// Standard alphabet with padding; `out` needs 4 * ceil(n / 3) + 1 bytes.
inline void base64_encode(const uint8_t* in, size_t n, char* out) {
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = static_cast<uint32_t>(in[i]) << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

}  // namespace testing
