#include "../support/check.h"
#include "teddy/mcp.h"

using namespace teddy;

static int g_volume = 50;

static bool set_volume(void*, JsonValue args, char* text, size_t cap) {
	int64_t v;
	if (!args.get("volume").to_int(&v) || v < 0 || v > 100) {
		copy_str("volume must be 0-100", text, cap);
		return false;
	}
	g_volume = static_cast<int>(v);
	copy_str("ok", text, cap);
	return true;
}

static McpServer server() {
	McpServer s("1.2.3");
	s.add(Tool{"self.audio_speaker.set_volume", "Set volume", R"({"type":"object"})", set_volume, nullptr});
	return s;
}

static JsonValue ask(McpServer& s, const char* request, char* buf, size_t cap) {
	JsonWriter w(buf, cap);
	if (!s.handle(json_parse(Str(request)), w)) return JsonValue{};
	return json_parse(w.str());
}

TEST(mcp_initialize_and_tools_list) {
	McpServer s = server();
	char buf[512];
	JsonValue r = ask(s, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})", buf, sizeof buf);
	CHECK(r.valid());
	CHECK(r.path("result.serverInfo.version").is_string("1.2.3"));
	r = ask(s, R"({"jsonrpc":"2.0","id":"two","method":"tools/list"})", buf, sizeof buf);
	CHECK(r.get("id").is_string("two"));
	CHECK_EQ(r.path("result.tools").count(), 1);
	CHECK(r.path("result.tools").at(0).get("name").is_string("self.audio_speaker.set_volume"));
	CHECK(r.path("result.tools").at(0).path("inputSchema.type").is_string("object"));
}

TEST(mcp_tool_call_changes_the_volume) {
	McpServer s = server();
	char buf[512];
	JsonValue r = ask(s, R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"self.audio_speaker.set_volume","arguments":{"volume":80}}})", buf, sizeof buf);
	CHECK_EQ(g_volume, 80);
	bool is_error = true;
	CHECK(r.path("result.isError").to_bool(&is_error) && !is_error);
	CHECK(r.path("result.content").at(0).get("text").is_string("ok"));
}

TEST(mcp_bad_arguments_are_a_tool_error_not_a_crash) {
	McpServer s = server();
	char buf[512];
	g_volume = 50;
	JsonValue r = ask(s, R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"self.audio_speaker.set_volume","arguments":{"volume":"loud"}}})", buf, sizeof buf);
	bool is_error = false;
	CHECK(r.path("result.isError").to_bool(&is_error) && is_error);
	CHECK_EQ(g_volume, 50);
}

TEST(mcp_unknown_method_and_tool_are_json_rpc_errors) {
	McpServer s = server();
	char buf[512];
	int64_t code = 0;
	JsonValue r = ask(s, R"({"jsonrpc":"2.0","id":5,"method":"resources/list"})", buf, sizeof buf);
	CHECK(r.path("error.code").to_int(&code) && code == jsonrpc::kMethodNotFound);
	r = ask(s, R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"self.fly"}})", buf, sizeof buf);
	CHECK(r.path("error.code").to_int(&code) && code == jsonrpc::kInvalidParams);
	r = ask(s, R"({"id":7,"method":"tools/list"})", buf, sizeof buf);
	CHECK(r.path("error.code").to_int(&code) && code == jsonrpc::kInvalidRequest);
}

TEST(mcp_notifications_get_no_answer) {
	McpServer s = server();
	char buf[128];
	JsonWriter w(buf, sizeof buf);
	CHECK(!s.handle(json_parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"), w));
}

TEST(mcp_reply_that_does_not_fit_becomes_an_error) {
	McpServer s = server();
	char buf[100];
	int64_t code = 0;
	JsonValue r = ask(s, R"({"jsonrpc":"2.0","id":8,"method":"tools/list"})", buf, sizeof buf);
	CHECK(r.path("error.code").to_int(&code));
}

TEST_MAIN()
