#pragma once
// The host Http: one blocking request per call on Boost.Beast, the body streamed to the sink in
// chunks (as the ESP-IDF client streams an OTA image into flash).
#include "teddy/hal.h"

namespace host {

class HttpClient final : public teddy::Http {
public:
	bool request(const char* method, teddy::Str url, const teddy::Header* headers, size_t n_headers, teddy::Str body,
	             teddy::HttpBody& sink, teddy::HttpResponse* response) override;
};

}  // namespace host
