#include "esp_transport.h"

#include <string.h>

#include "esp_crt_bundle.h"
#include "esp_log.h"

static const char* TAG = "teddy-ws";

bool EspWsTransport::connect(teddy::Str url, const teddy::Header* headers, size_t n_headers) {
	teardown();
	++generation_;
	opened_ = finished_ = false;
	close_code_ = 0;
	if (!teddy::copy_str(url, url_, sizeof url_)) return false;
	esp_websocket_client_config_t cfg = {};
	cfg.uri = url_;
	cfg.disable_auto_reconnect = true;  // the core's Reconnect policy decides, by close code
	cfg.buffer_size = 2048;
	cfg.network_timeout_ms = 10000;
	cfg.reconnect_timeout_ms = 0;
	cfg.crt_bundle_attach = esp_crt_bundle_attach;
	client_ = esp_websocket_client_init(&cfg);
	if (!client_) return false;
	char value[600];
	for (size_t i = 0; i < n_headers; ++i) {
		if (teddy::copy_str(headers[i].value, value, sizeof value)) esp_websocket_client_append_header(client_, headers[i].name, value);
	}
	memset(value, 0, sizeof value);  // it held the token
	esp_websocket_register_events(client_, WEBSOCKET_EVENT_ANY, on_event, this);
	return esp_websocket_client_start(client_) == ESP_OK;
}

void EspWsTransport::teardown() {
	if (!client_) return;
	finished_ = true;
	esp_websocket_client_stop(client_);
	esp_websocket_client_destroy(client_);
	client_ = nullptr;
}

bool EspWsTransport::send_text(teddy::Str text) {
	return client_ && esp_websocket_client_send_text(client_, text.data, static_cast<int>(text.size), pdMS_TO_TICKS(1000)) >= 0;
}

bool EspWsTransport::send_binary(teddy::Bytes frame) {
	return client_ &&
	       esp_websocket_client_send_bin(client_, reinterpret_cast<const char*>(frame.data), static_cast<int>(frame.size),
	                                     pdMS_TO_TICKS(1000)) >= 0;
}

void EspWsTransport::close(uint16_t code) {
	// Closed by the core itself: it already knows what comes next, so no event follows.
	finished_ = true;
	if (client_) esp_websocket_client_close_with_code(client_, code, nullptr, 0, pdMS_TO_TICKS(1000));
}

void EspWsTransport::on_event(void* self, esp_event_base_t, int32_t id, void* data) {
	static_cast<EspWsTransport*>(self)->handle(id, static_cast<const esp_websocket_event_data_t*>(data));
}

void EspWsTransport::post(WsEvent kind, uint16_t code, const uint8_t* data, size_t n) {
	if (finished_) return;
	if (kind == WsEvent::Closed || kind == WsEvent::ConnectFailed) finished_ = true;
	WsMessageHeader h = {kind, code, generation_};
	memcpy(post_, &h, sizeof h);
	if (n) memcpy(post_ + sizeof h, data, n);
	if (xMessageBufferSend(events_, post_, sizeof h + n, pdMS_TO_TICKS(200)) == 0) ++dropped_;
}

void EspWsTransport::handle(int32_t id, const esp_websocket_event_data_t* d) {
	switch (id) {
		case WEBSOCKET_EVENT_CONNECTED:
			opened_ = true;
			post(WsEvent::Open, 0, nullptr, 0);
			break;
		case WEBSOCKET_EVENT_DATA: {
			if (d->op_code == 0x8) {  // close frame: 2-byte big-endian code first
				if (d->data_len >= 2) close_code_ = static_cast<uint16_t>(static_cast<uint8_t>(d->data_ptr[0]) << 8 | static_cast<uint8_t>(d->data_ptr[1]));
				break;
			}
			if (d->op_code == 0x1 || d->op_code == 0x2) rx_opcode_ = d->op_code;
			if (d->op_code > 0x2) break;  // ping/pong are the client's business
			// ? Large messages arrive in pieces (payload_offset); reassemble, drop what cannot fit.
			if (d->payload_len > static_cast<int>(kMaxMessage)) {
				if (d->payload_offset + d->data_len >= d->payload_len) ++dropped_;
				break;
			}
			memcpy(rx_ + d->payload_offset, d->data_ptr, static_cast<size_t>(d->data_len));
			if (d->payload_offset + d->data_len < d->payload_len) break;
			post(rx_opcode_ == 0x1 ? WsEvent::Text : WsEvent::Binary, 0, rx_, static_cast<size_t>(d->payload_len));
			break;
		}
		case WEBSOCKET_EVENT_ERROR:
		case WEBSOCKET_EVENT_DISCONNECTED:
		case WEBSOCKET_EVENT_CLOSED:
			if (opened_) {
				post(WsEvent::Closed, close_code_ ? close_code_ : 1006, nullptr, 0);
			} else {
				// A refused upgrade carries the gateway's HTTP status: 401/403 are its verdict, not a network fault.
				int status = d ? d->error_handle.esp_ws_handshake_status_code : 0;
				if (status == 401) post(WsEvent::Closed, 4401, nullptr, 0);
				else if (status == 403) post(WsEvent::Closed, 4403, nullptr, 0);
				else post(WsEvent::ConnectFailed, 0, nullptr, 0);
			}
			ESP_LOGI(TAG, "socket ended (event %d, close %u)", static_cast<int>(id), close_code_);
			break;
		default: break;
	}
}
