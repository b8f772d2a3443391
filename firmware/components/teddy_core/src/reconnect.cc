#include "teddy/reconnect.h"

namespace teddy {

// "Equal jitter": half the exponential step is fixed, half random, so retries never bunch at
// zero and a fleet that lost the same gateway does not come back in one wave.
uint32_t Reconnect::backoff(uint32_t floor_ms, uint32_t random) {
	uint32_t shift = attempt_ < 16 ? attempt_ : 16;
	uint64_t step = static_cast<uint64_t>(config_.base_ms) << shift;
	if (step > config_.max_ms) step = config_.max_ms;
	if (step < floor_ms) step = floor_ms;
	++attempt_;
	uint32_t half = static_cast<uint32_t>(step / 2);
	return half + (half ? random % (half + 1) : 0);
}

CloseDecision Reconnect::on_connect_failed(uint32_t random) { return {AfterClose::Reconnect, backoff(0, random), "cannot reach the gateway"}; }

CloseDecision Reconnect::on_close(uint16_t code, uint32_t random) {
	using namespace close_code;
	switch (code) {
		case kNormal:
		case kTimeout:
			attempt_ = 0;
			return {AfterClose::Dormant, 0, code == kNormal ? "goodbye" : "idle"};
		case kRestarting:
		case kGoingAway:
			if (attempt_ == 0) {
				// ? Soon, but spread over restart_ms: every toy of that gateway hears 1012 at once.
				++attempt_;
				return {AfterClose::Reconnect, random % (config_.restart_ms + 1), "gateway restarting"};
			}
			return {AfterClose::Reconnect, backoff(0, random), "gateway restarting"};
		case kUnauthorized:
			return {AfterClose::Stop, 0, "the gateway refused this toy's key"};
		case kForbidden:
			return {AfterClose::Stop, 0, "this toy is not allowed: pair it or ask a grown-up"};
		case kReplaced:
			return {AfterClose::Stop, 0, "another connection of this toy took over"};
		case kRateLimited:
			return {AfterClose::Reconnect, backoff(config_.rate_limited_ms, random), "rate limited"};
		case kProtocol:
		case kTooLarge:
			// A firmware bug the gateway caught: retrying quickly would repeat it; retry slowly.
			return {AfterClose::Reconnect, backoff(config_.max_ms / 2, random), "protocol error"};
		default:
			return {AfterClose::Reconnect, backoff(0, random), "connection lost"};
	}
}

}  // namespace teddy
