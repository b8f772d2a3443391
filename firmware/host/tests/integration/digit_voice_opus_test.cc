#include "../../platform/board.h"
#include "../support/check.h"
#include "teddy/digit_voice.h"
#include "teddy/opus_codec.h"

using namespace teddy;

extern const Bytes kDigitClips[10];

TEST(spoken_code_is_audible_speech_of_the_right_length) {
	host::Speaker speaker(16000);
	LibopusDecoder decoder(16000);
	CHECK(decoder.ok());
	DigitVoice voice(kDigitClips, decoder, speaker);
	voice.say_pairing_code("105733");
	printf("  \"105733\": %.2f s at %.1f dBFS, %u packets\n", speaker.seconds(), speaker.rms_dbfs(), voice.packets_played());
	CHECK(speaker.seconds() > 6 * 0.3 + 5 * 0.25);  // six words of at least 0.3 s, five gaps
	CHECK(speaker.seconds() < 10);
	CHECK(speaker.rms_dbfs() > -35);  // speech, not near-silence
}

TEST_MAIN()
