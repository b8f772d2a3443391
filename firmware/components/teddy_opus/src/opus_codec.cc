#include "teddy/opus_codec.h"

#include <opus.h>

namespace teddy {

LibopusEncoder::LibopusEncoder(int bitrate, int complexity) {
	int err = 0;
	enc_ = opus_encoder_create(16000, 1, OPUS_APPLICATION_VOIP, &err);
	if (err != OPUS_OK) {
		enc_ = nullptr;
		return;
	}
	opus_encoder_ctl(enc_, OPUS_SET_BITRATE(bitrate));
	opus_encoder_ctl(enc_, OPUS_SET_COMPLEXITY(complexity));
	opus_encoder_ctl(enc_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}

LibopusEncoder::~LibopusEncoder() {
	if (enc_) opus_encoder_destroy(enc_);
}

int LibopusEncoder::encode(const int16_t* pcm, size_t samples, uint8_t* out, size_t cap) {
	if (!enc_) return OPUS_INVALID_STATE;
	return opus_encode(enc_, pcm, static_cast<int>(samples), out, static_cast<opus_int32>(cap));
}

void LibopusEncoder::reset() {
	if (enc_) opus_encoder_ctl(enc_, OPUS_RESET_STATE);
}

LibopusDecoder::LibopusDecoder(uint32_t output_rate) {
	int err = 0;
	dec_ = opus_decoder_create(static_cast<opus_int32>(output_rate), 1, &err);
	if (err != OPUS_OK) dec_ = nullptr;
}

LibopusDecoder::~LibopusDecoder() {
	if (dec_) opus_decoder_destroy(dec_);
}

int LibopusDecoder::decode(const uint8_t* packet, size_t n, int16_t* pcm, size_t max_samples) {
	if (!dec_) return OPUS_INVALID_STATE;
	return opus_decode(dec_, n ? packet : nullptr, static_cast<opus_int32>(n), pcm, static_cast<int>(max_samples), 0);
}

void LibopusDecoder::reset() {
	if (dec_) opus_decoder_ctl(dec_, OPUS_RESET_STATE);
}

}  // namespace teddy
