#pragma once
// The board shape both of our boards share: an I2S microphone and amplifier (on two controllers,
// or on one in full duplex), one paw button, one status LED. A board folder gives the pins.
#include "board.h"
#include "button.h"
#include "i2s_audio.h"
#include "led_display.h"

struct I2sBoardConfig {
	const char* model;
	bool duplex;      // one I2S controller for both (ESP32-C3)
	I2sPins mic;      // with `duplex`: the shared pins
	I2sPins amp;      // unused with `duplex`
	uint32_t speaker_rate;
	int button_gpio;
	int led_gpio;
};

class I2sBoard final : public Board {
public:
	explicit I2sBoard(const I2sBoardConfig& c) : c_(c), speaker_(c.speaker_rate), led_(c.led_gpio), button_(c.button_gpio) {}
	const char* model() const override { return c_.model; }
	void init() override {
		led_.init();
		button_.init();
		if (c_.duplex) i2s_open_duplex(c_.mic, c_.speaker_rate, mic_, speaker_);
		else i2s_open_separate(c_.mic, 16000, c_.amp, c_.speaker_rate, mic_, speaker_);
	}
	teddy::AudioIn& mic() override { return mic_; }
	teddy::AudioOut& speaker() override { return speaker_; }
	teddy::Display& display() override { return led_; }
	bool button_down() override { return button_.down(); }

private:
	I2sBoardConfig c_;
	I2sMic mic_;
	I2sSpeaker speaker_;
	LedDisplay led_;
	Button button_;
};
