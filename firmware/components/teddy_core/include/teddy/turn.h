#pragma once
// The conversation turn state machine. Two ways to talk:
//   push-to-talk (manual): hold the button to speak; releasing ends the turn (listen stop);
//   VAD (auto): one press opens the conversation; the gateway's VAD ends each turn, and after an
//   answer has played the toy listens again until the gateway closes an idle session.
// Pressing the button while the bear speaks or thinks interrupts it (abort), then listens.
// Each transition is checked against the table in turn.cc; anything else is ignored and counted.
#include "teddy/view.h"

namespace teddy {

enum class TurnState : uint8_t { Offline, Connecting, Idle, Listening, Thinking, Speaking, Stopped };
enum class TalkMode : uint8_t { PushToTalk, Vad };

enum class TurnEvent : uint8_t {
	Wake,           // boot with auto-connect, or the button/wake word while offline
	Connected,      // the gateway's hello arrived
	Disconnected,   // the socket closed; reconnect policy decides what next
	Blocked,        // closed for good (4401/4403/4409)
	Press,          // button down (or wake word)
	Release,        // button up
	EndOfSpeech,    // the gateway ended the turn (its stt arrived) in VAD mode
	AnswerStarted,  // tts start
	AnswerEnded,    // tts stop
	PlaybackDone,   // the jitter buffer played its last frame
	Cancel,         // long press: stop the answer and go idle
	Timeout,        // nothing came back in time
};

// Things the caller must do, as bits.
enum Action : uint16_t {
	kOpenSocket = 1 << 0,
	kSendListenStart = 1 << 1,
	kSendListenStop = 1 << 2,
	kSendAbort = 1 << 3,
	kMicOn = 1 << 4,
	kMicOff = 1 << 5,
	kFlushPlayback = 1 << 6,
	kEndPlayback = 1 << 7,  // play out what is buffered
	kStartPlayback = 1 << 8,
	kConfirmBoot = 1 << 9,  // first good session after an update: cancel the rollback
};

struct TurnStats {
	uint32_t turns = 0;
	uint32_t barge_ins = 0;
	uint32_t ignored = 0;  // events that make no sense in the current state
};

class TurnMachine {
public:
	explicit TurnMachine(TalkMode mode) : mode_(mode) {}
	uint16_t handle(TurnEvent e);
	TurnState state() const { return state_; }
	TalkMode mode() const { return mode_; }
	void set_mode(TalkMode m) { mode_ = m; }
	const TurnStats& stats() const { return stats_; }

	static bool allowed(TurnState from, TurnState to);

private:
	uint16_t go(TurnState to, uint16_t actions);
	uint16_t start_listening(uint16_t actions);
	TalkMode mode_;
	TurnState state_ = TurnState::Offline;
	bool pending_listen_ = false;  // pressed while offline: listen once connected
	bool answer_ended_ = false;
	TurnStats stats_;
};

const char* turn_state_name(TurnState s);

}  // namespace teddy
