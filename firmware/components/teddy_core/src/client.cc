#include "teddy/client.h"

#include "teddy/crypto.h"
#include "teddy/encoding.h"
#include "teddy/frame.h"

namespace teddy {
namespace {

const char kVolumeSchema[] =
    R"({"type":"object","properties":{"volume":{"type":"integer","minimum":0,"maximum":100}},"required":["volume"]})";
const char kNoArgsSchema[] = R"({"type":"object","properties":{}})";

Face face_of(TurnState s) {
	switch (s) {
		case TurnState::Offline: return Face::Off;
		case TurnState::Connecting: return Face::Connecting;
		case TurnState::Idle: return Face::Idle;
		case TurnState::Listening: return Face::Listening;
		case TurnState::Thinking: return Face::Thinking;
		case TurnState::Speaking: return Face::Speaking;
		case TurnState::Stopped: return Face::Error;
	}
	return Face::Off;
}

}  // namespace

Client::Client(const ClientConfig& config, const DeviceKey& key, const ClientPorts& ports)
    : config_(config),
      key_(key),
      io_(ports),
      turn_(config.mode),
      reconnect_(config.backoff),
      jitter_(config.prefill_frames),
      mcp_(config.firmware_version),
      out_(json_, sizeof json_) {
	size_t frame = ports.speaker.sample_rate() * kFrameMs / 1000;
	out_frame_samples_ = frame < kMaxOutSamples ? frame : kMaxOutSamples;
	mcp_.add(Tool{"self.audio_speaker.set_volume", "Set the bear's speaker volume (0-100).", kVolumeSchema, tool_set_volume, this});
	mcp_.add(Tool{"self.get_device_status", "The bear's state, volume and firmware version.", kNoArgsSchema, tool_status, this});
}

bool Client::use_bearer(Str token) { return copy_str(token, bearer_, sizeof bearer_); }

void Client::start() { event(TurnEvent::Wake); }
void Client::press() { event(TurnEvent::Press); }
void Client::release() { event(TurnEvent::Release); }
void Client::cancel() { event(TurnEvent::Cancel); }

void Client::open_socket() {
	reconnect_at_ = 0;
	char token[kMaxTokenChars];
	Str bearer(bearer_);
	if (bearer.empty()) {
		uint8_t nonce[16];
		char nonce_hex[33];
		io_.random.fill(nonce, sizeof nonce);
		hex_encode(nonce, sizeof nonce, nonce_hex);
		size_t n = make_v2_token(Str(config_.device_id), key_, io_.clock.unix_seconds(), Str(nonce_hex, 32), token);
		bearer = Str(token, n);
	}
	char auth[8 + sizeof bearer_];
	memcpy(auth, "Bearer ", 7);
	memcpy(auth + 7, bearer.data, bearer.size);
	Header headers[] = {{"Authorization", Str(auth, 7 + bearer.size)},
	                    {"Protocol-Version", Str("3", 1)},
	                    {"Device-Id", Str(config_.device_id)},
	                    {"Client-Id", Str(config_.client_id)}};
	++stats_.connects;
	socket_open_ = false;
	greeted_ = false;
	opened_at_ = io_.clock.now_ms();
	if (!io_.ws.connect(Str(config_.ws_url), headers, sizeof headers / sizeof headers[0])) on_connect_failed();
	wipe(token, sizeof token);
	wipe(auth, sizeof auth);
}

void Client::on_open() {
	socket_open_ = true;
	opened_at_ = io_.clock.now_ms();
	out_.clear();
	write_hello(out_);
	send_json();
}

void Client::on_connect_failed() {
	socket_open_ = false;
	closed(reconnect_.on_connect_failed(io_.random.next_u32()));
}

void Client::on_closed(uint16_t code) {
	socket_open_ = false;
	greeted_ = false;
	stats_.last_close = code;
	if (code == close_code::kUnauthorized && bearer_[0]) {
		// ? A device JWT from the check-in expires (30 days) or dies with a re-pairing; the toy's
		// own key still signs a fresh v2 token, so try that once before giving up.
		wipe(bearer_, sizeof bearer_);
		closed(CloseDecision{AfterClose::Reconnect, io_.random.next_u32() % 1000, "device token expired"});
		return;
	}
	closed(reconnect_.on_close(code, io_.random.next_u32()));
}

void Client::closed(const CloseDecision& d) {
	if (d.action == AfterClose::Stop) {
		stop_reason_ = d.why;
		event(TurnEvent::Blocked);
		io_.display.show(Face::Error, Str(d.why));
		return;
	}
	event(TurnEvent::Disconnected);
	if (d.action == AfterClose::Reconnect) reconnect_at_ = io_.clock.now_ms() + d.delay_ms + 1;
}

void Client::poll() {
	uint64_t now = io_.clock.now_ms();
	if (reconnect_at_ && now >= reconnect_at_ && turn_.state() == TurnState::Offline) {
		reconnect_at_ = 0;
		event(TurnEvent::Wake);
		return;
	}
	if (turn_.state() == TurnState::Connecting && !greeted_ && now - opened_at_ > config_.hello_timeout_ms) {
		io_.ws.close(close_code::kNormal);
		on_connect_failed();
		return;
	}
	if (turn_.state() == TurnState::Thinking && now - thinking_since_ > config_.answer_timeout_ms) event(TurnEvent::Timeout);
}

void Client::on_text(Str text) {
	Inbound msg;
	if (!parse_inbound(text, &msg)) {
		++stats_.bad_messages;
		return;
	}
	handle(msg);
}

void Client::on_binary(Bytes data) {
	Frame frame;
	if (parse_frame(data, &frame) != FrameError::None) {
		++stats_.bad_frames;
		return;
	}
	if (frame.type == FrameType::Json) {
		on_text(Str(reinterpret_cast<const char*>(frame.payload.data), frame.payload.size));
		return;
	}
	++stats_.frames_received;
	// ? Frames of an answer we aborted can still be in flight: they must not play.
	if (turn_.state() != TurnState::Speaking) {
		++stats_.late_frames;
		return;
	}
	jitter_.push(frame.payload);
}

void Client::handle(const Inbound& msg) {
	switch (msg.type) {
		case MsgType::Hello:
			greeted_ = true;
			++stats_.sessions;
			reconnect_.on_session_ok();
			event(TurnEvent::Connected);
			break;
		case MsgType::Stt:
			if (msg.text.to_string(text_, sizeof text_)) io_.display.show(Face::Thinking, Str(text_));
			event(TurnEvent::EndOfSpeech);
			break;
		case MsgType::Tts:
			if (msg.tts == TtsState::Start) {
				++stats_.answers;
				jitter_.begin_stream();
				event(TurnEvent::AnswerStarted);
			} else if (msg.tts == TtsState::SentenceStart) {
				if (msg.text.to_string(text_, sizeof text_)) io_.display.show(Face::Speaking, Str(text_));
			} else if (msg.tts == TtsState::Stop) {
				++stats_.answers_ended;
				event(TurnEvent::AnswerEnded);
			}
			break;
		case MsgType::Mcp: {
			++stats_.mcp_calls;
			char reply[1024];
			JsonWriter w(reply, sizeof reply);
			if (mcp_.handle(msg.payload, w)) {
				out_.clear();
				write_mcp(out_, w.str());
				send_json();
			}
			break;
		}
		case MsgType::Error:
			msg.code.to_string(stats_.last_error, sizeof stats_.last_error);
			if (msg.message.to_string(text_, sizeof text_)) io_.display.show(Face::Error, Str(text_));
			break;
		case MsgType::Alert:
			if (msg.message.to_string(text_, sizeof text_)) io_.display.show(face_of(turn_.state()), Str(text_));
			break;
		case MsgType::Llm:
		case MsgType::System:
		case MsgType::Pong:
		case MsgType::Unknown:
			break;
	}
}

void Client::send_json() {
	if (!out_.ok() || !socket_open_) return;
	io_.ws.send_text(out_.str());
}

void Client::apply(uint16_t a) {
	if (a & kOpenSocket) open_socket();
	if (a & kSendAbort) {
		out_.clear();
		write_abort(out_, "wake_word_detected");
		send_json();
	}
	if (a & kFlushPlayback) {
		jitter_.flush();
		playing_ = false;
		io_.decoder.reset();
	}
	if (a & kSendListenStop) {
		out_.clear();
		write_listen(out_, ListenState::Stop, config_.mode == TalkMode::Vad ? ListenMode::Auto : ListenMode::Manual);
		send_json();
	}
	if (a & kMicOff) {
		mic_on_ = false;
		io_.mic.set_enabled(false);
	}
	if (a & kSendListenStart) {
		out_.clear();
		write_listen(out_, ListenState::Start, config_.mode == TalkMode::Vad ? ListenMode::Auto : ListenMode::Manual);
		send_json();
	}
	if (a & kMicOn) {
		io_.encoder.reset();
		io_.mic.set_enabled(true);
		mic_on_ = true;
	}
	if (a & kStartPlayback) playing_ = true;
	if (a & kEndPlayback) jitter_.end_of_stream();
	if ((a & kConfirmBoot) && !boot_confirmed_) {
		boot_confirmed_ = true;
		if (boot_confirm_) boot_confirm_->confirm_boot();
	}
}

void Client::event(TurnEvent e) {
	TurnState before = turn_.state();
	uint16_t actions = turn_.handle(e);
	if (turn_.state() == TurnState::Thinking && before != TurnState::Thinking) thinking_since_ = io_.clock.now_ms();
	apply(actions);
	if (turn_.state() != before) io_.display.show(face_of(turn_.state()), Str());
}

void Client::audio_tick() {
	if (mic_on_ && socket_open_ && io_.mic.read(pcm_in_, kUplinkFrameSamples)) {
		int n = io_.encoder.encode(pcm_in_, kUplinkFrameSamples, tx_ + kFrameHeader, kSlotBytes);
		if (n > 0 && write_frame_header(tx_, FrameType::Opus, static_cast<size_t>(n)) == FrameError::None) {
			if (io_.ws.send_binary(Bytes(tx_, kFrameHeader + static_cast<size_t>(n)))) ++stats_.frames_sent;
		}
	}
	if (!playing_) return;
	size_t len = 0;
	const size_t max_samples = out_frame_samples_;
	switch (jitter_.pop(packet_, &len)) {
		case Pop::Frame: {
			int n = io_.decoder.decode(packet_, len, pcm_out_, max_samples);
			if (n > 0) io_.speaker.write(pcm_out_, static_cast<size_t>(n));
			break;
		}
		case Pop::Underrun: {
			int n = io_.decoder.decode(nullptr, 0, pcm_out_, max_samples);  // conceal the gap
			if (n > 0) io_.speaker.write(pcm_out_, static_cast<size_t>(n));
			break;
		}
		case Pop::Drained:
			playing_ = false;
			event(TurnEvent::PlaybackDone);
			break;
		case Pop::Wait: break;
	}
}

bool Client::tool_set_volume(void* ctx, JsonValue args, char* text, size_t cap) {
	Client* self = static_cast<Client*>(ctx);
	int64_t v = -1;
	if (!args.get("volume").to_int(&v) || v < 0 || v > 100) {
		copy_str("volume must be an integer from 0 to 100", text, cap);
		return false;
	}
	self->io_.speaker.set_volume(static_cast<uint8_t>(v));
	JsonWriter w(text, cap);
	w.begin_object().field("volume", static_cast<int64_t>(self->io_.speaker.volume())).end_object();
	return true;
}

bool Client::tool_status(void* ctx, JsonValue, char* text, size_t cap) {
	Client* self = static_cast<Client*>(ctx);
	JsonWriter w(text, cap);
	w.begin_object().field("state", turn_state_name(self->turn_.state()));
	w.field("talk_mode", self->config_.mode == TalkMode::Vad ? "vad" : "push_to_talk");
	w.key("audio_speaker").begin_object().field("volume", static_cast<int64_t>(self->io_.speaker.volume())).end_object();
	w.field("firmware", self->config_.firmware_version).end_object();
	return w.ok();
}

}  // namespace teddy
