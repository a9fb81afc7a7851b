#include "core/clock.h"

#include <cstdio>
#include <ctime>
#include <regex>
#include <string>

namespace mamori {

std::string FormatRfc3339(Clock::TimePoint t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf, n);
}

namespace {

std::chrono::sys_days DayOf(std::string_view d) {
    using namespace std::chrono;
    auto num = [&](std::size_t at, std::size_t n) {
        return std::stoi(std::string(d.substr(at, n)));
    };
    return sys_days{year_month_day{year(num(0, 4)), month(static_cast<unsigned>(num(5, 2))),
                                   day(static_cast<unsigned>(num(8, 2)))}};
}

}  // namespace

std::string AddDays(std::string_view date, int days) {
    const std::chrono::year_month_day ymd(DayOf(date) + std::chrono::days(days));
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return out;
}

int DaysBetween(std::string_view a, std::string_view b) {
    return static_cast<int>((DayOf(b) - DayOf(a)).count());
}

std::optional<Clock::TimePoint> ParseTimestamp(std::string_view text) {
    static const std::regex kForm(
        R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))");
    std::match_results<std::string_view::const_iterator> m;
    if (text.size() > 40 || !std::regex_match(text.begin(), text.end(), m, kForm))
        return std::nullopt;
    using namespace std::chrono;
    auto num = [&](int i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
    const year_month_day ymd{year(num(1)), month(static_cast<unsigned>(num(2))),
                             day(static_cast<unsigned>(num(3)))};
    // Years a clock can hold (nanoseconds since 1970 overflow past 2262).
    if (num(1) < 1900 || num(1) > 2200) return std::nullopt;
    if (!ymd.ok() || num(4) > 23 || num(5) > 59 || num(6) > 59) return std::nullopt;
    auto t = sys_days(ymd) + hours(num(4)) + minutes(num(5)) + seconds(num(6));
    const std::string zone = m[7].str();
    if (zone != "Z") {
        const int h = std::stoi(zone.substr(1, 2)), mi = std::stoi(zone.substr(4, 2));
        if (h > 23 || mi > 59) return std::nullopt;
        const auto offset = hours(h) + minutes(mi);
        t = zone[0] == '+' ? t - offset : t + offset;
    }
    return Clock::TimePoint(t);
}

}  // namespace mamori
