#include "teddy/token.h"

#include "teddy/crypto.h"
#include "teddy/encoding.h"

namespace teddy {

bool valid_device_id(Str id) {
	if (id.empty() || id.size > kMaxDeviceIdChars) return false;
	for (size_t i = 0; i < id.size; ++i) {
		char c = id.data[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
		          c == '.' || c == '-';
		if (!ok) return false;
	}
	return true;
}

void derive_device_key(Str fleet_secret, Str device_id, DeviceKey* out) {
	static const char kLabel[] = "teddy-device-key|";
	Bytes parts[2] = {Str(kLabel, sizeof kLabel - 1).bytes(), device_id.bytes()};
	hmac_sha256(fleet_secret.bytes(), parts, 2, out->bytes);
}

static bool valid_nonce(Str nonce) {
	if (nonce.size < 16 || nonce.size > 32) return false;
	for (size_t i = 0; i < nonce.size; ++i) {
		char c = nonce.data[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
	}
	return true;
}

static void v2_signature(Str device_id, const DeviceKey& key, Str ts, Str nonce, uint8_t mac[32]) {
	Bytes parts[6] = {Str("v2|", 3).bytes(), device_id.bytes(), Str("|", 1).bytes(), ts.bytes(), Str("|", 1).bytes(),
	                  nonce.bytes()};
	hmac_sha256(Bytes(key.bytes, kDeviceKeyBytes), parts, 6, mac);
}

size_t make_v2_token(Str device_id, const DeviceKey& key, uint64_t unix_seconds, Str nonce_hex, char* out) {
	if (!valid_device_id(device_id) || !valid_nonce(nonce_hex)) return 0;
	char ts[21];
	size_t ts_len = format_u64(unix_seconds, ts);
	uint8_t mac[32];
	v2_signature(device_id, key, Str(ts, ts_len), nonce_hex, mac);
	size_t n = 0;
	memcpy(out + n, "v2.", 3);
	n += 3;
	memcpy(out + n, ts, ts_len);
	n += ts_len;
	out[n++] = '.';
	memcpy(out + n, nonce_hex.data, nonce_hex.size);
	n += nonce_hex.size;
	out[n++] = '.';
	hex_encode(mac, sizeof mac, out + n);
	return n + 64;
}

bool check_v2_token(Str device_id, const DeviceKey& key, Str token) {
	if (!valid_device_id(device_id) || !token.starts_with(Str("v2.", 3))) return false;
	Str rest = token.sub(3);
	size_t dot1 = 0;
	while (dot1 < rest.size && rest.data[dot1] != '.') ++dot1;
	Str ts = rest.sub(0, dot1);
	rest = rest.sub(dot1 + 1);
	size_t dot2 = 0;
	while (dot2 < rest.size && rest.data[dot2] != '.') ++dot2;
	Str nonce = rest.sub(0, dot2);
	Str sig = rest.sub(dot2 + 1);
	uint64_t seconds;
	uint8_t given[32];
	if (!parse_u64(ts, &seconds) || !valid_nonce(nonce) || !hex_decode(sig, given, sizeof given, true)) return false;
	uint8_t mac[32];
	v2_signature(device_id, key, ts, nonce, mac);
	return equal_constant_time(mac, given, sizeof mac);
}

void activation_hmac(const DeviceKey& key, Str challenge, char out[65]) {
	uint8_t mac[32];
	hmac_sha256(Bytes(key.bytes, kDeviceKeyBytes), challenge.bytes(), mac);
	hex_encode(mac, sizeof mac, out);
}

}  // namespace teddy
