#pragma once
// The toy's conversation client: one WebSocket session with the gateway, the turn state machine,
// the jitter buffer, the reconnect policy and the MCP tools, wired to the board through hal.h.
//
// Threading: not thread-safe by design. The platform calls every method from one task (the
// ESP-IDF layer posts socket events to that task's queue; the host test loop does the same).
// Memory: every buffer is a member, sized below; after construction nothing allocates.
#include "teddy/frame.h"
#include "teddy/hal.h"
#include "teddy/jitter_buffer.h"
#include "teddy/json.h"
#include "teddy/mcp.h"
#include "teddy/protocol.h"
#include "teddy/reconnect.h"
#include "teddy/token.h"
#include "teddy/turn.h"

namespace teddy {

struct ClientConfig {
	const char* device_id = "";
	const char* client_id = "";
	const char* ws_url = "";  // ws://host:port/xiaozhi/v1/
	const char* firmware_version = "0.0.0";
	TalkMode mode = TalkMode::PushToTalk;
	uint32_t hello_timeout_ms = 10000;
	uint32_t answer_timeout_ms = 20000;  // thinking with no answer: give up and go idle
	size_t prefill_frames = 3;           // 180 ms of answer before playback starts
	BackoffConfig backoff;
};

struct ClientPorts {
	Transport& ws;
	AudioIn& mic;
	AudioOut& speaker;
	OpusEncoder& encoder;
	OpusDecoder& decoder;
	Clock& clock;
	Random& random;
	Display& display;
};

// Called once after the first good session of a freshly updated image (ESP-IDF: cancel rollback).
class BootConfirm {
public:
	virtual void confirm_boot() = 0;

protected:
	~BootConfirm() = default;
};

struct ClientStats {
	uint32_t connects = 0;
	uint32_t sessions = 0;      // hellos received
	uint32_t frames_sent = 0;
	uint32_t frames_received = 0;
	uint32_t late_frames = 0;   // audio that arrived when no answer was playing (dropped)
	uint32_t bad_frames = 0;
	uint32_t bad_messages = 0;
	uint32_t mcp_calls = 0;
	uint32_t answers = 0;       // tts start
	uint32_t answers_ended = 0; // tts stop
	uint16_t last_close = 0;
	char last_error[48] = {};   // code of the gateway's last error message
};

class Client {
public:
	static constexpr size_t kSlots = 24;           // 1.44 s of 60 ms frames
	static constexpr size_t kSlotBytes = 512;      // one Opus packet (the gateway's are ~100–250 bytes)
	static constexpr size_t kMaxOutSamples = 2880; // 60 ms at 48 kHz

	Client(const ClientConfig& config, const DeviceKey& key, const ClientPorts& ports);

	// From the board.
	void start();    // connect now (boot with auto-connect)
	void press();    // button down / wake word
	void release();  // button up
	void cancel();   // long press: stop talking and go idle
	void set_boot_confirm(BootConfirm* b) { boot_confirm_ = b; }
	// A device JWT from the check-in replaces the v2 token (empty: back to v2 tokens).
	bool use_bearer(Str token);

	// From the transport.
	void on_open();
	void on_text(Str text);
	void on_binary(Bytes frame);
	void on_closed(uint16_t code);
	void on_connect_failed();

	// Timers; call every few tens of milliseconds.
	void poll();
	// Once per 60 ms frame: microphone → gateway, jitter buffer → speaker.
	void audio_tick();

	TurnState state() const { return turn_.state(); }
	const ClientStats& stats() const { return stats_; }
	const JitterStats& playback() const { return jitter_.stats(); }
	const TurnStats& turns() const { return turn_.stats(); }
	const char* stop_reason() const { return stop_reason_; }
	uint64_t reconnect_at_ms() const { return reconnect_at_; }
	McpServer& tools() { return mcp_; }

private:
	void apply(uint16_t actions);
	void event(TurnEvent e);
	void open_socket();
	void send_json();
	void handle(const Inbound& msg);
	void closed(const CloseDecision& d);

	static bool tool_set_volume(void* ctx, JsonValue args, char* text, size_t cap);
	static bool tool_status(void* ctx, JsonValue args, char* text, size_t cap);

	ClientConfig config_;
	DeviceKey key_;
	ClientPorts io_;
	TurnMachine turn_;
	Reconnect reconnect_;
	StaticJitterBuffer<kSlots, kSlotBytes> jitter_;
	McpServer mcp_;
	BootConfirm* boot_confirm_ = nullptr;
	ClientStats stats_;

	bool socket_open_ = false;
	bool greeted_ = false;
	bool mic_on_ = false;
	bool playing_ = false;
	bool boot_confirmed_ = false;
	uint64_t opened_at_ = 0;
	uint64_t reconnect_at_ = 0;  // 0: none scheduled
	uint64_t thinking_since_ = 0;
	const char* stop_reason_ = "";
	size_t out_frame_samples_ = 0;  // one 60 ms frame at the speaker's rate

	char bearer_[512] = {};
	char json_[1536];
	JsonWriter out_;
	uint8_t tx_[kFrameHeader + kSlotBytes];
	uint8_t packet_[kSlotBytes];
	int16_t pcm_in_[kUplinkFrameSamples];
	int16_t pcm_out_[kMaxOutSamples];
	char text_[256];
};

}  // namespace teddy
