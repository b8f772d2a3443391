// A firmware-shaped program for the size report: every core module wired up as the device's
// main wires it, with do-nothing ports, so the rv32 link keeps exactly the code a toy carries.
// Its link map (size_probe.map) is what firmware/host/size_report.py reads. Never run as a test.
#include "teddy/client.h"
#include "teddy/digit_voice.h"
#include "teddy/ota.h"
#include "teddy/pairing.h"
#include "teddy/remote_config.h"

using namespace teddy;

namespace {

struct Ports final : Transport, AudioIn, AudioOut, OpusEncoder, OpusDecoder, Clock, Random, Display, Http, Storage,
                     FirmwareSlot, CodeSpeaker {
	bool connect(Str, const Header*, size_t) override { return true; }
	bool send_text(Str) override { return true; }
	bool send_binary(Bytes) override { return true; }
	void close(uint16_t) override {}
	void set_enabled(bool) override {}
	bool read(int16_t*, size_t) override { return false; }
	uint32_t sample_rate() const override { return 24000; }
	void write(const int16_t*, size_t) override {}
	void set_volume(uint8_t) override {}
	uint8_t volume() const override { return 50; }
	int encode(const int16_t*, size_t, uint8_t*, size_t) override { return 0; }
	int decode(const uint8_t*, size_t, int16_t*, size_t) override { return 0; }
	void reset() override {}
	uint64_t now_ms() override { return 0; }
	uint64_t unix_seconds() override { return 0; }
	void set_unix_ms(uint64_t) override {}
	void fill(uint8_t* out, size_t n) override { memset(out, 4, n); }
	bool has_screen() const override { return false; }
	void show(Face, Str) override {}
	bool request(const char*, Str, const Header*, size_t, Str, HttpBody&, HttpResponse*) override { return false; }
	int get(Str, uint8_t*, size_t) override { return -1; }
	bool set(Str, Bytes) override { return true; }
	bool erase(Str) override { return true; }
	size_t capacity() const override { return 0; }
	bool begin(uint64_t) override { return false; }
	bool write(uint64_t, Bytes) override { return false; }
	bool activate() override { return false; }
	void abort() override {}
	void say_pairing_code(Str) override {}
};

const uint8_t kReleaseKey[32] = {1};
Ports g_ports;
Identity g_identity{"toy", "client", "teddy-c3", "1.0.0", {}};
DeviceApi g_api(g_ports, g_ports, g_ports, g_identity, "http://gw");
Client g_client(ClientConfig{}, DeviceKey{}, ClientPorts{g_ports, g_ports, g_ports, g_ports, g_ports, g_ports, g_ports, g_ports});
OtaClient g_ota(g_api, g_ports, kReleaseKey);
RemoteConfig g_config(g_api, g_ports);
const Bytes kClips[10] = {};
DigitVoice g_voice(kClips, g_ports, g_ports);
Pairing g_pairing(g_api, g_ports, g_voice);

}  // namespace

int main() {
	g_client.start();
	g_client.on_open();
	g_client.on_text("{}");
	g_client.on_binary(Bytes());
	g_client.press();
	g_client.release();
	g_client.cancel();
	g_client.poll();
	g_client.audio_tick();
	g_client.on_closed(1000);
	g_client.on_connect_failed();
	g_client.use_bearer("x");
	Manifest m;
	if (g_ota.check(&m) == OtaError::None) g_ota.install(m);
	g_config.fetch();
	CheckIn c;
	if (g_pairing.check_in(&c)) {
		g_pairing.present_code(c);
		g_pairing.activate(c);
	}
	char code[8];
	g_pairing.new_code(code);
	DeviceKey key{};
	return check_v2_token("toy", key, "v2.1.0123456789abcdef.00") ? 1 : 0;
}
