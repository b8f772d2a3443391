#include "esp_http.h"

#include <stdlib.h>
#include <string.h>

#include "esp_crt_bundle.h"
#include "esp_http_client.h"

namespace {

// Response headers arrive as events; keep the two the core reads.
esp_err_t on_event(esp_http_client_event_t* e) {
	auto* r = static_cast<teddy::HttpResponse*>(e->user_data);
	if (e->event_id != HTTP_EVENT_ON_HEADER) return ESP_OK;
	if (strcasecmp(e->header_key, "ETag") == 0) teddy::copy_str(e->header_value, r->etag, sizeof r->etag);
	if (strcasecmp(e->header_key, "Content-Range") == 0 && strncmp(e->header_value, "bytes ", 6) == 0) {
		r->range_start = strtoull(e->header_value + 6, nullptr, 10);
	}
	return ESP_OK;
}

esp_http_client_method_t method_of(const char* m) {
	if (strcmp(m, "POST") == 0) return HTTP_METHOD_POST;
	if (strcmp(m, "HEAD") == 0) return HTTP_METHOD_HEAD;
	return HTTP_METHOD_GET;
}

}  // namespace

bool EspHttp::request(const char* method, teddy::Str url, const teddy::Header* headers, size_t n_headers, teddy::Str body,
                      teddy::HttpBody& sink, teddy::HttpResponse* response) {
	*response = teddy::HttpResponse{};
	if (!teddy::copy_str(url, url_, sizeof url_)) return false;
	esp_http_client_config_t cfg = {};
	cfg.url = url_;
	cfg.method = method_of(method);
	cfg.timeout_ms = 15000;
	cfg.event_handler = on_event;
	cfg.user_data = response;
	cfg.crt_bundle_attach = esp_crt_bundle_attach;
	esp_http_client_handle_t c = esp_http_client_init(&cfg);
	if (!c) return false;
	char value[600];
	for (size_t i = 0; i < n_headers; ++i) {
		if (teddy::copy_str(headers[i].value, value, sizeof value)) esp_http_client_set_header(c, headers[i].name, value);
	}
	memset(value, 0, sizeof value);
	if (!body.empty()) esp_http_client_set_header(c, "Content-Type", "application/json");
	bool ok = esp_http_client_open(c, static_cast<int>(body.size)) == ESP_OK;
	if (ok && !body.empty()) ok = esp_http_client_write(c, body.data, static_cast<int>(body.size)) == static_cast<int>(body.size);
	if (ok) {
		int64_t length = esp_http_client_fetch_headers(c);
		response->status = esp_http_client_get_status_code(c);
		response->content_length = length > 0 ? static_cast<uint64_t>(length) : 0;
		ok = sink.on_response(*response);
	}
	while (ok) {
		int n = esp_http_client_read(c, chunk_, sizeof chunk_);
		if (n < 0) ok = false;
		if (n <= 0) break;
		ok = sink.on_body(teddy::Bytes(reinterpret_cast<const uint8_t*>(chunk_), static_cast<size_t>(n)));
	}
	if (ok && !esp_http_client_is_complete_data_received(c)) ok = false;  // broke off: the OTA client resumes
	esp_http_client_close(c);
	esp_http_client_cleanup(c);
	return ok;
}
