#pragma once
#include <string>

namespace host {

// ws://host:port/path or http://host:port/path?query (no TLS on the test loopback).
struct Url {
	std::string scheme, host, port, target;
	static bool parse(const std::string& text, Url* out) {
		auto sep = text.find("://");
		if (sep == std::string::npos) return false;
		out->scheme = text.substr(0, sep);
		std::string rest = text.substr(sep + 3);
		auto slash = rest.find('/');
		std::string authority = rest.substr(0, slash);
		out->target = slash == std::string::npos ? "/" : rest.substr(slash);
		auto colon = authority.rfind(':');
		if (colon == std::string::npos) {
			out->host = authority;
			out->port = out->scheme == "https" || out->scheme == "wss" ? "443" : "80";
		} else {
			out->host = authority.substr(0, colon);
			out->port = authority.substr(colon + 1);
		}
		return !out->host.empty();
	}
};

}  // namespace host
