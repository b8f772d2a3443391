#pragma once
// What to do when the socket closes (PROTOCOL.md §5): reconnect after a jittered exponential
// backoff, reconnect soon when the gateway is restarting (1012), go quiet until the child wants
// to talk (normal close, idle timeout), or stop and say why (bad token, not allowed, replaced).
#include "teddy/view.h"

namespace teddy {

namespace close_code {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kAbnormal = 1006;  // no close frame: the network or the server died
constexpr uint16_t kInternal = 1011;
constexpr uint16_t kRestarting = 1012;
constexpr uint16_t kProtocol = 4400;
constexpr uint16_t kUnauthorized = 4401;
constexpr uint16_t kForbidden = 4403;
constexpr uint16_t kTimeout = 4408;
constexpr uint16_t kReplaced = 4409;
constexpr uint16_t kTooLarge = 4413;
constexpr uint16_t kRateLimited = 4429;
}  // namespace close_code

enum class AfterClose : uint8_t {
	Reconnect,  // after delay_ms
	Dormant,    // stay closed until the child presses the button
	Stop,       // stay closed and show `why` until a person acts (re-provision, pair, power cycle)
};

struct CloseDecision {
	AfterClose action;
	uint32_t delay_ms;
	const char* why;  // for the display and the log
};

struct BackoffConfig {
	uint32_t base_ms = 1000;          // first retry after a failure
	uint32_t max_ms = 60000;          // cap
	uint32_t restart_ms = 2000;       // 1012: spread a fleet's reconnects over this window
	uint32_t rate_limited_ms = 30000; // 4429: the backoff step starts here (delay is half to all of it)
};

class Reconnect {
public:
	explicit Reconnect(const BackoffConfig& config = BackoffConfig()) : config_(config) {}
	// `random` is a uniformly random 32-bit value (the caller's RNG; the policy holds no state of its own besides the attempt count).
	CloseDecision on_close(uint16_t code, uint32_t random);
	CloseDecision on_connect_failed(uint32_t random);  // no socket at all (DNS, TCP, TLS, HTTP upgrade)
	void on_session_ok() { attempt_ = 0; }             // the gateway said hello: the next failure starts small again
	uint32_t attempt() const { return attempt_; }

private:
	uint32_t backoff(uint32_t floor_ms, uint32_t random);
	BackoffConfig config_;
	uint32_t attempt_ = 0;
};

}  // namespace teddy
