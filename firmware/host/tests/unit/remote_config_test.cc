#include "../support/check.h"
#include "../support/fake_http.h"
#include "../support/fakes.h"
#include "teddy/remote_config.h"

using namespace teddy;

namespace {

struct MemoryStorage final : Storage {
	char keys[8][16];
	uint8_t values[8][2100];
	int sizes[8] = {};
	int n = 0;
	int find(Str k) {
		for (int i = 0; i < n; ++i) {
			if (Str(keys[i]) == k) return i;
		}
		return -1;
	}
	int get(Str k, uint8_t* out, size_t cap) override {
		int i = find(k);
		if (i < 0 || static_cast<size_t>(sizes[i]) > cap) return -1;
		memcpy(out, values[i], static_cast<size_t>(sizes[i]));
		return sizes[i];
	}
	bool set(Str k, Bytes v) override {
		int i = find(k);
		if (i < 0) copy_str(k, keys[i = n++], sizeof keys[0]);
		memcpy(values[i], v.data, v.size);
		sizes[i] = static_cast<int>(v.size);
		return true;
	}
	bool erase(Str k) override {
		int i = find(k);
		if (i >= 0) sizes[i] = 0;
		return i >= 0;
	}
};

const char kConfig[] = R"({"websocket":{"url":"ws://gw/xiaozhi/v1/","version":3},"audio_params":{"sample_rate":16000,"frame_duration":60},"ntp_servers":["pool.ntp.org"]})";

struct Rig {
	fakes::Http http;
	fakes::Clock clock;
	fakes::Random random;
	MemoryStorage storage;
	Identity id{"Teddy-ESP32-001", "c1", "teddy-s3", "1.4.0", {}};
	DeviceApi api{http, clock, random, id, "http://gw"};
};

}  // namespace

TEST(first_fetch_stores_the_body_and_its_etag) {
	Rig r;
	r.http.route("GET", "http://gw/api/v1/esp32/config", 200, kConfig, "\"abc\"");
	RemoteConfig cfg(r.api, r.storage);
	CHECK(cfg.fetch() == ConfigResult::Fresh);
	CHECK_STR(cfg.etag(), "\"abc\"");
	char url[64];
	CHECK(cfg.websocket_url(url, sizeof url));
	CHECK_STR(Str(url), "ws://gw/xiaozhi/v1/");
	CHECK_STR(Str(r.http.log[0].if_none_match), "");  // nothing to revalidate yet
}

TEST(second_fetch_revalidates_and_a_304_keeps_the_copy) {
	Rig r;
	r.http.route("GET", "http://gw/api/v1/esp32/config", 200, kConfig, "\"abc\"");
	RemoteConfig cfg(r.api, r.storage);
	cfg.fetch();
	r.http.routes[0].status = 304;
	CHECK(cfg.fetch() == ConfigResult::Unchanged);
	CHECK_STR(Str(r.http.log[1].if_none_match), "\"abc\"");
	int64_t rate;
	CHECK(cfg.doc().path("audio_params.sample_rate").to_int(&rate) && rate == 16000);
}

TEST(after_a_reboot_offline_the_stored_config_is_used) {
	Rig r;
	r.http.route("GET", "http://gw/api/v1/esp32/config", 200, kConfig, "\"abc\"");
	{
		RemoteConfig first(r.api, r.storage);
		first.fetch();
	}
	r.http.offline = true;
	RemoteConfig after_reboot(r.api, r.storage);
	CHECK(after_reboot.fetch() == ConfigResult::Cached);
	char url[64];
	CHECK(after_reboot.websocket_url(url, sizeof url));
	r.http.offline = false;
	r.http.routes[0].status = 304;
	CHECK(after_reboot.fetch() == ConfigResult::Unchanged);
	CHECK_STR(Str(r.http.log[r.http.n_log - 1].if_none_match), "\"abc\"");
}

TEST(a_broken_answer_keeps_the_last_good_config) {
	Rig r;
	r.http.route("GET", "http://gw/api/v1/esp32/config", 200, kConfig, "\"abc\"");
	RemoteConfig cfg(r.api, r.storage);
	cfg.fetch();
	r.http.routes[0].body = "{\"websocket\":";
	r.http.routes[0].etag = "\"broken\"";
	CHECK(cfg.fetch() == ConfigResult::Cached);
	CHECK_STR(cfg.etag(), "\"abc\"");
	Rig empty;
	empty.http.offline = true;
	RemoteConfig none(empty.api, empty.storage);
	CHECK(none.fetch() == ConfigResult::Failed);
}

TEST_MAIN()
