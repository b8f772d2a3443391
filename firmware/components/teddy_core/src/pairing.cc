#include "teddy/pairing.h"

#include "teddy/json.h"

namespace teddy {
namespace {

void show_code(Display& display, CodeSpeaker& speaker, Str code) {
	if (display.has_screen()) {
		char text[40] = "Pairing code ";
		size_t n = strlen(text);
		for (size_t i = 0; i < code.size && n + 2 < sizeof text; ++i) {
			text[n++] = code.data[i];
			if (i == 2) text[n++] = ' ';  // "123 456" reads easier
		}
		text[n] = '\0';
		display.show(Face::Pairing, Str(text, n));
	} else {
		display.show(Face::Pairing, Str());
		speaker.say_pairing_code(code);
	}
}

}  // namespace

bool Pairing::check_in(CheckIn* out) {
	*out = CheckIn{};
	const Identity& id = api_.identity();
	char body[256];
	JsonWriter w(body, sizeof body);
	w.begin_object().key("application").begin_object().field("name", "teddy").field("version", id.firmware_version).end_object();
	w.key("board").begin_object().field("type", id.model).end_object().end_object();
	char buf[2048];
	HttpResponse resp;
	Str reply;
	if (!w.ok() || !api_.json("POST", "/xiaozhi/ota/", w.str(), buf, sizeof buf, &resp, &reply) || resp.status != 200) return false;
	JsonValue doc = json_parse(reply);
	int64_t ts = 0;
	if (!doc.path("server_time.timestamp").to_int(&ts) || ts <= 0) return false;
	out->server_time_ms = static_cast<uint64_t>(ts);
	api_.clock().set_unix_ms(out->server_time_ms);
	doc.path("websocket.url").to_string(out->ws_url, sizeof out->ws_url);
	doc.path("websocket.token").to_string(out->token, sizeof out->token);
	doc.path("firmware.version").to_string(out->offered_version, sizeof out->offered_version);
	JsonValue act = doc.get("activation");
	if (act.kind == JsonKind::Object) {
		out->needs_pairing = act.get("code").to_string(out->code, sizeof out->code);
		act.get("challenge").to_string(out->challenge, sizeof out->challenge);
		act.get("message").to_string(out->message, sizeof out->message);
		int64_t t = 0;
		if (act.get("timeout_ms").to_int(&t) && t > 0) out->poll_timeout_ms = static_cast<uint32_t>(t);
	}
	return true;
}

void Pairing::present_code(const CheckIn& c) { show_code(display_, speaker_, Str(c.code)); }

Activation Pairing::activate(const CheckIn& c) {
	char hmac[65];
	activation_hmac(api_.identity().key, Str(c.challenge), hmac);
	char body[320];
	JsonWriter w(body, sizeof body);
	w.begin_object().field("algorithm", "hmac-sha256").field("serial_number", api_.identity().device_id);
	w.field("challenge", Str(c.challenge)).field("hmac", Str(hmac, 64)).end_object();
	char buf[512];
	HttpResponse resp;
	Str reply;
	if (!w.ok() || !api_.json("POST", "/xiaozhi/ota/activate", w.str(), buf, sizeof buf, &resp, &reply)) return Activation::Failed;
	if (resp.status == 200) return Activation::Activated;
	if (resp.status == 202) return Activation::Waiting;
	if (resp.status == 401 || resp.status == 403) return Activation::Refused;
	return Activation::Failed;
}

bool Pairing::new_code(char code[8]) {
	char buf[256];
	HttpResponse resp;
	Str reply;
	if (!api_.json("POST", "/api/v1/pair/start", Str(), buf, sizeof buf, &resp, &reply) || resp.status != 200) return false;
	if (!json_parse(reply).get("code").to_string(code, 8)) return false;
	show_code(display_, speaker_, Str(code));
	return true;
}

}  // namespace teddy
