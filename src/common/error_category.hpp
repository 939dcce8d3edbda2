// An error category for a module's error enum, from a function that describes each value:
// every module (db, probe, http) has one without repeating the category boilerplate.
#pragma once

#include <boost/system/error_category.hpp>

#include <string>
#include <string_view>

namespace breakwater::common {

// Boost gives error_category a protected non-virtual destructor by design; categories are
// static singletons that are never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
template <typename Enum>
class enum_category final : public boost::system::error_category {
 public:
  using describe_fn = std::string_view (*)(Enum) noexcept;

  constexpr enum_category(const char* name, describe_fn describe) noexcept
      : name_(name), describe_(describe) {}

  const char* name() const noexcept override { return name_; }
  std::string message(int value) const override {
    return std::string(describe_(static_cast<Enum>(value)));
  }

 private:
  const char* name_;
  describe_fn describe_;
};
#pragma GCC diagnostic pop

}  // namespace breakwater::common
