#pragma once
// The host Transport: a WebSocket client on Boost.Beast. All socket work runs on one I/O thread;
// events come back through an EventQueue to the thread that runs the core, as on the device.
#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <memory>
#include <thread>

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

private:
	bool send(bool binary, std::string data);
	EventQueue& events_;
	boost::asio::io_context ioc_;
	boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
	std::thread thread_;
	std::shared_ptr<Session> session_;
	uint64_t generation_ = 0;
};

}  // namespace host
