#include "esp_storage.h"

namespace {
// NVS keys are at most 15 characters and NUL-terminated.
bool key_of(teddy::Str key, char out[16]) { return teddy::copy_str(key, out, 16); }
}  // namespace

bool NvsStorage::open() { return nvs_open("teddy", NVS_READWRITE, &handle_) == ESP_OK; }

int NvsStorage::get(teddy::Str key, uint8_t* out, size_t cap) {
	char k[16];
	size_t len = cap;
	if (!key_of(key, k) || nvs_get_blob(handle_, k, out, &len) != ESP_OK) return -1;
	return static_cast<int>(len);
}

bool NvsStorage::set(teddy::Str key, teddy::Bytes value) {
	char k[16];
	return key_of(key, k) && nvs_set_blob(handle_, k, value.data, value.size) == ESP_OK && nvs_commit(handle_) == ESP_OK;
}

bool NvsStorage::erase(teddy::Str key) {
	char k[16];
	return key_of(key, k) && nvs_erase_key(handle_, k) == ESP_OK && nvs_commit(handle_) == ESP_OK;
}
