#include "http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <string>

#include "url.h"

namespace host {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool HttpClient::request(const char* method, teddy::Str url_text, const teddy::Header* headers, size_t n_headers,
                         teddy::Str body, teddy::HttpBody& sink, teddy::HttpResponse* response) {
	*response = teddy::HttpResponse{};
	Url url;
	if (!Url::parse(std::string(url_text.data, url_text.size), &url) || url.scheme != "http") return false;
	beast::error_code ec;
	net::io_context ioc;
	tcp::resolver resolver(ioc);
	beast::tcp_stream stream(ioc);
	auto endpoints = resolver.resolve(url.host, url.port, ec);
	if (ec) return false;
	stream.expires_after(std::chrono::seconds(15));
	stream.connect(endpoints, ec);
	if (ec) return false;

	http::request<http::string_body> req{http::string_to_verb(method), url.target, 11};
	req.set(http::field::host, url.host + ":" + url.port);
	req.set(http::field::user_agent, "teddy-firmware-host");
	for (size_t i = 0; i < n_headers; ++i) req.set(headers[i].name, std::string(headers[i].value.data, headers[i].value.size));
	if (!body.empty()) {
		req.set(http::field::content_type, "application/json");
		req.body().assign(body.data, body.size);
	}
	req.prepare_payload();
	http::write(stream, req, ec);
	if (ec) return false;

	beast::flat_buffer buffer;
	http::response_parser<http::buffer_body> parser;
	parser.body_limit(64ull * 1024 * 1024);
	http::read_header(stream, buffer, parser, ec);
	if (ec) return false;
	const auto& head = parser.get();
	response->status = static_cast<int>(head.result_int());
	auto etag = head[http::field::etag];
	teddy::copy_str(teddy::Str(etag.data(), etag.size()), response->etag, sizeof response->etag);
	if (parser.content_length()) response->content_length = *parser.content_length();
	auto range = head[http::field::content_range];  // "bytes 0-65535/1234567"
	if (range.starts_with("bytes ")) response->range_start = std::strtoull(std::string(range.substr(6)).c_str(), nullptr, 10);
	if (!sink.on_response(*response)) {
		stream.socket().shutdown(tcp::socket::shutdown_both, ec);
		return false;
	}

	char chunk[4096];
	bool ok = true;
	while (!parser.is_done()) {
		parser.get().body().data = chunk;
		parser.get().body().size = sizeof chunk;
		http::read(stream, buffer, parser, ec);
		if (ec == http::error::need_buffer) ec = {};
		if (ec) return false;
		size_t got = sizeof chunk - parser.get().body().size;
		if (got && ok) ok = sink.on_body(teddy::Bytes(reinterpret_cast<const uint8_t*>(chunk), got));
		if (!ok) break;
	}
	stream.socket().shutdown(tcp::socket::shutdown_both, ec);
	return ok;
}

}  // namespace host
