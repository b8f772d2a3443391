// The portable core against the real gateway process: bun gateway/src/main.ts with the offline
// voice (espeak-ng), a real WebSocket, libopus both ways. Run one case per ctest entry.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "../../platform/gateway_process.h"
#include "../../platform/host_toy.h"
#include "../../platform/http_client.h"
#include "../support/check.h"
#include "teddy/pairing.h"
#include "teddy/token.h"

using namespace teddy;

namespace {

const std::string kRepo = TEDDY_REPO_ROOT;

struct World {
	host::TestDatabase db;
	std::unique_ptr<host::GatewayProcess> gateway;
	std::vector<int16_t> speech = host::decode_speech(kRepo + "/bench/assets/speech-16k.opuspackets");

	bool up() {
		if (!db.ok()) {
			printf("  %s\n", db.error().c_str());
			return false;
		}
		gateway = std::make_unique<host::GatewayProcess>(kRepo, db.url());
		if (!gateway->start()) {
			printf("  gateway did not start:\n%s\n", gateway->logs().c_str());
			return false;
		}
		return true;
	}

	std::unique_ptr<host::HostToy> toy(const char* name, TalkMode mode) {
		char id[64];
		snprintf(id, sizeof id, "fw-%s-%d", name, static_cast<int>(getpid()));
		DeviceKey key;  // what the factory burns into this toy's encrypted NVS
		derive_device_key(host::kTestSecret, id, &key);
		host::ToyOptions o;
		o.device_id = id;
		o.ws_url = gateway->ws_url();
		o.mode = mode;
		auto t = std::make_unique<host::HostToy>(o, key);
		t->mic.load(speech);
		return t;
	}
};

void report(const char* what, host::HostToy& t) {
	const JitterStats& j = t.client.playback();
	printf("  %s: sent %u frames, received %u, played %u, underruns %u, overruns %u, late %u; heard %.2f s at %.1f dBFS\n", what,
	       t.client.stats().frames_sent, t.client.stats().frames_received, j.played, j.underruns, j.overruns,
	       t.client.stats().late_frames, t.speaker.seconds(), t.speaker.rms_dbfs());
}

// Speaks the recorded question with push-to-talk and waits for the answer to finish playing.
bool push_to_talk_turn(host::HostToy& t) {
	t.mic.rewind();
	t.client.press();
	if (!t.run_until([&] { return t.mic.finished(); }, 20)) return false;
	t.client.release();
	uint32_t ended = t.client.stats().answers_ended;
	return t.run_until([&] { return t.client.stats().answers_ended > ended && t.client.state() == TurnState::Idle; }, 60);
}

}  // namespace

TEST(spoken_turn_in_vad_mode_is_heard_and_answered) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	auto t = w.toy("vad", TalkMode::Vad);
	t->client.start();
	CHECK(t->run_until([&] { return t->client.state() == TurnState::Idle; }, 20));
	t->client.press();  // one press opens the conversation; the gateway's VAD ends the turn
	bool answered = t->run_until([&] { return t->client.stats().answers_ended >= 1 && t->client.playback().pushed > 0 &&
	                                          t->client.state() == TurnState::Listening; },
	                             60);
	report("vad turn", *t);
	CHECK(answered);
	// ? The gateway answers only turns its VAD heard speech in: an answer means our Opus carried the voice.
	CHECK(t->client.stats().frames_sent >= 60);  // the 3.9 s question, at least
	CHECK_EQ(t->client.stats().answers, 1);
	CHECK(t->client.stats().frames_received >= 10);
	// Every frame that arrived was played or counted as dropped; the answer is real speech, not silence.
	const JitterStats& j = t->client.playback();
	CHECK_EQ(j.played + j.overruns + j.oversize, t->client.stats().frames_received);
	double expected = t->client.stats().frames_received * 0.060;
	CHECK(t->speaker.seconds() >= expected - 0.01);
	CHECK(t->speaker.seconds() >= 0.6);
	CHECK(t->speaker.rms_dbfs() > -35.0);
	CHECK(t->speaker.rms_dbfs() < -3.0);
	t->client.cancel();
	t->run_for(0.3);
}

TEST(abort_mid_answer_stops_the_audio_and_the_next_turn_works) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	auto t = w.toy("abort", TalkMode::PushToTalk);
	t->client.start();
	CHECK(t->run_until([&] { return t->client.state() == TurnState::Idle; }, 20));
	t->client.press();
	CHECK(t->run_until([&] { return t->mic.finished(); }, 20));
	t->client.release();
	CHECK(t->run_until([&] { return t->client.playback().played >= 5; }, 60));
	uint32_t ended = t->client.stats().answers_ended;
	size_t heard = t->speaker.played().size();
	t->client.press();  // barge in: abort, then listen
	CHECK(t->client.state() == TurnState::Listening);
	CHECK(t->run_until([&] { return t->client.stats().answers_ended > ended; }, 10));  // the gateway's tts stop
	uint32_t received = t->client.stats().frames_received;
	t->run_for(1.5);
	report("aborted answer", *t);
	CHECK_EQ(t->client.stats().frames_received, received);  // nothing of that answer after its tts stop
	CHECK_EQ(t->speaker.played().size(), heard);           // and nothing more played after the press
	// The conversation goes on: this turn (the barge-in) is answered in full.
	t->mic.rewind();
	CHECK(t->run_until([&] { return t->mic.finished(); }, 20));
	t->client.release();
	uint32_t answers = t->client.stats().answers;
	CHECK(t->run_until([&] { return t->client.stats().answers > answers && t->client.state() == TurnState::Idle; }, 60));
	CHECK(t->speaker.played().size() > heard);
}

TEST(reconnects_after_the_gateway_restarts) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	auto t = w.toy("restart", TalkMode::PushToTalk);
	t->client.start();
	CHECK(t->run_until([&] { return t->client.state() == TurnState::Idle; }, 20));
	int port = w.gateway->port();
	w.gateway->stop();  // SIGTERM: the gateway closes every socket with 1012
	CHECK(t->run_until([&] { return t->client.state() == TurnState::Offline; }, 10));
	CHECK_EQ(t->client.stats().last_close, 1012);
	CHECK(t->client.reconnect_at_ms() > 0);
	CHECK(w.gateway->start(port));
	CHECK(t->run_until([&] { return t->client.stats().sessions >= 2 && t->client.state() == TurnState::Idle; }, 90));
	printf("  reconnected after %u connection attempts\n", t->client.stats().connects);
	t->speaker.clear();
	CHECK(push_to_talk_turn(*t));
	report("turn after restart", *t);
	CHECK(t->speaker.seconds() >= 0.6);
}

TEST(bad_key_is_refused_with_4401_and_the_toy_stops) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	DeviceKey wrong{};
	wrong.bytes[0] = 1;
	host::ToyOptions o;
	o.device_id = "fw-badkey";
	o.ws_url = w.gateway->ws_url();
	host::HostToy t(o, wrong);
	t.client.start();
	CHECK(t.run_until([&] { return t.client.state() == TurnState::Stopped; }, 20));
	CHECK_EQ(t.client.stats().last_close, 4401);
	CHECK_STR(Str(t.client.stats().last_error), "UNAUTHORIZED");
	int connects = static_cast<int>(t.client.stats().connects);
	t.run_for(3);
	CHECK_EQ(t.client.stats().connects, connects);  // no retry storm against a refused key
}

namespace {
struct NoVoice final : CodeSpeaker {
	void say_pairing_code(Str) override {}
};
}  // namespace

TEST(check_in_pairs_by_code_and_its_jwt_opens_the_session) {
	World w;
	if (!w.up()) return check::fail(__FILE__, __LINE__, "the gateway is up");
	auto t = w.toy("pair", TalkMode::PushToTalk);
	t->clock.set_unix_ms(1000);  // a toy that has not set its clock yet
	host::HttpClient http;
	Identity id{t->options.device_id.c_str(), "host-toy", "teddy-host", "1.0.0", {}};
	derive_device_key(host::kTestSecret, id.device_id, &id.key);
	DeviceApi api(http, t->clock, t->random, id, w.gateway->http_url().c_str());
	NoVoice voice;
	Pairing pairing(api, t->display, voice);
	CheckIn c;
	CHECK(pairing.check_in(&c));
	// The gateway's clock is now the toy's: a fresh v2 token is within its ±120 s window.
	uint64_t now = static_cast<uint64_t>(time(nullptr));
	CHECK(t->clock.unix_seconds() + 5 >= now && t->clock.unix_seconds() <= now + 5);
	CHECK(c.needs_pairing);
	CHECK_EQ(strlen(c.code), 6);
	pairing.present_code(c);
	CHECK(t->display.face == Face::Pairing);
	CHECK(t->display.last_text.find(std::string(c.code, 3)) != std::string::npos);
	// The activation HMAC of the device key is accepted (pairing is optional on this gateway: 200).
	CHECK(pairing.activate(c) == Activation::Activated);
	CheckIn wrong = c;
	copy_str("not-the-challenge", wrong.challenge, sizeof wrong.challenge);
	CHECK(pairing.activate(wrong) == Activation::Refused);
	// The device JWT from the check-in opens the WebSocket instead of a v2 token.
	CHECK(!Str(c.token).empty());
	CHECK(t->client.use_bearer(Str(c.token)));
	t->client.start();
	CHECK(t->run_until([&] { return t->client.state() == TurnState::Idle; }, 20));
}

TEST_MAIN()
