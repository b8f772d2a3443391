#include "gateway_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

extern char** environ;

namespace host {
namespace {

int run(const std::vector<std::string>& argv) {
	std::vector<char*> args;
	for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
	args.push_back(nullptr);
	pid_t pid;
	if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string random_suffix() {
	std::random_device rd;
	char buf[17];
	std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
	return buf;
}

}  // namespace

TestDatabase::TestDatabase() {
	const char* base = std::getenv("TEST_DATABASE_URL");
	if (!base || !*base) {
		error_ = "TEST_DATABASE_URL is not set: start the test services with: eval \"$(bash scripts/services.sh)\"";
		return;
	}
	admin_ = base;
	name_ = "teddy_fw_" + random_suffix();
	if (run({"psql", "-q", admin_, "-c", "create database " + name_}) != 0) {
		error_ = "could not create database " + name_ + " on " + admin_;
		return;
	}
	auto slash = admin_.rfind('/');
	auto query = admin_.find('?', slash);
	url_ = admin_.substr(0, slash + 1) + name_ + (query == std::string::npos ? "" : admin_.substr(query));
}

TestDatabase::~TestDatabase() {
	if (!url_.empty()) run({"psql", "-q", admin_, "-c", "drop database if exists " + name_ + " with (force)"});
}

GatewayProcess::GatewayProcess(std::string repo_root, std::string database_url)
    : root_(std::move(repo_root)), database_url_(std::move(database_url)) {
	char tmpl[] = "/tmp/teddy-fw-gw-XXXXXX";
	if (mkdtemp(tmpl)) data_dir_ = tmpl;
}

GatewayProcess::~GatewayProcess() {
	stop();
	if (!data_dir_.empty()) run({"rm", "-rf", data_dir_});
}

bool GatewayProcess::start(int port, int timeout_s) {
	int pipe_fds[2];
	if (pipe(pipe_fds) != 0) return false;
	std::vector<std::string> env = {
	    std::string("PATH=") + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"),
	    std::string("HOME=") + (std::getenv("HOME") ? std::getenv("HOME") : "/tmp"),
	    "PORT=" + std::to_string(port),
	    "HOST=127.0.0.1",
	    "DATA_DIR=" + data_dir_,
	    "DATABASE_URL=" + database_url_,
	    std::string("ESP32_SHARED_SECRET=") + kTestSecret,
	    "REQUIRE_PAIRING=false",
	    "LOG_LEVEL=info",
	};
	env.insert(env.end(), extra_env_.begin(), extra_env_.end());
	std::vector<char*> envp;
	for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
	envp.push_back(nullptr);
	const char* argv[] = {"bun", "gateway/src/main.ts", nullptr};

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, pipe_fds[0]);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addchdir_np(&fa, root_.c_str());  // glibc ≥ 2.29
	int rc = posix_spawnp(&pid_, "bun", &fa, nullptr, const_cast<char**>(argv), envp.data());
	posix_spawn_file_actions_destroy(&fa);
	close(pipe_fds[1]);
	if (rc != 0) {
		close(pipe_fds[0]);
		pid_ = -1;
		std::lock_guard<std::mutex> lock(mu_);
		log_ += "could not spawn bun: " + std::string(strerror(rc)) + "\n";
		return false;
	}
	out_fd_ = pipe_fds[0];
	if (reader_.joinable()) reader_.join();
	{
		std::lock_guard<std::mutex> lock(mu_);
		log_.clear();
	}
	reader_ = std::thread([this, fd = out_fd_] {
		char buf[4096];
		ssize_t n;
		while ((n = read(fd, buf, sizeof buf)) > 0) {
			std::lock_guard<std::mutex> lock(mu_);
			log_.append(buf, static_cast<size_t>(n));
		}
		close(fd);
	});
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
	while (std::chrono::steady_clock::now() < deadline) {
		// {"level":30,...,"url":"http://127.0.0.1:40123/",...,"msg":"gateway listening"}
		std::string text = logs();
		auto line_end = text.find("gateway listening");
		auto url_at = line_end == std::string::npos ? std::string::npos : text.rfind("\"url\":\"", line_end);
		if (url_at != std::string::npos) {
			auto from = url_at + 7;
			auto to = text.find('"', from);
			http_url_ = text.substr(from, to - from);
			if (!http_url_.empty() && http_url_.back() == '/') http_url_.pop_back();
			port_ = std::stoi(http_url_.substr(http_url_.rfind(':') + 1));
			return true;
		}
		int status;
		if (waitpid(pid_, &status, WNOHANG) == pid_) {
			pid_ = -1;
			return false;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	return false;
}

int GatewayProcess::stop() {
	int status = 0;
	if (pid_ > 0) {
		kill(pid_, SIGTERM);
		waitpid(pid_, &status, 0);
		pid_ = -1;
	}
	if (reader_.joinable()) reader_.join();
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string GatewayProcess::logs() {
	std::lock_guard<std::mutex> lock(mu_);
	return log_;
}

}  // namespace host
