// The toy's main: bring up NVS, Wi-Fi and the clock, check in with the gateway (pairing code if
// unpaired), then run the portable core on one task: socket events, a 60 ms audio tick, the
// button, and an update check when the toy has been quiet for a while.
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "esp_app_desc.h"
#include "esp_event.h"
#include "esp_http.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_sntp.h"
#include "esp_platform.h"
#include "esp_storage.h"
#include "esp_system.h"
#include "esp_transport.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/message_buffer.h"
#include "freertos/task.h"
#include "nvs.h"
#include "nvs_flash.h"
#include "teddy/client.h"
#include "teddy/digit_voice.h"
#include "teddy/encoding.h"
#include "teddy/opus_codec.h"
#include "teddy/ota.h"
#include "teddy/pairing.h"
#include "teddy/remote_config.h"

static const char* TAG = "teddy";

#define DIGIT_CLIP(n)                                                               \
	extern const uint8_t digit##n##_start[] asm("_binary_digit_" #n "_opuspackets_start"); \
	extern const uint8_t digit##n##_end[] asm("_binary_digit_" #n "_opuspackets_end");
DIGIT_CLIP(0) DIGIT_CLIP(1) DIGIT_CLIP(2) DIGIT_CLIP(3) DIGIT_CLIP(4)
DIGIT_CLIP(5) DIGIT_CLIP(6) DIGIT_CLIP(7) DIGIT_CLIP(8) DIGIT_CLIP(9)
#define CLIP(n) teddy::Bytes(digit##n##_start, static_cast<size_t>(digit##n##_end - digit##n##_start))

namespace {

constexpr uint32_t kQuietBeforeUpdateMs = 10 * 60 * 1000;
constexpr uint32_t kLongPressMs = 3000;      // stop the bear and go idle
constexpr uint32_t kPairingPressMs = 10000;  // a grown-up asks for a new pairing code

EventGroupHandle_t g_net;
constexpr EventBits_t kGotIp = 1;

void on_wifi(void*, esp_event_base_t base, int32_t id, void*) {
	if (base == WIFI_EVENT && (id == WIFI_EVENT_STA_START || id == WIFI_EVENT_STA_DISCONNECTED)) esp_wifi_connect();
	if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) xEventGroupSetBits(g_net, kGotIp);
}

// Wi-Fi credentials live in encrypted NVS (namespace "wifi"), written at provisioning.
bool wifi_up() {
	nvs_handle_t h;
	wifi_config_t wc = {};
	size_t n = sizeof wc.sta.ssid;
	if (nvs_open("wifi", NVS_READONLY, &h) != ESP_OK) return false;
	bool ok = nvs_get_str(h, "ssid", reinterpret_cast<char*>(wc.sta.ssid), &n) == ESP_OK;
	n = sizeof wc.sta.password;
	ok = ok && nvs_get_str(h, "password", reinterpret_cast<char*>(wc.sta.password), &n) == ESP_OK;
	nvs_close(h);
	if (!ok) return false;
	g_net = xEventGroupCreate();
	esp_netif_init();
	esp_event_loop_create_default();
	esp_netif_create_default_wifi_sta();
	wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
	esp_wifi_init(&init);
	esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi, nullptr);
	esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_wifi, nullptr);
	esp_wifi_set_mode(WIFI_MODE_STA);
	esp_wifi_set_config(WIFI_IF_STA, &wc);
	esp_wifi_start();
	return xEventGroupWaitBits(g_net, kGotIp, pdFALSE, pdTRUE, pdMS_TO_TICKS(30000)) & kGotIp;
}

// The per-device identity the factory wrote into encrypted NVS (README: provisioning).
bool load_identity(teddy::Identity* id, char* device_id, size_t cap) {
	nvs_handle_t h;
	if (nvs_open("teddy", NVS_READONLY, &h) != ESP_OK) return false;
	size_t n = cap;
	size_t key_len = sizeof id->key.bytes;
	bool ok = nvs_get_str(h, "device_id", device_id, &n) == ESP_OK &&
	          nvs_get_blob(h, "device_key", id->key.bytes, &key_len) == ESP_OK && key_len == sizeof id->key.bytes;
	nvs_close(h);
	return ok && teddy::valid_device_id(teddy::Str(device_id));
}

void pair(teddy::Pairing& pairing, const teddy::CheckIn& c, teddy::Clock& clock) {
	pairing.present_code(c);
	uint64_t until = clock.now_ms() + 10 * 60 * 1000;  // the code's validity
	uint64_t spoken = clock.now_ms();
	while (clock.now_ms() < until) {
		teddy::Activation a = pairing.activate(c);
		if (a == teddy::Activation::Activated) return;
		if (a == teddy::Activation::Refused) {
			ESP_LOGE(TAG, "the gateway refused this toy's activation answer: its device key does not match");
			return;
		}
		if (clock.now_ms() - spoken > 60000) {  // say it again for whoever walked up late
			pairing.present_code(c);
			spoken = clock.now_ms();
		}
		vTaskDelay(pdMS_TO_TICKS(3000));
	}
}

void teddy_task(void*) {
	Board& board = teddy_board();
	board.init();
	static EspClock clock;
	static EspRandom random;
	static EspHttp http;
	static NvsStorage storage;
	storage.open();
	static uint8_t mb_storage[8192];
	static StaticMessageBuffer_t mb;
	MessageBufferHandle_t events = xMessageBufferCreateStatic(sizeof mb_storage, mb_storage, &mb);
	static EspWsTransport ws(events);
	static teddy::LibopusEncoder encoder;
	static teddy::LibopusDecoder decoder(board.speaker().sample_rate());

	static char device_id[teddy::kMaxDeviceIdChars + 1];
	static teddy::Identity identity = {device_id, device_id, board.model(), esp_app_get_description()->version, {}};
	if (!load_identity(&identity, device_id, sizeof device_id)) {
		board.display().show(teddy::Face::Error, "not provisioned: no device id/key in NVS");
		vTaskDelete(nullptr);
	}
	static teddy::DeviceApi api(http, clock, random, identity, CONFIG_TEDDY_GATEWAY_URL);
	static const teddy::Bytes clips[10] = {CLIP(0), CLIP(1), CLIP(2), CLIP(3), CLIP(4), CLIP(5), CLIP(6), CLIP(7), CLIP(8), CLIP(9)};
	static teddy::DigitVoice voice(clips, decoder, board.speaker());
	static teddy::Pairing pairing(api, board.display(), voice);

	static teddy::CheckIn checkin;
	for (int attempt = 0; attempt < 5 && !pairing.check_in(&checkin); ++attempt) vTaskDelay(pdMS_TO_TICKS(2000 << attempt));
	if (checkin.needs_pairing) pair(pairing, checkin, clock);

	static teddy::RemoteConfig config(api, storage);
	config.fetch();
	static char ws_url[192];
	if (!teddy::copy_str(teddy::Str(checkin.ws_url), ws_url, sizeof ws_url) || !ws_url[0]) {
		if (!config.websocket_url(ws_url, sizeof ws_url)) {
			// Neither answered (the gateway is down at boot): the conventional path on the same host.
			const char* base = CONFIG_TEDDY_GATEWAY_URL;
			bool tls = strncmp(base, "https://", 8) == 0;
			snprintf(ws_url, sizeof ws_url, "%s%s/xiaozhi/v1/", tls ? "wss://" : "ws://", base + (tls ? 8 : 7));
		}
	}

	teddy::ClientConfig cc;
	cc.device_id = device_id;
	cc.client_id = device_id;
	cc.ws_url = ws_url;
	cc.firmware_version = identity.firmware_version;
	cc.mode = IS_ENABLED(CONFIG_TEDDY_TALK_VAD) ? teddy::TalkMode::Vad : teddy::TalkMode::PushToTalk;
	static teddy::Client client(cc, identity.key,
	                            teddy::ClientPorts{ws, board.mic(), board.speaker(), encoder, decoder, clock, random, board.display()});
	static EspBootConfirm boot;
	client.set_boot_confirm(&boot);
	if (checkin.token[0]) client.use_bearer(teddy::Str(checkin.token));

	static EspFirmwareSlot slot;
	uint8_t release_key[32];
	bool ota_enabled = teddy::hex_decode(CONFIG_TEDDY_OTA_PUBLIC_KEY, release_key, sizeof release_key);
	if (!ota_enabled) ESP_LOGW(TAG, "CONFIG_TEDDY_OTA_PUBLIC_KEY is not set: updates are off");
	static teddy::OtaClient ota(api, slot, release_key);

	client.start();
	static uint8_t rx[sizeof(WsMessageHeader) + EspWsTransport::kMaxMessage];
	uint64_t next_tick = clock.now_ms();
	uint64_t next_ota = clock.now_ms() + 60000;
	uint64_t last_busy = clock.now_ms();
	uint64_t pressed_at = 0;
	bool was_down = false, long_done = false, pairing_done = false;
	for (;;) {
		uint64_t now = clock.now_ms();
		uint32_t wait = next_tick > now ? static_cast<uint32_t>(next_tick - now) : 0;
		size_t n = xMessageBufferReceive(events, rx, sizeof rx, pdMS_TO_TICKS(wait < 20 ? wait : 20));
		if (n >= sizeof(WsMessageHeader)) {
			WsMessageHeader h;
			memcpy(&h, rx, sizeof h);
			const uint8_t* data = rx + sizeof h;
			size_t len = n - sizeof h;
			if (h.generation == ws.generation()) {
				switch (h.kind) {
					case WsEvent::Open: client.on_open(); break;
					case WsEvent::Text: client.on_text(teddy::Str(reinterpret_cast<const char*>(data), len)); break;
					case WsEvent::Binary: client.on_binary(teddy::Bytes(data, len)); break;
					case WsEvent::Closed: client.on_closed(h.code); break;
					case WsEvent::ConnectFailed: client.on_connect_failed(); break;
				}
			}
		}
		now = clock.now_ms();
		bool down = board.button_down();
		if (down && !was_down) {
			pressed_at = now;
			long_done = pairing_done = false;
			client.press();
		} else if (!down && was_down) {
			client.release();
		} else if (down && !long_done && now - pressed_at > kLongPressMs) {
			long_done = true;
			client.cancel();
		} else if (down && !pairing_done && now - pressed_at > kPairingPressMs) {
			pairing_done = true;
			char code[8];
			pairing.new_code(code);
		}
		was_down = down;

		if (now >= next_tick) {
			client.audio_tick();
			client.poll();
			next_tick += teddy::kFrameMs;
			if (next_tick + teddy::kFrameMs < now) next_tick = now;
		}
		teddy::TurnState s = client.state();
		if (s != teddy::TurnState::Idle && s != teddy::TurnState::Offline) last_busy = now;
		if (ota_enabled && now >= next_ota && (s == teddy::TurnState::Idle || s == teddy::TurnState::Offline)) {
			next_ota = now + static_cast<uint64_t>(CONFIG_TEDDY_OTA_CHECK_HOURS) * 3600 * 1000;
			teddy::Manifest m;
			teddy::OtaError e = ota.check(&m);
			// ? An update that is not forced waits until nobody has talked to the bear for a while.
			if (e == teddy::OtaError::None && (m.force || now - last_busy > kQuietBeforeUpdateMs)) {
				board.display().show(teddy::Face::Updating, teddy::Str(m.version));
				e = ota.install(m);
				if (e == teddy::OtaError::None) {
					ESP_LOGI(TAG, "update %s installed; restarting into it", m.version);
					esp_restart();
				}
			} else if (e == teddy::OtaError::None) {
				next_ota = now + kQuietBeforeUpdateMs;  // offered, but the child was busy: ask again soon
			}
			if (e != teddy::OtaError::None && e != teddy::OtaError::NoUpdate) ESP_LOGW(TAG, "update: %s", teddy::ota_error_name(e));
		}
	}
}

}  // namespace

extern "C" void app_main(void) {
	// With CONFIG_NVS_ENCRYPTION, nvs_flash_init reads its keys from the nvs_keys partition
	// (flash-encrypted); the factory image already holds them (README: provisioning).
	esp_err_t err = nvs_flash_init();
	if (err != ESP_OK) {
		ESP_LOGE(TAG, "NVS: %s: this toy needs re-provisioning", esp_err_to_name(err));
		return;
	}
	if (!wifi_up()) ESP_LOGE(TAG, "no Wi-Fi: check the credentials in NVS namespace \"wifi\"");
	esp_sntp_config_t sntp = ESP_NETIF_SNTP_DEFAULT_CONFIG("pool.ntp.org");
	esp_netif_sntp_init(&sntp);
	// v2 tokens need the clock within ±120 s; the check-in also sets it from the gateway.
	esp_netif_sntp_sync_wait(pdMS_TO_TICKS(10000));
	// ! The core's deepest paths (pairing, config) use about 5 KiB of stack; 12 KiB leaves room
	// for esp_http_client and the WebSocket client calls made from this task.
	xTaskCreate(teddy_task, "teddy", 12288, nullptr, 5, nullptr);
}
