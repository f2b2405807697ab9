#include "litepool/error.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace litepool {
namespace {

TEST(ErrorTest, DefaultIsOk) {
  Error e;
  EXPECT_FALSE(e);
  EXPECT_EQ(e.Code(), ErrorCode::kOk);
  EXPECT_TRUE(e.Message().empty());
  EXPECT_EQ(e.Exception(), nullptr);
  EXPECT_EQ(e.ToString(), "Ok");
}

TEST(ErrorTest, MessageConstructorIsFailure) {
  Error e("boom");
  EXPECT_TRUE(e);
  EXPECT_EQ(e.Code(), ErrorCode::kFailed);
  EXPECT_EQ(e.Message(), "boom");
  EXPECT_EQ(e.ToString(), "Failed: boom");
}

TEST(ErrorTest, CodeIsKept) {
  Error e("late", ErrorCode::kTimeout);
  EXPECT_EQ(e.Code(), ErrorCode::kTimeout);
  std::ostringstream out;
  out << e;
  EXPECT_EQ(out.str(), "Timeout: late");
}

TEST(ErrorTest, OkCodeWithMessageIsSuccess) {
  Error e("ignored", ErrorCode::kOk);
  EXPECT_FALSE(e);
  EXPECT_TRUE(e.Message().empty());
}

TEST(ErrorTest, FromExceptionKeepsWhatAndPointer) {
  std::exception_ptr p;
  try {
    throw std::runtime_error("disk full");
  } catch (...) {
    p = std::current_exception();
  }
  Error e = Error::FromException(p);
  EXPECT_EQ(e.Code(), ErrorCode::kException);
  EXPECT_EQ(e.Message(), "disk full");
  EXPECT_THROW(std::rethrow_exception(e.Exception()), std::runtime_error);
}

TEST(ErrorTest, FromExceptionOfNonStdType) {
  Error e = Error::FromException(std::make_exception_ptr(42));
  EXPECT_EQ(e.Code(), ErrorCode::kException);
  EXPECT_EQ(e.Message(), "unknown exception");
}

TEST(ErrorTest, FromNullExceptionIsOk) { EXPECT_FALSE(Error::FromException(nullptr)); }

TEST(ErrorTest, CopiesCompareEqual) {
  Error a("x", ErrorCode::kCancelled);
  Error b = a;
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == Error("x"));
}

TEST(ErrorTest, EveryCodeHasAName) {
  EXPECT_EQ(ToString(ErrorCode::kInvalidArgument), "InvalidArgument");
  EXPECT_EQ(ToString(ErrorCode::kClosed), "Closed");
  EXPECT_EQ(ToString(ErrorCode::kCancelled), "Cancelled");
  EXPECT_EQ(ToString(ErrorCode::kException), "Exception");
  EXPECT_EQ(ToString(ErrorCode::kExpired), "Expired");
}

TEST(ErrorTest, ExpiredIsAppendedAfterInvalidArgument) {
  // Appended, so the values of the first-wave codes stay put.
  EXPECT_EQ(static_cast<int>(ErrorCode::kExpired),
            static_cast<int>(ErrorCode::kInvalidArgument) + 1);
}

}  // namespace
}  // namespace litepool
