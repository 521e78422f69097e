// Test certificates made with OpenSSL's C API: a throwaway CA and a server certificate it
// signs for 127.0.0.1, ::1 and localhost (subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost),
// so that tests and the demo run TLS with verification on and trust only that CA.
//
// Thread safety: thread-safe (no shared state).
#ifndef CF_TOOLS_SFEMU_TEST_CERTS_H_
#define CF_TOOLS_SFEMU_TEST_CERTS_H_

#include <string>

namespace cf::sfemu {

struct TestCertificates {
  std::string ca_cert;      // PEM: the CA certificate (give it to the client)
  std::string server_cert;  // PEM: the server certificate (give it to --tls-cert)
  std::string server_key;   // PEM: the server's private key (give it to --tls-key)
};

// Writes ca.pem, server.pem and server-key.pem into `dir` (created if missing), with
// ECDSA P-256 keys, SHA-256 signatures and a validity of `days` from one hour ago. Returns false
// with a message on failure.
bool MakeTestCertificates(const std::string& dir, TestCertificates* out, std::string* error,
                          int days = 30);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_TEST_CERTS_H_
