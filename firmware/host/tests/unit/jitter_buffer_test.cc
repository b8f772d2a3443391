#include "../support/check.h"
#include "teddy/jitter_buffer.h"

using namespace teddy;

static void push_n(JitterBuffer& jb, int first, int n) {
	for (int i = first; i < first + n; ++i) {
		uint8_t p[3] = {static_cast<uint8_t>(i), 1, 2};
		jb.push(Bytes(p, 3));
	}
}

TEST(jitter_buffer_waits_for_prefill_then_plays_in_order) {
	StaticJitterBuffer<8, 16> jb(3);
	uint8_t out[16];
	size_t len;
	push_n(jb, 0, 2);
	CHECK(jb.pop(out, &len) == Pop::Wait);  // 2 < prefill
	push_n(jb, 2, 1);
	for (int i = 0; i < 3; ++i) {
		CHECK(jb.pop(out, &len) == Pop::Frame);
		CHECK_EQ(len, 3);
		CHECK_EQ(out[0], i);
	}
	CHECK_EQ(jb.stats().underruns, 0);
}

TEST(jitter_buffer_counts_underruns_while_playing) {
	StaticJitterBuffer<8, 16> jb(2);
	uint8_t out[16];
	size_t len;
	push_n(jb, 0, 2);
	CHECK(jb.pop(out, &len) == Pop::Frame);
	CHECK(jb.pop(out, &len) == Pop::Frame);
	CHECK(jb.pop(out, &len) == Pop::Underrun);
	CHECK(jb.pop(out, &len) == Pop::Underrun);
	CHECK_EQ(jb.stats().underruns, 2);
	push_n(jb, 2, 1);  // playing already: no new prefill wait
	CHECK(jb.pop(out, &len) == Pop::Frame);
	CHECK_EQ(out[0], 2);
}

TEST(jitter_buffer_drops_the_oldest_frame_when_full) {
	StaticJitterBuffer<4, 16> jb(1);
	uint8_t out[16];
	size_t len;
	push_n(jb, 0, 6);  // two too many
	CHECK_EQ(jb.stats().overruns, 2);
	CHECK_EQ(jb.depth(), 4);
	CHECK(jb.pop(out, &len) == Pop::Frame);
	CHECK_EQ(out[0], 2);  // 0 and 1 were dropped
	CHECK_EQ(jb.stats().max_depth, 4);
}

TEST(jitter_buffer_plays_a_short_answer_out_and_reports_drained) {
	StaticJitterBuffer<8, 16> jb(3);
	uint8_t out[16];
	size_t len;
	jb.begin_stream();
	push_n(jb, 0, 1);  // shorter than the prefill
	jb.end_of_stream();
	CHECK(jb.pop(out, &len) == Pop::Frame);
	CHECK(jb.pop(out, &len) == Pop::Drained);
	CHECK(!jb.active());
	CHECK_EQ(jb.stats().underruns, 0);
	// An answer with no audio at all still drains.
	jb.begin_stream();
	jb.end_of_stream();
	CHECK(jb.pop(out, &len) == Pop::Drained);
}

TEST(jitter_buffer_flush_drops_everything_and_refuses_oversize) {
	StaticJitterBuffer<8, 4> jb(1);
	uint8_t out[4];
	size_t len;
	push_n(jb, 0, 3);
	uint8_t big[5] = {};
	jb.push(Bytes(big, 5));
	CHECK_EQ(jb.stats().oversize, 1);
	jb.flush();
	CHECK_EQ(jb.depth(), 0);
	CHECK(jb.pop(out, &len) == Pop::Wait);
}

TEST_MAIN()
