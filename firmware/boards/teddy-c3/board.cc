// teddy-c3: microphone and speaker share the single I2S controller, full duplex at 16 kHz.
#include "board.h"
#include "board_config.h"
#include "button.h"
#include "i2s_audio.h"
#include "led_display.h"

namespace {

class TeddyC3 final : public Board {
public:
	const char* model() const override { return TEDDY_MODEL; }
	void init() override {
		led_.init();
		button_.init();
		i2s_open_duplex(I2sPins{I2S_BCLK, I2S_WS, I2S_DOUT, I2S_DIN}, SPEAKER_RATE, mic_, speaker_);
	}
	teddy::AudioIn& mic() override { return mic_; }
	teddy::AudioOut& speaker() override { return speaker_; }
	teddy::Display& display() override { return led_; }
	bool button_down() override { return button_.down(); }

private:
	I2sMic mic_;
	I2sSpeaker speaker_{SPEAKER_RATE};
	LedDisplay led_{LED_GPIO};
	Button button_{BUTTON_GPIO};
};

TeddyC3 g_board;

}  // namespace

Board& teddy_board() { return g_board; }
