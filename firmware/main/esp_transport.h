#pragma once
// The core's Transport on esp_websocket_client. The client's own task reports events; they are
// reassembled here and handed to the teddy task through a message buffer, so the core only
// ever runs on that one task (see client.h).
#include "esp_websocket_client.h"
#include "freertos/FreeRTOS.h"
#include "freertos/message_buffer.h"
#include "teddy/hal.h"

enum class WsEvent : uint8_t { Open, Text, Binary, Closed, ConnectFailed };

struct WsMessageHeader {
	WsEvent kind;
	uint16_t code;
	uint32_t generation;
};

class EspWsTransport final : public teddy::Transport {
public:
	static constexpr size_t kMaxMessage = 4096;  // our text messages and Opus frames are far smaller

	explicit EspWsTransport(MessageBufferHandle_t events) : events_(events) {}
	bool connect(teddy::Str url, const teddy::Header* headers, size_t n_headers) override;
	bool send_text(teddy::Str text) override;
	bool send_binary(teddy::Bytes frame) override;
	void close(uint16_t code) override;
	uint32_t generation() const { return generation_; }
	uint32_t dropped() const { return dropped_; }

private:
	static void on_event(void* self, esp_event_base_t base, int32_t id, void* data);
	void handle(int32_t id, const esp_websocket_event_data_t* d);
	void post(WsEvent kind, uint16_t code, const uint8_t* data, size_t n);
	void teardown();

	MessageBufferHandle_t events_;
	esp_websocket_client_handle_t client_ = nullptr;
	uint32_t generation_ = 0;
	bool opened_ = false;
	bool finished_ = false;
	uint16_t close_code_ = 0;
	uint32_t dropped_ = 0;
	char url_[256] = {};
	uint8_t rx_[kMaxMessage];
	uint8_t rx_opcode_ = 0;
	uint8_t post_[sizeof(WsMessageHeader) + kMaxMessage];
};
