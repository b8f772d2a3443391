#pragma once
// ESP-IDF implementations of the core's clock, randomness, boot confirmation and OTA slot.
#include "esp_ota_ops.h"
#include "teddy/client.h"
#include "teddy/ota.h"

class EspClock final : public teddy::Clock {
public:
	uint64_t now_ms() override;
	uint64_t unix_seconds() override;
	void set_unix_ms(uint64_t unix_ms) override;
};

class EspRandom final : public teddy::Random {
public:
	void fill(uint8_t* out, size_t n) override;  // hardware RNG (RF on: Wi-Fi is up)
};

// Cancels the rollback once the new image has talked to the gateway (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE).
class EspBootConfirm final : public teddy::BootConfirm {
public:
	void confirm_boot() override;
};

// The passive OTA partition through esp_ota_*.
class EspFirmwareSlot final : public teddy::FirmwareSlot {
public:
	size_t capacity() const override;
	bool begin(uint64_t size) override;
	bool write(uint64_t offset, teddy::Bytes data) override;
	bool activate() override;
	void abort() override;

private:
	const esp_partition_t* target_ = nullptr;
	esp_ota_handle_t handle_ = 0;
};
