#include "../support/check.h"
#include "../support/fake_http.h"
#include "../support/fakes.h"
#include "teddy/json.h"
#include "teddy/pairing.h"

using namespace teddy;

namespace {

const char kCheckIn[] =
    R"({"server_time":{"timestamp":1767225700123,"timezone_offset":0},"firmware":{"version":"1.4.0","url":""},"websocket":{"url":"ws://gw/xiaozhi/v1/","token":"eyJhbGciOi.jwt.sig","version":3},"activation":{"code":"482913","message":"Pairing code 4 8 2 9 1 3.","challenge":"c-7f3a","timeout_ms":30000}})";

struct Voice final : CodeSpeaker {
	char said[16] = {};
	void say_pairing_code(Str digits) override { copy_str(digits, said, sizeof said); }
};

struct Headless final : Display {
	Face face = Face::Off;
	bool has_screen() const override { return false; }
	void show(Face f, Str) override { face = f; }
};

struct Rig {
	fakes::Http http;
	fakes::Clock clock;
	fakes::Random random;
	fakes::Display display;
	Voice voice;
	Identity id{"Teddy-ESP32-001", "c1", "teddy-s3", "1.4.0", {}};
	DeviceApi api{http, clock, random, id, "http://gw"};
	Pairing pairing{api, display, voice};
	Rig() {
		derive_device_key("46a1d7e1d6719f4a74404a01a7a18bd5734c824b461708a5123a5f42618c6bc5", id.device_id, &id.key);
		http.route("POST", "http://gw/xiaozhi/ota/activate", 202, R"({"status":"waiting","paired":false,"message":"w"})");
		http.route("POST", "http://gw/xiaozhi/ota/", 200, kCheckIn);
		http.route("POST", "http://gw/api/v1/pair/start", 200, R"({"code":"105733","expires_in":600})");
	}
};

}  // namespace

TEST(check_in_sets_the_clock_and_reads_the_session_and_pairing_code) {
	Rig r;
	r.clock.unix_ms = 5000;  // never set since boot
	CheckIn c;
	CHECK(r.pairing.check_in(&c));
	CHECK_EQ(r.clock.unix_ms, 1767225700123LL);
	CHECK_STR(Str(c.ws_url), "ws://gw/xiaozhi/v1/");
	CHECK_STR(Str(c.token), "eyJhbGciOi.jwt.sig");
	CHECK(c.needs_pairing);
	CHECK_STR(Str(c.code), "482913");
	CHECK_EQ(c.poll_timeout_ms, 30000);
	JsonValue body = json_parse(Str(r.http.log[0].body));
	CHECK(body.path("application.version").is_string("1.4.0"));
	CHECK(body.path("board.type").is_string("teddy-s3"));
	// Without a set clock no token could be valid, so none was sent.
	CHECK_STR(Str(r.http.log[0].authorization), "");
	r.pairing.check_in(&c);
	CHECK(Str(r.http.log[1].authorization).starts_with("Bearer v2.1767225700."));
}

TEST(code_is_shown_on_a_screen) {
	Rig r;
	CheckIn c;
	r.pairing.check_in(&c);
	r.pairing.present_code(c);
	CHECK(r.display.face == Face::Pairing);
	CHECK_STR(Str(r.display.text), "Pairing code 482 913");
	CHECK_STR(Str(r.voice.said), "");
}

TEST(code_is_spoken_when_there_is_no_screen) {
	Rig r;
	Headless headless;
	Pairing p(r.api, headless, r.voice);
	CheckIn c;
	p.check_in(&c);
	p.present_code(c);
	CHECK_STR(Str(r.voice.said), "482913");
	CHECK(headless.face == Face::Pairing);
}

TEST(activation_answers_the_challenge_with_the_device_key) {
	Rig r;
	CheckIn c;
	r.pairing.check_in(&c);
	CHECK(r.pairing.activate(c) == Activation::Waiting);
	JsonValue body = json_parse(Str(r.http.log[1].body));
	char expected[65];
	activation_hmac(r.id.key, "c-7f3a", expected);
	CHECK(body.get("hmac").is_string(Str(expected)));
	CHECK(body.get("algorithm").is_string("hmac-sha256"));
	CHECK(body.get("challenge").is_string("c-7f3a"));
	r.http.routes[0].status = 200;
	CHECK(r.pairing.activate(c) == Activation::Activated);
	r.http.routes[0].status = 401;
	CHECK(r.pairing.activate(c) == Activation::Refused);
}

TEST(a_new_code_on_demand_is_shown) {
	Rig r;
	char code[8];
	CHECK(r.pairing.new_code(code));
	CHECK_STR(Str(code), "105733");
	CHECK_STR(Str(r.display.text), "Pairing code 105 733");
}

TEST_MAIN()
