#include "led_display.h"

#include "driver/gpio.h"
#include "esp_log.h"

static const char* TAG = "teddy";

void LedDisplay::init() {
	gpio_reset_pin(static_cast<gpio_num_t>(gpio_));
	gpio_set_direction(static_cast<gpio_num_t>(gpio_), GPIO_MODE_OUTPUT);
	esp_timer_create_args_t args = {};
	args.callback = tick;
	args.arg = this;
	args.name = "led";
	esp_timer_create(&args, &timer_);
}

void LedDisplay::tick(void* self) {
	auto* d = static_cast<LedDisplay*>(self);
	d->level_ = !d->level_;
	gpio_set_level(static_cast<gpio_num_t>(d->gpio_), d->level_);
}

void LedDisplay::show(teddy::Face face, teddy::Str text) {
	using teddy::Face;
	uint32_t period = 0;
	bool on = false;
	switch (face) {
		case Face::Listening:
		case Face::Speaking: on = true; break;
		case Face::Connecting:
		case Face::Thinking:
		case Face::Pairing:
		case Face::Updating: period = 500; break;
		case Face::Error: period = 100; break;
		case Face::Off:
		case Face::Idle: break;
	}
	// The log is the only "screen" here: the pairing code, an error's reason, the answer's text.
	if (!text.empty()) ESP_LOGI(TAG, "%.*s", static_cast<int>(text.size), text.data);
	if (period == period_ms_ && on == on_) return;
	esp_timer_stop(timer_);
	period_ms_ = period;
	on_ = on;
	level_ = on;
	gpio_set_level(static_cast<gpio_num_t>(gpio_), on);
	if (period) esp_timer_start_periodic(timer_, static_cast<uint64_t>(period) * 1000);
}
