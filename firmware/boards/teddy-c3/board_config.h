#pragma once
// teddy-c3: ESP32-C3 (4 MB flash, no PSRAM, one I2S controller). INMP441 microphone and MAX98357A
// amplifier share BCLK/WS on I2S0 in full duplex, so the speaker runs at the mic's 16 kHz.
#define TEDDY_MODEL "teddy-c3"
#define I2S_BCLK 6
#define I2S_WS 5
#define I2S_DIN 4
#define I2S_DOUT 7
#define SPEAKER_RATE 16000
#define BUTTON_GPIO 9
#define LED_GPIO 8
