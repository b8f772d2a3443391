#include "host_toy.h"

#include <opus.h>

namespace host {

teddy::ClientConfig HostToy::config(const ToyOptions& o) {
	teddy::ClientConfig c;
	c.device_id = o.device_id.c_str();
	c.client_id = "host-toy";
	c.ws_url = o.ws_url.c_str();
	c.firmware_version = "1.0.0-host";
	c.mode = o.mode;
	return c;
}

HostToy::HostToy(const ToyOptions& options, const teddy::DeviceKey& key)
    : options(options),
      speaker(options.speaker_rate),
      decoder(options.speaker_rate),
      client(config(this->options), key,
             teddy::ClientPorts{ws, mic, speaker, encoder, decoder, clock, random, display}) {}

bool HostToy::run_until(const std::function<bool()>& done, double timeout_s) {
	auto deadline = clock.now_ms() + static_cast<uint64_t>(timeout_s * 1000);
	if (!next_tick_) next_tick_ = clock.now_ms();
	while (!done()) {
		uint64_t now = clock.now_ms();
		if (now >= deadline) return done();
		if (now >= next_tick_) {
			client.audio_tick();
			next_tick_ += teddy::kFrameMs;
			if (next_tick_ + teddy::kFrameMs < now) next_tick_ = now;  // a stalled host does not replay missed ticks
			client.poll();
			continue;
		}
		Event e;
		if (!events.pop(&e, std::chrono::milliseconds(next_tick_ - now))) continue;
		if (e.generation != ws.generation()) continue;  // from a socket the core already left
		switch (e.kind) {
			case Event::Open: client.on_open(); break;
			case Event::Text: client.on_text(teddy::Str(e.data.data(), e.data.size())); break;
			case Event::Binary:
				client.on_binary(teddy::Bytes(reinterpret_cast<const uint8_t*>(e.data.data()), e.data.size()));
				break;
			case Event::Closed: client.on_closed(e.code); break;
			case Event::ConnectFailed: client.on_connect_failed(); break;
		}
	}
	return true;
}

std::vector<int16_t> decode_speech(const std::string& path) {
	std::vector<int16_t> pcm;
	int err = 0;
	::OpusDecoder* dec = opus_decoder_create(16000, 1, &err);
	if (err != OPUS_OK) return pcm;
	int16_t frame[960 * 2];
	for (const auto& p : load_opus_packets(path)) {
		int n = opus_decode(dec, p.data(), static_cast<opus_int32>(p.size()), frame, 960 * 2, 0);
		if (n > 0) pcm.insert(pcm.end(), frame, frame + n);
	}
	opus_decoder_destroy(dec);
	return pcm;
}

}  // namespace host
