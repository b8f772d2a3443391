#pragma once
// What app_main needs from a board. Each board folder (boards/<name>/board.cc) implements
// teddy_board(); core code never includes a board header.
#include "teddy/hal.h"
#include "teddy/pairing.h"

struct Board {
	virtual const char* model() const = 0;  // reported to the gateway (OTA manifest, check-in)
	virtual void init() = 0;
	virtual teddy::AudioIn& mic() = 0;
	virtual teddy::AudioOut& speaker() = 0;
	virtual teddy::Display& display() = 0;
	virtual bool button_down() = 0;  // debounced

protected:
	~Board() = default;
};

Board& teddy_board();
