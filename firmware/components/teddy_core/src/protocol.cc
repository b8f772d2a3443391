#include "teddy/protocol.h"

namespace teddy {
namespace {

struct Name {
	const char* text;
	MsgType type;
};
const Name kTypes[] = {{"hello", MsgType::Hello}, {"stt", MsgType::Stt},       {"llm", MsgType::Llm},
                       {"tts", MsgType::Tts},     {"mcp", MsgType::Mcp},       {"alert", MsgType::Alert},
                       {"system", MsgType::System}, {"error", MsgType::Error}, {"pong", MsgType::Pong}};

TtsState tts_state(JsonValue v) {
	if (v.is_string("start")) return TtsState::Start;
	if (v.is_string("sentence_start")) return TtsState::SentenceStart;
	if (v.is_string("stop")) return TtsState::Stop;
	return TtsState::None;
}

}  // namespace

bool parse_inbound(Str text, Inbound* out) {
	*out = Inbound{};
	out->doc = json_parse(text);
	if (out->doc.kind != JsonKind::Object) return false;
	JsonValue type = out->doc.get("type");
	if (type.kind != JsonKind::String) return false;
	for (const Name& n : kTypes) {
		if (type.is_string(n.text)) out->type = n.type;
	}
	out->text = out->doc.get("text");
	out->session_id = out->doc.get("session_id");
	switch (out->type) {
		case MsgType::Tts: out->tts = tts_state(out->doc.get("state")); break;
		case MsgType::Mcp: out->payload = out->doc.get("payload"); break;
		case MsgType::Error:
		case MsgType::Alert:
			out->code = out->doc.get("code");
			out->message = out->doc.get("message");
			break;
		case MsgType::Hello:
			out->doc.path("audio_params.sample_rate").to_int(&out->sample_rate);
			out->doc.path("audio_params.frame_duration").to_int(&out->frame_ms);
			break;
		default: break;
	}
	return true;
}

void write_hello(JsonWriter& w) {
	w.begin_object().field("type", "hello").field("version", kProtocolVersion).field("transport", "websocket");
	w.key("features").begin_object().field("mcp", true).end_object();
	w.key("audio_params").begin_object().field("format", "opus").field("sample_rate", static_cast<int64_t>(kUplinkRate));
	w.field("channels", 1).field("frame_duration", static_cast<int64_t>(kFrameMs)).end_object();
	w.end_object();
}

void write_listen(JsonWriter& w, ListenState state, ListenMode mode, Str text) {
	static const char* const kStates[] = {"start", "stop", "detect"};
	static const char* const kModes[] = {"auto", "manual", "realtime"};
	w.begin_object().field("type", "listen").field("state", kStates[static_cast<int>(state)]);
	w.field("mode", kModes[static_cast<int>(mode)]);
	if (!text.empty()) w.field("text", text);
	w.end_object();
}

void write_abort(JsonWriter& w, Str reason) {
	w.begin_object().field("type", "abort");
	if (!reason.empty()) w.field("reason", reason);
	w.end_object();
}

void write_mcp(JsonWriter& w, Str payload_json) { w.begin_object().field("type", "mcp").key("payload").raw(payload_json).end_object(); }

void write_ping(JsonWriter& w) { w.begin_object().field("type", "ping").end_object(); }

void write_goodbye(JsonWriter& w) { w.begin_object().field("type", "goodbye").end_object(); }

}  // namespace teddy
