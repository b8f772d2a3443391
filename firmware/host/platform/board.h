#pragma once
// The host's board: real clocks and randomness, a microphone that plays recorded speech, a
// speaker that keeps what it was given so tests can measure it, an in-memory NVS.
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "teddy/hal.h"

namespace host {

class Clock final : public teddy::Clock {
public:
	uint64_t now_ms() override;
	uint64_t unix_seconds() override;
	void set_unix_ms(uint64_t ms) override;

private:
	int64_t offset_ms_ = 0;
	bool set_ = false;
};

class Random final : public teddy::Random {
public:
	void fill(uint8_t* out, size_t n) override;
};

// Plays `pcm` (16 kHz mono) frame by frame while enabled, then silence.
class Microphone final : public teddy::AudioIn {
public:
	void load(std::vector<int16_t> pcm) { pcm_ = std::move(pcm), at_ = 0; }
	void set_enabled(bool on) override { enabled_ = on; }
	bool read(int16_t* pcm, size_t samples) override;
	bool enabled() const { return enabled_; }
	bool finished() const { return at_ >= pcm_.size(); }
	void rewind() { at_ = 0; }

private:
	std::vector<int16_t> pcm_;
	size_t at_ = 0;
	bool enabled_ = false;
};

class Speaker final : public teddy::AudioOut {
public:
	explicit Speaker(uint32_t rate) : rate_(rate) {}
	uint32_t sample_rate() const override { return rate_; }
	void write(const int16_t* pcm, size_t samples) override { played_.insert(played_.end(), pcm, pcm + samples); }
	void set_volume(uint8_t p) override { volume_ = p; }
	uint8_t volume() const override { return volume_; }
	const std::vector<int16_t>& played() const { return played_; }
	void clear() { played_.clear(); }
	double seconds() const { return static_cast<double>(played_.size()) / rate_; }
	// RMS level of everything played, in dB relative to full scale.
	double rms_dbfs() const;

private:
	uint32_t rate_;
	uint8_t volume_ = 70;
	std::vector<int16_t> played_;
};

class Display final : public teddy::Display {
public:
	bool has_screen() const override { return true; }
	void show(teddy::Face face, teddy::Str text) override;
	teddy::Face face = teddy::Face::Off;
	std::string last_text;
	bool quiet = true;
};

class Storage final : public teddy::Storage {
public:
	int get(teddy::Str key, uint8_t* out, size_t cap) override;
	bool set(teddy::Str key, teddy::Bytes value) override;
	bool erase(teddy::Str key) override;

private:
	std::map<std::string, std::string> kv_;
};

// bench/assets/*.opuspackets: u16 BE length + packet, repeated. Empty on a malformed file.
std::vector<std::vector<uint8_t>> load_opus_packets(const std::string& path);

}  // namespace host
