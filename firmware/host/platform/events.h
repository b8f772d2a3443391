#pragma once
// Socket events from the transport's I/O thread to the one thread that runs the core.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace host {

struct Event {
	enum Kind { Open, Text, Binary, Closed, ConnectFailed } kind;
	uint16_t code = 0;
	std::string data;
	uint64_t generation = 0;  // which connect() it belongs to
};

class EventQueue {
public:
	void push(Event e) {
		{
			std::lock_guard<std::mutex> lock(mu_);
			q_.push_back(std::move(e));
		}
		cv_.notify_one();
	}
	// Waits up to `timeout` for an event.
	bool pop(Event* out, std::chrono::milliseconds timeout) {
		std::unique_lock<std::mutex> lock(mu_);
		if (!cv_.wait_for(lock, timeout, [&] { return !q_.empty(); })) return false;
		*out = std::move(q_.front());
		q_.pop_front();
		return true;
	}

private:
	std::mutex mu_;
	std::condition_variable cv_;
	std::deque<Event> q_;
};

}  // namespace host
