// The SQL Server browser: CLNT_BCAST_EX and SVR_RESP answers built from [MC-SQLR] 2.2.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

std::string svr_resp(std::string_view data, std::size_t size) {
  return bytes({0x05, static_cast<int>(size & 0xff), static_cast<int>(size >> 8)}) +
         std::string(data);
}
std::string svr_resp(std::string_view data) { return svr_resp(data, data.size()); }

constexpr std::string_view two_instances =
    "ServerName;DB1;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;tcp;1433;"
    "np;\\\\DB1\\pipe\\sql\\query;;"
    "ServerName;DB1;InstanceName;SQLEXPRESS;IsClustered;No;Version;14.0.1000.169;tcp;49723;;";

TEST(udp_mssql, request_is_clnt_bcast_ex) {
  EXPECT_EQ(mssql_requests(), std::vector<std::string>{"\x02"});
}

TEST(udp_mssql, lists_instances) {
  auto r = read_one(mssql_read, svr_resp(two_instances));
  EXPECT_EQ(r.finding, "mssql-browser");
  EXPECT_EQ(r.summary,
            "a SQL Server browser on DB1: MSSQLSERVER 15.0.2000.5 (tcp 1433), SQLEXPRESS "
            "14.0.1000.169 (tcp 49723)");
}

TEST(udp_mssql, cuts_a_long_list) {
  std::string data;
  for (int i = 0; i < 6; ++i) {
    data += "ServerName;H;InstanceName;I" + std::to_string(i) + ";IsClustered;No;Version;1;;";
  }
  auto r = read_one(mssql_read, svr_resp(data));
  EXPECT_EQ(r.summary, "a SQL Server browser on H: I0 1, I1 1, I2 1, I3 1 and 2 more");
}

TEST(udp_mssql, resp_size_bounds_the_data) {
  // A size past the end reads what arrived; a shorter one cuts the list.
  EXPECT_EQ(read_one(mssql_read, svr_resp(two_instances, 2000)).finding, "mssql-browser");
  auto first_only = read_one(mssql_read, svr_resp(two_instances, 40));
  EXPECT_EQ(first_only.summary, "a SQL Server browser on DB1: MSSQLSERVER");
}

TEST(udp_mssql, what_is_not_the_browser) {
  EXPECT_EQ(read_one(mssql_read, "\x05"sv).summary,
            "an answer that is not SQL Server browser (1 bytes)");
  EXPECT_EQ(read_one(mssql_read, svr_resp("hello;;")).finding, "");
  EXPECT_EQ(read_one(mssql_read, "\x04" + std::string(two_instances)).finding, "");
}

TEST(udp_mssql, survives_truncation_and_garbage) {
  survives_prefixes_and_garbage(mssql_read, svr_resp(two_instances));
}

}  // namespace
}  // namespace breakwater::probe::udp::test
