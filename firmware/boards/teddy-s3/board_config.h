#pragma once
// teddy-s3: ESP32-S3 (8 MB flash, PSRAM), INMP441 microphone on I2S0, MAX98357A amplifier on
// I2S1, the paw button on GPIO0 (active low), one status LED.
#define TEDDY_MODEL "teddy-s3"
#define MIC_BCLK 5
#define MIC_WS 4
#define MIC_DIN 6
#define AMP_BCLK 15
#define AMP_WS 16
#define AMP_DOUT 7
#define SPEAKER_RATE 24000  // the gateway's downlink rate: Opus decodes straight to it
#define BUTTON_GPIO 0
#define LED_GPIO 48
