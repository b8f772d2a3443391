#include "../support/check.h"
#include "teddy/frame.h"
#include "teddy/protocol.h"

using namespace teddy;

TEST(v3_header_is_type_reserved_and_big_endian_size) {
	uint8_t buf[4 + 300];
	memset(buf + 4, 0xab, 300);
	CHECK(write_frame_header(buf, FrameType::Opus, 300) == FrameError::None);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(buf[1], 0);
	CHECK_EQ(buf[2], 0x01);
	CHECK_EQ(buf[3], 0x2c);
	Frame f;
	CHECK(parse_frame(Bytes(buf, sizeof buf), &f) == FrameError::None);
	CHECK(f.type == FrameType::Opus);
	CHECK_EQ(f.payload.size, 300);
	CHECK(f.payload.data == buf + 4);
}

TEST(v3_frames_that_disagree_with_their_header_are_refused) {
	uint8_t buf[8] = {1, 0, 0, 4, '{', '}', ' ', ' '};
	Frame f;
	CHECK(parse_frame(Bytes(buf, 8), &f) == FrameError::None);
	CHECK(f.type == FrameType::Json);
	CHECK(parse_frame(Bytes(buf, 7), &f) == FrameError::SizeMismatch);
	CHECK(parse_frame(Bytes(buf, 3), &f) == FrameError::TooShort);
	buf[0] = 2;
	CHECK(parse_frame(Bytes(buf, 8), &f) == FrameError::UnknownType);
	CHECK(write_frame_header(buf, FrameType::Opus, 70000) == FrameError::TooLarge);
}

TEST(hello_names_version_3_and_16k_60ms_opus) {
	char buf[256];
	JsonWriter w(buf, sizeof buf);
	write_hello(w);
	CHECK(w.ok());
	JsonValue v = json_parse(w.str());
	int64_t n;
	CHECK(v.get("type").is_string("hello"));
	CHECK(v.get("version").to_int(&n) && n == 3);
	CHECK(v.get("transport").is_string("websocket"));
	CHECK(v.path("audio_params.format").is_string("opus"));
	CHECK(v.path("audio_params.sample_rate").to_int(&n) && n == 16000);
	CHECK(v.path("audio_params.frame_duration").to_int(&n) && n == 60);
	CHECK(v.path("audio_params.channels").to_int(&n) && n == 1);
}

TEST(listen_abort_and_mcp_messages_match_the_protocol) {
	char buf[256];
	JsonWriter w(buf, sizeof buf);
	write_listen(w, ListenState::Start, ListenMode::Manual);
	CHECK_STR(w.str(), R"({"type":"listen","state":"start","mode":"manual"})");
	w.clear();
	write_listen(w, ListenState::Detect, ListenMode::Auto, "hi teddy");
	CHECK_STR(w.str(), R"({"type":"listen","state":"detect","mode":"auto","text":"hi teddy"})");
	w.clear();
	write_abort(w, "wake_word_detected");
	CHECK_STR(w.str(), R"({"type":"abort","reason":"wake_word_detected"})");
	w.clear();
	write_mcp(w, R"({"jsonrpc":"2.0","id":1,"result":{}})");
	CHECK_STR(w.str(), R"({"type":"mcp","payload":{"jsonrpc":"2.0","id":1,"result":{}}})");
}

TEST(gateway_messages_parse_into_their_fields) {
	Inbound m;
	CHECK(parse_inbound(R"({"type":"hello","transport":"websocket","session_id":"s1","audio_params":{"format":"opus","sample_rate":24000,"channels":1,"frame_duration":60}})", &m));
	CHECK(m.type == MsgType::Hello);
	CHECK_EQ(m.sample_rate, 24000);
	CHECK_EQ(m.frame_ms, 60);
	CHECK(parse_inbound(R"({"type":"tts","state":"sentence_start","text":"Once upon a time","session_id":"s1"})", &m));
	CHECK(m.type == MsgType::Tts && m.tts == TtsState::SentenceStart);
	CHECK(m.text.is_string("Once upon a time"));
	CHECK(parse_inbound(R"({"type":"error","code":"RATE_LIMITED","message":"slow down"})", &m));
	CHECK(m.type == MsgType::Error && m.code.is_string("RATE_LIMITED"));
	CHECK(parse_inbound(R"({"type":"something_new"})", &m));
	CHECK(m.type == MsgType::Unknown);
	CHECK(!parse_inbound(R"({"type":3})", &m));
	CHECK(!parse_inbound(R"(["hello"])", &m));
	CHECK(!parse_inbound(R"({"type":"hello")", &m));
}

TEST_MAIN()
