#include "esp_platform.h"

#include <sys/time.h>

#include "esp_log.h"
#include "esp_random.h"
#include "esp_timer.h"

static const char* TAG = "teddy";

uint64_t EspClock::now_ms() { return static_cast<uint64_t>(esp_timer_get_time() / 1000); }

uint64_t EspClock::unix_seconds() {
	struct timeval tv;
	gettimeofday(&tv, nullptr);
	return tv.tv_sec > 0 ? static_cast<uint64_t>(tv.tv_sec) : 0;
}

void EspClock::set_unix_ms(uint64_t unix_ms) {
	struct timeval tv = {static_cast<time_t>(unix_ms / 1000), static_cast<suseconds_t>((unix_ms % 1000) * 1000)};
	settimeofday(&tv, nullptr);
}

void EspRandom::fill(uint8_t* out, size_t n) { esp_fill_random(out, n); }

void EspBootConfirm::confirm_boot() {
	esp_ota_img_states_t state;
	if (esp_ota_get_state_partition(esp_ota_get_running_partition(), &state) == ESP_OK && state == ESP_OTA_IMG_PENDING_VERIFY) {
		ESP_LOGI(TAG, "first good session on this image: cancelling the rollback");
		esp_ota_mark_app_valid_cancel_rollback();
	}
}

size_t EspFirmwareSlot::capacity() const {
	const esp_partition_t* next = esp_ota_get_next_update_partition(nullptr);
	return next ? next->size : 0;
}

bool EspFirmwareSlot::begin(uint64_t size) {
	target_ = esp_ota_get_next_update_partition(nullptr);
	if (!target_) return false;
	return esp_ota_begin(target_, static_cast<size_t>(size), &handle_) == ESP_OK;
}

bool EspFirmwareSlot::write(uint64_t offset, teddy::Bytes data) {
	return esp_ota_write_with_offset(handle_, data.data, data.size, static_cast<uint32_t>(offset)) == ESP_OK;
}

bool EspFirmwareSlot::activate() {
	// esp_ota_end also checks the image header and, with secure boot v2, its signature.
	if (esp_ota_end(handle_) != ESP_OK) return false;
	handle_ = 0;
	return esp_ota_set_boot_partition(target_) == ESP_OK;
}

void EspFirmwareSlot::abort() {
	if (handle_) esp_ota_abort(handle_);
	handle_ = 0;
}
