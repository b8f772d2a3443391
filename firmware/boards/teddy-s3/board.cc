// teddy-s3: separate I2S controllers for the microphone (16 kHz) and the speaker (24 kHz).
#include "board.h"
#include "board_config.h"
#include "button.h"
#include "i2s_audio.h"
#include "led_display.h"

namespace {

class TeddyS3 final : public Board {
public:
	const char* model() const override { return TEDDY_MODEL; }
	void init() override {
		led_.init();
		button_.init();
		i2s_open_separate(I2sPins{MIC_BCLK, MIC_WS, -1, MIC_DIN}, 16000, I2sPins{AMP_BCLK, AMP_WS, AMP_DOUT, -1}, SPEAKER_RATE, mic_,
		                  speaker_);
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

TeddyS3 g_board;

}  // namespace

Board& teddy_board() { return g_board; }
