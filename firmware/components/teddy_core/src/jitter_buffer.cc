#include "teddy/jitter_buffer.h"

namespace teddy {

JitterBuffer::JitterBuffer(uint8_t* storage, uint16_t* lengths, size_t slots, size_t slot_bytes, size_t prefill)
    : storage_(storage), lengths_(lengths), slots_(slots), slot_bytes_(slot_bytes), prefill_(prefill < slots ? prefill : slots) {}

void JitterBuffer::push(Bytes packet) {
	if (packet.size == 0 || packet.size > slot_bytes_ || packet.size > 0xffff) {
		++stats_.oversize;
		return;
	}
	if (count_ == slots_) {
		head_ = (head_ + 1) % slots_;
		--count_;
		++stats_.overruns;
	}
	size_t slot = (head_ + count_) % slots_;
	memcpy(storage_ + slot * slot_bytes_, packet.data, packet.size);
	lengths_[slot] = static_cast<uint16_t>(packet.size);
	++count_;
	++stats_.pushed;
	if (count_ > stats_.max_depth) stats_.max_depth = static_cast<uint32_t>(count_);
}

Pop JitterBuffer::pop(uint8_t* out, size_t* len) {
	if (!playing_) {
		if (count_ == 0 && ending_) {  // an answer with no audio at all
			ending_ = false;
			return Pop::Drained;
		}
		if (count_ == 0 || (count_ < prefill_ && !ending_)) return Pop::Wait;
		playing_ = true;
	}
	if (count_ == 0) {
		if (ending_) {
			playing_ = false;
			ending_ = false;
			return Pop::Drained;
		}
		++stats_.underruns;
		return Pop::Underrun;
	}
	*len = lengths_[head_];
	memcpy(out, storage_ + head_ * slot_bytes_, *len);
	head_ = (head_ + 1) % slots_;
	--count_;
	++stats_.played;
	return Pop::Frame;
}

void JitterBuffer::begin_stream() { ending_ = false; }

void JitterBuffer::end_of_stream() { ending_ = true; }

void JitterBuffer::flush() {
	head_ = 0;
	count_ = 0;
	playing_ = false;
	ending_ = false;
}

}  // namespace teddy
