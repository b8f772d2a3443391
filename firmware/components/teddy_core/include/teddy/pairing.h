#pragma once
// Boot check-in and pairing (PROTOCOL.md §2, docs/protocol.md "OTA check-in, activation, pairing").
// POST /xiaozhi/ota/ sets the clock from the gateway (v2 tokens need it within ±120 s), hands
// out the WebSocket URL and a device JWT, and, while the toy is unpaired, a 6-digit code. The toy
// shows the code on its screen or speaks it digit by digit, answers the activation challenge with
// HMAC(device_key, challenge), and polls /xiaozhi/ota/activate until a parent has claimed it.
#include "teddy/device_api.h"

namespace teddy {

struct CheckIn {
	uint64_t server_time_ms = 0;
	char ws_url[192] = {};
	char token[512] = {};  // device JWT
	char offered_version[32] = {};
	bool needs_pairing = false;
	char code[8] = {};
	char challenge[96] = {};
	char message[192] = {};
	uint32_t poll_timeout_ms = 0;
};

enum class Activation : uint8_t { Activated, Waiting, Refused, Failed };

// Speaks the pairing code where there is no screen (the board plays digit clips stored in flash).
class CodeSpeaker {
public:
	virtual void say_pairing_code(Str digits) = 0;

protected:
	~CodeSpeaker() = default;
};

class Pairing {
public:
	Pairing(DeviceApi& api, Display& display, CodeSpeaker& speaker) : api_(api), display_(display), speaker_(speaker) {}

	bool check_in(CheckIn* out);       // also sets the clock
	void present_code(const CheckIn& c);  // screen, or voice
	Activation activate(const CheckIn& c);
	// POST /api/v1/pair/start: a fresh code on demand (a grown-up's long press); shown or spoken.
	bool new_code(char code[8]);

private:
	DeviceApi& api_;
	Display& display_;
	CodeSpeaker& speaker_;
};

}  // namespace teddy
