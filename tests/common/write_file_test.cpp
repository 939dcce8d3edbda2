#include "common/write_file.hpp"
#include "common/read_file.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace breakwater::common {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed after it.
class write_file : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (fs::temp_directory_path() / "bw-write-file-XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  fs::path dir_;
};

TEST_F(write_file, writes_a_new_file_and_leaves_nothing_beside_it) {
  fs::path file = dir_ / "a.json";
  ASSERT_TRUE(write_file_atomically(file, "{}\n"));
  EXPECT_EQ(read_file(file).value(), "{}\n");
  EXPECT_EQ(entries(), 1u);
}

// A reader that opened the old file still reads it whole: the new one is another file
// renamed over it, not the old one cut short and written again.
TEST_F(write_file, replaces_the_file_without_touching_the_old_content) {
  fs::path file = dir_ / "a.json";
  ASSERT_TRUE(write_file_atomically(file, "old content"));
  int old = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(old, 0);
  ASSERT_TRUE(write_file_atomically(file, "new"));
  EXPECT_EQ(read_file(file).value(), "new");
  EXPECT_EQ(read_file(fs::path("/proc/self/fd") / std::to_string(old)).value(), "old content");
  ::close(old);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(write_file, gives_the_file_its_mode_from_the_start) {
  fs::path file = dir_ / "key.pem";
  ASSERT_TRUE(write_file_atomically(file, "secret", 0600));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(write_file, a_missing_directory_is_the_systems_error_and_writes_nothing) {
  auto done = write_file_atomically(dir_ / "no" / "a.json", "x");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().value(), ENOENT);
  EXPECT_EQ(entries(), 0u);
}

// Someone else's link at the temporary name is replaced, never written through.
TEST_F(write_file, never_writes_through_a_link_at_the_temporary_name) {
  fs::path file = dir_ / "a.json", elsewhere = dir_ / "elsewhere";
  ASSERT_TRUE(write_file_atomically(elsewhere, "untouched"));
  fs::path tmp = file;
  tmp += ".tmp." + std::to_string(::getpid());
  fs::create_symlink(elsewhere, tmp);
  ASSERT_TRUE(write_file_atomically(file, "mine"));
  EXPECT_EQ(read_file(file).value(), "mine");
  EXPECT_EQ(read_file(elsewhere).value(), "untouched");
  EXPECT_EQ(entries(), 2u);
}

}  // namespace
}  // namespace breakwater::common
