#pragma once
// The core's OpusEncoder/OpusDecoder on libopus: Debian's libopus on the host, the ESP-IDF opus
// component on the device (same API). Codec state is created once at start-up, never per turn.
#include "teddy/hal.h"

struct OpusEncoder;
struct OpusDecoder;

namespace teddy {

class LibopusEncoder final : public OpusEncoder {
public:
	// 16 kHz mono speech (VOIP), 60 ms frames.
	LibopusEncoder(int bitrate = 24000, int complexity = 5);
	~LibopusEncoder();
	bool ok() const { return enc_ != nullptr; }
	int encode(const int16_t* pcm, size_t samples, uint8_t* out, size_t cap) override;
	void reset() override;

private:
	::OpusEncoder* enc_ = nullptr;
};

class LibopusDecoder final : public OpusDecoder {
public:
	explicit LibopusDecoder(uint32_t output_rate);
	~LibopusDecoder();
	bool ok() const { return dec_ != nullptr; }
	int decode(const uint8_t* packet, size_t n, int16_t* pcm, size_t max_samples) override;
	void reset() override;

private:
	::OpusDecoder* dec_ = nullptr;
};

}  // namespace teddy
