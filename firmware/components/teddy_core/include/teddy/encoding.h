#pragma once
// Hex and base64: keys and digests arrive as text (NVS, manifests, tokens).
#include "teddy/view.h"

namespace teddy {

// Lowercase hex of `n` bytes into `out` (2n chars plus NUL).
void hex_encode(const uint8_t* in, size_t n, char* out);

// Exactly `n` bytes from 2n hex characters. `lowercase_only` rejects A-F (tokens are canonical lowercase).
bool hex_decode(Str hex, uint8_t* out, size_t n, bool lowercase_only = false);

// Standard base64 with padding; returns the decoded length, or -1 if malformed or larger than `cap`.
int base64_decode(Str in, uint8_t* out, size_t cap);

}  // namespace teddy
