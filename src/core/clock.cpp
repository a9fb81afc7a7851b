#include "core/clock.h"

#include <cstdio>
#include <ctime>
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

}  // namespace mamori
