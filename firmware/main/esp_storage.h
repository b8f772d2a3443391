#pragma once
// The core's Storage on NVS namespace "teddy" (encrypted: CONFIG_NVS_ENCRYPTION).
#include "nvs.h"
#include "teddy/hal.h"

class NvsStorage final : public teddy::Storage {
public:
	bool open();
	int get(teddy::Str key, uint8_t* out, size_t cap) override;
	bool set(teddy::Str key, teddy::Bytes value) override;
	bool erase(teddy::Str key) override;

private:
	nvs_handle_t handle_ = 0;
};
