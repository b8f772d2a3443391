#pragma once
// In-memory stand-ins for the board, for unit tests of the client (host and rv32).
#include "teddy/hal.h"

namespace fakes {
using namespace teddy;

struct Clock final : teddy::Clock {
	uint64_t mono = 1000;
	uint64_t unix_ms = 1767225600000ull;
	uint64_t now_ms() override { return mono; }
	uint64_t unix_seconds() override { return unix_ms / 1000; }
	void set_unix_ms(uint64_t ms) override { unix_ms = ms; }
};

struct Random final : teddy::Random {
	uint32_t state = 0x12345678;
	void fill(uint8_t* out, size_t n) override {
		for (size_t i = 0; i < n; ++i) {
			state ^= state << 13;
			state ^= state >> 17;
			state ^= state << 5;
			out[i] = static_cast<uint8_t>(state);
		}
	}
};

struct Mic final : AudioIn {
	bool enabled = false;
	int16_t level = 1000;
	void set_enabled(bool on) override { enabled = on; }
	bool read(int16_t* pcm, size_t n) override {
		if (!enabled) return false;
		for (size_t i = 0; i < n; ++i) pcm[i] = level;
		return true;
	}
};

struct Speaker final : AudioOut {
	uint32_t rate = 24000;
	uint8_t vol = 60;
	size_t samples = 0;
	uint32_t sample_rate() const override { return rate; }
	void write(const int16_t*, size_t n) override { samples += n; }
	void set_volume(uint8_t p) override { vol = p; }
	uint8_t volume() const override { return vol; }
};

// "Encodes" a frame as 20 bytes of its first sample; "decodes" a packet to one frame at 24 kHz.
struct Encoder final : OpusEncoder {
	int resets = 0;
	int encode(const int16_t* pcm, size_t, uint8_t* out, size_t cap) override {
		if (cap < 20) return -1;
		memset(out, pcm[0] & 0xff, 20);
		return 20;
	}
	void reset() override { ++resets; }
};

struct Decoder final : OpusDecoder {
	int frames = 0, concealed = 0, resets = 0;
	int decode(const uint8_t* packet, size_t n, int16_t* pcm, size_t max) override {
		if (!packet || n == 0) ++concealed; else ++frames;
		size_t out = max < 1440 ? max : 1440;
		memset(pcm, 0, out * 2);
		return static_cast<int>(out);
	}
	void reset() override { ++resets; }
};

struct Sent {
	bool binary;
	uint8_t data[600];
	size_t size;
	Str text() const { return Str(reinterpret_cast<const char*>(data), size); }
};

struct Transport final : teddy::Transport {
	int connects = 0;
	bool refuse = false;
	char url[128] = {};
	char auth[256] = {};
	char protocol_version[8] = {};
	Sent sent[64];
	size_t n_sent = 0;
	uint16_t closed_with = 0;
	bool connect(Str u, const Header* h, size_t n) override {
		++connects;
		copy_str(u, url, sizeof url);
		for (size_t i = 0; i < n; ++i) {
			if (strcmp(h[i].name, "Authorization") == 0) copy_str(h[i].value, auth, sizeof auth);
			if (strcmp(h[i].name, "Protocol-Version") == 0) copy_str(h[i].value, protocol_version, sizeof protocol_version);
		}
		return !refuse;
	}
	bool record(bool binary, Bytes b) {
		if (n_sent == 64 || b.size >= sizeof sent[0].data) return false;
		sent[n_sent].binary = binary;
		memcpy(sent[n_sent].data, b.data, b.size);
		sent[n_sent].data[b.size] = 0;
		sent[n_sent].size = b.size;
		++n_sent;
		return true;
	}
	bool send_text(Str t) override { return record(false, t.bytes()); }
	bool send_binary(Bytes b) override { return record(true, b); }
	void close(uint16_t code) override { closed_with = code; }
	// The last text message of `type`, or an empty view.
	Str last_text(const char* needle) const {
		for (size_t i = n_sent; i-- > 0;) {
			if (!sent[i].binary && strstr(reinterpret_cast<const char*>(sent[i].data), needle)) return sent[i].text();
		}
		return Str();
	}
	size_t count_binary() const {
		size_t n = 0;
		for (size_t i = 0; i < n_sent; ++i) n += sent[i].binary ? 1 : 0;
		return n;
	}
};

struct Display final : teddy::Display {
	Face face = Face::Off;
	char text[128] = {};
	int shows = 0;
	bool has_screen() const override { return true; }
	void show(Face f, Str t) override {
		face = f;
		++shows;
		if (!t.empty()) copy_str(t, text, sizeof text);
	}
};

}  // namespace fakes
