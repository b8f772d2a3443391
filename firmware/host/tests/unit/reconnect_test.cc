#include "../support/check.h"
#include "teddy/reconnect.h"

using namespace teddy;
using namespace teddy::close_code;

TEST(backoff_grows_exponentially_with_jitter_and_a_cap) {
	BackoffConfig cfg;
	cfg.base_ms = 1000;
	cfg.max_ms = 16000;
	Reconnect r(cfg);
	uint32_t expected_step[] = {1000, 2000, 4000, 8000, 16000, 16000, 16000};
	for (uint32_t step : expected_step) {
		CloseDecision lo = Reconnect(r).on_close(kAbnormal, 0);
		CloseDecision hi = Reconnect(r).on_close(kAbnormal, 0xffffffffu);
		CHECK(lo.action == AfterClose::Reconnect);
		CHECK(lo.delay_ms >= step / 2 && lo.delay_ms <= step);
		CHECK(hi.delay_ms >= step / 2 && hi.delay_ms <= step);
		r.on_close(kAbnormal, 12345);
	}
	r.on_session_ok();
	CHECK(r.on_close(kAbnormal, 0).delay_ms <= 1000);
}

TEST(jitter_spreads_a_fleet_over_the_window) {
	// Two toys that lost the same gateway rarely pick the same delay.
	Reconnect a, b;
	CloseDecision da = a.on_close(kAbnormal, 17), db = b.on_close(kAbnormal, 401);
	CHECK(da.delay_ms != db.delay_ms);
}

TEST(gateway_restart_1012_reconnects_soon) {
	BackoffConfig cfg;
	cfg.restart_ms = 2000;
	Reconnect r(cfg);
	CloseDecision d = r.on_close(kRestarting, 0xffffffffu);
	CHECK(d.action == AfterClose::Reconnect);
	CHECK(d.delay_ms <= 2000);
	// If the restarted gateway is not up yet, the next tries back off as usual.
	CHECK(r.on_close(kAbnormal, 0).delay_ms >= 500);
}

TEST(bad_token_and_not_allowed_stop_with_a_reason) {
	Reconnect r;
	CloseDecision d = r.on_close(kUnauthorized, 1);
	CHECK(d.action == AfterClose::Stop);
	CHECK(strstr(d.why, "key") != nullptr);
	d = r.on_close(kForbidden, 1);
	CHECK(d.action == AfterClose::Stop);
	CHECK(strstr(d.why, "pair") != nullptr);
	CHECK(r.on_close(kReplaced, 1).action == AfterClose::Stop);
}

TEST(normal_close_and_idle_timeout_wait_for_the_child) {
	Reconnect r;
	CHECK(r.on_close(kNormal, 1).action == AfterClose::Dormant);
	CHECK(r.on_close(kTimeout, 1).action == AfterClose::Dormant);
}

TEST(rate_limit_waits_at_least_its_floor) {
	BackoffConfig cfg;
	cfg.rate_limited_ms = 30000;
	Reconnect r(cfg);
	CloseDecision d = r.on_close(kRateLimited, 0);
	CHECK(d.action == AfterClose::Reconnect);
	CHECK(d.delay_ms >= 15000);
}

TEST_MAIN()
