#!/bin/sh
# Fails unless the library's dynamic symbol table defines exactly one symbol besides its
# version node: cf_salesforce_plugin_entry.  usage: check_exports.sh LIB
set -eu
lib=$1
symbols=$(nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u)
echo "defined dynamic symbols of $lib:"
echo "$symbols"
if [ "$symbols" != "cf_salesforce_plugin_entry" ]; then
  echo "FAIL: expected only cf_salesforce_plugin_entry" >&2
  exit 1
fi
# No Boost, cpprestsdk, OpenSSL or nlohmann names leak, even as weak symbols.
if nm -D --defined-only "$lib" | grep -Ei 'boost|pplx|web::|nlohmann|SSL_|EVP_' >/dev/null; then
  echo "FAIL: a dependency's symbol is exported" >&2
  exit 1
fi
echo "ok"
