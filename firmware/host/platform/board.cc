#include "board.h"

#include <sys/random.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace host {

uint64_t Clock::now_ms() {
	using namespace std::chrono;
	return static_cast<uint64_t>(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

uint64_t Clock::unix_seconds() {
	using namespace std::chrono;
	int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + offset_ms_;
	return static_cast<uint64_t>(now / 1000);
}

void Clock::set_unix_ms(uint64_t ms) {
	using namespace std::chrono;
	offset_ms_ = static_cast<int64_t>(ms) - duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
	set_ = true;
}

void Random::fill(uint8_t* out, size_t n) {
	while (n) {
		ssize_t got = getrandom(out, n, 0);
		if (got <= 0) continue;
		out += got;
		n -= static_cast<size_t>(got);
	}
}

bool Microphone::read(int16_t* pcm, size_t samples) {
	if (!enabled_) return false;
	for (size_t i = 0; i < samples; ++i) pcm[i] = at_ < pcm_.size() ? pcm_[at_++] : 0;
	return true;
}

double Speaker::rms_dbfs() const {
	if (played_.empty()) return -200;
	double sum = 0;
	for (int16_t s : played_) sum += static_cast<double>(s) * s;
	return 20 * std::log10(std::sqrt(sum / played_.size()) / 32768.0);
}

void Display::show(teddy::Face f, teddy::Str text) {
	face = f;
	if (!text.empty()) last_text.assign(text.data, text.size);
	if (!quiet && !text.empty()) std::fprintf(stderr, "  [display %d] %.*s\n", static_cast<int>(f), static_cast<int>(text.size), text.data);
}

int Storage::get(teddy::Str key, uint8_t* out, size_t cap) {
	auto it = kv_.find(std::string(key.data, key.size));
	if (it == kv_.end() || it->second.size() > cap) return -1;
	std::memcpy(out, it->second.data(), it->second.size());
	return static_cast<int>(it->second.size());
}

bool Storage::set(teddy::Str key, teddy::Bytes value) {
	kv_[std::string(key.data, key.size)] = std::string(reinterpret_cast<const char*>(value.data), value.size);
	return true;
}

bool Storage::erase(teddy::Str key) { return kv_.erase(std::string(key.data, key.size)) > 0; }

std::vector<std::vector<uint8_t>> load_opus_packets(const std::string& path) {
	std::ifstream in(path, std::ios::binary);
	std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	std::vector<std::vector<uint8_t>> packets;
	size_t at = 0;
	while (at + 2 <= bytes.size()) {
		size_t len = static_cast<size_t>(bytes[at]) << 8 | bytes[at + 1];
		at += 2;
		if (len == 0 || at + len > bytes.size()) return {};
		packets.emplace_back(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at + len));
		at += len;
	}
	return packets;
}

}  // namespace host
