// SimTime / SimDuration arithmetic, and Go-style duration parsing and printing.
// The parse vectors follow Go's own table (src/time/time_test.go,
// parseDurationTests), restricted to our 1 µs resolution.
#include "kubesim/engine/time.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>
#include <string_view>

namespace kubesim {
namespace {

constexpr SimDuration Us(int64_t n) { return SimDuration::Micros(n); }

TEST(SimDuration, FactoriesAgreeOnUnits) {
  EXPECT_EQ(SimDuration::Millis(1), Us(1'000));
  EXPECT_EQ(SimDuration::Seconds(1), SimDuration::Millis(1'000));
  EXPECT_EQ(SimDuration::Minutes(1), SimDuration::Seconds(60));
  EXPECT_EQ(SimDuration::Hours(1), SimDuration::Minutes(60));
  EXPECT_EQ(SimDuration(), SimDuration::Zero());
  EXPECT_DOUBLE_EQ(SimDuration::Millis(1'500).seconds(), 1.5);
}

TEST(SimDuration, ArithmeticIsExact) {
  EXPECT_EQ(SimDuration::Seconds(3) - SimDuration::Millis(250), Us(2'750'000));
  EXPECT_EQ(SimDuration::Millis(250) * 4, SimDuration::Seconds(1));
  EXPECT_EQ(SimDuration::Seconds(1) / 3, Us(333'333));
  EXPECT_EQ(-SimDuration::Seconds(2), SimDuration::Seconds(-2));
  SimDuration d = SimDuration::Seconds(1);
  d += SimDuration::Millis(5);
  d -= SimDuration::Millis(10);
  EXPECT_EQ(d, Us(995'000));
  EXPECT_LT(SimDuration::Millis(999), SimDuration::Seconds(1));
}

TEST(SimDuration, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(SimDuration::Max() + SimDuration::Seconds(1), SimDuration::Max());
  EXPECT_EQ(SimDuration::Min() - SimDuration::Seconds(1), SimDuration::Min());
  EXPECT_EQ(SimDuration::Hours(INT64_MAX / 1000), SimDuration::Max());
  EXPECT_EQ(SimDuration::Seconds(-INT64_MAX), SimDuration::Min());
  EXPECT_EQ(SimDuration::Max() * 2, SimDuration::Max());
  EXPECT_EQ(SimDuration::Max() * -2, SimDuration::Min());
  EXPECT_EQ(-SimDuration::Min(), SimDuration::Max());
  EXPECT_EQ(SimDuration::Min() / -1, SimDuration::Max());
}

TEST(SimTime, PointsAndSpans) {
  const SimTime t0 = SimTime::Zero();
  const SimTime t1 = t0 + SimDuration::Seconds(60);
  EXPECT_EQ(t1 - t0, SimDuration::Seconds(60));
  EXPECT_EQ(t0 - t1, SimDuration::Seconds(-60));
  EXPECT_EQ(t1 - SimDuration::Seconds(10), SimTime::FromMicros(50'000'000));
  EXPECT_EQ(t1.SinceStart(), SimDuration::Minutes(1));
  EXPECT_GT(t1, t0);
  EXPECT_EQ(SimTime::Max() + SimDuration::Seconds(1), SimTime::Max());
  EXPECT_DOUBLE_EQ(SimTime::FromMicros(12'500'000).seconds(), 12.5);
}

struct ParseCase {
  const char* text;
  int64_t micros;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseDurationValid : public ::testing::TestWithParam<ParseCase> {};

// A readable test name from a case's text: its index and its letters and
// digits ("7_5_6s" for "5.6s"), never the bytes of the parameter struct.
std::string CaseName(size_t index, std::string_view text) {
  std::string name = std::to_string(index) + "_";
  for (const char c : text) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

TEST_P(ParseDurationValid, ParsesExactly) {
  const auto parsed = ParseDuration(GetParam().text);
  ASSERT_TRUE(parsed.ok()) << GetParam().text << ": " << parsed.error();
  EXPECT_EQ(parsed->micros(), GetParam().micros) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    GoParseDurationTests, ParseDurationValid,
    ::testing::Values(
        // simple
        ParseCase{"0", 0}, ParseCase{"5s", 5'000'000}, ParseCase{"30s", 30'000'000},
        ParseCase{"1478s", 1'478'000'000},
        // sign
        ParseCase{"-5s", -5'000'000}, ParseCase{"+5s", 5'000'000}, ParseCase{"-0", 0},
        ParseCase{"+0", 0},
        // decimal
        ParseCase{"5.0s", 5'000'000}, ParseCase{"5.6s", 5'600'000}, ParseCase{"5.s", 5'000'000},
        ParseCase{".5s", 500'000}, ParseCase{"1.0s", 1'000'000}, ParseCase{"1.00s", 1'000'000},
        ParseCase{"1.004s", 1'004'000}, ParseCase{"1.0040s", 1'004'000},
        ParseCase{"100.00100s", 100'001'000},
        // units
        ParseCase{"11us", 11}, ParseCase{"12\xC2\xB5s", 12}, ParseCase{"12\xCE\xBCs", 12},
        ParseCase{"13ms", 13'000}, ParseCase{"14s", 14'000'000}, ParseCase{"15m", 900'000'000},
        ParseCase{"16h", 57'600'000'000}, ParseCase{"1000ns", 1},
        // composite
        ParseCase{"3h30m", 12'600'000'000}, ParseCase{"10.5s4m", 250'500'000},
        ParseCase{"-2m3.4s", -123'400'000}, ParseCase{"1h2m3s4ms5us", 3'723'004'005},
        ParseCase{"39h9m14.425s", 140'954'425'000}, ParseCase{"52763797000ns", 52'763'797},
        ParseCase{"1m30s", 90'000'000}, ParseCase{"250ms", 250'000},
        // bare numbers of seconds (docs/scenario-format.md)
        ParseCase{"5", 5'000'000}, ParseCase{"1.5", 1'500'000}, ParseCase{"0.25", 250'000},
        ParseCase{"-3", -3'000'000}, ParseCase{"0.000001", 1},
        // large but in range
        ParseCase{"2562047h", 9'223'369'200'000'000}, ParseCase{"2562047788h", 9'223'372'036'800'000'000}),
    [](const auto& info) { return CaseName(info.index, info.param.text); });

class ParseDurationInvalid : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseDurationInvalid, IsAnErrorThatNamesTheText) {
  const auto parsed = ParseDuration(GetParam());
  ASSERT_FALSE(parsed.ok()) << GetParam() << " parsed as " << parsed->micros();
  EXPECT_NE(parsed.error().find("invalid duration"), std::string::npos) << parsed.error();
}

INSTANTIATE_TEST_SUITE_P(
    BadStrings, ParseDurationInvalid,
    ::testing::Values("", "-", "+", "s", ".", "-.", ".s", "+.s", "1d", "5x", "1m30",
                      "1.5.s", "3 s", " 3s", "3s ", "1e3s", "0x10s", "1ns", "1.0000001s",
                      "0.3333333333333333333h", "1h2m3s4ms5us6ns", "1000000000000h",
                      "9223372036854775808us", "99999999999999999999999999s", "abc", "s5",
                      "--5s", "5s-", "1,5s", "\xC2\xB5s", "5m\xC2", "inf", "NaN"),
    [](const auto& info) { return CaseName(info.index, info.param); });

TEST(ParseDuration, ErrorSaysWhatIsWrong) {
  EXPECT_NE(ParseDuration("5x").error().find("unknown unit \"x\""), std::string::npos);
  EXPECT_NE(ParseDuration("1m30").error().find("missing unit"), std::string::npos);
  EXPECT_NE(ParseDuration("1ns").error().find("resolution"), std::string::npos);
  EXPECT_NE(ParseDuration("1000000000000h").error().find("out of range"), std::string::npos);
  EXPECT_NE(ParseDuration("").error().find("empty"), std::string::npos);
}

struct FormatCase {
  int64_t micros;
  const char* text;
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.micros << "us"; }

class FormatDurationTest : public ::testing::TestWithParam<FormatCase> {};

// Go's durationTests (src/time/time_test.go) where they are whole microseconds.
TEST_P(FormatDurationTest, PrintsLikeGo) {
  EXPECT_EQ(FormatDuration(Us(GetParam().micros)), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    GoDurationString, FormatDurationTest,
    ::testing::Values(FormatCase{0, "0s"}, FormatCase{1, "1\xC2\xB5s"},
                      FormatCase{1'100, "1.1ms"}, FormatCase{2'200'000, "2.2s"},
                      FormatCase{3'300'000'000, "55m0s"},
                      FormatCase{250'000, "250ms"}, FormatCase{90'000'000, "1m30s"},
                      FormatCase{-2'500'000, "-2.5s"}, FormatCase{3'600'000'000, "1h0m0s"},
                      FormatCase{4'810'500'000, "1h20m10.5s"},
                      FormatCase{5'000'001, "5.000001s"}, FormatCase{999'999, "999.999ms"},
                      FormatCase{INT64_MAX, "2562047788h0m54.775807s"},
                      FormatCase{INT64_MIN, "-2562047788h0m54.775808s"}),
    [](const auto& info) { return CaseName(info.index, info.param.text); });

TEST(FormatDuration, RoundTripsThroughParse) {
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1'000}, int64_t{1'234'567},
                     int64_t{59'999'999}, int64_t{60'000'000}, int64_t{3'599'999'999},
                     int64_t{-7'200'000'001}, INT64_MAX, INT64_MIN + 1}) {
    const std::string text = FormatDuration(Us(us));
    const auto back = ParseDuration(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.error();
    EXPECT_EQ(back->micros(), us) << text;
  }
}

TEST(FormatSeconds, FixedDecimalsRoundHalfAway) {
  EXPECT_EQ(FormatSeconds(SimTime::FromMicros(12'500'000), 3), "12.500");
  EXPECT_EQ(FormatSeconds(SimTime::Zero(), 3), "0.000");
  EXPECT_EQ(FormatSeconds(Us(1'999'500), 3), "2.000");
  EXPECT_EQ(FormatSeconds(Us(1'999'499), 3), "1.999");
  EXPECT_EQ(FormatSeconds(Us(-1'500'000), 1), "-1.5");
  EXPECT_EQ(FormatSeconds(Us(1'500'000), 0), "2");
  EXPECT_EQ(FormatSeconds(Us(123), 6), "0.000123");
}

}  // namespace
}  // namespace kubesim
