#include "teddy/view.h"

namespace teddy {

bool copy_str(Str s, char* out, size_t cap) {
	if (cap == 0) return false;
	if (s.size >= cap) {
		out[0] = '\0';
		return false;
	}
	if (s.size) memcpy(out, s.data, s.size);
	out[s.size] = '\0';
	return true;
}

size_t format_u64(uint64_t v, char* out) {
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = static_cast<char>('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

bool parse_u64(Str s, uint64_t* out) {
	if (s.empty() || s.size > 20) return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.size; ++i) {
		char c = s.data[i];
		if (c < '0' || c > '9') return false;
		uint64_t d = static_cast<uint64_t>(c - '0');
		if (v > (UINT64_MAX - d) / 10) return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

}  // namespace teddy
