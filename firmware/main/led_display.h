#pragma once
// A Display for boards without a screen: one LED whose pattern tells the Face (steady while
// listening or speaking, slow blink while connecting or pairing, fast blink on an error).
#include "esp_timer.h"
#include "teddy/hal.h"

class LedDisplay final : public teddy::Display {
public:
	explicit LedDisplay(int gpio) : gpio_(gpio) {}
	void init();
	bool has_screen() const override { return false; }
	void show(teddy::Face face, teddy::Str text) override;

private:
	static void tick(void* self);
	int gpio_;
	esp_timer_handle_t timer_ = nullptr;
	uint32_t period_ms_ = 0;  // 0: steady
	bool on_ = false;
	bool level_ = false;
};
