#pragma once
// The host Transport: a WebSocket client on Boost.Beast. All socket work runs on one I/O thread;
// events come back through an EventQueue to the thread that runs the core, as on the device.
// (Boost stays out of this header: it would make every file that includes it slow to compile.)
#include <memory>

#include "events.h"
#include "teddy/hal.h"

namespace host {

class WsTransport final : public teddy::Transport {
public:
	explicit WsTransport(EventQueue& events);
	~WsTransport();
	bool connect(teddy::Str url, const teddy::Header* headers, size_t n_headers) override;
	bool send_text(teddy::Str text) override;
	bool send_binary(teddy::Bytes frame) override;
	void close(uint16_t code) override;
	uint64_t generation() const { return generation_; }

	struct Session;
	struct Io;

private:
	bool send(bool binary, std::string data);
	EventQueue& events_;
	std::unique_ptr<Io> io_;
	std::shared_ptr<Session> session_;
	uint64_t generation_ = 0;
};

}  // namespace host
