#pragma once
// The core's Http on esp_http_client: one request per call, the body streamed to the sink.
#include "teddy/hal.h"

class EspHttp final : public teddy::Http {
public:
	bool request(const char* method, teddy::Str url, const teddy::Header* headers, size_t n_headers, teddy::Str body,
	             teddy::HttpBody& sink, teddy::HttpResponse* response) override;

private:
	char url_[400];
	char chunk_[4096];
};
