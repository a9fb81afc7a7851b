#include "mail/smtp.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <mutex>

#include "core/crypto.h"
#include "core/service_support.h"

namespace mamori::mail {

namespace {

// An address fit for the envelope and the headers: no line breaks, no brackets.
bool PlainAddress(const std::string& a) {
    if (a.empty() || a.size() > 254 || a.find('@') == std::string::npos) return false;
    for (unsigned char c : a)
        if (c < 0x21 || c == '<' || c == '>' || c == ',' || c == ';' || c == 0x7f) return false;
    return true;
}

// The base64 body in lines of 76 characters (RFC 2045).
std::string Wrapped(const std::string& b64) {
    std::string out;
    for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
    return out;
}

struct Upload {
    const std::string* text;
    std::size_t at = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t n, void* user) {
    auto* u = static_cast<Upload*>(user);
    const std::size_t left = u->text->size() - u->at;
    const std::size_t take = std::min(left, size * n);
    std::memcpy(buffer, u->text->data() + u->at, take);
    u->at += take;
    return take;
}

void GlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string ComposeMessage(const SmtpSettings& s, const std::string& to, const std::string& subject,
                           const std::string& body, const std::string& date_rfc5322,
                           const std::string& message_id) {
    std::string text;
    for (char c : body) {  // CRLF line ends
        if (c == '\r') continue;
        if (c == '\n') text += '\r';
        text += c;
    }
    std::string one_line = subject;
    for (char& c : one_line)
        if (c == '\r' || c == '\n') c = ' ';
    return fmt::format(
        "Date: {}\r\nFrom: <{}>\r\nTo: <{}>\r\nMessage-ID: <{}>\r\nSubject: =?UTF-8?B?{}?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n{}",
        date_rfc5322, s.from, to, message_id, crypto::Base64(one_line),
        Wrapped(crypto::Base64(text)));
}

SmtpSender::SmtpSender(SmtpSettings settings) : s_(std::move(settings)) { GlobalInit(); }

Result<void> SmtpSender::Send(const std::string& to, const std::string& subject,
                              const std::string& body) const {
    if (!PlainAddress(to))
        return Fail(
            Error::Invalid("invalid_field", "メールアドレスの形式が正しくありません", "to"));
    if (!PlainAddress(s_.from))
        return Fail(
            Error::Invalid("invalid_field", "送信元アドレスの形式が正しくありません", "mail.from"));
    char date[64];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const std::string domain = s_.from.substr(s_.from.find('@') + 1);
    const std::string message =
        ComposeMessage(s_, to, subject, body, date, service::NewId() + "@" + domain);

    CURL* curl = curl_easy_init();
    if (!curl) return Fail(Error::Unavailable("メールを送る準備ができませんでした"));
    const std::string from = "<" + s_.from + ">", rcpt = "<" + to + ">";
    curl_slist* recipients = curl_slist_append(nullptr, rcpt.c_str());
    Upload upload{&message};
    char problem[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, s_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(s_.timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, problem);
    if (s_.require_tls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!s_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, s_.ca_file.c_str());
    if (!s_.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, s_.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, s_.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK)
        return Fail(Error::Unavailable(fmt::format("メールを送れませんでした: {}",
                                                   problem[0] ? problem : curl_easy_strerror(rc))));
    return {};
}

}  // namespace mamori::mail
