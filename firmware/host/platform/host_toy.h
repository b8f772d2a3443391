#pragma once
// A whole toy on the host: the portable core's Client wired to a real WebSocket, libopus, a
// microphone playing recorded speech and a speaker that keeps what it heard. `run_until` is the
// toy's main task: socket events, a 60 ms audio tick and the core's timers, on one thread.
#include <functional>
#include <string>

#include "board.h"
#include "events.h"
#include "teddy/client.h"
#include "teddy/opus_codec.h"
#include "ws_transport.h"

namespace host {

struct ToyOptions {
	std::string device_id;
	std::string ws_url;
	teddy::TalkMode mode = teddy::TalkMode::PushToTalk;
	uint32_t speaker_rate = 24000;
};

class HostToy {
public:
	HostToy(const ToyOptions& options, const teddy::DeviceKey& key);
	// Runs the toy until `done()` or `timeout_s`; returns done().
	bool run_until(const std::function<bool()>& done, double timeout_s);
	void run_for(double seconds) {
		run_until([] { return false; }, seconds);
	}

	const ToyOptions options;  // first: the client's config points into it
	EventQueue events;
	WsTransport ws{events};
	Clock clock;
	Random random;
	Microphone mic;
	Speaker speaker;
	Display display;
	teddy::LibopusEncoder encoder;
	teddy::LibopusDecoder decoder;
	teddy::Client client;

private:
	static teddy::ClientConfig config(const ToyOptions& o);
	uint64_t next_tick_ = 0;
};

// Decodes an .opuspackets file (16 kHz, 60 ms) to PCM: the child's voice the microphone plays.
std::vector<int16_t> decode_speech(const std::string& path);

}  // namespace host
