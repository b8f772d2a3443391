#include "../support/check.h"
#include "teddy/turn.h"

using namespace teddy;
using S = TurnState;
using E = TurnEvent;

static TurnMachine connected(TalkMode mode) {
	TurnMachine m(mode);
	m.handle(E::Wake);
	m.handle(E::Connected);
	return m;
}

TEST(push_to_talk_turn_goes_listen_think_speak_idle) {
	TurnMachine m = connected(TalkMode::PushToTalk);
	CHECK(m.state() == S::Idle);
	uint16_t a = m.handle(E::Press);
	CHECK(m.state() == S::Listening);
	CHECK((a & kSendListenStart) && (a & kMicOn));
	a = m.handle(E::Release);
	CHECK(m.state() == S::Thinking);
	CHECK((a & kSendListenStop) && (a & kMicOff));
	a = m.handle(E::AnswerStarted);
	CHECK(m.state() == S::Speaking && (a & kStartPlayback));
	a = m.handle(E::AnswerEnded);
	CHECK(m.state() == S::Speaking && (a & kEndPlayback));  // still playing the buffered tail
	m.handle(E::PlaybackDone);
	CHECK(m.state() == S::Idle);
	CHECK_EQ(m.stats().turns, 1);
}

TEST(vad_mode_lets_the_gateway_end_the_turn_and_listens_again_after_the_answer) {
	TurnMachine m = connected(TalkMode::Vad);
	m.handle(E::Press);
	CHECK(m.state() == S::Listening);
	CHECK_EQ(m.handle(E::Release), 0);  // releasing does nothing in VAD mode
	CHECK(m.state() == S::Listening);
	uint16_t a = m.handle(E::EndOfSpeech);
	CHECK(m.state() == S::Thinking && (a & kMicOff) && !(a & kSendListenStop));
	m.handle(E::AnswerStarted);
	m.handle(E::AnswerEnded);
	a = m.handle(E::PlaybackDone);
	CHECK(m.state() == S::Listening && (a & kSendListenStart) && (a & kMicOn));
}

TEST(press_while_speaking_barges_in) {
	TurnMachine m = connected(TalkMode::PushToTalk);
	m.handle(E::Press);
	m.handle(E::Release);
	m.handle(E::AnswerStarted);
	uint16_t a = m.handle(E::Press);
	CHECK(m.state() == S::Listening);
	CHECK((a & kSendAbort) && (a & kFlushPlayback) && (a & kSendListenStart) && (a & kMicOn));
	CHECK_EQ(m.stats().barge_ins, 1);
	// The aborted answer's tts stop arrives late and changes nothing.
	CHECK_EQ(m.handle(E::AnswerEnded), 0);
	CHECK(m.state() == S::Listening);
}

TEST(press_while_offline_connects_and_then_listens) {
	TurnMachine m(TalkMode::PushToTalk);
	uint16_t a = m.handle(E::Press);
	CHECK(m.state() == S::Connecting && (a & kOpenSocket));
	a = m.handle(E::Connected);
	CHECK(m.state() == S::Listening && (a & kSendListenStart) && (a & kConfirmBoot));
}

TEST(disconnect_mid_answer_stops_audio_and_blocked_needs_a_person) {
	TurnMachine m = connected(TalkMode::PushToTalk);
	m.handle(E::Press);
	uint16_t a = m.handle(E::Disconnected);
	CHECK(m.state() == S::Offline && (a & kMicOff) && (a & kFlushPlayback));
	m.handle(E::Wake);
	m.handle(E::Blocked);
	CHECK(m.state() == S::Stopped);
	CHECK_EQ(m.handle(E::Connected), 0);  // nothing but a press or wake leaves Stopped
	CHECK(m.state() == S::Stopped);
	m.handle(E::Press);
	CHECK(m.state() == S::Connecting);
}

TEST(transition_table_refuses_impossible_moves) {
	CHECK(!TurnMachine::allowed(S::Offline, S::Speaking));
	CHECK(!TurnMachine::allowed(S::Idle, S::Speaking));
	CHECK(!TurnMachine::allowed(S::Stopped, S::Idle));
	CHECK(TurnMachine::allowed(S::Speaking, S::Listening));
	TurnMachine m = connected(TalkMode::PushToTalk);
	CHECK_EQ(m.handle(E::AnswerStarted), 0);  // an answer nobody asked for
	CHECK(m.state() == S::Idle);
	CHECK(m.stats().ignored >= 1);
}

TEST(thinking_too_long_times_out_to_idle) {
	TurnMachine m = connected(TalkMode::PushToTalk);
	m.handle(E::Press);
	m.handle(E::Release);
	m.handle(E::Timeout);
	CHECK(m.state() == S::Idle);
}

TEST_MAIN()
