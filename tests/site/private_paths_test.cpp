#include "site/private_paths.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

TEST(request_log, scan_ids_are_left_out_without_client_addresses) {
  EXPECT_EQ(without_scan_ids("/scan/AbCdEf123/cancel"), "/scan/*/cancel");
  EXPECT_EQ(without_scan_ids("/api/v1/scans/AbCdEf123/events?after=3"), "/api/v1/scans/*/events");
  EXPECT_EQ(without_scan_ids("/api/v1/scans/AbC"), "/api/v1/scans/*");
  EXPECT_EQ(without_scan_ids("/scan/confirm?kind=common"), "/scan/confirm");
  EXPECT_EQ(without_scan_ids("/port/443"), "/port/443");
  EXPECT_EQ(without_scan_ids("/api/v1/reach/AbCdEf123/confirm"), "/api/v1/reach/*/confirm");
  EXPECT_EQ(without_scan_ids("/api/v1/reach/AbCdEf123"), "/api/v1/reach/*");
  EXPECT_EQ(without_scan_ids("/api/v1/reach"), "/api/v1/reach");
  EXPECT_EQ(without_scan_ids("/reach"), "/reach");
}

}  // namespace
}  // namespace breakwater::site
