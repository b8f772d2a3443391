#pragma once
// A real gateway for the integration tests: `bun gateway/src/main.ts` on a random port (or a
// given one, to come back where the toys expect it after a restart), its own PostgreSQL database
// on the test server (TEST_DATABASE_URL, from scripts/services.sh) and its own data directory.
#include <sys/types.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace host {

class TestDatabase {
public:
	TestDatabase();  // creates teddy_fw_<random> on TEST_DATABASE_URL
	~TestDatabase();
	bool ok() const { return !url_.empty(); }
	const std::string& url() const { return url_; }
	const std::string& error() const { return error_; }

private:
	std::string admin_, name_, url_, error_;
};

class GatewayProcess {
public:
	GatewayProcess(std::string repo_root, std::string database_url);
	~GatewayProcess();
	// Starts and waits for "gateway listening"; port 0 picks one. False (see logs()) on failure.
	bool start(int port = 0, int timeout_s = 60);
	// SIGTERM (sockets close with 1012) and wait for the exit.
	int stop();
	const std::string& http_url() const { return http_url_; }
	std::string ws_url() const { return "ws" + http_url_.substr(4) + "/xiaozhi/v1/"; }
	int port() const { return port_; }
	const std::string& data_dir() const { return data_dir_; }
	const std::string& database_url() const { return database_url_; }
	// An extra `NAME=value` for the gateway's environment (before start()).
	void add_env(std::string name_value) { extra_env_.push_back(std::move(name_value)); }
	std::string logs();

private:
	std::string root_, database_url_, data_dir_, http_url_;
	std::vector<std::string> extra_env_;
	int port_ = 0;
	pid_t pid_ = -1;
	int out_fd_ = -1;
	std::thread reader_;
	std::mutex mu_;
	std::string log_;
};

// The secret of test/support/gateway-process.ts and test/vectors/auth.json.
constexpr const char* kTestSecret = "46a1d7e1d6719f4a74404a01a7a18bd5734c824b461708a5123a5f42618c6bc5";

}  // namespace host
