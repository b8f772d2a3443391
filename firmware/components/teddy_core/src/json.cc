#include "teddy/json.h"

namespace teddy {
namespace {

const char* skip_ws(const char* p, const char* end) {
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
	return p;
}

int hex4(const char* p) {
	int v = 0;
	for (int i = 0; i < 4; ++i) {
		char c = p[i];
		int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
		if (d < 0) return -1;
		v = v << 4 | d;
	}
	return v;
}

// Returns the position after the string starting at `p` (a quote), or nullptr.
const char* skip_string(const char* p, const char* end) {
	++p;
	while (p < end) {
		unsigned char c = static_cast<unsigned char>(*p);
		if (c == '"') return p + 1;
		if (c < 0x20) return nullptr;
		if (c == '\\') {
			if (p + 1 >= end) return nullptr;
			char e = p[1];
			if (e == 'u') {
				if (end - p < 6 || hex4(p + 2) < 0) return nullptr;
				p += 6;
				continue;
			}
			if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return nullptr;
			p += 2;
			continue;
		}
		++p;
	}
	return nullptr;
}

const char* skip_digits(const char* p, const char* end) {
	const char* start = p;
	while (p < end && *p >= '0' && *p <= '9') ++p;
	return p == start ? nullptr : p;
}

const char* skip_number(const char* p, const char* end) {
	if (p < end && *p == '-') ++p;
	if (p < end && *p == '0') {
		++p;
	} else if (!(p = skip_digits(p, end))) {
		return nullptr;
	}
	if (p < end && *p == '.' && !(p = skip_digits(p + 1, end))) return nullptr;
	if (p < end && (*p == 'e' || *p == 'E')) {
		++p;
		if (p < end && (*p == '+' || *p == '-')) ++p;
		if (!(p = skip_digits(p, end))) return nullptr;
	}
	return p;
}

const char* skip_literal(const char* p, const char* end, const char* word) {
	size_t n = strlen(word);
	if (static_cast<size_t>(end - p) < n || memcmp(p, word, n) != 0) return nullptr;
	return p + n;
}

const char* skip_value(const char* p, const char* end, int depth);

const char* skip_container(const char* p, const char* end, int depth, bool object) {
	if (depth >= kJsonMaxDepth) return nullptr;
	char close = object ? '}' : ']';
	p = skip_ws(p + 1, end);
	if (p < end && *p == close) return p + 1;
	while (p < end) {
		if (object) {
			if (*p != '"' || !(p = skip_string(p, end))) return nullptr;
			p = skip_ws(p, end);
			if (p >= end || *p != ':') return nullptr;
			p = skip_ws(p + 1, end);
		}
		if (!(p = skip_value(p, end, depth + 1))) return nullptr;
		p = skip_ws(p, end);
		if (p >= end) return nullptr;
		if (*p == close) return p + 1;
		if (*p != ',') return nullptr;
		p = skip_ws(p + 1, end);
	}
	return nullptr;
}

const char* skip_value(const char* p, const char* end, int depth) {
	if (p >= end) return nullptr;
	switch (*p) {
		case '{': return skip_container(p, end, depth, true);
		case '[': return skip_container(p, end, depth, false);
		case '"': return skip_string(p, end);
		case 't': return skip_literal(p, end, "true");
		case 'f': return skip_literal(p, end, "false");
		case 'n': return skip_literal(p, end, "null");
		default: return skip_number(p, end);
	}
}

JsonKind kind_of(char c) {
	switch (c) {
		case '{': return JsonKind::Object;
		case '[': return JsonKind::Array;
		case '"': return JsonKind::String;
		case 't':
		case 'f': return JsonKind::Bool;
		case 'n': return JsonKind::Null;
		default: return JsonKind::Number;
	}
}

// Walks the members (or elements) of an already validated container.
struct Walker {
	const char* p;
	const char* end;
	bool object;
	Walker(const JsonValue& v) : p(v.raw.data + 1), end(v.raw.data + v.raw.size - 1), object(v.kind == JsonKind::Object) {
		p = skip_ws(p, end);
	}
	// Next member: its key (raw, without quotes) and value. False at the end.
	bool next(Str* key, JsonValue* value) {
		if (p >= end) return false;
		if (object) {
			const char* k = p;
			p = skip_string(p, end);
			if (!p) return false;
			*key = Str(k + 1, static_cast<size_t>(p - k - 2));
			p = skip_ws(p, end) + 1;  // ':'
			p = skip_ws(p, end);
		}
		const char* v = p;
		p = skip_value(p, end, 0);
		if (!p) return false;
		*value = JsonValue{kind_of(*v), Str(v, static_cast<size_t>(p - v))};
		p = skip_ws(p, end);
		if (p < end && *p == ',') p = skip_ws(p + 1, end);
		return true;
	}
};

void put_utf8(uint32_t cp, char* out, size_t* n) {
	if (cp < 0x80) {
		out[(*n)++] = static_cast<char>(cp);
	} else if (cp < 0x800) {
		out[(*n)++] = static_cast<char>(0xc0 | cp >> 6);
		out[(*n)++] = static_cast<char>(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = static_cast<char>(0xe0 | cp >> 12);
		out[(*n)++] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
		out[(*n)++] = static_cast<char>(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = static_cast<char>(0xf0 | cp >> 18);
		out[(*n)++] = static_cast<char>(0x80 | (cp >> 12 & 0x3f));
		out[(*n)++] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
		out[(*n)++] = static_cast<char>(0x80 | (cp & 0x3f));
	}
}

}  // namespace

JsonValue json_parse(Str text) {
	const char* end = text.data + text.size;
	const char* p = skip_ws(text.data, end);
	const char* v = p;
	p = skip_value(p, end, 0);
	if (!p || skip_ws(p, end) != end) return JsonValue{};
	return JsonValue{kind_of(*v), Str(v, static_cast<size_t>(p - v))};
}

JsonValue JsonValue::get(Str key) const {
	if (kind != JsonKind::Object) return JsonValue{};
	Walker w(*this);
	Str k;
	JsonValue v;
	while (w.next(&k, &v)) {
		if (k == key) return v;
	}
	return JsonValue{};
}

JsonValue JsonValue::path(Str dotted) const {
	JsonValue cur = *this;
	while (cur.valid() && !dotted.empty()) {
		size_t dot = 0;
		while (dot < dotted.size && dotted.data[dot] != '.') ++dot;
		cur = cur.get(dotted.sub(0, dot));
		dotted = dotted.sub(dot + 1);
	}
	return cur;
}

JsonValue JsonValue::at(size_t index) const {
	if (kind != JsonKind::Array) return JsonValue{};
	Walker w(*this);
	Str k;
	JsonValue v;
	for (size_t i = 0; w.next(&k, &v); ++i) {
		if (i == index) return v;
	}
	return JsonValue{};
}

size_t JsonValue::count() const {
	if (kind != JsonKind::Array && kind != JsonKind::Object) return 0;
	Walker w(*this);
	Str k;
	JsonValue v;
	size_t n = 0;
	while (w.next(&k, &v)) ++n;
	return n;
}

bool JsonValue::to_string(char* out, size_t cap, size_t* len) const {
	if (kind != JsonKind::String || cap == 0) return false;
	const char* p = raw.data + 1;
	const char* end = raw.data + raw.size - 1;
	size_t n = 0;
	while (p < end) {
		// Room for what this step writes (up to 4 UTF-8 bytes for \u) and the final NUL.
		if (n + (*p == '\\' && p[1] == 'u' ? 5 : 2) > cap) {
			out[0] = '\0';
			return false;
		}
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		char e = p[1];
		p += 2;
		switch (e) {
			case 'b': out[n++] = '\b'; break;
			case 'f': out[n++] = '\f'; break;
			case 'n': out[n++] = '\n'; break;
			case 'r': out[n++] = '\r'; break;
			case 't': out[n++] = '\t'; break;
			case 'u': {
				uint32_t cp = static_cast<uint32_t>(hex4(p));
				p += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
					int lo = hex4(p + 2);
					if (lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + static_cast<uint32_t>(lo - 0xdc00);
						p += 6;
					}
				}
				if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;  // a lone surrogate
				put_utf8(cp, out, &n);
				break;
			}
			default: out[n++] = e;  // " \ /
		}
	}
	out[n] = '\0';
	if (len) *len = n;
	return true;
}

bool JsonValue::is_string(Str s) const {
	if (kind != JsonKind::String) return false;
	Str inner = raw.sub(1, raw.size - 2);
	bool escaped = false;
	for (size_t i = 0; i < inner.size; ++i) escaped |= inner.data[i] == '\\';
	if (!escaped) return inner == s;
	char buf[128];
	size_t n;
	return to_string(buf, sizeof buf, &n) && Str(buf, n) == s;
}

bool JsonValue::to_int(int64_t* out) const {
	if (kind != JsonKind::Number) return false;
	Str s = raw;
	bool neg = s.size && s.data[0] == '-';
	uint64_t v;
	if (!parse_u64(neg ? s.sub(1) : s, &v) || v > static_cast<uint64_t>(INT64_MAX)) return false;
	*out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
	return true;
}

bool JsonValue::to_bool(bool* out) const {
	if (kind != JsonKind::Bool) return false;
	*out = raw.data[0] == 't';
	return true;
}

// Writer ------------------------------------------------------------------------------------

JsonWriter::JsonWriter(char* buf, size_t cap) : buf_(buf), cap_(cap) { clear(); }

void JsonWriter::clear() {
	len_ = 0;
	overflow_ = cap_ == 0;
	after_key_ = false;
	depth_ = 0;
	need_comma_ = 0;
	if (cap_) buf_[0] = '\0';
}

void JsonWriter::put(char c) {
	if (len_ + 1 >= cap_) {
		overflow_ = true;
		return;
	}
	buf_[len_++] = c;
	buf_[len_] = '\0';
}

void JsonWriter::put(Str s) {
	for (size_t i = 0; i < s.size; ++i) put(s.data[i]);
}

void JsonWriter::before_value() {
	if (after_key_) {
		after_key_ = false;
		return;
	}
	uint32_t bit = 1u << depth_;
	if (need_comma_ & bit) put(',');
	need_comma_ |= bit;
}

JsonWriter& JsonWriter::begin_object() {
	before_value();
	put('{');
	need_comma_ &= ~(1u << ++depth_);
	return *this;
}

JsonWriter& JsonWriter::end_object() {
	put('}');
	--depth_;
	return *this;
}

JsonWriter& JsonWriter::begin_array() {
	before_value();
	put('[');
	need_comma_ &= ~(1u << ++depth_);
	return *this;
}

JsonWriter& JsonWriter::end_array() {
	put(']');
	--depth_;
	return *this;
}

JsonWriter& JsonWriter::key(Str k) {
	string(k);
	put(':');
	after_key_ = true;
	return *this;
}

JsonWriter& JsonWriter::string(Str s) {
	static const char kHex[] = "0123456789abcdef";
	before_value();
	put('"');
	for (size_t i = 0; i < s.size; ++i) {
		unsigned char c = static_cast<unsigned char>(s.data[i]);
		if (c == '"' || c == '\\') {
			put('\\');
			put(static_cast<char>(c));
		} else if (c == '\n') {
			put(Str("\\n", 2));
		} else if (c < 0x20) {
			put(Str("\\u00", 4));
			put(kHex[c >> 4]);
			put(kHex[c & 15]);
		} else {
			put(static_cast<char>(c));
		}
	}
	put('"');
	return *this;
}

JsonWriter& JsonWriter::number(int64_t v) {
	before_value();
	char tmp[22];
	size_t n = 0;
	uint64_t u = static_cast<uint64_t>(v);
	if (v < 0) {
		tmp[n++] = '-';
		u = 0 - u;
	}
	n += format_u64(u, tmp + n);
	put(Str(tmp, n));
	return *this;
}

JsonWriter& JsonWriter::boolean(bool v) {
	before_value();
	put(v ? Str("true", 4) : Str("false", 5));
	return *this;
}

JsonWriter& JsonWriter::null() {
	before_value();
	put(Str("null", 4));
	return *this;
}

JsonWriter& JsonWriter::raw(Str json) {
	before_value();
	put(json);
	return *this;
}

}  // namespace teddy
