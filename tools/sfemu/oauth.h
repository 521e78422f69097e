// The emulator's OAuth 2.0 endpoints and identity URL, in Salesforce's wire format.
//
//   POST /services/oauth2/token       grant_type password | refresh_token | authorization_code
//   GET|POST /services/oauth2/authorize  test-only authorize step (see docs/emulator.md):
//        response_type=code, client_id, redirect_uri, [state], username, password
//        -> 302 Location: {redirect_uri}?code=...[&state=...]
//   GET  /id/{orgId}/{userId}         identity of the token's user
//
// Token success: {"access_token","instance_url","id","token_type":"Bearer","issued_at",
// "signature"} plus "refresh_token" for authorization_code (and for refresh_token when the
// org rotates refresh tokens; the old one is then revoked). Errors: 400
// {"error","error_description"}, per the table in the emulator spec.
//
// Thread safety: the functions are thread-safe (Org is).
#ifndef CF_TOOLS_SFEMU_OAUTH_H_
#define CF_TOOLS_SFEMU_OAUTH_H_

#include <string>
#include <string_view>

#include "tools/sfemu/http_types.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

struct OAuthContext {
  std::string instance_url;  // "https://127.0.0.1:8443"
  std::string org_id;        // 18-character "00D..." Id
};

HttpResponse HandleOAuthToken(Org& org, const HttpRequest& req, const OAuthContext& ctx);
HttpResponse HandleOAuthAuthorize(Org& org, const HttpRequest& req, const OAuthContext& ctx);
// `org_id` and `user_id` from the path /id/{orgId}/{userId}.
HttpResponse HandleIdentity(Org& org, const HttpRequest& req, const OAuthContext& ctx,
                            const std::string& org_id, const std::string& user_id);

// instance_url + "/id/" + org_id + "/" + user_id
std::string IdentityUrl(const OAuthContext& ctx, std::string_view user_id);
// base64(HMAC-SHA256(key = client_secret, data = id_url + issued_at)), as Salesforce signs.
std::string OAuthSignature(std::string_view client_secret, std::string_view id_url,
                           std::string_view issued_at);

// The access token of an "Authorization: Bearer <token>" (or "OAuth <token>") header value;
// empty if the header is absent or not of that form.
std::string BearerToken(std::string_view authorization);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_OAUTH_H_
