// teddy-s3: separate I2S controllers for the microphone (16 kHz) and the speaker (24 kHz).
#include "board_config.h"
#include "i2s_board.h"

Board& teddy_board() {
	static I2sBoard board(I2sBoardConfig{TEDDY_MODEL, false, I2sPins{MIC_BCLK, MIC_WS, -1, MIC_DIN},
	                                     I2sPins{AMP_BCLK, AMP_WS, AMP_DOUT, -1}, SPEAKER_RATE, BUTTON_GPIO, LED_GPIO});
	return board;
}
