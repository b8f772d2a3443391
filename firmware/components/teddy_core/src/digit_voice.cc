#include "teddy/digit_voice.h"

namespace teddy {

DigitVoice::DigitVoice(const Bytes clips[10], OpusDecoder& decoder, AudioOut& speaker) : decoder_(decoder), speaker_(speaker) {
	for (int i = 0; i < 10; ++i) clips_[i] = clips[i];
}

void DigitVoice::say_pairing_code(Str digits) {
	decoder_.reset();
	for (size_t i = 0; i < digits.size; ++i) {
		char c = digits.data[i];
		if (c < '0' || c > '9') continue;
		if (i) silence(kGapMs);
		play(clips_[c - '0']);
	}
	decoder_.reset();
}

void DigitVoice::play(Bytes clip) {
	size_t at = 0;
	size_t max = speaker_.sample_rate() * 60 / 1000;
	if (max > sizeof pcm_ / sizeof pcm_[0]) max = sizeof pcm_ / sizeof pcm_[0];
	while (at + 2 <= clip.size) {
		size_t len = static_cast<size_t>(clip.data[at]) << 8 | clip.data[at + 1];
		at += 2;
		if (len == 0 || at + len > clip.size) return;  // a damaged clip: say what was intact
		int n = decoder_.decode(clip.data + at, len, pcm_, max);
		if (n > 0) speaker_.write(pcm_, static_cast<size_t>(n));
		++packets_;
		at += len;
	}
}

void DigitVoice::silence(uint32_t ms) {
	size_t left = speaker_.sample_rate() * ms / 1000;
	memset(pcm_, 0, sizeof pcm_);
	while (left) {
		size_t n = left < sizeof pcm_ / sizeof pcm_[0] ? left : sizeof pcm_ / sizeof pcm_[0];
		speaker_.write(pcm_, n);
		left -= n;
	}
}

}  // namespace teddy
