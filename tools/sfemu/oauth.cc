#include "tools/sfemu/oauth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/record_json.h"
#include "tools/sfemu/api.h"
#include "tools/sfemu/http_server.h"

namespace cf::sfemu {

namespace {

using Params = std::map<std::string, std::string>;

HttpResponse OAuthJson(int status, const nlohmann::ordered_json& body) {
  HttpResponse r = HttpResponse::Json(status, body.dump());
  // Token answers must not be cached, as Salesforce says.
  r.headers.emplace_back("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

HttpResponse OAuthError(std::string_view error, std::string_view description) {
  nlohmann::ordered_json body;
  body["error"] = error;
  body["error_description"] = description;
  return OAuthJson(400, body);
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Query parameters, then form-encoded body parameters (the body wins).
Params RequestParams(const HttpRequest& req) {
  Params params = req.query;
  std::string type = req.Header("content-type");
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!req.body.empty() && (type.empty() || type.find("application/x-www-form-urlencoded") != std::string::npos)) {
    for (auto& [name, value] : ParseFormEncoded(req.body)) params[name] = value;
  }
  return params;
}

std::string Param(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

// The token answer Salesforce sends, keys in its order.
HttpResponse TokenSuccess(Org& org, const OAuthContext& ctx, const OrgUser& user,
                          const std::string& refresh_token) {
  std::string id = IdentityUrl(ctx, user.id);
  std::string issued_at = std::to_string(org.Now());
  nlohmann::ordered_json body;
  body["access_token"] = org.IssueAccessToken(user.id);
  if (!refresh_token.empty()) body["refresh_token"] = refresh_token;
  body["signature"] = OAuthSignature(org.connected_app().client_secret, id, issued_at);
  body["instance_url"] = ctx.instance_url;
  body["id"] = id;
  body["token_type"] = "Bearer";
  body["issued_at"] = issued_at;
  return OAuthJson(200, body);
}

bool SameId(std::string_view a, std::string_view b) {
  // 15-character Ids are case-sensitive; the 18-character suffix only repeats the case.
  if (a.size() < 15 || b.size() < 15) return false;
  return a.substr(0, 15) == b.substr(0, 15);
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string IdentityUrl(const OAuthContext& ctx, std::string_view user_id) {
  return ctx.instance_url + "/id/" + ctx.org_id + "/" + std::string(user_id);
}

std::string OAuthSignature(std::string_view client_secret, std::string_view id_url,
                           std::string_view issued_at) {
  std::string data = std::string(id_url) + std::string(issued_at);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), client_secret.data(), static_cast<int>(client_secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size);
  return Base64(mac, mac_size);
}

std::string BearerToken(std::string_view authorization) {
  auto starts_with_ci = [&](std::string_view prefix) {
    if (authorization.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(authorization[i])) != prefix[i]) return false;
    }
    return true;
  };
  std::string_view rest;
  if (starts_with_ci("bearer ")) {
    rest = authorization.substr(7);
  } else if (starts_with_ci("oauth ")) {
    rest = authorization.substr(6);
  } else {
    return {};
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of(" \t") != std::string_view::npos) return {};
  return std::string(rest);
}

HttpResponse HandleOAuthToken(Org& org, const HttpRequest& req, const OAuthContext& ctx) {
  if (req.method != "POST") return OAuthError("invalid_request", "must use HTTP POST");
  Params params = RequestParams(req);
  const std::string grant = Param(params, "grant_type");
  if (grant != "password" && grant != "refresh_token" && grant != "authorization_code") {
    return OAuthError("unsupported_grant_type", "grant type not supported");
  }
  const ConnectedApp& app = org.connected_app();
  const std::string client_id = Param(params, "client_id");
  if (client_id.empty() || client_id != app.client_id) {
    return OAuthError("invalid_client_id", "client identifier invalid");
  }
  const std::string secret = Param(params, "client_secret");
  bool secret_given = params.count("client_secret") > 0;

  if (grant == "password") {
    if (secret != app.client_secret) return OAuthError("invalid_client", "invalid client credentials");
    const OrgUser* user = org.FindUser(Param(params, "username"));
    if (user == nullptr || user->password != Param(params, "password")) {
      return OAuthError("invalid_grant", "authentication failure");
    }
    return TokenSuccess(org, ctx, *user, "");
  }

  if (grant == "refresh_token") {
    // The secret is optional here (public clients), but must be right when given.
    if (secret_given && secret != app.client_secret) {
      return OAuthError("invalid_client", "invalid client credentials");
    }
    const std::string refresh = Param(params, "refresh_token");
    std::optional<TokenInfo> info = org.CheckRefreshToken(refresh);
    const OrgUser* user = info ? org.FindUserById(info->user_id) : nullptr;
    if (!info || user == nullptr) return OAuthError("invalid_grant", "expired access/refresh token");
    bool rotate = false;
    {
      Org::OrgLock lock = org.Lock();
      rotate = org.limits().rotate_refresh_tokens;
    }
    std::string new_refresh;
    if (rotate) {
      org.RevokeRefreshToken(refresh);
      new_refresh = org.IssueRefreshToken(user->id);
    }
    return TokenSuccess(org, ctx, *user, new_refresh);
  }

  // authorization_code
  if (secret != app.client_secret) return OAuthError("invalid_client", "invalid client credentials");
  if (Param(params, "redirect_uri") != app.redirect_uri) {
    return OAuthError("invalid_grant", "redirect_uri mismatch");
  }
  std::optional<std::string> user_id = org.RedeemAuthorizationCode(Param(params, "code"));
  const OrgUser* user = user_id ? org.FindUserById(*user_id) : nullptr;
  if (user == nullptr) return OAuthError("invalid_grant", "invalid authorization code");
  return TokenSuccess(org, ctx, *user, org.IssueRefreshToken(user->id));
}

HttpResponse HandleOAuthAuthorize(Org& org, const HttpRequest& req, const OAuthContext& ctx) {
  (void)ctx;
  if (req.method != "GET" && req.method != "POST") {
    return OAuthError("invalid_request", "must use HTTP GET or POST");
  }
  Params params = RequestParams(req);
  const ConnectedApp& app = org.connected_app();
  if (Param(params, "client_id") != app.client_id || app.client_id.empty()) {
    return OAuthError("invalid_client_id", "client identifier invalid");
  }
  const std::string redirect = Param(params, "redirect_uri");
  if (redirect != app.redirect_uri) {
    return OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration");
  }
  const std::string state = Param(params, "state");
  const char* sep = redirect.find('?') == std::string::npos ? "?" : "&";
  auto redirect_to = [&](const std::string& query) {
    HttpResponse r;
    r.status = 302;
    std::string location = redirect + sep + query;
    if (!state.empty()) location += "&state=" + PercentEncode(state);
    r.headers.emplace_back("Location", location);
    r.headers.emplace_back("Cache-Control", "no-cache,must-revalidate,max-age=0,no-store,private");
    return r;
  };
  if (Param(params, "response_type") != "code") {
    return redirect_to("error=unsupported_response_type&error_description=" +
                       PercentEncode("response type not supported"));
  }
  const std::string username = Param(params, "username");
  const OrgUser* user = org.FindUser(username);
  bool tried = params.count("username") > 0 || params.count("password") > 0;
  if (user != nullptr && user->password == Param(params, "password")) {
    return redirect_to("code=" + PercentEncode(org.IssueAuthorizationCode(user->id)));
  }
  // The login page (test-only): posts the same parameters back with the credentials.
  HttpResponse page;
  page.status = 200;
  page.headers.emplace_back("Content-Type", "text/html;charset=UTF-8");
  std::string html = "<!DOCTYPE html><html><head><title>Login | Salesforce emulator</title></head><body>";
  if (tried) html += "<p id=\"error\">authentication failure</p>";
  html += "<form method=\"POST\" action=\"/services/oauth2/authorize\">";
  for (const char* name : {"response_type", "client_id", "redirect_uri", "state", "scope"}) {
    html += "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" +
            HtmlEscape(Param(params, name)) + "\">";
  }
  html += "<input name=\"username\" value=\"" + HtmlEscape(username) +
          "\"><input type=\"password\" name=\"password\"><button>Log In</button></form></body></html>";
  page.body = std::move(html);
  return page;
}

HttpResponse HandleIdentity(Org& org, const HttpRequest& req, const OAuthContext& ctx,
                            const std::string& org_id, const std::string& user_id) {
  auto plain = [](int status, std::string text) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(text);
    r.headers.emplace_back("Content-Type", "text/plain;charset=UTF-8");
    return r;
  };
  if (req.method != "GET" && req.method != "POST") return plain(405, "Method Not Allowed");
  std::string token = BearerToken(req.Header("authorization"));
  if (token.empty()) {
    auto it = req.query.find("oauth_token");
    if (it != req.query.end()) token = it->second;
  }
  std::optional<TokenInfo> info = token.empty() ? std::nullopt : org.CheckAccessToken(token);
  if (!info) return plain(403, "Bad_OAuth_Token");
  const OrgUser* user = org.FindUserById(user_id);
  if (!SameId(org_id, ctx.org_id) || user == nullptr) return plain(404, "Bad_Id");

  std::string version = "{version}";
  auto v = req.query.find("version");
  if (v != req.query.end()) {
    version = v->second == "latest" ? SupportedApiVersions().back() : v->second;
  }
  const std::string& base = ctx.instance_url;
  std::string first = user->name;
  std::string last;
  if (size_t space = user->name.find(' '); space != std::string::npos) {
    first = user->name.substr(0, space);
    last = user->name.substr(space + 1);
  } else {
    first.clear();
    last = user->name;
  }
  nlohmann::ordered_json body;
  body["id"] = IdentityUrl(ctx, user->id);
  body["asserted_user"] = SameId(info->user_id, user->id);
  body["user_id"] = user->id;
  body["organization_id"] = ctx.org_id;
  body["username"] = user->username;
  body["nick_name"] = user->username.substr(0, user->username.find('@'));
  body["display_name"] = user->name;
  body["email"] = user->email;
  body["email_verified"] = true;
  body["first_name"] = first.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(first);
  body["last_name"] = last;
  body["timezone"] = "GMT";
  body["photos"] = {{"picture", base + "/profilephoto/005/F"}, {"thumbnail", base + "/profilephoto/005/T"}};
  body["addr_street"] = nullptr;
  body["addr_city"] = nullptr;
  body["addr_state"] = nullptr;
  body["addr_country"] = nullptr;
  body["addr_zip"] = nullptr;
  body["mobile_phone"] = nullptr;
  body["mobile_phone_verified"] = false;
  body["is_lightning_login_user"] = false;
  body["status"] = {{"created_date", nullptr}, {"body", nullptr}};
  std::string org15 = ctx.org_id.substr(0, 15);
  nlohmann::ordered_json urls;
  urls["enterprise"] = base + "/services/Soap/c/" + version + "/" + org15;
  urls["metadata"] = base + "/services/Soap/m/" + version + "/" + org15;
  urls["partner"] = base + "/services/Soap/u/" + version + "/" + org15;
  urls["rest"] = base + "/services/data/v" + version + "/";
  urls["sobjects"] = base + "/services/data/v" + version + "/sobjects/";
  urls["search"] = base + "/services/data/v" + version + "/search/";
  urls["query"] = base + "/services/data/v" + version + "/query/";
  urls["recent"] = base + "/services/data/v" + version + "/recent/";
  urls["tooling_soap"] = base + "/services/Soap/T/" + version + "/" + org15;
  urls["tooling_rest"] = base + "/services/data/v" + version + "/tooling/";
  urls["profile"] = base + "/" + user->id;
  urls["feeds"] = base + "/services/data/v" + version + "/chatter/feeds";
  urls["groups"] = base + "/services/data/v" + version + "/chatter/groups";
  urls["users"] = base + "/services/data/v" + version + "/chatter/users";
  urls["feed_items"] = base + "/services/data/v" + version + "/chatter/feed-items";
  urls["feed_elements"] = base + "/services/data/v" + version + "/chatter/feed-elements";
  urls["custom_domain"] = base;
  body["urls"] = urls;
  body["active"] = true;
  body["user_type"] = "STANDARD";
  body["language"] = "en_US";
  body["locale"] = "en_US";
  body["utcOffset"] = 0;
  body["last_modified_date"] = sf::FormatSalesforceDateTime(org.Now());
  body["is_app_installed"] = true;
  return HttpResponse::Json(200, body.dump());
}

}  // namespace cf::sfemu
