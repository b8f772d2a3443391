// teddy-c3: microphone and speaker share the single I2S controller, full duplex at 16 kHz.
#include "board_config.h"
#include "i2s_board.h"

Board& teddy_board() {
	static I2sBoard board(I2sBoardConfig{TEDDY_MODEL, true, I2sPins{I2S_BCLK, I2S_WS, I2S_DOUT, I2S_DIN}, I2sPins{-1, -1, -1, -1},
	                                     SPEAKER_RATE, BUTTON_GPIO, LED_GPIO});
	return board;
}
