#include "../support/check.h"
#include "../support/fakes.h"
#include "teddy/client.h"

using namespace teddy;

namespace {

struct Rig : BootConfirm {
	fakes::Transport ws;
	fakes::Mic mic;
	fakes::Speaker speaker;
	fakes::Encoder enc;
	fakes::Decoder dec;
	fakes::Clock clock;
	fakes::Random random;
	fakes::Display display;
	DeviceKey key{};
	int boot_confirms = 0;
	Client client;

	static ClientConfig config(TalkMode mode) {
		ClientConfig c;
		c.device_id = "Teddy-ESP32-001";
		c.client_id = "c1";
		c.ws_url = "ws://gw/xiaozhi/v1/";
		c.firmware_version = "1.0.0";
		c.mode = mode;
		return c;
	}
	explicit Rig(TalkMode mode = TalkMode::PushToTalk)
	    : client(config(mode), key, ClientPorts{ws, mic, speaker, enc, dec, clock, random, display}) {
		client.set_boot_confirm(this);
	}
	void confirm_boot() override { ++boot_confirms; }

	void connect() {
		client.start();
		client.on_open();
		client.on_text(R"({"type":"hello","transport":"websocket","session_id":"s","audio_params":{"format":"opus","sample_rate":24000,"channels":1,"frame_duration":60}})");
	}
	void audio(int n, uint8_t fill = 7) {
		for (int i = 0; i < n; ++i) {
			uint8_t f[4 + 30];
			memset(f + 4, fill, 30);
			write_frame_header(f, FrameType::Opus, 30);
			client.on_binary(Bytes(f, sizeof f));
		}
	}
	void ticks(int n) {
		for (int i = 0; i < n; ++i) {
			clock.mono += 60;
			client.audio_tick();
			client.poll();
		}
	}
};

}  // namespace

TEST(client_connects_with_a_v2_token_and_says_hello) {
	Rig r;
	r.client.start();
	CHECK_EQ(r.ws.connects, 1);
	CHECK_STR(Str(r.ws.protocol_version), "3");
	Str auth(r.ws.auth);
	CHECK(auth.starts_with("Bearer v2.1767225600."));
	CHECK(check_v2_token("Teddy-ESP32-001", r.key, auth.sub(7)));
	CHECK(r.client.state() == TurnState::Connecting);
	r.client.on_open();
	JsonValue hello = json_parse(r.ws.last_text("hello"));
	CHECK(hello.get("type").is_string("hello"));
	r.client.on_text(R"({"type":"hello","transport":"websocket","session_id":"s","audio_params":{"format":"opus","sample_rate":24000}})");
	CHECK(r.client.state() == TurnState::Idle);
	CHECK_EQ(r.boot_confirms, 1);
}

TEST(client_push_to_talk_turn_streams_mic_and_plays_the_answer) {
	Rig r;
	r.connect();
	r.client.press();
	CHECK(json_parse(r.ws.last_text("listen")).get("state").is_string("start"));
	CHECK(json_parse(r.ws.last_text("listen")).get("mode").is_string("manual"));
	r.ticks(5);
	CHECK_EQ(r.ws.count_binary(), 5);
	const fakes::Sent& last = r.ws.sent[r.ws.n_sent - 1];
	CHECK(last.binary);
	CHECK_EQ(last.data[0], 0);   // opus
	CHECK_EQ(last.data[3], 20);  // payload size, big-endian
	CHECK_EQ(last.size, 24);
	r.client.release();
	CHECK(json_parse(r.ws.last_text("listen")).get("state").is_string("stop"));
	CHECK(r.client.state() == TurnState::Thinking);
	r.ticks(3);
	CHECK_EQ(r.ws.count_binary(), 5);  // microphone off after release
	r.client.on_text(R"({"type":"stt","text":"tell me a story"})");
	r.client.on_text(R"({"type":"tts","state":"start"})");
	r.client.on_text(R"({"type":"tts","state":"sentence_start","text":"Once upon a time"})");
	CHECK_STR(Str(r.display.text), "Once upon a time");
	r.audio(10);
	r.client.on_text(R"({"type":"tts","state":"stop"})");
	CHECK(r.client.state() == TurnState::Speaking);
	r.ticks(12);
	CHECK_EQ(r.dec.frames, 10);
	CHECK_EQ(r.speaker.samples, 10 * 1440);
	CHECK(r.client.state() == TurnState::Idle);
	CHECK_EQ(r.client.playback().underruns, 0);
}

TEST(client_barge_in_aborts_and_drops_the_rest_of_the_answer) {
	Rig r;
	r.connect();
	r.client.press();
	r.client.release();
	r.client.on_text(R"({"type":"tts","state":"start"})");
	r.audio(6);
	r.ticks(2);
	size_t before = r.ws.n_sent;
	r.client.press();
	// abort goes out before the new listen start
	CHECK(r.ws.n_sent == before + 2);
	CHECK(json_parse(r.ws.sent[before].text()).get("type").is_string("abort"));
	CHECK(json_parse(r.ws.sent[before + 1].text()).get("state").is_string("start"));
	CHECK(r.client.state() == TurnState::Listening);
	int played = r.dec.frames;
	r.audio(3);  // still in flight when the gateway got the abort
	r.ticks(3);
	CHECK_EQ(r.dec.frames, played);
	CHECK_EQ(r.client.stats().late_frames, 3);
	CHECK_EQ(r.client.turns().barge_ins, 1);
}

TEST(client_vad_mode_listens_again_after_the_answer) {
	Rig r(TalkMode::Vad);
	r.connect();
	r.client.press();
	CHECK(json_parse(r.ws.last_text("listen")).get("mode").is_string("auto"));
	r.client.on_text(R"({"type":"stt","text":"hi"})");
	CHECK(r.client.state() == TurnState::Thinking);
	r.client.on_text(R"({"type":"tts","state":"start"})");
	r.audio(4);
	r.client.on_text(R"({"type":"tts","state":"stop"})");
	size_t listens_before = 0;
	for (size_t i = 0; i < r.ws.n_sent; ++i) listens_before += strstr(reinterpret_cast<const char*>(r.ws.sent[i].data), "\"start\"") ? 1 : 0;
	r.ticks(6);
	CHECK(r.client.state() == TurnState::Listening);
	size_t listens_after = 0;
	for (size_t i = 0; i < r.ws.n_sent; ++i) listens_after += strstr(reinterpret_cast<const char*>(r.ws.sent[i].data), "\"start\"") ? 1 : 0;
	CHECK_EQ(listens_after, listens_before + 1);
}

TEST(client_stops_on_4401_and_shows_why) {
	Rig r;
	r.connect();
	r.client.on_text(R"({"type":"error","code":"UNAUTHORIZED","message":"token expired"})");
	r.client.on_closed(4401);
	CHECK(r.client.state() == TurnState::Stopped);
	CHECK(r.display.face == Face::Error);
	CHECK(strstr(r.display.text, "key") != nullptr);
	CHECK_STR(Str(r.client.stats().last_error), "UNAUTHORIZED");
	r.clock.mono += 3600 * 1000;
	r.client.poll();
	CHECK_EQ(r.ws.connects, 1);  // never retried by itself
}

TEST(client_falls_back_to_its_own_key_when_the_device_jwt_is_refused) {
	Rig r;
	CHECK(r.client.use_bearer("eyJ.expired.jwt"));
	r.client.start();
	CHECK_STR(Str(r.ws.auth), "Bearer eyJ.expired.jwt");
	r.client.on_closed(4401);
	CHECK(r.client.state() == TurnState::Offline);  // not stopped: one more try with a v2 token
	r.clock.mono += 1001;
	r.client.poll();
	CHECK_EQ(r.ws.connects, 2);
	CHECK(Str(r.ws.auth).starts_with("Bearer v2."));
	r.client.on_closed(4401);  // the key itself is refused: now stop
	CHECK(r.client.state() == TurnState::Stopped);
}

TEST(client_reconnects_soon_after_1012) {
	Rig r;
	r.connect();
	r.client.on_closed(1012);
	CHECK(r.client.state() == TurnState::Offline);
	CHECK(r.client.reconnect_at_ms() > r.clock.mono);
	CHECK(r.client.reconnect_at_ms() <= r.clock.mono + 2001);
	r.clock.mono += 2001;
	r.client.poll();
	CHECK_EQ(r.ws.connects, 2);
	CHECK(r.client.state() == TurnState::Connecting);
}

TEST(client_retries_when_the_hello_never_comes) {
	Rig r;
	r.client.start();
	r.client.on_open();
	r.clock.mono += 10001;
	r.client.poll();
	CHECK(r.client.state() == TurnState::Offline);
	CHECK(r.client.reconnect_at_ms() > 0);
}

TEST(client_answers_mcp_tool_calls_over_the_socket) {
	Rig r;
	r.connect();
	r.client.on_text(R"({"type":"mcp","payload":{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"self.audio_speaker.set_volume","arguments":{"volume":25}}}})");
	CHECK_EQ(r.speaker.vol, 25);
	JsonValue reply = json_parse(r.ws.last_text("jsonrpc"));
	int64_t id = 0;
	CHECK(reply.get("type").is_string("mcp"));
	CHECK(reply.path("payload.id").to_int(&id) && id == 42);
	r.client.on_text(R"({"type":"mcp","payload":{"jsonrpc":"2.0","id":43,"method":"tools/call","params":{"name":"self.get_device_status","arguments":{}}}})");
	reply = json_parse(r.ws.last_text("\"id\":43"));
	char text[256];
	CHECK(reply.path("payload.result.content").at(0).get("text").to_string(text, sizeof text));
	JsonValue status = json_parse(Str(text));
	int64_t vol = 0;
	CHECK(status.path("audio_speaker.volume").to_int(&vol) && vol == 25);
	CHECK(status.get("state").is_string("idle"));
}

TEST(client_survives_garbage_from_the_socket) {
	Rig r;
	r.connect();
	r.client.on_text("{not json");
	r.client.on_text(R"({"type":42})");
	uint8_t bad[3] = {0, 0, 9};
	r.client.on_binary(Bytes(bad, 3));
	uint8_t lying[6] = {0, 0, 0, 9, 1, 2};
	r.client.on_binary(Bytes(lying, 6));
	CHECK_EQ(r.client.stats().bad_messages, 2);
	CHECK_EQ(r.client.stats().bad_frames, 2);
	r.client.press();
	CHECK(r.client.state() == TurnState::Listening);
}

TEST(client_json_in_binary_frames_is_handled_like_text) {
	Rig r;
	r.client.start();
	r.client.on_open();
	const char* hello = R"({"type":"hello","transport":"websocket","session_id":"s","audio_params":{"format":"opus","sample_rate":16000}})";
	uint8_t f[200];
	size_t n = strlen(hello);
	memcpy(f + 4, hello, n);
	write_frame_header(f, FrameType::Json, n);
	r.client.on_binary(Bytes(f, 4 + n));
	CHECK(r.client.state() == TurnState::Idle);
}

TEST_MAIN()
