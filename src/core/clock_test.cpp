#include "core/clock.h"

#include <gtest/gtest.h>

namespace mamori {
namespace {

TEST(ClockTest, FormatsUtc) {
    FixedClock c(std::chrono::system_clock::from_time_t(1795744800));  // 2026-11-27T02:00:00Z
    EXPECT_EQ(FormatRfc3339(c.Now()), "2026-11-27T02:00:00Z");
    c.Advance(std::chrono::seconds(61));
    EXPECT_EQ(FormatRfc3339(c.Now()), "2026-11-27T02:01:01Z");
}

TEST(ClockTest, ParsesTimestampsWithTheirOffset) {
    auto jst = ParseTimestamp("2026-05-01T08:30+09:00");
    ASSERT_TRUE(jst);
    EXPECT_EQ(FormatRfc3339(*jst), "2026-04-30T23:30:00Z");
    auto utc = ParseTimestamp("2026-12-31T23:59:59.123Z");
    ASSERT_TRUE(utc);
    EXPECT_EQ(FormatRfc3339(*utc), "2026-12-31T23:59:59Z");
    EXPECT_EQ(FormatRfc3339(*ParseTimestamp("2026-01-01T00:00:00-05:00")), "2026-01-01T05:00:00Z");
    for (const char* bad :
         {"2026-05-01", "2026-05-01T08:30", "2026-02-30T00:00Z", "2026-05-01T24:00Z",
          "2026-05-01T08:30+9:00", "now", "", "2999-01-01T00:00:00+09:00", "0001-01-01T00:00Z"})
        EXPECT_FALSE(ParseTimestamp(bad)) << bad;
}

}  // namespace
}  // namespace mamori
