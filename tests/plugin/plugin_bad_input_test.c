/* Bad input through the C ABI, in plain C, with no network: a wrong ABI version, NULL
 * pointers, forged and destroyed handles, bad configuration JSON (errors name the field and
 * never quote a secret), bad arguments to every function. Every call must return a status and
 * a message; none may crash. An offline instance (schema from examples/org, rules from text)
 * also shows that rules and events work before any connection.
 *
 * usage: plugin_bad_input_test LIB SOURCE_DIR WORK_DIR */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/plugin/plugin_c_support.h"

static const cf_sf_api* api;
static char g_work[1024];
static char g_source[1024];

/* create() must fail with `status` and an error containing `needle`. */
static void expect_bad_config(const char* config, cf_sf_status status, const char* needle) {
  cf_sf_instance* inst = (cf_sf_instance*)0x1;
  char* error = NULL;
  cf_sf_status s = api->create(config, strlen(config), &inst, &error);
  EXPECT(s == status, "create(%s): status %d, expected %d (%s)", config, (int)s, (int)status, or_empty(error));
  EXPECT(inst == NULL, "create(%s) left a handle", config);
  EXPECT(contains(error, needle), "create(%s): error '%s' does not name '%s'", config, or_empty(error), needle);
  EXPECT(!contains(error, "hunter2"), "create(%s): the secret leaked: %s", config, or_empty(error));
  api->free_string(error);
}

static void entry_point(cf_sf_entry_fn entry) {
  char error[256];
  const cf_sf_api* table = (const cf_sf_api*)0x1;
  cf_sf_host_info future = {sizeof(cf_sf_host_info), 2, 3, "future-host"};
  cf_sf_status s = entry(&future, &table, error, sizeof error);
  EXPECT(s == CF_SF_VERSION_MISMATCH, "versions 2..3: %d", (int)s);
  EXPECT(table == NULL, "a table for a version mismatch");
  EXPECT(contains(error, "2..3") && contains(error, "1..1"), "mismatch message: %s", error);

  cf_sf_host_info backwards = {sizeof(cf_sf_host_info), 3, 1, NULL};
  EXPECT(entry(&backwards, &table, error, sizeof error) == CF_SF_VERSION_MISMATCH, "min > max");
  cf_sf_host_info zero = {sizeof(cf_sf_host_info), 0, 0, NULL};
  EXPECT(entry(&zero, &table, error, sizeof error) == CF_SF_VERSION_MISMATCH, "version 0");
  cf_sf_host_info wide = {sizeof(cf_sf_host_info), 1, 99, NULL};
  EXPECT(entry(&wide, &table, error, sizeof error) == CF_SF_OK && table != NULL && table->abi_version == 1,
         "1..99 must pick 1");

  EXPECT(entry(NULL, &table, error, sizeof error) == CF_SF_INVALID_ARGUMENT, "NULL host");
  EXPECT(entry(&wide, NULL, error, sizeof error) == CF_SF_INVALID_ARGUMENT, "NULL out_api");
  cf_sf_host_info tiny = {4, 1, 1, NULL};
  EXPECT(entry(&tiny, &table, error, sizeof error) == CF_SF_INVALID_ARGUMENT, "struct_size 4");
  /* A small buffer gets a truncated, terminated message; none at all is fine too. */
  char small[8];
  memset(small, 'x', sizeof small);
  EXPECT(entry(&future, &table, small, sizeof small) == CF_SF_VERSION_MISMATCH, "small buffer");
  EXPECT(small[7] == '\0' && strlen(small) == 7, "small buffer not terminated");
  EXPECT(entry(&future, &table, NULL, 0) == CF_SF_VERSION_MISMATCH, "no buffer");
}

static void bad_configs(void) {
  char config[4096];
  cf_sf_instance* inst = NULL;
  char* error = NULL;
  EXPECT(api->create(NULL, 0, &inst, &error) == CF_SF_INVALID_ARGUMENT, "NULL config");
  api->free_string(error);
  EXPECT(api->create("{}", 2, NULL, &error) == CF_SF_INVALID_ARGUMENT, "NULL out_instance");
  api->free_string(error);
  EXPECT(api->create("{}", 2, &inst, NULL) == CF_SF_BAD_CONFIG, "NULL out_error is allowed");

  expect_bad_config("{not json", CF_SF_BAD_CONFIG, "not valid JSON");
  expect_bad_config("[1, 2]", CF_SF_BAD_CONFIG, "expected a JSON object");
  expect_bad_config("{\"state_dir\": \"/tmp/x\"}", CF_SF_BAD_CONFIG, "config.name");
  expect_bad_config("{\"name\": \"a\"}", CF_SF_BAD_CONFIG, "config.state_dir");
  snprintf(config, sizeof config, "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"stat_dir\": 1}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.stat_dir: unknown setting");
  snprintf(config, sizeof config, "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"log_level\": 3}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.log_level: expected a string, got a number");
  snprintf(config, sizeof config,
           "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"credentials\": {\"method\": \"magic\","
           " \"password\": \"hunter2\"}}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.credentials.method");
  snprintf(config, sizeof config,
           "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"credentials\": {\"password\": \"hunter2\","
           " \"username\": 7}}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.credentials.username: expected a string");
  snprintf(config, sizeof config,
           "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"credentials\": {\"password\": {\"env\": "
           "\"CF_TEST_SURELY_UNSET_VARIABLE\"}}}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "CF_TEST_SURELY_UNSET_VARIABLE");
  snprintf(config, sizeof config, "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"time_zone\": \"Mars/Base\"}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.time_zone");
  snprintf(config, sizeof config, "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"api_budget\": {\"share\": 2}}", g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.api_budget.share");
  snprintf(config, sizeof config, "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"schema_file\": \"%s/nowhere\"}",
           g_work, g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.schema_file");
  snprintf(config, sizeof config, "{\"name\": \"a\", \"state_dir\": \"%s/s1\", \"sync\": {\"objects\": {\"Contact\": 5}}}",
           g_work);
  expect_bad_config(config, CF_SF_BAD_CONFIG, "config.sync.objects.Contact");
  /* A state directory that cannot be created. */
  expect_bad_config("{\"name\": \"a\", \"state_dir\": \"/proc/self/no/such\"}", CF_SF_BAD_CONFIG, "config.state_dir");
}

static int g_log_lines = 0;
static int g_log_leaked = 0;
static void on_log(void* user_data, cf_sf_log_level level, const char* message, size_t size) {
  (void)level;
  EXPECT(user_data == (void*)&g_log_lines, "user_data not passed back");
  EXPECT(message[size] == '\0', "log line not terminated");
  ++g_log_lines;
  if (strstr(message, "00Dsecret") != NULL) ++g_log_leaked;
}

static void bad_calls(void) {
  char config[4096];
  snprintf(config, sizeof config,
           "{\"name\": \"offline\", \"state_dir\": \"%s/offline\", \"schema_file\": \"%s/examples/org\","
           " \"log_level\": \"info\"}", g_work, g_source);
  cf_sf_instance* inst = NULL;
  char* out = NULL;
  char* error = NULL;
  cf_sf_status s = api->create(config, strlen(config), &inst, &error);
  REQUIRE(s == CF_SF_OK, "create offline: %d %s", (int)s, or_empty(error));

  /* NULL and forged handles. */
  EXPECT(api->status(NULL, &out, &error) == CF_SF_INVALID_ARGUMENT, "NULL handle");
  EXPECT(contains(error, "NULL handle"), "%s", or_empty(error));
  api->free_string(error);
  cf_sf_instance* forged = (cf_sf_instance*)(uintptr_t)0xdead0;
  EXPECT(api->status(forged, &out, &error) == CF_SF_UNKNOWN_INSTANCE, "forged handle");
  api->free_string(error);
  EXPECT(api->destroy(forged, NULL) == CF_SF_UNKNOWN_INSTANCE, "destroy forged");
  EXPECT(api->destroy(NULL, NULL) == CF_SF_INVALID_ARGUMENT, "destroy NULL");

  /* Outputs are optional; they are NULL when nothing is returned. */
  EXPECT(api->status(inst, NULL, NULL) == CF_SF_OK, "status without outputs");
  out = (char*)0x1;
  error = (char*)0x1;
  EXPECT(api->sync_progress(inst, &out, &error) == CF_SF_OK && error == NULL && contains(out, "\"state\":\"idle\""),
         "sync_progress: %s", or_empty(out));
  api->free_string(out);

  /* Not connected yet: a clear status, no crash. */
  EXPECT(api->test_connection(inst, &out, &error) == CF_SF_NOT_CONNECTED, "test_connection");
  EXPECT(contains(error, "connect"), "%s", or_empty(error));
  api->free_string(error);
  EXPECT(api->discover(inst, NULL, 0, &out, &error) == CF_SF_NOT_CONNECTED, "discover");
  api->free_string(error);
  EXPECT(api->sync_start(inst, NULL, 0, &error) == CF_SF_NOT_CONNECTED, "sync_start");
  api->free_string(error);
  EXPECT(api->send_event(inst, "{}", 2, 0, &out, &error) == CF_SF_NOT_READY, "event before rules");
  api->free_string(error);

  /* Bad JSON arguments. */
  EXPECT(api->discover(inst, "{", 1, &out, &error) == CF_SF_BAD_JSON, "discover bad JSON");
  api->free_string(error);
  EXPECT(api->sync_start(inst, "{\"ful\": true}", 13, &error) == CF_SF_BAD_JSON, "sync_start option");
  EXPECT(contains(error, "sync_start.ful"), "%s", or_empty(error));
  api->free_string(error);
  EXPECT(api->connect(inst, NULL, 5, &out, &error) == CF_SF_INVALID_ARGUMENT, "NULL with a size");
  api->free_string(error);
  EXPECT(api->get_schema(inst, "{\"a\":1}", 7, &out, &error) == CF_SF_BAD_JSON, "get_schema object");
  api->free_string(error);
  EXPECT(api->get_schema(inst, "[\"Acount\"]", 10, &out, &error) == CF_SF_NOT_FOUND, "unknown object");
  EXPECT(contains(error, "did you mean 'Account'"), "%s", or_empty(error));
  api->free_string(error);
  EXPECT(api->load_rules(inst, "{\"folder\": 3}", 13, &out, &error) == CF_SF_BAD_JSON, "folder type");
  EXPECT(contains(error, "load_rules.folder"), "%s", or_empty(error));
  api->free_string(error);
  EXPECT(api->load_rules(inst, "{}", 2, &out, &error) == CF_SF_BAD_JSON, "no source");
  api->free_string(error);
  char missing[2048];
  snprintf(missing, sizeof missing, "{\"folder\": \"%s/no-such-folder\"}", g_work);
  s = api->load_rules(inst, missing, strlen(missing), &out, &error);
  EXPECT(s == CF_SF_RULES_INVALID, "missing folder: %d %s", (int)s, or_empty(error));
  EXPECT(contains(out, "no-such-folder"), "%s", or_empty(out));
  api->free_string(out);
  api->free_string(error);

  /* Rules from text, offline; then events with bad input. */
  const char* rules =
      "{\"sources\": [{\"name\": \"t.rule\", \"text\": \"rule \\\"vip\\\" on conversation.created\\n"
      "  when conversation.channel = \\\"phone\\\"\\nthen add tag \\\"phone\\\" end\\n\"}]}";
  s = api->load_rules(inst, rules, strlen(rules), &out, &error);
  EXPECT(s == CF_SF_OK, "load_rules text: %d %s %s", (int)s, or_empty(error), or_empty(out));
  api->free_string(out);
  const char* ev = "{\"type\": \"conversation.created\", \"conversation\": {\"channel\": \"phone\"}}";
  s = api->send_event(inst, ev, strlen(ev), 0, &out, &error);
  EXPECT(s == CF_SF_OK && contains(out, "\"rule\":\"vip\"") && contains(out, "\"add_tag\""), "offline event: %s",
         or_empty(out));
  api->free_string(out);
  EXPECT(api->send_event(inst, NULL, 0, 0, &out, &error) == CF_SF_INVALID_ARGUMENT, "NULL event");
  api->free_string(error);
  EXPECT(api->send_event(inst, ev, strlen(ev), 0x80, &out, &error) == CF_SF_INVALID_ARGUMENT, "bad flags");
  api->free_string(error);
  const char* no_type = "{\"conversation\": {}}";
  EXPECT(api->send_event(inst, no_type, strlen(no_type), 0, &out, &error) == CF_SF_BAD_EVENT, "no type");
  EXPECT(contains(error, "type"), "%s", or_empty(error));
  api->free_string(error);
  EXPECT(api->send_event(inst, "{\"type\": ", 9, 0, &out, &error) == CF_SF_BAD_EVENT, "truncated event");
  api->free_string(error);
  /* Deep nesting is refused, not recursed into. */
  size_t depth = 100000;
  char* deep = (char*)malloc(depth + 1);
  REQUIRE(deep != NULL, "malloc");
  memset(deep, '[', depth);
  deep[depth] = '\0';
  EXPECT(api->send_event(inst, deep, depth, 0, &out, &error) == CF_SF_BAD_EVENT, "deep event");
  api->free_string(error);
  free(deep);
  /* Embedded NUL: pointer + length means the NUL is data, and the JSON is invalid. */
  EXPECT(api->send_event(inst, "{\"type\"\0:1}", 11, 0, &out, &error) == CF_SF_BAD_EVENT, "embedded NUL");
  api->free_string(error);

  EXPECT(api->enrich_contact(inst, NULL, 0, &out, &error) == CF_SF_INVALID_ARGUMENT, "NULL query");
  api->free_string(error);
  EXPECT(api->enrich_contact(inst, "{\"mail\": \"x\"}", 13, &out, &error) == CF_SF_BAD_JSON, "bad key");
  EXPECT(contains(error, "enrich_contact.mail"), "%s", or_empty(error));
  api->free_string(error);
  const char* bad_fields = "{\"email\": \"a@b.example\", \"fields\": {\"Contact\": \"Email\"}}";
  EXPECT(api->enrich_contact(inst, bad_fields, strlen(bad_fields), &out, &error) == CF_SF_BAD_JSON, "fields");
  EXPECT(contains(error, "enrich_contact.fields.Contact"), "%s", or_empty(error));
  api->free_string(error);
  /* Offline, nothing is cached: nobody matches, and that is data, not a crash. */
  const char* who = "{\"email\": \"olivia.hart@kestrel.example\"}";
  EXPECT(api->enrich_contact(inst, who, strlen(who), &out, &error) == CF_SF_NOT_FOUND, "offline enrich");
  EXPECT(contains(out, "\"match\":null"), "%s", or_empty(out));
  api->free_string(out);
  api->free_string(error);

  /* Callbacks: a too-small struct is refused; a log line reaches the host, with no secret. */
  cf_sf_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.struct_size = 2;
  EXPECT(api->set_callbacks(inst, &cb, &error) == CF_SF_INVALID_ARGUMENT, "callbacks size");
  api->free_string(error);
  cb.struct_size = sizeof cb;
  cb.user_data = &g_log_lines;
  cb.on_log = on_log;
  EXPECT(api->set_callbacks(inst, &cb, NULL) == CF_SF_OK, "set_callbacks");
  /* A Lightning URL pasted as the instance URL: the Invalid Instance URL case, before any call. */
  const char* bad_url =
      "{\"method\": \"access_token\", \"instance_url\": \"https://acme.lightning.force.com\","
      " \"access_token\": \"00Dsecret!token\"}";
  s = api->connect(inst, bad_url, strlen(bad_url), &out, &error);
  EXPECT(s == CF_SF_SALESFORCE_ERROR, "bad instance url: %d %s", (int)s, or_empty(error));
  EXPECT(contains(error, "Invalid Instance URL") && contains(error, "acme.my.salesforce.com"), "%s", or_empty(error));
  EXPECT(!contains(error, "00Dsecret"), "the token leaked: %s", or_empty(error));
  api->free_string(error);
  EXPECT(g_log_lines >= 1, "no log line reached the callback");
  EXPECT(g_log_leaked == 0, "a log line holds the token");
  s = api->status(inst, &out, &error);
  EXPECT(contains(out, "\"state\":\"not_connected\"") && !contains(out, "00Dsecret"), "status: %s", or_empty(out));
  api->free_string(out);
  EXPECT(api->set_callbacks(inst, NULL, NULL) == CF_SF_OK, "clear callbacks");

  /* No host-action callback was registered: the offline event's tag comes by polling, then
   * its outcome (bounded wait: the dispatcher thread delivers them). */
  int got_action = 0, got_outcome = 0;
  for (int i = 0; i < 1000 && !(got_action && got_outcome); ++i) {
    s = api->poll_outcomes(inst, 10, &out, &error);
    EXPECT(s == CF_SF_OK, "poll: %d", (int)s);
    got_action |= contains(out, "\"host_actions\":[{\"action_id\":\"cf-") && contains(out, "\"arguments\":[\"phone\"]");
    got_outcome |= contains(out, "\"status\":\"succeeded\"");
    api->free_string(out);
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  EXPECT(got_action && got_outcome, "polling delivered action %d, outcome %d", got_action, got_outcome);
  s = api->sync_wait(inst, 10, &out, &error);
  EXPECT(s == CF_SF_OK, "sync_wait with no sync: %d", (int)s);
  api->free_string(out);
  EXPECT(api->sync_stop(inst, NULL) == CF_SF_OK, "sync_stop with no sync");

  EXPECT(api->destroy(inst, NULL) == CF_SF_OK, "destroy");
  EXPECT(api->destroy(inst, &error) == CF_SF_UNKNOWN_INSTANCE, "destroy twice");
  api->free_string(error);
  EXPECT(api->send_event(inst, ev, strlen(ev), 0, &out, &error) == CF_SF_UNKNOWN_INSTANCE, "after destroy");
  api->free_string(error);
  api->free_string(NULL);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LIB SOURCE_DIR WORK_DIR\n", argv[0]);
    return 2;
  }
  snprintf(g_source, sizeof g_source, "%s", argv[2]);
  snprintf(g_work, sizeof g_work, "%s", argv[3]);
  char rm[4096];
  snprintf(rm, sizeof rm, "rm -rf '%s' && mkdir -p '%s'", g_work, g_work);
  REQUIRE(system(rm) == 0, "cannot prepare %s", g_work);
  /* connect needs a vault key even to fail on the URL (the key is checked first). */
  setenv("CF_VAULT_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);

  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  REQUIRE(lib != NULL, "dlopen: %s", dlerror());
  cf_sf_entry_fn entry = NULL;
  *(void**)(&entry) = dlsym(lib, CF_SF_ENTRY_SYMBOL);
  REQUIRE(entry != NULL, "dlsym: %s", dlerror());
  entry_point(entry);

  void* lib2 = NULL;
  api = load_plugin(argv[1], &lib2);
  bad_configs();
  bad_calls();

  dlclose(lib2);
  dlclose(lib);
  if (g_failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  printf("plugin bad input: all checks passed\n");
  return 0;
}
