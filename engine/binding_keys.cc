#include "engine/binding_keys.h"

#include "engine/schema.h"

namespace cf::engine {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  while (!email.empty() && IsSpace(email.front())) email.remove_prefix(1);
  while (!email.empty() && IsSpace(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string NormalizePhone(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (!digits.empty() &&
               ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ',' || c == ';')) {
      break;  // an extension
    }
  }
  if (digits.size() >= 2 && digits[0] == '0' && digits[1] == '0') digits.erase(0, 2);
  if (digits.size() < 5) return std::string();
  if (digits.size() > 10) digits.erase(0, digits.size() - 10);
  return digits;
}

bool IsFaxField(std::string_view field_name) { return EqualsIgnoreCase(field_name, "Fax"); }

}  // namespace cf::engine
