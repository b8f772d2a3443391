#pragma once
// Non-owning views of bytes and text. The core links no C++ standard library (there is none for
// the bare-metal RISC-V target), so these stand in for std::span / std::string_view.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace teddy {

struct Bytes {
	const uint8_t* data = nullptr;
	size_t size = 0;
	constexpr Bytes() = default;
	constexpr Bytes(const uint8_t* d, size_t n) : data(d), size(n) {}
};

struct Str {
	const char* data = nullptr;
	size_t size = 0;
	constexpr Str() = default;
	constexpr Str(const char* d, size_t n) : data(d), size(n) {}
	// From a NUL-terminated C string (nullptr is the empty string).
	Str(const char* z) : data(z), size(z ? strlen(z) : 0) {}  // NOLINT: implicit by design

	bool empty() const { return size == 0; }
	bool operator==(Str o) const { return size == o.size && (size == 0 || memcmp(data, o.data, size) == 0); }
	bool operator!=(Str o) const { return !(*this == o); }
	bool starts_with(Str p) const { return size >= p.size && memcmp(data, p.data, p.size) == 0; }
	Str sub(size_t from, size_t n = static_cast<size_t>(-1)) const {
		if (from > size) from = size;
		if (n > size - from) n = size - from;
		return Str(data + from, n);
	}
	Bytes bytes() const { return Bytes(reinterpret_cast<const uint8_t*>(data), size); }
};

// Copies `s` into `out` (capacity `cap`, NUL-terminated). False (and an empty string) if it does not fit.
bool copy_str(Str s, char* out, size_t cap);

// Decimal text of an unsigned number; returns its length. `out` needs 21 bytes.
size_t format_u64(uint64_t v, char* out);

// Strict decimal: digits only, no sign, no overflow.
bool parse_u64(Str s, uint64_t* out);

}  // namespace teddy
