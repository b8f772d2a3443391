#pragma once
// What the core needs from the board and the OS. Each is a small interface implemented once per
// platform (ESP-IDF in main/ and boards/, the host in host/platform/). Destructors are protected
// and non-virtual: the core never owns or deletes a platform object.
#include "teddy/view.h"

namespace teddy {

class Clock {
public:
	virtual uint64_t now_ms() = 0;        // monotonic
	virtual uint64_t unix_seconds() = 0;  // wall clock; 0 until it has been set
	virtual void set_unix_ms(uint64_t unix_ms) = 0;

protected:
	~Clock() = default;
};

class Random {
public:
	virtual void fill(uint8_t* out, size_t n) = 0;  // a CSPRNG on the device (esp_fill_random)
	uint32_t next_u32() {
		uint8_t b[4];
		fill(b, 4);
		return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 | static_cast<uint32_t>(b[2]) << 16 |
		       static_cast<uint32_t>(b[3]) << 24;
	}

protected:
	~Random() = default;
};

// 16-bit mono PCM from the microphone at the uplink rate (16 kHz).
class AudioIn {
public:
	virtual void set_enabled(bool on) = 0;
	// Fills `samples` samples; false when the microphone has no frame ready (nothing is sent then).
	virtual bool read(int16_t* pcm, size_t samples) = 0;

protected:
	~AudioIn() = default;
};

class AudioOut {
public:
	virtual uint32_t sample_rate() const = 0;  // the rate the speaker runs at; Opus decodes straight to it
	virtual void write(const int16_t* pcm, size_t samples) = 0;
	virtual void set_volume(uint8_t percent) = 0;  // 0–100
	virtual uint8_t volume() const = 0;

protected:
	~AudioOut() = default;
};

class OpusEncoder {
public:
	// One packet for `samples` samples of 16 kHz mono; returns its size, or a negative libopus error.
	virtual int encode(const int16_t* pcm, size_t samples, uint8_t* out, size_t cap) = 0;
	virtual void reset() = 0;

protected:
	~OpusEncoder() = default;
};

class OpusDecoder {
public:
	// Decodes at AudioOut's rate. A null/empty packet asks for packet-loss concealment.
	// Returns the number of samples, or a negative libopus error.
	virtual int decode(const uint8_t* packet, size_t n, int16_t* pcm, size_t max_samples) = 0;
	virtual void reset() = 0;

protected:
	~OpusDecoder() = default;
};

struct Header {
	const char* name;
	Str value;
};

// A WebSocket client. The platform reports what happens on it by calling Client::on_open,
// on_text, on_binary and on_closed, from the same task that runs the rest of the core.
class Transport {
public:
	virtual bool connect(Str url, const Header* headers, size_t n_headers) = 0;  // asynchronous
	virtual bool send_text(Str text) = 0;
	virtual bool send_binary(Bytes frame) = 0;
	virtual void close(uint16_t code) = 0;

protected:
	~Transport() = default;
};

struct HttpResponse;

class HttpBody {
public:
	// The status and headers, before any of the body; false refuses the body.
	virtual bool on_response(const HttpResponse& response) {
		(void)response;
		return true;
	}
	virtual bool on_body(Bytes chunk) = 0;  // false stops the download

protected:
	~HttpBody() = default;
};

struct HttpResponse {
	int status = 0;  // 0: no response (network error)
	char etag[96] = {};
	uint64_t content_length = 0;
	uint64_t range_start = 0;  // from Content-Range on a 206
};

class Http {
public:
	// One request; the body is streamed to `sink`. `body` is sent for POST.
	virtual bool request(const char* method, Str url, const Header* headers, size_t n_headers, Str body, HttpBody& sink,
	                     HttpResponse* response) = 0;

protected:
	~Http() = default;
};

// Small named blobs that survive a reboot (NVS, encrypted on the device).
class Storage {
public:
	// Returns the length, or -1 when missing or larger than `cap`.
	virtual int get(Str key, uint8_t* out, size_t cap) = 0;
	virtual bool set(Str key, Bytes value) = 0;
	virtual bool erase(Str key) = 0;

protected:
	~Storage() = default;
};

enum class Face : uint8_t { Off, Connecting, Idle, Listening, Thinking, Speaking, Error, Pairing, Updating };

// A screen where the board has one, else an LED pattern per Face.
class Display {
public:
	virtual bool has_screen() const = 0;
	virtual void show(Face face, Str text) = 0;

protected:
	~Display() = default;
};

}  // namespace teddy
