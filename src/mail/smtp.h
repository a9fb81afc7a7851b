#pragma once

#include <string>

#include "core/error.h"

namespace mamori::mail {

// Outgoing mail by SMTP through libcurl (issue 9: incident notifications). One message per
// call, plain text in UTF-8; the caller sends after its transaction has committed.

struct SmtpSettings {
    std::string url;          ///< smtp://host:587 (STARTTLS) or smtps://host:465; empty: no mail
    std::string from;         ///< the sender address
    std::string username;     ///< empty: no authentication
    std::string password;     ///< read from the configured password file; never logged
    bool require_tls = true;  ///< smtp://: refuse to send unless STARTTLS succeeds
    int timeout_seconds = 10;
    std::string ca_file;  ///< PEM bundle to trust instead of the system's (tests, private CAs)
};

/// The whole message as sent: headers (Subject RFC 2047-encoded) and a base64 body.
std::string ComposeMessage(const SmtpSettings& s, const std::string& to, const std::string& subject,
                           const std::string& body, const std::string& date_rfc5322,
                           const std::string& message_id);

class SmtpSender {
  public:
    explicit SmtpSender(SmtpSettings settings);
    /// Sends one message to `to`. Errors: kInvalidInput for an address with line breaks or
    /// angle brackets; kUnavailable when the server cannot be reached or refuses (the
    /// message says why, without the password).
    [[nodiscard]] Result<void> Send(const std::string& to, const std::string& subject,
                                    const std::string& body) const;

  private:
    SmtpSettings s_;
};

}  // namespace mamori::mail
