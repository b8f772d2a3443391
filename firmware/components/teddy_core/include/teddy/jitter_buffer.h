#pragma once
// Downlink Opus packets between the socket and the speaker, bounded in frames. The gateway sends
// at most 5 frames ahead and then paces in real time, so a few frames of prefill absorb Wi-Fi
// jitter; a full buffer drops its oldest frame (the answer stays close to real time) and an empty
// one while playing is an underrun. Storage is fixed at construction; nothing allocates.
#include "teddy/view.h"

namespace teddy {

struct JitterStats {
	uint32_t pushed = 0;
	uint32_t played = 0;
	uint32_t underruns = 0;  // a frame was due and none had arrived
	uint32_t overruns = 0;   // a frame arrived with the buffer full; the oldest was dropped
	uint32_t oversize = 0;   // a packet larger than a slot (dropped)
	uint32_t max_depth = 0;
};

enum class Pop : uint8_t {
	Frame,     // a packet was copied out
	Wait,      // still filling up (or idle): play nothing
	Underrun,  // playing but starved: conceal the gap
	Drained,   // the answer ended and every frame was played
};

class JitterBuffer {
public:
	// `storage` holds `slots` packets of up to `slot_bytes` each.
	JitterBuffer(uint8_t* storage, uint16_t* lengths, size_t slots, size_t slot_bytes, size_t prefill);

	void push(Bytes packet);
	Pop pop(uint8_t* out, size_t* len);
	void begin_stream();   // tts start
	void end_of_stream();  // tts stop: play out what is left without waiting for prefill
	void flush();          // abort: drop everything now
	size_t depth() const { return count_; }
	bool active() const { return playing_ || count_ > 0; }
	const JitterStats& stats() const { return stats_; }

private:
	uint8_t* storage_;
	uint16_t* lengths_;
	size_t slots_;
	size_t slot_bytes_;
	size_t prefill_;
	size_t head_ = 0;  // oldest
	size_t count_ = 0;
	bool playing_ = false;
	bool ending_ = false;
	JitterStats stats_;
};

// A JitterBuffer with its storage inline, sized at compile time.
template <size_t Slots, size_t SlotBytes>
class StaticJitterBuffer : public JitterBuffer {
public:
	explicit StaticJitterBuffer(size_t prefill) : JitterBuffer(data_, lengths_, Slots, SlotBytes, prefill) {}

private:
	uint8_t data_[Slots * SlotBytes];
	uint16_t lengths_[Slots];
};

}  // namespace teddy
