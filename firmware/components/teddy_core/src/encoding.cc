#include "teddy/encoding.h"

namespace teddy {

static const char kHex[] = "0123456789abcdef";

void hex_encode(const uint8_t* in, size_t n, char* out) {
	for (size_t i = 0; i < n; ++i) {
		out[2 * i] = kHex[in[i] >> 4];
		out[2 * i + 1] = kHex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c, bool lowercase_only) {
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (!lowercase_only && c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

bool hex_decode(Str hex, uint8_t* out, size_t n, bool lowercase_only) {
	if (hex.size != 2 * n) return false;
	for (size_t i = 0; i < n; ++i) {
		int hi = hex_digit(hex.data[2 * i], lowercase_only);
		int lo = hex_digit(hex.data[2 * i + 1], lowercase_only);
		if (hi < 0 || lo < 0) return false;
		out[i] = static_cast<uint8_t>(hi << 4 | lo);
	}
	return true;
}

static int b64_value(char c) {
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

int base64_decode(Str in, uint8_t* out, size_t cap) {
	if (in.size % 4 != 0) return -1;
	size_t n = 0;
	for (size_t i = 0; i < in.size; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; ++k) {
			char c = in.data[i + k];
			if (c == '=' && i + 4 == in.size && k >= 2) {
				v[k] = 0;
				++pad;
				continue;
			}
			if (pad) return -1;  // data after padding
			v[k] = b64_value(c);
			if (v[k] < 0) return -1;
		}
		uint32_t triple = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
		size_t take = 3 - static_cast<size_t>(pad);
		if (n + take > cap) return -1;
		for (size_t k = 0; k < take; ++k) out[n++] = static_cast<uint8_t>(triple >> (16 - 8 * k));
	}
	return static_cast<int>(n);
}

}  // namespace teddy
