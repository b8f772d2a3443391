#pragma once
// JSON control messages of the binary protocol, version 3 (PROTOCOL.md §4, docs/protocol.md).
#include "teddy/json.h"

namespace teddy {

constexpr int kProtocolVersion = 3;
constexpr uint32_t kUplinkRate = 16000;
constexpr uint32_t kFrameMs = 60;
constexpr size_t kUplinkFrameSamples = kUplinkRate * kFrameMs / 1000;  // 960

enum class MsgType : uint8_t { Unknown, Hello, Stt, Llm, Tts, Mcp, Alert, System, Error, Pong };
enum class TtsState : uint8_t { None, Start, SentenceStart, Stop };
enum class ListenState : uint8_t { Start, Stop, Detect };
enum class ListenMode : uint8_t { Auto, Manual, Realtime };

// A gateway message, as views into the text it was parsed from.
struct Inbound {
	MsgType type = MsgType::Unknown;
	TtsState tts = TtsState::None;
	JsonValue doc;
	JsonValue text;     // stt, llm, tts sentence_start
	JsonValue payload;  // mcp
	JsonValue code;     // error
	JsonValue message;  // error, alert
	JsonValue session_id;
	int64_t sample_rate = 0;  // hello audio_params
	int64_t frame_ms = 0;
};

// False for text that is not a JSON object with a string "type" (an unknown type parses as Unknown).
bool parse_inbound(Str text, Inbound* out);

void write_hello(JsonWriter& w);
void write_listen(JsonWriter& w, ListenState state, ListenMode mode, Str text = Str());
void write_abort(JsonWriter& w, Str reason);
void write_mcp(JsonWriter& w, Str payload_json);
void write_ping(JsonWriter& w);
void write_goodbye(JsonWriter& w);

}  // namespace teddy
