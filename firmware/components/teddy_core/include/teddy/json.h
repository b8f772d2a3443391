#pragma once
// A bounded JSON reader and writer for the few control messages the toy handles. The reader
// validates a document once and then looks values up in place (no tree, no heap); the writer
// fills a caller's buffer and reports overflow instead of truncating silently.
#include "teddy/view.h"

namespace teddy {

enum class JsonKind : uint8_t { Invalid, Null, Bool, Number, String, Array, Object };

constexpr int kJsonMaxDepth = 16;

struct JsonValue {
	JsonKind kind = JsonKind::Invalid;
	Str raw;  // the value's text; strings keep their quotes

	bool valid() const { return kind != JsonKind::Invalid; }
	// ! Keys are matched on their raw text: a key written with escapes does not match.
	JsonValue get(Str key) const;
	JsonValue path(Str dotted) const;  // "payload.params.name"
	JsonValue at(size_t index) const;  // array element
	size_t count() const;              // array elements or object members

	// The unescaped string into `out` (NUL-terminated); false if not a string or it does not fit.
	bool to_string(char* out, size_t cap, size_t* len = nullptr) const;
	// True if this is a string equal to `s` (compared unescaped).
	bool is_string(Str s) const;
	bool to_int(int64_t* out) const;  // integers only, no fraction or exponent
	bool to_bool(bool* out) const;
};

// Validates the whole text (depth ≤ kJsonMaxDepth); an Invalid value if it is not one JSON value.
JsonValue json_parse(Str text);

class JsonWriter {
public:
	JsonWriter(char* buf, size_t cap);
	JsonWriter& begin_object();
	JsonWriter& end_object();
	JsonWriter& begin_array();
	JsonWriter& end_array();
	JsonWriter& key(Str k);
	JsonWriter& string(Str s);
	JsonWriter& number(int64_t v);
	JsonWriter& boolean(bool v);
	JsonWriter& null();
	JsonWriter& raw(Str json);  // an already-valid JSON value
	JsonWriter& field(Str k, Str v) { return key(k).string(v); }
	JsonWriter& field(Str k, const char* v) { return key(k).string(Str(v)); }
	JsonWriter& field(Str k, int64_t v) { return key(k).number(v); }
	JsonWriter& field(Str k, int v) { return key(k).number(v); }
	JsonWriter& field(Str k, bool v) { return key(k).boolean(v); }

	bool ok() const { return !overflow_ && depth_ == 0; }
	Str str() const { return Str(buf_, len_); }  // NUL-terminated as well when it fitted
	void clear();

private:
	void put(char c);
	void put(Str s);
	void before_value();
	char* buf_;
	size_t cap_;
	size_t len_ = 0;
	bool overflow_ = false;
	bool after_key_ = false;
	int depth_ = 0;
	uint32_t need_comma_ = 0;  // one bit per open container
};

}  // namespace teddy
