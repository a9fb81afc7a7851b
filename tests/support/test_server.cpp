#include "support/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/test_postgres.h"

extern char** environ;

namespace mamori::testing {

namespace fs = std::filesystem;

namespace {

std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
            const fs::path& out, const fs::path& err) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> all{MAMORI_BINARY_LITERAL};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_store(extra_env);
    for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

}  // namespace

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mamori-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

CommandResult RunMamori(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    TempDir io;
    CommandResult r;
    pid_t pid = Spawn(args, env, io.path() / "out", io.path() / "err");
    if (pid < 0) return r;
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = Slurp(io.path() / "out");
    r.err = Slurp(io.path() / "err");
    return r;
}

CommandResult InitDataDirFor(const fs::path& data, const std::string& database,
                             const std::string& admin_password, const std::string& demo_password) {
    std::vector<std::string> args{"init", "--data", data.string()};
    std::vector<std::string> env{"MAMORI_ADMIN_PASSWORD=" + admin_password};
    if (!demo_password.empty()) {
        args.push_back("--demo");
        env.push_back("MAMORI_DEMO_PASSWORD=" + demo_password);
    }
    if (database == "postgresql") {
        args.push_back("--database-url");
        args.push_back(NewPostgresDatabase());
    }
    return RunMamori(args, env);
}

std::string ReadFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void WithoutMfa(const fs::path& data) {
    std::ifstream in(data / "mamori.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    in.close();
    std::ofstream(data / "mamori.yaml", std::ios::trunc) << std::regex_replace(
        ss.str(), std::regex(R"(mfa_required_roles: \[[^\]]*\])"), "mfa_required_roles: []");
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const fs::path& data_dir) {
    auto s = std::unique_ptr<ServerProcess>(new ServerProcess());
    s->out_ = data_dir.parent_path() / (data_dir.filename().string() + ".serve.out");
    s->err_ = data_dir.parent_path() / (data_dir.filename().string() + ".serve.err");
    s->pid_ = Spawn({"serve", "--data", data_dir.string(), "--listen", "127.0.0.1:0"}, {}, s->out_,
                    s->err_);
    if (s->pid_ < 0) {
        ADD_FAILURE() << "cannot start mamori serve";
        return nullptr;
    }
    const std::regex line(R"(serving on https?://127\.0\.0\.1:(\d+)/)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch m;
        std::string out = Slurp(s->out_);
        if (std::regex_search(out, m, line)) {
            s->port_ = static_cast<unsigned short>(std::stoi(m[1]));
            return s;
        }
        int status = 0;
        if (waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
            s->pid_ = -1;
            ADD_FAILURE() << "mamori serve exited early:\n" << Slurp(s->err_);
            return nullptr;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "mamori serve did not start in time:\n" << Slurp(s->err_);
    return nullptr;
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) Stop(SIGKILL, 5);
}

int ServerProcess::Stop(int signal, int timeout_s) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
}

std::string ServerProcess::Log() const { return Slurp(err_); }

HttpResult Http(unsigned short port, const std::string& method, const std::string& target,
                const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers) {
    namespace beast = boost::beast;
    namespace bhttp = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::connection, "close");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        req.body() = body;
        req.prepare_payload();
    }
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    if (method == "HEAD") parser.skip(true);
    bhttp::read(stream, buffer, parser);
    HttpResult r;
    auto& res = parser.get();
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
    }
    r.body = res.body();
    return r;
}

std::string RawExchange(unsigned short port, const std::string& bytes, int timeout_ms) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return {};
    }
    if (!bytes.empty()) (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    close(fd);
    return out;
}

}  // namespace mamori::testing
