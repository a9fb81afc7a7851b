#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mamori::testing {

/// A fresh directory under /tmp, removed with everything in it at scope exit.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs the real mamori binary with `args` and extra environment entries ("K=V"); waits.
CommandResult RunMamori(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {});

/// `mamori init --data DATA` on "sqlite" or on a new "postgresql" database of the test
/// server, with MAMORI_ADMIN_PASSWORD set to `admin_password`; with a `demo_password`, also
/// `--demo` (the demo city, every account with that password).
CommandResult InitDataDirFor(const std::filesystem::path& data, const std::string& database,
                             const std::string& admin_password,
                             const std::string& demo_password = "");

/// The whole content of a file ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& file);

/// Rewrites DATA/mamori.yaml so that no role needs MFA (for tests that are not about it).
void WithoutMfa(const std::filesystem::path& data);

/// A `mamori serve` process on a free port of 127.0.0.1.
class ServerProcess {
  public:
    /// Starts `mamori serve --data DIR --listen 127.0.0.1:0` and waits (up to 30 s) for it to
    /// print the URL it serves on. Fails the current test (returns null) if it does not.
    static std::unique_ptr<ServerProcess> Start(const std::filesystem::path& data_dir);
    ~ServerProcess();

    unsigned short port() const { return port_; }
    pid_t pid() const { return pid_; }
    /// Sends `signal` and waits (up to `timeout_s`) for the exit; returns the exit status,
    /// or -1 if it had to be killed.
    int Stop(int signal, int timeout_s = 30);
    /// What the server wrote to stderr so far (its log).
    std::string Log() const;

  private:
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::filesystem::path out_, err_;
};

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;
};

/// One HTTP/1.1 request to 127.0.0.1:port (Connection: close).
HttpResult Http(unsigned short port, const std::string& method, const std::string& target,
                const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Writes raw bytes to 127.0.0.1:port and returns everything read until the server closes
/// the connection or `timeout_ms` passes.
std::string RawExchange(unsigned short port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace mamori::testing
