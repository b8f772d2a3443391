#pragma once
// The toy's side of MCP over the `mcp` message (JSON-RPC 2.0 in `payload`): the gateway's model
// can list the toy's tools and call them (set the volume, read the status). A fixed-size registry.
#include "teddy/json.h"

namespace teddy {

// Writes the tool's text result (or, returning false, why the arguments were refused) into `text`.
using ToolFn = bool (*)(void* ctx, JsonValue arguments, char* text, size_t cap);

struct Tool {
	const char* name;
	const char* description;
	const char* input_schema;  // a JSON Schema object, as JSON text
	ToolFn fn;
	void* ctx;
};

class McpServer {
public:
	static constexpr size_t kMaxTools = 8;
	explicit McpServer(const char* firmware_version) : version_(firmware_version) {}
	bool add(const Tool& tool);
	// Answers one JSON-RPC message; false when none is due (a notification, or no id).
	bool handle(JsonValue request, JsonWriter& response);

private:
	void call(JsonValue params, JsonWriter& w);
	const char* version_;
	Tool tools_[kMaxTools];
	size_t count_ = 0;
};

namespace jsonrpc {
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
}  // namespace jsonrpc

}  // namespace teddy
