#include "teddy/frame.h"

namespace teddy {

FrameError write_frame_header(uint8_t* out, FrameType type, size_t payload_size) {
	if (payload_size > 0xffff) return FrameError::TooLarge;
	out[0] = static_cast<uint8_t>(type);
	out[1] = 0;
	out[2] = static_cast<uint8_t>(payload_size >> 8);
	out[3] = static_cast<uint8_t>(payload_size & 0xff);
	return FrameError::None;
}

FrameError parse_frame(Bytes frame, Frame* out) {
	if (frame.size < kFrameHeader) return FrameError::TooShort;
	uint8_t type = frame.data[0];
	if (type > 1) return FrameError::UnknownType;
	size_t size = static_cast<size_t>(frame.data[2]) << 8 | frame.data[3];
	if (size != frame.size - kFrameHeader) return FrameError::SizeMismatch;
	out->type = static_cast<FrameType>(type);
	out->payload = Bytes(frame.data + kFrameHeader, size);
	return FrameError::None;
}

}  // namespace teddy
