/* A whole session through the C ABI, in plain C, against the Salesforce emulator over TLS on
 * loopback (started and stopped by the CTest fixture): load and negotiate, create an instance,
 * connect with the OAuth password flow, test the connection, discover, sync, load the example
 * rules, send events and check what fired, enrich a contact, reload with a broken rule (the old
 * rules stay), run a second instance beside the first, destroy, and restart warm from the
 * state directory.
 *
 * usage: plugin_session_test LIB URL_FILE CA_FILE SOURCE_DIR WORK_DIR
 * The connected app and the user come from the environment (CF_TEST_SF_*), the vault key from
 * CF_VAULT_KEY: the configuration names them as {"env": ...} references. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/plugin/plugin_c_support.h"

static const cf_sf_api* api;

/* What the dispatcher thread delivered through the callbacks. */
static atomic_int g_host_actions;
static atomic_int g_outcomes;
static atomic_int g_routed;  /* host actions routing to Enterprise Support */
static atomic_int g_succeeded;
static atomic_int g_leads_created;  /* outcomes naming a new Lead's Id (00Q...) */

static void on_host_action(void* user_data, const char* json, size_t size) {
  EXPECT(user_data == (void*)&g_host_actions, "user_data");
  EXPECT(json[size] == '\0' && contains(json, "\"action_id\":\"cf-"), "host action: %s", json);
  if (contains(json, "\"kind\":\"route_to_team\"") && contains(json, "Enterprise Support")) atomic_fetch_add(&g_routed, 1);
  atomic_fetch_add(&g_host_actions, 1);
}

static void on_action_outcome(void* user_data, const char* json, size_t size) {
  (void)user_data;
  (void)size;
  if (contains(json, "\"status\":\"succeeded\"")) atomic_fetch_add(&g_succeeded, 1);
  if (contains(json, "\"object\":\"Lead\"") && contains(json, "\"record_id\":\"00Q")) atomic_fetch_add(&g_leads_created, 1);
  if (!contains(json, "\"status\":\"succeeded\"")) fprintf(stderr, "outcome: %s\n", json);
  atomic_fetch_add(&g_outcomes, 1);
}

static int count(const char* text, const char* needle) {
  int n = 0;
  for (const char* p = text; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle)) ++n;
  return n;
}

/* Waits (bounded: 20 s) until *counter reaches `want`. */
static int wait_for(atomic_int* counter, int want) {
  for (int i = 0; i < 2000 && atomic_load(counter) < want; ++i) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return atomic_load(counter) >= want;
}

static char* make_config(const char* name, const char* url, const char* ca, const char* source,
                         const char* state_dir) {
  char* config = (char*)malloc(4096);
  REQUIRE(config != NULL, "malloc");
  snprintf(config, 4096,
           "{\"name\": \"%s\", \"instance_url\": \"%s\", \"ca_file\": \"%s\","
           " \"state_dir\": \"%s\", \"rule_folder\": \"%s/examples/rules\","
           " \"time_zone\": \"America/New_York\", \"log_level\": \"warn\","
           " \"api_budget\": {\"share\": 1.0},"
           " \"credentials\": {\"method\": \"password\","
           "   \"client_id\": \"%s\", \"client_secret\": {\"env\": \"CF_TEST_SF_CLIENT_SECRET\"},"
           "   \"username\": \"%s\", \"password\": {\"env\": \"CF_TEST_SF_PASSWORD\"}},"
           " \"testing\": {\"allow_loopback\": true}}",
           name, url, ca, state_dir, source, or_empty(getenv("CF_TEST_SF_CLIENT_ID")),
           or_empty(getenv("CF_TEST_SF_USERNAME")));
  return config;
}

/* Sends one event and returns the result JSON (caller frees with api->free_string). */
static char* send(cf_sf_instance* inst, const char* event, uint32_t flags) {
  char* out = NULL;
  char* error = NULL;
  cf_sf_status s = api->send_event(inst, event, strlen(event), flags, &out, &error);
  EXPECT(s == CF_SF_OK, "send_event: %d %s\n  event: %s", (int)s, or_empty(error), event);
  api->free_string(error);
  return out;
}

static void session(const char* url, const char* ca, const char* source, const char* work) {
  char state_dir[1024];
  snprintf(state_dir, sizeof state_dir, "%s/state-a", work);
  char* config = make_config("emulator-org", url, ca, source, state_dir);

  cf_sf_instance* inst = NULL;
  char* out = NULL;
  char* error = NULL;
  cf_sf_status s = api->create(config, strlen(config), &inst, &error);
  REQUIRE(s == CF_SF_OK && inst != NULL, "create: %d %s", (int)s, or_empty(error));

  /* Connect: the OAuth password flow; the status says connected and shows no secret. */
  s = api->connect(inst, NULL, 0, &out, &error);
  REQUIRE(s == CF_SF_OK, "connect: %d %s", (int)s, or_empty(error));
  EXPECT(contains(out, "\"state\":\"connected\""), "connect: %s", or_empty(out));
  EXPECT(!contains(out, getenv("CF_TEST_SF_PASSWORD")), "the password leaked into the status");
  api->free_string(out);

  s = api->test_connection(inst, &out, &error);
  EXPECT(s == CF_SF_OK, "test_connection: %d %s", (int)s, or_empty(error));
  EXPECT(contains(out, "\"org_id\":\"00D"), "test_connection: %s", or_empty(out));
  EXPECT(contains(out, getenv("CF_TEST_SF_USERNAME")), "test_connection: %s", or_empty(out));
  api->free_string(out);

  s = api->discover(inst, NULL, 0, &out, &error);
  REQUIRE(s == CF_SF_OK, "discover: %d %s", (int)s, or_empty(error));
  EXPECT(contains(out, "\"objects\":"), "discover: %s", or_empty(out));
  api->free_string(out);

  const char* objects = "[\"Account\"]";
  s = api->get_schema(inst, objects, strlen(objects), &out, &error);
  EXPECT(s == CF_SF_OK, "get_schema: %d %s", (int)s, or_empty(error));
  EXPECT(contains(out, "\"name\":\"AnnualRevenue\""), "get_schema: no AnnualRevenue");
  EXPECT(contains(out, "\"name\":\"Tier__c\"") && contains(out, "\"value\":\"Platinum\""),
         "get_schema: no Tier__c picklist");
  /* Field-level security: the field hidden from the integration user is not offered. */
  EXPECT(!contains(out, "Health_Score__c"), "get_schema: a hidden field is listed");
  api->free_string(out);

  /* The rules from the configured folder. */
  s = api->load_rules(inst, NULL, 0, &out, &error);
  REQUIRE(s == CF_SF_OK, "load_rules: %d %s\n%s", (int)s, or_empty(error), or_empty(out));
  EXPECT(contains(out, "\"ok\":true"), "load_rules: %s", or_empty(out));
  api->free_string(out);

  /* Sync what the rules read; wait for it (bounded). */
  s = api->sync_start(inst, NULL, 0, &error);
  REQUIRE(s == CF_SF_OK, "sync_start: %d %s", (int)s, or_empty(error));
  s = api->sync_wait(inst, 120000, &out, &error);
  REQUIRE(s == CF_SF_OK, "sync_wait: %d %s %s", (int)s, or_empty(error), or_empty(out));
  EXPECT(contains(out, "\"state\":\"succeeded\""), "sync: %s", or_empty(out));
  EXPECT(contains(out, "\"object\":\"Contact\""), "sync: %s", or_empty(out));
  api->free_string(out);

  s = api->status(inst, &out, &error);
  EXPECT(s == CF_SF_OK, "status: %d", (int)s);
  EXPECT(contains(out, "\"Contact\":15"), "status: 15 cached contacts expected: %s", or_empty(out));
  EXPECT(contains(out, "\"requests_sent\":"), "status: no API usage: %s", or_empty(out));
  api->free_string(out);

  /* Host actions come back through callbacks, on the dispatcher's thread. */
  cf_sf_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.struct_size = sizeof cb;
  cb.user_data = &g_host_actions;
  cb.on_host_action = on_host_action;
  cb.on_action_outcome = on_action_outcome;
  s = api->set_callbacks(inst, &cb, &error);
  EXPECT(s == CF_SF_OK, "set_callbacks: %d %s", (int)s, or_empty(error));

  /* A known Platinum contact of a large account: Account insights routes to Enterprise Support. */
  out = send(inst,
             "{\"type\": \"conversation.created\", \"id\": \"evt-1\", \"conversation\": {\"id\": \"c-1\","
             " \"channel\": \"web_chat\", \"customer\": {\"email\": \"olivia.hart@kestrel.example\"}}}",
             0);
  EXPECT(contains(out, "\"event_id\":\"evt-1\""), "%s", or_empty(out));
  EXPECT(contains(out, "\"rule\":\"Account insights\""), "Account insights did not fire: %s", or_empty(out));
  EXPECT(contains(out, "\"rule\":\"Platinum customers first\""), "%s", or_empty(out));
  EXPECT(contains(out, "\"kind\":\"route_to_team\"") && contains(out, "\"Enterprise Support\""),
         "no routing: %s", or_empty(out));
  EXPECT(contains(out, "\"Contact\":{\"id\":\"003Dn0000yHOVUVIA5\",\"source\":\"email\"}"),
         "binding: %s", or_empty(out));
  /* Host actions are queued in the outbox (durable ids); the dispatcher delivers them. */
  int queued = count(out, "\"dispatch\":\"queued\"");
  EXPECT(queued >= 3, "host actions not queued: %s", or_empty(out));
  EXPECT(contains(out, "\"action_id\":\"cf-"), "no outbox ids: %s", or_empty(out));
  EXPECT(wait_for(&g_host_actions, queued), "host actions delivered: %d of %d", atomic_load(&g_host_actions), queued);
  EXPECT(wait_for(&g_outcomes, queued), "outcomes delivered: %d of %d", atomic_load(&g_outcomes), queued);
  EXPECT(atomic_load(&g_routed) == 1, "routing delivered %d times", atomic_load(&g_routed));
  EXPECT(atomic_load(&g_succeeded) == queued, "succeeded %d of %d", atomic_load(&g_succeeded), queued);
  api->free_string(out);

  /* An unknown caller: a Lead is created and the call logged on it (linked by action id). */
  out = send(inst,
             "{\"type\": \"call.ended\", \"id\": \"evt-2\", \"call\": {\"direction\": \"inbound\","
             " \"from\": \"+1 415 555 0199\", \"notes\": \"Wants pricing\", \"duration_seconds\": 95,"
             " \"customer\": {\"phone\": \"+1 415 555 0199\"}}}",
             0);
  EXPECT(contains(out, "\"rule\":\"Lead capture from phone calls\""), "%s", or_empty(out));
  EXPECT(contains(out, "\"kind\":\"create\",") && contains(out, "\"object\":\"Lead\""), "%s", or_empty(out));
  EXPECT(contains(out, "\"name\":\"WhoId\",\"value\":{\"action_id\":\"cf-"), "task not linked: %s",
         or_empty(out));
  /* Salesforce actions are queued too: the Lead is created in the org (the emulator), the
   * calls logged; the outcomes say so. */
  int queued_call = count(out, "\"dispatch\":\"queued\"");
  EXPECT(queued_call == 3, "call actions queued: %d: %s", queued_call, or_empty(out));
  api->free_string(out);
  EXPECT(wait_for(&g_outcomes, queued + queued_call), "call outcomes: %d of %d", atomic_load(&g_outcomes),
         queued + queued_call);
  EXPECT(atomic_load(&g_leads_created) == 1, "lead created %d times", atomic_load(&g_leads_created));
  EXPECT(atomic_load(&g_succeeded) == queued + queued_call, "succeeded %d of %d", atomic_load(&g_succeeded),
         queued + queued_call);
  /* Written through to the cache: the same caller again is bound to the new Lead by phone,
   * not captured twice. */
  out = send(inst,
             "{\"type\": \"call.ended\", \"call\": {\"direction\": \"inbound\", \"from\": \"+1 415 555 0199\","
             " \"customer\": {\"phone\": \"+1 415 555 0199\"}}}",
             0);
  EXPECT(!contains(out, "Lead capture from phone calls"), "captured twice: %s", or_empty(out));
  EXPECT(contains(out, "\"Lead\":{\"id\":\"00Q") && contains(out, "\"source\":\"phone\""), "not bound: %s",
         or_empty(out));
  api->free_string(out);

  /* A known caller (a Lead, by phone, from the synced cache) is only logged. */
  out = send(inst, "{\"type\": \"call.ended\", \"call\": {\"direction\": \"inbound\", \"from\": \"+1 555 0230\"}}", 0);
  EXPECT(!contains(out, "Lead capture from phone calls"), "%s", or_empty(out));
  EXPECT(contains(out, "\"rule\":\"Log every call\""), "%s", or_empty(out));
  EXPECT(contains(out, "00QDn0000eQ52aFMAR"), "the lead was not bound by phone: %s", or_empty(out));
  api->free_string(out);

  /* A web chat visitor: upsert a Lead by the conversation id; with the explanation. */
  out = send(inst,
             "{\"type\": \"conversation.message\", \"conversation\": {\"id\": \"chat-9\","
             " \"channel\": \"web_chat\", \"customer\": {\"email\": \"visitor@web.example\"}}}",
             CF_SF_EVENT_EXPLAIN);
  EXPECT(contains(out, "\"kind\":\"upsert\"") && contains(out, "\"key_field\":\"ConnectFlo_Conversation_Id__c\""),
         "%s", or_empty(out));
  EXPECT(contains(out, "\"explanations\":[") && contains(out, "\"outcome\":\"fired\""), "%s", or_empty(out));
  EXPECT(contains(out, "\"report\":"), "%s", or_empty(out));
  api->free_string(out);

  /* A malformed event: the error names the field; nothing crashes. */
  const char* bad_event = "{\"type\": \"conversation.created\", \"conversation\": {\"customer\": {\"email\": 42}}}";
  s = api->send_event(inst, bad_event, strlen(bad_event), 0, &out, &error);
  EXPECT(s == CF_SF_BAD_EVENT, "bad event: %d", (int)s);
  EXPECT(contains(error, "conversation.customer.email"), "bad event error: %s", or_empty(error));
  EXPECT(out == NULL, "bad event gave output");
  api->free_string(error);

  /* Contact enrichment from the cache. */
  const char* who = "{\"email\": \"olivia.hart@kestrel.example\", \"fields\": {\"Account\": [\"Name\", \"Tier__c\"]}}";
  s = api->enrich_contact(inst, who, strlen(who), &out, &error);
  EXPECT(s == CF_SF_OK, "enrich: %d %s", (int)s, or_empty(error));
  EXPECT(contains(out, "\"match\":\"contact\""), "%s", or_empty(out));
  EXPECT(contains(out, "\"Name\":\"Kestrel Banking Group\"") && contains(out, "\"Tier__c\":\"Platinum\""),
         "%s", or_empty(out));
  api->free_string(out);
  const char* nobody = "{\"email\": \"nobody@nowhere.example\"}";
  s = api->enrich_contact(inst, nobody, strlen(nobody), &out, &error);
  EXPECT(s == CF_SF_NOT_FOUND, "enrich nobody: %d", (int)s);
  api->free_string(out);
  api->free_string(error);

  /* A reload with a broken rule: diagnostics as data; the old rules stay in force. */
  const char* broken =
      "{\"sources\": [{\"name\": \"broken.rule\", \"text\": \"rule \\\"x\\\" on conversation.created\\n"
      "  when Account.AnualRevenue > 5\\nthen add tag \\\"x\\\" end\\n\"}]}";
  s = api->load_rules(inst, broken, strlen(broken), &out, &error);
  EXPECT(s == CF_SF_RULES_INVALID, "broken rules: %d", (int)s);
  EXPECT(contains(out, "\"file\":\"broken.rule\"") && contains(out, "\"line\":2"), "%s", or_empty(out));
  EXPECT(contains(out, "AnnualRevenue"), "no suggestion: %s", or_empty(out));
  api->free_string(out);
  api->free_string(error);
  out = send(inst,
             "{\"type\": \"conversation.created\", \"conversation\": {\"customer\": {\"email\": \"olivia.hart@kestrel.example\"}}}",
             0);
  EXPECT(contains(out, "\"rule\":\"Account insights\""), "old rules lost: %s", or_empty(out));
  api->free_string(out);

  /* A second instance in the same process, on its own state directory: independent. */
  char state_b[1024];
  snprintf(state_b, sizeof state_b, "%s/state-b", work);
  char* config_b = make_config("emulator-org-b", url, ca, source, state_b);
  cf_sf_instance* b = NULL;
  s = api->create(config_b, strlen(config_b), &b, &error);
  EXPECT(s == CF_SF_OK, "create b: %d %s", (int)s, or_empty(error));
  const char* empty_event = "{\"type\": \"conversation.created\", \"conversation\": {}}";
  s = api->send_event(b, empty_event, strlen(empty_event), 0, &out, &error);
  EXPECT(s == CF_SF_NOT_READY, "instance b has no rules yet: %d", (int)s);
  api->free_string(error);
  /* Not the same directory twice. */
  cf_sf_instance* dup = NULL;
  s = api->create(config, strlen(config), &dup, &error);
  EXPECT(s == CF_SF_BAD_CONFIG && contains(error, "config.state_dir"), "shared state_dir: %d %s", (int)s,
         or_empty(error));
  api->free_string(error);
  EXPECT(api->destroy(b, NULL) == CF_SF_OK, "destroy b");
  free(config_b);

  s = api->destroy(inst, &error);
  EXPECT(s == CF_SF_OK, "destroy: %d %s", (int)s, or_empty(error));
  s = api->status(inst, &out, &error);
  EXPECT(s == CF_SF_UNKNOWN_INSTANCE, "status after destroy: %d", (int)s);
  api->free_string(error);

  /* Warm restart: the schema and the records come from the state directory; the sealed tokens
   * are reused (resume: no login). */
  s = api->create(config, strlen(config), &inst, &error);
  REQUIRE(s == CF_SF_OK, "create again: %d %s", (int)s, or_empty(error));
  s = api->status(inst, &out, &error);
  EXPECT(contains(out, "\"origin\":\"state\"") && contains(out, "\"Contact\":15"), "warm: %s", or_empty(out));
  api->free_string(out);
  s = api->connect(inst, "{\"resume\": true}", 16, &out, &error);
  EXPECT(s == CF_SF_OK, "resume: %d %s", (int)s, or_empty(error));
  api->free_string(out);
  api->free_string(error);
  s = api->load_rules(inst, NULL, 0, NULL, &error);
  EXPECT(s == CF_SF_OK, "load_rules again: %d %s", (int)s, or_empty(error));
  out = send(inst,
             "{\"type\": \"conversation.created\", \"conversation\": {\"customer\": {\"email\": \"olivia.hart@kestrel.example\"}}}",
             0);
  EXPECT(contains(out, "\"rule\":\"Account insights\""), "after restart: %s", or_empty(out));
  api->free_string(out);
  /* An incremental sync after the restart. */
  s = api->sync_start(inst, NULL, 0, &error);
  EXPECT(s == CF_SF_OK, "sync_start again: %d %s", (int)s, or_empty(error));
  s = api->sync_wait(inst, 120000, &out, &error);
  EXPECT(s == CF_SF_OK && contains(out, "\"full_load\":false"), "incremental sync: %d %s", (int)s, or_empty(out));
  api->free_string(out);
  EXPECT(api->destroy(inst, NULL) == CF_SF_OK, "destroy again");
  free(config);
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s LIB URL_FILE CA_FILE SOURCE_DIR WORK_DIR\n", argv[0]);
    return 2;
  }
  REQUIRE(getenv("CF_TEST_SF_CLIENT_ID") && getenv("CF_TEST_SF_USERNAME") && getenv("CF_VAULT_KEY"),
          "CF_TEST_SF_* and CF_VAULT_KEY must be set (the CTest test sets them)");
  char* url = read_file(argv[2]);
  REQUIRE(url != NULL, "cannot read the emulator's URL from %s", argv[2]);
  char rm[2048];
  snprintf(rm, sizeof rm, "rm -rf '%s' && mkdir -p '%s'", argv[5], argv[5]);
  REQUIRE(system(rm) == 0, "cannot prepare %s", argv[5]);

  void* lib = NULL;
  api = load_plugin(argv[1], &lib);
  EXPECT(strcmp(api->plugin_name, "connectflo-salesforce") == 0, "name %s", api->plugin_name);
  EXPECT(api->abi_version == 1, "version %u", api->abi_version);
  EXPECT(CF_SF_API_HAS(api, poll_outcomes), "table too small");

  session(url, argv[3], argv[4], argv[5]);

  free(url);
  dlclose(lib);
  if (g_failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("plugin session: all checks passed\n");
  return 0;
}
