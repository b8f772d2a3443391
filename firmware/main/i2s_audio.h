#pragma once
// I2S microphone (INMP441-style, 24-bit data MSB-first in 32-bit slots) and speaker amplifier
// (MAX98357A-style) on ESP-IDF's std-mode I2S driver. Boards pass pins and rates; a board with
// one I2S controller (ESP32-C3) runs both on it, full duplex, at one rate.
#include "driver/i2s_std.h"
#include "teddy/hal.h"

struct I2sPins {
	int bclk, ws, dout, din;
};

class I2sMic final : public teddy::AudioIn {
public:
	void attach(i2s_chan_handle_t rx) { rx_ = rx; }
	void set_enabled(bool on) override;
	bool read(int16_t* pcm, size_t samples) override;

private:
	i2s_chan_handle_t rx_ = nullptr;
	bool on_ = false;
	int32_t raw_[960];
};

class I2sSpeaker final : public teddy::AudioOut {
public:
	explicit I2sSpeaker(uint32_t rate) : rate_(rate) {}
	void attach(i2s_chan_handle_t tx) { tx_ = tx; }
	uint32_t sample_rate() const override { return rate_; }
	void write(const int16_t* pcm, size_t samples) override;
	void set_volume(uint8_t percent) override { volume_ = percent > 100 ? 100 : percent; }
	uint8_t volume() const override { return volume_; }

private:
	i2s_chan_handle_t tx_ = nullptr;
	uint32_t rate_;
	uint8_t volume_ = 70;
	int32_t out_[1440];
};

// Creates the channels: a separate controller each (S3) or one controller for both (C3).
bool i2s_open_separate(const I2sPins& mic, uint32_t mic_rate, const I2sPins& amp, uint32_t amp_rate, I2sMic& m, I2sSpeaker& s);
bool i2s_open_duplex(const I2sPins& pins, uint32_t rate, I2sMic& m, I2sSpeaker& s);
