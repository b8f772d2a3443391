#pragma once
// A scripted gateway for the REST clients: routes answer with fixed bodies, the firmware image
// honours Range, and faults (a dropped connection, an ignored Range, an error page) are injected.
#include "teddy/hal.h"

namespace fakes {
using namespace teddy;

struct Request {
	char method[8];
	char url[256];
	char range[48];
	char if_none_match[96];
	char authorization[200];
	char body[512];
};

struct Route {
	const char* method;
	const char* url_prefix;
	int status;
	const char* body;
	const char* etag;
};

struct Http final : teddy::Http {
	Route routes[8];
	size_t n_routes = 0;
	Request log[64];
	size_t n_log = 0;
	// The image served at `image_url`.
	const char* image_url = "http://gw/api/v1/esp32/firmware/teddy-s3/2.0.0.bin";
	const uint8_t* image = nullptr;
	size_t image_size = 0;
	bool honour_range = true;
	int drop_after_bytes = -1;    // the next image response breaks off after this many bytes
	int image_status = 0;         // force a status for the image (e.g. 404)
	bool offline = false;  // every request fails as if the network were down

	void route(const char* method, const char* prefix, int status, const char* body, const char* etag = "") {
		routes[n_routes++] = Route{method, prefix, status, body, etag};
	}

	bool request(const char* method, Str url, const Header* headers, size_t n, Str body, HttpBody& sink,
	             HttpResponse* response) override {
		Request& r = log[n_log < 64 ? n_log++ : 63];
		memset(&r, 0, sizeof r);
		copy_str(method, r.method, sizeof r.method);
		copy_str(url, r.url, sizeof r.url);
		copy_str(body, r.body, sizeof r.body);
		for (size_t i = 0; i < n; ++i) {
			if (strcmp(headers[i].name, "Range") == 0) copy_str(headers[i].value, r.range, sizeof r.range);
			if (strcmp(headers[i].name, "If-None-Match") == 0) copy_str(headers[i].value, r.if_none_match, sizeof r.if_none_match);
			if (strcmp(headers[i].name, "Authorization") == 0) copy_str(headers[i].value, r.authorization, sizeof r.authorization);
		}
		*response = HttpResponse{};
		if (offline) return false;
		if (url == Str(image_url)) return serve_image(r, sink, response);
		for (size_t i = 0; i < n_routes; ++i) {
			if (strcmp(routes[i].method, method) == 0 && url.starts_with(Str(routes[i].url_prefix))) {
				response->status = routes[i].status;
				copy_str(routes[i].etag, response->etag, sizeof response->etag);
				if (routes[i].status == 304) return sink.on_response(*response);
				if (!sink.on_response(*response)) return false;
				return sink.on_body(Str(routes[i].body).bytes());
			}
		}
		response->status = 404;
		return sink.on_response(*response) && sink.on_body(Str(R"({"code":"NOT_FOUND"})").bytes());
	}

	bool serve_image(const Request& r, HttpBody& sink, HttpResponse* response) {
		size_t from = 0, to = image_size - 1;
		if (image_status) {
			response->status = image_status;
			return sink.on_response(*response) && sink.on_body(Str(R"({"code":"GONE"})").bytes());
		}
		unsigned long long a = 0, b = 0;
		if (honour_range && r.range[0] && sscanf(r.range, "bytes=%llu-%llu", &a, &b) == 2) {
			from = static_cast<size_t>(a);
			to = b < image_size ? static_cast<size_t>(b) : image_size - 1;
			if (from >= image_size) {
				response->status = 416;  // Range Not Satisfiable
				return sink.on_response(*response);
			}
			response->status = 206;
			response->range_start = from;
		} else {
			response->status = 200;
		}
		if (!sink.on_response(*response)) return false;
		size_t n = to - from + 1;
		bool dropped = false;
		if (drop_after_bytes >= 0 && static_cast<size_t>(drop_after_bytes) < n) {
			n = static_cast<size_t>(drop_after_bytes);
			drop_after_bytes = -1;
			dropped = true;
		}
		for (size_t at = 0; at < n; at += 4096) {  // in network-sized pieces
			size_t piece = n - at < 4096 ? n - at : 4096;
			if (!sink.on_body(Bytes(image + from + at, piece))) return false;
		}
		return !dropped;
	}

	size_t count(const char* url_part) const {
		size_t c = 0;
		for (size_t i = 0; i < n_log; ++i) c += strstr(log[i].url, url_part) ? 1 : 0;
		return c;
	}
};

}  // namespace fakes
