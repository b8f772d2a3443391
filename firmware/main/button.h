#pragma once
// The paw button: GPIO with pull-up, active low, debounced over three reads (the teddy task
// reads it every loop, at least every 20 ms).
#include "driver/gpio.h"

class Button {
public:
	explicit Button(int gpio) : gpio_(static_cast<gpio_num_t>(gpio)) {}
	void init() {
		gpio_config_t cfg = {};
		cfg.pin_bit_mask = 1ULL << gpio_;
		cfg.mode = GPIO_MODE_INPUT;
		cfg.pull_up_en = GPIO_PULLUP_ENABLE;
		gpio_config(&cfg);
	}
	bool down() {
		bool now = gpio_get_level(gpio_) == 0;
		same_ = now == last_ ? same_ + 1 : 0;
		last_ = now;
		if (same_ >= 2) stable_ = now;
		return stable_;
	}

private:
	gpio_num_t gpio_;
	bool last_ = false;
	bool stable_ = false;
	int same_ = 0;
};
