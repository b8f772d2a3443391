#include "teddy/turn.h"

namespace teddy {
namespace {

using S = TurnState;
constexpr int kStates = 7;

// kAllowed[from] has bit `to` set when from → to is a legal transition.
constexpr uint8_t bit(S s) { return static_cast<uint8_t>(1u << static_cast<int>(s)); }
constexpr uint8_t kAllowed[kStates] = {
    /* Offline    */ bit(S::Connecting) | bit(S::Stopped),
    /* Connecting */ bit(S::Offline) | bit(S::Idle) | bit(S::Listening) | bit(S::Stopped),
    /* Idle       */ bit(S::Offline) | bit(S::Listening) | bit(S::Stopped),
    /* Listening  */ bit(S::Offline) | bit(S::Idle) | bit(S::Thinking) | bit(S::Speaking) | bit(S::Stopped),
    /* Thinking   */ bit(S::Offline) | bit(S::Idle) | bit(S::Listening) | bit(S::Speaking) | bit(S::Stopped),
    /* Speaking   */ bit(S::Offline) | bit(S::Idle) | bit(S::Listening) | bit(S::Stopped),
    /* Stopped    */ bit(S::Connecting),  // only a person (button, re-provision) lets a stopped toy try again
};

}  // namespace

bool TurnMachine::allowed(TurnState from, TurnState to) { return (kAllowed[static_cast<int>(from)] & bit(to)) != 0; }

uint16_t TurnMachine::go(TurnState to, uint16_t actions) {
	if (to == state_) return actions;
	if (!allowed(state_, to)) {
		++stats_.ignored;
		return 0;
	}
	state_ = to;
	return actions;
}

uint16_t TurnMachine::start_listening(uint16_t actions) {
	++stats_.turns;
	answer_ended_ = false;
	return go(S::Listening, actions | kSendListenStart | kMicOn);
}

uint16_t TurnMachine::handle(TurnEvent e) {
	switch (e) {
		case TurnEvent::Wake:
			if (state_ == S::Offline || state_ == S::Stopped) return go(S::Connecting, kOpenSocket);
			break;
		case TurnEvent::Connected:
			if (state_ != S::Connecting) break;
			if (pending_listen_) {
				pending_listen_ = false;
				return start_listening(kConfirmBoot);
			}
			return go(S::Idle, kConfirmBoot);
		case TurnEvent::Disconnected:
			pending_listen_ = false;
			if (state_ == S::Offline || state_ == S::Stopped) return 0;
			return go(S::Offline, kMicOff | kFlushPlayback);
		case TurnEvent::Blocked:
			pending_listen_ = false;
			return go(S::Stopped, kMicOff | kFlushPlayback);
		case TurnEvent::Press:
			switch (state_) {
				case S::Offline:
				case S::Stopped:
					pending_listen_ = true;
					return go(S::Connecting, kOpenSocket);
				case S::Connecting: pending_listen_ = true; return 0;
				case S::Idle: return start_listening(0);
				case S::Thinking:
				case S::Speaking:
					++stats_.barge_ins;
					return start_listening(kSendAbort | kFlushPlayback);
				case S::Listening:
					// VAD mode: a second press ends the turn by hand.
					if (mode_ == TalkMode::Vad) return go(S::Thinking, kSendListenStop | kMicOff);
					return 0;
			}
			break;
		case TurnEvent::Release:
			if (state_ == S::Connecting && mode_ == TalkMode::PushToTalk) pending_listen_ = false;
			if (state_ == S::Listening && mode_ == TalkMode::PushToTalk) return go(S::Thinking, kSendListenStop | kMicOff);
			return 0;
		case TurnEvent::EndOfSpeech:
			if (state_ == S::Listening && mode_ == TalkMode::Vad) return go(S::Thinking, kMicOff);
			return 0;
		case TurnEvent::AnswerStarted:
			if (state_ == S::Thinking || state_ == S::Listening) {
				answer_ended_ = false;
				return go(S::Speaking, kMicOff | kStartPlayback);
			}
			break;
		case TurnEvent::AnswerEnded:
			if (state_ == S::Speaking) {
				answer_ended_ = true;
				return kEndPlayback;
			}
			// An answer with no audio ends a thinking turn.
			if (state_ == S::Thinking) return go(S::Idle, 0);
			break;
		case TurnEvent::PlaybackDone:
			if (state_ != S::Speaking || !answer_ended_) return 0;
			answer_ended_ = false;
			if (mode_ == TalkMode::Vad) return start_listening(0);
			return go(S::Idle, 0);
		case TurnEvent::Cancel:
			if (state_ == S::Speaking || state_ == S::Thinking || state_ == S::Listening) {
				return go(S::Idle, kSendAbort | kFlushPlayback | kMicOff);
			}
			break;
		case TurnEvent::Timeout:
			if (state_ == S::Thinking) return go(S::Idle, 0);
			if (state_ == S::Listening) return go(S::Idle, kSendListenStop | kMicOff);
			break;
	}
	++stats_.ignored;
	return 0;
}

const char* turn_state_name(TurnState s) {
	static const char* const kNames[kStates] = {"offline", "connecting", "idle", "listening", "thinking", "speaking", "stopped"};
	return kNames[static_cast<int>(s)];
}

}  // namespace teddy
