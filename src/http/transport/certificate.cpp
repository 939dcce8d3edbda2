#include "http/transport/certificate.hpp"

#include "http/error.hpp"

#include "common/write_file.hpp"

#include <fmt/format.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <array>
#include <filesystem>
#include <memory>
#include <string_view>

namespace breakwater::http {
namespace {

namespace fs = std::filesystem;

template <typename T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

x509_ptr load_cert(const std::string& file) {
  bio_ptr bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) return nullptr;
  return x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

bool still_valid(const std::string& file) {
  x509_ptr cert = load_cert(file);
  if (!cert) return false;
  // Renew a day early so that a long-running server is not caught out.
  std::time_t tomorrow = std::time(nullptr) + 86400;
  return X509_cmp_time(X509_get0_notAfter(cert.get()), &tomorrow) > 0;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

bool add_names(X509* cert) {
  std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (std::string h = host_name(); !h.empty() && h != "localhost") names += ",DNS:" + h;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, names.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

x509_ptr make_cert(EVP_PKEY* key) {
  x509_ptr cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  // A random 16-byte serial (positive: the top bit clear), as CA/Browser Forum rules ask of
  // public certificates: two certificates made in the same second still differ.
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) return nullptr;
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
      BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr), BN_free);
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return nullptr;
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn = host_name().empty() ? "localhost" : host_name();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("breakwater (self-signed)"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!add_names(cert.get()) || X509_sign(cert.get(), key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

// PEM text made in memory, then written by the one rule for replacing a file
// (common/write_file.hpp): never through a link, with its final mode from the start.
bool write_pem(const fs::path& path, bool secret, auto&& write) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || !write(bio.get())) return false;
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  std::string_view text(data, static_cast<std::size_t>(n));
  return common::write_file_atomically(path, text, secret ? 0600 : 0644).has_value();
}

std::string name_text(const X509_NAME* name) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace

boost::system::result<cert_files> ensure_self_signed(const std::string& state_dir) {
  fs::path dir = fs::path(state_dir) / "tls";
  cert_files files{(dir / "cert.pem").string(), (dir / "key.pem").string(), false};
  std::error_code ec;
  if (fs::exists(files.key, ec) && still_valid(files.cert)) return files;
  bool made_state_dir = !fs::exists(state_dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return errc::state_dir_unusable;
  // Only the service's own user may look inside: the key is there.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (made_state_dir) {
    fs::permissions(state_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return errc::cert_generation_failed;
  x509_ptr cert = make_cert(key.get());
  if (!cert) return errc::cert_generation_failed;
  bool ok = write_pem(files.key, true, [&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  ok = ok &&
       write_pem(files.cert, false, [&](BIO* b) { return PEM_write_bio_X509(b, cert.get()) == 1; });
  if (!ok) return errc::state_dir_unusable;
  files.created = true;
  return files;
}

// A key every user may read is exposed; so is one its group may read when this process is
// not in that group (the group is then someone else's). A key of group ssl-cert, mode 0640,
// read by a service that joins ssl-cert, is the recommended set-up, not a leak.
bool readable_by_others(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;
  if ((st.st_mode & S_IROTH) != 0) return true;
  if ((st.st_mode & S_IRGRP) == 0 || st.st_gid == ::getegid()) return false;
  std::vector<gid_t> groups(static_cast<std::size_t>(std::max(0, ::getgroups(0, nullptr))));
  int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
  groups.resize(static_cast<std::size_t>(std::max(0, n)));
  return std::find(groups.begin(), groups.end(), st.st_gid) == groups.end();
}

boost::system::result<cert_info> read_cert_info(const std::string& cert_pem_file) {
  x509_ptr cert = load_cert(cert_pem_file);
  if (!cert) return errc::cert_unreadable;
  cert_info info;
  info.subject = name_text(X509_get_subject_name(cert.get()));
  info.issuer = name_text(X509_get_issuer_name(cert.get()));
  info.not_before = time_text(X509_get0_notBefore(cert.get()));
  info.not_after = time_text(X509_get0_notAfter(cert.get()));
  // From now (null) to not_after: whole days, then the seconds left over (same sign).
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert.get())) == 1) {
    info.days_left = days < 0 || seconds < 0 ? std::min(days, -1) : days;
  }
  info.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert.get(), EVP_sha256(), md, &len);
  for (unsigned i = 0; i < len; ++i) {
    info.sha256 += fmt::format("{}{:02X}", i == 0 ? "" : ":", md[i]);
  }
  return info;
}

}  // namespace breakwater::http
