#pragma once
// Binary frames of protocol version 3 (PROTOCOL.md §4): type u8 | reserved u8 | payload_size u16 BE.
#include "teddy/view.h"

namespace teddy {

constexpr size_t kFrameHeader = 4;

enum class FrameType : uint8_t { Opus = 0, Json = 1 };
enum class FrameError : uint8_t { None, TooShort, UnknownType, SizeMismatch, TooLarge };

struct Frame {
	FrameType type;
	Bytes payload;  // a view into the frame
};

// Writes the 4-byte header in front of a payload the caller has already placed at out + kFrameHeader.
FrameError write_frame_header(uint8_t* out, FrameType type, size_t payload_size);

FrameError parse_frame(Bytes frame, Frame* out);

}  // namespace teddy
