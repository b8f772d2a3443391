#include "teddy/mcp.h"

namespace teddy {
namespace {

void begin_reply(JsonWriter& w, JsonValue id) { w.begin_object().field("jsonrpc", "2.0").key("id").raw(id.raw); }

void error_reply(JsonWriter& w, JsonValue id, int code, Str message) {
	w.clear();
	begin_reply(w, id);
	w.key("error").begin_object().field("code", code).field("message", message).end_object().end_object();
}

}  // namespace

bool McpServer::add(const Tool& tool) {
	if (count_ == kMaxTools) return false;
	tools_[count_++] = tool;
	return true;
}

bool McpServer::handle(JsonValue request, JsonWriter& w) {
	JsonValue id = request.get("id");
	bool has_id = id.kind == JsonKind::Number || id.kind == JsonKind::String;
	if (request.kind != JsonKind::Object || !request.get("jsonrpc").is_string("2.0") ||
	    request.get("method").kind != JsonKind::String) {
		if (!has_id) return false;
		error_reply(w, id, jsonrpc::kInvalidRequest, "not a JSON-RPC 2.0 request");
		return true;
	}
	if (!has_id) return false;  // notifications (notifications/initialized, ...) need no answer
	JsonValue method = request.get("method");
	w.clear();
	if (method.is_string("initialize")) {
		begin_reply(w, id);
		w.key("result").begin_object().field("protocolVersion", "2024-11-05");
		w.key("capabilities").begin_object().key("tools").begin_object().end_object().end_object();
		w.key("serverInfo").begin_object().field("name", "teddy-toy").field("version", version_).end_object();
		w.end_object().end_object();
	} else if (method.is_string("tools/list")) {
		begin_reply(w, id);
		w.key("result").begin_object().key("tools").begin_array();
		for (size_t i = 0; i < count_; ++i) {
			w.begin_object().field("name", tools_[i].name).field("description", tools_[i].description);
			w.key("inputSchema").raw(Str(tools_[i].input_schema)).end_object();
		}
		w.end_array().end_object().end_object();
	} else if (method.is_string("tools/call")) {
		begin_reply(w, id);
		call(request.get("params"), w);  // writes "result" or "error"
		w.end_object();
	} else if (method.is_string("ping")) {
		begin_reply(w, id);
		w.key("result").begin_object().end_object().end_object();
	} else {
		error_reply(w, id, jsonrpc::kMethodNotFound, "unknown method");
	}
	if (!w.ok()) error_reply(w, id, jsonrpc::kInvalidParams, "reply too large");
	return true;
}

void McpServer::call(JsonValue params, JsonWriter& w) {
	JsonValue name = params.get("name");
	const Tool* tool = nullptr;
	for (size_t i = 0; i < count_ && !tool; ++i) {
		if (name.is_string(tools_[i].name)) tool = &tools_[i];
	}
	if (!tool) {
		w.key("error").begin_object().field("code", jsonrpc::kInvalidParams).field("message", "unknown tool").end_object();
		return;
	}
	char text[256];
	text[0] = '\0';
	JsonValue args = params.get("arguments");
	bool ok = tool->fn(tool->ctx, args, text, sizeof text);
	// ? Tool failures are results with isError (the model reads them), not protocol errors.
	w.key("result").begin_object().key("content").begin_array();
	w.begin_object().field("type", "text").field("text", Str(text)).end_object().end_array();
	w.field("isError", !ok).end_object();
}

}  // namespace teddy
