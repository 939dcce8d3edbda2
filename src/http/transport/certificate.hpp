// The server's certificate: a self-signed one made on first start, and what pages show of it.
#pragma once

#include "http/http_types.hpp"

#include <boost/system/result.hpp>

#include <string>

namespace breakwater::http {

struct cert_files {
  std::string cert;  // PEM
  std::string key;   // PEM
  bool created = false;
};

// Returns state_dir/tls/{cert,key}.pem, creating them when missing or expired: an ECDSA
// P-256 key and a certificate valid for a year, naming localhost, this host's name,
// 127.0.0.1 and ::1. The key file is readable by its owner only.
boost::system::result<cert_files> ensure_self_signed(const std::string& state_dir);

// Subject, issuer, validity and SHA-256 fingerprint of the first certificate in a PEM file.
// Whether users other than this process's may read `file`: every user, or a group this
// process is not in (a private key should be 0600, or 0640 to a group the service joins such
// as ssl-cert: the caller warns).
bool readable_by_others(const std::string& file);

boost::system::result<cert_info> read_cert_info(const std::string& cert_pem_file);

}  // namespace breakwater::http
