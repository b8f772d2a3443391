#include "ws_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "url.h"

namespace host {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct WsTransport::Session : std::enable_shared_from_this<WsTransport::Session> {
	Session(net::io_context& ioc, EventQueue& events, uint64_t generation)
	    : resolver(ioc), ws(ioc), events(events), generation(generation) {}

	tcp::resolver resolver;
	websocket::stream<beast::tcp_stream> ws;
	EventQueue& events;
	uint64_t generation;
	Url url;
	std::vector<std::pair<std::string, std::string>> headers;
	beast::flat_buffer buffer;
	websocket::response_type upgrade_response;
	std::deque<std::pair<bool, std::string>> outbox;
	bool open = false;
	bool writing = false;
	bool finished = false;

	void emit(Event::Kind kind, uint16_t code = 0, std::string data = {}) {
		if (finished) return;
		if (kind == Event::Closed || kind == Event::ConnectFailed) finished = true;
		events.push(Event{kind, code, std::move(data), generation});
	}

	void start() {
		auto self = shared_from_this();
		resolver.async_resolve(url.host, url.port, [self](beast::error_code ec, tcp::resolver::results_type results) {
			if (ec) return self->emit(Event::ConnectFailed);
			beast::get_lowest_layer(self->ws).expires_after(std::chrono::seconds(10));
			beast::get_lowest_layer(self->ws).async_connect(results, [self](beast::error_code ec2, tcp::endpoint) {
				if (ec2) return self->emit(Event::ConnectFailed);
				self->handshake();
			});
		});
	}

	void handshake() {
		beast::get_lowest_layer(ws).expires_never();
		ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
		auto hs = headers;
		ws.set_option(websocket::stream_base::decorator([hs](websocket::request_type& req) {
			for (auto& h : hs) req.set(h.first, h.second);
		}));
		auto self = shared_from_this();
		ws.async_handshake(upgrade_response, url.host + ":" + url.port, url.target, [self](beast::error_code ec) {
			if (ec) {
				// A refused upgrade with an HTTP status is the gateway's answer, not a network fault.
				unsigned status = self->upgrade_response.result_int();
				if (status == 401) return self->emit(Event::Closed, 4401);
				if (status == 403) return self->emit(Event::Closed, 4403);
				return self->emit(Event::ConnectFailed);
			}
			self->open = true;
			self->emit(Event::Open);
			self->read();
			self->write_next();
		});
	}

	void read() {
		auto self = shared_from_this();
		ws.async_read(buffer, [self](beast::error_code ec, std::size_t) {
			if (ec) {
				self->open = false;
				uint16_t code = ec == websocket::error::closed ? static_cast<uint16_t>(self->ws.reason().code) : 1006;
				return self->emit(Event::Closed, code ? code : 1005);
			}
			std::string data = beast::buffers_to_string(self->buffer.data());
			self->buffer.consume(self->buffer.size());
			self->emit(self->ws.got_text() ? Event::Text : Event::Binary, 0, std::move(data));
			self->read();
		});
	}

	void write_next() {
		if (!open || writing || outbox.empty()) return;
		writing = true;
		ws.binary(outbox.front().first);
		auto self = shared_from_this();
		ws.async_write(net::buffer(outbox.front().second), [self](beast::error_code ec, std::size_t) {
			self->writing = false;
			self->outbox.pop_front();
			if (ec) return;  // the read side reports the close
			self->write_next();
		});
	}

	// Closed by the core itself: it has already decided what comes next, so no event follows.
	void close(uint16_t code) {
		finished = true;
		if (!open) {
			beast::error_code ignored;
			beast::get_lowest_layer(ws).socket().close(ignored);
			return;
		}
		open = false;
		auto self = shared_from_this();
		ws.async_close(websocket::close_reason(code), [self](beast::error_code) {});
	}
};

struct WsTransport::Io {
	net::io_context ioc;
	net::executor_work_guard<net::io_context::executor_type> work{net::make_work_guard(ioc)};
	std::thread thread{[this] { ioc.run(); }};
};

WsTransport::WsTransport(EventQueue& events) : events_(events), io_(std::make_unique<Io>()) {}

WsTransport::~WsTransport() {
	net::post(io_->ioc, [s = session_] {
		if (s) s->close(1000);
	});
	io_->work.reset();
	io_->ioc.stop();
	io_->thread.join();
}

bool WsTransport::connect(teddy::Str url, const teddy::Header* headers, size_t n_headers) {
	auto session = std::make_shared<Session>(io_->ioc, events_, ++generation_);
	if (!Url::parse(std::string(url.data, url.size), &session->url)) return false;
	for (size_t i = 0; i < n_headers; ++i) {
		session->headers.emplace_back(headers[i].name, std::string(headers[i].value.data, headers[i].value.size));
	}
	auto old = session_;
	session_ = session;
	net::post(io_->ioc, [old, session] {
		if (old) {
			old->finished = true;
			old->close(1000);
		}
		session->start();
	});
	return true;
}

bool WsTransport::send(bool binary, std::string data) {
	auto s = session_;
	if (!s) return false;
	net::post(io_->ioc, [s, binary, d = std::move(data)]() mutable {
		s->outbox.emplace_back(binary, std::move(d));
		s->write_next();
	});
	return true;
}

bool WsTransport::send_text(teddy::Str text) { return send(false, std::string(text.data, text.size)); }

bool WsTransport::send_binary(teddy::Bytes frame) {
	return send(true, std::string(reinterpret_cast<const char*>(frame.data), frame.size));
}

void WsTransport::close(uint16_t code) {
	auto s = session_;
	if (s) net::post(io_->ioc, [s, code] { s->close(code); });
}

}  // namespace host
