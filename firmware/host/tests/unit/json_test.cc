#include "../support/check.h"
#include "teddy/json.h"

using namespace teddy;

TEST(json_reads_nested_fields_in_place) {
	JsonValue v = json_parse(R"( {"type":"mcp","payload":{"jsonrpc":"2.0","id":7,"params":{"name":"x","arguments":{"volume":-40}}},"ok":true} )");
	CHECK(v.valid());
	CHECK(v.get("type").is_string("mcp"));
	int64_t n = 0;
	CHECK(v.path("payload.id").to_int(&n));
	CHECK_EQ(n, 7);
	CHECK(v.path("payload.params.arguments.volume").to_int(&n));
	CHECK_EQ(n, -40);
	bool b = false;
	CHECK(v.get("ok").to_bool(&b) && b);
	CHECK(!v.get("missing").valid());
	CHECK(!v.path("payload.params.nothing.deeper").valid());
	CHECK_EQ(v.count(), 3);
}

TEST(json_unescapes_strings_including_surrogate_pairs) {
	JsonValue v = json_parse(R"({"text":"Hi \"bear\"\n\u00e9\ud83d\ude00\/"})");
	char out[64];
	size_t len = 0;
	CHECK(v.get("text").to_string(out, sizeof out, &len));
	CHECK_STR(Str(out, len), "Hi \"bear\"\n\xc3\xa9\xf0\x9f\x98\x80/");
	CHECK(v.get("text").is_string("Hi \"bear\"\n\xc3\xa9\xf0\x9f\x98\x80/"));
	char small[4];
	CHECK(!v.get("text").to_string(small, sizeof small));
}

TEST(json_rejects_malformed_documents) {
	const char* bad[] = {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "nul", "{\"a\":\"\x01\"}", "\"\\x\"",
	                     "01", "1.", "{} {}", "{\"a\":tru}", "[\"\\u12\"]"};
	for (const char* s : bad) {
		if (json_parse(Str(s)).valid()) printf("  accepted: [%.*s]\n", static_cast<int>(strlen(s)), s);
		CHECK(!json_parse(Str(s)).valid());
	}
}

TEST(json_depth_is_bounded) {
	char deep[80];
	for (int i = 0; i < 40; ++i) deep[i] = '[';
	for (int i = 0; i < 40; ++i) deep[40 + i] = ']';
	CHECK(!json_parse(Str(deep, 80)).valid());
	CHECK(json_parse(Str(deep + 30, 20)).valid());  // 10 deep is fine
}

TEST(json_arrays_index_and_count) {
	JsonValue v = json_parse(R"([1, "two", {"three": 3}, [4], null])");
	CHECK_EQ(v.count(), 5);
	CHECK(v.at(1).is_string("two"));
	int64_t n;
	CHECK(v.at(2).get("three").to_int(&n) && n == 3);
	CHECK(v.at(4).kind == JsonKind::Null);
	CHECK(!v.at(5).valid());
}

TEST(json_writer_escapes_and_nests) {
	char buf[128];
	JsonWriter w(buf, sizeof buf);
	w.begin_object().field("type", "listen").field("n", -3).key("a").begin_array().number(1).string("q\"\x01").end_array();
	w.field("b", true).end_object();
	CHECK(w.ok());
	CHECK_STR(w.str(), "{\"type\":\"listen\",\"n\":-3,\"a\":[1,\"q\\\"\\u0001\"],\"b\":true}");
	CHECK(json_parse(w.str()).valid());
}

TEST(json_writer_reports_overflow) {
	char buf[10];
	JsonWriter w(buf, sizeof buf);
	w.begin_object().field("type", "listen").end_object();
	CHECK(!w.ok());
}

TEST_MAIN()
