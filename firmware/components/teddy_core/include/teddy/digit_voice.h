#pragma once
// Says a pairing code digit by digit with clips stored in flash (firmware/assets/digit-N.opuspackets:
// u16 big-endian length + Opus packet, 16 kHz mono, 60 ms), for boards without a screen.
// Playback blocks the calling task for the length of the code (about three seconds); it runs
// during pairing, when no conversation is going on.
#include "teddy/hal.h"
#include "teddy/pairing.h"

namespace teddy {

class DigitVoice final : public CodeSpeaker {
public:
	static constexpr uint32_t kGapMs = 250;  // between digits, so "4 8 2" is not "four-eighty-two"

	// `clips[d]` is the clip for digit d.
	DigitVoice(const Bytes clips[10], OpusDecoder& decoder, AudioOut& speaker);
	void say_pairing_code(Str digits) override;
	uint32_t packets_played() const { return packets_; }

private:
	void play(Bytes clip);
	void silence(uint32_t ms);
	Bytes clips_[10];
	OpusDecoder& decoder_;
	AudioOut& speaker_;
	uint32_t packets_ = 0;
	int16_t pcm_[2880];
};

}  // namespace teddy
