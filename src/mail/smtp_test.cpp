// SMTP through libcurl against a small SMTP receiver on 127.0.0.1 (plain text, no TLS): what
// arrives, the Japanese subject and body as sent, STARTTLS required by default, and clear
// failures for bad addresses and an unreachable server.
#include "mail/smtp.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <thread>

#include "core/crypto.h"

namespace mamori::mail {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Accepts one connection and speaks just enough SMTP; keeps what the client sent.
class Receiver {
  public:
    Receiver() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        thread_ = std::thread([this] { Serve(); });
    }
    ~Receiver() {
        if (thread_.joinable()) thread_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string Finish() {
        if (thread_.joinable()) thread_.join();
        return transcript_;
    }

  private:
    void Serve() {
        boost::system::error_code ec;
        tcp::socket s(io_);
        acceptor_.accept(s, ec);
        if (ec) return;
        auto say = [&](const std::string& line) {
            asio::write(s, asio::buffer(line + "\r\n"), ec);
        };
        asio::streambuf buf;
        auto line = [&]() {
            asio::read_until(s, buf, "\r\n", ec);
            if (ec) return std::string();
            std::istream in(&buf);
            std::string l;
            std::getline(in, l);
            if (!l.empty() && l.back() == '\r') l.pop_back();
            return l;
        };
        say("220 test ESMTP");
        for (;;) {
            std::string l = line();
            if (ec) return;
            transcript_ += l + "\n";
            if (l.rfind("EHLO", 0) == 0) {
                say("250-test");
                say("250 8BITMIME");
            } else if (l == "DATA") {
                say("354 go on");
                for (;;) {
                    std::string d = line();
                    if (ec) return;
                    if (d == ".") break;
                    transcript_ += d + "\n";
                }
                say("250 queued");
            } else if (l == "QUIT") {
                say("221 bye");
                return;
            } else {
                say("250 ok");
            }
        }
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::string transcript_;
};

SmtpSettings Plain(unsigned short port) {
    SmtpSettings s;
    s.url = "smtp://127.0.0.1:" + std::to_string(port);
    s.from = "mamori@city.example.jp";
    s.require_tls = false;
    s.timeout_seconds = 5;
    return s;
}

TEST(SmtpTest, SendsOneMessageWithJapaneseTextIntact) {
    Receiver r;
    SmtpSender sender(Plain(r.port()));
    auto sent = sender.Send("kacho@city.example.jp", "[mamori] インシデントの報告 INC-2026-0001",
                            "インシデントの報告がありました。\n番号: INC-2026-0001\n");
    ASSERT_TRUE(sent) << sent.error().message;
    const std::string t = r.Finish();
    EXPECT_NE(t.find("MAIL FROM:<mamori@city.example.jp>"), std::string::npos) << t;
    EXPECT_NE(t.find("RCPT TO:<kacho@city.example.jp>"), std::string::npos) << t;
    EXPECT_NE(t.find("Subject: =?UTF-8?B?" +
                     crypto::Base64("[mamori] インシデントの報告 INC-2026-0001") + "?="),
              std::string::npos)
        << t;
    EXPECT_NE(t.find(crypto::Base64("インシデントの報告がありました。\r\n番号: INC-2026-0001\r\n")
                         .substr(0, 76)),
              std::string::npos)
        << t;
}

TEST(SmtpTest, RefusesToSendWithoutTlsUnlessAllowed) {
    Receiver r;  // offers no STARTTLS
    SmtpSettings s = Plain(r.port());
    s.require_tls = true;
    auto sent = SmtpSender(s).Send("kacho@city.example.jp", "件名", "本文");
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().kind, ErrorKind::kUnavailable);
    EXPECT_EQ(r.Finish().find("RCPT TO"), std::string::npos);
}

TEST(SmtpTest, BadAddressesAndAnUnreachableServerAreClearErrors) {
    SmtpSettings s = Plain(1);  // nothing listens on port 1
    SmtpSender sender(s);
    for (const char* bad : {"", "no-at-sign", "a@b\r\nRCPT TO:<x@y>", "<a@b>", "a@b,c@d"})
        EXPECT_EQ(sender.Send(bad, "s", "b").error().kind, ErrorKind::kInvalidInput) << bad;
    auto down = sender.Send("kacho@city.example.jp", "s", "b");
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().kind, ErrorKind::kUnavailable);
    EXPECT_NE(down.error().message.find("メールを送れませんでした"), std::string::npos);
}

}  // namespace
}  // namespace mamori::mail
