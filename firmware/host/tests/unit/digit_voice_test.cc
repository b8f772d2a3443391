#include "../support/check.h"
#include "../support/fakes.h"
#include "teddy/digit_voice.h"

using namespace teddy;

extern const Bytes kDigitClips[10];

static size_t packets_in(Bytes clip) {
	size_t n = 0;
	for (size_t at = 0; at + 2 <= clip.size; ++n) at += 2 + (static_cast<size_t>(clip.data[at]) << 8 | clip.data[at + 1]);
	return n;
}

TEST(every_digit_clip_is_a_valid_packet_sequence) {
	for (int d = 0; d < 10; ++d) {
		size_t at = 0, packets = 0;
		while (at + 2 <= kDigitClips[d].size) {
			size_t len = static_cast<size_t>(kDigitClips[d].data[at]) << 8 | kDigitClips[d].data[at + 1];
			CHECK(len > 0 && len < 400);
			at += 2 + len;
			++packets;
		}
		CHECK_EQ(at, kDigitClips[d].size);
		CHECK(packets >= 4);  // a spoken word: a quarter second at least
	}
}

TEST(pairing_code_is_spoken_digit_by_digit_with_gaps) {
	fakes::Decoder dec;
	fakes::Speaker speaker;
	speaker.rate = 16000;
	DigitVoice voice(kDigitClips, dec, speaker);
	voice.say_pairing_code("482913");
	size_t expected = 0;
	const char* code = "482913";
	for (const char* c = code; *c; ++c) expected += packets_in(kDigitClips[*c - '0']);
	CHECK_EQ(dec.frames, static_cast<int>(expected));
	// Each packet decodes to 60 ms (the fake gives min(max, 1440) samples); five gaps of 250 ms.
	CHECK_EQ(speaker.samples, expected * 960 + 5 * 16000 / 4);
	CHECK(dec.resets >= 1);  // a clean decoder state for the first digit
}

TEST(non_digits_are_skipped) {
	fakes::Decoder dec;
	fakes::Speaker speaker;
	DigitVoice voice(kDigitClips, dec, speaker);
	voice.say_pairing_code("4-2");
	CHECK_EQ(dec.frames, static_cast<int>(packets_in(kDigitClips[4]) + packets_in(kDigitClips[2])));
}

TEST_MAIN()
